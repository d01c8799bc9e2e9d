/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Display commands: show port stats|xstats|info all|<port>,
 * clear port stats all|<port>, show config fwd.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_string.h>

#include "testpmd.h"

struct cmd_show_port_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t which;
};

/* Run @p fn for "all" or one port. */
static void
for_ports(const char *which, void (*fn)(uint16_t))
{
	int pid = parse_port_arg(which);
	uint16_t i;

	if (pid < 0)
		return;
	if (pid != VU_PORT_MAX) {
		fn(pid);
		return;
	}
	for (i = 0; i < nb_ports; i++)
		fn(port_ids[i]);
}

static void
cmd_show_port_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_port_result *res = parsed;

	(void)cl;
	(void)data;
	if (strcmp(res->show, "clear") == 0)
		for_ports(res->which, nic_stats_clear);
	else if (strcmp(res->what, "stats") == 0)
		for_ports(res->which, nic_stats_display);
	else if (strcmp(res->what, "xstats") == 0)
		for_ports(res->which, nic_xstats_display);
	else
		for_ports(res->which, port_infos_display);
}

static cmdline_parse_token_string_t cmd_show_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, show, "show");
static cmdline_parse_token_string_t cmd_show_port_clear =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, show, "clear");
static cmdline_parse_token_string_t cmd_show_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, port, "port");
static cmdline_parse_token_string_t cmd_show_port_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, what, "stats#xstats#info");
static cmdline_parse_token_string_t cmd_show_port_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, what, "stats");
static cmdline_parse_token_string_t cmd_show_port_which =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, which, NULL);

static cmdline_parse_inst_t cmd_show_port = {
	.f = cmd_show_port_parsed,
	.data = NULL,
	.help_str = "show port stats|xstats|info all|<port_id>: port statistics, extended "
		    "statistics, information",
	.tokens = { (void *)&cmd_show_port_show, (void *)&cmd_show_port_port,
		    (void *)&cmd_show_port_what, (void *)&cmd_show_port_which, NULL },
};

static cmdline_parse_inst_t cmd_clear_port = {
	.f = cmd_show_port_parsed,
	.data = NULL,
	.help_str = "clear port stats all|<port_id>: reset port statistics",
	.tokens = { (void *)&cmd_show_port_clear, (void *)&cmd_show_port_port,
		    (void *)&cmd_show_port_stats, (void *)&cmd_show_port_which, NULL },
};

struct cmd_show_config_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t config;
	cmdline_fixed_string_t what;
};

static void
cmd_show_config_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	(void)data;
	fwd_config_display();
}

static cmdline_parse_token_string_t cmd_show_config_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, show, "show");
static cmdline_parse_token_string_t cmd_show_config_config =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, config, "config");
static cmdline_parse_token_string_t cmd_show_config_fwd =
	TOKEN_STRING_INITIALIZER(struct cmd_show_config_result, what, "fwd");

static cmdline_parse_inst_t cmd_show_config = {
	.f = cmd_show_config_parsed,
	.data = NULL,
	.help_str = "show config fwd: forwarding engine, lcores and streams",
	.tokens = { (void *)&cmd_show_config_show, (void *)&cmd_show_config_config,
		    (void *)&cmd_show_config_fwd, NULL },
};

static cmdline_parse_inst_t *const display_cmds[] = {
	&cmd_show_port, &cmd_clear_port, &cmd_show_config,
};
TESTPMD_CMDS_REGISTER(display_cmds, "display")
