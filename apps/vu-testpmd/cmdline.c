/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The prompt, on DPDK's librte_cmdline. Commands live in cmdline_*.c by
 * topic; each file registers its table and help section at start-up, so
 * the command list here is built, not written.
 */
#include <stdio.h>
#include <string.h>

#include <cmdline.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "testpmd.h"

/** Commands the prompt can hold; each command file adds a few. */
#define CMDS_MAX 128
#define SECTIONS_MAX 16

static cmdline_parse_inst_t *cmds[CMDS_MAX + 1];
static const char *cmd_section[CMDS_MAX];
static unsigned int nb_cmds;
static const char *sections[SECTIONS_MAX];
static unsigned int nb_sections;
static struct cmdline *testpmd_cl;

void
testpmd_cmds_register(cmdline_parse_inst_t *const *table, unsigned int n, const char *section)
{
	unsigned int i;

	for (i = 0; i < nb_sections && strcmp(sections[i], section) != 0; i++)
		;
	if (i == nb_sections && nb_sections < SECTIONS_MAX)
		sections[nb_sections++] = section;
	for (i = 0; i < n && nb_cmds < CMDS_MAX; i++) {
		cmd_section[nb_cmds] = section;
		cmds[nb_cmds++] = table[i];
	}
}

int
prompt_open(void)
{
	testpmd_cl = cmdline_stdin_new(cmds, TESTPMD_PROMPT);
	if (testpmd_cl == NULL) {
		fprintf(stderr, "vu-testpmd: cannot create the prompt\n");
		return -1;
	}
	return 0;
}

void
prompt_run(void)
{
	cmdline_interact(testpmd_cl);
}

void
prompt_quit(void)
{
	if (testpmd_cl != NULL)
		cmdline_quit(testpmd_cl);
}

void
prompt_exit(void)
{
	if (testpmd_cl != NULL) {
		cmdline_stdin_exit(testpmd_cl);
		testpmd_cl = NULL;
	}
}

/* help [section] */
struct cmd_help_result {
	cmdline_fixed_string_t help;
	cmdline_fixed_string_t section;
};

static void
help_section(const char *section)
{
	unsigned int i;

	printf("\n%s commands:\n\n", section);
	for (i = 0; i < nb_cmds; i++)
		if (strcmp(cmd_section[i], section) == 0)
			printf("    %s\n", cmds[i]->help_str);
}

static void
cmd_help_parsed(void *parsed, struct cmdline *cl, void *data)
{
	struct cmd_help_result *res = parsed;
	unsigned int i;

	(void)cl;
	if (data == NULL) {
		printf("\nHelp is available for the following sections:\n\n");
		for (i = 0; i < nb_sections; i++)
			if (strcmp(sections[i], "help") != 0)
				printf("    help %-28s: %s commands.\n", sections[i], sections[i]);
		printf("    help %-28s: All of the above sections.\n\n", "all");
		return;
	}
	for (i = 0; i < nb_sections; i++)
		if (strcmp(res->section, "all") == 0 || strcmp(res->section, sections[i]) == 0)
			break;
	if (i == nb_sections) {
		printf("Bad arguments: no help section '%s' (help lists them)\n", res->section);
		return;
	}
	for (; i < nb_sections; i++)
		if (strcmp(res->section, "all") == 0 || strcmp(res->section, sections[i]) == 0)
			help_section(sections[i]);
	printf("\n");
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");
static cmdline_parse_token_string_t cmd_help_section =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, section, NULL);

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = NULL,
	.help_str = "help: show the help sections",
	.tokens = { (void *)&cmd_help_help, NULL },
};

static cmdline_parse_inst_t cmd_help_sec = {
	.f = cmd_help_parsed,
	.data = (void *)1,
	.help_str = "help <section>|all: show the commands of a section",
	.tokens = { (void *)&cmd_help_help, (void *)&cmd_help_section, NULL },
};

static cmdline_parse_inst_t *const help_cmds[] = { &cmd_help, &cmd_help_sec };
TESTPMD_CMDS_REGISTER(help_cmds, "help")
