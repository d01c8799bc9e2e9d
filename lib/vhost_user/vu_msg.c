/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request table and message receive/send.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_common.h>

#include "vu_msg.h"
#include "vu_vhost_user_log.h"

RTE_LOG_REGISTER_SUFFIX(vu_vhost_user_logtype_config, config, INFO);

/*
 * Every complaint below is triggered by the peer, who can repeat it at will:
 * rate-limit them. Per thread, since vu-ctl and a caller awaiting a reply
 * both receive.
 */
static __thread struct vu_log_ratelimit msg_log_rl;
#define MSG_LOG(name, fmt, ...) \
	VU_LOG_RL(&msg_log_rl, vu_vhost_user_logtype_config, ERR, "VHOST_USER", name, \
		  fmt, ##__VA_ARGS__)

/*
 * Payload types: X(type, min size, max size, shape). A fixed payload has
 * min == max; a variable one names the function that computes the size its
 * own counters imply, which must equal hdr.size.
 */
#define VU_PAYLOAD_TYPES(X) \
	X(NONE,		0, 0, NULL) \
	X(U64,		sizeof(uint64_t), sizeof(uint64_t), NULL) \
	X(STATE,	sizeof(struct vu_vring_state), sizeof(struct vu_vring_state), NULL) \
	X(ADDR,		sizeof(struct vu_vring_addr), sizeof(struct vu_vring_addr), NULL) \
	X(MEM_TABLE,	offsetof(struct vu_mem_regions, regions), sizeof(struct vu_mem_regions), \
			mem_table_size) \
	X(REGION,	sizeof(struct vu_mem_region_msg), sizeof(struct vu_mem_region_msg), NULL) \
	X(LOG,		sizeof(struct vu_log), sizeof(struct vu_log), NULL) \
	X(IOTLB,	sizeof(struct vu_iotlb), sizeof(struct vu_iotlb), NULL) \
	X(CONFIG,	VU_CONFIG_HDR_SIZE, sizeof(struct vu_config), config_size) \
	X(AREA,		sizeof(struct vu_vring_area), sizeof(struct vu_vring_area), NULL) \
	X(INFLIGHT,	sizeof(struct vu_inflight), sizeof(struct vu_inflight), NULL) \
	X(DSTATE,	sizeof(struct vu_device_state), sizeof(struct vu_device_state), NULL) \
	X(OBJECT,	sizeof(struct vu_shared_object), sizeof(struct vu_shared_object), NULL) \
	X(SHMEM_CONFIG,	sizeof(struct vu_shmem_config), sizeof(struct vu_shmem_config), NULL) \
	X(SHMEM_MAP,	sizeof(struct vu_shmem_map), sizeof(struct vu_shmem_map), NULL) \
	X(CRYPTO,	0, VU_CRYPTO_SESSION_MAX, NULL)

/*
 * Front-end requests: X(name, request payload, request fds, reply policy,
 * reply payload, reply fds). A VU_REPLY_ACK request is answered, when
 * NEED_REPLY asks for it, with a U64 and no fd.
 */
#define VU_FRONTEND_TABLE(X) \
	X(GET_FEATURES,		NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(SET_FEATURES,		U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_OWNER,		NONE,	   NONE,     ACK,    NONE,	NONE)     \
	X(RESET_OWNER,		NONE,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_MEM_TABLE,	MEM_TABLE, REGIONS,  ACK,    NONE,	NONE)     \
	X(SET_LOG_BASE,		LOG,	   ONE,      ALWAYS, U64,	NONE)     \
	X(SET_LOG_FD,		NONE,	   ONE,      ACK,    NONE,	NONE)     \
	X(SET_VRING_NUM,	STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_VRING_ADDR,	ADDR,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_VRING_BASE,	STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(GET_VRING_BASE,	STATE,	   NONE,     ALWAYS, STATE,	NONE)     \
	X(SET_VRING_KICK,	U64,	   VRING,    ACK,    NONE,	NONE)     \
	X(SET_VRING_CALL,	U64,	   VRING,    ACK,    NONE,	NONE)     \
	X(SET_VRING_ERR,	U64,	   VRING,    ACK,    NONE,	NONE)     \
	X(GET_PROTOCOL_FEATURES, NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(SET_PROTOCOL_FEATURES, U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(GET_QUEUE_NUM,	NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(SET_VRING_ENABLE,	STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(SEND_RARP,		U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(NET_SET_MTU,		U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_BACKEND_REQ_FD,	NONE,	   ONE,      ACK,    NONE,	NONE)     \
	X(IOTLB_MSG,		IOTLB,	   NONE,     ACK,    NONE,	NONE)     \
	X(SET_VRING_ENDIAN,	STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(GET_CONFIG,		CONFIG,	   NONE,     ALWAYS, CONFIG,	NONE)     \
	X(SET_CONFIG,		CONFIG,	   NONE,     ACK,    NONE,	NONE)     \
	X(CREATE_CRYPTO_SESSION, CRYPTO,   NONE,     ALWAYS, CRYPTO,	NONE)     \
	X(CLOSE_CRYPTO_SESSION,	U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(POSTCOPY_ADVISE,	NONE,	   NONE,     ALWAYS, U64,	ONE)      \
	X(POSTCOPY_LISTEN,	NONE,	   NONE,     ACK,    NONE,	NONE)     \
	X(POSTCOPY_END,		NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(GET_INFLIGHT_FD,	INFLIGHT,  NONE,     ALWAYS, INFLIGHT,	ONE)      \
	X(SET_INFLIGHT_FD,	INFLIGHT,  ONE,      ACK,    NONE,	NONE)     \
	X(GPU_SET_SOCKET,	NONE,	   ONE,      ACK,    NONE,	NONE)     \
	X(RESET_DEVICE,		NONE,	   NONE,     ACK,    NONE,	NONE)     \
	X(VRING_KICK,		STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(GET_MAX_MEM_SLOTS,	NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(ADD_MEM_REG,		REGION,	   ONE,      ACK,    NONE,	NONE)     \
	X(REM_MEM_REG,		REGION,	   OPTIONAL, ACK,    NONE,	NONE)     \
	X(SET_STATUS,		U64,	   NONE,     ACK,    NONE,	NONE)     \
	X(GET_STATUS,		NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(GET_SHARED_OBJECT,	OBJECT,	   NONE,     ALWAYS, U64,	OPTIONAL) \
	X(SET_DEVICE_STATE_FD,	DSTATE,	   ONE,      ALWAYS, U64,	OPTIONAL) \
	X(CHECK_DEVICE_STATE,	NONE,	   NONE,     ALWAYS, U64,	NONE)     \
	X(GET_SHMEM_CONFIG,	NONE,	   NONE,     ALWAYS, SHMEM_CONFIG, NONE)

/* Back-end requests, same columns. */
#define VU_BACKEND_TABLE(X) \
	X(IOTLB_MSG,		IOTLB,	   NONE,     ACK,    NONE,	NONE)     \
	X(CONFIG_CHANGE_MSG,	NONE,	   NONE,     ACK,    NONE,	NONE)     \
	X(VRING_HOST_NOTIFIER_MSG, AREA,   VRING,    ACK,    NONE,	NONE)     \
	X(VRING_CALL,		STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(VRING_ERR,		STATE,	   NONE,     ACK,    NONE,	NONE)     \
	X(SHARED_OBJECT_ADD,	OBJECT,	   NONE,     ACK,    NONE,	NONE)     \
	X(SHARED_OBJECT_REMOVE,	OBJECT,	   NONE,     ACK,    NONE,	NONE)     \
	X(SHARED_OBJECT_LOOKUP,	OBJECT,	   NONE,     ALWAYS, U64,	OPTIONAL) \
	X(SHMEM_MAP,		SHMEM_MAP, ONE,      ACK,    NONE,	NONE)     \
	X(SHMEM_UNMAP,		SHMEM_MAP, NONE,     ACK,    NONE,	NONE)

typedef uint64_t (*payload_size_fn)(const union vu_msg_payload *p);

/* Size a SET_MEM_TABLE payload must have for the region count it states. */
static uint64_t
mem_table_size(const union vu_msg_payload *p)
{
	if (p->mem.nregions > VU_MEM_TABLE_MAX_REGIONS)
		return UINT64_MAX;
	return offsetof(struct vu_mem_regions, regions) +
	       (uint64_t)p->mem.nregions * sizeof(struct vu_mem_region);
}

/* Size a config payload must have; its window must lie in the config space. */
static uint64_t
config_size(const union vu_msg_payload *p)
{
	if ((uint64_t)p->config.offset + p->config.size > VU_CONFIG_SPACE_MAX)
		return UINT64_MAX;
	return VU_CONFIG_HDR_SIZE + (uint64_t)p->config.size;
}

enum payload_type {
#define X(type, min, max, fn) PAYLOAD_ ## type,
	VU_PAYLOAD_TYPES(X)
#undef X
};

/* Bounds as constants, so the request rows below can use them. */
enum {
#define X(type, min, max, fn) PMIN_ ## type = (min), PMAX_ ## type = (max),
	VU_PAYLOAD_TYPES(X)
#undef X
};

/* Variable payloads: the size their own counters imply. */
static const payload_size_fn payload_size_of[] = {
#define X(type, min, max, fn) [PAYLOAD_ ## type] = fn,
	VU_PAYLOAD_TYPES(X)
#undef X
};

/* One row: the request's entry plus which payload types it uses. */
struct msg_row {
	struct vu_msg_info info;
	uint8_t req_type;
	uint8_t reply_type;
};

#define ROW(req_name, req, rfds, policy, rep, repfds) { \
	.info = { \
		.name = #req_name, \
		.min_size = PMIN_ ## req, \
		.max_size = PMAX_ ## req, \
		.fds = VU_FDS_ ## rfds, \
		.reply = VU_REPLY_ ## policy, \
		.reply_min = PMIN_ ## rep, \
		.reply_max = PMAX_ ## rep, \
		.reply_fds = VU_FDS_ ## repfds, \
	}, \
	.req_type = PAYLOAD_ ## req, \
	.reply_type = PAYLOAD_ ## rep, \
},
#define FRONTEND_ROW(req_name, ...) [VU_REQ_ ## req_name] = ROW(req_name, __VA_ARGS__)
#define BACKEND_ROW(req_name, ...) [VU_BREQ_ ## req_name] = ROW(req_name, __VA_ARGS__)

static const struct msg_row frontend_rows[VU_REQ_MAX] = {
	VU_FRONTEND_TABLE(FRONTEND_ROW)
};
static const struct msg_row backend_rows[VU_BREQ_MAX] = {
	VU_BACKEND_TABLE(BACKEND_ROW)
};

static const struct msg_row *
msg_row(enum vu_msg_kind kind, uint32_t request)
{
	const struct msg_row *row;

	if (kind == VU_MSG_FRONTEND_REQ || kind == VU_MSG_FRONTEND_REPLY) {
		if (request >= RTE_DIM(frontend_rows))
			return NULL;
		row = &frontend_rows[request];
	} else {
		if (request >= RTE_DIM(backend_rows))
			return NULL;
		row = &backend_rows[request];
	}
	return row->info.name != NULL ? row : NULL;
}

const struct vu_msg_info *
vu_msg_info(enum vu_msg_kind kind, uint32_t request)
{
	const struct msg_row *row = msg_row(kind, request);

	return row != NULL ? &row->info : NULL;
}

const char *
vu_msg_name(enum vu_msg_kind kind, uint32_t request)
{
	const struct msg_row *row = msg_row(kind, request);

	return row != NULL ? row->info.name : "UNKNOWN";
}

static bool
kind_is_reply(enum vu_msg_kind kind)
{
	return kind == VU_MSG_FRONTEND_REPLY || kind == VU_MSG_BACKEND_REPLY;
}

void
vu_msg_close_fds(struct vu_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->nfds; i++)
		if (msg->fds[i] >= 0)
			close(msg->fds[i]);
	msg->nfds = 0;
}

bool
vu_msg_err_is_fatal(int err)
{
	switch (err) {
	case -EOPNOTSUPP:
	case -EBADMSG:
	case -EBADF:
	case -ETOOMANYREFS:
		return false;
	default:
		return err < 0;
	}
}

/*
 * One recvmsg() into @p buf, keeping any fds that come with it. Fds beyond
 * VU_MAX_FDS, or a control message the kernel had to cut, set *@p excess.
 */
static ssize_t
recv_chunk(int sock, void *buf, size_t len, struct vu_msg *msg, bool *excess)
{
	union {
		char buf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t i, count;
		int fd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < count; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (msg->nfds < VU_MAX_FDS) {
				msg->fds[msg->nfds++] = fd;
			} else {
				close(fd);
				*excess = true;
			}
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		*excess = true;
	return n;
}

/* Read exactly @p len bytes; returns the count read (short only on EOF) or -errno. */
static ssize_t
recv_full(int sock, void *buf, size_t len, struct vu_msg *msg, bool *excess)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv_chunk(sock, (char *)buf + got, len - got, msg, excess);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Whether the fds that came with @p msg are what @p policy allows. */
static bool
fds_match(enum vu_msg_fds policy, const struct vu_msg *msg)
{
	switch (policy) {
	case VU_FDS_NONE:
		return msg->nfds == 0;
	case VU_FDS_ONE:
		return msg->nfds == 1;
	case VU_FDS_OPTIONAL:
		return msg->nfds <= 1;
	case VU_FDS_VRING:
		return msg->nfds == ((msg->payload.u64 & VU_VRING_NOFD) ? 0u : 1u);
	case VU_FDS_REGIONS:
		return msg->nfds == msg->payload.mem.nregions;
	}
	return false;
}

/* What the table says a message of @p kind may look like. */
struct msg_shape {
	uint16_t min, max;
	uint8_t fds;
	payload_size_fn size_of;
};

static struct msg_shape
msg_shape(enum vu_msg_kind kind, const struct msg_row *row)
{
	struct msg_shape s = {
		.min = row->info.min_size, .max = row->info.max_size,
		.fds = row->info.fds, .size_of = payload_size_of[row->req_type],
	};

	if (!kind_is_reply(kind))
		return s;
	if (row->info.reply == VU_REPLY_ALWAYS) {
		s.min = row->info.reply_min;
		s.max = row->info.reply_max;
		s.fds = row->info.reply_fds;
		s.size_of = payload_size_of[row->reply_type];
	} else {
		/* REPLY_ACK: a u64 status and nothing else. */
		s.min = s.max = sizeof(uint64_t);
		s.fds = VU_FDS_NONE;
		s.size_of = NULL;
	}
	return s;
}

/* Checks that need the whole message: reply bit, size, shape, fds. */
static int
check_msg(enum vu_msg_kind kind, const struct msg_shape *s, const struct vu_msg *msg,
	  const char *name)
{
	const char *req = vu_msg_name(kind, msg->hdr.request);
	bool is_reply = (msg->hdr.flags & VU_FLAG_REPLY) != 0;

	if (is_reply != kind_is_reply(kind)) {
		MSG_LOG(name, "%s: reply flag %s on a %s", req,
			is_reply ? "set" : "missing", kind_is_reply(kind) ? "reply" : "request");
		return -EBADMSG;
	}
	if (msg->hdr.size < s->min ||
	    (s->size_of != NULL && s->size_of(&msg->payload) != msg->hdr.size)) {
		MSG_LOG(name, "%s: payload size %u does not match its contents (%u..%u)",
			req, msg->hdr.size, s->min, s->max);
		return -EBADMSG;
	}
	if (!fds_match(s->fds, msg)) {
		MSG_LOG(name, "%s: %u fds is not what this message carries", req, msg->nfds);
		return -EBADF;
	}
	return 0;
}

/* Read and drop the payload of a message we will not handle; 0 or -errno. */
static int
drain_payload(int sock, struct vu_msg *msg, bool *excess)
{
	ssize_t n = recv_full(sock, &msg->payload, msg->hdr.size, msg, excess);

	if (n < 0)
		return (int)n;
	return (size_t)n == msg->hdr.size ? 0 : -ECONNRESET;
}

static int
recv_header(int sock, struct vu_msg *msg, bool *excess, const char *name)
{
	ssize_t n = recv_full(sock, &msg->hdr, sizeof(msg->hdr), msg, excess);

	if (n == 0)
		return -ENOTCONN;
	if (n < 0)
		return (int)n;
	if ((size_t)n < sizeof(msg->hdr)) {
		MSG_LOG(name, "connection closed inside a message header (%zd of %zu bytes)",
			n, sizeof(msg->hdr));
		return -ECONNRESET;
	}
	if ((msg->hdr.flags & VU_FLAG_VERSION_MASK) != VU_PROTO_VERSION) {
		MSG_LOG(name, "request %u: protocol version %u, expected %u",
			msg->hdr.request, msg->hdr.flags & VU_FLAG_VERSION_MASK, VU_PROTO_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Read the payload after a valid header; 0 or -errno. */
static int
recv_body(int sock, enum vu_msg_kind kind, struct vu_msg *msg, bool *excess,
	  const char *name)
{
	const struct msg_row *row = msg_row(kind, msg->hdr.request);
	struct msg_shape s;
	ssize_t n;
	int ret;

	if (row == NULL) {
		MSG_LOG(name, "unknown request %u (%u payload bytes)",
			msg->hdr.request, msg->hdr.size);
		if (msg->hdr.size > VU_MSG_PAYLOAD_MAX)
			return -EMSGSIZE;
		ret = drain_payload(sock, msg, excess);
		return ret != 0 ? ret : -EOPNOTSUPP;
	}
	s = msg_shape(kind, row);
	if (msg->hdr.size > s.max) {
		MSG_LOG(name, "%s: payload size %u above its maximum %u",
			row->info.name, msg->hdr.size, s.max);
		return -EMSGSIZE;
	}
	n = recv_full(sock, &msg->payload, msg->hdr.size, msg, excess);
	if (n < 0)
		return (int)n;
	if ((size_t)n < msg->hdr.size) {
		MSG_LOG(name, "%s: connection closed inside the payload (%zd of %u bytes)",
			row->info.name, n, msg->hdr.size);
		return -ECONNRESET;
	}
	if (*excess) {
		MSG_LOG(name, "%s: more than %d fds", row->info.name, VU_MAX_FDS);
		return -ETOOMANYREFS;
	}
	return check_msg(kind, &s, msg, name);
}

int
vu_msg_recv(int sock, enum vu_msg_kind kind, struct vu_msg *msg, const char *name)
{
	bool excess = false;
	int ret;

	msg->nfds = 0;
	ret = recv_header(sock, msg, &excess, name);
	if (ret == 0) {
		/* Zero what the peer does not send, so short payloads read as 0. */
		memset(&msg->payload, 0, sizeof(msg->payload));
		ret = recv_body(sock, kind, msg, &excess, name);
	}
	if (ret != 0)
		vu_msg_close_fds(msg);
	return ret;
}

/* Put @p msg's fds in an SCM_RIGHTS control message of @p mh. */
static void
attach_fds(struct msghdr *mh, void *control, const struct vu_msg *msg)
{
	struct cmsghdr *cm;

	mh->msg_control = control;
	mh->msg_controllen = CMSG_SPACE(msg->nfds * sizeof(int));
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(msg->nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), msg->fds, msg->nfds * sizeof(int));
}

int
vu_msg_send(int sock, const struct vu_msg *msg)
{
	union {
		char buf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	size_t total = sizeof(msg->hdr) + msg->hdr.size, sent = 0;

	if (msg->hdr.size > VU_MSG_PAYLOAD_MAX || msg->nfds > VU_MAX_FDS)
		return -EINVAL;
	/* hdr and payload are adjacent in struct vu_msg: send them as one buffer. */
	RTE_BUILD_BUG_ON(offsetof(struct vu_msg, payload) != sizeof(struct vu_msg_hdr));
	memset(&control, 0, sizeof(control));
	while (sent < total) {
		struct iovec iov = {
			.iov_base = (char *)(uintptr_t)msg + sent, .iov_len = total - sent,
		};
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (sent == 0 && msg->nfds > 0)
			attach_fds(&mh, control.buf, msg); /* fds ride on the first byte */
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
		sent += (size_t)n;
	}
	return 0;
}

void
vu_msg_reply_init(struct vu_msg *reply, const struct vu_msg *req, uint32_t size)
{
	reply->hdr.request = req->hdr.request;
	reply->hdr.flags = VU_PROTO_VERSION | VU_FLAG_REPLY;
	reply->hdr.size = size;
	reply->nfds = 0;
}
