/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the driver side of the split ring against a device
 * that writes whatever the input says into the shared areas, interleaved
 * with the driver's own add / publish / reclaim / drain calls.
 *
 * Input: u8 size_log2 (ring size 1 << (v % 9), so 1..256), u8 mode (bit 0
 * IN_ORDER, bit 1 EVENT_IDX, bit 2 want_calls, bit 3 a kick eventfd), then
 * records of one op byte and its arguments:
 *   0 add       u8 nsegs-1 (low 2 bits) + write mask (bits 2-5), u8 len
 *   1 publish
 *   2 reclaim   u8: n (low 7 bits), bit 7 without lengths (a transmit ring)
 *   3 used elem u8 slot, u32 id, u32 len
 *   4 used idx  u16
 *   5 desc      u8 index, 16 bytes
 *   6 flags     u16 used->flags, u16 avail_event
 *   7 device    u8 how, u8 len: complete everything published so far as
 *               a well-behaved device would (how bit 0: newest first; bit 1:
 *               one element for the whole batch; bit 2: used len = len,
 *               which may exceed the offer, else 0)
 *   8 drain
 *   9 avail     u8 offset, u8 value (the device scribbling on our area)
 *  10 add burst u8 n-1 (low 6 bits), bit 6 writable, bit 7 the last
 *               segment's len 0 (rejected: the burst stops there); u8 len
 * Invariants (abort() here only): each cookie reclaim or drain returns is
 * outstanding and comes back once; a len is at most the writable bytes
 * offered; the ring's counts match the model; a broken ring refuses add
 * and returns nothing; after the final drain every cookie is back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_bitops.h>
#include <rte_common.h>
#include <rte_log.h>

#include "vu_vring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SIZE_MAX_RING	256
#define MAX_ADDS	2048

/* The shared areas, laid out as a frontend would. */
static uint8_t area[VU_VRING_DESC_BYTES(SIZE_MAX_RING) + VU_VRING_AVAIL_BYTES(SIZE_MAX_RING) +
		    VU_VRING_USED_BYTES(SIZE_MAX_RING) + 64] __rte_aligned(64);
static uint8_t bufs[4][256];
static int kick_fd = -1;

/* Model: per cookie 0 never added, 1 outstanding, 2 returned. */
static uint8_t state[MAX_ADDS];
static uint32_t offered[MAX_ADDS];
static unsigned int nadds, nout;

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t
u8(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static void
take(struct input *in, void *dst, size_t n)
{
	size_t k = RTE_MIN(n, in->left);

	memset(dst, 0, n);
	memcpy(dst, in->p, k);
	in->p += k;
	in->left -= k;
}

static void
returned_one(void *cookie, const uint32_t *len)
{
	uintptr_t c = (uintptr_t)cookie;

	if (c == 0 || c > nadds || state[c - 1] != 1)
		abort();	/* not outstanding, or returned twice */
	if (len != NULL && *len > offered[c - 1])
		abort();
	state[c - 1] = 2;
	nout--;
}

static void
check_counts(const struct vu_vring_drv *r)
{
	if (r->outstanding != nout || vu_vring_drv_free(r) > r->size)
		abort();
	if (nout == 0 && vu_vring_drv_free(r) != r->size)
		abort();
}

static void
op_add(struct vu_vring_drv *r, struct input *in)
{
	uint8_t spec = u8(in), len = u8(in);
	uint16_t nsegs = (spec & 3) + 1, k;
	struct vu_vring_drv_seg s[4];
	uint32_t wlen = 0;
	int ret;

	for (k = 0; k < nsegs; k++) {
		s[k].addr = bufs[k];
		s[k].len = len;		/* 0 is rejected */
		s[k].write = (spec >> (2 + k)) & 1;	/* bad orders are rejected */
		wlen += s[k].write ? len : 0;
	}
	if (nadds == MAX_ADDS)
		return;
	ret = vu_vring_drv_add(r, s, nsegs, (void *)(uintptr_t)(nadds + 1));
	if (vu_vring_drv_broken(r) != VU_VRING_OK && ret != -EIO)
		abort();
	if (ret == 0) {
		state[nadds] = 1;
		offered[nadds] = wlen;
		nadds++;
		nout++;
	} else if (ret != -EIO && ret != -EINVAL && ret != -ENOSPC) {
		abort();
	}
}

static void
op_add_burst(struct vu_vring_drv *r, struct input *in)
{
	uint8_t spec = u8(in), len = u8(in);
	uint16_t n = (spec & 63) + 1, k, added, expect;
	struct vu_vring_drv_seg s[64];
	void *c[64];
	bool broken = vu_vring_drv_broken(r) != VU_VRING_OK;

	if (nadds + n > MAX_ADDS)
		return;
	for (k = 0; k < n; k++) {
		s[k] = (struct vu_vring_drv_seg){ bufs[k % 4], len, (spec >> 6) & 1 };
		c[k] = (void *)(uintptr_t)(nadds + k + 1);
	}
	if (spec & 0x80)
		s[n - 1].len = 0;
	/* Stops at the first len 0, at the free count, and on a broken ring. */
	for (expect = 0; expect < n && s[expect].len != 0; expect++)
		;
	expect = broken ? 0 : RTE_MIN(expect, vu_vring_drv_free(r));
	added = vu_vring_drv_add_burst(r, s, c, n);
	if (added != expect)
		abort();
	for (k = 0; k < added; k++) {
		state[nadds] = 1;
		offered[nadds] = s[k].write ? len : 0;
		nadds++;
		nout++;
	}
}

static void
op_reclaim(struct vu_vring_drv *r, uint8_t arg)
{
	void *c[SIZE_MAX_RING];
	uint32_t lens[SIZE_MAX_RING];
	bool was_broken = vu_vring_drv_broken(r) != VU_VRING_OK;
	bool with_lens = !(arg & 0x80);
	uint16_t n = arg & 0x7f, got, k;

	got = vu_vring_drv_reclaim(r, c, with_lens ? lens : NULL, n);
	if (got > n || (was_broken && got != 0))
		abort();
	for (k = 0; k < got; k++)
		returned_one(c[k], with_lens ? &lens[k] : NULL);
}

static void
op_drain(struct vu_vring_drv *r)
{
	void *c[SIZE_MAX_RING];
	uint16_t got = vu_vring_drv_drain(r, c), k;

	for (k = 0; k < got; k++)
		returned_one(c[k], NULL);
	if (nout != 0)
		abort();	/* drain missed one */
}

/* An honest device: complete everything published since last time. */
static void
op_device(struct vu_vring_drv *r, struct input *in, uint16_t *dev_avail, uint16_t *dev_used)
{
	uint8_t how = u8(in), len = u8(in);
	uint16_t heads[SIZE_MAX_RING], n = 0, k, mask = r->size - 1;
	uint16_t idx = __atomic_load_n(&r->avail->idx, __ATOMIC_ACQUIRE);

	while (*dev_avail != idx && n < r->size)
		heads[n++] = r->avail->ring[(*dev_avail)++ & mask];
	for (k = 0; k < n; k++) {
		uint16_t h = how & 1 ? heads[n - 1 - k] : heads[k];

		if ((how & 2) && k + 1 < n)
			continue;	/* in order: one element for the batch */
		r->used->ring[*dev_used & mask] = (struct vu_vring_used_elem){
			h, how & 4 ? len : 0 };
		(*dev_used)++;
	}
	__atomic_store_n(&r->used->idx, *dev_used, __ATOMIC_RELEASE);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	rte_log_set_global_level(RTE_LOG_EMERG);	/* breaks are expected */
	kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return 0;
}

static void
run_ops(struct vu_vring_drv *r, struct input *in)
{
	uint16_t dev_avail = 0, dev_used = 0, mask = r->size - 1;
	unsigned int ops = 0, breaks = 0;
	bool was_broken = false;

	while (in->left > 0 && ops++ < 4096) {
		uint8_t op = u8(in) % 11;

		switch (op) {
		case 0:
			op_add(r, in);
			break;
		case 1:
			vu_vring_drv_publish(r);
			break;
		case 2:
			op_reclaim(r, u8(in));
			break;
		case 3: {
			uint8_t slot = u8(in);
			struct vu_vring_used_elem e;

			take(in, &e, sizeof(e));
			r->used->ring[slot & mask] = e;
			break;
		}
		case 4: {
			uint16_t v;

			take(in, &v, sizeof(v));
			dev_used = v;
			__atomic_store_n(&r->used->idx, v, __ATOMIC_RELEASE);
			break;
		}
		case 5: {
			uint8_t k = u8(in);

			take(in, &r->desc[k & mask], sizeof(struct vu_vring_desc));
			break;
		}
		case 6: {
			uint16_t v[2];

			take(in, v, sizeof(v));
			r->used->flags = v[0];
			*(uint16_t *)(void *)&r->used->ring[r->size] = v[1];
			break;
		}
		case 7:
			op_device(r, in, &dev_avail, &dev_used);
			break;
		case 8:
			op_drain(r);
			dev_avail = dev_used = 0;
			break;
		case 10:
			op_add_burst(r, in);
			break;
		default: {
			uint8_t off = u8(in), v = u8(in);

			((uint8_t *)r->avail)[off % VU_VRING_AVAIL_BYTES(r->size)] = v;
			break;
		}
		}
		/* A ring breaks once until drain makes it new: one count per break. */
		if (vu_vring_drv_broken(r) != VU_VRING_OK && !was_broken)
			breaks++;
		was_broken = vu_vring_drv_broken(r) != VU_VRING_OK;
		if (r->stats.broken != breaks)
			abort();
		check_counts(r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	uint8_t size_log2 = u8(&in), mode = u8(&in);
	uint16_t rsize = (uint16_t)(1u << (size_log2 % 9));
	struct vu_vring_drv_conf conf = {
		.name = "fuzz", .size = rsize,
		.features = (mode & 1 ? RTE_BIT64(VU_VRING_FEATURE_IN_ORDER) : 0) |
			    (mode & 2 ? RTE_BIT64(VU_VRING_FEATURE_EVENT_IDX) : 0),
		.want_calls = mode & 4, .kick_fd = mode & 8 ? kick_fd : -1,
		.addr_offset = (uint64_t)mode << 32,
	};
	struct vu_vring_drv r;
	uint64_t drainbuf;
	unsigned int i;

	memset(area, 0, sizeof(area));
	conf.desc = area;
	conf.avail = area + VU_VRING_DESC_BYTES(rsize);
	conf.used = area + RTE_ALIGN_CEIL(VU_VRING_DESC_BYTES(rsize) +
					  VU_VRING_AVAIL_BYTES(rsize), 4);
	memset(state, 0, sizeof(state));
	nadds = nout = 0;
	if (vu_vring_drv_init(&r, &conf) != 0)
		abort();
	run_ops(&r, &in);
	op_drain(&r);
	for (i = 0; i < nadds; i++)
		if (state[i] != 2)
			abort();
	vu_vring_drv_fini(&r);
	if (kick_fd >= 0 && read(kick_fd, &drainbuf, sizeof(drainbuf)) < 0 && errno != EAGAIN)
		abort();
	return 0;
}
