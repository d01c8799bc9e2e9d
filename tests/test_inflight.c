/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inflight I/O tracking across a backend crash, end to end: vu_frontend in
 * this process drives vu's backend in a child process whose device pops
 * chains with lib/vring and completes only some of them; the child is
 * killed with SIGKILL and a new one started on the same socket. The
 * frontend recovers (SET_INFLIGHT_FD with the region the first backend
 * filled, bases from the used ring) and the new backend must resubmit
 * exactly the chains that were in flight, oldest first: nothing completed
 * is lost or done twice. The second case does the same under traffic: a
 * driver thread keeps the ring full while each backend completes chains
 * out of order, and backends are killed at random moments, 100 times,
 * some of them within milliseconds of starting.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>

#include <rte_bitops.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_frontend.h"
#include "vu_guest_mem.h"
#include "vu_test.h"
#include "vu_vring.h"

#define QSIZE		16
#define POSTED		8	/* chains the driver makes available */
#define TRAFFIC_QSIZE	64	/* the ring of the case under traffic */
#define COMPLETED	3	/* chains the first backend completes before dying */
#define CHILD_ENV	"VU_TEST_INFLIGHT_CHILD"
#define COMPLETE_ENV	"VU_TEST_INFLIGHT_COMPLETE"
#define TRAFFIC_ENV	"VU_TEST_INFLIGHT_TRAFFIC"	/* the child runs traffic_loop() */
#define CYCLES_ENV	"VU_TEST_INFLIGHT_CYCLES"	/* kills under traffic (100) */

/* ---- the child: a device that pops everything and completes some ---- */

static struct vu_vring_dev ring;
static struct vu_vring_chain chains[VU_VRING_BURST_MAX];
static unsigned int complete_n;
static bool child_ready;	/* 'R' is in the pipe: start reports may follow */

/* A reconnecting front-end may start a ring before child_main() said 'R'. */
static void
wait_child_ready(void)
{
	while (!__atomic_load_n(&child_ready, __ATOMIC_ACQUIRE))
		usleep(100);
}

/* The child's ring on what the backend was given, inflight area included. */
static int
ring_init(const struct vu_backend_vring *vq, const char *name)
{
	struct vu_vring_dev_conf c = {
		.name = name, .index = vq->index, .size = vq->size,
		.desc = vq->desc, .avail = vq->avail, .used = vq->used,
		.last_avail = vq->base, .features = vq->features, .mem = vq->mem,
		.call_fd = -1, .err_fd = vq->err_fd, .inflight = vq->inflight,
		.inflight_size = vq->inflight_size,
	};

	return vu_vring_dev_init(&ring, &c);
}

/* Report: popped count, resubmitted count, then the popped heads. */
static int
dev_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];
	uint16_t rec[2 + VU_VRING_BURST_MAX], n, i;

	(void)b;
	if (ring_init(vq, "inflight-dev") != 0)
		return -EINVAL;
	n = vu_vring_dev_pop(&ring, chains, VU_VRING_BURST_MAX);
	for (i = 0; i < n; i++) {
		rec[2 + i] = chains[i].head;
		used[i] = (struct vu_vring_used_elem){ .id = chains[i].head, .len = 0 };
	}
	vu_vring_dev_push(&ring, used, RTE_MIN(n, (uint16_t)complete_n));
	rec[0] = n;
	rec[1] = (uint16_t)ring.stats.resubmitted;
	wait_child_ready();
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

/*
 * The traffic device: a thread pops bursts of chains (8 readable bytes, the
 * request's number, then 8 writable ones) and holds them; each round it
 * completes a random few of those it holds, picked anywhere, writing each
 * number back, in two pushes. Chains stay in flight for a while, complete
 * out of order and in batches of several, wherever the kill lands.
 */
static pthread_t traffic_thread;
static bool traffic_stop;

static void *
traffic_loop(void *arg)
{
	static struct vu_vring_chain held[TRAFFIC_QSIZE];
	struct vu_vring_used_elem used[TRAFFIC_QSIZE];
	uint16_t nheld = 0, n, k, i, j, half;

	(void)arg;
	while (!__atomic_load_n(&traffic_stop, __ATOMIC_ACQUIRE) &&
	       vu_vring_dev_broken(&ring) == VU_VRING_OK) {
		n = (uint16_t)RTE_MIN(TRAFFIC_QSIZE - nheld, VU_VRING_BURST_MAX);
		n = vu_vring_dev_pop(&ring, held + nheld, (uint16_t)(rand() % (n + 1)));
		nheld = (uint16_t)(nheld + n);
		k = nheld > 0 ? (uint16_t)(rand() % (nheld + 1)) : 0;
		if (k == 0) {
			usleep(20);
			continue;
		}
		for (i = 0; i < k; i++) {
			struct vu_vring_chain *c;
			uint32_t len = 0;

			j = (uint16_t)(rand() % nheld);
			c = &held[j];
			if (c->nr_read == 1 && c->nr_write == 1 && c->seg[0].len == 8 &&
			    c->seg[1].len == 8) {
				memcpy(c->seg[1].addr, c->seg[0].addr, 8);
				len = 8;
			}
			used[i] = (struct vu_vring_used_elem){ .id = c->head, .len = len };
			held[j] = held[--nheld];
		}
		half = k / 2;
		vu_vring_dev_push(&ring, used, half);
		vu_vring_dev_push(&ring, used + half, (uint16_t)(k - half));
	}
	return NULL;
}

/* Report the chains this backend will resubmit, then start the thread. */
static int
traffic_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	uint16_t resubmit;

	(void)b;
	if (vq->inflight == NULL || ring_init(vq, "traffic-dev") != 0)
		return -EINVAL;
	wait_child_ready();
	resubmit = ring.nr_resubmit;
	if (write(3, &resubmit, sizeof(resubmit)) < 0)
		return -errno;
	__atomic_store_n(&traffic_stop, false, __ATOMIC_RELEASE);
	return -pthread_create(&traffic_thread, NULL, traffic_loop, NULL);
}

static int
traffic_halt(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	(void)b;
	(void)index;
	__atomic_store_n(&traffic_stop, true, __ATOMIC_RELEASE);
	pthread_join(traffic_thread, NULL);
	*next_avail = vu_vring_dev_last_avail(&ring);
	return 0;
}

__attribute__((constructor)) static void
child_main(void)
{
	const char *path = getenv(CHILD_ENV);
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .conn_fd = -1, .ops = &dev_ops };

	if (path == NULL)
		return;
	if (getenv(TRAFFIC_ENV) != NULL) {
		static struct vu_device_ops traffic_ops;

		traffic_ops = dev_ops;
		traffic_ops.start_queue = traffic_start;
		traffic_ops.stop_queue = traffic_halt;
		bc.ops = &traffic_ops;
		srand((unsigned int)getpid());
	}
	complete_n = (unsigned int)atoi(getenv(COMPLETE_ENV));
	bc.path = path;
	if (vu_backend_create(&bc) == NULL)
		_exit(2);
	if (write(3, "R", 1) != 1)
		_exit(3);
	__atomic_store_n(&child_ready, true, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

static pid_t
spawn(const char *path, unsigned int complete, bool traffic, int *report)
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
		if (traffic)
			setenv(TRAFFIC_ENV, "1", 1);
		execl("/proc/self/exe", "test_inflight-backend", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*report = p[0];
	if (pid < 0)
		return -1;
	if (read(p[0], &c, 1) != 1 || c != 'R') {
		int status = 0;

		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("# the backend did not start: status 0x%x\n", status);
		return -1;
	}
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

/*
 * The VMM side of both cases: guest memory holding ring 0 (descriptors at
 * 0, avail at 0x1000, used at 0x2000), a reconnecting client frontend, and
 * the backend process it talks to.
 */
struct vmm {
	struct vu_guest_mem *mem;
	struct vu_frontend_mem_region region;
	struct vu_frontend *fe;
	uint8_t *va;		/* the region's first byte: guest address 0 */
	int efd[2];		/* kick, call */
	int report;		/* the backend's report pipe */
	pid_t pid;		/* the backend */
	unsigned int deaths;	/* backends killed so far */
	char path[108];
	int fds_before;
};

static bool
vmm_up(struct vmm *v, const char *tag)
{
	struct vu_guest_mem_layout l = { .gpa = 0, .size = 1 << 20 };

	*v = (struct vmm){ .efd = { -1, -1 }, .report = -1, .pid = -1,
			   .fds_before = vu_test_count_fds() };
	snprintf(v->path, sizeof(v->path), "/tmp/vu-%s-%d.sock", tag, getpid());
	unlink(v->path);
	v->mem = vu_guest_mem_create(tag, &l, 1, VU_GUEST_MEM_PLAIN, NULL);
	if (v->mem == NULL || vu_frontend_regions_from_guest_mem(v->mem, &v->region, 1) != 1)
		return false;
	v->va = v->mem->regions[0].va;
	v->efd[0] = eventfd(0, EFD_CLOEXEC);
	v->efd[1] = eventfd(0, EFD_CLOEXEC);
	return v->efd[0] >= 0 && v->efd[1] >= 0;
}

/* The first backend, then the frontend: negotiated, ring 0 of @p size active. */
static bool
vmm_connect(struct vmm *v, unsigned int complete, bool traffic, uint16_t size)
{
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .reconnect = true,
		.path = v->path, .conn_fd = -1, .device_type = 2,
		.base_features = RTE_BIT64(32), .reply_timeout_ms = 2000, .ops = &fe_ops };
	struct vu_frontend_vring vr = { .index = 0, .size = size, .base = 0, .desc = v->va,
		.avail = v->va + 0x1000, .used = v->va + 0x2000,
		.kick_fd = v->efd[0], .call_fd = v->efd[1] };

	v->pid = spawn(v->path, complete, traffic, &v->report);
	if (v->pid <= 0)
		return false;
	v->fe = vu_frontend_create(&fc);
	return v->fe != NULL &&
	       (vu_frontend_protocol_features(v->fe) & RTE_BIT64(VU_PF_INFLIGHT_SHMFD)) &&
	       vu_frontend_activate(v->fe, &v->region, 1, &vr, 1) == 0;
}

static void
backend_kill(struct vmm *v)
{
	int status;

	kill(v->pid, SIGKILL);
	waitpid(v->pid, &status, 0);
	close(v->report);
	v->pid = -1;
	v->report = -1;
}

/* SIGKILL the backend; the frontend reports it gone. */
static bool
vmm_kill_backend(struct vmm *v)
{
	backend_kill(v);
	return wait_event(VU_FRONTEND_EV_DISCONNECTED, ++v->deaths);
}

/* A new backend on the same socket; the frontend replays the activation. */
static bool
vmm_restart_backend(struct vmm *v, unsigned int complete, bool traffic)
{
	v->pid = spawn(v->path, complete, traffic, &v->report);
	return v->pid > 0 && wait_event(VU_FRONTEND_EV_RECOVERED, v->deaths);
}

/*
 * A backend that dies within @p ms of starting: before the frontend
 * connects, while it negotiates or replays, or just after. Its events are
 * not waited for (which of them happen depends on the moment), so the
 * counts may run ahead of v->deaths: callers then wait on what the next
 * backend does, not on events.
 */
static bool
vmm_backend_dies_young(struct vmm *v, unsigned int ms)
{
	v->pid = spawn(v->path, 0, true, &v->report);
	if (v->pid <= 0)
		return false;
	usleep(ms * 1000);
	backend_kill(v);
	return true;
}

/* Everything down; the caller checks the fd count against fds_before. */
static void
vmm_down(struct vmm *v)
{
	int status;

	if (v->fe != NULL)
		vu_frontend_destroy(v->fe);
	if (v->pid > 0) {
		kill(v->pid, SIGKILL);
		waitpid(v->pid, &status, 0);
	}
	if (v->report >= 0)
		close(v->report);
	close(v->efd[0]);
	close(v->efd[1]);
	unlink(v->path);
	vu_guest_mem_destroy(v->mem);
	vu_fdman_shutdown();
}

static void
crash_resubmits_inflight(void)
{
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
	uint16_t heads[VU_VRING_BURST_MAX], resub, i;
	struct vmm v;

	CHECK(vmm_up(&v, "inflight"));
	desc = (struct vu_vring_desc *)v.va;
	avail = (struct vu_vring_avail *)(v.va + 0x1000);
	used = (struct vu_vring_used *)(v.va + 0x2000);
	/* The driver posts POSTED one-descriptor chains, heads 0..POSTED-1. */
	for (i = 0; i < POSTED; i++) {
		desc[i] = (struct vu_vring_desc){ .addr = 0x8000 + i * 64, .len = 64 };
		avail->ring[i] = i;
	}
	avail->idx = POSTED;

	/* First backend: pops all, completes COMPLETED, dies. */
	CHECK(vmm_connect(&v, COMPLETED, false, QSIZE));
	CHECK_EQ(read_report(v.report, heads, &resub), POSTED);
	CHECK_EQ(resub, 0);
	for (i = 0; i < POSTED; i++)
		CHECK_EQ(heads[i], i);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), COMPLETED);
	for (i = 0; i < COMPLETED; i++)
		CHECK_EQ(used->ring[i].id, i);
	CHECK(vmm_kill_backend(&v));

	/* Second backend: gets the inflight region back and must resubmit
	 * exactly heads COMPLETED..POSTED-1, and nothing new. */
	CHECK(vmm_restart_backend(&v, 0, false));
	CHECK_EQ(read_report(v.report, heads, &resub), POSTED - COMPLETED);
	CHECK_EQ(resub, POSTED - COMPLETED);
	for (i = 0; i < POSTED - COMPLETED; i++)
		CHECK_EQ(heads[i], COMPLETED + i);
	CHECK_EQ(__atomic_load_n(&used->idx, __ATOMIC_ACQUIRE), COMPLETED);
	printf("# recovered: %u in flight resubmitted, %u completed kept\n", resub, COMPLETED);

	vmm_down(&v);
	CHECK_EQ(vu_test_count_fds(), v.fds_before);
}

/* ---- under traffic ---- */

#define SLOTS		1024	/* request buffers, more than can be outstanding */

struct request {
	uint64_t number;	/* the device reads it */
	uint64_t echo;		/* and writes it back here */
};

/* The guest's driver: requests numbered from 0, each completed once. */
struct driver {
	struct vu_vring_drv r;
	struct request *req;	/* SLOTS of them, in guest memory */
	bool busy[SLOTS];
	uint64_t next;		/* number of the next request */
	uint64_t done;		/* requests completed */
	uint64_t bad;		/* completions with a wrong echo or length */
	bool adding;		/* false: let the ring drain */
	bool stop;
	pthread_t th;
};

static bool
driver_add_one(struct driver *d)
{
	uint64_t num = d->next;
	struct request *q = &d->req[num % SLOTS];
	struct vu_vring_drv_seg segs[2] = {
		{ .addr = &q->number, .len = sizeof(q->number) },
		{ .addr = &q->echo, .len = sizeof(q->echo), .write = true },
	};

	if (d->busy[num % SLOTS] || vu_vring_drv_free(&d->r) < 2)
		return false;
	q->number = num;
	q->echo = UINT64_MAX;
	if (vu_vring_drv_add(&d->r, segs, 2, (void *)(uintptr_t)(num + 1)) != 0)
		return false;
	d->busy[num % SLOTS] = true;
	__atomic_store_n(&d->next, num + 1, __ATOMIC_RELEASE);
	return true;
}

static void *
driver_loop(void *arg)
{
	struct driver *d = arg;
	void *cookies[VU_VRING_BURST_MAX];
	uint32_t lens[VU_VRING_BURST_MAX];
	uint16_t n, i;
	bool busy;

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		busy = false;
		while (__atomic_load_n(&d->adding, __ATOMIC_ACQUIRE) && driver_add_one(d))
			busy = true;
		vu_vring_drv_publish(&d->r);
		n = vu_vring_drv_reclaim(&d->r, cookies, lens, VU_VRING_BURST_MAX);
		for (i = 0; i < n; i++) {
			uint64_t num = (uintptr_t)cookies[i] - 1;

			if (lens[i] != sizeof(uint64_t) || d->req[num % SLOTS].echo != num)
				d->bad++;
			d->busy[num % SLOTS] = false;
		}
		__atomic_fetch_add(&d->done, n, __ATOMIC_RELEASE);
		if (!busy && n == 0)
			usleep(20);
	}
	return NULL;
}

static bool
wait_done(struct driver *d, uint64_t target)
{
	for (int i = 0; i < 1000; i++) {
		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) >= target)
			return true;
		usleep(5000);
	}
	return false;
}

static int
read_resubmitted(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint16_t n;

	if (poll(&p, 1, 5000) != 1 || read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

/*
 * Backends killed with SIGKILL at random moments while the ring is busy:
 * after each restart the new backend resubmits what was in flight and
 * traffic resumes; at the end every request was completed exactly once
 * (the driver breaks the ring on a completion it does not expect), with
 * its own number echoed, and used->idx equals avail->idx.
 */
static void
kills_under_traffic(void)
{
	const char *env = getenv(CYCLES_ENV);
	unsigned int cycles = env != NULL ? (unsigned int)atoi(env) : 100;
	unsigned int seed = (unsigned int)time(NULL), c, restarts_with_resubmit = 0;
	unsigned int died_young = 0;
	uint64_t total_resubmitted = 0, next, used_idx, avail_idx;
	double t0, t1, t_traffic = 0, t_recover = 0;
	struct vu_vring_drv_conf dc;
	static struct driver d;
	struct vmm v;
	int n;

	printf("# seed %u, %u kills\n", seed, cycles);
	srand(seed);
	CHECK(vmm_up(&v, "inflight-t"));
	dc = (struct vu_vring_drv_conf){ .name = "traffic-drv", .size = TRAFFIC_QSIZE,
		.desc = v.va, .avail = v.va + 0x1000, .used = v.va + 0x2000,
		.features = RTE_BIT64(32), .kick_fd = -1,
		.addr_offset = v.region.gpa - (uint64_t)(uintptr_t)v.va };
	CHECK_EQ(vu_vring_drv_init(&d.r, &dc), 0);
	d.req = (struct request *)(v.va + 0x10000);
	CHECK(vmm_connect(&v, 0, true, TRAFFIC_QSIZE));
	CHECK_EQ(read_resubmitted(v.report), 0);
	d.adding = true;
	CHECK_EQ(pthread_create(&d.th, NULL, driver_loop, &d), 0);

	for (c = 0; c < cycles; c++) {
		/* Traffic moves under this backend, then it dies mid-stream. */
		t0 = vu_test_now_ms();
		CHECK(wait_done(&d, __atomic_load_n(&d.done, __ATOMIC_ACQUIRE) + 2 * TRAFFIC_QSIZE));
		usleep((useconds_t)(rand() % 2000));
		t1 = vu_test_now_ms();
		t_traffic += t1 - t0;
		CHECK(vmm_kill_backend(&v));
		if (c % 4 == 3) {
			/* A crash loop: the next one dies young too. */
			CHECK(vmm_backend_dies_young(&v, (unsigned int)(rand() % 30)));
			died_young++;
		}
		CHECK(vmm_restart_backend(&v, 0, true));
		t_recover = RTE_MAX(t_recover, vu_test_now_ms() - t1);
		n = read_resubmitted(v.report);
		CHECK(n >= 0 && n <= TRAFFIC_QSIZE / 2);
		total_resubmitted += (unsigned int)n;
		restarts_with_resubmit += n > 0;
		CHECK_EQ(vu_vring_drv_broken(&d.r), VU_VRING_OK);
	}

	/* Drain: every request added comes back, once. */
	__atomic_store_n(&d.adding, false, __ATOMIC_RELEASE);
	usleep(1000);
	next = __atomic_load_n(&d.next, __ATOMIC_ACQUIRE);
	CHECK(wait_done(&d, next));
	usleep(50000);				/* nothing more may arrive */
	__atomic_store_n(&d.stop, true, __ATOMIC_RELEASE);
	pthread_join(d.th, NULL);
	used_idx = __atomic_load_n(&d.r.used->idx, __ATOMIC_ACQUIRE);
	avail_idx = __atomic_load_n(&d.r.avail->idx, __ATOMIC_ACQUIRE);
	printf("# %" PRIu64 " requests, %" PRIu64 " completed, %" PRIu64 " bad; "
	       "%" PRIu64 " chains resubmitted in %u of %u restarts\n", next, d.done, d.bad,
	       total_resubmitted, restarts_with_resubmit, cycles);
	printf("# traffic before each kill: %.0f ms on average; the slowest recovery "
	       "(kill to replayed activation): %.0f ms; %u more backends died within "
	       "30 ms of starting\n", t_traffic / cycles, t_recover, died_young);
	CHECK_EQ(vu_vring_drv_broken(&d.r), VU_VRING_OK);
	CHECK_EQ(d.done, next);
	CHECK_EQ(d.bad, 0);
	CHECK_EQ(used_idx, avail_idx);
	CHECK_EQ(avail_idx, next % 65536);

	vu_vring_drv_fini(&d.r);
	vmm_down(&v);
	CHECK_EQ(vu_test_count_fds(), v.fds_before);
}

VU_TEST_MAIN(
	VU_TEST_CASE(crash_resubmits_inflight),
	VU_TEST_CASE_TIMEOUT(kills_under_traffic, 300),
)
