/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the backend's whole request handler, fed message
 * sequences with real fds, state carried from one message to the next.
 *
 * Each input is a fresh backend and a list of records:
 *   u32 request, u32 flags, u16 payload size, u8 fd spec, payload bytes
 * The fd spec's low 2 bits pick the kind (0 none, 1 memfd, 2 eventfd,
 * 3 pipe end), bits 2-3 the count minus one, bits 4-7 the memfd size in
 * 64 KiB steps (0: 4 KiB). Each record goes through vu_msg_recv() on one
 * socketpair (so the handler only sees messages that passed validation, as
 * on a real connection) and then be_handle_msg(); replies go to a second
 * socketpair, drained after the last record. Invariants: no crash, no
 * sanitizer report, and after vu_backend_destroy() not one fd the input
 * created left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_log.h>

#include "backend_priv.h"
#include "vu_fdman.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FD_WINDOW	64
#define MAX_RECORDS	64
#define NQUEUES		4

static int first_free_fd;

/* A device that takes every ring and gives it back where it was. */
static uint16_t ring_next[NQUEUES];

static int
fz_read_config(struct vu_backend *b, uint32_t offset, void *buf, uint32_t size)
{
	RTE_SET_USED(b);
	memset(buf, (int)offset, size);
	return 0;
}

static int
fz_write_config(struct vu_backend *b, uint32_t offset, const void *buf, uint32_t size)
{
	RTE_SET_USED(b);
	RTE_SET_USED(buf);
	return offset + size > 64 ? -EINVAL : 0;
}

static int
fz_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	volatile const uint8_t *desc = vq->desc;

	RTE_SET_USED(b);
	/* Touch both ends of each area: ASan/SIGBUS would tell a bad translation. */
	(void)desc[0];
	(void)desc[16u * vq->size - 1];
	(void)((volatile const uint8_t *)vq->avail)[6u + 2u * vq->size - 1];
	((volatile uint8_t *)vq->used)[6u + 8u * vq->size - 1] = 0;
	ring_next[vq->index] = vq->base;
	return 0;
}

static int
fz_stop(struct vu_backend *b, uint16_t index, uint16_t *next)
{
	RTE_SET_USED(b);
	*next = ring_next[index];
	return 0;
}

static void
fz_reset(struct vu_backend *b)
{
	RTE_SET_USED(b);
}

static int
fz_save(struct vu_backend *b, void **buf, size_t *len)
{
	RTE_SET_USED(b);
	*buf = calloc(1, 16);
	*len = 16;
	return *buf != NULL ? 0 : -ENOMEM;
}

static int
fz_load(struct vu_backend *b, const void *buf, size_t len)
{
	RTE_SET_USED(b);
	RTE_SET_USED(buf);
	return len == 16 ? 0 : -EINVAL;
}

static int
fz_set_mtu(struct vu_backend *b, uint16_t mtu)
{
	RTE_SET_USED(b);
	RTE_SET_USED(mtu);
	return 0;
}

static uint64_t
fz_shmem_size(struct vu_backend *b)
{
	RTE_SET_USED(b);
	return 1 << 20;
}

static const struct vu_device_ops fz_ops = {
	.type = "fuzz",
	.max_queues = NQUEUES,
	.features = RTE_BIT64(32) | RTE_BIT64(29) | RTE_BIT64(28) | RTE_BIT64(VU_F_LOG_ALL),
	.protocol_features = ~0ull,	/* everything the engine implements */
	.read_config = fz_read_config,
	.write_config = fz_write_config,
	.start_queue = fz_start,
	.stop_queue = fz_stop,
	.reset = fz_reset,
	.save_state = fz_save,
	.load_state = fz_load,
	.set_mtu = fz_set_mtu,
	.shmem_size = fz_shmem_size,
};

/* Which fds of the window are open: one poll() instead of one fcntl() per
 * fd (they were half of the harness's syscalls); closed ones get POLLNVAL. */
static uint64_t
open_fds(void)
{
	struct pollfd p[FD_WINDOW];
	uint64_t set = 0;
	int i;

	for (i = 0; i < FD_WINDOW; i++)
		p[i] = (struct pollfd){ .fd = first_free_fd + i };
	if (poll(p, FD_WINDOW, 0) < 0)
		abort();
	for (i = 0; i < FD_WINDOW; i++)
		if (!(p[i].revents & POLLNVAL))
			set |= UINT64_C(1) << i;
	return set;
}

static struct vu_backend *
backend_up(int *peer)
{
	/* A short CHECK_DEVICE_STATE wait: inputs that keep a state pipe open
	 * would otherwise cost a second each (the default), most of the run. */
	struct vu_backend_conf conf = { .mode = VU_BACKEND_SERVER, .ops = &fz_ops,
					.state_check_wait_ms = 5 };
	struct vu_backend *b;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0)
		abort();
	conf.conn_fd = sv[1];
	b = vu_backend_create(&conf);
	if (b == NULL)
		abort();
	*peer = sv[0];
	return b;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vu_backend *b;
	int peer;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	rte_log_set_global_level(RTE_LOG_EMERG);	/* complaints are expected */
	/* Let vu-ctl create its long-lived fds before the leak baseline. */
	b = backend_up(&peer);
	vu_backend_destroy(b);
	close(peer);
	first_free_fd = dup(0);
	close(first_free_fd);
	return 0;
}

/* Make the fds a record asks for; @p keep receives our ends of pipes. */
static unsigned int
make_fds(uint8_t spec, int *fds, int *keep, unsigned int *nkeep)
{
	unsigned int n = ((spec >> 2) & 3) + 1, i;
	off_t memfd_size = (spec >> 4) ? (off_t)(spec >> 4) << 16 : 4096;

	switch (spec & 3) {
	case 0:
		return 0;
	case 1:
		for (i = 0; i < n; i++) {
			fds[i] = memfd_create("fuzz-guest", MFD_CLOEXEC);
			if (fds[i] < 0 || ftruncate(fds[i], memfd_size) != 0)
				abort();
		}
		return n;
	case 2:
		for (i = 0; i < n; i++)
			fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		return n;
	default: {
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
			abort();
		/* Alternate which end the backend gets; ours is closed at once,
		 * so a load sees EOF and a save sees EPIPE: nothing blocks. */
		fds[0] = p[spec & 0x10 ? 0 : 1];
		keep[(*nkeep)++] = p[spec & 0x10 ? 1 : 0];
		return 1;
	}
	}
}

static void
send_record(int sock, const uint8_t *hdr, const uint8_t *payload, uint16_t len,
	    const int *fds, unsigned int nfds)
{
	char control[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov[2] = {
		{ .iov_base = (void *)(uintptr_t)hdr, .iov_len = 12 },
		{ .iov_base = (void *)(uintptr_t)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		abort();
}

static void
drain_replies(int peer)
{
	char buf[4096];
	ssize_t n;

	/* Replies may carry fds (GET_INFLIGHT_FD): receive and close them. */
	do {
		char control[CMSG_SPACE(8 * sizeof(int))];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = control, .msg_controllen = sizeof(control) };
		struct cmsghdr *cm;

		n = recvmsg(peer, &mh, MSG_CMSG_CLOEXEC);
		for (cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			int *fds = (int *)CMSG_DATA(cm);
			size_t k, nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (k = 0; k < nf; k++)
				close(fds[k]);
		}
	} while (n > 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t fds_before = open_fds();
	struct vu_backend *b;
	int peer, sv[2], keep[MAX_RECORDS];
	unsigned int nkeep = 0, records = 0, i;
	int ret;
	size_t off = 0;

	b = backend_up(&peer);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	while (size - off >= 11 && records++ < MAX_RECORDS) {
		uint8_t hdr[12];
		uint16_t len;
		uint8_t spec = data[off + 10];
		int fds[4];
		unsigned int nfds;
		struct vu_msg msg;

		memcpy(&len, data + off + 8, 2);
		len = (uint16_t)RTE_MIN((size_t)len, size - off - 11);
		len = RTE_MIN(len, (uint16_t)VU_MSG_PAYLOAD_MAX);
		memcpy(hdr, data + off, 8);
		memcpy(hdr + 8, &(uint32_t){ len }, 4);
		nfds = make_fds(spec, fds, keep, &nkeep);
		send_record(sv[0], hdr, data + off + 11, len, fds, nfds);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		while (nkeep > 0)
			close(keep[--nkeep]);
		off += 11u + len;
		/* Exactly what the connection's reader does with one message. */
		ret = vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &msg, "fuzz");
		if (ret == 0)
			ret = be_handle_msg(b, &msg);
		else if (!vu_msg_err_is_fatal(ret))
			ret = 0;	/* rejected, the stream still in step */
		if (ret < 0)
			break;		/* the connection would be closed here */
	}
	/* Replies are drained once: 64 small replies fit the socket buffer. */
	drain_replies(peer);
	close(sv[0]);
	close(sv[1]);
	vu_backend_destroy(b);
	close(peer);
	if (open_fds() & ~fds_before)
		abort();	/* an fd the input created is still open: leaked */
	return 0;
}
