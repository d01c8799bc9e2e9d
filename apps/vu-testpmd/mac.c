/* SPDX-License-Identifier: BSD-3-Clause */
/* mac: forward with source = the tx port's MAC, destination = its peer's. */
#include "testpmd.h"

static void
mac_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	struct rte_ether_addr src = ports[fs->tx_port].mac, dst;
	uint16_t i, nb = fwd_recv(fs, pkts);

	if (nb == 0)
		return;
	peer_mac(fs->tx_port, &dst);
	for (i = 0; i < nb; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		rte_ether_addr_copy(&dst, &eth->dst_addr);
		rte_ether_addr_copy(&src, &eth->src_addr);
	}
	fwd_send(fs, pkts, nb);
}

struct fwd_engine mac_engine = {
	.name = "mac",
	.packet_fwd = mac_fwd,
};
