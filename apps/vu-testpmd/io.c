/* SPDX-License-Identifier: BSD-3-Clause */
/* io: forward what arrives, untouched. */
#include "testpmd.h"

static void
io_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t nb = fwd_recv(fs, pkts);

	if (nb == 0)
		return;
	fwd_send(fs, pkts, nb);
}

struct fwd_engine io_engine = {
	.name = "io",
	.packet_fwd = io_fwd,
};
