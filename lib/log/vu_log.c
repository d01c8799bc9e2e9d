/* SPDX-License-Identifier: BSD-3-Clause */
#include <time.h>

#include "vu_log.h"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	/* COARSE: a vDSO read, no syscall; millisecond accuracy is plenty. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
vu_log_ratelimit_allow(struct vu_log_ratelimit *rl, uint32_t *suppressed_out)
{
	uint64_t now = now_ms();

	if (suppressed_out != NULL)
		*suppressed_out = 0;
	if (rl->window_start_ms == 0 ||
	    now - rl->window_start_ms >= VU_LOG_RATELIMIT_WINDOW_MS) {
		if (suppressed_out != NULL)
			*suppressed_out = rl->suppressed;
		rl->window_start_ms = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < VU_LOG_RATELIMIT_BURST) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}
