/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The vhost-user wire format: request numbers, flags, feature bits and
 * payload layouts, as in the vhost-user specification (QEMU
 * docs/interop/vhost-user.rst). No state, no functions: just the bytes.
 *
 * Every multi-byte field is little-endian on the wire; vu only runs on
 * little-endian hosts (checked below), so the structs are used as they are.
 * Every payload struct is packed and its size is asserted against the
 * specification.
 */
#ifndef VU_PROTO_H
#define VU_PROTO_H

#include <stdint.h>

#include <rte_common.h>

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "vu supports little-endian hosts only"
#endif

/** Protocol version carried in the low bits of every header's flags. */
#define VU_PROTO_VERSION	1
/** Header flags: version field, reply bit and need-reply bit. */
#define VU_FLAG_VERSION_MASK	UINT32_C(0x3)
#define VU_FLAG_REPLY		(UINT32_C(1) << 2)	/**< this message is a reply */
#define VU_FLAG_NEED_REPLY	(UINT32_C(1) << 3)	/**< ask for a REPLY_ACK */

/** Most file descriptors one message may carry. */
#define VU_MAX_FDS		8
/** Regions in one SET_MEM_TABLE message. */
#define VU_MEM_TABLE_MAX_REGIONS 8
/** Size of a device configuration space. */
#define VU_CONFIG_SPACE_MAX	256
/** Longest ring a vhost-user queue may have. */
#define VU_VRING_MAX_SIZE	32768

/** Vring index in the u64 payload of SET_VRING_KICK/CALL/ERR. */
#define VU_VRING_IDX_MASK	UINT64_C(0xff)
/** Set in that u64 when the message carries no fd (polling, no signalling). */
#define VU_VRING_NOFD		(UINT64_C(1) << 8)

/** Virtio feature bits the protocol itself defines. */
#define VU_F_LOG_ALL			26  /**< VHOST_F_LOG_ALL */
#define VU_F_PROTOCOL_FEATURES		30  /**< VHOST_USER_F_PROTOCOL_FEATURES */
/** SET_VRING_ADDR flags: log used-ring writes to the dirty log. */
#define VU_VRING_F_LOG			(UINT32_C(1) << 0)

/**
 * Front-end requests: X(name, number). Names drop the VHOST_USER_ prefix.
 * Attributes per request live in the table of vu_msg.c.
 */
#define VU_FRONTEND_REQUEST_LIST(X) \
	X(GET_FEATURES,			1)  \
	X(SET_FEATURES,			2)  \
	X(SET_OWNER,			3)  \
	X(RESET_OWNER,			4)  \
	X(SET_MEM_TABLE,		5)  \
	X(SET_LOG_BASE,			6)  \
	X(SET_LOG_FD,			7)  \
	X(SET_VRING_NUM,		8)  \
	X(SET_VRING_ADDR,		9)  \
	X(SET_VRING_BASE,		10) \
	X(GET_VRING_BASE,		11) \
	X(SET_VRING_KICK,		12) \
	X(SET_VRING_CALL,		13) \
	X(SET_VRING_ERR,		14) \
	X(GET_PROTOCOL_FEATURES,	15) \
	X(SET_PROTOCOL_FEATURES,	16) \
	X(GET_QUEUE_NUM,		17) \
	X(SET_VRING_ENABLE,		18) \
	X(SEND_RARP,			19) \
	X(NET_SET_MTU,			20) \
	X(SET_BACKEND_REQ_FD,		21) \
	X(IOTLB_MSG,			22) \
	X(SET_VRING_ENDIAN,		23) \
	X(GET_CONFIG,			24) \
	X(SET_CONFIG,			25) \
	X(CREATE_CRYPTO_SESSION,	26) \
	X(CLOSE_CRYPTO_SESSION,		27) \
	X(POSTCOPY_ADVISE,		28) \
	X(POSTCOPY_LISTEN,		29) \
	X(POSTCOPY_END,			30) \
	X(GET_INFLIGHT_FD,		31) \
	X(SET_INFLIGHT_FD,		32) \
	X(GPU_SET_SOCKET,		33) \
	X(RESET_DEVICE,			34) \
	X(VRING_KICK,			35) \
	X(GET_MAX_MEM_SLOTS,		36) \
	X(ADD_MEM_REG,			37) \
	X(REM_MEM_REG,			38) \
	X(SET_STATUS,			39) \
	X(GET_STATUS,			40) \
	X(GET_SHARED_OBJECT,		41) \
	X(SET_DEVICE_STATE_FD,		42) \
	X(CHECK_DEVICE_STATE,		43) \
	X(GET_SHMEM_CONFIG,		44)

/** Back-end requests, sent by the back-end on the SET_BACKEND_REQ_FD channel. */
#define VU_BACKEND_REQUEST_LIST(X) \
	X(IOTLB_MSG,			1)  \
	X(CONFIG_CHANGE_MSG,		2)  \
	X(VRING_HOST_NOTIFIER_MSG,	3)  \
	X(VRING_CALL,			4)  \
	X(VRING_ERR,			5)  \
	X(SHARED_OBJECT_ADD,		6)  \
	X(SHARED_OBJECT_REMOVE,		7)  \
	X(SHARED_OBJECT_LOOKUP,		8)  \
	X(SHMEM_MAP,			9)  \
	X(SHMEM_UNMAP,			10)

/** @cond */
#define VU_ENUM_FRONTEND(name, num) VU_REQ_ ## name = num,
#define VU_ENUM_BACKEND(name, num) VU_BREQ_ ## name = num,
/** @endcond */
/** Front-end request numbers (VHOST_USER_*). */
enum vu_request {
	VU_REQ_NONE = 0,
	VU_FRONTEND_REQUEST_LIST(VU_ENUM_FRONTEND)
	VU_REQ_MAX
};
/** Back-end request numbers (VHOST_USER_BACKEND_*). */
enum vu_backend_request {
	VU_BREQ_NONE = 0,
	VU_BACKEND_REQUEST_LIST(VU_ENUM_BACKEND)
	VU_BREQ_MAX
};
#undef VU_ENUM_FRONTEND
#undef VU_ENUM_BACKEND

/** Protocol feature bits (VHOST_USER_PROTOCOL_F_*): X(name, bit). */
#define VU_PROTOCOL_FEATURE_LIST(X) \
	X(MQ,			0)  \
	X(LOG_SHMFD,		1)  \
	X(RARP,			2)  \
	X(REPLY_ACK,		3)  \
	X(NET_MTU,		4)  \
	X(BACKEND_REQ,		5)  \
	X(CROSS_ENDIAN,		6)  \
	X(CRYPTO_SESSION,	7)  \
	X(PAGEFAULT,		8)  \
	X(CONFIG,		9)  \
	X(BACKEND_SEND_FD,	10) \
	X(HOST_NOTIFIER,	11) \
	X(INFLIGHT_SHMFD,	12) \
	X(RESET_DEVICE,		13) \
	X(INBAND_NOTIFICATIONS,	14) \
	X(CONFIGURE_MEM_SLOTS,	15) \
	X(STATUS,		16) \
	X(XEN_MMAP,		17) \
	X(SHARED_OBJECT,	18) \
	X(DEVICE_STATE,		19) \
	X(SHMEM,		20) /* provisional: VIRTIO shared memory (GET_SHMEM_CONFIG, SHMEM_MAP) */

/** @cond */
#define VU_ENUM_PF(name, bit) VU_PF_ ## name = bit,
/** @endcond */
/** Protocol feature bit numbers. */
enum vu_protocol_feature {
	VU_PROTOCOL_FEATURE_LIST(VU_ENUM_PF)
	VU_PF_COUNT
};
#undef VU_ENUM_PF

/** Every protocol feature bit this header knows. */
#define VU_PROTOCOL_FEATURES_KNOWN	((UINT64_C(1) << VU_PF_COUNT) - 1)

/** Message header. */
struct vu_msg_hdr {
	uint32_t request;	/**< enum vu_request or enum vu_backend_request */
	uint32_t flags;		/**< VU_FLAG_* */
	uint32_t size;		/**< payload bytes that follow */
} __rte_packed;

/** Ring state: SET_VRING_NUM/BASE/ENABLE/ENDIAN, GET_VRING_BASE, VRING_KICK. */
struct vu_vring_state {
	uint32_t index;		/**< ring number */
	uint32_t num;		/**< size, base index or enable flag, per request */
} __rte_packed;

/** SET_VRING_ADDR: ring areas as front-end (VMM) virtual addresses. */
struct vu_vring_addr {
	uint32_t index;		/**< ring number */
	uint32_t flags;		/**< VU_VRING_F_LOG */
	uint64_t desc;		/**< descriptor table */
	uint64_t used;		/**< used ring */
	uint64_t avail;		/**< available ring */
	uint64_t log;		/**< guest physical address of the used-ring log */
} __rte_packed;

/** One guest memory region. */
struct vu_mem_region {
	uint64_t guest_phys_addr;	/**< where the guest sees it */
	uint64_t memory_size;		/**< bytes */
	uint64_t userspace_addr;	/**< front-end virtual address */
	uint64_t mmap_offset;		/**< offset of the region in its fd */
} __rte_packed;

/** SET_MEM_TABLE: up to VU_MEM_TABLE_MAX_REGIONS regions, one fd each. */
struct vu_mem_regions {
	uint32_t nregions;	/**< regions used, one fd each */
	uint32_t padding;	/**< zero */
	struct vu_mem_region regions[VU_MEM_TABLE_MAX_REGIONS];	/**< the regions */
} __rte_packed;

/** ADD_MEM_REG / REM_MEM_REG: one region (one fd with ADD). */
struct vu_mem_region_msg {
	uint64_t padding;		/**< zero */
	struct vu_mem_region region;	/**< the region */
} __rte_packed;

/** SET_LOG_BASE: the dirty log lives in the fd at this offset. */
struct vu_log {
	uint64_t mmap_size;	/**< bytes of log bitmap */
	uint64_t mmap_offset;	/**< where it starts in the fd */
} __rte_packed;

/** IOTLB_MSG in either direction (struct vhost_iotlb_msg, with its tail padding). */
struct vu_iotlb {
	uint64_t iova;		/**< I/O virtual address */
	uint64_t size;		/**< bytes */
	uint64_t uaddr;		/**< front-end virtual address */
	uint8_t perm;		/**< access permissions */
	uint8_t type;		/**< miss, update, invalidate, access fail */
	uint8_t padding[6];	/**< zero */
} __rte_packed;

/** GET_CONFIG / SET_CONFIG: a window of the configuration space. */
struct vu_config {
	uint32_t offset;	/**< first byte of the window */
	uint32_t size;		/**< bytes in the window */
	uint32_t flags;		/**< 0, or 1 for a live-migration write */
	uint8_t payload[VU_CONFIG_SPACE_MAX];	/**< the bytes; only @c size are sent */
} __rte_packed;
/** Header of struct vu_config: the payload holds only @c size bytes after it. */
#define VU_CONFIG_HDR_SIZE	12

/** Back-end VRING_HOST_NOTIFIER_MSG: an area of the fd maps a queue's notifier. */
struct vu_vring_area {
	uint64_t u64;		/**< ring index | VU_VRING_NOFD */
	uint64_t size;		/**< bytes of the area */
	uint64_t offset;	/**< where the area starts in the fd */
} __rte_packed;

/** GET_INFLIGHT_FD / SET_INFLIGHT_FD: the shared inflight-tracking region. */
struct vu_inflight {
	uint64_t mmap_size;	/**< bytes of the region */
	uint64_t mmap_offset;	/**< where it starts in the fd */
	uint16_t num_queues;	/**< queues tracked */
	uint16_t queue_size;	/**< descriptors per queue */
	uint32_t padding;	/**< the C struct's tail padding, sent by QEMU and DPDK */
} __rte_packed;

/** SET_DEVICE_STATE_FD: which way the state goes, and in which phase. */
struct vu_device_state {
	uint32_t direction;	/**< VU_DEVICE_STATE_SAVE or _LOAD */
	uint32_t phase;		/**< VU_DEVICE_STATE_PHASE_STOPPED */
} __rte_packed;
#define VU_DEVICE_STATE_SAVE		0	/**< the back-end writes its state */
#define VU_DEVICE_STATE_LOAD		1	/**< the back-end reads a state */
#define VU_DEVICE_STATE_PHASE_STOPPED	0	/**< the only phase: device stopped */
/** SET_DEVICE_STATE_FD reply u64: bits 0-7 error, bit 8 set when no fd is returned. */
#define VU_DEVICE_STATE_REPLY_NOFD	(UINT64_C(1) << 8)

/** GET_SHARED_OBJECT and the SHARED_OBJECT_* back-end requests. */
struct vu_shared_object {
	uint8_t uuid[16];	/**< the object's UUID */
} __rte_packed;

/** Most shared memory regions a device may expose (GET_SHMEM_CONFIG). */
#define VU_SHMEM_MAX_REGIONS	256
/** GET_SHMEM_CONFIG reply: the size of each of the device's shared memory regions. */
struct vu_shmem_config {
	uint32_t nregions;	/**< regions the device has */
	uint32_t padding;	/**< zero */
	uint64_t memory_sizes[VU_SHMEM_MAX_REGIONS];	/**< bytes of each */
} __rte_packed;

/** SHMEM_MAP / SHMEM_UNMAP back-end requests. */
struct vu_shmem_map {
	uint8_t shmid;		/**< which shared memory region */
	uint8_t padding[7];	/**< zero */
	uint64_t fd_offset;	/**< where the mapping starts in the fd */
	uint64_t shm_offset;	/**< where it goes in the region */
	uint64_t len;		/**< bytes */
	uint64_t flags;		/**< VU_SHMEM_MAP_F_* */
} __rte_packed;
#define VU_SHMEM_MAP_F_R	(UINT64_C(1) << 0)	/**< map readable */
#define VU_SHMEM_MAP_F_W	(UINT64_C(1) << 1)	/**< map writable */

/**
 * CREATE_CRYPTO_SESSION: the specification leaves the "crypto session
 * description" to QEMU's struct, which has changed size across releases. vu
 * has no crypto device, so it carries the payload opaquely up to this bound
 * (QEMU's largest layout, with an asymmetric key, is well below it).
 */
#define VU_CRYPTO_SESSION_MAX	2048

/* Sizes fixed by the specification. */
_Static_assert(sizeof(struct vu_msg_hdr) == 12, "header");
_Static_assert(sizeof(struct vu_vring_state) == 8, "vring state");
_Static_assert(sizeof(struct vu_vring_addr) == 40, "vring address");
_Static_assert(sizeof(struct vu_mem_region) == 32, "memory region");
_Static_assert(sizeof(struct vu_mem_regions) == 8 + 8 * 32, "memory regions");
_Static_assert(sizeof(struct vu_mem_region_msg) == 40, "single memory region");
_Static_assert(sizeof(struct vu_log) == 16, "log description");
_Static_assert(sizeof(struct vu_iotlb) == 32, "IOTLB message");
_Static_assert(sizeof(struct vu_config) == 12 + 256, "config space");
_Static_assert(sizeof(struct vu_vring_area) == 24, "vring area");
_Static_assert(sizeof(struct vu_inflight) == 24, "inflight description");
_Static_assert(sizeof(struct vu_device_state) == 8, "device state transfer");
_Static_assert(sizeof(struct vu_shared_object) == 16, "shared object");
_Static_assert(sizeof(struct vu_shmem_map) == 40, "shmem map");
#endif /* VU_PROTO_H */
