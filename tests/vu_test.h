/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small TAP test harness for vu's C tests.
 *
 * Each case runs in a forked child with an alarm, so a crash or a hang in one
 * case is reported as that case's failure and the others still run. Output is
 * TAP ("ok 3 - name"), which meson reads per case (protocol: 'tap') and which
 * devtools/run-tests.sh counts for the final "N passed, N failed" line.
 * Set VU_TEST_NOFORK=1 to run cases in-process (for gdb), VU_TEST_ONLY=name
 * to run one case.
 */
#ifndef VU_TEST_H
#define VU_TEST_H

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

/* ASan builds: each case's child checks for leaks before its _exit(),
 * which skips LeakSanitizer's own check at exit. */
#if defined(__SANITIZE_ADDRESS__)
#define VU_TEST_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VU_TEST_LSAN 1
#endif
#endif
#ifdef VU_TEST_LSAN
#include <sanitizer/lsan_interface.h>
#endif

struct vu_test_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s; /* 0: VU_TEST_TIMEOUT_S */
};

#define VU_TEST_TIMEOUT_S 30

static bool vu_test_failed;
static bool vu_test_skipped;	/* VU_TEST_SKIP() ended the case */

static inline void
vu_test_fail(const char *file, int line, const char *what)
{
	printf("# %s:%d: check failed: %s\n", file, line, what);
	fflush(stdout);
	vu_test_failed = true;
}

/* Stop the current case when @p cond is false. */
#define CHECK(cond) do { \
	if (!(cond)) { \
		vu_test_fail(__FILE__, __LINE__, #cond); \
		return; \
	} \
} while (0)

/* Stop the current case when @p a != @p b, printing both values. */
#define CHECK_EQ(a, b) do { \
	long long va_ = (long long)(a), vb_ = (long long)(b); \
	if (va_ != vb_) { \
		char buf_[256]; \
		snprintf(buf_, sizeof(buf_), "%s == %s (%lld != %lld)", #a, #b, va_, vb_); \
		vu_test_fail(__FILE__, __LINE__, buf_); \
		return; \
	} \
} while (0)

/* Number of open fds of this process, from /proc/self/fd. */
static inline int
vu_test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/*
 * Lines of /proc/self/maps naming @p needle (a memfd's name, say): a mapping
 * leak shows as a higher count. Counting every mapping would drift under
 * ASan, which maps shadow memory as it goes.
 */
static inline int
vu_test_count_maps(const char *needle)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* Milliseconds on the monotonic clock. */
static inline double
vu_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Let thread @p th run on every CPU but 0, where an EAL lcore 0 spins
 * (left alone on a one-CPU machine). */
static inline void
vu_test_off_cpu0(pthread_t th)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	cpu_set_t set;

	if (n < 2)
		return;
	CPU_ZERO(&set);
	for (i = 1; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	pthread_setaffinity_np(th, sizeof(set), &set);
}

/*
 * Pin spinning thread @p th to the @p k-th CPU this process may use (k
 * taken modulo their number), so that two spinners get a core each and the
 * scheduler never moves one onto the other's.
 */
static inline void
vu_test_pin(pthread_t th, unsigned int k)
{
	cpu_set_t allowed, one;
	int cpu, count;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return;
	count = CPU_COUNT(&allowed);
	if (count == 0)
		return;
	k %= (unsigned int)count;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || k-- > 0)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_setaffinity_np(th, sizeof(one), &one);
		return;
	}
}

/*
 * EAL makes its runtime directory even with --no-shconf and leaves it
 * behind. A test that brings EAL up with --file-prefix @p prefix names it
 * here once, and the directory (empty by then) is removed when the test
 * program exits: /var/run/dpdk/PREFIX as root, else
 * $XDG_RUNTIME_DIR/dpdk/PREFIX or /tmp/dpdk/PREFIX, as EAL chooses.
 */
#define VU_TEST_EAL_PREFIX(prefix)						\
	static void __attribute__((destructor))					\
	vu_test_remove_eal_runtime_dir(void)					\
	{									\
		const char *xdg = getenv("XDG_RUNTIME_DIR");			\
		char dir[512];							\
										\
		snprintf(dir, sizeof(dir), "%s/dpdk/%s",			\
			 getuid() == 0 ? "/var/run" : xdg != NULL ? xdg : "/tmp",	\
			 prefix);						\
		rmdir(dir);							\
	}

/*
 * A case that fails (or times out) skips its own cleanup: remove the
 * sockets its child made, by the naming every test uses,
 * /tmp/vu-<what>-<pid>.sock.
 */
static inline void
vu_test_remove_sockets(pid_t pid)
{
	char suffix[32], path[512];
	struct dirent *e;
	DIR *d = opendir("/tmp");
	size_t n, sl;

	if (d == NULL)
		return;
	sl = (size_t)snprintf(suffix, sizeof(suffix), "-%d.sock", (int)pid);
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (strncmp(e->d_name, "vu-", 3) == 0 && n > sl &&
		    strcmp(e->d_name + n - sl, suffix) == 0) {
			snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

/* Exit status of a case's child that skipped: TAP's "# SKIP". */
#define VU_TEST_SKIP_STATUS 77

/*
 * End the current case (return from its function) as skipped, saying why
 * (what the machine lacks). The summary lists skips and counts them
 * neither as passed nor as failed; use it only where the machine, not the
 * code, makes the case impossible.
 */
#define VU_TEST_SKIP(why) do { \
	printf("# skip: %s\n", (why)); \
	vu_test_skipped = true; \
	return; \
} while (0)

/* 0 passed, 1 failed, VU_TEST_SKIP_STATUS skipped. */
static inline int
vu_test_run_one(const struct vu_test_case *tc)
{
	unsigned int timeout = tc->timeout_s ? tc->timeout_s : VU_TEST_TIMEOUT_S;
	const char *nofork = getenv("VU_TEST_NOFORK");
	int status;
	pid_t pid;

	if (nofork != NULL && strcmp(nofork, "1") == 0) {
		vu_test_failed = vu_test_skipped = false;
		tc->fn();
		return vu_test_failed ? 1 : vu_test_skipped ? VU_TEST_SKIP_STATUS : 0;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		alarm(timeout);
		vu_test_failed = vu_test_skipped = false;
		tc->fn();
#ifdef VU_TEST_LSAN
		if (__lsan_do_recoverable_leak_check() != 0) {
			printf("# LeakSanitizer found leaks (above)\n");
			vu_test_failed = true;
		}
#endif
		fflush(stdout);
		_exit(vu_test_failed ? 1 : vu_test_skipped ? VU_TEST_SKIP_STATUS : 0);
	}
	{
		siginfo_t si;

		/* Ended but not reaped: its pid cannot go to another process
		 * (whose sockets would then be removed) until the waitpid(). */
		while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
	}
	vu_test_remove_sockets(pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d%s\n", WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == VU_TEST_SKIP_STATUS)
		return VU_TEST_SKIP_STATUS;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static inline int
vu_test_run(const struct vu_test_case *cases, unsigned int n)
{
	const char *only = getenv("VU_TEST_ONLY");
	unsigned int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		int r;

		if (only != NULL && strcmp(only, cases[i].name) != 0) {
			printf("ok %u - %s # SKIP not selected\n", i + 1, cases[i].name);
			continue;
		}
		r = vu_test_run_one(&cases[i]);
		if (r == VU_TEST_SKIP_STATUS) {
			printf("ok %u - %s # SKIP (reason above)\n", i + 1, cases[i].name);
			continue;
		}
		printf("%sok %u - %s\n", r == 0 ? "" : "not ", i + 1, cases[i].name);
		failed += r != 0;
	}
	return failed ? 1 : 0;
}

#define VU_TEST_CASE(fn) { #fn, fn, 0 }
#define VU_TEST_CASE_TIMEOUT(fn, s) { #fn, fn, (s) }

#define VU_TEST_MAIN(...) \
int main(void) \
{ \
	static const struct vu_test_case cases_[] = { __VA_ARGS__ }; \
	return vu_test_run(cases_, sizeof(cases_) / sizeof(cases_[0])); \
}

#endif /* VU_TEST_H */
