/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection: creation, the hang-up watch on vu-ctl, and the "vu-fe"
 * recovery thread that tears a dead connection down and negotiates (and
 * re-activates) the next one. vu-ctl only hands over under conn_lock; all
 * blocking work happens on the recovery thread or the caller's thread under
 * fe->lock, so a backend served by vu-ctl in the same process never waits
 * on its own thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>

#include "frontend_priv.h"
#include "vu_fdman.h"
#include "vu_socket.h"

RTE_LOG_REGISTER_SUFFIX(vu_frontend_logtype_config, config, INFO);

void
fe_event(struct vu_frontend *fe, enum vu_frontend_event ev)
{
	if (fe->ops->event != NULL)
		fe->ops->event(fe, ev, fe->conf.arg);
}

/*
 * vu-ctl: the backend closed its end (EOF, EPOLLHUP, EPOLLERR). Requests
 * fail with -ENOTCONN from here on; the recovery thread tears the
 * connection down and reports it, so every connection event comes from
 * that one thread, in order (a DISCONNECTED sent from here could overtake the
 * CONNECTED of the same connection).
 */
static void
on_hangup(int fd, uint32_t events, void *arg)
{
	struct vu_frontend *fe = arg;

	(void)events;
	vu_fdman_del(fd);
	pthread_mutex_lock(&fe->conn_lock);
	if (fe->watched_fd == fd) {
		fe->watched_fd = -1;
		fe->hung_up = true;
		pthread_cond_broadcast(&fe->conn_cond);
	}
	pthread_mutex_unlock(&fe->conn_lock);
}

/*
 * Negotiate on @p fd and, after a reconnect, replay the activation. Called
 * with fe->lock held; @p fd is consumed.
 */
int
fe_connection_up(struct vu_frontend *fe, int fd)
{
	uint64_t acked = fe->acked_features;
	bool sent = fe->sent_set_features;
	int ret;

	fe->sock = fd;
	vu_socket_set_timeout(fd, fe->reply_timeout_ms);
	fe->inflight_sent = false;
	ret = fe_negotiate(fe);
	if (ret == 0 && sent) {
		/* What the driver acked before still holds. */
		fe->acked_features |= acked & fe->avail_features;
		ret = fe_send_features(fe, fe->acked_features);
	}
	if (ret == 0)
		ret = fe_replay(fe);
	if (ret == 0) {
		pthread_mutex_lock(&fe->conn_lock);
		fe->watched_fd = fd;
		fe->hung_up = false;
		pthread_mutex_unlock(&fe->conn_lock);
		ret = vu_fdman_add(fd, EPOLLRDHUP, on_hangup, fe);
	}
	if (ret < 0) {
		FE_LOG(ERR, fe, "backend negotiation failed: %s", strerror(-ret));
		fe_connection_down(fe);
		return ret;
	}
	fe->connected = true;
	return 0;
}

/* Close the connection and the channel. Called with fe->lock held, not on vu-ctl. */
void
fe_connection_down(struct vu_frontend *fe)
{
	pthread_mutex_lock(&fe->conn_lock);
	fe->watched_fd = -1;
	fe->hung_up = false;
	pthread_mutex_unlock(&fe->conn_lock);
	fe_channel_close(fe);
	if (fe->sock >= 0) {
		vu_fdman_del(fe->sock);	/* -ENOENT when on_hangup already did */
		close(fe->sock);
	}
	fe->sock = -1;
	fe->connected = false;
	/* The backend's table went with it. */
	free(fe->sent_regions);
	fe->sent_regions = NULL;
	fe->nsent_regions = 0;
}

/* vu-ctl (server mode): a backend connected; the recovery thread takes it. */
static void
on_connect(struct vu_socket *s, int conn_fd, void *arg)
{
	struct vu_frontend *fe = arg;

	(void)s;
	pthread_mutex_lock(&fe->conn_lock);
	if (fe->pending_fd >= 0)
		close(fe->pending_fd);
	fe->pending_fd = conn_fd;
	pthread_cond_broadcast(&fe->conn_cond);
	pthread_mutex_unlock(&fe->conn_lock);
}

static void
abs_deadline(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Recovery thread: tear down a hung-up connection (hung_up stays set until
 * fe_connection_down() clears it, so no request reaches the dead socket). */
static void
recover_hangup(struct vu_frontend *fe)
{
	pthread_mutex_lock(&fe->lock);
	fe_connection_down(fe);
	pthread_mutex_unlock(&fe->lock);
	FE_LOG(WARNING, fe, "backend disconnected");
	fe_event(fe, VU_FRONTEND_EV_DISCONNECTED);
	if (fe->server != NULL)
		vu_socket_disconnected(fe->server);
	else if (fe->conf.reconnect)
		fe->retry_ms = VU_RECONNECT_MIN_MS;
}

/* Recovery thread: negotiate a new connection; @p fd is consumed. */
static void
recover_connect(struct vu_frontend *fe, int fd)
{
	bool again;
	int ret;

	pthread_mutex_lock(&fe->lock);
	again = fe->activated || fe->sent_set_features;
	if (fe->sock >= 0)
		fe_connection_down(fe);
	ret = fe_connection_up(fe, fd);
	pthread_mutex_unlock(&fe->lock);
	if (ret < 0) {
		fe_event(fe, VU_FRONTEND_EV_RECOVERY_FAILED);
		if (fe->server != NULL)
			vu_socket_disconnected(fe->server);
		else if (fe->conf.reconnect)
			fe->retry_ms = VU_RECONNECT_MIN_MS;
		return;
	}
	FE_LOG(INFO, fe, "backend %s", again ? "reconnected: activation replayed" : "connected");
	fe_event(fe, again ? VU_FRONTEND_EV_RECOVERED : VU_FRONTEND_EV_CONNECTED);
}

/* Client: one reconnect attempt; back off on failure. */
static void
retry_connect(struct vu_frontend *fe)
{
	int fd = vu_socket_connect(fe->conf.path);

	if (fd < 0) {
		fe->retry_ms = RTE_MIN(fe->retry_ms * 2, (unsigned int)VU_RECONNECT_MAX_MS);
		return;
	}
	fe->retry_ms = 0;
	recover_connect(fe, fd);
}

static void *
recovery_thread(void *arg)
{
	struct vu_frontend *fe = arg;
	struct timespec ts;
	int fd;

	pthread_mutex_lock(&fe->conn_lock);
	while (!fe->stopping) {
		if (fe->hung_up) {
			pthread_mutex_unlock(&fe->conn_lock);
			recover_hangup(fe);
		} else if (fe->pending_fd >= 0) {
			fd = fe->pending_fd;
			fe->pending_fd = -1;
			pthread_mutex_unlock(&fe->conn_lock);
			recover_connect(fe, fd);
		} else if (fe->retry_ms != 0) {
			abs_deadline(&ts, fe->retry_ms);
			if (pthread_cond_timedwait(&fe->conn_cond, &fe->conn_lock, &ts) != ETIMEDOUT ||
			    fe->stopping)
				continue;
			pthread_mutex_unlock(&fe->conn_lock);
			retry_connect(fe);
		} else {
			pthread_cond_wait(&fe->conn_cond, &fe->conn_lock);
			continue;
		}
		pthread_mutex_lock(&fe->conn_lock);
	}
	pthread_mutex_unlock(&fe->conn_lock);
	return NULL;
}

static int
init_sync(struct vu_frontend *fe)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fe->conn_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&fe->lock, NULL);
	pthread_mutex_init(&fe->conn_lock, NULL);
	pthread_mutex_init(&fe->chan_lock, NULL);
	if (vu_thread_create(&fe->thread, recovery_thread, fe) != 0)
		return -EAGAIN;
	fe->thread_started = true;
	pthread_setname_np(fe->thread, "vu-fe");
	return 0;
}

static struct vu_frontend *
alloc_frontend(const struct vu_frontend_conf *conf)
{
	static const struct vu_frontend_ops no_ops;
	struct vu_frontend *fe = calloc(1, sizeof(*fe));
	unsigned int i;

	if (fe == NULL)
		return NULL;
	fe->conf = *conf;
	if (conf->conn_fd >= 0) {
		snprintf(fe->name, sizeof(fe->name), "fd:%d", conf->conn_fd);
		fe->conf.path = NULL;
	} else {
		snprintf(fe->path_buf, sizeof(fe->path_buf), "%s", conf->path);
		snprintf(fe->name, sizeof(fe->name), "%s", conf->path);
		fe->conf.path = fe->path_buf;
	}
	fe->conf.base_features = fe_base_features(conf);
	if (fe->conf.base_features != conf->base_features)
		FE_LOG(WARNING, fe, "VIRTIO_F_RING_PACKED requested but not supported: disabled");
	fe->ops = conf->ops != NULL ? conf->ops : &no_ops;
	fe->max_queue_size = fe_clamp_queue_size(conf->max_queue_size);
	fe->reply_timeout_ms = conf->reply_timeout_ms ? conf->reply_timeout_ms :
						       VU_REPLY_TIMEOUT_MS;
	fe->sock = fe->channel_fd = fe->inflight_fd = -1;
	fe->watched_fd = fe->pending_fd = -1;
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++)
		fe->vrings[i].cfg.kick_fd = fe->vrings[i].cfg.call_fd = -1;
	return fe;
}

static bool
conf_valid(const struct vu_frontend_conf *c)
{
	if (c == NULL)
		return false;
	if (c->conn_fd >= 0)
		return true;
	return c->path != NULL && c->path[0] != '\0' && strlen(c->path) < 108 &&
	       (c->mode == VU_FRONTEND_CLIENT || c->mode == VU_FRONTEND_SERVER);
}

/* Client or conn_fd: connect and negotiate in the caller's thread. */
static int
start_sync(struct vu_frontend *fe)
{
	int fd = fe->conf.conn_fd, ret;

	if (fd < 0) {
		fd = vu_socket_connect(fe->conf.path);
		if (fd < 0 && fe->conf.reconnect) {
			pthread_mutex_lock(&fe->conn_lock);
			fe->retry_ms = VU_RECONNECT_MIN_MS;
			pthread_cond_broadcast(&fe->conn_cond);
			pthread_mutex_unlock(&fe->conn_lock);
			return 0;
		}
		if (fd < 0)
			return fd;
	}
	pthread_mutex_lock(&fe->lock);
	ret = fe_connection_up(fe, fd);
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

static int
start_server(struct vu_frontend *fe)
{
	struct vu_socket_conf sc = { .path = fe->conf.path, .mode = VU_SOCKET_SERVER,
				     .on_connect = on_connect, .arg = fe };

	fe->server = vu_socket_create(&sc);
	if (fe->server == NULL)
		return -rte_errno;
	return vu_socket_start(fe->server);
}

struct vu_frontend *
vu_frontend_create(const struct vu_frontend_conf *conf)
{
	struct vu_frontend *fe;
	int ret;

	if (!conf_valid(conf)) {
		rte_errno = EINVAL;
		return NULL;
	}
	fe = alloc_frontend(conf);
	if (fe == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ret = init_sync(fe);
	if (ret < 0 && conf->conn_fd >= 0)
		close(conf->conn_fd);
	if (ret == 0)
		ret = conf->conn_fd < 0 && conf->mode == VU_FRONTEND_SERVER ? start_server(fe) :
									   start_sync(fe);
	if (ret < 0) {
		vu_frontend_destroy(fe);
		rte_errno = -ret;
		return NULL;
	}
	return fe;
}

static void
ctl_barrier(void *arg)
{
	(void)arg;
}

void
vu_frontend_destroy(struct vu_frontend *fe)
{
	if (fe == NULL)
		return;
	/* The recovery thread first: it may still tell the server socket that
	 * a connection ended, so the socket must outlive it. */
	if (fe->thread_started) {
		pthread_mutex_lock(&fe->conn_lock);
		fe->stopping = true;
		pthread_cond_broadcast(&fe->conn_cond);
		pthread_mutex_unlock(&fe->conn_lock);
		pthread_join(fe->thread, NULL);
	}
	if (fe->server != NULL)
		vu_socket_destroy(fe->server);	/* no on_connect() after this */
	fe->server = NULL;
	pthread_mutex_lock(&fe->lock);
	fe_connection_down(fe);
	fe_forget_activation(fe);
	if (fe->pending_fd >= 0)
		close(fe->pending_fd);
	if (fe->inflight_fd >= 0)
		close(fe->inflight_fd);
	pthread_mutex_unlock(&fe->lock);
	/* on_hangup() and on_channel() remove their own watch and then still
	 * use fe, so a vu_fdman_del() above need not have waited for them:
	 * anything queued behind them on vu-ctl runs once they returned. */
	vu_fdman_call(ctl_barrier, NULL);
	fe_shmem_unmap_all(fe);
	free(fe);
}

int
vu_frontend_wait_connected(struct vu_frontend *fe, unsigned int timeout_ms)
{
	unsigned int waited = 0;

	/* Polled every 10 ms: connection is rare and this keeps fe->lock simple. */
	while (!vu_frontend_connected(fe)) {
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(10000);
		waited += 10;
	}
	return 0;
}

bool
vu_frontend_connected(struct vu_frontend *fe)
{
	bool up;

	pthread_mutex_lock(&fe->conn_lock);
	up = fe->watched_fd >= 0;
	pthread_mutex_unlock(&fe->conn_lock);
	return up;
}

const char *
vu_frontend_name(const struct vu_frontend *fe)
{
	return fe->name;
}

#define FE_GETTER(type, field, fn) \
type \
fn(struct vu_frontend *fe) \
{ \
	type v; \
	pthread_mutex_lock(&fe->lock); \
	v = fe->field; \
	pthread_mutex_unlock(&fe->lock); \
	return v; \
}

FE_GETTER(uint64_t, avail_features, vu_frontend_features)
FE_GETTER(uint64_t, acked_features, vu_frontend_acked_features)
FE_GETTER(uint64_t, protocol_features, vu_frontend_protocol_features)
FE_GETTER(uint16_t, num_queues, vu_frontend_num_queues)

uint16_t
vu_frontend_max_queue_size(const struct vu_frontend *fe)
{
	return fe->max_queue_size;
}

void
vu_frontend_set_reply_timeout(struct vu_frontend *fe, unsigned int ms)
{
	pthread_mutex_lock(&fe->lock);
	fe->reply_timeout_ms = ms ? ms : VU_REPLY_TIMEOUT_MS;
	if (fe->sock >= 0)
		vu_socket_set_timeout(fe->sock, fe->reply_timeout_ms);
	pthread_mutex_unlock(&fe->lock);
}

int
vu_frontend_ack_features(struct vu_frontend *fe, uint64_t features)
{
	int ret;

	pthread_mutex_lock(&fe->lock);
	ret = fe->connected ? fe_send_features(fe, features) : -ENOTCONN;
	pthread_mutex_unlock(&fe->lock);
	return ret;
}
