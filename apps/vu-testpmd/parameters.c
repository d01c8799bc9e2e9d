/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options after "--" (testpmd's names, plus vu's --run-time). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testpmd.h"

bool interactive;
bool auto_start;
bool no_flush_rx;
uint16_t nb_rxq = 1, nb_txq = 1;
uint16_t nb_rxd = 1024, nb_txd = 1024;
uint16_t nb_pkt_per_burst = 32;
bool record_burst_stats;
bool record_core_cycles;
unsigned int nb_fwd_lcores = 1;
unsigned int stats_period;
unsigned int total_num_mbufs;
unsigned int run_time;
uint16_t tx_pkt_seg_lengths[TX_PKT_SEG_MAX] = { 64 };
uint8_t tx_pkt_nb_segs = 1;
uint32_t tx_pkt_length = 64;
uint16_t mbuf_data_size = RTE_MBUF_DEFAULT_BUF_SIZE;

struct fwd_engine *const fwd_engines[] = {
	&io_engine, &mac_engine, &macswap_engine, &rxonly_engine, &txonly_engine,
	&flowgen_engine, NULL,
};
struct fwd_engine *cur_fwd_eng = &io_engine;

struct fwd_engine *
fwd_engine_find(const char *name)
{
	unsigned int i;

	for (i = 0; fwd_engines[i] != NULL; i++)
		if (strcmp(fwd_engines[i]->name, name) == 0)
			return fwd_engines[i];
	return NULL;
}

enum {
	OPT_NB_CORES = 256, OPT_RXQ, OPT_TXQ, OPT_RXD, OPT_TXD, OPT_BURST, OPT_FWD_MODE,
	OPT_STATS_PERIOD, OPT_TOTAL_NUM_MBUFS, OPT_TXPKTS, OPT_RUN_TIME, OPT_NO_FLUSH_RX,
	OPT_MBUF_SIZE, OPT_PAYLOAD_CHECK, OPT_RECORD_BURST_STATS,
	OPT_RECORD_CORE_CYCLES,
};

static const struct option long_opts[] = {
	{ "interactive", no_argument, NULL, 'i' },
	{ "auto-start", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "nb-cores", required_argument, NULL, OPT_NB_CORES },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "txq", required_argument, NULL, OPT_TXQ },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "forward-mode", required_argument, NULL, OPT_FWD_MODE },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "total-num-mbufs", required_argument, NULL, OPT_TOTAL_NUM_MBUFS },
	{ "txpkts", required_argument, NULL, OPT_TXPKTS },
	{ "run-time", required_argument, NULL, OPT_RUN_TIME },
	{ "no-flush-rx", no_argument, NULL, OPT_NO_FLUSH_RX },
	{ "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
	{ "payload-check", no_argument, NULL, OPT_PAYLOAD_CHECK },
	{ "record-burst-stats", no_argument, NULL, OPT_RECORD_BURST_STATS },
	{ "record-core-cycles", no_argument, NULL, OPT_RECORD_CORE_CYCLES },
	{ NULL, 0, NULL, 0 },
};

void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] [--vdev PORT[,KEY=VALUE...]]... -- [options]\n"
	       "\n"
	       "Ports: each --vdev names a vu port (net_ring<N>[,queues=N], ...).\n"
	       "\n"
	       "Options:\n"
	       "  -i, --interactive: run the interactive prompt.\n"
	       "  -a, --auto-start: start forwarding on start-up.\n"
	       "  --nb-cores=N: number of forwarding cores (1 <= N <= worker lcores).\n"
	       "  --rxq=N: number of RX queues per port (1 <= N <= %d).\n"
	       "  --txq=N: number of TX queues per port (1 <= N <= %d).\n"
	       "  --rxd=N: number of RX descriptors per queue (default 1024).\n"
	       "  --txd=N: number of TX descriptors per queue (default 1024).\n"
	       "  --burst=N: packets per burst (1 <= N <= %d, default 32).\n"
	       "  --forward-mode=MODE: io|mac|macswap|rxonly|txonly|flowgen (default io).\n"
	       "  --stats-period=SECONDS: print port statistics every SECONDS\n"
	       "    in non-interactive mode.\n"
	       "  --total-num-mbufs=N: number of mbufs in the pool.\n"
	       "  --mbuf-size=N: data size of an mbuf, headroom included\n"
	       "    (default %d; 9216 takes a 9000-byte frame in one buffer).\n"
	       "  --txpkts=X[,Y]*: segment sizes of txonly/flowgen packets.\n"
	       "  --no-flush-rx: keep what is waiting in the RX queues when\n"
	       "    forwarding starts (default: drop it).\n"
	       "  --run-time=SECONDS: (vu) forward for SECONDS, print the final\n"
	       "    statistics and exit.\n"
	       "  --payload-check: (vu) generated packets carry a pattern and\n"
	       "    every received packet is checked against it.\n"
	       "  --record-burst-stats: count the bursts of each size; \"stop\"\n"
	       "    prints the most frequent.\n"
	       "  --record-core-cycles: time the bursts that move packets; \"stop\"\n"
	       "    prints CPU cycles per packet.\n"
	       "  -h, --help: show this help and exit.\n",
	       prog, VU_MAX_QUEUE_PAIRS, VU_MAX_QUEUE_PAIRS, MAX_PKT_BURST,
	       RTE_MBUF_DEFAULT_BUF_SIZE);
}

/* Parse an unsigned decimal in [min, max] for option @p opt. */
static int
parse_uint(const char *opt, const char *s, unsigned long min, unsigned long max,
	   unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "vu-testpmd: invalid value '%s' for --%s (%lu..%lu)\n", s, opt,
			min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int
parse_txpkts(const char *list)
{
	const unsigned int seg_max = mbuf_data_size - RTE_PKTMBUF_HEADROOM;
	uint16_t lens[TX_PKT_SEG_MAX];
	unsigned int n = 0;
	uint32_t total = 0;
	const char *p = list;

	while (*p != '\0') {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || !isdigit((unsigned char)*p) || errno != 0 || v == 0 || v > seg_max ||
		    (*end != ',' && *end != '\0') || n == TX_PKT_SEG_MAX) {
			fprintf(stderr, "invalid txpkts '%s': up to %d sizes of 1..%u bytes "
				"(the mbuf data room)\n", list, TX_PKT_SEG_MAX, seg_max);
			return -EINVAL;
		}
		lens[n++] = v;
		total += v;
		p = *end == ',' ? end + 1 : end;
	}
	if (total > UINT16_MAX) {
		fprintf(stderr, "invalid txpkts '%s': %u bytes in all, above the IPv4 total "
			"length's %u\n", list, total, UINT16_MAX);
		return -EINVAL;
	}
	if (n == 0 || lens[0] < TXONLY_HDR_LEN) {
		fprintf(stderr, "invalid txpkts '%s': the first segment must hold the %d-byte "
			"Ethernet/IPv4/UDP header\n", list, TXONLY_HDR_LEN);
		return -EINVAL;
	}
	memcpy(tx_pkt_seg_lengths, lens, n * sizeof(lens[0]));
	tx_pkt_nb_segs = n;
	tx_pkt_length = total;
	return 0;
}

/* Apply one option; 0, 1 (exit 0: --help) or a negative errno. */
static int
apply_opt(int opt, const char *name, const char *arg, const char *prog,
	  const char **txpkts_arg)
{
	unsigned long v;
	int ret = 0;

	switch (opt) {
	case 'i': interactive = true; break;
	case 'a': auto_start = true; break;
	case 'h': usage(prog); return 1;
	case OPT_NB_CORES:
		if ((ret = parse_uint(name, arg, 1, RTE_MAX_LCORE, &v)) == 0)
			nb_fwd_lcores = v;
		break;
	case OPT_RXQ:
	case OPT_TXQ:
		if ((ret = parse_uint(name, arg, 1, VU_MAX_QUEUE_PAIRS, &v)) == 0)
			*(opt == OPT_RXQ ? &nb_rxq : &nb_txq) = v;
		break;
	case OPT_RXD:
	case OPT_TXD:
		if ((ret = parse_uint(name, arg, 1, 32768, &v)) == 0)
			*(opt == OPT_RXD ? &nb_rxd : &nb_txd) = v;
		break;
	case OPT_BURST:
		if ((ret = parse_uint(name, arg, 1, MAX_PKT_BURST, &v)) == 0)
			nb_pkt_per_burst = v;
		break;
	case OPT_FWD_MODE:
		cur_fwd_eng = fwd_engine_find(arg);
		if (cur_fwd_eng == NULL) {
			fprintf(stderr, "vu-testpmd: invalid value '%s' for --%s "
				"(io|mac|macswap|rxonly|txonly|flowgen)\n", arg, name);
			ret = -EINVAL;
		}
		break;
	case OPT_STATS_PERIOD:
		if ((ret = parse_uint(name, arg, 1, 86400, &v)) == 0)
			stats_period = v;
		break;
	case OPT_TOTAL_NUM_MBUFS:
		if ((ret = parse_uint(name, arg, 1024, UINT32_MAX, &v)) == 0)
			total_num_mbufs = v;
		break;
	case OPT_TXPKTS:
		*txpkts_arg = arg;	/* parsed last: it depends on --mbuf-size */
		break;
	case OPT_MBUF_SIZE:
		if ((ret = parse_uint(name, arg, RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN,
				      UINT16_MAX, &v)) == 0)
			mbuf_data_size = v;
		break;
	case OPT_PAYLOAD_CHECK:
		payload_check = true;
		break;
	case OPT_RECORD_BURST_STATS:
		record_burst_stats = true;
		break;
	case OPT_RECORD_CORE_CYCLES:
		record_core_cycles = true;
		break;
	case OPT_RUN_TIME:
		if ((ret = parse_uint(name, arg, 1, 86400 * 365, &v)) == 0)
			run_time = v;
		break;
	case OPT_NO_FLUSH_RX:
		no_flush_rx = true;
		break;
	}
	return ret;
}

int
parse_app_args(int argc, char **argv)
{
	const char *txpkts_arg = NULL;
	int opt, idx, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":iah", long_opts, &idx)) != -1) {
		const char *name;

		if (opt == '?' || opt == ':') {
			fprintf(stderr, "vu-testpmd: %s option '%s' (see --help)\n",
				opt == '?' ? "unknown" : "missing value for", argv[optind - 1]);
			return -EINVAL;
		}
		name = opt >= OPT_NB_CORES ? long_opts[idx].name : "";
		ret = apply_opt(opt, name, optarg, argv[0], &txpkts_arg);
		if (ret != 0)
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "vu-testpmd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -EINVAL;
	}
	if (txpkts_arg != NULL)
		return parse_txpkts(txpkts_arg);
	return 0;
}
