/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The back-end request channel (SET_BACKEND_REQ_FD): messages the back-end
 * sends to the front-end. Any thread may send (a device's own thread may
 * report a config change), so one mutex serialises request and reply. Every
 * reply is awaited at most VU_REPLY_TIMEOUT_MS; one that does not come, or
 * not in order, breaks the channel: a late reply would otherwise be read as
 * the next request's. It stays broken (-ENOTCONN) until the front-end sends
 * a new SET_BACKEND_REQ_FD.
 *
 * Only vu-ctl sets or closes channel_fd, so vu-ctl reads it without the
 * mutex: before taking the mutex it shuts the old socket down (and when the
 * front-end leaves, before the device's stop callbacks run), which wakes a
 * sender waiting for a reply, so vu-ctl (every device's control plane)
 * never waits out a reply timeout. A sender that breaks the channel only
 * shuts it down, for the same reason: the fd number stays vu-ctl's to close.
 *
 * Shared memory mappings follow the reference's bookkeeping: one map per
 * offset, no overlaps, and an unmap names an offset that is mapped.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "backend_priv.h"

/* vu-ctl: make a sender waiting on the current channel give up now. */
void
be_channel_wake(struct vu_backend *b)
{
	if (b->channel_fd >= 0)
		shutdown(b->channel_fd, SHUT_RDWR);
}

void
be_channel_set(struct vu_backend *b, int fd)
{
	be_channel_wake(b);
	pthread_mutex_lock(&b->channel_lock);
	if (b->channel_fd >= 0) {
		BE_LOG(WARNING, b, "back-end request channel replaced");
		close(b->channel_fd);
	}
	b->channel_fd = fd;
	b->channel_broken = false;
	pthread_mutex_unlock(&b->channel_lock);
}

void
be_channel_close(struct vu_backend *b)
{
	be_channel_wake(b);
	pthread_mutex_lock(&b->channel_lock);
	if (b->channel_fd >= 0)
		close(b->channel_fd);
	b->channel_fd = -1;
	b->channel_broken = false;
	free(b->shmem_maps);
	b->shmem_maps = NULL;
	b->nshmem_maps = 0;
	pthread_mutex_unlock(&b->channel_lock);
}

/*
 * Wait for the reply to @p req: 0, or -EIO when the front-end answered
 * with a failure; any other error means no reply in step (-ETIMEDOUT,
 * -EPROTO, the socket's errors; vu_msg_recv() never returns -EIO).
 */
static int
await_reply(struct vu_backend *b, uint32_t req)
{
	struct pollfd p = { .fd = b->channel_fd, .events = POLLIN };
	struct vu_msg reply;
	int ret;

	do
		ret = poll(&p, 1, VU_REPLY_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	if (ret == 0) {
		BE_LOG(ERR, b, "%s: no reply from the front-end in %d ms",
		       vu_msg_name(VU_MSG_BACKEND_REQ, req), VU_REPLY_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	ret = vu_msg_recv(b->channel_fd, VU_MSG_BACKEND_REPLY, &reply, b->name);
	if (ret < 0)
		return ret;
	vu_msg_close_fds(&reply);
	if (reply.hdr.request != req) {
		BE_LOG(ERR, b, "%s: the front-end answered %s", vu_msg_name(VU_MSG_BACKEND_REQ, req),
		       vu_msg_name(VU_MSG_BACKEND_REQ, reply.hdr.request));
		return -EPROTO;
	}
	return reply.payload.u64 == 0 ? 0 : -EIO;
}

/*
 * Send a back-end request and await its ack when REPLY_ACK is negotiated.
 * Called with channel_lock held.
 */
static int
channel_call(struct vu_backend *b, struct vu_msg *msg)
{
	bool ack = (b->protocol_features & RTE_BIT64(VU_PF_REPLY_ACK)) != 0;
	int ret;

	if (b->channel_fd < 0 || b->channel_broken)
		return -ENOTCONN;
	msg->hdr.flags = VU_PROTO_VERSION | (ack ? VU_FLAG_NEED_REPLY : 0);
	ret = vu_msg_send(b->channel_fd, msg);
	if (ret == -EBADF || ret == -EINVAL)
		return ret;	/* refused before a byte went out: still in step */
	if (ret == 0 && ack)
		ret = await_reply(b, msg->hdr.request);
	if (ret < 0 && ret != -EIO) {
		BE_LOG(ERR, b, "back-end request channel broken (%s): unused until the front-end sets a new one",
		       strerror(-ret));
		shutdown(b->channel_fd, SHUT_RDWR);
		b->channel_broken = true;
	}
	return ret;
}

int
vu_backend_config_changed(struct vu_backend *b)
{
	struct vu_msg msg = { .hdr = { .request = VU_BREQ_CONFIG_CHANGE_MSG } };
	int ret;

	pthread_mutex_lock(&b->channel_lock);
	ret = channel_call(b, &msg);
	pthread_mutex_unlock(&b->channel_lock);
	return ret;
}

/* Index of the map that overlaps [offset, offset + len), or -1. */
static int
find_overlap(const struct vu_backend *b, uint64_t offset, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < b->nshmem_maps; i++) {
		const struct be_shmem_map *m = &b->shmem_maps[i];

		if (offset < m->offset + m->len && m->offset < offset + len)
			return (int)i;
	}
	return -1;
}

int
vu_backend_shmem_map(struct vu_backend *b, uint64_t shm_offset, int fd, uint64_t fd_offset,
		     uint64_t len, uint64_t flags)
{
	struct vu_msg msg = { .hdr = { .request = VU_BREQ_SHMEM_MAP,
				       .size = sizeof(struct vu_shmem_map) } };
	struct be_shmem_map *grown;
	int ret;

	if (fd < 0)
		return -EBADF;
	if (len == 0 || shm_offset > UINT64_MAX - len || fd_offset > UINT64_MAX - len ||
	    (flags & ~(VU_SHMEM_MAP_F_R | VU_SHMEM_MAP_F_W)))
		return -EINVAL;
	msg.payload.shmem_map = (struct vu_shmem_map){ .shmid = 0, .fd_offset = fd_offset,
		.shm_offset = shm_offset, .len = len, .flags = flags };
	msg.fds[0] = fd;
	msg.nfds = 1;
	pthread_mutex_lock(&b->channel_lock);
	grown = realloc(b->shmem_maps, (b->nshmem_maps + 1) * sizeof(*grown));
	if (grown == NULL) {
		ret = -ENOMEM;
	} else {
		b->shmem_maps = grown;
		ret = find_overlap(b, shm_offset, len) >= 0 ? -EEXIST : channel_call(b, &msg);
	}
	if (ret == 0)
		b->shmem_maps[b->nshmem_maps++] = (struct be_shmem_map){ shm_offset, len };
	pthread_mutex_unlock(&b->channel_lock);
	return ret;
}

int
vu_backend_shmem_unmap(struct vu_backend *b, uint64_t shm_offset)
{
	struct vu_msg msg = { .hdr = { .request = VU_BREQ_SHMEM_UNMAP,
				       .size = sizeof(struct vu_shmem_map) } };
	int i, ret = -ENOENT;

	pthread_mutex_lock(&b->channel_lock);
	i = find_overlap(b, shm_offset, 1);
	if (i >= 0 && b->shmem_maps[i].offset == shm_offset) {
		msg.payload.shmem_map = (struct vu_shmem_map){ .shmid = 0,
			.shm_offset = shm_offset, .len = b->shmem_maps[i].len };
		ret = channel_call(b, &msg);
		if (ret == 0)
			b->shmem_maps[i] = b->shmem_maps[--b->nshmem_maps];
	}
	pthread_mutex_unlock(&b->channel_lock);
	return ret;
}
