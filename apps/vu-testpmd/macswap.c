/* SPDX-License-Identifier: BSD-3-Clause */
/* macswap: forward with source and destination MAC swapped. */
#include "testpmd.h"

static void
macswap_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t i, nb = fwd_recv(fs, pkts);

	if (nb == 0)
		return;
	for (i = 0; i < nb; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp = eth->dst_addr;

		eth->dst_addr = eth->src_addr;
		eth->src_addr = tmp;
	}
	fwd_send(fs, pkts, nb);
}

struct fwd_engine macswap_engine = {
	.name = "macswap",
	.packet_fwd = macswap_fwd,
};
