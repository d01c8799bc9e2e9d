/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the frontend facing a malicious backend. Its replies
 * and its back-end requests come from the input.
 *
 * Input: u8 ops, u8 channel bytes / 4, u8 reply-fd kind, then the reply
 * stream, whose last (channel bytes) bytes are instead written to the
 * back-end request channel if the frontend opens one.
 *   ops bit 0: read_config   bit 1: activate        bit 2: sleep + wake
 *   ops bit 3: snapshot      bit 4: shmem_size      bit 5: deactivate + reset
 *   reply-fd kind: 0 none, 1 memfd, 2 eventfd (sent with the first bytes)
 * The stream is written to the backend's end of a socketpair before
 * vu_frontend_create() runs, then that end is shut for writing: the
 * frontend reads whatever the input says and then EOF, so no call waits
 * longer than the (short) reply timeout. Invariants: no crash, no
 * sanitizer report, every call returns, no fd left open after
 * vu_frontend_destroy().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "vu_fdman.h"
#include "vu_frontend.h"
#include "vu_guest_mem.h"
#include "vu_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define STREAM_MAX	(48 * 1024)	/* fits a unix socket's buffer */
#define QSIZE		16

static struct vu_guest_mem *mem;
static struct vu_frontend_mem_region region;
static struct vu_frontend_vring vr[2];
static int efd[4];

static int
lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vu_guest_mem_layout l = { .gpa = 0, .size = 64 * 1024 };
	unsigned int i;

	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);
	mem = vu_guest_mem_create("fuzz-fe", &l, 1, VU_GUEST_MEM_PLAIN, NULL);
	if (mem == NULL || vu_frontend_regions_from_guest_mem(mem, &region, 1) != 1)
		abort();
	for (i = 0; i < 4; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC);
	for (i = 0; i < 2; i++) {
		uint8_t *base = mem->regions[0].va + i * 0x4000;

		vr[i] = (struct vu_frontend_vring){ .index = (uint16_t)i, .size = QSIZE,
			.desc = base, .avail = base + 16 * QSIZE, .used = base + 0x2000,
			.kick_fd = efd[2 * i], .call_fd = efd[2 * i + 1] };
	}
	if (vu_fdman_start() != 0)	/* its epoll fd and eventfd are not leaks */
		abort();
	return 0;
}

/* Write @p len bytes (an fd of @p kind with the first ones) to @p sock. */
static void
send_stream(int sock, const uint8_t *p, size_t len, uint8_t kind)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fd = -1;

	if (len == 0)
		return;
	if (kind % 3 == 1) {
		fd = memfd_create("fuzz-fe-reply", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, 4096) != 0) {
			close(fd);
			fd = -1;
		}
	} else if (kind % 3 == 2) {
		fd = eventfd(0, EFD_CLOEXEC);
	}
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the socket buffer is smaller than we thought: the input just
		 * ends earlier */
	}
	if (fd >= 0)
		close(fd);
}

/* Read what the frontend sent us; keep the first fd it passed (the
 * back-end request channel, sent with SET_BACKEND_REQ_FD), close the rest. */
static int
drain_requests(int sock)
{
	int channel = -1;

	for (;;) {
		char buf[4096], cbuf[CMSG_SPACE(8 * sizeof(int))];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;

		if (recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			break;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)), fds[8], i;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(fds, CMSG_DATA(c), n * sizeof(int));
			for (i = 0; i < n; i++) {
				if (channel < 0)
					channel = fds[i];
				else
					close(fds[i]);
			}
		}
	}
	return channel;
}

static void
ctl_noop(void *arg)
{
	(void)arg;
}

static uint64_t
mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Send back-end requests and wait (at most 20 ms) until the frontend read
 * them. Each round trip through vu-ctl lets the frontend's channel handler
 * run; one more after the bytes are gone waits for the handler that read
 * the last of them to return. (Sleeping instead cost ~0.4 ms per input.)
 */
static void
feed_channel(int channel, const uint8_t *p, size_t len)
{
	uint64_t deadline;
	int unread;

	send_stream(channel, p, len, 0);
	shutdown(channel, SHUT_WR);
	deadline = mono_ns() + 20 * 1000 * 1000;
	while (ioctl(channel, SIOCOUTQ, &unread) == 0 && unread > 0 && mono_ns() < deadline)
		vu_fdman_call(ctl_noop, NULL);
	vu_fdman_call(ctl_noop, NULL);
	close(channel);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .device_type = 1,
		.base_features = UINT64_C(1) << 32, .max_queue_size = QSIZE,
		.reply_timeout_ms = 20 };
	struct vu_frontend *fe;
	size_t chan_len, reply_len;
	uint8_t ops, cfg[16];
	uint16_t base;
	uint64_t shm;
	int sv[2], channel, fd, first_free_fd;
	void *snap;
	size_t snap_len;

	if (size < 3)
		return 0;
	/* Taken per input: between inputs libFuzzer itself may open fds (the
	 * symbolizer's pipes when it prints NEW_FUNC lines). */
	first_free_fd = lowest_free_fd();
	ops = data[0];
	chan_len = (size_t)data[1] * 4;
	data += 3;
	size -= 3;
	if (chan_len > size)
		chan_len = size;
	reply_len = size - chan_len;
	if (reply_len > STREAM_MAX)
		reply_len = STREAM_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	send_stream(sv[1], data, reply_len, data[-1]);
	shutdown(sv[1], SHUT_WR);
	fc.conn_fd = sv[0];
	fe = vu_frontend_create(&fc);
	if (fe != NULL) {
		channel = drain_requests(sv[1]);
		if (channel >= 0)
			feed_channel(channel, data + size - chan_len, chan_len);
		if (ops & 1)
			vu_frontend_read_config(fe, 0, cfg, sizeof(cfg));
		if (ops & 2)
			vu_frontend_activate(fe, &region, 1, vr, 2);
		if (ops & 4 && vu_frontend_sleep(fe, NULL) == 0)
			vu_frontend_wake(fe);
		if (ops & 8 && vu_frontend_snapshot(fe, &snap, &snap_len) == 0)
			free(snap);
		if (ops & 16)
			vu_frontend_shmem_size(fe, &shm);
		if (ops & 32) {
			vu_frontend_deactivate_vring(fe, 0, &base);
			vu_frontend_reset(fe);
		}
		vu_frontend_destroy(fe);
	}
	close(drain_requests(sv[1]));
	close(sv[1]);
	/* Every fd the input made the frontend open is closed again. */
	fd = lowest_free_fd();
	if (fd != first_free_fd) {
		char link[64], target[256] = "";
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", first_free_fd);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "fuzz_frontend: fd %d (%s) left open after an input\n",
			first_free_fd, target);
		abort();
	}
	return 0;
}
