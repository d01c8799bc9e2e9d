/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest memory for front-ends: hugepage-backed shared regions with holes. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "vu_guest_mem.h"
#include "vu_mem_priv.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

#define GM_SMALL_PAGE	4096ull
#define GM_HUGE_PAGE	(2ull << 20)	/* MFD_HUGETLB without a size flag: the default size */

static uint64_t
round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* An fd on hugepages: a MFD_HUGETLB memfd, or an unlinked file on @p dir. */
static int
open_huge(const char *name, const char *dir, uint64_t *page_size)
{
	char path[256];
	struct stat st;
	int fd;

	if (dir == NULL) {
		*page_size = GM_HUGE_PAGE;
		fd = memfd_create(name, MFD_CLOEXEC | MFD_HUGETLB);
		return fd < 0 ? -errno : fd;
	}
	snprintf(path, sizeof(path), "%s/%s-%d-XXXXXX", dir, name, getpid());
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (fstat(fd, &st) != 0 || st.st_blksize < (blksize_t)GM_HUGE_PAGE) {
		close(fd);
		return -EINVAL;		/* not a hugetlbfs mount */
	}
	*page_size = (uint64_t)st.st_blksize;
	return fd;
}

/* Size and map @p r->fd; on failure the fd is closed. */
static int
size_and_map(struct vu_guest_mem_region *r)
{
	void *va;

	r->size = round_up(r->size, r->page_size);
	if (ftruncate(r->fd, (off_t)r->size) != 0)
		goto err;
	/* MAP_POPULATE: hugepage shortage shows here, not as SIGBUS later. */
	va = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, 0);
	if (va == MAP_FAILED)
		goto err;
	r->va = va;
	return 0;
err:
	{
		int e = errno;

		close(r->fd);
		r->fd = -1;
		return -e;
	}
}

static int
region_create(struct vu_guest_mem_region *r, const char *name, enum vu_guest_mem_backing backing,
	      const char *hugetlbfs)
{
	int ret = -ENOMEM;

	if (backing != VU_GUEST_MEM_PLAIN) {
		r->fd = open_huge(name, hugetlbfs, &r->page_size);
		ret = r->fd < 0 ? r->fd : size_and_map(r);
		r->hugepages = ret == 0;
		if (ret == 0 || backing == VU_GUEST_MEM_HUGEPAGES)
			return ret == -EINVAL ? -EINVAL : (ret ? -ENOMEM : 0);
		MEM_LOG_RL(INFO, name, "no hugepages (%s): plain memfd for GPA 0x%" PRIx64,
			   strerror(-ret), r->gpa);
	}
	r->page_size = GM_SMALL_PAGE;
	r->fd = memfd_create(name, MFD_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	return size_and_map(r);
}

static bool
layout_valid(const struct vu_guest_mem_layout *l, unsigned int n)
{
	unsigned int i, j;

	if (l == NULL || n == 0 || n > VU_GUEST_MEM_MAX_REGIONS)
		return false;
	for (i = 0; i < n; i++) {
		if (l[i].size == 0 || l[i].gpa % GM_SMALL_PAGE ||
		    l[i].gpa > UINT64_MAX - round_up(l[i].size, GM_HUGE_PAGE))
			return false;
		for (j = 0; j < i; j++)
			if (l[i].gpa < l[j].gpa + l[j].size && l[j].gpa < l[i].gpa + l[i].size)
				return false;
	}
	return true;
}

struct vu_guest_mem *
vu_guest_mem_create(const char *name, const struct vu_guest_mem_layout *layout, unsigned int n,
		    enum vu_guest_mem_backing backing, const char *hugetlbfs)
{
	struct vu_guest_mem *m;
	unsigned int i;
	int ret;

	if (name == NULL || !layout_valid(layout, n)) {
		rte_errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m) + n * sizeof(m->regions[0]));
	if (m == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		m->regions[i] = (struct vu_guest_mem_region){ .gpa = layout[i].gpa,
			.size = layout[i].size, .fd = -1 };
		ret = region_create(&m->regions[i], name, backing, hugetlbfs);
		if (ret < 0) {
			vu_guest_mem_destroy(m);
			rte_errno = -ret;
			return NULL;
		}
		m->nregions = i + 1;
	}
	return m;
}

void
vu_guest_mem_destroy(struct vu_guest_mem *m)
{
	unsigned int i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nregions; i++) {
		munmap(m->regions[i].va, m->regions[i].size);
		close(m->regions[i].fd);
	}
	free(m);
}

void *
vu_guest_mem_gpa_to_va(const struct vu_guest_mem *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nregions; i++) {
		const struct vu_guest_mem_region *r = &m->regions[i];

		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return r->va + (gpa - r->gpa);
	}
	return NULL;
}

int
vu_guest_mem_describe(const struct vu_guest_mem *m, unsigned int i, struct vu_mem_region *out)
{
	if (i >= m->nregions)
		return -EINVAL;
	*out = (struct vu_mem_region){ .guest_phys_addr = m->regions[i].gpa,
		.memory_size = m->regions[i].size,
		.userspace_addr = (uint64_t)(uintptr_t)m->regions[i].va, .mmap_offset = 0 };
	return 0;
}
