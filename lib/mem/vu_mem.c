/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory tables: validation, mapping, copy-on-write construction.
 *
 * A table is one allocation: the header, the regions sorted by GPA, then
 * the uint16_t index of the regions sorted by userspace_addr. Regions point
 * at a struct vu_mem_mapping that counts the tables holding it; tables are
 * built and freed by the control thread only, so the count is a plain
 * integer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "vu_mem.h"
#include "vu_mem_priv.h"

RTE_LOG_REGISTER_SUFFIX(vu_mem_logtype_config, config, INFO);

struct vu_log_ratelimit mem_log_rl;

_Static_assert(sizeof(size_t) == sizeof(uint64_t), "vu needs a 64-bit address space");
_Static_assert(VU_MEM_MAX_SLOTS <= UINT16_MAX, "by_uaddr holds uint16_t indices");

/* Largest page size taken from st_blksize; anything above is not a page. */
#define MEM_MAX_PAGE_SIZE (UINT64_C(1) << 30)

struct vu_mem_mapping {
	void *addr;
	size_t len;
	uint32_t refcnt;	/* tables holding this mapping; control thread only */
};

void
mem_copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/* hugetlbfs (and MFD_HUGETLB memfds) report the huge page size in st_blksize. */
static uint64_t
fd_page_size(const struct stat *st)
{
	uint64_t sys = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t blk = (uint64_t)st->st_blksize;

	if (blk > sys && blk <= MEM_MAX_PAGE_SIZE && (blk & (blk - 1)) == 0)
		return blk;
	return sys;
}

/* fstat @fd and check that it holds [offset, offset + size). */
static int
check_fd_size(const char *name, const char *what, const char *size_field, int fd,
	      uint64_t offset, uint64_t size, struct stat *st)
{
	if (size > UINT64_MAX - offset) {
		MEM_LOG_RL(ERR, name, "%s: mmap_offset 0x%" PRIx64 " + %s 0x%" PRIx64
			   " wraps past 2^64", what, offset, size_field, size);
		return -EOVERFLOW;
	}
	if (fd < 0 || fstat(fd, st) < 0) {
		MEM_LOG_RL(ERR, name, "%s: fd %d is not an open file", what, fd);
		return -EBADF;
	}
	if (st->st_size < 0 || (uint64_t)st->st_size < offset + size) {
		MEM_LOG_RL(ERR, name, "%s: mmap_offset 0x%" PRIx64 " + %s 0x%" PRIx64
			   " reaches past the end of its fd (0x%" PRIx64 " bytes)",
			   what, offset, size_field, size, (uint64_t)st->st_size);
		return -ERANGE;
	}
	return 0;
}

int
mem_fd_map(const char *name, const char *what, const char *size_field, int fd,
	   uint64_t offset, uint64_t size, struct mem_fd_map *out)
{
	struct stat st;
	uint64_t page, lead;
	void *addr;
	int ret;

	ret = check_fd_size(name, what, size_field, fd, offset, size, &st);
	if (ret < 0)
		goto out_close;
	/* offset + size <= st_size < 2^63: aligning up cannot wrap. */
	page = fd_page_size(&st);
	lead = offset & (page - 1);
	out->len = RTE_ALIGN_CEIL(lead + size, page);
	addr = mmap(NULL, out->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    (off_t)(offset - lead));
	if (addr == MAP_FAILED) {
		ret = -errno;
		MEM_LOG_RL(ERR, name, "%s: mmap of 0x%zx bytes at fd offset 0x%" PRIx64
			   " (page 0x%" PRIx64 "): %s", what, out->len, offset - lead, page,
			   strerror(-ret));
		goto out_close;
	}
	out->addr = addr;
	out->start = (uint8_t *)addr + lead;
	out->page_size = page;
out_close:
	/* The mapping keeps the file; the fd itself is no longer needed. */
	if (fd >= 0)
		close(fd);
	return ret;
}

static void
close_fds(const int *fds, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; fds != NULL && i < to; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Field checks that need no fd; each failure names its field. */
static int
check_region(const char *name, const struct vu_mem_region *r)
{
	const uint64_t gpa = r->guest_phys_addr, size = r->memory_size;

	if (size == 0) {
		MEM_LOG_RL(ERR, name, "region gpa 0x%" PRIx64 ": memory_size is 0", gpa);
		return -EINVAL;
	}
	if (size > UINT64_MAX - gpa) {
		MEM_LOG_RL(ERR, name, "region: guest_phys_addr 0x%" PRIx64 " + memory_size 0x%"
			   PRIx64 " wraps past 2^64", gpa, size);
		return -EOVERFLOW;
	}
	if (size > UINT64_MAX - r->userspace_addr) {
		MEM_LOG_RL(ERR, name, "region gpa 0x%" PRIx64 ": userspace_addr 0x%" PRIx64
			   " + memory_size 0x%" PRIx64 " wraps past 2^64",
			   gpa, r->userspace_addr, size);
		return -EOVERFLOW;
	}
	if (size > UINT64_MAX - r->mmap_offset) {
		MEM_LOG_RL(ERR, name, "region gpa 0x%" PRIx64 ": mmap_offset 0x%" PRIx64
			   " + memory_size 0x%" PRIx64 " wraps past 2^64",
			   gpa, r->mmap_offset, size);
		return -EOVERFLOW;
	}
	return 0;
}

/* Validate @r, map it from @fd (always consumed) and fill @tr. */
static int
map_region(const char *name, struct vu_mem_table_region *tr, const struct vu_mem_region *r,
	   int fd)
{
	struct vu_mem_mapping *map;
	struct mem_fd_map m;
	char what[48];
	int ret;

	ret = check_region(name, r);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	snprintf(what, sizeof(what), "region gpa 0x%" PRIx64, r->guest_phys_addr);
	ret = mem_fd_map(name, what, "memory_size", fd, r->mmap_offset, r->memory_size, &m);
	if (ret < 0)
		return ret;
	map = malloc(sizeof(*map));
	if (map == NULL) {
		munmap(m.addr, m.len);
		return -ENOMEM;
	}
	*map = (struct vu_mem_mapping){ .addr = m.addr, .len = m.len, .refcnt = 1 };
	*tr = (struct vu_mem_table_region){
		.gpa = r->guest_phys_addr, .size = r->memory_size,
		.uaddr = r->userspace_addr, .host = m.start,
		.mmap_offset = r->mmap_offset, .page_size = m.page_size, .map = map,
	};
	VU_LOG(vu_mem_logtype_config, DEBUG, "MEM", name, "mapped region gpa 0x%" PRIx64
	       " size 0x%" PRIx64 " uaddr 0x%" PRIx64 " at %p (page 0x%" PRIx64 ")",
	       tr->gpa, tr->size, tr->uaddr, (void *)tr->host, tr->page_size);
	return 0;
}

static void
mapping_put(struct vu_mem_mapping *map)
{
	if (--map->refcnt != 0)
		return;
	munmap(map->addr, map->len);
	free(map);
}

static struct vu_mem_table *
table_alloc(const char *name, uint32_t n)
{
	struct vu_mem_table *t;

	t = calloc(1, sizeof(*t) + n * (sizeof(t->regions[0]) + sizeof(uint16_t)));
	if (t == NULL)
		return NULL;
	t->by_uaddr = (const uint16_t *)&t->regions[n];
	mem_copy_name(t->name, sizeof(t->name), name);
	return t;
}

static int
cmp_gpa(const void *a, const void *b)
{
	const struct vu_mem_table_region *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static int
cmp_uaddr(const void *a, const void *b, void *regions)
{
	const struct vu_mem_table_region *r = regions;
	uint64_t x = r[*(const uint16_t *)a].uaddr, y = r[*(const uint16_t *)b].uaddr;

	return x < y ? -1 : x > y;
}

/* Sort the regions by GPA and build the by-uaddr index. */
static void
index_table(struct vu_mem_table *t)
{
	uint16_t *order = (uint16_t *)(uintptr_t)t->by_uaddr;
	uint32_t i;

	qsort(t->regions, t->nregions, sizeof(t->regions[0]), cmp_gpa);
	for (i = 0; i < t->nregions; i++)
		order[i] = (uint16_t)i;
	qsort_r(order, t->nregions, sizeof(order[0]), cmp_uaddr, t->regions);
}

static void
log_overlap(const struct vu_mem_table *t, const struct vu_mem_table_region *a,
	    const struct vu_mem_table_region *b, const char *space)
{
	MEM_LOG_RL(ERR, t->name, "region gpa 0x%" PRIx64 " uaddr 0x%" PRIx64 " size 0x%" PRIx64
		   " overlaps region gpa 0x%" PRIx64 " uaddr 0x%" PRIx64 " size 0x%" PRIx64
		   " in %s space", b->gpa, b->uaddr, b->size, a->gpa, a->uaddr, a->size, space);
}

/* Index @t, then reject overlaps: neighbours in each order are enough. */
static int
index_and_check(struct vu_mem_table *t)
{
	const struct vu_mem_table_region *a, *b;
	uint32_t i;

	index_table(t);
	for (i = 1; i < t->nregions; i++) {
		a = &t->regions[i - 1];
		b = &t->regions[i];
		if (b->gpa - a->gpa < a->size) {
			log_overlap(t, a, b, "guest_phys_addr");
			return -EEXIST;
		}
		a = &t->regions[t->by_uaddr[i - 1]];
		b = &t->regions[t->by_uaddr[i]];
		if (b->uaddr - a->uaddr < a->size) {
			log_overlap(t, a, b, "userspace_addr");
			return -EEXIST;
		}
	}
	return 0;
}

static struct vu_mem_table *
fail(int ret)
{
	rte_errno = -ret;
	return NULL;
}

struct vu_mem_table *
vu_mem_table_create(const char *name, const struct vu_mem_region *regions, uint32_t n,
		    const int *fds)
{
	struct vu_mem_table *t;
	uint32_t i;
	int ret;

	if (name == NULL)
		name = "";
	if (n > 0 && (regions == NULL || fds == NULL)) {
		ret = -EINVAL;
		goto err_close;
	}
	if (n > VU_MEM_MAX_SLOTS) {
		MEM_LOG_RL(ERR, name, "%u regions, at most %u slots", n, VU_MEM_MAX_SLOTS);
		ret = -ENOSPC;
		goto err_close;
	}
	t = table_alloc(name, n);
	if (t == NULL) {
		ret = -ENOMEM;
		goto err_close;
	}
	for (i = 0; i < n; i++) {
		ret = map_region(t->name, &t->regions[i], &regions[i], fds[i]);
		if (ret < 0) {
			close_fds(fds, i + 1, n);
			goto err_free;
		}
		t->nregions = i + 1;
	}
	ret = index_and_check(t);
	if (ret < 0)
		goto err_free;
	return t;

err_free:
	vu_mem_table_free(t);
	return fail(ret);
err_close:
	close_fds(fds, 0, n);
	return fail(ret);
}

/* A new table of @n slots holding every region of @old but @skip, with refs taken. */
static struct vu_mem_table *
table_copy(const struct vu_mem_table *old, uint32_t n, uint32_t skip)
{
	struct vu_mem_table *t = table_alloc(old->name, n);
	uint32_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < old->nregions; i++) {
		if (i == skip)
			continue;
		t->regions[t->nregions] = old->regions[i];
		t->regions[t->nregions++].map->refcnt++;
	}
	return t;
}

struct vu_mem_table *
vu_mem_table_clone_add(const struct vu_mem_table *old, const struct vu_mem_region *r, int fd)
{
	struct vu_mem_table *t;
	int ret;

	if (old == NULL || r == NULL) {
		ret = -EINVAL;
		goto err_close;
	}
	if (old->nregions >= VU_MEM_MAX_SLOTS) {
		MEM_LOG_RL(ERR, old->name, "region gpa 0x%" PRIx64 ": all %u slots in use",
			   r->guest_phys_addr, VU_MEM_MAX_SLOTS);
		ret = -ENOSPC;
		goto err_close;
	}
	t = table_copy(old, old->nregions + 1, UINT32_MAX);
	if (t == NULL) {
		ret = -ENOMEM;
		goto err_close;
	}
	ret = map_region(t->name, &t->regions[t->nregions], r, fd);
	if (ret < 0)
		goto err_free;
	t->nregions++;
	ret = index_and_check(t);
	if (ret < 0)
		goto err_free;
	return t;

err_free:
	vu_mem_table_free(t);
	return fail(ret);
err_close:
	if (fd >= 0)
		close(fd);
	return fail(ret);
}

struct vu_mem_table *
vu_mem_table_clone_remove(const struct vu_mem_table *old, const struct vu_mem_region *r)
{
	struct vu_mem_table *t;
	uint32_t i;

	if (old == NULL || r == NULL)
		return fail(-EINVAL);
	for (i = 0; i < old->nregions; i++)
		if (old->regions[i].gpa == r->guest_phys_addr &&
		    old->regions[i].size == r->memory_size &&
		    old->regions[i].uaddr == r->userspace_addr)
			break;
	if (i == old->nregions) {
		MEM_LOG_RL(ERR, old->name, "remove: no region gpa 0x%" PRIx64 " size 0x%" PRIx64
			   " uaddr 0x%" PRIx64, r->guest_phys_addr, r->memory_size,
			   r->userspace_addr);
		return fail(-ENOENT);
	}
	t = table_copy(old, old->nregions - 1, i);
	if (t == NULL)
		return fail(-ENOMEM);
	index_table(t);
	return t;
}

void
vu_mem_table_free(struct vu_mem_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nregions; i++)
		mapping_put(t->regions[i].map);
	free(t);
}
