/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device side of a split ring (virtio 1.x 2.7): what a backend's data plane
 * runs. Everything the driver wrote (avail idx, heads, descriptors, indirect
 * tables) is hostile: each value is read once into a local, checked, and a
 * violation breaks the ring once (logged, counted, err_fd signalled).
 *
 * Inflight tracking ("Inflight I/O tracking" in the vhost-user spec) uses
 * the split-ring area layout of QEMU's libvhost-user and DPDK.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_prefetch.h>

#include "vu_mem.h"
#include "vu_vring.h"
#include "vu_vring_priv.h"

#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_EVENT_IDX	29
#define VIRTIO_F_IN_ORDER	35

/* ---- the inflight area (split rings) ---- */

struct inflight_desc {
	uint8_t inflight;
	uint8_t padding[5];
	uint16_t next;
	uint64_t counter;
};

struct inflight_area {
	uint64_t features;
	uint16_t version;
	uint16_t desc_num;
	uint16_t last_batch_head;
	uint16_t used_idx;
	struct inflight_desc desc[];
};

#define INFLIGHT_VERSION	1

_Static_assert(sizeof(struct inflight_desc) == 16, "inflight entry layout");
_Static_assert(sizeof(struct inflight_area) == 16, "inflight header layout");
_Static_assert(sizeof(struct vu_vring_desc) == 16, "descriptor layout");

/* ---- breaking ---- */

/* Where a chain walk failed, for the one log line. */
struct walk_at {
	uint16_t head;
	uint32_t desc;		/* index in the table being walked */
	bool indirect;		/* ... which is an indirect table */
};

static void __rte_cold __rte_noinline
break_ring(struct vu_vring_dev *r, enum vu_vring_error why, const struct walk_at *at,
	   uint16_t avail_idx)
{
	if (r->broken != VU_VRING_OK)
		return;
	__atomic_store_n(&r->broken, why, __ATOMIC_RELAXED);
	r->stats.broken++;
	if (at != NULL)
		VRING_DP_LOG_RL(&r->log_rl, ERR, r->name, "ring broken: %s (head %u, %s "
				"descriptor %" PRIu32 ", avail idx %u, last avail %u)",
				vu_vring_error_str(why), at->head,
				at->indirect ? "indirect" : "direct", at->desc, avail_idx,
				r->last_avail);
	else
		VRING_DP_LOG_RL(&r->log_rl, ERR, r->name, "ring broken: %s (avail idx %u, "
				"last avail %u, size %u)", vu_vring_error_str(why), avail_idx,
				r->last_avail, r->size);
	if (r->err_fd >= 0 && write(r->err_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
		/* eventfd full or gone: the broken state and the counter remain */
	}
}

/* ---- chain walk ---- */

/* One descriptor, read once: the guest may rewrite it while we look. */
struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static __rte_always_inline struct desc_copy
read_desc(const struct vu_vring_desc *d)
{
	return (struct desc_copy){
		.addr = __atomic_load_n(&d->addr, __ATOMIC_RELAXED),
		.len = __atomic_load_n(&d->len, __ATOMIC_RELAXED),
		.flags = __atomic_load_n(&d->flags, __ATOMIC_RELAXED),
		.next = __atomic_load_n(&d->next, __ATOMIC_RELAXED),
	};
}

/*
 * The same for an indirect table, which the spec does not require to be
 * aligned: one copy, then a compiler barrier, so the compiler can neither
 * tear the copy into later re-reads of guest memory nor use unaligned
 * atomics.
 */
static __rte_always_inline struct desc_copy
read_desc_unaligned(const struct vu_vring_desc *d)
{
	struct desc_copy c;

	memcpy(&c, d, sizeof(c));
	rte_compiler_barrier();
	return c;
}

_Static_assert(sizeof(struct desc_copy) == sizeof(struct vu_vring_desc), "descriptor copy");

/* A chain being filled. */
struct walk {
	struct vu_vring_chain *c;
	uint16_t nsegs;
	uint16_t nr_read;	/* readable segments: all come before the writable ones */
	bool writing;		/* a writable descriptor was seen */
	uint64_t read_len;	/* sums of u32 lengths over <= 2^16 descriptors: no wrap */
	uint64_t write_len;
};

/* Translate one buffer into segments, splitting at region boundaries. */
static __rte_always_inline enum vu_vring_error
add_buffer(const struct vu_mem_table *mem, struct walk *w, const struct desc_copy *d)
{
	bool write = (d->flags & VU_VRING_DESC_F_WRITE) != 0;
	uint64_t gpa = d->addr, left = d->len, contig;
	void *p;

	if (write)
		w->writing = true;
	else if (unlikely(w->writing))
		return VU_VRING_ERR_desc_order;
	if (left == 0)
		return VU_VRING_OK;	/* allowed; produces no segment */
	if (unlikely(left - 1 > UINT64_MAX - gpa))
		return VU_VRING_ERR_desc_addr;
	if (write)
		w->write_len += left;
	else
		w->read_len += left;
	if (unlikely(w->read_len + w->write_len > UINT32_MAX))
		return VU_VRING_ERR_desc_addr;
	do {
		p = vu_mem_gpa_to_local_contig(mem, gpa, left, &contig);
		if (unlikely(p == NULL))
			return VU_VRING_ERR_desc_addr;
		if (unlikely(w->nsegs == VU_VRING_SEGS_MAX))
			return VU_VRING_ERR_chain_segs;
		w->c->seg[w->nsegs++] = (struct vu_vring_seg){
			.addr = p, .len = (uint32_t)contig, .gpa = gpa };
		w->nr_read += !write;
		gpa += contig;
		left -= contig;
	} while (left != 0);
	return VU_VRING_OK;
}

/*
 * Walk an indirect table (virtio 1.x 2.7.5.3): one region, a non-zero
 * multiple of 16 bytes, no more entries than the ring has descriptors (as
 * DPDK), no nested INDIRECT, every next inside the table.
 */
static __rte_always_inline enum vu_vring_error
walk_indirect(const struct vu_vring_dev *r, struct walk *w, const struct desc_copy *ind,
	      struct walk_at *at)
{
	const struct vu_vring_desc *table;
	uint32_t n = ind->len / sizeof(struct vu_vring_desc), i = 0, count = 0;
	bool aligned;
	enum vu_vring_error e;
	struct desc_copy d;

	if (unlikely(ind->len == 0 || ind->len % sizeof(struct vu_vring_desc) != 0 ||
		     n > r->size))
		return VU_VRING_ERR_indirect;
	table = vu_mem_gpa_to_local(r->mem, ind->addr, ind->len);
	if (unlikely(table == NULL))
		return VU_VRING_ERR_indirect;
	at->indirect = true;
	aligned = ((uintptr_t)table % sizeof(uint64_t)) == 0;
	for (;;) {
		at->desc = i;
		if (unlikely(++count > n))
			return VU_VRING_ERR_chain_loop;
		d = likely(aligned) ? read_desc(&table[i]) : read_desc_unaligned(&table[i]);
		if (unlikely(d.flags & VU_VRING_DESC_F_INDIRECT))
			return VU_VRING_ERR_indirect;
		e = add_buffer(r->mem, w, &d);
		if (unlikely(e != VU_VRING_OK))
			return e;
		if (!(d.flags & VU_VRING_DESC_F_NEXT))
			return VU_VRING_OK;
		if (unlikely(d.next >= n))
			return VU_VRING_ERR_next_range;
		i = d.next;
	}
}

/*
 * Walk the chain at @p head (< size) into @p c, from @p d, the head's
 * descriptor as already read.
 */
static __rte_always_inline enum vu_vring_error
walk_chain(const struct vu_vring_dev *r, uint16_t head, struct desc_copy d,
	   struct vu_vring_chain *c, struct walk_at *at)
{
	struct walk w = { .c = c };
	uint32_t count = 1;
	enum vu_vring_error e;

	*at = (struct walk_at){ .head = head, .desc = head };
	for (;;) {
		if (unlikely(d.flags & VU_VRING_DESC_F_INDIRECT)) {
			/* Only feature on, alone in the chain, without NEXT. */
			if (unlikely(!r->indirect || count != 1 ||
				     (d.flags & VU_VRING_DESC_F_NEXT)))
				return VU_VRING_ERR_indirect;
			e = walk_indirect(r, &w, &d, at);
			if (unlikely(e != VU_VRING_OK))
				return e;
			break;
		}
		e = add_buffer(r->mem, &w, &d);
		if (unlikely(e != VU_VRING_OK))
			return e;
		if (!(d.flags & VU_VRING_DESC_F_NEXT))
			break;
		if (unlikely(d.next >= r->size))
			return VU_VRING_ERR_next_range;
		at->desc = d.next;
		if (unlikely(++count > r->size))
			return VU_VRING_ERR_chain_loop;
		d = read_desc(&r->desc[d.next]);
	}
	c->head = head;
	c->read_len = (uint32_t)w.read_len;
	c->write_len = (uint32_t)w.write_len;
	c->nr_read = w.nr_read;
	c->nr_write = (uint16_t)(w.nsegs - w.nr_read);
	return VU_VRING_OK;
}

/*
 * The common chain, one direct descriptor inside one region, without the
 * general walk. False when @p d is anything else (NEXT, INDIRECT, length 0,
 * a buffer outside a region or crossing its end): walk_chain() then takes
 * the same copy and accepts, splits or refuses it. A range that fits in a
 * region cannot wrap: the region's own end does not.
 */
static __rte_always_inline bool
walk_single(const struct vu_vring_dev *r, uint16_t head, const struct desc_copy *d,
	    struct vu_vring_chain *c)
{
	const struct vu_mem_table_region *reg;
	uint64_t off;
	bool write;

	if ((d->flags & (VU_VRING_DESC_F_NEXT | VU_VRING_DESC_F_INDIRECT)) || d->len == 0)
		return false;
	reg = vu_mem_region_by_gpa(r->mem, d->addr);
	if (unlikely(reg == NULL))
		return false;
	off = d->addr - reg->gpa;
	if (unlikely(d->len > reg->size - off))
		return false;
	write = (d->flags & VU_VRING_DESC_F_WRITE) != 0;
	c->seg[0] = (struct vu_vring_seg){ .addr = reg->host + off, .len = d->len, .gpa = d->addr };
	c->head = head;
	c->nr_read = !write;
	c->nr_write = write;
	c->read_len = write ? 0 : d->len;
	c->write_len = write ? d->len : 0;
	return true;
}

/* Walk the chain at @p head (< size): its descriptor is read here, once. */
static __rte_always_inline enum vu_vring_error
pop_chain(const struct vu_vring_dev *r, uint16_t head, struct vu_vring_chain *c,
	  struct walk_at *at)
{
	struct desc_copy d = read_desc(&r->desc[head]);

	if (likely(walk_single(r, head, &d, c)))
		return VU_VRING_OK;
	return walk_chain(r, head, d, c, at);
}

/* ---- inflight tracking ---- */

static __rte_always_inline struct inflight_area *
area_of(const struct vu_vring_dev *r)
{
	return r->inflight;
}

/* A fresh chain was popped: mark it in flight, remembering the old entry for unpop. */
static __rte_always_inline void
inflight_mark(struct vu_vring_dev *r, uint16_t head, uint16_t k)
{
	struct inflight_desc *d = &area_of(r)->desc[head];

	r->marks[k] = (struct vu_vring_dev_mark){
		.counter = d->counter, .head = head, .inflight = d->inflight };
	d->counter = r->inflight_counter++;
	/* The counter is in place before the flag: a restart never sees a stale one. */
	__atomic_store_n(&d->inflight, 1, __ATOMIC_RELEASE);
}

/* Put back the entries of the last @p k fresh chains, newest first. */
static void
inflight_unmark(struct vu_vring_dev *r, uint16_t k)
{
	struct inflight_desc *d;
	uint16_t j;

	for (j = r->pop_fresh; j > r->pop_fresh - k; j--) {
		d = &area_of(r)->desc[r->marks[j - 1].head];
		d->inflight = r->marks[j - 1].inflight;
		d->counter = r->marks[j - 1].counter;
	}
	r->inflight_counter -= k;
}

/* After used->idx was published: the chains are no longer in flight. */
static __rte_always_inline void
inflight_put(struct vu_vring_dev *r, const struct vu_vring_used_elem *elems, uint16_t n,
	     uint16_t new_idx)
{
	struct inflight_area *a = area_of(r);
	uint16_t i;

	for (i = 0; i < n; i++)
		if (likely(elems[i].id < r->size))
			a->desc[elems[i].id].inflight = 0;
	/* The flags are clear before used_idx says the batch is complete. */
	__atomic_store_n(&a->used_idx, new_idx, __ATOMIC_RELEASE);
}

/*
 * The previous back-end published used entries up to used->idx but stopped
 * before recording it in the area: those chains are done. libvhost-user and
 * DPDK clear last_batch_head only, which is right for batches of one; the
 * used ring itself names every chain of the batch, so clear them all.
 */
static void
inflight_finish_batch(struct vu_vring_dev *r, struct inflight_area *a)
{
	uint16_t from = a->used_idx, n = (uint16_t)(r->used_idx - from), i;
	uint32_t id;

	if (a->last_batch_head < r->size)
		a->desc[a->last_batch_head].inflight = 0;
	for (i = 0; n <= r->size && i < n; i++) {
		id = __atomic_load_n(&r->used->ring[(uint16_t)(from + i) & r->mask].id,
				     __ATOMIC_RELAXED);
		if (id < r->size)
			a->desc[id].inflight = 0;
	}
	VRING_LOG(INFO, r->name, "inflight: used idx %u in the area, %u in the ring: "
		  "finished the last batch", from, r->used_idx);
	a->used_idx = r->used_idx;
}

struct inflight_entry {
	uint64_t counter;
	uint16_t head;
};

static int
cmp_counter(const void *x, const void *y)
{
	const struct inflight_entry *a = x, *b = y;

	if (a->counter != b->counter)
		return a->counter < b->counter ? -1 : 1;
	return a->head < b->head ? -1 : a->head > b->head;
}

/* Queue every chain still marked in flight, oldest first. */
static int
inflight_collect(struct vu_vring_dev *r, struct inflight_area *a)
{
	struct inflight_entry *e;
	uint32_t i, n = 0;

	for (i = 0; i < r->size; i++)
		n += a->desc[i].inflight == 1;
	if (n == 0)
		return 0;
	e = calloc(n, sizeof(*e));
	r->resubmit = calloc(n, sizeof(*r->resubmit));
	if (e == NULL || r->resubmit == NULL) {
		free(e);
		free(r->resubmit);
		r->resubmit = NULL;
		VRING_LOG(ERR, r->name, "inflight: no memory for %u chains to resubmit", n);
		return -ENOMEM;
	}
	for (i = 0, n = 0; i < r->size; i++)
		if (a->desc[i].inflight == 1)
			e[n++] = (struct inflight_entry){ a->desc[i].counter, (uint16_t)i };
	qsort(e, n, sizeof(*e), cmp_counter);
	for (i = 0; i < n; i++)
		r->resubmit[i] = e[i].head;
	r->nr_resubmit = (uint16_t)n;
	r->inflight_counter = e[n - 1].counter + 1;
	free(e);
	return 0;
}

/*
 * Adopt the inflight area: a fresh one (version 0, as GET_INFLIGHT_FD
 * hands it out) is initialised; one of another ring size is ignored (the
 * size the back-end mapped it for bounds every access: desc_num is only
 * the front-end's word);
 * otherwise the last batch is finished and the chains in flight queued.
 * With a usable area, last_avail is used->idx plus the chains in flight
 * (as libvhost-user): after a crash the front-end can only send used->idx
 * as the base, and after a clean stop the two agree.
 */
static int
inflight_init(struct vu_vring_dev *r, struct inflight_area *a, uint16_t area_size,
	      uint16_t conf_last_avail)
{
	uint16_t desc_num;
	int ret;

	if (area_size != r->size) {
		VRING_LOG_RL(ERR, r->name, "inflight area sized for %u descriptors, ring has "
			     "%u: not tracking", area_size, r->size);
		return 0;
	}
	if (a->version == 0 && a->desc_num == 0)
		a->desc_num = r->size;
	desc_num = a->desc_num;
	if (desc_num != r->size) {
		VRING_LOG_RL(ERR, r->name, "inflight area says %u descriptors, ring has %u: "
			     "not tracking", desc_num, r->size);
		return 0;
	}
	r->inflight = a;
	if (a->version == 0) {
		a->version = INFLIGHT_VERSION;
		a->used_idx = r->used_idx;
		return 0;
	}
	if (a->used_idx != r->used_idx)
		inflight_finish_batch(r, a);
	ret = inflight_collect(r, a);
	if (ret < 0)
		return ret;
	r->last_avail = (uint16_t)(r->used_idx + r->nr_resubmit);
	if (r->last_avail != conf_last_avail || r->nr_resubmit != 0)
		VRING_LOG(INFO, r->name, "inflight: %u chains to resubmit; last avail %u "
			  "(used idx %u + in flight), base was %u", r->nr_resubmit,
			  r->last_avail, r->used_idx, conf_last_avail);
	return 0;
}

/* ---- pop ---- */

/* Chains a previous back-end left in flight, before anything new. */
static uint16_t
pop_resubmit(struct vu_vring_dev *r, struct vu_vring_chain *chains, uint16_t n)
{
	struct walk_at at;
	enum vu_vring_error e;
	uint16_t got = 0;

	while (got < n && r->resubmit_next < r->nr_resubmit) {
		e = pop_chain(r, r->resubmit[r->resubmit_next], &chains[got], &at);
		if (unlikely(e != VU_VRING_OK)) {
			break_ring(r, e, &at, __atomic_load_n(&r->avail->idx, __ATOMIC_RELAXED));
			break;
		}
		r->resubmit_next++;
		got++;
	}
	r->pop_resubmitted = got;
	r->stats.resubmitted += got;
	return got;
}

/* Fresh chains from the available ring, into @p chains[0..n). */
static __rte_always_inline uint16_t
pop_avail(struct vu_vring_dev *r, struct vu_vring_chain *chains, uint16_t n)
{
	uint16_t heads[VU_VRING_BURST_MAX];
	struct walk_at at;
	enum vu_vring_error e;
	uint16_t avail_idx, count, head, got = 0, i;

	/* Pairs with the driver's release store of avail->idx: the heads and
	 * descriptors it wrote before are visible to the reads below. */
	avail_idx = __atomic_load_n(&r->avail->idx, __ATOMIC_ACQUIRE);
	count = (uint16_t)(avail_idx - r->last_avail);
	if (unlikely(count > r->size)) {
		break_ring(r, VU_VRING_ERR_avail_idx, NULL, avail_idx);
		return 0;
	}
	count = RTE_MIN(count, n);
	/*
	 * Each head once, and its descriptor's line asked for at once: the
	 * driver has just written both, and walking chain after chain would
	 * take those misses one at a time. (Masked: a head out of range is
	 * refused below, its prefetch stays inside the table.)
	 */
	for (i = 0; i < count; i++) {
		heads[i] = __atomic_load_n(&r->avail->ring[(r->last_avail + i) & r->mask],
					   __ATOMIC_RELAXED);
		rte_prefetch0(&r->desc[heads[i] & r->mask]);
	}
	while (got < count) {
		head = heads[got];
		if (unlikely(head >= r->size)) {
			at = (struct walk_at){ .head = head, .desc = head };
			break_ring(r, VU_VRING_ERR_head_range, &at, avail_idx);
			break;
		}
		e = pop_chain(r, head, &chains[got], &at);
		if (unlikely(e != VU_VRING_OK)) {
			break_ring(r, e, &at, avail_idx);
			break;
		}
		if (r->inflight != NULL)
			inflight_mark(r, head, got);
		r->last_avail++;
		got++;
	}
	r->pop_fresh = got;
	return got;
}

uint16_t __rte_hot
vu_vring_dev_pop(struct vu_vring_dev *r, struct vu_vring_chain *chains, uint16_t n)
{
	uint16_t got = 0;

	r->pop_resubmitted = 0;
	r->pop_fresh = 0;
	if (unlikely(r->broken != VU_VRING_OK))
		return 0;
	n = RTE_MIN(n, VU_VRING_BURST_MAX);
	if (unlikely(r->resubmit_next < r->nr_resubmit))
		got = pop_resubmit(r, chains, n);
	if (got < n && likely(r->broken == VU_VRING_OK))
		got += pop_avail(r, chains + got, n - got);
	r->stats.popped += got;
	return got;
}

void
vu_vring_dev_unpop(struct vu_vring_dev *r, uint16_t n)
{
	uint16_t k;

	if (unlikely(r->broken != VU_VRING_OK))
		return;
	/* The last pop returned its resubmitted chains first, then fresh ones. */
	k = RTE_MIN(n, r->pop_fresh);
	if (r->inflight != NULL)
		inflight_unmark(r, k);
	r->last_avail -= k;
	r->pop_fresh -= k;
	r->stats.popped -= k;
	n -= k;
	k = RTE_MIN(n, r->pop_resubmitted);
	r->resubmit_next -= k;
	r->pop_resubmitted -= k;
	r->stats.resubmitted -= k;
	r->stats.popped -= k;
}

/* ---- push ---- */

/* Dirty-log the used elements in slots old..old+n (they may wrap). */
static void
log_used_elems(struct vu_vring_dev *r, uint16_t old, uint16_t n)
{
	uint32_t first = old & r->mask, cnt = RTE_MIN(n, r->size);
	uint32_t part = RTE_MIN(cnt, (uint32_t)r->size - first);
	const uint64_t ring = r->used_gpa + offsetof(struct vu_vring_used, ring);

	vu_mem_log_write(r->log, ring + sizeof(struct vu_vring_used_elem) * first,
			 sizeof(struct vu_vring_used_elem) * part);
	if (cnt > part)
		vu_mem_log_write(r->log, ring, sizeof(struct vu_vring_used_elem) * (cnt - part));
}

/* Call the driver if it wants to hear about used entries up to @p new_idx. */
static __rte_always_inline void
notify(struct vu_vring_dev *r, uint16_t old_idx, uint16_t new_idx)
{
	uint16_t event, old;
	bool need;

	/* Our used->idx store is visible before we read what the driver asks
	 * for (used_event, NO_INTERRUPT); pairs with the driver's full barrier
	 * between writing those and reading used->idx again. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (r->event_idx) {
		event = __atomic_load_n(&r->avail->ring[r->size], __ATOMIC_RELAXED);
		old = r->signalled_valid ? r->signalled_used : old_idx;
		need = !r->signalled_valid ||
		       (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
		r->signalled_used = new_idx;
		r->signalled_valid = true;
	} else {
		need = !(__atomic_load_n(&r->avail->flags, __ATOMIC_RELAXED) &
			 VU_VRING_AVAIL_F_NO_INTERRUPT);
	}
	if (!need)
		return;
	r->stats.calls++;
	if (write(r->call_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0) {
		/* counter saturated or fd gone: the driver polls or is gone */
	}
}

void __rte_hot
vu_vring_dev_push(struct vu_vring_dev *r, const struct vu_vring_used_elem *elems, uint16_t n)
{
	uint16_t old = r->used_idx, new_idx = (uint16_t)(old + n), i;

	if (unlikely(r->broken != VU_VRING_OK) || n == 0)
		return;
	for (i = 0; i < n; i++) {
		struct vu_vring_used_elem *slot = &r->used->ring[(uint16_t)(old + i) & r->mask];

		/* In steady state (heads reused in order, same lengths) the slot
		 * often holds this element already: not storing it leaves the
		 * line shared, so the driver reads it from its own cache. */
		if (slot->id != elems[i].id || slot->len != elems[i].len)
			*slot = elems[i];
	}
	if (r->inflight != NULL)
		area_of(r)->last_batch_head = (uint16_t)elems[n - 1].id;
	if (unlikely(r->log != NULL && r->log_used))
		log_used_elems(r, old, n);
	/* Pairs with the driver's acquire load of used->idx: the elements are
	 * visible before the index that publishes them. */
	__atomic_store_n(&r->used->idx, new_idx, __ATOMIC_RELEASE);
	if (unlikely(r->log != NULL && r->log_used))
		vu_mem_log_write(r->log, r->used_gpa + offsetof(struct vu_vring_used, idx),
				 sizeof(uint16_t));
	r->used_idx = new_idx;
	if (r->inflight != NULL)
		inflight_put(r, elems, n, new_idx);
	r->stats.used += n;
	if (r->call_fd >= 0)
		notify(r, old, new_idx);
}

void
vu_vring_dev_log_write(struct vu_vring_dev *r, uint64_t gpa, uint64_t len)
{
	if (r->log != NULL)
		vu_mem_log_write(r->log, gpa, len);
}

uint16_t
vu_vring_dev_last_avail(const struct vu_vring_dev *r)
{
	return r->last_avail;
}

/* ---- init / fini ---- */

static int
check_conf(const struct vu_vring_dev_conf *c)
{
	const char *name = c->name != NULL ? c->name : "";

	if (c->size == 0 || c->size > 32768 || !rte_is_power_of_2(c->size)) {
		VRING_LOG_RL(ERR, name, "ring %u: size %u is not a power of 2 in 1..32768",
			     c->index, c->size);
		return -EINVAL;
	}
	if (c->desc == NULL || c->avail == NULL || c->used == NULL || c->mem == NULL) {
		VRING_LOG_RL(ERR, name, "ring %u: descriptor table, rings or memory missing",
			     c->index);
		return -EINVAL;
	}
	if ((uintptr_t)c->desc % VU_VRING_DESC_ALIGN || (uintptr_t)c->avail %
	    VU_VRING_AVAIL_ALIGN || (uintptr_t)c->used % VU_VRING_USED_ALIGN ||
	    (c->inflight != NULL && (uintptr_t)c->inflight % sizeof(uint64_t))) {
		VRING_LOG_RL(ERR, name, "ring %u: a ring area or the inflight area is misaligned",
			     c->index);
		return -EINVAL;
	}
	return 0;
}

int
vu_vring_dev_init(struct vu_vring_dev *r, const struct vu_vring_dev_conf *conf)
{
	struct vu_log_ratelimit rl;
	int ret;

	if (r == NULL || conf == NULL)
		return -EINVAL;
	ret = check_conf(conf);
	if (ret < 0)
		return ret;
	rl = r->log_rl;
	vu_vring_dev_fini(r);
	memset(r, 0, sizeof(*r));
	r->log_rl = rl;
	snprintf(r->name, sizeof(r->name), "%s:%u", conf->name != NULL ? conf->name : "",
		 conf->index);
	r->desc = conf->desc;
	r->avail = conf->avail;
	r->used = conf->used;
	r->mem = conf->mem;
	r->size = conf->size;
	r->mask = (uint16_t)(conf->size - 1);
	r->last_avail = conf->last_avail;
	r->event_idx = (conf->features >> VIRTIO_F_EVENT_IDX) & 1;
	r->indirect = (conf->features >> VIRTIO_F_INDIRECT_DESC) & 1;
	r->in_order = (conf->features >> VIRTIO_F_IN_ORDER) & 1;
	r->call_fd = conf->call_fd;
	r->err_fd = conf->err_fd;
	r->log = conf->log;
	r->used_gpa = conf->used_gpa;
	r->log_used = conf->log_used;
	/* used->idx in memory is authoritative for the used side (as DPDK). */
	r->used_idx = __atomic_load_n(&r->used->idx, __ATOMIC_RELAXED);
	r->signalled_used = r->used_idx;
	/* Poll mode: never kick us. With EVENT_IDX the driver ignores the flag,
	 * but avail_event is never moved, which suppresses kicks as well. */
	__atomic_store_n(&r->used->flags, VU_VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	if (conf->inflight != NULL) {
		ret = inflight_init(r, conf->inflight, conf->inflight_size, conf->last_avail);
		if (ret < 0)
			return ret;
	}
	if (r->inflight == NULL && r->used_idx != r->last_avail) {
		uint16_t avail_idx = __atomic_load_n(&r->avail->idx, __ATOMIC_RELAXED);

		/*
		 * A base the driver cannot have: behind used->idx or beyond
		 * avail->idx. DPDK 22.11's virtio-user sends base 0 when it
		 * restarts rings it kept (server-mode reconnect); start where
		 * the used ring ends, as DPDK's vhost does, instead of breaking
		 * the ring on the first burst. Chains between used->idx and
		 * the old base are processed again.
		 */
		if ((uint16_t)(r->last_avail - r->used_idx) >
		    (uint16_t)(avail_idx - r->used_idx)) {
			VRING_LOG(WARNING, r->name, "base %u outside used idx %u .. avail idx %u: "
				  "starting at used idx", r->last_avail, r->used_idx, avail_idx);
			r->last_avail = r->used_idx;
		} else {
			VRING_LOG(INFO, r->name, "base %u, used idx %u: %u chains were popped "
				  "and not used", r->last_avail, r->used_idx,
				  (uint16_t)(r->last_avail - r->used_idx));
		}
	}
	return 0;
}

void
vu_vring_dev_fini(struct vu_vring_dev *r)
{
	free(r->resubmit);
	r->resubmit = NULL;
	r->nr_resubmit = 0;
	r->resubmit_next = 0;
}
