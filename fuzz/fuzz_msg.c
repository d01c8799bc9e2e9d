/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: message parsing and validation (vu_msg_recv).
 *
 * Input layout: byte 0 picks the direction (enum vu_msg_kind), byte 1 the
 * number of fds (0..15, memfds and eventfds) sent with the first chunk, byte 2
 * where the stream is split into a second sendmsg(); the rest is the byte
 * stream. The receiver reads messages until the stream ends or goes out of
 * step. Invariants: no crash, no sanitizer report, and not one fd left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_log.h>

#include "vu_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_STREAM	(64 * 1024)	/* below the socketpair buffer: no writer thread */
#define FD_WINDOW	64		/* fds checked for leaks above the first free one */

static int first_free_fd;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG); /* the peer's complaints are expected */
	first_free_fd = dup(0);
	close(first_free_fd);
	return 0;
}

static void
send_chunk(int sock, const uint8_t *buf, size_t len, const int *fds, unsigned int nfds)
{
	char control[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (len == 0)
		return;
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
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		abort();
}

/* Read until the stream ends or goes out of step; own and close every fd. */
static void
drain(int sock, enum vu_msg_kind kind)
{
	struct vu_msg msg;

	for (;;) {
		int ret = vu_msg_recv(sock, kind, &msg, "fuzz");

		if (ret == 0) {
			vu_msg_close_fds(&msg);
			continue;
		}
		if (msg.nfds != 0)
			abort(); /* an error path kept an fd */
		if (vu_msg_err_is_fatal(ret))
			return;
	}
}

/* Which fds of the window are open; libFuzzer itself may hold some. */
static uint64_t
open_fds(void)
{
	uint64_t set = 0;
	int i;

	for (i = 0; i < FD_WINDOW; i++)
		if (fcntl(first_free_fd + i, F_GETFD) != -1)
			set |= UINT64_C(1) << i;
	return set;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t fds_before = open_fds();
	int sv[2], fds[16];
	unsigned int nfds, i;
	size_t split;

	if (size < 3 || size - 3 > MAX_STREAM)
		return 0;
	nfds = data[1] & 15;
	split = size > 3 ? data[2] % (size - 3) : 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	for (i = 0; i < nfds; i++)
		fds[i] = (i & 1) ? eventfd(0, EFD_CLOEXEC) : memfd_create("fuzz", MFD_CLOEXEC);
	send_chunk(sv[0], data + 3, split, fds, split > 0 ? nfds : 0);
	send_chunk(sv[0], data + 3 + split, size - 3 - split, fds, split > 0 ? 0 : nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	close(sv[0]);
	drain(sv[1], (enum vu_msg_kind)(data[0] & 3));
	close(sv[1]);
	if (open_fds() & ~fds_before)
		abort(); /* an fd the input created is still open: leaked */
	return 0;
}
