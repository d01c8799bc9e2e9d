/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu packet ports: the interface apps (vu-testpmd, a vswitch) use to move
 * rte_mbuf bursts, and that each port driver (the vhost-user net backend
 * port, the virtio-user net frontend port) implements with a const ops
 * struct.
 *
 * Life of a port, as in DPDK's ethdev:
 *   vu_port_create("net_vhost0,iface=/tmp/s,queues=2", &id)   parse + probe
 *   vu_port_configure(id, &conf)                               queues, mempool
 *   vu_port_start(id) ... rx/tx bursts ... vu_port_stop(id)
 *   vu_port_close(id)
 *
 * Threads: create/configure/start/stop/close/stats_reset run on the app's
 * control thread (one at a time). vu_port_rx_burst()/vu_port_tx_burst() run
 * on data-plane lcores, one lcore per queue. Stats may be read from any
 * thread while bursts run (plain 64-bit loads: values may be a burst old).
 */
#ifndef VU_PORT_H
#define VU_PORT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vu_build_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Ports a process may have. */
#define VU_PORT_MAX 32
/** Bytes of a port name ("net_vhost0"), including the NUL. */
#define VU_PORT_NAME_LEN 64
/** Bytes of an xstat name, including the NUL (as RTE_ETH_XSTATS_NAME_SIZE). */
#define VU_PORT_XSTAT_NAME_LEN 64

struct vu_port;

/** A receive or transmit burst function of one queue. */
typedef uint16_t (*vu_port_burst_t)(void *queue, struct rte_mbuf **pkts, uint16_t n);

/** Basic counters, with ethdev's meanings. */
struct vu_port_stats {
	uint64_t ipackets;	/**< packets received */
	uint64_t opackets;	/**< packets transmitted */
	uint64_t ibytes;	/**< bytes received */
	uint64_t obytes;	/**< bytes transmitted */
	uint64_t imissed;	/**< packets the peer offered that we could not take */
	uint64_t ierrors;	/**< erroneous packets received */
	uint64_t oerrors;	/**< packets that failed to be transmitted */
	uint64_t rx_nombuf;	/**< receive mbuf allocation failures */
	uint64_t q_ipackets[VU_MAX_QUEUE_PAIRS];	/**< per receive queue */
	uint64_t q_opackets[VU_MAX_QUEUE_PAIRS];	/**< per transmit queue */
	uint64_t q_ibytes[VU_MAX_QUEUE_PAIRS];	/**< bytes per receive queue */
	uint64_t q_obytes[VU_MAX_QUEUE_PAIRS];	/**< bytes per transmit queue */
};

/** One extended counter ("rx_q0_good_packets", ...). */
struct vu_port_xstat {
	char name[VU_PORT_XSTAT_NAME_LEN];	/**< "rx_q0_good_packets", ... */
	uint64_t value;				/**< the counter */
};

/** Link state. */
struct vu_port_link {
	bool up;		/**< the peer is connected and queue pair 0 runs */
	uint32_t speed_mbps;	/**< nominal; virtual ports report 10000 as DPDK's do */
	bool full_duplex;	/**< always true */
};

/** Static description, for "show port info". */
struct vu_port_info {
	const char *driver;		/**< "net_vhost", "net_virtio_user" */
	uint16_t max_rx_queues;		/**< queues= of the devargs */
	uint16_t max_tx_queues;		/**< same as max_rx_queues */
	uint16_t nb_rx_queues;		/**< configured */
	uint16_t nb_tx_queues;		/**< configured */
	uint16_t nb_rx_desc;		/**< receive ring size, 0 before the rings exist */
	uint16_t nb_tx_desc;		/**< transmit ring size, 0 before the rings exist */
	uint16_t mtu;			/**< bytes */
	struct rte_ether_addr mac;	/**< the port's MAC address */
	char socket_path[108];		/**< vhost-user socket */
	bool server;			/**< we listen on socket_path */
	uint64_t features;		/**< negotiated virtio features, 0 before */
	uint64_t protocol_features;	/**< negotiated vhost-user protocol features */
};

/** Device operations of the vhost-user ports (vu-testpmd's "virtio-user N ..."). */
enum vu_port_dev_op {
	VU_PORT_DEV_SLEEP,	/**< stop every ring of the backend, remember where */
	VU_PORT_DEV_WAKE,	/**< restart the rings where sleep stopped them */
	VU_PORT_DEV_SNAPSHOT,	/**< save the backend's device state into a file */
	VU_PORT_DEV_RESTORE,	/**< load the backend's device state from a file */
};

/** vu_port_configure() parameters. */
struct vu_port_conf {
	uint16_t nb_rx_queues;		/**< receive queues to use */
	uint16_t nb_tx_queues;		/**< transmit queues to use */
	uint16_t nb_rx_desc;		/**< ring size where the port owns the ring; 0: default */
	uint16_t nb_tx_desc;		/**< as nb_rx_desc, for transmit rings */
	struct rte_mempool *mp;		/**< receive mbufs come from here */
};

/**
 * What a driver implements. Every callback returns 0 or a negative errno,
 * runs on the app's control thread, except the burst functions.
 */
struct vu_port_ops {
	const char *driver;	/**< the vdev name prefix: "net_vhost" */
	/**
	 * Parse @p args ("iface=/tmp/s,queues=2"), reject unknown keys and bad
	 * values with a log line naming them (-EINVAL), allocate the port's
	 * private data into port->priv. No queue exists yet.
	 */
	int (*probe)(struct vu_port *port, const char *args);
	/** Create queues; fill port->rxq[]/txq[] and the burst functions. */
	int (*configure)(struct vu_port *port, const struct vu_port_conf *conf);
	/** Start moving packets. */
	int (*start)(struct vu_port *port);
	/** Stop: on return no burst is inside a queue. */
	int (*stop)(struct vu_port *port);
	/** Release everything probe and configure took. The port is stopped. */
	void (*close)(struct vu_port *port);
	/** Fill @p stats (zeroed by the caller). */
	int (*stats_get)(struct vu_port *port, struct vu_port_stats *stats);
	/** Zero the counters. */
	int (*stats_reset)(struct vu_port *port);
	/**
	 * Fill up to @p n xstats; return how many exist (may be > n: call again
	 * with a larger array), or a negative errno.
	 */
	int (*xstats_get)(struct vu_port *port, struct vu_port_xstat *xstats, unsigned int n);
	/** Fill @p link (zeroed by the caller). */
	int (*link_get)(struct vu_port *port, struct vu_port_link *link);
	/** Fill @p info (zeroed by the caller). */
	int (*info_get)(struct vu_port *port, struct vu_port_info *info);
	/** A device operation (see enum vu_port_dev_op); @p file for snapshot/restore. Optional. */
	int (*dev_op)(struct vu_port *port, enum vu_port_dev_op op, const char *file);
	/** Print the vhost-user state (features, memory, rings) to @p f. Optional. */
	int (*dump)(struct vu_port *port, FILE *f);
};

/** A port. Apps treat it as opaque except through the functions below. */
struct vu_port {
	/* Hot: read by every burst. */
	vu_port_burst_t rx_burst;		/**< the driver's receive burst */
	vu_port_burst_t tx_burst;		/**< the driver's transmit burst */
	void *rxq[VU_MAX_QUEUE_PAIRS];		/**< receive queues, the bursts' first argument */
	void *txq[VU_MAX_QUEUE_PAIRS];		/**< transmit queues */
	/* Cold. */
	uint16_t id;			/**< index in vu_ports[] */
	bool started;			/**< between vu_port_start() and vu_port_stop() */
	char name[VU_PORT_NAME_LEN];	/**< vdev name, "net_vhost0" */
	const struct vu_port_ops *ops;	/**< its driver */
	void *priv;			/**< the driver's */
	struct vu_port_conf conf;	/**< the last configure() */
} __rte_cache_aligned;

/** Port table, indexed by port id; NULL where no port. Read only for apps. */
extern struct vu_port *vu_ports[VU_PORT_MAX];

/**
 * Register a port driver. Drivers call this from an RTE_INIT constructor.
 * @return 0, -EEXIST (same prefix twice), -ENOSPC.
 */
int vu_port_driver_register(const struct vu_port_ops *ops);

/**
 * Create a port from a DPDK-style vdev string "net_vhost0,iface=PATH,...":
 * the longest registered driver prefix of the name picks the driver.
 * @param devargs       "net_vhost0,iface=PATH,..."
 * @param[out] port_id  the new port's id (the lowest free one)
 * @return 0; -EINVAL (no driver for the name, bad arguments: logged),
 *   -EEXIST (a port of that name exists), -ENOSPC (VU_PORT_MAX ports),
 *   or the driver's probe error.
 */
int vu_port_create(const char *devargs, uint16_t *port_id);

/**
 * Configure queues. The port must be stopped.
 * @return 0, -ENODEV, -EBUSY (started), -EINVAL (more queues than the port
 *   has, no mempool), or the driver's error, after which the port is
 *   unconfigured (vu_port_start() fails until a configure succeeds).
 */
int vu_port_configure(uint16_t port_id, const struct vu_port_conf *conf);

/** Start; 0 if already started. @return 0, -ENODEV, -EINVAL (not configured), driver error. */
int vu_port_start(uint16_t port_id);
/** Stop; on return no burst runs in the driver's queues. 0 if already stopped. */
int vu_port_stop(uint16_t port_id);
/** Stop if needed, release, forget the id. @return 0 or -ENODEV. */
int vu_port_close(uint16_t port_id);

/**
 * Read a port's basic counters.
 * @param port_id port
 * @param stats   filled
 * @return 0, -ENODEV, -EINVAL (@p stats NULL), or the driver's error.
 * Thread: any.
 */
int vu_port_stats_get(uint16_t port_id, struct vu_port_stats *stats);
/**
 * Zero a port's counters (racy against running bursts, as ethdev's).
 * @param port_id port
 * @return 0, -ENODEV, or the driver's error.
 * Thread: the app's control thread.
 */
int vu_port_stats_reset(uint16_t port_id);
/**
 * Read a port's extended counters: first the port-wide counters of
 * struct vu_port_stats under DPDK ethdev's names (rx_good_packets,
 * tx_good_packets, rx_good_bytes, tx_good_bytes, rx_missed_errors,
 * rx_errors, tx_errors, rx_mbuf_allocation_errors) when the driver has
 * stats_get, then the driver's own (see vu_port_ops.xstats_get).
 * @param port_id port
 * @param xstats array of @p n entries, or NULL with @p n 0 to count
 * @param n entries in @p xstats
 * @return how many counters exist (filled when <= @p n), -ENODEV,
 * -EINVAL (@p xstats NULL with @p n non-zero), or the driver's error.
 * Thread: any.
 */
int vu_port_xstats_get(uint16_t port_id, struct vu_port_xstat *xstats, unsigned int n);
/**
 * Read a port's link state.
 * @param port_id port
 * @param link    filled
 * @return 0, -ENODEV, -EINVAL (@p link NULL), -ENOTSUP.
 * Thread: any.
 */
int vu_port_link_get(uint16_t port_id, struct vu_port_link *link);
/**
 * Describe a port ("show port info").
 * @param port_id port
 * @param info    filled
 * @return 0, -ENODEV, -EINVAL (@p info NULL), -ENOTSUP.
 * Thread: the app's control thread.
 */
int vu_port_info_get(uint16_t port_id, struct vu_port_info *info);
/**
 * Run a device operation on a vhost-user port.
 * @param port_id port
 * @param op      what to do
 * @param file    file to save to or load from (snapshot, restore), else NULL
 * @return 0, -ENODEV, -EINVAL (no file for snapshot/restore), -ENOTSUP (the
 *   port has no such operation), or the driver's error (-ENOTCONN: no
 *   backend; a frontend request error; a file error).
 * Thread: the app's control thread.
 */
int vu_port_dev_op(uint16_t port_id, enum vu_port_dev_op op, const char *file);

/**
 * Print a port's vhost-user state: negotiated features, memory regions,
 * every ring's indices and health ("show vhost").
 * @param port_id port
 * @param f       where to print
 * @return 0, -ENODEV, -EINVAL (@p f NULL), -ENOTSUP (not a vhost-user port).
 * Thread: the app's control thread.
 */
int vu_port_dump(uint16_t port_id, FILE *f);

/** Number of ports created; ids may have holes after a close. */
uint16_t vu_port_count(void);

/**
 * Receive up to @p n packets from queue @p queue of a started port.
 * Data-plane lcores only; one lcore per queue. No checks: ids are the
 * caller's to get right, as with rte_eth_rx_burst().
 */
static __rte_always_inline uint16_t
vu_port_rx_burst(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vu_port *p = vu_ports[port_id];

	return p->rx_burst(p->rxq[queue], pkts, n);
}

/**
 * Transmit up to @p n packets on queue @p queue; returns how many the port
 * took (their mbufs now belong to the port). The caller frees the rest.
 */
static __rte_always_inline uint16_t
vu_port_tx_burst(uint16_t port_id, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	struct vu_port *p = vu_ports[port_id];

	return p->tx_burst(p->txq[queue], pkts, n);
}

#ifdef __cplusplus
}
#endif

#endif /* VU_PORT_H */
