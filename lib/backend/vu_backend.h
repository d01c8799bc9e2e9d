/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The vhost-user backend (device side): the engine every vu device is built
 * on. It owns the connection to the front-end (QEMU, crosvm, DPDK's
 * virtio-user, vu's own frontend), answers every front-end request from one
 * table, keeps the rings' configuration and the guest memory table, and hands
 * started rings to the device, which runs them on its data-plane lcores.
 *
 * A device plugs in with a const struct vu_device_ops. The backend calls the
 * ops from the vu-ctl thread only, never concurrently.
 *
 * Behaviour follows crosvm's device request handler and, where that leaves a
 * gap, the vhost-user specification.
 */
#ifndef VU_BACKEND_H
#define VU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vu_proto.h"

struct vu_backend;
struct vu_mem_table;
struct vu_mem_log;

/** What a device receives when one of its rings starts. */
struct vu_backend_vring {
	uint16_t index;			/**< ring number */
	uint16_t size;			/**< descriptors, a power of 2 */
	uint16_t base;			/**< next avail index to process (SET_VRING_BASE) */
	bool enabled;			/**< SET_VRING_ENABLE state; data moves only when set */
	void *desc;			/**< descriptor table, local address */
	void *avail;			/**< available ring, local address */
	void *used;			/**< used ring, local address */
	uint64_t used_gpa;		/**< guest address of the used ring (dirty log) */
	bool log_used;			/**< VU_VRING_F_LOG: log used-ring writes */
	int kick_fd;			/**< -1: the ring is polled */
	int call_fd;			/**< -1: no interrupt */
	int err_fd;			/**< -1: no error notifier */
	uint64_t features;		/**< negotiated virtio features */
	const struct vu_mem_table *mem;	/**< guest memory the ring's buffers live in */
	void *inflight;			/**< this ring's inflight area, or NULL */
	uint16_t inflight_size;		/**< descriptors the inflight area was sized for */
	struct vu_mem_log *log;		/**< dirty log (SET_LOG_BASE), or NULL */
};

/**
 * Device operations. Every callback runs on the vu-ctl thread. Callbacks
 * that return int return 0 or a negative errno; a failure is reported to
 * the front-end as the protocol allows.
 */
struct vu_device_ops {
	const char *type;		/**< "net", "fake", ... for logs */
	uint16_t max_queues;		/**< rings the device has */
	/**
	 * GET_QUEUE_NUM reply; 0 means max_queues (crosvm's meaning). A net
	 * device reports queue pairs, which is what QEMU expects.
	 */
	uint16_t reported_queue_num;
	uint64_t features;		/**< virtio features offered */
	uint64_t protocol_features;	/**< VU_PF_* bits offered */

	/** Accept @p features (a subset of @c features). Optional. */
	int (*ack_features)(struct vu_backend *b, uint64_t features);
	/** Copy @p size bytes of config space at @p offset into @p buf. */
	int (*read_config)(struct vu_backend *b, uint32_t offset, void *buf, uint32_t size);
	/** The driver wrote config space. Optional: without it SET_CONFIG fails. */
	int (*write_config)(struct vu_backend *b, uint32_t offset, const void *buf,
			    uint32_t size);
	/**
	 * Hand a ring to the data plane. @p vq stays valid until stop_queue();
	 * the device copies what it needs.
	 */
	int (*start_queue)(struct vu_backend *b, const struct vu_backend_vring *vq);
	/**
	 * Take a ring back: on return no data-plane thread touches it any more.
	 * @p next_avail receives the next avail index the device would process.
	 */
	int (*stop_queue)(struct vu_backend *b, uint16_t index, uint16_t *next_avail);
	/** Forget everything negotiated; rings are already stopped. */
	void (*reset)(struct vu_backend *b);
	/** Every ring is stopped: enter the spec's suspended device state. */
	int (*enter_suspended_state)(struct vu_backend *b);
	/** Serialise device state into a malloc()ed buffer. Optional. */
	int (*save_state)(struct vu_backend *b, void **buf, size_t *len);
	/** Restore device state from @p buf. Optional. */
	int (*load_state)(struct vu_backend *b, const void *buf, size_t len);
	/** NET_SET_MTU (net devices). Optional: without it the request fails. */
	int (*set_mtu)(struct vu_backend *b, uint16_t mtu);
	/** SEND_RARP: announce @p mac (net devices). Optional. */
	int (*send_rarp)(struct vu_backend *b, const uint8_t mac[6]);
	/** Size of the device's shared memory region, 0 for none. Optional. */
	uint64_t (*shmem_size)(struct vu_backend *b);
	/** The front-end connected (true) or went away (false). Optional. */
	void (*connection)(struct vu_backend *b, bool up);
};

/** How a backend reaches its front-end. */
enum vu_backend_mode {
	VU_BACKEND_SERVER,	/**< listen on the path; re-listen when the peer leaves */
	VU_BACKEND_CLIENT,	/**< connect to the path; reconnect when it leaves */
};

/** Creation parameters. */
struct vu_backend_conf {
	const char *path;		/**< unix socket path (ignored with conn_fd >= 0) */
	enum vu_backend_mode mode;	/**< server or client */
	int conn_fd;			/**< an already connected socket, or -1 */
	const struct vu_device_ops *ops;	/**< the device; must outlive the backend */
	void *priv;			/**< device data, see vu_backend_priv() */
	/**
	 * CHECK_DEVICE_STATE waits this long for the state transfer to end
	 * before it cancels it and fails (0: VU_STATE_CHECK_WAIT_MS). vu-ctl
	 * serves every device meanwhile, so keep it short.
	 */
	unsigned int state_check_wait_ms;
};

/** Default of vu_backend_conf.state_check_wait_ms. */
#define VU_STATE_CHECK_WAIT_MS	1000

/**
 * Create a backend and start serving: listen, connect, or use conn_fd.
 *
 * @return the backend, or NULL with rte_errno: EINVAL (bad conf: no ops, no
 *   path and no fd, max_queues 0 or above 2 * VU_MAX_QUEUE_PAIRS), ENOMEM, or
 *   the socket error.
 * Thread: any but vu-ctl.
 */
struct vu_backend *vu_backend_create(const struct vu_backend_conf *conf);

/**
 * Stop serving: rings stopped, memory unmapped, fds closed, socket removed.
 * Thread: any but vu-ctl.
 */
void vu_backend_destroy(struct vu_backend *b);

/** The device data given at creation. Thread: any. */
void *vu_backend_priv(const struct vu_backend *b);

/** The socket path or "fd:N", for logs. Thread: any. */
const char *vu_backend_name(const struct vu_backend *b);

/** Whether a front-end is connected. Thread: any. */
bool vu_backend_connected(const struct vu_backend *b);

/**
 * Negotiated virtio features (SET_FEATURES).
 * Thread: any (a snapshot; it changes only on the vu-ctl thread).
 */
uint64_t vu_backend_features(const struct vu_backend *b);

/**
 * Negotiated protocol features (SET_PROTOCOL_FEATURES).
 * Thread: any (a snapshot; it changes only on the vu-ctl thread).
 */
uint64_t vu_backend_protocol_features(const struct vu_backend *b);

/**
 * Tell the front-end the config space changed (CONFIG_CHANGE_MSG on the
 * back-end request channel), waiting for its ack when REPLY_ACK is
 * negotiated.
 *
 * @return 0, -ENOTCONN (no channel: BACKEND_REQ not negotiated, no fd, or
 *   the channel broken by an earlier failure), -ETIMEDOUT (no reply within
 *   VU_REPLY_TIMEOUT_MS), -EIO (the front-end answered with a failure), or
 *   a send or receive error. Any error but -EIO breaks the channel until the
 *   front-end sets a new one.
 * Thread: any.
 */
int vu_backend_config_changed(struct vu_backend *b);

/**
 * Ask the front-end to map @p len bytes of @p fd at @p fd_offset into the
 * device's shared memory region at @p shm_offset (SHMEM_MAP).
 *
 * @param b          the backend
 * @param shm_offset where the mapping goes in the shared memory region
 * @param fd         what to map (sent to the front-end; stays the caller's)
 * @param fd_offset  where in @p fd the mapping starts
 * @param len        bytes
 * @param flags      VU_SHMEM_MAP_F_R / VU_SHMEM_MAP_F_W
 * @return 0, -EBADF (@p fd < 0), -EINVAL (len 0, an overflowing range,
 *   unknown flags), -EEXIST
 *   (overlaps a range already mapped), -ENOMEM, or as
 *   vu_backend_config_changed().
 * Thread: any.
 */
int vu_backend_shmem_map(struct vu_backend *b, uint64_t shm_offset, int fd,
			 uint64_t fd_offset, uint64_t len, uint64_t flags);

/**
 * Undo the SHMEM_MAP made at @p shm_offset (SHMEM_UNMAP).
 *
 * @return 0, -ENOENT (nothing mapped at that offset), or as
 *   vu_backend_config_changed().
 * Thread: any.
 */
int vu_backend_shmem_unmap(struct vu_backend *b, uint64_t shm_offset);

#endif /* VU_BACKEND_H */
