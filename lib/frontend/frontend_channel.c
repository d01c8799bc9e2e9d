/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The back-end request channel (SET_BACKEND_REQ_FD), served on vu-ctl:
 * CONFIG_CHANGE_MSG goes to the event callback, SHMEM_MAP/UNMAP to the
 * mapper after the specification's checks (no overlapping maps, an unmap
 * names a mapped range exactly). Each request is answered when it sets
 * NEED_REPLY. Only chan_lock is taken here, never fe->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frontend_priv.h"
#include "vu_fdman.h"
#include "vu_socket.h"

/* Index of a map overlapping [offset, offset + len) of @p shmid, or -1. */
static int
find_overlap(const struct vu_frontend *fe, uint8_t shmid, uint64_t offset, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < fe->nmaps; i++) {
		const struct fe_shmem_map *m = &fe->maps[i];

		if (m->shmid == shmid && offset < m->offset + m->len && m->offset < offset + len)
			return (int)i;
	}
	return -1;
}

static int
shmem_map(struct vu_frontend *fe, const struct vu_shmem_map *p, int fd)
{
	struct fe_shmem_map *grown;
	int ret;

	if (p->len == 0 || p->shm_offset > UINT64_MAX - p->len ||
	    p->fd_offset > UINT64_MAX - p->len ||
	    (p->flags & ~(VU_SHMEM_MAP_F_R | VU_SHMEM_MAP_F_W))) {
		FE_LOG_RL(ERR, fe, "SHMEM_MAP: bad range or flags");
		return -EINVAL;
	}
	if (fe->shmem_state == 2 && p->shm_offset + p->len > fe->shmem_len) {
		FE_LOG_RL(ERR, fe, "SHMEM_MAP: 0x%" PRIx64 "+0x%" PRIx64 " beyond the region",
			  p->shm_offset, p->len);
		return -EINVAL;
	}
	if (find_overlap(fe, p->shmid, p->shm_offset, p->len) >= 0) {
		FE_LOG_RL(ERR, fe, "SHMEM_MAP: 0x%" PRIx64 "+0x%" PRIx64 " overlaps a mapping",
			  p->shm_offset, p->len);
		return -EEXIST;
	}
	grown = realloc(fe->maps, (fe->nmaps + 1) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	fe->maps = grown;
	ret = fe->ops->shmem_map == NULL ? -ENOTSUP :
		fe->ops->shmem_map(fe, p->shmid, p->shm_offset, fd, p->fd_offset, p->len,
				   p->flags, fe->conf.arg);
	if (ret == 0)
		fe->maps[fe->nmaps++] = (struct fe_shmem_map){ p->shmid, p->shm_offset, p->len };
	return ret;
}

static int
shmem_unmap(struct vu_frontend *fe, const struct vu_shmem_map *p)
{
	int i = find_overlap(fe, p->shmid, p->shm_offset, 1);

	if (i < 0 || fe->maps[i].offset != p->shm_offset || fe->maps[i].len != p->len) {
		FE_LOG_RL(ERR, fe, "SHMEM_UNMAP: 0x%" PRIx64 "+0x%" PRIx64 " matches no mapping",
			  p->shm_offset, p->len);
		return -ENOENT;
	}
	if (fe->ops->shmem_unmap != NULL)
		fe->ops->shmem_unmap(fe, p->shmid, p->shm_offset, p->len, fe->conf.arg);
	fe->maps[i] = fe->maps[--fe->nmaps];
	return 0;
}

static int
handle(struct vu_frontend *fe, struct vu_msg *m)
{
	int ret;

	switch (m->hdr.request) {
	case VU_BREQ_CONFIG_CHANGE_MSG:
		fe_event(fe, VU_FRONTEND_EV_CONFIG_CHANGED);
		return 0;
	case VU_BREQ_SHMEM_MAP:
		pthread_mutex_lock(&fe->chan_lock);
		ret = shmem_map(fe, &m->payload.shmem_map, m->nfds ? m->fds[0] : -1);
		pthread_mutex_unlock(&fe->chan_lock);
		return ret;
	case VU_BREQ_SHMEM_UNMAP:
		pthread_mutex_lock(&fe->chan_lock);
		ret = shmem_unmap(fe, &m->payload.shmem_map);
		pthread_mutex_unlock(&fe->chan_lock);
		return ret;
	default:
		FE_LOG_RL(WARNING, fe, "back-end request %s not supported",
			  vu_msg_name(VU_MSG_BACKEND_REQ, m->hdr.request));
		return -ENOTSUP;
	}
}

static void
stop_watching(struct vu_frontend *fe, int fd)
{
	vu_fdman_del(fd);
	fe->channel_watched = false;
}

/* vu-ctl: one back-end request. */
static void
on_channel(int fd, uint32_t events, void *arg)
{
	struct vu_frontend *fe = arg;
	struct vu_msg m, ack;
	int ret;

	(void)events;
	ret = vu_msg_recv(fd, VU_MSG_BACKEND_REQ, &m, fe->name);
	if (ret == -ENOTCONN || ret == -ECONNRESET || vu_msg_err_is_fatal(ret)) {
		if (ret != -ENOTCONN)
			FE_LOG_RL(ERR, fe, "back-end request channel: %s", strerror(-ret));
		stop_watching(fe, fd);	/* closed with the connection */
		return;
	}
	if (ret == 0)
		ret = handle(fe, &m);
	vu_msg_close_fds(&m);
	if (m.hdr.flags & VU_FLAG_NEED_REPLY) {
		vu_msg_reply_init(&ack, &m, sizeof(uint64_t));
		ack.payload.u64 = ret == 0 ? 0 : 1;
		if (vu_msg_send(fd, &ack) < 0)
			stop_watching(fe, fd);
	}
}

/* Create the channel and hand the backend its end. Called with fe->lock held. */
int
fe_channel_open(struct vu_frontend *fe)
{
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	vu_socket_set_timeout(sv[0], fe->reply_timeout_ms);
	ret = fe_request(fe, VU_REQ_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1, NULL);
	close(sv[1]);
	if (ret < 0) {
		close(sv[0]);
		return ret;
	}
	fe->channel_fd = sv[0];
	ret = vu_fdman_add(sv[0], EPOLLIN, on_channel, fe);
	fe->channel_watched = ret == 0;
	return ret;
}

/* Called with fe->lock held, never on vu-ctl. */
void
fe_channel_close(struct vu_frontend *fe)
{
	if (fe->channel_fd < 0)
		return;
	vu_fdman_del(fe->channel_fd);	/* -ENOENT when on_channel already stopped it */
	fe->channel_watched = false;
	close(fe->channel_fd);
	fe->channel_fd = -1;
}

void
fe_shmem_unmap_all(struct vu_frontend *fe)
{
	pthread_mutex_lock(&fe->chan_lock);
	while (fe->nmaps > 0) {
		struct fe_shmem_map *m = &fe->maps[--fe->nmaps];

		if (fe->ops->shmem_unmap != NULL)
			fe->ops->shmem_unmap(fe, m->shmid, m->offset, m->len, fe->conf.arg);
	}
	free(fe->maps);
	fe->maps = NULL;
	pthread_mutex_unlock(&fe->chan_lock);
}
