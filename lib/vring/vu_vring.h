/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Split virtqueues (virtio 1.x section 2.7), both sides, and the hand-off
 * of a ring between the control plane and a data-plane lcore.
 *
 * - Device side (vu_vring_dev_*): what a backend's data plane runs. Pops
 *   available chains in bursts as translated, bounds-checked segments, and
 *   publishes used elements with one release store per burst. Everything in
 *   guest memory is hostile: a violation breaks the ring (once, logged,
 *   counted, err_fd signalled) and every entry point then returns 0.
 * - Driver side (vu_vring_drv_*): what a frontend's data plane runs (the
 *   virtio-user port). Adds buffers and reclaims used ones in bursts; used
 *   entries written by the (hostile) device are validated.
 * - Access (vu_vring_access_*): a ring is used by a burst only between
 *   start and stop; stop waits until no burst is inside.
 *
 * Threads: a ring is used by one data-plane lcore at a time; init, stop and
 * the accessors marked so run on the control thread while the ring is not
 * accessible. Burst functions make no syscall except the one eventfd write
 * of a notification, take no lock and allocate nothing.
 */
#ifndef VU_VRING_H
#define VU_VRING_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_pause.h>

#include "vu_log.h"

struct vu_mem_table;
struct vu_mem_log;

/* ---- the split ring layout (virtio 1.x 2.7) ---- */

/** A descriptor (struct virtq_desc). */
struct vu_vring_desc {
	uint64_t addr;		/**< guest physical address */
	uint32_t len;		/**< bytes */
	uint16_t flags;		/**< VU_VRING_DESC_F_* */
	uint16_t next;		/**< next descriptor when F_NEXT */
};

#define VU_VRING_DESC_F_NEXT		1	/**< chain continues at next */
#define VU_VRING_DESC_F_WRITE		2	/**< device writes the buffer */
#define VU_VRING_DESC_F_INDIRECT	4	/**< buffer is a descriptor table */

/** The available ring header; ring[size] and used_event follow. */
struct vu_vring_avail {
	uint16_t flags;		/**< VU_VRING_AVAIL_F_NO_INTERRUPT */
	uint16_t idx;		/**< next slot the driver fills */
	uint16_t ring[];	/**< heads; ring[size] is used_event */
};

#define VU_VRING_AVAIL_F_NO_INTERRUPT	1	/**< driver: don't call me */

/** A used element. */
struct vu_vring_used_elem {
	uint32_t id;		/**< head of the chain */
	uint32_t len;		/**< bytes the device wrote */
};

/** The used ring header; ring[size] and avail_event follow. */
struct vu_vring_used {
	uint16_t flags;		/**< VU_VRING_USED_F_NO_NOTIFY */
	uint16_t idx;		/**< next slot the device fills */
	struct vu_vring_used_elem ring[];	/**< ring[size] then u16 avail_event */
};

#define VU_VRING_USED_F_NO_NOTIFY	1	/**< device: don't kick me */

#define VU_VRING_DESC_ALIGN	16	/**< alignment the spec requires of the descriptor table */
#define VU_VRING_AVAIL_ALIGN	2	/**< alignment the spec requires of the available ring */
#define VU_VRING_USED_ALIGN	4	/**< alignment the spec requires of the used ring */

/** Bytes of the descriptor table of a ring of @p size. */
#define VU_VRING_DESC_BYTES(size)	((uint64_t)(size) * sizeof(struct vu_vring_desc))
/** Bytes of the available ring, with used_event. */
#define VU_VRING_AVAIL_BYTES(size)	(4 + 2 * (uint64_t)(size) + 2)
/** Bytes of the used ring, with avail_event. */
#define VU_VRING_USED_BYTES(size)	(4 + 8 * (uint64_t)(size) + 2)

/* ---- control/data hand-off ---- */

/**
 * Whether a data-plane burst may use a ring: a Dekker pair with asymmetric
 * fences. A burst stores @c busy, then loads @c on; the control plane
 * stores @c on, then loads @c busy. Each side needs a full fence between
 * its store and its load. The control plane, which hands rings over rarely,
 * pays for both with membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): every
 * running thread of the process executes a full fence. The burst then
 * needs only a compiler barrier: entering and leaving cost two plain stores
 * and a load, no locked instruction (a lock cmpxchg per burst, which drains
 * the store buffer of the previous burst's copies, was a quarter of the
 * receive burst's samples under perf). Without membarrier (old kernels,
 * seccomp) the burst falls back to a full fence of its own.
 */
struct vu_vring_access {
	uint32_t on;		/**< the control plane allows bursts; atomic */
	uint32_t busy;		/**< a burst is inside; written by the burst only */
};

/** True when membarrier(PRIVATE_EXPEDITED) is registered for this process. */
extern bool vu_vring_access_asymmetric;

/**
 * The control plane's side of the fence pair: a full fence on every thread
 * of the process (or this thread only, when the bursts fence themselves).
 * Thread: control.
 */
void vu_vring_access_heavy_fence(void);

/**
 * Initialise: no access.
 * @param a hand-off word
 * Thread: control, before any burst can see @p a.
 */
static inline void
vu_vring_access_init(struct vu_vring_access *a)
{
	__atomic_store_n(&a->on, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&a->busy, 0, __ATOMIC_RELAXED);
}

/**
 * Allow bursts. Everything the control plane wrote before is visible to a
 * burst that enters afterwards (release; pairs with the acquire load of
 * @c on in vu_vring_access_enter()).
 * @param a hand-off word
 * Thread: control.
 */
static inline void
vu_vring_access_start(struct vu_vring_access *a)
{
	__atomic_store_n(&a->on, 1, __ATOMIC_RELEASE);
}

/**
 * Forbid bursts and wait until none is inside. On return the control plane
 * owns the ring and sees everything the last burst wrote (acquire; pairs
 * with the release in vu_vring_access_leave()). Idempotent.
 * @param a hand-off word
 * Thread: control. Waits at most one burst; one membarrier system call.
 */
static inline void
vu_vring_access_stop(struct vu_vring_access *a)
{
	__atomic_store_n(&a->on, 0, __ATOMIC_SEQ_CST);
	/* Pairs with the burst's barrier between its busy store and on load:
	 * either the burst sees on == 0, or we see its busy == 1. */
	vu_vring_access_heavy_fence();
	while (__atomic_load_n(&a->busy, __ATOMIC_ACQUIRE))
		rte_pause();
}

/**
 * Enter a burst.
 * @param a hand-off word
 * @return true when the burst may use the ring; then vu_vring_access_leave()
 *   must follow.
 * Thread: the data-plane lcore polling the ring.
 */
static __rte_always_inline bool
vu_vring_access_enter(struct vu_vring_access *a)
{
	__atomic_store_n(&a->busy, 1, __ATOMIC_RELAXED);
	if (likely(__atomic_load_n(&vu_vring_access_asymmetric, __ATOMIC_RELAXED)))
		__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* membarrier does the rest */
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(__atomic_load_n(&a->on, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&a->busy, 0, __ATOMIC_RELEASE);
	return false;
}

/**
 * Leave a burst entered with vu_vring_access_enter().
 * @param a hand-off word
 * Thread: the data-plane lcore polling the ring.
 */
static __rte_always_inline void
vu_vring_access_leave(struct vu_vring_access *a)
{
	__atomic_store_n(&a->busy, 0, __ATOMIC_RELEASE);
}

/* ---- device side ---- */

/** Largest burst of chains vu_vring_dev_pop() returns. */
#define VU_VRING_BURST_MAX	32
/**
 * Segments one chain may have after translation (a buffer that crosses a
 * region boundary is two segments). Linux's virtio-net uses at most
 * MAX_SKB_FRAGS + 2 = 19 descriptors per packet; a longer chain breaks the
 * ring.
 */
#define VU_VRING_SEGS_MAX	64

/** One translated, contiguous piece of a buffer. */
struct vu_vring_seg {
	void *addr;		/**< local address */
	uint32_t len;		/**< bytes, never 0 */
	uint64_t gpa;		/**< guest physical address (dirty log) */
};

/**
 * An available chain, translated: first nr_read device-readable segments,
 * then nr_write device-writable ones.
 */
struct vu_vring_chain {
	uint16_t head;		/**< id to return in the used element */
	uint16_t nr_read;	/**< readable segments, seg[0..nr_read) */
	uint16_t nr_write;	/**< writable segments, seg[nr_read..nr_read+nr_write) */
	uint32_t read_len;	/**< bytes readable */
	uint32_t write_len;	/**< bytes writable */
	struct vu_vring_seg seg[VU_VRING_SEGS_MAX];	/**< the segments */
};

/** Why a ring broke; X(name, text). The counters are in vu_vring_dev_stats. */
#define VU_VRING_DEV_ERRORS(X) \
	X(avail_idx,	"avail index moved by more than the ring size") \
	X(head_range,	"head index out of range") \
	X(next_range,	"next index out of range") \
	X(chain_loop,	"chain longer than the ring (loop)") \
	X(chain_segs,	"chain has more segments than VU_VRING_SEGS_MAX") \
	X(desc_addr,	"buffer not inside guest memory, wrapping, or chain over 4 GiB") \
	X(desc_order,	"readable descriptor after a writable one") \
	X(indirect,	"indirect table: feature off, nested, bad length or address") \
	X(used_id,	"used element id out of range or not outstanding (driver side)") \
	X(used_len,	"used length above what the buffer offered (driver side)") \
	X(used_idx,	"used index moved by more than was outstanding (driver side)")

/** Why a ring broke. */
enum vu_vring_error {
	VU_VRING_OK = 0,	/**< not broken */
	/** @cond */
#define X(name, text) VU_VRING_ERR_ ## name,
	VU_VRING_DEV_ERRORS(X)
#undef X
	/** @endcond */
	VU_VRING_ERR_COUNT	/**< number of reasons + 1 */
};

/**
 * Describe a break reason (the text column of VU_VRING_DEV_ERRORS).
 * @param e reason
 * @return a static string: "ok" for VU_VRING_OK, "unknown" for an out of
 *   range value.
 * Thread: any.
 */
const char *vu_vring_error_str(enum vu_vring_error e);

/** Everything a device-side ring needs; the backend's vu_backend_vring maps onto it. */
struct vu_vring_dev_conf {
	const char *name;		/**< port or socket name, for logs */
	uint16_t index;			/**< ring number, for logs */
	uint16_t size;			/**< descriptors, a power of 2, 1..32768 */
	void *desc;			/**< descriptor table, local, checked by the backend */
	void *avail;			/**< available ring, local */
	void *used;			/**< used ring, local */
	uint16_t last_avail;		/**< next avail index to pop (SET_VRING_BASE) */
	uint64_t features;		/**< negotiated virtio features */
	const struct vu_mem_table *mem;	/**< guest memory of the buffers */
	int call_fd;			/**< eventfd to notify the driver, or -1 */
	int err_fd;			/**< eventfd signalled once when the ring breaks, or -1 */
	struct vu_mem_log *log;		/**< dirty log while LOG_ALL is on, or NULL */
	uint64_t used_gpa;		/**< guest address of the used ring (log) */
	bool log_used;			/**< log used-ring writes (VU_VRING_F_LOG) */
	void *inflight;			/**< this ring's inflight area (INFLIGHT_SHMFD), or NULL */
	/**
	 * Descriptors the inflight area was sized for (queue_size of
	 * GET/SET_INFLIGHT_FD), so it holds 16 + 16 * inflight_size bytes. The
	 * area's own desc_num lives in memory the front-end writes, so it
	 * cannot bound our accesses: the area is used only when this equals
	 * size (and desc_num agrees), else ignored with a log line.
	 */
	uint16_t inflight_size;
};

/** Device-side counters. Read them only while the ring is stopped, or racily. */
struct vu_vring_dev_stats {
	uint64_t popped;		/**< chains popped */
	uint64_t used;			/**< used elements published */
	uint64_t calls;			/**< eventfd writes */
	uint64_t resubmitted;		/**< inflight chains popped again after a restart */
	uint64_t broken;		/**< times the ring broke (0 or 1 per init) */
};

/**
 * A fresh chain's inflight entry as it was before vu_vring_dev_pop() marked
 * it, so vu_vring_dev_unpop() can put it back.
 */
struct vu_vring_dev_mark {
	uint64_t counter;		/**< previous counter */
	uint16_t head;			/**< the chain's head */
	uint8_t inflight;		/**< previous inflight flag */
};

/** A device-side ring. Opaque to users; the layout is here for inlining. */
struct vu_vring_dev {
	/* hot */
	struct vu_vring_desc *desc;	/**< descriptor table, local */
	struct vu_vring_avail *avail;	/**< available ring, local */
	struct vu_vring_used *used;	/**< used ring, local */
	const struct vu_mem_table *mem;	/**< guest memory of the buffers */
	uint16_t size;			/**< descriptors, a power of 2 */
	uint16_t mask;			/**< size - 1 */
	uint16_t last_avail;		/**< next avail slot to pop */
	uint16_t used_idx;		/**< next used slot to fill */
	uint16_t signalled_used;	/**< used idx at the last call (EVENT_IDX) */
	bool signalled_valid;		/**< signalled_used is known: false calls once */
	bool event_idx;			/**< VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;			/**< VIRTIO_F_INDIRECT_DESC negotiated */
	bool in_order;			/**< VIRTIO_F_IN_ORDER negotiated */
	bool log_used;			/**< log used-ring writes */
	enum vu_vring_error broken;	/**< VU_VRING_OK while healthy */
	int call_fd;			/**< eventfd to notify the driver, or -1 */
	int err_fd;			/**< eventfd signalled when the ring breaks, or -1 */
	struct vu_mem_log *log;		/**< dirty log, or NULL */
	uint64_t used_gpa;		/**< guest address of the used ring (log) */
	void *inflight;			/**< inflight area, or NULL (also when unusable) */
	uint64_t inflight_counter;	/**< counter for the next chain marked inflight */
	uint16_t *resubmit;		/**< heads to pop again first (inflight), or NULL */
	uint16_t nr_resubmit;		/**< entries in resubmit */
	uint16_t resubmit_next;		/**< next entry of resubmit to pop */
	uint16_t pop_resubmitted;	/**< chains of the last pop from resubmit */
	uint16_t pop_fresh;		/**< chains of the last pop from the avail ring */
	/** Inflight entries of the last pop's fresh chains before marking (unpop). */
	struct vu_vring_dev_mark marks[VU_VRING_BURST_MAX];
	struct vu_vring_dev_stats stats; /**< counters */
	struct vu_log_ratelimit log_rl;	/**< data-plane log limiter; kept across init */
	char name[64];			/**< "<port>:<index>" for logs */
};

/**
 * Prepare a ring the backend started (start_queue). Sets NO_NOTIFY in the
 * used ring (poll mode; with EVENT_IDX avail_event is never moved, which
 * suppresses kicks too). The used index is read from used->idx, which is
 * authoritative; the avail index is conf->last_avail (a difference is
 * logged: chains popped and never used).
 *
 * With an inflight area (split layout of libvhost-user and DPDK): a fresh
 * area (version 0) is initialised; an area for another ring size
 * (conf->inflight_size or the area's desc_num) is ignored (logged, no
 * tracking); otherwise a batch published but not
 * recorded is finished, the chains still in flight are queued for
 * resubmission, oldest first, and the avail index becomes used->idx plus
 * their number (as libvhost-user: after a crash the front-end can only send
 * used->idx as the base; after a clean stop the two agree).
 *
 * @param r    ring to initialise: zeroed, or initialised before (any
 *             previous contents are discarded, and a previous resubmit
 *             array freed; the log rate limiter is kept)
 * @param conf configuration
 * @return 0, -EINVAL (NULL @p r or @p conf, size not a power of 2 in
 *   1..32768, NULL area or memory table, misaligned area), -ENOMEM. After a
 *   failure the ring must not be used, but vu_vring_dev_fini() is safe.
 * Thread: control, while the ring is not accessible.
 */
int vu_vring_dev_init(struct vu_vring_dev *r, const struct vu_vring_dev_conf *conf);

/**
 * Release what vu_vring_dev_init() allocated. Safe on a zeroed ring.
 * @param r ring
 * Thread: control, while the ring is not accessible.
 */
void vu_vring_dev_fini(struct vu_vring_dev *r);

/**
 * Pop up to @p n available chains (inflight resubmissions first).
 *
 * @param r      ring
 * @param chains filled with the chains
 * @param n      at most VU_VRING_BURST_MAX
 * @return chains popped; 0 when none is available or the ring is broken.
 *   A chain that fails validation breaks the ring: the chains before it
 *   are still returned. Zero-length descriptors are valid and produce no
 *   segment, so a chain of only those is returned with no segment (push it
 *   with len 0). A head the driver posts again while it is still popped is
 *   popped again (the driver's problem, not a break). Whether a chain is
 *   long enough for the device's headers is the device's concern.
 * Thread: the lcore that entered the ring's access.
 */
uint16_t vu_vring_dev_pop(struct vu_vring_dev *r, struct vu_vring_chain *chains, uint16_t n);

/**
 * Give back the last @p n popped chains unused: they are popped again next
 * time (a packet that didn't fit). Fresh chains go back to the avail ring
 * (and their inflight entries are restored), resubmitted ones to the
 * resubmit list. No-op on a broken ring.
 * @param r ring
 * @param n chains, at most the number popped by the last vu_vring_dev_pop()
 *   (larger values are clamped to it; a second unpop only gives back what
 *   the first left)
 * Thread: the lcore that entered the ring's access.
 */
void vu_vring_dev_unpop(struct vu_vring_dev *r, uint16_t n);

/**
 * Publish used elements: write them to the used ring (an element the slot
 * already holds is not stored again: its line stays shared), log them when
 * logging, then one release store of used->idx, then at most one eventfd
 * write when the driver wants a notification (EVENT_IDX or NO_INTERRUPT;
 * with EVENT_IDX the first push after init always notifies, as Linux
 * vhost does). Without a call fd no notification work is done at all.
 * Clears the chains' inflight entries. No-op on a broken ring.
 *
 * @param r     ring
 * @param elems ids and lengths, in the order to publish
 * @param n     elements; 0 does nothing
 * Thread: the lcore that entered the ring's access.
 */
void vu_vring_dev_push(struct vu_vring_dev *r, const struct vu_vring_used_elem *elems,
		       uint16_t n);

/**
 * Mark [@p gpa, @p gpa + @p len) dirty if the ring logs (a write into a
 * writable segment). No-op without a log.
 * @param r   ring
 * @param gpa guest physical address written
 * @param len bytes
 * Thread: the lcore that entered the ring's access.
 */
void vu_vring_dev_log_write(struct vu_vring_dev *r, uint64_t gpa, uint64_t len);

/**
 * The next avail index the device would pop (GET_VRING_BASE).
 * @param r ring
 * @return the index after the last chain popped and not given back with
 *   vu_vring_dev_unpop(). Chains popped but not pushed are counted as
 *   popped: with inflight tracking a restart resubmits them; without it
 *   they are lost, as in every backend, unless pushed before the stop.
 * Thread: control, while the ring is not accessible.
 */
uint16_t vu_vring_dev_last_avail(const struct vu_vring_dev *r);

/**
 * Ring size.
 * @param r ring
 * @return descriptors.
 * Thread: any.
 */
static inline uint16_t
vu_vring_dev_size(const struct vu_vring_dev *r)
{
	return r->size;
}

/**
 * Why the ring broke.
 * @param r ring
 * @return VU_VRING_OK while healthy.
 * Thread: any (racy read).
 */
static inline enum vu_vring_error
vu_vring_dev_broken(const struct vu_vring_dev *r)
{
	return __atomic_load_n(&r->broken, __ATOMIC_RELAXED);
}

/* ---- driver side ---- */

/** A driver-side ring's configuration: areas the caller allocated. */
struct vu_vring_drv_conf {
	const char *name;		/**< for logs */
	uint16_t index;			/**< ring number, for logs */
	uint16_t size;			/**< descriptors, a power of 2, 1..32768 */
	void *desc;			/**< zeroed descriptor table, 16-byte aligned */
	void *avail;			/**< zeroed available ring, 2-byte aligned */
	void *used;			/**< zeroed used ring, 4-byte aligned */
	uint64_t features;		/**< negotiated virtio features */
	int kick_fd;			/**< eventfd to kick the device, or -1 (it polls) */
	bool want_calls;		/**< false: set NO_INTERRUPT (we poll) */
	/**
	 * Address the device resolves for a local pointer: the value placed in
	 * a descriptor is (uintptr_t)ptr + addr_offset. 0 when guest physical
	 * addresses are our virtual addresses (virtio-user).
	 */
	uint64_t addr_offset;
};

/** One buffer segment to add. */
struct vu_vring_drv_seg {
	void *addr;		/**< local address */
	uint32_t len;		/**< bytes, not 0 */
	bool write;		/**< device-writable; all readable ones first */
};

/** Driver-side counters. */
struct vu_vring_drv_stats {
	uint64_t added;			/**< chains added */
	uint64_t reclaimed;		/**< chains reclaimed */
	uint64_t kicks;			/**< eventfd writes */
	uint64_t broken;		/**< times the ring broke */
};

/**
 * Feature bits the driver side looks at (virtio 1.x section 6). The
 * negotiated set comes in vu_vring_drv_conf.features.
 */
#define VU_VRING_FEATURE_INDIRECT_DESC	28	/**< VIRTIO_F_INDIRECT_DESC (not used by the driver side) */
#define VU_VRING_FEATURE_EVENT_IDX	29	/**< VIRTIO_F_EVENT_IDX */
#define VU_VRING_FEATURE_IN_ORDER	35	/**< VIRTIO_F_IN_ORDER */

/**
 * What a driver-side ring keeps of one descriptor, privately: one 16-byte
 * entry, so adding or reclaiming a chain touches one line of it.
 */
struct vu_vring_drv_track {
	void *cookie;		/**< at a head: caller's token, NULL when not outstanding */
	uint32_t write_len;	/**< at a head: writable bytes offered (saturated) */
	uint16_t chain_len;	/**< at a head: descriptors in the chain */
	uint16_t next;		/**< private free list and chain links */
};

/** A driver-side ring. Opaque to users; the layout is here for inlining. */
struct vu_vring_drv {
	struct vu_vring_desc *desc;	/**< descriptor table (shared, written only by us) */
	struct vu_vring_avail *avail;	/**< available ring (shared, written only by us) */
	struct vu_vring_used *used;	/**< used ring (shared, written by the device) */
	uint16_t size;			/**< descriptors */
	uint16_t mask;			/**< size - 1 */
	uint16_t avail_idx;		/**< shadow of avail->idx */
	uint16_t kicked_avail;		/**< avail->idx as last published (and kick decided) */
	uint16_t last_used;		/**< next used slot to reclaim */
	uint16_t free_head;		/**< first free descriptor (IN_ORDER: next to use) */
	uint16_t nr_free;		/**< free descriptors */
	uint16_t outstanding;		/**< chains added, not reclaimed */
	uint16_t oldest;		/**< IN_ORDER: head of the oldest outstanding chain */
	uint16_t batch_end;		/**< IN_ORDER: head that ends a used batch being released */
	uint32_t batch_len;		/**< IN_ORDER: len of that batch's used element */
	bool in_batch;			/**< IN_ORDER: a batch is partly released */
	bool event_idx;			/**< VIRTIO_F_EVENT_IDX negotiated */
	bool in_order;			/**< VIRTIO_F_IN_ORDER negotiated */
	bool indirect;			/**< VIRTIO_F_INDIRECT_DESC negotiated (unused) */
	bool want_calls;		/**< the device should notify used buffers */
	enum vu_vring_error broken;	/**< VU_VRING_OK while healthy */
	int kick_fd;			/**< eventfd to kick the device, or -1 */
	uint64_t addr_offset;		/**< added to a local address to make a descriptor's */
	struct vu_vring_drv_track *track;	/**< per descriptor: what we know of it */
	struct vu_vring_drv_stats stats;	/**< counters */
	char name[64];			/**< "<name>:<index>" for logs */
};

/**
 * Initialise a driver-side ring over zeroed areas: every descriptor free,
 * avail->flags = NO_INTERRUPT unless @p conf->want_calls, and with EVENT_IDX
 * used_event (avail->ring[size]) = last used - 1 when calls are not wanted
 * (the device's used index never reaches it again: it is moved along on
 * every reclaim) or last used when they are (a call for the next one).
 * Nothing in the areas is read afterwards except used->idx, used->flags,
 * the used elements, avail_event and the available-ring slot being filled
 * (a head already there is not stored again); descriptors are written,
 * never read.
 * @param r    ring (previous contents discarded, not freed)
 * @param conf configuration
 * @return 0, -EINVAL (size not a power of 2 in 1..32768, area NULL or
 *   misaligned), -ENOMEM.
 * Thread: control, while the ring is not accessible.
 */
int vu_vring_drv_init(struct vu_vring_drv *r, const struct vu_vring_drv_conf *conf);

/**
 * Release what vu_vring_drv_init() allocated. Safe on a zeroed ring.
 * @param r ring
 * Thread: control, while the ring is not accessible.
 */
void vu_vring_drv_fini(struct vu_vring_drv *r);

/**
 * Add one chain of @p nsegs segments. It is not visible to the device until
 * vu_vring_drv_publish().
 * @param r      ring
 * @param segs   segments, readable ones first
 * @param nsegs  1..size
 * @param cookie returned by vu_vring_drv_reclaim(); not NULL
 * @return 0, or -ENOSPC (not enough free descriptors; nothing added),
 *   -EIO (ring broken), -EINVAL (nsegs 0, a readable segment after a
 *   writable one, a segment of length 0, or a NULL cookie; nothing added).
 *   With IN_ORDER, descriptors are used in table order (the head is the
 *   descriptor after the previous chain's last).
 * Thread: the lcore that entered the ring's access.
 */
int vu_vring_drv_add(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
		     uint16_t nsegs, void *cookie);

/**
 * Add up to @p n one-segment chains, as many calls of vu_vring_drv_add()
 * would, in one pass: the burst path of a port whose buffers are single
 * segments. Stops at the first segment of length 0 or NULL cookie (it and
 * those after it are not added) and when the free descriptors run out.
 * Not visible to the device until vu_vring_drv_publish().
 * @param r       ring
 * @param segs    one segment per chain
 * @param cookies per chain, returned by vu_vring_drv_reclaim(); not NULL
 * @param n       chains offered
 * @return chains added, from the first; 0 on a broken ring.
 * Thread: the lcore that entered the ring's access.
 */
uint16_t vu_vring_drv_add_burst(struct vu_vring_drv *r, const struct vu_vring_drv_seg *segs,
				void *const *cookies, uint16_t n);

/**
 * About to add chains that take @p n descriptors: ask for write ownership
 * of their descriptor-table lines now. The device read those lines when it
 * last used them, so each first store would otherwise wait, one line after
 * the other, for the device's copy to be invalidated; prefetched, the
 * invalidations overlap. A hint only: it reads no shared memory and
 * changes nothing.
 * @param r ring
 * @param n descriptors (at most the free ones are prefetched)
 * Thread: the lcore that entered the ring's access.
 */
void vu_vring_drv_prepare(struct vu_vring_drv *r, uint16_t n);

/**
 * Make added chains visible (one release store of avail->idx) and kick the
 * device if it asks for it (NO_NOTIFY clear, or avail_event passed with
 * EVENT_IDX): at most one eventfd write. A full fence separates the
 * avail->idx store from the read of the device's suppression flag, so a
 * device that re-enables notifications and then re-checks avail->idx
 * cannot miss both. Does nothing when nothing was added since the last
 * call, or when the ring is broken.
 * @param r ring
 * Thread: the lcore that entered the ring's access.
 */
void vu_vring_drv_publish(struct vu_vring_drv *r);

/**
 * Reclaim up to @p n used chains. Each used element is validated (id a
 * head we added and have not reclaimed, len at most the writable bytes
 * offered, used->idx not past what is outstanding); a violation breaks the
 * ring and stops reclaiming: the chains before it are still returned, the
 * offending one and those after it only by vu_vring_drv_drain(). Each
 * element's id and len are read once; the chain is freed from the ring's
 * private bookkeeping, never by following the (device-writable)
 * descriptor table.
 *
 * With IN_ORDER one used element may complete a batch: every outstanding
 * chain up to and including the one whose head is the element's id, oldest
 * first (virtio 1.x 2.7.9). The chains before the last get len 0 (the
 * device did not say); a batch larger than @p n is finished by the next
 * calls. With IN_ORDER and @p lens NULL, only the last of the new used
 * elements is read (and checked): it completes every chain before it, so
 * the elements between are neither read nor validated. With EVENT_IDX,
 * used_event is moved to the new last used index.
 * @param r       ring
 * @param cookies set to the chains' cookies
 * @param lens    set to the bytes the device wrote, or NULL
 * @param n       at most this many
 * @return chains reclaimed; 0 on a broken ring.
 * Thread: the lcore that entered the ring's access.
 */
uint16_t vu_vring_drv_reclaim(struct vu_vring_drv *r, void **cookies, uint32_t *lens,
			      uint16_t n);

/**
 * Take back every chain still outstanding (the device is gone or the ring
 * is stopped), so the caller can free its buffers, and reset the ring to
 * its state after vu_vring_drv_init(): indices 0, every descriptor free,
 * not broken (the counters are kept), and the three shared areas zeroed
 * again with avail->flags and used_event as init sets them, so the same
 * areas can be handed to a new device (a backend restart) with ring base 0.
 * The device must no longer access the areas (after GET_VRING_BASE or
 * when it is gone): they are rewritten.
 * @param r       ring
 * @param cookies set to the cookies, room for size entries
 * @return cookies returned, in head order.
 * Thread: control, while the ring is not accessible.
 */
uint16_t vu_vring_drv_drain(struct vu_vring_drv *r, void **cookies);

/**
 * Free descriptors.
 * @param r ring
 * @return descriptors vu_vring_drv_add() may still use.
 * Thread: the lcore that entered the ring's access.
 */
static inline uint16_t
vu_vring_drv_free(const struct vu_vring_drv *r)
{
	return r->nr_free;
}

/**
 * Why the ring broke.
 * @param r ring
 * @return VU_VRING_OK while healthy.
 * Thread: any (racy read).
 */
static inline enum vu_vring_error
vu_vring_drv_broken(const struct vu_vring_drv *r)
{
	return __atomic_load_n(&r->broken, __ATOMIC_RELAXED);
}

#endif /* VU_VRING_H */
