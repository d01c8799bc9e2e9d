/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Core-to-core round trip: how long one cache line takes to go from CPU 0
 * to CPU 1 and back, sampled repeatedly. Every packet a vhost loopback
 * moves costs a few such transfers, so on a VM whose two vCPUs the host
 * places now close together, now far apart, this number says which kind
 * of machine a perf sample ran on.
 *
 * usage: c2c_rtt [samples=20] [gap_ms=250]
 * Prints one line: "c2c_rtt_ns min median max" then the samples.
 * Built and run by the DTS perf suite before and after a run.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define TRIPS	100000

static _Alignas(64) volatile uint64_t ball;
static volatile int done;

static void
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
		fprintf(stderr, "c2c_rtt: cannot pin to CPU %d\n", cpu);
		exit(1);
	}
}

/* CPU 1: return every odd value as the next even one. */
static void *
echo(void *arg)
{
	uint64_t v = 1;

	(void)arg;
	pin(1);
	while (!done) {
		while (ball != v && !done)
			;
		ball = v + 1;
		v += 2;
	}
	return NULL;
}

static double
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 20;
	int gap_ms = argc > 2 ? atoi(argv[2]) : 250;
	double *ns, *sorted, t0;
	uint64_t v = 0;
	pthread_t t;
	int s, i;

	if (samples < 1 || samples > 10000 || gap_ms < 0) {
		fprintf(stderr, "usage: c2c_rtt [samples 1..10000] [gap_ms]\n");
		return 2;
	}
	ns = calloc(samples, sizeof(*ns));
	sorted = calloc(samples, sizeof(*sorted));
	if (ns == NULL || sorted == NULL)
		return 1;
	pin(0);
	if (pthread_create(&t, NULL, echo, NULL) != 0)
		return 1;
	for (s = 0; s < samples; s++) {
		t0 = now_ns();
		for (i = 0; i < TRIPS; i++) {
			ball = v + 1;
			while (ball != v + 2)
				;
			v += 2;
		}
		ns[s] = sorted[s] = (now_ns() - t0) / TRIPS;
		usleep(gap_ms * 1000);
	}
	done = 1;
	pthread_join(t, NULL);
	qsort(sorted, samples, sizeof(*sorted), cmp_double);
	printf("c2c_rtt_ns %.0f %.0f %.0f", sorted[0], sorted[samples / 2], sorted[samples - 1]);
	for (s = 0; s < samples; s++)
		printf(" %.0f", ns[s]);
	printf("\n");
	free(ns);
	free(sorted);
	return 0;
}
