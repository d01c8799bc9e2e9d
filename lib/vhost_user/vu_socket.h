/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu_socket: the unix sockets vhost-user runs over.
 *
 * Two layers. The helpers (vu_socket_listen(), vu_socket_accept(),
 * vu_socket_connect(), vu_socket_set_timeout()) are plain blocking-fd
 * utilities usable from any thread. A struct vu_socket is one endpoint
 * driven by the vu-ctl thread (vu_fdman.h): a server that accepts one
 * connection at a time on a socket file it owns, or a client that connects
 * to a path and, if asked, keeps reconnecting with exponential backoff
 * (VU_RECONNECT_MIN_MS doubling up to VU_RECONNECT_MAX_MS, vu_build_config.h).
 *
 * A connection is handed to the owner through on_connect(), on vu-ctl; the
 * owner then owns the fd, reads it (typically by registering it with
 * vu_fdman_add()) and, when it closes it, calls vu_socket_disconnected() so
 * the endpoint waits for the next peer.
 *
 * One connection at a time (server): while a connection is up, the listen
 * fd is not polled. A peer connecting meanwhile completes its connect() and
 * waits in the listen backlog until vu_socket_disconnected(), which lets a
 * restarting front-end reconnect before the old connection is fully torn
 * down. A peer that connects while the backlog is full gets -EAGAIN from
 * connect().
 *
 * Every endpoint operation runs on vu-ctl (through vu_fdman_call()), so it
 * is serialised with the endpoint's own callbacks; none of them may be
 * called with a lock held that an on_connect() callback takes.
 */
#ifndef VU_SOCKET_H
#define VU_SOCKET_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Create, bind and listen on a unix stream socket at @p path.
 *
 * The socket is SOCK_CLOEXEC and blocking. If @p path already names a
 * socket, it is probed with connect(): a stale one (ECONNREFUSED: nobody
 * listens) is unlinked and replaced; a live one is left alone. The probe
 * is a real connection the live listener will see and must tolerate as a
 * peer that closes at once.
 *
 * @param path socket file path
 * @return
 *   listening fd; -EINVAL if @p path is NULL or empty; -ENAMETOOLONG if it
 *   does not fit in sockaddr_un; -EADDRINUSE if a live socket is there;
 *   -EEXIST if something other than a socket is there; -errno of socket(),
 *   bind(), listen() or unlink() (-EACCES, -ENOENT for a missing
 *   directory, ...).
 * Thread: any.
 */
int vu_socket_listen(const char *path);

/**
 * Accept one connection on @p listen_fd (accept4 with SOCK_CLOEXEC; the new
 * fd is blocking whatever @p listen_fd is).
 *
 * @return connected fd; -EAGAIN if @p listen_fd is non-blocking and nobody
 *   waits; -errno of accept4() (-EMFILE, -EBADF, ...).
 * Thread: any.
 */
int vu_socket_accept(int listen_fd);

/**
 * Connect to the unix socket at @p path: one attempt, never waiting for a
 * slot in a full listen backlog.
 *
 * @return
 *   connected fd (SOCK_CLOEXEC, blocking); -EINVAL / -ENAMETOOLONG for a bad
 *   @p path; -ENOENT if nothing is there; -ECONNREFUSED if nobody listens;
 *   -EAGAIN if the listener's backlog is full; -errno of socket() or
 *   connect() otherwise.
 * Thread: any.
 */
int vu_socket_connect(const char *path);

/**
 * Bound every blocking receive and send on @p fd (SO_RCVTIMEO and
 * SO_SNDTIMEO); an expired wait fails with EAGAIN.
 *
 * @param fd socket
 * @param ms timeout in milliseconds; 0 removes it (wait forever)
 * @return 0; -errno of setsockopt() (-EBADF, -ENOTSOCK).
 * Thread: any.
 */
int vu_socket_set_timeout(int fd, unsigned int ms);

/** Which side of the connection an endpoint is. */
enum vu_socket_mode {
	VU_SOCKET_SERVER, /**< create the socket file, accept peers */
	VU_SOCKET_CLIENT, /**< connect to a socket file someone else created */
};

struct vu_socket;

/** Endpoint configuration, copied by vu_socket_create(). */
struct vu_socket_conf {
	/** Socket file path; must fit in sockaddr_un (107 bytes). */
	const char *path;
	/** Server or client. */
	enum vu_socket_mode mode;
	/**
	 * Client: when a connect attempt fails, or the owner reports a
	 * disconnection, retry forever with backoff. When false,
	 * vu_socket_start() makes one attempt and returns its error.
	 * Server: ignored; a server always waits for its next peer.
	 */
	bool reconnect;
	/**
	 * A connection is up. Called on vu-ctl; the callee owns @p conn_fd
	 * (blocking, SOCK_CLOEXEC) and must eventually close it and call
	 * vu_socket_disconnected(). It may call vu_socket_destroy(@p s).
	 */
	void (*on_connect)(struct vu_socket *s, int conn_fd, void *arg);
	/** Passed to on_connect(). */
	void *arg;
};

/**
 * Create an endpoint; nothing is opened until vu_socket_start().
 *
 * @param conf configuration (copied, path included)
 * @return the endpoint, or NULL with rte_errno set: EINVAL (NULL @p conf,
 *   empty path, no on_connect, unknown mode), ENAMETOOLONG, ENOMEM.
 * Thread: any.
 */
struct vu_socket *vu_socket_create(const struct vu_socket_conf *conf);

/**
 * Start the endpoint.
 *
 * Server: listen on the path (see vu_socket_listen()) and accept on vu-ctl.
 * Client with reconnect: try to connect now; on failure retry from a timer
 * with backoff; returns 0 either way. Client without reconnect: one attempt,
 * whose error is returned; it may be started again after a failure or
 * after vu_socket_disconnected().
 * When a connection is made at once, on_connect() has run when this
 * returns.
 *
 * @return
 *   0; -EINVAL if @p s is NULL; -EBUSY if already started (server) or
 *   connected / retrying (client); server: every error of
 *   vu_socket_listen(); client without reconnect: every error of
 *   vu_socket_connect(); -errno of timerfd_create(), vu_fdman_add() or
 *   vu_fdman_call().
 * Thread: any, including vu-ctl (an on_connect() or vu_fdman callback).
 */
int vu_socket_start(struct vu_socket *s);

/**
 * Report that the owner closed the connection on_connect() gave it.
 *
 * Server: accept the next peer (one already waiting in the backlog is
 * accepted at once). Client with reconnect: reconnect after
 * VU_RECONNECT_MIN_MS, backing off while attempts fail. Client without
 * reconnect: nothing more; it may be started again. Ignored when the
 * endpoint has no connection.
 *
 * @param s endpoint; NULL is ignored
 * Thread: any, including vu-ctl.
 */
void vu_socket_disconnected(struct vu_socket *s);

/**
 * Stop the endpoint and free it: cancel retries, stop accepting, close the
 * listen socket and unlink the server's socket file (only if it is still
 * the file this endpoint created). A connection handed to on_connect() is
 * not touched: its owner still owns it. When this returns, no callback of
 * the endpoint runs any more.
 *
 * @param s endpoint; NULL is ignored
 * Thread: any, including vu-ctl (e.g. from the endpoint's own on_connect()).
 */
void vu_socket_destroy(struct vu_socket *s);

/**
 * @return the path the endpoint was created with (valid until destroy).
 * Thread: any.
 */
const char *vu_socket_path(const struct vu_socket *s);

#ifdef __cplusplus
}
#endif

#endif /* VU_SOCKET_H */
