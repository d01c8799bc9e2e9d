/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What both sides of the split ring share: the log types and the names of
 * the break reasons.
 */
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* ---- the hand-off's heavy fence ---- */

bool vu_vring_access_asymmetric;

/*
 * Register for expedited private membarrier before any lcore runs a burst
 * (constructors run before main()). When the kernel or a seccomp filter
 * refuses, bursts fence themselves and this fence is a local one.
 */
RTE_INIT(vring_access_fence_init)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
		vu_vring_access_asymmetric = true;
}

void
vu_vring_access_heavy_fence(void)
{
	if (__atomic_load_n(&vu_vring_access_asymmetric, __ATOMIC_RELAXED) &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return;
	/* Registered but failing can't happen; if it did, bursts that rely on
	 * us would be unsafe, so never return without a fence: local one plus
	 * a flag flip makes later bursts fence themselves. */
	__atomic_store_n(&vu_vring_access_asymmetric, false, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
