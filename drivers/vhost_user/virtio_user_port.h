/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-user net frontend port (net_virtio_user): private state shared
 * by its control plane (virtio_user_port.c, app thread and an EAL alarm)
 * and its burst functions (virtio_user_rxtx.c, data-plane lcores).
 *
 * The rings live in EAL memory and so do the mbufs; both are shared with
 * the backend through the EAL's memseg fds, with guest physical address =
 * our virtual address, so descriptors point straight at mbuf data.
 */
#ifndef VU_VIRTIO_USER_PORT_H
#define VU_VIRTIO_USER_PORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "vu_frontend.h"
#include "vu_port.h"
#include "vu_vring.h"

#include "drv_args.h"
#include "virtio_net.h"

/* Per-queue counters (xstats "rx_q<N>_<name>" / "tx_q<N>_<name>"). */
#define VUSER_QUEUE_STATS(X) \
	X(good_packets,		"packets moved") \
	X(good_bytes,		"bytes moved, virtio-net header excluded") \
	X(errors,		"rx: bad used length; tx: no headroom for the header") \
	X(drop_nombuf,		"rx: mempool empty at refill") \
	X(ring_full,		"tx: packets refused for want of descriptors") \
	X(kicks,		"eventfd writes to the backend (with the running ring's)")

struct vuser_queue_stats {
#define X(name, what) uint64_t name;
	VUSER_QUEUE_STATS(X)
#undef X
};

struct vuser_port;

/* One virtqueue: rxq N is virtqueue 2N (the device's receiveq), txq N is 2N+1. */
struct vuser_queue {
	/* Hot. */
	struct vu_vring_access access;
	struct vu_vring_drv ring;
	struct rte_mempool *mp;		/* rx only */
	uint32_t hdr_len;
	bool mrg_rxbuf;
	uint16_t port_id;		/* for mbuf->port */
	/* rx: a packet whose num_buffers are not all used yet */
	struct rte_mbuf *pend_head;
	struct rte_mbuf *pend_tail;
	uint16_t pend_left;
	struct vuser_queue_stats st;
	void *cookies[VU_VRING_BURST_MAX];
	uint32_t lens[VU_VRING_BURST_MAX];
	/* Cold. */
	struct vuser_port *vp;
	uint16_t vring_index;
	uint16_t size;
	void *mem;			/* desc + avail + used, EAL memory */
	size_t mem_len;
	void *desc, *avail, *used;
	void **drained;			/* room for size cookies: a stop never allocates */
	int kick_fd;
	int call_fd;
} __rte_cache_aligned;

struct vuser_port {
	struct vu_port *port;
	pthread_mutex_t lock;		/* control state; never taken by a burst */
	/* devargs */
	char path[DRV_PATH_LEN];
	uint32_t queues;
	bool server;
	bool mrg_rxbuf;
	bool in_order;
	uint32_t queue_size;
	struct rte_ether_addr mac;
	/* state */
	struct vu_frontend *fe;
	uint64_t features;		/* acked */
	uint16_t nb_queues;		/* queue pairs configured */
	bool configured;
	bool started;			/* the port */
	bool active;			/* rings handed to the backend */
	bool connected;
	struct vuser_queue *q;		/* 2 * queues */
};

uint16_t vuser_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t vuser_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n);

/* Post receive buffers until the ring is full or the pool is empty. */
void vuser_rx_refill(struct vuser_queue *q);

#endif /* VU_VIRTIO_USER_PORT_H */
