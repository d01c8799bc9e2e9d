/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The backend engine against a scripted front-end over a real socket, with
 * real memfd guest memory and real eventfds: the reference lifecycle message
 * by message, and one test per request rule.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <rte_bitops.h>

#include "vu_backend.h"
#include "vu_fdman.h"
#include "vu_socket.h"
#include "vu_test.h"
#include "vu_test_fe.h"

#include "vu_test_bed.h"

struct channel_reader {
	int fd;
	int ret;
	uint32_t request;
};

/* The front-end side of one back-end request: read it, ack it. */
static void *
serve_one_backend_request(void *arg)
{
	struct channel_reader *r = arg;
	struct vu_msg m, ack;

	r->ret = vu_msg_recv(r->fd, VU_MSG_BACKEND_REQ, &m, "test-channel");
	if (r->ret == 0) {
		r->request = m.hdr.request;
		vu_msg_close_fds(&m);
		if (m.hdr.flags & VU_FLAG_NEED_REPLY) {
			vu_msg_reply_init(&ack, &m, sizeof(uint64_t));
			ack.payload.u64 = 0;
			r->ret = vu_msg_send(r->fd, &ack);
		}
	}
	return NULL;
}

static bool
config_change_roundtrip(struct bed *t)
{
	struct channel_reader r = { .fd = t->channel };
	pthread_t th;
	int ret;

	pthread_create(&th, NULL, serve_one_backend_request, &r);
	ret = vu_backend_config_changed(t->b);
	pthread_join(th, NULL);
	return ret == 0 && r.ret == 0 && r.request == VU_BREQ_CONFIG_CHANGE_MSG;
}

struct pipe_io {
	int fd;
	uint8_t buf[4096];
	size_t len;
};

static void *
drain_pipe(void *arg)
{
	struct pipe_io *p = arg;
	ssize_t n;

	while ((n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len)) > 0)
		p->len += (size_t)n;
	close(p->fd);
	return NULL;
}

/* virtio_snapshot(): the state comes back through a pipe we read while it flows. */
static bool
snapshot(struct bed *t, struct pipe_io *out)
{
	struct vu_device_state ds = { VU_DEVICE_STATE_SAVE, VU_DEVICE_STATE_PHASE_STOPPED };
	pthread_t th;
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		return false;
	out->fd = p[0];
	out->len = 0;
	pthread_create(&th, NULL, drain_pipe, out);
	if (fe_call(&t->fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[1], 1) != 0)
		return false;
	close(p[1]);
	if (!(t->fe.reply.payload.u64 & VU_DEVICE_STATE_REPLY_NOFD) || t->fe.reply.nfds != 0)
		return false;
	pthread_join(th, NULL);
	return fe_call(&t->fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0) == 0 &&
	       t->fe.reply.payload.u64 == 0 && out->len > sizeof(fake_state);
}

/* virtio_restore(): we write the saved bytes into the pipe. */
static bool
restore(struct bed *t, const struct pipe_io *in)
{
	struct vu_device_state ds = { VU_DEVICE_STATE_LOAD, VU_DEVICE_STATE_PHASE_STOPPED };
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		return false;
	if (fe_call(&t->fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[0], 1) != 0)
		return false;
	close(p[0]);
	if (write(p[1], in->buf, in->len) != (ssize_t)in->len)
		return false;
	close(p[1]);
	return fe_call(&t->fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0) == 0 &&
	       t->fe.reply.payload.u64 == 0;
}

static void
lifecycle(bool with_channel)
{
	struct vu_config cfg = { .offset = 0, .size = sizeof(fake_config) };
	int fds_before = vu_test_count_fds();
	struct pipe_io saved;
	struct bed t;
	unsigned int i;

	CHECK(bed_up(&t, with_channel ? RTE_BIT64(VU_PF_BACKEND_REQ) : 0));
	CHECK(negotiate(&t, with_channel));
	/* read_config() */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_CONFIG, &cfg, 12 + cfg.size, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.hdr.size, 12 + sizeof(fake_config));
	CHECK(memcmp(t.fe.reply.payload.config.payload, fake_config, sizeof(fake_config)) == 0);
	/* activate() */
	CHECK(activate(&t, 2, 0));
	/* SET_FEATURES enabled the rings (as the reference); KICK starts them. */
	CHECK_EQ(fake.starts, 2);	/* ENABLE 1 on an enabled ring changes nothing */
	CHECK(fake.started[0] && fake.started[1] && fake.ring[1].enabled);
	/* The VMM address was translated into the backend's own mapping of the memfd. */
	memcpy(t.g.va + 0x4000, "ring", 4);
	CHECK(memcmp(fake.ring[1].desc, "ring", 4) == 0);
	CHECK(fake.ring[0].kick_fd >= 0 && fake.ring[0].call_fd >= 0);
	/* reset() */
	fake_process(2, 5);
	CHECK(stop_rings(&t, 2, 5));
	CHECK(!fake.started[0] && !fake.started[1]);
	CHECK(fake.suspends >= 2); /* at creation, and when both rings stopped */
	/* activate() */
	CHECK(activate(&t, 2, 7));
	CHECK(fake.ring[0].base == 7 && fake.ring[0].enabled);
	CHECK(!with_channel || config_change_roundtrip(&t));
	/* virtio_sleep() */
	fake_process(2, 9);
	CHECK(stop_rings(&t, 2, 16));
	/* virtio_snapshot(), virtio_restore() */
	CHECK(snapshot(&t, &saved));
	CHECK(restore(&t, &saved));
	CHECK_EQ(fake.loads, 1);
	/* virtio_wake() */
	CHECK(activate(&t, 2, 16));
	CHECK(fake.ring[1].base == 16);
	CHECK(!with_channel || config_change_roundtrip(&t));
	/* drop: the front-end leaves, the backend sees it and stops everything */
	close(t.fe.sock);
	for (i = 0; i < 500 && __atomic_load_n(&fake.disconnects, __ATOMIC_ACQUIRE) == 0; i++)
		usleep(2000);
	CHECK_EQ(__atomic_load_n(&fake.disconnects, __ATOMIC_ACQUIRE), 1);
	CHECK(!fake.started[0] && !fake.started[1]);
	CHECK(!vu_backend_connected(t.b));
	t.fe.sock = open("/dev/null", O_RDONLY); /* bed_down closes it */
	bed_down(&t);
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

static void
lifecycle_without_backend_channel(void)
{
	lifecycle(false);
}

static void
lifecycle_with_backend_channel(void)
{
	lifecycle(true);
}

/* A new back-end request channel, as negotiate() sets the first one. */
static bool
new_channel(struct bed *t)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return false;
	/* The old channel stays open until the backend has replaced it. */
	if (fe_call(&t->fe, VU_REQ_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1) != 0)
		return false;
	close(sv[1]);
	close(t->channel);
	t->channel = sv[0];
	return true;
}

/*
 * A reply that comes after the timeout is not taken for the next request's:
 * the channel is broken until the front-end sets a new one. A request that
 * fails before anything is sent does not break it.
 */
static void
backend_channel_late_reply(void)
{
	struct bed t;

	int closed_fd = dup(0);

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_BACKEND_REQ)));
	CHECK(negotiate(&t, true));
	CHECK(t.fe.reply_ack);
	/* A request refused before a byte went out leaves the channel usable. */
	close(closed_fd);
	CHECK_EQ(vu_backend_shmem_map(t.b, 0, -1, 0, 4096, VU_SHMEM_MAP_F_R), -EBADF);
	CHECK_EQ(vu_backend_shmem_map(t.b, 0, closed_fd, 0, 4096, VU_SHMEM_MAP_F_R), -EBADF);
	CHECK(config_change_roundtrip(&t));
	CHECK_EQ(vu_backend_config_changed(t.b), -ETIMEDOUT);	/* nobody answers */
	/* The front-end answers late, into a socket the backend shut down. */
	{
		struct channel_reader r = { .fd = t.channel };

		serve_one_backend_request(&r);
		CHECK_EQ(r.request, VU_BREQ_CONFIG_CHANGE_MSG);
		CHECK_EQ(r.ret, -EPIPE);
	}
	CHECK_EQ(vu_backend_config_changed(t.b), -ENOTCONN);
	CHECK(new_channel(&t));
	CHECK(config_change_roundtrip(&t));
	bed_down(&t);
}

struct config_changer {
	struct vu_backend *b;
	int ret;
};

static void *
change_config(void *arg)
{
	struct config_changer *c = arg;

	c->ret = vu_backend_config_changed(c->b);
	return NULL;
}

/*
 * A new SET_BACKEND_REQ_FD while a device thread waits for a reply on the
 * old channel: the wait ends at once (the socket is shut down) instead of
 * holding vu-ctl until the reply times out.
 */
static void
backend_channel_replaced_while_waiting(void)
{
	struct pollfd p = { .events = POLLIN };
	struct config_changer c;
	pthread_t th;
	struct bed t;

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_BACKEND_REQ)));
	CHECK(negotiate(&t, true));
	c = (struct config_changer){ .b = t.b };
	pthread_create(&th, NULL, change_config, &c);
	p.fd = t.channel;
	CHECK_EQ(poll(&p, 1, 5000), 1);		/* the request is out: it waits */
	CHECK(new_channel(&t));
	pthread_join(th, NULL);
	CHECK(c.ret < 0);
	CHECK(c.ret != -ETIMEDOUT);
	CHECK(config_change_roundtrip(&t));
	bed_down(&t);
}

/* Each rule answered with a failed REPLY_ACK, the connection kept. */
static void
request_rules(void)
{
	struct vu_vring_addr a;
	struct bed t;
	int fds_before, maps_before;

	CHECK(bed_up(&t, 0));
	CHECK(negotiate(&t, false));
	fds_before = vu_test_count_fds();
	maps_before = vu_test_count_maps("memfd:test-guest");
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0), 1);	/* second owner */
	CHECK_EQ(fe_u64(&t.fe, VU_REQ_SET_FEATURES, RTE_BIT64(5)), 1);	/* never offered */
	CHECK_EQ(fe_u64(&t.fe, VU_REQ_SET_PROTOCOL_FEATURES, RTE_BIT64(40)), 1); /* unknown */
	CHECK_EQ(fe_state(&t.fe, VU_REQ_SET_VRING_NUM, 0, 0), 1);
	CHECK_EQ(fe_state(&t.fe, VU_REQ_SET_VRING_NUM, 0, 3), 1);
	CHECK_EQ(fe_state(&t.fe, VU_REQ_SET_VRING_NUM, 0, 65536), 1);
	CHECK_EQ(fe_state(&t.fe, VU_REQ_SET_VRING_NUM, FAKE_QUEUES, 16), 1); /* index */
	CHECK_EQ(fe_vring_fd(&t.fe, VU_REQ_SET_VRING_KICK, 0), 1);	/* no memory, no addr */
	CHECK_EQ(fe_set_mem_table(&t.fe, &t.g), 0);
	CHECK_EQ(fe_state(&t.fe, VU_REQ_SET_VRING_NUM, 0, 16), 0);
	a = (struct vu_vring_addr){ .index = 0, .desc = t.g.vmm_base + 8,	/* misaligned */
		.avail = t.g.vmm_base + 0x1000, .used = t.g.vmm_base + 0x2000 };
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 1);
	a.desc = t.g.vmm_base + t.g.size - 64;				/* runs off the region */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 1);
	a.desc = t.g.vmm_base - 0x1000;					/* before it */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 1);
	CHECK_EQ(fe_vring_fd(&t.fe, VU_REQ_SET_VRING_KICK, 0), 1);	/* addr never accepted */
	CHECK_EQ(fe_u64(&t.fe, VU_REQ_NET_SET_MTU, 1500), 1);		/* not a net device */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.payload.u64, 509);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_QUEUE_NUM, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.payload.u64, FAKE_QUEUES);
	/* Replacing the memory table unmapped the old one; nothing else stayed open. */
	CHECK_EQ(fe_set_mem_table(&t.fe, &t.g), 0);
	CHECK_EQ(vu_test_count_fds(), fds_before);
	CHECK_EQ(maps_before, 1);			/* our own view of the guest */
	CHECK_EQ(vu_test_count_maps("memfd:test-guest"), 2);			/* plus the backend's live table */
	bed_down(&t);
}

/* A request that always replies and is malformed closes the connection. */
static void
malformed_get_config_closes(void)
{
	struct vu_config cfg = { .offset = 250, .size = 8 };	/* 258 > 256 */
	struct bed t;
	unsigned int i;

	CHECK(bed_up(&t, 0));
	CHECK(negotiate(&t, false));
	CHECK(fe_call(&t.fe, VU_REQ_GET_CONFIG, &cfg, 12 + cfg.size, NULL, 0) < 0);
	for (i = 0; i < 500 && vu_backend_connected(t.b); i++)
		usleep(2000);
	CHECK(!vu_backend_connected(t.b));
	bed_down(&t);
}

/* Ring 0 laid out inside region @p i only; the device sees our bytes there. */
static bool
ring_in_region(struct bed *t, unsigned int i)
{
	uint64_t base = t->g.vmm_base + i * 0x1000ull;
	struct vu_vring_addr a = { .index = 0, .desc = base, .avail = base + 0x100,
				   .used = base + 0x200 };
	uint32_t marker = 0x51000000u + i;

	memcpy(t->g.va + i * 0x1000ull, &marker, sizeof(marker));
	return fe_state(&t->fe, VU_REQ_SET_VRING_NUM, 0, 8) == 0 &&
	       fe_call(&t->fe, VU_REQ_SET_VRING_ADDR, &a, sizeof(a), NULL, 0) == 0 &&
	       fe_vring_fd(&t->fe, VU_REQ_SET_VRING_KICK, 0) == 0 &&
	       memcmp(fake.ring[0].desc, &marker, sizeof(marker)) == 0 &&
	       fe_state(&t->fe, VU_REQ_GET_VRING_BASE, 0, 0) == 0;
}

/* 509 ADD_MEM_REG over the socket, a ring in every region, then 509 REM_MEM_REG. */
static void
add_and_remove_509_regions(void)
{
	struct vu_mem_region_msg r = { 0 };
	int fds_before, maps_before;
	double t0, t_add, t_rem;
	struct bed t;
	unsigned int i;

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_CONFIGURE_MEM_SLOTS)));
	CHECK(negotiate(&t, false));
	fds_before = vu_test_count_fds();
	maps_before = vu_test_count_maps("memfd:test-guest");
	t0 = vu_test_now_ms();
	for (i = 0; i < 509; i++) {
		r.region = (struct vu_mem_region){ i * 0x1000ull, 0x1000,
			t.g.vmm_base + i * 0x1000ull, i * 0x1000ull };
		CHECK_EQ(fe_call(&t.fe, VU_REQ_ADD_MEM_REG, &r, sizeof(r), &t.g.fd, 1), 0);
	}
	t_add = vu_test_now_ms() - t0;
	CHECK_EQ(vu_test_count_maps("memfd:test-guest"), maps_before + 509);
	for (i = 0; i < 509; i++)
		CHECK(ring_in_region(&t, i));
	r.region.guest_phys_addr = 509 * 0x1000ull;	/* one slot too many */
	r.region.userspace_addr = t.g.vmm_base + 509 * 0x1000ull;
	r.region.mmap_offset = 0;
	CHECK_EQ(fe_call(&t.fe, VU_REQ_ADD_MEM_REG, &r, sizeof(r), &t.g.fd, 1), 1);
	t0 = vu_test_now_ms();
	for (i = 0; i < 509; i++) {
		r.region = (struct vu_mem_region){ i * 0x1000ull, 0x1000,
			t.g.vmm_base + i * 0x1000ull, i * 0x1000ull };
		CHECK_EQ(fe_call(&t.fe, VU_REQ_REM_MEM_REG, &r, sizeof(r), NULL, 0), 0);
	}
	t_rem = vu_test_now_ms() - t0;
	CHECK_EQ(fe_call(&t.fe, VU_REQ_REM_MEM_REG, &r, sizeof(r), NULL, 0), 1); /* gone */
	printf("# 509 ADD_MEM_REG over the socket: %.1f ms; 509 REM_MEM_REG: %.1f ms\n",
	       t_add, t_rem);
	CHECK_EQ(vu_test_count_maps("memfd:test-guest"), maps_before);
	CHECK_EQ(vu_test_count_fds(), fds_before);
	bed_down(&t);
}

/* Wait up to 1 s for the backend to notice the front-end left. */
static bool
wait_disconnected(struct bed *t)
{
	unsigned int i;

	for (i = 0; i < 500 && vu_backend_connected(t->b); i++)
		usleep(2000);
	return !vu_backend_connected(t->b);
}

/* GET/SET_INFLIGHT_FD: the region's geometry, its size checks, its fd. */
static void
inflight_rules(void)
{
	struct vu_inflight in = { .num_queues = 2, .queue_size = 16 };
	int fds_before, fd;
	struct stat st;
	struct bed t;

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_INFLIGHT_SHMFD)));
	CHECK(negotiate(&t, false));
	fds_before = vu_test_count_fds();
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_INFLIGHT_FD, &in, sizeof(in), NULL, 0), 0);
	/* Per queue: 16-byte header + 16 bytes per descriptor, 64-byte aligned. */
	CHECK_EQ(t.fe.reply.payload.inflight.mmap_size, 2 * RTE_ALIGN_CEIL(16 + 16 * 16, 64));
	CHECK_EQ(t.fe.reply.payload.inflight.mmap_offset, 0);
	CHECK_EQ(t.fe.reply.nfds, 1);
	fd = t.fe.reply.fds[0];
	CHECK(fstat(fd, &st) == 0 && (uint64_t)st.st_size == t.fe.reply.payload.inflight.mmap_size);
	/* After a restart the front-end hands the region back: sizes checked. */
	in = t.fe.reply.payload.inflight;
	in.mmap_size -= 64;						/* too small */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1), 1);
	in.mmap_size += 64 + 4096;					/* larger than the fd */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1), 1);
	in.mmap_size -= 4096;
	in.num_queues = FAKE_QUEUES + 1;				/* more queues than rings */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1), 1);
	in.num_queues = 2;
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_INFLIGHT_FD, &in, sizeof(in), &fd, 1), 0);
	close(fd);
	/* The backend holds one fd for its region: the one from GET was
	 * closed when SET replaced it, and the rejected ones were closed. */
	CHECK_EQ(vu_test_count_fds(), fds_before + 1);
	/* GET_INFLIGHT_FD always replies and has no failure encoding: a bad
	 * geometry closes the connection. */
	in.queue_size = 3;
	CHECK(fe_call(&t.fe, VU_REQ_GET_INFLIGHT_FD, &in, sizeof(in), NULL, 0) < 0);
	CHECK(wait_disconnected(&t));
	bed_down(&t);
}

/* SET_DEVICE_STATE_FD / CHECK_DEVICE_STATE outside the stopped phase. */
static void
device_state_rules(void)
{
	struct vu_device_state ds = { VU_DEVICE_STATE_SAVE, VU_DEVICE_STATE_PHASE_STOPPED };
	char c;
	int p[2], fds_before;
	double t0, waited_ms;
	struct bed t;

	bed_state_check_wait_ms = 100;
	CHECK(bed_up(&t, 0));
	bed_state_check_wait_ms = 0;
	CHECK(negotiate(&t, false));
	fds_before = vu_test_count_fds();
	CHECK_EQ(fe_call(&t.fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* no transfer running */
	CHECK(activate(&t, 1, 0));
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[1], 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* a ring is running */
	close(p[1]);
	CHECK_EQ(read(p[0], &c, 1), 0);				/* the backend closed its copy */
	close(p[0]);
	CHECK(stop_rings(&t, 1, 0));
	/* A load whose front-end keeps the pipe open: CHECK_DEVICE_STATE fails
	 * after its bounded wait instead of blocking the handler, and the
	 * connection still answers. */
	ds.direction = VU_DEVICE_STATE_LOAD;
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[0], 1), 0);
	CHECK_EQ(t.fe.reply.payload.u64, VU_DEVICE_STATE_REPLY_NOFD);
	close(p[0]);
	t0 = vu_test_now_ms();
	CHECK_EQ(fe_call(&t.fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0), 0);
	CHECK(t.fe.reply.payload.u64 != 0);
	/* It waited the configured 100 ms, not the default second. */
	waited_ms = vu_test_now_ms() - t0;
	CHECK(waited_ms >= 100 && waited_ms < VU_STATE_CHECK_WAIT_MS);
	close(p[1]);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_CHECK_DEVICE_STATE, NULL, 0, NULL, 0), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* nothing left running */
	ds.direction = VU_DEVICE_STATE_SAVE;
	ds.phase = 1;							/* no such phase */
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[1], 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);
	ds = (struct vu_device_state){ 7, VU_DEVICE_STATE_PHASE_STOPPED };	/* direction */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_DEVICE_STATE_FD, &ds, sizeof(ds), &p[1], 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);
	close(p[1]);
	CHECK_EQ(read(p[0], &c, 1), 0);
	close(p[0]);
	CHECK_EQ(fake.loads, 0);
	CHECK_EQ(vu_test_count_fds(), fds_before);
	bed_down(&t);
}

/* SET_CONFIG, SET/GET_STATUS, RESET_DEVICE, GET_SHMEM_CONFIG. */
static void
config_status_reset_rules(void)
{
	struct vu_config cfg = { .offset = 0, .size = 4 };
	struct bed t;

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_STATUS) | RTE_BIT64(VU_PF_RESET_DEVICE) |
		      RTE_BIT64(VU_PF_SHMEM)));
	CHECK(negotiate(&t, false));
	/* The fake device has no writable config space. */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_CONFIG, &cfg, 12 + cfg.size, NULL, 0), 1);
	CHECK_EQ(fe_u64(&t.fe, VU_REQ_SET_STATUS, 0x0f), 0);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_STATUS, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.payload.u64, 0x0f);
	CHECK_EQ(fe_u64(&t.fe, VU_REQ_SET_STATUS, 0x100), 1);		/* wider than 8 bits */
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_STATUS, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.payload.u64, 0x0f);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_GET_SHMEM_CONFIG, NULL, 0, NULL, 0), 0);
	CHECK_EQ(t.fe.reply.payload.shmem_config.nregions, 0);	/* no shmem_size op */
	/* RESET_DEVICE stops running rings and forgets the device's state. */
	CHECK(activate(&t, 2, 3));
	CHECK(fake.started[0] && fake.started[1]);
	CHECK_EQ(fe_call(&t.fe, VU_REQ_RESET_DEVICE, NULL, 0, NULL, 0), 0);
	CHECK(!fake.started[0] && !fake.started[1]);
	CHECK(fake.resets >= 1);
	/* A config window beyond 256 bytes: malformed, the connection goes. */
	cfg.offset = 254;
	CHECK(fe_call(&t.fe, VU_REQ_SET_CONFIG, &cfg, 12 + cfg.size, NULL, 0) != 0);
	bed_down(&t);
}

/* SET_LOG_BASE: the log must fit its fd; offsets can't overflow. */
static void
log_rules(void)
{
	struct vu_log l = { .mmap_size = 8192, .mmap_offset = 0 };
	int fd, fds_before;
	struct bed t;

	CHECK(bed_up(&t, RTE_BIT64(VU_PF_LOG_SHMFD)));
	CHECK(negotiate(&t, false));
	fd = memfd_create("test-log", MFD_CLOEXEC);
	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	fds_before = vu_test_count_fds();
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_LOG_BASE, &l, sizeof(l), &fd, 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* larger than the fd */
	l = (struct vu_log){ .mmap_size = 4096, .mmap_offset = UINT64_MAX - 100 };
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_LOG_BASE, &l, sizeof(l), &fd, 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* offset + size overflows */
	l = (struct vu_log){ .mmap_size = 0, .mmap_offset = 0 };
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_LOG_BASE, &l, sizeof(l), &fd, 1), 0);
	CHECK(t.fe.reply.payload.u64 != 0);				/* empty */
	CHECK_EQ(vu_test_count_fds(), fds_before);
	CHECK_EQ(vu_test_count_maps("memfd:test-log"), 0);
	l = (struct vu_log){ .mmap_size = 4096, .mmap_offset = 0 };
	CHECK_EQ(fe_call(&t.fe, VU_REQ_SET_LOG_BASE, &l, sizeof(l), &fd, 1), 0);
	CHECK_EQ(t.fe.reply.payload.u64, 0);
	CHECK_EQ(vu_test_count_maps("memfd:test-log"), 1);		/* mapped once... */
	CHECK_EQ(vu_test_count_fds(), fds_before);			/* ...its fd closed */
	close(fd);
	bed_down(&t);
	CHECK_EQ(vu_test_count_maps("memfd:test-log"), 0);
}

static void
socket_path(char *path, size_t len, const char *what)
{
	snprintf(path, len, "/tmp/vu-test-backend-%s-%d.sock", what, getpid());
}

/* One short session on a connected socket: owner, features, then leave. */
static bool
short_session(int sock)
{
	struct test_fe fe = { .sock = sock };
	bool ok = fe_call(&fe, VU_REQ_SET_OWNER, NULL, 0, NULL, 0) == 0 &&
		  fe_call(&fe, VU_REQ_GET_FEATURES, NULL, 0, NULL, 0) == 0 &&
		  (fe.reply.payload.u64 & RTE_BIT64(VU_F_PROTOCOL_FEATURES));

	close(sock);
	return ok;
}

static bool
wait_connects(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 1000 && __atomic_load_n(&fake.connects, __ATOMIC_RELAXED) < n; i++)
		usleep(2000);
	return fake.connects >= n;
}

static bool
wait_disconnects(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 1000 && __atomic_load_n(&fake.disconnects, __ATOMIC_ACQUIRE) < n; i++)
		usleep(2000);
	return __atomic_load_n(&fake.disconnects, __ATOMIC_ACQUIRE) >= n;
}

/* A server backend re-listens after each front-end leaves; ownership is per connection. */
static void
server_relistens(void)
{
	struct vu_backend_conf conf = { .mode = VU_BACKEND_SERVER, .ops = &fake_ops, .conn_fd = -1 };
	int fds_before = vu_test_count_fds();
	struct vu_backend *b;
	char path[108];
	unsigned int i;

	socket_path(path, sizeof(path), "server");
	conf.path = path;
	b = vu_backend_create(&conf);
	CHECK(b != NULL);
	for (i = 0; i < 3; i++) {
		int s = vu_socket_connect(path);

		CHECK(s >= 0);
		CHECK(short_session(s));
		CHECK(wait_connects(i + 1));
		/* Not vu_backend_connected(): it turns false before the device's
		 * connection(false) callback has run. */
		CHECK(wait_disconnects(i + 1));
	}
	CHECK_EQ(__atomic_load_n(&fake.disconnects, __ATOMIC_ACQUIRE), 3);
	vu_backend_destroy(b);
	vu_fdman_shutdown();
	CHECK(access(path, F_OK) != 0);		/* the socket file is gone */
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

/* A client backend reconnects when the front-end (listening) drops it. */
static void
client_reconnects(void)
{
	struct vu_backend_conf conf = { .mode = VU_BACKEND_CLIENT, .ops = &fake_ops, .conn_fd = -1 };
	int fds_before = vu_test_count_fds(), lfd;
	struct pollfd p;
	struct vu_backend *b;
	char path[108];
	unsigned int i;

	socket_path(path, sizeof(path), "client");
	lfd = vu_socket_listen(path);
	CHECK(lfd >= 0);
	conf.path = path;
	b = vu_backend_create(&conf);
	CHECK(b != NULL);
	for (i = 0; i < 3; i++) {
		p = (struct pollfd){ .fd = lfd, .events = POLLIN };
		CHECK_EQ(poll(&p, 1, 3000), 1);			/* it (re)connected */
		CHECK(short_session(vu_socket_accept(lfd)));
	}
	vu_backend_destroy(b);
	vu_fdman_shutdown();
	close(lfd);
	unlink(path);
	CHECK_EQ(vu_test_count_fds(), fds_before);
}

VU_TEST_MAIN(
	VU_TEST_CASE(lifecycle_without_backend_channel),
	VU_TEST_CASE(lifecycle_with_backend_channel),
	VU_TEST_CASE(backend_channel_late_reply),
	VU_TEST_CASE(backend_channel_replaced_while_waiting),
	VU_TEST_CASE(request_rules),
	VU_TEST_CASE(malformed_get_config_closes),
	VU_TEST_CASE(add_and_remove_509_regions),
	VU_TEST_CASE(inflight_rules),
	VU_TEST_CASE(device_state_rules),
	VU_TEST_CASE(config_status_reset_rules),
	VU_TEST_CASE(log_rules),
	VU_TEST_CASE(server_relistens),
	VU_TEST_CASE(client_reconnects),
)
