/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring lifecycle on the control plane: translate the areas the front-end
 * gave, start a ring (hand it to the device), stop it (take it back), and
 * pause/resume a running ring around a change of its configuration or of
 * guest memory, so the data plane never sees a half-changed ring.
 */
#include <errno.h>
#include <unistd.h>

#include <rte_common.h>

#include "backend_priv.h"

/* Bytes of each split-ring area for @p size descriptors (virtio 1.x 2.7). */
static uint64_t desc_bytes(uint16_t size) { return 16ull * size; }
static uint64_t avail_bytes(uint16_t size) { return 6ull + 2ull * size; }
static uint64_t used_bytes(uint16_t size) { return 6ull + 8ull * size; }

/* Map one ring area: aligned, and wholly inside one mapped region. */
static void *
map_area(struct vu_backend *b, const struct be_vring *vr, const char *what,
	 uint64_t vva, uint64_t len, uint64_t align)
{
	void *p;

	if (vva & (align - 1)) {
		BE_LOG_RL(ERR, b, "ring %u: %s address 0x%" PRIx64 " not %" PRIu64 "-byte aligned",
			  vr->cfg.index, what, vva, align);
		return NULL;
	}
	p = be_mem_vva_to_local(b, vva, len);
	if (p == NULL)
		BE_LOG_RL(ERR, b, "ring %u: %s area 0x%" PRIx64 "+%" PRIu64
			  " is not inside guest memory", vr->cfg.index, what, vva, len);
	return p;
}

int
be_vring_translate(struct vu_backend *b, struct be_vring *vr)
{
	uint16_t n = vr->cfg.size;
	void *desc, *avail, *used;

	desc = map_area(b, vr, "descriptor table", vr->desc_va, desc_bytes(n), 16);
	avail = map_area(b, vr, "available ring", vr->avail_va, avail_bytes(n), 2);
	used = map_area(b, vr, "used ring", vr->used_va, used_bytes(n), 4);
	if (desc == NULL || avail == NULL || used == NULL)
		return -EFAULT;
	vr->cfg.desc = desc;
	vr->cfg.avail = avail;
	vr->cfg.used = used;
	vr->cfg.used_gpa = vr->log_gpa;
	vr->cfg.log_used = (vr->addr_flags & VU_VRING_F_LOG) != 0;
	return 0;
}

int
be_vring_start(struct vu_backend *b, struct be_vring *vr)
{
	int ret;

	/* Guest memory may have changed since SET_VRING_ADDR (a new table, a
	 * region removed): translate against the table the ring starts on. */
	ret = be_vring_translate(b, vr);
	if (ret < 0)
		return ret;
	vr->cfg.features = b->features;
	vr->cfg.mem = b->mem;
	vr->cfg.log = b->log;
	vr->cfg.inflight = be_inflight_queue(b, vr->cfg.index);
	vr->cfg.inflight_size = vr->cfg.inflight != NULL ? b->inflight_queue_size : 0;
	ret = b->ops->start_queue(b, &vr->cfg);
	if (ret < 0) {
		BE_LOG(ERR, b, "ring %u: the %s device could not start it: %s",
		       vr->cfg.index, b->ops->type, strerror(-ret));
		return ret;
	}
	vr->started = true;
	return 0;
}

int
be_vring_stop(struct vu_backend *b, struct be_vring *vr, uint16_t *next_avail)
{
	int ret = b->ops->stop_queue(b, vr->cfg.index, next_avail);

	/* Whatever the device says, it no longer owns the ring. */
	vr->started = false;
	if (ret < 0)
		BE_LOG(ERR, b, "ring %u: the %s device failed to stop it: %s",
		       vr->cfg.index, b->ops->type, strerror(-ret));
	return ret;
}

int
be_vring_pause(struct vu_backend *b, struct be_vring *vr)
{
	uint16_t next;
	int ret;

	if (!vr->started)
		return 0;
	ret = be_vring_stop(b, vr, &next);
	if (ret < 0)
		return ret;
	vr->cfg.base = next;
	vr->paused = true;
	return 0;
}

int
be_vring_resume(struct vu_backend *b, struct be_vring *vr)
{
	if (!vr->paused)
		return 0;
	vr->paused = false;
	return be_vring_start(b, vr);
}

void
be_rings_pause(struct vu_backend *b)
{
	uint16_t i;

	for (i = 0; i < b->nvrings; i++)
		be_vring_pause(b, &b->vrings[i]);
}

int
be_rings_resume(struct vu_backend *b)
{
	int ret = 0, r;
	uint16_t i;

	for (i = 0; i < b->nvrings; i++) {
		r = be_vring_resume(b, &b->vrings[i]);
		if (r < 0)
			ret = r;
	}
	return ret;
}

bool
be_all_rings_stopped(const struct vu_backend *b)
{
	uint16_t i;

	for (i = 0; i < b->nvrings; i++)
		if (b->vrings[i].started)
			return false;
	return true;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
be_vring_clear(const struct vu_backend *b, struct be_vring *vr)
{
	uint16_t index = vr->cfg.index;

	close_fd(&vr->cfg.kick_fd);
	close_fd(&vr->cfg.call_fd);
	close_fd(&vr->cfg.err_fd);
	*vr = (struct be_vring){ .cfg = {
		.index = index, .kick_fd = -1, .call_fd = -1, .err_fd = -1,
		/* Without PROTOCOL_FEATURES a ring is enabled from the start. */
		.enabled = !(b->features & RTE_BIT64(VU_F_PROTOCOL_FEATURES)),
	} };
}

void
be_rings_stop_all(struct vu_backend *b)
{
	uint16_t i, next;

	for (i = 0; i < b->nvrings; i++) {
		if (b->vrings[i].started)
			be_vring_stop(b, &b->vrings[i], &next);
		be_vring_clear(b, &b->vrings[i]);
	}
}
