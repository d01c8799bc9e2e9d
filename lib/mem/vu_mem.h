/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu guest memory: the table of mapped guest memory regions a vhost-user
 * backend translates guest addresses through, and the dirty-page log.
 *
 * A front-end (VMM) describes guest memory as regions: a range of guest
 * physical addresses (GPA), the same range as the front-end's own virtual
 * addresses (VMM-VA, `userspace_addr`), and the fd + offset that hold it.
 * This library maps each region once (MAP_SHARED, aligned to the fd's page
 * size, so hugetlbfs and MFD_HUGETLB memfds give hugepage mappings) after
 * checking every field and the fd's real size, and translates GPA and VMM-VA
 * ranges to local pointers with bounds checks.
 *
 * **Immutability.** A struct vu_mem_table never changes once created. A
 * change of memory layout (SET_MEM_TABLE, ADD_MEM_REG, REM_MEM_REG) builds a
 * new table; regions it keeps share their mapping with the old table
 * (a per-mapping reference count). The control plane publishes the new
 * table only after the data plane has left every queue that used the old
 * one, then frees the old table; a mapping is unmapped when the last table
 * holding it is freed. Lookups therefore need no lock, no atomic and no
 * syscall: they are the inline functions of this header.
 *
 * **Threads.** Tables and logs are created and freed by one control thread
 * (vu-ctl); the reference counts are plain integers for that reason. Lookups
 * and vu_mem_log_write() may run on any thread, concurrently, on a table or
 * log that is not being freed.
 *
 * **Fd ownership, one rule for every function here:** an fd passed in is
 * always consumed. On success it is mapped and then closed (a mapping does
 * not need its fd, and 509 slots times several devices would otherwise eat
 * the fd limit); on failure it is closed. The caller never closes it.
 *
 * **Errors.** Constructors return NULL with rte_errno set (positive errno).
 * Anything the front-end sent is validated; each violation logs one
 * rate-limited line on `vu.mem.config` naming the field.
 */
#ifndef VU_MEM_H
#define VU_MEM_H

#include <errno.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "vu_proto.h"

/**
 * Regions a table holds at most, reported in GET_MAX_MEM_SLOTS. 509 is the
 * slot count vhost-user back-ends commonly advertise with CONFIGURE_MEM_SLOTS:
 * room for memory hot-plug (DIMMs, virtio-mem) far beyond the 8 regions of
 * SET_MEM_TABLE. Each slot in use costs one mapping, and one
 * struct vu_mem_table_region plus a uint16_t per table.
 */
#define VU_MEM_MAX_SLOTS 509

/**
 * Tables with at most this many regions are searched linearly: up to 8
 * regions (all SET_MEM_TABLE can send) fit in a few cache lines and a
 * linear scan has no unpredictable branches.
 */
#define VU_MEM_LINEAR_MAX 8

/** Bytes of guest memory one bit of the dirty log stands for (VHOST_LOG_PAGE). */
#define VU_MEM_LOG_PAGE 0x1000

struct vu_mem_mapping; /**< one mmap, shared by tables (private) */

/** One mapped region. Read-only for users; filled by the library. */
struct vu_mem_table_region {
	uint64_t gpa;		/**< guest physical address of the first byte */
	uint64_t size;		/**< bytes; gpa + size does not wrap */
	uint64_t uaddr;		/**< front-end virtual address of the first byte */
	uint8_t *host;		/**< local address of the first byte */
	uint64_t mmap_offset;	/**< offset of the first byte in the front-end's fd */
	uint64_t page_size;	/**< page size of the mapping (fd's st_blksize) */
	struct vu_mem_mapping *map; /**< the mmap this region lives in */
};

/** An immutable set of regions, sorted by GPA. */
struct vu_mem_table {
	uint32_t nregions;	/**< regions in use, 0..VU_MEM_MAX_SLOTS */
	const uint16_t *by_uaddr; /**< region indices sorted by uaddr */
	char name[128];		/**< socket or port name, for logs */
	struct vu_mem_table_region regions[]; /**< sorted by gpa, no overlaps */
};

/* ---- control plane ---- */

/**
 * Build a table from a whole set of regions (SET_MEM_TABLE), all or nothing.
 *
 * Every region is validated, mapped and checked against its fd's size and
 * against the others; on any failure nothing stays mapped and every fd is
 * closed. @p n may be 0 (an empty table, to start from for ADD_MEM_REG).
 *
 * @param name    socket or port name for logs (copied, may be truncated; NULL: "")
 * @param regions @p n regions as the front-end sent them, any order
 * @param n       number of regions, 0..VU_MEM_MAX_SLOTS
 * @param fds     @p n fds, fds[i] holding regions[i]; always consumed
 * @return the new table, or NULL with rte_errno:
 *   - EINVAL: a memory_size is 0, or @p regions / @p fds is NULL with n > 0
 *   - EOVERFLOW: guest_phys_addr, userspace_addr or mmap_offset + memory_size
 *     wraps past 2^64
 *   - EEXIST: two regions overlap in GPA or in VMM-VA space
 *   - EBADF: an fd is not an open file
 *   - ERANGE: a region reaches past the end of its fd
 *   - ENOSPC: @p n > VU_MEM_MAX_SLOTS
 *   - ENOMEM, or mmap's errno: out of memory or address space
 * Thread: the control thread.
 */
struct vu_mem_table *vu_mem_table_create(const char *name, const struct vu_mem_region *regions,
					 uint32_t n, const int *fds);

/**
 * Build a new table: @p old plus one region (ADD_MEM_REG).
 *
 * @p old is not modified; the regions they share keep one mapping.
 *
 * @param old table to start from (not NULL)
 * @param r   the region to add
 * @param fd  fd holding @p r; always consumed
 * @return the new table, or NULL with rte_errno:
 *   - EINVAL, EOVERFLOW, EBADF, ERANGE, ENOMEM: as vu_mem_table_create()
 *     (EINVAL also for a NULL @p old or @p r)
 *   - EEXIST: @p r overlaps a region of @p old in GPA or VMM-VA space
 *   - ENOSPC: @p old already holds VU_MEM_MAX_SLOTS regions
 * Thread: the control thread.
 */
struct vu_mem_table *vu_mem_table_clone_add(const struct vu_mem_table *old,
					    const struct vu_mem_region *r, int fd);

/**
 * Build a new table: @p old minus one region (REM_MEM_REG).
 *
 * The region is matched by guest_phys_addr, memory_size and userspace_addr
 * (mmap_offset is ignored, and no fd is needed, as the specification says).
 * Its mapping is unmapped once @p old, the last table holding it, is freed.
 *
 * @param old table to start from (not NULL)
 * @param r   the region to remove
 * @return the new table, or NULL with rte_errno:
 *   - EINVAL: @p old or @p r is NULL
 *   - ENOENT: no region of @p old matches @p r
 *   - ENOMEM: out of memory
 * Thread: the control thread.
 */
struct vu_mem_table *vu_mem_table_clone_remove(const struct vu_mem_table *old,
					       const struct vu_mem_region *r);

/**
 * Free a table: drop its reference on each mapping, unmapping the ones no
 * other table holds. NULL is a no-op.
 *
 * @param t table to free; no thread may be using it any more
 * Thread: the control thread.
 */
void vu_mem_table_free(struct vu_mem_table *t);

/* ---- fast path: lookups ---- */

/**
 * Find the region holding guest physical address @p gpa.
 *
 * @param t   table (not NULL)
 * @param gpa guest physical address
 * @return the region, or NULL when no region holds @p gpa.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline const struct vu_mem_table_region *
vu_mem_region_by_gpa(const struct vu_mem_table *t, uint64_t gpa)
{
	const struct vu_mem_table_region *r;
	uint32_t lo = 0, hi = t->nregions;

	if (t->nregions <= VU_MEM_LINEAR_MAX) {
		for (r = t->regions; r < t->regions + t->nregions; r++)
			if (gpa - r->gpa < r->size) /* wraps to huge when gpa < r->gpa */
				return r;
		return NULL;
	}
	while (lo < hi) { /* first region starting above gpa */
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->regions[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &t->regions[lo - 1];
	return gpa - r->gpa < r->size ? r : NULL;
}

/**
 * Find the region holding front-end virtual address @p vva.
 *
 * @param t   table (not NULL)
 * @param vva front-end (VMM) virtual address
 * @return the region, or NULL when no region holds @p vva.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline const struct vu_mem_table_region *
vu_mem_region_by_vva(const struct vu_mem_table *t, uint64_t vva)
{
	const struct vu_mem_table_region *r;
	uint32_t lo = 0, hi = t->nregions;

	if (t->nregions <= VU_MEM_LINEAR_MAX) {
		for (r = t->regions; r < t->regions + t->nregions; r++)
			if (vva - r->uaddr < r->size)
				return r;
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->regions[t->by_uaddr[mid]].uaddr <= vva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &t->regions[t->by_uaddr[lo - 1]];
	return vva - r->uaddr < r->size ? r : NULL;
}

/**
 * Bytes of region @p r from offset @p off on, capped at @p len.
 * @p off must be below r->size.
 */
static __rte_always_inline uint64_t
vu_mem_region_avail(const struct vu_mem_table_region *r, uint64_t off, uint64_t len)
{
	uint64_t left = r->size - off;

	return len < left ? len : left;
}

/**
 * Translate a guest physical range that must lie in one region.
 *
 * @param t   table (not NULL)
 * @param gpa guest physical address of the first byte
 * @param len bytes; 0 is rejected (a caller skips empty buffers itself)
 * @return local pointer to @p gpa, or NULL when [@p gpa, @p gpa + @p len)
 *   is empty, wraps, or is not entirely inside one region.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline void *
vu_mem_gpa_to_local(const struct vu_mem_table *t, uint64_t gpa, uint64_t len)
{
	const struct vu_mem_table_region *r = vu_mem_region_by_gpa(t, gpa);
	uint64_t off;

	if (unlikely(r == NULL || len == 0))
		return NULL;
	off = gpa - r->gpa;
	/* r->size - off cannot wrap (off < size); gpa + len is never computed. */
	if (unlikely(len > r->size - off))
		return NULL;
	return r->host + off;
}

/**
 * Translate the start of a guest physical range that may cross regions.
 *
 * The data plane walks a buffer that spans regions by calling this again
 * at @p gpa + *@p contig for the rest.
 *
 * @param t      table (not NULL)
 * @param gpa    guest physical address of the first byte
 * @param len    bytes wanted; 0 is rejected
 * @param contig set to the bytes available at the returned pointer:
 *               min(@p len, bytes left in the region holding @p gpa);
 *               untouched on failure
 * @return local pointer to @p gpa, or NULL when @p len is 0 or no region
 *   holds @p gpa.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline void *
vu_mem_gpa_to_local_contig(const struct vu_mem_table *t, uint64_t gpa, uint64_t len,
			   uint64_t *contig)
{
	const struct vu_mem_table_region *r = vu_mem_region_by_gpa(t, gpa);

	if (unlikely(r == NULL || len == 0))
		return NULL;
	*contig = vu_mem_region_avail(r, gpa - r->gpa, len);
	return r->host + (gpa - r->gpa);
}

/**
 * Translate a front-end virtual range (ring addresses) that must lie in
 * one region.
 *
 * @param t   table (not NULL)
 * @param vva front-end virtual address of the first byte
 * @param len bytes; 0 is rejected
 * @return local pointer to @p vva, or NULL when the range is empty, wraps,
 *   or is not entirely inside one region.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline void *
vu_mem_vva_to_local(const struct vu_mem_table *t, uint64_t vva, uint64_t len)
{
	const struct vu_mem_table_region *r = vu_mem_region_by_vva(t, vva);
	uint64_t off;

	if (unlikely(r == NULL || len == 0))
		return NULL;
	off = vva - r->uaddr;
	if (unlikely(len > r->size - off))
		return NULL;
	return r->host + off;
}

/**
 * Translate the start of a front-end virtual range that may cross regions.
 *
 * @param t      table (not NULL)
 * @param vva    front-end virtual address of the first byte
 * @param len    bytes wanted; 0 is rejected
 * @param contig set to min(@p len, bytes left in the region); untouched on
 *               failure
 * @return local pointer to @p vva, or NULL when @p len is 0 or no region
 *   holds @p vva.
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline void *
vu_mem_vva_to_local_contig(const struct vu_mem_table *t, uint64_t vva, uint64_t len,
			   uint64_t *contig)
{
	const struct vu_mem_table_region *r = vu_mem_region_by_vva(t, vva);

	if (unlikely(r == NULL || len == 0))
		return NULL;
	*contig = vu_mem_region_avail(r, vva - r->uaddr, len);
	return r->host + (vva - r->uaddr);
}

/**
 * Translate a guest physical range inside one region to the front-end's
 * virtual address (what a ring address would be in SET_VRING_ADDR).
 *
 * @param t   table (not NULL)
 * @param gpa guest physical address of the first byte
 * @param len bytes; 0 is rejected
 * @param vva set to the front-end virtual address of @p gpa on success
 * @return 0, or -EFAULT when the range is empty, wraps or is not entirely
 *   inside one region (@p vva untouched).
 * Thread: any; no syscall, no lock.
 */
static __rte_always_inline int
vu_mem_gpa_to_vva(const struct vu_mem_table *t, uint64_t gpa, uint64_t len, uint64_t *vva)
{
	const struct vu_mem_table_region *r = vu_mem_region_by_gpa(t, gpa);

	if (unlikely(r == NULL || len == 0 || len > r->size - (gpa - r->gpa)))
		return -EFAULT;
	*vva = r->uaddr + (gpa - r->gpa);
	return 0;
}

/* ---- dirty-page log (SET_LOG_BASE) ---- */

/** A mapped dirty log: one bit per VU_MEM_LOG_PAGE of guest memory. */
struct vu_mem_log {
	uint8_t *bits;		/**< the bitmap, local address */
	uint64_t size;		/**< bytes of bitmap (mmap_size) */
	uint64_t dropped;	/**< writes reaching past the bitmap; atomic */
	void *map_addr;		/**< the mapping, page aligned */
	size_t map_len;		/**< its length */
	char name[128];		/**< socket or port name, for logs */
};

/**
 * Map a dirty log (SET_LOG_BASE).
 *
 * @param name socket or port name for logs (copied, may be truncated; NULL: "")
 * @param l    mmap_size and mmap_offset as the front-end sent them
 * @param fd   fd holding the log; always consumed
 * @return the log, or NULL with rte_errno:
 *   - EINVAL: @p l is NULL or mmap_size is 0
 *   - EOVERFLOW: mmap_offset + mmap_size wraps past 2^64
 *   - EBADF: @p fd is not an open file
 *   - ERANGE: the log reaches past the end of its fd
 *   - ENOMEM, or mmap's errno: out of memory or address space
 * Thread: the control thread.
 */
struct vu_mem_log *vu_mem_log_create(const char *name, const struct vu_log *l, int fd);

/**
 * Unmap and free a dirty log. NULL is a no-op.
 *
 * @param log log to free; no thread may be using it any more
 * Thread: the control thread.
 */
void vu_mem_log_free(struct vu_mem_log *log);

/**
 * Mark the pages of [@p gpa, @p gpa + @p len) dirty.
 *
 * One bit per VU_MEM_LOG_PAGE, set with an atomic OR on its byte (the
 * front-end reads and clears the log concurrently, word by word, with an
 * atomic exchange). Pages past the end of the bitmap, and ranges that wrap,
 * are ignored and counted once per call in log->dropped.
 *
 * Ordering: the OR is a release, so the guest-memory write it records (made
 * before this call, in program order) is visible to whoever sees the bit;
 * it pairs with the front-end's atomic exchange of the log word before it
 * copies the page. Log a write after making it, never before: a bit set
 * early can be consumed before the data lands and the write is then lost
 * to migration. The used ring is guest memory too: log used->ring[] and
 * used->idx after writing them (at the vring's log GPA).
 *
 * @param log the log (not NULL)
 * @param gpa guest physical address of the first byte written
 * @param len bytes written; 0 does nothing
 * Thread: any, concurrently with other writers.
 */
static __rte_always_inline void
vu_mem_log_write(struct vu_mem_log *log, uint64_t gpa, uint64_t len)
{
	uint64_t page, last;

	if (unlikely(len == 0))
		return;
	if (unlikely(len - 1 > UINT64_MAX - gpa)) {
		__atomic_fetch_add(&log->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	last = (gpa + len - 1) / VU_MEM_LOG_PAGE;
	for (page = gpa / VU_MEM_LOG_PAGE; page <= last; page++) {
		if (unlikely(page / 8 >= log->size)) {
			__atomic_fetch_add(&log->dropped, 1, __ATOMIC_RELAXED);
			return;
		}
		__atomic_fetch_or(&log->bits[page / 8], (uint8_t)(1u << (page % 8)),
				  __ATOMIC_RELEASE);
	}
}

/**
 * Writes vu_mem_log_write() ignored because they reached past the log.
 *
 * @param log the log (not NULL)
 * @return count since vu_mem_log_create().
 * Thread: any.
 */
static inline uint64_t
vu_mem_log_dropped(const struct vu_mem_log *log)
{
	return __atomic_load_n(&log->dropped, __ATOMIC_RELAXED);
}

#endif /* VU_MEM_H */
