/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Negotiation, as VhostUserFrontend::new(): SET_OWNER; GET_FEATURES masked by
 * what we allow; PROTOCOL_FEATURES acked lazily (it goes out with the first
 * SET_FEATURES); GET/SET_PROTOCOL_FEATURES restricted to the allow-list; the
 * back-end request channel when BACKEND_REQ is negotiated; the queue count.
 */
#include <errno.h>

#include "frontend_priv.h"

#define VIRTIO_F_RING_PACKED	34

/* Device-type specific feature bits: 0-23 and 50-63 (virtio 1.x, 2.2). */
#define FE_DEVICE_FEATURES_MASK	(RTE_LEN2MASK(24, uint64_t) | ~RTE_LEN2MASK(50, uint64_t))

/* Queues the virtio specification requires for a device type without MQ. */
static uint16_t
min_queues(uint32_t device_type)
{
	switch (device_type) {
	case 1:		/* net: rx, tx */
	case 3:		/* console */
	case 16:	/* gpu */
	case 18:	/* input */
	case 26:	/* fs: hiprio + one request queue */
		return 2;
	case 8:		/* scsi */
	case 19:	/* vsock */
		return 3;
	case 25:	/* sound */
		return 4;
	default:	/* block, rng, 9p, ... */
		return 1;
	}
}

static int
negotiate_protocol_features(struct vu_frontend *fe)
{
	struct vu_msg reply;
	uint64_t pf;
	int ret;

	ret = fe_request(fe, VU_REQ_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0, &reply);
	if (ret < 0)
		return ret;
	pf = reply.payload.u64 & VU_FRONTEND_PROTOCOL_FEATURES;
	ret = fe_request_u64(fe, VU_REQ_SET_PROTOCOL_FEATURES, pf);
	if (ret < 0)
		return ret;
	/* From here on REPLY_ACK, when negotiated, applies. */
	fe->protocol_features = pf;
	return 0;
}

static int
query_queue_num(struct vu_frontend *fe)
{
	struct vu_msg reply;
	uint64_t n;
	int ret;

	if (!FE_HAS_PF(fe, MQ)) {
		fe->num_queues = min_queues(fe->conf.device_type);
		return 0;
	}
	ret = fe_request(fe, VU_REQ_GET_QUEUE_NUM, NULL, 0, NULL, 0, &reply);
	if (ret < 0)
		return ret;
	/* A net backend reports queue pairs (QEMU's reading, DPDK's and vu's). */
	n = reply.payload.u64 * (fe->conf.device_type == 1 ? 2 : 1);
	if (n == 0 || n > VU_FRONTEND_MAX_VRINGS) {
		FE_LOG(WARNING, fe, "GET_QUEUE_NUM: %" PRIu64 " queues, using %u",
		       reply.payload.u64, n == 0 ? 1 : VU_FRONTEND_MAX_VRINGS);
		n = n == 0 ? 1 : VU_FRONTEND_MAX_VRINGS;
	}
	fe->num_queues = (uint16_t)n;
	return 0;
}

/* Negotiate on fe->sock. Called with fe->lock held; on error the caller closes. */
int
fe_negotiate(struct vu_frontend *fe)
{
	uint64_t allow = FE_DEVICE_FEATURES_MASK | fe->conf.base_features |
			 RTE_BIT64(VU_F_PROTOCOL_FEATURES);
	struct vu_msg reply;
	int ret;

	fe->protocol_features = 0;
	fe->acked_features = 0;
	fe->sent_set_features = false;
	fe->max_mem_slots = 0;
	fe->shmem_state = 0;
	ret = fe_request(fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0, NULL);
	if (ret == 0)
		ret = fe_request(fe, VU_REQ_GET_FEATURES, NULL, 0, NULL, 0, &reply);
	if (ret < 0)
		return ret;
	fe->avail_features = reply.payload.u64 & allow;
	if (fe->avail_features & RTE_BIT64(VU_F_PROTOCOL_FEATURES)) {
		fe->acked_features = RTE_BIT64(VU_F_PROTOCOL_FEATURES);
		ret = negotiate_protocol_features(fe);
		if (ret < 0)
			return ret;
	}
	if (FE_HAS_PF(fe, BACKEND_REQ)) {
		ret = fe_channel_open(fe);
		if (ret < 0)
			return ret;
	}
	ret = query_queue_num(fe);
	if (ret < 0)
		return ret;
	FE_LOG(INFO, fe, "negotiated: features 0x%" PRIx64 ", protocol features 0x%" PRIx64
	       ", %u queues x %u", fe->avail_features, fe->protocol_features, fe->num_queues,
	       fe->max_queue_size);
	return 0;
}

uint16_t
fe_clamp_queue_size(uint16_t max)
{
	if (max == 0)
		return VU_FRONTEND_MAX_QUEUE_SIZE;
	return (uint16_t)rte_align32prevpow2(max);
}

/* Strip what the frontend never offers (packed rings are not supported yet). */
uint64_t
fe_base_features(const struct vu_frontend_conf *conf)
{
	return conf->base_features & ~RTE_BIT64(VIRTIO_F_RING_PACKED);
}
