/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_ring: a test port. Each queue pair is one rte_ring; a transmit burst
 * enqueues, a receive burst dequeues, so the port loops packets back to
 * itself. It lets vu-testpmd and its tests run without a vhost-user peer.
 *
 *   --vdev net_ring0,queues=2
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "vu_log.h"
#include "vu_port.h"

RTE_LOG_REGISTER_SUFFIX(ring_logtype_config, config, INFO);

#define RING_LOG(level, name, fmt, ...) \
	VU_LOG(ring_logtype_config, level, "RING", name, fmt, ##__VA_ARGS__)

/** Ring size when configure() asks for the default: a usual NIC ring size. */
#define RING_DEFAULT_SIZE 1024
#define RING_KEY_QUEUES "queues"

/* The receive side of a queue pair: written by its rx lcore only. */
struct ring_rxq {
	struct rte_ring *ring;
	uint64_t packets;
	uint64_t bytes;
} __rte_cache_aligned;

/* The transmit side: written by its tx lcore only. */
struct ring_txq {
	struct rte_ring *ring;
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops;		/* ring full */
} __rte_cache_aligned;

struct ring_port {
	uint16_t nb_queues;		/* queues=N: the queue pairs the port has */
	uint16_t nb_rings;		/* rings configure() made */
	struct rte_ring *rings[VU_MAX_QUEUE_PAIRS];
	struct ring_rxq rxq[VU_MAX_QUEUE_PAIRS];
	struct ring_txq txq[VU_MAX_QUEUE_PAIRS];
};

static uint16_t
ring_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_rxq *q = queue;
	unsigned int i, nb;
	uint64_t bytes = 0;

	nb = rte_ring_sc_dequeue_burst(q->ring, (void **)pkts, n, NULL);
	for (i = 0; i < nb; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	q->packets += nb;
	q->bytes += bytes;
	return nb;
}

static uint16_t
ring_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct ring_txq *q = queue;
	unsigned int i, nb;
	uint64_t bytes = 0;

	nb = rte_ring_sp_enqueue_burst(q->ring, (void **)pkts, n, NULL);
	for (i = 0; i < nb; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	q->packets += nb;
	q->bytes += bytes;
	q->drops += n - nb;
	return nb;
}

static int
parse_queues(const char *key, const char *value, void *opaque)
{
	uint16_t *queues = opaque;
	char *end;
	unsigned long v;

	(void)key;
	errno = 0;
	v = strtoul(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || v == 0 || v > VU_MAX_QUEUE_PAIRS)
		return -EINVAL;
	*queues = v;
	return 0;
}

static int
ring_probe(struct vu_port *port, const char *args)
{
	static const char *const keys[] = { RING_KEY_QUEUES, NULL };
	struct rte_kvargs *kv;
	struct ring_port *rp;
	uint16_t queues = 1;
	unsigned int i;

	kv = rte_kvargs_parse(args, NULL);
	if (kv == NULL) {
		RING_LOG(ERR, port->name, "cannot parse arguments '%s'", args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key;

		if (strcmp(key, keys[0]) != 0) {
			RING_LOG(ERR, port->name, "unknown argument '%s' (keys: %s)", key,
				 RING_KEY_QUEUES);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
		if (kv->pairs[i].value == NULL ||
		    parse_queues(key, kv->pairs[i].value, &queues) != 0) {
			RING_LOG(ERR, port->name, "bad value '%s' for '%s' (1..%d)",
				 kv->pairs[i].value ? kv->pairs[i].value : "", key,
				 VU_MAX_QUEUE_PAIRS);
			rte_kvargs_free(kv);
			return -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	rp = rte_zmalloc("ring_port", sizeof(*rp), RTE_CACHE_LINE_SIZE);
	if (rp == NULL)
		return -ENOMEM;
	rp->nb_queues = queues;
	port->priv = rp;
	port->rx_burst = ring_rx_burst;
	port->tx_burst = ring_tx_burst;
	return 0;
}

static void
free_rings(struct vu_port *port)
{
	struct ring_port *rp = port->priv;
	struct rte_mbuf *m;
	uint16_t q;

	for (q = 0; q < rp->nb_rings; q++) {
		while (rte_ring_dequeue(rp->rings[q], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(rp->rings[q]);
		rp->rings[q] = NULL;
		port->rxq[q] = NULL;
		port->txq[q] = NULL;
	}
	rp->nb_rings = 0;
}

static int
ring_configure(struct vu_port *port, const struct vu_port_conf *conf)
{
	struct ring_port *rp = port->priv;
	uint16_t q, n = RTE_MAX(conf->nb_rx_queues, conf->nb_tx_queues);
	unsigned int size = conf->nb_rx_desc != 0 ? conf->nb_rx_desc : RING_DEFAULT_SIZE;
	char name[RTE_RING_NAMESIZE];

	free_rings(port);
	for (q = 0; q < n; q++) {
		snprintf(name, sizeof(name), "vu_ring_p%u_q%u", port->id, q);
		rp->rings[q] = rte_ring_create(name, size, SOCKET_ID_ANY,
					       RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (rp->rings[q] == NULL) {
			RING_LOG(ERR, port->name, "cannot create ring %s of %u: %s", name, size,
				 rte_strerror(rte_errno));
			free_rings(port);
			return -ENOMEM;
		}
		rp->nb_rings = q + 1;
		rp->rxq[q] = (struct ring_rxq){ .ring = rp->rings[q] };
		rp->txq[q] = (struct ring_txq){ .ring = rp->rings[q] };
		port->rxq[q] = &rp->rxq[q];
		port->txq[q] = &rp->txq[q];
	}
	return 0;
}

static int
ring_start(struct vu_port *port)
{
	(void)port;
	return 0;
}

static int
ring_stop(struct vu_port *port)
{
	(void)port;
	return 0;
}

static void
ring_close(struct vu_port *port)
{
	free_rings(port);
	rte_free(port->priv);
	port->priv = NULL;
}

static int
ring_stats_get(struct vu_port *port, struct vu_port_stats *st)
{
	struct ring_port *rp = port->priv;
	uint16_t q;

	for (q = 0; q < rp->nb_rings; q++) {
		st->q_ipackets[q] = rp->rxq[q].packets;
		st->q_ibytes[q] = rp->rxq[q].bytes;
		st->q_opackets[q] = rp->txq[q].packets;
		st->q_obytes[q] = rp->txq[q].bytes;
		st->ipackets += rp->rxq[q].packets;
		st->ibytes += rp->rxq[q].bytes;
		st->opackets += rp->txq[q].packets;
		st->obytes += rp->txq[q].bytes;
		st->oerrors += rp->txq[q].drops;
	}
	return 0;
}

static int
ring_stats_reset(struct vu_port *port)
{
	struct ring_port *rp = port->priv;
	uint16_t q;

	for (q = 0; q < rp->nb_rings; q++) {
		rp->rxq[q].packets = rp->rxq[q].bytes = 0;
		rp->txq[q].packets = rp->txq[q].bytes = rp->txq[q].drops = 0;
	}
	return 0;
}

/* Per queue: rx packets, rx bytes, tx packets, tx bytes, tx drops. */
#define RING_XSTATS_PER_QUEUE 5

static int
ring_xstats_get(struct vu_port *port, struct vu_port_xstat *xs, unsigned int n)
{
	struct ring_port *rp = port->priv;
	unsigned int total = rp->nb_rings * RING_XSTATS_PER_QUEUE, i = 0;
	uint16_t q;

	if (n < total)
		return total;
	for (q = 0; q < rp->nb_rings; q++) {
		const struct { const char *dir, *what; uint64_t v; } row[RING_XSTATS_PER_QUEUE] = {
			{ "rx", "packets", rp->rxq[q].packets },
			{ "rx", "bytes", rp->rxq[q].bytes },
			{ "tx", "packets", rp->txq[q].packets },
			{ "tx", "bytes", rp->txq[q].bytes },
			{ "tx", "drops", rp->txq[q].drops },
		};
		unsigned int k;

		for (k = 0; k < RING_XSTATS_PER_QUEUE; k++, i++) {
			snprintf(xs[i].name, sizeof(xs[i].name), "%s_q%u_%s", row[k].dir, q,
				 row[k].what);
			xs[i].value = row[k].v;
		}
	}
	return total;
}

static int
ring_link_get(struct vu_port *port, struct vu_port_link *link)
{
	(void)port;
	*link = (struct vu_port_link){ .up = true, .speed_mbps = 10000, .full_duplex = true };
	return 0;
}

static int
ring_info_get(struct vu_port *port, struct vu_port_info *info)
{
	struct ring_port *rp = port->priv;

	info->driver = "net_ring";
	info->max_rx_queues = rp->nb_queues;
	info->max_tx_queues = rp->nb_queues;
	info->nb_rx_queues = port->conf.nb_rx_queues;
	info->nb_tx_queues = port->conf.nb_tx_queues;
	info->nb_rx_desc = rp->nb_rings ? rte_ring_get_capacity(rp->rings[0]) : 0;
	info->nb_tx_desc = info->nb_rx_desc;
	info->mtu = RTE_ETHER_MTU;
	info->mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)port->id } };
	return 0;
}

static const struct vu_port_ops ring_ops = {
	.driver = "net_ring",
	.probe = ring_probe,
	.configure = ring_configure,
	.start = ring_start,
	.stop = ring_stop,
	.close = ring_close,
	.stats_get = ring_stats_get,
	.stats_reset = ring_stats_reset,
	.xstats_get = ring_xstats_get,
	.link_get = ring_link_get,
	.info_get = ring_info_get,
};

RTE_INIT(ring_register)
{
	vu_port_driver_register(&ring_ops);
}
