/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello_vu: the smallest out-of-tree vu program. It is built only with
 * `pkg-config --cflags --libs libvu` against an installed vu, and sends one
 * vhost-user request with an eventfd across a socketpair and reads it back.
 */
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vu_msg.h>

int
main(void)
{
	struct vu_msg out = {
		.hdr = { VU_REQ_SET_VRING_CALL, VU_PROTO_VERSION, sizeof(uint64_t) },
		.payload.u64 = 0, /* ring 0, with an fd */
		.nfds = 1,
	};
	struct vu_msg in;
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 1;
	out.fds[0] = eventfd(0, 0);
	ret = vu_msg_send(sv[0], &out);
	if (ret == 0)
		ret = vu_msg_recv(sv[1], VU_MSG_FRONTEND_REQ, &in, "hello_vu");
	if (ret != 0) {
		fprintf(stderr, "hello_vu: %d\n", ret);
		return 1;
	}
	printf("hello_vu: received %s for ring %u with %u fd\n",
	       vu_msg_name(VU_MSG_FRONTEND_REQ, in.hdr.request),
	       (unsigned int)(in.payload.u64 & VU_VRING_IDX_MASK), in.nfds);
	vu_msg_close_fds(&in);
	close(out.fds[0]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
