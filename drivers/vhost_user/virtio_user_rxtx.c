/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user burst functions, on data-plane lcores. Zero copy on this
 * side: a receive buffer is an mbuf's data room (the virtio-net header
 * just below data_off), a transmitted packet is its mbuf's data with the
 * header prepended into its headroom. The backend copies.
 */
#include <rte_prefetch.h>

#include "virtio_user_port.h"

/* An empty mbuf as a receive buffer: the device writes the header into
 * the hdr_len bytes below the usual data offset, then the frame at data_off. */
static __rte_always_inline struct vu_vring_drv_seg
rx_seg(const struct vuser_queue *q, struct rte_mbuf *m)
{
	return (struct vu_vring_drv_seg){
		.addr = (uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM - q->hdr_len,
		.len = m->buf_len - RTE_PKTMBUF_HEADROOM + q->hdr_len,
		.write = true,
	};
}

void
vuser_rx_refill(struct vuser_queue *q)
{
	struct rte_mbuf *m[VU_VRING_BURST_MAX];
	struct vu_vring_drv_seg segs[VU_VRING_BURST_MAX];
	uint16_t want, added, i;
	bool any = false;

	while ((want = RTE_MIN(vu_vring_drv_free(&q->ring), VU_VRING_BURST_MAX)) > 0) {
		if (rte_pktmbuf_alloc_bulk(q->mp, m, want) != 0) {
			q->st.drop_nombuf++;
			break;
		}
		vu_vring_drv_prepare(&q->ring, want);
		for (i = 0; i < want; i++)
			segs[i] = rx_seg(q, m[i]);
		added = vu_vring_drv_add_burst(&q->ring, segs, (void *const *)m, want);
		any |= added > 0;
		if (added < want) {	/* the ring broke */
			rte_pktmbuf_free_bulk(m + added, want - added);
			break;
		}
	}
	if (any)
		vu_vring_drv_publish(&q->ring);
}

/* A used buffer of @p len bytes (header included for the first buffer of
 * a packet) into @p m's data fields. */
static __rte_always_inline void
set_data(struct vuser_queue *q, struct rte_mbuf *m, uint32_t len, bool first)
{
	if (first) {
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = (uint16_t)(len - q->hdr_len);
	} else {
		m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM - q->hdr_len);
		m->data_len = (uint16_t)len;
	}
	m->pkt_len = m->data_len;
	m->nb_segs = 1;
	m->next = NULL;
	m->port = q->port_id;
	m->ol_flags = 0;
	m->packet_type = 0;
}

uint16_t
vuser_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vuser_queue *q = queue;
	struct vuser_queue_stats *st = &q->st;
	uint16_t got, i, nb = 0;

	if (unlikely(!vu_vring_access_enter(&q->access)))
		return 0;
	got = vu_vring_drv_reclaim(&q->ring, q->cookies, q->lens,
				   RTE_MIN(n, (uint16_t)VU_VRING_BURST_MAX));
	/* The headers the backend has just written: all their misses at once. */
	for (i = 0; i < got; i++)
		rte_prefetch0((uint8_t *)((struct rte_mbuf *)q->cookies[i])->buf_addr +
			      RTE_PKTMBUF_HEADROOM - q->hdr_len);
	for (i = 0; i < got; i++) {
		struct rte_mbuf *m = q->cookies[i];
		uint32_t len = q->lens[i];

		if (q->pend_left > 0) {		/* a continuation buffer */
			set_data(q, m, len, false);
			q->pend_tail->next = m;
			q->pend_tail = m;
			q->pend_head->nb_segs++;
			q->pend_head->pkt_len += len;
			if (--q->pend_left > 0)
				continue;
			m = q->pend_head;
			q->pend_head = NULL;
		} else {
			const struct virtio_net_hdr *h;
			uint16_t nbuf;

			if (unlikely(len < q->hdr_len)) {
				st->errors++;
				rte_pktmbuf_free(m);
				continue;
			}
			set_data(q, m, len, true);
			h = rte_pktmbuf_mtod_offset(m, const struct virtio_net_hdr *,
						    -(int)q->hdr_len);
			virtio_net_hdr_to_mbuf(h, m);
			nbuf = q->mrg_rxbuf ? h->num_buffers : 1;
			if (unlikely(nbuf > q->size)) {
				st->errors++;	/* a backend bug: drop, resync on the next */
				rte_pktmbuf_free(m);
				continue;
			}
			if (unlikely(nbuf > 1)) {
				q->pend_head = m;
				q->pend_tail = m;
				q->pend_left = (uint16_t)(nbuf - 1);
				continue;
			}
		}
		st->good_packets++;
		st->good_bytes += m->pkt_len;
		pkts[nb++] = m;
	}
	/* Refill what came back. And when nothing is posted at all (a refill
	 * found the mempool short), try again on every burst: no buffer will
	 * come back to trigger it, and the queue would stay dead. */
	if (got > 0 || unlikely(vu_vring_drv_free(&q->ring) == q->ring.size &&
				!vu_vring_drv_broken(&q->ring)))
		vuser_rx_refill(q);
	vu_vring_access_leave(&q->access);
	return nb;
}

/* Free the mbufs of transmitted packets. */
static __rte_always_inline void
reclaim_tx(struct vuser_queue *q)
{
	uint16_t got;

	while ((got = vu_vring_drv_reclaim(&q->ring, q->cookies, NULL,
					   VU_VRING_BURST_MAX)) > 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)q->cookies, got);
}

/* The virtio-net header into @p m's headroom; false when there is no room. */
static __rte_always_inline bool
tx_put_hdr(const struct vuser_queue *q, struct rte_mbuf *m)
{
	struct virtio_net_hdr hdr;
	void *h = rte_pktmbuf_prepend(m, (uint16_t)q->hdr_len);

	if (unlikely(h == NULL))
		return false;
	virtio_net_hdr_from_mbuf(&hdr, m, false);
	virtio_net_hdr_put_tx(h, &hdr);
	return true;
}

static __rte_always_inline void
tx_count(struct vuser_queue *q, const struct rte_mbuf *m)
{
	q->st.good_packets++;
	q->st.good_bytes += m->pkt_len - q->hdr_len;
}

/*
 * A run of one-segment packets from pkts[0], added to the ring in one
 * pass. A packet without headroom ends the run (it is dropped when it
 * comes first), so the added ones are always pkts[0..added).
 * Returns the packets consumed; 0 when the ring is full or broken.
 */
static uint16_t
tx_run(struct vuser_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct vu_vring_drv_seg segs[VU_VRING_BURST_MAX];
	uint16_t k, added, i;

	n = RTE_MIN(n, vu_vring_drv_free(&q->ring));
	n = RTE_MIN(n, (uint16_t)VU_VRING_BURST_MAX);
	for (k = 0; k < n && pkts[k]->nb_segs == 1; k++) {
		struct rte_mbuf *m = pkts[k];

		if (unlikely(!tx_put_hdr(q, m))) {
			if (k > 0)
				break;
			q->st.errors++;	/* no headroom: it can't carry a header */
			rte_pktmbuf_free(m);
			return 1;
		}
		segs[k] = (struct vu_vring_drv_seg){
			.addr = rte_pktmbuf_mtod(m, void *), .len = m->data_len };
	}
	if (k == 0)
		return 0;	/* the ring is full */
	added = vu_vring_drv_add_burst(&q->ring, segs, (void *const *)pkts, k);
	for (i = added; i < k; i++)		/* the ring broke */
		rte_pktmbuf_adj(pkts[i], (uint16_t)q->hdr_len);
	for (i = 0; i < added; i++)
		tx_count(q, pkts[i]);
	return added;
}

/* One chained packet; 1 when consumed, 0 when the ring can't take it. */
static uint16_t
tx_chain(struct vuser_queue *q, struct rte_mbuf *m)
{
	struct vu_vring_drv_seg segs[RTE_MBUF_MAX_NB_SEGS > 64 ? 64 : RTE_MBUF_MAX_NB_SEGS];
	struct rte_mbuf *s;
	uint16_t k = 0;

	if (unlikely(m->nb_segs > vu_vring_drv_free(&q->ring) || m->nb_segs > RTE_DIM(segs)))
		return 0;
	if (unlikely(!tx_put_hdr(q, m))) {
		q->st.errors++;
		rte_pktmbuf_free(m);
		return 1;
	}
	for (s = m; s != NULL; s = s->next)
		if (s->data_len > 0)
			segs[k++] = (struct vu_vring_drv_seg){
				.addr = rte_pktmbuf_mtod(s, void *), .len = s->data_len };
	if (unlikely(vu_vring_drv_add(&q->ring, segs, k, m) != 0)) {
		rte_pktmbuf_adj(m, (uint16_t)q->hdr_len);
		return 0;
	}
	tx_count(q, m);
	return 1;
}

uint16_t
vuser_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vuser_queue *q = queue;
	uint16_t sent = 0, done;

	if (unlikely(!vu_vring_access_enter(&q->access)))
		return 0;
	reclaim_tx(q);
	vu_vring_drv_prepare(&q->ring, n);	/* one descriptor per packet, mostly */
	while (sent < n) {
		done = pkts[sent]->nb_segs == 1 ? tx_run(q, pkts + sent, n - sent) :
						  tx_chain(q, pkts[sent]);
		if (done == 0) {
			q->st.ring_full += n - sent;
			break;
		}
		sent += done;
	}
	vu_vring_drv_publish(&q->ring);
	vu_vring_access_leave(&q->access);
	return sent;
}
