/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scripted front-end for backend tests: sends one request at a time with
 * vu_msg_send() and reads the reply the protocol defines, so a test states
 * the exact message sequence it drives.
 */
#ifndef VU_TEST_FE_H
#define VU_TEST_FE_H

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include "vu_msg.h"

struct test_fe {
	int sock;
	bool reply_ack;		/* REPLY_ACK negotiated: ask for acks */
	struct vu_msg reply;	/* last reply */
};

/* Send @p req with @p size payload bytes from @p payload and fds; read its reply.
 * Returns 0 on success (reply ack 0 or a reply received), 1 if the backend
 * acked a failure, < 0 when the connection failed or closed. */
static inline int
fe_call(struct test_fe *fe, uint32_t req, const void *payload, uint32_t size,
	const int *fds, unsigned int nfds)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, req);
	struct vu_msg m = { .hdr = { req, VU_PROTO_VERSION, size } };
	bool want_ack = fe->reply_ack && info->reply == VU_REPLY_ACK;
	struct pollfd p = { .fd = fe->sock, .events = POLLIN };
	int ret;

	if (size)
		memcpy(&m.payload, payload, size);
	if (nfds)
		memcpy(m.fds, fds, nfds * sizeof(int));
	m.nfds = nfds;
	if (want_ack)
		m.hdr.flags |= VU_FLAG_NEED_REPLY;
	ret = vu_msg_send(fe->sock, &m);
	if (ret < 0 || (!want_ack && info->reply != VU_REPLY_ALWAYS))
		return ret;
	if (poll(&p, 1, 5000) != 1)
		return -ETIMEDOUT;
	ret = vu_msg_recv(fe->sock, VU_MSG_FRONTEND_REPLY, &fe->reply, "test-fe");
	if (ret < 0)
		return ret;
	if (fe->reply.hdr.request != req)
		return -EPROTO;
	return want_ack && fe->reply.payload.u64 != 0 ? 1 : 0;
}

static inline int
fe_u64(struct test_fe *fe, uint32_t req, uint64_t v)
{
	return fe_call(fe, req, &v, sizeof(v), NULL, 0);
}

static inline int
fe_state(struct test_fe *fe, uint32_t req, uint32_t index, uint32_t num)
{
	struct vu_vring_state s = { index, num };

	return fe_call(fe, req, &s, sizeof(s), NULL, 0);
}

/* SET_VRING_KICK/CALL/ERR with a fresh eventfd (closed here after sending). */
static inline int
fe_vring_fd(struct test_fe *fe, uint32_t req, uint32_t index)
{
	uint64_t v = index;
	int efd = eventfd(0, EFD_CLOEXEC), ret;

	ret = fe_call(fe, req, &v, sizeof(v), &efd, 1);
	close(efd);
	return ret;
}

/* Guest memory for a test: one memfd region at GPA 0, seen by the
 * "front-end" at a made-up VMM address. */
struct test_guest {
	int fd;
	uint8_t *va;		/* our own mapping of it */
	uint64_t size;
	uint64_t vmm_base;	/* what the front-end calls address 0 */
};

static inline int
guest_create(struct test_guest *g, uint64_t size)
{
	g->size = size;
	g->vmm_base = 0x7f0000000000ull;
	g->fd = memfd_create("test-guest", MFD_CLOEXEC);
	if (g->fd < 0 || ftruncate(g->fd, (off_t)size) != 0)
		return -errno;
	g->va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	return g->va == MAP_FAILED ? -errno : 0;
}

static inline void
guest_destroy(struct test_guest *g)
{
	munmap(g->va, g->size);
	close(g->fd);
}

static inline int
fe_set_mem_table(struct test_fe *fe, const struct test_guest *g)
{
	struct vu_mem_regions t = { .nregions = 1 };

	t.regions[0] = (struct vu_mem_region){ 0, g->size, g->vmm_base, 0 };
	return fe_call(fe, VU_REQ_SET_MEM_TABLE, &t, 8 + sizeof(t.regions[0]), &g->fd, 1);
}

/* Ring @p index of @p num descriptors laid out at GPA index * 0x4000. */
static inline int
fe_set_vring_addr(struct test_fe *fe, const struct test_guest *g, uint32_t index, uint32_t num)
{
	uint64_t base = g->vmm_base + index * 0x4000ull;
	struct vu_vring_addr a = { .index = index, .desc = base, .avail = base + 16ull * num,
				   .used = base + 0x2000, .log = 0 };

	return fe_call(fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
}

#endif /* VU_TEST_FE_H */
