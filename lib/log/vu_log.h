/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu logging: one rte_log type pair per library and a rate limiter.
 *
 * Each library registers two log types with RTE_LOG_REGISTER_SUFFIX:
 * `vu.<module>.config` (control plane, default INFO) and `vu.<module>.data`
 * (data plane, default WARNING, compiled through RTE_LOG_DP). Every message
 * names the socket or port it is about, so logs of several devices in one
 * process stay readable. Levels are changed with EAL's
 * `--log-level=vu.vhost_user.*:debug`.
 *
 * Anything a peer can trigger over and over (a malformed message, a broken
 * ring) goes through a vu_log_ratelimit so a hostile peer cannot flood the log.
 */
#ifndef VU_LOG_H
#define VU_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

/**
 * Log a control-plane line: "VU_<MODULE>: (<name>) <message>\n".
 *
 * @param type   log type variable registered by the library
 * @param level  DPDK level suffix: ERR, WARNING, INFO, DEBUG
 * @param module short module tag printed in the prefix
 * @param name   socket path or port name the message is about
 * @param fmt    printf format, then its arguments
 */
#define VU_LOG(type, level, module, name, fmt, ...) \
	rte_log(RTE_LOG_ ## level, (type), "VU_" module ": (%s) " fmt "\n", \
		(name), ##__VA_ARGS__)

/** Default number of lines a vu_log_ratelimit lets through per window. */
#define VU_LOG_RATELIMIT_BURST 10
/** Window length of a vu_log_ratelimit, in milliseconds. */
#define VU_LOG_RATELIMIT_WINDOW_MS 5000

/** State of one rate limiter; zero-initialise it. */
struct vu_log_ratelimit {
	uint64_t window_start_ms; /**< start of the current window */
	uint32_t printed;         /**< lines let through in this window */
	uint32_t suppressed;      /**< lines held back since the last report */
};

/**
 * Decide whether one more rate-limited line may be printed now.
 *
 * At most VU_LOG_RATELIMIT_BURST lines per VU_LOG_RATELIMIT_WINDOW_MS; when a
 * new window opens after lines were suppressed, @p suppressed_out receives
 * their count so the caller can say how many were dropped.
 *
 * @param rl             limiter state owned by the caller
 * @param suppressed_out set to the number of lines dropped in the previous
 *                       window when a new one opens, else 0; may be NULL
 * @return true if the caller should print.
 * Thread: the thread that owns @p rl (not thread safe).
 */
bool vu_log_ratelimit_allow(struct vu_log_ratelimit *rl, uint32_t *suppressed_out);

/**
 * Log through a rate limiter; prints how many lines were dropped when a new
 * window opens.
 */
#define VU_LOG_RL(rl, type, level, module, name, fmt, ...) do { \
	uint32_t vu_log_dropped_; \
	if (vu_log_ratelimit_allow((rl), &vu_log_dropped_)) { \
		if (vu_log_dropped_ != 0) \
			VU_LOG(type, level, module, name, \
			       "%u similar messages suppressed", vu_log_dropped_); \
		VU_LOG(type, level, module, name, fmt, ##__VA_ARGS__); \
	} \
} while (0)

#endif /* VU_LOG_H */
