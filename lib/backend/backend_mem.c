/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory for the backend, through lib/mem. A new table is built aside;
 * running rings are paused (the data plane leaves them) before the pointer
 * changes, then resumed on the new table, and only then is the old table
 * freed.
 */
#include <errno.h>
#include <unistd.h>

#include <rte_errno.h>

#include "backend_priv.h"
#include "vu_mem.h"

/* Swap in @p next (built by the caller) with every running ring paused. */
static int
swap_table(struct vu_backend *b, struct vu_mem_table *next, const char *req)
{
	struct vu_mem_table *old = b->mem;

	if (next == NULL) {
		BE_LOG_RL(ERR, b, "%s: %s", req, rte_strerror(rte_errno));
		return -rte_errno;
	}
	be_rings_pause(b);
	b->mem = next;
	be_rings_resume(b);
	vu_mem_table_free(old);
	return 0;
}

int
be_mem_set_table(struct vu_backend *b, const struct vu_mem_region *regions, uint32_t n,
		 int *fds)
{
	/* lib/mem consumes the fds, on success and on failure. */
	return swap_table(b, vu_mem_table_create(b->name, regions, n, fds), "SET_MEM_TABLE");
}

int
be_mem_add_region(struct vu_backend *b, const struct vu_mem_region *r, int fd)
{
	struct vu_mem_table *next;

	if (b->mem == NULL)
		next = vu_mem_table_create(b->name, r, 1, &fd);
	else
		next = vu_mem_table_clone_add(b->mem, r, fd);
	return swap_table(b, next, "ADD_MEM_REG");
}

int
be_mem_remove_region(struct vu_backend *b, const struct vu_mem_region *r)
{
	if (b->mem == NULL) {
		BE_LOG_RL(ERR, b, "REM_MEM_REG: no memory table");
		return -ENOENT;
	}
	return swap_table(b, vu_mem_table_clone_remove(b->mem, r), "REM_MEM_REG");
}

void *
be_mem_vva_to_local(struct vu_backend *b, uint64_t vva, uint64_t len)
{
	return b->mem != NULL ? vu_mem_vva_to_local(b->mem, vva, len) : NULL;
}

int
be_mem_set_log(struct vu_backend *b, const struct vu_log *log, int fd)
{
	struct vu_mem_log *next = vu_mem_log_create(b->name, log, fd);
	struct vu_mem_log *old = b->log;

	if (next == NULL) {
		BE_LOG_RL(ERR, b, "SET_LOG_BASE: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	be_rings_pause(b);
	b->log = next;
	be_rings_resume(b);
	vu_mem_log_free(old);
	return 0;
}

void
be_mem_release(struct vu_backend *b)
{
	vu_mem_table_free(b->mem);
	b->mem = NULL;
	vu_mem_log_free(b->log);
	b->log = NULL;
	if (b->log_call_fd >= 0)
		close(b->log_call_fd);
	b->log_call_fd = -1;
}
