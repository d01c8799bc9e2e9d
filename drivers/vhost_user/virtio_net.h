/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net definitions both net ports share (virtio 1.x section 5.1):
 * feature bits, the per-packet header, the config space, and the mapping
 * between the header's checksum fields and mbuf offload flags.
 */
#ifndef VU_VIRTIO_NET_H
#define VU_VIRTIO_NET_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* Device feature bits (5.1.3) and the transport bits the ports use. */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_CTRL_VQ		17
#define VIRTIO_NET_F_GUEST_ANNOUNCE	21
#define VIRTIO_NET_F_MQ			22
#define VIRTIO_F_NOTIFY_ON_EMPTY	24
#define VIRTIO_F_ANY_LAYOUT		27
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_IN_ORDER		35

#define VIRTIO_NET_S_LINK_UP		1
#define VIRTIO_NET_S_ANNOUNCE		2

/* struct virtio_net_hdr_v1 (with num_buffers), 12 bytes. */
struct virtio_net_hdr {
	uint8_t flags;
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
	uint8_t gso_type;
#define VIRTIO_NET_HDR_GSO_NONE		0
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;	/* MRG_RXBUF or VERSION_1 only */
} __rte_packed;

/* Legacy devices without MRG_RXBUF have no num_buffers: 10 bytes. */
#define VIRTIO_NET_HDR_LEN_LEGACY	10
#define VIRTIO_NET_HDR_LEN		12

/* Header length for negotiated @p features. */
static inline uint32_t
virtio_net_hdr_len(uint64_t features)
{
	return features & (RTE_BIT64(VIRTIO_F_VERSION_1) | RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF)) ?
	       VIRTIO_NET_HDR_LEN : VIRTIO_NET_HDR_LEN_LEGACY;
}

/* Config space (5.1.4), the fields up to mtu. */
struct virtio_net_config {
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __rte_packed;

/*
 * A received (device-to-us) header to mbuf receive flags. NEEDS_CSUM: the
 * sender left the L4 checksum partial, the payload is intact, so for a
 * forwarder it is "not computed" rather than bad; DATA_VALID: checked.
 */
static inline void
virtio_net_hdr_to_mbuf(const struct virtio_net_hdr *h, struct rte_mbuf *m)
{
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
	else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

/*
 * Finish a partial checksum (NEEDS_CSUM): the sender left the pseudo-header
 * sum at csum_start + csum_offset; the checksum is the one's complement of
 * the sum from csum_start to the end. Done in software on receive, so the
 * packet is valid whatever port it leaves by. Returns -1 when the offsets
 * don't fit the packet.
 */
static inline int
virtio_net_complete_csum(struct rte_mbuf *m, const struct virtio_net_hdr *h)
{
	uint32_t start = h->csum_start, field = start + h->csum_offset;
	uint16_t sum, *where;

	if (field + sizeof(uint16_t) > rte_pktmbuf_data_len(m))
		return -1;	/* the field must be in the first segment */
	if (rte_raw_cksum_mbuf(m, start, rte_pktmbuf_pkt_len(m) - start, &sum) != 0)
		return -1;
	where = rte_pktmbuf_mtod_offset(m, uint16_t *, field);
	*where = (uint16_t)~sum;
	if (*where == 0)
		*where = 0xffff;	/* UDP: 0 means "no checksum" */
	return 0;
}

/*
 * The header to send with @p m: checksum offload requests become a partial
 * checksum (csum_start/offset), when the peer accepts them (@p csum_ok).
 * Everything else is zero, num_buffers included (the caller sets it).
 */
static inline void
virtio_net_hdr_from_mbuf(struct virtio_net_hdr *h, const struct rte_mbuf *m, bool csum_ok)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;

	*h = (struct virtio_net_hdr){ 0 };
	if (!csum_ok)
		return;
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM || l4 == RTE_MBUF_F_TX_UDP_CKSUM) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = (uint16_t)(m->l2_len + m->l3_len);
		h->csum_offset = l4 == RTE_MBUF_F_TX_TCP_CKSUM ?
				 offsetof(struct rte_tcp_hdr, cksum) :
				 offsetof(struct rte_udp_hdr, dgram_cksum);
	} else if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
}

/*
 * Put transmit header @p h in front of a packet (at @p dst, the packet's
 * headroom), storing nothing where the bytes are already right, and
 * leaving num_buffers as the device wrote it when this buffer was last
 * received into, as DPDK's virtio PMD does. The spec asks drivers to zero
 * num_buffers on transmit, where it has no meaning (vu's and DPDK's vhost
 * never read it there); zeroing it would move the header's line
 * to this core and back to the device's for every packet, as the device
 * sets it to 1 again on the next receive. Only the 10 bytes every header
 * has are written, so a legacy header (no num_buffers) is right too.
 */
static __rte_always_inline void
virtio_net_hdr_put_tx(void *dst, const struct virtio_net_hdr *h)
{
	if (memcmp(dst, h, VIRTIO_NET_HDR_LEN_LEGACY) != 0)
		memcpy(dst, h, VIRTIO_NET_HDR_LEN_LEGACY);
}

#endif /* VU_VIRTIO_NET_H */
