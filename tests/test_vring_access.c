/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control/data hand-off under contention: a "data-plane" thread enters
 * and leaves bursts as fast as it can while the control thread stops and
 * restarts access many times. While the control plane owns the ring no
 * burst may be inside, and a burst never sees the control plane's
 * half-done changes. Runs with membarrier (the normal case) and with the
 * fallback where bursts fence themselves.
 */
#include <pthread.h>

#include <rte_pause.h>

#include "vu_test.h"
#include "vu_vring.h"

#define CYCLES 20000

static struct vu_vring_access acc;
static bool owned;		/* the control plane is changing the ring */
static uint64_t ring_a, ring_b;		/* the "ring": always equal outside changes */
static bool done;
static uint64_t bursts, violations;

static void *
data_plane(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		if (!vu_vring_access_enter(&acc))
			continue;
		if (__atomic_load_n(&owned, __ATOMIC_RELAXED) || __atomic_load_n(&ring_a, __ATOMIC_RELAXED) !=
			     __atomic_load_n(&ring_b, __ATOMIC_RELAXED))
			violations++;
		__atomic_fetch_add(&bursts, 1, __ATOMIC_RELAXED);
		vu_vring_access_leave(&acc);
	}
	return NULL;
}

static void
handoff(bool asymmetric)
{
	bool saved = __atomic_load_n(&vu_vring_access_asymmetric, __ATOMIC_RELAXED);
	/* Bounded by time too: on a loaded machine (or one CPU) each hand-off
	 * may wait for the other thread to be scheduled. */
	double deadline = vu_test_now_ms() + 15000;
	pthread_t t;
	unsigned int i;

	if (!asymmetric)
		__atomic_store_n(&vu_vring_access_asymmetric, false, __ATOMIC_RELAXED);
	bursts = violations = 0;
	done = false;
	vu_vring_access_init(&acc);
	vu_vring_access_start(&acc);
	CHECK_EQ(pthread_create(&t, NULL, data_plane, NULL), 0);
	for (i = 0; i < CYCLES && vu_test_now_ms() < deadline; i++) {
		vu_vring_access_stop(&acc);
		__atomic_store_n(&owned, true, __ATOMIC_RELAXED);
		/* A change no burst may see half done. */
		__atomic_store_n(&ring_a, i + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&ring_b, i + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&owned, false, __ATOMIC_RELAXED);
		vu_vring_access_start(&acc);
		/* Let a burst or two in before taking the ring again. */
		for (uint64_t b = __atomic_load_n(&bursts, __ATOMIC_RELAXED), spin = 0;
		     __atomic_load_n(&bursts, __ATOMIC_RELAXED) == b && spin < 100000; spin++) {
			if (spin % 256 == 255)
				sched_yield();	/* the data plane may share our CPU */
			else
				rte_pause();
		}
	}
	__atomic_store_n(&done, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	__atomic_store_n(&vu_vring_access_asymmetric, saved, __ATOMIC_RELAXED);
	printf("# %s: %u hand-offs, %" PRIu64 " bursts, %" PRIu64 " violations\n",
	       asymmetric ? "membarrier" : "fenced bursts", i, bursts, violations);
	CHECK_EQ(violations, 0);
	CHECK(bursts > 0);
	CHECK(i >= 500);	/* enough hand-offs to mean something */
}

static void
handoff_membarrier(void)
{
	CHECK(vu_vring_access_asymmetric);	/* registered by the library's constructor */
	handoff(true);
}

static void
handoff_fenced(void)
{
	handoff(false);
}

VU_TEST_MAIN(
	VU_TEST_CASE(handoff_membarrier),
	VU_TEST_CASE(handoff_fenced),
)
