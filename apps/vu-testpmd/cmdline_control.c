/* SPDX-License-Identifier: BSD-3-Clause */
/* Control commands: start, start tx_first [N], stop, quit. */
#include <stdio.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "testpmd.h"

struct cmd_start_result {
	cmdline_fixed_string_t start;
	cmdline_fixed_string_t tx_first;
	uint32_t n;
};

static void
cmd_start_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_start_result *res = parsed;
	uintptr_t kind = (uintptr_t)data;

	(void)cl;
	start_packet_forwarding(kind == 0 ? 0 : kind == 1 ? 1 : res->n);
}

static cmdline_parse_token_string_t cmd_start_start =
	TOKEN_STRING_INITIALIZER(struct cmd_start_result, start, "start");
static cmdline_parse_token_string_t cmd_start_tx_first =
	TOKEN_STRING_INITIALIZER(struct cmd_start_result, tx_first, "tx_first");
static cmdline_parse_token_num_t cmd_start_n =
	TOKEN_NUM_INITIALIZER(struct cmd_start_result, n, RTE_UINT32);

static cmdline_parse_inst_t cmd_start = {
	.f = cmd_start_parsed,
	.data = (void *)0,
	.help_str = "start: start packet forwarding",
	.tokens = { (void *)&cmd_start_start, NULL },
};

static cmdline_parse_inst_t cmd_start_txf = {
	.f = cmd_start_parsed,
	.data = (void *)1,
	.help_str = "start tx_first: send one burst on every stream, then start forwarding",
	.tokens = { (void *)&cmd_start_start, (void *)&cmd_start_tx_first, NULL },
};

static cmdline_parse_inst_t cmd_start_txf_n = {
	.f = cmd_start_parsed,
	.data = (void *)2,
	.help_str = "start tx_first <n>: send n bursts on every stream, then start forwarding",
	.tokens = { (void *)&cmd_start_start, (void *)&cmd_start_tx_first, (void *)&cmd_start_n,
		    NULL },
};

struct cmd_word_result {
	cmdline_fixed_string_t word;
};

static void
cmd_stop_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	(void)data;
	stop_packet_forwarding();
}

static cmdline_parse_token_string_t cmd_stop_stop =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, "stop");

static cmdline_parse_inst_t cmd_stop = {
	.f = cmd_stop_parsed,
	.data = NULL,
	.help_str = "stop: stop packet forwarding and display the forward statistics",
	.tokens = { (void *)&cmd_stop_stop, NULL },
};

static void
cmd_quit_parsed(void *parsed, struct cmdline *cl, void *data)
{
	(void)parsed;
	(void)cl;
	(void)data;
	prompt_quit();
}

static cmdline_parse_token_string_t cmd_quit_quit =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = NULL,
	.help_str = "quit: stop forwarding, close the ports and exit",
	.tokens = { (void *)&cmd_quit_quit, NULL },
};

static cmdline_parse_inst_t *const control_cmds[] = {
	&cmd_start, &cmd_start_txf, &cmd_start_txf_n, &cmd_stop, &cmd_quit,
};
TESTPMD_CMDS_REGISTER(control_cmds, "control")
