/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port helpers for tests that drive lib/port directly.
 */
#ifndef VU_TEST_PORT_H
#define VU_TEST_PORT_H

#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "vu_port.h"

/* One xstat of @p port by name; UINT64_MAX when the port has none by it. */
static inline uint64_t
vu_test_xstat(uint16_t port, const char *name)
{
	struct vu_port_xstat xs[256];
	int n = vu_port_xstats_get(port, xs, RTE_DIM(xs)), i;

	for (i = 0; i < n && i < (int)RTE_DIM(xs); i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	return UINT64_MAX;
}

#endif /* VU_TEST_PORT_H */
