/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/mem: log type and the fd mapping shared by tables and logs. */
#ifndef VU_MEM_PRIV_H
#define VU_MEM_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "vu_log.h"

extern int vu_mem_logtype_config;

/* One limiter for every table and log: only the control thread logs here. */
extern struct vu_log_ratelimit mem_log_rl;

/** Control-plane line about the device @p name; rate-limited, as a peer can repeat it. */
#define MEM_LOG_RL(level, name, fmt, ...) \
	VU_LOG_RL(&mem_log_rl, vu_mem_logtype_config, level, "MEM", name, fmt, ##__VA_ARGS__)

/** A byte range of an fd, mapped by mem_fd_map(). */
struct mem_fd_map {
	void *addr;		/* the mapping: page aligned */
	size_t len;		/* its length: a multiple of page_size */
	uint8_t *start;		/* local address of the requested offset */
	uint64_t page_size;	/* fd's page size: st_blksize or the system page */
};

/*
 * Map [offset, offset + size) of @fd shared and read-write after checking
 * that offset + size does not wrap and that the fd is at least that long.
 * @what names the object in log lines ("region gpa 0x..", "log"), @size_field
 * the wire field holding @size ("memory_size", "mmap_size"). Closes @fd in
 * every case. Returns 0 or -EOVERFLOW, -EBADF, -ERANGE, -errno of mmap.
 */
int mem_fd_map(const char *name, const char *what, const char *size_field, int fd,
	       uint64_t offset, uint64_t size, struct mem_fd_map *out);

/* Copy @src into @dst[@len], truncating, always terminated; NULL gives "". */
void mem_copy_name(char *dst, size_t len, const char *src);

#endif /* VU_MEM_PRIV_H */
