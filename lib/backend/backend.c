/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The backend object: creation, the connection to the front-end on the
 * vu-ctl thread, and teardown when the front-end leaves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "backend_priv.h"
#include "vu_fdman.h"
#include "vu_socket.h"

RTE_LOG_REGISTER_SUFFIX(vu_backend_logtype_config, config, INFO);

void
be_reset_device(struct vu_backend *b)
{
	uint16_t i;

	be_rings_stop_all(b);	/* first: the data plane leaves guest memory */
	be_mem_release(b);
	be_inflight_release(b);
	b->features = 0;
	b->status = 0;
	if (b->ops->reset != NULL)
		b->ops->reset(b);
	/* The rings' initial enable state follows the (now empty) features. */
	for (i = 0; i < b->nvrings; i++)
		be_vring_clear(b, &b->vrings[i]);
}

/* The front-end is gone: stop everything before any further memory access. */
static void
disconnect(struct vu_backend *b)
{
	if (b->conn_fd < 0)
		return;
	be_channel_wake(b);	/* before the device's stop callbacks, which may wait for it */
	vu_fdman_del(b->conn_fd);
	close(b->conn_fd);
	__atomic_store_n(&b->conn_fd, -1, __ATOMIC_RELAXED);	/* vu_backend_connected() reads it */
	be_state_cancel(b);
	be_reset_device(b);
	be_channel_close(b);
	b->owned = false;
	b->protocol_features = 0;
	BE_LOG(INFO, b, "front-end disconnected");
	if (b->ops->connection != NULL)
		b->ops->connection(b, false);
	if (b->sock != NULL)
		vu_socket_disconnected(b->sock);
}

/*
 * A message that failed validation but was consumed whole: answer with a
 * failure where the front-end waits for one. A request that always replies
 * has no failure shape of its own here, so the connection is closed.
 */
static int
reject(struct vu_backend *b, const struct vu_msg *msg)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, msg->hdr.request);
	struct vu_msg reply;

	if (info != NULL && info->reply == VU_REPLY_ALWAYS)
		return -EPROTO;
	if (!(msg->hdr.flags & VU_FLAG_NEED_REPLY) ||
	    !(b->protocol_features & RTE_BIT64(VU_PF_REPLY_ACK)))
		return 0;
	vu_msg_reply_init(&reply, msg, sizeof(uint64_t));
	reply.payload.u64 = 1;
	return vu_msg_send(b->conn_fd, &reply);
}

static void
on_readable(int fd, uint32_t events, void *arg)
{
	struct vu_backend *b = arg;
	struct vu_msg msg;
	int ret;

	RTE_SET_USED(events);
	ret = vu_msg_recv(fd, VU_MSG_FRONTEND_REQ, &msg, b->name);
	if (ret == 0)
		ret = be_handle_msg(b, &msg);
	else if (!vu_msg_err_is_fatal(ret))
		ret = reject(b, &msg);
	if (ret < 0)
		disconnect(b);
}

/* Adopt a connected socket: vu-ctl thread. */
static int
connect_fd(struct vu_backend *b, int fd)
{
	int ret;

	if (b->conn_fd >= 0) {
		BE_LOG(WARNING, b, "a second front-end tried to connect; refused");
		close(fd);
		return -EBUSY;
	}
	/* A peer that stops mid-message cannot hold vu-ctl for more than this. */
	vu_socket_set_timeout(fd, VU_REPLY_TIMEOUT_MS);
	__atomic_store_n(&b->conn_fd, fd, __ATOMIC_RELAXED);
	ret = vu_fdman_add(fd, EPOLLIN, on_readable, b);
	if (ret < 0) {
		BE_LOG(ERR, b, "cannot watch the connection: %s", strerror(-ret));
		__atomic_store_n(&b->conn_fd, -1, __ATOMIC_RELAXED);
		close(fd);
		return ret;
	}
	BE_LOG(INFO, b, "front-end connected");
	if (b->ops->connection != NULL)
		b->ops->connection(b, true);
	return 0;
}

static void
on_connect(struct vu_socket *s, int fd, void *arg)
{
	RTE_SET_USED(s);
	connect_fd(arg, fd);
}

static int
check_conf(const struct vu_backend_conf *conf)
{
	const struct vu_device_ops *ops = conf->ops;

	if (ops == NULL || ops->start_queue == NULL || ops->stop_queue == NULL ||
	    ops->max_queues == 0 || ops->max_queues > BE_MAX_VRINGS)
		return -EINVAL;
	if (conf->conn_fd < 0 && (conf->path == NULL || conf->path[0] == '\0'))
		return -EINVAL;
	return 0;
}

static struct vu_backend *
backend_alloc(const struct vu_backend_conf *conf)
{
	struct vu_backend *b = calloc(1, sizeof(*b));
	uint16_t i;

	if (b == NULL)
		return NULL;
	b->ops = conf->ops;
	b->priv = conf->priv;
	b->nvrings = conf->ops->max_queues;
	b->conn_fd = b->channel_fd = b->inflight_fd = b->log_call_fd = -1;
	b->state.cancel_fd = -1;
	b->state.check_wait_ms = conf->state_check_wait_ms ? conf->state_check_wait_ms :
							     VU_STATE_CHECK_WAIT_MS;
	pthread_mutex_init(&b->channel_lock, NULL);
	if (conf->conn_fd >= 0)
		snprintf(b->name, sizeof(b->name), "fd:%d", conf->conn_fd);
	else
		snprintf(b->name, sizeof(b->name), "%s", conf->path);
	for (i = 0; i < b->nvrings; i++) {
		b->vrings[i].cfg.index = i;
		b->vrings[i].cfg.kick_fd = b->vrings[i].cfg.call_fd = -1;
		b->vrings[i].cfg.err_fd = -1;
		be_vring_clear(b, &b->vrings[i]);
	}
	return b;
}

struct adopt_arg {
	struct vu_backend *b;
	int fd;
	int ret;
};

static void
adopt_on_ctl(void *arg)
{
	struct adopt_arg *a = arg;

	a->ret = connect_fd(a->b, a->fd);
}

static int
start_serving(struct vu_backend *b, const struct vu_backend_conf *conf)
{
	struct vu_socket_conf sc = {
		.path = conf->path,
		.mode = conf->mode == VU_BACKEND_SERVER ? VU_SOCKET_SERVER : VU_SOCKET_CLIENT,
		.reconnect = true,
		.on_connect = on_connect,
		.arg = b,
	};
	struct adopt_arg a = { b, conf->conn_fd, 0 };
	int ret;

	if (conf->conn_fd >= 0) {
		ret = vu_fdman_call(adopt_on_ctl, &a);
		return ret < 0 ? ret : a.ret;
	}
	b->sock = vu_socket_create(&sc);
	if (b->sock == NULL)
		return -rte_errno;
	return vu_socket_start(b->sock);
}

struct vu_backend *
vu_backend_create(const struct vu_backend_conf *conf)
{
	struct vu_backend *b;
	int ret = check_conf(conf);

	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	b = backend_alloc(conf);
	if (b == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* As in the reference: a device starts out suspended. */
	if (b->ops->enter_suspended_state != NULL)
		b->ops->enter_suspended_state(b);
	ret = start_serving(b, conf);
	if (ret < 0) {
		BE_LOG(ERR, b, "cannot start serving: %s", strerror(-ret));
		vu_backend_destroy(b);
		rte_errno = -ret;
		return NULL;
	}
	return b;
}

static void
destroy_on_ctl(void *arg)
{
	struct vu_backend *b = arg;

	if (b->sock != NULL)
		vu_socket_destroy(b->sock);
	b->sock = NULL;
	disconnect(b);
}

void
vu_backend_destroy(struct vu_backend *b)
{
	if (b == NULL)
		return;
	vu_fdman_call(destroy_on_ctl, b);
	pthread_mutex_destroy(&b->channel_lock);
	free(b);
}

void *
vu_backend_priv(const struct vu_backend *b)
{
	return b->priv;
}

const char *
vu_backend_name(const struct vu_backend *b)
{
	return b->name;
}

bool
vu_backend_connected(const struct vu_backend *b)
{
	return __atomic_load_n(&b->conn_fd, __ATOMIC_RELAXED) >= 0;
}

uint64_t
vu_backend_features(const struct vu_backend *b)
{
	return __atomic_load_n(&b->features, __ATOMIC_RELAXED);
}

uint64_t
vu_backend_protocol_features(const struct vu_backend *b)
{
	return __atomic_load_n(&b->protocol_features, __ATOMIC_RELAXED);
}
