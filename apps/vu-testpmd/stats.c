/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics output, in testpmd's spellings and column widths (DTS parses
 * these): "show port stats", "clear port stats", "show port xstats", and the
 * forward statistics "stop" prints.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "testpmd.h"

static const char nic_stats_border[] = "########################";
static const char fwd_stats_border[] = "----------------------";
static const char fwd_total_border[] = "+++++++++++++++";

static uint64_t
per_sec(uint64_t diff, uint64_t cycles)
{
	return cycles == 0 ? 0 : (uint64_t)((double)diff * rte_get_tsc_hz() / cycles);
}

void
nic_stats_display(uint16_t pid)
{
	struct port_state *ps = &ports[pid];
	struct vu_port_stats st;
	uint64_t now, cycles, rx_pps, tx_pps, rx_bps, tx_bps;

	if (vu_port_stats_get(pid, &st) != 0) {
		printf("Cannot get stats of port %u\n", pid);
		return;
	}
	now = rte_rdtsc();
	cycles = ps->last_show_cycles != 0 ? now - ps->last_show_cycles : 0;
	/* A counter reset since the last show makes the difference negative: 0. */
	rx_pps = per_sec(st.ipackets > ps->last_show.ipackets ?
			 st.ipackets - ps->last_show.ipackets : 0, cycles);
	tx_pps = per_sec(st.opackets > ps->last_show.opackets ?
			 st.opackets - ps->last_show.opackets : 0, cycles);
	rx_bps = per_sec(st.ibytes > ps->last_show.ibytes ?
			 st.ibytes - ps->last_show.ibytes : 0, cycles) * 8;
	tx_bps = per_sec(st.obytes > ps->last_show.obytes ?
			 st.obytes - ps->last_show.obytes : 0, cycles) * 8;
	ps->last_show = st;
	ps->last_show_cycles = now;

	printf("\n  %s NIC statistics for port %-2u %s\n", nic_stats_border, pid,
	       nic_stats_border);
	printf("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %-" PRIu64 "\n",
	       st.ipackets, st.imissed, st.ibytes);
	printf("  RX-errors: %-" PRIu64 "\n", st.ierrors);
	printf("  RX-nombuf:  %-10" PRIu64 "\n", st.rx_nombuf);
	printf("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %-" PRIu64 "\n",
	       st.opackets, st.oerrors, st.obytes);
	printf("\n  Throughput (since last show)\n");
	printf("  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n", rx_pps, rx_bps);
	printf("  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n", tx_pps, tx_bps);
	printf("  %s%s%s\n", nic_stats_border, nic_stats_border,
	       "############################");
}

void
nic_stats_clear(uint16_t pid)
{
	int ret = vu_port_stats_reset(pid);

	if (ret != 0) {
		printf("%s: Error: failed to reset stats (port %u): %d\n", __func__, pid, ret);
		return;
	}
	if (vu_port_stats_get(pid, &ports[pid].last_show) != 0)
		return;
	ports[pid].last_show_cycles = rte_rdtsc();
	/* Forward statistics at "stop" count from the reset, too. */
	ports[pid].fwd_start = ports[pid].last_show;
	printf("\n  NIC statistics for port %u cleared\n", pid);
}

void
nic_xstats_display(uint16_t pid)
{
	struct vu_port_xstat *xs;
	int n, i;

	n = vu_port_xstats_get(pid, NULL, 0);
	if (n < 0) {
		printf("Cannot get xstats count of port %u\n", pid);
		return;
	}
	xs = calloc(n + 1, sizeof(*xs));
	if (xs == NULL)
		return;
	n = vu_port_xstats_get(pid, xs, n);
	printf("###### NIC extended statistics for port %-2u\n", pid);
	for (i = 0; i < n; i++)
		printf("%s: %" PRIu64 "\n", xs[i].name, xs[i].value);
	free(xs);
}

void
fwd_stats_reset(void)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		vu_port_stats_get(port_ids[i], &ports[port_ids[i]].fwd_start);
}

/*
 * One line of burst sizes, as testpmd's record-burst-stats:
 *   "  RX-bursts : 1000 [60% of 0 pkts + 30% of 32 pkts + 8% of 31 pkts + 2% of other]"
 * Empty bursts always come first, then the two most frequent sizes; the last
 * share is what is left of 100 %, so the shares add up.
 */
static void
burst_spread_display(const char *dir, const uint64_t *spread)
{
	uint64_t total = 0, shown = 0;
	unsigned int top[2] = { 0, 0 }, i, pct_sum = 0, n;

	for (n = 0; n <= MAX_PKT_BURST; n++)
		total += spread[n];
	/* top[i] == 0: none yet (size 0 is shown apart) */
	for (n = 1; n <= MAX_PKT_BURST; n++) {
		if (spread[n] == 0)
			continue;
		if (top[0] == 0 || spread[n] > spread[top[0]]) {
			top[1] = top[0];
			top[0] = n;
		} else if (top[1] == 0 || spread[n] > spread[top[1]]) {
			top[1] = n;
		}
	}
	printf("  %s-bursts : %" PRIu64 " [", dir, total);
	if (total == 0) {
		printf("]\n");
		return;
	}
	for (i = 0; i < 3; i++) {
		unsigned int size = i == 0 ? 0 : top[i - 1];
		unsigned int pct;

		if (i > 0 && size == 0)
			break;
		shown += spread[size];
		if (shown == total) {
			printf("%u%% of %u pkts]\n", 100 - pct_sum, size);
			return;
		}
		pct = (unsigned int)(spread[size] * 100 / total);
		printf("%u%% of %u pkts + ", pct, size);
		pct_sum += pct;
	}
	printf("%u%% of other]\n", 100 - pct_sum);
}

static void
stream_stats_display(const struct fwd_stream *fs)
{
	printf("\n  %s Forward Stats for RX Port=%2u/Queue=%2u -> TX Port=%2u/Queue=%2u %s\n",
	       "-------", fs->rx_port, fs->rx_queue, fs->tx_port, fs->tx_queue, "-------");
	printf("  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64
	       "\n", fs->rx_packets, fs->tx_packets, fs->fwd_dropped);
	if (fs->bursts != NULL) {
		burst_spread_display("RX", fs->bursts->rx);
		burst_spread_display("TX", fs->bursts->tx);
	}
}

struct fwd_totals {
	uint64_t rx, rx_dropped, tx, tx_dropped;
	bool payload;			/* checked: print the two counters */
	uint64_t payload_checked, payload_bad;
	/* One stream per port: its burst sizes, when recorded. */
	const uint64_t *rx_bursts, *tx_bursts;
};

static void
totals_display(const char *head, const char *tail, const struct fwd_totals *t)
{
	printf("\n  %s\n", head);
	printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "RX-total: %-" PRIu64 "\n",
	       t->rx, t->rx_dropped, t->rx + t->rx_dropped);
	printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "TX-total: %-" PRIu64 "\n",
	       t->tx, t->tx_dropped, t->tx + t->tx_dropped);
	if (t->payload)
		printf("  Payload-checked: %-14" PRIu64 " Payload-bad: %-" PRIu64 "\n",
		       t->payload_checked, t->payload_bad);
	if (t->rx_bursts != NULL)
		burst_spread_display("RX", t->rx_bursts);
	if (t->tx_bursts != NULL)
		burst_spread_display("TX", t->tx_bursts);
	printf("  %s\n", tail);
}

/*
 * testpmd's record-core-cycles line: the busy cycles of every stream over the
 * packets received (sent, for the engines that generate them).
 */
static void
core_cycles_display(uint64_t rx, uint64_t tx)
{
	const char *eng = running_eng->name;
	bool gen = strcmp(eng, "txonly") == 0 || strcmp(eng, "flowgen") == 0;
	uint64_t cycles = 0, pkts = gen ? tx : rx;
	unsigned int s;

	if (rx == 0 && tx == 0)
		return;
	for (s = 0; s < nb_fwd_streams; s++)
		cycles += fwd_streams[s].busy_cycles;
	printf("\n  CPU cycles/packet=%.2f (total cycles=%" PRIu64 " / total %s packets=%" PRIu64
	       ") at %" PRIu64 " MHz Clock\n", pkts ? (double)cycles / pkts : 0.0, cycles, eng,
	       pkts, rte_get_tsc_hz() / 1000000);
}

void
fwd_stats_display(void)
{
	struct fwd_totals all = { 0 };
	char head[128];
	unsigned int s;
	uint16_t i;

	if (nb_fwd_streams > nb_ports)
		for (s = 0; s < nb_fwd_streams; s++)
			stream_stats_display(&fwd_streams[s]);
	for (i = 0; i < nb_ports; i++) {
		uint16_t pid = port_ids[i];
		struct vu_port_stats st, *st0 = &ports[pid].fwd_start;
		struct fwd_totals t = { 0 };

		if (vu_port_stats_get(pid, &st) != 0)
			continue;
		t.rx = st.ipackets - st0->ipackets;
		t.rx_dropped = st.imissed - st0->imissed;
		t.tx = st.opackets - st0->opackets;
		for (s = 0; s < nb_fwd_streams; s++) {
			const struct fwd_stream *fs = &fwd_streams[s];

			if (fs->tx_port == pid)
				t.tx_dropped += fs->fwd_dropped;
			/* With more streams than ports they were shown per stream. */
			if (fs->bursts != NULL && nb_fwd_streams <= nb_ports) {
				if (fs->rx_port == pid)
					t.rx_bursts = fs->bursts->rx;
				if (fs->tx_port == pid)
					t.tx_bursts = fs->bursts->tx;
			}
			if (fs->rx_port == pid && fs->check_payload) {
				t.payload = true;
				t.payload_checked += fs->payload_checked;
				t.payload_bad += fs->payload_bad;
			}
		}
		snprintf(head, sizeof(head), "%s Forward statistics for port %-2u %s",
			 fwd_stats_border, pid, fwd_stats_border);
		totals_display(head, "----------------------------------------"
			       "------------------------------------", &t);
		all.rx += t.rx;
		all.rx_dropped += t.rx_dropped;
		all.tx += t.tx;
		all.tx_dropped += t.tx_dropped;
		all.payload |= t.payload;
		all.payload_checked += t.payload_checked;
		all.payload_bad += t.payload_bad;
	}
	snprintf(head, sizeof(head), "%s Accumulated forward statistics for all ports%s",
		 fwd_total_border, fwd_total_border);
	totals_display(head, "++++++++++++++++++++++++++++++++++++++"
		       "++++++++++++++++++++++++++++++++++++++", &all);
	if (fwd_timed)
		core_cycles_display(all.rx, all.tx);
}
