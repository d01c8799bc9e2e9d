/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vring, device side, on real guest memory: three memfd regions mapped
 * through a real vu_mem_table (A, a hole, then B and C adjacent in GPA but
 * separate mappings), the rings laid out in A, and the test acting as the
 * driver by writing descriptors by hand. Notifications, err_fd and the
 * dirty log use real eventfds and a real log on a memfd.
 *
 * Hostile cases each assert: the ring breaks with the expected reason,
 * err_fd is signalled exactly once, one log line names the ring and the
 * reason, the good chains posted before the bad one are still returned,
 * the ring does nothing afterwards, and another ring on the same memory
 * keeps going. Where the
 * address space allows, PROT_NONE guard pages sit around each region's
 * mapping, so a read outside a region faults instead of passing silently.
 */
#include <stdalign.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_log.h>

#include "vu_mem.h"
#include "vu_vring.h"
#include "vu_test.h"
#include "vu_test_log.h"

#define PAGE		4096
#define A_GPA		UINT64_C(0)
#define A_SIZE		UINT64_C(0x40000)
#define B_GPA		UINT64_C(0x100000)	/* hole from A's end to here */
#define B_SIZE		UINT64_C(0x40000)
#define C_GPA		(B_GPA + B_SIZE)	/* adjacent to B, another mapping */
#define C_SIZE		UINT64_C(0x40000)
#define BIG_GPA		UINT64_C(0x100000000)	/* optional: 2 GiB + 4 KiB, sparse */
#define BIG_SIZE	UINT64_C(0x80001000)

#define AVAIL_GPA	UINT64_C(0x2000)
#define USED_GPA	UINT64_C(0x4000)
#define DESC_GPA	UINT64_C(0x10000)
#define TABLE_GPA	UINT64_C(0x20000)	/* indirect tables */
#define BUF_GPA		(B_GPA + 0x1000)	/* buffers */

#define F_INDIRECT	(UINT64_C(1) << 28)
#define F_EVENT_IDX	(UINT64_C(1) << 29)

#define R	0
#define W	VU_VRING_DESC_F_WRITE
#define N	VU_VRING_DESC_F_NEXT
#define I	VU_VRING_DESC_F_INDIRECT

struct bed {
	struct vu_mem_table *mem;
	uint16_t size;
	uint64_t used_gpa;
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
	uint16_t avail_idx;		/* driver's shadow */
	int call_fd, err_fd;
	void *guard[16];		/* PROT_NONE pages we placed */
	int nguards;
	int guarded;			/* region ends with a guard page next to them */
	struct vu_vring_dev_conf conf;
	struct vu_vring_dev r;
	struct vu_vring_chain chains[VU_VRING_BURST_MAX];
};

static int
make_memfd(uint64_t size)
{
	int fd = memfd_create("vu_tvring", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Is there one of our guard pages at @p at, or can we place one? */
static int
guard(struct bed *b, void *at)
{
	void *p;
	int i;

	for (i = 0; i < b->nguards; i++)
		if (b->guard[i] == at)
			return 1;
	if (b->nguards == (int)RTE_DIM(b->guard))
		return 0;
	p = mmap(at, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	if (p != at) {		/* an old kernel took the address as a hint */
		munmap(p, PAGE);
		return 0;
	}
	b->guard[b->nguards++] = p;
	return 1;
}

/* Guard pages on both sides of every region's mapping that has room. */
static void
guard_regions(struct bed *b)
{
	uint32_t i;

	for (i = 0; i < b->mem->nregions; i++) {
		uint8_t *h = b->mem->regions[i].host;

		guard(b, h - PAGE);
		guard(b, h + RTE_ALIGN_CEIL(b->mem->regions[i].size, PAGE));
	}
}

/*
 * One region at a time, guarding each mapping before the next is made, so
 * the kernel cannot put the next one right against it.
 */
static bool
make_mem(struct bed *b, bool big)
{
	const struct vu_mem_region reg[4] = {
		{ .guest_phys_addr = A_GPA, .memory_size = A_SIZE, .userspace_addr = 0x7000000000 },
		{ .guest_phys_addr = B_GPA, .memory_size = B_SIZE, .userspace_addr = 0x7100000000 },
		{ .guest_phys_addr = C_GPA, .memory_size = C_SIZE, .userspace_addr = 0x7200000000 },
		{ .guest_phys_addr = BIG_GPA, .memory_size = BIG_SIZE,
		  .userspace_addr = 0x7300000000 },
	};
	uint32_t i, n = big ? 4 : 3;
	struct vu_mem_table *t;

	b->mem = vu_mem_table_create("tvring", NULL, 0, NULL);
	for (i = 0; b->mem != NULL && i < n; i++) {
		t = vu_mem_table_clone_add(b->mem, &reg[i], make_memfd(reg[i].memory_size));
		vu_mem_table_free(b->mem);
		b->mem = t;
		if (t != NULL)
			guard_regions(b);
	}
	if (b->mem == NULL)
		return false;
	for (i = 0; i < b->mem->nregions; i++) {
		uint8_t *h = b->mem->regions[i].host;

		b->guarded += guard(b, h - PAGE);
		b->guarded += guard(b, h + RTE_ALIGN_CEIL(b->mem->regions[i].size, PAGE));
	}
	return true;
}

static void *
g(struct bed *b, uint64_t gpa)
{
	return vu_mem_gpa_to_local(b->mem, gpa, 1);
}

static bool
bed_init(struct bed *b)
{
	int ret = vu_vring_dev_init(&b->r, &b->conf);

	if (ret != 0)
		printf("# vu_vring_dev_init: %d\n", ret);
	return ret == 0;
}

/* Memory, the used ring at @p used_gpa and the others at their usual places,
 * indices at @p idx, a call and an err eventfd. */
static bool
bed_setup_ex(struct bed *b, uint16_t size, uint64_t features, uint16_t idx, bool big,
	     uint64_t used_gpa)
{
	memset(b, 0, sizeof(*b));
	b->size = size;
	b->used_gpa = used_gpa;
	if (!make_mem(b, big))
		return false;
	b->desc = g(b, DESC_GPA);
	b->avail = g(b, AVAIL_GPA);
	b->used = g(b, b->used_gpa);
	b->avail->idx = idx;
	b->used->idx = idx;
	b->avail_idx = idx;
	b->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b->conf = (struct vu_vring_dev_conf){
		.name = "tvring", .index = 3, .size = size, .desc = b->desc,
		.avail = b->avail, .used = b->used, .last_avail = idx,
		.features = features, .mem = b->mem, .call_fd = b->call_fd,
		.err_fd = b->err_fd, .used_gpa = b->used_gpa,
	};
	return b->call_fd >= 0 && b->err_fd >= 0 && bed_init(b);
}

static bool
bed_setup(struct bed *b, uint16_t size, uint64_t features, uint16_t idx)
{
	return bed_setup_ex(b, size, features, idx, false, USED_GPA);
}

static void
bed_teardown(struct bed *b)
{
	vu_vring_dev_fini(&b->r);
	vu_mem_table_free(b->mem);
	while (b->nguards > 0)
		munmap(b->guard[--b->nguards], PAGE);
	close(b->call_fd);
	close(b->err_fd);
}

static void
set_desc(struct vu_vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	*d = (struct vu_vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

/* Make @p head available (the driver's release store of avail->idx). */
static void
post(struct bed *b, uint16_t head)
{
	b->avail->ring[b->avail_idx & (b->size - 1)] = head;
	b->avail_idx++;
	__atomic_store_n(&b->avail->idx, b->avail_idx, __ATOMIC_RELEASE);
}

/* A one-descriptor readable chain of 64 bytes at descriptor @p i. */
static void
post_simple(struct bed *b, uint16_t i)
{
	set_desc(&b->desc[i], BUF_GPA + i * 0x100, 64, R, 0);
	post(b, i);
}

/* Eventfd counter, reset to 0 (0 when nothing was written). */
static uint64_t
efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static uint16_t
pop(struct bed *b, uint16_t n)
{
	return vu_vring_dev_pop(&b->r, b->chains, n);
}

static void
push1(struct bed *b, uint32_t id, uint32_t len)
{
	struct vu_vring_used_elem e = { .id = id, .len = len };

	vu_vring_dev_push(&b->r, &e, 1);
}

static bool
seg_is(const struct bed *b, const struct vu_vring_seg *s, uint64_t gpa, uint32_t len)
{
	const void *want = vu_mem_gpa_to_local(b->mem, gpa, len);

	if (s->gpa == gpa && s->len == len && s->addr == want)
		return true;
	printf("# segment gpa 0x%" PRIx64 " len %u addr %p, want 0x%" PRIx64 " %u %p\n",
	       s->gpa, s->len, s->addr, gpa, len, want);
	return false;
}

/* ---- normal operation ---- */

static void
test_single(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];

	CHECK(bed_setup(&b, 256, 0, 0));
	CHECK_EQ(pop(&b, 32), 0);
	CHECK_EQ(b.used->flags, VU_VRING_USED_F_NO_NOTIFY);
	set_desc(&b.desc[7], BUF_GPA, 100, R, 0);
	post(&b, 7);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(c->head, 7);
	CHECK_EQ(c->nr_read, 1);
	CHECK_EQ(c->nr_write, 0);
	CHECK_EQ(c->read_len, 100);
	CHECK_EQ(c->write_len, 0);
	CHECK(seg_is(&b, &c->seg[0], BUF_GPA, 100));
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 1);
	CHECK_EQ(pop(&b, 32), 0);
	push1(&b, 7, 0);
	CHECK_EQ(b.used->idx, 1);
	CHECK_EQ(b.used->ring[0].id, 7);
	CHECK_EQ(b.used->ring[0].len, 0);
	CHECK_EQ(b.r.stats.popped, 1);
	CHECK_EQ(b.r.stats.used, 1);
	CHECK_EQ(efd_take(b.call_fd), 1);	/* no NO_INTERRUPT: call */
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	CHECK_EQ(efd_take(b.err_fd), 0);
	CHECK_EQ(vu_vring_dev_size(&b.r), 256);
	bed_teardown(&b);
}

/* Two readable then two writable descriptors, linked out of order. */
static void
test_multi(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];

	CHECK(bed_setup(&b, 256, 0, 0));
	set_desc(&b.desc[10], BUF_GPA, 10, R | N, 200);
	set_desc(&b.desc[200], BUF_GPA + 0x1000, 20, R | N, 3);
	set_desc(&b.desc[3], BUF_GPA + 0x2000, 300, W | N, 255);
	set_desc(&b.desc[255], A_GPA + 0x30000, 4000, W, 0);
	post(&b, 10);
	CHECK_EQ(pop(&b, 1), 1);
	CHECK_EQ(c->head, 10);
	CHECK_EQ(c->nr_read, 2);
	CHECK_EQ(c->nr_write, 2);
	CHECK_EQ(c->read_len, 30);
	CHECK_EQ(c->write_len, 4300);
	CHECK(seg_is(&b, &c->seg[0], BUF_GPA, 10));
	CHECK(seg_is(&b, &c->seg[1], BUF_GPA + 0x1000, 20));
	CHECK(seg_is(&b, &c->seg[2], BUF_GPA + 0x2000, 300));
	CHECK(seg_is(&b, &c->seg[3], A_GPA + 0x30000, 4000));
	bed_teardown(&b);
}

static void
test_indirect(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];
	struct vu_vring_desc *t;

	CHECK(bed_setup(&b, 256, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	set_desc(&t[0], BUF_GPA, 12, R | N, 2);
	set_desc(&t[2], BUF_GPA + 0x100, 1500, W | N, 1);
	set_desc(&t[1], BUF_GPA + 0x1000, 100, W, 0);
	set_desc(&b.desc[5], TABLE_GPA, 3 * 16, I, 0);
	post(&b, 5);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(c->head, 5);
	CHECK_EQ(c->nr_read, 1);
	CHECK_EQ(c->nr_write, 2);
	CHECK_EQ(c->read_len, 12);
	CHECK_EQ(c->write_len, 1600);
	CHECK(seg_is(&b, &c->seg[0], BUF_GPA, 12));
	CHECK(seg_is(&b, &c->seg[1], BUF_GPA + 0x100, 1500));
	CHECK(seg_is(&b, &c->seg[2], BUF_GPA + 0x1000, 100));
	/* WRITE on the indirect descriptor itself is ignored (virtio 2.7.5.3.2). */
	set_desc(&t[8], BUF_GPA, 12, R, 0);
	set_desc(&b.desc[6], TABLE_GPA + 8 * 16, 16, I | W, 0);
	post(&b, 6);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(c->nr_read, 1);
	/* the spec asks no alignment of an indirect table (found by the fuzzer) */
	t = (struct vu_vring_desc *)((uint8_t *)g(&b, TABLE_GPA + 0x203));
	memcpy(t, &(struct vu_vring_desc){ BUF_GPA, 7, R | N, 1 }, 16);
	memcpy(t + 1, &(struct vu_vring_desc){ BUF_GPA + 0x10, 9, W, 0 }, 16);
	set_desc(&b.desc[9], TABLE_GPA + 0x203, 32, I, 0);
	post(&b, 9);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(c->read_len, 7);
	CHECK_EQ(c->write_len, 9);
	CHECK(seg_is(&b, &c->seg[1], BUF_GPA + 0x10, 9));
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
}

/* B and C are adjacent in GPA but two mappings: one buffer, two segments. */
static void
test_cross_region(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];

	CHECK(bed_setup(&b, 256, 0, 0));
	CHECK(b.mem->regions[1].map != b.mem->regions[2].map);
	set_desc(&b.desc[0], BUF_GPA, 8, R | N, 1);
	set_desc(&b.desc[1], C_GPA - 0x100, 0x300, W, 0);
	post(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(c->nr_read, 1);
	CHECK_EQ(c->nr_write, 2);
	CHECK_EQ(c->write_len, 0x300);
	CHECK(seg_is(&b, &c->seg[1], C_GPA - 0x100, 0x100));
	CHECK(seg_is(&b, &c->seg[2], C_GPA, 0x200));
	bed_teardown(&b);
}

/*
 * A chain of one descriptor takes a shorter path than a longer chain: the
 * same results for one inside a region (writable here) and for one that
 * crosses into the next region (split in two).
 */
static void
test_single_desc_paths(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];

	CHECK(bed_setup(&b, 256, 0, 0));
	set_desc(&b.desc[5], C_GPA + 0x40, 0x80, W, 0);
	post(&b, 5);
	set_desc(&b.desc[9], C_GPA - 0x100, 0x300, W, 0);
	post(&b, 9);
	CHECK_EQ(pop(&b, 32), 2);
	CHECK_EQ(c[0].head, 5);
	CHECK_EQ(c[0].nr_read, 0);
	CHECK_EQ(c[0].nr_write, 1);
	CHECK_EQ(c[0].read_len, 0);
	CHECK_EQ(c[0].write_len, 0x80);
	CHECK(seg_is(&b, &c[0].seg[0], C_GPA + 0x40, 0x80));
	CHECK_EQ(c[1].head, 9);
	CHECK_EQ(c[1].nr_write, 2);
	CHECK_EQ(c[1].write_len, 0x300);
	CHECK(seg_is(&b, &c[1].seg[0], C_GPA - 0x100, 0x100));
	CHECK(seg_is(&b, &c[1].seg[1], C_GPA, 0x200));
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
}

/* Zero-length descriptors produce no segment; a chain of only those is empty. */
static void
test_zero_len(void)
{
	struct bed b;
	struct vu_vring_chain *c = &b.chains[0];

	CHECK(bed_setup(&b, 256, 0, 0));
	set_desc(&b.desc[0], BUF_GPA, 0, R | N, 1);
	set_desc(&b.desc[1], BUF_GPA, 10, R | N, 2);
	set_desc(&b.desc[2], 0xdead00000000, 0, W | N, 3);	/* not even translated */
	set_desc(&b.desc[3], BUF_GPA + 0x100, 20, W, 0);
	post(&b, 0);
	set_desc(&b.desc[4], BUF_GPA, 0, R | N, 5);
	set_desc(&b.desc[5], 0, 0, W, 0);
	post(&b, 4);
	CHECK_EQ(pop(&b, 32), 2);
	CHECK_EQ(c[0].nr_read, 1);
	CHECK_EQ(c[0].nr_write, 1);
	CHECK(seg_is(&b, &c[0].seg[0], BUF_GPA, 10));
	CHECK(seg_is(&b, &c[0].seg[1], BUF_GPA + 0x100, 20));
	CHECK_EQ(c[1].head, 4);
	CHECK_EQ(c[1].nr_read + c[1].nr_write, 0);
	CHECK_EQ(c[1].read_len + c[1].write_len, 0);
	push1(&b, 4, 0);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
}

/* 40 chains: a burst is at most 32; one push of 40 publishes once. */
static void
test_burst(void)
{
	struct vu_vring_used_elem e[40];
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 64, 0, 0));
	for (i = 0; i < 40; i++)
		post_simple(&b, (uint16_t)(63 - i));
	CHECK_EQ(pop(&b, 64), 32);
	for (i = 0; i < 32; i++) {
		CHECK_EQ(b.chains[i].head, 63 - i);
		e[i] = (struct vu_vring_used_elem){ b.chains[i].head, i };
	}
	CHECK_EQ(pop(&b, 32), 8);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(b.chains[i].head, 63 - 32 - i);
		e[32 + i] = (struct vu_vring_used_elem){ b.chains[i].head, 32 + i };
	}
	vu_vring_dev_push(&b.r, e, 40);
	CHECK_EQ(b.used->idx, 40);
	for (i = 0; i < 40; i++) {
		CHECK_EQ(b.used->ring[i].id, 63 - i);
		CHECK_EQ(b.used->ring[i].len, i);
	}
	CHECK_EQ(efd_take(b.call_fd), 1);	/* one call for the batch */
	CHECK_EQ(b.r.stats.calls, 1);
	bed_teardown(&b);
}

/* Indices start at 65530 and wrap to 0 on both rings. */
static void
test_wraparound(void)
{
	struct vu_vring_used_elem e[12];
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 8, 0, 65530));
	for (i = 0; i < 8; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 32), 8);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(b.chains[i].head, i);
		e[i] = (struct vu_vring_used_elem){ i, 0 };
	}
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 2);
	vu_vring_dev_push(&b.r, e, 8);
	CHECK_EQ(b.used->idx, 2);
	/* slot of index 65530 is 65530 & 7 = 2 */
	CHECK_EQ(b.used->ring[2].id, 0);
	CHECK_EQ(b.used->ring[1].id, 7);
	for (i = 0; i < 4; i++)
		post_simple(&b, (uint16_t)(7 - i));
	CHECK_EQ(pop(&b, 32), 4);
	CHECK_EQ(b.chains[3].head, 4);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
}

/*
 * Heads popped and pushed in the same order with the same lengths, lap
 * after lap: from the second lap on every used-ring slot already holds its
 * element, and the device must not store it again (the line stays shared
 * with the driver). The slots sit on their own page, read-only after the
 * first lap, so a store would fault. A changed element is still stored.
 */
static void
test_used_slots_untouched(void)
{
	struct vu_vring_used_elem e[16];
	struct bed b;
	uint8_t *slots;
	uint16_t lap, i, k;

	/* used->flags and idx end one page, used->ring[] starts the next */
	CHECK(bed_setup_ex(&b, 64, 0, 0, false, 0x5000 - 4));
	slots = g(&b, 0x5000);
	CHECK(slots == (uint8_t *)b.used->ring);
	for (lap = 0; lap < 3; lap++) {
		if (lap == 1)
			CHECK_EQ(mprotect(slots, PAGE, PROT_READ), 0);
		for (i = 0; i < 64; i += 16) {
			for (k = 0; k < 16; k++)
				post_simple(&b, (uint16_t)(i + k));
			CHECK_EQ(pop(&b, 32), 16);
			for (k = 0; k < 16; k++) {
				CHECK_EQ(b.chains[k].head, i + k);
				e[k] = (struct vu_vring_used_elem){ (uint32_t)(i + k), 0 };
			}
			vu_vring_dev_push(&b.r, e, 16);
		}
	}
	CHECK_EQ(b.used->idx, 3 * 64);
	CHECK_EQ(b.r.stats.used, 3 * 64);
	CHECK_EQ(mprotect(slots, PAGE, PROT_READ | PROT_WRITE), 0);
	post_simple(&b, 1);
	CHECK_EQ(pop(&b, 32), 1);
	push1(&b, 1, 0);
	CHECK_EQ(b.used->ring[0].id, 1);
	CHECK_EQ(b.used->idx, 3 * 64 + 1);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
}

static void
test_unpop(void)
{
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 16, 0, 100));
	for (i = 0; i < 6; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 4), 4);
	vu_vring_dev_unpop(&b.r, 2);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 102);
	vu_vring_dev_unpop(&b.r, 5);		/* clamped: two left of that pop */
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 100);
	vu_vring_dev_unpop(&b.r, 1);		/* nothing left */
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 100);
	CHECK_EQ(b.r.stats.popped, 0);
	CHECK_EQ(pop(&b, 32), 6);
	for (i = 0; i < 6; i++)
		CHECK_EQ(b.chains[i].head, i);
	bed_teardown(&b);
}

/* EVENT_IDX: call when used idx passes used_event, with a real eventfd. */
static void
test_event_idx(void)
{
	uint16_t *used_event;
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 16, F_EVENT_IDX, 0));
	used_event = &b.avail->ring[16];
	for (i = 0; i < 16; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 32), 16);
	*used_event = 100;
	push1(&b, 0, 0);			/* first push after init: always */
	CHECK_EQ(efd_take(b.call_fd), 1);
	push1(&b, 1, 0);			/* used 2, event 100: no */
	CHECK_EQ(efd_take(b.call_fd), 0);
	*used_event = 2;			/* wants a call once used passes 2 */
	push1(&b, 2, 0);			/* 2 -> 3: passes */
	CHECK_EQ(efd_take(b.call_fd), 1);
	push1(&b, 3, 0);			/* 3 -> 4: already told */
	CHECK_EQ(efd_take(b.call_fd), 0);
	*used_event = 5;
	vu_vring_dev_push(&b.r, (struct vu_vring_used_elem[]){ { 4, 0 }, { 5, 0 }, { 6, 0 } },
			  3);			/* 4 -> 7 crosses 5 */
	CHECK_EQ(efd_take(b.call_fd), 1);
	*used_event = 6;			/* in the past */
	push1(&b, 7, 0);
	CHECK_EQ(efd_take(b.call_fd), 0);
	/* NO_INTERRUPT is ignored with EVENT_IDX */
	b.avail->flags = VU_VRING_AVAIL_F_NO_INTERRUPT;
	*used_event = 8;
	push1(&b, 8, 0);
	CHECK_EQ(efd_take(b.call_fd), 1);
	CHECK_EQ(b.r.stats.calls, 4);
	/* used_event wraps: used idx 9, event 65535 -> no call for 9 -> 10 */
	*used_event = 65535;
	push1(&b, 9, 0);
	CHECK_EQ(efd_take(b.call_fd), 0);
	bed_teardown(&b);
}

static void
test_no_interrupt(void)
{
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 16, 0, 0));
	for (i = 0; i < 4; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 32), 4);
	b.avail->flags = VU_VRING_AVAIL_F_NO_INTERRUPT;
	push1(&b, 0, 0);
	CHECK_EQ(efd_take(b.call_fd), 0);
	b.avail->flags = 0;
	push1(&b, 1, 0);
	CHECK_EQ(efd_take(b.call_fd), 1);
	/* no call fd: nothing to do, nothing counted */
	b.conf.call_fd = -1;
	b.conf.last_avail = 4;
	CHECK(bed_init(&b));
	push1(&b, 2, 0);
	CHECK_EQ(b.r.stats.calls, 0);
	CHECK_EQ(b.used->idx, 3);
	bed_teardown(&b);
}

static bool
page_dirty(const struct vu_mem_log *log, uint64_t gpa)
{
	uint64_t p = gpa / VU_MEM_LOG_PAGE;

	return (log->bits[p / 8] >> (p % 8)) & 1;
}

static int
dirty_pages(const struct vu_mem_log *log)
{
	int n = 0;
	uint64_t i;

	for (i = 0; i < log->size; i++)
		n += __builtin_popcount(log->bits[i]);
	return n;
}

/* Used ring at 0x4f00 with 64 entries spans pages 4 and 5. */
static void
test_dirty_log(void)
{
	struct vu_vring_used_elem e[4] = { { 0, 1 }, { 1, 1 }, { 2, 1 }, { 3, 1 } };
	struct vu_mem_log *log;
	struct bed b;
	uint16_t i;
	int fd;

	fd = make_memfd(PAGE);
	CHECK(fd >= 0);
	log = vu_mem_log_create("tvring", &(struct vu_log){ PAGE, 0 }, fd);
	CHECK(log != NULL);
	CHECK(bed_setup_ex(&b, 64, 0, 62, false, 0x4f00));
	/* without log_used: buffers only, through vu_vring_dev_log_write() */
	b.conf.log = log;
	CHECK(bed_init(&b));
	for (i = 0; i < 4; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 32), 4);
	vu_vring_dev_log_write(&b.r, b.chains[0].seg[0].gpa, b.chains[0].seg[0].len);
	CHECK(page_dirty(log, BUF_GPA));
	push1(&b, 0, 1);
	CHECK_EQ(dirty_pages(log), 1);
	memset(log->bits, 0, log->size);
	/* with log_used: slots 63, 0, 1 (page 5, then 4) and idx (page 4) */
	b.conf.log_used = true;
	b.conf.last_avail = 66;
	CHECK(bed_init(&b));
	CHECK_EQ(b.r.used_idx, 63);
	vu_vring_dev_push(&b.r, e, 1);		/* slot 63: 0x4f04 + 8 * 63 = 0x50fc */
	CHECK(page_dirty(log, 0x5000));
	CHECK(page_dirty(log, 0x4000));		/* used->idx */
	CHECK_EQ(dirty_pages(log), 2);
	memset(log->bits, 0, log->size);
	vu_vring_dev_push(&b.r, e + 1, 2);	/* slots 0, 1 */
	CHECK(page_dirty(log, 0x4000));
	CHECK_EQ(dirty_pages(log), 1);
	memset(log->bits, 0, log->size);
	b.conf.last_avail = 65;
	b.used->idx = 61;
	CHECK(bed_init(&b));
	vu_vring_dev_push(&b.r, e, 4);		/* slots 61..63, 0: wraps */
	CHECK(page_dirty(log, 0x4000));
	CHECK(page_dirty(log, 0x5000));
	CHECK_EQ(dirty_pages(log), 2);
	CHECK_EQ(b.used->ring[0].id, 3);
	CHECK_EQ(vu_mem_log_dropped(log), 0);
	/* no log: log_write is a no-op */
	b.conf.log = NULL;
	CHECK(bed_init(&b));
	vu_vring_dev_log_write(&b.r, 0, 1);
	bed_teardown(&b);
	vu_mem_log_free(log);
}

/* ---- inflight ---- */

struct ifl_desc {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter;
};

struct ifl_area {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
	struct ifl_desc desc[];
};

static struct ifl_area *
ifl_alloc(uint16_t size)
{
	struct ifl_area *a = aligned_alloc(64, RTE_ALIGN_CEIL(16 + 16 * (size_t)size, 64));

	if (a != NULL)
		memset(a, 0, 16 + 16 * (size_t)size);
	return a;
}

/* A ring of @p size whose inflight area is @p a (fresh from ifl_alloc()). */
static bool
ifl_bed_up(struct bed *b, struct ifl_area *a, uint16_t size, uint16_t last_avail)
{
	if (a == NULL || !bed_setup(b, size, 0, last_avail))
		return false;
	b->conf.inflight = a;
	b->conf.inflight_size = b->size;
	return bed_init(b);
}

static int
ifl_count(const struct ifl_area *a, uint16_t size)
{
	int n = 0;
	uint16_t i;

	for (i = 0; i < size; i++)
		n += a->desc[i].inflight;
	return n;
}

/*
 * Pop 5 chains posted as heads 4 1 0 3 2, use 1 and 3, then restart (a
 * crashed back-end: the front-end sends used->idx as the base): exactly 4,
 * 0, 2 come back, in that order, and then new chains.
 */
static void
test_inflight_restart(void)
{
	const uint16_t order[5] = { 4, 1, 0, 3, 2 };
	struct ifl_area *a = ifl_alloc(16);
	struct bed b;
	uint16_t i;

	CHECK(ifl_bed_up(&b, a, 16, 40));
	CHECK_EQ(a->version, 1);		/* a fresh area is initialised */
	CHECK_EQ(a->desc_num, 16);
	CHECK_EQ(a->used_idx, 40);
	for (i = 0; i < 5; i++)
		post_simple(&b, order[i]);
	CHECK_EQ(pop(&b, 32), 5);
	CHECK_EQ(ifl_count(a, 16), 5);
	CHECK(a->desc[4].counter < a->desc[1].counter);
	CHECK(a->desc[3].counter < a->desc[2].counter);
	push1(&b, 1, 0);
	push1(&b, 3, 0);
	CHECK_EQ(ifl_count(a, 16), 3);
	CHECK_EQ(a->used_idx, 42);
	CHECK_EQ(a->last_batch_head, 3);
	/* restart */
	b.conf.last_avail = b.used->idx;
	memset(&b.r, 0xa5, offsetof(struct vu_vring_dev, resubmit)); /* no stale state used */
	CHECK(bed_init(&b));
	CHECK_EQ(b.r.nr_resubmit, 3);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 45);
	post_simple(&b, 7);
	CHECK_EQ(pop(&b, 2), 2);
	CHECK_EQ(b.chains[0].head, 4);
	CHECK_EQ(b.chains[1].head, 0);
	CHECK_EQ(b.r.stats.resubmitted, 2);
	CHECK_EQ(pop(&b, 32), 2);
	CHECK_EQ(b.chains[0].head, 2);
	CHECK_EQ(b.chains[1].head, 7);
	CHECK_EQ(b.r.stats.resubmitted, 3);
	CHECK_EQ(b.r.stats.popped, 4);
	CHECK_EQ(ifl_count(a, 16), 4);
	CHECK(a->desc[7].counter > a->desc[2].counter);
	/* a clean restart (base from GET_VRING_BASE) gives the same */
	b.conf.last_avail = vu_vring_dev_last_avail(&b.r);
	CHECK(bed_init(&b));
	CHECK_EQ(b.r.nr_resubmit, 4);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 46);
	CHECK_EQ(pop(&b, 32), 4);
	CHECK_EQ(b.chains[0].head, 4);
	CHECK_EQ(b.chains[3].head, 7);
	vu_vring_dev_push(&b.r, (struct vu_vring_used_elem[]){ { 4, 0 }, { 0, 0 }, { 2, 0 },
								{ 7, 0 } }, 4);
	CHECK_EQ(ifl_count(a, 16), 0);
	CHECK_EQ(a->used_idx, 46);
	CHECK_EQ(pop(&b, 32), 0);
	bed_teardown(&b);
	free(a);
}

/* A crash between the used->idx store and clearing the flags: the batch is done. */
static void
test_inflight_last_batch(void)
{
	struct ifl_area *a = ifl_alloc(16);
	struct bed b;
	uint16_t i;

	CHECK(ifl_bed_up(&b, a, 16, 0));
	for (i = 0; i < 4; i++)
		post_simple(&b, i);
	CHECK_EQ(pop(&b, 32), 4);
	vu_vring_dev_push(&b.r, (struct vu_vring_used_elem[]){ { 2, 0 }, { 0, 0 } }, 2);
	/* undo what came after the release store, as if we had crashed there */
	a->desc[2].inflight = 1;
	a->desc[0].inflight = 1;
	a->used_idx = 0;
	b.conf.last_avail = b.used->idx;
	CHECK(bed_init(&b));
	CHECK_EQ(a->used_idx, 2);
	CHECK_EQ(b.r.nr_resubmit, 2);
	CHECK_EQ(pop(&b, 32), 2);
	CHECK_EQ(b.chains[0].head, 1);
	CHECK_EQ(b.chains[1].head, 3);
	bed_teardown(&b);
	free(a);
}

/* Unpop restores inflight entries, also for a head popped twice in one burst. */
static void
test_inflight_unpop(void)
{
	struct ifl_area *a = ifl_alloc(8);
	struct bed b;
	uint64_t c5;

	CHECK(ifl_bed_up(&b, a, 8, 0));
	post_simple(&b, 5);
	CHECK_EQ(pop(&b, 32), 1);
	c5 = a->desc[5].counter;
	post_simple(&b, 6);
	post_simple(&b, 5);			/* again, still in flight */
	CHECK_EQ(pop(&b, 32), 2);
	vu_vring_dev_unpop(&b.r, 2);
	CHECK_EQ(a->desc[5].inflight, 1);
	CHECK_EQ(a->desc[5].counter, c5);
	CHECK_EQ(a->desc[6].inflight, 0);
	CHECK_EQ(b.r.inflight_counter, c5 + 1);
	CHECK_EQ(pop(&b, 32), 2);
	bed_teardown(&b);
	/* after a restart, unpop puts resubmitted chains back on the list */
	memset(a, 0, 16 + 16 * 8);
	CHECK(bed_setup(&b, 8, 0, 0));
	b.conf.inflight = a;
	b.conf.inflight_size = b.size;
	CHECK(bed_init(&b));
	post_simple(&b, 1);
	post_simple(&b, 2);
	CHECK_EQ(pop(&b, 32), 2);
	b.conf.last_avail = b.used->idx;
	CHECK(bed_init(&b));
	CHECK_EQ(b.r.nr_resubmit, 2);
	post_simple(&b, 3);
	CHECK_EQ(pop(&b, 32), 3);
	vu_vring_dev_unpop(&b.r, 3);
	CHECK_EQ(b.r.resubmit_next, 0);
	CHECK_EQ(a->desc[3].inflight, 0);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 2);
	CHECK_EQ(pop(&b, 32), 3);
	CHECK_EQ(b.chains[0].head, 1);
	CHECK_EQ(b.chains[2].head, 3);
	CHECK_EQ(b.r.stats.resubmitted, 2);
	bed_teardown(&b);
	free(a);
}

/* The avail ring full of one head, twice round: each pop returns it. */
static void
test_same_head_repeated(void)
{
	struct vu_vring_used_elem e[8];
	struct ifl_area *a = ifl_alloc(8);
	struct bed b;
	int round, i;

	CHECK(ifl_bed_up(&b, a, 8, 0));
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 8; i++)
			post_simple(&b, 2);
		CHECK_EQ(pop(&b, 32), 8);
		for (i = 0; i < 8; i++) {
			CHECK_EQ(b.chains[i].head, 2);
			e[i] = (struct vu_vring_used_elem){ 2, 0 };
		}
		CHECK_EQ(ifl_count(a, 8), 1);
		vu_vring_dev_push(&b.r, e, 8);
		CHECK_EQ(ifl_count(a, 8), 0);
	}
	CHECK_EQ(b.used->idx, 16);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	bed_teardown(&b);
	free(a);
}

/* ---- hostile descriptor layouts ---- */

/*
 * Post a good chain at head 0, then what @p bad laid out at head @p head;
 * the pop returns the good one and breaks with @p why; err_fd once.
 */
/*
 * A second ring on the same guest memory, its areas in region C: another
 * queue of the same device. A broken ring must leave it working.
 */
#define OTHER_DESC_GPA	(C_GPA + 0x1000)
#define OTHER_AVAIL_GPA	(C_GPA + 0x2000)
#define OTHER_USED_GPA	(C_GPA + 0x3000)

struct other_ring {
	struct vu_vring_dev r;
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
	int err_fd;
	uint16_t avail_idx;
};

static bool
other_up(struct bed *b, struct other_ring *o)
{
	struct vu_vring_dev_conf conf = {
		.name = "tvring-other", .index = 4, .size = 16,
		.mem = b->mem, .call_fd = -1, .used_gpa = OTHER_USED_GPA,
	};

	memset(o, 0, sizeof(*o));
	o->desc = g(b, OTHER_DESC_GPA);
	o->avail = g(b, OTHER_AVAIL_GPA);
	o->used = g(b, OTHER_USED_GPA);
	memset(o->avail, 0, 64);
	memset(o->used, 0, 256);
	o->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	conf.desc = o->desc;
	conf.avail = o->avail;
	conf.used = o->used;
	conf.err_fd = o->err_fd;
	return o->err_fd >= 0 && vu_vring_dev_init(&o->r, &conf) == 0;
}

/* One 64-byte chain goes round: posted, popped whole, used. */
static bool
other_moves(struct other_ring *o)
{
	struct vu_vring_chain c[VU_VRING_BURST_MAX];
	struct vu_vring_used_elem e = { .id = 0, .len = 0 };
	uint16_t used = o->used->idx;

	set_desc(&o->desc[0], BUF_GPA + 0x800, 64, R, 0);
	o->avail->ring[o->avail_idx & 15] = 0;
	o->avail_idx++;
	__atomic_store_n(&o->avail->idx, o->avail_idx, __ATOMIC_RELEASE);
	if (vu_vring_dev_pop(&o->r, c, VU_VRING_BURST_MAX) != 1 || c[0].head != 0 ||
	    c[0].read_len != 64)
		return false;
	vu_vring_dev_push(&o->r, &e, 1);
	return o->used->idx == (uint16_t)(used + 1) && vu_vring_dev_broken(&o->r) == VU_VRING_OK &&
	       efd_take(o->err_fd) == 0;
}

static void
other_down(struct other_ring *o)
{
	vu_vring_dev_fini(&o->r);
	close(o->err_fd);
}

/* The ring is broken with reason @p why, and said so on err_fd once. */
static bool
broke_once(struct bed *b, enum vu_vring_error why)
{
	if (vu_vring_dev_broken(&b->r) != why) {
		printf("# broken: %d (%s), want %d (%s)\n", vu_vring_dev_broken(&b->r),
		       vu_vring_error_str(vu_vring_dev_broken(&b->r)), why,
		       vu_vring_error_str(why));
		return false;
	}
	if (efd_take(b->err_fd) != 1 || b->r.stats.broken != 1) {
		printf("# err_fd not signalled once\n");
		return false;
	}
	return true;
}

static bool
expect_break_on_bed(struct bed *b, uint16_t head, enum vu_vring_error why)
{
	uint64_t used = b->used->idx;

	set_desc(&b->desc[0], BUF_GPA, 64, R, 0);
	post(b, 0);
	post(b, head);
	if (pop(b, 32) != 1 || b->chains[0].head != 0 || b->chains[0].read_len != 64) {
		printf("# the good chain before the bad one was not returned\n");
		return false;
	}
	if (!broke_once(b, why))
		return false;
	/* dead from now on: nothing popped, pushed, or signalled again */
	post_simple(b, 1);
	vu_vring_dev_unpop(&b->r, 1);
	push1(b, 0, 0);
	if (pop(b, 32) != 0 || b->used->idx != used || efd_take(b->err_fd) != 0 ||
	    b->r.stats.broken != 1 || efd_take(b->call_fd) != 0) {
		printf("# the broken ring still did something\n");
		return false;
	}
	return true;
}

/* The front-end moves avail->idx to @p idx: the ring breaks with @p why
 * on the next pop, signals err_fd once, and does nothing afterwards. */
static bool
expect_idx_break_on_bed(struct bed *b, uint16_t idx, enum vu_vring_error why)
{
	b->avail->idx = idx;
	if (pop(b, 32) != 0 || !broke_once(b, why))
		return false;
	b->avail->idx = (uint16_t)(vu_vring_dev_last_avail(&b->r) + 1);
	if (pop(b, 32) != 0 || efd_take(b->err_fd) != 0 || b->r.stats.broken != 1) {
		printf("# the broken ring still did something\n");
		return false;
	}
	return true;
}

/*
 * The ring breaks with reason @p why when @p breaks does its part (@p arg:
 * the bad head, or the bad index): one log line names the ring and the
 * reason, and another ring on the same memory keeps going.
 */
static bool
expect_break_seen(struct bed *b, uint16_t arg, enum vu_vring_error why,
		  bool (*breaks)(struct bed *b, uint16_t arg, enum vu_vring_error why))
{
	struct other_ring other;
	char reason[96];
	bool ok;

	if (!other_up(b, &other) || !other_moves(&other)) {
		printf("# the other ring did not work before the break\n");
		return false;
	}
	snprintf(reason, sizeof(reason), "ring broken: %s", vu_vring_error_str(why));
	ok = vu_test_log_begin(RTE_LOG_ERR) && breaks(b, arg, why) &&
	     vu_test_log_has("(tvring:3)", reason);
	vu_test_log_end();
	if (ok && !other_moves(&other)) {
		printf("# the other ring stopped with the broken one\n");
		ok = false;
	}
	other_down(&other);
	return ok;
}

/* The good chain before @p head comes back, then the ring breaks there. */
static bool
expect_break(struct bed *b, uint16_t head, enum vu_vring_error why)
{
	return expect_break_seen(b, head, why, expect_break_on_bed);
}

static void
test_bad_avail_idx(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	post_simple(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	/* 17 new entries in a ring of 16 */
	CHECK(expect_break_seen(&b, 1 + 17, VU_VRING_ERR_avail_idx, expect_idx_break_on_bed));
	bed_teardown(&b);
}

static void
test_bad_avail_idx_backwards(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 10));
	CHECK(expect_break_seen(&b, 9, VU_VRING_ERR_avail_idx, expect_idx_break_on_bed));
	bed_teardown(&b);
}

/* Resubmitted chains: @p n come back, then the ring breaks with @p why. */
static bool
resubmit_then_break(struct bed *b, uint16_t n, enum vu_vring_error why)
{
	uint16_t got = pop(b, 32);

	if (got != n) {
		printf("# popped %u resubmitted chains, want %u\n", got, n);
		return false;
	}
	return broke_once(b, why);
}

/* An area for another size is ignored; a scrambled one does no harm. */
static void
test_inflight_bad_area(void)
{
	struct ifl_area *a = ifl_alloc(64);
	struct bed b;
	uint16_t i;

	CHECK(a != NULL);
	CHECK(bed_setup(&b, 16, 0, 0));
	a->version = 1;
	a->desc_num = 64;
	b.conf.inflight = a;
	b.conf.inflight_size = b.size;
	CHECK(bed_init(&b));
	CHECK(b.r.inflight == NULL);
	/* desc_num is the front-end's word: the size we mapped for decides */
	a->desc_num = 16;
	b.conf.inflight_size = 8;
	CHECK(bed_init(&b));
	CHECK(b.r.inflight == NULL);
	b.conf.inflight_size = 0;
	CHECK(bed_init(&b));
	CHECK(b.r.inflight == NULL);
	b.conf.inflight_size = 16;
	a->desc_num = 64;
	post_simple(&b, 1);
	CHECK_EQ(pop(&b, 32), 1);
	push1(&b, 1, 0);
	CHECK_EQ(ifl_count(a, 64), 0);
	/* right size, garbage inside */
	memset(a, 0xff, 16 + 16 * 16);
	a->desc_num = 16;
	for (i = 0; i < 16; i++)
		a->desc[i].inflight = (uint8_t)(i & 1);
	b.conf.last_avail = b.used->idx;
	CHECK(bed_init(&b));
	/* odd heads in flight; used_idx 0xffff: slots 15 and 0 were the last
	 * batch, and slot 0 names head 1 */
	CHECK_EQ(b.r.nr_resubmit, 7);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 1 + 7);
	/* zeroed descriptors: empty chains; then the area's claim is found to
	 * be inconsistent with the avail ring (1 posted, 8 consumed) */
	CHECK(expect_break_seen(&b, 7, VU_VRING_ERR_avail_idx, resubmit_then_break));
	CHECK_EQ(b.chains[0].head, 3);
	bed_teardown(&b);
	free(a);
}

static void
test_bad_head(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	CHECK(expect_break(&b, 16, VU_VRING_ERR_head_range));
	bed_teardown(&b);
	CHECK(bed_setup(&b, 16, 0, 0));
	CHECK(expect_break(&b, 0xffff, VU_VRING_ERR_head_range));
	bed_teardown(&b);
}

static void
test_bad_next(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], BUF_GPA, 8, R | N, 16);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_next_range));
	bed_teardown(&b);
}

static void
test_loop_direct(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], BUF_GPA, 8, R | N, 4);
	set_desc(&b.desc[4], BUF_GPA, 8, R | N, 3);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_chain_loop));
	bed_teardown(&b);
	/* a zero-length self loop produces no segment: only the bound stops it */
	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[5], BUF_GPA, 0, R | N, 5);
	CHECK(expect_break(&b, 5, VU_VRING_ERR_chain_loop));
	bed_teardown(&b);
}

/* The whole table in one chain is fine; no chain can be longer without a loop. */
static void
test_chain_whole_ring(void)
{
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 32, 0, 0));
	for (i = 0; i < 32; i++)
		set_desc(&b.desc[i], BUF_GPA + i, 1, R | (i < 31 ? N : 0), (uint16_t)(i + 1));
	post(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(b.chains[0].nr_read, 32);
	/* the last one pointing back: 1..31 go round (0 becomes a good chain) */
	b.desc[31].flags |= N;
	b.desc[31].next = 1;
	CHECK(expect_break(&b, 1, VU_VRING_ERR_chain_loop));
	bed_teardown(&b);
}

static void
test_loop_indirect(void)
{
	struct vu_vring_desc *t;
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	set_desc(&t[0], BUF_GPA, 8, R | N, 1);
	set_desc(&t[1], BUF_GPA, 0, R | N, 0);
	set_desc(&b.desc[2], TABLE_GPA, 32, I, 0);
	CHECK(expect_break(&b, 2, VU_VRING_ERR_chain_loop));
	bed_teardown(&b);
}

static void
test_indirect_next_range(void)
{
	struct vu_vring_desc *t;
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	set_desc(&t[0], BUF_GPA, 8, R | N, 2);	/* table of 2 */
	set_desc(&t[2], BUF_GPA, 8, R, 0);
	set_desc(&b.desc[2], TABLE_GPA, 32, I, 0);
	CHECK(expect_break(&b, 2, VU_VRING_ERR_next_range));
	bed_teardown(&b);
}

/* An indirect table with more entries than the ring (DPDK's rule). */
static void
test_indirect_too_long(void)
{
	struct vu_vring_desc *t;
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	for (i = 0; i < 17; i++)
		set_desc(&t[i], BUF_GPA, 1, R | N, (uint16_t)(i + 1));
	set_desc(&b.desc[2], TABLE_GPA, 17 * 16, I, 0);
	CHECK(expect_break(&b, 2, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_buf_outside(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], A_GPA + A_SIZE + 0x1000, 8, R, 0);	/* in the hole */
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], C_GPA + C_SIZE, 1, W, 0);	/* just past the end */
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
}

static void
test_buf_straddle_hole(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], A_GPA + A_SIZE - 0x100, 0x101, W, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
	/* the tail of B+C, reaching one byte past C into the hole */
	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], B_GPA, (uint32_t)(B_SIZE + C_SIZE + 1), R, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
}

static void
test_buf_wrap(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], UINT64_MAX - 0xff, 0x200, R, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
}

static void
test_buf_len_max(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], B_GPA, UINT32_MAX, W, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
}

/* Two 2 GiB buffers in a (sparse) 2 GiB region: a chain over 4 GiB. */
static void
test_chain_over_4g(void)
{
	struct bed b;

	CHECK(bed_setup_ex(&b, 16, 0, 0, true, USED_GPA));
	set_desc(&b.desc[3], BIG_GPA, 0x80000000u, R | N, 4);
	set_desc(&b.desc[4], BIG_GPA, 0x80000000u, W, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_addr));
	bed_teardown(&b);
}

static void
test_indirect_feature_off(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc((struct vu_vring_desc *)g(&b, TABLE_GPA), BUF_GPA, 8, R, 0);
	set_desc(&b.desc[3], TABLE_GPA, 16, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_indirect_nested(void)
{
	struct vu_vring_desc *t;
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	set_desc(&t[0], BUF_GPA, 8, R | N, 1);
	set_desc(&t[1], TABLE_GPA, 32, I, 0);
	set_desc(&b.desc[3], TABLE_GPA, 32, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_indirect_bad_len(void)
{
	static const uint32_t lens[] = { 0, 24, 8, 0xfffffff0 };
	struct bed b;
	unsigned int i;

	for (i = 0; i < RTE_DIM(lens); i++) {
		CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
		set_desc(&b.desc[3], TABLE_GPA, lens[i], I, 0);
		CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
		bed_teardown(&b);
	}
}

static void
test_indirect_outside(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc(&b.desc[3], A_GPA + A_SIZE + 0x1000, 32, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
	/* straddling the end of A; and crossing B into C (one region only) */
	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc(&b.desc[3], A_GPA + A_SIZE - 16, 32, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc(&b.desc[3], C_GPA - 16, 32, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc(&b.desc[3], UINT64_MAX - 15, 32, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_indirect_with_next(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc((struct vu_vring_desc *)g(&b, TABLE_GPA), BUF_GPA, 8, R, 0);
	set_desc(&b.desc[3], TABLE_GPA, 16, I | N, 4);
	set_desc(&b.desc[4], BUF_GPA, 8, W, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_indirect_not_first(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	set_desc((struct vu_vring_desc *)g(&b, TABLE_GPA), BUF_GPA, 8, W, 0);
	set_desc(&b.desc[3], BUF_GPA, 8, R | N, 4);
	set_desc(&b.desc[4], TABLE_GPA, 16, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_indirect));
	bed_teardown(&b);
}

static void
test_order_direct(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], BUF_GPA, 8, W | N, 4);
	set_desc(&b.desc[4], BUF_GPA, 8, R, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_order));
	bed_teardown(&b);
	/* a zero-length readable one after a writable one too */
	CHECK(bed_setup(&b, 16, 0, 0));
	set_desc(&b.desc[3], BUF_GPA, 8, W | N, 4);
	set_desc(&b.desc[4], BUF_GPA, 0, R, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_order));
	bed_teardown(&b);
}

static void
test_order_indirect(void)
{
	struct vu_vring_desc *t;
	struct bed b;

	CHECK(bed_setup(&b, 16, F_INDIRECT, 0));
	t = g(&b, TABLE_GPA);
	set_desc(&t[0], BUF_GPA, 8, R | N, 1);
	set_desc(&t[1], BUF_GPA, 8, W | N, 2);
	set_desc(&t[2], BUF_GPA, 8, R, 0);
	set_desc(&b.desc[3], TABLE_GPA, 48, I, 0);
	CHECK(expect_break(&b, 3, VU_VRING_ERR_desc_order));
	bed_teardown(&b);
}

static void
test_too_many_segs(void)
{
	struct bed b;
	uint16_t i;

	/* 65 descriptors */
	CHECK(bed_setup(&b, 128, 0, 0));
	for (i = 1; i <= VU_VRING_SEGS_MAX + 1; i++)
		set_desc(&b.desc[i], BUF_GPA + i, 1, R | N, (uint16_t)(i + 1));
	b.desc[VU_VRING_SEGS_MAX + 1].flags = R;
	CHECK(expect_break(&b, 1, VU_VRING_ERR_chain_segs));
	bed_teardown(&b);
	/* exactly 64 is fine */
	CHECK(bed_setup(&b, 128, 0, 0));
	for (i = 0; i < VU_VRING_SEGS_MAX; i++)
		set_desc(&b.desc[i], BUF_GPA + i, 1, W | N, (uint16_t)(i + 1));
	b.desc[VU_VRING_SEGS_MAX - 1].flags = W;
	post(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	CHECK_EQ(b.chains[0].nr_write, VU_VRING_SEGS_MAX);
	bed_teardown(&b);
	/* 33 descriptors that each cross from B into C: 66 segments */
	CHECK(bed_setup(&b, 128, 0, 0));
	for (i = 1; i <= 33; i++)
		set_desc(&b.desc[i], C_GPA - 1, 2, W | N, (uint16_t)(i + 1));
	b.desc[33].flags = W;
	CHECK(expect_break(&b, 1, VU_VRING_ERR_chain_segs));
	bed_teardown(&b);
}

/* A break in the middle of a burst: the chains before it are returned. */
static void
test_break_mid_burst(void)
{
	struct bed b;
	uint16_t i;

	CHECK(bed_setup(&b, 32, 0, 0));
	for (i = 0; i < 5; i++)
		post_simple(&b, i);
	set_desc(&b.desc[9], BUF_GPA, 8, R | N, 99);
	post(&b, 9);
	post_simple(&b, 6);
	CHECK_EQ(pop(&b, 32), 5);
	CHECK_EQ(b.chains[4].head, 4);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_ERR_next_range);
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 5);
	CHECK_EQ(b.r.stats.popped, 5);
	bed_teardown(&b);
}

/* Re-initialising a broken ring heals it. */
static void
test_heal(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	CHECK(expect_break(&b, 16, VU_VRING_ERR_head_range));
	b.conf.last_avail = 3;			/* the front-end reset the ring */
	b.avail->idx = 3;
	b.avail_idx = 3;
	CHECK(bed_init(&b));
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	CHECK_EQ(b.r.stats.broken, 0);
	post_simple(&b, 2);
	CHECK_EQ(pop(&b, 32), 1);
	push1(&b, 2, 0);
	CHECK_EQ(b.used->idx, 1);
	bed_teardown(&b);
}

/* A base outside used->idx .. avail->idx (DPDK virtio-user's base 0 for rings
 * it kept) starts at used->idx; a base inside it is kept. */
static void
test_base_outside(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 1000));
	post_simple(&b, 0);
	post_simple(&b, 1);
	b.conf.last_avail = 0;
	CHECK(bed_init(&b));
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 1000);
	CHECK_EQ(pop(&b, 32), 2);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_OK);
	b.conf.last_avail = 1001;		/* one popped and not used: kept */
	CHECK(bed_init(&b));
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 1001);
	b.conf.last_avail = 1003;		/* beyond avail->idx */
	CHECK(bed_init(&b));
	CHECK_EQ(vu_vring_dev_last_avail(&b.r), 1000);
	bed_teardown(&b);
}

static void
test_init_einval(void)
{
	struct bed b;
	struct vu_vring_dev r;
	struct vu_vring_dev_conf c;

	memset(&r, 0, sizeof(r));
	CHECK(bed_setup(&b, 16, 0, 0));
	c = b.conf;
	c.size = 0;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	c.size = 24;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	c = b.conf;
	c.desc = NULL;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	c = b.conf;
	c.mem = NULL;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	c = b.conf;
	c.used = (char *)c.used + 2;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	c = b.conf;
	c.desc = (char *)c.desc + 8;
	CHECK_EQ(vu_vring_dev_init(&r, &c), -EINVAL);
	CHECK_EQ(vu_vring_dev_init(&r, NULL), -EINVAL);
	c = b.conf;
	c.size = 1;
	CHECK_EQ(vu_vring_dev_init(&r, &c), 0);
	vu_vring_dev_fini(&r);
	vu_vring_dev_fini(&r);
	CHECK(strcmp(b.r.name, "tvring:3") == 0);
	bed_teardown(&b);
}

static void
test_error_str(void)
{
	CHECK(strcmp(vu_vring_error_str(VU_VRING_OK), "ok") == 0);
	CHECK(strcmp(vu_vring_error_str(VU_VRING_ERR_chain_loop),
		     "chain longer than the ring (loop)") == 0);
	CHECK(strcmp(vu_vring_error_str(VU_VRING_ERR_COUNT), "unknown") == 0);
	CHECK(strcmp(vu_vring_error_str((enum vu_vring_error)-1), "unknown") == 0);
}

/* Ring of one descriptor: the smallest legal ring works. */
static void
test_size_one(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 1, 0, 0));
	post_simple(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	push1(&b, 0, 0);
	post_simple(&b, 0);
	CHECK_EQ(pop(&b, 32), 1);
	post(&b, 0);
	post(&b, 0);				/* two outstanding in a ring of one */
	CHECK_EQ(pop(&b, 32), 0);
	CHECK_EQ(vu_vring_dev_broken(&b.r), VU_VRING_ERR_avail_idx);
	bed_teardown(&b);
}

static void
test_guards(void)
{
	struct bed b;

	CHECK(bed_setup(&b, 16, 0, 0));
	printf("# %d of 6 region ends have a PROT_NONE guard page\n", b.guarded);
	CHECK(b.guarded >= 3);
	bed_teardown(&b);
}

/* Breaks are logged by design; VU_TEST_VERBOSE=1 shows them. */
static void __attribute__((constructor))
quiet(void)
{
	if (getenv("VU_TEST_VERBOSE") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
}

#define T(fn) VU_TEST_CASE(fn)

VU_TEST_MAIN(
	T(test_guards),
	T(test_single),
	T(test_multi),
	T(test_indirect),
	T(test_cross_region),
	T(test_single_desc_paths),
	T(test_zero_len),
	T(test_burst),
	T(test_wraparound),
	T(test_used_slots_untouched),
	T(test_unpop),
	T(test_event_idx),
	T(test_no_interrupt),
	T(test_dirty_log),
	T(test_inflight_restart),
	T(test_inflight_last_batch),
	T(test_inflight_unpop),
	T(test_inflight_bad_area),
	T(test_same_head_repeated),
	T(test_bad_avail_idx),
	T(test_bad_avail_idx_backwards),
	T(test_bad_head),
	T(test_bad_next),
	T(test_loop_direct),
	T(test_chain_whole_ring),
	T(test_loop_indirect),
	T(test_indirect_next_range),
	T(test_indirect_too_long),
	T(test_buf_outside),
	T(test_buf_straddle_hole),
	T(test_buf_wrap),
	T(test_buf_len_max),
	T(test_chain_over_4g),
	T(test_indirect_feature_off),
	T(test_indirect_nested),
	T(test_indirect_bad_len),
	T(test_indirect_outside),
	T(test_indirect_with_next),
	T(test_indirect_not_first),
	T(test_order_direct),
	T(test_order_indirect),
	T(test_too_many_segs),
	T(test_break_mid_burst),
	T(test_heal),
	T(test_base_outside),
	T(test_init_einval),
	T(test_error_str),
	T(test_size_one),
)
