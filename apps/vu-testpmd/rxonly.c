/* SPDX-License-Identifier: BSD-3-Clause */
/* rxonly: receive and free. */
#include "testpmd.h"

static void
rxonly_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t nb = fwd_recv(fs, pkts);

	if (nb == 0)
		return;
	rte_pktmbuf_free_bulk(pkts, nb);
}

struct fwd_engine rxonly_engine = {
	.name = "rxonly",
	.packet_fwd = rxonly_fwd,
};
