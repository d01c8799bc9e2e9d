/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user net backend port (net_vhost): private state shared by its
 * control plane (vhost_port.c, on the app thread and vu-ctl) and its burst
 * functions (vhost_rxtx.c, on data-plane lcores).
 */
#ifndef VU_VHOST_PORT_H
#define VU_VHOST_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "vu_backend.h"
#include "vu_port.h"
#include "vu_vring.h"

#include "drv_args.h"
#include "virtio_net.h"

/*
 * Per-queue counters. X(name, what): the xstat is "rx_q<N>_<name>" or
 * "tx_q<N>_<name>". Names and size ranges are DPDK 22.11 net_vhost's (its
 * vhost library's per-virtqueue statistics) where one exists; the drops by
 * reason and rarp_sent are vu's. Not kept: multicast and broadcast counts,
 * which would read every frame's destination address on the burst path.
 */
#define VHOST_QUEUE_STATS(X) \
	X(good_packets,		"packets moved") \
	X(good_bytes,		"bytes moved, virtio-net header excluded") \
	X(missed_pkts,		"tx: no guest buffer for the packet") \
	X(errors,		"rx: chain shorter than the header or longer than a frame; " \
				"tx: frame larger than a guest buffer, no mergeable buffers") \
	X(drop_nombuf,		"rx: mempool empty") \
	X(undersize_packets,	"shorter than 64 bytes") \
	X(size_64_packets,	"") \
	X(size_65_127_packets,	"") \
	X(size_128_255_packets, "") \
	X(size_256_511_packets, "") \
	X(size_512_1023_packets, "") \
	X(size_1024_1518_packets, "") \
	X(size_1519_max_packets, "") \
	X(guest_notifications,	"eventfd writes to the guest") \
	X(rarp_sent,		"rx: RARP announcements injected after SEND_RARP")

struct vhost_queue_stats {
#define X(name, what) uint64_t name;
	VHOST_QUEUE_STATS(X)
#undef X
};

struct vhost_port;

/* One virtqueue: rxq N is virtqueue 2N+1 (the guest transmits), txq N is 2N. */
struct vhost_queue {
	/* Hot: the burst path. */
	struct vu_vring_access access;	/* control/data hand-off */
	struct vu_vring_dev ring;
	struct rte_mempool *mp;		/* rx only */
	uint32_t hdr_len;		/* virtio-net header bytes */
	bool mrg_rxbuf;
	bool guest_csum;
	uint16_t port_id;		/* for mbuf->port */
	struct vhost_port *vp;
	struct vhost_queue_stats st;
	/* Burst scratch: popped chains and the used elements to publish. */
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];
	struct vu_vring_chain chains[VU_VRING_BURST_MAX];
	/* tx: small frames whose copy into the guest waits for the end of the
	 * burst (vhost_rxtx.c, place_small_frame()). */
	struct vhost_copy {
		void *dst;
		const void *src;
		uint32_t len;
	} copies[VU_VRING_BURST_MAX];
	uint16_t nb_copies;
	/* Cold: control plane, under vp->lock. */
	uint16_t vring_index;
	bool ring_started;		/* the backend gave us the ring */
	bool ring_enabled;
} __rte_cache_aligned;

struct vhost_port {
	struct vu_port *port;
	pthread_mutex_t lock;		/* control state; never taken by a burst */
	/* devargs */
	char iface[DRV_PATH_LEN];
	uint32_t queues;		/* queue pairs offered */
	bool client;
	/* device */
	struct vu_device_ops ops;	/* per port: max_queues follows queues= */
	struct vu_backend *backend;
	struct rte_ether_addr mac;	/* config space; random, locally administered */
	uint16_t mtu;
	uint16_t status;		/* VIRTIO_NET_S_* */
	bool connected;
	bool started;			/* the port, not the rings */
	/* RARP to inject on rx queue 0: SEND_RARP's MAC (bytes 0-5 in bits
	 * 0-47) | VHOST_RARP_PENDING. One word, so the rx lcore never reads a
	 * MAC half rewritten, and clears it by compare-and-swap, so a request
	 * made meanwhile is not lost. */
	uint64_t rarp_request;
	struct vhost_queue *q;		/* 2 * queues */
};

#define VHOST_RARP_PENDING RTE_BIT64(63)

/* Count one packet of @p len bytes in its size bucket (DPDK's ranges). */
static inline void
vhost_count_size(struct vhost_queue_stats *st, uint32_t len)
{
	if (len == 64)
		st->size_64_packets++;
	else if (len < 64)
		st->undersize_packets++;
	else if (len <= 127)
		st->size_65_127_packets++;
	else if (len <= 255)
		st->size_128_255_packets++;
	else if (len <= 511)
		st->size_256_511_packets++;
	else if (len <= 1023)
		st->size_512_1023_packets++;
	else if (len <= 1518)
		st->size_1024_1518_packets++;
	else
		st->size_1519_max_packets++;
}

uint16_t vhost_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t vhost_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);

#endif /* VU_VHOST_PORT_H */
