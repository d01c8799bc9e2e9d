/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Activation and the ring lifecycle, as VhostUserFrontend::activate(),
 * deactivate_vring(), reset(), virtio_sleep() and virtio_wake(), plus what
 * the reference leaves out: memory slots (ADD_MEM_REG/REM_MEM_REG), the
 * inflight region, and the replay of all of it after a reconnect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "frontend_priv.h"
#include "vu_guest_mem.h"

int
fe_send_features(struct vu_frontend *fe, uint64_t features)
{
	uint64_t f = (features & fe->avail_features) | fe->acked_features;
	int ret;

	ret = fe_request_u64(fe, VU_REQ_SET_FEATURES, f);
	if (ret < 0) {
		FE_LOG(ERR, fe, "failed to enable features 0x%" PRIx64, f);
		return ret;
	}
	fe->acked_features = f;
	fe->sent_set_features = true;
	return 0;
}

static struct vu_mem_region
wire_region(const struct vu_frontend_mem_region *r)
{
	return (struct vu_mem_region){ .guest_phys_addr = r->gpa, .memory_size = r->size,
		.userspace_addr = (uint64_t)(uintptr_t)r->va, .mmap_offset = r->fd_offset };
}

static bool
same_region(const struct vu_mem_region *a, const struct vu_mem_region *b)
{
	return a->guest_phys_addr == b->guest_phys_addr && a->memory_size == b->memory_size &&
	       a->userspace_addr == b->userspace_addr && a->mmap_offset == b->mmap_offset;
}

static int
set_mem_table(struct vu_frontend *fe)
{
	struct vu_mem_regions t = { .nregions = fe->nregions };
	int fds[VU_MEM_TABLE_MAX_REGIONS];
	unsigned int i;

	if (fe->nregions > VU_MEM_TABLE_MAX_REGIONS) {
		FE_LOG(ERR, fe, "%u memory regions: SET_MEM_TABLE takes %u and the backend "
		       "has no CONFIGURE_MEM_SLOTS", fe->nregions, VU_MEM_TABLE_MAX_REGIONS);
		return -E2BIG;
	}
	for (i = 0; i < fe->nregions; i++) {
		t.regions[i] = wire_region(&fe->regions[i]);
		fds[i] = fe->regions[i].fd;
	}
	return fe_request(fe, VU_REQ_SET_MEM_TABLE, &t, 8 + i * sizeof(t.regions[0]), fds, i,
			  NULL);
}

static bool
in_table(const struct vu_mem_region *r, const struct vu_mem_region *t, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (same_region(r, &t[i]))
			return true;
	return false;
}

/* CONFIGURE_MEM_SLOTS: remove what went away, add what is new. */
static int
update_mem_slots(struct vu_frontend *fe)
{
	struct vu_mem_region_msg m = { 0 };
	struct vu_mem_region *want;
	struct vu_msg reply;
	unsigned int i;
	int ret = 0;

	if (fe->max_mem_slots == 0) {
		ret = fe_request(fe, VU_REQ_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0, &reply);
		if (ret < 0)
			return ret;
		fe->max_mem_slots = reply.payload.u64;
	}
	if (fe->nregions > fe->max_mem_slots) {
		FE_LOG(ERR, fe, "%u memory regions, the backend has %" PRIu64 " slots",
		       fe->nregions, fe->max_mem_slots);
		return -E2BIG;
	}
	want = calloc(fe->nregions + 1, sizeof(*want));
	if (want == NULL)
		return -ENOMEM;
	for (i = 0; i < fe->nregions; i++)
		want[i] = wire_region(&fe->regions[i]);
	for (i = 0; i < fe->nsent_regions && ret == 0; i++) {
		if (in_table(&fe->sent_regions[i], want, fe->nregions))
			continue;
		m.region = fe->sent_regions[i];
		ret = fe_request(fe, VU_REQ_REM_MEM_REG, &m, sizeof(m), NULL, 0, NULL);
	}
	for (i = 0; i < fe->nregions && ret == 0; i++) {
		if (in_table(&want[i], fe->sent_regions, fe->nsent_regions))
			continue;
		m.region = want[i];
		ret = fe_request(fe, VU_REQ_ADD_MEM_REG, &m, sizeof(m), &fe->regions[i].fd, 1,
				 NULL);
	}
	free(fe->sent_regions);
	/* On failure the backend's table is unknown: next time send everything again. */
	fe->sent_regions = ret == 0 ? want : NULL;
	fe->nsent_regions = ret == 0 ? fe->nregions : 0;
	if (ret != 0)
		free(want);
	return ret;
}

static int
send_mem(struct vu_frontend *fe)
{
	return FE_HAS_PF(fe, CONFIGURE_MEM_SLOTS) ? update_mem_slots(fe) : set_mem_table(fe);
}

/* GET_INFLIGHT_FD once per device, SET_INFLIGHT_FD to a restarted backend. */
static int
send_inflight(struct vu_frontend *fe)
{
	struct vu_msg reply;
	uint16_t qsize = 0;
	unsigned int i;
	int ret;

	if (!FE_HAS_PF(fe, INFLIGHT_SHMFD) || fe->inflight_sent)
		return 0;
	if (fe->inflight_fd >= 0) {
		ret = fe_request(fe, VU_REQ_SET_INFLIGHT_FD, &fe->inflight,
				 sizeof(fe->inflight), &fe->inflight_fd, 1, NULL);
		fe->inflight_sent = ret == 0;
		return ret;
	}
	/* Sized for the rings being activated, as QEMU does: a backend keeps
	 * inflight entries per descriptor of a ring of exactly this size. */
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++)
		qsize = RTE_MAX(qsize, fe->vrings[i].cfg.size);
	fe->inflight = (struct vu_inflight){ .num_queues = fe->num_queues,
		.queue_size = qsize != 0 ? qsize : fe->max_queue_size };
	ret = fe_request(fe, VU_REQ_GET_INFLIGHT_FD, &fe->inflight, sizeof(fe->inflight), NULL,
			 0, &reply);
	if (ret < 0)
		return ret;
	if (reply.nfds != 1) {
		FE_LOG(ERR, fe, "GET_INFLIGHT_FD: no fd in the reply");
		return -EBADMSG;
	}
	fe->inflight_fd = reply.fds[0];
	fe->inflight.mmap_size = reply.payload.inflight.mmap_size;
	fe->inflight.mmap_offset = reply.payload.inflight.mmap_offset;
	fe->inflight_sent = true;
	return 0;
}

static uint64_t
va(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* NUM, ADDR, BASE, CALL, KICK, ENABLE for one ring. */
static int
activate_vring(struct vu_frontend *fe, const struct vu_frontend_vring *v)
{
	struct vu_vring_addr a = { .index = v->index, .desc = va(v->desc),
				   .avail = va(v->avail), .used = va(v->used) };
	uint64_t call = v->index | (v->call_fd < 0 ? VU_VRING_NOFD : 0);
	uint64_t kick = v->index | (v->kick_fd < 0 ? VU_VRING_NOFD : 0);
	int ret;

	ret = fe_request_state(fe, VU_REQ_SET_VRING_NUM, v->index, v->size);
	if (ret == 0)
		ret = fe_request(fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL);
	if (ret == 0)
		ret = fe_request_state(fe, VU_REQ_SET_VRING_BASE, v->index, v->base);
	if (ret == 0)
		ret = fe_request(fe, VU_REQ_SET_VRING_CALL, &call, sizeof(call), &v->call_fd,
				 v->call_fd >= 0, NULL);
	if (ret == 0)
		ret = fe_request(fe, VU_REQ_SET_VRING_KICK, &kick, sizeof(kick), &v->kick_fd,
				 v->kick_fd >= 0, NULL);
	/* ENABLE only when PROTOCOL_FEATURES is negotiated (the specification's rule). */
	if (ret == 0 && (fe->acked_features & RTE_BIT64(VU_F_PROTOCOL_FEATURES)))
		ret = fe_request_state(fe, VU_REQ_SET_VRING_ENABLE, v->index, 1);
	if (ret < 0)
		FE_LOG(ERR, fe, "ring %u: activation failed: %s", v->index, strerror(-ret));
	return ret;
}

static int
stop_vring(struct vu_frontend *fe, uint16_t index, uint16_t *base)
{
	struct vu_vring_state s = { index, 0 };
	struct vu_msg reply;
	int ret = 0;

	if (fe->acked_features & RTE_BIT64(VU_F_PROTOCOL_FEATURES))
		ret = fe_request_state(fe, VU_REQ_SET_VRING_ENABLE, index, 0);
	if (ret == 0)
		ret = fe_request(fe, VU_REQ_GET_VRING_BASE, &s, sizeof(s), NULL, 0, &reply);
	if (ret < 0)
		return ret;
	if (reply.payload.state.index != index || reply.payload.state.num > UINT16_MAX) {
		FE_LOG(ERR, fe, "GET_VRING_BASE %u: answered ring %u base %u", index,
		       reply.payload.state.index, reply.payload.state.num);
		return -EPROTO;
	}
	fe->vrings[index].active = false;
	fe->vrings[index].cfg.base = (uint16_t)reply.payload.state.num;
	if (base != NULL)
		*base = (uint16_t)reply.payload.state.num;
	return 0;
}

/* Drop a ring's configuration and close the eventfds it owns. */
static void
forget_vring(struct fe_vring *r)
{
	if (r->cfg.kick_fd >= 0)
		close(r->cfg.kick_fd);
	if (r->cfg.call_fd >= 0)
		close(r->cfg.call_fd);
	*r = (struct fe_vring){ .cfg = { .kick_fd = -1, .call_fd = -1 } };
}

void
fe_forget_activation(struct vu_frontend *fe)
{
	unsigned int i;

	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++)
		forget_vring(&fe->vrings[i]);
	for (i = 0; i < fe->nregions; i++)
		close(fe->regions[i].fd);
	free(fe->regions);
	fe->regions = NULL;
	fe->nregions = 0;
	fe->activated = fe->asleep = false;
}

static bool
addr_in_regions(const struct vu_frontend *fe, const void *p, uint64_t len)
{
	uint64_t a = va(p);
	unsigned int i;

	for (i = 0; i < fe->nregions; i++) {
		uint64_t b = va(fe->regions[i].va);

		if (a >= b && len <= fe->regions[i].size && a - b <= fe->regions[i].size - len)
			return true;
	}
	return false;
}

static int
check_vring(const struct vu_frontend *fe, const struct vu_frontend_vring *v)
{
	uint64_t n = v->size;

	if (v->index >= fe->num_queues || !rte_is_power_of_2(v->size) ||
	    v->size > fe->max_queue_size) {
		FE_LOG(ERR, fe, "ring %u: bad index or size %u (%u queues, max size %u)",
		       v->index, v->size, fe->num_queues, fe->max_queue_size);
		return -EINVAL;
	}
	if (fe->vrings[v->index].active)
		return -EBUSY;
	if (!addr_in_regions(fe, v->desc, 16 * n) || !addr_in_regions(fe, v->avail, 6 + 2 * n) ||
	    !addr_in_regions(fe, v->used, 6 + 8 * n)) {
		FE_LOG(ERR, fe, "ring %u: an area lies outside guest memory", v->index);
		return -EINVAL;
	}
	return 0;
}

static int
dup_or_none(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

/* Keep a copy of the regions (with dup()ed fds). */
static int
store_regions(struct vu_frontend *fe, const struct vu_frontend_mem_region *r, unsigned int n)
{
	unsigned int i;

	fe->regions = calloc(n ? n : 1, sizeof(*r));
	if (fe->regions == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		fe->regions[i] = r[i];
		if (r[i].size == 0 || r[i].va == NULL ||
		    r[i].gpa > UINT64_MAX - r[i].size || r[i].fd < 0) {
			FE_LOG(ERR, fe, "memory region %u: bad description", i);
			return -EINVAL;
		}
		fe->regions[i].fd = fcntl(r[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fe->regions[i].fd < 0)
			return -errno;
		fe->nregions = i + 1;
	}
	return 0;
}

static int stop_all(struct vu_frontend *fe, uint16_t *bases, bool sleep);

/* Memory, inflight, then the rings not yet active. Called with fe->lock held. */
static int
send_activation(struct vu_frontend *fe)
{
	unsigned int i;
	int ret;

	if (!fe->sent_set_features) {
		ret = fe_send_features(fe, fe->acked_features);
		if (ret < 0)
			return ret;
	}
	ret = send_inflight(fe);
	if (ret == 0)
		ret = send_mem(fe);
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS && ret == 0; i++) {
		struct fe_vring *r = &fe->vrings[i];

		if (r->cfg.size == 0 || r->active || r->asleep)
			continue;
		ret = activate_vring(fe, &r->cfg);
		r->active = ret == 0;
	}
	/* The driver is ready (virtio 3.1.1 step 8). A backend that negotiated
	 * STATUS, DPDK's among them, starts its rings only on DRIVER_OK. */
	if (ret == 0 && FE_HAS_PF(fe, STATUS))
		ret = fe_request_u64(fe, VU_REQ_SET_STATUS, VU_FRONTEND_STATUS_DRIVER_OK);
	return ret;
}

int
vu_frontend_activate(struct vu_frontend *fe, const struct vu_frontend_mem_region *regions,
		     unsigned int nregions, const struct vu_frontend_vring *vrings,
		     unsigned int nvrings)
{
	unsigned int i;
	int ret;

	if (nregions > VU_FRONTEND_MAX_REGIONS || (nregions && regions == NULL) ||
	    (nvrings && vrings == NULL) || nvrings > VU_FRONTEND_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&fe->lock);
	if (!fe->connected) {
		ret = -ENOTCONN;
		goto out;
	}
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++)
		if (fe->vrings[i].active) {
			ret = -EBUSY;
			goto out;
		}
	fe_forget_activation(fe);
	ret = store_regions(fe, regions, nregions);
	for (i = 0; i < nvrings && ret == 0; i++) {
		struct fe_vring *r = &fe->vrings[vrings[i].index % VU_FRONTEND_MAX_VRINGS];

		ret = check_vring(fe, &vrings[i]);
		if (ret < 0 || r->cfg.size != 0) {
			ret = ret < 0 ? ret : -EINVAL;	/* the same ring twice */
			break;
		}
		r->cfg = vrings[i];
		r->cfg.kick_fd = dup_or_none(vrings[i].kick_fd);
		r->cfg.call_fd = dup_or_none(vrings[i].call_fd);
		if ((vrings[i].kick_fd >= 0 && r->cfg.kick_fd < 0) ||
		    (vrings[i].call_fd >= 0 && r->cfg.call_fd < 0))
			ret = -errno;
	}
	fe->activated = true;
	if (ret == 0)
		ret = send_activation(fe);
	if (ret < 0) {
		/* A backend that refused a later message may still run the
		 * rings it took: stop them before the caller frees them. */
		stop_all(fe, NULL, false);
		fe_forget_activation(fe);
	}
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

int
vu_frontend_regions_from_guest_mem(const struct vu_guest_mem *m,
				   struct vu_frontend_mem_region *out, unsigned int max)
{
	unsigned int i;

	if (m->nregions > max)
		return -E2BIG;
	for (i = 0; i < m->nregions; i++)
		out[i] = (struct vu_frontend_mem_region){ .fd = m->regions[i].fd,
			.fd_offset = 0, .size = m->regions[i].size, .gpa = m->regions[i].gpa,
			.va = m->regions[i].va };
	return (int)m->nregions;
}

/*
 * The caller takes the ring back (its memory may be freed next), so the
 * ring is forgotten whatever the stop gave: neither a replay to a new
 * backend nor a wake may hand it out again. Under fe->lock, as the replay.
 */
int
vu_frontend_deactivate_vring(struct vu_frontend *fe, uint16_t index, uint16_t *base)
{
	struct fe_vring *r;
	int ret;

	if (index >= VU_FRONTEND_MAX_VRINGS)
		return -EINVAL;
	pthread_mutex_lock(&fe->lock);
	r = &fe->vrings[index];
	if (r->active) {
		ret = stop_vring(fe, index, base);
	} else if (r->asleep) {
		ret = 0;	/* stopped by sleep: its base is known */
		if (base != NULL)
			*base = r->cfg.base;
	} else {
		ret = -ENOENT;
	}
	forget_vring(r);
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

/*
 * Stop every active ring; with @p sleep, mark it to be woken. Highest index
 * first: in a device whose queues come in pairs (net: receiveq 2i,
 * transmitq 2i+1), the device stops taking buffers before the ring it
 * delivers to stops, so what it took is delivered, not dropped (a loopback
 * keeps its packets across sleep/wake). send_activation() starts them in
 * the other order.
 */
static int
stop_all(struct vu_frontend *fe, uint16_t *bases, bool sleep)
{
	unsigned int i;
	int ret = 0, r;

	for (i = VU_FRONTEND_MAX_VRINGS; i-- > 0;) {
		if (!fe->vrings[i].active)
			continue;
		r = stop_vring(fe, (uint16_t)i, bases != NULL ? &bases[i] : NULL);
		if (r < 0 && ret == 0)
			ret = r;
		fe->vrings[i].active = false;
		fe->vrings[i].asleep = sleep && r == 0;
	}
	return ret;
}

int
vu_frontend_reset(struct vu_frontend *fe)
{
	int ret;

	pthread_mutex_lock(&fe->lock);
	ret = stop_all(fe, NULL, false);
	fe_forget_activation(fe);
	fe->sent_set_features = false;
	/* The device is reset: what was in flight is gone. */
	if (fe->inflight_fd >= 0)
		close(fe->inflight_fd);
	fe->inflight_fd = -1;
	fe->inflight_sent = false;
	pthread_mutex_unlock(&fe->lock);
	/* Mappings are undone across a device reset (the specification). */
	fe_shmem_unmap_all(fe);
	return ret;
}

int
vu_frontend_sleep(struct vu_frontend *fe, uint16_t *bases)
{
	int ret;

	pthread_mutex_lock(&fe->lock);
	if (!fe->activated || fe->asleep) {
		ret = -EALREADY;
	} else {
		ret = stop_all(fe, bases, true);
		fe->asleep = true;
	}
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

int
vu_frontend_wake(struct vu_frontend *fe)
{
	unsigned int i;
	int ret;

	pthread_mutex_lock(&fe->lock);
	if (!fe->asleep) {
		ret = -EALREADY;
		goto out;
	}
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++)
		fe->vrings[i].asleep = false;
	fe->asleep = false;
	ret = fe->connected ? send_activation(fe) : -ENOTCONN;
out:
	pthread_mutex_unlock(&fe->lock);
	return ret;
}

/*
 * A new backend after a crash: send the activation again. A ring's base is
 * the used index in guest memory (what the dead backend had completed),
 * unless the backend recovers it from the inflight region. Called with
 * fe->lock held, after fe_negotiate().
 */
int
fe_replay(struct vu_frontend *fe)
{
	unsigned int i;

	free(fe->sent_regions);
	fe->sent_regions = NULL;
	fe->nsent_regions = 0;
	if (!fe->activated)
		return 0;
	for (i = 0; i < VU_FRONTEND_MAX_VRINGS; i++) {
		struct fe_vring *r = &fe->vrings[i];

		if (r->cfg.size == 0 || r->asleep)
			continue;
		if (r->active)
			r->cfg.base = __atomic_load_n((uint16_t *)((uint8_t *)r->cfg.used + 2),
						      __ATOMIC_ACQUIRE);
		r->active = false;
	}
	if (fe->asleep)
		return fe_send_features(fe, fe->acked_features);
	return send_activation(fe);
}
