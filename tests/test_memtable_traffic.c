/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory-table changes while the data plane runs at full rate: a device
 * whose lcore thread pops, reads every byte of and pushes every chain as
 * fast as it can, a guest thread that reposts each used buffer at once, and
 * a front-end that meanwhile adds and removes a second region (ADD_MEM_REG /
 * REM_MEM_REG) and replaces the whole table (SET_MEM_TABLE) hundreds of
 * times. The backend must take the ring back from the data plane before it
 * unmaps anything (a use after unmap would fault here, or be reported by
 * ASan), traffic must keep flowing, and nothing may leak.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <rte_bitops.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_test.h"
#include "vu_test_fe.h"
#include "vu_vring.h"

#define QSIZE		16
#define BUF_GPA		0x100000	/* buffers, inside region A */
#define BUF_LEN		256
#define B_GPA		0x10000000	/* the region that comes and goes */
#define CHANGES		300

static struct vu_vring_dev ring;
static struct vu_vring_access access_word;
static struct vu_vring_chain chains[VU_VRING_BURST_MAX];
static uint64_t popped, checksum;
static bool stop_threads;

/* ---- the device: start/stop hand the ring to and from the lcore ---- */

static int
dev_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	struct vu_vring_dev_conf c = {
		.name = "memtable", .index = vq->index, .size = vq->size, .desc = vq->desc,
		.avail = vq->avail, .used = vq->used, .last_avail = vq->base,
		.features = vq->features, .mem = vq->mem, .call_fd = -1, .err_fd = vq->err_fd,
	};

	(void)b;
	if (vu_vring_dev_init(&ring, &c) != 0)
		return -EINVAL;
	vu_vring_access_start(&access_word);
	return 0;
}

static int
dev_stop(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	(void)b;
	(void)index;
	vu_vring_access_stop(&access_word);
	*next_avail = vu_vring_dev_last_avail(&ring);
	return 0;
}

static void dev_reset(struct vu_backend *b) { (void)b; }
static int dev_suspend(struct vu_backend *b) { (void)b; return 0; }

static const struct vu_device_ops dev_ops = {
	.type = "memtable-test",
	.max_queues = 1,
	.features = RTE_BIT64(32),
	.protocol_features = RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS) | RTE_BIT64(VU_PF_REPLY_ACK),
	.start_queue = dev_start,
	.stop_queue = dev_stop,
	.reset = dev_reset,
	.enter_suspended_state = dev_suspend,
};

/* The lcore: pop, touch every readable byte, push. */
static void *
data_plane(void *arg)
{
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];

	(void)arg;
	while (!__atomic_load_n(&stop_threads, __ATOMIC_ACQUIRE)) {
		uint16_t n, i, s;

		if (!vu_vring_access_enter(&access_word))
			continue;
		n = vu_vring_dev_pop(&ring, chains, VU_VRING_BURST_MAX);
		for (i = 0; i < n; i++) {
			for (s = 0; s < chains[i].nr_read; s++)
				for (uint32_t k = 0; k < chains[i].seg[s].len; k += 8)
					checksum += *(volatile uint64_t *)
						((uint8_t *)chains[i].seg[s].addr + k);
			used[i] = (struct vu_vring_used_elem){ .id = chains[i].head };
		}
		vu_vring_dev_push(&ring, used, n);
		__atomic_fetch_add(&popped, n, __ATOMIC_RELAXED);
		vu_vring_access_leave(&access_word);
	}
	return NULL;
}

/* ---- the guest: every used buffer is made available again at once ---- */

struct guest_ring {
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
};

static void *
guest_driver(void *arg)
{
	struct guest_ring *g = arg;
	uint16_t last_used = 0, avail_idx = QSIZE;

	while (!__atomic_load_n(&stop_threads, __ATOMIC_ACQUIRE)) {
		uint16_t u = __atomic_load_n(&g->used->idx, __ATOMIC_ACQUIRE);

		if (u == last_used)
			continue;
		while (last_used != u) {
			g->avail->ring[avail_idx % QSIZE] =
				(uint16_t)g->used->ring[last_used % QSIZE].id;
			avail_idx++;
			last_used++;
		}
		__atomic_store_n(&g->avail->idx, avail_idx, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* ---- the front-end ---- */

static int
add_region(struct test_fe *fe, int fd, uint64_t gpa, uint64_t size, uint64_t vmm)
{
	struct vu_mem_region_msg m = { .region = { gpa, size, vmm, 0 } };

	return fe_call(fe, VU_REQ_ADD_MEM_REG, &m, sizeof(m), &fd, 1);
}

static int
rem_region(struct test_fe *fe, uint64_t gpa, uint64_t size, uint64_t vmm)
{
	struct vu_mem_region_msg m = { .region = { gpa, size, vmm, 0 } };

	return fe_call(fe, VU_REQ_REM_MEM_REG, &m, sizeof(m), NULL, 0);
}

static void
memtable_changes_under_traffic(void)
{
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .ops = &dev_ops };
	int fds_before = vu_test_count_fds(), maps_before = vu_test_count_maps("memfd:");
	struct test_guest g, extra;
	struct guest_ring gr;
	struct test_fe fe;
	struct vu_backend *b;
	pthread_t dp, drv;
	uint64_t last, moved_before, moved_during;
	unsigned int i;
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	bc.conn_fd = sv[1];
	b = vu_backend_create(&bc);
	CHECK(b != NULL);
	fe = (struct test_fe){ .sock = sv[0] };
	CHECK_EQ(guest_create(&g, 4 << 20), 0);
	CHECK_EQ(guest_create(&extra, 2 << 20), 0);
	/* The guest's ring 0 (at GPA 0) and its QSIZE buffers, all posted. */
	gr = (struct guest_ring){ (void *)g.va, (void *)(g.va + 16 * QSIZE),
				  (void *)(g.va + 0x2000) };
	for (i = 0; i < QSIZE; i++) {
		gr.desc[i] = (struct vu_vring_desc){ .addr = BUF_GPA + i * BUF_LEN, .len = BUF_LEN };
		gr.avail->ring[i] = (uint16_t)i;
	}
	gr.avail->idx = QSIZE;
	/* negotiate, region A, ring 0 */
	CHECK_EQ(fe_call(&fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0), 0);
	CHECK_EQ(fe_u64(&fe, VU_REQ_SET_FEATURES, RTE_BIT64(VU_F_PROTOCOL_FEATURES)), 0);
	CHECK_EQ(fe_u64(&fe, VU_REQ_SET_PROTOCOL_FEATURES, dev_ops.protocol_features), 0);
	fe.reply_ack = true;
	CHECK_EQ(add_region(&fe, g.fd, 0, g.size, g.vmm_base), 0);
	CHECK_EQ(fe_state(&fe, VU_REQ_SET_VRING_NUM, 0, QSIZE), 0);
	CHECK_EQ(fe_set_vring_addr(&fe, &g, 0, QSIZE), 0);
	CHECK_EQ(fe_state(&fe, VU_REQ_SET_VRING_BASE, 0, 0), 0);
	CHECK_EQ(fe_vring_fd(&fe, VU_REQ_SET_VRING_KICK, 0), 0);
	CHECK_EQ(fe_state(&fe, VU_REQ_SET_VRING_ENABLE, 0, 1), 0);
	CHECK_EQ(pthread_create(&dp, NULL, data_plane, NULL), 0);
	CHECK_EQ(pthread_create(&drv, NULL, guest_driver, &gr), 0);
	/* Two spinners: a core each. */
	vu_test_pin(dp, 0);
	vu_test_pin(drv, 1);
	while (__atomic_load_n(&popped, __ATOMIC_RELAXED) == 0)
		usleep(100);
	moved_before = __atomic_load_n(&popped, __ATOMIC_RELAXED);

	for (i = 0; i < CHANGES; i++) {
		CHECK_EQ(add_region(&fe, extra.fd, B_GPA, extra.size, extra.vmm_base + B_GPA), 0);
		CHECK_EQ(rem_region(&fe, B_GPA, extra.size, extra.vmm_base + B_GPA), 0);
		if (i % 10 == 9) {
			/* The whole table replaced: A stays, under a new mapping. */
			CHECK_EQ(fe_set_mem_table(&fe, &g), 0);
		}
	}
	moved_during = __atomic_load_n(&popped, __ATOMIC_RELAXED) - moved_before;
	/* Traffic still flows after the last change (bounded wait: the
	 * machine is shared, so no rate is asserted). */
	last = __atomic_load_n(&popped, __ATOMIC_RELAXED);
	for (i = 0; i < 2000 && __atomic_load_n(&popped, __ATOMIC_RELAXED) == last; i++)
		usleep(1000);
	__atomic_store_n(&stop_threads, true, __ATOMIC_RELEASE);
	pthread_join(dp, NULL);
	pthread_join(drv, NULL);
	printf("# %u ADD/REM_MEM_REG pairs and %u SET_MEM_TABLE under traffic: %" PRIu64
	       " chains moved during them, ring %s\n", CHANGES, CHANGES / 10, moved_during,
	       vu_vring_error_str(vu_vring_dev_broken(&ring)));
	CHECK(moved_during > 0);
	CHECK(popped > last);		/* and after them */
	CHECK_EQ(vu_vring_dev_broken(&ring), VU_VRING_OK);
	CHECK_EQ(fe_state(&fe, VU_REQ_GET_VRING_BASE, 0, 0), 0);
	close(fe.sock);
	vu_backend_destroy(b);
	vu_vring_dev_fini(&ring);
	guest_destroy(&g);
	guest_destroy(&extra);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), fds_before);
	CHECK_EQ(vu_test_count_maps("memfd:"), maps_before);
}

VU_TEST_MAIN(
	VU_TEST_CASE_TIMEOUT(memtable_changes_under_traffic, 60),
)
