/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vu's own commands: show vhost <port> (negotiation, memory, rings), and
 * virtio-user <port> sleep|wake|snapshot <file>|restore <file>.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "testpmd.h"

struct cmd_show_vhost_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t vhost;
	uint16_t port;
};

static void
cmd_show_vhost_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_show_vhost_result *res = parsed;
	int ret;

	(void)cl;
	(void)data;
	if (port_id_is_invalid(res->port))
		return;
	ret = vu_port_dump(res->port, stdout);
	if (ret != 0)
		printf("show vhost %u: %s\n", res->port, strerror(-ret));
}

static cmdline_parse_token_string_t cmd_show_vhost_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_vhost_result, show, "show");
static cmdline_parse_token_string_t cmd_show_vhost_vhost =
	TOKEN_STRING_INITIALIZER(struct cmd_show_vhost_result, vhost, "vhost");
static cmdline_parse_token_num_t cmd_show_vhost_port =
	TOKEN_NUM_INITIALIZER(struct cmd_show_vhost_result, port, RTE_UINT16);

static cmdline_parse_inst_t cmd_show_vhost = {
	.f = cmd_show_vhost_parsed,
	.data = NULL,
	.help_str = "show vhost <port_id>: negotiated features, memory regions and the "
		    "state of every ring of a net_vhost or net_virtio_user port",
	.tokens = { (void *)&cmd_show_vhost_show, (void *)&cmd_show_vhost_vhost,
		    (void *)&cmd_show_vhost_port, NULL },
};

struct cmd_vuser_result {
	cmdline_fixed_string_t vuser;
	uint16_t port;
	cmdline_fixed_string_t op;
	cmdline_fixed_string_t file;
};

static void
run_dev_op(uint16_t port, enum vu_port_dev_op op, const char *name, const char *file)
{
	int ret;

	if (port_id_is_invalid(port))
		return;
	ret = vu_port_dev_op(port, op, file);
	if (ret != 0)
		printf("virtio-user %u %s: %s\n", port, name, strerror(-ret));
	else
		printf("virtio-user %u %s: done%s%s\n", port, name, file ? " " : "",
		       file ? file : "");
}

static void
cmd_vuser_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_vuser_result *res = parsed;

	(void)cl;
	(void)data;
	if (strcmp(res->op, "sleep") == 0)
		run_dev_op(res->port, VU_PORT_DEV_SLEEP, "sleep", NULL);
	else if (strcmp(res->op, "wake") == 0)
		run_dev_op(res->port, VU_PORT_DEV_WAKE, "wake", NULL);
	else if (strcmp(res->op, "snapshot") == 0)
		run_dev_op(res->port, VU_PORT_DEV_SNAPSHOT, "snapshot", res->file);
	else
		run_dev_op(res->port, VU_PORT_DEV_RESTORE, "restore", res->file);
}

static cmdline_parse_token_string_t cmd_vuser_vuser =
	TOKEN_STRING_INITIALIZER(struct cmd_vuser_result, vuser, "virtio-user");
static cmdline_parse_token_num_t cmd_vuser_port =
	TOKEN_NUM_INITIALIZER(struct cmd_vuser_result, port, RTE_UINT16);
static cmdline_parse_token_string_t cmd_vuser_sleepwake =
	TOKEN_STRING_INITIALIZER(struct cmd_vuser_result, op, "sleep#wake");
static cmdline_parse_token_string_t cmd_vuser_state =
	TOKEN_STRING_INITIALIZER(struct cmd_vuser_result, op, "snapshot#restore");
static cmdline_parse_token_string_t cmd_vuser_file =
	TOKEN_STRING_INITIALIZER(struct cmd_vuser_result, file, NULL);

static cmdline_parse_inst_t cmd_vuser_sleep = {
	.f = cmd_vuser_parsed,
	.data = NULL,
	.help_str = "virtio-user <port_id> sleep|wake: stop every ring of the backend "
		    "(GET_VRING_BASE) and restart it where it stopped",
	.tokens = { (void *)&cmd_vuser_vuser, (void *)&cmd_vuser_port,
		    (void *)&cmd_vuser_sleepwake, NULL },
};

static cmdline_parse_inst_t cmd_vuser_state_inst = {
	.f = cmd_vuser_parsed,
	.data = NULL,
	.help_str = "virtio-user <port_id> snapshot|restore <file>: save the backend's "
		    "device state to a file, or load it (the port must be asleep)",
	.tokens = { (void *)&cmd_vuser_vuser, (void *)&cmd_vuser_port,
		    (void *)&cmd_vuser_state, (void *)&cmd_vuser_file, NULL },
};

static cmdline_parse_inst_t *const vhost_cmds[] = {
	&cmd_show_vhost, &cmd_vuser_sleep, &cmd_vuser_state_inst,
};
TESTPMD_CMDS_REGISTER(vhost_cmds, "vhost")
