/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowgen: txonly's packets spread over FLOWGEN_FLOWS flows: each packet
 * takes the next destination address 198.18.x.y of its stream.
 */
#include <rte_ip.h>

#include "testpmd.h"
#include "txpkt.h"

/** Distinct flows per stream, as many as a small flow table. */
#define FLOWGEN_FLOWS 1024

static void
flowgen_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t i, nb = txpkt_alloc_burst(pkts, fs->burst);

	for (i = 0; i < nb; i++) {
		txpkt_fill(fs, pkts[i], TXPKT_IPV4(198, 18, 0, 1),
			   TXPKT_IPV4(198, 18, 0, 0) + 2 + fs->flow);
		fs->flow = (fs->flow + 1) % FLOWGEN_FLOWS;
	}
	if (nb != 0)
		fwd_send(fs, pkts, nb);
}

struct fwd_engine flowgen_engine = {
	.name = "flowgen",
	.packet_fwd = flowgen_fwd,
};
