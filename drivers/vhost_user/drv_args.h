/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device arguments ("iface=/tmp/s,queues=2,client=1") for both net ports:
 * one table per port says which keys exist and how each value is parsed,
 * so an unknown key or a bad value is an error naming it.
 */
#ifndef VU_DRV_ARGS_H
#define VU_DRV_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

enum drv_arg_type {
	DRV_ARG_PATH,	/* char[108]: a unix socket path */
	DRV_ARG_U32,	/* uint32_t in [min, max] */
	DRV_ARG_BOOL,	/* bool: 0 or 1 */
	DRV_ARG_MAC,	/* struct rte_ether_addr */
	DRV_ARG_ZERO,	/* DPDK keys vu accepts only switched off */
};

struct drv_arg {
	const char *key;
	enum drv_arg_type type;
	void *out;
	uint32_t min, max;	/* DRV_ARG_U32 */
	bool required;
};

/* Unix socket paths are at most this long, with the NUL. */
#define DRV_PATH_LEN 108

/*
 * Parse @p args against @p table (@p n entries) for port @p port.
 * Values of absent keys are left as they are (the caller's defaults).
 * Returns 0 or -EINVAL after a log line naming the key and the value.
 */
int drv_args_parse(const char *port, const char *args, const struct drv_arg *table,
		   unsigned int n);

#endif /* VU_DRV_ARGS_H */
