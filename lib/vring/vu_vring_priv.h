/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/vring: log types and log macros shared by both sides. */
#ifndef VU_VRING_PRIV_H
#define VU_VRING_PRIV_H

#include "vu_log.h"

/* vu.vring.config (INFO): init, fini, anything on the control thread. */
extern int vu_vring_logtype_config;
/* vu.vring.data (WARNING): the burst functions; compiled through RTE_LOG_DP_LEVEL. */
extern int vu_vring_logtype_data;

/* One limiter for control-plane lines: only the control thread logs there. */
extern struct vu_log_ratelimit vring_ctl_rl;

/** Control-plane line about ring @p name. */
#define VRING_LOG(level, name, fmt, ...) \
	VU_LOG(vu_vring_logtype_config, level, "VRING", name, fmt, ##__VA_ARGS__)

/** Control-plane line a peer can trigger at will. */
#define VRING_LOG_RL(level, name, fmt, ...) \
	VU_LOG_RL(&vring_ctl_rl, vu_vring_logtype_config, level, "VRING", name, \
		  fmt, ##__VA_ARGS__)

/** Data-plane line through the ring's own limiter @p rl; compiled out below RTE_LOG_DP_LEVEL. */
#define VRING_DP_LOG_RL(rl, level, name, fmt, ...) do { \
	if (RTE_LOG_ ## level <= RTE_LOG_DP_LEVEL) \
		VU_LOG_RL(rl, vu_vring_logtype_data, level, "VRING", name, fmt, \
			  ##__VA_ARGS__); \
} while (0)

#endif /* VU_VRING_PRIV_H */
