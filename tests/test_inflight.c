/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inflight I/O tracking across a backend crash, end to end: vu_frontend in
 * this process drives vu's backend in a child process whose device pops
 * chains with lib/vring and completes only some of them; the child is
 * killed with SIGKILL and a new one started on the same socket. The
 * frontend recovers (SET_INFLIGHT_FD with the region the first backend
 * filled, bases from the used ring) and the new backend must resubmit
 * exactly the chains that were in flight, oldest first: nothing completed
 * is lost or done twice.
 */
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include <rte_bitops.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_frontend.h"
#include "vu_guest_mem.h"
#include "vu_test.h"
#include "vu_vring.h"

#define QSIZE		16
#define POSTED		8	/* chains the driver makes available */
#define COMPLETED	3	/* chains the first backend completes before dying */
#define CHILD_ENV	"VU_TEST_INFLIGHT_CHILD"
#define COMPLETE_ENV	"VU_TEST_INFLIGHT_COMPLETE"

/* ---- the child: a device that pops everything and completes some ---- */

static struct vu_vring_dev ring;
static struct vu_vring_chain chains[VU_VRING_BURST_MAX];
static unsigned int complete_n;

/* Report: popped count, resubmitted count, then the popped heads. */
static int
dev_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	struct vu_vring_dev_conf c = {
		.name = "inflight-dev", .index = vq->index, .size = vq->size,
		.desc = vq->desc, .avail = vq->avail, .used = vq->used,
		.last_avail = vq->base, .features = vq->features, .mem = vq->mem,
		.call_fd = -1, .err_fd = vq->err_fd, .inflight = vq->inflight,
		.inflight_size = vq->inflight_size,
	};
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];
	uint16_t rec[2 + VU_VRING_BURST_MAX], n, i;

	(void)b;
	if (vu_vring_dev_init(&ring, &c) != 0)
		return -EINVAL;
	n = vu_vring_dev_pop(&ring, chains, VU_VRING_BURST_MAX);
	for (i = 0; i < n; i++) {
		rec[2 + i] = chains[i].head;
		used[i] = (struct vu_vring_used_elem){ .id = chains[i].head, .len = 0 };
	}
	vu_vring_dev_push(&ring, used, RTE_MIN(n, (uint16_t)complete_n));
	rec[0] = n;
	rec[1] = (uint16_t)ring.stats.resubmitted;
	if (write(3, rec, (2 + n) * sizeof(uint16_t)) < 0)
		return -errno;
	return 0;
}

static int
dev_stop(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	(void)b;
	(void)index;
	*next_avail = vu_vring_dev_last_avail(&ring);
	return 0;
}

static void dev_reset(struct vu_backend *b) { (void)b; }
static int dev_suspend(struct vu_backend *b) { (void)b; return 0; }

static const struct vu_device_ops dev_ops = {
	.type = "inflight-test",
	.max_queues = 1,
	.features = RTE_BIT64(32),	/* VERSION_1 */
	.protocol_features = RTE_BIT64(VU_PF_INFLIGHT_SHMFD) | RTE_BIT64(VU_PF_REPLY_ACK),
	.start_queue = dev_start,
	.stop_queue = dev_stop,
	.reset = dev_reset,
	.enter_suspended_state = dev_suspend,
};

__attribute__((constructor)) static void
child_main(void)
{
	const char *path = getenv(CHILD_ENV);
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .conn_fd = -1, .ops = &dev_ops };

	if (path == NULL)
		return;
	complete_n = (unsigned int)atoi(getenv(COMPLETE_ENV));
	bc.path = path;
	if (vu_backend_create(&bc) == NULL)
		_exit(2);
	if (write(3, "R", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

static pid_t
spawn(const char *path, unsigned int complete, int *report)
{
	char n[16], c;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	snprintf(n, sizeof(n), "%u", complete);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive a failed case */
		dup2(p[1], 3);
		setenv(CHILD_ENV, path, 1);
		setenv(COMPLETE_ENV, n, 1);
		execl("/proc/self/exe", "test_inflight-backend", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*report = p[0];
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'R')
		return -1;
	return pid;
}

/* Read one start report: heads popped and how many were resubmissions. */
static int
read_report(int fd, uint16_t *heads, uint16_t *resubmitted)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint16_t rec[2 + VU_VRING_BURST_MAX];
	ssize_t got;

	if (poll(&p, 1, 5000) != 1)
		return -1;
	got = read(fd, rec, sizeof(rec));
	if (got < 4 || (size_t)got != (2 + rec[0]) * sizeof(uint16_t))
		return -1;
	memcpy(heads, rec + 2, rec[0] * sizeof(uint16_t));
	*resubmitted = rec[1];
	return rec[0];
}

/* ---- the frontend side ---- */

static unsigned int events[VU_FRONTEND_EV_CONFIG_CHANGED + 1];

static void
on_event(struct vu_frontend *fe, enum vu_frontend_event e, void *arg)
{
	(void)fe;
	(void)arg;
	__atomic_fetch_add(&events[e], 1, __ATOMIC_RELEASE);
}

static const struct vu_frontend_ops fe_ops = { .event = on_event };

static bool
wait_event(enum vu_frontend_event e, unsigned int count)
{
	for (int i = 0; i < 1000; i++) {
		if (__atomic_load_n(&events[e], __ATOMIC_ACQUIRE) >= count)
			return true;
		usleep(5000);
	}
	return false;
}

static void
crash_resubmits_inflight(void)
{
	struct vu_guest_mem_layout l = { .gpa = 0, .size = 1 << 20 };
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .reconnect = true,
		.conn_fd = -1, .device_type = 2, .base_features = RTE_BIT64(32),
		.reply_timeout_ms = 2000, .ops = &fe_ops };
	struct vu_frontend_mem_region regions[1];
	struct vu_frontend_vring vr;
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
	struct vu_guest_mem *mem;
	struct vu_frontend *fe;
	uint16_t heads[VU_VRING_BURST_MAX], resub, i;
	int fds_before = vu_test_count_fds(), report, status, efd[2];
	char path[108];
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/vu-inflight-%d.sock", getpid());
	unlink(path);
	mem = vu_guest_mem_create("test-inflight", &l, 1, VU_GUEST_MEM_PLAIN, NULL);
	CHECK(mem != NULL);
	CHECK_EQ(vu_frontend_regions_from_guest_mem(mem, regions, 1), 1);
	desc = (struct vu_vring_desc *)mem->regions[0].va;
	avail = (struct vu_vring_avail *)(mem->regions[0].va + 0x1000);
	used = (struct vu_vring_used *)(mem->regions[0].va + 0x2000);
	/* The driver posts POSTED one-descriptor chains, heads 0..POSTED-1. */
	for (i = 0; i < POSTED; i++) {
		desc[i] = (struct vu_vring_desc){ .addr = 0x8000 + i * 64, .len = 64 };
		avail->ring[i] = i;
	}
	avail->idx = POSTED;
	efd[0] = eventfd(0, EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_CLOEXEC);
	vr = (struct vu_frontend_vring){ .index = 0, .size = QSIZE, .base = 0, .desc = desc,
		.avail = avail, .used = used, .kick_fd = efd[0], .call_fd = efd[1] };

	/* First backend: pops all, completes COMPLETED, dies. */
	pid = spawn(path, COMPLETED, &report);
	CHECK(pid > 0);
	fc.path = path;
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	CHECK(vu_frontend_protocol_features(fe) & RTE_BIT64(VU_PF_INFLIGHT_SHMFD));
	CHECK_EQ(vu_frontend_activate(fe, regions, 1, &vr, 1), 0);
	CHECK_EQ(read_report(report, heads, &resub), POSTED);
	CHECK_EQ(resub, 0);
	for (i = 0; i < POSTED; i++)
		CHECK_EQ(heads[i], i);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), COMPLETED);
	for (i = 0; i < COMPLETED; i++)
		CHECK_EQ(used->ring[i].id, i);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(report);
	CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, 1));

	/* Second backend: gets the inflight region back and must resubmit
	 * exactly heads COMPLETED..POSTED-1, and nothing new. */
	pid = spawn(path, 0, &report);
	CHECK(pid > 0);
	CHECK(wait_event(VU_FRONTEND_EV_RECOVERED, 1));
	CHECK_EQ(read_report(report, heads, &resub), POSTED - COMPLETED);
	CHECK_EQ(resub, POSTED - COMPLETED);
	for (i = 0; i < POSTED - COMPLETED; i++)
		CHECK_EQ(heads[i], COMPLETED + i);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), COMPLETED);
	printf("# recovered: %u in flight resubmitted, %u completed kept\n", resub, COMPLETED);

	vu_frontend_destroy(fe);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(report);
	close(efd[0]);
	close(efd[1]);
	unlink(path);
	vu_guest_mem_destroy(mem);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

VU_TEST_MAIN(
	VU_TEST_CASE(crash_resubmits_inflight),
)
