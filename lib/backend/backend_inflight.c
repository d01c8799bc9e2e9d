/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The inflight region (GET_INFLIGHT_FD / SET_INFLIGHT_FD, protocol feature
 * INFLIGHT_SHMFD): shared memory where the data plane records which
 * descriptors it has taken but not yet used, so that a restarted back-end,
 * given the same region again, resubmits exactly those.
 *
 * Layout for split rings, one area per queue, each 64-byte aligned:
 *   u64 features; u16 version; u16 desc_num; u16 last_batch_head; u16 used_idx;
 *   then desc_num entries of { u8 inflight; u8 padding[5]; u16 next; u64 counter; }
 * which is the layout QEMU's libvhost-user and DPDK use.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "backend_priv.h"

#define INFLIGHT_ALIGN	64
#define INFLIGHT_HDR	16
#define INFLIGHT_DESC	16

static uint64_t
queue_area_bytes(uint16_t queue_size)
{
	return RTE_ALIGN_CEIL(INFLIGHT_HDR + (uint64_t)INFLIGHT_DESC * queue_size, INFLIGHT_ALIGN);
}

static int
check_geometry(struct vu_backend *b, const char *req, uint16_t nq, uint16_t qsize)
{
	if (nq == 0 || nq > b->nvrings || qsize == 0 || qsize > VU_VRING_MAX_SIZE ||
	    !rte_is_power_of_2(qsize)) {
		BE_LOG_RL(ERR, b, "%s: %u queues of %u descriptors (have %u rings, size a power "
			  "of 2 up to %u)", req, nq, qsize, b->nvrings, VU_VRING_MAX_SIZE);
		return -EINVAL;
	}
	return 0;
}

void
be_inflight_release(struct vu_backend *b)
{
	if (b->inflight_addr != NULL)
		munmap(b->inflight_addr, b->inflight_size);
	if (b->inflight_fd >= 0)
		close(b->inflight_fd);
	b->inflight_addr = NULL;
	b->inflight_size = 0;
	b->inflight_fd = -1;
	b->inflight_queues = 0;
	b->inflight_queue_size = 0;
}

/* Map @p size bytes of @p fd at @p offset and make it the region. */
static int
adopt(struct vu_backend *b, int fd, uint64_t offset, uint64_t size, uint16_t nq, uint16_t qs)
{
	void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);

	if (addr == MAP_FAILED) {
		int err = errno;

		BE_LOG(ERR, b, "inflight region: mmap of %" PRIu64 " bytes: %s", size,
		       strerror(err));
		close(fd);
		return -err;
	}
	be_inflight_release(b);
	b->inflight_addr = addr;
	b->inflight_size = size;
	b->inflight_fd = fd;
	b->inflight_queues = nq;
	b->inflight_queue_size = qs;
	return 0;
}

/*
 * A running ring keeps a pointer into the region it started with: the
 * region may only be replaced (and the old one unmapped) while every ring
 * is stopped, which is when QEMU and lib/frontend send these requests.
 */
static int
check_rings_stopped(struct vu_backend *b, const char *req)
{
	if (be_all_rings_stopped(b))
		return 0;
	BE_LOG_RL(ERR, b, "%s while rings run: stop them with GET_VRING_BASE first", req);
	return -EBUSY;
}

int
be_inflight_get(struct vu_backend *b, const struct vu_inflight *req,
		struct vu_inflight *out, int *fd_out)
{
	uint64_t size;
	int fd, ret;

	ret = check_rings_stopped(b, "GET_INFLIGHT_FD");
	if (ret == 0)
		ret = check_geometry(b, "GET_INFLIGHT_FD", req->num_queues, req->queue_size);
	if (ret < 0)
		return ret;
	size = req->num_queues * queue_area_bytes(req->queue_size);
	fd = memfd_create("vu-inflight", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = adopt(b, fd, 0, size, req->num_queues, req->queue_size);
	if (ret < 0)
		return ret;
	/* A fresh region: each queue area says what it is (version 1, its
	 * descriptor count), as libvhost-user and DPDK write it. */
	for (uint16_t q = 0; q < req->num_queues; q++) {
		uint8_t *area = (uint8_t *)b->inflight_addr + q * queue_area_bytes(req->queue_size);
		uint16_t version = 1, desc_num = req->queue_size;

		memcpy(area + 8, &version, sizeof(version));
		memcpy(area + 10, &desc_num, sizeof(desc_num));
	}
	*out = (struct vu_inflight){ .mmap_size = size, .mmap_offset = 0,
		.num_queues = req->num_queues, .queue_size = req->queue_size };
	*fd_out = fd;
	return 0;
}

int
be_inflight_set(struct vu_backend *b, const struct vu_inflight *in, int fd)
{
	struct stat st;
	uint64_t need;
	int ret = check_rings_stopped(b, "SET_INFLIGHT_FD");

	if (ret == 0)
		ret = check_geometry(b, "SET_INFLIGHT_FD", in->num_queues, in->queue_size);
	need = in->num_queues * queue_area_bytes(in->queue_size);
	if (ret == 0 && (in->mmap_size < need || in->mmap_offset > UINT64_MAX - in->mmap_size ||
			 (in->mmap_offset & (sysconf(_SC_PAGESIZE) - 1)))) {
		BE_LOG_RL(ERR, b, "SET_INFLIGHT_FD: size %" PRIu64 " at offset %" PRIu64
			  " (need %" PRIu64 ", page-aligned offset)", in->mmap_size,
			  in->mmap_offset, need);
		ret = -EINVAL;
	}
	if (ret == 0 && (fstat(fd, &st) != 0 ||
			 (uint64_t)st.st_size < in->mmap_offset + in->mmap_size)) {
		BE_LOG_RL(ERR, b, "SET_INFLIGHT_FD: the fd is smaller than the region it describes");
		ret = -EINVAL;
	}
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return adopt(b, fd, in->mmap_offset, in->mmap_size, in->num_queues, in->queue_size);
}

void *
be_inflight_queue(const struct vu_backend *b, uint16_t index)
{
	if (b->inflight_addr == NULL || index >= b->inflight_queues)
		return NULL;
	return (char *)b->inflight_addr + index * queue_area_bytes(b->inflight_queue_size);
}
