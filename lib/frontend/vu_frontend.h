/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu_frontend: the VMM side of vhost-user. It drives any vhost-user backend
 * (vu's own, DPDK's vhost library, QEMU's vhost-user-* daemons): negotiates
 * features, hands it guest memory and rings, stops and restarts rings,
 * saves and loads device state, serves the back-end request channel, and
 * notices when the backend dies, re-negotiating and re-activating when a
 * new one connects.
 *
 * Behaviour follows crosvm's VhostUserFrontend and, where that leaves a gap
 * (memory slots, inflight, REPLY_ACK, timeouts), the vhost-user
 * specification.
 *
 * **Threads.** API calls come from application threads; they are
 * serialised by a per-frontend mutex and block for at most the reply
 * timeout per request. Hang-up detection and the back-end request channel
 * run on the vu-ctl thread (vu_fdman.h); re-negotiation after a reconnect
 * runs on a per-frontend "vu-fe" thread, never on vu-ctl (a backend in the
 * same process is served by vu-ctl). Callbacks (struct vu_frontend_ops) run
 * on vu-ctl or vu-fe and must not call vu_frontend_destroy() or wait for an
 * API call of the same frontend.
 *
 * **Errors.** Every function returns 0 or a negative errno. Common ones:
 * -ENOTCONN (no backend connected), -ETIMEDOUT (the backend did not answer
 * within the reply timeout; a log line names the request, and the
 * connection is then dropped as out of step), -EIO (the backend answered
 * with a failure), -EPIPE / -ECONNRESET (the backend went away), -EPROTO
 * (a reply to another request).
 */
#ifndef VU_FRONTEND_H
#define VU_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vu_proto.h"

struct vu_frontend;
struct vu_guest_mem;

/** Largest ring vu_frontend uses (virtio's split-ring maximum). */
#define VU_FRONTEND_MAX_QUEUE_SIZE	32768
/** Rings one frontend drives at most. */
#define VU_FRONTEND_MAX_VRINGS		64
/** Memory regions one activation may carry (with CONFIGURE_MEM_SLOTS). */
#define VU_FRONTEND_MAX_REGIONS		509

/** Protocol features vu_frontend negotiates when the backend offers them. */
#define VU_FRONTEND_PROTOCOL_FEATURES ( \
	(UINT64_C(1) << VU_PF_CONFIG) | (UINT64_C(1) << VU_PF_MQ) | \
	(UINT64_C(1) << VU_PF_BACKEND_REQ) | (UINT64_C(1) << VU_PF_DEVICE_STATE) | \
	(UINT64_C(1) << VU_PF_SHMEM) | (UINT64_C(1) << VU_PF_REPLY_ACK) | \
	(UINT64_C(1) << VU_PF_STATUS) | (UINT64_C(1) << VU_PF_CONFIGURE_MEM_SLOTS) | \
	(UINT64_C(1) << VU_PF_INFLIGHT_SHMFD) | (UINT64_C(1) << VU_PF_LOG_SHMFD))

/** How the frontend reaches its backend. */
enum vu_frontend_mode {
	VU_FRONTEND_CLIENT,	/**< connect to the backend's socket */
	VU_FRONTEND_SERVER,	/**< listen; the backend connects (and reconnects) */
};

/** What vu_frontend_ops.event() reports. */
enum vu_frontend_event {
	VU_FRONTEND_EV_CONNECTED,	/**< a backend connected and was negotiated */
	VU_FRONTEND_EV_DISCONNECTED,	/**< the backend closed or died (from vu-fe, after the teardown) */
	VU_FRONTEND_EV_RECOVERED,	/**< a new backend was negotiated and re-activated */
	VU_FRONTEND_EV_RECOVERY_FAILED,	/**< a new backend failed negotiation/activation */
	VU_FRONTEND_EV_CONFIG_CHANGED,	/**< CONFIG_CHANGE_MSG (from vu-ctl) */
};

/** Callbacks; every member is optional. */
struct vu_frontend_ops {
	/** Something happened to the connection; see enum vu_frontend_event. */
	void (*event)(struct vu_frontend *fe, enum vu_frontend_event ev, void *arg);
	/**
	 * SHMEM_MAP: map @p len bytes of @p fd at @p fd_offset at @p shm_offset of
	 * shared memory region @p shmid (flags VU_SHMEM_MAP_F_*). @p fd is closed
	 * after the call: dup() it to keep it. Overlaps were already refused.
	 * Runs on vu-ctl. Return 0 or -errno (reported to the backend).
	 */
	int (*shmem_map)(struct vu_frontend *fe, uint8_t shmid, uint64_t shm_offset, int fd,
			 uint64_t fd_offset, uint64_t len, uint64_t flags, void *arg);
	/** SHMEM_UNMAP of a range shmem_map() mapped, or unmap at reset. Runs on vu-ctl or the caller of reset. */
	int (*shmem_unmap)(struct vu_frontend *fe, uint8_t shmid, uint64_t shm_offset,
			   uint64_t len, void *arg);
};

/** Creation parameters. */
struct vu_frontend_conf {
	const char *path;		/**< socket path (unused with conn_fd >= 0) */
	enum vu_frontend_mode mode;	/**< client or server socket */
	/** Client: after the backend goes away, reconnect with backoff and recover. */
	bool reconnect;
	int conn_fd;			/**< an already connected socket (consumed), or -1 */
	uint32_t device_type;		/**< virtio device id: 1 net, 2 block, ... */
	uint64_t base_features;		/**< transport features to offer (VERSION_1, ...) */
	uint16_t max_queue_size;	/**< 0: VU_FRONTEND_MAX_QUEUE_SIZE; else clamped to a power of 2 */
	unsigned int reply_timeout_ms;	/**< 0: VU_REPLY_TIMEOUT_MS */
	const struct vu_frontend_ops *ops;	/**< may be NULL */
	void *arg;			/**< passed to the ops */
};

/**
 * One guest memory region as the backend must see it: any shareable fd
 * (memfd, hugetlbfs file, EAL memseg fd), the region's offset in it, its
 * guest physical address and its address in this process.
 */
struct vu_frontend_mem_region {
	int fd;			/**< the caller's; vu_frontend keeps a dup() */
	uint64_t fd_offset;	/**< offset of the region in @c fd */
	uint64_t size;		/**< bytes */
	uint64_t gpa;		/**< guest physical address */
	void *va;		/**< this process's address of the first byte */
};

/** One ring to activate; addresses are in this process's address space. */
struct vu_frontend_vring {
	uint16_t index;		/**< ring number, < vu_frontend_num_queues() */
	uint16_t size;		/**< entries, a power of 2, <= vu_frontend_max_queue_size() */
	uint16_t base;		/**< next avail index the backend processes */
	void *desc;		/**< descriptor table */
	void *avail;		/**< available ring */
	void *used;		/**< used ring */
	int kick_fd;		/**< eventfd the driver kicks, or -1 (polled); vu dups it */
	int call_fd;		/**< eventfd the backend signals, or -1; vu dups it */
};

/**
 * Create a frontend.
 *
 * With @c conn_fd, or in client mode, the backend is negotiated before this
 * returns (SET_OWNER, GET_FEATURES, protocol features, back-end request
 * channel, queue count); a client with @c reconnect whose first attempt
 * fails keeps retrying in the background. In server mode the frontend
 * listens and returns at once; see vu_frontend_wait_connected().
 *
 * @return the frontend, or NULL with rte_errno: EINVAL (bad conf), ENOMEM,
 *   a socket error (ENOENT, ECONNREFUSED, ...), or a negotiation error
 *   (ETIMEDOUT, EIO, EPROTO, ECONNRESET, ...).
 * Thread: any but vu-ctl.
 */
struct vu_frontend *vu_frontend_create(const struct vu_frontend_conf *conf);

/**
 * Close the connection, stop listening, free everything. Rings are not
 * stopped first: call vu_frontend_reset() for an orderly stop.
 * Thread: any but vu-ctl; not from a callback.
 */
void vu_frontend_destroy(struct vu_frontend *fe);

/**
 * Wait until a backend is connected and negotiated.
 * @return 0, or -ETIMEDOUT after @p timeout_ms.
 * Thread: any but vu-ctl.
 */
int vu_frontend_wait_connected(struct vu_frontend *fe, unsigned int timeout_ms);

/** Whether a negotiated backend is connected. Thread: any. */
bool vu_frontend_connected(struct vu_frontend *fe);

/** The socket path or "fd:N", for logs. Thread: any. */
const char *vu_frontend_name(const struct vu_frontend *fe);

/** Features the backend offers, masked by what the frontend allows. Thread: any. */
uint64_t vu_frontend_features(struct vu_frontend *fe);
/** Features acknowledged so far (PROTOCOL_FEATURES included when offered). Thread: any. */
uint64_t vu_frontend_acked_features(struct vu_frontend *fe);
/** Negotiated protocol features (VU_PF_* bits). Thread: any. */
uint64_t vu_frontend_protocol_features(struct vu_frontend *fe);
/** Rings the device has (GET_QUEUE_NUM with MQ, ×2 for net; else the type's minimum). */
uint16_t vu_frontend_num_queues(struct vu_frontend *fe);
/** Largest ring size, a power of 2. Thread: any. */
uint16_t vu_frontend_max_queue_size(const struct vu_frontend *fe);

/** Change the reply timeout (0: VU_REPLY_TIMEOUT_MS). Thread: any. */
void vu_frontend_set_reply_timeout(struct vu_frontend *fe, unsigned int ms);

/**
 * Acknowledge the driver's features: SET_FEATURES with
 * (@p features & vu_frontend_features()) | already acked.
 * @return 0 or -errno. Thread: any but vu-ctl.
 */
int vu_frontend_ack_features(struct vu_frontend *fe, uint64_t features);

/**
 * Read (GET_CONFIG) or write (SET_CONFIG) @p len bytes of config space at
 * @p offset; needs the CONFIG protocol feature.
 * @return 0, -ENOTSUP (CONFIG not negotiated), -EINVAL (range beyond 256
 *   bytes), -EIO (the backend refused: empty or short reply), or as above.
 * Thread: any but vu-ctl.
 */
int vu_frontend_read_config(struct vu_frontend *fe, uint32_t offset, void *buf, uint32_t len);

/**
 * Write @p len bytes of config space at @p offset (SET_CONFIG); see
 * vu_frontend_read_config() for the errors.
 * Thread: any but vu-ctl.
 */
int vu_frontend_write_config(struct vu_frontend *fe, uint32_t offset, const void *buf,
			     uint32_t len);

/**
 * Activate: send one SET_FEATURES if none was sent yet, GET_INFLIGHT_FD the
 * first time when INFLIGHT_SHMFD is negotiated, the memory table
 * (SET_MEM_TABLE, at most 8 regions; or ADD_MEM_REG/REM_MEM_REG per changed
 * region with CONFIGURE_MEM_SLOTS, up to the backend's GET_MAX_MEM_SLOTS),
 * then per ring SET_VRING_NUM, ADDR, BASE, CALL, KICK and ENABLE (ENABLE only
 * with PROTOCOL_FEATURES), then SET_STATUS with DRIVER_OK when STATUS is
 * negotiated (DPDK's vhost starts its rings only then). The regions and rings (with dup()ed fds) are kept
 * for wake and for recovery after a reconnect.
 *
 * Every ring address must lie inside one of @p regions.
 * @return 0, -EINVAL (bad region or ring: size, index, address outside the
 *   regions), -E2BIG (more regions than the backend takes), -EBUSY (a ring
 *   is already active), -ENOMEM, or a request error. On an error no ring is
 *   left active (rings the backend had started are stopped first) and the
 *   activation is forgotten: the caller may free the rings.
 * Thread: any but vu-ctl.
 */
int vu_frontend_activate(struct vu_frontend *fe, const struct vu_frontend_mem_region *regions,
			 unsigned int nregions, const struct vu_frontend_vring *vrings,
			 unsigned int nvrings);

/** Fill @p out (room for @p max) from guest memory; returns the count or -E2BIG. Thread: any. */
int vu_frontend_regions_from_guest_mem(const struct vu_guest_mem *m,
				       struct vu_frontend_mem_region *out, unsigned int max);

/**
 * Stop one ring and give it back to the caller: SET_VRING_ENABLE 0 (with
 * PROTOCOL_FEATURES) and GET_VRING_BASE when it is active. Whatever the
 * result, the frontend forgets the ring: no replay after a reconnect and no
 * wake sends it again, so its memory is the caller's to free (the next
 * vu_frontend_activate() may hand it out anew).
 * @param fe    frontend
 * @param index ring number
 * @param base  receives the next avail index the backend would process
 *   (active or asleep rings); may be NULL
 * @return 0, -ENOENT (ring not activated), -ENOTCONN (the backend is gone:
 *   nothing to stop), or another request error.
 * Thread: any but vu-ctl.
 */
int vu_frontend_deactivate_vring(struct vu_frontend *fe, uint16_t index, uint16_t *base);

/**
 * Reset: stop every active ring, undo every SHMEM_MAP, forget the activation;
 * the next activation sends SET_FEATURES again.
 * @return 0 or the first error (the state is forgotten anyway).
 * Thread: any but vu-ctl.
 */
int vu_frontend_reset(struct vu_frontend *fe);

/**
 * Sleep: stop every active ring and remember its base for vu_frontend_wake().
 * @param fe    frontend
 * @param bases if not NULL, bases[index] receives each stopped ring's base
 *   (room for vu_frontend_num_queues() entries)
 * @return 0, -EALREADY (not active), or a request error.
 * Thread: any but vu-ctl.
 */
int vu_frontend_sleep(struct vu_frontend *fe, uint16_t *bases);

/**
 * Wake: re-activate the memory and every ring that vu_frontend_sleep()
 * stopped, each at the base sleep returned.
 * @return 0, -EALREADY (not asleep), or as vu_frontend_activate().
 * Thread: any but vu-ctl.
 */
int vu_frontend_wake(struct vu_frontend *fe);

/**
 * Save the device state (rings stopped): SET_DEVICE_STATE_FD(SAVE) with a
 * pipe, read to EOF (from the backend's own fd when it returns one),
 * CHECK_DEVICE_STATE.
 * @param fe  frontend
 * @param buf receives a malloc()ed buffer (free() it)
 * @param len receives its length
 * @return 0, -ENOTSUP (DEVICE_STATE not negotiated), -EIO (the backend
 *   refused or reported a failed transfer), -ETIMEDOUT, or a request error.
 * Thread: any but vu-ctl.
 */
int vu_frontend_snapshot(struct vu_frontend *fe, void **buf, size_t *len);

/**
 * Load device state: SET_FEATURES if none was sent, SET_DEVICE_STATE_FD(LOAD)
 * with a pipe, write @p len bytes and EOF, CHECK_DEVICE_STATE.
 * @return as vu_frontend_snapshot().
 * Thread: any but vu-ctl.
 */
int vu_frontend_restore(struct vu_frontend *fe, const void *buf, size_t len);

/**
 * Size of the device's shared memory region (GET_SHMEM_CONFIG, asked once).
 * @return 0 with @p size set, -ENOTSUP (SHMEM not negotiated), -ENOENT (the
 *   device has none), -ERANGE (more than one region), or a request error.
 * Thread: any but vu-ctl.
 */
int vu_frontend_shmem_size(struct vu_frontend *fe, uint64_t *size);

#endif /* VU_FRONTEND_H */
