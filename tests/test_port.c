/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/port and the net_ring test port: driver choice by longest prefix,
 * port ids and names, the state checks of vu_port.h, and packets looping
 * through a ring port's queues. Each case brings EAL up in its own child
 * (--no-shconf: no shared files in /run/dpdk).
 */
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "vu_port.h"
#include "vu_test.h"

static int fake_probes;

static int
fake_probe(struct vu_port *port, const char *args)
{
	(void)args;
	port->priv = (void *)(uintptr_t)++fake_probes;
	return 0;
}

static int
fake_configure(struct vu_port *port, const struct vu_port_conf *conf)
{
	(void)port;
	(void)conf;
	return 0;
}

static const struct vu_port_ops fake_ops = {
	.driver = "net_fake", .probe = fake_probe, .configure = fake_configure,
};
static const struct vu_port_ops fakelong_ops = {
	.driver = "net_fakelong", .probe = fake_probe, .configure = fake_configure,
};

static struct rte_mempool *
eal_up(void)
{
	char *argv[] = { "test_port", "--no-pci", "--no-huge", "-m", "128", "--no-shconf", "--no-telemetry", "--file-prefix", "vu-test-port",
			 "-l", "0", "--log-level", "lib.eal:error", NULL };

	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return NULL;
	return rte_pktmbuf_pool_create("test_pool", 4096, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
}

static void
test_longest_prefix(void)
{
	uint16_t a, b, c;

	CHECK(eal_up() != NULL);
	CHECK_EQ(vu_port_driver_register(&fake_ops), 0);
	CHECK_EQ(vu_port_driver_register(&fakelong_ops), 0);
	CHECK_EQ(vu_port_driver_register(&fake_ops), -EEXIST);
	CHECK_EQ(vu_port_create("net_fakelong0,x=1", &a), 0);
	CHECK(vu_ports[a]->ops == &fakelong_ops);
	CHECK(strcmp(vu_ports[a]->name, "net_fakelong0") == 0);
	CHECK_EQ(vu_port_create("net_fake0", &b), 0);
	CHECK(vu_ports[b]->ops == &fake_ops);
	CHECK_EQ(vu_port_create("net_fake0,y=2", &c), -EEXIST);
	CHECK_EQ(vu_port_create("net_nothing0", &c), -EINVAL);
	CHECK_EQ(vu_port_create(",a=b", &c), -EINVAL);
	CHECK_EQ(vu_port_count(), 2);
	CHECK_EQ(vu_port_close(a), 0);
	CHECK_EQ(vu_port_close(a), -ENODEV);
	CHECK_EQ(vu_port_create("net_fake1", &c), 0);
	CHECK_EQ(c, a);		/* the lowest free id */
}

static void
test_state_checks(void)
{
	struct rte_mempool *mp = eal_up();
	struct vu_port_conf conf = { .nb_rx_queues = 1, .nb_tx_queues = 1 };
	struct vu_port_stats st;
	uint16_t id;

	CHECK(mp != NULL);
	CHECK_EQ(vu_port_create("net_ring0", &id), 0);
	CHECK_EQ(vu_port_start(id), -EINVAL);			/* not configured */
	CHECK_EQ(vu_port_configure(id, &conf), -EINVAL);	/* no mempool */
	conf.mp = mp;
	conf.nb_rx_queues = 2;
	CHECK_EQ(vu_port_configure(id, &conf), -EINVAL);	/* queues=1 */
	conf.nb_rx_queues = 1;
	CHECK_EQ(vu_port_configure(id, &conf), 0);
	CHECK_EQ(vu_port_start(id), 0);
	CHECK_EQ(vu_port_start(id), 0);
	CHECK_EQ(vu_port_configure(id, &conf), -EBUSY);
	CHECK_EQ(vu_port_stop(id), 0);
	CHECK_EQ(vu_port_stop(id), 0);
	CHECK_EQ(vu_port_configure(VU_PORT_MAX - 1, &conf), -ENODEV);
	CHECK_EQ(vu_port_stats_get(VU_PORT_MAX + 5, &st), -ENODEV);
	CHECK_EQ(vu_port_close(id), 0);
}

static void
test_ring_args(void)
{
	uint16_t id;

	CHECK(eal_up() != NULL);
	CHECK_EQ(vu_port_create("net_ring0,colour=blue", &id), -EINVAL);
	CHECK_EQ(vu_port_create("net_ring0,queues=0", &id), -EINVAL);
	CHECK_EQ(vu_port_create("net_ring0,queues=x", &id), -EINVAL);
	CHECK_EQ(vu_port_create("net_ring0,queues=999", &id), -EINVAL);
	CHECK_EQ(vu_port_count(), 0);
	CHECK_EQ(vu_port_create("net_ring0,queues=2", &id), 0);
}

static void
test_ring_loopback(void)
{
	struct rte_mempool *mp = eal_up();
	struct vu_port_conf conf = { .nb_rx_queues = 2, .nb_tx_queues = 2, .nb_rx_desc = 64,
				     .mp = mp };
	struct rte_mbuf *pkts[80], *rx[80];
	struct vu_port_xstat xs[18];
	struct vu_port_stats st;
	struct vu_port_info info;
	struct vu_port_link link;
	uint16_t id, i;

	CHECK(mp != NULL);
	CHECK_EQ(vu_port_create("net_ring3,queues=2", &id), 0);
	CHECK_EQ(vu_port_configure(id, &conf), 0);
	CHECK_EQ(vu_port_start(id), 0);
	CHECK_EQ(rte_pktmbuf_alloc_bulk(mp, pkts, 80), 0);
	for (i = 0; i < 80; i++)
		CHECK(rte_pktmbuf_append(pkts[i], 100) != NULL);
	CHECK_EQ(vu_port_tx_burst(id, 1, pkts, 80), 64);	/* ring of 64 */
	rte_pktmbuf_free_bulk(&pkts[64], 16);
	CHECK_EQ(vu_port_rx_burst(id, 0, rx, 80), 0);
	CHECK_EQ(vu_port_rx_burst(id, 1, rx, 80), 64);
	CHECK(rx[0] == pkts[0]);
	rte_pktmbuf_free_bulk(rx, 64);
	CHECK_EQ(vu_port_stats_get(id, &st), 0);
	CHECK_EQ(st.opackets, 64);
	CHECK_EQ(st.obytes, 6400);
	CHECK_EQ(st.ipackets, 64);
	CHECK_EQ(st.oerrors, 16);
	CHECK_EQ(st.q_ipackets[1], 64);
	CHECK_EQ(vu_port_xstats_get(id, NULL, 0), 18);	/* 8 port-wide + 10 */
	CHECK_EQ(vu_port_xstats_get(id, xs, 18), 18);
	CHECK(strcmp(xs[0].name, "rx_good_packets") == 0);
	CHECK_EQ(xs[0].value, 64);
	CHECK(strcmp(xs[6].name, "tx_errors") == 0);
	CHECK_EQ(xs[6].value, 16);
	CHECK(strcmp(xs[13].name, "rx_q1_packets") == 0);
	CHECK_EQ(xs[13].value, 64);
	CHECK(strcmp(xs[17].name, "tx_q1_drops") == 0);
	CHECK_EQ(xs[17].value, 16);
	CHECK_EQ(vu_port_stats_reset(id), 0);
	CHECK_EQ(vu_port_stats_get(id, &st), 0);
	CHECK_EQ(st.opackets + st.ipackets + st.oerrors, 0);
	CHECK_EQ(vu_port_link_get(id, &link), 0);
	CHECK(link.up && link.speed_mbps == 10000 && link.full_duplex);
	CHECK_EQ(vu_port_info_get(id, &info), 0);
	CHECK(strcmp(info.driver, "net_ring") == 0);
	CHECK_EQ(info.max_rx_queues, 2);
	CHECK_EQ(info.nb_rx_desc, 64);
	/* Close with packets still queued: the port frees them. */
	CHECK_EQ(rte_pktmbuf_alloc_bulk(mp, pkts, 8), 0);
	CHECK_EQ(vu_port_tx_burst(id, 0, pkts, 8), 8);
	CHECK_EQ(vu_port_close(id), 0);
	CHECK_EQ(rte_mempool_avail_count(mp), 4096);
}

VU_TEST_EAL_PREFIX("vu-test-port")

VU_TEST_MAIN(
	VU_TEST_CASE(test_longest_prefix),
	VU_TEST_CASE(test_state_checks),
	VU_TEST_CASE(test_ring_args),
	VU_TEST_CASE(test_ring_loopback),
)
