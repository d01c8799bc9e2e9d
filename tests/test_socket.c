/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu_socket over real unix sockets in a private directory under /tmp: the
 * listen/connect helpers' errors and stale-file handling, a server endpoint
 * taking one peer at a time, a reconnecting client surviving a server
 * restart and waiting for a server that does not exist yet, destroy
 * removing the socket file, and no fd leaked.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <rte_errno.h>

#include "vu_fdman.h"
#include "vu_socket.h"
#include "vu_test.h"

#define MAX_CONNS 16

static char tmpdir[64];

/* Path of @p name inside the test's private directory. */
static const char *
path_in(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", tmpdir, name);

	if (n < 0 || (size_t)n >= len)
		abort();
	return buf;
}

/* Run @p body with a fresh private directory, then remove it. */
static void
with_tmpdir(void (*body)(void))
{
	struct dirent *e;
	char p[256];
	DIR *d;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vu-socket-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		vu_test_fail(__FILE__, __LINE__, "mkdtemp");
		return;
	}
	body();
	d = opendir(tmpdir);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			unlink(path_in(e->d_name, p, sizeof(p)));
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
}

#define TMPDIR_CASE(name) \
	static void name(void) { with_tmpdir(name ## _body); }

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Send a few bytes on @p a and receive them on @p b. */
static bool
roundtrip(int a, int b)
{
	char buf[8] = { 0 };

	if (vu_socket_set_timeout(b, 2000) != 0)
		return false;
	if (send(a, "ping", 4, MSG_NOSIGNAL) != 4)
		return false;
	return recv(b, buf, sizeof(buf), 0) == 4 && memcmp(buf, "ping", 4) == 0;
}

/* --- connection sink: where on_connect() puts its fds ----------------- */

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fds[MAX_CONNS];
	unsigned int n;
	unsigned int not_on_ctl;	/* on_connect() calls off vu-ctl */
	bool watch;			/* client: report EOF on the connection */
	unsigned int closed;		/* connections closed by the watcher */
	struct vu_socket *s;
	bool destroy;			/* destroy the endpoint from on_connect() */
};

static void
sink_init(struct sink *k)
{
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
}

/* The peer closed: what an owner does — unregister, close, report. */
static void
watch_cb(int fd, uint32_t events, void *arg)
{
	struct sink *k = arg;

	(void)events;
	vu_fdman_del(fd);
	close(fd);
	pthread_mutex_lock(&k->lock);
	k->closed++;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	vu_socket_disconnected(k->s);
}

static void
sink_on_connect(struct vu_socket *s, int fd, void *arg)
{
	struct sink *k = arg;

	if (k->watch && vu_fdman_add(fd, EPOLLRDHUP, watch_cb, k) != 0)
		abort();
	pthread_mutex_lock(&k->lock);
	k->not_on_ctl += !vu_fdman_on_ctl_thread();
	if (k->n < MAX_CONNS)
		k->fds[k->n] = fd;
	k->n++;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	if (k->destroy) {
		close(fd);
		vu_socket_destroy(s);
	}
}

/* Wait up to @p ms until *@p counter >= @p want. */
static bool
sink_wait(struct sink *k, const unsigned int *counter, unsigned int want, unsigned int ms)
{
	struct timespec dl;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000;
	if (dl.tv_nsec >= 1000000000) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&k->lock);
	while (*counter < want &&
	       pthread_cond_timedwait(&k->cond, &k->lock, &dl) == 0)
		;
	ok = *counter >= want;
	pthread_mutex_unlock(&k->lock);
	return ok;
}

static unsigned int
sink_count(struct sink *k)
{
	unsigned int n;

	pthread_mutex_lock(&k->lock);
	n = k->n;
	pthread_mutex_unlock(&k->lock);
	return n;
}

static struct vu_socket *
endpoint(const char *path, enum vu_socket_mode mode, bool reconnect, struct sink *k)
{
	struct vu_socket_conf conf = {
		.path = path,
		.mode = mode,
		.reconnect = reconnect,
		.on_connect = sink_on_connect,
		.arg = k,
	};
	struct vu_socket *s = vu_socket_create(&conf);

	k->s = s;
	return s;
}

/* A socket file nobody listens on, as a crashed server leaves behind. */
static bool
make_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bool ok;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* --- helpers under test ---------------------------------------------- */

static void
test_listen_replaces_stale_body(void)
{
	int base = vu_test_count_fds();
	int lfd, cfd, afd;
	char p[128];

	path_in("stale.sock", p, sizeof(p));
	CHECK(make_stale(p));
	CHECK_EQ(vu_socket_connect(p), -ECONNREFUSED);
	lfd = vu_socket_listen(p);
	CHECK(lfd >= 0);
	cfd = vu_socket_connect(p);
	CHECK(cfd >= 0);
	afd = vu_socket_accept(lfd);
	CHECK(afd >= 0);
	CHECK(roundtrip(cfd, afd));
	CHECK(roundtrip(afd, cfd));
	close(afd);
	close(cfd);
	close(lfd);
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_listen_replaces_stale)

static void
test_listen_live_socket_in_use_body(void)
{
	int base = vu_test_count_fds();
	int lfd, cfd, afd;
	char p[128];

	lfd = vu_socket_listen(path_in("live.sock", p, sizeof(p)));
	CHECK(lfd >= 0);
	CHECK_EQ(vu_socket_listen(p), -EADDRINUSE);
	/* The live listener is intact: its file is there and it accepts. */
	cfd = vu_socket_connect(p);
	CHECK(cfd >= 0);
	afd = vu_socket_accept(lfd); /* the probe of the failed listen */
	CHECK(afd >= 0);
	close(afd);
	afd = vu_socket_accept(lfd);
	CHECK(afd >= 0);
	CHECK(roundtrip(cfd, afd));
	close(afd);
	close(cfd);
	close(lfd);
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_listen_live_socket_in_use)

static void
test_listen_regular_file_body(void)
{
	int base = vu_test_count_fds();
	char p[128];
	int fd;

	fd = open(path_in("file", p, sizeof(p)), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(vu_socket_listen(p), -EEXIST);
	CHECK(exists(p));
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_listen_regular_file)

static void
test_bad_paths(void)
{
	struct vu_socket_conf conf = { .mode = VU_SOCKET_SERVER };
	char p[300];

	memset(p, 'x', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	CHECK_EQ(vu_socket_listen(p), -ENAMETOOLONG);
	CHECK_EQ(vu_socket_connect(p), -ENAMETOOLONG);
	CHECK_EQ(vu_socket_listen(""), -EINVAL);
	CHECK_EQ(vu_socket_connect(NULL), -EINVAL);
	conf.path = p;
	conf.on_connect = sink_on_connect;
	CHECK(vu_socket_create(&conf) == NULL);
	CHECK_EQ(rte_errno, ENAMETOOLONG);
	conf.path = "/tmp/x";
	conf.on_connect = NULL;
	CHECK(vu_socket_create(&conf) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK(vu_socket_create(NULL) == NULL);
	CHECK_EQ(rte_errno, EINVAL);
	CHECK_EQ(vu_socket_start(NULL), -EINVAL);
	CHECK_EQ(vu_socket_set_timeout(-1, 10), -EBADF);
}

static void
test_connect_missing_body(void)
{
	char p[128];

	CHECK_EQ(vu_socket_connect(path_in("missing.sock", p, sizeof(p))), -ENOENT);
}
TMPDIR_CASE(test_connect_missing)

/* SO_RCVTIMEO bounds a blocking receive. */
static void
test_set_timeout(void)
{
	struct timespec t0, t1;
	int sv[2];
	char c;
	long ms;

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(vu_socket_set_timeout(sv[0], 100), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(recv(sv[0], &c, 1, 0), -1);
	CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 90 && ms < 2000);
	CHECK_EQ(vu_socket_set_timeout(sv[0], 0), 0);
	close(sv[0]);
	close(sv[1]);
}

/* --- endpoints -------------------------------------------------------- */

/*
 * Server: on_connect() on vu-ctl with a working fd; one peer at a time (the
 * second waits in the backlog); after the owner closes and reports it, the
 * waiting peer is accepted, then a third after that; destroy unlinks.
 */
static void
test_server_accepts_one_at_a_time_body(void)
{
	int base = vu_test_count_fds();
	struct vu_socket *s;
	int c1, c2, c3;
	struct sink k;
	char p[128];

	sink_init(&k);
	s = endpoint(path_in("srv.sock", p, sizeof(p)), VU_SOCKET_SERVER, false, &k);
	CHECK(s != NULL);
	CHECK(strcmp(vu_socket_path(s), p) == 0);
	CHECK_EQ(vu_socket_start(s), 0);
	CHECK_EQ(vu_socket_start(s), -EBUSY);
	CHECK(exists(p));
	c1 = vu_socket_connect(p);
	CHECK(c1 >= 0);
	CHECK(sink_wait(&k, &k.n, 1, 2000));
	CHECK_EQ(k.not_on_ctl, 0);
	CHECK(roundtrip(c1, k.fds[0]));
	CHECK(roundtrip(k.fds[0], c1));
	c2 = vu_socket_connect(p); /* completes, but is not accepted yet */
	CHECK(c2 >= 0);
	sleep_ms(100);
	CHECK_EQ(sink_count(&k), 1);
	close(k.fds[0]);
	close(c1);
	vu_socket_disconnected(s);
	vu_socket_disconnected(s); /* no connection: ignored */
	CHECK(sink_wait(&k, &k.n, 2, 2000));
	CHECK(roundtrip(c2, k.fds[1]));
	close(k.fds[1]);
	close(c2);
	vu_socket_disconnected(s);
	c3 = vu_socket_connect(p);
	CHECK(c3 >= 0);
	CHECK(sink_wait(&k, &k.n, 3, 2000));
	CHECK(roundtrip(k.fds[2], c3));
	close(k.fds[2]);
	close(c3);
	vu_socket_destroy(s);
	CHECK(!exists(p));
	CHECK_EQ(vu_socket_connect(p), -ENOENT);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_server_accepts_one_at_a_time)

/*
 * The server goes away and comes back on the same path; the reconnecting
 * client notices the EOF, reports it, and connects to the new server.
 */
static void
test_client_reconnects_after_server_restart_body(void)
{
	int base = vu_test_count_fds();
	struct vu_socket *srv, *cli;
	struct sink ks, kc;
	char p[128];

	sink_init(&ks);
	sink_init(&kc);
	kc.watch = true;
	srv = endpoint(path_in("restart.sock", p, sizeof(p)), VU_SOCKET_SERVER, false, &ks);
	cli = endpoint(p, VU_SOCKET_CLIENT, true, &kc);
	CHECK(srv != NULL && cli != NULL);
	CHECK_EQ(vu_socket_start(srv), 0);
	CHECK_EQ(vu_socket_start(cli), 0);
	CHECK(sink_wait(&kc, &kc.n, 1, 2000));
	CHECK(sink_wait(&ks, &ks.n, 1, 2000));
	CHECK(roundtrip(kc.fds[0], ks.fds[0]));
	CHECK_EQ(vu_socket_start(cli), -EBUSY);

	/* Server restart: the old one is destroyed and drops its connection. */
	vu_socket_destroy(srv);
	CHECK(!exists(p));
	close(ks.fds[0]);
	CHECK(sink_wait(&kc, &kc.closed, 1, 2000));
	sleep_ms(100); /* a few failed attempts: the client is backing off */
	srv = endpoint(p, VU_SOCKET_SERVER, false, &ks);
	CHECK(srv != NULL);
	CHECK_EQ(vu_socket_start(srv), 0);
	CHECK(sink_wait(&kc, &kc.n, 2, 5000));
	CHECK(sink_wait(&ks, &ks.n, 2, 2000));
	CHECK(roundtrip(ks.fds[1], kc.fds[1]));
	CHECK_EQ(kc.not_on_ctl + ks.not_on_ctl, 0);

	CHECK_EQ(vu_fdman_del(kc.fds[1]), 0); /* stop the watcher first */
	vu_socket_destroy(cli);
	close(kc.fds[1]);
	close(ks.fds[1]);
	vu_socket_destroy(srv);
	CHECK(!exists(p));
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_client_reconnects_after_server_restart)

/* A reconnecting client started before its server connects once it appears. */
static void
test_client_waits_for_server_body(void)
{
	int base = vu_test_count_fds();
	struct vu_socket *srv, *cli;
	struct sink ks, kc;
	char p[128];

	sink_init(&ks);
	sink_init(&kc);
	cli = endpoint(path_in("late.sock", p, sizeof(p)), VU_SOCKET_CLIENT, true, &kc);
	CHECK(cli != NULL);
	CHECK_EQ(vu_socket_start(cli), 0);
	sleep_ms(300);
	CHECK_EQ(sink_count(&kc), 0);
	CHECK(make_stale(p)); /* first a dead file: still ECONNREFUSED */
	sleep_ms(100);
	CHECK_EQ(sink_count(&kc), 0);
	srv = endpoint(p, VU_SOCKET_SERVER, false, &ks);
	CHECK(srv != NULL);
	CHECK_EQ(vu_socket_start(srv), 0);
	CHECK(sink_wait(&kc, &kc.n, 1, 3000));
	CHECK(sink_wait(&ks, &ks.n, 1, 2000));
	CHECK(roundtrip(kc.fds[0], ks.fds[0]));
	vu_socket_destroy(cli);
	vu_socket_destroy(srv);
	close(kc.fds[0]);
	close(ks.fds[0]);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_client_waits_for_server)

/* Without reconnect the client makes one attempt and reports its error. */
static void
test_client_no_reconnect_body(void)
{
	int base = vu_test_count_fds();
	struct vu_socket *cli;
	struct sink kc;
	int lfd, afd;
	char p[128];

	sink_init(&kc);
	cli = endpoint(path_in("once.sock", p, sizeof(p)), VU_SOCKET_CLIENT, false, &kc);
	CHECK(cli != NULL);
	CHECK_EQ(vu_socket_start(cli), -ENOENT);
	CHECK(make_stale(p));
	CHECK_EQ(vu_socket_start(cli), -ECONNREFUSED);
	lfd = vu_socket_listen(p);
	CHECK(lfd >= 0);
	CHECK_EQ(vu_socket_start(cli), 0);
	CHECK_EQ(sink_count(&kc), 1); /* on_connect ran before start returned */
	CHECK_EQ(vu_socket_start(cli), -EBUSY);
	afd = vu_socket_accept(lfd);
	CHECK(afd >= 0);
	CHECK(roundtrip(afd, kc.fds[0]));
	close(kc.fds[0]);
	vu_socket_disconnected(cli);
	sleep_ms(100);
	CHECK_EQ(sink_count(&kc), 1); /* no reconnect */
	vu_socket_destroy(cli);
	CHECK(exists(p)); /* a client never removes the file */
	close(afd);
	close(lfd);
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_client_no_reconnect)

static void
nothing(void *arg)
{
	(void)arg;
}

/* An owner may destroy the endpoint from its own on_connect(). */
static void
test_destroy_from_on_connect_body(void)
{
	int base = vu_test_count_fds();
	struct vu_socket *s;
	struct sink k;
	char p[128];
	char c;
	int fd;

	sink_init(&k);
	k.destroy = true;
	s = endpoint(path_in("selfdestruct.sock", p, sizeof(p)), VU_SOCKET_SERVER, false, &k);
	CHECK(s != NULL);
	CHECK_EQ(vu_socket_start(s), 0);
	fd = vu_socket_connect(p);
	CHECK(fd >= 0);
	CHECK(sink_wait(&k, &k.n, 1, 2000));
	CHECK_EQ(vu_socket_set_timeout(fd, 2000), 0);
	CHECK_EQ(recv(fd, &c, 1, 0), 0); /* the server closed it */
	close(fd);
	CHECK_EQ(vu_fdman_call(nothing, NULL), 0); /* vu-ctl has finished the destroy */
	CHECK(!exists(p));
	vu_fdman_shutdown();
	CHECK_EQ(vu_test_count_fds(), base);
}
TMPDIR_CASE(test_destroy_from_on_connect)

VU_TEST_MAIN(
	VU_TEST_CASE(test_listen_replaces_stale),
	VU_TEST_CASE(test_listen_live_socket_in_use),
	VU_TEST_CASE(test_listen_regular_file),
	VU_TEST_CASE(test_bad_paths),
	VU_TEST_CASE(test_connect_missing),
	VU_TEST_CASE(test_set_timeout),
	VU_TEST_CASE(test_server_accepts_one_at_a_time),
	VU_TEST_CASE(test_client_reconnects_after_server_restart),
	VU_TEST_CASE(test_client_waits_for_server),
	VU_TEST_CASE(test_client_no_reconnect),
	VU_TEST_CASE(test_destroy_from_on_connect),
)
