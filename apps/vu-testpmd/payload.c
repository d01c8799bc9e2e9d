/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload check ("set payload-check on", --payload-check): txonly and
 * flowgen packets (and so "start tx_first") carry a known pattern after
 * their UDP header, and every packet a forwarding engine receives is
 * checked, so a loopback shows that what arrived is what was sent, byte for
 * byte, not only how many bytes.
 *
 * A payload of L bytes: when L >= 4, a 32-bit tag (little endian, the
 * sending stream's packet count) then byte i = (uint8_t)(tag + i); when
 * L < 4, byte i = i. A shifted, truncated, padded or foreign payload fails,
 * and so does any change to the lengths or the IPv4 header (its checksum is
 * checked). MAC addresses are not: mac and macswap rewrite them.
 */
#include <inttypes.h>
#include <stdio.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "testpmd.h"

#define TAG_LEN 4

bool payload_check;

static __rte_always_inline uint8_t
pattern_byte(uint32_t tag, uint32_t i, uint32_t payload_len)
{
	if (payload_len < TAG_LEN)
		return (uint8_t)i;
	if (i < TAG_LEN)
		return (uint8_t)(tag >> (8 * i));
	return (uint8_t)(tag + i);
}

struct pattern {
	uint32_t tag;
	uint32_t len;	/* of the whole payload */
	uint32_t bad_at;	/* first mismatching payload offset */
};

/* Fill (@p fill) or check the payload of @p m, segment by segment; false
 * at the first mismatch. */
static bool
payload_walk(struct rte_mbuf *m, struct pattern *pt, bool fill)
{
	uint32_t skip = TXONLY_HDR_LEN, off = 0, i;
	struct rte_mbuf *s;

	for (s = m; s != NULL; s = s->next) {
		uint8_t *p = rte_pktmbuf_mtod(s, uint8_t *);
		uint32_t n = s->data_len;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		p += skip;
		n -= skip;
		skip = 0;
		for (i = 0; i < n; i++, off++) {
			uint8_t want = pattern_byte(pt->tag, off, pt->len);

			if (fill) {
				p[i] = want;
			} else if (p[i] != want) {
				pt->bad_at = off;
				return false;
			}
		}
	}
	return true;
}

void
payload_fill(struct rte_mbuf *m, uint32_t tag)
{
	struct pattern pt = { .tag = tag, .len = m->pkt_len - TXONLY_HDR_LEN };

	payload_walk(m, &pt, true);
}

/* Why @p m is not a packet payload_fill() made, or NULL when it is. */
static const char *
payload_verify(struct rte_mbuf *m, char *why, size_t size)
{
	uint8_t buf[TXONLY_HDR_LEN] __rte_aligned(8);
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct rte_mbuf *s;
	struct pattern pt = { 0 };
	uint32_t seg_bytes = 0;
	uint16_t segs = 0;

	for (s = m; s != NULL; s = s->next, segs++)
		seg_bytes += s->data_len;
	if (seg_bytes != m->pkt_len || segs != m->nb_segs) {
		snprintf(why, size, "mbuf chain: %u segments of %u bytes, header says %u of %u",
			 segs, seg_bytes, m->nb_segs, m->pkt_len);
		return why;
	}
	if (m->pkt_len < TXONLY_HDR_LEN) {
		snprintf(why, size, "%u bytes, shorter than the %u-byte headers", m->pkt_len,
			 TXONLY_HDR_LEN);
		return why;
	}
	eth = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	udp = (const struct rte_udp_hdr *)(ip + 1);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ip->version_ihl != RTE_IPV4_VHL_DEF || ip->next_proto_id != IPPROTO_UDP) {
		snprintf(why, size, "not an IPv4/UDP packet (ethertype 0x%04x, ip 0x%02x/%u)",
			 rte_be_to_cpu_16(eth->ether_type), ip->version_ihl, ip->next_proto_id);
		return why;
	}
	if (rte_ipv4_cksum(ip) != 0) {
		snprintf(why, size, "IPv4 header checksum 0x%04x is wrong",
			 rte_be_to_cpu_16(ip->hdr_checksum));
		return why;
	}
	if (rte_be_to_cpu_16(ip->total_length) != m->pkt_len - RTE_ETHER_HDR_LEN ||
	    rte_be_to_cpu_16(udp->dgram_len) != m->pkt_len - RTE_ETHER_HDR_LEN - sizeof(*ip)) {
		snprintf(why, size, "%u bytes, but IPv4 length %u and UDP length %u",
			 m->pkt_len, rte_be_to_cpu_16(ip->total_length),
			 rte_be_to_cpu_16(udp->dgram_len));
		return why;
	}
	pt.len = m->pkt_len - TXONLY_HDR_LEN;
	if (pt.len >= TAG_LEN) {
		uint8_t t[TAG_LEN];
		const uint8_t *tp = rte_pktmbuf_read(m, TXONLY_HDR_LEN, TAG_LEN, t);

		pt.tag = (uint32_t)tp[0] | (uint32_t)tp[1] << 8 | (uint32_t)tp[2] << 16 |
			 (uint32_t)tp[3] << 24;
	}
	if (!payload_walk(m, &pt, false)) {
		snprintf(why, size, "payload byte %u of %u differs (tag %" PRIu32 ")", pt.bad_at,
			 pt.len, pt.tag);
		return why;
	}
	return NULL;
}

void
payload_check_burst(struct fwd_stream *fs, struct rte_mbuf **pkts, uint16_t nb)
{
	char why[128];
	uint16_t i;

	for (i = 0; i < nb; i++) {
		if (likely(payload_verify(pkts[i], why, sizeof(why)) == NULL))
			continue;
		/* Said once per stream: a broken path would flood the prompt. */
		if (fs->payload_bad++ == 0)
			printf("payload check: port %u queue %u: packet %" PRIu64 " of this run: %s\n",
			       fs->rx_port, fs->rx_queue, fs->payload_checked + i, why);
	}
	fs->payload_checked += nb;
}
