/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver side of the split ring against a hand-written device: the ring
 * areas live in a memfd mapping, the test reads the available ring and the
 * descriptors and writes used elements as a device would, honest or not.
 * Every cookie is counted when returned: none may come back twice.
 */
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <rte_bitops.h>
#include <rte_log.h>

#include "vu_test.h"
#include "vu_vring.h"

#define F_EVENT_IDX	RTE_BIT64(VU_VRING_FEATURE_EVENT_IDX)
#define F_IN_ORDER	RTE_BIT64(VU_VRING_FEATURE_IN_ORDER)
#define NTOK		512
#define ADDR_OFFSET	0x1000

/* A ring, its shared areas and the test device's own indices. */
struct tring {
	struct vu_vring_drv r;
	void *mem;
	size_t bytes;
	struct vu_vring_desc *desc;
	struct vu_vring_avail *avail;
	struct vu_vring_used *used;
	uint16_t size;
	uint16_t dev_avail;	/* next avail slot the device reads */
	uint16_t dev_used;	/* next used slot the device writes */
	int kick_fd;
};

static int tok[NTOK];			/* cookies are &tok[i] */
static unsigned int returned[NTOK];	/* times each came back */
static char buf[NTOK][64];		/* buffers the descriptors point at */

/* Map the ring areas at the given offsets of one memfd mapping. */
static int
tring_map(struct tring *t, uint16_t size, uint64_t features, bool kick, bool want_calls,
	  size_t avail_off, size_t used_off, size_t bytes)
{
	struct vu_vring_drv_conf conf = { .name = "test", .index = 3, .size = size,
					  .features = features, .kick_fd = -1,
					  .want_calls = want_calls, .addr_offset = ADDR_OFFSET };
	int fd;

	memset(t, 0, sizeof(*t));
	memset(returned, 0, sizeof(returned));
	t->bytes = bytes;
	fd = memfd_create("vring-drv-test", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)t->bytes) != 0)
		return -1;
	t->mem = mmap(NULL, t->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (t->mem == MAP_FAILED)
		return -1;
	t->desc = t->mem;
	t->avail = (void *)((char *)t->mem + avail_off);
	t->used = (void *)((char *)t->mem + used_off);
	t->size = size;
	t->kick_fd = kick ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
	conf.kick_fd = t->kick_fd;
	conf.desc = t->desc;
	conf.avail = t->avail;
	conf.used = t->used;
	return vu_vring_drv_init(&t->r, &conf);
}

/* The usual layout: the three areas back to back. */
static int
tring_open(struct tring *t, uint16_t size, uint64_t features, bool kick, bool want_calls)
{
	size_t desc_b = VU_VRING_DESC_BYTES(size), avail_b = VU_VRING_AVAIL_BYTES(size);
	size_t used_off = RTE_ALIGN_CEIL(desc_b + avail_b, 4);

	return tring_map(t, size, features, kick, want_calls, desc_b, used_off,
			 used_off + VU_VRING_USED_BYTES(size));
}

static void
tring_close(struct tring *t)
{
	vu_vring_drv_fini(&t->r);
	munmap(t->mem, t->bytes);
	if (t->kick_fd >= 0)
		close(t->kick_fd);
}

static uint16_t *
avail_event(struct tring *t)
{
	return (uint16_t *)(void *)&t->used->ring[t->size];
}

/* Kicks waiting on the eventfd (reads and clears it). */
static uint64_t
kicks(struct tring *t)
{
	uint64_t v = 0;

	if (read(t->kick_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* Add a chain of @p nr readable and @p nw writable 16-byte segments, cookie tok[i]. */
static int
add(struct tring *t, unsigned int i, uint16_t nr, uint16_t nw)
{
	struct vu_vring_drv_seg s[8];
	uint16_t k;

	for (k = 0; k < nr + nw; k++) {
		s[k].addr = &buf[i % NTOK][k * 4];
		s[k].len = 16;
		s[k].write = k >= nr;
	}
	return vu_vring_drv_add(&t->r, s, (uint16_t)(nr + nw), &tok[i % NTOK]);
}

/* Device: next available head, or -1. */
static int
dev_pop(struct tring *t)
{
	uint16_t idx = __atomic_load_n(&t->avail->idx, __ATOMIC_ACQUIRE);

	if (idx == t->dev_avail)
		return -1;
	return t->avail->ring[t->dev_avail++ & (t->size - 1)];
}

/* Device: write a used element and publish it. */
static void
dev_push(struct tring *t, uint32_t id, uint32_t len)
{
	t->used->ring[t->dev_used & (t->size - 1)] = (struct vu_vring_used_elem){ id, len };
	t->dev_used++;
	__atomic_store_n(&t->used->idx, t->dev_used, __ATOMIC_RELEASE);
}

/* Reclaim and account; return the count, -1 on a cookie returned twice. */
static int
reclaim(struct tring *t, void **c, uint32_t *lens, uint16_t n)
{
	uint16_t got = vu_vring_drv_reclaim(&t->r, c, lens, n), k;

	for (k = 0; k < got; k++) {
		long i = (int *)c[k] - tok;

		if (i < 0 || i >= NTOK || returned[i]++ != 0)
			return -1;
	}
	return got;
}

/* After a break: every entry point is inert, drain returns the rest once. */
static bool
broken_is_safe(struct tring *t, unsigned int nadded)
{
	void *c[NTOK];
	uint16_t avail_before = t->avail->idx, n, k;
	unsigned int total = 0;

	if (add(t, NTOK - 1, 1, 0) != -EIO)
		return false;
	vu_vring_drv_publish(&t->r);
	if (t->avail->idx != avail_before)
		return false;
	if (vu_vring_drv_reclaim(&t->r, c, NULL, 64) != 0)
		return false;
	if (t->r.stats.broken != 1)
		return false;
	n = vu_vring_drv_drain(&t->r, c);
	for (k = 0; k < n; k++) {
		long i = (int *)c[k] - tok;

		if (i < 0 || i >= NTOK || returned[i]++ != 0)
			return false;
	}
	for (k = 0; k < NTOK; k++)
		total += returned[k];
	/* every chain back exactly once, the ring usable again */
	return total == nadded && vu_vring_drv_broken(&t->r) == VU_VRING_OK &&
	       vu_vring_drv_free(&t->r) == t->size && add(t, 0, 1, 0) == 0;
}

/* ---- honest device ---- */

static void
test_init_rejects(void)
{
	static const uint16_t bad[] = { 0, 3, 6, 1000, 32769 };
	struct vu_vring_drv r;
	struct vu_vring_drv_conf conf;
	char *area = aligned_alloc(64, 65536 * 16);
	unsigned int i;

	CHECK(area != NULL);
	for (i = 0; i < RTE_DIM(bad); i++) {
		conf = (struct vu_vring_drv_conf){ .size = bad[i], .desc = area,
						   .avail = area, .used = area, .kick_fd = -1 };
		CHECK_EQ(vu_vring_drv_init(&r, &conf), -EINVAL);
	}
	conf = (struct vu_vring_drv_conf){ .size = 8, .desc = area + 8, .avail = area,
					   .used = area, .kick_fd = -1 };
	CHECK_EQ(vu_vring_drv_init(&r, &conf), -EINVAL);
	conf.desc = area;
	conf.avail = area + 1;
	CHECK_EQ(vu_vring_drv_init(&r, &conf), -EINVAL);
	conf.avail = area;
	conf.used = area + 2;
	CHECK_EQ(vu_vring_drv_init(&r, &conf), -EINVAL);
	conf.used = NULL;
	CHECK_EQ(vu_vring_drv_init(&r, &conf), -EINVAL);
	conf.used = area;
	conf.size = 32768;
	CHECK_EQ(vu_vring_drv_init(&r, &conf), 0);
	CHECK_EQ(vu_vring_drv_free(&r), 32768);
	vu_vring_drv_fini(&r);
	vu_vring_drv_fini(&r);	/* twice: safe */
	free(area);
}

static void
test_round_trip_one_seg(void)
{
	struct tring t;
	void *c[4];
	uint32_t lens[4];
	int head;

	CHECK_EQ(tring_open(&t, 8, 0, false, false), 0);
	CHECK_EQ(t.avail->flags, VU_VRING_AVAIL_F_NO_INTERRUPT);
	CHECK_EQ(add(&t, 1, 0, 1), 0);
	CHECK_EQ(t.avail->idx, 0);		/* not visible before publish */
	CHECK_EQ(dev_pop(&t), -1);
	vu_vring_drv_publish(&t.r);
	CHECK_EQ(t.avail->idx, 1);
	head = dev_pop(&t);
	CHECK(head >= 0 && head < 8);
	CHECK_EQ(t.desc[head].addr, (uintptr_t)&buf[1][0] + ADDR_OFFSET);
	CHECK_EQ(t.desc[head].len, 16);
	CHECK_EQ(t.desc[head].flags, VU_VRING_DESC_F_WRITE);
	CHECK_EQ(reclaim(&t, c, lens, 4), 0);	/* nothing used yet */
	dev_push(&t, (uint32_t)head, 10);
	CHECK_EQ(reclaim(&t, c, lens, 4), 1);
	CHECK(c[0] == &tok[1]);
	CHECK_EQ(lens[0], 10);
	CHECK_EQ(vu_vring_drv_free(&t.r), 8);
	CHECK_EQ(t.r.stats.added, 1);
	CHECK_EQ(t.r.stats.reclaimed, 1);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}

static void
test_round_trip_multi_seg(void)
{
	struct tring t;
	void *c[4];
	uint32_t lens[4];
	int head, d, k;

	CHECK_EQ(tring_open(&t, 16, 0, false, false), 0);
	CHECK_EQ(add(&t, 2, 2, 3), 0);
	CHECK_EQ(add(&t, 3, 1, 0), 0);
	CHECK_EQ(vu_vring_drv_free(&t.r), 10);
	vu_vring_drv_publish(&t.r);
	head = dev_pop(&t);
	CHECK(head >= 0);
	/* walk the chain as a device would: 2 readable then 3 writable */
	for (k = 0, d = head; k < 5; k++) {
		CHECK_EQ(t.desc[d].addr, (uintptr_t)&buf[2][k * 4] + ADDR_OFFSET);
		CHECK_EQ(!!(t.desc[d].flags & VU_VRING_DESC_F_WRITE), k >= 2);
		CHECK_EQ(!!(t.desc[d].flags & VU_VRING_DESC_F_NEXT), k < 4);
		d = t.desc[d].next;
	}
	CHECK_EQ(dev_pop(&t) >= 0, 1);
	CHECK_EQ(dev_pop(&t), -1);
	dev_push(&t, (uint32_t)head, 48);	/* exactly what was offered */
	CHECK_EQ(reclaim(&t, c, lens, 4), 1);
	CHECK(c[0] == &tok[2]);
	CHECK_EQ(lens[0], 48);
	CHECK_EQ(vu_vring_drv_free(&t.r), 15);
	tring_close(&t);
}

static void
test_add_rejects(void)
{
	struct vu_vring_drv_seg s[2] = { { buf[0], 16, true }, { buf[1], 16, false } };
	struct tring t;

	CHECK_EQ(tring_open(&t, 8, 0, false, false), 0);
	CHECK_EQ(vu_vring_drv_add(&t.r, s, 2, &tok[0]), -EINVAL);	/* read after write */
	s[1].write = true;
	s[0].len = 0;
	CHECK_EQ(vu_vring_drv_add(&t.r, s, 2, &tok[0]), -EINVAL);	/* len 0 */
	s[0].len = 16;
	CHECK_EQ(vu_vring_drv_add(&t.r, s, 0, &tok[0]), -EINVAL);	/* no segment */
	CHECK_EQ(vu_vring_drv_add(&t.r, s, 2, NULL), -EINVAL);		/* no cookie */
	CHECK_EQ(vu_vring_drv_free(&t.r), 8);
	CHECK_EQ(t.r.avail_idx, 0);
	CHECK_EQ(vu_vring_drv_add(&t.r, s, 2, &tok[0]), 0);
	tring_close(&t);
}

static void
test_fill_ring(void)
{
	struct tring t;
	void *c[8];
	unsigned int i;

	CHECK_EQ(tring_open(&t, 8, 0, false, false), 0);
	CHECK_EQ(add(&t, 0, 1, 2), 0);
	CHECK_EQ(add(&t, 1, 1, 2), 0);
	CHECK_EQ(add(&t, 2, 1, 2), -ENOSPC);	/* 2 left, 3 asked */
	CHECK_EQ(vu_vring_drv_free(&t.r), 2);
	CHECK_EQ(add(&t, 2, 1, 0), 0);
	CHECK_EQ(add(&t, 3, 0, 1), 0);
	CHECK_EQ(add(&t, 4, 0, 1), -ENOSPC);
	CHECK_EQ(t.r.outstanding, 4);
	vu_vring_drv_publish(&t.r);
	for (i = 0; i < 4; i++)
		dev_push(&t, (uint32_t)dev_pop(&t), 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 4);
	CHECK_EQ(vu_vring_drv_free(&t.r), 8);
	/* now eight 1-segment chains fill it exactly */
	for (i = 0; i < 8; i++)
		CHECK_EQ(add(&t, 10 + i, 0, 1), 0);
	CHECK_EQ(add(&t, 20, 0, 1), -ENOSPC);
	tring_close(&t);
}

static void
test_out_of_order(void)
{
	static const int order[] = { 2, 0, 3, 1 };
	struct tring t;
	int heads[4];
	void *c[8];
	uint32_t lens[8];
	unsigned int i, round;

	CHECK_EQ(tring_open(&t, 16, 0, false, false), 0);
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 4; i++)
			CHECK_EQ(add(&t, i, 1, (uint16_t)(i % 3)), 0);
		vu_vring_drv_publish(&t.r);
		for (i = 0; i < 4; i++)
			heads[i] = dev_pop(&t);
		for (i = 0; i < 4; i++)
			dev_push(&t, (uint32_t)heads[order[i]], 16u * (order[i] % 3));
		memset(returned, 0, sizeof(returned));
		CHECK_EQ(reclaim(&t, c, lens, 3), 3);	/* n caps the burst */
		CHECK_EQ(reclaim(&t, c + 3, lens + 3, 8), 1);
		for (i = 0; i < 4; i++) {
			CHECK(c[i] == &tok[order[i]]);
			CHECK_EQ(lens[i], 16u * (order[i] % 3));
		}
		CHECK_EQ(vu_vring_drv_free(&t.r), 16);
	}
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}

static void
test_in_order_batch(void)
{
	struct tring t;
	int heads[6];
	void *c[8];
	uint32_t lens[8];
	unsigned int i;

	CHECK_EQ(tring_open(&t, 8, F_IN_ORDER, false, false), 0);
	CHECK_EQ(add(&t, 0, 1, 1), 0);
	CHECK_EQ(add(&t, 1, 0, 1), 0);
	CHECK_EQ(add(&t, 2, 1, 2), 0);
	CHECK_EQ(add(&t, 3, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	for (i = 0; i < 4; i++)
		heads[i] = dev_pop(&t);
	/* sequential descriptors: heads 0, 2, 3, 6 */
	CHECK_EQ(heads[0], 0);
	CHECK_EQ(heads[1], 2);
	CHECK_EQ(heads[2], 3);
	CHECK_EQ(heads[3], 6);
	/* one used element for the first three buffers */
	dev_push(&t, (uint32_t)heads[2], 20);
	CHECK_EQ(reclaim(&t, c, lens, 8), 3);
	for (i = 0; i < 3; i++)
		CHECK(c[i] == &tok[i]);
	CHECK_EQ(lens[0], 0);
	CHECK_EQ(lens[1], 0);
	CHECK_EQ(lens[2], 20);
	CHECK_EQ(vu_vring_drv_free(&t.r), 7);
	/* wrap the table: chains 4, 5 take descriptors 7,0 and 1,2 */
	CHECK_EQ(add(&t, 4, 1, 1), 0);
	CHECK_EQ(add(&t, 5, 1, 1), 0);
	vu_vring_drv_publish(&t.r);
	heads[4] = dev_pop(&t);
	heads[5] = dev_pop(&t);
	CHECK_EQ(heads[4], 7);
	CHECK_EQ(t.desc[7].next, 0);
	CHECK_EQ(heads[5], 1);
	/* a batch of three, reclaimed one at a time; the device rewriting
	 * the consumed element meanwhile changes nothing */
	dev_push(&t, (uint32_t)heads[5], 7);
	CHECK_EQ(reclaim(&t, c, lens, 1), 1);
	CHECK(c[0] == &tok[3]);
	t.used->ring[(t.dev_used - 1) & 7].id = 0;
	t.used->ring[(t.dev_used - 1) & 7].len = 9999;
	CHECK_EQ(reclaim(&t, c, lens, 1), 1);
	CHECK(c[0] == &tok[4]);
	CHECK_EQ(lens[0], 0);
	CHECK_EQ(reclaim(&t, c, lens, 1), 1);
	CHECK(c[0] == &tok[5]);
	CHECK_EQ(lens[0], 7);
	CHECK_EQ(reclaim(&t, c, lens, 1), 0);
	CHECK_EQ(vu_vring_drv_free(&t.r), 8);
	CHECK_EQ(t.r.outstanding, 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}

/* > 65536 chains through a size-8 ring: every 16-bit index wraps. */
static void
run_wrap(uint64_t features)
{
	struct tring t;
	void *c[8];
	uint32_t lens[8];
	unsigned int seq = 0, done = 0, i;
	int heads[8];

	CHECK_EQ(tring_open(&t, 8, features, false, false), 0);
	while (done < 70000) {
		unsigned int nadd = 1 + seq % 4, got;

		for (i = 0; i < nadd; i++)
			CHECK_EQ(add(&t, (seq + i) % NTOK, 0, (uint16_t)(1 + (seq + i) % 2)), 0);
		vu_vring_drv_publish(&t.r);
		for (i = 0; i < nadd; i++)
			heads[i] = dev_pop(&t);
		/* without IN_ORDER complete newest first; with it, one batch */
		if (features & F_IN_ORDER)
			dev_push(&t, (uint32_t)heads[nadd - 1], 1);
		else
			for (i = nadd; i-- > 0;)
				dev_push(&t, (uint32_t)heads[i], 1);
		memset(returned, 0, sizeof(returned));
		got = (unsigned int)reclaim(&t, c, lens, 8);
		CHECK_EQ(got, nadd);
		for (i = 0; i < nadd; i++) {
			unsigned int want = features & F_IN_ORDER ? i : nadd - 1 - i;

			CHECK(c[i] == &tok[(seq + want) % NTOK]);
		}
		seq += nadd;
		done += nadd;
	}
	CHECK_EQ(t.r.stats.reclaimed, done);
	CHECK_EQ(vu_vring_drv_free(&t.r), 8);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}

static void
test_wraparound(void)
{
	run_wrap(0);
}

static void
test_wraparound_in_order(void)
{
	run_wrap(F_IN_ORDER);
}

static void
test_wraparound_event_idx(void)
{
	run_wrap(F_EVENT_IDX);
}

/*
 * With IN_ORDER the heads come round in the same order, so after the first
 * lap every available-ring slot already holds the head the driver would
 * store: the driver must leave them alone (not take the line back from the
 * device). The slots sit on their own page, made read-only for later laps:
 * a store would fault.
 */
static void
test_avail_slots_untouched(void)
{
	const size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct tring t;
	void *c[64];
	unsigned int lap, i;
	int h;

	/* avail->flags and idx end page 1, avail->ring[] starts page 2 */
	CHECK_EQ(tring_map(&t, 64, F_IN_ORDER, false, false, 2 * pg - 4, 3 * pg, 4 * pg), 0);
	for (lap = 0; lap < 3; lap++) {
		if (lap == 1)
			CHECK_EQ(mprotect((char *)t.mem + 2 * pg, pg, PROT_READ), 0);
		for (i = 0; i < 64; i += 16) {
			unsigned int k;

			for (k = 0; k < 16; k++)
				CHECK_EQ(add(&t, i + k, 0, 1), 0);
			vu_vring_drv_publish(&t.r);
			for (k = 0; k < 16; k++) {
				h = dev_pop(&t);
				CHECK_EQ(h, (int)(i + k));
				dev_push(&t, (uint32_t)h, 16);
			}
			memset(returned, 0, sizeof(returned));
			CHECK_EQ(reclaim(&t, c, NULL, 64), 16);
		}
	}
	CHECK_EQ(t.avail->idx, 3 * 64);
	CHECK_EQ(t.r.stats.reclaimed, 3 * 64);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}


static void
test_kick_no_notify(void)
{
	struct tring t;

	CHECK_EQ(tring_open(&t, 8, 0, true, false), 0);
	vu_vring_drv_publish(&t.r);		/* nothing added: no kick */
	CHECK_EQ(kicks(&t), 0);
	CHECK_EQ(add(&t, 0, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	CHECK_EQ(kicks(&t), 1);
	vu_vring_drv_publish(&t.r);		/* again, nothing new */
	CHECK_EQ(kicks(&t), 0);
	t.used->flags = VU_VRING_USED_F_NO_NOTIFY;
	CHECK_EQ(add(&t, 1, 0, 1), 0);
	CHECK_EQ(add(&t, 2, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	CHECK_EQ(kicks(&t), 0);
	CHECK_EQ(t.avail->idx, 3);		/* published all the same */
	t.used->flags = 0;
	CHECK_EQ(add(&t, 3, 0, 1), 0);
	CHECK_EQ(add(&t, 4, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* two chains, one kick */
	CHECK_EQ(kicks(&t), 1);
	CHECK_EQ(t.r.stats.kicks, 2);
	tring_close(&t);
}

static void
test_kick_event_idx(void)
{
	struct tring t;
	unsigned int i;

	CHECK_EQ(tring_open(&t, 16, F_EVENT_IDX, true, false), 0);
	t.used->flags = VU_VRING_USED_F_NO_NOTIFY;	/* ignored with EVENT_IDX */
	*avail_event(&t) = 0;			/* device: kick me at index 0 */
	CHECK_EQ(add(&t, 0, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* 0 -> 1 crosses 0 */
	CHECK_EQ(kicks(&t), 1);
	*avail_event(&t) = 5;
	CHECK_EQ(add(&t, 1, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* 1 -> 2 */
	CHECK_EQ(kicks(&t), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(add(&t, 2 + i, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* 2 -> 5: 5 not yet passed */
	CHECK_EQ(kicks(&t), 0);
	CHECK_EQ(add(&t, 5, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* 5 -> 6 crosses 5 */
	CHECK_EQ(kicks(&t), 1);
	CHECK_EQ(add(&t, 6, 0, 1), 0);
	vu_vring_drv_publish(&t.r);		/* event stays 5: behind us */
	CHECK_EQ(kicks(&t), 0);
	CHECK_EQ(t.r.stats.kicks, 2);
	tring_close(&t);
}

static void
test_used_event(void)
{
	struct tring t;
	void *c[4];

	/* no calls wanted: used_event trails the device, NO_INTERRUPT set */
	CHECK_EQ(tring_open(&t, 8, F_EVENT_IDX, false, false), 0);
	CHECK_EQ(t.avail->flags, VU_VRING_AVAIL_F_NO_INTERRUPT);
	CHECK_EQ(t.avail->ring[8], 0xffff);
	CHECK_EQ(add(&t, 0, 0, 1), 0);
	CHECK_EQ(add(&t, 1, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	dev_push(&t, (uint32_t)dev_pop(&t), 0);
	dev_push(&t, (uint32_t)dev_pop(&t), 0);
	CHECK_EQ(reclaim(&t, c, NULL, 4), 2);
	CHECK_EQ(t.avail->ring[8], 1);
	tring_close(&t);

	/* calls wanted: flags clear, used_event = next used index */
	CHECK_EQ(tring_open(&t, 8, F_EVENT_IDX, false, true), 0);
	CHECK_EQ(t.avail->flags, 0);
	CHECK_EQ(t.avail->ring[8], 0);
	CHECK_EQ(add(&t, 0, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	dev_push(&t, (uint32_t)dev_pop(&t), 0);
	CHECK_EQ(reclaim(&t, c, NULL, 4), 1);
	CHECK_EQ(t.avail->ring[8], 1);
	tring_close(&t);
}

static void
test_drain(void)
{
	struct tring t;
	void *c[16];
	unsigned int i, total = 0;
	uint16_t n;
	int h;

	CHECK_EQ(tring_open(&t, 16, F_EVENT_IDX, false, false), 0);
	for (i = 0; i < 6; i++)
		CHECK_EQ(add(&t, i, 1, 1), 0);
	vu_vring_drv_publish(&t.r);
	h = dev_pop(&t);
	dev_push(&t, (uint32_t)h, 0);
	CHECK_EQ(reclaim(&t, c, NULL, 16), 1);
	CHECK_EQ(add(&t, 6, 0, 1), 0);		/* added, never published */
	n = vu_vring_drv_drain(&t.r, c);
	CHECK_EQ(n, 6);
	for (i = 0; i < n; i++) {
		long k = (int *)c[i] - tok;

		CHECK(k >= 0 && k < 7);
		CHECK_EQ(returned[k]++, 0);
	}
	for (i = 0; i < 7; i++)
		total += returned[i];
	CHECK_EQ(total, 7);
	/* as after init, the areas too: a new device starts at 0 */
	CHECK_EQ(vu_vring_drv_free(&t.r), 16);
	CHECK_EQ(t.avail->idx, 0);
	CHECK_EQ(t.used->idx, 0);
	CHECK_EQ(t.avail->flags, VU_VRING_AVAIL_F_NO_INTERRUPT);
	CHECK_EQ(t.avail->ring[16], 0xffff);
	CHECK_EQ(vu_vring_drv_drain(&t.r, c), 0);
	t.dev_avail = t.dev_used = 0;
	memset(returned, 0, sizeof(returned));
	CHECK_EQ(add(&t, 9, 0, 1), 0);
	vu_vring_drv_publish(&t.r);
	h = dev_pop(&t);
	CHECK(h >= 0);
	dev_push(&t, (uint32_t)h, 3);
	CHECK_EQ(reclaim(&t, c, NULL, 16), 1);
	CHECK(c[0] == &tok[9]);
	tring_close(&t);
}

/* ---- hostile device ---- */

/* Add @p n one-readable-one-writable chains, publish, device pops them. */
static bool
setup_hostile(struct tring *t, uint64_t features, unsigned int n, int *heads)
{
	unsigned int i;

	if (tring_open(t, 8, features, false, false) != 0)
		return false;
	rte_log_set_global_level(RTE_LOG_EMERG);	/* the break log is expected */
	for (i = 0; i < n; i++)
		if (add(t, i, 1, 1) != 0)
			return false;
	vu_vring_drv_publish(&t->r);
	for (i = 0; i < n; i++)
		heads[i] = dev_pop(t);
	return true;
}

static void
test_bad_id_range(void)
{
	struct tring t;
	int heads[4];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 4, heads));
	dev_push(&t, (uint32_t)heads[1], 16);
	dev_push(&t, 8, 0);			/* id == size */
	dev_push(&t, (uint32_t)heads[0], 16);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);	/* the one before is returned */
	CHECK(c[0] == &tok[1]);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 4));
	tring_close(&t);
}

static void
test_bad_id_huge(void)
{
	struct tring t;
	int heads[2];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 2, heads));
	dev_push(&t, 0xffffffffu, 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 2));
	tring_close(&t);
}

static void
test_id_not_head(void)
{
	struct tring t;
	int heads[2];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 2, heads));
	/* the second descriptor of chain 0: in range, not a head */
	dev_push(&t, t.desc[heads[0]].next, 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 2));
	tring_close(&t);
}

static void
test_id_free_desc(void)
{
	struct tring t;
	int heads[1];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 1, heads));
	dev_push(&t, 5, 0);			/* never handed out */
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 1));
	tring_close(&t);
}

static void
test_duplicate_id_same_burst(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 3, heads));
	dev_push(&t, (uint32_t)heads[2], 1);
	dev_push(&t, (uint32_t)heads[2], 1);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_duplicate_id_later(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 3, heads));
	dev_push(&t, (uint32_t)heads[0], 1);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);
	/* the head was freed and is the first free descriptor: add reuses
	 * it, so a stale duplicate would hit the new chain. Without re-add
	 * it is not outstanding. */
	dev_push(&t, (uint32_t)heads[0], 1);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_len_over_offered(void)
{
	struct tring t;
	int heads[2];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 2, heads));
	dev_push(&t, (uint32_t)heads[0], 16);	/* exactly the offer: fine */
	dev_push(&t, (uint32_t)heads[1], 17);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_len);
	CHECK(broken_is_safe(&t, 2));
	tring_close(&t);
}

static void
test_len_on_readonly(void)
{
	struct tring t;
	void *c[8];
	int h;

	CHECK_EQ(tring_open(&t, 8, 0, false, false), 0);
	rte_log_set_global_level(RTE_LOG_EMERG);
	CHECK_EQ(add(&t, 0, 2, 0), 0);		/* nothing writable offered */
	vu_vring_drv_publish(&t.r);
	h = dev_pop(&t);
	dev_push(&t, (uint32_t)h, 1);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_len);
	CHECK(broken_is_safe(&t, 1));
	tring_close(&t);
}

static void
test_used_idx_beyond(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 3, heads));
	dev_push(&t, (uint32_t)heads[0], 0);
	__atomic_store_n(&t.used->idx, 4, __ATOMIC_RELEASE);	/* 4 > 3 outstanding */
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_idx);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_used_idx_backwards(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 3, heads));
	dev_push(&t, (uint32_t)heads[0], 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);
	__atomic_store_n(&t.used->idx, 0, __ATOMIC_RELEASE);	/* count 65535 */
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_idx);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

/* The device scribbles over the descriptor table: reclaim doesn't care. */
static void
run_desc_rewrite(uint64_t features, uint16_t next, uint16_t flags)
{
	struct tring t;
	int heads[4];
	void *c[8];
	unsigned int i, round;

	CHECK(setup_hostile(&t, features, 4, heads));
	for (round = 0; round < 100; round++) {
		for (i = 0; i < 8; i++) {
			t.desc[i].next = next == 0xffff ? (uint16_t)i : next;
			t.desc[i].flags = flags;
			t.desc[i].len = 0xffffffff;
		}
		for (i = 0; i < 4; i++)
			dev_push(&t, (uint32_t)heads[i], 16);
		memset(returned, 0, sizeof(returned));
		CHECK_EQ(reclaim(&t, c, NULL, 8), 4);
		CHECK_EQ(vu_vring_drv_free(&t.r), 8);
		for (i = 0; i < 4; i++)
			CHECK_EQ(add(&t, i, 1, 1), 0);
		CHECK_EQ(add(&t, 9, 0, 1), -ENOSPC);
		vu_vring_drv_publish(&t.r);
		for (i = 0; i < 4; i++) {
			heads[i] = dev_pop(&t);
			/* our links are rewritten correctly at each add */
			CHECK(t.desc[heads[i]].flags & VU_VRING_DESC_F_NEXT);
			CHECK(t.desc[heads[i]].next < 8 && t.desc[heads[i]].next != heads[i]);
		}
	}
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	tring_close(&t);
}

static void
test_desc_next_loop(void)
{
	run_desc_rewrite(0, 0xffff, VU_VRING_DESC_F_NEXT);	/* each points at itself */
}

static void
test_desc_next_out_of_range(void)
{
	run_desc_rewrite(0, 40000, VU_VRING_DESC_F_NEXT | VU_VRING_DESC_F_INDIRECT);
}

static void
test_desc_rewrite_in_order(void)
{
	run_desc_rewrite(F_IN_ORDER, 0xffff, VU_VRING_DESC_F_NEXT);
}

static void
test_in_order_bad_id(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	uint32_t lens[8];

	/* in order, heads are 0, 2, 4: 1 is inside chain 0 (lengths asked:
	 * every element is read) */
	CHECK(setup_hostile(&t, F_IN_ORDER, 3, heads));
	dev_push(&t, (uint32_t)heads[0], 0);
	dev_push(&t, 1, 0);
	CHECK_EQ(reclaim(&t, c, lens, 8), 1);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_in_order_repeat_batch(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	uint32_t lens[8];

	CHECK(setup_hostile(&t, F_IN_ORDER, 3, heads));
	dev_push(&t, (uint32_t)heads[1], 0);	/* batch: chains 0 and 1 */
	dev_push(&t, (uint32_t)heads[1], 0);	/* again: 1 is gone */
	CHECK_EQ(reclaim(&t, c, lens, 8), 2);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_in_order_idx_beyond(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, F_IN_ORDER, 3, heads));
	dev_push(&t, (uint32_t)heads[2], 0);	/* one element ends all three */
	CHECK_EQ(reclaim(&t, c, NULL, 2), 2);	/* two of the batch */
	dev_push(&t, (uint32_t)heads[2], 0);
	/* the batch finishes first; then the element beyond breaks */
	CHECK_EQ(reclaim(&t, c, NULL, 8), 1);
	CHECK(c[0] == &tok[2]);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_idx);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_in_order_len_over(void)
{
	struct tring t;
	int heads[3];
	void *c[8];

	CHECK(setup_hostile(&t, F_IN_ORDER, 3, heads));
	dev_push(&t, (uint32_t)heads[1], 17);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);	/* the batch is not released */
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_len);
	CHECK(broken_is_safe(&t, 3));
	tring_close(&t);
}

static void
test_break_once(void)
{
	struct tring t;
	int heads[2];
	void *c[8];

	CHECK(setup_hostile(&t, 0, 2, heads));
	dev_push(&t, 100, 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	__atomic_store_n(&t.used->idx, 60000, __ATOMIC_RELEASE);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);	/* the first reason */
	CHECK_EQ(t.r.stats.broken, 1);
	tring_close(&t);
}

/*
 * IN_ORDER without lengths (a transmit ring): only the last new used element
 * is read. Garbage before it changes nothing, as it completes every chain
 * before it; a bad last element still breaks the ring, nothing freed.
 */
static void
test_in_order_no_lens_reads_last(void)
{
	struct tring t;
	int heads[4];
	void *c[8];
	unsigned int i;

	CHECK(setup_hostile(&t, F_IN_ORDER, 4, heads));
	dev_push(&t, 0xffffffff, 0xffffffff);
	dev_push(&t, 1, 0);			/* inside chain 0 */
	dev_push(&t, (uint32_t)heads[2], 0);	/* the last: ends chains 0..2 */
	CHECK_EQ(reclaim(&t, c, NULL, 2), 2);	/* a batch over two calls */
	CHECK_EQ(reclaim(&t, c + 2, NULL, 8), 1);
	for (i = 0; i < 3; i++)
		CHECK(c[i] == &tok[i]);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_OK);
	CHECK_EQ(vu_vring_drv_free(&t.r), 8 - 2);
	dev_push(&t, 0, 0);			/* last element: not outstanding */
	CHECK_EQ(reclaim(&t, c, NULL, 8), 0);
	CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
	CHECK(broken_is_safe(&t, 4));
	tring_close(&t);
}

/*
 * vu_vring_drv_prepare() is a hint: with either allocation mode, any count
 * (more than is free, across the table's end, on a full ring), the ring's
 * state and the shared areas stay as they were, and adds go on as before.
 */
static void
test_prepare_changes_nothing(void)
{
	static const uint64_t modes[] = { 0, F_IN_ORDER };
	unsigned int m, i;

	for (m = 0; m < RTE_DIM(modes); m++) {
		struct tring t;
		struct vu_vring_drv before;
		void *c[16], *shared;
		uint16_t n;

		CHECK_EQ(tring_open(&t, 16, modes[m], false, false), 0);
		shared = malloc(t.bytes);
		CHECK(shared != NULL);
		for (i = 0; i < 11; i++)	/* 11 taken, 5 free, head near the end */
			CHECK_EQ(add(&t, i, 0, 1), 0);
		vu_vring_drv_publish(&t.r);
		for (i = 0; i < 11; i++)
			dev_push(&t, (uint32_t)dev_pop(&t), 16);
		CHECK_EQ(reclaim(&t, c, NULL, 16), 11);
		for (i = 0; i < 12; i++)	/* free list / table index past the end */
			CHECK_EQ(add(&t, 11 + i, 0, 1), 0);
		for (n = 0; n <= 40; n += 8) {
			memcpy(&before, &t.r, sizeof(before));
			memcpy(shared, t.mem, t.bytes);
			vu_vring_drv_prepare(&t.r, n);
			CHECK(memcmp(&before, &t.r, sizeof(before)) == 0);
			CHECK(memcmp(shared, t.mem, t.bytes) == 0);
		}
		for (i = 0; i < 4; i++)
			CHECK_EQ(add(&t, 23 + i, 0, 1), 0);
		vu_vring_drv_prepare(&t.r, 8);		/* full ring */
		CHECK_EQ(add(&t, 27, 0, 1), -ENOSPC);
		vu_vring_drv_publish(&t.r);
		for (i = 0; i < 16; i++)
			dev_push(&t, (uint32_t)dev_pop(&t), 16);
		CHECK_EQ(reclaim(&t, c, NULL, 16), 16);
		for (i = 0; i < 16; i++)
			CHECK(c[i] == &tok[11 + i]);
		free(shared);
		tring_close(&t);
	}
}

/* Device: check the next available chain is one segment at buf[i], writable or not. */
static bool
dev_pop_one_seg(struct tring *t, unsigned int i, bool write, int *head)
{
	*head = dev_pop(t);
	return *head >= 0 && *head < t->size &&
	       t->desc[*head].addr == (uintptr_t)&buf[i][0] + ADDR_OFFSET &&
	       t->desc[*head].len == 16 + i &&
	       t->desc[*head].flags == (write ? VU_VRING_DESC_F_WRITE : 0);
}

/*
 * vu_vring_drv_add_burst(), in both allocation modes: the chains are the
 * ones vu_vring_drv_add() would make, in order, mixed freely with it; the
 * burst stops at a segment of length 0 or a NULL cookie, at the free count
 * and on a broken ring, and what it did not add leaves no trace.
 */
static void
test_add_burst(void)
{
	static const uint64_t modes[] = { 0, F_IN_ORDER };
	unsigned int m, i;

	for (m = 0; m < RTE_DIM(modes); m++) {
		struct vu_vring_drv_seg s[20];
		void *ck[20], *ck2[4], *c[20];
		uint32_t lens[20];
		struct tring t;
		int head;

		CHECK_EQ(tring_open(&t, 16, modes[m], false, false), 0);
		for (i = 0; i < 20; i++) {
			s[i] = (struct vu_vring_drv_seg){ buf[i], 16 + i, i < 5 };
			ck[i] = &tok[i];
		}
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s, ck, 3), 3);	/* writable */
		CHECK_EQ(add(&t, 3, 1, 1), 0);				/* a chain between */
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s + 4, ck + 4, 2), 2);
		CHECK_EQ(t.avail->idx, 0);		/* not visible before publish */
		vu_vring_drv_publish(&t.r);
		CHECK_EQ(t.avail->idx, 6);
		for (i = 0; i < 6; i++) {
			if (i == 3) {
				head = dev_pop(&t);
				CHECK(head >= 0 && (t.desc[head].flags & VU_VRING_DESC_F_NEXT));
			} else {
				CHECK(dev_pop_one_seg(&t, i, i < 5, &head));
			}
			dev_push(&t, (uint32_t)head, i < 3 ? 10 + i : 0);
		}
		CHECK_EQ(reclaim(&t, c, lens, 20), 6);
		for (i = 0; i < 6; i++)
			CHECK(c[i] == &tok[i]);
		for (i = 0; i < 3; i++)
			CHECK_EQ(lens[i], 10 + i);
		CHECK_EQ(t.r.stats.added, 6);
		CHECK_EQ(vu_vring_drv_free(&t.r), 16);

		/* Stops at a len 0, then at a NULL cookie: nothing after them. */
		s[8].len = 0;
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s + 6, ck + 6, 4), 2);
		s[8].len = 24;
		ck[9] = NULL;
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s + 8, ck + 8, 4), 1);
		ck[9] = &tok[9];
		CHECK_EQ(t.r.outstanding, 3);
		CHECK_EQ(vu_vring_drv_free(&t.r), 13);
		/* Clamped to the free descriptors, then a full ring takes none. */
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s + 9, ck + 9, 11), 11);
		for (i = 0; i < 4; i++)
			ck2[i] = &tok[20 + i];
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s, ck2, 4), 2);
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s, ck2 + 2, 2), 0);
		CHECK_EQ(add(&t, 30, 0, 1), -ENOSPC);
		vu_vring_drv_publish(&t.r);
		CHECK_EQ(t.avail->idx, 6 + 16);
		for (i = 6; i < 22; i++) {
			CHECK(dev_pop_one_seg(&t, i < 20 ? i : i - 20, i >= 20, &head));
			dev_push(&t, (uint32_t)head, 0);
		}
		CHECK_EQ(reclaim(&t, c, NULL, 20), 16);
		for (i = 0; i < 16; i++)
			CHECK(c[i] == &tok[6 + i]);

		/* A broken ring takes nothing. */
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s, ck2 + 2, 1), 1);
		vu_vring_drv_publish(&t.r);
		CHECK(dev_pop(&t) >= 0);
		dev_push(&t, 100, 0);
		CHECK_EQ(reclaim(&t, c, NULL, 20), 0);
		CHECK_EQ(vu_vring_drv_broken(&t.r), VU_VRING_ERR_used_id);
		CHECK_EQ(vu_vring_drv_add_burst(&t.r, s, ck2 + 3, 1), 0);
		CHECK(broken_is_safe(&t, 6 + 16 + 1));
		tring_close(&t);
	}
}

VU_TEST_MAIN(
	VU_TEST_CASE(test_init_rejects),
	VU_TEST_CASE(test_round_trip_one_seg),
	VU_TEST_CASE(test_round_trip_multi_seg),
	VU_TEST_CASE(test_add_rejects),
	VU_TEST_CASE(test_add_burst),
	VU_TEST_CASE(test_fill_ring),
	VU_TEST_CASE(test_out_of_order),
	VU_TEST_CASE(test_in_order_batch),
	VU_TEST_CASE(test_wraparound),
	VU_TEST_CASE(test_wraparound_in_order),
	VU_TEST_CASE(test_wraparound_event_idx),
	VU_TEST_CASE(test_avail_slots_untouched),
	VU_TEST_CASE(test_kick_no_notify),
	VU_TEST_CASE(test_kick_event_idx),
	VU_TEST_CASE(test_used_event),
	VU_TEST_CASE(test_drain),
	VU_TEST_CASE(test_bad_id_range),
	VU_TEST_CASE(test_bad_id_huge),
	VU_TEST_CASE(test_id_not_head),
	VU_TEST_CASE(test_id_free_desc),
	VU_TEST_CASE(test_duplicate_id_same_burst),
	VU_TEST_CASE(test_duplicate_id_later),
	VU_TEST_CASE(test_len_over_offered),
	VU_TEST_CASE(test_len_on_readonly),
	VU_TEST_CASE(test_used_idx_beyond),
	VU_TEST_CASE(test_used_idx_backwards),
	VU_TEST_CASE(test_desc_next_loop),
	VU_TEST_CASE(test_desc_next_out_of_range),
	VU_TEST_CASE(test_desc_rewrite_in_order),
	VU_TEST_CASE(test_in_order_bad_id),
	VU_TEST_CASE(test_in_order_repeat_batch),
	VU_TEST_CASE(test_in_order_idx_beyond),
	VU_TEST_CASE(test_in_order_len_over),
	VU_TEST_CASE(test_break_once),
	VU_TEST_CASE(test_in_order_no_lens_reads_last),
	VU_TEST_CASE(test_prepare_changes_nothing),
)
