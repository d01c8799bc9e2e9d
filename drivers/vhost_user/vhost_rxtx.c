/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost burst functions, on data-plane lcores. rx: packets the guest
 * transmitted (virtqueue 2N+1) are copied into mbufs; tx: mbufs are copied
 * into the guest's receive buffers (virtqueue 2N), mergeable or not.
 *
 * A burst enters the ring's access word, pops chains already translated
 * and bounds-checked by lib/vring, copies, and publishes every used element
 * of the burst with one vu_vring_dev_push(). No syscall but the one
 * notification inside push, no lock, no allocation beyond mbufs.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "vhost_port.h"

/* Largest frame accepted from the guest: no TSO is offered, so anything
 * above 64 KiB is a broken chain rather than a packet. */
#define VHOST_MAX_FRAME	UINT16_MAX

/* A position in a chain's segments: readable ones for rx, writable for tx. */
struct seg_cursor {
	const struct vu_vring_seg *seg;
	const struct vu_vring_seg *end;
	uint32_t off;		/* bytes of *seg already consumed */
};

static __rte_always_inline void
cursor_readable(struct seg_cursor *c, const struct vu_vring_chain *ch)
{
	c->seg = ch->seg;
	c->end = ch->seg + ch->nr_read;
	c->off = 0;
}

static __rte_always_inline void
cursor_writable(struct seg_cursor *c, const struct vu_vring_chain *ch)
{
	c->seg = ch->seg + ch->nr_read;
	c->end = c->seg + ch->nr_write;
	c->off = 0;
}

/* Copy @p len bytes out of the chain; the caller checked they are there. */
static __rte_always_inline void
cursor_read(struct seg_cursor *c, void *dst, uint32_t len)
{
	uint8_t *d = dst;

	while (len > 0) {
		uint32_t chunk = RTE_MIN(len, c->seg->len - c->off);

		rte_memcpy(d, (const uint8_t *)c->seg->addr + c->off, chunk);
		d += chunk;
		len -= chunk;
		c->off += chunk;
		if (c->off == c->seg->len) {
			c->seg++;
			c->off = 0;
		}
	}
}

/* Copy @p len bytes into the chain, logging the pages written when the
 * front-end is migrating us; the caller checked the room is there. */
static __rte_always_inline void
cursor_write(struct seg_cursor *c, struct vu_vring_dev *r, const void *src, uint32_t len)
{
	const uint8_t *s = src;

	while (len > 0) {
		uint32_t chunk = RTE_MIN(len, c->seg->len - c->off);

		rte_memcpy((uint8_t *)c->seg->addr + c->off, s, chunk);
		if (unlikely(r->log != NULL))
			vu_vring_dev_log_write(r, c->seg->gpa + c->off, chunk);
		s += chunk;
		len -= chunk;
		c->off += chunk;
		if (c->off == c->seg->len) {
			c->seg++;
			c->off = 0;
		}
	}
}

/*
 * Write the virtio-net header, storing nothing when the buffer already
 * holds it. A driver recycles its receive buffers and its transmit path
 * writes a header into the same bytes, so the one we would write is
 * usually there already (DPDK's vhost and virtio do the same): a line only
 * read stays shared with the driver's core instead of moving to ours and
 * back for every packet.
 */
static __rte_always_inline void
cursor_write_hdr(struct seg_cursor *c, struct vu_vring_dev *r, const struct virtio_net_hdr *h,
		 uint32_t len)
{
	uint8_t *dst = (uint8_t *)c->seg->addr + c->off;

	if (likely(c->seg->len - c->off > len) &&
	    (len == sizeof(*h) ? memcmp(dst, h, sizeof(*h)) == 0 :
				 memcmp(dst, h, len) == 0)) {
		c->off += len;
		return;
	}
	cursor_write(c, r, h, len);
}

/* ---- rx: the guest transmitted ---- */

/* Fill @p m (fresh, empty) with @p len bytes from the cursor, chaining
 * more mbufs when the frame is larger than one. */
static int
copy_to_mbuf(struct seg_cursor *c, struct rte_mbuf *m, uint32_t len, struct rte_mempool *mp)
{
	struct rte_mbuf *cur = m;

	while (len > 0) {
		uint32_t room = rte_pktmbuf_tailroom(cur), chunk;

		if (unlikely(room == 0)) {
			struct rte_mbuf *next = rte_pktmbuf_alloc(mp);

			if (next == NULL)
				return -ENOMEM;
			cur->next = next;
			m->nb_segs++;
			cur = next;
			room = rte_pktmbuf_tailroom(cur);
		}
		chunk = RTE_MIN(room, len);
		cursor_read(c, rte_pktmbuf_mtod_offset(cur, void *, cur->data_len), chunk);
		cur->data_len = (uint16_t)(cur->data_len + chunk);
		m->pkt_len += chunk;
		len -= chunk;
	}
	return 0;
}

/* Build the RARP announcement SEND_RARP asked for (what DPDK's vhost sends):
 * broadcast, the guest's MAC as sender and target. */
static struct rte_mbuf *
make_rarp(uint64_t request, struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *rarp;
	uint32_t len = sizeof(*eth) + sizeof(*rarp);
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	unsigned int i;

	if (m == NULL)
		return NULL;
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac[i] = (uint8_t)(request >> (8 * i));
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eth->dst_addr.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(eth->src_addr.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP);
	rarp = (struct rte_arp_hdr *)(eth + 1);
	rarp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	rarp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	rarp->arp_hlen = RTE_ETHER_ADDR_LEN;
	rarp->arp_plen = 4;
	rarp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST);
	memcpy(rarp->arp_data.arp_sha.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	memcpy(rarp->arp_data.arp_tha.addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	rarp->arp_data.arp_sip = 0;
	rarp->arp_data.arp_tip = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

/* Put the RARP @p request asks for in @p pkts[0]; 1 if it is there. */
static uint16_t
inject_rarp(struct vhost_queue *q, uint64_t request, struct rte_mbuf **pkts)
{
	struct rte_mbuf *m = make_rarp(request, q->mp);

	if (m == NULL)
		return 0;	/* no mbuf: the next burst tries again */
	/* A new request (or a reset) since the load: announce that one next. */
	if (!__atomic_compare_exchange_n(&q->vp->rarp_request, &request,
					 request & ~VHOST_RARP_PENDING, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		rte_pktmbuf_free(m);
		return 0;
	}
	pkts[0] = m;
	q->st.rarp_sent++;
	return 1;
}

uint16_t
vhost_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_queue *q = queue;
	struct vu_vring_dev *r = &q->ring;
	struct vhost_queue_stats *st = &q->st;
	uint16_t nb = 0, nc, i, kept;
	uint64_t rarp;

	if (unlikely(!vu_vring_access_enter(&q->access)))
		return 0;
	if (q->vring_index == 1) {
		rarp = __atomic_load_n(&q->vp->rarp_request, __ATOMIC_RELAXED);
		if (unlikely((rarp & VHOST_RARP_PENDING) && n > 0))
			nb = inject_rarp(q, rarp, pkts);
	}
	nc = vu_vring_dev_pop(r, q->chains, RTE_MIN((uint16_t)(n - nb), VU_VRING_BURST_MAX));
	if (nc == 0)
		goto out;
	/* The guest wrote these buffers on another core: start every miss of
	 * the burst now rather than one per packet (perf showed the first load
	 * of each header stalling). */
	for (i = 0; i < nc; i++)
		if (likely(q->chains[i].nr_read > 0))
			rte_prefetch0(q->chains[i].seg[0].addr);
	if (unlikely(rte_pktmbuf_alloc_bulk(q->mp, pkts + nb, nc) != 0)) {
		vu_vring_dev_unpop(r, nc);
		st->drop_nombuf += nc;
		goto out;
	}
	kept = nb;
	for (i = 0; i < nc; i++) {
		const struct vu_vring_chain *ch = &q->chains[i];
		struct rte_mbuf *m = pkts[nb + i];
		struct virtio_net_hdr hdr;
		struct seg_cursor c;
		uint32_t len;

		q->used[i] = (struct vu_vring_used_elem){ .id = ch->head, .len = 0 };
		if (unlikely(ch->read_len < q->hdr_len ||
			     ch->read_len - q->hdr_len > VHOST_MAX_FRAME)) {
			st->errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		len = ch->read_len - q->hdr_len;
		if (likely(ch->nr_read == 1 && len <= rte_pktmbuf_tailroom(m))) {
			/* The usual frame: one buffer into one mbuf, no cursor. */
			const uint8_t *src = ch->seg[0].addr;

			if (q->hdr_len == sizeof(hdr))
				memcpy(&hdr, src, sizeof(hdr));
			else
				memcpy(&hdr, src, VIRTIO_NET_HDR_LEN_LEGACY);
			rte_memcpy(rte_pktmbuf_mtod(m, void *), src + q->hdr_len, len);
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
		} else {
			cursor_readable(&c, ch);
			cursor_read(&c, &hdr, q->hdr_len);
			if (unlikely(copy_to_mbuf(&c, m, len, q->mp) != 0)) {
				st->drop_nombuf++;
				rte_pktmbuf_free(m);
				continue;
			}
		}
		if (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			if (unlikely(virtio_net_complete_csum(m, &hdr) != 0)) {
				st->errors++;
				rte_pktmbuf_free(m);
				continue;
			}
			hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
		}
		virtio_net_hdr_to_mbuf(&hdr, m);
		m->port = q->port_id;
		st->good_packets++;
		st->good_bytes += len;
		vhost_count_size(st, len);
		pkts[kept++] = m;
	}
	vu_vring_dev_push(r, q->used, nc);
	nb = kept;
out:
	vu_vring_access_leave(&q->access);
	return nb;
}

/* ---- tx: into the guest's receive buffers ---- */

/*
 * Small frames are not copied into the guest as each is placed but all
 * together at the end of the burst, before the used elements are
 * published: the burst first walks every buffer and header, then does its
 * stores back to back. A receive buffer's frame line is usually shared with
 * the driver's core (DPDK's virtio reads every frame's Ethernet header), so
 * each store must take the line back from that core; measured, that store
 * was where a far vCPU placement cost vu most, and batching the stores
 * recovers it: vu-dpdk at 64 B on a 2-vCPU machine, p25 5.97 -> 8.35 Mpps
 * (doc/guides/perf_report.rst). DPDK's vhost batches copies up to 256
 * bytes as well.
 */
#define VHOST_DEFER_MAX	256

static __rte_always_inline void
run_deferred_copies(struct vhost_queue *q)
{
	uint16_t i;

	for (i = 0; i < q->nb_copies; i++)
		rte_memcpy(q->copies[i].dst, q->copies[i].src, q->copies[i].len);
	q->nb_copies = 0;
}

/*
 * Place a small one-segment frame into chain @p k alone, its copy
 * deferred: true when done (its used element recorded), false when the
 * frame needs the general path (larger, chained, the chain's first
 * writable segment too short for header and frame, or dirty logging on,
 * which logs as it copies). Checked before anything else for each packet:
 * it is the 64-byte packet's whole path.
 */
static __rte_always_inline bool
place_small_frame(struct vhost_queue *q, const struct rte_mbuf *m, uint16_t k, uint16_t *nu)
{
	const struct vu_vring_chain *ch = &q->chains[k];
	const struct vu_vring_seg *sg = &ch->seg[ch->nr_read];
	uint32_t len = m->pkt_len;
	struct virtio_net_hdr hdr;
	struct seg_cursor c;

	if (m->data_len != len || len > VHOST_DEFER_MAX || q->ring.log != NULL ||
	    ch->nr_write == 0 || sg->len < q->hdr_len + len)
		return false;
	virtio_net_hdr_from_mbuf(&hdr, m, q->guest_csum);
	hdr.num_buffers = 1;
	cursor_writable(&c, ch);
	cursor_write_hdr(&c, &q->ring, &hdr, q->hdr_len);
	q->copies[q->nb_copies++] = (struct vhost_copy){
		.dst = (uint8_t *)sg->addr + q->hdr_len,
		.src = rte_pktmbuf_mtod(m, const void *), .len = len };
	q->used[(*nu)++] = (struct vu_vring_used_elem){ .id = ch->head, .len = q->hdr_len + len };
	return true;
}

/* Copy header and packet into chains [first, last), the used length of
 * each into q->used[*nu...]. The caller checked the chains hold it all.
 * Returns the bytes of pkt_len the segments did not have (0 but for a
 * malformed mbuf, whose frame the guest gets cut short). */
static __rte_always_inline uint32_t
fill_chains(struct vhost_queue *q, const struct rte_mbuf *m, uint16_t first, uint16_t last,
	    uint16_t *nu)
{
	struct vu_vring_dev *r = &q->ring;
	struct virtio_net_hdr hdr;
	const struct rte_mbuf *seg = m;
	uint32_t seg_off = 0, left = m->pkt_len;
	uint16_t k;

	virtio_net_hdr_from_mbuf(&hdr, m, q->guest_csum);
	hdr.num_buffers = (uint16_t)(last - first);
	for (k = first; k < last; k++) {
		const struct vu_vring_chain *ch = &q->chains[k];
		uint32_t room = ch->write_len, written = 0;
		struct seg_cursor c;

		cursor_writable(&c, ch);
		if (k == first) {
			cursor_write_hdr(&c, r, &hdr, q->hdr_len);
			room -= q->hdr_len;
			written = q->hdr_len;
		}
		while (left > 0 && room > 0) {
			uint32_t chunk = RTE_MIN(room, left);

			chunk = RTE_MIN(chunk, (uint32_t)(seg->data_len - seg_off));
			if (unlikely(chunk == 0)) {
				if (seg->next == NULL)
					break;	/* segments shorter than pkt_len */
				seg = seg->next;	/* an empty segment */
				seg_off = 0;
				continue;
			}
			cursor_write(&c, r, rte_pktmbuf_mtod_offset(seg, const uint8_t *, seg_off),
				     chunk);
			room -= chunk;
			left -= chunk;
			written += chunk;
			seg_off += chunk;
			if (seg_off == seg->data_len && seg->next != NULL) {
				seg = seg->next;
				seg_off = 0;
			}
		}
		q->used[(*nu)++] = (struct vu_vring_used_elem){ .id = ch->head, .len = written };
	}
	return left;
}

uint16_t
vhost_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vhost_queue *q = queue;
	struct vu_vring_dev *r = &q->ring;
	struct vhost_queue_stats *st = &q->st;
	uint16_t sent = 0, nc, ci, nu;

	if (unlikely(!vu_vring_access_enter(&q->access)))
		return 0;
	while (sent < n) {
		/* Without mergeable buffers one chain carries one packet; with
		 * them a packet may need several, so take a full burst and give
		 * back what is left. */
		nc = vu_vring_dev_pop(r, q->chains, q->mrg_rxbuf ? VU_VRING_BURST_MAX :
					  RTE_MIN((uint16_t)(n - sent), VU_VRING_BURST_MAX));
		if (nc == 0)
			break;
		/* Fetch the guest's receive buffers all at once: the header's
		 * line for reading (it is usually written already, see
		 * cursor_write_hdr), the frame's first line for writing. The
		 * first access to each was the tx burst's main stall. */
		for (ci = 0; ci < nc; ci++) {
			const struct vu_vring_chain *ch = &q->chains[ci];

			if (likely(ch->nr_write > 0)) {
				const uint8_t *b = ch->seg[ch->nr_read].addr;

				rte_prefetch0(b);
				rte_prefetch0_write(b + q->hdr_len);
			}
		}
		ci = 0;
		nu = 0;
		while (sent < n && ci < nc) {
			struct rte_mbuf *m = pkts[sent];
			uint64_t need, room = 0;
			uint16_t k = ci;

			if (place_small_frame(q, m, ci, &nu)) {
				st->good_packets++;
				st->good_bytes += m->pkt_len;
				vhost_count_size(st, m->pkt_len);
				ci++;
				sent++;
				continue;
			}
			need = (uint64_t)q->hdr_len + m->pkt_len;
			if (!q->mrg_rxbuf) {
				room = q->chains[k++].write_len;
			} else {
				while (k < nc && room < need)
					room += q->chains[k++].write_len;
			}
			if (unlikely(room < need)) {
				if (!q->mrg_rxbuf) {
					/* This buffer can never hold it: drop the
					 * packet, return the buffer empty. */
					q->used[nu++] = (struct vu_vring_used_elem){
						.id = q->chains[ci].head, .len = 0 };
					st->errors++;
					ci = k;
					sent++;
					continue;
				}
				break;	/* wait for more buffers */
			}
			if (unlikely(fill_chains(q, m, ci, k, &nu) != 0)) {
				st->errors++;
			} else {
				st->good_packets++;
				st->good_bytes += m->pkt_len;
				vhost_count_size(st, m->pkt_len);
			}
			ci = k;
			sent++;
		}
		if (ci < nc)
			vu_vring_dev_unpop(r, (uint16_t)(nc - ci));
		run_deferred_copies(q);	/* before the used elements say they are there */
		vu_vring_dev_push(r, q->used, nu);
		if (ci < nc)
			break;	/* out of packets, or out of buffers for the next one */
	}
	/* vhost copies: the mbufs of every consumed packet are ours to free. */
	rte_pktmbuf_free_bulk(pkts, sent);
	st->missed_pkts += (uint16_t)(n - sent);
	vu_vring_access_leave(&q->access);
	return sent;
}
