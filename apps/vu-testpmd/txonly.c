/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * txonly: send UDP packets of the --txpkts sizes (one segment per size),
 * 198.18.0.1:9 -> 198.18.0.2:9, from the tx port's MAC to its peer's.
 * flowgen.c reuses the packet builder.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "testpmd.h"
#include "txpkt.h"

#define TX_IP_SRC TXPKT_IPV4(198, 18, 0, 1)
#define TX_IP_DST TXPKT_IPV4(198, 18, 0, 2)
#define TX_UDP_PORT 9

/* Chain the segments of one packet; NULL if the pool ran dry. */
static struct rte_mbuf *
alloc_chain(struct rte_mbuf *head)
{
	struct rte_mbuf *prev = head;
	uint8_t s;

	rte_pktmbuf_reset(head);
	head->data_len = tx_pkt_seg_lengths[0];
	for (s = 1; s < tx_pkt_nb_segs; s++) {
		struct rte_mbuf *m = rte_mbuf_raw_alloc(mbuf_pool);

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		rte_pktmbuf_reset(m);
		m->data_len = tx_pkt_seg_lengths[s];
		prev->next = m;
		prev = m;
	}
	head->nb_segs = tx_pkt_nb_segs;
	head->pkt_len = tx_pkt_length;
	return head;
}

void
txpkt_fill(struct fwd_stream *fs, struct rte_mbuf *m, uint32_t src_ip, uint32_t dst_ip)
{
	uint16_t tx_port = fs->tx_port;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	peer_mac(tx_port, &eth->dst_addr);
	rte_ether_addr_copy(&ports[tx_port].mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(tx_pkt_length - RTE_ETHER_HDR_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src_ip);
	ip->dst_addr = rte_cpu_to_be_32(dst_ip);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(TX_UDP_PORT);
	udp->dst_port = rte_cpu_to_be_16(TX_UDP_PORT);
	udp->dgram_len = rte_cpu_to_be_16(tx_pkt_length - RTE_ETHER_HDR_LEN - sizeof(*ip));
	udp->dgram_cksum = 0;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	if (fs->check_payload)
		payload_fill(m, fs->tx_tag++);
}

uint16_t
txpkt_alloc_burst(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	if (rte_mempool_get_bulk(mbuf_pool, (void **)pkts, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (alloc_chain(pkts[i]) == NULL) {
			rte_mempool_put_bulk(mbuf_pool, (void **)&pkts[i + 1], n - i - 1);
			return i;
		}
	}
	return n;
}

static void
txonly_fwd(struct fwd_stream *fs)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	uint16_t i, nb = txpkt_alloc_burst(pkts, fs->burst);

	for (i = 0; i < nb; i++)
		txpkt_fill(fs, pkts[i], TX_IP_SRC, TX_IP_DST);
	if (nb != 0)
		fwd_send(fs, pkts, nb);
}

struct fwd_engine txonly_engine = {
	.name = "txonly",
	.packet_fwd = txonly_fwd,
};
