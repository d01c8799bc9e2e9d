/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile front-ends, control plane: each case drives one malformed or
 * out-of-order message sequence into a backend over a real socket and checks
 * the outcome the spec implies (a failed REPLY_ACK, or a closed connection),
 * that the victim logged a warning or an error giving the case's reason,
 * then that a second backend in the same process still works, and that no
 * fd, guest mapping or inflight mapping outlived the bed.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "vu_test_bed.h"
#include "vu_test_log.h"

/* Everything the engine can negotiate, so every handler is reachable. */
#define ALL_PF (RTE_BIT64(VU_PF_MQ) | RTE_BIT64(VU_PF_LOG_SHMFD) | \
		RTE_BIT64(VU_PF_INFLIGHT_SHMFD) | RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS) | \
		RTE_BIT64(VU_PF_STATUS) | RTE_BIT64(VU_PF_RESET_DEVICE))

/* Outcomes. */
static bool
failed(int ret)
{
	return ret == 1;	/* the backend acked a failure; the connection stays */
}

static bool
closed(struct bed *t, int ret)
{
	unsigned int i;

	if (ret == 0 || ret == 1) {
		/* A request without a reply: the close shows on our next read. */
		struct pollfd p = { .fd = t->fe.sock, .events = POLLIN };
		char c;

		if (poll(&p, 1, 2000) != 1 || recv(t->fe.sock, &c, 1, MSG_DONTWAIT) != 0)
			return false;
	}
	for (i = 0; i < 500 && vu_backend_connected(t->b); i++)
		usleep(2000);
	return !vu_backend_connected(t->b);
}

/* Send raw bytes (and fds) exactly as given: no validation on our side. */
static int
raw(struct bed *t, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	char control[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

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
	return sendmsg(t->fe.sock, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
}

/* A reply-less request with NEED_REPLY, as raw bytes, and its ack. */
static int
raw_acked(struct bed *t, uint32_t req, const void *payload, uint32_t size,
	  const int *fds, unsigned int nfds)
{
	struct { struct vu_msg_hdr h; uint8_t p[512]; } __rte_packed m = {
		{ req, VU_PROTO_VERSION | VU_FLAG_NEED_REPLY, size } };
	struct pollfd p = { .fd = t->fe.sock, .events = POLLIN };
	struct { struct vu_msg_hdr h; uint64_t v; } __rte_packed ack;

	if (size > 0)
		memcpy(m.p, payload, RTE_MIN(size, (uint32_t)sizeof(m.p)));
	if (raw(t, &m, sizeof(m.h) + RTE_MIN(size, (uint32_t)sizeof(m.p)), fds, nfds) < 0)
		return -EPIPE;
	if (poll(&p, 1, 2000) != 1)
		return -ETIMEDOUT;
	if (recv(t->fe.sock, &ack, sizeof(ack), MSG_WAITALL) != (ssize_t)sizeof(ack))
		return -ECONNRESET;
	return ack.v != 0 ? 1 : 0;
}

static int
mem_table(struct bed *t, const struct vu_mem_region *r, uint32_t n, const int *fds)
{
	struct vu_mem_regions m = { .nregions = n };

	memcpy(m.regions, r, n * sizeof(*r));
	return fe_call(&t->fe, VU_REQ_SET_MEM_TABLE, &m, 8 + n * sizeof(*r), fds, n);
}

static int
one_region(struct bed *t, uint64_t gpa, uint64_t size, uint64_t uaddr, uint64_t off)
{
	struct vu_mem_region r = { gpa, size, uaddr, off };

	return mem_table(t, &r, 1, &t->g.fd);
}

static int
ring_addr(struct bed *t, uint32_t index, uint64_t desc, uint64_t avail, uint64_t used)
{
	struct vu_vring_addr a = { .index = index, .desc = desc, .avail = avail, .used = used };

	return fe_call(&t->fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
}

static int
memory_and_size(struct bed *t)
{
	return fe_set_mem_table(&t->fe, &t->g) == 0 &&
	       fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 16) == 0 ? 0 : -1;
}

/*
 * Run one hostile sequence: a victim bed and a bystander bed; afterwards
 * the bystander negotiates and starts a ring, and nothing leaked.
 */
static void
run(bool (*hostile)(struct bed *t), const char *reason)
{
	int fds0 = vu_test_count_fds();
	int maps0 = vu_test_count_maps("memfd:test-guest");
	int inflight0 = vu_test_count_maps("vu-inflight");
	struct bed t, other;
	char victim[64];
	bool logged;

	CHECK(bed_up(&t, ALL_PF));
	CHECK(bed_up(&other, 0));
	CHECK(negotiate(&t, false));
	snprintf(victim, sizeof(victim), "(%s)", vu_backend_name(t.b));
	CHECK(vu_test_log_begin(RTE_LOG_WARNING));
	if (!hostile(&t)) {
		printf("# the outcome was not the expected one; the backend logged:\n");
		vu_test_log_dump();
		CHECK(false);
	}
	logged = vu_test_log_has(victim, reason);
	CHECK(negotiate(&other, false));
	CHECK(activate(&other, 1, 0));
	CHECK(stop_rings(&other, 1, 0));
	close(t.fe.sock);
	close(other.fe.sock);
	vu_backend_destroy(t.b);
	vu_backend_destroy(other.b);
	guest_destroy(&t.g);
	guest_destroy(&other.g);
	vu_fdman_shutdown();
	vu_test_log_end();
	CHECK(logged);
	CHECK_EQ(vu_test_count_fds(), fds0);
	CHECK_EQ(vu_test_count_maps("memfd:test-guest"), maps0);
	CHECK_EQ(vu_test_count_maps("vu-inflight"), inflight0);
}

/* A case and the reason its victim must log (a part of one line). */
#define HOSTILE(name, reason) \
	static bool h_ ## name(struct bed *t); \
	static void name(void) { run(h_ ## name, reason); } \
	static bool h_ ## name(struct bed *t)

/* ---- framing ---- */

HOSTILE(truncated_header_then_eof, "connection closed inside a message header")
{
	struct vu_msg_hdr h = { VU_REQ_SET_OWNER, VU_PROTO_VERSION, 0 };

	raw(t, &h, 6, NULL, 0);
	shutdown(t->fe.sock, SHUT_WR);
	return closed(t, -1);
}

HOSTILE(truncated_payload_then_eof, "SET_FEATURES: connection closed inside the payload")
{
	struct { struct vu_msg_hdr h; uint32_t half; } __rte_packed m = {
		{ VU_REQ_SET_FEATURES, VU_PROTO_VERSION, 8 }, 0 };

	raw(t, &m, sizeof(m), NULL, 0);
	shutdown(t->fe.sock, SHUT_WR);
	return closed(t, -1);
}

HOSTILE(oversize_payload, "SET_CONFIG: payload size 1048576 above its maximum")
{
	struct vu_msg_hdr h = { VU_REQ_SET_CONFIG, VU_PROTO_VERSION, 1u << 20 };

	raw(t, &h, sizeof(h), NULL, 0);
	return closed(t, -1);
}

HOSTILE(mismatched_size_for_fixed_payload, "SET_VRING_NUM: payload size 4 does not match")
{
	uint32_t v = 16;	/* SET_VRING_NUM carries 8 bytes */

	return failed(raw_acked(t, VU_REQ_SET_VRING_NUM, &v, sizeof(v), NULL, 0));
}

HOSTILE(unknown_request, "unknown request 99")
{
	return failed(raw_acked(t, 99, NULL, 0, NULL, 0));
}

HOSTILE(request_zero, "unknown request 0")
{
	return failed(raw_acked(t, 0, NULL, 0, NULL, 0));
}

HOSTILE(bad_version, "protocol version 2, expected 1")
{
	struct vu_msg_hdr h = { VU_REQ_SET_OWNER, 2, 0 };

	raw(t, &h, sizeof(h), NULL, 0);
	return closed(t, -1);
}

HOSTILE(fd_where_none_belongs, "SET_STATUS: 1 fds is not what this message carries")
{
	int efd = eventfd(0, EFD_CLOEXEC), ret;

	ret = raw_acked(t, VU_REQ_SET_STATUS, &(uint64_t){ 1 }, 8, &efd, 1);
	close(efd);
	return failed(ret);
}

HOSTILE(too_many_fds, "SET_MEM_TABLE: more than 8 fds")
{
	struct vu_mem_regions m = { .nregions = 1 };
	int fds[12], i, ret;

	m.regions[0] = (struct vu_mem_region){ 0, t->g.size, t->g.vmm_base, 0 };
	for (i = 0; i < 12; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	ret = raw_acked(t, VU_REQ_SET_MEM_TABLE, &m, 8 + sizeof(m.regions[0]), fds, 12);
	for (i = 0; i < 12; i++)
		close(fds[i]);
	return failed(ret);	/* consumed whole, fds closed: the stream is in step */
}

/* ---- memory regions ---- */

HOSTILE(region_size_zero, "memory_size is 0")
{
	return failed(one_region(t, 0, 0, t->g.vmm_base, 0));
}

HOSTILE(region_gpa_overflow, "guest_phys_addr 0xffffffffffffefff + memory_size 0x400000 wraps")
{
	return failed(one_region(t, UINT64_MAX - 0x1000, t->g.size, t->g.vmm_base, 0));
}

HOSTILE(region_uaddr_overflow, "userspace_addr 0xffffffffffffefff + memory_size 0x400000 wraps")
{
	return failed(one_region(t, 0, t->g.size, UINT64_MAX - 0x1000, 0));
}

HOSTILE(region_offset_overflow, "mmap_offset 0xfffffffffffff000 + memory_size 0x400000 wraps")
{
	return failed(one_region(t, 0, t->g.size, t->g.vmm_base, UINT64_MAX - 0xfff));
}

HOSTILE(region_larger_than_fd, "reaches past the end of its fd")
{
	return failed(one_region(t, 0, t->g.size * 2, t->g.vmm_base, 0));
}

HOSTILE(regions_overlap_in_gpa, "in guest_phys_addr space")
{
	struct vu_mem_region r[2] = {
		{ 0, 0x200000, t->g.vmm_base, 0 },
		{ 0x100000, 0x200000, t->g.vmm_base + 0x400000, 0 } };
	int fds[2] = { t->g.fd, t->g.fd };

	return failed(mem_table(t, r, 2, fds));
}

HOSTILE(regions_overlap_in_vmm_va, "in userspace_addr space")
{
	struct vu_mem_region r[2] = {
		{ 0, 0x200000, t->g.vmm_base, 0 },
		{ 0x400000, 0x200000, t->g.vmm_base + 0x100000, 0 } };
	int fds[2] = { t->g.fd, t->g.fd };

	return failed(mem_table(t, r, 2, fds));
}

HOSTILE(more_regions_than_set_mem_table_allows, "SET_MEM_TABLE: payload size 296 above its maximum")
{
	struct { struct vu_msg_hdr h; uint32_t n, pad; struct vu_mem_region r[9]; } __rte_packed m = {
		{ VU_REQ_SET_MEM_TABLE, VU_PROTO_VERSION | VU_FLAG_NEED_REPLY, 8 + 9 * 32 }, 9, 0, { { 0 } } };
	int fds[9], i;

	for (i = 0; i < 9; i++) {
		m.r[i] = (struct vu_mem_region){ i * 0x1000ull, 0x1000, t->g.vmm_base + i * 0x1000ull, 0 };
		fds[i] = t->g.fd;
	}
	raw(t, &m, sizeof(m), fds, 8);
	/* 296 bytes is above SET_MEM_TABLE's largest payload: the size is not
	 * trusted to skip the body, so the stream is out of step and closed. */
	return closed(t, -1);
}

HOSTILE(remove_unknown_region, "REM_MEM_REG: no memory table")
{
	struct vu_mem_region_msg r = { .region = { 0x10000000, 0x1000, 0x1000, 0 } };

	return failed(fe_call(&t->fe, VU_REQ_REM_MEM_REG, &r, sizeof(r), NULL, 0));
}

HOSTILE(add_region_overlapping, "in guest_phys_addr space")
{
	struct vu_mem_region_msg r = { .region = { 0, 0x100000, t->g.vmm_base, 0 } };

	if (fe_call(&t->fe, VU_REQ_ADD_MEM_REG, &r, sizeof(r), &t->g.fd, 1) != 0)
		return false;
	r.region.guest_phys_addr = 0x80000;
	r.region.userspace_addr = t->g.vmm_base + 0x200000;
	return failed(fe_call(&t->fe, VU_REQ_ADD_MEM_REG, &r, sizeof(r), &t->g.fd, 1));
}

/* ---- ring index out of range, in every ring request ---- */

HOSTILE(index_out_of_range_set_vring_num, "SET_VRING_NUM: ring index 16 out of range")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_NUM, FAKE_QUEUES, 16));
}

HOSTILE(index_out_of_range_set_vring_addr, "SET_VRING_ADDR: ring index 16 out of range")
{
	return failed(ring_addr(t, FAKE_QUEUES, t->g.vmm_base, t->g.vmm_base + 0x1000,
				t->g.vmm_base + 0x2000));
}

HOSTILE(index_out_of_range_set_vring_base, "SET_VRING_BASE: ring index 1000 out of range")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_BASE, 1000, 0));
}

HOSTILE(index_out_of_range_get_vring_base, "GET_VRING_BASE: ring index 16 out of range")
{
	/* Always replies, no failure encoding: the connection goes. */
	return closed(t, fe_state(&t->fe, VU_REQ_GET_VRING_BASE, FAKE_QUEUES, 0));
}

HOSTILE(index_out_of_range_set_vring_kick, "SET_VRING_KICK: ring index 16 out of range")
{
	return failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, FAKE_QUEUES));
}

HOSTILE(index_out_of_range_set_vring_call, "SET_VRING_CALL: ring index 255 out of range")
{
	return failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_CALL, 0xff));
}

HOSTILE(index_out_of_range_set_vring_err, "SET_VRING_ERR: ring index 16 out of range")
{
	return failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_ERR, FAKE_QUEUES));
}

HOSTILE(index_out_of_range_set_vring_enable, "SET_VRING_ENABLE: ring index 4294967295 out of range")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_ENABLE, UINT32_MAX, 1));
}

HOSTILE(index_out_of_range_vring_kick, "VRING_KICK: ring index 16 out of range")
{
	/* In-band kick (VRING_KICK): refused whatever the index, never used as one. */
	return failed(fe_state(&t->fe, VU_REQ_VRING_KICK, FAKE_QUEUES, 0));
}

HOSTILE(index_out_of_range_set_vring_endian, "SET_VRING_ENDIAN is not supported")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_ENDIAN, UINT32_MAX, 0));
}

/* ---- ring geometry ---- */

HOSTILE(ring_size_zero, "ring 0 size 0 is not a power of 2")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 0));
}

HOSTILE(ring_size_not_power_of_2, "ring 0 size 1000 is not a power of 2")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 1000));
}

HOSTILE(ring_size_above_32768, "ring 0 size 65536 is not a power of 2")
{
	return failed(fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 65536));
}

HOSTILE(desc_misaligned, "descriptor table address 0x7f0000000008 not 16-byte aligned")
{
	uint64_t b = t->g.vmm_base;

	return memory_and_size(t) == 0 && failed(ring_addr(t, 0, b + 8, b + 0x1000, b + 0x2000));
}

HOSTILE(avail_misaligned, "available ring address 0x7f0000001001 not 2-byte aligned")
{
	uint64_t b = t->g.vmm_base;

	return memory_and_size(t) == 0 && failed(ring_addr(t, 0, b, b + 0x1001, b + 0x2000));
}

HOSTILE(used_misaligned, "used ring address 0x7f0000002002 not 4-byte aligned")
{
	uint64_t b = t->g.vmm_base;

	return memory_and_size(t) == 0 && failed(ring_addr(t, 0, b, b + 0x1000, b + 0x2002));
}

HOSTILE(ring_outside_memory, "used ring area 0x7f00003ffff8+134 is not inside guest memory")
{
	uint64_t b = t->g.vmm_base;

	return memory_and_size(t) == 0 &&
	       failed(ring_addr(t, 0, b, b + 0x1000, b + t->g.size - 8)); /* used runs off */
}

/* ---- order ---- */

HOSTILE(addr_before_memory_table,
	"descriptor table area 0x7f0000000000+256 is not inside guest memory")
{
	uint64_t b = t->g.vmm_base;

	return fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 16) == 0 &&
	       failed(ring_addr(t, 0, b, b + 0x1000, b + 0x2000));
}

HOSTILE(kick_before_addr, "SET_VRING_KICK: ring 0 has no ring addresses yet")
{
	return memory_and_size(t) == 0 && failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, 0));
}

HOSTILE(kick_without_fd_or_nofd, "SET_VRING_KICK: 0 fds is not what this message carries")
{
	uint64_t v = 0;	/* no VU_VRING_NOFD, and no fd attached */

	return failed(raw_acked(t, VU_REQ_SET_VRING_KICK, &v, sizeof(v), NULL, 0));
}

HOSTILE(inflight_set_first_too_small, "SET_INFLIGHT_FD: size 64 at offset 0 (need 640")
{
	struct vu_inflight in = { .mmap_size = 64, .num_queues = 2, .queue_size = 16 };

	return failed(fe_call(&t->fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &t->g.fd, 1));
}

HOSTILE(inflight_queue_size_not_power_of_2, "SET_INFLIGHT_FD: 2 queues of 100 descriptors")
{
	struct vu_inflight in = { .mmap_size = 1 << 20, .num_queues = 2, .queue_size = 100 };

	return failed(fe_call(&t->fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &t->g.fd, 1));
}

/* A valid region from GET_INFLIGHT_FD, its geometry in *in, its fd returned. */
static int
inflight_region(struct bed *t, struct vu_inflight *in)
{
	*in = (struct vu_inflight){ .num_queues = 2, .queue_size = 16 };
	if (fe_call(&t->fe, VU_REQ_GET_INFLIGHT_FD, in, sizeof(*in), NULL, 0) != 0 ||
	    t->fe.reply.nfds != 1)
		return -1;
	*in = t->fe.reply.payload.inflight;
	return t->fe.reply.fds[0];
}

/* A running ring writes into the region it started with: replacing it (and
 * unmapping the old one) under the ring is refused, and the ring's area
 * stays mapped. */
HOSTILE(inflight_replaced_while_ring_runs, "SET_INFLIGHT_FD while rings run")
{
	struct vu_inflight in;
	volatile uint8_t *area;
	int fd = inflight_region(t, &in);
	bool ok;

	if (fd < 0 || !activate(t, 1, 0))
		return false;
	area = fake.ring[0].inflight;
	ok = area != NULL &&
	     failed(fe_call(&t->fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1));
	if (ok)
		area[0] = area[0];	/* still mapped: SIGSEGV here before the fix */
	close(fd);
	return ok;
}

HOSTILE(inflight_get_while_ring_runs, "GET_INFLIGHT_FD while rings run")
{
	struct vu_inflight in = { .num_queues = 2, .queue_size = 16 };

	if (!activate(t, 1, 0))
		return false;
	/* GET_INFLIGHT_FD has no failure encoding: the connection closes. */
	return closed(t, fe_call(&t->fe, VU_REQ_GET_INFLIGHT_FD, &in, sizeof(in), NULL, 0));
}

HOSTILE(inflight_without_the_feature, "GET_INFLIGHT_FD without INFLIGHT_SHMFD negotiated")
{
	struct vu_inflight in;
	int fd = inflight_region(t, &in);
	bool ok;

	if (fd < 0 || fe_u64(&t->fe, VU_REQ_SET_PROTOCOL_FEATURES,
			     RTE_BIT64(VU_PF_REPLY_ACK)) != 0)
		return false;
	ok = failed(fe_call(&t->fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1));
	close(fd);
	return ok && closed(t, fe_call(&t->fe, VU_REQ_GET_INFLIGHT_FD, &in, sizeof(in),
				      NULL, 0));
}

HOSTILE(memory_replaced_between_addr_and_kick,
	"descriptor table area 0x7f0000100000+256 is not inside guest memory")
{
	uint64_t b = t->g.vmm_base;

	/* Found by fuzz_backend: the ring's areas were translated at ADDR time
	 * into a mapping that a new table then unmapped. KICK must check the
	 * ring against the memory it starts on. */
	return memory_and_size(t) == 0 &&
	       ring_addr(t, 0, b + 0x100000, b + 0x101000, b + 0x102000) == 0 &&
	       one_region(t, 0, 0x10000, b, 0) == 0 &&	/* now the ring is outside */
	       failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, 0));
}

HOSTILE(region_removed_between_addr_and_kick, "SET_VRING_KICK failed: Bad address")
{
	struct vu_mem_region_msg r = { .region = { 0, 0x100000, t->g.vmm_base, 0 } };
	uint64_t b = t->g.vmm_base;

	return fe_call(&t->fe, VU_REQ_ADD_MEM_REG, &r, sizeof(r), &t->g.fd, 1) == 0 &&
	       fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 16) == 0 &&
	       ring_addr(t, 0, b, b + 0x1000, b + 0x2000) == 0 &&
	       fe_call(&t->fe, VU_REQ_REM_MEM_REG, &r, sizeof(r), NULL, 0) == 0 &&
	       failed(fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, 0));
}

/* ---- negotiation ---- */

HOSTILE(second_owner, "SET_OWNER: already owned")
{
	return failed(fe_call(&t->fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0));
}

HOSTILE(feature_never_offered, "SET_FEATURES: bits 0x8000000000000000 were never offered")
{
	return failed(fe_u64(&t->fe, VU_REQ_SET_FEATURES, RTE_BIT64(VU_F_PROTOCOL_FEATURES) |
			     RTE_BIT64(63)));
}

HOSTILE(unknown_protocol_feature, "SET_PROTOCOL_FEATURES: unknown bits 0x4000000000000")
{
	return failed(fe_u64(&t->fe, VU_REQ_SET_PROTOCOL_FEATURES, RTE_BIT64(VU_PF_REPLY_ACK) |
			     RTE_BIT64(50)));
}

HOSTILE(backend_channel_not_negotiated, "SET_BACKEND_REQ_FD without BACKEND_REQ negotiated")
{
	int sv[2], ret;

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	ret = fe_call(&t->fe, VU_REQ_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1);
	close(sv[0]);
	close(sv[1]);
	return failed(ret);
}

HOSTILE(config_window_beyond_256, "GET_CONFIG: payload size 68 does not match")
{
	struct vu_config c = { .offset = 200, .size = 100 };

	/* GET_CONFIG always replies; a malformed window closes. */
	return closed(t, fe_call(&t->fe, VU_REQ_GET_CONFIG, &c, 12 + 56, NULL, 0));
}

HOSTILE(status_wider_than_8_bits, "SET_STATUS: 0x1ff is wider than 8 bits")
{
	return failed(fe_u64(&t->fe, VU_REQ_SET_STATUS, 0x1ff));
}

HOSTILE(log_base_larger_than_fd,
	"log: mmap_offset 0x0 + mmap_size 0x401000 reaches past the end of its fd")
{
	struct vu_log l = { .mmap_size = t->g.size + 4096, .mmap_offset = 0 };

	return fe_call(&t->fe, VU_REQ_SET_LOG_BASE, &l, sizeof(l), &t->g.fd, 1) == 0 &&
	       t->fe.reply.payload.u64 != 0;
}

HOSTILE(device_state_while_running, "SET_DEVICE_STATE_FD: rings are still running")
{
	struct vu_device_state ds = { VU_DEVICE_STATE_SAVE, VU_DEVICE_STATE_PHASE_STOPPED };
	int p[2];
	bool ok;

	if (!activate(t, 1, 0) || pipe2(p, O_CLOEXEC) != 0)
		return false;
	ok = fe_call(&t->fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[1], 1) == 0 &&
	     t->fe.reply.payload.u64 != 0;
	close(p[0]);
	close(p[1]);
	return ok;
}

HOSTILE(mtu_out_of_range, "NET_SET_MTU failed: Operation not supported")
{
	return failed(fe_u64(&t->fe, VU_REQ_NET_SET_MTU, 10));	/* no set_mtu op either */
}

VU_TEST_MAIN(
	VU_TEST_CASE(truncated_header_then_eof),
	VU_TEST_CASE(truncated_payload_then_eof),
	VU_TEST_CASE(oversize_payload),
	VU_TEST_CASE(mismatched_size_for_fixed_payload),
	VU_TEST_CASE(unknown_request),
	VU_TEST_CASE(request_zero),
	VU_TEST_CASE(bad_version),
	VU_TEST_CASE(fd_where_none_belongs),
	VU_TEST_CASE(too_many_fds),
	VU_TEST_CASE(region_size_zero),
	VU_TEST_CASE(region_gpa_overflow),
	VU_TEST_CASE(region_uaddr_overflow),
	VU_TEST_CASE(region_offset_overflow),
	VU_TEST_CASE(region_larger_than_fd),
	VU_TEST_CASE(regions_overlap_in_gpa),
	VU_TEST_CASE(regions_overlap_in_vmm_va),
	VU_TEST_CASE(more_regions_than_set_mem_table_allows),
	VU_TEST_CASE(remove_unknown_region),
	VU_TEST_CASE(add_region_overlapping),
	VU_TEST_CASE(index_out_of_range_set_vring_num),
	VU_TEST_CASE(index_out_of_range_set_vring_addr),
	VU_TEST_CASE(index_out_of_range_set_vring_base),
	VU_TEST_CASE(index_out_of_range_get_vring_base),
	VU_TEST_CASE(index_out_of_range_set_vring_kick),
	VU_TEST_CASE(index_out_of_range_set_vring_call),
	VU_TEST_CASE(index_out_of_range_set_vring_err),
	VU_TEST_CASE(index_out_of_range_set_vring_enable),
	VU_TEST_CASE(index_out_of_range_vring_kick),
	VU_TEST_CASE(index_out_of_range_set_vring_endian),
	VU_TEST_CASE(ring_size_zero),
	VU_TEST_CASE(ring_size_not_power_of_2),
	VU_TEST_CASE(ring_size_above_32768),
	VU_TEST_CASE(desc_misaligned),
	VU_TEST_CASE(avail_misaligned),
	VU_TEST_CASE(used_misaligned),
	VU_TEST_CASE(ring_outside_memory),
	VU_TEST_CASE(addr_before_memory_table),
	VU_TEST_CASE(kick_before_addr),
	VU_TEST_CASE(kick_without_fd_or_nofd),
	VU_TEST_CASE(inflight_set_first_too_small),
	VU_TEST_CASE(inflight_queue_size_not_power_of_2),
	VU_TEST_CASE(inflight_replaced_while_ring_runs),
	VU_TEST_CASE(inflight_get_while_ring_runs),
	VU_TEST_CASE(inflight_without_the_feature),
	VU_TEST_CASE(memory_replaced_between_addr_and_kick),
	VU_TEST_CASE(region_removed_between_addr_and_kick),
	VU_TEST_CASE(second_owner),
	VU_TEST_CASE(feature_never_offered),
	VU_TEST_CASE(unknown_protocol_feature),
	VU_TEST_CASE(backend_channel_not_negotiated),
	VU_TEST_CASE(config_window_beyond_256),
	VU_TEST_CASE(status_wider_than_8_bits),
	VU_TEST_CASE(log_base_larger_than_fd),
	VU_TEST_CASE(device_state_while_running),
	VU_TEST_CASE(mtu_out_of_range),
)
