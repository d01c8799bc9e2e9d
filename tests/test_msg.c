/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user messages over a real socketpair with real fds: a round trip of
 * every request and reply in the table, and every kind of malformed input
 * rejected with its own error and no fd leaked.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "vu_msg.h"
#include "vu_test.h"

static void
make_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		perror("socketpair");
		exit(2);
	}
}

static void
close_pair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* Send raw bytes with optional fds, bypassing every check of vu_msg_send(). */
static void
raw_send(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	char control[CMSG_SPACE(64 * sizeof(int))];
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
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("sendmsg");
		exit(2);
	}
}

static int
new_memfd(void)
{
	int fd = memfd_create("vu-test", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, 4096) != 0)
		exit(2);
	return fd;
}

/* Two fds name the same file. */
static bool
same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A valid payload for @p info's request or reply, with the fds it needs. */
static void
build_valid(struct vu_msg *m, enum vu_msg_kind kind, uint32_t req)
{
	const struct vu_msg_info *info = vu_msg_info(kind, req);
	bool reply = kind == VU_MSG_FRONTEND_REPLY || kind == VU_MSG_BACKEND_REPLY;
	uint16_t size = reply ? (info->reply == VU_REPLY_ALWAYS ? info->reply_max : 8)
			      : info->max_size;
	uint8_t fds = reply ? (info->reply == VU_REPLY_ALWAYS ? info->reply_fds : VU_FDS_NONE)
			    : info->fds;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->hdr.request = req;
	m->hdr.flags = VU_PROTO_VERSION | (reply ? VU_FLAG_REPLY : 0);
	m->hdr.size = size;
	for (i = 0; i < size; i++)
		((uint8_t *)&m->payload)[i] = (uint8_t)(i * 7 + req);
	if (size == sizeof(struct vu_mem_regions) && req == VU_REQ_SET_MEM_TABLE && !reply)
		m->payload.mem.nregions = VU_MEM_TABLE_MAX_REGIONS;
	if (size == sizeof(struct vu_config)) {
		m->payload.config.offset = 0;
		m->payload.config.size = VU_CONFIG_SPACE_MAX;
	}
	switch (fds) {
	case VU_FDS_ONE:
	case VU_FDS_OPTIONAL:
		m->fds[m->nfds++] = new_memfd();
		break;
	case VU_FDS_VRING:
		m->payload.u64 = 3; /* ring 3, with an fd */
		m->fds[m->nfds++] = eventfd(0, EFD_CLOEXEC);
		break;
	case VU_FDS_REGIONS:
		for (i = 0; i < m->payload.mem.nregions; i++)
			m->fds[m->nfds++] = new_memfd();
		break;
	}
}

/* Send a valid message of every known request (or reply) and read it back. */
static bool
roundtrip_all(enum vu_msg_kind kind, uint32_t max_req)
{
	int sv[2], before = vu_test_count_fds();
	uint32_t req;

	make_pair(sv);
	for (req = 1; req < max_req; req++) {
		struct vu_msg out, in;
		unsigned int i;
		int ret;

		build_valid(&out, kind, req);
		if (vu_msg_send(sv[0], &out) != 0)
			return false;
		ret = vu_msg_recv(sv[1], kind, &in, "roundtrip");
		if (ret != 0) {
			printf("# %s: recv returned %d\n", vu_msg_name(kind, req), ret);
			return false;
		}
		if (memcmp(&in.hdr, &out.hdr, sizeof(in.hdr)) != 0 ||
		    memcmp(&in.payload, &out.payload, out.hdr.size) != 0 || in.nfds != out.nfds) {
			printf("# %s: message changed on the way\n", vu_msg_name(kind, req));
			return false;
		}
		for (i = 0; i < in.nfds; i++)
			if (!same_file(in.fds[i], out.fds[i]) || in.fds[i] == out.fds[i])
				return false;
		vu_msg_close_fds(&in);
		vu_msg_close_fds(&out);
	}
	close_pair(sv);
	return vu_test_count_fds() == before;
}

static void
roundtrip_frontend_requests(void)
{
	CHECK(roundtrip_all(VU_MSG_FRONTEND_REQ, VU_REQ_MAX));
}

static void
roundtrip_frontend_replies(void)
{
	CHECK(roundtrip_all(VU_MSG_FRONTEND_REPLY, VU_REQ_MAX));
}

static void
roundtrip_backend_requests(void)
{
	CHECK(roundtrip_all(VU_MSG_BACKEND_REQ, VU_BREQ_MAX));
}

static void
roundtrip_backend_replies(void)
{
	CHECK(roundtrip_all(VU_MSG_BACKEND_REPLY, VU_BREQ_MAX));
}

/* The table covers every number the specification defines, and names them. */
static void
table_is_complete(void)
{
	uint32_t r;

	for (r = 1; r < VU_REQ_MAX; r++)
		CHECK(vu_msg_info(VU_MSG_FRONTEND_REQ, r) != NULL);
	for (r = 1; r < VU_BREQ_MAX; r++)
		CHECK(vu_msg_info(VU_MSG_BACKEND_REQ, r) != NULL);
	CHECK_EQ(VU_REQ_MAX, 45);
	CHECK_EQ(VU_BREQ_MAX, 11);
	CHECK_EQ(VU_PF_COUNT, 21);
	CHECK_EQ(VU_PF_SHMEM, 20);
	CHECK(strcmp(vu_msg_name(VU_MSG_FRONTEND_REQ, 44), "GET_SHMEM_CONFIG") == 0);
	CHECK(strcmp(vu_msg_name(VU_MSG_FRONTEND_REQ, VU_REQ_SET_VRING_KICK), "SET_VRING_KICK") == 0);
	CHECK(strcmp(vu_msg_name(VU_MSG_BACKEND_REQ, 9), "SHMEM_MAP") == 0);
	CHECK(strcmp(vu_msg_name(VU_MSG_FRONTEND_REQ, 0), "UNKNOWN") == 0);
	CHECK(strcmp(vu_msg_name(VU_MSG_FRONTEND_REQ, 45), "UNKNOWN") == 0);
	CHECK(strcmp(vu_msg_name(VU_MSG_BACKEND_REQ, 0xFFFFFFFF), "UNKNOWN") == 0);
}

/* Send @p len raw bytes (+fds), close the writer, and return vu_msg_recv()'s result. */
static int
recv_raw(const void *buf, size_t len, const int *fds, unsigned int nfds, bool close_writer)
{
	struct vu_msg m;
	int sv[2], ret;

	make_pair(sv);
	if (len > 0)
		raw_send(sv[0], buf, len, fds, nfds);
	if (close_writer)
		close(sv[0]);
	ret = vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &m, "malformed");
	if (ret == 0)
		vu_msg_close_fds(&m);
	if (!close_writer)
		close(sv[0]);
	close(sv[1]);
	return ret;
}

static void
orderly_close_between_messages(void)
{
	CHECK_EQ(recv_raw(NULL, 0, NULL, 0, true), -ENOTCONN);
}

static void
truncated_header_then_eof(void)
{
	struct vu_msg_hdr h = { VU_REQ_GET_FEATURES, VU_PROTO_VERSION, 0 };
	int before = vu_test_count_fds();

	CHECK_EQ(recv_raw(&h, 5, NULL, 0, true), -ECONNRESET);
	CHECK_EQ(vu_test_count_fds(), before);
}

static void
half_payload_then_eof(void)
{
	struct { struct vu_msg_hdr h; struct vu_vring_addr a; } __rte_packed m = {
		{ VU_REQ_SET_VRING_ADDR, VU_PROTO_VERSION, sizeof(struct vu_vring_addr) }, { 0 } };
	int fd = new_memfd(), before = vu_test_count_fds();

	/* An fd rides along too: it must be closed on the error path. */
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + sizeof(m.a) / 2, &fd, 1, true), -ECONNRESET);
	CHECK_EQ(vu_test_count_fds(), before);
}

static void
size_all_ones_rejected_before_payload(void)
{
	struct vu_msg_hdr h = { VU_REQ_SET_MEM_TABLE, VU_PROTO_VERSION, 0xFFFFFFFF };
	int fd = new_memfd(), before = vu_test_count_fds();

	CHECK_EQ(recv_raw(&h, sizeof(h), &fd, 1, false), -EMSGSIZE);
	CHECK_EQ(vu_test_count_fds(), before);
	CHECK(vu_msg_err_is_fatal(-EMSGSIZE));
}

static void
wrong_size_for_fixed_request(void)
{
	struct { struct vu_msg_hdr h; uint64_t v[2]; } __rte_packed m = {
		{ VU_REQ_SET_FEATURES, VU_PROTO_VERSION, 4 }, { 0, 0 } };

	CHECK_EQ(recv_raw(&m, sizeof(m.h) + 4, NULL, 0, false), -EBADMSG);
	m.h.request = VU_REQ_GET_FEATURES; /* takes no payload */
	m.h.size = 8;
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + 8, NULL, 0, false), -EMSGSIZE);
	m.h.request = VU_REQ_SET_VRING_NUM; /* 8 bytes, sent 4 */
	m.h.size = 4;
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + 4, NULL, 0, false), -EBADMSG);
	CHECK(!vu_msg_err_is_fatal(-EBADMSG));
}

static void
bad_version(void)
{
	struct vu_msg_hdr h = { VU_REQ_GET_FEATURES, 0, 0 };
	uint32_t v;

	for (v = 0; v < 4; v++) {
		if (v == VU_PROTO_VERSION)
			continue;
		h.flags = v;
		CHECK_EQ(recv_raw(&h, sizeof(h), NULL, 0, false), -EPROTO);
	}
}

static void
unknown_requests_consumed(void)
{
	static const uint32_t unknown[] = { 0, 45, 9999, 0xFFFFFFFF };
	struct { struct vu_msg_hdr h; uint64_t v; } __rte_packed m;
	struct vu_msg_hdr next = { VU_REQ_GET_QUEUE_NUM, VU_PROTO_VERSION, 0 };
	struct vu_msg in;
	unsigned int i;
	int sv[2];

	make_pair(sv);
	for (i = 0; i < RTE_DIM(unknown); i++) {
		m.h = (struct vu_msg_hdr){ unknown[i], VU_PROTO_VERSION, sizeof(m.v) };
		m.v = 42;
		raw_send(sv[0], &m, sizeof(m), NULL, 0);
		raw_send(sv[0], &next, sizeof(next), NULL, 0);
		CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "unknown"), -EOPNOTSUPP);
		CHECK_EQ(in.hdr.request, unknown[i]);
		/* The stream stays in step: the next message reads fine. */
		CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "unknown"), 0);
		CHECK_EQ(in.hdr.request, VU_REQ_GET_QUEUE_NUM);
	}
	close_pair(sv);
}

static void
unknown_request_too_large_is_fatal(void)
{
	struct vu_msg_hdr h = { 9999, VU_PROTO_VERSION, 1u << 20 };

	CHECK_EQ(recv_raw(&h, sizeof(h), NULL, 0, false), -EMSGSIZE);
}

static void
fds_on_request_without_fds_1000_times(void)
{
	struct vu_msg_hdr h = { VU_REQ_GET_FEATURES, VU_PROTO_VERSION, 0 };
	int sv[2], fd = new_memfd(), before, i;
	struct vu_msg in;

	make_pair(sv);
	before = vu_test_count_fds();
	for (i = 0; i < 1000; i++) {
		raw_send(sv[0], &h, sizeof(h), &fd, 1);
		CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "fds"), -EBADF);
		CHECK_EQ(in.nfds, 0);
	}
	CHECK_EQ(vu_test_count_fds(), before);
	close_pair(sv);
}

static void
twenty_fds_in_one_message(void)
{
	struct { struct vu_msg_hdr h; uint64_t v; } __rte_packed m = {
		{ VU_REQ_SET_VRING_KICK, VU_PROTO_VERSION, 8 }, 0 };
	struct vu_msg_hdr next = { VU_REQ_GET_FEATURES, VU_PROTO_VERSION, 0 };
	int fds[20], sv[2], before, i;
	struct vu_msg in;

	make_pair(sv);
	for (i = 0; i < 20; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	before = vu_test_count_fds();
	raw_send(sv[0], &m, sizeof(m), fds, 20);
	raw_send(sv[0], &next, sizeof(next), NULL, 0);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "fds"), -ETOOMANYREFS);
	CHECK_EQ(vu_test_count_fds(), before);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "fds"), 0);
	CHECK_EQ(in.hdr.request, VU_REQ_GET_FEATURES);
	close_pair(sv);
}

static void
vring_fd_must_match_nofd_bit(void)
{
	struct { struct vu_msg_hdr h; uint64_t v; } __rte_packed m = {
		{ VU_REQ_SET_VRING_CALL, VU_PROTO_VERSION, 8 }, 0 };
	int efd = eventfd(0, EFD_CLOEXEC), before = vu_test_count_fds();

	CHECK_EQ(recv_raw(&m, sizeof(m), NULL, 0, false), -EBADF);     /* fd missing */
	m.v = VU_VRING_NOFD | 1;
	CHECK_EQ(recv_raw(&m, sizeof(m), &efd, 1, false), -EBADF);     /* fd with NOFD */
	CHECK_EQ(recv_raw(&m, sizeof(m), NULL, 0, false), 0);          /* polled ring */
	m.v = 1;
	CHECK_EQ(recv_raw(&m, sizeof(m), &efd, 1, false), 0);
	CHECK_EQ(vu_test_count_fds(), before);
}

static void
mem_table_shape(void)
{
	struct { struct vu_msg_hdr h; struct vu_mem_regions t; } __rte_packed m;
	int fds[2] = { new_memfd(), new_memfd() }, before = vu_test_count_fds();

	memset(&m, 0, sizeof(m));
	m.h = (struct vu_msg_hdr){ VU_REQ_SET_MEM_TABLE, VU_PROTO_VERSION, 8 + 2 * 32 };
	m.t.nregions = 2;
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, fds, 2, false), 0);
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, fds, 1, false), -EBADF);
	m.t.nregions = 3; /* says 3, carries 2 */
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, fds, 2, false), -EBADMSG);
	m.t.nregions = 9;
	m.h.size = sizeof(m.t);
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, fds, 2, false), -EBADMSG);
	CHECK_EQ(vu_test_count_fds(), before);
}

static void
config_window_must_fit(void)
{
	struct { struct vu_msg_hdr h; struct vu_config c; } __rte_packed m;

	memset(&m, 0, sizeof(m));
	m.h = (struct vu_msg_hdr){ VU_REQ_SET_CONFIG, VU_PROTO_VERSION, 12 + 16 };
	m.c.offset = 240;
	m.c.size = 16;
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, NULL, 0, false), 0);
	m.c.offset = 241; /* offset + size = 257 */
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, NULL, 0, false), -EBADMSG);
	m.c.offset = 0xFFFFFFF8; /* would wrap in 32 bits */
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, NULL, 0, false), -EBADMSG);
	m.c.offset = 0;
	m.c.size = 17; /* says 17, carries 16 */
	CHECK_EQ(recv_raw(&m, sizeof(m.h) + m.h.size, NULL, 0, false), -EBADMSG);
}

static void
reply_flag_checked(void)
{
	struct vu_msg_hdr h = { VU_REQ_GET_FEATURES, VU_PROTO_VERSION | VU_FLAG_REPLY, 0 };
	struct { struct vu_msg_hdr h; uint64_t v; } __rte_packed ack = {
		{ VU_REQ_SET_FEATURES, VU_PROTO_VERSION, 8 }, 0 };
	struct vu_msg in;
	int sv[2];

	CHECK_EQ(recv_raw(&h, sizeof(h), NULL, 0, false), -EBADMSG);
	/* A reply must carry the reply flag; an ACK is a bare u64. */
	make_pair(sv);
	raw_send(sv[0], &ack, sizeof(ack), NULL, 0);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REPLY, &in, "reply"), -EBADMSG);
	ack.h.flags |= VU_FLAG_REPLY;
	raw_send(sv[0], &ack, sizeof(ack), NULL, 0);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REPLY, &in, "reply"), 0);
	close_pair(sv);
}

static void
receive_timeout(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100 * 1000 };
	struct vu_msg in;
	int sv[2];

	make_pair(sv);
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "timeout"), -ETIMEDOUT);
	close_pair(sv);
}

static void
send_to_dead_peer_no_sigpipe(void)
{
	struct vu_msg out;
	int sv[2];

	/* SIGPIPE keeps its default action (terminate): the case dies if raised. */
	signal(SIGPIPE, SIG_DFL);
	make_pair(sv);
	close(sv[1]);
	build_valid(&out, VU_MSG_FRONTEND_REQ, VU_REQ_GET_FEATURES);
	CHECK_EQ(vu_msg_send(sv[0], &out), -EPIPE);
	out.hdr.size = VU_MSG_PAYLOAD_MAX + 1;
	CHECK_EQ(vu_msg_send(sv[0], &out), -EINVAL);
	close(sv[0]);
}

struct dribble {
	int sock;
	const uint8_t *buf;
	size_t len;
};

/* Writes a message a few bytes at a time, with pauses, from another thread. */
static void *
dribble_writer(void *arg)
{
	struct dribble *d = arg;
	size_t off;

	for (off = 0; off < d->len; off += 5) {
		size_t n = RTE_MIN((size_t)5, d->len - off);

		if (write(d->sock, d->buf + off, n) != (ssize_t)n)
			break;
		usleep(2000);
	}
	return NULL;
}

static void
noop_handler(int sig)
{
	(void)sig;
}

/* Partial reads and EINTR (a signal without SA_RESTART) are both absorbed. */
static void
partial_reads_and_eintr(void)
{
	struct { struct vu_msg_hdr h; struct vu_vring_addr a; } __rte_packed m = {
		{ VU_REQ_SET_VRING_ADDR, VU_PROTO_VERSION, sizeof(struct vu_vring_addr) },
		{ 1, 0, 0x1000, 0x2000, 0x3000, 0 } };
	/* SIGUSR1 every 3 ms: SIGALRM is the harness's watchdog. */
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec it = { { 0, 3000000 }, { 0, 3000000 } };
	struct sigaction sa = { .sa_handler = noop_handler };
	struct dribble d;
	struct vu_msg in;
	timer_t timer;
	pthread_t t;
	int sv[2];

	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART: recvmsg gets EINTR */
	make_pair(sv);
	d = (struct dribble){ sv[0], (const uint8_t *)&m, sizeof(m) };
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &timer), 0);
	CHECK_EQ(timer_settime(timer, 0, &it, NULL), 0);
	pthread_create(&t, NULL, dribble_writer, &d);
	CHECK_EQ(vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "dribble"), 0);
	timer_delete(timer);
	pthread_join(t, NULL);
	CHECK_EQ(in.payload.addr.index, 1);
	CHECK_EQ(in.payload.addr.avail, 0x3000);
	close_pair(sv);
}

struct reader {
	int sock;
	struct vu_msg msg;
	int ret;
};

static void *
read_one(void *arg)
{
	struct reader *r = arg;

	usleep(20000); /* let the writer fill the small buffer first */
	r->ret = vu_msg_recv(r->sock, VU_MSG_FRONTEND_REPLY, &r->msg, "reader");
	return NULL;
}

/* A reply larger than the socket buffer goes out in several writes. */
static void
partial_writes(void)
{
	int sv[2], small = 1024;
	struct reader r;
	struct vu_msg out;
	pthread_t t;

	make_pair(sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	build_valid(&out, VU_MSG_FRONTEND_REPLY, VU_REQ_GET_SHMEM_CONFIG);
	r.sock = sv[1];
	pthread_create(&t, NULL, read_one, &r);
	CHECK_EQ(vu_msg_send(sv[0], &out), 0);
	pthread_join(t, NULL);
	CHECK_EQ(r.ret, 0);
	CHECK_EQ(r.msg.hdr.size, sizeof(struct vu_shmem_config));
	CHECK(memcmp(&r.msg.payload, &out.payload, out.hdr.size) == 0);
	close_pair(sv);
}

static void
reply_init_mirrors_request(void)
{
	struct vu_msg req, rep;

	build_valid(&req, VU_MSG_FRONTEND_REQ, VU_REQ_GET_VRING_BASE);
	req.hdr.flags |= VU_FLAG_NEED_REPLY;
	vu_msg_reply_init(&rep, &req, sizeof(struct vu_vring_state));
	CHECK_EQ(rep.hdr.request, VU_REQ_GET_VRING_BASE);
	CHECK_EQ(rep.hdr.flags, VU_PROTO_VERSION | VU_FLAG_REPLY);
	CHECK_EQ(rep.hdr.size, 8);
	CHECK_EQ(rep.nfds, 0);
}

VU_TEST_MAIN(
	VU_TEST_CASE(table_is_complete),
	VU_TEST_CASE(roundtrip_frontend_requests),
	VU_TEST_CASE(roundtrip_frontend_replies),
	VU_TEST_CASE(roundtrip_backend_requests),
	VU_TEST_CASE(roundtrip_backend_replies),
	VU_TEST_CASE(orderly_close_between_messages),
	VU_TEST_CASE(truncated_header_then_eof),
	VU_TEST_CASE(half_payload_then_eof),
	VU_TEST_CASE(size_all_ones_rejected_before_payload),
	VU_TEST_CASE(wrong_size_for_fixed_request),
	VU_TEST_CASE(bad_version),
	VU_TEST_CASE(unknown_requests_consumed),
	VU_TEST_CASE(unknown_request_too_large_is_fatal),
	VU_TEST_CASE(fds_on_request_without_fds_1000_times),
	VU_TEST_CASE(twenty_fds_in_one_message),
	VU_TEST_CASE(vring_fd_must_match_nofd_bit),
	VU_TEST_CASE(mem_table_shape),
	VU_TEST_CASE(config_window_must_fit),
	VU_TEST_CASE(reply_flag_checked),
	VU_TEST_CASE(receive_timeout),
	VU_TEST_CASE(send_to_dead_peer_no_sigpipe),
	VU_TEST_CASE(partial_reads_and_eintr),
	VU_TEST_CASE(partial_writes),
	VU_TEST_CASE(reply_init_mirrors_request),
)
