/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streams, lcores and the forwarding loop.
 *
 * Streams, as testpmd's default (paired ports) layout: for each rx queue q,
 * for each port p in creation order, one stream (p, q) -> (peer(p), q mod
 * nb_txq), where ports pair 0<->1, 2<->3 and a last odd port is its own
 * peer. The streams are cut into --nb-cores contiguous runs; when they do
 * not divide evenly the last lcores take one more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "testpmd.h"

struct fwd_stream fwd_streams[MAX_FWD_STREAMS];
unsigned int nb_fwd_streams;
struct fwd_lcore fwd_lcores[RTE_MAX_LCORE];
unsigned int nb_fwd_lcores_used;
unsigned int nb_worker_lcores;
bool fwd_running;
bool fwd_timed;
struct fwd_engine *running_eng;
/* Burst-size counts per stream index, allocated at the first start that records them. */
static struct burst_spread *burst_spreads[MAX_FWD_STREAMS];

static uint16_t
peer_index(uint16_t i)
{
	if ((i & 1) == 0)
		return i + 1 < nb_ports ? i + 1 : i;
	return i - 1;
}

static void
streams_setup(void)
{
	uint16_t q, i;

	nb_fwd_streams = 0;
	for (q = 0; q < nb_rxq; q++) {
		for (i = 0; i < nb_ports; i++) {
			struct fwd_stream *fs = &fwd_streams[nb_fwd_streams++];

			memset(fs, 0, sizeof(*fs));
			fs->rx_port = port_ids[i];
			fs->rx_queue = q;
			fs->tx_port = port_ids[peer_index(i)];
			fs->tx_queue = q % nb_txq;
		}
	}
}

void
fwd_config_setup(void)
{
	unsigned int lc, per, extra, sm = 0;

	streams_setup();
	nb_fwd_lcores_used = RTE_MIN(nb_fwd_lcores, nb_fwd_streams);
	if (nb_fwd_lcores_used == 0)
		return;
	per = nb_fwd_streams / nb_fwd_lcores_used;
	extra = nb_fwd_streams % nb_fwd_lcores_used;
	for (lc = 0; lc < nb_fwd_lcores_used; lc++) {
		fwd_lcores[lc].stream_idx = sm;
		fwd_lcores[lc].stream_nb = per + (lc >= nb_fwd_lcores_used - extra ? 1 : 0);
		sm += fwd_lcores[lc].stream_nb;
	}
}

/* The lcore loop: every stream of this lcore, one burst each, until stopped. */
static int
fwd_lcore_run(void *arg)
{
	struct fwd_lcore *fc = arg;
	struct fwd_stream *fs = &fwd_streams[fc->stream_idx];
	void (*fwd)(struct fwd_stream *) = running_eng->packet_fwd;
	uint16_t i, n = fc->stream_nb;

	/* Pairs with the release store in stop_packet_forwarding(). */
	while (!__atomic_load_n(&fc->stopped, __ATOMIC_ACQUIRE))
		for (i = 0; i < n; i++)
			fwd(&fs[i]);
	return 0;
}

/*
 * The loop of --record-core-cycles: as fwd_lcore_run(), and each burst that
 * moved a packet adds its TSC cycles to its stream (testpmd's busy cycles:
 * empty polls are not counted). A loop of its own keeps the timing out of
 * the plain loop.
 */
static int
fwd_lcore_run_timed(void *arg)
{
	struct fwd_lcore *fc = arg;
	struct fwd_stream *fs = &fwd_streams[fc->stream_idx];
	void (*fwd)(struct fwd_stream *) = running_eng->packet_fwd;
	uint16_t i, n = fc->stream_nb;

	while (!__atomic_load_n(&fc->stopped, __ATOMIC_ACQUIRE))
		for (i = 0; i < n; i++) {
			uint64_t moved = fs[i].rx_packets + fs[i].tx_packets;
			uint64_t start = rte_rdtsc();

			fwd(&fs[i]);
			if (fs[i].rx_packets + fs[i].tx_packets != moved)
				fs[i].busy_cycles += rte_rdtsc() - start;
		}
	return 0;
}

/* start tx_first: one generated burst on every stream of this lcore. */
static int
tx_first_lcore_run(void *arg)
{
	struct fwd_lcore *fc = arg;
	uint16_t i;

	for (i = 0; i < fc->stream_nb; i++)
		txonly_engine.packet_fwd(&fwd_streams[fc->stream_idx + i]);
	return 0;
}

/*
 * Drop what waits in the forwarding RX queues, as testpmd does at start
 * unless --no-flush-rx: packets left from an earlier run do not count in
 * this one. Twice, 10 ms apart, for what was still on its way.
 */
static void
flush_fwd_rx_queues(void)
{
	struct rte_mbuf *pkts[MAX_PKT_BURST];
	unsigned int s, pass, guard;
	uint16_t nb;

	for (pass = 0; pass < 2; pass++) {
		for (s = 0; s < nb_fwd_streams; s++) {
			const struct fwd_stream *fs = &fwd_streams[s];

			/* bounded: a peer that keeps sending must not hold up start */
			for (guard = 0; guard < 1024; guard++) {
				nb = vu_port_rx_burst(fs->rx_port, fs->rx_queue, pkts,
						      MAX_PKT_BURST);
				if (nb == 0)
					break;
				rte_pktmbuf_free_bulk(pkts, nb);
			}
		}
		rte_delay_ms(10);
	}
}

/* Zeroed burst counts for every stream of this run. */
static int
burst_spreads_alloc(void)
{
	unsigned int s;

	for (s = 0; s < nb_fwd_streams; s++) {
		if (burst_spreads[s] == NULL)
			burst_spreads[s] = malloc(sizeof(*burst_spreads[s]));
		if (burst_spreads[s] == NULL)
			return -ENOMEM;
		memset(burst_spreads[s], 0, sizeof(*burst_spreads[s]));
	}
	return 0;
}

void
start_packet_forwarding(unsigned int tx_first_bursts)
{
	unsigned int lc, s, b;

	if (fwd_running) {
		printf("Packet forwarding already started\n");
		return;
	}
	if (!all_ports_started()) {
		printf("Not all ports were started\n");
		return;
	}
	fwd_config_setup();
	running_eng = cur_fwd_eng;
	if (cur_fwd_eng->begin != NULL && cur_fwd_eng->begin() != 0) {
		printf("%s: cannot begin forwarding\n", cur_fwd_eng->name);
		return;
	}
	if (record_burst_stats && burst_spreads_alloc() != 0) {
		printf("Cannot allocate the burst statistics\n");
		return;
	}
	for (s = 0; s < nb_fwd_streams; s++) {
		fwd_streams[s].burst = nb_pkt_per_burst;
		fwd_streams[s].check_payload = payload_check;
		fwd_streams[s].bursts = record_burst_stats ? burst_spreads[s] : NULL;
	}
	if (!no_flush_rx)
		flush_fwd_rx_queues();
	fwd_stats_reset();
	/*
	 * start tx_first: bursts of generated packets on every stream first,
	 * each burst on the streams' own lcores, one launch per burst (as
	 * DPDK's testpmd). Back to back on the main lcore they would fill a
	 * ring faster than a peer can drain it, and starve a peer polling on
	 * the main lcore's CPU.
	 */
	for (b = 0; b < tx_first_bursts && !quit_requested(); b++) {
		for (lc = 0; lc < nb_fwd_lcores_used; lc++)
			rte_eal_remote_launch(tx_first_lcore_run, &fwd_lcores[lc],
					      fwd_lcores[lc].lcore_id);
		for (lc = 0; lc < nb_fwd_lcores_used; lc++)
			rte_eal_wait_lcore(fwd_lcores[lc].lcore_id);
	}
	fwd_start_banner();
	fwd_timed = record_core_cycles;
	for (lc = 0; lc < nb_fwd_lcores_used; lc++) {
		__atomic_store_n(&fwd_lcores[lc].stopped, false, __ATOMIC_RELAXED);
		rte_eal_remote_launch(fwd_timed ? fwd_lcore_run_timed : fwd_lcore_run,
				      &fwd_lcores[lc], fwd_lcores[lc].lcore_id);
	}
	fwd_running = true;
	fflush(stdout);
}

void
stop_packet_forwarding(void)
{
	unsigned int lc;

	if (!fwd_running) {
		printf("Packet forwarding not started\n");
		return;
	}
	printf("Telling cores to stop...\n");
	for (lc = 0; lc < nb_fwd_lcores_used; lc++)
		__atomic_store_n(&fwd_lcores[lc].stopped, true, __ATOMIC_RELEASE);
	printf("Waiting for lcores to finish...\n");
	for (lc = 0; lc < nb_fwd_lcores_used; lc++)
		rte_eal_wait_lcore(fwd_lcores[lc].lcore_id);
	if (running_eng->end != NULL)
		running_eng->end();
	fwd_running = false;
	fwd_stats_display();
	printf("\nDone.\n");
	fflush(stdout);
}
