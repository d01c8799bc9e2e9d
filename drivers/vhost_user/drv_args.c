/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "drv_args.h"
#include "drv_log.h"

static const struct drv_arg *
find(const struct drv_arg *table, unsigned int n, const char *key)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static int
parse_one(const char *port, const struct drv_arg *a, const char *value)
{
	uint64_t v;

	switch (a->type) {
	case DRV_ARG_PATH:
		if (value[0] == '\0' || strlen(value) >= DRV_PATH_LEN) {
			DRV_LOG(ERR, port, "%s=%s: a socket path of 1 to %d bytes", a->key,
				value, DRV_PATH_LEN - 1);
			return -EINVAL;
		}
		strcpy(a->out, value);
		return 0;
	case DRV_ARG_U32:
		if (parse_u64(value, &v) < 0 || v < a->min || v > a->max) {
			DRV_LOG(ERR, port, "%s=%s: expected an integer in %u..%u", a->key,
				value, a->min, a->max);
			return -EINVAL;
		}
		*(uint32_t *)a->out = (uint32_t)v;
		return 0;
	case DRV_ARG_BOOL:
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
			DRV_LOG(ERR, port, "%s=%s: expected 0 or 1", a->key, value);
			return -EINVAL;
		}
		*(bool *)a->out = value[0] == '1';
		return 0;
	case DRV_ARG_MAC:
		if (rte_ether_unformat_addr(value, a->out) != 0 ||
		    !rte_is_valid_assigned_ether_addr(a->out)) {
			DRV_LOG(ERR, port, "%s=%s: expected a unicast, non-zero MAC address "
				"like 02:11:22:33:44:55", a->key, value);
			return -EINVAL;
		}
		return 0;
	case DRV_ARG_ZERO:
		if (strcmp(value, "0") != 0) {
			DRV_LOG(ERR, port, "%s=%s: not supported by vu (only %s=0)", a->key,
				value, a->key);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

int
drv_args_parse(const char *port, const char *args, const struct drv_arg *table,
	       unsigned int n)
{
	struct rte_kvargs *kv = rte_kvargs_parse(args != NULL ? args : "", NULL);
	unsigned int i;
	int ret = 0;

	if (kv == NULL) {
		DRV_LOG(ERR, port, "cannot parse \"%s\" as key=value[,key=value...]", args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && ret == 0; i++) {
		const struct drv_arg *a = find(table, n, kv->pairs[i].key);
		const char *value = kv->pairs[i].value != NULL ? kv->pairs[i].value : "";

		if (a == NULL) {
			DRV_LOG(ERR, port, "unknown argument \"%s\"", kv->pairs[i].key);
			ret = -EINVAL;
		} else if (rte_kvargs_count(kv, a->key) > 1) {
			DRV_LOG(ERR, port, "argument \"%s\" given more than once", a->key);
			ret = -EINVAL;
		} else {
			ret = parse_one(port, a, value);
		}
	}
	for (i = 0; i < n && ret == 0; i++) {
		if (table[i].required && rte_kvargs_count(kv, table[i].key) == 0) {
			DRV_LOG(ERR, port, "argument \"%s\" is required", table[i].key);
			ret = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	return ret;
}
