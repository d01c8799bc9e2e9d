/* SPDX-License-Identifier: BSD-3-Clause */
/* Port commands: port start|stop all|<port>, port config all rxq|txq <n>. */
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "testpmd.h"

struct cmd_port_result {
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t op;
	cmdline_fixed_string_t which;
	cmdline_fixed_string_t what;
	uint16_t n;
};

static void
cmd_port_op_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_result *res = parsed;
	bool start = strcmp(res->op, "start") == 0;
	int pid = parse_port_arg(res->which);
	uint16_t i;

	(void)cl;
	(void)data;
	if (pid < 0)
		return;
	if (!start && fwd_running) {
		printf("Please stop forwarding first\n");
		return;
	}
	printf("%s ports...\n", start ? "Starting" : "Stopping");
	for (i = 0; i < nb_ports; i++) {
		if (pid != VU_PORT_MAX && port_ids[i] != pid)
			continue;
		if (start)
			port_start(port_ids[i]);
		else
			port_stop(port_ids[i]);
	}
	printf("Checking link statuses...\nDone\n");
}

static void
cmd_port_config_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_port_result *res = parsed;
	uint16_t i;

	(void)cl;
	(void)data;
	if (!all_ports_stopped()) {
		printf("Please stop all ports first\n");
		return;
	}
	if (res->n == 0 || res->n > VU_MAX_QUEUE_PAIRS) {
		printf("Warning: Either rx or tx queues should be non zero and <= %d\n",
		       VU_MAX_QUEUE_PAIRS);
		return;
	}
	if (strcmp(res->what, "rxq") == 0)
		nb_rxq = res->n;
	else
		nb_txq = res->n;
	for (i = 0; i < nb_ports; i++)
		ports[port_ids[i]].need_reconfig = true;
}

static cmdline_parse_token_string_t cmd_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, port, "port");
static cmdline_parse_token_string_t cmd_port_op =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, op, "start#stop");
static cmdline_parse_token_string_t cmd_port_which =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, which, NULL);
static cmdline_parse_token_string_t cmd_port_config =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, op, "config");
static cmdline_parse_token_string_t cmd_port_all =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, which, "all");
static cmdline_parse_token_string_t cmd_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_port_result, what, "rxq#txq");
static cmdline_parse_token_num_t cmd_port_n =
	TOKEN_NUM_INITIALIZER(struct cmd_port_result, n, RTE_UINT16);

static cmdline_parse_inst_t cmd_port_op_inst = {
	.f = cmd_port_op_parsed,
	.data = NULL,
	.help_str = "port start|stop all|<port_id>: start or stop ports",
	.tokens = { (void *)&cmd_port_port, (void *)&cmd_port_op, (void *)&cmd_port_which,
		    NULL },
};

static cmdline_parse_inst_t cmd_port_config_inst = {
	.f = cmd_port_config_parsed,
	.data = NULL,
	.help_str = "port config all rxq|txq <n>: queues per port (ports stopped; "
		    "applies at port start)",
	.tokens = { (void *)&cmd_port_port, (void *)&cmd_port_config, (void *)&cmd_port_all,
		    (void *)&cmd_port_what, (void *)&cmd_port_n, NULL },
};

static cmdline_parse_inst_t *const port_cmds[] = { &cmd_port_op_inst, &cmd_port_config_inst };
TESTPMD_CMDS_REGISTER(port_cmds, "ports")
