/* SPDX-License-Identifier: BSD-3-Clause */
/* rxonly: receive and free. */
#include "testpmd.h"

static void
rxonly_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t nb = vu_port_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);

	if (nb == 0)
		return;
	fs->rx_packets += nb;
	rte_pktmbuf_free_bulk(pkts, nb);
}

struct fwd_engine rxonly_engine = {
	.name = "rxonly",
	.packet_fwd = rxonly_fwd,
};
