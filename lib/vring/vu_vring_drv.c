/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue, driver side (virtio 1.x 2.7): what a frontend (the
 * virtio-user port) runs to add buffers and reclaim used ones.
 *
 * The device is hostile. We write the descriptor table and the available
 * ring and never read them back: the free list, the chains' links, their
 * lengths and cookies live in a private array indexed by descriptor. From
 * shared memory we only read used->idx (acquire), each used element once,
 * used->flags and avail_event; every value is checked before use, and a
 * bad one breaks the ring once (logged, counted).
 *
 * Two allocation modes: a free list through the private track[].next (any
 * completion order), and IN_ORDER, where descriptors are taken in table
 * order and a used element may complete a whole batch (2.7.9).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_bitops.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_prefetch.h>

#include "vu_log.h"
#include "vu_vring.h"

RTE_LOG_REGISTER_SUFFIX(vu_vring_drv_logtype, drv, INFO);

#define DRV_LOG(r, level, fmt, ...) \
	VU_LOG(vu_vring_drv_logtype, level, "VRING", (r)->name, fmt, ##__VA_ARGS__)

#define RING_SIZE_MAX	32768

/* Local copy of the reason texts (vu_vring_error_str() lives with the device side). */
static const char *const drv_error_text[VU_VRING_ERR_COUNT] = {
	[VU_VRING_OK] = "ok",
#define X(name, text) [VU_VRING_ERR_ ## name] = text,
	VU_VRING_DEV_ERRORS(X)
#undef X
};

/* ---- shared-area accessors ---- */

static __rte_always_inline uint16_t *
used_event_ptr(struct vu_vring_drv *r)
{
	return &r->avail->ring[r->size];
}

static __rte_always_inline uint16_t *
avail_event_ptr(struct vu_vring_drv *r)
{
	return (uint16_t *)(void *)&r->used->ring[r->size];
}

/* (2.7.10) true when the peer asked to hear about an index in (old, new]. */
static __rte_always_inline bool
need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/*
 * Tell the device which used index should trigger a call: the next one
 * when calls are wanted, else one it has already passed and cannot reach
 * again before we move it along (it is at most size ahead of last_used).
 * Relaxed: a poll-mode driver never sleeps on the call, so a late value
 * only costs (or saves) one call.
 */
static __rte_always_inline void
set_used_event(struct vu_vring_drv *r)
{
	uint16_t ev = r->want_calls ? r->last_used : (uint16_t)(r->last_used - 1);

	__atomic_store_n(used_event_ptr(r), ev, __ATOMIC_RELAXED);
}

/* ---- breaking ---- */

static void __rte_cold
mark_broken(struct vu_vring_drv *r, enum vu_vring_error e, uint32_t v1, uint32_t v2)
{
	if (r->broken != VU_VRING_OK)
		return;
	__atomic_store_n(&r->broken, e, __ATOMIC_RELAXED);
	r->stats.broken++;
	DRV_LOG(r, ERR, "ring broken: %s (value %" PRIu32 ", limit %" PRIu32
		", last used %u, outstanding %u)",
		drv_error_text[e], v1, v2, r->last_used, r->outstanding);
}

/* ---- state ---- */

static void
reset_state(struct vu_vring_drv *r)
{
	uint16_t i;

	for (i = 0; i < r->size; i++)
		r->track[i] = (struct vu_vring_drv_track){ .next = (uint16_t)((i + 1) & r->mask) };
	r->avail_idx = 0;
	r->kicked_avail = 0;
	r->last_used = 0;
	r->free_head = 0;
	r->nr_free = r->size;
	r->outstanding = 0;
	r->oldest = 0;
	r->batch_end = 0;
	r->batch_len = 0;
	r->in_batch = false;
	r->broken = VU_VRING_OK;
	r->avail->flags = r->want_calls ? 0 : VU_VRING_AVAIL_F_NO_INTERRUPT;
	if (r->event_idx)
		set_used_event(r);
}

static int
check_conf(const struct vu_vring_drv_conf *conf)
{
	if (conf->size == 0 || conf->size > RING_SIZE_MAX ||
	    (conf->size & (conf->size - 1)) != 0)
		return -EINVAL;
	if (conf->desc == NULL || conf->avail == NULL || conf->used == NULL)
		return -EINVAL;
	if ((uintptr_t)conf->desc % VU_VRING_DESC_ALIGN != 0 ||
	    (uintptr_t)conf->avail % VU_VRING_AVAIL_ALIGN != 0 ||
	    (uintptr_t)conf->used % VU_VRING_USED_ALIGN != 0)
		return -EINVAL;
	return 0;
}

int
vu_vring_drv_init(struct vu_vring_drv *r, const struct vu_vring_drv_conf *conf)
{
	int ret = check_conf(conf);

	if (ret != 0)
		return ret;
	memset(r, 0, sizeof(*r));
	r->track = calloc(conf->size, sizeof(*r->track));
	if (r->track == NULL)
		return -ENOMEM;
	r->desc = conf->desc;
	r->avail = conf->avail;
	r->used = conf->used;
	r->size = conf->size;
	r->mask = (uint16_t)(conf->size - 1);
	r->event_idx = !!(conf->features & RTE_BIT64(VU_VRING_FEATURE_EVENT_IDX));
	r->in_order = !!(conf->features & RTE_BIT64(VU_VRING_FEATURE_IN_ORDER));
	r->indirect = !!(conf->features & RTE_BIT64(VU_VRING_FEATURE_INDIRECT_DESC));
	r->want_calls = conf->want_calls;
	r->kick_fd = conf->kick_fd;
	r->addr_offset = conf->addr_offset;
	snprintf(r->name, sizeof(r->name), "%s:%u",
		 conf->name != NULL ? conf->name : "", conf->index);
	reset_state(r);
	return 0;
}

void
vu_vring_drv_fini(struct vu_vring_drv *r)
{
	free(r->track);
	r->track = NULL;
}

/* ---- add ---- */

/* Sum of writable bytes (saturated), or -EINVAL for a bad segment list. */
static __rte_always_inline int64_t
check_segs(const struct vu_vring_drv_seg *segs, uint16_t nsegs)
{
	uint64_t wlen = 0;
	bool seen_write = false;
	uint16_t i;

	for (i = 0; i < nsegs; i++) {
		if (unlikely(segs[i].len == 0 || (seen_write && !segs[i].write)))
			return -EINVAL;
		seen_write = segs[i].write;
		if (seen_write)
			wlen += segs[i].len;
	}
	return (int64_t)RTE_MIN(wlen, (uint64_t)UINT32_MAX);
}

static __rte_always_inline void
write_desc(struct vu_vring_drv *r, uint16_t idx, const struct vu_vring_drv_seg *seg,
	   bool more, uint16_t next)
{
	struct vu_vring_desc *d = &r->desc[idx];

	d->addr = (uint64_t)(uintptr_t)seg->addr + r->addr_offset;
	d->len = seg->len;
	d->flags = (uint16_t)((seg->write ? VU_VRING_DESC_F_WRITE : 0) |
			      (more ? VU_VRING_DESC_F_NEXT : 0));
	d->next = more ? next : 0;
}

/* Take nsegs descriptors; return the head. */
static __rte_always_inline uint16_t
fill_chain_split(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs, uint16_t nsegs)
{
	uint16_t head = r->free_head, idx = head, i;

	for (i = 0; i < nsegs; i++) {
		write_desc(r, idx, &segs[i], i + 1 < nsegs, r->track[idx].next);
		idx = r->track[idx].next;
	}
	r->free_head = idx;	/* the chain keeps its links until freed */
	return head;
}

static __rte_always_inline uint16_t
fill_chain_in_order(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
		    uint16_t nsegs)
{
	uint16_t head = r->free_head, idx = head, i;

	for (i = 0; i < nsegs; i++) {
		uint16_t nx = (uint16_t)((idx + 1) & r->mask);

		write_desc(r, idx, &segs[i], i + 1 < nsegs, nx);
		idx = nx;
	}
	r->free_head = idx;
	return head;
}

int
vu_vring_drv_add(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
		 uint16_t nsegs, void *cookie)
{
	int64_t wlen;
	uint16_t head, *slot;

	if (unlikely(r->broken != VU_VRING_OK))
		return -EIO;
	if (unlikely(nsegs == 0 || cookie == NULL))
		return -EINVAL;
	wlen = check_segs(segs, nsegs);
	if (unlikely(wlen < 0))
		return -EINVAL;
	if (unlikely(nsegs > r->nr_free))
		return -ENOSPC;
	head = r->in_order ? fill_chain_in_order(r, segs, nsegs) :
			     fill_chain_split(r, segs, nsegs);
	r->nr_free = (uint16_t)(r->nr_free - nsegs);
	r->track[head].cookie = cookie;
	r->track[head].chain_len = nsegs;
	r->track[head].write_len = (uint32_t)wlen;
	slot = &r->avail->ring[r->avail_idx & r->mask];
	/* Heads come round in the same order (always with IN_ORDER): leave a
	 * slot that already holds this one alone, and its line shared with
	 * the device. */
	if (*slot != head)
		*slot = head;
	r->avail_idx++;
	r->outstanding++;
	r->stats.added++;
	return 0;
}

/*
 * The one-segment fast path: the per-chain checks and bookkeeping of
 * vu_vring_drv_add() without its segment walk, and one loop per
 * allocation mode. The ring's fields live in locals: stores to the shared
 * areas could alias them.
 */
static __rte_always_inline uint16_t
add_burst(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
	  void *const *cookies, uint16_t n, const bool in_order)
{
	struct vu_vring_desc *desc = r->desc;
	uint16_t *ring = r->avail->ring;
	struct vu_vring_drv_track *track = r->track;
	const uint64_t offset = r->addr_offset;
	const uint16_t mask = r->mask;
	uint16_t head = r->free_head, aidx = r->avail_idx, i;

	for (i = 0; i < n; i++) {
		const struct vu_vring_drv_seg *s = &segs[i];
		uint16_t *slot = &ring[aidx & mask];
		struct vu_vring_drv_track *t;

		if (unlikely(s->len == 0 || cookies[i] == NULL))
			break;
		desc[head] = (struct vu_vring_desc){
			.addr = (uint64_t)(uintptr_t)s->addr + offset,
			.len = s->len,
			.flags = s->write ? VU_VRING_DESC_F_WRITE : 0,
		};
		t = &track[head];
		t->cookie = cookies[i];
		t->write_len = s->write ? s->len : 0;
		t->chain_len = 1;
		if (*slot != head)	/* as in vu_vring_drv_add() */
			*slot = head;
		aidx++;
		head = in_order ? (uint16_t)((head + 1) & mask) : t->next;
	}
	r->free_head = head;
	r->avail_idx = aidx;
	r->nr_free = (uint16_t)(r->nr_free - i);
	r->outstanding = (uint16_t)(r->outstanding + i);
	r->stats.added += i;
	return i;
}

uint16_t
vu_vring_drv_add_burst(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
		       void *const *cookies, uint16_t n)
{
	if (unlikely(r->broken != VU_VRING_OK))
		return 0;
	n = RTE_MIN(n, r->nr_free);
	return r->in_order ? add_burst(r, segs, cookies, n, true) :
			     add_burst(r, segs, cookies, n, false);
}

/* ---- prepare ---- */

/* PREFETCHW: the line in exclusive state, ready for our stores. A CPU
 * without it takes the opcode as a NOP; -march=corei7 keeps the compiler
 * from emitting it for __builtin_prefetch(p, 1). */
static __rte_always_inline void
prefetch_for_write(const void *p)
{
#if defined(RTE_ARCH_X86)
	asm volatile("prefetchw %[p]" : : [p] "m" (*(const volatile char *)p));
#else
	__builtin_prefetch(p, 1, 3);
#endif
}

#define DESCS_PER_LINE (RTE_CACHE_LINE_SIZE / sizeof(struct vu_vring_desc))

void
vu_vring_drv_prepare(struct vu_vring_drv *r, uint16_t n)
{
	uint16_t i, idx = r->free_head;

	n = RTE_MIN(n, r->nr_free);
	if (r->in_order) {
		/* Table order: one prefetch per line. */
		for (i = 0; i < n; i += DESCS_PER_LINE - (idx + i) % DESCS_PER_LINE)
			prefetch_for_write(&r->desc[(idx + i) & r->mask]);
		return;
	}
	/* The free list is ours: follow it, a prefetch per descriptor. */
	for (i = 0; i < n; i++) {
		prefetch_for_write(&r->desc[idx]);
		idx = r->track[idx].next;
	}
}

/* ---- publish ---- */

static __rte_always_inline bool
device_wants_kick(struct vu_vring_drv *r)
{
	if (r->event_idx)
		return need_event(__atomic_load_n(avail_event_ptr(r), __ATOMIC_RELAXED),
				  r->avail_idx, r->kicked_avail);
	return !(__atomic_load_n(&r->used->flags, __ATOMIC_RELAXED) & VU_VRING_USED_F_NO_NOTIFY);
}

void
vu_vring_drv_publish(struct vu_vring_drv *r)
{
	static const uint64_t one = 1;

	if (r->avail_idx == r->kicked_avail || unlikely(r->broken != VU_VRING_OK))
		return;
	/* Descriptors and ring slots before the index: pairs with the
	 * device's acquire load of avail->idx. */
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELEASE);
	if (r->kick_fd >= 0) {
		/* The index store before the suppression read: pairs with the
		 * device's fence between writing used->flags/avail_event and
		 * re-reading avail->idx (2.7.10). */
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (device_wants_kick(r)) {
			/* An eventfd write only fails on counter overflow. */
			if (write(r->kick_fd, &one, sizeof(one)) == sizeof(one))
				r->stats.kicks++;
		}
	}
	r->kicked_avail = r->avail_idx;
}

/* ---- reclaim ---- */

static __rte_always_inline void
free_chain_split(struct vu_vring_drv *r, uint16_t head)
{
	uint16_t n = r->track[head].chain_len, tail = head, i;

	/* Our own links, n - 1 steps: the device cannot lengthen the walk. */
	for (i = 1; i < n; i++)
		tail = r->track[tail].next;
	r->track[tail].next = r->free_head;
	r->free_head = head;
	r->nr_free = (uint16_t)(r->nr_free + n);
}

static __rte_always_inline void *
take_head(struct vu_vring_drv *r, uint16_t head)
{
	void *c = r->track[head].cookie;

	r->track[head].cookie = NULL;
	r->outstanding--;
	return c;
}

/* Check one used element; true when the ring may go on. */
static __rte_always_inline bool
check_elem(struct vu_vring_drv *r, uint32_t id, uint32_t len)
{
	if (unlikely(id >= r->size || r->track[id].cookie == NULL)) {
		mark_broken(r, VU_VRING_ERR_used_id, id, r->size);
		return false;
	}
	if (unlikely(len > r->track[id].write_len)) {
		mark_broken(r, VU_VRING_ERR_used_len, len, r->track[id].write_len);
		return false;
	}
	return true;
}

/* Load used->idx and check it; return the number of new elements. */
static __rte_always_inline uint16_t
used_count(struct vu_vring_drv *r)
{
	/* Pairs with the device's release store of used->idx: the elements
	 * before it are visible. */
	uint16_t idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);
	uint16_t count = (uint16_t)(idx - r->last_used);

	if (unlikely(count > r->outstanding)) {
		mark_broken(r, VU_VRING_ERR_used_idx, idx, r->outstanding);
		return 0;
	}
	return count;
}

static __rte_always_inline void
read_elem(struct vu_vring_drv *r, uint32_t *id, uint32_t *len)
{
	struct vu_vring_used_elem *e = &r->used->ring[r->last_used & r->mask];

	/* Each field once: the device may rewrite it while we look. */
	*id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	*len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
}

/* The lines of the next @p count used elements, which the device has just
 * written: their misses overlap instead of coming one line at a time. */
#define USED_PER_LINE (RTE_CACHE_LINE_SIZE / sizeof(struct vu_vring_used_elem))

static __rte_always_inline void
prefetch_used(struct vu_vring_drv *r, uint16_t count)
{
	uint16_t i;

	for (i = 0; i < count; i += USED_PER_LINE)
		rte_prefetch0(&r->used->ring[(r->last_used + i) & r->mask]);
}

static uint16_t
reclaim_split(struct vu_vring_drv *r, void **cookies, uint32_t *lens, uint16_t n)
{
	uint16_t count = RTE_MIN(used_count(r), n), got;

	prefetch_used(r, count);

	for (got = 0; got < count; got++) {
		uint32_t id, len;

		read_elem(r, &id, &len);
		if (!check_elem(r, id, len))
			break;
		free_chain_split(r, (uint16_t)id);
		cookies[got] = take_head(r, (uint16_t)id);
		if (lens != NULL)
			lens[got] = len;
		r->last_used++;
	}
	return got;
}

/*
 * IN_ORDER: each used element ends a batch, every outstanding chain up to
 * the one whose head it names, released oldest first (2.7.9). A batch
 * larger than n is finished by the next calls. The ring's fields live in
 * locals for the loop: stores through cookies[] and lens[] could alias
 * them, and reloading each one would chain every chain's release to the
 * previous one's stores.
 */
static uint16_t
reclaim_in_order(struct vu_vring_drv *r, void **cookies, uint32_t *lens, uint16_t n)
{
	struct vu_vring_drv_track *track = r->track;
	const uint16_t mask = r->mask;
	uint16_t head = r->oldest, end = r->batch_end, last_used = r->last_used;
	uint16_t outstanding = r->outstanding, got = 0, count = 0;
	uint32_t batch_len = r->batch_len, freed = 0, bad_value = 0, bad_limit = 0;
	enum vu_vring_error bad = VU_VRING_OK;
	bool in_batch = r->in_batch, counted = false;

	for (;;) {
		const struct vu_vring_used_elem *e;
		uint32_t id, len;

		while (in_batch && got < n) {
			struct vu_vring_drv_track *t = &track[head];
			bool last = head == end;

			cookies[got] = t->cookie;
			t->cookie = NULL;
			if (lens != NULL)
				lens[got] = last ? batch_len : 0;
			got++;
			outstanding--;
			freed += t->chain_len;
			head = (uint16_t)((head + t->chain_len) & mask);
			in_batch = !last;
		}
		if (got == n)
			break;
		if (!counted) {
			/* Pairs with the device's release store of used->idx:
			 * the elements before it are visible. */
			uint16_t idx = __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE);

			counted = true;
			count = (uint16_t)(idx - last_used);
			if (unlikely(count > outstanding)) {
				bad = VU_VRING_ERR_used_idx;
				bad_value = idx;
				bad_limit = outstanding;
				break;
			}
			/*
			 * Without lengths to return (a transmit ring), the
			 * last new element ends every batch before it: read
			 * only that one, as the elements between are lines
			 * the device has just written.
			 */
			if (lens == NULL && count > 1) {
				last_used = (uint16_t)(last_used + count - 1);
				count = 1;
			}
			for (uint16_t i = 0; i < RTE_MIN(count, n); i += USED_PER_LINE)
				rte_prefetch0(&r->used->ring[(last_used + i) & mask]);
		}
		if (count == 0)
			break;
		/* Each field once: the device may rewrite it while we look.
		 * The head must be outstanding, so the walk from the oldest
		 * chain reaches it within `outstanding` steps: it is bounded
		 * by our own chain lengths, never by the descriptor table. */
		e = &r->used->ring[last_used & mask];
		id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
		len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
		if (unlikely(id >= r->size || track[id].cookie == NULL)) {
			bad = VU_VRING_ERR_used_id;
			bad_value = id;
			bad_limit = r->size;
			break;
		}
		if (unlikely(len > track[id].write_len)) {
			bad = VU_VRING_ERR_used_len;
			bad_value = len;
			bad_limit = track[id].write_len;
			break;
		}
		count--;
		last_used++;
		end = (uint16_t)id;
		batch_len = len;
		in_batch = true;
	}
	r->oldest = head;
	r->batch_end = end;
	r->batch_len = batch_len;
	r->in_batch = in_batch;
	r->last_used = last_used;
	r->outstanding = outstanding;
	r->nr_free = (uint16_t)(r->nr_free + freed);
	if (unlikely(bad != VU_VRING_OK))
		mark_broken(r, bad, bad_value, bad_limit);
	return got;
}

uint16_t
vu_vring_drv_reclaim(struct vu_vring_drv *r, void **cookies, uint32_t *lens, uint16_t n)
{
	uint16_t got;

	if (unlikely(r->broken != VU_VRING_OK) || n == 0)
		return 0;
	got = r->in_order ? reclaim_in_order(r, cookies, lens, n) :
			    reclaim_split(r, cookies, lens, n);
	if (got == 0)
		return 0;
	r->stats.reclaimed += got;
	if (r->event_idx)
		set_used_event(r);
	return got;
}

/* ---- drain ---- */

uint16_t
vu_vring_drv_drain(struct vu_vring_drv *r, void **cookies)
{
	uint16_t n = 0;
	uint32_t i;

	if (r->track == NULL)
		return 0;
	for (i = 0; i < r->size; i++)
		if (r->track[i].cookie != NULL)
			cookies[n++] = r->track[i].cookie;
	memset(r->desc, 0, VU_VRING_DESC_BYTES(r->size));
	memset(r->avail, 0, VU_VRING_AVAIL_BYTES(r->size));
	memset(r->used, 0, VU_VRING_USED_BYTES(r->size));
	reset_state(r);
	return n;
}
