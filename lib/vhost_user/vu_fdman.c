/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vu-ctl thread: one epoll loop for every control fd of the process.
 *
 * Locking. fdm.lock guards the fd table, the dead list, the call queue and
 * the thread state. It is never held while a callback or a queued call
 * runs, so callbacks may add, modify and delete registrations freely.
 *
 * Entry lifetime. epoll hands back the entry pointer stored at
 * registration, and a batch returned by epoll_wait() may still name an
 * entry that was removed meanwhile (by an earlier callback of the same
 * batch, or by another thread while vu-ctl was waiting). So removal only
 * unlinks the entry, marks it dead, does EPOLL_CTL_DEL and puts it on the
 * dead list stamped with the current round. The loop bumps the round, under
 * the lock, just before each epoll_wait(); a removal stamped with round R
 * did its EPOLL_CTL_DEL before round R+1's wait began, so only round R's
 * batch can name it, and it is freed at the end of round R. A dead entry
 * met in a batch is skipped.
 *
 * Cross-thread removal. fdm.running_id is the id of the entry whose callback
 * is running (0: none). A removal from another thread waits on fdm.cond
 * until that id is no longer its entry's. Ids, not pointers, so the waiter
 * never dereferences an entry the loop may have freed.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "vu_build_config.h"
#include "vu_ctl_log.h"
#include "vu_fdman.h"

RTE_LOG_REGISTER_SUFFIX(vu_vhost_user_logtype_ctl, ctl, INFO);

#define FDMAN_NAME "vu-ctl"
/* Hash buckets of the fd table (power of two): control fds number tens. */
#define FDMAN_BUCKETS 64
/* Event bits a caller may ask for; EPOLLERR/EPOLLHUP are implied anyway. */
#define FDMAN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLERR | EPOLLHUP | \
		      EPOLLET | EPOLLONESHOT)

struct fd_entry {
	LIST_ENTRY(fd_entry) link; /* hash bucket while live, dead list after */
	int fd;
	uint32_t events;
	vu_fdman_cb cb;
	void *arg;
	uint64_t id;		/* unique, never 0 */
	uint64_t dead_round;	/* round in which it was removed */
	bool dead;
};

/* A vu_fdman_call() request; lives on the caller's stack. */
struct ctl_call {
	TAILQ_ENTRY(ctl_call) link;
	void (*fn)(void *arg);
	void *arg;
	bool done;
};

LIST_HEAD(fd_list, fd_entry);
TAILQ_HEAD(call_list, ctl_call);

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* running_id changed, or a call completed */
	bool started;		/* thread running, epfd/wakefd open */
	bool stopping;		/* vu_fdman_shutdown() under way */
	pthread_t tid;
	int epfd;
	int wakefd;		/* eventfd: calls queued or stop requested */
	uint64_t round;
	uint64_t next_id;
	uint64_t running_id;
	struct fd_list buckets[FDMAN_BUCKETS];
	struct fd_list dead;
	struct call_list calls;
} fdm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.epfd = -1,
	.wakefd = -1,
	.calls = TAILQ_HEAD_INITIALIZER(fdm.calls),
};

/* Serialises whole vu_fdman_shutdown() calls with each other. */
static pthread_mutex_t shutdown_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread bool on_ctl;
static struct vu_log_ratelimit wait_rl;

/* --- fd table --------------------------------------------------------- */

static struct fd_list *
bucket_of(int fd)
{
	return &fdm.buckets[(unsigned int)fd & (FDMAN_BUCKETS - 1)];
}

static struct fd_entry *
lookup_locked(int fd)
{
	struct fd_entry *e;

	LIST_FOREACH(e, bucket_of(fd), link)
		if (e->fd == fd)
			return e;
	return NULL;
}

/* Unlink @p e and park it on the dead list until its round is dispatched. */
static void
retire_locked(struct fd_entry *e)
{
	LIST_REMOVE(e, link);
	e->dead = true;
	e->dead_round = fdm.round;
	if (epoll_ctl(fdm.epfd, EPOLL_CTL_DEL, e->fd, NULL) != 0)
		CTL_LOG(DEBUG, FDMAN_NAME, "fd %d: EPOLL_CTL_DEL: %s (closed before del?)",
			e->fd, strerror(errno));
	LIST_INSERT_HEAD(&fdm.dead, e, link);
}

static void
free_list(struct fd_list *l, bool all, uint64_t round)
{
	struct fd_entry *e, *next;

	for (e = LIST_FIRST(l); e != NULL; e = next) {
		next = LIST_NEXT(e, link);
		if (all || e->dead_round <= round) {
			LIST_REMOVE(e, link);
			free(e);
		}
	}
}

/* --- thread start ----------------------------------------------------- */

static int
open_loop_fds(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int rc;

	fdm.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (fdm.epfd < 0)
		return -errno;
	fdm.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fdm.wakefd < 0) {
		rc = -errno;
		goto err_close_ep;
	}
	if (epoll_ctl(fdm.epfd, EPOLL_CTL_ADD, fdm.wakefd, &ev) != 0) {
		rc = -errno;
		goto err_close_wake;
	}
	return 0;
err_close_wake:
	close(fdm.wakefd);
	fdm.wakefd = -1;
err_close_ep:
	close(fdm.epfd);
	fdm.epfd = -1;
	return rc;
}

static void
close_loop_fds(void)
{
	close(fdm.wakefd);
	close(fdm.epfd);
	fdm.wakefd = -1;
	fdm.epfd = -1;
}

/* Remove from @p set every CPU an enabled EAL lcore is pinned to. */
static void
drop_lcore_cpus(cpu_set_t *set)
{
	unsigned int lcore;
	int cpu;

	RTE_LCORE_FOREACH(lcore) {
		rte_cpuset_t lc = rte_lcore_cpuset(lcore);

		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &lc))
				CPU_CLR(cpu, set);
	}
}

/*
 * Keep vu-ctl off the data plane. EAL counts as initialised when it reports
 * at least one lcore: rte_lcore_count() is 0 before rte_eal_init().
 */
static void
place_thread(pthread_t tid)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	cpu_set_t set;
	int cpu, rc;

	if (rte_lcore_count() == 0)
		return;
	CPU_ZERO(&set);
	for (cpu = 0; cpu < ncpu && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	drop_lcore_cpus(&set);
	if (CPU_COUNT(&set) == 0) {
		CTL_LOG(INFO, FDMAN_NAME, "every CPU hosts an EAL lcore; affinity left unchanged");
		return;
	}
	rc = pthread_setaffinity_np(tid, sizeof(set), &set);
	if (rc != 0)
		CTL_LOG(WARNING, FDMAN_NAME, "cannot move off the lcore CPUs: %s", strerror(rc));
}

static void *ctl_main(void *unused);

int
vu_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t block, old;
	int rc;

	/* Asynchronous signals are the application's; faults must stay fatal. */
	sigfillset(&block);
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGBUS);
	sigdelset(&block, SIGFPE);
	sigdelset(&block, SIGILL);
	sigdelset(&block, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &block, &old);
	rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int
spawn_thread(void)
{
	int rc = vu_thread_create(&fdm.tid, ctl_main, NULL);

	if (rc != 0) {
		CTL_LOG(ERR, FDMAN_NAME, "cannot create the thread: %s", strerror(rc));
		return -rc;
	}
	place_thread(fdm.tid);
	return 0;
}

static int
start_locked(void)
{
	int rc;

	if (fdm.stopping)
		return -ESHUTDOWN;
	if (fdm.started)
		return 0;
	rc = open_loop_fds();
	if (rc != 0) {
		CTL_LOG(ERR, FDMAN_NAME, "cannot create the epoll loop: %s", strerror(-rc));
		return rc;
	}
	rc = spawn_thread();
	if (rc != 0) {
		close_loop_fds();
		return rc;
	}
	fdm.started = true;
	return 0;
}

static void
wake_locked(void)
{
	if (eventfd_write(fdm.wakefd, 1) != 0)
		CTL_LOG(ERR, FDMAN_NAME, "cannot wake the thread: %s", strerror(errno));
}

/* --- the loop --------------------------------------------------------- */

/* Run every queued vu_fdman_call() request, in order. */
static void
run_calls(void)
{
	struct ctl_call *c;

	pthread_mutex_lock(&fdm.lock);
	while ((c = TAILQ_FIRST(&fdm.calls)) != NULL) {
		TAILQ_REMOVE(&fdm.calls, c, link);
		pthread_mutex_unlock(&fdm.lock);
		c->fn(c->arg);
		pthread_mutex_lock(&fdm.lock);
		/* The caller's stack frame: not touched after this. */
		c->done = true;
		pthread_cond_broadcast(&fdm.cond);
	}
	pthread_mutex_unlock(&fdm.lock);
}

static void
run_callback(struct fd_entry *e, uint32_t events)
{
	vu_fdman_cb cb;
	void *arg;
	int fd;

	pthread_mutex_lock(&fdm.lock);
	if (e->dead) {
		/* Removed earlier in this batch or while we waited. */
		pthread_mutex_unlock(&fdm.lock);
		return;
	}
	fdm.running_id = e->id;
	cb = e->cb;
	arg = e->arg;
	fd = e->fd;
	pthread_mutex_unlock(&fdm.lock);
	cb(fd, events, arg);
	pthread_mutex_lock(&fdm.lock);
	fdm.running_id = 0;
	pthread_cond_broadcast(&fdm.cond);
	pthread_mutex_unlock(&fdm.lock);
}

static void
dispatch(const struct epoll_event *ev)
{
	eventfd_t count;

	if (ev->data.ptr != NULL) {
		run_callback(ev->data.ptr, ev->events);
		return;
	}
	/* The wake eventfd: drain it first so a later wake is not lost. */
	(void)eventfd_read(fdm.wakefd, &count);
	run_calls();
}

/* Open a round; false when the thread is asked to stop. */
static bool
begin_round(uint64_t *round)
{
	bool go;

	pthread_mutex_lock(&fdm.lock);
	go = !fdm.stopping;
	*round = ++fdm.round;
	pthread_mutex_unlock(&fdm.lock);
	return go;
}

static void
end_round(uint64_t round)
{
	pthread_mutex_lock(&fdm.lock);
	free_list(&fdm.dead, false, round);
	pthread_mutex_unlock(&fdm.lock);
}

static void *
ctl_main(void *unused)
{
	struct epoll_event evs[VU_CTL_MAX_EVENTS];
	uint64_t round;
	int i, n;

	RTE_SET_USED(unused);
	on_ctl = true;
	pthread_setname_np(pthread_self(), FDMAN_NAME);
	CTL_LOG(DEBUG, FDMAN_NAME, "thread started");
	while (begin_round(&round)) {
		n = epoll_wait(fdm.epfd, evs, RTE_DIM(evs), -1);
		if (n < 0 && errno != EINTR) {
			CTL_LOG_RL(&wait_rl, ERR, FDMAN_NAME, "epoll_wait: %s", strerror(errno));
			usleep(1000); /* do not spin on a broken epoll fd */
		}
		for (i = 0; i < n; i++)
			dispatch(&evs[i]);
		end_round(round);
	}
	/* No call is queued once stopping is set: finish those already queued. */
	run_calls();
	CTL_LOG(DEBUG, FDMAN_NAME, "thread stopped");
	return NULL;
}

/* --- API -------------------------------------------------------------- */

int
vu_fdman_start(void)
{
	int rc;

	pthread_mutex_lock(&fdm.lock);
	rc = start_locked();
	pthread_mutex_unlock(&fdm.lock);
	return rc;
}

static int
insert_locked(struct fd_entry *e)
{
	struct epoll_event ev = { .events = e->events, .data.ptr = e };
	int rc;

	rc = start_locked();
	if (rc != 0)
		return rc;
	if (lookup_locked(e->fd) != NULL)
		return -EEXIST;
	if (epoll_ctl(fdm.epfd, EPOLL_CTL_ADD, e->fd, &ev) != 0)
		return -errno;
	e->id = ++fdm.next_id;
	LIST_INSERT_HEAD(bucket_of(e->fd), e, link);
	return 0;
}

int
vu_fdman_add(int fd, uint32_t events, vu_fdman_cb cb, void *arg)
{
	struct fd_entry *e;
	int rc;

	if (fd < 0 || cb == NULL || (events & ~(uint32_t)FDMAN_EVENTS) != 0)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->fd = fd;
	e->events = events;
	e->cb = cb;
	e->arg = arg;
	pthread_mutex_lock(&fdm.lock);
	rc = insert_locked(e);
	pthread_mutex_unlock(&fdm.lock);
	if (rc != 0)
		free(e);
	return rc;
}

int
vu_fdman_mod(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct fd_entry *e;
	int rc = 0;

	if ((events & ~(uint32_t)FDMAN_EVENTS) != 0)
		return -EINVAL;
	pthread_mutex_lock(&fdm.lock);
	e = lookup_locked(fd);
	if (e == NULL) {
		rc = -ENOENT;
	} else {
		ev.data.ptr = e;
		if (epoll_ctl(fdm.epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
			rc = -errno;
		else
			e->events = events;
	}
	pthread_mutex_unlock(&fdm.lock);
	return rc;
}

int
vu_fdman_del(int fd)
{
	struct fd_entry *e;
	uint64_t id;

	pthread_mutex_lock(&fdm.lock);
	e = lookup_locked(fd);
	if (e == NULL) {
		pthread_mutex_unlock(&fdm.lock);
		return -ENOENT;
	}
	id = e->id;
	retire_locked(e);
	/* On vu-ctl the running callback is our caller: waiting would deadlock. */
	while (!on_ctl && fdm.running_id == id)
		pthread_cond_wait(&fdm.cond, &fdm.lock);
	pthread_mutex_unlock(&fdm.lock);
	return 0;
}

int
vu_fdman_call(void (*fn)(void *arg), void *arg)
{
	struct ctl_call c = { .fn = fn, .arg = arg, .done = false };
	int rc;

	if (fn == NULL)
		return -EINVAL;
	if (on_ctl) {
		fn(arg);
		return 0;
	}
	pthread_mutex_lock(&fdm.lock);
	rc = start_locked();
	if (rc == 0) {
		TAILQ_INSERT_TAIL(&fdm.calls, &c, link);
		wake_locked();
		while (!c.done)
			pthread_cond_wait(&fdm.cond, &fdm.lock);
	}
	pthread_mutex_unlock(&fdm.lock);
	return rc;
}

bool
vu_fdman_on_ctl_thread(void)
{
	return on_ctl;
}

/* Ask the thread to stop; false if it is not running. */
static bool
request_stop(void)
{
	bool running;

	pthread_mutex_lock(&fdm.lock);
	running = fdm.started;
	if (running) {
		fdm.stopping = true;
		wake_locked();
	}
	pthread_mutex_unlock(&fdm.lock);
	return running;
}

static void
release_all(void)
{
	unsigned int i;

	pthread_mutex_lock(&fdm.lock);
	for (i = 0; i < FDMAN_BUCKETS; i++)
		free_list(&fdm.buckets[i], true, 0);
	free_list(&fdm.dead, true, 0);
	close_loop_fds();
	fdm.running_id = 0;
	fdm.started = false;
	fdm.stopping = false;
	pthread_mutex_unlock(&fdm.lock);
}

void
vu_fdman_shutdown(void)
{
	if (on_ctl) {
		CTL_LOG(ERR, FDMAN_NAME, "vu_fdman_shutdown() called on vu-ctl; ignored");
		return;
	}
	pthread_mutex_lock(&shutdown_lock);
	if (request_stop()) {
		pthread_join(fdm.tid, NULL);
		release_all();
		CTL_LOG(DEBUG, FDMAN_NAME, "shut down");
	}
	pthread_mutex_unlock(&shutdown_lock);
}
