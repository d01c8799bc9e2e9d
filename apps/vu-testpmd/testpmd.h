/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu-testpmd: shared state of the app. Files by topic:
 *   main.c        startup (vdevs, EAL, ports, mempool), modes, shutdown
 *   parameters.c  command-line options after "--"
 *   fwd.c         streams -> lcores, start/stop forwarding, the lcore loop
 *   config.c      "show config fwd", "show port info", start banner
 *   stats.c       port stats/xstats, forward statistics at stop
 *   cmdline*.c    the prompt; each file registers its own commands
 *   telemetry.c   /vu/ports, /vu/port/stats
 *   payload.c     the payload check of generated packets
 *   io.c mac.c macswap.c rxonly.c txonly.c flowgen.c: one engine each
 */
#ifndef VU_TESTPMD_H
#define VU_TESTPMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cmdline_parse.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vu_port.h"

#define TESTPMD_PROMPT "testpmd> "
/** Largest burst, as testpmd's MAX_PKT_BURST. */
#define MAX_PKT_BURST 512
/** Segments a --txpkts packet may have. */
#define TX_PKT_SEG_MAX 8
#define MAX_FWD_STREAMS (VU_PORT_MAX * VU_MAX_QUEUE_PAIRS)
/** Ethernet + IPv4 + UDP header a generated packet starts with. */
#define TXONLY_HDR_LEN (RTE_ETHER_HDR_LEN + 20 + 8)

/** How many bursts had each size, 0 .. MAX_PKT_BURST ("set record-burst-stats"). */
struct burst_spread {
	uint64_t rx[MAX_PKT_BURST + 1];	/**< received per rx burst, empty polls included */
	uint64_t tx[MAX_PKT_BURST + 1];	/**< taken per tx burst */
};

/** One (rx port, rx queue) -> (tx port, tx queue) flow, owned by one lcore. */
struct fwd_stream {
	uint16_t rx_port;
	uint16_t rx_queue;
	uint16_t tx_port;
	uint16_t tx_queue;
	uint16_t burst;			/**< nb_pkt_per_burst at start */
	uint32_t flow;			/**< flowgen: next flow index */
	bool check_payload;		/**< payload_check at start */
	uint32_t tx_tag;		/**< payload tag of the next generated packet */
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t fwd_dropped;		/**< tx burst did not take them */
	uint64_t payload_checked;	/**< received and checked (payload.c) */
	uint64_t payload_bad;		/**< of those, not what was sent */
	struct burst_spread *bursts;	/**< NULL unless record_burst_stats at start */
	uint64_t busy_cycles;		/**< record_core_cycles: TSC of bursts that moved packets */
} __rte_cache_aligned;

/** A forwarding lcore: a contiguous range of fwd_streams[]. */
struct fwd_lcore {
	unsigned int lcore_id;
	uint16_t stream_idx;
	uint16_t stream_nb;
	bool stopped;			/**< __atomic; set by the main lcore */
} __rte_cache_aligned;

/** A forwarding engine: one per file. */
struct fwd_engine {
	const char *name;
	/** Optional, on the main lcore before lcores launch. */
	int (*begin)(void);
	/** Optional, on the main lcore after lcores stopped. */
	void (*end)(void);
	/** One burst of one stream, on its lcore. */
	void (*packet_fwd)(struct fwd_stream *fs);
};

extern struct fwd_engine io_engine, mac_engine, macswap_engine, rxonly_engine,
	txonly_engine, flowgen_engine;
/** NULL-terminated, in "set fwd" order. */
extern struct fwd_engine *const fwd_engines[];
extern struct fwd_engine *cur_fwd_eng;

/* Configuration (parameters.c sets, commands change). */
extern bool interactive;
extern bool auto_start;
extern bool no_flush_rx;
extern uint16_t nb_rxq, nb_txq, nb_rxd, nb_txd;
extern uint16_t nb_pkt_per_burst;
extern unsigned int nb_fwd_lcores;
extern unsigned int stats_period;
extern unsigned int total_num_mbufs;
extern unsigned int run_time;
extern uint16_t tx_pkt_seg_lengths[TX_PKT_SEG_MAX];
extern uint8_t tx_pkt_nb_segs;
extern uint32_t tx_pkt_length;
extern uint16_t mbuf_data_size;
/** Generated packets carry a pattern, received ones are checked (payload.c). */
extern bool payload_check;
/** Count the bursts of each size; "stop" prints the most frequent. */
extern bool record_burst_stats;
/** Time the bursts that move packets; "stop" prints CPU cycles per packet. */
extern bool record_core_cycles;

/* Ports in creation order, and what the app keeps per port id. */
struct port_state {
	char devargs[256];
	struct rte_ether_addr mac;
	bool need_reconfig;
	struct vu_port_stats fwd_start;	/**< snapshot at "start" */
	struct vu_port_stats last_show;	/**< for the throughput lines */
	uint64_t last_show_cycles;
};
extern uint16_t nb_ports;
extern uint16_t port_ids[VU_PORT_MAX];
extern struct port_state ports[VU_PORT_MAX];
extern struct rte_mempool *mbuf_pool;

/* Streams and lcores (fwd.c). */
extern struct fwd_stream fwd_streams[MAX_FWD_STREAMS];
extern unsigned int nb_fwd_streams;
extern struct fwd_lcore fwd_lcores[RTE_MAX_LCORE];
extern unsigned int nb_fwd_lcores_used;
extern unsigned int nb_worker_lcores;
extern bool fwd_running;
/** The lcores of the current (or last) run time their bursts (record_core_cycles at start). */
extern bool fwd_timed;
/** The engine of the current (or last) run: "set fwd" while forwarding applies at the next start. */
extern struct fwd_engine *running_eng;

/* parameters.c */
int parse_app_args(int argc, char **argv);
void usage(const char *prog);
int parse_txpkts(const char *list);
struct fwd_engine *fwd_engine_find(const char *name);

/* main.c: port operations the commands share ("port start|stop", and port
 * drivers' own command files). They print testpmd's lines. */
int port_start(uint16_t port_id);
int port_stop(uint16_t port_id);
bool port_id_is_invalid(uint16_t port_id);
bool all_ports_started(void);
bool all_ports_stopped(void);
/** Parse "all" (returns VU_PORT_MAX) or a valid port id; -1 and a message otherwise. */
int parse_port_arg(const char *s);

/* fwd.c */
void fwd_config_setup(void);
void start_packet_forwarding(unsigned int tx_first_bursts);
void stop_packet_forwarding(void);

/* config.c */
void fwd_config_display(void);
void fwd_start_banner(void);
void port_infos_display(uint16_t port_id);

/* stats.c */
void nic_stats_display(uint16_t port_id);
void nic_stats_clear(uint16_t port_id);
void nic_xstats_display(uint16_t port_id);
void fwd_stats_reset(void);
void fwd_stats_display(void);

/* cmdline.c */
/**
 * Add commands to the prompt under a "help <section>" name. A command file
 * (cmdline_*.c) registers its table with TESTPMD_CMDS_REGISTER(table,
 * "section") at file scope; adding the file to meson.build is all it takes.
 */
void testpmd_cmds_register(cmdline_parse_inst_t *const *cmds, unsigned int n,
			   const char *section);
#define TESTPMD_CMDS_REGISTER(table, section) \
	RTE_INIT(testpmd_cmds_init_ ## table) \
	{ \
		testpmd_cmds_register(table, RTE_DIM(table), section); \
	}
/** Make the prompt (reads the terminal's settings): 0 or -1. */
int prompt_open(void);
/** Run it until "quit", EOF or a signal. */
void prompt_run(void);
/** A signal (SIGINT, SIGTERM, --run-time's alarm) asked the app to exit:
 * long commands stop early. */
bool quit_requested(void);
void prompt_exit(void);
/** End the prompt after the current command ("quit"). */
void prompt_quit(void);

/* telemetry.c */
void telemetry_init(void);

/* payload.c */
/** Write the payload pattern with @p tag into a generated packet. */
void payload_fill(struct rte_mbuf *m, uint32_t tag);
/** Check every packet of a received burst; count and report the bad ones. */
void payload_check_burst(struct fwd_stream *fs, struct rte_mbuf **pkts, uint16_t nb);

/** Receive a burst for @p fs: count it, and check it when asked to. */
static inline uint16_t
fwd_recv(struct fwd_stream *fs, struct rte_mbuf **pkts)
{
	uint16_t nb = vu_port_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);

	fs->rx_packets += nb;
	if (unlikely(fs->bursts != NULL))
		fs->bursts->rx[nb]++;
	if (unlikely(fs->check_payload) && nb > 0)
		payload_check_burst(fs, pkts, nb);
	return nb;
}

/* Send the not-taken tail of a burst back to the pool and count it. */
static inline void
fwd_send(struct fwd_stream *fs, struct rte_mbuf **pkts, uint16_t nb)
{
	uint16_t sent = vu_port_tx_burst(fs->tx_port, fs->tx_queue, pkts, nb);

	fs->tx_packets += sent;
	if (unlikely(fs->bursts != NULL))
		fs->bursts->tx[sent]++;
	if (unlikely(sent < nb)) {
		fs->fwd_dropped += nb - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], nb - sent);
	}
}

/** The MAC a port's peer has (testpmd's default peer addresses). */
static inline void
peer_mac(uint16_t port_id, struct rte_ether_addr *mac)
{
	*mac = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, (uint8_t)port_id } };
}

/** "02:00:00:00:00:01", as testpmd prints MACs (librte_net not linked). */
static inline void
mac_format(char *buf, size_t size, const struct rte_ether_addr *a)
{
	snprintf(buf, size, "%02X:%02X:%02X:%02X:%02X:%02X", a->addr_bytes[0], a->addr_bytes[1],
		 a->addr_bytes[2], a->addr_bytes[3], a->addr_bytes[4], a->addr_bytes[5]);
}

#endif /* VU_TESTPMD_H */
