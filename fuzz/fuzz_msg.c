/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: message parsing and validation (vu_msg_recv).
 *
 * Input layout: byte 0 picks the direction (enum vu_msg_kind), byte 1 the
 * number of fds (0..15, memfds and eventfds, made once and sent again by
 * every input: the receiver gets fresh copies) sent with the first chunk, byte 2
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

#include <rte_common.h>
#include <rte_log.h>

#include "vu_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_STREAM	(64 * 1024)	/* below the socketpair buffer: no writer thread */

static int peer_fds[15];	/* what an input sends: 0..15 of these */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsigned int i;

	rte_log_set_global_level(RTE_LOG_EMERG); /* the peer's complaints are expected */
	for (i = 0; i < RTE_DIM(peer_fds); i++) {
		peer_fds[i] = (i & 1) ? eventfd(0, EFD_CLOEXEC) : memfd_create("fuzz", MFD_CLOEXEC);
		if (peer_fds[i] < 0)
			abort();
	}
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

/*
 * The open fds among the first @p need free ones, counted from the lowest
 * free (libFuzzer itself may hold some above it): an input never has more
 * than its socket pair and the received copies of its fds open at once,
 * and the kernel numbers them from the lowest free up, so those slots hold
 * every fd it could leak. Checking only them keeps the check from costing
 * more than the input. Returns how many fds the window spans.
 */
static unsigned int
fd_window(int base, unsigned int need, uint64_t *open)
{
	unsigned int i, free_seen = 0;

	*open = 0;
	for (i = 0; i < 64 && free_seen < need; i++) {
		if (fcntl(base + i, F_GETFD) != -1)
			*open |= UINT64_C(1) << i;
		else
			free_seen++;
	}
	return i;
}

static uint64_t
open_in(int base, unsigned int span)
{
	uint64_t set = 0;
	unsigned int i;

	for (i = 0; i < span; i++)
		if (fcntl(base + i, F_GETFD) != -1)
			set |= UINT64_C(1) << i;
	return set;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t fds_before;
	int sv[2], base;
	unsigned int nfds, span;
	size_t split;

	if (size < 3 || size - 3 > MAX_STREAM)
		return 0;
	nfds = data[1] & 15;
	base = dup(0);			/* the lowest free fd */
	close(base);
	span = fd_window(base, 2 + nfds + 2, &fds_before);
	split = size > 3 ? data[2] % (size - 3) : 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	send_chunk(sv[0], data + 3, split, peer_fds, split > 0 ? nfds : 0);
	send_chunk(sv[0], data + 3 + split, size - 3 - split, peer_fds, split > 0 ? 0 : nfds);
	close(sv[0]);
	drain(sv[1], (enum vu_msg_kind)(data[0] & 3));
	close(sv[1]);
	if (open_in(base, span) & ~fds_before)
		abort(); /* an fd the input created is still open: leaked */
	return 0;
}
