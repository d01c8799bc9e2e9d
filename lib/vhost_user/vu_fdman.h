/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu_fdman: the control-plane event loop, one "vu-ctl" thread per process.
 *
 * Every control fd of the process (listening and connected vhost-user
 * sockets, reconnect timers, backend-request channels, device-state pipes)
 * is registered here with a callback. One thread, named "vu-ctl", waits on
 * all of them with epoll and runs the callbacks one at a time, so control
 * code never needs its own locks against other control code: anything that
 * must not race a callback runs on vu-ctl too, through vu_fdman_call().
 *
 * The thread is started by the first vu_fdman_add() or vu_fdman_call()
 * (vu_fdman_start() starts it explicitly) and stopped by
 * vu_fdman_shutdown(). When it starts after rte_eal_init() (detected as
 * rte_lcore_count() > 0), it is confined to the CPUs that no enabled EAL
 * lcore is pinned to, so it never steals time from a data-plane lcore; if
 * the lcores cover every CPU, or EAL is not initialised, its affinity is
 * left as inherited. It starts with asynchronous signals blocked: they are
 * the application's business.
 *
 * Callbacks receive the raw epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP,
 * EPOLLERR, ...). Registrations are level-triggered unless EPOLLET is asked
 * for. A callback must not block for long: every other control fd waits
 * for it.
 *
 * An fd must be removed with vu_fdman_del() before it is closed; closing it
 * first leaves epoll watching a file the caller no longer names.
 *
 * Not fork-safe: a child process must not use the registrations or the
 * thread of its parent.
 */
#ifndef VU_FDMAN_H
#define VU_FDMAN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Callback run on the vu-ctl thread when a registered fd has events.
 *
 * @param fd     the registered fd
 * @param events raw epoll events that are pending (EPOLLIN, EPOLLHUP, ...)
 * @param arg    the argument given to vu_fdman_add()
 */
typedef void (*vu_fdman_cb)(int fd, uint32_t events, void *arg);

/**
 * Start the vu-ctl thread now if it is not running.
 *
 * Only needed to fail early or to choose when the thread picks its CPU
 * affinity; vu_fdman_add() and vu_fdman_call() start it on demand.
 *
 * @return
 *   0 (also when already running); -ESHUTDOWN while vu_fdman_shutdown() is
 *   in progress; -errno of epoll_create1(), eventfd() or pthread_create()
 *   (-EMFILE, -ENOMEM, -EAGAIN, ...).
 * Thread: any.
 */
int vu_fdman_start(void);

/**
 * Register @p fd with the vu-ctl loop.
 *
 * @param fd     fd to watch; the caller keeps ownership (it is never closed)
 * @param events epoll event mask: EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDHUP,
 *               EPOLLET, EPOLLONESHOT (EPOLLERR and EPOLLHUP are always
 *               reported); 0 registers the fd without waiting for data
 * @param cb     callback run on vu-ctl for each wakeup
 * @param arg    passed to @p cb
 * @return
 *   0 on success;
 *   -EINVAL if @p fd < 0, @p cb is NULL or @p events has other bits;
 *   -EEXIST if @p fd is already registered;
 *   -ENOMEM if the entry cannot be allocated;
 *   -ESHUTDOWN while vu_fdman_shutdown() is in progress;
 *   -errno of epoll_ctl() (-EPERM for a regular file, -EBADF, ...) or of
 *   starting the thread (see vu_fdman_start()).
 * Thread: any, including a callback.
 */
int vu_fdman_add(int fd, uint32_t events, vu_fdman_cb cb, void *arg);

/**
 * Change the events a registered fd is watched for.
 *
 * @param fd     a registered fd
 * @param events new event mask, as for vu_fdman_add()
 * @return
 *   0; -EINVAL if @p events has bits vu_fdman_add() refuses; -ENOENT if
 *   @p fd is not registered; -errno of epoll_ctl().
 * Thread: any, including a callback.
 */
int vu_fdman_mod(int fd, uint32_t events);

/**
 * Unregister @p fd. The fd is not closed.
 *
 * From inside any callback (the fd's own included) it returns at once and
 * the removed fd's callback is not run again, even when its event is still
 * pending in the batch being dispatched. From any other thread it also
 * waits while the fd's callback is running: on return the callback is not
 * running and never will run again, so its argument may be freed. The
 * caller must therefore not hold a lock that callback takes.
 *
 * @param fd a registered fd
 * @return 0; -ENOENT if @p fd is not registered.
 * Thread: any, including a callback.
 */
int vu_fdman_del(int fd);

/**
 * Run @p fn on the vu-ctl thread and wait until it returned.
 *
 * Serialises a control operation with every callback: while @p fn runs, no
 * callback does. Runs @p fn inline when called on vu-ctl. Starts the thread
 * if needed.
 *
 * @param fn  function to run; it may call any vu_fdman function except
 *            vu_fdman_shutdown()
 * @param arg passed to @p fn
 * @return
 *   0 once @p fn has run; -EINVAL if @p fn is NULL; -ESHUTDOWN while
 *   vu_fdman_shutdown() is in progress (@p fn did not run); -errno of
 *   starting the thread (@p fn did not run).
 * Thread: any. The caller must not hold a lock a callback takes.
 */
int vu_fdman_call(void (*fn)(void *arg), void *arg);

/**
 * pthread_create() for vu's own control-plane threads (vu-ctl, vu-fe): the
 * thread starts with every asynchronous signal blocked, so SIGINT, SIGTERM,
 * SIGALRM and the like reach only the application's threads. Faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) stay deliverable.
 *
 * @return 0 or pthread_create()'s error number.
 * Thread: any.
 */
int vu_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg);

/**
 * @return true if the calling thread is the vu-ctl thread.
 * Thread: any.
 */
bool vu_fdman_on_ctl_thread(void);

/**
 * Stop and join the vu-ctl thread and drop every registration.
 *
 * Callbacks and vu_fdman_call() functions already under way finish first.
 * Registered fds are not closed: their owners still own them. A later
 * vu_fdman_add() or vu_fdman_call() starts a new thread. Meant for a clean
 * process exit and for leak checks in tests. Does nothing when the thread
 * is not running.
 *
 * Thread: any but vu-ctl (there it logs an error and does nothing).
 */
void vu_fdman_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* VU_FDMAN_H */
