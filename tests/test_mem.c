/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/mem: guest memory tables and the dirty log, on real memfds (and
 * MFD_HUGETLB memfds when the kernel has huge pages). Every case checks that
 * fds and mappings come back to where they were.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_errno.h>

#include "vu_mem.h"
#include "vu_test.h"

#define MIB (UINT64_C(1) << 20)
#define HUGE_2M (2 * MIB)

/* Every memfd of this test is named vu_tmem*, so its mappings can be counted. */
#define MEMFD_TAG "vu_tmem"

static int
make_memfd(const char *name, uint64_t size, unsigned int flags)
{
	int fd = memfd_create(name, flags);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct snap {
	int fds;
	int maps;
};

static struct snap
take_snap(void)
{
	return (struct snap){ vu_test_count_fds(), vu_test_count_maps(MEMFD_TAG) };
}

/* Fds and memfd mappings are back to @s. */
#define CHECK_NO_LEAK(s) do { \
	struct snap now_ = take_snap(); \
	CHECK_EQ(now_.fds, (s).fds); \
	CHECK_EQ(now_.maps, (s).maps); \
} while (0)

static struct vu_mem_region
region(uint64_t gpa, uint64_t size, uint64_t uaddr, uint64_t off)
{
	return (struct vu_mem_region){ .guest_phys_addr = gpa, .memory_size = size,
				       .userspace_addr = uaddr, .mmap_offset = off };
}

static uint8_t *
map_whole(int fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- mapping ---- */

/* A region at a non-page-aligned mmap_offset is the right bytes of the file. */
static void
test_map_shared_offset(void)
{
	const uint64_t off = 3 * 4096 + 100, size = 0x10000, gpa = 0x100000;
	struct vu_mem_region r = region(gpa, size, 0x7f0000100000, off);
	struct vu_mem_table *t;
	uint8_t *file, *p;
	struct snap s;
	uint64_t i;
	int fd, dfd;

	fd = make_memfd(MEMFD_TAG, MIB, 0);
	CHECK(fd >= 0);
	file = map_whole(fd, MIB);
	CHECK(file != NULL);
	s = take_snap();
	dfd = dup(fd);
	t = vu_mem_table_create("test", &r, 1, &dfd);
	CHECK(t != NULL);
	CHECK_EQ(t->nregions, 1);
	CHECK_EQ(vu_test_count_fds(), s.fds); /* the table closed its fd */
	CHECK_EQ(vu_test_count_maps(MEMFD_TAG), s.maps + 1);
	p = vu_mem_gpa_to_local(t, gpa, size);
	CHECK(p != NULL);
	CHECK_EQ((uintptr_t)p % 4096, off % 4096);
	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	CHECK(memcmp(file + off, p, size) == 0);
	CHECK_EQ(file[off - 1], 0);
	CHECK_EQ(file[off + size], 0);
	file[off + 5] = 0xa5; /* and the other way round */
	CHECK_EQ(p[5], 0xa5);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	munmap(file, MIB);
	close(fd);
}

/* An empty table is valid and translates nothing. */
static void
test_empty_table(void)
{
	struct snap s = take_snap();
	struct vu_mem_table *t = vu_mem_table_create("test", NULL, 0, NULL);
	uint64_t c = 0;

	CHECK(t != NULL);
	CHECK_EQ(t->nregions, 0);
	CHECK(vu_mem_gpa_to_local(t, 0, 1) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0, 1) == NULL);
	CHECK(vu_mem_gpa_to_local_contig(t, 0, 1, &c) == NULL);
	vu_mem_table_free(t);
	vu_mem_table_free(NULL);
	CHECK_NO_LEAK(s);
}

/* ---- translation ---- */

/*
 * Three regions: A and B adjacent in GPA space but separate mappings, C
 * apart; VMM-VA order B, A, C. The file holds a tag at each region start.
 */
static void
check_small_table(const struct vu_mem_table *t, const uint8_t *file)
{
	uint64_t c = 12345, vva = 0;
	uint8_t *a = vu_mem_gpa_to_local(t, 0, 0x10000);
	uint8_t *b = vu_mem_gpa_to_local(t, 0x10000, 0x10000);

	CHECK(a != NULL && b != NULL);
	CHECK_EQ(a[0], file[0]);
	CHECK_EQ(b[0], file[0x10000]);
	/* hits */
	CHECK(vu_mem_gpa_to_local(t, 0x10, 16) == a + 0x10);
	CHECK(vu_mem_gpa_to_local(t, 0xffff, 1) == a + 0xffff);
	CHECK(vu_mem_vva_to_local(t, 0x40000010, 4) == b + 0x10);
	CHECK(vu_mem_vva_to_local(t, 0x5000ffff, 1) == a + 0xffff);
	CHECK_EQ(*(uint8_t *)vu_mem_gpa_to_local(t, 0x100000, 1), file[0x40000]);
	/* misses */
	CHECK(vu_mem_gpa_to_local(t, 0x20000, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0xfffff, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0x120000, 1) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0x3fffffff, 1) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0x40010000, 1) == NULL);
	/* straddling a region end, even into an adjacent region */
	CHECK(vu_mem_gpa_to_local(t, 0xffff, 2) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0, 0x10001) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0x11fff0, 0x11) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0x4000ffff, 2) == NULL);
	/* len 0 and wrap-around */
	CHECK(vu_mem_gpa_to_local(t, 0x10, 0) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0x40000010, 0) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0x10, UINT64_MAX) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0x10, UINT64_MAX - 0xf) == NULL);
	CHECK(vu_mem_gpa_to_local(t, UINT64_MAX, 2) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0x40000010, UINT64_MAX) == NULL);
	CHECK(vu_mem_gpa_to_local_contig(t, 0x10, 0, &c) == NULL);
	/* contiguous-length variant: a buffer crossing from A into B */
	CHECK(vu_mem_gpa_to_local_contig(t, 0xff00, 0x1000, &c) == a + 0xff00);
	CHECK_EQ(c, 0x100);
	CHECK(vu_mem_gpa_to_local_contig(t, 0x10000, 0xf00, &c) == b);
	CHECK_EQ(c, 0xf00);
	CHECK(vu_mem_gpa_to_local_contig(t, 0x10, UINT64_MAX, &c) == a + 0x10);
	CHECK_EQ(c, 0x10000 - 0x10);
	c = 77;
	CHECK(vu_mem_gpa_to_local_contig(t, 0x20000, 0x10, &c) == NULL);
	CHECK_EQ(c, 77);
	CHECK(vu_mem_vva_to_local_contig(t, 0x4000fff0, 0x100, &c) == b + 0xfff0);
	CHECK_EQ(c, 0x10);
	/* GPA -> VMM-VA */
	CHECK_EQ(vu_mem_gpa_to_vva(t, 0x10010, 4, &vva), 0);
	CHECK_EQ(vva, 0x40000010);
	CHECK_EQ(vu_mem_gpa_to_vva(t, 0x1fffe, 4, &vva), -EFAULT);
	CHECK_EQ(vu_mem_gpa_to_vva(t, 0x30000, 1, &vva), -EFAULT);
	CHECK_EQ(vu_mem_gpa_to_vva(t, 0x10, 0, &vva), -EFAULT);
}

static void
test_translate_linear(void)
{
	const struct vu_mem_region r[] = {
		region(0x100000, 0x20000, 0x60000000, 0x40000),	/* C */
		region(0x10000, 0x10000, 0x40000000, 0x10000),	/* B */
		region(0, 0x10000, 0x50000000, 0),		/* A */
	};
	struct vu_mem_table *t;
	int fds[3], fd, i;
	uint8_t *file;
	struct snap s;

	fd = make_memfd(MEMFD_TAG, MIB, 0);
	CHECK(fd >= 0);
	file = map_whole(fd, MIB);
	CHECK(file != NULL);
	file[0] = 0xaa;
	file[0x10000] = 0xbb;
	file[0x40000] = 0xcc;
	s = take_snap();
	for (i = 0; i < 3; i++)
		fds[i] = dup(fd);
	t = vu_mem_table_create("test", r, 3, fds);
	CHECK(t != NULL);
	CHECK_EQ(t->regions[0].gpa, 0); /* sorted by GPA */
	CHECK_EQ(t->regions[2].gpa, 0x100000);
	check_small_table(t, file);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	munmap(file, MIB);
	close(fd);
}

#define NBIG 40

/* Region i: GPA i MiB, 64 KiB, VMM-VA in reverse order, file offset i * 64 KiB. */
static struct vu_mem_region
big_region(uint32_t i, uint32_t n)
{
	return region((uint64_t)i * MIB, 0x10000, 0x100000000 + (uint64_t)(n - 1 - i) * 0x40000,
		      (uint64_t)i * 0x10000);
}

/* Every region of a table built from big_region(0..n-1) translates to its bytes. */
static bool
check_big_region(const struct vu_mem_table *t, uint32_t i, uint32_t n, const uint8_t *file)
{
	const struct vu_mem_region r = big_region(i, n);
	uint8_t *p = vu_mem_gpa_to_local(t, r.guest_phys_addr, r.memory_size);
	uint64_t c = 0;

	return p != NULL && memcmp(p, file + r.mmap_offset, 8) == 0 &&
	       vu_mem_vva_to_local(t, r.userspace_addr, r.memory_size) == p &&
	       vu_mem_gpa_to_local(t, r.guest_phys_addr + 0xffff, 1) == p + 0xffff &&
	       vu_mem_gpa_to_local(t, r.guest_phys_addr + 1, r.memory_size) == NULL &&
	       vu_mem_gpa_to_local(t, r.guest_phys_addr + r.memory_size, 1) == NULL &&
	       vu_mem_vva_to_local(t, r.userspace_addr + 0x10000, 1) == NULL &&
	       (i == 0 || vu_mem_gpa_to_local(t, r.guest_phys_addr - 1, 1) == NULL) &&
	       vu_mem_vva_to_local(t, r.userspace_addr - 1, 1) == NULL &&
	       vu_mem_gpa_to_local_contig(t, r.guest_phys_addr + 0xfff0, 0x100, &c) ==
		       p + 0xfff0 && c == 0x10;
}

/* Write tag i at the file offset of big_region(i). */
static void
tag_file(uint8_t *file, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		memcpy(file + (uint64_t)i * 0x10000, &i, sizeof(i));
}

/* More than VU_MEM_LINEAR_MAX regions: the binary searches. */
static void
test_translate_bsearch(void)
{
	struct vu_mem_region r[NBIG];
	struct vu_mem_table *t;
	int fds[NBIG], fd;
	uint8_t *file;
	struct snap s;
	uint32_t i;

	fd = make_memfd(MEMFD_TAG, NBIG * 0x10000, 0);
	CHECK(fd >= 0);
	file = map_whole(fd, NBIG * 0x10000);
	CHECK(file != NULL);
	tag_file(file, NBIG);
	s = take_snap();
	for (i = 0; i < NBIG; i++) { /* in any order: 17 i mod 40 is a permutation */
		r[i] = big_region((i * 17) % NBIG, NBIG);
		fds[i] = dup(fd);
	}
	t = vu_mem_table_create("test", r, NBIG, fds);
	CHECK(t != NULL);
	for (i = 0; i < NBIG; i++)
		CHECK(check_big_region(t, i, NBIG, file));
	CHECK(vu_mem_gpa_to_local(t, NBIG * MIB, 1) == NULL);
	CHECK(vu_mem_vva_to_local(t, 0xffffffff, 1) == NULL);
	CHECK(vu_mem_vva_to_local(t, UINT64_MAX, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t, UINT64_MAX, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t, 0x10, UINT64_MAX) == NULL);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	munmap(file, NBIG * 0x10000);
	close(fd);
}

/* ---- validation ---- */

/* create() over @n regions of @fd rejects with @err, closing all fds, mapping nothing. */
static bool
create_fails(int fd, const struct vu_mem_region *r, uint32_t n, int err)
{
	struct snap s = take_snap(), e;
	int fds[VU_MEM_MAX_SLOTS + 1];
	uint32_t i;

	for (i = 0; i < n; i++)
		fds[i] = dup(fd);
	rte_errno = 0;
	if (vu_mem_table_create("test", r, n, fds) != NULL) {
		printf("# unexpected success\n");
		return false;
	}
	e = take_snap();
	if (rte_errno != err || e.fds != s.fds || e.maps != s.maps) {
		printf("# rte_errno %d (want %d), fds %d -> %d, maps %d -> %d\n",
		       rte_errno, err, s.fds, e.fds, s.maps, e.maps);
		return false;
	}
	return true;
}

#define R1(g, sz, u, o) (const struct vu_mem_region[]){ region(g, sz, u, o) }
#define R2(a, b) (const struct vu_mem_region[]){ a, b }

static void
test_validation_create(void)
{
	const uint64_t U = 0x7f0000000000;
	struct vu_mem_region many[VU_MEM_MAX_SLOTS + 1];
	int fd = make_memfd(MEMFD_TAG, MIB, 0), closed_fd;
	uint32_t i;

	CHECK(fd >= 0);
	CHECK(create_fails(fd, R1(0, 0, U, 0x10), 1, EINVAL));
	CHECK(create_fails(fd, R1(UINT64_MAX - 0xfff, 0x2000, U, 0), 1, EOVERFLOW));
	CHECK(create_fails(fd, R1(0, 0x2000, UINT64_MAX - 0xfff, 0), 1, EOVERFLOW));
	CHECK(create_fails(fd, R1(0, 0x2000, U, UINT64_MAX - 0xfff), 1, EOVERFLOW));
	/* larger than its fd, by a whole region or by one byte */
	CHECK(create_fails(fd, R1(0, 2 * MIB, U, 0), 1, ERANGE));
	CHECK(create_fails(fd, R1(0, 0x80001, U, 0x80000), 1, ERANGE));
	/* GPA overlap: partial, and one inside the other; VMM-VA overlap */
	CHECK(create_fails(fd, R2(region(0, 0x2000, U, 0), region(0x1000, 0x2000, 2 * U, 0)),
			   2, EEXIST));
	CHECK(create_fails(fd, R2(region(0, 0x8000, U, 0), region(0x1000, 0x1000, 2 * U, 0)),
			   2, EEXIST));
	CHECK(create_fails(fd, R2(region(0, 0x2000, U, 0), region(0x4000, 0x2000, U + 0x1fff,
			   0)), 2, EEXIST));
	/* all or nothing: the third region is bad, the first two were fine */
	CHECK(create_fails(fd, ((const struct vu_mem_region[]){ region(0, 0x1000, U, 0),
			   region(0x1000, 0x1000, U + 0x1000, 0x1000),
			   region(0x2000, MIB, U + 0x2000, 0x2000) }), 3, ERANGE));
	/* ... and when the first one is bad, the fds after it are closed too */
	CHECK(create_fails(fd, ((const struct vu_mem_region[]){ region(0, MIB, U, 1),
			   region(0x1000, 0x1000, U + 0x1000, 0x1000),
			   region(0x2000, 0x1000, U + 0x2000, 0x2000) }), 3, ERANGE));
	for (i = 0; i <= VU_MEM_MAX_SLOTS; i++)
		many[i] = region(i * 0x1000, 0x1000, U + i * 0x1000, 0);
	CHECK(create_fails(fd, many, VU_MEM_MAX_SLOTS + 1, ENOSPC));
	/* bad fds: -1 and a closed one */
	closed_fd = dup(fd);
	close(closed_fd);
	rte_errno = 0;
	CHECK(vu_mem_table_create("test", R1(0, 0x1000, U, 0), 1, (int[]){ -1 }) == NULL);
	CHECK_EQ(rte_errno, EBADF);
	CHECK(vu_mem_table_create("test", R1(0, 0x1000, U, 0), 1, &closed_fd) == NULL);
	CHECK_EQ(rte_errno, EBADF);
	CHECK(vu_mem_table_create("test", NULL, 1, &(int){ -1 }) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	close(fd);
}

/* clone_add() rejects with @err, closing the fd; @old still works. */
static bool
add_fails(const struct vu_mem_table *old, int fd, struct vu_mem_region r, int err)
{
	struct snap s = take_snap(), e;

	rte_errno = 0;
	if (vu_mem_table_clone_add(old, &r, dup(fd)) != NULL) {
		printf("# unexpected success\n");
		return false;
	}
	e = take_snap();
	if (rte_errno != err || e.fds != s.fds || e.maps != s.maps) {
		printf("# rte_errno %d (want %d), fds %d -> %d, maps %d -> %d\n",
		       rte_errno, err, s.fds, e.fds, s.maps, e.maps);
		return false;
	}
	return vu_mem_gpa_to_local(old, 0x10000, 0x10000) != NULL;
}

static void
test_validation_clone(void)
{
	const uint64_t U = 0x7f0000000000;
	struct vu_mem_region r = region(0x10000, 0x10000, U, 0);
	struct vu_mem_table *t;
	struct snap s;
	int fd;

	fd = make_memfd(MEMFD_TAG, MIB, 0);
	CHECK(fd >= 0);
	s = take_snap();
	t = vu_mem_table_create("test", &r, 1, (int[]){ dup(fd) });
	CHECK(t != NULL);
	CHECK(add_fails(t, fd, region(0x20000, 0, U + MIB, 0x10), EINVAL));
	CHECK(add_fails(t, fd, region(UINT64_MAX, 2, U + MIB, 0), EOVERFLOW));
	CHECK(add_fails(t, fd, region(0x20000, 2, UINT64_MAX, 0), EOVERFLOW));
	CHECK(add_fails(t, fd, region(0x20000, 2, U + MIB, UINT64_MAX), EOVERFLOW));
	CHECK(add_fails(t, fd, region(0x20000, MIB, U + MIB, 0x1000), ERANGE));
	CHECK(add_fails(t, fd, r, EEXIST)); /* the same region again */
	CHECK(add_fails(t, fd, region(0x1ffff, 0x10, U + MIB, 0), EEXIST));
	CHECK(add_fails(t, fd, region(0, 0x10001, U + MIB, 0), EEXIST));
	CHECK(add_fails(t, fd, region(0x40000, 0x1000, U + 0xffff, 0), EEXIST));
	CHECK(add_fails(t, fd, region(0x40000, 0x1000, U - 0xfff, 0), EEXIST));
	CHECK(add_fails(t, -1, region(0x40000, 0x1000, U + MIB, 0), EBADF));
	CHECK(vu_mem_table_clone_add(NULL, &r, dup(fd)) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	/* remove: matched on gpa + size + uaddr only */
	r.memory_size++;
	CHECK(vu_mem_table_clone_remove(t, &r) == NULL);
	CHECK_EQ(rte_errno, ENOENT);
	r.memory_size--;
	r.userspace_addr++;
	CHECK(vu_mem_table_clone_remove(t, &r) == NULL);
	CHECK_EQ(rte_errno, ENOENT);
	CHECK(vu_mem_table_clone_remove(NULL, &r) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	close(fd);
}

/* ---- copy-on-write tables ---- */

/* Tables share mappings; a mapping goes with the last table that holds it. */
static void
test_clone_shares_mappings(void)
{
	struct vu_mem_region a = region(0, 0x10000, 0x1000000, 0);
	struct vu_mem_region b = region(0x100000, 0x10000, 0x2000000, 0);
	struct vu_mem_table *t1, *t2, *t3;
	int fda, fdb, maps0;
	uint8_t *pa;
	struct snap s;

	fda = make_memfd(MEMFD_TAG "_a", MIB, 0);
	fdb = make_memfd(MEMFD_TAG "_b", MIB, 0);
	CHECK(fda >= 0 && fdb >= 0);
	s = take_snap();
	maps0 = s.maps;
	t1 = vu_mem_table_create("test", &a, 1, (int[]){ dup(fda) });
	CHECK(t1 != NULL);
	pa = vu_mem_gpa_to_local(t1, 0, 0x10000);
	CHECK(pa != NULL);
	t2 = vu_mem_table_clone_add(t1, &b, dup(fdb));
	CHECK(t2 != NULL);
	CHECK_EQ(t1->nregions, 1); /* the old table is untouched */
	CHECK(vu_mem_gpa_to_local(t1, 0x100000, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t2, 0, 0x10000) == pa); /* same mapping */
	CHECK_EQ(vu_test_count_maps(MEMFD_TAG), maps0 + 2);
	vu_mem_table_free(t1);
	CHECK_EQ(vu_test_count_maps(MEMFD_TAG "_a"), 1);
	memset(pa, 0x11, 0x10000); /* still mapped */
	t3 = vu_mem_table_clone_remove(t2, &a);
	CHECK(t3 != NULL);
	CHECK_EQ(t3->nregions, 1);
	CHECK(vu_mem_gpa_to_local(t3, 0, 1) == NULL);
	CHECK(vu_mem_gpa_to_local(t2, 0, 1) == pa);
	CHECK_EQ(vu_test_count_maps(MEMFD_TAG "_a"), 1); /* t2 still holds it */
	vu_mem_table_free(t2);
	CHECK_EQ(vu_test_count_maps(MEMFD_TAG "_a"), 0);
	CHECK(vu_mem_gpa_to_local(t3, 0x100000, 0x10000) != NULL);
	vu_mem_table_free(t3);
	CHECK_NO_LEAK(s);
	close(fda);
	close(fdb);
}

static struct vu_mem_table *
swap_table(struct vu_mem_table *old, struct vu_mem_table *t)
{
	if (t != NULL)
		vu_mem_table_free(old);
	return t;
}

/* ADD_MEM_REG x 509 then REM_MEM_REG x 509, the way a backend swaps tables. */
static void
test_509_slots(void)
{
	const uint32_t n = VU_MEM_MAX_SLOTS;
	struct vu_mem_region r;
	struct vu_mem_table *t;
	double t0, t_add;
	uint32_t k, i;
	uint8_t *file;
	struct snap s;
	int fd;

	fd = make_memfd(MEMFD_TAG, (uint64_t)n * 0x10000, 0);
	CHECK(fd >= 0);
	file = map_whole(fd, (uint64_t)n * 0x10000);
	CHECK(file != NULL);
	tag_file(file, n);
	s = take_snap();
	t0 = now_ms();
	t = vu_mem_table_create("test", NULL, 0, NULL);
	for (k = 0; k < n && t != NULL; k++) { /* 7 k mod 509 visits every slot */
		r = big_region((k * 7) % n, n);
		t = swap_table(t, vu_mem_table_clone_add(t, &r, dup(fd)));
	}
	t_add = now_ms() - t0;
	CHECK(t != NULL);
	CHECK_EQ(t->nregions, n);
	for (i = 0; i < n; i++)
		CHECK(check_big_region(t, i, n, file));
	r = region(n * MIB, 0x1000, 0x10000, 0);
	CHECK(vu_mem_table_clone_add(t, &r, dup(fd)) == NULL);
	CHECK_EQ(rte_errno, ENOSPC);
	CHECK_EQ(vu_test_count_fds(), s.fds);
	t0 = now_ms();
	for (k = 0; k < n && t != NULL; k++) {
		r = big_region((k * 13) % n, n);
		r.mmap_offset = 0; /* not part of the match */
		t = swap_table(t, vu_mem_table_clone_remove(t, &r));
		CHECK(t != NULL);
		CHECK(vu_mem_gpa_to_local(t, r.guest_phys_addr, 1) == NULL);
	}
	printf("# %u add + %u remove took %.1f ms (add %.1f ms)\n", n, n,
	       t_add + now_ms() - t0, t_add);
	CHECK_EQ(t->nregions, 0);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	munmap(file, (uint64_t)n * 0x10000);
	close(fd);
}

/* ---- hugepages ---- */

/* KernelPageSize of the mapping holding @p, in kB, from /proc/self/smaps. */
static long
kernel_page_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long lo, hi;
	char line[512];
	bool in = false;
	long kb = -1;

	if (f == NULL)
		return -1;
	while (kb < 0 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in)
			sscanf(line, "KernelPageSize: %ld kB", &kb);
	}
	fclose(f);
	return kb;
}

/*
 * A MFD_HUGETLB memfd maps with 2 MiB pages, also at an offset that is not
 * hugepage-aligned. Without hugetlb memfds or a free huge page, the same on
 * a plain memfd.
 */
static void
test_hugepage_memfd(void)
{
	const uint64_t size = 2 * HUGE_2M;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct vu_mem_region r[2];
	struct vu_mem_table *t;
	uint8_t *file, *pa, *pb;
	struct stat st;
	struct snap s;
	int fd;

	/* A hugetlb memfd can be made with no huge page free; only mapping it
	 * fails. Either way the test runs on plain memory then. */
	fd = make_memfd(MEMFD_TAG "_huge", size, MFD_HUGETLB);
	file = fd >= 0 ? map_whole(fd, size) : NULL;
	if (file != NULL) {
		CHECK(fstat(fd, &st) == 0);
		CHECK_EQ(st.st_blksize, HUGE_2M);
		page = HUGE_2M;
	} else {
		if (fd >= 0)
			close(fd);
		fd = make_memfd(MEMFD_TAG, size, 0);
		CHECK(fd >= 0);
		file = map_whole(fd, size);
		CHECK(file != NULL);
	}
	s = take_snap();
	r[0] = region(0, HUGE_2M, 0x40000000, 0);
	r[1] = region(0x10000000, 0x1000, 0x50000000, HUGE_2M + 0x1000);
	t = vu_mem_table_create("test", r, 2, (int[]){ dup(fd), dup(fd) });
	CHECK(t != NULL);
	CHECK_EQ(t->regions[0].page_size, page);
	pa = vu_mem_gpa_to_local(t, 0, HUGE_2M);
	pb = vu_mem_gpa_to_local(t, 0x10000000, 0x1000);
	CHECK(pa != NULL && pb != NULL);
	CHECK_EQ((uintptr_t)pa % page, 0);
	CHECK_EQ((uintptr_t)pb % page, 0x1000 % page);
	if (page == HUGE_2M)
		CHECK_EQ(kernel_page_kb(pa), 2048);
	memset(pa, 0x3c, HUGE_2M);
	memset(pb, 0xc3, 0x1000);
	CHECK_EQ(file[HUGE_2M - 1], 0x3c);
	CHECK_EQ(file[HUGE_2M + 0xfff], 0);
	CHECK_EQ(file[HUGE_2M + 0x1000], 0xc3);
	CHECK_EQ(file[HUGE_2M + 0x1fff], 0xc3);
	CHECK_EQ(file[HUGE_2M + 0x2000], 0);
	vu_mem_table_free(t);
	CHECK_NO_LEAK(s);
	munmap(file, size);
	close(fd);
}

/* ---- dirty log ---- */

static unsigned int
popcount_bytes(const uint8_t *p, size_t n)
{
	unsigned int c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += (unsigned int)__builtin_popcount(p[i]);
	return c;
}

static void
test_dirty_log(void)
{
	const struct vu_log desc = { .mmap_size = 0x1000, .mmap_offset = 0x1008 };
	const uint64_t last_page = 0x1000 * 8 - 1;
	struct vu_mem_log *log;
	uint8_t *file, *bits;
	struct snap s;
	int fd;

	fd = make_memfd(MEMFD_TAG, 0x3000, 0);
	CHECK(fd >= 0);
	file = map_whole(fd, 0x3000);
	CHECK(file != NULL);
	bits = file + desc.mmap_offset;
	s = take_snap();
	log = vu_mem_log_create("test", &desc, dup(fd));
	CHECK(log != NULL);
	CHECK_EQ(vu_test_count_fds(), s.fds);
	vu_mem_log_write(log, 0, 1);				/* page 0 */
	vu_mem_log_write(log, 0x9005, 0x1000);			/* pages 9, 10 */
	vu_mem_log_write(log, 0x3fff, 2);			/* pages 3, 4 */
	vu_mem_log_write(log, 0x20000, 0);			/* nothing */
	CHECK_EQ(bits[0], 0x19);
	CHECK_EQ(bits[1], 0x06);
	CHECK_EQ(vu_mem_log_dropped(log), 0);
	vu_mem_log_write(log, last_page * 0x1000, 0x2000);	/* last page, then past */
	CHECK_EQ(bits[0xfff], 0x80);
	CHECK_EQ(vu_mem_log_dropped(log), 1);
	vu_mem_log_write(log, (last_page + 1) * 0x1000, 1);	/* past the end */
	vu_mem_log_write(log, UINT64_MAX - 10, 100);		/* wraps */
	vu_mem_log_write(log, UINT64_MAX, 1);
	CHECK_EQ(vu_mem_log_dropped(log), 4);
	CHECK_EQ(popcount_bytes(bits, 0x1000), 6);
	CHECK_EQ(popcount_bytes(file, desc.mmap_offset), 0);
	CHECK_EQ(popcount_bytes(bits + 0x1000, 0x3000 - 0x1000 - desc.mmap_offset), 0);
	vu_mem_log_free(log);
	CHECK_NO_LEAK(s);
	munmap(file, 0x3000);
	close(fd);
}

static bool
log_fails(int fd, struct vu_log l, int err)
{
	struct snap s = take_snap(), e;

	rte_errno = 0;
	if (vu_mem_log_create("test", &l, fd >= 0 ? dup(fd) : fd) != NULL)
		return false;
	e = take_snap();
	return rte_errno == err && e.fds == s.fds && e.maps == s.maps;
}

static void
test_dirty_log_validation(void)
{
	int fd = make_memfd(MEMFD_TAG, 0x3000, 0);

	CHECK(fd >= 0);
	CHECK(log_fails(fd, (struct vu_log){ 0, 0 }, EINVAL));
	CHECK(log_fails(fd, (struct vu_log){ 0x1000, UINT64_MAX - 0xfff }, EOVERFLOW));
	CHECK(log_fails(fd, (struct vu_log){ 0x3001, 0 }, ERANGE));
	CHECK(log_fails(fd, (struct vu_log){ 0x1000, 0x2001 }, ERANGE));
	CHECK(log_fails(-1, (struct vu_log){ 0x1000, 0 }, EBADF));
	close(fd);
}

#define LOG_THREADS 4

struct log_worker {
	struct vu_mem_log *log;
	unsigned int id;
};

static void *
log_worker(void *arg)
{
	const struct log_worker *w = arg;
	uint64_t page;

	for (page = w->id; page < w->log->size * 8; page += LOG_THREADS)
		vu_mem_log_write(w->log, page * VU_MEM_LOG_PAGE + 1, 1);
	return NULL;
}

/* Writers sharing log bytes lose no bit: the OR is atomic. */
static void
test_dirty_log_concurrent(void)
{
	struct log_worker w[LOG_THREADS];
	pthread_t th[LOG_THREADS];
	struct vu_mem_log *log;
	unsigned int i;
	int fd;

	fd = make_memfd(MEMFD_TAG, 0x10000, 0);
	CHECK(fd >= 0);
	log = vu_mem_log_create("test", &(struct vu_log){ 0x10000, 0 }, fd);
	CHECK(log != NULL);
	for (i = 0; i < LOG_THREADS; i++) {
		w[i] = (struct log_worker){ log, i };
		CHECK(pthread_create(&th[i], NULL, log_worker, &w[i]) == 0);
	}
	for (i = 0; i < LOG_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(popcount_bytes(log->bits, 0x10000), 0x10000 * 8);
	CHECK_EQ(vu_mem_log_dropped(log), 0);
	vu_mem_log_free(log);
}

VU_TEST_MAIN(
	VU_TEST_CASE(test_map_shared_offset),
	VU_TEST_CASE(test_empty_table),
	VU_TEST_CASE(test_translate_linear),
	VU_TEST_CASE(test_translate_bsearch),
	VU_TEST_CASE(test_validation_create),
	VU_TEST_CASE(test_validation_clone),
	VU_TEST_CASE(test_clone_shares_mappings),
	VU_TEST_CASE_TIMEOUT(test_509_slots, 60),
	VU_TEST_CASE(test_hugepage_memfd),
	VU_TEST_CASE(test_dirty_log),
	VU_TEST_CASE(test_dirty_log_validation),
	VU_TEST_CASE(test_dirty_log_concurrent),
)
