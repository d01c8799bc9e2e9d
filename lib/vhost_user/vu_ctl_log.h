/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private: the log type of the vu-ctl event loop and the unix sockets it
 * drives (vu.vhost_user.ctl, registered in vu_fdman.c).
 */
#ifndef VU_CTL_LOG_H
#define VU_CTL_LOG_H

#include "vu_log.h"

extern int vu_vhost_user_logtype_ctl;

/** Control-plane log line about the socket path or object @p name. */
#define CTL_LOG(level, name, fmt, ...) \
	VU_LOG(vu_vhost_user_logtype_ctl, level, "CTL", name, fmt, ##__VA_ARGS__)

/** Same, through the rate limiter @p rl (for anything a peer can repeat). */
#define CTL_LOG_RL(rl, level, name, fmt, ...) \
	VU_LOG_RL(rl, vu_vhost_user_logtype_ctl, level, "CTL", name, fmt, ##__VA_ARGS__)

#endif /* VU_CTL_LOG_H */
