/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging of the net ports: vu.driver.config / vu.driver.data. */
#ifndef VU_DRV_LOG_H
#define VU_DRV_LOG_H

#include "vu_log.h"

extern int vu_driver_logtype_config;

#define DRV_LOG(level, name, fmt, ...) \
	VU_LOG(vu_driver_logtype_config, level, "PORT", (name), fmt, ##__VA_ARGS__)

#endif /* VU_DRV_LOG_H */
