// SPDX-License-Identifier: MIT
/*
 * kettle verify --tree CLIENT_BUNDLE WORKER_BUNDLE... --log FILE... [--allow-sim] [--now TIME] [--json]
 * A distributed build across its machines (forensics/verify_tree.h): every
 * check printed with PASS/FAIL; exit 0 when the tree is complete across
 * workers, 1 when a check failed, 125 for input that cannot be used.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "forensics/verify_tree.h"

#define TREE_FILES_MAX 4096

struct tree_args {
	const char *bundles[TREE_FILES_MAX], *logs[TREE_FILES_MAX];
	size_t nbundles, nlogs;
	bool json;
	struct tree_input in;
};

static void tree_usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle verify --tree CLIENT_BUNDLE WORKER_BUNDLE... --log FILE... [--allow-sim]\n"
		"                     [--now TIME] [--json]\n"
		"Checks a distributed (distcc) build across its machines: each bundle's evidence, each\n"
		"bundle's log (a --log whose SHA-256 its statement names), each worker's record, and\n"
		"that every remote job of the client was served by an attested worker that received\n"
		"the source the client sent and sent back the object the client got (docs/distributed.md).\n\n"
		"  --log FILE      the build log of one of the bundles (any order; matched by digest)\n"
		"  --allow-sim     accept SIMULATED evidence (kettle's software simulator)\n"
		"  --now TIME      check certificate validity at TIME (unix seconds; default: now)\n"
		"  --json          one JSON object on stdout\n"
		"Exit status: 0 complete across workers, 1 a check failed, 125 unusable input.\n");
}

static int tree_parse(int argc, char **argv, struct tree_args *a)
{
	enum { O_LOG = 0x100, O_ALLOW_SIM, O_NOW, O_JSON, O_TREE };
	static const struct option longopts[] = {
		{ "tree", no_argument, NULL, O_TREE }, { "log", required_argument, NULL, O_LOG },
		{ "allow-sim", no_argument, NULL, O_ALLOW_SIM }, { "now", required_argument, NULL, O_NOW },
		{ "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	a->in.now = time(NULL);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_TREE: break;
		case O_LOG:
			if (a->nlogs == TREE_FILES_MAX)
				return cli_err("verify", "more than %d --log", TREE_FILES_MAX), -1;
			a->logs[a->nlogs++] = optarg;
			break;
		case O_ALLOW_SIM: a->in.allow_sim = true; break;
		case O_NOW:
			a->in.now = (time_t)strtoll(optarg, &end, 10);
			if (!*optarg || *end)
				return cli_err("verify", "--now '%s': expected unix seconds", optarg), -1;
			break;
		case O_JSON: a->json = true; break;
		case 'h': tree_usage(stdout); exit(0);
		default: tree_usage(stderr); return -1;
		}
	}
	if (argc - optind < 2 || argc - optind > TREE_FILES_MAX) {
		cli_err("verify", "--tree: give the client's bundle, then at least one worker's bundle");
		tree_usage(stderr);
		return -1;
	}
	for (int i = optind; i < argc; i++)
		a->bundles[a->nbundles++] = argv[i];
	a->in.client = a->bundles[0];
	a->in.workers = a->bundles + 1;
	a->in.nworkers = a->nbundles - 1;
	a->in.logs = a->logs;
	a->in.nlogs = a->nlogs;
	return 0;
}

static void tree_print_text(const struct tree_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		printf("%s %-8s %s: %s\n", r->checks[i].passed ? "PASS" : "FAIL", r->checks[i].name,
		       r->checks[i].subject, r->checks[i].detail);
	if (r->complete)
		printf("complete across workers: %zu jobs, %zu workers%s\n", r->jobs, r->workers,
		       r->simulated ? " (SIMULATED evidence: proves nothing about a machine)" : "");
	else
		printf("NOT complete across workers: %zu jobs, %zu workers\n", r->jobs, r->workers);
}

static void tree_print_json(const struct tree_result *r)
{
	json_t *checks = json_array(), *o;

	for (size_t i = 0; checks && i < r->n; i++)
		if (json_array_append_new(checks, json_pack("{s:b, s:s, s:s, s:s}", "passed", r->checks[i].passed,
							    "check", r->checks[i].name, "subject", r->checks[i].subject,
							    "detail", r->checks[i].detail)))
			checks = (json_decref(checks), NULL);
	o = checks ? json_pack("{s:b, s:b, s:I, s:I, s:o}", "complete", r->complete, "simulated", r->simulated,
			       "jobs", (json_int_t)r->jobs, "workers", (json_int_t)r->workers, "checks", checks) : NULL;
	if (!o || json_dumpf(o, stdout, JSON_COMPACT) || putchar('\n') == EOF)
		cli_err("verify", "out of memory writing JSON");
	json_decref(o);
}

int cmd_verify_tree(int argc, char **argv)
{
	struct tree_args *a = calloc(1, sizeof(*a));
	struct tree_result r;
	char err[1024];
	int rc;

	if (!a)
		return KETTLE_EXIT_OWN_ERROR;
	if (tree_parse(argc, argv, a)) {
		free(a);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (verify_tree(&a->in, &r, err, sizeof(err))) {
		cli_err("verify", "--tree: %s", err);
		free(a);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (a->json)
		tree_print_json(&r);
	else
		tree_print_text(&r);
	rc = r.complete ? 0 : 1;
	tree_result_free(&r);
	free(a);
	return rc;
}
