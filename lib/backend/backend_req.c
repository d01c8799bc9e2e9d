/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Front-end requests: one table, one dispatcher, one handler per request.
 *
 * vu_msg_recv() has already checked size, shape and fds against the protocol
 * table. The dispatcher here checks the ring index once (column "ring"),
 * calls the handler, and sends the reply the protocol asks for: the handler's
 * payload for requests that always reply, the failure the protocol defines
 * for them (column "fail"), and the REPLY_ACK status when the front-end set
 * NEED_REPLY. A handler takes an fd it keeps by setting msg->fds[i] = -1;
 * the dispatcher closes the rest.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "backend_priv.h"
#include "vu_mem.h"

/* Where a request carries its ring index. */
enum ring_arg { RING_NONE, RING_STATE, RING_U64, RING_ADDR };

/* How a request that always replies reports a failure. */
enum fail_reply {
	FAIL_CLOSE,	/* no failure encoding: close the connection */
	FAIL_U64,	/* u64 payload, non-zero */
	FAIL_EMPTY,	/* zero-size payload (GET_CONFIG) */
};

typedef int (*be_handler)(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply);

#define BE_REQUESTS(X) \
	X(GET_FEATURES,		get_features,		RING_NONE,  FAIL_CLOSE) \
	X(SET_FEATURES,		set_features,		RING_NONE,  FAIL_CLOSE) \
	X(SET_OWNER,		set_owner,		RING_NONE,  FAIL_CLOSE) \
	X(RESET_OWNER,		reset_owner,		RING_NONE,  FAIL_CLOSE) \
	X(SET_MEM_TABLE,	set_mem_table,		RING_NONE,  FAIL_CLOSE) \
	X(SET_LOG_BASE,		set_log_base,		RING_NONE,  FAIL_U64)   \
	X(SET_LOG_FD,		set_log_fd,		RING_NONE,  FAIL_CLOSE) \
	X(SET_VRING_NUM,	set_vring_num,		RING_STATE, FAIL_CLOSE) \
	X(SET_VRING_ADDR,	set_vring_addr,		RING_ADDR,  FAIL_CLOSE) \
	X(SET_VRING_BASE,	set_vring_base,		RING_STATE, FAIL_CLOSE) \
	X(GET_VRING_BASE,	get_vring_base,		RING_STATE, FAIL_CLOSE) \
	X(SET_VRING_KICK,	set_vring_kick,		RING_U64,   FAIL_CLOSE) \
	X(SET_VRING_CALL,	set_vring_call,		RING_U64,   FAIL_CLOSE) \
	X(SET_VRING_ERR,	set_vring_err,		RING_U64,   FAIL_CLOSE) \
	X(GET_PROTOCOL_FEATURES, get_protocol_features, RING_NONE,  FAIL_CLOSE) \
	X(SET_PROTOCOL_FEATURES, set_protocol_features, RING_NONE,  FAIL_CLOSE) \
	X(GET_QUEUE_NUM,	get_queue_num,		RING_NONE,  FAIL_CLOSE) \
	X(SET_VRING_ENABLE,	set_vring_enable,	RING_STATE, FAIL_CLOSE) \
	X(SEND_RARP,		send_rarp,		RING_NONE,  FAIL_CLOSE) \
	X(NET_SET_MTU,		net_set_mtu,		RING_NONE,  FAIL_CLOSE) \
	X(SET_BACKEND_REQ_FD,	set_backend_req_fd,	RING_NONE,  FAIL_CLOSE) \
	X(IOTLB_MSG,		unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(SET_VRING_ENDIAN,	unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(GET_CONFIG,		get_config,		RING_NONE,  FAIL_EMPTY) \
	X(SET_CONFIG,		set_config,		RING_NONE,  FAIL_CLOSE) \
	X(CREATE_CRYPTO_SESSION, unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(CLOSE_CRYPTO_SESSION,	unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(POSTCOPY_ADVISE,	unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(POSTCOPY_LISTEN,	unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(POSTCOPY_END,		unsupported,		RING_NONE,  FAIL_U64)   \
	X(GET_INFLIGHT_FD,	get_inflight_fd,	RING_NONE,  FAIL_CLOSE) \
	X(SET_INFLIGHT_FD,	set_inflight_fd,	RING_NONE,  FAIL_CLOSE) \
	X(GPU_SET_SOCKET,	unsupported,		RING_NONE,  FAIL_CLOSE) \
	X(RESET_DEVICE,		reset_device,		RING_NONE,  FAIL_CLOSE) \
	X(VRING_KICK,		unsupported,		RING_STATE, FAIL_CLOSE) \
	X(GET_MAX_MEM_SLOTS,	get_max_mem_slots,	RING_NONE,  FAIL_CLOSE) \
	X(ADD_MEM_REG,		add_mem_reg,		RING_NONE,  FAIL_CLOSE) \
	X(REM_MEM_REG,		rem_mem_reg,		RING_NONE,  FAIL_CLOSE) \
	X(SET_STATUS,		set_status,		RING_NONE,  FAIL_CLOSE) \
	X(GET_STATUS,		get_status,		RING_NONE,  FAIL_CLOSE) \
	X(GET_SHARED_OBJECT,	unsupported,		RING_NONE,  FAIL_U64)   \
	X(SET_DEVICE_STATE_FD,	set_device_state_fd,	RING_NONE,  FAIL_U64)   \
	X(CHECK_DEVICE_STATE,	check_device_state,	RING_NONE,  FAIL_U64)   \
	X(GET_SHMEM_CONFIG,	get_shmem_config,	RING_NONE,  FAIL_CLOSE)

/* Protocol features the engine itself implements; a device offers a subset. */
#define BE_ENGINE_PROTOCOL_FEATURES ( \
	RTE_BIT64(VU_PF_MQ) | RTE_BIT64(VU_PF_LOG_SHMFD) | RTE_BIT64(VU_PF_RARP) | \
	RTE_BIT64(VU_PF_REPLY_ACK) | RTE_BIT64(VU_PF_NET_MTU) | RTE_BIT64(VU_PF_BACKEND_REQ) | \
	RTE_BIT64(VU_PF_CONFIG) | RTE_BIT64(VU_PF_INFLIGHT_SHMFD) | \
	RTE_BIT64(VU_PF_RESET_DEVICE) | RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS) | \
	RTE_BIT64(VU_PF_STATUS) | RTE_BIT64(VU_PF_DEVICE_STATE) | RTE_BIT64(VU_PF_SHMEM))

static uint64_t
offered_features(const struct vu_backend *b)
{
	return b->ops->features | RTE_BIT64(VU_F_PROTOCOL_FEATURES);
}

static uint64_t
offered_protocol_features(const struct vu_backend *b)
{
	return b->ops->protocol_features & BE_ENGINE_PROTOCOL_FEATURES;
}

static bool
has_pf(const struct vu_backend *b, unsigned int bit)
{
	return (b->protocol_features & RTE_BIT64(bit)) != 0;
}

/* Take an fd out of a message, so the dispatcher does not close it. */
static int
take_fd(struct vu_msg *msg, unsigned int i)
{
	int fd = msg->fds[i];

	msg->fds[i] = -1;
	return fd;
}

static void
replace_fd(int *slot, int fd)
{
	if (*slot >= 0)
		close(*slot);
	*slot = fd;
}

static int
reply_u64(struct vu_msg *reply, uint64_t value)
{
	reply->payload.u64 = value;
	reply->hdr.size = sizeof(uint64_t);
	return 0;
}

/* ---- ownership and features ---- */

static int
get_features(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	return reply_u64(reply, offered_features(b));
}

static int
set_features(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	uint64_t features = msg->payload.u64, unexpected = features & ~offered_features(b);
	uint16_t i;
	int ret;

	RTE_SET_USED(reply);
	/*
	 * DPDK 22.11's virtio-user in server mode sends no SET_OWNER on a
	 * reconnected socket; neither DPDK's vhost nor libvhost-user checks
	 * ownership. The connection is exclusive already: take the first
	 * SET_FEATURES as the owner.
	 */
	if (!b->owned) {
		BE_LOG_RL(WARNING, b, "SET_FEATURES before SET_OWNER: taken as the owner");
		b->owned = true;
	}
	if (unexpected != 0) {
		BE_LOG_RL(ERR, b, "SET_FEATURES: bits 0x%" PRIx64 " were never offered", unexpected);
		return -EINVAL;
	}
	if (b->ops->ack_features != NULL) {
		ret = b->ops->ack_features(b, features);
		if (ret < 0)
			return ret;
	}
	be_rings_pause(b);
	b->features = features;
	/*
	 * Every ring is enabled by SET_FEATURES. Without PROTOCOL_FEATURES
	 * that is the specification's rule. With it, the specification says
	 * "initialized disabled", but the reference enables every ring here
	 * when PROTOCOL_FEATURES is acked, and QEMU depends on it: it sends
	 * SET_VRING_ENABLE when the NIC is attached, before SET_FEATURES, and
	 * not again when the device starts (measured with QEMU 7.2).
	 */
	for (i = 0; i < b->nvrings; i++)
		b->vrings[i].cfg.enabled = true;
	be_rings_resume(b);
	return 0;
}

static int
set_owner(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	RTE_SET_USED(reply);
	if (b->owned) {
		BE_LOG_RL(ERR, b, "SET_OWNER: already owned");
		return -EBUSY;
	}
	b->owned = true;
	return 0;
}

static int
reset_owner(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	RTE_SET_USED(reply);
	be_reset_device(b);
	b->owned = false;
	return 0;
}

static int
get_protocol_features(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	return reply_u64(reply, offered_protocol_features(b));
}

static int
set_protocol_features(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	uint64_t pf = msg->payload.u64;

	RTE_SET_USED(reply);
	if (pf & ~VU_PROTOCOL_FEATURES_KNOWN) {
		BE_LOG_RL(ERR, b, "SET_PROTOCOL_FEATURES: unknown bits 0x%" PRIx64,
			  pf & ~VU_PROTOCOL_FEATURES_KNOWN);
		return -EINVAL;
	}
	b->protocol_features = pf & offered_protocol_features(b);
	return 0;
}

static int
get_queue_num(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	return reply_u64(reply, b->ops->reported_queue_num ? b->ops->reported_queue_num
							   : b->ops->max_queues);
}

/* ---- rings ---- */

static struct be_vring *
msg_vring(struct vu_backend *b, const struct vu_msg *msg)
{
	/* The dispatcher checked the index (column "ring"). */
	switch (msg->hdr.request) {
	case VU_REQ_SET_VRING_ADDR:
		return &b->vrings[msg->payload.addr.index];
	case VU_REQ_SET_VRING_KICK:
	case VU_REQ_SET_VRING_CALL:
	case VU_REQ_SET_VRING_ERR:
		return &b->vrings[msg->payload.u64 & VU_VRING_IDX_MASK];
	default:
		return &b->vrings[msg->payload.state.index];
	}
}

static int
refuse_if_started(struct vu_backend *b, const struct be_vring *vr, const char *req)
{
	if (!vr->started)
		return 0;
	BE_LOG_RL(ERR, b, "%s: ring %u is running; stop it with GET_VRING_BASE first",
		  req, vr->cfg.index);
	return -EBUSY;
}

static int
set_vring_num(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	struct be_vring *vr = msg_vring(b, msg);
	uint32_t num = msg->payload.state.num;
	int ret;

	RTE_SET_USED(reply);
	ret = refuse_if_started(b, vr, "SET_VRING_NUM");
	if (ret < 0)
		return ret;
	if (num == 0 || num > VU_VRING_MAX_SIZE || !rte_is_power_of_2(num)) {
		BE_LOG_RL(ERR, b, "SET_VRING_NUM: ring %u size %u is not a power of 2 in 1..%u",
			  vr->cfg.index, num, VU_VRING_MAX_SIZE);
		return -EINVAL;
	}
	vr->cfg.size = (uint16_t)num;
	vr->addr_set = false; /* areas are checked against the size at SET_VRING_ADDR */
	return 0;
}

static int
set_vring_addr(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	const struct vu_vring_addr *a = &msg->payload.addr;
	struct be_vring *vr = msg_vring(b, msg);
	int ret;

	RTE_SET_USED(reply);
	ret = refuse_if_started(b, vr, "SET_VRING_ADDR");
	if (ret < 0)
		return ret;
	if (vr->cfg.size == 0) {
		BE_LOG_RL(ERR, b, "SET_VRING_ADDR: ring %u has no size yet (SET_VRING_NUM)",
			  a->index);
		return -EINVAL;
	}
	vr->desc_va = a->desc;
	vr->avail_va = a->avail;
	vr->used_va = a->used;
	vr->log_gpa = a->log;
	vr->addr_flags = a->flags;
	ret = be_vring_translate(b, vr);
	vr->addr_set = ret == 0;
	return ret;
}

static int
set_vring_base(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	struct be_vring *vr = msg_vring(b, msg);
	int ret;

	RTE_SET_USED(reply);
	ret = refuse_if_started(b, vr, "SET_VRING_BASE");
	if (ret < 0)
		return ret;
	/* Split rings: a free-running 16-bit index, any value is valid. */
	if (msg->payload.state.num > UINT16_MAX) {
		BE_LOG_RL(ERR, b, "SET_VRING_BASE: ring %u base %u above 65535",
			  vr->cfg.index, msg->payload.state.num);
		return -EINVAL;
	}
	vr->cfg.base = (uint16_t)msg->payload.state.num;
	return 0;
}

static int
get_vring_base(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	struct be_vring *vr = msg_vring(b, msg);
	uint16_t next = vr->cfg.base;
	int ret = 0;

	/* "The back-end must stop the ring upon receiving GET_VRING_BASE." */
	if (vr->started) {
		ret = be_vring_stop(b, vr, &next);
		if (ret == 0 && be_all_rings_stopped(b) && b->ops->enter_suspended_state != NULL)
			ret = b->ops->enter_suspended_state(b);
	}
	be_vring_clear(b, vr);
	reply->payload.state.index = msg->payload.state.index;
	reply->payload.state.num = next;
	reply->hdr.size = sizeof(struct vu_vring_state);
	return ret;
}

static int
set_vring_kick(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	struct be_vring *vr = msg_vring(b, msg);
	int ret;

	RTE_SET_USED(reply);
	ret = refuse_if_started(b, vr, "SET_VRING_KICK");
	if (ret < 0)
		return ret;
	if (b->mem == NULL || !vr->addr_set) {
		BE_LOG_RL(ERR, b, "SET_VRING_KICK: ring %u has no %s yet", vr->cfg.index,
			  b->mem == NULL ? "memory table" : "ring addresses");
		return -EINVAL;
	}
	replace_fd(&vr->cfg.kick_fd, msg->nfds ? take_fd(msg, 0) : -1);
	return be_vring_start(b, vr);
}

/* CALL and ERR: swap the fd; a running ring is paused around the swap. */
static int
set_vring_notifier(struct vu_backend *b, struct vu_msg *msg, int *slot)
{
	struct be_vring *vr = msg_vring(b, msg);
	int ret = be_vring_pause(b, vr);

	if (ret < 0)
		return ret;
	replace_fd(slot, msg->nfds ? take_fd(msg, 0) : -1);
	return be_vring_resume(b, vr);
}

static int
set_vring_call(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	return set_vring_notifier(b, msg, &msg_vring(b, msg)->cfg.call_fd);
}

static int
set_vring_err(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	return set_vring_notifier(b, msg, &msg_vring(b, msg)->cfg.err_fd);
}

static int
set_vring_enable(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	struct be_vring *vr = msg_vring(b, msg);
	int ret;

	RTE_SET_USED(reply);
	if (!(b->features & RTE_BIT64(VU_F_PROTOCOL_FEATURES))) {
		/* QEMU (at NIC attach) and DPDK's virtio-user (on reconnect) send
		 * it before SET_FEATURES, which then enables every ring: routine,
		 * so not an error line. */
		BE_LOG(DEBUG, b, "SET_VRING_ENABLE without PROTOCOL_FEATURES negotiated");
		return -EPERM;
	}
	if (msg->payload.state.num > 1) {
		BE_LOG_RL(ERR, b, "SET_VRING_ENABLE: ring %u value %u is not 0 or 1",
			  vr->cfg.index, msg->payload.state.num);
		return -EINVAL;
	}
	if (vr->cfg.enabled == (msg->payload.state.num == 1))
		return 0;	/* no change: the data plane keeps the ring */
	ret = be_vring_pause(b, vr);
	if (ret < 0)
		return ret;
	vr->cfg.enabled = msg->payload.state.num == 1;
	return be_vring_resume(b, vr);
}

/* ---- config space, net extras, status ---- */

static int
get_config(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	const struct vu_config *req = &msg->payload.config;
	int ret;

	if (b->ops->read_config == NULL)
		return -ENOTSUP;
	reply->payload.config = (struct vu_config){
		.offset = req->offset, .size = req->size, .flags = req->flags };
	ret = b->ops->read_config(b, req->offset, reply->payload.config.payload, req->size);
	if (ret < 0)
		return ret;
	/* The reply's size must match the request's (offset + size <= 256 checked). */
	reply->hdr.size = VU_CONFIG_HDR_SIZE + req->size;
	return 0;
}

static int
set_config(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	const struct vu_config *c = &msg->payload.config;

	RTE_SET_USED(reply);
	if (b->ops->write_config == NULL) {
		BE_LOG_RL(ERR, b, "SET_CONFIG: the %s device has no writable config", b->ops->type);
		return -ENOTSUP;
	}
	return b->ops->write_config(b, c->offset, c->payload, c->size);
}

static int
set_backend_req_fd(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	if (!has_pf(b, VU_PF_BACKEND_REQ)) {
		BE_LOG_RL(ERR, b, "SET_BACKEND_REQ_FD without BACKEND_REQ negotiated");
		return -EPERM;
	}
	be_channel_set(b, take_fd(msg, 0));
	return 0;
}

static int
send_rarp(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	uint8_t mac[6];

	RTE_SET_USED(reply);
	if (b->ops->send_rarp == NULL)
		return -ENOTSUP;
	memcpy(mac, &msg->payload.u64, sizeof(mac));
	return b->ops->send_rarp(b, mac);
}

static int
net_set_mtu(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	uint64_t mtu = msg->payload.u64;

	RTE_SET_USED(reply);
	if (b->ops->set_mtu == NULL)
		return -ENOTSUP;
	/* virtio-net: 68 (IPv4 minimum) .. 65535. */
	if (mtu < 68 || mtu > UINT16_MAX) {
		BE_LOG_RL(ERR, b, "NET_SET_MTU: %" PRIu64 " outside 68..65535", mtu);
		return -EINVAL;
	}
	return b->ops->set_mtu(b, (uint16_t)mtu);
}

static int
set_status(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	if (msg->payload.u64 > UINT8_MAX) {
		BE_LOG_RL(ERR, b, "SET_STATUS: 0x%" PRIx64 " is wider than 8 bits", msg->payload.u64);
		return -EINVAL;
	}
	/*
	 * Stored only, as DPDK does: QEMU writes 0 after stopping the rings and
	 * does not resend the channel or protocol features afterwards, so a
	 * reset here would lose them. RESET_DEVICE is the reset request.
	 */
	b->status = (uint8_t)msg->payload.u64;
	return 0;
}

static int
get_status(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	return reply_u64(reply, b->status);
}

static int
reset_device(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(msg);
	RTE_SET_USED(reply);
	be_reset_device(b);
	return 0;
}

static int
get_shmem_config(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	uint64_t size = b->ops->shmem_size != NULL ? b->ops->shmem_size(b) : 0;

	RTE_SET_USED(msg);
	memset(&reply->payload.shmem_config, 0, sizeof(reply->payload.shmem_config));
	reply->payload.shmem_config.nregions = size != 0;
	reply->payload.shmem_config.memory_sizes[0] = size;
	reply->hdr.size = sizeof(struct vu_shmem_config);
	return 0;
}

static int
unsupported(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	BE_LOG_RL(WARNING, b, "%s is not supported",
		  vu_msg_name(VU_MSG_FRONTEND_REQ, msg->hdr.request));
	return -ENOTSUP;
}

/* ---- guest memory ---- */

static int
set_mem_table(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	const struct vu_mem_regions *t = &msg->payload.mem;
	int ret;

	RTE_SET_USED(reply);
	ret = be_mem_set_table(b, t->regions, t->nregions, msg->fds);
	/* The memory library took (or closed) every fd. */
	msg->nfds = 0;
	return ret;
}

static int
add_mem_reg(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	return be_mem_add_region(b, &msg->payload.region.region, take_fd(msg, 0));
}

static int
rem_mem_reg(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	return be_mem_remove_region(b, &msg->payload.region.region);
}

static int
get_max_mem_slots(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(b);
	RTE_SET_USED(msg);
	return reply_u64(reply, VU_MEM_MAX_SLOTS);
}

static int
set_log_base(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	int ret;

	if (!has_pf(b, VU_PF_LOG_SHMFD)) {
		BE_LOG_RL(ERR, b, "SET_LOG_BASE without LOG_SHMFD negotiated");
		return -EPERM;
	}
	ret = be_mem_set_log(b, &msg->payload.log, take_fd(msg, 0));
	if (ret < 0)
		return ret;
	/* QEMU and DPDK wait for this reply; its u64 is 0 on success. */
	return reply_u64(reply, 0);
}

static int
set_log_fd(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	replace_fd(&b->log_call_fd, take_fd(msg, 0));
	return 0;
}

/* ---- inflight region and device state: backend_inflight.c, backend_state.c ---- */

static int
get_inflight_fd(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	int fd, ret;

	if (!has_pf(b, VU_PF_INFLIGHT_SHMFD)) {
		BE_LOG_RL(ERR, b, "GET_INFLIGHT_FD without INFLIGHT_SHMFD negotiated");
		return -EPERM;
	}
	ret = be_inflight_get(b, &msg->payload.inflight, &reply->payload.inflight, &fd);
	if (ret < 0)
		return ret;
	reply->hdr.size = sizeof(struct vu_inflight);
	reply->fds[0] = fd;	/* stays ours: sent as a copy, closed with the region */
	reply->nfds = 1;
	return 0;
}

static int
set_inflight_fd(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	RTE_SET_USED(reply);
	if (!has_pf(b, VU_PF_INFLIGHT_SHMFD)) {
		BE_LOG_RL(ERR, b, "SET_INFLIGHT_FD without INFLIGHT_SHMFD negotiated");
		return -EPERM;
	}
	return be_inflight_set(b, &msg->payload.inflight, take_fd(msg, 0));
}

static int
set_device_state_fd(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	int ret = be_state_start(b, &msg->payload.device_state, take_fd(msg, 0));

	if (ret < 0)
		return ret;
	/* vu always moves the state through the front-end's fd. */
	return reply_u64(reply, VU_DEVICE_STATE_REPLY_NOFD);
}

static int
check_device_state(struct vu_backend *b, struct vu_msg *msg, struct vu_msg *reply)
{
	int ret;

	RTE_SET_USED(msg);
	ret = be_state_finish(b);
	if (ret < 0)
		return ret;
	return reply_u64(reply, 0);
}

/* ---- the table and the dispatcher ---- */

struct be_request {
	be_handler fn;
	uint8_t ring;	/* enum ring_arg */
	uint8_t fail;	/* enum fail_reply */
};

static const struct be_request requests[VU_REQ_MAX] = {
#define X(name, handler, ring_arg, fail_reply) \
	[VU_REQ_ ## name] = { .fn = handler, .ring = ring_arg, .fail = fail_reply },
	BE_REQUESTS(X)
#undef X
};

/* The ring index a request names, checked against the device's rings. */
static int
check_ring_index(struct vu_backend *b, const struct be_request *r, const struct vu_msg *msg)
{
	uint64_t index;

	switch (r->ring) {
	case RING_STATE:
		index = msg->payload.state.index;
		break;
	case RING_ADDR:
		index = msg->payload.addr.index;
		break;
	case RING_U64:
		index = msg->payload.u64 & VU_VRING_IDX_MASK;
		break;
	default:
		return 0;
	}
	if (index < b->nvrings)
		return 0;
	BE_LOG_RL(ERR, b, "%s: ring index %" PRIu64 " out of range (%u rings)",
		  vu_msg_name(VU_MSG_FRONTEND_REQ, msg->hdr.request), index, b->nvrings);
	return -ERANGE;
}

/* Send the reply the protocol asks for; < 0 means close the connection. */
static int
send_reply(struct vu_backend *b, const struct be_request *r, const struct vu_msg *msg,
	   struct vu_msg *reply, int status)
{
	const struct vu_msg_info *info = vu_msg_info(VU_MSG_FRONTEND_REQ, msg->hdr.request);
	int ret;

	if (info->reply == VU_REPLY_ALWAYS && status < 0) {
		if (r->fail == FAIL_CLOSE)
			return status;
		reply->nfds = 0;
		reply->hdr.size = r->fail == FAIL_U64 ? sizeof(uint64_t) : 0;
		reply->payload.u64 = 1;
	} else if (info->reply == VU_REPLY_ACK) {
		/* REPLY_ACK: only when negotiated and asked for. */
		if (!(msg->hdr.flags & VU_FLAG_NEED_REPLY) || !has_pf(b, VU_PF_REPLY_ACK))
			return 0;
		reply_u64(reply, status < 0 ? 1 : 0);
	}
	ret = vu_msg_send(b->conn_fd, reply);
	if (ret < 0)
		BE_LOG(ERR, b, "%s: cannot send the reply: %s",
		       vu_msg_name(VU_MSG_FRONTEND_REQ, msg->hdr.request), strerror(-ret));
	return ret;
}

int
be_handle_msg(struct vu_backend *b, struct vu_msg *msg)
{
	const struct be_request *r = &requests[msg->hdr.request];
	struct vu_msg reply;
	int status;

	vu_msg_reply_init(&reply, msg, 0);
	BE_LOG(DEBUG, b, "%s size %u fds %u payload 0x%" PRIx64,
	       vu_msg_name(VU_MSG_FRONTEND_REQ, msg->hdr.request), msg->hdr.size, msg->nfds,
	       msg->hdr.size >= sizeof(uint64_t) ? msg->payload.u64 : 0);
	status = check_ring_index(b, r, msg);
	if (status == 0)
		status = r->fn(b, msg, &reply);
	if (status < 0)
		BE_LOG_RL(ERR, b, "%s failed: %s",
			  vu_msg_name(VU_MSG_FRONTEND_REQ, msg->hdr.request), strerror(-status));
	vu_msg_close_fds(msg);
	return send_reply(b, r, msg, &reply, status);
}
