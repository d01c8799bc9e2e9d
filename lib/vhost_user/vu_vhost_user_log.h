/* SPDX-License-Identifier: BSD-3-Clause */
/* Private: the log types of lib/vhost_user (vu.vhost_user.config). */
#ifndef VU_VHOST_USER_LOG_H
#define VU_VHOST_USER_LOG_H

#include "vu_log.h"

extern int vu_vhost_user_logtype_config;

/** Control-plane log line naming the socket or peer @p name. */
#define VHU_LOG(level, name, fmt, ...) \
	VU_LOG(vu_vhost_user_logtype_config, level, "VHOST_USER", name, fmt, ##__VA_ARGS__)

#endif /* VU_VHOST_USER_LOG_H */
