/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu-selftest: the protocol self-test that `make run` runs until vu-testpmd
 * exists. A server endpoint on the vu-ctl thread answers every front-end
 * request as the table says (its reply, or a REPLY_ACK); the main thread is
 * a client that sends every request with real fds (memfds, eventfds) over a
 * real unix socket, checks each reply, and prints the round-trip rate.
 *
 * usage: vu-selftest [SECONDS]   (default 3)
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vu_fdman.h"
#include "vu_msg.h"
#include "vu_socket.h"

static volatile int server_errors;

/* Answer one request: the table's reply, or an ack when asked. */
static void
on_request(int fd, uint32_t events, void *arg)
{
	struct vu_msg req, reply;
	const struct vu_msg_info *info;

	(void)events;
	if (vu_msg_recv(fd, VU_MSG_FRONTEND_REQ, &req, "selftest-server") != 0) {
		vu_fdman_del(fd);
		close(fd);
		vu_socket_disconnected(arg);
		return;
	}
	vu_msg_close_fds(&req);
	info = vu_msg_info(VU_MSG_FRONTEND_REQ, req.hdr.request);
	if (info->reply == VU_REPLY_ALWAYS)
		vu_msg_reply_init(&reply, &req, info->reply_min);
	else if (req.hdr.flags & VU_FLAG_NEED_REPLY)
		vu_msg_reply_init(&reply, &req, sizeof(uint64_t));
	else
		return;
	memset(&reply.payload, 0, reply.hdr.size);
	if (info->reply == VU_REPLY_ALWAYS && info->reply_fds == VU_FDS_ONE) {
		reply.fds[0] = eventfd(0, EFD_CLOEXEC);
		reply.nfds = 1;
	}
	if (vu_msg_send(fd, &reply) != 0)
		server_errors++;
	vu_msg_close_fds(&reply);
}

static void
on_connect(struct vu_socket *s, int fd, void *arg)
{
	(void)arg;
	if (vu_fdman_add(fd, EPOLLIN, on_request, s) != 0) {
		close(fd);
		vu_socket_disconnected(s);
	}
}

/* A valid request of type @p req, with the fds it needs. */
static void
build_request(struct vu_msg *m, uint32_t req)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, req);

	memset(m, 0, sizeof(*m));
	m->hdr = (struct vu_msg_hdr){ req, VU_PROTO_VERSION | VU_FLAG_NEED_REPLY, info->min_size };
	if (req == VU_REQ_SET_MEM_TABLE) {
		m->payload.mem.nregions = 1;
		m->hdr.size += sizeof(struct vu_mem_region);
	}
	if (info->fds == VU_FDS_ONE || info->fds == VU_FDS_VRING || info->fds == VU_FDS_REGIONS) {
		m->fds[0] = info->fds == VU_FDS_VRING ? eventfd(0, EFD_CLOEXEC)
						      : memfd_create("selftest", MFD_CLOEXEC);
		m->nfds = 1;
	}
}

/* Send every request once and check each reply; returns failures. */
static int
one_round(int sock, unsigned long *msgs)
{
	int failures = 0;
	uint32_t r;

	for (r = 1; r < VU_REQ_MAX; r++) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		struct vu_msg m, reply;

		build_request(&m, r);
		if (vu_msg_send(sock, &m) != 0 || poll(&p, 1, 5000) != 1 ||
		    vu_msg_recv(sock, VU_MSG_FRONTEND_REPLY, &reply, "selftest-client") != 0 ||
		    reply.hdr.request != r) {
			fprintf(stderr, "vu-selftest: %s: no valid reply\n",
				vu_msg_name(VU_MSG_FRONTEND_REQ, r));
			failures++;
		} else {
			vu_msg_close_fds(&reply);
		}
		vu_msg_close_fds(&m);
		(*msgs)++;
	}
	return failures;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3.0, start, elapsed = 0;
	char dir[] = "/tmp/vu-selftest.XXXXXX", path[128];
	struct vu_socket_conf conf = { .mode = VU_SOCKET_SERVER, .on_connect = on_connect };
	unsigned long msgs = 0;
	struct vu_socket *server;
	int sock, failures = 0;

	if (seconds <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: %s [SECONDS > 0]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/vhost.sock", dir);
	conf.path = path;
	server = vu_socket_create(&conf);
	if (server == NULL || vu_socket_start(server) != 0 || (sock = vu_socket_connect(path)) < 0) {
		fprintf(stderr, "vu-selftest: cannot set up %s\n", path);
		return 1;
	}
	printf("vu-selftest: every vhost-user front-end request (%d kinds) over %s for %.1f s\n",
	       VU_REQ_MAX - 1, path, seconds);
	start = now_s();
	do
		failures += one_round(sock, &msgs);
	while (failures == 0 && (elapsed = now_s() - start) < seconds);
	close(sock);
	vu_socket_destroy(server);
	vu_fdman_shutdown();
	rmdir(dir);
	printf("vu-selftest: %lu request/reply round trips in %.2f s: %.0f per second, "
	       "%d failed\n", msgs, elapsed, msgs / elapsed, failures + server_errors);
	return failures + server_errors ? 1 : 0;
}
