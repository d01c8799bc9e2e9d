/* SPDX-License-Identifier: BSD-3-Clause */
/* Private state of lib/backend, shared by its files. */
#ifndef VU_BACKEND_PRIV_H
#define VU_BACKEND_PRIV_H

#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include <rte_bitops.h>

#include <vu_build_config.h>

#include "vu_backend.h"
#include "vu_log.h"
#include "vu_msg.h"

extern int vu_backend_logtype_config;

#define BE_LOG(level, b, fmt, ...) \
	VU_LOG(vu_backend_logtype_config, level, "BACKEND", (b)->name, fmt, ##__VA_ARGS__)
/* For what the front-end can trigger at will. */
#define BE_LOG_RL(level, b, fmt, ...) \
	VU_LOG_RL(&(b)->log_rl, vu_backend_logtype_config, level, "BACKEND", (b)->name, \
		  fmt, ##__VA_ARGS__)

#define BE_MAX_VRINGS	(2 * VU_MAX_QUEUE_PAIRS)

/* One ring as the front-end configured it. */
struct be_vring {
	struct vu_backend_vring cfg;	/* what the device gets at start */
	uint64_t desc_va, avail_va, used_va;	/* front-end addresses (SET_VRING_ADDR) */
	uint64_t log_gpa;
	uint32_t addr_flags;
	bool addr_set;
	bool started;	/* owned by the device's data plane */
	bool paused;	/* stopped by be_vring_pause(), to be resumed */
};

/* One range of the device's shared memory region mapped by SHMEM_MAP. */
struct be_shmem_map {
	uint64_t offset;
	uint64_t len;
};

/* A device-state transfer running on its worker thread. */
struct be_state_xfer {
	pthread_t thread;
	bool active;
	int cancel_fd;		/* eventfd: teardown tells the worker to give up */
	uint32_t direction;	/* VU_DEVICE_STATE_SAVE or _LOAD */
	int fd;
	void *buf;		/* save: what to write; load: what was read */
	size_t len;
	int result;		/* 0 or -errno, valid once joined */
	unsigned int check_wait_ms;	/* CHECK_DEVICE_STATE's wait for the end */
};

struct vu_backend {
	char name[128];
	const struct vu_device_ops *ops;
	void *priv;
	struct vu_log_ratelimit log_rl;

	/* Connection */
	struct vu_socket *sock;		/* NULL when created on a connected fd */
	int conn_fd;			/* -1 when nobody is connected */
	bool own_conn_fd;

	/* Negotiated state */
	bool owned;
	uint64_t features;
	uint64_t protocol_features;
	uint8_t status;
	uint16_t mtu;

	struct vu_mem_table *mem;
	struct vu_mem_log *log;
	int log_call_fd;

	uint16_t nvrings;
	struct be_vring vrings[BE_MAX_VRINGS];

	/* Back-end request channel */
	pthread_mutex_t channel_lock;
	int channel_fd;			/* set and closed only on vu-ctl */
	bool channel_broken;		/* a reply went missing: shut down */
	struct be_shmem_map *shmem_maps;	/* what SHMEM_MAP mapped, for UNMAP */
	unsigned int nshmem_maps;

	/* Inflight region */
	void *inflight_addr;
	uint64_t inflight_size;
	int inflight_fd;
	uint16_t inflight_queues, inflight_queue_size;

	struct be_state_xfer state;
};

/* backend.c: back to the state after SET_OWNER (owner, protocol features and
 * channel kept); the rings are stopped first. */
void be_reset_device(struct vu_backend *b);

/* backend_req.c: handle one validated request; < 0 means close the connection. */
int be_handle_msg(struct vu_backend *b, struct vu_msg *msg);

/* backend_vring.c */
int be_vring_translate(struct vu_backend *b, struct be_vring *vr);
int be_vring_start(struct vu_backend *b, struct be_vring *vr);
int be_vring_stop(struct vu_backend *b, struct be_vring *vr, uint16_t *next_avail);
int be_vring_pause(struct vu_backend *b, struct be_vring *vr);
int be_vring_resume(struct vu_backend *b, struct be_vring *vr);
void be_vring_clear(const struct vu_backend *b, struct be_vring *vr);
void be_rings_pause(struct vu_backend *b);
int be_rings_resume(struct vu_backend *b);
void be_rings_stop_all(struct vu_backend *b);
bool be_all_rings_stopped(const struct vu_backend *b);

/* backend_mem.c: guest memory and dirty log, through lib/mem */
int be_mem_set_table(struct vu_backend *b, const struct vu_mem_region *regions,
		     uint32_t n, int *fds);
int be_mem_add_region(struct vu_backend *b, const struct vu_mem_region *r, int fd);
int be_mem_remove_region(struct vu_backend *b, const struct vu_mem_region *r);
void *be_mem_vva_to_local(struct vu_backend *b, uint64_t vva, uint64_t len);
int be_mem_set_log(struct vu_backend *b, const struct vu_log *log, int fd);
void be_mem_release(struct vu_backend *b);

/* backend_channel.c: the back-end request channel */
void be_channel_wake(struct vu_backend *b);
void be_channel_set(struct vu_backend *b, int fd);
void be_channel_close(struct vu_backend *b);

/* backend_inflight.c */
int be_inflight_get(struct vu_backend *b, const struct vu_inflight *req,
		    struct vu_inflight *out, int *fd);
int be_inflight_set(struct vu_backend *b, const struct vu_inflight *in, int fd);
void be_inflight_release(struct vu_backend *b);
void *be_inflight_queue(const struct vu_backend *b, uint16_t index);

/* backend_state.c: device state transfer on a worker thread */
int be_state_start(struct vu_backend *b, const struct vu_device_state *ds, int fd);
int be_state_finish(struct vu_backend *b);
void be_state_cancel(struct vu_backend *b);

#endif /* VU_BACKEND_PRIV_H */
