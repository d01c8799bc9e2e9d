/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unix sockets for vhost-user: listen/accept/connect helpers and the
 * server / reconnecting-client endpoint driven by vu-ctl.
 *
 * Endpoint state is only read and written on vu-ctl: the public calls hop
 * there through vu_fdman_call() and the fd callbacks run there, so the
 * endpoint needs no lock. Each endpoint has one timerfd, created at start:
 * a client's reconnect timer, or a server's retry timer after it could not
 * accept (EMFILE and the like) or re-arm its listen fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "vu_build_config.h"
#include "vu_ctl_log.h"
#include "vu_fdman.h"
#include "vu_socket.h"

/*
 * Listen backlog. A vhost-user socket serves one front-end at a time; a few
 * slots let a restarting front-end queue while the old connection is torn
 * down, without letting a crowd of stray peers pile up.
 */
#define VU_SOCKET_BACKLOG 4

#define SUN_PATH_SIZE sizeof(((struct sockaddr_un *)NULL)->sun_path)

struct vu_socket {
	char path[SUN_PATH_SIZE];
	enum vu_socket_mode mode;
	bool reconnect;
	void (*on_connect)(struct vu_socket *s, int conn_fd, void *arg);
	void *arg;
	/* Below: vu-ctl only. */
	int listen_fd;		/* server: -1 until started */
	bool polling;		/* server: listen_fd registered with vu_fdman */
	dev_t file_dev;		/* server: the socket file we created */
	ino_t file_ino;
	int timer_fd;		/* -1 until started */
	bool timer_armed;
	unsigned int backoff_ms;	/* next retry delay */
	bool connected;		/* on_connect() given a fd not yet reported closed */
	bool retry_logged;	/* client: this run of failures was logged at INFO */
	struct vu_log_ratelimit rl;
};

/* --- helpers ---------------------------------------------------------- */

static int
fill_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len;

	if (path == NULL || path[0] == '\0')
		return -EINVAL;
	len = strlen(path);
	if (len >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

static int
set_nonblock(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -errno;
	flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
	if (fcntl(fd, F_SETFL, flags) != 0)
		return -errno;
	return 0;
}

/* bind() found something at @p path: 0 if it was a stale socket, now gone. */
static int
remove_stale(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = vu_socket_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	if (fd == -ENOENT)
		return 0;
	if (fd != -ECONNREFUSED)
		return -EADDRINUSE;
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	CTL_LOG(INFO, path, "removed stale socket file");
	return 0;
}

static int
bind_or_replace(int fd, const struct sockaddr_un *sa)
{
	int attempt, rc;

	/* Two tries: the second after removing a stale socket file. */
	for (attempt = 0; attempt < 2; attempt++) {
		if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
		rc = remove_stale(sa->sun_path);
		if (rc != 0)
			return rc;
	}
	return -EADDRINUSE;
}

int
vu_socket_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = fill_addr(&sa, path);
	if (rc != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = bind_or_replace(fd, &sa);
	if (rc != 0)
		goto err_close;
	if (listen(fd, VU_SOCKET_BACKLOG) != 0) {
		rc = -errno;
		goto err_unlink;
	}
	return fd;
err_unlink:
	unlink(path);
err_close:
	close(fd);
	return rc;
}

int
vu_socket_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int
vu_socket_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = fill_addr(&sa, path);
	if (rc != 0)
		return rc;
	/* Non-blocking: a full backlog fails with EAGAIN instead of waiting. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		goto err_close;
	}
	rc = set_nonblock(fd, false);
	if (rc != 0)
		goto err_close;
	return fd;
err_close:
	close(fd);
	return rc;
}

int
vu_socket_set_timeout(int fd, unsigned int ms)
{
	struct timeval tv = {
		.tv_sec = ms / 1000,
		.tv_usec = (suseconds_t)(ms % 1000) * 1000,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return -errno;
	return 0;
}

/* --- endpoint: timer and retries (vu-ctl) ----------------------------- */

static const char *
role(const struct vu_socket *s)
{
	return s->mode == VU_SOCKET_SERVER ? "server" : "client";
}

static void
arm_timer(struct vu_socket *s, unsigned int ms)
{
	struct itimerspec it = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 },
	};

	if (timerfd_settime(s->timer_fd, 0, &it, NULL) != 0) {
		CTL_LOG(ERR, s->path, "cannot arm the retry timer: %s", strerror(errno));
		return;
	}
	s->timer_armed = true;
}

/* Retry after the current backoff, and double it for the next failure. */
static void
schedule_retry(struct vu_socket *s)
{
	arm_timer(s, s->backoff_ms);
	s->backoff_ms = RTE_MIN(s->backoff_ms * 2, (unsigned int)VU_RECONNECT_MAX_MS);
}

/* Hand @p fd to the owner. The owner may destroy @p s: touch nothing after. */
static void
deliver(struct vu_socket *s, int fd)
{
	s->connected = true;
	s->backoff_ms = VU_RECONNECT_MIN_MS;
	s->retry_logged = false;
	CTL_LOG(INFO, s->path, "%s: connected (fd %d)", role(s), fd);
	s->on_connect(s, fd, s->arg);
}

/* One client connect attempt; on failure retry later or report it. */
static int
client_attempt(struct vu_socket *s)
{
	int fd = vu_socket_connect(s->path);

	if (fd >= 0) {
		deliver(s, fd);
		return 0;
	}
	if (!s->reconnect) {
		CTL_LOG(ERR, s->path, "client: cannot connect: %s", strerror(-fd));
		return fd;
	}
	/* One INFO line per run of failures; the retries themselves at DEBUG. */
	if (!s->retry_logged)
		CTL_LOG(INFO, s->path, "client: cannot connect (%s); retrying", strerror(-fd));
	else
		CTL_LOG(DEBUG, s->path, "client: cannot connect (%s); next try in %u ms",
			strerror(-fd), s->backoff_ms);
	s->retry_logged = true;
	schedule_retry(s);
	return 0;
}

static void on_listen_event(int fd, uint32_t events, void *arg);

/* Server: poll the listen fd again, or retry later if that fails. */
static void
resume_listening(struct vu_socket *s)
{
	int rc;

	if (s->polling)
		return;
	rc = vu_fdman_add(s->listen_fd, EPOLLIN, on_listen_event, s);
	if (rc != 0) {
		CTL_LOG(ERR, s->path, "cannot poll the listen socket: %s", strerror(-rc));
		schedule_retry(s);
		return;
	}
	s->polling = true;
}

static void
stop_listening(struct vu_socket *s)
{
	if (!s->polling)
		return;
	vu_fdman_del(s->listen_fd);
	s->polling = false;
}

static void
on_timer(int fd, uint32_t events, void *arg)
{
	struct vu_socket *s = arg;
	uint64_t expirations;

	RTE_SET_USED(events);
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return; /* disarmed after it fired */
	s->timer_armed = false;
	if (s->mode == VU_SOCKET_SERVER)
		resume_listening(s);
	else
		client_attempt(s);
}

static void
on_listen_event(int fd, uint32_t events, void *arg)
{
	struct vu_socket *s = arg;
	int conn;

	RTE_SET_USED(events);
	conn = vu_socket_accept(fd);
	if (conn == -EAGAIN || conn == -EINTR || conn == -ECONNABORTED)
		return; /* the peer gave up before we got to it */
	if (conn < 0) {
		CTL_LOG_RL(&s->rl, ERR, s->path, "accept: %s; pausing", strerror(-conn));
		stop_listening(s);
		schedule_retry(s);
		return;
	}
	/* One connection at a time: the next peer waits in the backlog. */
	stop_listening(s);
	deliver(s, conn);
}

static int
open_timer(struct vu_socket *s)
{
	int fd, rc;

	if (s->timer_fd >= 0)
		return 0;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	rc = vu_fdman_add(fd, EPOLLIN, on_timer, s);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	s->timer_fd = fd;
	return 0;
}

static void
close_timer(struct vu_socket *s)
{
	if (s->timer_fd < 0)
		return;
	vu_fdman_del(s->timer_fd);
	close(s->timer_fd);
	s->timer_fd = -1;
	s->timer_armed = false;
}

/* --- endpoint: operations (vu-ctl) ------------------------------------ */

/* Remember which file is ours, so destroy never unlinks someone else's. */
static void
note_socket_file(struct vu_socket *s)
{
	struct stat st;

	if (stat(s->path, &st) == 0) {
		s->file_dev = st.st_dev;
		s->file_ino = st.st_ino;
	}
}

static void
unlink_own_file(struct vu_socket *s)
{
	struct stat st;

	if (stat(s->path, &st) != 0 || st.st_dev != s->file_dev || st.st_ino != s->file_ino) {
		CTL_LOG(WARNING, s->path, "socket file replaced by someone else; not removed");
		return;
	}
	if (unlink(s->path) != 0)
		CTL_LOG(WARNING, s->path, "cannot remove socket file: %s", strerror(errno));
}

static int
start_server(struct vu_socket *s)
{
	int fd, rc;

	if (s->listen_fd >= 0)
		return -EBUSY;
	fd = vu_socket_listen(s->path);
	if (fd < 0) {
		CTL_LOG(ERR, s->path, "cannot listen: %s", strerror(-fd));
		return fd;
	}
	s->listen_fd = fd;
	note_socket_file(s);
	rc = set_nonblock(fd, true); /* a peer may vanish between poll and accept */
	if (rc != 0)
		goto err_close;
	rc = open_timer(s);
	if (rc != 0)
		goto err_close;
	resume_listening(s);
	CTL_LOG(INFO, s->path, "server: listening");
	return 0;
err_close:
	CTL_LOG(ERR, s->path, "cannot start: %s", strerror(-rc));
	unlink_own_file(s);
	close(fd);
	s->listen_fd = -1;
	return rc;
}

static int
start_client(struct vu_socket *s)
{
	int rc;

	if (s->connected || s->timer_armed)
		return -EBUSY;
	if (s->reconnect) {
		rc = open_timer(s);
		if (rc != 0) {
			CTL_LOG(ERR, s->path, "cannot create the retry timer: %s", strerror(-rc));
			return rc;
		}
	}
	s->backoff_ms = VU_RECONNECT_MIN_MS;
	return client_attempt(s);
}

struct sock_op {
	struct vu_socket *s;
	int rc;
};

static void
start_on_ctl(void *arg)
{
	struct sock_op *op = arg;
	struct vu_socket *s = op->s;

	op->rc = s->mode == VU_SOCKET_SERVER ? start_server(s) : start_client(s);
}

static void
disconnected_on_ctl(void *arg)
{
	struct vu_socket *s = arg;

	if (!s->connected) {
		CTL_LOG(DEBUG, s->path, "disconnected without a connection; ignored");
		return;
	}
	s->connected = false;
	s->backoff_ms = VU_RECONNECT_MIN_MS;
	CTL_LOG(INFO, s->path, "%s: disconnected", role(s));
	if (s->mode == VU_SOCKET_SERVER)
		resume_listening(s);
	else if (s->reconnect)
		schedule_retry(s);
}

static void
destroy_on_ctl(void *arg)
{
	struct vu_socket *s = arg;

	close_timer(s);
	stop_listening(s);
	if (s->listen_fd >= 0) {
		unlink_own_file(s);
		close(s->listen_fd);
	}
	CTL_LOG(INFO, s->path, "%s: destroyed", role(s));
	free(s);
}

/* --- endpoint: API ---------------------------------------------------- */

static int
check_conf(const struct vu_socket_conf *conf)
{
	if (conf == NULL || conf->path == NULL || conf->path[0] == '\0' ||
	    conf->on_connect == NULL ||
	    (conf->mode != VU_SOCKET_SERVER && conf->mode != VU_SOCKET_CLIENT))
		return -EINVAL;
	if (strlen(conf->path) >= SUN_PATH_SIZE)
		return -ENAMETOOLONG;
	return 0;
}

struct vu_socket *
vu_socket_create(const struct vu_socket_conf *conf)
{
	struct vu_socket *s;
	int rc;

	rc = check_conf(conf);
	if (rc != 0) {
		rte_errno = -rc;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	strcpy(s->path, conf->path); /* length checked above */
	s->mode = conf->mode;
	s->reconnect = conf->reconnect;
	s->on_connect = conf->on_connect;
	s->arg = conf->arg;
	s->listen_fd = -1;
	s->timer_fd = -1;
	s->backoff_ms = VU_RECONNECT_MIN_MS;
	return s;
}

int
vu_socket_start(struct vu_socket *s)
{
	struct sock_op op = { .s = s, .rc = 0 };
	int rc;

	if (s == NULL)
		return -EINVAL;
	rc = vu_fdman_call(start_on_ctl, &op);
	return rc != 0 ? rc : op.rc;
}

void
vu_socket_disconnected(struct vu_socket *s)
{
	int rc;

	if (s == NULL)
		return;
	rc = vu_fdman_call(disconnected_on_ctl, s);
	if (rc != 0)
		CTL_LOG(ERR, s->path, "cannot process the disconnection: %s", strerror(-rc));
}

void
vu_socket_destroy(struct vu_socket *s)
{
	int rc;

	if (s == NULL)
		return;
	rc = vu_fdman_call(destroy_on_ctl, s);
	if (rc != 0) {
		/* No loop to hop to (shutting down or cannot start): nothing runs. */
		CTL_LOG(WARNING, s->path, "vu-ctl unavailable (%s); destroying inline",
			strerror(-rc));
		destroy_on_ctl(s);
	}
}

const char *
vu_socket_path(const struct vu_socket *s)
{
	return s->path;
}
