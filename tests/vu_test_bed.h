/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test bed for backend tests: a fake device (records what the engine
 * hands it), a backend on one end of a socketpair, and the scripted
 * front-end steps of crosvm's lifecycle (negotiate, activate, stop rings).
 * Static functions: include it from one test file.
 */
#ifndef VU_TEST_BED_H
#define VU_TEST_BED_H

#include <pthread.h>
#include <sys/socket.h>

#include <rte_bitops.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_test.h"
#include "vu_test_fe.h"

#define FAKE_QUEUES	16

/* crosvm's FakeConfig { u32 x = 1; u64 y = 2; }, packed(4): 12 bytes. */
static const uint8_t fake_config[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t fake_state[3] = { 1, 2, 3 };

struct fake_dev {
	pthread_mutex_t lock;
	bool started[FAKE_QUEUES];
	struct vu_backend_vring ring[FAKE_QUEUES];
	unsigned int starts, stops, suspends, resets, connects, disconnects, loads;
	uint16_t next[FAKE_QUEUES];	/* next avail index, as a data plane would keep it */
};

static struct fake_dev fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Pretend the data plane consumed @p n buffers on each of the first @p nq rings. */
static inline void
fake_process(unsigned int nq, uint16_t n)
{
	unsigned int q;

	pthread_mutex_lock(&fake.lock);
	for (q = 0; q < nq; q++)
		fake.next[q] = (uint16_t)(fake.next[q] + n);
	pthread_mutex_unlock(&fake.lock);
}

static inline int
fake_read_config(struct vu_backend *b, uint32_t offset, void *buf, uint32_t size)
{
	(void)b;
	if ((uint64_t)offset + size > sizeof(fake_config))
		return -EINVAL;
	memcpy(buf, fake_config + offset, size);
	return 0;
}

static inline int
fake_start(struct vu_backend *b, const struct vu_backend_vring *vq)
{
	(void)b;
	pthread_mutex_lock(&fake.lock);
	fake.started[vq->index] = true;
	fake.ring[vq->index] = *vq;
	fake.next[vq->index] = vq->base;
	fake.starts++;
	pthread_mutex_unlock(&fake.lock);
	return 0;
}

static inline int
fake_stop(struct vu_backend *b, uint16_t index, uint16_t *next_avail)
{
	(void)b;
	pthread_mutex_lock(&fake.lock);
	fake.started[index] = false;
	*next_avail = fake.next[index];
	fake.stops++;
	pthread_mutex_unlock(&fake.lock);
	return 0;
}

static inline int
fake_suspend(struct vu_backend *b)
{
	(void)b;
	__atomic_fetch_add(&fake.suspends, 1, __ATOMIC_RELAXED);
	return 0;
}

static inline void
fake_reset(struct vu_backend *b)
{
	(void)b;
	__atomic_fetch_add(&fake.resets, 1, __ATOMIC_RELAXED);
}

static inline int
fake_save(struct vu_backend *b, void **buf, size_t *len)
{
	(void)b;
	*buf = malloc(sizeof(fake_state));
	memcpy(*buf, fake_state, sizeof(fake_state));
	*len = sizeof(fake_state);
	return 0;
}

static inline int
fake_load(struct vu_backend *b, const void *buf, size_t len)
{
	(void)b;
	if (len != sizeof(fake_state) || memcmp(buf, fake_state, len) != 0)
		return -EINVAL;
	__atomic_fetch_add(&fake.loads, 1, __ATOMIC_RELAXED);
	return 0;
}

static inline void
fake_connection(struct vu_backend *b, bool up)
{
	(void)b;
	__atomic_fetch_add(up ? &fake.connects : &fake.disconnects, 1, __ATOMIC_RELEASE);
}

static struct vu_device_ops fake_ops = {
	.type = "fake",
	.max_queues = FAKE_QUEUES,
	.features = 0,
	.protocol_features = RTE_BIT64(VU_PF_CONFIG) | RTE_BIT64(VU_PF_DEVICE_STATE) |
			     RTE_BIT64(VU_PF_REPLY_ACK),
	.read_config = fake_read_config,
	.start_queue = fake_start,
	.stop_queue = fake_stop,
	.reset = fake_reset,
	.enter_suspended_state = fake_suspend,
	.save_state = fake_save,
	.load_state = fake_load,
	.connection = fake_connection,
};

/* A backend on one end of a socketpair; the test is the front-end. */
struct bed {
	struct vu_backend *b;
	struct test_fe fe;
	struct test_guest g;
	int channel;		/* our end of the back-end request channel, or -1 */
};

/* vu_backend_conf.state_check_wait_ms of the next bed_up() (0: default). */
static unsigned int bed_state_check_wait_ms;

static inline bool
bed_up(struct bed *t, uint64_t extra_pf)
{
	struct vu_backend_conf conf = { .mode = VU_BACKEND_SERVER, .ops = &fake_ops,
					.state_check_wait_ms = bed_state_check_wait_ms };
	int sv[2];

	fake_ops.protocol_features |= extra_pf;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return false;
	conf.conn_fd = sv[1];
	t->b = vu_backend_create(&conf);
	t->fe = (struct test_fe){ .sock = sv[0] };
	t->channel = -1;
	return t->b != NULL && guest_create(&t->g, 4 << 20) == 0;
}

static inline void
bed_down(struct bed *t)
{
	close(t->fe.sock);
	vu_backend_destroy(t->b);
	guest_destroy(&t->g);
	if (t->channel >= 0)
		close(t->channel);
	vu_fdman_shutdown();
}

/* VhostUserFrontend::new(): owner, features, protocol features, channel. */
static inline bool
negotiate(struct bed *t, bool with_channel)
{
	uint64_t pf;

	if (fe_call(&t->fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0) != 0 ||
	    fe_call(&t->fe, VU_REQ_GET_FEATURES, NULL, 0, NULL, 0) != 0)
		return false;
	if (!(t->fe.reply.payload.u64 & RTE_BIT64(VU_F_PROTOCOL_FEATURES)))
		return false;
	if (fe_u64(&t->fe, VU_REQ_SET_FEATURES, RTE_BIT64(VU_F_PROTOCOL_FEATURES)) != 0 ||
	    fe_call(&t->fe, VU_REQ_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0) != 0)
		return false;
	pf = t->fe.reply.payload.u64;
	if (fe_u64(&t->fe, VU_REQ_SET_PROTOCOL_FEATURES, pf) != 0)
		return false;
	t->fe.reply_ack = (pf & RTE_BIT64(VU_PF_REPLY_ACK)) != 0;
	if (with_channel) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return false;
		t->channel = sv[0];
		if (fe_call(&t->fe, VU_REQ_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1) != 0)
			return false;
		close(sv[1]);
	}
	return true;
}

/* VhostUserFrontend::activate(): memory, then NUM ADDR BASE CALL KICK ENABLE per ring. */
static inline bool
activate(struct bed *t, unsigned int nq, uint32_t base)
{
	unsigned int q;

	if (fe_set_mem_table(&t->fe, &t->g) != 0)
		return false;
	for (q = 0; q < nq; q++) {
		if (fe_state(&t->fe, VU_REQ_SET_VRING_NUM, q, 16) != 0 ||
		    fe_set_vring_addr(&t->fe, &t->g, q, 16) != 0 ||
		    fe_state(&t->fe, VU_REQ_SET_VRING_BASE, q, base) != 0 ||
		    fe_vring_fd(&t->fe, VU_REQ_SET_VRING_CALL, q) != 0 ||
		    fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, q) != 0 ||
		    fe_state(&t->fe, VU_REQ_SET_VRING_ENABLE, q, 1) != 0)
			return false;
	}
	return true;
}

/* reset() and virtio_sleep(): ENABLE 0 and GET_VRING_BASE per ring. */
static inline bool
stop_rings(struct bed *t, unsigned int nq, uint32_t expect_base)
{
	unsigned int q;

	for (q = 0; q < nq; q++) {
		if (fe_state(&t->fe, VU_REQ_SET_VRING_ENABLE, q, 0) != 0 ||
		    fe_state(&t->fe, VU_REQ_GET_VRING_BASE, q, 0) != 0)
			return false;
		if (t->fe.reply.payload.state.index != q ||
		    t->fe.reply.payload.state.num != expect_base)
			return false;
	}
	return true;
}

#endif /* VU_TEST_BED_H */
