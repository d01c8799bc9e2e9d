/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device state transfer (SET_DEVICE_STATE_FD / CHECK_DEVICE_STATE).
 *
 * As in the reference, the state is captured (save) or applied (load) on
 * the control thread, and only the bytes move on a worker thread, so a full
 * pipe never blocks vu-ctl. The worker polls its fd together with a cancel
 * eventfd, so tearing the connection down never waits on a silent peer.
 *
 * Stream format (vu's own, little-endian): struct state_header, then the
 * device's bytes.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>

#include "backend_priv.h"

#define STATE_MAGIC	UINT32_C(0x53445556)	/* "VUDS" */
#define STATE_VERSION	1
/* Largest state accepted on load; a net device's state is a few bytes. */
#define STATE_MAX_BYTES	(64u << 20)

struct state_header {
	uint32_t magic;
	uint32_t version;
	uint64_t features;
	uint64_t protocol_features;
	uint64_t device_len;
};

/* Wait until @p fd is ready for @p events or the transfer is cancelled. */
static int
wait_fd(const struct be_state_xfer *x, short events)
{
	struct pollfd p[2] = { { x->fd, events, 0 }, { x->cancel_fd, POLLIN, 0 } };

	for (;;) {
		int n = poll(p, 2, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (p[1].revents)
			return -ECANCELED;
		return 0;
	}
}

static int
write_all(struct be_state_xfer *x)
{
	size_t off = 0;

	while (off < x->len) {
		ssize_t n;
		int ret = wait_fd(x, POLLOUT);

		if (ret < 0)
			return ret;
		n = write(x->fd, (const char *)x->buf + off, x->len - off);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

static int
read_all(struct be_state_xfer *x)
{
	size_t cap = 4096;

	x->buf = malloc(cap);
	x->len = 0;
	for (;;) {
		ssize_t n;
		int ret;

		if (x->buf == NULL)
			return -ENOMEM;
		ret = wait_fd(x, POLLIN);
		if (ret < 0)
			return ret;
		n = read(x->fd, (char *)x->buf + x->len, cap - x->len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		x->len += (size_t)n;
		if (x->len == cap) {
			void *bigger = cap >= STATE_MAX_BYTES ? NULL : realloc(x->buf, cap * 2);

			if (bigger == NULL)
				return -EFBIG;
			x->buf = bigger;
			cap *= 2;
		}
	}
}

static void *
state_worker(void *arg)
{
	struct be_state_xfer *x = arg;
	sigset_t pipe_set;

	/* A reader that went away gives EPIPE here, not a SIGPIPE for the process. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	x->result = x->direction == VU_DEVICE_STATE_SAVE ? write_all(x) : read_all(x);
	close(x->fd);
	x->fd = -1;
	return NULL;
}

/* Capture the state to send: our header, then the device's bytes. */
static int
capture(struct vu_backend *b, struct be_state_xfer *x)
{
	struct state_header h = {
		STATE_MAGIC, STATE_VERSION, b->features, b->protocol_features, 0 };
	void *dev = NULL;
	size_t dev_len = 0;
	int ret = b->ops->save_state(b, &dev, &dev_len);

	if (ret < 0)
		return ret;
	h.device_len = dev_len;
	x->len = sizeof(h) + dev_len;
	x->buf = malloc(x->len);
	if (x->buf != NULL) {
		memcpy(x->buf, &h, sizeof(h));
		if (dev_len)
			memcpy((char *)x->buf + sizeof(h), dev, dev_len);
	}
	free(dev);
	return x->buf != NULL ? 0 : -ENOMEM;
}

static int
check_can_start(struct vu_backend *b, const struct vu_device_state *ds)
{
	if (ds->phase != VU_DEVICE_STATE_PHASE_STOPPED) {
		BE_LOG_RL(ERR, b, "SET_DEVICE_STATE_FD: phase %u; only the stopped phase (0) exists",
			  ds->phase);
		return -EINVAL;
	}
	if (ds->direction != VU_DEVICE_STATE_SAVE && ds->direction != VU_DEVICE_STATE_LOAD) {
		BE_LOG_RL(ERR, b, "SET_DEVICE_STATE_FD: direction %u is neither save nor load",
			  ds->direction);
		return -EINVAL;
	}
	if (!be_all_rings_stopped(b) || b->state.active) {
		BE_LOG_RL(ERR, b, "SET_DEVICE_STATE_FD: %s", b->state.active ?
			  "a transfer is already running (CHECK_DEVICE_STATE first)" :
			  "rings are still running");
		return -EBUSY;
	}
	if (b->ops->save_state == NULL || b->ops->load_state == NULL)
		return -ENOTSUP;
	return 0;
}

int
be_state_start(struct vu_backend *b, const struct vu_device_state *ds, int fd)
{
	struct be_state_xfer *x = &b->state;
	int ret = check_can_start(b, ds);

	if (ret == 0 && ds->direction == VU_DEVICE_STATE_SAVE)
		ret = capture(b, x);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	x->direction = ds->direction;
	x->fd = fd;
	x->result = 0;
	x->cancel_fd = eventfd(0, EFD_CLOEXEC);
	if (x->cancel_fd < 0 || pthread_create(&x->thread, NULL, state_worker, x) != 0) {
		ret = x->cancel_fd < 0 ? -errno : -EAGAIN;
		be_state_cancel(b);
		close(fd);
		return ret;
	}
	x->active = true;
	return 0;
}

/* Apply a loaded stream: check the header, restore features, then the device. */
static int
apply(struct vu_backend *b, const struct be_state_xfer *x)
{
	struct state_header h;

	if (x->len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, x->buf, sizeof(h));
	if (h.magic != STATE_MAGIC || h.version != STATE_VERSION ||
	    h.device_len != x->len - sizeof(h)) {
		BE_LOG_RL(ERR, b, "device state: not a vu state stream (magic 0x%x version %u)",
			  h.magic, h.version);
		return -EBADMSG;
	}
	if (h.protocol_features & ~VU_PROTOCOL_FEATURES_KNOWN)
		return -EBADMSG;
	b->features = h.features;
	b->protocol_features = h.protocol_features;
	return b->ops->load_state(b, (const char *)x->buf + sizeof(h), h.device_len);
}

/* pthread_join(), giving up after @p ms: 0 when joined. */
static int
join_within(pthread_t thread, unsigned int ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	return pthread_timedjoin_np(thread, NULL, &deadline);
}

int
be_state_finish(struct vu_backend *b)
{
	struct be_state_xfer *x = &b->state;
	int ret;

	if (!x->active) {
		BE_LOG_RL(ERR, b, "CHECK_DEVICE_STATE: no transfer running");
		return -EINVAL;
	}
	/* The front-end sends CHECK after writing everything and closing its
	 * end (load) or reading to the end (save), so the worker is done or
	 * about to be; one that still holds the pipe open would otherwise
	 * block this handler, and the vu-ctl thread every other device
	 * shares, for as long as it likes. */
	if (join_within(x->thread, x->check_wait_ms) != 0) {
		BE_LOG_RL(ERR, b, "CHECK_DEVICE_STATE: the %s is not complete after %u ms (the "
			  "front-end must close or drain its end first): cancelled",
			  x->direction == VU_DEVICE_STATE_SAVE ? "save" : "load",
			  x->check_wait_ms);
		be_state_cancel(b);
		return -ETIMEDOUT;
	}
	x->active = false;
	ret = x->result;
	if (ret == 0 && x->direction == VU_DEVICE_STATE_LOAD)
		ret = apply(b, x);
	if (ret < 0)
		BE_LOG(ERR, b, "device state %s failed: %s",
		       x->direction == VU_DEVICE_STATE_SAVE ? "save" : "load", strerror(-ret));
	be_state_cancel(b);
	return ret;
}

void
be_state_cancel(struct vu_backend *b)
{
	struct be_state_xfer *x = &b->state;
	uint64_t one = 1;

	if (x->active) {
		if (write(x->cancel_fd, &one, sizeof(one)) < 0)
			BE_LOG(ERR, b, "cannot cancel the state transfer: %s", strerror(errno));
		pthread_join(x->thread, NULL);
		x->active = false;
	}
	if (x->cancel_fd >= 0)
		close(x->cancel_fd);
	x->cancel_fd = -1;
	free(x->buf);
	x->buf = NULL;
	x->len = 0;
}
