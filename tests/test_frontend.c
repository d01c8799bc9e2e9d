/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu_frontend against real backends over real unix sockets, with real
 * memfd guest memory and eventfds: vu's own backend through the reference
 * lifecycle (in this process, and in a child process killed with SIGKILL
 * and replaced), DPDK 22.11's vhost backend in dpdk-testpmd, a scripted
 * backend for the back-end request channel, and one that never answers.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <rte_bitops.h>
#include <rte_errno.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_frontend.h"
#include "vu_guest_mem.h"
#include "vu_msg.h"
#include "vu_socket.h"
#include "vu_test.h"

#define NQ		2
#define QSIZE		16
#define DEV_TYPE	2		/* block: one queue without MQ */

static const uint8_t fake_config[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t fake_state[3] = { 1, 2, 3 };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
sock_path(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/vu-fe-%s-%d.sock", what, getpid());
	unlink(buf);
}

/* ---- the fake device behind vu's backend ---- */

struct fake_dev {
	pthread_mutex_t lock;
	bool started[NQ];
	uint16_t base[NQ];		/* base at the last start */
	uint16_t next[NQ];		/* next avail index, as a data plane keeps it */
	unsigned int starts, stops, loads;
	int report_fd;			/* child backend: start records go here */
	int fail_start;			/* ring whose next start fails, or -1 */
};

static struct fake_dev fake = { .lock = PTHREAD_MUTEX_INITIALIZER, .report_fd = -1,
				 .fail_start = -1 };

static int
fake_read_config(struct vu_backend *b, uint32_t offset, void *buf, uint32_t size)
{
	(void)b;
	if ((uint64_t)offset + size > sizeof(fake_config))
		return -EINVAL;
	memcpy(buf, fake_config + offset, size);
	return 0;
}

static int
fake_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	uint16_t rec[2] = { vq->index, vq->base };

	(void)b;
	pthread_mutex_lock(&fake.lock);
	if (vq->index == fake.fail_start) {
		fake.fail_start = -1;
		pthread_mutex_unlock(&fake.lock);
		return -EIO;
	}
	if (vq->index < NQ) {
		fake.started[vq->index] = true;
		fake.base[vq->index] = fake.next[vq->index] = vq->base;
	}
	fake.starts++;
	pthread_mutex_unlock(&fake.lock);
	if (fake.report_fd >= 0 && vq->enabled && write(fake.report_fd, rec, sizeof(rec)) < 0)
		return -errno;
	return 0;
}

static int
fake_stop(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	(void)b;
	pthread_mutex_lock(&fake.lock);
	if (index < NQ) {
		fake.started[index] = false;
		*next_avail = fake.next[index];
	}
	fake.stops++;
	pthread_mutex_unlock(&fake.lock);
	return 0;
}

static void
fake_process(uint16_t n)
{
	unsigned int q;

	pthread_mutex_lock(&fake.lock);
	for (q = 0; q < NQ; q++)
		fake.next[q] = (uint16_t)(fake.next[q] + n);
	pthread_mutex_unlock(&fake.lock);
}

static int
fake_suspend(struct vu_backend *b)
{
	(void)b;
	return 0;
}

static void
fake_reset(struct vu_backend *b)
{
	(void)b;
}

static int
fake_save(struct vu_backend *b, void **buf, size_t *len)
{
	(void)b;
	*buf = malloc(sizeof(fake_state));
	memcpy(*buf, fake_state, sizeof(fake_state));
	*len = sizeof(fake_state);
	return 0;
}

static int
fake_load(struct vu_backend *b, const void *buf, size_t len)
{
	(void)b;
	if (len != sizeof(fake_state) || memcmp(buf, fake_state, len) != 0)
		return -EINVAL;
	__atomic_fetch_add(&fake.loads, 1, __ATOMIC_RELAXED);
	return 0;
}

static struct vu_device_ops fake_ops = {
	.type = "fake",
	.max_queues = NQ,
	.features = RTE_BIT64(32),	/* VERSION_1 */
	.protocol_features = RTE_BIT64(VU_PF_CONFIG) | RTE_BIT64(VU_PF_DEVICE_STATE) |
			     RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_MQ) |
			     RTE_BIT64(VU_PF_BACKEND_REQ),
	.read_config = fake_read_config,
	.start_queue = fake_start,
	.stop_queue = fake_stop,
	.reset = fake_reset,
	.enter_suspended_state = fake_suspend,
	.save_state = fake_save,
	.load_state = fake_load,
};

/* ---- frontend events ---- */

struct events {
	unsigned int n[VU_FRONTEND_EV_CONFIG_CHANGED + 1];
	double disconnect_ms;
	unsigned int maps, unmaps;
};

static struct events ev;

static void
on_event(struct vu_frontend *fe, enum vu_frontend_event e, void *arg)
{
	(void)fe;
	(void)arg;
	if (e == VU_FRONTEND_EV_DISCONNECTED)
		ev.disconnect_ms = now_ms();
	__atomic_fetch_add(&ev.n[e], 1, __ATOMIC_RELEASE);
}

static int
on_map(struct vu_frontend *fe, uint8_t shmid, uint64_t off, int fd, uint64_t fd_off,
       uint64_t len, uint64_t flags, void *arg)
{
	(void)fe, (void)shmid, (void)off, (void)fd_off, (void)len, (void)flags, (void)arg;
	__atomic_fetch_add(&ev.maps, 1, __ATOMIC_RELEASE);
	return fd >= 0 ? 0 : -EBADF;
}

static int
on_unmap(struct vu_frontend *fe, uint8_t shmid, uint64_t off, uint64_t len, void *arg)
{
	(void)fe, (void)shmid, (void)off, (void)len, (void)arg;
	__atomic_fetch_add(&ev.unmaps, 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct vu_frontend_ops fe_ops = {
	.event = on_event, .shmem_map = on_map, .shmem_unmap = on_unmap,
};

static bool
wait_event(enum vu_frontend_event e, unsigned int count, unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < ms / 5; i++) {
		if (__atomic_load_n(&ev.n[e], __ATOMIC_ACQUIRE) >= count)
			return true;
		usleep(5000);
	}
	return false;
}

/* ---- guest memory and rings ---- */

struct guest {
	struct vu_guest_mem *mem;
	struct vu_frontend_mem_region regions[16];
	int nregions;
	struct vu_frontend_vring vr[4];
	int efd[8];
};

/* @p nregions regions of 1 MiB each, 1 MiB holes between them; rings in region 0. */
static bool
guest_up(struct guest *g, unsigned int nregions, unsigned int nq)
{
	struct vu_guest_mem_layout l[16];
	unsigned int i;

	for (i = 0; i < nregions; i++)
		l[i] = (struct vu_guest_mem_layout){ .gpa = i * (2ull << 20), .size = 1 << 20 };
	g->mem = vu_guest_mem_create("test-fe-guest", l, nregions, VU_GUEST_MEM_PLAIN, NULL);
	if (g->mem == NULL)
		return false;
	g->nregions = vu_frontend_regions_from_guest_mem(g->mem, g->regions, 16);
	for (i = 0; i < nq; i++) {
		uint8_t *base = g->mem->regions[0].va + i * 0x4000;

		g->efd[2 * i] = eventfd(0, EFD_CLOEXEC);
		g->efd[2 * i + 1] = eventfd(0, EFD_CLOEXEC);
		g->vr[i] = (struct vu_frontend_vring){ .index = (uint16_t)i, .size = QSIZE,
			.desc = base, .avail = base + 16 * QSIZE, .used = base + 0x2000,
			.kick_fd = g->efd[2 * i], .call_fd = g->efd[2 * i + 1] };
	}
	return g->nregions == (int)nregions;
}

static void
guest_down(struct guest *g, unsigned int nq)
{
	unsigned int i;

	for (i = 0; i < 2 * nq; i++)
		close(g->efd[i]);
	vu_guest_mem_destroy(g->mem);
}

static void
set_bases(struct guest *g, unsigned int nq, uint16_t base)
{
	unsigned int i;

	for (i = 0; i < nq; i++)
		g->vr[i].base = base;
}

/* ---- 1. the reference lifecycle against vu's backend ---- */

static void
lifecycle(uint64_t extra_pf, unsigned int nregions)
{
	int fds_before = vu_test_count_fds();
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .conn_fd = -1,
		.device_type = DEV_TYPE, .base_features = RTE_BIT64(32) | RTE_BIT64(34),
		.max_queue_size = 300, .ops = &fe_ops };
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .conn_fd = -1,
				      .ops = &fake_ops };
	uint16_t bases[NQ] = { 0 };
	uint8_t cfg[12];
	struct vu_backend *b;
	struct vu_frontend *fe;
	struct guest g;
	char path[108];
	void *snap;
	size_t len;

	fake_ops.protocol_features |= extra_pf;
	sock_path(path, sizeof(path), "life");
	bc.path = fc.path = path;
	b = vu_backend_create(&bc);
	CHECK(b != NULL);
	CHECK(guest_up(&g, nregions, NQ));
	/* negotiate */
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	CHECK_EQ(vu_frontend_max_queue_size(fe), 256);
	CHECK_EQ(vu_frontend_num_queues(fe), NQ);
	CHECK_EQ(vu_frontend_features(fe), RTE_BIT64(32) | RTE_BIT64(VU_F_PROTOCOL_FEATURES));
	CHECK_EQ(vu_frontend_protocol_features(fe), fake_ops.protocol_features);
	CHECK_EQ(vu_backend_protocol_features(b), fake_ops.protocol_features);
	/* read_config */
	CHECK_EQ(vu_frontend_read_config(fe, 0, cfg, sizeof(cfg)), 0);
	CHECK(memcmp(cfg, fake_config, sizeof(cfg)) == 0);
	CHECK_EQ(vu_frontend_read_config(fe, 8, cfg, 8), -EIO);	/* past the device's 12 */
	/* activate 2 queues: one SET_FEATURES goes first */
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK_EQ(vu_backend_features(b), RTE_BIT64(VU_F_PROTOCOL_FEATURES));
	CHECK(fake.started[0] && fake.started[1]);
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), -EBUSY);
	/* reset */
	fake_process(5);
	CHECK_EQ(vu_frontend_reset(fe), 0);
	CHECK(!fake.started[0] && !fake.started[1]);
	/* activate */
	CHECK_EQ(vu_frontend_ack_features(fe, RTE_BIT64(32) | RTE_BIT64(1)), 0);
	CHECK_EQ(vu_backend_features(b), RTE_BIT64(32) | RTE_BIT64(VU_F_PROTOCOL_FEATURES));
	set_bases(&g, NQ, 7);
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK(fake.started[0] && fake.base[0] == 7 && fake.base[1] == 7);
	CHECK_EQ(vu_backend_config_changed(b), 0);
	CHECK(wait_event(VU_FRONTEND_EV_CONFIG_CHANGED, 1, 1000));
	/* sleep */
	fake_process(9);
	CHECK_EQ(vu_frontend_sleep(fe, bases), 0);
	CHECK(bases[0] == 16 && bases[1] == 16);
	CHECK(!fake.started[0] && !fake.started[1]);
	/* snapshot, restore */
	CHECK_EQ(vu_frontend_snapshot(fe, &snap, &len), 0);
	CHECK(len > sizeof(fake_state));
	CHECK_EQ(vu_frontend_restore(fe, snap, len), 0);
	free(snap);
	CHECK_EQ(fake.loads, 1);
	CHECK_EQ(vu_frontend_restore(fe, "junk", 4), -EIO);	/* the backend refuses it */
	/* wake: every ring again at the base sleep returned */
	CHECK_EQ(vu_frontend_wake(fe), 0);
	CHECK(fake.started[0] && fake.started[1] && fake.base[0] == 16 && fake.base[1] == 16);
	CHECK_EQ(vu_frontend_wake(fe), -EALREADY);
	/* drop */
	vu_frontend_destroy(fe);
	vu_backend_destroy(b);
	guest_down(&g, NQ);
	vu_fdman_shutdown();
	CHECK_EQ(ev.n[VU_FRONTEND_EV_DISCONNECTED], 0);
	CHECK_EQ(vu_test_count_fds(), fds_before);
	CHECK_EQ(vu_test_count_maps("test-fe-guest"), 0);
	CHECK(access(path, F_OK) != 0);
}

static void
lifecycle_vu_backend(void)
{
	lifecycle(0, 1);
}

/* Ten regions: beyond SET_MEM_TABLE's 8, so ADD_MEM_REG; an inflight region too. */
static void
lifecycle_mem_slots_inflight(void)
{
	lifecycle(RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS) | RTE_BIT64(VU_PF_INFLIGHT_SHMFD), 10);
}

/* vu's backend (server, fake device) and a frontend on it in this process,
 * guest memory of @p nregions regions; false if any part failed. */
static bool
local_pair(const char *what, unsigned int nregions, struct vu_backend **b,
	   struct vu_frontend **fe, struct guest *g)
{
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .conn_fd = -1,
		.device_type = DEV_TYPE, .ops = &fe_ops };
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .conn_fd = -1,
				      .ops = &fake_ops };
	char path[108];

	sock_path(path, sizeof(path), what);
	bc.path = fc.path = path;
	*b = vu_backend_create(&bc);
	if (*b == NULL || !guest_up(g, nregions, NQ))
		return false;
	*fe = vu_frontend_create(&fc);
	return *fe != NULL;
}

/* Ten regions without CONFIGURE_MEM_SLOTS: refused before anything is sent. */
static void
too_many_regions_without_slots(void)
{
	struct vu_backend *b;
	struct vu_frontend *fe;
	struct guest g;

	CHECK(local_pair("regions", 10, &b, &fe, &g));
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), -E2BIG);
	CHECK(!fake.started[0]);
	g.vr[1].used = (uint8_t *)g.vr[1].used + (1 << 20);	/* in a hole */
	CHECK_EQ(vu_frontend_activate(fe, g.regions, 1, g.vr, NQ), -EINVAL);
	vu_frontend_destroy(fe);
	vu_backend_destroy(b);
	guest_down(&g, NQ);
}

/*
 * A backend that refuses a later activation message but stays connected:
 * the rings it already started are stopped before the caller gets the
 * error (and may free them), and the next activation is not refused.
 */
static void
activation_failure_stops_started_rings(void)
{
	struct vu_backend *b;
	struct vu_frontend *fe;
	struct guest g;

	CHECK(local_pair("partial", 1, &b, &fe, &g));
	fake.fail_start = 1;		/* ring 0 starts, ring 1 is refused */
	CHECK(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ) < 0);
	CHECK(vu_frontend_connected(fe));
	CHECK(!fake.started[0] && !fake.started[1]);
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK(fake.started[0] && fake.started[1]);
	vu_frontend_destroy(fe);
	vu_backend_destroy(b);
	guest_down(&g, NQ);
}

/* ---- 2. crash and recovery: vu's backend in a child process ---- */

#define CHILD_ENV "VU_TEST_FE_CHILD_BACKEND"

/* In a re-executed child: serve a backend on the path, report ring starts on fd 3. */
__attribute__((constructor)) static void
child_backend_main(void)
{
	const char *path = getenv(CHILD_ENV);
	struct vu_backend_conf bc = { .mode = VU_BACKEND_SERVER, .conn_fd = -1,
				      .ops = &fake_ops };

	if (path == NULL)
		return;
	fake.report_fd = 3;
	fake_ops.protocol_features |= RTE_BIT64(VU_PF_INFLIGHT_SHMFD);
	bc.path = path;
	if (vu_backend_create(&bc) == NULL)
		_exit(2);
	if (write(3, "R", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* Fork and exec ourselves as a backend; @p report gets its ring starts. */
static pid_t
spawn_backend(const char *path, int *report)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive a failed case */
		dup2(p[1], 3);
		setenv(CHILD_ENV, path, 1);
		execl("/proc/self/exe", "test_frontend-backend", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*report = p[0];
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 'R')
		return -1;
	return pid;
}

/* Read @p n start records (index, base) with a deadline. */
static bool
read_starts(int fd, uint16_t *base, unsigned int n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint16_t rec[2];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (poll(&p, 1, 5000) != 1 || read(fd, rec, sizeof(rec)) != sizeof(rec) ||
		    rec[0] >= NQ)
			return false;
		base[rec[0]] = rec[1];
	}
	return true;
}

static void
crash_and_recover(void)
{
	int fds_before = vu_test_count_fds();
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .reconnect = true,
		.conn_fd = -1, .device_type = DEV_TYPE, .base_features = RTE_BIT64(32),
		.reply_timeout_ms = 2000, .ops = &fe_ops };
	uint16_t base[NQ] = { 99, 99 };
	struct vu_frontend *fe;
	struct guest g;
	char path[108];
	int report, status;
	double t_kill;
	pid_t pid;

	sock_path(path, sizeof(path), "crash");
	fc.path = path;
	pid = spawn_backend(path, &report);
	CHECK(pid > 0);
	CHECK(guest_up(&g, 1, NQ));
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	CHECK_EQ(vu_frontend_wait_connected(fe, 5000), 0);
	CHECK(vu_frontend_protocol_features(fe) & RTE_BIT64(VU_PF_INFLIGHT_SHMFD));
	set_bases(&g, NQ, 4);
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK(read_starts(report, base, NQ));
	CHECK(base[0] == 4 && base[1] == 4);
	/* The guest's driver saw 6 buffers used on ring 0 and 4 on ring 1. */
	*(uint16_t *)((uint8_t *)g.vr[0].used + 2) = 6;
	*(uint16_t *)((uint8_t *)g.vr[1].used + 2) = 4;
	/* kill -9 while activated */
	t_kill = now_ms();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(report);
	/* Generous for an ASan build on a loaded machine; the latency is printed. */
	CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, 1, 5000));
	printf("# crash reported %.1f ms after SIGKILL\n", ev.disconnect_ms - t_kill);
	CHECK(!vu_frontend_connected(fe));
	/* A new backend on the same socket: re-negotiated and re-activated. */
	pid = spawn_backend(path, &report);
	CHECK(pid > 0);
	CHECK(wait_event(VU_FRONTEND_EV_RECOVERED, 1, 5000));
	CHECK(vu_frontend_connected(fe));
	CHECK(read_starts(report, base, NQ));
	printf("# recovered; bases from the used rings: %u %u\n", base[0], base[1]);
	CHECK(base[0] == 6 && base[1] == 4);
	CHECK_EQ(vu_frontend_deactivate_vring(fe, 0, &base[0]), 0);
	CHECK_EQ(base[0], 6);
	/* The app takes its rings back while the backend is gone (a port
	 * stop): the frontend forgets them, so the next backend is given none
	 * of them (their memory may be freed by now) and a new activation is
	 * not refused as busy. */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(report);
	CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, 2, 5000));
	CHECK_EQ(vu_frontend_deactivate_vring(fe, 1, NULL), -ENOTCONN);
	CHECK_EQ(vu_frontend_deactivate_vring(fe, 0, NULL), -ENOENT);	/* forgotten above */
	pid = spawn_backend(path, &report);
	CHECK(pid > 0);
	CHECK(wait_event(VU_FRONTEND_EV_RECOVERED, 2, 5000));
	CHECK(poll(&(struct pollfd){ .fd = report, .events = POLLIN }, 1, 300) == 0);
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK(read_starts(report, base, NQ));
	vu_frontend_destroy(fe);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(report);
	unlink(path);
	guest_down(&g, NQ);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

/* Server mode: the backend (a client) connects, leaves, connects again. */
static void
server_mode_reconnect(void)
{
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_SERVER, .conn_fd = -1,
		.device_type = DEV_TYPE, .ops = &fe_ops };
	struct vu_backend_conf bc = { .mode = VU_BACKEND_CLIENT, .conn_fd = -1,
				      .ops = &fake_ops };
	struct vu_backend *b;
	struct vu_frontend *fe;
	struct guest g;
	char path[108];

	sock_path(path, sizeof(path), "server");
	bc.path = fc.path = path;
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	CHECK_EQ(vu_frontend_wait_connected(fe, 50), -ETIMEDOUT);
	b = vu_backend_create(&bc);
	CHECK(b != NULL);
	CHECK_EQ(vu_frontend_wait_connected(fe, 5000), 0);
	CHECK(wait_event(VU_FRONTEND_EV_CONNECTED, 1, 1000));
	CHECK(guest_up(&g, 1, NQ));
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, NQ), 0);
	CHECK(fake.started[1]);
	vu_backend_destroy(b);
	CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, 1, 1000));
	b = vu_backend_create(&bc);
	CHECK(b != NULL);
	CHECK(wait_event(VU_FRONTEND_EV_RECOVERED, 1, 5000));
	CHECK(fake.started[0] && fake.started[1]);
	vu_frontend_destroy(fe);
	vu_backend_destroy(b);
	guest_down(&g, NQ);
	CHECK(access(path, F_OK) != 0);
}

/* ---- 3. a scripted backend: the channel, and silence ---- */

struct script {
	int listen_fd;
	int sock;
	int channel;		/* the SET_BACKEND_REQ_FD fd it was given */
	unsigned int answer;	/* requests answered before going silent */
	unsigned int cut;	/* then: 0 silence, else the reply's first cut bytes and EOF */
	unsigned int seen;
	uint64_t pf;
	pthread_t th;
};

static void
script_reply(struct script *s, const struct vu_msg *m, unsigned int cut)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, m->hdr.request);
	struct vu_msg r;

	if (info->reply != VU_REPLY_ALWAYS && !(m->hdr.flags & VU_FLAG_NEED_REPLY))
		return;
	vu_msg_reply_init(&r, m, sizeof(uint64_t));
	r.payload.u64 = 0;
	switch (m->hdr.request) {
	case VU_REQ_GET_FEATURES:
		r.payload.u64 = RTE_BIT64(VU_F_PROTOCOL_FEATURES) | RTE_BIT64(32);
		break;
	case VU_REQ_GET_PROTOCOL_FEATURES:
		r.payload.u64 = s->pf;
		break;
	case VU_REQ_GET_QUEUE_NUM:
		r.payload.u64 = 1;
		break;
	case VU_REQ_GET_SHMEM_CONFIG:
		r.hdr.size = sizeof(struct vu_shmem_config);
		memset(&r.payload.shmem_config, 0, sizeof(r.payload.shmem_config));
		r.payload.shmem_config.nregions = 1;
		r.payload.shmem_config.memory_sizes[0] = 1 << 20;
		break;
	case VU_REQ_GET_CONFIG:
		r.hdr.size = m->hdr.size;
		memcpy(&r.payload.config, &m->payload.config, m->hdr.size);
		break;
	default:
		break;
	}
	if (cut == 0) {
		vu_msg_send(s->sock, &r);
		return;
	}
	/* A backend that dies in the middle of its reply. */
	if (send(s->sock, &r, RTE_MIN(cut, sizeof(r.hdr) + r.hdr.size), MSG_NOSIGNAL) < 0)
		printf("# script: send: %s\n", strerror(errno));
	shutdown(s->sock, SHUT_RDWR);
}

static void *
script_thread(void *arg)
{
	struct script *s = arg;
	struct vu_msg m;

	__atomic_store_n(&s->sock, accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC),
			 __ATOMIC_RELEASE);
	while (s->sock >= 0 && vu_msg_recv(s->sock, VU_MSG_FRONTEND_REQ, &m, "script") == 0) {
		if (m.hdr.request == VU_REQ_SET_BACKEND_REQ_FD && m.nfds == 1) {
			s->channel = m.fds[0];
			m.nfds = 0;
		}
		vu_msg_close_fds(&m);
		if (s->seen < s->answer)
			script_reply(s, &m, 0);
		else if (s->seen == s->answer && s->cut > 0)
			script_reply(s, &m, s->cut);
		s->seen++;
	}
	return NULL;
}

static bool
script_up_cut(struct script *s, const char *path, unsigned int answer, uint64_t pf,
	      unsigned int cut)
{
	*s = (struct script){ .sock = -1, .channel = -1, .answer = answer, .pf = pf,
			      .cut = cut };
	s->listen_fd = vu_socket_listen(path);
	return s->listen_fd >= 0 && pthread_create(&s->th, NULL, script_thread, s) == 0;
}

static bool
script_up(struct script *s, const char *path, unsigned int answer, uint64_t pf)
{
	return script_up_cut(s, path, answer, pf, 0);
}

static void
script_down(struct script *s, const char *path)
{
	shutdown(__atomic_load_n(&s->sock, __ATOMIC_ACQUIRE), SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->sock);
	close(s->listen_fd);
	if (s->channel >= 0)
		close(s->channel);
	unlink(path);
}

/* Send one back-end request with NEED_REPLY; return the frontend's ack value. */
static long long
backend_req(int ch, uint32_t req, const struct vu_shmem_map *p, int fd)
{
	struct vu_msg m = { .hdr = { req, VU_PROTO_VERSION | VU_FLAG_NEED_REPLY, 0 } }, r;

	if (p != NULL) {
		m.hdr.size = sizeof(*p);
		m.payload.shmem_map = *p;
	}
	if (fd >= 0) {
		m.fds[0] = fd;
		m.nfds = 1;
	}
	if (vu_msg_send(ch, &m) < 0 || vu_msg_recv(ch, VU_MSG_BACKEND_REPLY, &r, "t") < 0)
		return -1;
	return r.hdr.request == req ? (long long)r.payload.u64 : -2;
}

static void
backend_requests(void)
{
	int fds_before = vu_test_count_fds();
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .conn_fd = -1,
		.device_type = DEV_TYPE, .ops = &fe_ops };
	struct vu_shmem_map p = { .shmid = 0, .shm_offset = 0, .len = 0x2000,
				  .flags = VU_SHMEM_MAP_F_R };
	struct vu_frontend *fe;
	struct script s;
	char path[108];
	uint64_t size = 0;
	int memfd;

	sock_path(path, sizeof(path), "breq");
	fc.path = path;
	CHECK(script_up(&s, path, 1000, RTE_BIT64(VU_PF_BACKEND_REQ) | RTE_BIT64(VU_PF_SHMEM) |
		      RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_CONFIG) | RTE_BIT64(40)));
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	/* Unknown bit 40 is not acked; everything on the allow-list is. */
	CHECK_EQ(vu_frontend_protocol_features(fe) & RTE_BIT64(40), 0);
	CHECK(s.channel >= 0);
	CHECK_EQ(vu_frontend_shmem_size(fe, &size), 0);
	CHECK_EQ(size, 1 << 20);
	CHECK_EQ(backend_req(s.channel, VU_BREQ_CONFIG_CHANGE_MSG, NULL, -1), 0);
	CHECK(wait_event(VU_FRONTEND_EV_CONFIG_CHANGED, 1, 1000));
	memfd = memfd_create("test-fe-shm", MFD_CLOEXEC);
	CHECK(memfd >= 0 && ftruncate(memfd, 0x10000) == 0);
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_MAP, &p, memfd), 0);
	CHECK_EQ(__atomic_load_n(&ev.maps, __ATOMIC_ACQUIRE), 1);
	p.shm_offset = 0x1000;	/* overlaps [0, 0x2000) */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_MAP, &p, memfd), 1);
	p.shm_offset = (1 << 20) - 0x1000;	/* runs past the region */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_MAP, &p, memfd), 1);
	p.shm_offset = 0x2000;	/* adjacent: fine */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_MAP, &p, memfd), 0);
	p.shm_offset = 0x8000;	/* nothing mapped there */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_UNMAP, &p, -1), 1);
	p.shm_offset = 0;
	p.len = 0x1000;		/* not the length mapped */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_UNMAP, &p, -1), 1);
	p.len = 0x2000;
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_UNMAP, &p, -1), 0);
	CHECK_EQ(backend_req(s.channel, VU_BREQ_SHMEM_UNMAP, &p, -1), 1);	/* twice */
	CHECK(__atomic_load_n(&ev.maps, __ATOMIC_ACQUIRE) == 2 &&
	      __atomic_load_n(&ev.unmaps, __ATOMIC_ACQUIRE) == 1);
	/* Reset undoes what is still mapped (the one at 0x2000). */
	CHECK_EQ(vu_frontend_reset(fe), 0);
	CHECK_EQ(__atomic_load_n(&ev.unmaps, __ATOMIC_ACQUIRE), 2);
	/* A malformed request is answered with a failure; the channel stays up. */
	CHECK_EQ(backend_req(s.channel, VU_BREQ_VRING_CALL, NULL, -1), 1);
	CHECK_EQ(backend_req(s.channel, VU_BREQ_CONFIG_CHANGE_MSG, NULL, -1), 0);
	close(memfd);
	vu_frontend_destroy(fe);
	script_down(&s, path);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

/* A backend that accepts and reads but never answers: -ETIMEDOUT, bounded. */
static void
never_answers(void)
{
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .conn_fd = -1,
		.device_type = DEV_TYPE, .reply_timeout_ms = 300, .ops = &fe_ops };
	struct vu_frontend *fe;
	struct script s;
	char path[108];
	uint8_t cfg[4];
	double t0, dt;

	sock_path(path, sizeof(path), "mute");
	fc.path = path;
	CHECK(script_up(&s, path, 0, 0));
	t0 = now_ms();
	fe = vu_frontend_create(&fc);
	dt = now_ms() - t0;
	CHECK(fe == NULL);
	CHECK_EQ(rte_errno, ETIMEDOUT);
	printf("# negotiation gave up after %.0f ms\n", dt);
	CHECK(dt >= 290 && dt < 2000);
	script_down(&s, path);

	/* Negotiates (SET_OWNER, GET_FEATURES, GET/SET_PROTOCOL_FEATURES), then silence. */
	CHECK(script_up(&s, path, 4, RTE_BIT64(VU_PF_CONFIG)));
	fe = vu_frontend_create(&fc);
	CHECK(fe != NULL);
	vu_frontend_set_reply_timeout(fe, 200);
	t0 = now_ms();
	CHECK_EQ(vu_frontend_read_config(fe, 0, cfg, sizeof(cfg)), -ETIMEDOUT);
	dt = now_ms() - t0;
	CHECK(dt >= 190 && dt < 2000);
	/* The stream is out of step: the connection is dropped and reported. */
	CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, 1, 1000));
	vu_frontend_destroy(fe);
	script_down(&s, path);
}

/*
 * A backend that closes its socket in the middle of a reply: inside the
 * header, then inside the payload. The call fails at once (not after the
 * reply timeout), the hang-up is reported, and nothing is left open.
 */
static void
reply_cut_mid_message(void)
{
	static const unsigned int cuts[] = { 6, sizeof(struct vu_msg_hdr) + 8 };
	struct vu_frontend_conf fc = { .mode = VU_FRONTEND_CLIENT, .conn_fd = -1,
		.device_type = DEV_TYPE, .reply_timeout_ms = 5000, .ops = &fe_ops };
	int fds_before = vu_test_count_fds();
	struct vu_frontend *fe;
	struct script s;
	char path[108];
	uint8_t cfg[16];
	unsigned int i;
	double t0, dt;
	int ret;

	sock_path(path, sizeof(path), "cut");
	fc.path = path;
	for (i = 0; i < RTE_DIM(cuts); i++) {
		/* Negotiation answered, then GET_CONFIG's reply cut short. */
		CHECK(script_up_cut(&s, path, 4, RTE_BIT64(VU_PF_CONFIG), cuts[i]));
		fe = vu_frontend_create(&fc);
		CHECK(fe != NULL);
		t0 = now_ms();
		ret = vu_frontend_read_config(fe, 0, cfg, sizeof(cfg));
		dt = now_ms() - t0;
		printf("# reply cut after %u bytes: %d (%s) after %.0f ms\n", cuts[i], ret,
		       strerror(-ret), dt);
		CHECK(ret < 0 && ret != -ETIMEDOUT);
		CHECK(dt < 2000);
		CHECK(wait_event(VU_FRONTEND_EV_DISCONNECTED, i + 1, 2000));
		vu_frontend_destroy(fe);
		script_down(&s, path);
	}
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

/* ---- 4. DPDK 22.11's vhost backend in dpdk-testpmd ---- */

#define TESTPMD "/usr/bin/dpdk-testpmd"

static pid_t
spawn_testpmd(const char *path, int *stdin_w)
{
	char vdev[200], prefix[64];
	int p[2], null;
	pid_t pid;

	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=2", path);
	snprintf(prefix, sizeof(prefix), "vu-fe-%d", getpid());
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(p[0], 0);
		dup2(null, 1);
		execl(TESTPMD, TESTPMD, "--no-pci", "--no-huge", "-m", "256", "--file-prefix",
		      prefix, "-l", "0,1", "--log-level=lib.vhost.config:info", "--vdev", vdev,
		      "--", "-i", "--total-num-mbufs=2048", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*stdin_w = p[1];
	return pid;
}

/* testpmd asked to quit (SIGKILL if it does not), its EAL runtime files removed. */
static void
stop_testpmd(pid_t pid, int in)
{
	char cmd[160];
	int status, i;

	if (write(in, "quit\n", 5) != 5)
		kill(pid, SIGKILL);
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(in);
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/vu-fe-%d", getpid());
	if (system(cmd) != 0)
		printf("# could not remove testpmd's runtime directory\n");
}

static int
connect_retry(const char *path, unsigned int ms)
{
	unsigned int i;
	int fd = -1;

	for (i = 0; i < ms / 50 && fd < 0; i++) {
		fd = vu_socket_connect(path);
		if (fd < 0)
			usleep(50000);
	}
	return fd;
}

static bool
stop_rings(struct vu_frontend *fe, unsigned int n, uint16_t expect)
{
	uint16_t base;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (vu_frontend_deactivate_vring(fe, (uint16_t)i, &base) != 0 || base != expect)
			return false;
	return true;
}

static void
dpdk_testpmd_backend(void)
{
	struct vu_frontend_conf fc = { .device_type = 1 /* net */,
		.base_features = RTE_BIT64(32), .max_queue_size = 256, .ops = &fe_ops };
	struct vu_frontend *fe;
	struct guest g;
	char path[108];
	int in;
	pid_t pid;

	if (access(TESTPMD, X_OK) != 0) {
		printf("# %s is missing: install Debian's dpdk package\n", TESTPMD);
		CHECK(access(TESTPMD, X_OK) == 0);
	}
	sock_path(path, sizeof(path), "dpdk");
	pid = spawn_testpmd(path, &in);
	CHECK(pid > 0);
	fc.conn_fd = connect_retry(path, 20000);
	if (fc.conn_fd < 0)
		stop_testpmd(pid, in);
	CHECK(fc.conn_fd >= 0);
	fe = vu_frontend_create(&fc);
	if (fe == NULL)
		stop_testpmd(pid, in);
	CHECK(fe != NULL);
	printf("# dpdk-testpmd: features 0x%" PRIx64 ", protocol features 0x%" PRIx64
	       ", %u rings\n", vu_frontend_features(fe), vu_frontend_protocol_features(fe),
	       vu_frontend_num_queues(fe));
	CHECK(vu_frontend_num_queues(fe) >= 4);
	CHECK(guest_up(&g, 1, 4));
	CHECK_EQ(vu_frontend_ack_features(fe, RTE_BIT64(32)), 0);
	/* one queue pair */
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, 2), 0);
	CHECK(stop_rings(fe, 2, 0));
	CHECK_EQ(vu_frontend_reset(fe), 0);
	/*
	 * Two queue pairs, from base 3. DPDK takes a split ring's avail index
	 * from used->idx in guest memory when the two disagree, so the guest
	 * side is made consistent: 3 buffers used on every ring.
	 */
	set_bases(&g, 4, 3);
	for (unsigned int i = 0; i < 4; i++)
		*(uint16_t *)((uint8_t *)g.vr[i].used + 2) = 3;
	CHECK_EQ(vu_frontend_activate(fe, g.regions, g.nregions, g.vr, 4), 0);
	CHECK(stop_rings(fe, 4, 3));
	CHECK_EQ(vu_frontend_reset(fe), 0);
	CHECK(vu_frontend_connected(fe));
	vu_frontend_destroy(fe);
	stop_testpmd(pid, in);
	unlink(path);
	guest_down(&g, 4);
}

VU_TEST_MAIN(
	VU_TEST_CASE(lifecycle_vu_backend),
	VU_TEST_CASE(lifecycle_mem_slots_inflight),
	VU_TEST_CASE(too_many_regions_without_slots),
	VU_TEST_CASE(activation_failure_stops_started_rings),
	VU_TEST_CASE(crash_and_recover),
	VU_TEST_CASE(server_mode_reconnect),
	VU_TEST_CASE(backend_requests),
	VU_TEST_CASE(never_answers),
	VU_TEST_CASE(reply_cut_mid_message),
	VU_TEST_CASE_TIMEOUT(dpdk_testpmd_backend, 60),
)
