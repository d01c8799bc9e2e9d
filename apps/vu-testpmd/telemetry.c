/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: /vu/ports (port ids) and /vu/port/stats,<id> (basic counters),
 * on DPDK's telemetry socket (/run/dpdk/<prefix>/dpdk_telemetry.v2).
 * Callbacks run on the telemetry thread; port stats may be read from any
 * thread (vu_port.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "testpmd.h"

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (i = 0; i < nb_ports; i++)
		rte_tel_data_add_array_int(d, port_ids[i]);
	return 0;
}

static int
tel_port_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vu_port_stats st;
	unsigned long pid;
	char *end;

	(void)cmd;
	if (params == NULL || !isdigit((unsigned char)*params))
		return -EINVAL;
	pid = strtoul(params, &end, 10);
	if (*end != '\0' || pid >= VU_PORT_MAX || vu_port_stats_get(pid, &st) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ipackets", st.ipackets);
	rte_tel_data_add_dict_u64(d, "opackets", st.opackets);
	rte_tel_data_add_dict_u64(d, "ibytes", st.ibytes);
	rte_tel_data_add_dict_u64(d, "obytes", st.obytes);
	rte_tel_data_add_dict_u64(d, "imissed", st.imissed);
	rte_tel_data_add_dict_u64(d, "ierrors", st.ierrors);
	rte_tel_data_add_dict_u64(d, "oerrors", st.oerrors);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", st.rx_nombuf);
	return 0;
}

void
telemetry_init(void)
{
	rte_telemetry_register_cmd("/vu/ports", tel_ports, "Returns the vu port ids.");
	rte_telemetry_register_cmd("/vu/port/stats", tel_port_stats,
				   "Returns the basic stats of a vu port. Parameters: int port_id");
}
