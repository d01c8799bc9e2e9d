/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One request, one bounded wait for its reply. REPLY_ACK is asked for here,
 * once, for every request whose only reply is an ack; a reply that does not
 * come within the timeout drops the connection, since a late reply would
 * put the stream out of step.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frontend_priv.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait for @p events on @p fd at most the reply timeout; 0 or -ETIMEDOUT. */
int
fe_wait_fd(struct vu_frontend *fe, int fd, short events, const char *what)
{
	struct pollfd p = { .fd = fd, .events = events };
	uint64_t deadline = now_ms() + fe->reply_timeout_ms, now;
	int ret;

	for (;;) {
		now = now_ms();
		if (now >= deadline)
			break;
		ret = poll(&p, 1, (int)(deadline - now));
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
	FE_LOG(ERR, fe, "%s: no answer from the backend in %u ms", what, fe->reply_timeout_ms);
	return -ETIMEDOUT;
}

static int
await_reply(struct vu_frontend *fe, uint32_t req, struct vu_msg *reply)
{
	const char *name = vu_msg_name(VU_MSG_FRONTEND_REQ, req);
	int ret;

	ret = fe_wait_fd(fe, fe->sock, POLLIN, name);
	if (ret == 0)
		ret = vu_msg_recv(fe->sock, VU_MSG_FRONTEND_REPLY, reply, fe->name);
	if (ret == -ETIMEDOUT || (ret < 0 && vu_msg_err_is_fatal(ret))) {
		/* Out of step for good: let the hang-up path tear it down. */
		shutdown(fe->sock, SHUT_RDWR);
		if (ret != -ETIMEDOUT)
			FE_LOG(ERR, fe, "%s: reply: %s", name, strerror(-ret));
		return ret;
	}
	if (ret == -EBADMSG && reply->hdr.request == req && reply->hdr.size == 0) {
		/* An empty reply is how GET_CONFIG reports a failure (the specification). */
		FE_LOG(ERR, fe, "%s: the backend refused it (empty reply)", name);
		return -EIO;
	}
	if (ret < 0) {
		FE_LOG(ERR, fe, "%s: bad reply: %s", name, strerror(-ret));
		return ret;
	}
	if (reply->hdr.request != req) {
		FE_LOG(ERR, fe, "%s: the backend answered %s", name,
		       vu_msg_name(VU_MSG_FRONTEND_REQ, reply->hdr.request));
		vu_msg_close_fds(reply);
		shutdown(fe->sock, SHUT_RDWR);
		return -EPROTO;
	}
	return 0;
}

/*
 * Send @p req and wait for what the protocol says comes back. With a
 * VU_REPLY_ALWAYS request, @p reply receives the reply (the caller owns its
 * fds); with an ack, 0 or -EIO. Called with fe->lock held.
 */
int
fe_request(struct vu_frontend *fe, uint32_t req, const void *payload, uint32_t size,
	   const int *fds, unsigned int nfds, struct vu_msg *reply)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, req);
	struct vu_msg m = { .hdr = { req, VU_PROTO_VERSION, size } };
	struct vu_msg local;
	bool ack, hung_up;
	int ret;


	pthread_mutex_lock(&fe->conn_lock);
	hung_up = fe->hung_up;
	pthread_mutex_unlock(&fe->conn_lock);
	if (fe->sock < 0 || hung_up)
		return -ENOTCONN;	/* closed, or hung up and not yet recovered */
	ack = info->reply == VU_REPLY_ACK && FE_HAS_PF(fe, REPLY_ACK);
	if (ack)
		m.hdr.flags |= VU_FLAG_NEED_REPLY;
	if (size)
		memcpy(&m.payload, payload, size);
	if (nfds)
		memcpy(m.fds, fds, nfds * sizeof(int));
	m.nfds = nfds;
	ret = vu_msg_send(fe->sock, &m);
	if (ret < 0) {
		FE_LOG(ERR, fe, "%s: send: %s", info->name, strerror(-ret));
		return ret;
	}
	if (!ack && info->reply != VU_REPLY_ALWAYS)
		return 0;
	if (reply == NULL)
		reply = &local;
	ret = await_reply(fe, req, reply);
	if (ret < 0)
		return ret;
	if (ack) {
		if (reply->payload.u64 != 0) {
			FE_LOG(ERR, fe, "%s: the backend failed it (0x%" PRIx64 ")", info->name,
			       reply->payload.u64);
			return -EIO;
		}
		return 0;
	}
	if (reply == &local)
		vu_msg_close_fds(reply);
	return 0;
}

int
fe_request_u64(struct vu_frontend *fe, uint32_t req, uint64_t v)
{
	return fe_request(fe, req, &v, sizeof(v), NULL, 0, NULL);
}

int
fe_request_state(struct vu_frontend *fe, uint32_t req, uint32_t index, uint32_t num)
{
	struct vu_vring_state s = { index, num };

	return fe_request(fe, req, &s, sizeof(s), NULL, 0, NULL);
}
