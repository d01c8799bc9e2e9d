/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user: vu's frontend (lib/frontend) and driver-side rings
 * (lib/vring) as a vu port, the counterpart of DPDK's virtio-user PMD.
 *
 *   --vdev net_virtio_user0,path=/tmp/s,queues=1,server=0,mrg_rxbuf=1,
 *          in_order=1,queue_size=256,mac=02:00:00:00:00:01
 *
 * Memory: rings and mbufs are EAL memory; the backend gets every EAL memseg
 * through its fd (hugetlbfs files, one per segment list with
 * --single-file-segments; memfd with --no-huge/--in-memory), guest
 * physical address = our virtual address. Memory the EAL maps after the
 * port starts is not shared: create mempools before starting the port.
 *
 * Threads: port ops on the app's thread; frontend events on vu-ctl/vu-fe,
 * which only set flags or schedule an EAL alarm (the activation of a ring
 * set is an API call of the frontend and may not run in its callbacks).
 * vp->lock serialises the control state; bursts never take it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_bitops.h>
#include <rte_errno.h>
#include <rte_eal_memconfig.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "drv_args.h"
#include "drv_log.h"
#include "virtio_user_port.h"

#define VUSER_DEFAULT_QUEUE_SIZE	256
#define VUSER_RING_ALIGN		4096

/* What the port asks for; mergeable and in-order follow the devargs. No
 * offloads: the port moves frames, and a forwarder has no use for a
 * partial checksum it would have to complete. */
#define VUSER_FEATURES_BASE ( \
	RTE_BIT64(VIRTIO_F_VERSION_1) | RTE_BIT64(VIRTIO_NET_F_STATUS) | \
	RTE_BIT64(VIRTIO_NET_F_MAC))

static void activate_alarm(void *arg);

/* ---- guest memory: the EAL's memsegs ---- */

struct region_walk {
	struct vu_frontend_mem_region *r;
	unsigned int n, max;
	int err;
};

/* One memseg: extend the last region when it continues it (same fd,
 * contiguous offset and address), else start a new one. */
static int
add_memseg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct region_walk *w = arg;
	struct vu_frontend_mem_region *last = w->n > 0 ? &w->r[w->n - 1] : NULL;
	size_t off;
	int fd;

	if (msl->external)
		return 0;	/* no fd to share; never used for our mbufs */
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
		w->err = -ENOTSUP;
		return -1;
	}
	if (last != NULL && last->fd == fd && (uint8_t *)last->va + last->size == ms->addr &&
	    last->fd_offset + last->size == off) {
		last->size += ms->len;
		return 0;
	}
	if (w->n == w->max) {
		w->err = -E2BIG;
		return -1;
	}
	w->r[w->n++] = (struct vu_frontend_mem_region){
		.fd = fd, .fd_offset = off, .size = ms->len,
		.gpa = (uint64_t)(uintptr_t)ms->addr, .va = ms->addr,
	};
	return 0;
}

static int
collect_regions(struct vu_frontend_mem_region *r, unsigned int max)
{
	struct region_walk w = { .r = r, .max = max };

	rte_mcfg_mem_read_lock();
	rte_memseg_walk_thread_unsafe(add_memseg, &w);
	rte_mcfg_mem_read_unlock();
	return w.err < 0 ? w.err : (int)w.n;
}

/* ---- rings (vp->lock held) ---- */

static void
queue_free_ring(struct vuser_queue *q)
{
	uint16_t n = vu_vring_drv_drain(&q->ring, q->drained), i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(q->drained[i]);
	if (q->pend_head != NULL)
		rte_pktmbuf_free(q->pend_head);
	q->pend_head = q->pend_tail = NULL;
	q->pend_left = 0;
	/* The ring counts its kicks from 0 each activation: keep them. */
	q->st.kicks += q->ring.stats.kicks;
	q->ring.stats.kicks = 0;
	vu_vring_drv_fini(&q->ring);
}

static int
queue_init_ring(struct vuser_port *vp, struct vuser_queue *q)
{
	struct vu_vring_drv_conf c = {
		.name = vp->port->name, .index = q->vring_index, .size = q->size,
		.desc = q->desc, .avail = q->avail, .used = q->used,
		.features = vp->features, .kick_fd = q->kick_fd, .want_calls = false,
		.addr_offset = 0,
	};
	int ret;

	memset(q->mem, 0, q->mem_len);
	ret = vu_vring_drv_init(&q->ring, &c);
	if (ret != 0)
		return ret;
	q->hdr_len = virtio_net_hdr_len(vp->features);
	q->mrg_rxbuf = (vp->features & RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF)) != 0;
	if (q->mp != NULL)
		vuser_rx_refill(q);
	return 0;
}

/* Negotiate, build the rings and hand them to the backend. */
static int
activate(struct vuser_port *vp)
{
	struct vu_frontend_mem_region *regions;
	struct vu_frontend_vring vr[2 * VU_MAX_QUEUE_PAIRS];
	uint64_t want = VUSER_FEATURES_BASE;
	uint16_t nq = (uint16_t)(2 * vp->nb_queues), i;
	int n, ret;

	if (vp->mrg_rxbuf)
		want |= RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF);
	if (vp->in_order)
		want |= RTE_BIT64(VIRTIO_F_IN_ORDER);
	/* MQ only with more than one queue pair (queues=), as DPDK's
	 * virtio-user: a backend then keeps a single pair's layout. */
	if (vp->queues > 1)
		want |= RTE_BIT64(VIRTIO_NET_F_MQ);
	if (vu_frontend_num_queues(vp->fe) < nq) {
		DRV_LOG(ERR, vp->port->name, "backend has %u rings, %u queue pairs need %u",
			vu_frontend_num_queues(vp->fe), vp->nb_queues, nq);
		return -EINVAL;
	}
	ret = vu_frontend_ack_features(vp->fe, want);
	if (ret != 0)
		return ret;
	vp->features = vu_frontend_acked_features(vp->fe);
	regions = calloc(VU_FRONTEND_MAX_REGIONS, sizeof(*regions));
	if (regions == NULL)
		return -ENOMEM;
	n = collect_regions(regions, VU_FRONTEND_MAX_REGIONS);
	if (n < 0) {
		DRV_LOG(ERR, vp->port->name, "EAL memory cannot be shared (%s): hugepages on "
			"hugetlbfs, or --no-huge/--in-memory, are needed", strerror(-n));
		free(regions);
		return n;
	}
	for (i = 0; i < nq; i++) {
		struct vuser_queue *q = &vp->q[i];

		ret = queue_init_ring(vp, q);
		if (ret != 0)
			goto err_rings;
		vr[i] = (struct vu_frontend_vring){
			.index = i, .size = q->size, .base = 0, .desc = q->desc,
			.avail = q->avail, .used = q->used, .kick_fd = q->kick_fd,
			.call_fd = q->call_fd,
		};
	}
	ret = vu_frontend_activate(vp->fe, regions, (unsigned int)n, vr, nq);
	free(regions);
	regions = NULL;
	if (ret != 0) {
		DRV_LOG(ERR, vp->port->name, "activation: %s", strerror(-ret));
		goto err_rings;
	}
	for (i = 0; i < nq; i++)
		vu_vring_access_start(&vp->q[i].access);
	vp->active = true;
	DRV_LOG(INFO, vp->port->name, "%u queue pairs active, features 0x%" PRIx64,
		vp->nb_queues, vp->features);
	return 0;
err_rings:
	free(regions);
	while (i-- > 0)
		queue_free_ring(&vp->q[i]);
	return ret;
}

/* Take the rings back from the data plane and the backend. */
static void
deactivate(struct vuser_port *vp)
{
	uint16_t nq = (uint16_t)(2 * vp->nb_queues), i;

	if (!vp->active)
		return;
	for (i = 0; i < nq; i++)
		vu_vring_access_stop(&vp->q[i].access);
	for (i = 0; i < nq; i++) {
		/* Also with the backend gone: the frontend must forget the
		 * ring before it is freed, or its recovery would hand the
		 * freed ring to the next backend. */
		vu_frontend_deactivate_vring(vp->fe, i, NULL);
		queue_free_ring(&vp->q[i]);
	}
	vp->active = false;
}

/* A backend appeared after the port started (server mode, or a client
 * that reconnected before its first activation): activate from the EAL's
 * interrupt thread, where frontend calls are allowed. */
static void
activate_alarm(void *arg)
{
	struct vuser_port *vp = arg;

	pthread_mutex_lock(&vp->lock);
	if (vp->started && !vp->active && vp->connected &&
	    vu_frontend_connected(vp->fe))
		activate(vp);
	pthread_mutex_unlock(&vp->lock);
}

static void
fe_event(struct vu_frontend *fe, enum vu_frontend_event ev, void *arg)
{
	struct vuser_port *vp = arg;

	RTE_SET_USED(fe);
	switch (ev) {
	case VU_FRONTEND_EV_CONNECTED:
	case VU_FRONTEND_EV_RECOVERED:
		__atomic_store_n(&vp->connected, true, __ATOMIC_RELEASE);
		DRV_LOG(INFO, vp->port->name, "backend %s", ev == VU_FRONTEND_EV_CONNECTED ?
			"connected" : "reconnected, rings recovered");
		rte_eal_alarm_set(1, activate_alarm, vp);
		break;
	case VU_FRONTEND_EV_DISCONNECTED:
		__atomic_store_n(&vp->connected, false, __ATOMIC_RELEASE);
		DRV_LOG(WARNING, vp->port->name, "backend gone");
		break;
	case VU_FRONTEND_EV_RECOVERY_FAILED:
		__atomic_store_n(&vp->connected, false, __ATOMIC_RELEASE);
		DRV_LOG(ERR, vp->port->name, "backend reconnected but recovery failed");
		break;
	case VU_FRONTEND_EV_CONFIG_CHANGED:
		break;
	}
}

static const struct vu_frontend_ops vuser_fe_ops = {
	.event = fe_event,
};

/* ---- port ops ---- */

static int
vuser_probe(struct vu_port *port, const char *args)
{
	struct vuser_port *vp;
	char path[DRV_PATH_LEN] = "";
	uint32_t queues = 1, queue_size = VUSER_DEFAULT_QUEUE_SIZE;
	bool server = false, mrg_rxbuf = true, in_order = true, mac_set = false;
	struct rte_ether_addr mac;
	const struct drv_arg table[] = {
		{ "path", DRV_ARG_PATH, path, 0, 0, true },
		{ "queues", DRV_ARG_U32, &queues, 1, VU_MAX_QUEUE_PAIRS, false },
		{ "server", DRV_ARG_BOOL, &server, 0, 0, false },
		{ "mrg_rxbuf", DRV_ARG_BOOL, &mrg_rxbuf, 0, 0, false },
		{ "in_order", DRV_ARG_BOOL, &in_order, 0, 0, false },
		{ "queue_size", DRV_ARG_U32, &queue_size, 1, VU_VRING_MAX_SIZE, false },
		{ "mac", DRV_ARG_MAC, &mac, 0, 0, false },
		/* DPDK's keys for what vu does not do: accepted switched off. */
		{ "cq", DRV_ARG_ZERO, NULL, 0, 0, false },
		{ "packed_vq", DRV_ARG_ZERO, NULL, 0, 0, false },
		{ "vectorized", DRV_ARG_ZERO, NULL, 0, 0, false },
	};
	int ret;

	memset(&mac, 0, sizeof(mac));
	ret = drv_args_parse(port->name, args, table, RTE_DIM(table));
	if (ret < 0)
		return ret;
	mac_set = !rte_is_zero_ether_addr(&mac);
	if (!rte_is_power_of_2(queue_size)) {
		DRV_LOG(ERR, port->name, "queue_size=%u: must be a power of 2", queue_size);
		return -EINVAL;
	}
	vp = rte_zmalloc_socket(port->name, sizeof(*vp), RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (vp != NULL)
		vp->q = rte_zmalloc_socket(port->name, 2 * queues * sizeof(*vp->q),
					   RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (vp == NULL || vp->q == NULL) {
		rte_free(vp);
		return -ENOMEM;
	}
	vp->port = port;
	pthread_mutex_init(&vp->lock, NULL);
	strcpy(vp->path, path);
	vp->queues = queues;
	vp->server = server;
	vp->mrg_rxbuf = mrg_rxbuf;
	vp->in_order = in_order;
	vp->queue_size = queue_size;
	if (mac_set)
		vp->mac = mac;
	else
		rte_eth_random_addr(vp->mac.addr_bytes);
	for (uint32_t i = 0; i < 2 * queues; i++) {
		vp->q[i].vp = vp;
		vp->q[i].vring_index = (uint16_t)i;
		vp->q[i].port_id = port->id;
		vp->q[i].kick_fd = -1;
		vp->q[i].call_fd = -1;
		vu_vring_access_init(&vp->q[i].access);
	}
	port->priv = vp;
	port->rx_burst = vuser_rx_burst;
	port->tx_burst = vuser_tx_burst;
	return 0;
}

static void
queue_release(struct vuser_queue *q)
{
	rte_free(q->mem);
	q->mem = NULL;
	free(q->drained);
	q->drained = NULL;
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	q->kick_fd = q->call_fd = -1;
}

/* Ring memory and eventfds of one queue, in EAL memory so it is shared. */
static int
queue_alloc(struct vuser_port *vp, struct vuser_queue *q, uint16_t size)
{
	size_t desc = VU_VRING_DESC_BYTES(size);
	size_t avail = RTE_ALIGN_CEIL(VU_VRING_AVAIL_BYTES(size), VU_VRING_USED_ALIGN);
	size_t used = VU_VRING_USED_BYTES(size);

	q->size = size;
	q->mem_len = desc + avail + used;
	q->mem = rte_zmalloc_socket(vp->port->name, q->mem_len, VUSER_RING_ALIGN, SOCKET_ID_ANY);
	q->drained = malloc(sizeof(*q->drained) * size);
	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->mem == NULL || q->drained == NULL || q->kick_fd < 0 || q->call_fd < 0) {
		queue_release(q);
		return -ENOMEM;
	}
	q->desc = q->mem;
	q->avail = (uint8_t *)q->mem + desc;
	q->used = (uint8_t *)q->mem + desc + avail;
	return 0;
}

static int
vuser_configure(struct vu_port *port, const struct vu_port_conf *conf)
{
	struct vuser_port *vp = port->priv;
	uint16_t nq = RTE_MAX(conf->nb_rx_queues, conf->nb_tx_queues), i;
	/* As DPDK's virtio-user: the ring size is queue_size=, the rxd/txd
	 * an app asks for is not the port's to choose. */
	uint16_t size = (uint16_t)vp->queue_size;
	int ret = 0;

	if (nq == 0 || nq > vp->queues) {
		DRV_LOG(ERR, port->name, "%u rx / %u tx queues asked, queues=%u",
			conf->nb_rx_queues, conf->nb_tx_queues, vp->queues);
		return -EINVAL;
	}
	if (vp->fe == NULL) {
		struct vu_frontend_conf fc = {
			.path = vp->path,
			.mode = vp->server ? VU_FRONTEND_SERVER : VU_FRONTEND_CLIENT,
			.reconnect = !vp->server, .conn_fd = -1, .device_type = 1,
			.base_features = VUSER_FEATURES_BASE | RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF) |
					 RTE_BIT64(VIRTIO_F_IN_ORDER) | RTE_BIT64(VIRTIO_NET_F_MQ),
			.max_queue_size = (uint16_t)vp->queue_size,
			.ops = &vuser_fe_ops, .arg = vp,
		};

		vp->fe = vu_frontend_create(&fc);
		if (vp->fe == NULL) {
			DRV_LOG(ERR, port->name, "cannot reach a backend at %s: %s", vp->path,
				rte_strerror(rte_errno));
			return -rte_errno;
		}
		if (vu_frontend_connected(vp->fe))
			__atomic_store_n(&vp->connected, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&vp->lock);
	for (i = 0; i < 2 * vp->queues; i++)
		queue_release(&vp->q[i]);
	vp->configured = false;		/* until every queue is there again */
	vp->nb_queues = 0;
	for (i = 0; i < 2 * nq && ret == 0; i++)
		ret = queue_alloc(vp, &vp->q[i], size);
	if (ret != 0) {
		for (i = 0; i < 2 * nq; i++)
			queue_release(&vp->q[i]);
	} else {
		for (i = 0; i < vp->queues; i++) {
			vp->q[2 * i].mp = conf->mp;
			port->rxq[i] = &vp->q[2 * i];
			port->txq[i] = &vp->q[2 * i + 1];
		}
		vp->nb_queues = nq;
		vp->configured = true;
	}
	pthread_mutex_unlock(&vp->lock);
	return ret;
}

static int
vuser_start(struct vu_port *port)
{
	struct vuser_port *vp = port->priv;
	int ret = 0;

	pthread_mutex_lock(&vp->lock);
	if (!vp->configured) {
		pthread_mutex_unlock(&vp->lock);
		return -EINVAL;
	}
	vp->started = true;
	if (!vp->active && vp->connected && vu_frontend_connected(vp->fe))
		ret = activate(vp);
	if (ret != 0)
		vp->started = false;
	pthread_mutex_unlock(&vp->lock);
	return ret;
}

static int
vuser_stop(struct vu_port *port)
{
	struct vuser_port *vp = port->priv;

	pthread_mutex_lock(&vp->lock);
	vp->started = false;
	deactivate(vp);
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static void
vuser_close(struct vu_port *port)
{
	struct vuser_port *vp = port->priv;
	uint32_t i;

	rte_eal_alarm_cancel(activate_alarm, vp);
	pthread_mutex_lock(&vp->lock);
	deactivate(vp);
	pthread_mutex_unlock(&vp->lock);
	if (vp->fe != NULL)
		vu_frontend_destroy(vp->fe);
	rte_eal_alarm_cancel(activate_alarm, vp);	/* one set by a last event */
	for (i = 0; i < 2 * vp->queues; i++)
		queue_release(&vp->q[i]);
	pthread_mutex_destroy(&vp->lock);
	rte_free(vp->q);
	rte_free(vp);
	port->priv = NULL;
}

static int
vuser_stats_get(struct vu_port *port, struct vu_port_stats *s)
{
	struct vuser_port *vp = port->priv;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vp->queues; i++) {
		const struct vuser_queue_stats *rx = &vp->q[2 * i].st;
		const struct vuser_queue_stats *tx = &vp->q[2 * i + 1].st;

		s->q_ipackets[i] = rx->good_packets;
		s->q_ibytes[i] = rx->good_bytes;
		s->q_opackets[i] = tx->good_packets;
		s->q_obytes[i] = tx->good_bytes;
		s->ipackets += rx->good_packets;
		s->ibytes += rx->good_bytes;
		s->ierrors += rx->errors;
		s->rx_nombuf += rx->drop_nombuf;
		s->opackets += tx->good_packets;
		s->obytes += tx->good_bytes;
		s->oerrors += tx->errors;
	}
	return 0;
}

static int
vuser_stats_reset(struct vu_port *port)
{
	struct vuser_port *vp = port->priv;
	uint32_t i;

	/* The ring's own kicks (0 once folded) are subtracted (modulo 2^64):
	 * the xstat, port counter plus ring's, reads 0. */
	for (i = 0; i < 2 * vp->queues; i++) {
		memset(&vp->q[i].st, 0, sizeof(vp->q[i].st));
		vp->q[i].st.kicks = 0 - vp->q[i].ring.stats.kicks;
	}
	return 0;
}

static const char *const queue_stat_names[] = {
#define X(name, what) #name,
	VUSER_QUEUE_STATS(X)
#undef X
};
#define NB_QUEUE_STATS RTE_DIM(queue_stat_names)

static int
vuser_xstats_get(struct vu_port *port, struct vu_port_xstat *xs, unsigned int n)
{
	struct vuser_port *vp = port->priv;
	unsigned int k = 0, i, j;
	const unsigned int kicks = offsetof(struct vuser_queue_stats, kicks) / sizeof(uint64_t);

	for (i = 0; i < 2 * vp->queues; i++) {
		const struct vuser_queue *q = &vp->q[i];
		const uint64_t *v = (const uint64_t *)&q->st;

		for (j = 0; j < NB_QUEUE_STATS; j++, k++) {
			if (k >= n)
				continue;
			snprintf(xs[k].name, sizeof(xs[k].name), "%s_q%u_%s",
				 (i % 2) ? "tx" : "rx", i / 2, queue_stat_names[j]);
			xs[k].value = j == kicks ? v[j] + q->ring.stats.kicks : v[j];
		}
	}
	return (int)k;
}

static int
vuser_link_get(struct vu_port *port, struct vu_port_link *link)
{
	struct vuser_port *vp = port->priv;

	*link = (struct vu_port_link){
		.up = __atomic_load_n(&vp->connected, __ATOMIC_ACQUIRE) && vp->active,
		.speed_mbps = 10000, .full_duplex = true };
	return 0;
}

static int
vuser_info_get(struct vu_port *port, struct vu_port_info *info)
{
	struct vuser_port *vp = port->priv;

	pthread_mutex_lock(&vp->lock);
	*info = (struct vu_port_info){
		.driver = "net_virtio_user",
		.max_rx_queues = (uint16_t)vp->queues,
		.max_tx_queues = (uint16_t)vp->queues,
		.nb_rx_queues = port->conf.nb_rx_queues,
		.nb_tx_queues = port->conf.nb_tx_queues,
		.nb_rx_desc = vp->configured ? vp->q[0].size : 0,
		.nb_tx_desc = vp->configured ? vp->q[1].size : 0,
		.mtu = RTE_ETHER_MTU,
		.mac = vp->mac,
		.server = vp->server,
		.features = vp->active ? vp->features : 0,
		.protocol_features = vp->fe != NULL ? vu_frontend_protocol_features(vp->fe) : 0,
	};
	strcpy(info->socket_path, vp->path);
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int
save_file(const char *file, const void *buf, size_t len)
{
	FILE *f = fopen(file, "wb");
	int ret = 0;

	if (f == NULL)
		return -errno;
	if (fwrite(buf, 1, len, f) != len)
		ret = -EIO;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int
load_file(const char *file, void **buf, size_t *len)
{
	FILE *f = fopen(file, "rb");
	long sz;
	int ret = 0;

	if (f == NULL)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	*buf = malloc(sz > 0 ? (size_t)sz : 1);
	if (*buf == NULL)
		ret = -ENOMEM;
	else if (fread(*buf, 1, (size_t)sz, f) != (size_t)sz)
		ret = -EIO;
	fclose(f);
	if (ret != 0) {
		free(*buf);
		*buf = NULL;
	}
	*len = (size_t)sz;
	return ret;
}

static int
vuser_dev_op(struct vu_port *port, enum vu_port_dev_op op, const char *file)
{
	struct vuser_port *vp = port->priv;
	void *buf = NULL;
	size_t len = 0;
	int ret;

	if (vp->fe == NULL || !vp->active)
		return -ENOTCONN;
	pthread_mutex_lock(&vp->lock);
	switch (op) {
	case VU_PORT_DEV_SLEEP:
		ret = vu_frontend_sleep(vp->fe, NULL);
		break;
	case VU_PORT_DEV_WAKE:
		ret = vu_frontend_wake(vp->fe);
		break;
	case VU_PORT_DEV_SNAPSHOT:
		ret = vu_frontend_snapshot(vp->fe, &buf, &len);
		if (ret == 0)
			ret = save_file(file, buf, len);
		if (ret == 0)
			DRV_LOG(INFO, port->name, "device state: %zu bytes to %s", len, file);
		free(buf);
		break;
	case VU_PORT_DEV_RESTORE:
		ret = load_file(file, &buf, &len);
		if (ret == 0)
			ret = vu_frontend_restore(vp->fe, buf, len);
		if (ret == 0)
			DRV_LOG(INFO, port->name, "device state: %zu bytes from %s", len, file);
		free(buf);
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&vp->lock);
	return ret;
}

static int
vuser_dump(struct vu_port *port, FILE *f)
{
	struct vuser_port *vp = port->priv;
	struct vu_frontend_mem_region *regions = calloc(VU_FRONTEND_MAX_REGIONS, sizeof(*regions));
	int n, i;

	if (regions == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&vp->lock);
	fprintf(f, "virtio-user port %u (%s): %s %s, backend %s, rings %s\n", port->id,
		port->name, vp->server ? "server" : "client", vp->path,
		vp->connected ? "connected" : "not connected", vp->active ? "active" : "idle");
	fprintf(f, "negotiated Virtio features: 0x%" PRIx64 "\n", vp->active ? vp->features : 0);
	fprintf(f, "negotiated protocol features: 0x%" PRIx64 "\n",
		vp->fe != NULL ? vu_frontend_protocol_features(vp->fe) : 0);
	n = collect_regions(regions, VU_FRONTEND_MAX_REGIONS);
	fprintf(f, "memory regions: %d\n", n);
	for (i = 0; i < n; i++)
		fprintf(f, "  region %d: gpa 0x%" PRIx64 " size 0x%" PRIx64 " fd offset 0x%"
			PRIx64 "\n", i, regions[i].gpa, regions[i].size, regions[i].fd_offset);
	for (i = 0; vp->active && i < 2 * vp->nb_queues; i++) {
		const struct vu_vring_drv *r = &vp->q[i].ring;

		fprintf(f, "  vring %d (%s %d): size %u avail_idx %u last_used %u outstanding %u "
			"kicks %" PRIu64 " %s\n", i, i % 2 ? "tx" : "rx", i / 2, r->size,
			r->avail_idx, r->last_used, r->outstanding, r->stats.kicks,
			vu_vring_drv_broken(r) ? vu_vring_error_str(vu_vring_drv_broken(r)) : "ok");
	}
	pthread_mutex_unlock(&vp->lock);
	free(regions);
	return 0;
}

static const struct vu_port_ops vuser_port_ops = {
	.driver = "net_virtio_user",
	.probe = vuser_probe,
	.configure = vuser_configure,
	.start = vuser_start,
	.stop = vuser_stop,
	.close = vuser_close,
	.stats_get = vuser_stats_get,
	.stats_reset = vuser_stats_reset,
	.xstats_get = vuser_xstats_get,
	.link_get = vuser_link_get,
	.info_get = vuser_info_get,
	.dev_op = vuser_dev_op,
	.dump = vuser_dump,
};

RTE_INIT(vuser_port_register)
{
	vu_port_driver_register(&vuser_port_ops);
}
