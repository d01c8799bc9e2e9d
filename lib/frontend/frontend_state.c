/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config space, device state (virtio_snapshot/virtio_restore through
 * SET_DEVICE_STATE_FD over a pipe, EOF, CHECK_DEVICE_STATE) and the shared
 * memory region size (GET_SHMEM_CONFIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "frontend_priv.h"

int
vu_frontend_read_config(struct vu_frontend *fe, uint32_t offset, void *buf, uint32_t len)
{
	struct vu_config c = { .offset = offset, .size = len, .flags = 0 };
	struct vu_msg reply;
	int ret;

	if (len == 0 || len > VU_CONFIG_SPACE_MAX || offset > VU_CONFIG_SPACE_MAX - len)
		return -EINVAL;
	pthread_mutex_lock(&fe->lock);
	if (!FE_HAS_PF(fe, CONFIG)) {
		ret = -ENOTSUP;
		goto out;
	}
	ret = fe_request(fe, VU_REQ_GET_CONFIG, &c, VU_CONFIG_HDR_SIZE + len, NULL, 0, &reply);
	if (ret == 0 && (reply.hdr.size != VU_CONFIG_HDR_SIZE + len ||
			 reply.payload.config.size != len)) {
		FE_LOG(ERR, fe, "GET_CONFIG %u+%u: the backend refused (reply of %u bytes)",
		       offset, len, reply.hdr.size);
		ret = -EIO;
	}
	if (ret == 0)
		memcpy(buf, reply.payload.config.payload, len);
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

int
vu_frontend_write_config(struct vu_frontend *fe, uint32_t offset, const void *buf, uint32_t len)
{
	struct vu_config c = { .offset = offset, .size = len, .flags = 0 };
	int ret;

	if (len == 0 || len > VU_CONFIG_SPACE_MAX || offset > VU_CONFIG_SPACE_MAX - len)
		return -EINVAL;
	memcpy(c.payload, buf, len);
	pthread_mutex_lock(&fe->lock);
	ret = FE_HAS_PF(fe, CONFIG) ?
		fe_request(fe, VU_REQ_SET_CONFIG, &c, VU_CONFIG_HDR_SIZE + len, NULL, 0, NULL) :
		-ENOTSUP;
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

/*
 * SET_DEVICE_STATE_FD with @p fd. *@p backend_fd receives the backend's own
 * fd when it returns one, else -1.
 */
static int
set_device_state_fd(struct vu_frontend *fe, uint32_t direction, int fd, int *backend_fd)
{
	struct vu_device_state ds = { direction, VU_DEVICE_STATE_PHASE_STOPPED };
	struct vu_msg reply;
	int ret;

	*backend_fd = -1;
	ret = fe_request(fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &fd, 1, &reply);
	if (ret < 0)
		return ret;
	if (reply.payload.u64 & 0xff) {
		FE_LOG(ERR, fe, "SET_DEVICE_STATE_FD: the backend failed it (0x%" PRIx64 ")",
		       reply.payload.u64);
		vu_msg_close_fds(&reply);
		return -EIO;
	}
	if (!(reply.payload.u64 & VU_DEVICE_STATE_REPLY_NOFD) && reply.nfds == 1)
		*backend_fd = reply.fds[0];
	else
		vu_msg_close_fds(&reply);
	return 0;
}

static int
check_device_state(struct vu_frontend *fe)
{
	struct vu_msg reply;
	int ret;

	ret = fe_request(fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0, &reply);
	if (ret == 0 && reply.payload.u64 != 0) {
		FE_LOG(ERR, fe, "CHECK_DEVICE_STATE: transfer failed (0x%" PRIx64 ")",
		       reply.payload.u64);
		ret = -EIO;
	}
	return ret;
}

/* Read @p fd to EOF into a growing buffer, each wait bounded. */
static int
read_all(struct vu_frontend *fe, int fd, void **buf, size_t *len)
{
	size_t cap = 0;
	uint8_t *b = NULL, *grown;
	ssize_t n;
	int ret;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 4096;
			grown = realloc(b, cap);
			if (grown == NULL) {
				free(b);
				return -ENOMEM;
			}
			b = grown;
		}
		ret = fe_wait_fd(fe, fd, POLLIN, "device state read");
		if (ret < 0)
			break;
		n = read(fd, b + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		*len += (size_t)n;
	}
	if (ret < 0) {
		free(b);
		return ret;
	}
	*buf = b;
	return 0;
}

/* Write everything to @p fd with bounded waits, without dying of SIGPIPE. */
static int
write_all(struct vu_frontend *fe, int fd, const uint8_t *buf, size_t len)
{
	sigset_t pipe_set, old;
	struct timespec zero = { 0, 0 };
	ssize_t n;
	int ret = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (len > 0 && ret == 0) {
		ret = fe_wait_fd(fe, fd, POLLOUT, "device state write");
		if (ret < 0)
			break;
		n = write(fd, buf, len);
		if (n < 0) {
			ret = errno == EINTR ? 0 : -errno;
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (ret == -EPIPE && !sigismember(&old, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);	/* consume the one we caused */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int
vu_frontend_snapshot(struct vu_frontend *fe, void **buf, size_t *len)
{
	int p[2], backend_fd, ret;

	pthread_mutex_lock(&fe->lock);
	if (!FE_HAS_PF(fe, DEVICE_STATE)) {
		ret = -ENOTSUP;
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		ret = -errno;
		goto out;
	}
	ret = set_device_state_fd(fe, VU_DEVICE_STATE_SAVE, p[1], &backend_fd);
	/* EOF ends the state: our write end must be closed before reading. */
	close(p[1]);
	if (ret == 0) {
		ret = read_all(fe, backend_fd >= 0 ? backend_fd : p[0], buf, len);
		if (backend_fd >= 0)
			close(backend_fd);
	}
	close(p[0]);
	if (ret == 0) {
		ret = check_device_state(fe);
		if (ret < 0)
			free(*buf);
	}
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

int
vu_frontend_restore(struct vu_frontend *fe, const void *buf, size_t len)
{
	int p[2], backend_fd, ret;

	pthread_mutex_lock(&fe->lock);
	if (!FE_HAS_PF(fe, DEVICE_STATE)) {
		ret = -ENOTSUP;
		goto out;
	}
	/* Features are negotiated before the state is loaded. */
	if (!fe->sent_set_features) {
		ret = fe_send_features(fe, fe->acked_features);
		if (ret < 0)
			goto out;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		ret = -errno;
		goto out;
	}
	ret = set_device_state_fd(fe, VU_DEVICE_STATE_LOAD, p[0], &backend_fd);
	close(p[0]);
	if (ret == 0) {
		ret = write_all(fe, backend_fd >= 0 ? backend_fd : p[1], buf, len);
		if (backend_fd >= 0)
			close(backend_fd);
	}
	close(p[1]);	/* EOF: the end of the state */
	if (ret == 0)
		ret = check_device_state(fe);
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

int
vu_frontend_shmem_size(struct vu_frontend *fe, uint64_t *size)
{
	struct vu_msg reply;
	int ret = 0;

	pthread_mutex_lock(&fe->lock);
	if (!FE_HAS_PF(fe, SHMEM)) {
		ret = -ENOTSUP;
		goto out;
	}
	if (fe->shmem_state == 0) {
		ret = fe_request(fe, VU_REQ_GET_SHMEM_CONFIG, NULL, 0, NULL, 0, &reply);
		if (ret < 0)
			goto out;
		if (reply.payload.shmem_config.nregions > 1) {
			FE_LOG(ERR, fe, "GET_SHMEM_CONFIG: %u regions, at most 1 is supported",
			       reply.payload.shmem_config.nregions);
			ret = -ERANGE;
			goto out;
		}
		pthread_mutex_lock(&fe->chan_lock);
		fe->shmem_len = reply.payload.shmem_config.memory_sizes[0];
		fe->shmem_state = reply.payload.shmem_config.nregions == 1 ? 2 : 1;
		pthread_mutex_unlock(&fe->chan_lock);
	}
	if (fe->shmem_state == 1)
		ret = -ENOENT;
	else
		*size = fe->shmem_len;
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}
