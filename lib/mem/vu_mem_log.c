/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dirty-page log (SET_LOG_BASE): map the front-end's bitmap. Marking pages
 * is vu_mem_log_write(), inline in vu_mem.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>

#include "vu_mem.h"
#include "vu_mem_priv.h"

struct vu_mem_log *
vu_mem_log_create(const char *name, const struct vu_log *l, int fd)
{
	struct vu_mem_log *log;
	struct mem_fd_map m;
	int ret;

	if (name == NULL)
		name = "";
	if (l == NULL || l->mmap_size == 0) {
		MEM_LOG_RL(ERR, name, "log: mmap_size is 0");
		ret = -EINVAL;
		goto err_close;
	}
	log = calloc(1, sizeof(*log));
	if (log == NULL) {
		ret = -ENOMEM;
		goto err_close;
	}
	ret = mem_fd_map(name, "log", "mmap_size", fd, l->mmap_offset, l->mmap_size, &m);
	if (ret < 0)
		goto err_free;
	log->bits = m.start;
	log->size = l->mmap_size;
	log->map_addr = m.addr;
	log->map_len = m.len;
	mem_copy_name(log->name, sizeof(log->name), name);
	VU_LOG(vu_mem_logtype_config, INFO, "MEM", name, "dirty log of 0x%" PRIx64
	       " bytes mapped, covering 0x%" PRIx64 " bytes of guest memory",
	       log->size, log->size > UINT64_MAX / (8 * VU_MEM_LOG_PAGE) ?
	       UINT64_MAX : log->size * 8 * VU_MEM_LOG_PAGE);
	return log;

err_free:
	free(log);
	rte_errno = -ret;
	return NULL;
err_close:
	if (fd >= 0)
		close(fd);
	rte_errno = -ret;
	return NULL;
}

void
vu_mem_log_free(struct vu_mem_log *log)
{
	if (log == NULL)
		return;
	if (log->dropped != 0)
		VU_LOG(vu_mem_logtype_config, WARNING, "MEM", log->name,
		       "dirty log: %" PRIu64 " writes past its end were not logged",
		       log->dropped);
	munmap(log->map_addr, log->map_len);
	free(log);
}
