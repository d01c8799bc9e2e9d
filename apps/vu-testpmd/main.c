/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu-testpmd: testpmd's forwarding app over vu ports.
 *
 *   vu-testpmd [EAL options] --vdev net_ring0 --vdev net_ring1 -- -i
 *
 * Every --vdev is taken out of argv before rte_eal_init(): EAL would hand it
 * to DPDK's own PMDs (net_vhost, net_virtio_user, net_ring), which vu does
 * not use. The strings become vu ports after EAL init.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "testpmd.h"

#define VDEV_MAX VU_PORT_MAX
/** mbufs kept in each lcore's mempool cache. */
#define MBUF_CACHE_SIZE 250

uint16_t nb_ports;
uint16_t port_ids[VU_PORT_MAX];
struct port_state ports[VU_PORT_MAX];
struct rte_mempool *mbuf_pool;

static const char *vdevs[VDEV_MAX];
static unsigned int nb_vdevs;
/** Set by SIGINT/SIGTERM/SIGALRM: the main loops end and the app exits. */
static volatile sig_atomic_t force_quit;
/* Interactive mode, while the prompt runs: /dev/null, which a signal puts
 * on stdin so that the prompt's next read ends it even when the signal came
 * during a command (a read under way returns EINTR anyway). Only the main
 * thread takes the signals (see main()), so the handler never runs
 * alongside interact(). */
static volatile sig_atomic_t prompt_devnull = -1;
/* The signals that end the app: blocked in every thread but main. */
static sigset_t quit_signals;

/*
 * The ports vu-testpmd makes when no --vdev is given: a vhost-user backend
 * port (0) and a virtio-user frontend port (1) joined by a private socket,
 * so packets loop through vu's own data plane on both sides. Port 0 is
 * configured first, so its socket listens before port 1 connects.
 */
static bool default_loopback;
static char loop_socket[108];
static char loop_vdevs[2][160];

static unsigned int
default_loopback_vdevs(const char **out, unsigned int max)
{
	if (max < 2)
		return 0;
	snprintf(loop_socket, sizeof(loop_socket), "/tmp/vu-testpmd-%d.sock", (int)getpid());
	unlink(loop_socket);
	snprintf(loop_vdevs[0], sizeof(loop_vdevs[0]), "net_vhost0,iface=%s,queues=1",
		 loop_socket);
	snprintf(loop_vdevs[1], sizeof(loop_vdevs[1]), "net_virtio_user0,path=%s,queues=1",
		 loop_socket);
	out[0] = loop_vdevs[0];
	out[1] = loop_vdevs[1];
	default_loopback = true;
	return 2;
}

/* Take "--vdev ARG" / "--vdev=ARG" before "--" out of argv; new argc. */
static int
take_vdevs(int argc, char **argv)
{
	int i, n = 0;
	bool app = false;

	for (i = 0; i < argc; i++) {
		const char *v = NULL;

		if (!app && strcmp(argv[i], "--") == 0)
			app = true;
		if (!app && strcmp(argv[i], "--vdev") == 0 && i + 1 < argc)
			v = argv[++i];
		else if (!app && strncmp(argv[i], "--vdev=", 7) == 0)
			v = argv[i] + 7;
		if (v == NULL) {
			argv[n++] = argv[i];
			continue;
		}
		if (nb_vdevs == VDEV_MAX) {
			fprintf(stderr, "vu-testpmd: more than %d --vdev\n", VDEV_MAX);
			return -1;
		}
		vdevs[nb_vdevs++] = v;
	}
	argv[n] = NULL;
	return n;
}

static void
on_signal(int sig)
{
	(void)sig;
	force_quit = 1;
	if (prompt_devnull >= 0)
		dup2(prompt_devnull, STDIN_FILENO);	/* async-signal-safe */
}

bool
quit_requested(void)
{
	return force_quit != 0;
}

/* The prompt, until "quit", EOF or a signal (SIGINT, SIGTERM, --run-time). */
static void
interact(void)
{
	int saved, devnull = -1;

	/* The prompt reads the terminal's settings from the real stdin first. */
	if (prompt_open() != 0)
		return;
	saved = dup(STDIN_FILENO);
	if (saved >= 0)
		devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull >= 0)
		prompt_devnull = devnull;
	if (!force_quit)
		prompt_run();
	prompt_devnull = -1;	/* from here a signal leaves stdin alone */
	if (devnull >= 0) {
		/* Undo a signal's swap: the terminal is restored on the real stdin. */
		dup2(saved, STDIN_FILENO);
		close(devnull);
	}
	if (saved >= 0)
		close(saved);
	if (force_quit)
		printf("\nSignal received, preparing to exit...\n");
}

static void
signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: the prompt's read() must return on a signal. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* Handled from here on; a signal that came earlier is delivered now. */
	pthread_sigmask(SIG_UNBLOCK, &quit_signals, NULL);
}

bool
port_id_is_invalid(uint16_t port_id)
{
	uint16_t i;

	if (port_id < VU_PORT_MAX && vu_ports[port_id] != NULL)
		return false;
	printf("Invalid port %u\nThe valid ports array is [", port_id);
	for (i = 0; i < nb_ports; i++)
		printf(" %u", port_ids[i]);
	printf(" ]\n");
	return true;
}

int
parse_port_arg(const char *s)
{
	char *end;
	unsigned long v;

	if (strcmp(s, "all") == 0)
		return VU_PORT_MAX;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || v > UINT16_MAX) {
		printf("Bad arguments\n");
		return -1;
	}
	return port_id_is_invalid(v) ? -1 : (int)v;
}

bool
all_ports_started(void)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		if (!vu_ports[port_ids[i]]->started)
			return false;
	return true;
}

bool
all_ports_stopped(void)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		if (vu_ports[port_ids[i]]->started)
			return false;
	return true;
}

static int
port_configure(uint16_t pid)
{
	struct vu_port_conf conf = {
		.nb_rx_queues = nb_rxq, .nb_tx_queues = nb_txq,
		.nb_rx_desc = nb_rxd, .nb_tx_desc = nb_txd, .mp = mbuf_pool,
	};
	struct vu_port_info info;
	int ret;

	printf("Configuring Port %u (socket %u)\n", pid, rte_socket_id());
	ret = vu_port_configure(pid, &conf);
	if (ret != 0) {
		fprintf(stderr, "Fail to configure port %u: %s\n", pid, strerror(-ret));
		return ret;
	}
	if (vu_port_info_get(pid, &info) == 0)
		ports[pid].mac = info.mac;
	ports[pid].need_reconfig = false;
	return 0;
}

int
port_start(uint16_t pid)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	int ret;

	if (vu_ports[pid]->started)
		return 0;
	if (ports[pid].need_reconfig && port_configure(pid) != 0)
		return -EINVAL;
	ret = vu_port_start(pid);
	if (ret != 0) {
		fprintf(stderr, "Fail to start port %u: %s\n", pid, strerror(-ret));
		return ret;
	}
	mac_format(mac, sizeof(mac), &ports[pid].mac);
	printf("Port %u: %s\n", pid, mac);
	return 0;
}

int
port_stop(uint16_t pid)
{
	int ret = vu_port_stop(pid);

	if (ret != 0)
		fprintf(stderr, "Fail to stop port %u: %s\n", pid, strerror(-ret));
	return ret;
}

static int
create_ports(void)
{
	unsigned int i;

	if (nb_vdevs == 0)
		nb_vdevs = default_loopback_vdevs(vdevs, VDEV_MAX);
	if (nb_vdevs == 0) {
		fprintf(stderr, "vu-testpmd: no port\n");
		return -ENODEV;
	}
	for (i = 0; i < nb_vdevs; i++) {
		uint16_t pid;
		int ret = vu_port_create(vdevs[i], &pid);

		if (ret != 0) {
			fprintf(stderr, "vu-testpmd: cannot create port '%s': %s\n", vdevs[i],
				strerror(-ret));
			return ret;
		}
		port_ids[nb_ports++] = pid;
		snprintf(ports[pid].devargs, sizeof(ports[pid].devargs), "%s",
			 strchr(vdevs[i], ',') ? strchr(vdevs[i], ',') + 1 : "");
		ports[pid].need_reconfig = true;
	}
	return 0;
}

static int
mbuf_pool_create(void)
{
	unsigned int n = total_num_mbufs;

	if (n == 0) {
		/* Rings full on every queue, a burst in flight per stream, caches. */
		n = nb_ports * RTE_MAX(nb_rxq, nb_txq) * (nb_rxd + nb_txd + 2 * MAX_PKT_BURST) +
		    rte_lcore_count() * (MBUF_CACHE_SIZE + MAX_PKT_BURST);
		n = RTE_MAX(n, 8192u);
	}
	printf("testpmd: create a new mbuf pool <mb_pool_0>: n=%u, size=%u, socket=%u\n", n,
	       mbuf_data_size, rte_socket_id());
	mbuf_pool = rte_pktmbuf_pool_create("mb_pool_0", n, MBUF_CACHE_SIZE, 0,
					    mbuf_data_size, rte_socket_id());
	if (mbuf_pool == NULL) {
		fprintf(stderr, "Creation of mbuf pool failed: %s\n", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

static int
start_ports(void)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		if (port_start(port_ids[i]) != 0)
			return -1;
	printf("Checking link statuses...\nDone\n");
	return 0;
}

static void
close_ports(void)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++) {
		uint16_t pid = port_ids[i];

		printf("\nStopping port %u...\n", pid);
		vu_port_stop(pid);
		printf("Done\n\nShutting down port %u...\n", pid);
		vu_port_close(pid);
		printf("Port %u is closed\nDone\n", pid);
	}
	nb_ports = 0;
}

/* Bursts of generated packets that seed the default loopback. */
#define LOOPBACK_TX_FIRST 32
/* Seconds the default loopback runs when no --run-time is given. */
#define LOOPBACK_SECONDS 5

static uint64_t
total_rx_packets(void)
{
	struct vu_port_stats st;
	uint64_t sum = 0;
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		if (vu_port_stats_get(port_ids[i], &st) == 0)
			sum += st.ipackets;
	return sum;
}

/* Non-interactive: forward until Enter, EOF, a signal or --run-time. */
static void
run_until_done(void)
{
	uint64_t hz = rte_get_timer_hz(), start = rte_get_timer_cycles();
	uint64_t next_stats = start + (uint64_t)stats_period * hz;
	bool watch_stdin = run_time == 0;
	uint64_t rx_start = total_rx_packets(), elapsed;

	/* The default loopback has no traffic source: seed it as testpmd's
	 * "start tx_first 32" does in DPDK's loopback test plans. */
	start_packet_forwarding(default_loopback ? LOOPBACK_TX_FIRST : 0);
	if (watch_stdin)
		printf("Press enter to exit\n");
	fflush(stdout);
	while (!force_quit) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		uint64_t now;

		if (poll(&pfd, watch_stdin ? 1 : 0, 100) > 0) {
			char buf[64];

			if (read(STDIN_FILENO, buf, sizeof(buf)) >= 0)
				break;	/* Enter or EOF */
		}
		now = rte_get_timer_cycles();
		if (run_time != 0 && now - start >= (uint64_t)run_time * hz)
			break;
		if (stats_period != 0 && now >= next_stats) {
			uint16_t i;

			printf("\nPort statistics ====================================");
			for (i = 0; i < nb_ports; i++)
				nic_stats_display(port_ids[i]);
			fflush(stdout);
			next_stats += (uint64_t)stats_period * hz;
		}
	}
	elapsed = rte_get_timer_cycles() - start;
	if (force_quit)
		printf("\nSignal received, preparing to exit...\n");
	rx_start = total_rx_packets() - rx_start;
	stop_packet_forwarding();
	printf("\nThroughput: %.2f Mpps received over all ports in %.1f s (%" PRIu64
	       " packets)\n", elapsed ? (double)rx_start * hz / elapsed / 1e6 : 0.0,
	       (double)elapsed / hz, rx_start);
}

/*
 * EAL leaves its runtime files (config, fbarray_*) in /run/dpdk/<prefix>
 * after rte_eal_cleanup(); a test harness starting many short runs would
 * fill the directory. Remove what EAL put there, then the directory.
 */
static void
runtime_dir_remove(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, "config") != 0 && strncmp(e->d_name, "fbarray_", 8) != 0 &&
		    strncmp(e->d_name, "mp_socket", 9) != 0 &&
		    strncmp(e->d_name, "dpdk_telemetry", 14) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
app_init(void)
{
	if (nb_worker_lcores == 0) {
		fprintf(stderr, "vu-testpmd: no forwarding lcore: give EAL at least two lcores "
			"(-l 0,1), the first one being the main lcore\n");
		return -EINVAL;
	}
	if (nb_fwd_lcores > nb_worker_lcores) {
		fprintf(stderr, "vu-testpmd: invalid value '%u' for --nb-cores: %u worker lcore(s)\n",
			nb_fwd_lcores, nb_worker_lcores);
		return -EINVAL;
	}
	if (create_ports() != 0 || mbuf_pool_create() != 0 || start_ports() != 0)
		return -1;
	if (default_loopback && !interactive && run_time == 0)
		run_time = LOOPBACK_SECONDS;
	return 0;
}

int
main(int argc, char **argv)
{
	char runtime_dir[PATH_MAX];
	unsigned int lcore;
	int ret, diag;

	argc = take_vdevs(argc, argv);
	if (argc < 0)
		return 1;
	/* Every thread EAL starts (lcores, interrupts, telemetry) inherits the
	 * signals blocked; vu's own threads block them too, so only this
	 * thread takes them. */
	sigemptyset(&quit_signals);
	sigaddset(&quit_signals, SIGINT);
	sigaddset(&quit_signals, SIGTERM);
	sigaddset(&quit_signals, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &quit_signals, NULL);
	telemetry_init();
	diag = rte_eal_init(argc, argv);
	if (diag < 0) {
		fprintf(stderr, "vu-testpmd: cannot init EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	RTE_LCORE_FOREACH_WORKER(lcore)
		fwd_lcores[nb_worker_lcores++].lcore_id = lcore;
	ret = parse_app_args(argc - diag, argv + diag);
	if (ret == 0)
		ret = app_init();
	if (ret != 0)
		goto out;
	signals_init();
	if (interactive) {
		printf("Interactive-mode selected\n");
		if (run_time != 0)
			alarm(run_time);
		if (auto_start)
			start_packet_forwarding(0);
		interact();
		if (fwd_running)
			stop_packet_forwarding();
		prompt_exit();
	} else {
		run_until_done();
	}
	printf("\n");
out:
	close_ports();
	if (default_loopback)
		unlink(loop_socket);
	if (mbuf_pool != NULL)
		rte_mempool_free(mbuf_pool);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	runtime_dir_remove(runtime_dir);
	if (ret == 0)
		printf("\nBye...\n");
	return ret < 0 ? 1 : 0;
}
