/* SPDX-License-Identifier: BSD-3-Clause */
/* Private state of lib/frontend, shared by its files. */
#ifndef VU_FRONTEND_PRIV_H
#define VU_FRONTEND_PRIV_H

#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include <rte_bitops.h>

#include <vu_build_config.h>

#include "vu_frontend.h"
#include "vu_log.h"
#include "vu_msg.h"

extern int vu_frontend_logtype_config;

#define FE_LOG(level, fe, fmt, ...) \
	VU_LOG(vu_frontend_logtype_config, level, "FRONTEND", (fe)->name, fmt, ##__VA_ARGS__)
/* For what the backend can trigger at will. */
#define FE_LOG_RL(level, fe, fmt, ...) \
	VU_LOG_RL(&(fe)->log_rl, vu_frontend_logtype_config, level, "FRONTEND", (fe)->name, \
		  fmt, ##__VA_ARGS__)

/* Device status after activation: ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK. */
#define VU_FRONTEND_STATUS_DRIVER_OK	0xf

#define FE_HAS_PF(fe, pf) (((fe)->protocol_features & RTE_BIT64(VU_PF_ ## pf)) != 0)

/* A ring as the caller activated it (its fds are our dups). */
struct fe_vring {
	struct vu_frontend_vring cfg;
	bool active;		/* sent to the backend and not stopped */
	bool asleep;		/* stopped by sleep, to be woken */
};

/* One SHMEM_MAP the backend made. */
struct fe_shmem_map {
	uint8_t shmid;
	uint64_t offset;
	uint64_t len;
};

struct vu_frontend {
	char name[128];
	struct vu_frontend_conf conf;		/* path points to path_buf */
	char path_buf[108];
	const struct vu_frontend_ops *ops;	/* never NULL */

	/*
	 * lock: every API call and the recovery thread. Held across requests,
	 * each bounded by reply_timeout_ms; never taken on vu-ctl.
	 */
	pthread_mutex_t lock;
	int sock;			/* -1 when no backend */
	bool connected;			/* negotiated */
	unsigned int reply_timeout_ms;
	uint64_t avail_features;
	uint64_t acked_features;
	bool sent_set_features;
	uint64_t protocol_features;
	uint16_t num_queues;
	uint16_t max_queue_size;
	uint64_t max_mem_slots;		/* GET_MAX_MEM_SLOTS, 0 until asked */

	/* What activation sent, kept for wake and recovery. */
	struct vu_frontend_mem_region *regions;	/* fds are our dups */
	unsigned int nregions;
	struct vu_mem_region *sent_regions;	/* what the backend holds (mem slots) */
	unsigned int nsent_regions;
	struct fe_vring vrings[VU_FRONTEND_MAX_VRINGS];
	bool activated;			/* an activation is in force (maybe asleep) */
	bool asleep;

	/* Inflight region from GET_INFLIGHT_FD. */
	int inflight_fd;
	struct vu_inflight inflight;
	bool inflight_sent;		/* the current backend has it */

	/* Shared memory region size: -1 not asked, else the GET_SHMEM_CONFIG answer. */
	int shmem_state;		/* 0 unknown, 1 none, 2 one region */
	uint64_t shmem_len;

	/*
	 * conn_lock: the hand-over between vu-ctl (hang-up, new connection) and
	 * the recovery thread. Never held across anything that blocks.
	 */
	pthread_mutex_t conn_lock;
	pthread_cond_t conn_cond;
	int watched_fd;			/* sock as registered with vu_fdman, or -1 */
	bool hung_up;			/* watched socket closed: tear down */
	int pending_fd;			/* a new connection to negotiate, or -1 */
	bool stopping;
	pthread_t thread;
	bool thread_started;
	struct vu_socket *server;
	unsigned int retry_ms;		/* client reconnect backoff, 0: no retry due */

	/* Back-end request channel: our end, read on vu-ctl. */
	int channel_fd;
	bool channel_watched;
	pthread_mutex_t chan_lock;	/* shmem maps; taken on vu-ctl and by reset */
	struct fe_shmem_map *maps;
	unsigned int nmaps;

	struct vu_log_ratelimit log_rl;
};

/* frontend_msg.c */
int fe_request(struct vu_frontend *fe, uint32_t req, const void *payload, uint32_t size,
	       const int *fds, unsigned int nfds, struct vu_msg *reply);
int fe_request_u64(struct vu_frontend *fe, uint32_t req, uint64_t v);
int fe_request_state(struct vu_frontend *fe, uint32_t req, uint32_t index, uint32_t num);
int fe_wait_fd(struct vu_frontend *fe, int fd, short events, const char *what);

/* frontend_negotiate.c */
int fe_negotiate(struct vu_frontend *fe);
uint16_t fe_clamp_queue_size(uint16_t max);
uint64_t fe_base_features(const struct vu_frontend_conf *conf);

/* frontend_activate.c */
int fe_send_features(struct vu_frontend *fe, uint64_t features);
int fe_replay(struct vu_frontend *fe);
void fe_forget_activation(struct vu_frontend *fe);

/* frontend_channel.c */
int fe_channel_open(struct vu_frontend *fe);
void fe_channel_close(struct vu_frontend *fe);
void fe_shmem_unmap_all(struct vu_frontend *fe);

/* frontend_conn.c */
int fe_connection_up(struct vu_frontend *fe, int fd);
void fe_connection_down(struct vu_frontend *fe);
void fe_event(struct vu_frontend *fe, enum vu_frontend_event ev);

#endif /* VU_FRONTEND_PRIV_H */
