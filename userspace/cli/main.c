// SPDX-License-Identifier: MIT
/* kettle: a table of subcommands dispatched by name. */
#include <stdio.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
	{ "run",     cmd_run,     "trace a build: kettle run [-o LOG] [options] -- CMD [ARGS...]" },
	{ "attach",  cmd_attach,  "trace a running tree: kettle attach (--pid PID | --cgroup DIR) [-o LOG] [--until-exit]" },
	{ "hash",    cmd_hash,    "SHA-256 of files and trees: kettle hash [-j N] [--json] [--dirhash] PATH..." },
	{ "log",     cmd_log,     "read a build log: kettle log {show|tree|files|stats|net} LOG [--json]" },
	{ "provenance", cmd_provenance, "SLSA provenance from a build log: kettle provenance LOG [-o FILE] [--subject P]..." },
	{ "attest",  cmd_attest,  "bind a statement into TEE evidence: kettle attest STATEMENT -o BUNDLE [--tee auto|snp|tdx|sim]" },
	{ "verify",  cmd_verify,  "check evidence offline: kettle verify BUNDLE [--artifact FILE]... | --report FILE" },
	{ "why",     cmd_why,     "lineage of a file: kettle why LOG PATH [--json|--dot]" },
	{ "who",     cmd_who,     "who executed, read or wrote a file: kettle who LOG PATH [--json]" },
	{ "replay",  cmd_replay,  "the build's state at a moment: kettle replay LOG --at TIME [--json]" },
	{ "diff",    cmd_diff,    "what differs between two builds: kettle diff A B [--json]" },
	{ "export",  cmd_export,  "the build as a trace or graph: kettle export LOG --format perfetto|dot" },
	{ "report",  cmd_report,  "the build on one HTML page: kettle report LOG [--provenance F] -o R.html" },
	{ "index",   cmd_index,   "put builds into the fleet index: kettle index add [--db DB] LOG|BUNDLE..." },
	{ "search",  cmd_search,  "which indexed builds touched it: kettle search [--db DB] --digest SHA256 | --path GLOB | --endpoint HOST[:PORT]" },
	{ "version", cmd_version, "print kettle's version" },
	{ "help",    cmd_help,    "this list" },
};

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("kettle %s\n", KETTLE_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: kettle COMMAND [ARGS...]   (kettle COMMAND --help for details)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(0, NULL);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, NULL);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].func(argc - 1, argv + 1);
	cli_err(NULL, "unknown command '%s' (try 'kettle help')", argv[1]);
	return KETTLE_EXIT_OWN_ERROR;
}
