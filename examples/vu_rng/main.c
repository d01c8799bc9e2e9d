/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu_rng: a complete small vhost-user device, built against an installed vu.
 * It is virtio-rng (device id 4): one ring; the driver posts device-writable
 * buffers and the device fills them with random bytes.
 *
 *   vu_rng SOCKET   serve a VMM (QEMU's vhost-user-rng, say) on SOCKET
 *   vu_rng          self-test: drive the device with vu_frontend, in-process
 *
 * Threads: the backend calls the device ops on vu-ctl; one data-plane thread
 * polls the ring, and only between vu_vring_access_start() and _stop().
 * See doc/guides/prog_guide/device_backend.rst.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_errno.h>

#include <vu_backend.h>
#include <vu_fdman.h>
#include <vu_frontend.h>
#include <vu_guest_mem.h>
#include <vu_vring.h>

#define F_EVENT_IDX	(UINT64_C(1) << VU_VRING_FEATURE_EVENT_IDX)
#define F_VERSION_1	(UINT64_C(1) << 32)
/* A hostile driver may post a 4 GiB chain; fill at most this much of one so
 * a burst, and a stop_queue waiting for it, stays short. */
#define RNG_CHAIN_MAX	65536
/* Nap when idle: an RNG is rarely hot, and 1 ms keeps an idle device at about 2% CPU. */
#define RNG_IDLE_US	1000

/* ---- the device ---- */

struct rng_dev {
	struct vu_vring_dev ring;		/* data plane's, inside access only */
	struct vu_vring_access access;		/* the hand-off */
	struct vu_vring_chain chains[VU_VRING_BURST_MAX];	/* one burst's */
	struct vu_backend *backend;
	pthread_t thread;
	bool quit;				/* atomic: the data plane exits */
};

static struct rng_dev dev;

/* getrandom(2), not rte_rand(): the guest wants a CSPRNG. Never blocks:
 * before the kernel pool is ready we return fewer bytes, as a device may. */
static uint32_t
fill_random(void *buf, uint32_t len)
{
	uint32_t done = 0;
	ssize_t r;

	while (done < len) {
		r = getrandom((char *)buf + done, len - done, GRND_NONBLOCK);
		if (r <= 0)
			break;
		done += (uint32_t)r;
	}
	return done;
}

/* One burst: pop chains, fill their writable segments, publish once. */
static uint16_t
rng_burst(struct rng_dev *d)
{
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];
	uint16_t n, i, s;

	n = vu_vring_dev_pop(&d->ring, d->chains, VU_VRING_BURST_MAX);
	for (i = 0; i < n; i++) {
		const struct vu_vring_chain *c = &d->chains[i];
		uint32_t len = 0, want, got;

		/* virtio-rng has no readable part; skip any the driver sent. */
		for (s = c->nr_read; s < c->nr_read + c->nr_write && len < RNG_CHAIN_MAX; s++) {
			want = RTE_MIN(c->seg[s].len, RNG_CHAIN_MAX - len);
			got = fill_random(c->seg[s].addr, want);
			vu_vring_dev_log_write(&d->ring, c->seg[s].gpa, got);	/* migration */
			len += got;
			if (got < want)
				break;
		}
		used[i] = (struct vu_vring_used_elem){ .id = c->head, .len = len };
	}
	vu_vring_dev_push(&d->ring, used, n);
	return n;
}

/* The data plane: enter, burst, leave. Outside enter/leave the ring may be
 * re-initialised or unmapped by vu-ctl at any moment. */
static void *
rng_dataplane(void *arg)
{
	struct rng_dev *d = arg;
	uint16_t n;

	while (!__atomic_load_n(&d->quit, __ATOMIC_ACQUIRE)) {
		n = 0;
		if (vu_vring_access_enter(&d->access)) {
			n = rng_burst(d);
			vu_vring_access_leave(&d->access);
		}
		if (n == 0)
			usleep(RNG_IDLE_US);
	}
	return NULL;
}

/* vu-ctl: the ring is configured (SET_VRING_KICK) or re-enabled. Copy what
 * the ring needs, then hand it to the data plane if the driver enabled it. */
static int
rng_start_queue(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	struct rng_dev *d = vu_backend_priv(b);
	struct vu_vring_dev_conf c = {
		.name = vu_backend_name(b), .index = vq->index, .size = vq->size,
		.desc = vq->desc, .avail = vq->avail, .used = vq->used,
		.last_avail = vq->base, .features = vq->features, .mem = vq->mem,
		.call_fd = vq->call_fd, .err_fd = vq->err_fd, .log = vq->log,
		.used_gpa = vq->used_gpa, .log_used = vq->log_used,
		.inflight = vq->inflight, .inflight_size = vq->inflight_size,
	};
	int ret;

	ret = vu_vring_dev_init(&d->ring, &c);	/* the ring is not accessible here */
	if (ret < 0)
		return ret;
	if (vq->enabled)
		vu_vring_access_start(&d->access);	/* release: init is visible */
	return 0;
}

/* vu-ctl: take the ring back. After access_stop no burst is inside, so
 * last_avail is stable: that is the GET_VRING_BASE answer. */
static int
rng_stop_queue(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	struct rng_dev *d = vu_backend_priv(b);

	RTE_SET_USED(index);	/* max_queues is 1: always ring 0 */
	vu_vring_access_stop(&d->access);
	*next_avail = vu_vring_dev_last_avail(&d->ring);
	return 0;
}

static const struct vu_device_ops rng_ops = {
	.type = "rng",
	.max_queues = 1,
	.features = F_VERSION_1 | F_EVENT_IDX |
		    (UINT64_C(1) << VU_VRING_FEATURE_INDIRECT_DESC),
	.protocol_features = UINT64_C(1) << VU_PF_REPLY_ACK,
	.start_queue = rng_start_queue,
	.stop_queue = rng_stop_queue,
};

/* Start the data plane first, so a ring handed over is polled at once. */
static int
rng_open(const char *path)
{
	struct vu_backend_conf bc = { .path = path, .mode = VU_BACKEND_SERVER,
		.conn_fd = -1, .ops = &rng_ops, .priv = &dev };

	vu_vring_access_init(&dev.access);
	if (pthread_create(&dev.thread, NULL, rng_dataplane, &dev) != 0) {
		fprintf(stderr, "vu_rng: cannot start the data-plane thread\n");
		return -1;
	}
	dev.backend = vu_backend_create(&bc);
	if (dev.backend == NULL) {
		fprintf(stderr, "vu_rng: %s: %s\n", path, strerror(rte_errno));
		__atomic_store_n(&dev.quit, true, __ATOMIC_RELEASE);
		pthread_join(dev.thread, NULL);
		return -1;
	}
	return 0;
}

/* Destroying the backend stops the ring through rng_stop_queue(). */
static void
rng_close(void)
{
	vu_backend_destroy(dev.backend);
	__atomic_store_n(&dev.quit, true, __ATOMIC_RELEASE);
	pthread_join(dev.thread, NULL);
	vu_vring_dev_fini(&dev.ring);
	vu_fdman_shutdown();
}

/* ---- the self-test: a driver in this process ---- */

#define QSIZE		64
#define NBUF		32
#define BUFLEN		256
#define GUEST_GPA	0x40000000	/* not 0: descriptors carry guest addresses */

static int
fail(const char *what, int err)
{
	fprintf(stderr, "vu_rng: self-test: %s: %s\n", what, strerror(err));
	return -1;
}

/* Post NBUF writable buffers and wait until all come back full. */
static int
exchange(struct vu_vring_drv *drv, uint8_t *bufs)
{
	void *cookies[NBUF];
	uint32_t lens[NBUF];
	uint16_t got = 0, n, i, j;

	for (i = 0; i < NBUF; i++) {
		struct vu_vring_drv_seg seg = { .addr = bufs + i * BUFLEN, .len = BUFLEN,
			.write = true };

		if (vu_vring_drv_add(drv, &seg, 1, seg.addr) != 0)
			return fail("add", ENOSPC);
	}
	vu_vring_drv_publish(drv);	/* the device polls: no kick needed */
	for (i = 0; got < NBUF && i < 5000; i++, usleep(1000)) {
		n = vu_vring_drv_reclaim(drv, cookies, lens, NBUF - got);
		for (j = 0; j < n; j++)
			if (lens[j] != BUFLEN)
				return fail("a buffer came back short", EIO);
		got += n;
	}
	if (got < NBUF)
		return fail("buffers not returned within 5 s", ETIMEDOUT);
	for (i = 0; i < NBUF; i++) {
		static const uint8_t zero[BUFLEN];

		if (memcmp(bufs + i * BUFLEN, zero, BUFLEN) == 0)
			return fail("a buffer is all zero", EIO);
		for (j = 0; j < i; j++)
			if (memcmp(bufs + i * BUFLEN, bufs + j * BUFLEN, BUFLEN) == 0)
				return fail("two buffers are equal", EIO);
	}
	return 0;
}

/* Guest memory: ring areas at 0, 0x1000, 0x2000; buffers from 0x10000. */
static int
drive(const char *path)
{
	struct vu_guest_mem_layout l = { .gpa = GUEST_GPA, .size = 0x20000 };
	struct vu_frontend_conf fc = { .path = path, .mode = VU_FRONTEND_CLIENT,
		.conn_fd = -1, .device_type = 4, .base_features = F_VERSION_1 | F_EVENT_IDX };
	struct vu_frontend_mem_region region;
	struct vu_vring_drv drv = { 0 };
	struct vu_frontend_vring vr;
	struct vu_guest_mem *mem;
	struct vu_frontend *fe;
	uint16_t base = 0;
	uint8_t *va;
	int ret = -1;

	mem = vu_guest_mem_create("vu_rng", &l, 1, VU_GUEST_MEM_PLAIN, NULL);
	if (mem == NULL)
		return fail("guest memory", rte_errno);
	va = mem->regions[0].va;
	vu_frontend_regions_from_guest_mem(mem, &region, 1);
	fe = vu_frontend_create(&fc);	/* connects and negotiates */
	if (fe == NULL) {
		fail("connect", rte_errno);
		goto err_mem;
	}
	/* Features first, then the driver's ring with what was agreed. */
	ret = vu_frontend_ack_features(fe, F_VERSION_1 | F_EVENT_IDX);
	if (ret != 0) {
		fail("features", -ret);
		goto err_fe;
	}
	vr = (struct vu_frontend_vring){ .index = 0, .size = QSIZE, .desc = va,
		.avail = va + 0x1000, .used = va + 0x2000, .kick_fd = -1, .call_fd = -1 };
	ret = vu_vring_drv_init(&drv, &(struct vu_vring_drv_conf){ .name = "vu_rng-driver",
		.size = QSIZE, .desc = vr.desc, .avail = vr.avail, .used = vr.used,
		.features = vu_frontend_acked_features(fe), .kick_fd = -1,
		.addr_offset = GUEST_GPA - (uint64_t)(uintptr_t)va });
	if (ret != 0) {
		fail("driver ring", -ret);
		goto err_fe;
	}
	/* Memory table, then the ring: the backend calls rng_start_queue(). */
	ret = vu_frontend_activate(fe, &region, 1, &vr, 1);
	if (ret != 0)
		fail("activate", -ret);
	else
		ret = exchange(&drv, va + 0x10000);
	/* GET_VRING_BASE: the device reports where it stopped. */
	if (ret == 0 && (vu_frontend_deactivate_vring(fe, 0, &base) != 0 || base != NBUF))
		ret = fail("ring base after stop", EPROTO);
	vu_vring_drv_fini(&drv);
err_fe:
	vu_frontend_destroy(fe);
err_mem:
	vu_guest_mem_destroy(mem);
	return ret;
}

int
main(int argc, char **argv)
{
	sigset_t sigs;
	char path[108];
	int sig, ret;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [SOCKET]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		/* Block the signals before any thread starts, so all inherit it
		 * and sigwait() here is the one place they land. */
		sigemptyset(&sigs);
		sigaddset(&sigs, SIGINT);
		sigaddset(&sigs, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &sigs, NULL);
		if (rng_open(argv[1]) != 0)
			return 1;
		printf("vu_rng: serving on %s; Ctrl-C to stop\n", argv[1]);
		sigwait(&sigs, &sig);
		rng_close();
		return 0;
	}
	snprintf(path, sizeof(path), "/tmp/vu_rng-%d.sock", (int)getpid());
	unlink(path);
	if (rng_open(path) != 0)
		return 1;
	ret = drive(path);
	rng_close();		/* removes the socket */
	unlink(path);
	if (ret != 0)
		return 1;
	printf("vu_rng: %d buffers, %d random bytes, ok\n", NBUF, NBUF * BUFLEN);
	return 0;
}
