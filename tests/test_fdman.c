/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu_fdman: the vu-ctl event loop with real eventfds. Callbacks fire and
 * run on vu-ctl; removal from inside a batch, from the callback itself and
 * from another thread while the callback runs; vu_fdman_call(); errors;
 * restart after shutdown; no fd leaked over many cycles.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sched.h>
#include <time.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "vu_fdman.h"
#include "vu_test.h"

/* What a callback saw; counters are read by the test thread. */
struct hits {
	int fd;
	unsigned int count;
	uint32_t events;
	bool on_ctl;
	char thread[16];
	int del_rc;		/* result of a vu_fdman_del() made by the callback */
	int del_fd;		/* fd the callback deletes, -1: none */
	unsigned int sleep_ms;	/* callback duration */
	unsigned int left;	/* callbacks that have returned */
	bool drain;		/* read the eventfd so it stops being readable */
};

static void
hits_init(struct hits *h, int fd)
{
	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->del_fd = -1;
	h->drain = true;
}

static unsigned int
load(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Wait up to @p ms for *@p p to reach @p want. */
static bool
wait_count(const unsigned int *p, unsigned int want, unsigned int ms)
{
	while (load(p) < want && ms-- > 0)
		sleep_ms(1);
	return load(p) >= want;
}

static void
record_cb(int fd, uint32_t events, void *arg)
{
	struct hits *h = arg;
	eventfd_t v;

	if (h->drain && (events & EPOLLIN))
		(void)eventfd_read(fd, &v);
	h->events = events;
	h->on_ctl = vu_fdman_on_ctl_thread();
	pthread_getname_np(pthread_self(), h->thread, sizeof(h->thread));
	if (h->del_fd >= 0)
		h->del_rc = vu_fdman_del(h->del_fd);
	__atomic_fetch_add(&h->count, 1, __ATOMIC_RELEASE);
	if (h->sleep_ms)
		sleep_ms(h->sleep_ms);
	__atomic_fetch_add(&h->left, 1, __ATOMIC_RELEASE);
}

static int
new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		perror("eventfd");
		exit(2);
	}
	return fd;
}

static void
kick(int fd)
{
	if (eventfd_write(fd, 1) != 0) {
		perror("eventfd_write");
		exit(2);
	}
}

/* A registered eventfd fires its callback on vu-ctl with EPOLLIN. */
static void
test_add_fires(void)
{
	int fd = new_eventfd();
	struct hits h;

	hits_init(&h, fd);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
	sleep_ms(20);
	CHECK_EQ(load(&h.count), 0); /* not readable yet */
	kick(fd);
	CHECK(wait_count(&h.count, 1, 2000));
	CHECK(h.events & EPOLLIN);
	CHECK(h.on_ctl);
	CHECK(strcmp(h.thread, "vu-ctl") == 0);
	CHECK(!vu_fdman_on_ctl_thread());
	kick(fd);
	CHECK(wait_count(&h.count, 2, 2000));
	CHECK_EQ(vu_fdman_del(fd), 0);
	vu_fdman_shutdown();
	close(fd);
}

/* Events 0 waits for nothing; mod to EPOLLIN, then EPOLLOUT. */
static void
test_mod(void)
{
	int fd = new_eventfd();
	struct hits h;

	hits_init(&h, fd);
	kick(fd);
	CHECK_EQ(vu_fdman_add(fd, 0, record_cb, &h), 0);
	sleep_ms(50);
	CHECK_EQ(load(&h.count), 0);
	CHECK_EQ(vu_fdman_mod(fd, EPOLLIN), 0);
	CHECK(wait_count(&h.count, 1, 2000));
	CHECK_EQ(h.events & (EPOLLIN | EPOLLOUT), EPOLLIN);
	/* An eventfd is always writable: one-shot keeps it to one call. */
	CHECK_EQ(vu_fdman_mod(fd, EPOLLOUT | EPOLLONESHOT), 0);
	CHECK(wait_count(&h.count, 2, 2000));
	CHECK(h.events & EPOLLOUT);
	sleep_ms(50);
	CHECK_EQ(load(&h.count), 2);
	CHECK_EQ(vu_fdman_del(fd), 0);
	vu_fdman_shutdown();
	close(fd);
}

/* A callback removes its own fd: it is never called again. */
static void
test_del_from_own_callback(void)
{
	int fd = new_eventfd();
	struct hits h;

	hits_init(&h, fd);
	h.drain = false; /* stays readable: would fire forever if not removed */
	h.del_fd = fd;
	h.del_rc = 1;
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
	kick(fd);
	CHECK(wait_count(&h.left, 1, 2000));
	CHECK_EQ(h.del_rc, 0);
	sleep_ms(100);
	CHECK_EQ(load(&h.count), 1);
	CHECK_EQ(vu_fdman_del(fd), -ENOENT);
	vu_fdman_shutdown();
	close(fd);
}

/* Blocks vu-ctl inside vu_fdman_call() until the test opens the gate. */
struct gate {
	unsigned int entered;
	unsigned int open;
};

static void
gate_fn(void *arg)
{
	struct gate *g = arg;

	__atomic_store_n(&g->entered, 1, __ATOMIC_RELEASE);
	while (!load(&g->open))
		sleep_ms(1);
}

static void *
gate_thread(void *arg)
{
	vu_fdman_call(gate_fn, arg);
	return NULL;
}

/*
 * Two fds ready in one batch; whichever callback runs first removes the
 * other, whose pending event must then be skipped.
 */
static void
test_del_other_in_same_batch(void)
{
	int a = new_eventfd(), b = new_eventfd();
	struct gate g = { 0, 0 };
	struct hits ha, hb;
	unsigned int ms;
	pthread_t t;

	hits_init(&ha, a);
	hits_init(&hb, b);
	ha.del_fd = b;
	hb.del_fd = a;
	CHECK_EQ(vu_fdman_add(a, EPOLLIN, record_cb, &ha), 0);
	CHECK_EQ(vu_fdman_add(b, EPOLLIN, record_cb, &hb), 0);
	/* Hold vu-ctl, make both readable, release: one epoll batch has both. */
	CHECK_EQ(pthread_create(&t, NULL, gate_thread, &g), 0);
	CHECK(wait_count(&g.entered, 1, 2000));
	kick(a);
	kick(b);
	__atomic_store_n(&g.open, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	for (ms = 0; ms < 2000 && load(&ha.left) + load(&hb.left) == 0; ms++)
		sleep_ms(1);
	sleep_ms(100);
	CHECK_EQ(load(&ha.count) + load(&hb.count), 1);
	CHECK_EQ(load(&ha.count) ? ha.del_rc : hb.del_rc, 0);
	/* The survivor is still registered and still fires. */
	kick(a);
	kick(b);
	for (ms = 0; ms < 2000 && load(&ha.count) + load(&hb.count) < 2; ms++)
		sleep_ms(1);
	sleep_ms(50);	/* and not a third time */
	CHECK_EQ(load(&ha.count) + load(&hb.count), 2);
	CHECK_EQ(vu_fdman_del(load(&ha.count) ? a : b), 0);
	CHECK_EQ(vu_fdman_del(load(&ha.count) ? b : a), -ENOENT);
	vu_fdman_shutdown();
	close(a);
	close(b);
}

/* vu_fdman_del() from another thread waits for the running callback. */
static void
test_del_cross_thread_waits(void)
{
	int fd = new_eventfd();
	struct hits h;

	hits_init(&h, fd);
	h.sleep_ms = 300;
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
	kick(fd);
	CHECK(wait_count(&h.count, 1, 2000));
	CHECK_EQ(vu_fdman_del(fd), 0);
	/* The callback (300 ms) has returned by the time del returns; how long
	 * del took is not asserted, as a loaded machine may delay this thread
	 * past the callback's end. */
	CHECK_EQ(load(&h.left), 1);
	kick(fd);
	sleep_ms(100);
	CHECK_EQ(load(&h.count), 1);
	vu_fdman_shutdown();
	close(fd);
}

struct call_probe {
	bool on_ctl;
	char thread[16];
	unsigned int runs;
};

static void
probe_fn(void *arg)
{
	struct call_probe *p = arg;

	p->on_ctl = vu_fdman_on_ctl_thread();
	pthread_getname_np(pthread_self(), p->thread, sizeof(p->thread));
	__atomic_fetch_add(&p->runs, 1, __ATOMIC_RELEASE); /* publishes the fields above */
}

/* A callback that calls vu_fdman_call(): runs inline on vu-ctl. */
static void
nested_call_cb(int fd, uint32_t events, void *arg)
{
	eventfd_t v;

	(void)events;
	(void)eventfd_read(fd, &v);
	vu_fdman_call(probe_fn, arg);
}

/* vu_fdman_call() runs on vu-ctl (starting it) and returns after the fn. */
static void
test_call_runs_on_ctl(void)
{
	struct call_probe p = { 0 };
	int fd = new_eventfd();

	CHECK_EQ(vu_fdman_call(probe_fn, &p), 0);
	CHECK_EQ(p.runs, 1);
	CHECK(p.on_ctl);
	CHECK(strcmp(p.thread, "vu-ctl") == 0);
	memset(&p, 0, sizeof(p));
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, nested_call_cb, &p), 0);
	kick(fd);
	CHECK(wait_count(&p.runs, 1, 2000));
	CHECK(p.on_ctl);
	CHECK_EQ(vu_fdman_del(fd), 0);
	CHECK_EQ(vu_fdman_call(NULL, NULL), -EINVAL);
	vu_fdman_shutdown();
	close(fd);
}

static void
noop_cb(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
}

static void
test_errors(void)
{
	int fd = new_eventfd();
	char tmpl[] = "/tmp/vu-fdman-XXXXXX";
	int file = mkstemp(tmpl);

	CHECK(file >= 0);
	unlink(tmpl);
	CHECK_EQ(vu_fdman_add(-1, EPOLLIN, noop_cb, NULL), -EINVAL);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, NULL, NULL), -EINVAL);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN | EPOLLEXCLUSIVE, noop_cb, NULL), -EINVAL);
	CHECK_EQ(vu_fdman_mod(fd, EPOLLIN), -ENOENT);
	CHECK_EQ(vu_fdman_del(fd), -ENOENT);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, noop_cb, NULL), 0);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, noop_cb, NULL), -EEXIST);
	CHECK_EQ(vu_fdman_mod(fd, 1u << 20), -EINVAL);
	CHECK_EQ(vu_fdman_add(file, EPOLLIN, noop_cb, NULL), -EPERM);
	CHECK_EQ(vu_fdman_del(file), -ENOENT);
	CHECK_EQ(vu_fdman_del(fd), 0);
	CHECK_EQ(vu_fdman_del(fd), -ENOENT);
	CHECK_EQ(vu_fdman_mod(fd, EPOLLIN), -ENOENT);
	vu_fdman_shutdown();
	vu_fdman_shutdown(); /* not running: nothing to do */
	close(file);
	close(fd);
}

/* Shutdown drops registrations; the next add starts a fresh thread. */
static void
test_shutdown_restart(void)
{
	int fd = new_eventfd();
	struct hits h;

	hits_init(&h, fd);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
	kick(fd);
	CHECK(wait_count(&h.count, 1, 2000));
	vu_fdman_shutdown();
	kick(fd);
	sleep_ms(50);
	CHECK_EQ(load(&h.count), 1);
	CHECK_EQ(vu_fdman_del(fd), -ENOENT);
	CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
	CHECK(wait_count(&h.count, 2, 2000)); /* still readable */
	CHECK(strcmp(h.thread, "vu-ctl") == 0);
	CHECK_EQ(vu_fdman_start(), 0);
	vu_fdman_shutdown();
	close(fd);
}

/* 1000 add/del cycles, some with an event in flight: no fd kept. */
static void
test_fd_count_flat(void)
{
	int base = vu_test_count_fds();
	unsigned int i;
	struct hits h;

	CHECK_EQ(vu_fdman_start(), 0);
	CHECK_EQ(vu_test_count_fds(), base + 2); /* epoll fd + wake eventfd */
	for (i = 0; i < 1000; i++) {
		int fd = new_eventfd();

		hits_init(&h, fd);
		CHECK_EQ(vu_fdman_add(fd, EPOLLIN, record_cb, &h), 0);
		if (i % 10 == 0) {
			kick(fd);
			if (i % 20 == 0)
				CHECK(wait_count(&h.count, 1, 2000));
		}
		CHECK_EQ(vu_fdman_del(fd), 0);
		close(fd);
	}
	CHECK_EQ(vu_test_count_fds(), base + 2);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}

static void
affinity_fn(void *arg)
{
	cpu_set_t *set = arg;

	if (pthread_getaffinity_np(pthread_self(), sizeof(*set), set) != 0)
		CPU_ZERO(set);
}

/* After rte_eal_init(), vu-ctl stays off the CPUs EAL lcores are pinned to. */
static void
test_ctl_avoids_lcore_cpus(void)
{
	char *argv[] = {
		"test_fdman", "--no-huge", "--no-pci", "--no-telemetry", "--no-shconf",
		"--file-prefix=vu-test-fdman", "-m", "64", "-l", "0", "--log-level=lib.eal:error",
		NULL,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CHECK_EQ(rte_lcore_count(), 0); /* before EAL: affinity left alone */
	CHECK(rte_eal_init((int)RTE_DIM(argv) - 1, argv) >= 0);
	CHECK_EQ(rte_lcore_count(), 1);
	CHECK_EQ(vu_fdman_call(affinity_fn, &set), 0);
	CHECK(CPU_COUNT(&set) > 0);
	if (ncpu > 1)
		CHECK(!CPU_ISSET(0, &set)); /* lcore 0 runs on CPU 0 */
	else
		CHECK(CPU_ISSET(0, &set)); /* nowhere else to go: left unchanged */
	vu_fdman_shutdown();
	rte_eal_cleanup();
}

VU_TEST_EAL_PREFIX("vu-test-fdman")

VU_TEST_MAIN(
	VU_TEST_CASE(test_add_fires),
	VU_TEST_CASE(test_mod),
	VU_TEST_CASE(test_del_from_own_callback),
	VU_TEST_CASE(test_del_other_in_same_batch),
	VU_TEST_CASE(test_del_cross_thread_waits),
	VU_TEST_CASE(test_call_runs_on_ctl),
	VU_TEST_CASE(test_errors),
	VU_TEST_CASE(test_shutdown_restart),
	VU_TEST_CASE(test_fd_count_flat),
	VU_TEST_CASE(test_ctl_avoids_lcore_cpus),
)
