/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What both sides of the split ring share: the log types and the names of
 * the break reasons.
 */
#include <rte_common.h>
#include <rte_log.h>

#include "vu_vring.h"
#include "vu_vring_priv.h"

RTE_LOG_REGISTER_SUFFIX(vu_vring_logtype_config, config, INFO);
RTE_LOG_REGISTER_SUFFIX(vu_vring_logtype_data, data, WARNING);

struct vu_log_ratelimit vring_ctl_rl;

static const char *const error_str[VU_VRING_ERR_COUNT] = {
	[VU_VRING_OK] = "ok",
#define X(name, text) [VU_VRING_ERR_ ## name] = text,
	VU_VRING_DEV_ERRORS(X)
#undef X
};

const char *
vu_vring_error_str(enum vu_vring_error e)
{
	if ((unsigned int)e >= RTE_DIM(error_str))
		return "unknown";
	return error_str[e];
}
