/* SPDX-License-Identifier: BSD-3-Clause */
/* Generated packets, shared by txonly.c and flowgen.c. */
#ifndef VU_TESTPMD_TXPKT_H
#define VU_TESTPMD_TXPKT_H

/* An IPv4 address in host order. DPDK's RTE_IPV4 shifts an int: 198 << 24
 * overflows it (undefined behaviour, which UBSan reports). */
#define TXPKT_IPV4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#include "testpmd.h"

/** Take up to @p n packets of the --txpkts segment layout from the pool. */
uint16_t txpkt_alloc_burst(struct rte_mbuf **pkts, uint16_t n);
/** Write Ethernet/IPv4/UDP headers (host-order IPs) into the first segment,
 * from @p fs's tx port to its peer, and the payload pattern when @p fs
 * checks payloads. */
void txpkt_fill(struct fwd_stream *fs, struct rte_mbuf *m, uint32_t src_ip, uint32_t dst_ip);

#endif
