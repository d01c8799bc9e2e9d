/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vu_guest_mem: guest memory a front-end (VMM side) allocates and shares
 * with a vhost-user backend.
 *
 * One or more regions, each at its own guest physical address (holes between
 * them are allowed), each backed by its own shareable fd: a hugepage memfd
 * (memfd_create(MFD_HUGETLB)) or a file on a hugetlbfs mount, or, when
 * hugepages are not available and the caller allows it, a plain memfd. Each
 * region is mapped MAP_SHARED once in this process; its local address is the
 * "userspace_addr" the front-end sends in SET_MEM_TABLE / ADD_MEM_REG, and
 * its fd is what the backend maps.
 *
 * Thread: create and destroy from one control thread; lookups from any.
 */
#ifndef VU_GUEST_MEM_H
#define VU_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vu_proto.h"

/** Regions one vu_guest_mem holds at most. */
#define VU_GUEST_MEM_MAX_REGIONS 64

/** What backs the regions. */
enum vu_guest_mem_backing {
	VU_GUEST_MEM_AUTO,	/**< hugepages if possible, else a plain memfd */
	VU_GUEST_MEM_HUGEPAGES,	/**< hugepages or fail (ENOMEM) */
	VU_GUEST_MEM_PLAIN,	/**< a plain memfd (system pages) */
};

/** One region to create: where it sits in guest physical space. */
struct vu_guest_mem_layout {
	uint64_t gpa;		/**< guest physical address, page aligned */
	uint64_t size;		/**< bytes, > 0; rounded up to the page size */
};

/** One created region. */
struct vu_guest_mem_region {
	uint64_t gpa;		/**< guest physical address of the first byte */
	uint64_t size;		/**< bytes (a multiple of page_size) */
	uint8_t *va;		/**< local address of the first byte */
	int fd;			/**< shareable fd holding it at offset 0 (owned) */
	uint64_t page_size;	/**< 4 KiB, or the hugepage size */
	bool hugepages;		/**< backed by hugepages */
};

/** A set of regions; read-only for users. */
struct vu_guest_mem {
	unsigned int nregions;				/**< regions that follow */
	struct vu_guest_mem_region regions[];	/**< in the order of the layout */
};

/**
 * Allocate guest memory.
 *
 * @param name      memfd name (shows in /proc/PID/maps as "memfd:<name>")
 * @param layout    @p n regions; they must not overlap in GPA space
 * @param n         1..VU_GUEST_MEM_MAX_REGIONS
 * @param backing   see enum vu_guest_mem_backing
 * @param hugetlbfs a hugetlbfs mount to create (and unlink) files in instead
 *                  of MFD_HUGETLB memfds, or NULL
 * @return the memory, or NULL with rte_errno: EINVAL (bad layout, overlap,
 *   n out of range), ENOMEM (no hugepages with VU_GUEST_MEM_HUGEPAGES, or no
 *   memory), or the errno of memfd_create/open/ftruncate/mmap.
 * Thread: any.
 */
struct vu_guest_mem *vu_guest_mem_create(const char *name, const struct vu_guest_mem_layout *layout,
					 unsigned int n, enum vu_guest_mem_backing backing,
					 const char *hugetlbfs);

/** Unmap and close everything; NULL is ignored. Thread: any. */
void vu_guest_mem_destroy(struct vu_guest_mem *m);

/**
 * Local address of the guest range [@p gpa, @p gpa + @p len), or NULL when it
 * is not inside one region. Thread: any.
 */
void *vu_guest_mem_gpa_to_va(const struct vu_guest_mem *m, uint64_t gpa, uint64_t len);

/**
 * Region @p i as the wire describes it (userspace_addr = local address,
 * mmap_offset 0). Thread: any.
 * @return 0, or -EINVAL if @p i is out of range.
 */
int vu_guest_mem_describe(const struct vu_guest_mem *m, unsigned int i, struct vu_mem_region *out);

#endif /* VU_GUEST_MEM_H */
