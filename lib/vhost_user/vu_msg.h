/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhost-user messages: the request table, and receive/send with SCM_RIGHTS.
 *
 * One table (vu_msg.c) describes every request in both directions: its
 * payload size (exact, or a min/max with a consistency rule for the variable
 * ones), the fds it may carry, and whether the peer always replies. The
 * receive path checks all of that once, so a handler only ever sees a message
 * whose size, fd count and shape match the specification.
 *
 * Both functions are blocking and meant for the control plane (vu-ctl
 * thread, or a caller waiting for a reply). A socket with SO_RCVTIMEO set
 * (vu_socket_set_timeout()) bounds every wait.
 */
#ifndef VU_MSG_H
#define VU_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "vu_proto.h"

/** Which way a message travels; selects the table and the reply rules. */
enum vu_msg_kind {
	VU_MSG_FRONTEND_REQ,	/**< front-end request, read by the back-end */
	VU_MSG_FRONTEND_REPLY,	/**< back-end's reply to a front-end request */
	VU_MSG_BACKEND_REQ,	/**< back-end request, read by the front-end */
	VU_MSG_BACKEND_REPLY,	/**< front-end's reply to a back-end request */
};

/** The fds a message may carry. */
enum vu_msg_fds {
	VU_FDS_NONE,		/**< none */
	VU_FDS_ONE,		/**< exactly one */
	VU_FDS_OPTIONAL,	/**< zero or one */
	VU_FDS_VRING,		/**< one, or none when the first u64 has VU_VRING_NOFD */
	VU_FDS_REGIONS,		/**< one per memory region in the payload */
};

/** When the receiver of a request answers it. */
enum vu_msg_reply {
	VU_REPLY_ACK,		/**< only with VU_FLAG_NEED_REPLY: a u64, 0 = success */
	VU_REPLY_ALWAYS,	/**< always, with the payload described by reply_* */
};

/** Static facts about one request; see vu_msg_info(). */
struct vu_msg_info {
	const char *name;	/**< spec name without the VHOST_USER_ prefix */
	uint16_t min_size;	/**< smallest request payload */
	uint16_t max_size;	/**< largest request payload (= min_size when fixed) */
	uint8_t fds;		/**< enum vu_msg_fds, request */
	uint8_t reply;		/**< enum vu_msg_reply */
	uint16_t reply_min;	/**< smallest reply payload (VU_REPLY_ALWAYS) */
	uint16_t reply_max;	/**< largest reply payload (VU_REPLY_ALWAYS) */
	uint8_t reply_fds;	/**< enum vu_msg_fds, reply (VU_REPLY_ALWAYS) */
};

/** Every payload the protocol defines; packed so it follows the header directly. */
union vu_msg_payload {
	uint64_t u64;	/**< a plain number */
	struct vu_vring_state state;	/**< ring state */
	struct vu_vring_addr addr;	/**< SET_VRING_ADDR */
	struct vu_mem_regions mem;	/**< SET_MEM_TABLE */
	struct vu_mem_region_msg region;	/**< ADD/REM_MEM_REG */
	struct vu_log log;	/**< SET_LOG_BASE */
	struct vu_iotlb iotlb;	/**< IOTLB_MSG */
	struct vu_config config;	/**< GET/SET_CONFIG */
	struct vu_vring_area area;	/**< VRING_HOST_NOTIFIER_MSG */
	struct vu_inflight inflight;	/**< GET/SET_INFLIGHT_FD */
	struct vu_device_state device_state;	/**< SET_DEVICE_STATE_FD */
	struct vu_shared_object object;	/**< shared objects */
	struct vu_shmem_config shmem_config;	/**< GET_SHMEM_CONFIG reply */
	struct vu_shmem_map shmem_map;	/**< SHMEM_MAP/UNMAP */
	uint8_t crypto_session[VU_CRYPTO_SESSION_MAX];	/**< CREATE_CRYPTO_SESSION, opaque */
} __rte_packed;

/** Largest payload of any known request or reply. */
#define VU_MSG_PAYLOAD_MAX	sizeof(union vu_msg_payload)

/** A message with the fds that came (or go) with it. */
struct vu_msg {
	struct vu_msg_hdr hdr;		/**< request, flags, payload size */
	union vu_msg_payload payload;	/**< hdr.size bytes of it are valid */
	int fds[VU_MAX_FDS];	/**< owned by whoever holds the message */
	unsigned int nfds;		/**< fds in use */
};

/**
 * Look up a request.
 *
 * @param kind    direction; requests and replies share an entry
 * @param request request number from the header
 * @return the table entry, or NULL for a number the protocol does not define.
 * Thread: any.
 */
const struct vu_msg_info *vu_msg_info(enum vu_msg_kind kind, uint32_t request);

/**
 * Name of a request for logs: "GET_FEATURES", or "UNKNOWN" for a number the
 * protocol does not define. Thread: any.
 */
const char *vu_msg_name(enum vu_msg_kind kind, uint32_t request);

/**
 * Receive and validate one message.
 *
 * Reads the header, rejects a bad version or a size above the request's
 * maximum before reading any payload, then reads the payload and the fds
 * (at most VU_MAX_FDS) and checks size, shape, reply flag and fd count
 * against the table. EINTR and partial reads are handled. On any error every
 * fd received is closed and @p msg holds no fd.
 *
 * @param sock connected SOCK_STREAM unix socket
 * @param kind what is expected on this socket
 * @param msg  filled on success; its header is also filled on the errors
 *             marked (hdr) so the caller can name the request or reply to it
 * @param name socket or peer name for log lines
 * @return 0 on success, or
 *   - -ENOTCONN: the peer closed the connection between messages;
 *   - -ECONNRESET: the peer closed it in the middle of a message;
 *   - -ETIMEDOUT: the socket's receive timeout expired;
 *   - -EPROTO: version not VU_PROTO_VERSION;
 *   - -EMSGSIZE (hdr): size above the request's maximum; nothing was read;
 *   - -EOPNOTSUPP (hdr): unknown request; the message was consumed;
 *   - -EBADMSG (hdr): size or payload shape wrong, or reply flag wrong;
 *   - -EBADF (hdr): wrong number of fds for the request;
 *   - -ETOOMANYREFS (hdr): more than VU_MAX_FDS fds were sent;
 *   - another -errno from recvmsg().
 *   After the errors that vu_msg_err_is_fatal() names, the stream is out
 *   of step and the connection must be closed; after the others the message
 *   was consumed whole and the caller may reply with a failure.
 * Thread: control plane (blocks).
 */
int vu_msg_recv(int sock, enum vu_msg_kind kind, struct vu_msg *msg, const char *name);

/**
 * Send one message: header, hdr.size payload bytes and msg->nfds fds in one
 * sendmsg() where the kernel takes it all, with MSG_NOSIGNAL so a dead peer
 * gives -EPIPE instead of SIGPIPE. The fds stay owned by the caller.
 *
 * @return 0, -EINVAL (hdr.size above VU_MSG_PAYLOAD_MAX or nfds above
 *   VU_MAX_FDS), -EPIPE/-ECONNRESET (peer gone), -ETIMEDOUT (send timeout),
 *   or another -errno from sendmsg().
 * Thread: control plane (blocks).
 */
int vu_msg_send(int sock, const struct vu_msg *msg);

/**
 * Build a reply to @p req in @p reply: same request number, version and
 * VU_FLAG_REPLY, the given payload size, no fds. Thread: any.
 */
void vu_msg_reply_init(struct vu_msg *reply, const struct vu_msg *req, uint32_t size);

/** Close every fd a message holds and set nfds to 0. Thread: any. */
void vu_msg_close_fds(struct vu_msg *msg);

/**
 * Whether an error from vu_msg_recv() leaves the byte stream out of step, so
 * that the connection can only be closed. Thread: any.
 */
bool vu_msg_err_is_fatal(int err);

#endif /* VU_MSG_H */
