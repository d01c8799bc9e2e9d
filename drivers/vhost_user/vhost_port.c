/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost: a vhost-user net device (lib/backend) as a vu port. The
 * control plane here turns the backend's start_queue/stop_queue into ring
 * hand-offs to the data plane (vu_vring_access), and answers the port API.
 *
 * Threads: port ops run on the app's thread, device ops on vu-ctl; both
 * take vp->lock. Bursts never take it: a queue is reachable by a burst only
 * between vu_vring_access_start() and vu_vring_access_stop().
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bitops.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "drv_args.h"
#include "drv_log.h"
#include "vhost_port.h"

RTE_LOG_REGISTER_SUFFIX(vu_driver_logtype_config, config, INFO);

/* What DPDK 22.11's vhost library offers a net front-end, minus what vu
 * leaves to the front-end (control queue) or does not do (packed ring,
 * IOMMU, TSO). */
#define VHOST_FEATURES ( \
	RTE_BIT64(VIRTIO_NET_F_CSUM) | RTE_BIT64(VIRTIO_NET_F_GUEST_CSUM) | \
	RTE_BIT64(VIRTIO_NET_F_MTU) | RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF) | \
	RTE_BIT64(VIRTIO_NET_F_STATUS) | RTE_BIT64(VIRTIO_NET_F_GUEST_ANNOUNCE) | \
	RTE_BIT64(VIRTIO_NET_F_MQ) | RTE_BIT64(VIRTIO_F_ANY_LAYOUT) | \
	RTE_BIT64(VIRTIO_F_INDIRECT_DESC) | RTE_BIT64(VIRTIO_F_EVENT_IDX) | \
	RTE_BIT64(VIRTIO_F_VERSION_1) | RTE_BIT64(VIRTIO_F_IN_ORDER) | \
	RTE_BIT64(VU_F_LOG_ALL))

#define VHOST_PROTOCOL_FEATURES ( \
	RTE_BIT64(VU_PF_MQ) | RTE_BIT64(VU_PF_LOG_SHMFD) | RTE_BIT64(VU_PF_RARP) | \
	RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_NET_MTU) | \
	RTE_BIT64(VU_PF_BACKEND_REQ) | RTE_BIT64(VU_PF_CONFIG) | \
	RTE_BIT64(VU_PF_INFLIGHT_SHMFD) | RTE_BIT64(VU_PF_RESET_DEVICE) | \
	RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS) | RTE_BIT64(VU_PF_STATUS) | \
	RTE_BIT64(VU_PF_DEVICE_STATE))

/* Device state saved by SET_DEVICE_STATE_FD: what the rings don't carry. */
struct vhost_saved_state {
	uint32_t version;
#define VHOST_STATE_VERSION 1
	uint16_t mtu;
	uint16_t status;
	uint8_t mac[RTE_ETHER_ADDR_LEN];
} __rte_packed;

static struct vhost_port *
backend_port(struct vu_backend *b)
{
	return vu_backend_priv(b);
}

/* ---- ring hand-off (vp->lock held) ---- */

static struct vhost_queue *
queue_of(struct vhost_port *vp, uint16_t vring_index)
{
	return vring_index < 2 * vp->queues ? &vp->q[vring_index] : NULL;
}

/* The data plane may use the ring iff the backend gave it, the front-end
 * enabled it, and the port is started. */
static void
queue_update_access(struct vhost_port *vp, struct vhost_queue *q)
{
	bool usable = q->ring_started && q->ring_enabled && vp->started;

	vu_vring_access_stop(&q->access);
	if (usable)
		vu_vring_access_start(&q->access);
}

/* Link is up when a front-end is connected and queue pair 0 runs. */
static bool
link_up(const struct vhost_port *vp)
{
	return vp->connected && vp->q[0].ring_started && vp->q[0].ring_enabled &&
	       vp->q[1].ring_started && vp->q[1].ring_enabled;
}

/* ---- device ops (vu-ctl thread) ---- */

static int
dev_read_config(struct vu_backend *b, uint32_t offset, void *buf, uint32_t size)
{
	struct vhost_port *vp = backend_port(b);
	struct virtio_net_config c;

	pthread_mutex_lock(&vp->lock);
	memcpy(c.mac, vp->mac.addr_bytes, sizeof(c.mac));
	c.status = vp->status | (link_up(vp) ? VIRTIO_NET_S_LINK_UP : 0);
	c.max_virtqueue_pairs = (uint16_t)vp->queues;
	c.mtu = vp->mtu;
	pthread_mutex_unlock(&vp->lock);
	memset(buf, 0, size);
	if (offset < sizeof(c))
		memcpy(buf, (uint8_t *)&c + offset, RTE_MIN(size, (uint32_t)sizeof(c) - offset));
	return 0;
}

/*
 * The ring counts its own eventfd writes and starts again from 0 each time
 * it is initialised: before the ring goes, the port's notifications
 * counter takes in what it counted and the ring's count is zeroed, so the
 * xstat is always the port's counter plus the ring's (called with vp->lock
 * held, the ring out of the data plane's hands; as net_virtio_user's kicks).
 */
static void
fold_ring_calls(struct vhost_queue *q)
{
	q->st.guest_notifications += q->ring.stats.calls;
	q->ring.stats.calls = 0;
}

static int
dev_start_queue(struct vu_backend *b, const struct vu_backend_vring *vr)
{
	struct vhost_port *vp = backend_port(b);
	struct vhost_queue *q = queue_of(vp, vr->index);
	struct vu_vring_dev_conf conf;
	int ret;

	if (q == NULL)
		return -EINVAL;
	conf = (struct vu_vring_dev_conf){
		.name = vp->port->name, .index = vr->index, .size = vr->size,
		.desc = vr->desc, .avail = vr->avail, .used = vr->used,
		.last_avail = vr->base, .features = vr->features, .mem = vr->mem,
		.call_fd = vr->call_fd, .err_fd = vr->err_fd, .log = vr->log,
		.used_gpa = vr->used_gpa, .log_used = vr->log_used, .inflight = vr->inflight,
		.inflight_size = vr->inflight_size,
	};
	pthread_mutex_lock(&vp->lock);
	vu_vring_access_stop(&q->access);
	fold_ring_calls(q);
	ret = vu_vring_dev_init(&q->ring, &conf);
	/* A failed init may have half-reset the ring: it is not started. */
	q->ring_started = ret == 0;
	if (ret == 0) {
		q->hdr_len = virtio_net_hdr_len(vr->features);
		q->mrg_rxbuf = (vr->features & RTE_BIT64(VIRTIO_NET_F_MRG_RXBUF)) != 0;
		q->guest_csum = (vr->features & RTE_BIT64(VIRTIO_NET_F_GUEST_CSUM)) != 0;
		q->ring_enabled = vr->enabled;
	}
	queue_update_access(vp, q);
	pthread_mutex_unlock(&vp->lock);
	return ret;
}

static int
dev_stop_queue(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	struct vhost_port *vp = backend_port(b);
	struct vhost_queue *q = queue_of(vp, index);

	if (q == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vp->lock);
	vu_vring_access_stop(&q->access);
	*next_avail = q->ring_started ? vu_vring_dev_last_avail(&q->ring) : 0;
	fold_ring_calls(q);
	q->ring_started = false;
	q->ring_enabled = false;
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static void
dev_reset(struct vu_backend *b)
{
	struct vhost_port *vp = backend_port(b);

	pthread_mutex_lock(&vp->lock);
	vp->status = 0;
	__atomic_store_n(&vp->rarp_request, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&vp->lock);
}

static int
dev_suspended(struct vu_backend *b)
{
	RTE_SET_USED(b);
	return 0;	/* every ring is already handed back: nothing runs */
}

static int
dev_save_state(struct vu_backend *b, void **buf, size_t *len)
{
	struct vhost_port *vp = backend_port(b);
	struct vhost_saved_state *s = malloc(sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&vp->lock);
	*s = (struct vhost_saved_state){ .version = VHOST_STATE_VERSION, .mtu = vp->mtu,
					 .status = vp->status };
	memcpy(s->mac, vp->mac.addr_bytes, sizeof(s->mac));
	pthread_mutex_unlock(&vp->lock);
	*buf = s;
	*len = sizeof(*s);
	return 0;
}

static int
dev_load_state(struct vu_backend *b, const void *buf, size_t len)
{
	struct vhost_port *vp = backend_port(b);
	struct vhost_saved_state s;

	if (len != sizeof(s))
		return -EINVAL;
	memcpy(&s, buf, sizeof(s));
	if (s.version != VHOST_STATE_VERSION) {
		DRV_LOG(ERR, vp->port->name, "device state version %u, expected %u",
			s.version, VHOST_STATE_VERSION);
		return -EINVAL;
	}
	pthread_mutex_lock(&vp->lock);
	vp->mtu = s.mtu;
	vp->status = s.status;
	memcpy(vp->mac.addr_bytes, s.mac, sizeof(s.mac));
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int
dev_set_mtu(struct vu_backend *b, uint16_t mtu)
{
	struct vhost_port *vp = backend_port(b);

	pthread_mutex_lock(&vp->lock);
	vp->mtu = mtu;
	pthread_mutex_unlock(&vp->lock);
	DRV_LOG(INFO, vp->port->name, "MTU %u", mtu);
	return 0;
}

/* SEND_RARP: the guest moved; announce its MAC from rx queue 0, as a
 * switch port would have learnt it (DPDK's vhost does the same). */
static int
dev_send_rarp(struct vu_backend *b, const uint8_t mac[6])
{
	struct vhost_port *vp = backend_port(b);
	uint64_t request = VHOST_RARP_PENDING;
	unsigned int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		request |= (uint64_t)mac[i] << (8 * i);
	__atomic_store_n(&vp->rarp_request, request, __ATOMIC_RELAXED);
	return 0;
}

static void
dev_connection(struct vu_backend *b, bool up)
{
	struct vhost_port *vp = backend_port(b);

	pthread_mutex_lock(&vp->lock);
	vp->connected = up;
	pthread_mutex_unlock(&vp->lock);
	DRV_LOG(INFO, vp->port->name, "front-end %s", up ? "connected" : "gone");
}

static const struct vu_device_ops vhost_device_ops = {
	.type = "net",
	.features = VHOST_FEATURES,
	.protocol_features = VHOST_PROTOCOL_FEATURES,
	.read_config = dev_read_config,
	.start_queue = dev_start_queue,
	.stop_queue = dev_stop_queue,
	.reset = dev_reset,
	.enter_suspended_state = dev_suspended,
	.save_state = dev_save_state,
	.load_state = dev_load_state,
	.set_mtu = dev_set_mtu,
	.send_rarp = dev_send_rarp,
	.connection = dev_connection,
};

/* ---- port ops (app thread) ---- */

static int
vhost_probe(struct vu_port *port, const char *args)
{
	struct vhost_port *vp;
	uint32_t queues = 1;
	bool client = false;
	char iface[DRV_PATH_LEN] = "";
	const struct drv_arg table[] = {
		{ "iface", DRV_ARG_PATH, iface, 0, 0, true },
		{ "queues", DRV_ARG_U32, &queues, 1, VU_MAX_QUEUE_PAIRS, false },
		{ "client", DRV_ARG_BOOL, &client, 0, 0, false },
		/* DPDK's keys for what vu does not do: accepted switched off. */
		{ "iommu-support", DRV_ARG_ZERO, NULL, 0, 0, false },
		{ "postcopy-support", DRV_ARG_ZERO, NULL, 0, 0, false },
		{ "tso", DRV_ARG_ZERO, NULL, 0, 0, false },
		{ "dequeue-zero-copy", DRV_ARG_ZERO, NULL, 0, 0, false },
	};
	int ret = drv_args_parse(port->name, args, table, RTE_DIM(table));

	if (ret < 0)
		return ret;
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
	strcpy(vp->iface, iface);
	vp->queues = queues;
	vp->client = client;
	vp->ops = vhost_device_ops;
	vp->ops.max_queues = (uint16_t)(2 * queues);
	vp->ops.reported_queue_num = (uint16_t)queues;	/* QEMU reads queue pairs */
	vp->mtu = RTE_ETHER_MTU;
	rte_eth_random_addr(vp->mac.addr_bytes);
	for (uint32_t i = 0; i < 2 * queues; i++) {
		vp->q[i].vp = vp;
		vp->q[i].vring_index = (uint16_t)i;
		vp->q[i].port_id = port->id;
		vu_vring_access_init(&vp->q[i].access);
	}
	port->priv = vp;
	port->rx_burst = vhost_rx_burst;
	port->tx_burst = vhost_tx_burst;
	return 0;
}

static int
vhost_configure(struct vu_port *port, const struct vu_port_conf *conf)
{
	struct vhost_port *vp = port->priv;
	struct vu_backend_conf bc = {
		.path = vp->iface, .mode = vp->client ? VU_BACKEND_CLIENT : VU_BACKEND_SERVER,
		.conn_fd = -1, .ops = &vp->ops, .priv = vp,
	};
	uint16_t i;

	if (conf->nb_rx_queues > vp->queues || conf->nb_tx_queues > vp->queues) {
		DRV_LOG(ERR, port->name, "%u rx / %u tx queues asked, queues=%u",
			conf->nb_rx_queues, conf->nb_tx_queues, vp->queues);
		return -EINVAL;
	}
	pthread_mutex_lock(&vp->lock);
	for (i = 0; i < vp->queues; i++) {
		vp->q[2 * i + 1].mp = conf->mp;
		port->rxq[i] = &vp->q[2 * i + 1];
		port->txq[i] = &vp->q[2 * i];
	}
	pthread_mutex_unlock(&vp->lock);
	/* The socket exists from the first configure on, as with DPDK's
	 * vhost PMD, so a VMM may connect before the port starts. */
	if (vp->backend == NULL) {
		vp->backend = vu_backend_create(&bc);
		if (vp->backend == NULL) {
			DRV_LOG(ERR, port->name, "cannot serve %s: %s", vp->iface,
				rte_strerror(rte_errno));
			return -rte_errno;
		}
	}
	return 0;
}

static void
set_started(struct vhost_port *vp, bool started)
{
	uint32_t i;

	pthread_mutex_lock(&vp->lock);
	vp->started = started;
	for (i = 0; i < 2 * vp->queues; i++)
		queue_update_access(vp, &vp->q[i]);
	pthread_mutex_unlock(&vp->lock);
}

static int
vhost_start(struct vu_port *port)
{
	set_started(port->priv, true);
	return 0;
}

static int
vhost_stop(struct vu_port *port)
{
	set_started(port->priv, false);
	return 0;
}

static void
vhost_close(struct vu_port *port)
{
	struct vhost_port *vp = port->priv;

	/* Destroying the backend stops every ring through dev_stop_queue. */
	if (vp->backend != NULL)
		vu_backend_destroy(vp->backend);
	pthread_mutex_destroy(&vp->lock);
	rte_free(vp->q);
	rte_free(vp);
	port->priv = NULL;
}

static int
vhost_stats_get(struct vu_port *port, struct vu_port_stats *s)
{
	struct vhost_port *vp = port->priv;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vp->queues; i++) {
		const struct vhost_queue_stats *rx = &vp->q[2 * i + 1].st;
		const struct vhost_queue_stats *tx = &vp->q[2 * i].st;

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
		/* As DPDK's vhost PMD: what the guest had no room for; and the
		 * packets dropped because no guest buffer can ever hold them. */
		s->oerrors += tx->missed_pkts + tx->errors;
	}
	return 0;
}

static int
vhost_stats_reset(struct vu_port *port)
{
	struct vhost_port *vp = port->priv;
	uint32_t i;

	/* Racy against running bursts by design (as ethdev's): a counter may
	 * keep an increment made during the reset. The ring's own calls (0
	 * once folded) are subtracted (modulo 2^64): the xstat, port counter
	 * plus ring's, reads 0. */
	pthread_mutex_lock(&vp->lock);
	for (i = 0; i < 2 * vp->queues; i++) {
		memset(&vp->q[i].st, 0, sizeof(vp->q[i].st));
		vp->q[i].st.guest_notifications = 0 - vp->q[i].ring.stats.calls;
	}
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static const char *const queue_stat_names[] = {
#define X(name, what) #name,
	VHOST_QUEUE_STATS(X)
#undef X
};
#define NB_QUEUE_STATS RTE_DIM(queue_stat_names)

static int
vhost_xstats_get(struct vu_port *port, struct vu_port_xstat *xs, unsigned int n)
{
	struct vhost_port *vp = port->priv;
	unsigned int k = 0, i, j;
	const unsigned int notif = offsetof(struct vhost_queue_stats, guest_notifications) /
				   sizeof(uint64_t);

	pthread_mutex_lock(&vp->lock);
	for (i = 0; i < 2 * vp->queues; i++) {
		/* Even virtqueues are our tx, odd ones our rx. */
		const struct vhost_queue *q = &vp->q[(i % 2) ? i - 1 : i + 1];
		const uint64_t *v = (const uint64_t *)&q->st;

		for (j = 0; j < NB_QUEUE_STATS; j++, k++) {
			if (k >= n)
				continue;
			snprintf(xs[k].name, sizeof(xs[k].name), "%s_q%u_%s",
				 (i % 2) ? "tx" : "rx", i / 2, queue_stat_names[j]);
			xs[k].value = j == notif ? v[j] + q->ring.stats.calls : v[j];
		}
	}
	pthread_mutex_unlock(&vp->lock);
	return (int)k;
}

static int
vhost_link_get(struct vu_port *port, struct vu_port_link *link)
{
	struct vhost_port *vp = port->priv;

	pthread_mutex_lock(&vp->lock);
	*link = (struct vu_port_link){ .up = link_up(vp), .speed_mbps = 10000,
				       .full_duplex = true };
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int
vhost_info_get(struct vu_port *port, struct vu_port_info *info)
{
	struct vhost_port *vp = port->priv;

	pthread_mutex_lock(&vp->lock);
	*info = (struct vu_port_info){
		.driver = "net_vhost",
		.max_rx_queues = (uint16_t)vp->queues,
		.max_tx_queues = (uint16_t)vp->queues,
		.nb_rx_queues = port->conf.nb_rx_queues,
		.nb_tx_queues = port->conf.nb_tx_queues,
		.nb_rx_desc = vp->q[1].ring_started ? vu_vring_dev_size(&vp->q[1].ring) : 0,
		.nb_tx_desc = vp->q[0].ring_started ? vu_vring_dev_size(&vp->q[0].ring) : 0,
		.mtu = vp->mtu,
		.mac = vp->mac,
		.server = !vp->client,
		.features = vp->backend != NULL ? vu_backend_features(vp->backend) : 0,
		.protocol_features = vp->backend != NULL ?
				     vu_backend_protocol_features(vp->backend) : 0,
	};
	strcpy(info->socket_path, vp->iface);
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static int
vhost_dump(struct vu_port *port, FILE *f)
{
	struct vhost_port *vp = port->priv;
	uint32_t i;

	pthread_mutex_lock(&vp->lock);
	fprintf(f, "vhost-user port %u (%s): %s %s, front-end %s, link %s\n", port->id,
		port->name, vp->client ? "client" : "server", vp->iface,
		vp->connected ? "connected" : "not connected", link_up(vp) ? "up" : "down");
	fprintf(f, "negotiated Virtio features: 0x%" PRIx64 "\n",
		vp->backend != NULL ? vu_backend_features(vp->backend) : 0);
	fprintf(f, "negotiated protocol features: 0x%" PRIx64 "\n",
		vp->backend != NULL ? vu_backend_protocol_features(vp->backend) : 0);
	fprintf(f, "MTU %u, MAC " RTE_ETHER_ADDR_PRT_FMT "\n", vp->mtu,
		RTE_ETHER_ADDR_BYTES(&vp->mac));
	for (i = 0; i < 2 * vp->queues; i++) {
		const struct vhost_queue *q = &vp->q[i];
		const struct vu_vring_dev *r = &q->ring;

		if (!q->ring_started) {
			fprintf(f, "  vring %u (%s %u): stopped\n", i, i % 2 ? "rx" : "tx", i / 2);
			continue;
		}
		fprintf(f, "  vring %u (%s %u): %s size %u last_avail %u used_idx %u "
			"calls %" PRIu64 " %s\n", i, i % 2 ? "rx" : "tx", i / 2,
			q->ring_enabled ? "enabled" : "disabled", r->size, r->last_avail,
			r->used_idx, r->stats.calls,
			vu_vring_dev_broken(r) ? vu_vring_error_str(vu_vring_dev_broken(r)) : "ok");
	}
	pthread_mutex_unlock(&vp->lock);
	return 0;
}

static const struct vu_port_ops vhost_port_ops = {
	.driver = "net_vhost",
	.probe = vhost_probe,
	.configure = vhost_configure,
	.start = vhost_start,
	.stop = vhost_stop,
	.close = vhost_close,
	.stats_get = vhost_stats_get,
	.stats_reset = vhost_stats_reset,
	.xstats_get = vhost_xstats_get,
	.link_get = vhost_link_get,
	.info_get = vhost_info_get,
	.dump = vhost_dump,
};

RTE_INIT(vhost_port_register)
{
	vu_port_driver_register(&vhost_port_ops);
}
