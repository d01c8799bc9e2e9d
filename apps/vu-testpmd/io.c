/* SPDX-License-Identifier: BSD-3-Clause */
/* io: forward what arrives, untouched. */
#include "testpmd.h"

static void
io_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t nb = vu_port_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);

	if (nb == 0)
		return;
	fs->rx_packets += nb;
	fwd_send(fs, pkts, nb);
}

struct fwd_engine io_engine = {
	.name = "io",
	.packet_fwd = io_fwd,
};
