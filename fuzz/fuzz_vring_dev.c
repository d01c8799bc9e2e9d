/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the device side of a split ring over a guest-memory
 * image the input supplies.
 *
 * Input: a 16-byte header, then the image. The image is copied to the start
 * of one memfd (FILE_BYTES, created once; the rest is zeroed), whose fixed
 * offsets hold the rings: the descriptor table at 0, the avail ring at
 * 0x1000, the used ring at 0x1800, the inflight area at 0x2400; everything
 * else is buffers and indirect tables. Guest memory is 1-3 windows of that
 * file mapped through a real vu_mem_table, with holes (or none) between
 * them in GPA space, so descriptors see regions, holes and region ends.
 *
 * Header: u8 ring size log2 (mod 9: 1..256), u8 flags (bit 0 INDIRECT_DESC,
 * 1 EVENT_IDX, 2 inflight, 3-4 regions - 1, 5 dirty log, 6 log used ring),
 * u16 last_avail, u16 first region GPA in pages, 3 x { u8 file page, u8
 * pages, u8 GPA gap in pages before it }, u8 seed for burst sizes and unpop.
 *
 * Run: pop, read every readable byte and write every writable byte of each
 * segment (ASan, and the region mappings' ends, catch a bad translation),
 * sometimes unpop some, push the rest with len = write_len; until pop
 * returns 0, at most MAX_ROUNDS times. With inflight on, the ring is then
 * re-initialised over the same area (a restart) and run again.
 * Invariants: segment lengths add up to read_len + write_len, none is 0,
 * each lies inside a region; a broken ring pops nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_log.h>

#include "vu_mem.h"
#include "vu_vring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define PAGE		4096u
#define FILE_PAGES	32u
#define FILE_BYTES	(FILE_PAGES * PAGE)
#define DESC_OFF	0x0000u
#define AVAIL_OFF	0x1000u
#define USED_OFF	0x1800u
#define INFLIGHT_OFF	0x2400u
#define HDR_BYTES	16u
#define MAX_ROUNDS	64

#define F_INDIRECT	(UINT64_C(1) << 28)
#define F_EVENT_IDX	(UINT64_C(1) << 29)

struct hdr {
	uint8_t size_log2;
	uint8_t flags;
	uint16_t last_avail;
	uint16_t first_gpa_pages;
	struct {
		uint8_t file_page;
		uint8_t pages;
		uint8_t gap_pages;
	} reg[3];
	uint8_t seed;
} __attribute__((packed));

_Static_assert(sizeof(struct hdr) == HDR_BYTES, "header");

static int file_fd = -1, call_fd = -1, err_fd = -1;
static uint8_t *file;
static struct vu_mem_log *dirty;
static struct vu_vring_chain chains[VU_VRING_BURST_MAX];
static volatile uint8_t sink;
static uint8_t scratch[FILE_BYTES];	/* a segment never exceeds the file */

#define FAIL_IF(cond) do { if (cond) __builtin_trap(); } while (0)

static struct vu_mem_table *
make_table(const struct hdr *h)
{
	struct vu_mem_region r[3];
	uint32_t i, n = 1 + ((h->flags >> 3) & 3) % 3;
	uint64_t gpa = (uint64_t)h->first_gpa_pages * PAGE;
	int fds[3];

	for (i = 0; i < n; i++) {
		uint32_t off = h->reg[i].file_page % FILE_PAGES;
		uint32_t pages = 1 + h->reg[i].pages % (FILE_PAGES - off);

		gpa += (uint64_t)h->reg[i].gap_pages * PAGE;
		r[i] = (struct vu_mem_region){ .guest_phys_addr = gpa,
			.memory_size = (uint64_t)pages * PAGE,
			.userspace_addr = 0x7f0000000000 + gpa,
			.mmap_offset = (uint64_t)off * PAGE };
		gpa += (uint64_t)pages * PAGE;
		fds[i] = dup(file_fd);
	}
	return vu_mem_table_create("fuzz", r, n, fds);
}

/* Touch every byte of every segment; check what the API promises. */
static void
use_chain(const struct vu_mem_table *mem, const struct vu_vring_chain *c, uint16_t size)
{
	uint64_t total = 0;
	uint32_t i;

	FAIL_IF(c->head >= size);
	FAIL_IF(c->nr_read + c->nr_write > VU_VRING_SEGS_MAX);
	for (i = 0; i < (uint32_t)c->nr_read + c->nr_write; i++) {
		const struct vu_vring_seg *s = &c->seg[i];
		uint8_t *p = s->addr;

		FAIL_IF(s->len == 0);
		FAIL_IF(vu_mem_gpa_to_local(mem, s->gpa, s->len) != s->addr);
		total += s->len;
		if (i < c->nr_read) {
			/* ASan checks the whole range in the copy, once,
			 * where a byte loop checked every byte */
			memcpy(scratch, p, s->len);
			sink = scratch[s->len - 1];
		} else {
			memset(p, 0x5a, s->len);
		}
	}
	FAIL_IF(total != (uint64_t)c->read_len + c->write_len);
}

static void
run(struct vu_vring_dev *r, const struct vu_mem_table *mem, uint8_t seed)
{
	struct vu_vring_used_elem used[VU_VRING_BURST_MAX];
	uint16_t n, i, keep;
	int round;

	for (round = 0; round < MAX_ROUNDS; round++) {
		uint16_t want = (uint16_t)(1 + (seed + round * 7) % VU_VRING_BURST_MAX);

		n = vu_vring_dev_pop(r, chains, want);
		FAIL_IF(n > want);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			use_chain(mem, &chains[i], r->size);
		keep = n;
		if (round < 4 && ((seed >> round) & 1))
			keep = n / 2;
		vu_vring_dev_unpop(r, (uint16_t)(n - keep));
		for (i = 0; i < keep; i++) {
			used[i] = (struct vu_vring_used_elem){ chains[i].head, chains[i].write_len };
			if (chains[i].nr_write > 0)
				vu_vring_dev_log_write(r, chains[i].seg[chains[i].nr_read].gpa,
						       chains[i].seg[chains[i].nr_read].len);
		}
		vu_vring_dev_push(r, used, keep);
	}
	if (vu_vring_dev_broken(r) != VU_VRING_OK)
		FAIL_IF(vu_vring_dev_pop(r, chains, VU_VRING_BURST_MAX) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_vring_dev r;
	struct vu_vring_dev_conf conf;
	struct vu_mem_table *mem;
	struct hdr h;
	uint64_t v;

	if (size < HDR_BYTES)
		return 0;
	memcpy(&h, data, HDR_BYTES);
	data += HDR_BYTES;
	size -= HDR_BYTES;
	size = size < FILE_BYTES ? size : FILE_BYTES;
	memcpy(file, data, size);
	memset(file + size, 0, FILE_BYTES - size);
	mem = make_table(&h);
	if (mem == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	conf = (struct vu_vring_dev_conf){
		.name = "fuzz", .size = (uint16_t)(1u << (h.size_log2 % 9)),
		.desc = file + DESC_OFF, .avail = file + AVAIL_OFF, .used = file + USED_OFF,
		.last_avail = h.last_avail,
		.features = ((h.flags & 1) ? F_INDIRECT : 0) | ((h.flags & 2) ? F_EVENT_IDX : 0),
		.mem = mem, .call_fd = call_fd, .err_fd = err_fd,
		.log = (h.flags & 0x20) ? dirty : NULL,
		.used_gpa = (uint64_t)h.first_gpa_pages * PAGE + USED_OFF,
		.log_used = (h.flags & 0x40) != 0,
		.inflight = (h.flags & 4) ? file + INFLIGHT_OFF : NULL,
		.inflight_size = (uint16_t)(1u << (h.size_log2 % 9)),
	};
	FAIL_IF(vu_vring_dev_init(&r, &conf) != 0);
	run(&r, mem, h.seed);
	if (conf.inflight != NULL) {
		/* restart over the same area, as after a crash */
		conf.last_avail = ((struct vu_vring_used *)conf.used)->idx;
		FAIL_IF(vu_vring_dev_init(&r, &conf) != 0);
		run(&r, mem, (uint8_t)(h.seed * 3 + 1));
	}
	vu_vring_dev_fini(&r);
	vu_mem_table_free(mem);
	while (read(call_fd, &v, sizeof(v)) == sizeof(v))
		;
	while (read(err_fd, &v, sizeof(v)) == sizeof(v))
		;
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int log_fd;

	(void)argc;
	(void)argv;
	if (getenv("VU_FUZZ_VERBOSE") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);	/* breaks are expected */
	file_fd = memfd_create("fuzz-vring", MFD_CLOEXEC);
	if (file_fd < 0 || ftruncate(file_fd, FILE_BYTES) != 0)
		abort();
	file = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
	if (file == MAP_FAILED)
		abort();
	call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	log_fd = memfd_create("fuzz-vring-log", MFD_CLOEXEC);
	if (call_fd < 0 || err_fd < 0 || log_fd < 0 || ftruncate(log_fd, PAGE) != 0)
		abort();
	dirty = vu_mem_log_create("fuzz", &(struct vu_log){ PAGE, 0 }, log_fd);
	if (dirty == NULL)
		abort();
	return 0;
}
