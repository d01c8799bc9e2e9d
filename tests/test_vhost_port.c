/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost driven by a scripted front-end over its real socket, with real
 * memfd guest memory: what a VMM asks of the port beyond moving packets,
 * and what the port does with a guest transmit chain too short to hold one.
 * Each case brings EAL up in its own child (--no-shconf).
 */
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_arp.h>
#include <rte_bitops.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "virtio_net.h"
#include "vu_port.h"
#include "vu_test.h"
#include "vu_test_port.h"
#include "vu_vring.h"
#include "vu_test_fe.h"

static char sock_path[108];
static uint16_t port_id;
static struct rte_mempool *mp;
static struct test_fe fe;
static struct test_guest guest;

static bool
link_up(void)
{
	struct vu_port_link l;

	return vu_port_link_get(port_id, &l) == 0 && l.up;
}

/* A front-end connected to the port that has negotiated REPLY_ACK and
 * RARP and started both rings of queue pair 0: link up. */
static bool
fe_up(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int q, i;
	uint64_t pf;

	fe = (struct test_fe){ .sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) };
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	if (connect(fe.sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return false;
	if (fe_call(&fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0) != 0 ||
	    fe_u64(&fe, VU_REQ_SET_FEATURES,
		   RTE_BIT64(VIRTIO_F_VERSION_1) | RTE_BIT64(VU_F_PROTOCOL_FEATURES)) != 0 ||
	    fe_call(&fe, VU_REQ_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0) != 0)
		return false;
	pf = fe.reply.payload.u64 & (RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_RARP));
	if (pf != (RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_RARP)) ||
	    fe_u64(&fe, VU_REQ_SET_PROTOCOL_FEATURES, pf) != 0)
		return false;
	fe.reply_ack = true;
	if (fe_set_mem_table(&fe, &guest) != 0)
		return false;
	for (q = 0; q < 2; q++) {
		if (fe_state(&fe, VU_REQ_SET_VRING_NUM, q, 16) != 0 ||
		    fe_set_vring_addr(&fe, &guest, q, 16) != 0 ||
		    fe_state(&fe, VU_REQ_SET_VRING_BASE, q, 0) != 0 ||
		    fe_vring_fd(&fe, VU_REQ_SET_VRING_CALL, q) != 0 ||
		    fe_vring_fd(&fe, VU_REQ_SET_VRING_KICK, q) != 0 ||
		    fe_state(&fe, VU_REQ_SET_VRING_ENABLE, q, 1) != 0)
			return false;
	}
	for (i = 0; i < 500 && !link_up(); i++)
		usleep(10000);
	return link_up();
}

/* The front-end leaves; the port sees it (link down). */
static bool
fe_down(void)
{
	unsigned int i;

	close(fe.sock);
	for (i = 0; i < 500 && link_up(); i++)
		usleep(10000);
	return !link_up();
}

/* EAL, a started net_vhost server port, guest memory, and fe_up(). */
static bool
port_up(void)
{
	char *argv[] = { "test_vhost_port", "--no-pci", "--no-huge", "-m", "128", "--no-shconf",
			 "--no-telemetry", "--file-prefix", "vu-test-vhost-port", "-l", "0",
			 "--log-level", "lib.eal:error", NULL };
	struct vu_port_conf conf = { .nb_rx_queues = 1, .nb_tx_queues = 1 };
	char args[160];

	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0)
		return false;
	mp = rte_pktmbuf_pool_create("vhost_pool", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	conf.mp = mp;
	snprintf(sock_path, sizeof(sock_path), "/tmp/vu-test-vhost-port-%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "net_vhost0,iface=%s", sock_path);
	if (mp == NULL || vu_port_create(args, &port_id) != 0 ||
	    vu_port_configure(port_id, &conf) != 0 || vu_port_start(port_id) != 0)
		return false;
	return guest_create(&guest, 1 << 20) == 0 && fe_up();
}

static void
port_down(void)
{
	close(fe.sock);
	CHECK_EQ(vu_port_close(port_id), 0);
	guest_destroy(&guest);
	unlink(sock_path);
}

/* SEND_RARP for the MAC 02:n:n:n:n:n, acked by the backend. */
static int
send_rarp(uint8_t n)
{
	uint8_t mac[8] = { 0x02, n, n, n, n, n, 0, 0 };
	uint64_t v;

	memcpy(&v, mac, sizeof(v));
	return fe_u64(&fe, VU_REQ_SEND_RARP, v);
}

/* If @p m is a RARP announcement, the last byte of its MAC, else -1; -2
 * when its MAC is not 02:n:n:n:n:n (a MAC read half rewritten). */
static int
rarp_mac_byte(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_arp_hdr *arp = (const struct rte_arp_hdr *)(eth + 1);
	const uint8_t *s = eth->src_addr.addr_bytes;
	unsigned int i;

	if (m->pkt_len < sizeof(*eth) + sizeof(*arp) ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_RARP) ||
	    !rte_is_broadcast_ether_addr(&eth->dst_addr))
		return -1;
	if (s[0] != 0x02 || !rte_is_same_ether_addr(&eth->src_addr, &arp->arp_data.arp_sha) ||
	    arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REVREQUEST))
		return -2;
	for (i = 2; i < RTE_ETHER_ADDR_LEN; i++)
		if (s[i] != s[1])
			return -2;
	return s[1];
}

/* One rx burst on queue 0: the RARP MAC byte it returned, -1 if none. */
static int
rx_rarp(void)
{
	struct rte_mbuf *pkts[32];
	uint16_t n = vu_port_rx_burst(port_id, 0, pkts, RTE_DIM(pkts)), i;
	int found = -1;

	for (i = 0; i < n; i++) {
		int b = rarp_mac_byte(pkts[i]);

		if (b != -1)
			found = b;
	}
	rte_pktmbuf_free_bulk(pkts, n);
	return found;
}

/* SEND_RARP: the next rx burst carries one announcement of that MAC, the
 * later ones none; two requests before a burst give one, of the latest MAC;
 * a device reset drops a request not yet announced. */
static void
send_rarp_announces_once_latest_wins(void)
{
	CHECK(port_up());
	CHECK_EQ(rx_rarp(), -1);
	CHECK_EQ(send_rarp(7), 0);
	CHECK_EQ(rx_rarp(), 7);
	CHECK_EQ(rx_rarp(), -1);
	CHECK_EQ(vu_test_xstat(port_id, "rx_q0_rarp_sent"), 1);
	CHECK_EQ(send_rarp(8), 0);
	CHECK_EQ(send_rarp(9), 0);
	CHECK_EQ(rx_rarp(), 9);
	CHECK_EQ(rx_rarp(), -1);
	CHECK_EQ(vu_test_xstat(port_id, "rx_q0_rarp_sent"), 2);
	/* The device reset when the front-end leaves drops a request not
	 * yet announced: the next front-end's rings get none. */
	CHECK_EQ(send_rarp(10), 0);
	CHECK(fe_down());
	CHECK(fe_up());
	CHECK_EQ(rx_rarp(), -1);
	CHECK_EQ(send_rarp(11), 0);
	CHECK_EQ(rx_rarp(), 11);
	port_down();
}

struct rarp_sender {
	unsigned int rounds;
	int seen;		/* last MAC byte the burst loop saw (atomic) */
	bool done;		/* (atomic) */
	int ret;
};

/* Rounds of two requests back to back: the second arrives while the burst
 * loop may be announcing the first, and must be announced itself. */
static void *
send_rarps(void *arg)
{
	struct rarp_sender *s = arg;
	unsigned int r;
	uint8_t last;

	for (r = 0; r < s->rounds && s->ret == 0 && !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE);
	     r++) {
		double deadline = vu_test_now_ms() + 5000;

		last = (uint8_t)(2 * r + 2);
		s->ret = send_rarp((uint8_t)(last - 1));
		if (s->ret == 0)
			s->ret = send_rarp(last);
		while (s->ret == 0 && __atomic_load_n(&s->seen, __ATOMIC_RELAXED) != last &&
		       vu_test_now_ms() < deadline)
			usleep(10);
		if (s->ret == 0 && __atomic_load_n(&s->seen, __ATOMIC_RELAXED) != last)
			s->ret = -ETIMEDOUT;	/* lost: not announced within 5 s */
	}
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * SEND_RARP while the rx burst runs: the last request is always announced
 * (the burst clearing a request it had not read lost it) and no
 * announcement carries a MAC mixed from two requests. The race window is
 * the burst building one frame, so this is a stress test: it may pass on a
 * build that has the race.
 */
static void
send_rarp_races_rx_burst(void)
{
	struct rarp_sender s = { .rounds = 2000 };
	pthread_t th;
	int b = -1;

	CHECK(port_up());
	/* The burst loop spins on lcore 0's CPU: the sender goes elsewhere. */
	pthread_create(&th, NULL, send_rarps, &s);
	vu_test_off_cpu0(th);
	while (!__atomic_load_n(&s.done, __ATOMIC_ACQUIRE)) {
		b = rx_rarp();
		if (b == -2)
			break;
		if (b >= 0)
			__atomic_store_n(&s.seen, b, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&s.done, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CHECK(b != -2);
	CHECK_EQ(s.ret, 0);
	CHECK(vu_test_xstat(port_id, "rx_q0_rarp_sent") >= s.rounds);
	port_down();
}

/* Make a one-descriptor chain of @p len readable bytes at GPA 0x10000
 * available on the guest's transmit ring (ring 1, laid out by
 * fe_set_vring_addr(): 16 descriptors at 0x4000, avail right after). */
static void
guest_transmit(uint16_t *avail_idx, uint32_t len)
{
	struct vu_vring_desc *desc = (struct vu_vring_desc *)(guest.va + 0x4000);
	struct vu_vring_avail *avail = (struct vu_vring_avail *)(guest.va + 0x4000 + 16 * 16);
	uint16_t head = *avail_idx & 15;

	desc[head] = (struct vu_vring_desc){ .addr = 0x10000 + head * 0x100, .len = len };
	avail->ring[head] = head;
	__atomic_store_n(&avail->idx, ++*avail_idx, __ATOMIC_RELEASE);
}

/* rx bursts until @p want packets came or a second passed; returns the count. */
static uint16_t
rx_count(uint16_t want)
{
	struct rte_mbuf *pkts[32];
	uint16_t got = 0, n;
	unsigned int i;

	for (i = 0; i < 1000 && got < want; i++) {
		n = vu_port_rx_burst(port_id, 0, pkts, RTE_DIM(pkts));
		got += n;
		rte_pktmbuf_free_bulk(pkts, n);
		if (n == 0)
			usleep(1000);
	}
	return got;
}

/*
 * A guest transmit chain shorter than the virtio-net header (12 bytes with
 * VERSION_1) carries no frame: it is returned to the guest used, counted in
 * rx_q0_errors, and the queue goes on with the next chain.
 */
static void
chain_shorter_than_header(void)
{
	struct vu_vring_used *used;
	uint16_t avail_idx = 0;

	CHECK(port_up());
	used = (struct vu_vring_used *)(guest.va + 0x4000 + 0x2000);
	guest_transmit(&avail_idx, 4);
	CHECK_EQ(rx_count(1), 0);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), 1);
	CHECK_EQ(used->ring[0].id, 0);
	CHECK_EQ(vu_test_xstat(port_id, "rx_q0_errors"), 1);
	guest_transmit(&avail_idx, 12 + 64);		/* header and a 64-byte frame */
	CHECK_EQ(rx_count(1), 1);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), 2);
	CHECK_EQ(vu_test_xstat(port_id, "rx_q0_good_packets"), 1);
	CHECK_EQ(vu_test_xstat(port_id, "rx_q0_errors"), 1);
	port_down();
}

VU_TEST_EAL_PREFIX("vu-test-vhost-port")

VU_TEST_MAIN(
	VU_TEST_CASE(send_rarp_announces_once_latest_wins),
	VU_TEST_CASE(send_rarp_races_rx_burst),
	VU_TEST_CASE(chain_shorter_than_header),
)
