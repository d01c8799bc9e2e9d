/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration commands: set fwd|burst|txpkts|nbcore|payload-check|record-*. */
#include <stdio.h>
#include <string.h>

#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>

#include "testpmd.h"

/* "io#mac#..." built from fwd_engines[] at start-up, for completion. */
static char fwd_mode_names[128];

struct cmd_set_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t what;
	cmdline_fixed_string_t value;
	uint16_t n;
};

static void
cmd_set_fwd_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_result *res = parsed;
	struct fwd_engine *eng = fwd_engine_find(res->value);

	(void)cl;
	(void)data;
	if (eng == NULL) {
		printf("Invalid %s packet forwarding mode\n", res->value);
		return;
	}
	cur_fwd_eng = eng;
	printf("Set %s packet forwarding mode\n", eng->name);
}

static void
cmd_set_txpkts_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_result *res = parsed;

	(void)cl;
	(void)data;
	/* The forwarding cores read the sizes as they build each packet. */
	if (fwd_running) {
		printf("Please stop forwarding first\n");
		return;
	}
	parse_txpkts(res->value);
}

static void
cmd_set_num_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_result *res = parsed;

	(void)cl;
	(void)data;
	if (strcmp(res->what, "burst") == 0) {
		if (res->n == 0 || res->n > MAX_PKT_BURST) {
			printf("nb pkt per burst must be >= 1 and <= %d\n", MAX_PKT_BURST);
			return;
		}
		nb_pkt_per_burst = res->n;
		printf("Number of packets per burst set to %u%s\n", nb_pkt_per_burst,
		       fwd_running ? " from the next start" : "");
		return;
	}
	if (res->n == 0 || res->n > nb_worker_lcores) {
		printf("nb fwd cores %u invalid - must be >= 1 and <= %u\n", res->n,
		       nb_worker_lcores);
		return;
	}
	nb_fwd_lcores = res->n;
	printf("Number of forwarding cores set to %u\n", nb_fwd_lcores);
}

static void
cmd_set_payload_check_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_result *res = parsed;

	(void)cl;
	(void)data;
	payload_check = strcmp(res->value, "on") == 0;
	printf("Payload check %s%s\n", payload_check ? "on" : "off",
	       fwd_running ? " from the next start" : "");
}

/* set record-burst-stats|record-core-cycles on|off: both apply at the next start. */
static void
cmd_set_record_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_set_result *res = parsed;
	bool on = strcmp(res->value, "on") == 0;

	(void)cl;
	(void)data;
	if (strcmp(res->what, "record-burst-stats") == 0)
		record_burst_stats = on;
	else
		record_core_cycles = on;
	if (fwd_running)
		printf("%s %s from the next start\n", res->what, on ? "on" : "off");
}

static cmdline_parse_token_string_t cmd_set_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, set, "set");
static cmdline_parse_token_string_t cmd_set_fwd =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, what, "fwd");
static cmdline_parse_token_string_t cmd_set_mode =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, value, fwd_mode_names);
static cmdline_parse_token_string_t cmd_set_txpkts =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, what, "txpkts");
static cmdline_parse_token_string_t cmd_set_list =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, value, NULL);
static cmdline_parse_token_string_t cmd_set_num_what =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, what, "burst#nbcore");
static cmdline_parse_token_string_t cmd_set_payload =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, what, "payload-check");
static cmdline_parse_token_string_t cmd_set_record_burst =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, what,
				 "record-burst-stats#record-core-cycles");
static cmdline_parse_token_string_t cmd_set_on_off =
	TOKEN_STRING_INITIALIZER(struct cmd_set_result, value, "on#off");
static cmdline_parse_token_num_t cmd_set_n =
	TOKEN_NUM_INITIALIZER(struct cmd_set_result, n, RTE_UINT16);

static cmdline_parse_inst_t cmd_set_fwd_mode = {
	.f = cmd_set_fwd_parsed,
	.data = NULL,
	.help_str = "set fwd io|mac|macswap|rxonly|txonly|flowgen: forwarding engine",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_fwd, (void *)&cmd_set_mode, NULL },
};

static cmdline_parse_inst_t cmd_set_txpkts_list = {
	.f = cmd_set_txpkts_parsed,
	.data = NULL,
	.help_str = "set txpkts <len0>[,<len1>]*: segment sizes of txonly/flowgen packets",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_txpkts, (void *)&cmd_set_list,
		    NULL },
};

static cmdline_parse_inst_t cmd_set_num = {
	.f = cmd_set_num_parsed,
	.data = NULL,
	.help_str = "set burst|nbcore <n>: packets per burst, number of forwarding cores",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_num_what, (void *)&cmd_set_n, NULL },
};

static cmdline_parse_inst_t cmd_set_payload_check = {
	.f = cmd_set_payload_check_parsed,
	.data = NULL,
	.help_str = "set payload-check on|off: (vu) generated packets carry a pattern, "
		    "received packets are checked against it",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_payload, (void *)&cmd_set_on_off,
		    NULL },
};

static cmdline_parse_inst_t cmd_set_record = {
	.f = cmd_set_record_parsed,
	.data = NULL,
	.help_str = "set record-burst-stats|record-core-cycles on|off: from the next start, "
		    "count the bursts of each size / time the bursts that move packets; "
		    "stop prints the most frequent sizes / CPU cycles per packet",
	.tokens = { (void *)&cmd_set_set, (void *)&cmd_set_record_burst, (void *)&cmd_set_on_off,
		    NULL },
};

static cmdline_parse_inst_t *const config_cmds[] = {
	&cmd_set_fwd_mode, &cmd_set_txpkts_list, &cmd_set_num, &cmd_set_payload_check,
	&cmd_set_record,
};
TESTPMD_CMDS_REGISTER(config_cmds, "config")

RTE_INIT(fwd_mode_names_init)
{
	unsigned int i;
	size_t len = 0;

	for (i = 0; fwd_engines[i] != NULL; i++)
		len += snprintf(fwd_mode_names + len, sizeof(fwd_mode_names) - len, "%s%s",
				i ? "#" : "", fwd_engines[i]->name);
}
