/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user against net_vhost in one process, over a real socket and
 * memfd-backed EAL memory, bursts driven from the main thread: the receive
 * queue keeps working after its mempool ran dry, and a failed reconfigure
 * leaves a port that refuses to start rather than one that crashes.
 */
#include <sys/resource.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vu_port.h"
#include "vu_test.h"
#include "vu_test_port.h"

#define QSIZE		256
#define VUSER_MBUFS	(QSIZE + 64)

static char sock[108];
static uint16_t vhost_id, vuser_id;
static struct rte_mempool *vhost_mp, *vuser_mp;

/* EAL with @p mem_args (NULL-terminated, at most 4) and the two pools. */
static bool
eal_up_with(char *const *mem_args)
{
	char *argv[20] = { "test_vuser_port", "--no-pci", "-m", "256", "--no-telemetry",
			   "--file-prefix", "vu-test-vuser", "-l", "0",
			   "--log-level", "lib.eal:error" };
	int argc = 11;

	while (*mem_args != NULL && argc < (int)RTE_DIM(argv) - 1)
		argv[argc++] = *mem_args++;
	if (rte_eal_init(argc, argv) < 0)
		return false;
	vhost_mp = rte_pktmbuf_pool_create("vhost_pool", 4096, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	/* No per-lcore cache: what the test takes out is exactly what is gone. */
	vuser_mp = rte_pktmbuf_pool_create("vuser_pool", VUSER_MBUFS, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	return vhost_mp != NULL && vuser_mp != NULL;
}

static bool
eal_up(void)
{
	char *mem[] = { "--no-huge", "--single-file-segments", "--no-shconf", NULL };

	return eal_up_with(mem);
}

static bool
link_up(uint16_t id)
{
	struct vu_port_link l;

	return vu_port_link_get(id, &l) == 0 && l.up;
}

/* A vhost server port and a virtio-user client on it (which has room for
 * @p vuser_queues pairs), one queue pair each, started, link up. */
static bool
pair_up(unsigned int vuser_queues)
{
	struct vu_port_conf vc = { .nb_rx_queues = 1, .nb_tx_queues = 1, .mp = vhost_mp };
	struct vu_port_conf uc = { .nb_rx_queues = 1, .nb_tx_queues = 1, .mp = vuser_mp };
	char args[256];
	int i;

	snprintf(sock, sizeof(sock), "/tmp/vu-test-vuser-%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "net_vhost0,iface=%s", sock);
	if (vu_port_create(args, &vhost_id) != 0 || vu_port_configure(vhost_id, &vc) != 0 ||
	    vu_port_start(vhost_id) != 0)
		return false;
	snprintf(args, sizeof(args), "net_virtio_user0,path=%s,queue_size=%d,queues=%u", sock,
		 QSIZE, vuser_queues);
	if (vu_port_create(args, &vuser_id) != 0 || vu_port_configure(vuser_id, &uc) != 0 ||
	    vu_port_start(vuser_id) != 0)
		return false;
	for (i = 0; i < 500 && !(link_up(vhost_id) && link_up(vuser_id)); i++)
		usleep(10000);
	return link_up(vhost_id) && link_up(vuser_id);
}

/* Send @p n 64-byte frames from the vhost port into the guest's receive ring. */
static uint16_t
vhost_send(uint16_t n)
{
	struct rte_mbuf *m[64];
	uint16_t i, sent;

	n = RTE_MIN(n, (uint16_t)RTE_DIM(m));
	if (rte_pktmbuf_alloc_bulk(vhost_mp, m, n) != 0)
		return 0;
	for (i = 0; i < n; i++)
		memset(rte_pktmbuf_append(m[i], 64), 0x5a, 64);
	sent = vu_port_tx_burst(vhost_id, 0, m, n);
	rte_pktmbuf_free_bulk(m + sent, n - sent);	/* tx_burst took the rest */
	return sent;
}

/* Within about a second, frames the vhost port sends reach the guest. */
static bool
guest_receives(void)
{
	struct rte_mbuf *rx[64];
	unsigned int i;
	uint16_t got = 0;

	for (i = 0; i < 1000 && got == 0; i++) {
		vhost_send(8);
		got = vu_port_rx_burst(vuser_id, 0, rx, RTE_DIM(rx));
		rte_pktmbuf_free_bulk(rx, got);
		usleep(100);
	}
	return got > 0;
}

/*
 * The virtio-user receive ring used to be refilled only from buffers that
 * came back: once a refill found the mempool short and every posted buffer
 * had been used, nothing came back and the queue stayed dead for good.
 */
static void
rx_survives_empty_mempool(void)
{
	struct rte_mbuf *held[VUSER_MBUFS], *rx[64];
	unsigned int nheld = 0, got = 0, i;
	struct vu_port_stats st;

	CHECK(eal_up());
	CHECK(pair_up(1));
	/* Take every mbuf the receive ring did not: refills will find none. */
	while (nheld < RTE_DIM(held) && (held[nheld] = rte_pktmbuf_alloc(vuser_mp)) != NULL)
		nheld++;
	CHECK_EQ(nheld, VUSER_MBUFS - QSIZE);
	/* The guest receives until its ring has no buffer left, and keeps them. */
	for (i = 0; i < 1000 && got < QSIZE; i++) {
		uint16_t n;

		vhost_send(32);
		n = vu_port_rx_burst(vuser_id, 0, rx, RTE_DIM(rx));
		memcpy(&held[nheld], rx, n * sizeof(rx[0]));
		nheld += n;
		got += n;
	}
	CHECK_EQ(got, QSIZE);		/* every posted buffer, and no refill since */
	CHECK_EQ(vhost_send(32), 0);	/* no buffer posted: the vhost side drops */
	CHECK_EQ(vu_port_stats_get(vuser_id, &st), 0);
	CHECK(st.rx_nombuf > 0);
	/* The pool recovers; the next receive bursts must post buffers again. */
	rte_pktmbuf_free_bulk(held, nheld);
	CHECK(guest_receives());
	CHECK_EQ(vu_port_close(vuser_id), 0);
	CHECK_EQ(vu_port_close(vhost_id), 0);
	unlink(sock);
	CHECK_EQ(rte_mempool_avail_count(vuser_mp), VUSER_MBUFS);
}

/*
 * An mbuf whose segments hold less than its pkt_len (an application's bug,
 * or a length rewritten under a forwarding core) used to make the vhost
 * transmit copy loop spin forever on its last segment. The frame is now
 * cut short and counted as an error, and the port keeps working.
 */
static void
vhost_tx_survives_short_segments(void)
{
	struct vu_port_stats st;
	struct rte_mbuf *m;
	uint16_t len;

	struct rte_mbuf *seg[3], *rx[64];
	uint64_t opackets;
	unsigned int i, n = 0;

	CHECK(eal_up());
	CHECK(pair_up(1));
	CHECK(guest_receives());
	/* A valid chain may have an empty segment: 64 + 0 + 36 bytes. */
	CHECK_EQ(vu_port_stats_get(vhost_id, &st), 0);
	opackets = st.opackets;
	CHECK_EQ(rte_pktmbuf_alloc_bulk(vhost_mp, seg, 3), 0);
	memset(rte_pktmbuf_append(seg[0], 64), 0x11, 64);
	memset(rte_pktmbuf_append(seg[2], 36), 0x33, 36);
	CHECK_EQ(rte_pktmbuf_chain(seg[0], seg[1]), 0);
	CHECK_EQ(rte_pktmbuf_chain(seg[0], seg[2]), 0);
	CHECK_EQ(seg[0]->pkt_len, 100);
	CHECK_EQ(vu_port_tx_burst(vhost_id, 0, seg, 1), 1);
	CHECK_EQ(vu_port_stats_get(vhost_id, &st), 0);
	CHECK_EQ(st.opackets, opackets + 1);
	CHECK_EQ(st.oerrors, 0);
	for (i = 0; i < 1000 && n == 0; i++)
		n = vu_port_rx_burst(vuser_id, 0, rx, RTE_DIM(rx));
	CHECK_EQ(n, 1);
	CHECK_EQ(rx[0]->pkt_len, 100);
	CHECK_EQ(*rte_pktmbuf_mtod_offset(rx[0], uint8_t *, 99), 0x33);
	rte_pktmbuf_free_bulk(rx, n);
	for (len = 100; len <= 1500; len += 1400) {	/* the small-frame path and the general one */
		CHECK((m = rte_pktmbuf_alloc(vhost_mp)) != NULL);
		memset(rte_pktmbuf_append(m, 64), 0x5a, 64);
		m->pkt_len = len;
		CHECK_EQ(vu_port_tx_burst(vhost_id, 0, &m, 1), 1);
	}
	CHECK_EQ(vu_port_stats_get(vhost_id, &st), 0);
	CHECK_EQ(st.oerrors, 2);
	CHECK(guest_receives());
	CHECK_EQ(vu_port_close(vuser_id), 0);
	CHECK_EQ(vu_port_close(vhost_id), 0);
	unlink(sock);
}

/*
 * Per-queue xstats carry DPDK 22.11's names and size ranges: frames the
 * guest transmits land in net_vhost's rx buckets (undersize below 64,
 * 1024-1518, 1519 and up), bytes without the virtio-net header, and the
 * virtio-user side counts the same packets and bytes.
 */
static void
xstats_names_and_size_buckets(void)
{
	static const uint16_t sizes[] = { 60, 64, 65, 127, 128, 1518, 1519 };
	static const struct { const char *name; uint64_t want; } buckets[] = {
		{ "rx_q0_undersize_packets", 1 }, { "rx_q0_size_64_packets", 1 },
		{ "rx_q0_size_65_127_packets", 2 }, { "rx_q0_size_128_255_packets", 1 },
		{ "rx_q0_size_256_511_packets", 0 }, { "rx_q0_size_512_1023_packets", 0 },
		{ "rx_q0_size_1024_1518_packets", 1 }, { "rx_q0_size_1519_max_packets", 1 },
	};
	struct rte_mbuf *m[RTE_DIM(sizes)], *rx[64];
	uint64_t bytes = 0;
	unsigned int i, got = 0;

	CHECK(eal_up());
	CHECK(pair_up(1));
	CHECK_EQ(rte_pktmbuf_alloc_bulk(vuser_mp, m, RTE_DIM(m)), 0);
	for (i = 0; i < RTE_DIM(sizes); i++) {
		memset(rte_pktmbuf_append(m[i], sizes[i]), 0x5a, sizes[i]);
		bytes += sizes[i];
	}
	CHECK_EQ(vu_port_tx_burst(vuser_id, 0, m, RTE_DIM(m)), RTE_DIM(m));
	for (i = 0; i < 1000 && got < RTE_DIM(sizes); i++) {
		uint16_t n = vu_port_rx_burst(vhost_id, 0, rx, RTE_DIM(rx));

		rte_pktmbuf_free_bulk(rx, n);
		got += n;
	}
	CHECK_EQ(got, RTE_DIM(sizes));
	CHECK_EQ(vu_test_xstat(vhost_id, "rx_q0_good_packets"), RTE_DIM(sizes));
	CHECK_EQ(vu_test_xstat(vhost_id, "rx_q0_good_bytes"), bytes);
	for (i = 0; i < RTE_DIM(buckets); i++) {
		if (vu_test_xstat(vhost_id, buckets[i].name) != buckets[i].want)
			printf("# %s = %" PRIu64 "\n", buckets[i].name,
			       vu_test_xstat(vhost_id, buckets[i].name));
		CHECK_EQ(vu_test_xstat(vhost_id, buckets[i].name), buckets[i].want);
	}
	CHECK_EQ(vu_test_xstat(vuser_id, "tx_q0_good_packets"), RTE_DIM(sizes));
	CHECK_EQ(vu_test_xstat(vuser_id, "tx_q0_good_bytes"), bytes);
	CHECK_EQ(vu_test_xstat(vhost_id, "tx_q0_guest_notifications"), 0);	/* the name exists */
	CHECK_EQ(vu_port_close(vuser_id), 0);
	CHECK_EQ(vu_port_close(vhost_id), 0);
	unlink(sock);
}

/* Default-size hugepages free and not reserved by another process, from
 * /proc/meminfo (0 when none). */
static unsigned long
free_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long free_pages = 0, rsvd = 0, v;
	char line[128];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Free: %lu", &v) == 1)
			free_pages = v;
		else if (sscanf(line, "HugePages_Rsvd: %lu", &v) == 1)
			rsvd = v;
	}
	if (f != NULL)
		fclose(f);
	return free_pages > rsvd ? free_pages - rsvd : 0;
}

/* Frames go both ways between the ports: @p n each way, payload kept. */
static bool
traffic_both_ways(unsigned int n)
{
	struct rte_mbuf *m[32], *rx[64];
	unsigned int i, got = 0;

	if (!guest_receives())		/* vhost -> virtio-user */
		return false;
	if (rte_pktmbuf_alloc_bulk(vuser_mp, m, n) != 0)
		return false;
	for (i = 0; i < n; i++)
		memset(rte_pktmbuf_append(m[i], 128), (int)i, 128);
	if (vu_port_tx_burst(vuser_id, 0, m, n) != n)
		return false;
	for (i = 0; i < 1000 && got < n; i++) {
		uint16_t k = vu_port_rx_burst(vhost_id, 0, rx, RTE_DIM(rx)), j;

		for (j = 0; j < k; j++)
			if (rx[j]->pkt_len != 128 ||
			    *rte_pktmbuf_mtod_offset(rx[j], uint8_t *, 127) != (uint8_t)(got + j))
				n = 0;	/* wrong frame: fail below */
		rte_pktmbuf_free_bulk(rx, k);
		got += k;
	}
	return n > 0 && got == n;
}

/*
 * --in-memory (no files anywhere: EAL's hugepage memory comes from memfds):
 * the virtio-user port shares the EAL's memseg fds with the backend all the
 * same, and traffic goes both ways. DPDK refuses --in-memory with --no-huge
 * (which implies --legacy-mem), so this needs free hugepages; the other
 * cases cover --no-huge.
 */
static void
in_memory(void)
{
	char *mem[] = { "--in-memory", NULL };

	if (free_hugepages() < 160)
		VU_TEST_SKIP("--in-memory needs 160 free 2 MiB hugepages");
	CHECK(eal_up_with(mem));
	CHECK(pair_up(1));
	CHECK(traffic_both_ways(32));
	CHECK_EQ(vu_port_close(vuser_id), 0);
	CHECK_EQ(vu_port_close(vhost_id), 0);
	unlink(sock);
}

/*
 * A reconfigure that fails half way (here: no fd left for a queue's
 * eventfd) leaves the port unconfigured: start refuses it instead of
 * handing the backend rings whose memory was just released, and a later
 * configure makes it work again.
 */
static void
failed_reconfigure_leaves_port_unconfigured(void)
{
	struct vu_port_conf uc = { .nb_rx_queues = 1, .nb_tx_queues = 1 };
	struct rlimit saved, none;
	unsigned int i;
	int lowest;

	CHECK(eal_up());
	CHECK(pair_up(2));
	uc.mp = vuser_mp;
	CHECK_EQ(vu_port_stop(vuser_id), 0);
	/* Every fd below the lowest free one is taken: with the limit there,
	 * the second queue pair's eventfds cannot be made (the first pair's
	 * reuse the numbers its old queues gave back). */
	lowest = dup(0);
	close(lowest);
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
	none = (struct rlimit){ .rlim_cur = (rlim_t)lowest, .rlim_max = saved.rlim_max };
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &none), 0);
	uc.nb_rx_queues = uc.nb_tx_queues = 2;
	CHECK_EQ(vu_port_configure(vuser_id, &uc), -ENOMEM);
	CHECK_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
	CHECK_EQ(vu_port_start(vuser_id), -EINVAL);
	uc.nb_rx_queues = uc.nb_tx_queues = 1;		/* what the backend has */
	CHECK_EQ(vu_port_configure(vuser_id, &uc), 0);
	CHECK_EQ(vu_port_start(vuser_id), 0);
	for (i = 0; i < 500 && !link_up(vuser_id); i++)
		usleep(10000);
	CHECK(link_up(vuser_id));
	CHECK(guest_receives());
	CHECK_EQ(vu_port_close(vuser_id), 0);
	CHECK_EQ(vu_port_close(vhost_id), 0);
	unlink(sock);
}

VU_TEST_EAL_PREFIX("vu-test-vuser")

VU_TEST_MAIN(
	VU_TEST_CASE(rx_survives_empty_mempool),
	VU_TEST_CASE(vhost_tx_survives_short_segments),
	VU_TEST_CASE(failed_reconfigure_leaves_port_unconfigured),
	VU_TEST_CASE(xstats_names_and_size_buckets),
	VU_TEST_CASE(in_memory),
)
