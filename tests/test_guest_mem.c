/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu_guest_mem: regions with holes, hugepage backing (memfd and hugetlbfs)
 * and the plain memfd fallback; a second mapping of each fd sees the same
 * bytes (what a backend does); nothing leaks.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <rte_errno.h>

#include "vu_guest_mem.h"
#include "vu_test.h"

static const struct vu_guest_mem_layout two_with_hole[] = {
	{ .gpa = 0, .size = 4 << 20 },
	{ .gpa = 1ull << 32, .size = 2 << 20 },	/* a hole from 4 MiB to 4 GiB */
};

/* Write through the region, read through a fresh MAP_SHARED mapping of its fd. */
static bool
shared_through_fd(const struct vu_guest_mem_region *r)
{
	uint8_t *other = mmap(NULL, r->size, PROT_READ, MAP_SHARED, r->fd, 0);
	bool ok;

	if (other == MAP_FAILED)
		return false;
	memcpy(r->va + r->size - 8, "guestmem", 8);
	ok = memcmp(other + r->size - 8, "guestmem", 8) == 0;
	munmap(other, r->size);
	return ok;
}

static void
check_mem(enum vu_guest_mem_backing backing, const char *dir, bool expect_huge)
{
	int fds_before = vu_test_count_fds();
	struct vu_guest_mem *m;
	struct vu_mem_region d;
	unsigned int i;

	m = vu_guest_mem_create("test-gm", two_with_hole, 2, backing, dir);
	CHECK(m != NULL);
	CHECK_EQ(m->nregions, 2);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(m->regions[i].hugepages, expect_huge);
		CHECK_EQ(m->regions[i].page_size, expect_huge ? 2 << 20 : 4096);
		CHECK_EQ(m->regions[i].gpa, two_with_hole[i].gpa);
		CHECK(shared_through_fd(&m->regions[i]));
		CHECK_EQ(vu_guest_mem_describe(m, i, &d), 0);
		CHECK_EQ(d.userspace_addr, (uintptr_t)m->regions[i].va);
		CHECK_EQ(d.memory_size, m->regions[i].size);
	}
	CHECK(vu_guest_mem_gpa_to_va(m, (1ull << 32) + 16, 16) == m->regions[1].va + 16);
	CHECK(vu_guest_mem_gpa_to_va(m, 8 << 20, 1) == NULL);		/* in the hole */
	CHECK(vu_guest_mem_gpa_to_va(m, (4 << 20) - 8, 16) == NULL);	/* straddles the end */
	CHECK_EQ(vu_guest_mem_describe(m, 2, &d), -EINVAL);
	vu_guest_mem_destroy(m);
	CHECK_EQ(vu_test_count_fds(), fds_before);
	CHECK_EQ(vu_test_count_maps("test-gm"), 0);
}

static bool
hugepages_free(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long n = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return n >= 4;
}

static void
plain_memfd(void)
{
	check_mem(VU_GUEST_MEM_PLAIN, NULL, false);
}

static void
hugepage_memfd(void)
{
	if (!hugepages_free()) {
		printf("# no free 2 MiB hugepages: checking the failure and the fallback\n");
		CHECK(vu_guest_mem_create("test-gm", two_with_hole, 2, VU_GUEST_MEM_HUGEPAGES,
					  NULL) == NULL);
		CHECK_EQ(rte_errno, ENOMEM);
		check_mem(VU_GUEST_MEM_AUTO, NULL, false);
		return;
	}
	check_mem(VU_GUEST_MEM_HUGEPAGES, NULL, true);
	check_mem(VU_GUEST_MEM_AUTO, NULL, true);
}

static void
hugetlbfs_file(void)
{
	struct stat st;

	if (!hugepages_free() || stat("/dev/hugepages", &st) != 0 ||
	    access("/dev/hugepages", W_OK) != 0) {
		printf("# /dev/hugepages not usable: only the refusal of a non-hugetlbfs dir\n");
	} else {
		check_mem(VU_GUEST_MEM_HUGEPAGES, "/dev/hugepages", true);
	}
	CHECK(vu_guest_mem_create("test-gm", two_with_hole, 2, VU_GUEST_MEM_HUGEPAGES,
				  "/tmp") == NULL);
	CHECK_EQ(rte_errno, EINVAL);
}

static void
bad_layouts(void)
{
	struct vu_guest_mem_layout overlap[] = { { 0, 8192 }, { 4096, 8192 } };
	struct vu_guest_mem_layout zero[] = { { 0, 0 } };
	struct vu_guest_mem_layout misaligned[] = { { 100, 4096 } };

	CHECK(vu_guest_mem_create("test-gm", overlap, 2, VU_GUEST_MEM_PLAIN, NULL) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK(vu_guest_mem_create("test-gm", zero, 1, VU_GUEST_MEM_PLAIN, NULL) == NULL);
	CHECK(vu_guest_mem_create("test-gm", misaligned, 1, VU_GUEST_MEM_PLAIN, NULL) == NULL);
	CHECK(vu_guest_mem_create("test-gm", overlap, 0, VU_GUEST_MEM_PLAIN, NULL) == NULL);
}

VU_TEST_MAIN(
	VU_TEST_CASE(plain_memfd),
	VU_TEST_CASE(hugepage_memfd),
	VU_TEST_CASE(hugetlbfs_file),
	VU_TEST_CASE(bad_layouts),
)
