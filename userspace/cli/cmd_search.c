// SPDX-License-Identifier: MIT
/* kettle search: which indexed builds read, executed, linked, wrote or reached something (docs/index.md). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/time_parse.h"
#include "forensics/index_search.h"
#include "log/show_fmt.h"

#define SEARCH_LIMIT_MAX 1000000

static const char search_help[] =
	"Usage: kettle search [--db DB] (--digest SHA256 | --path GLOB | --endpoint HOST[:PORT])\n"
	"                     [--exe] [--since TIME] [--until TIME] [--downstream] [--limit N] [--json]\n\n"
	"The indexed builds (kettle index add) that touched it: each build, the role (read,\n"
	"executed, linked, wrote, connected), the file and its digest, and the chain of\n"
	"processes that did it, from the one that did it up to the build's root.\n\n"
	"  --digest SHA256      files with this content (64 hex digits, \"sha256:\" optional)\n"
	"  --path GLOB          files by name: * any characters, ? one, \\ quotes the next\n"
	"                       (with --digest: both must hold)\n"
	"  --endpoint HOST[:PORT]  builds whose sockets addressed HOST (an address as the log\n"
	"                       names it: 10.0.0.1, [::1]:53, /run/x.sock)\n"
	"  --exe                executions only\n"
	"  --since, --until T   builds that started in the window: RFC 3339 or unix seconds\n"
	"  --downstream         also every artifact the matching builds wrote, then what later\n"
	"                       builds that read those wrote, transitively\n"
	"  --limit N            matches at most (default 1000; the output says when cut)\n"
	"  --db DB              as kettle index add (default: the user's index.db)\n"
	"  --json               {matches: [{build, path, sha256, role, time, chain}], truncated,\n"
	"                       downstream: [{build, path, sha256, depth, consumed_by}]}\n"
	"Exit status: 0 something matched, 1 nothing did, 125 a bad query or store.\n";

struct search_options {
	const char *location;
	struct index_search q;
	bool json;
};

static int parse_window(const char *opt, const char *arg, bool *has, int64_t *ns)
{
	time_t t;

	if (time_parse(arg, &t)) {
		cli_err("search", "--%s '%s': expected RFC 3339 (2026-02-03T01:00:00Z) or unix seconds", opt, arg);
		return -1;
	}
	*has = true;
	*ns = (int64_t)t * (int64_t)NSEC_PER_SEC;
	return 0;
}

static int parse_limit(const char *arg, size_t *limit)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || !*arg || arg[0] == '-' || v < 1 || v > SEARCH_LIMIT_MAX) {
		cli_err("search", "--limit '%s': expected a number from 1 to %d", arg, SEARCH_LIMIT_MAX);
		return -1;
	}
	*limit = (size_t)v;
	return 0;
}

static int parse_option(int opt, const char *arg, struct search_options *o)
{
	char err[256];

	switch (opt) {
	case 'b': o->location = arg; return 0;
	case 'd':
		if (index_sha256_parse(arg, o->q.digest, err, sizeof(err)) == 0)
			return 0;
		break;
	case 'p':
		if (index_glob_to_like(arg, o->q.path_like, sizeof(o->q.path_like), &o->q.path_wild, err,
				       sizeof(err)) == 0)
			return 0;
		break;
	case 'e':
		if (index_endpoint_parse(arg, o->q.host, &o->q.port, err, sizeof(err)) == 0)
			return 0;
		break;
	case 'x': o->q.exe_only = true; return 0;
	case 's': return parse_window("since", arg, &o->q.has_since, &o->q.since_ns);
	case 'u': return parse_window("until", arg, &o->q.has_until, &o->q.until_ns);
	case 'w': o->q.downstream = true; return 0;
	case 'l': return parse_limit(arg, &o->q.limit);
	case 'j': o->json = true; return 0;
	default:
		cli_err("search", "unknown option (kettle search --help)");
		return -1;
	}
	cli_err("search", "%s", err);
	return -1;
}

/* 1: help was asked for; 0; -1 after saying what is wrong. */
static int parse_args(int argc, char **argv, struct search_options *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'b' },
		{ "digest", required_argument, NULL, 'd' },
		{ "path", required_argument, NULL, 'p' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "exe", no_argument, NULL, 'x' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "downstream", no_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	o->q.port = -1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (parse_option(opt, optarg, o))
			return -1;
	}
	if (optind != argc) {
		cli_err("search", "unexpected argument '%s' (kettle search --help)", argv[optind]);
		return -1;
	}
	if (index_search_check(&o->q, err, sizeof(err))) {
		cli_err("search", "%s (kettle search --help)", err);
		return -1;
	}
	return 0;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static void print_build_line(const json_t *b)
{
	printf("build %" JSON_INTEGER_FORMAT "  %s  %s  attestation %s  ", json_integer_value(json_object_get(b, "id")),
	       jstr(b, "start"), jstr(b, "host"), jstr(b, "attestation"));
	show_word(stdout, jstr(b, "log"));
	putchar('\n');
}

static void print_chain(const json_t *chain)
{
	const json_t *p;
	size_t i;

	printf("            ");
	json_array_foreach(chain, i, p) {
		printf("%spid %" JSON_INTEGER_FORMAT " ", i ? "  <-  " : "", json_integer_value(json_object_get(p, "pid")));
		show_word(stdout, jstr(p, "argv"));
	}
	putchar('\n');
}

static void print_text(const json_t *out)
{
	const json_t *m, *d;
	json_int_t last = -1;
	size_t i;

	json_array_foreach(json_object_get(out, "matches"), i, m) {
		const json_t *b = json_object_get(m, "build");
		const char *sha = json_string_value(json_object_get(m, "sha256"));

		if (json_integer_value(json_object_get(b, "id")) != last)
			print_build_line(b);
		last = json_integer_value(json_object_get(b, "id"));
		printf("  %-9s ", jstr(m, "role"));
		show_word(stdout, jstr(m, "path"));
		if (sha)
			printf("  sha256:%.16s", sha);
		putchar('\n');
		print_chain(json_object_get(m, "chain"));
	}
	if (json_is_true(json_object_get(out, "truncated")))
		printf("(more matches not shown: --limit)\n");
	if (!json_object_get(out, "downstream"))
		return;
	printf("downstream: %zu artifacts\n", json_array_size(json_object_get(out, "downstream")));
	json_array_foreach(json_object_get(out, "downstream"), i, d) {
		const json_t *by = json_object_get(d, "consumed_by"), *c;
		size_t k;

		printf("  depth %" JSON_INTEGER_FORMAT "  build %" JSON_INTEGER_FORMAT "  ",
		       json_integer_value(json_object_get(d, "depth")),
		       json_integer_value(json_object_get(json_object_get(d, "build"), "id")));
		show_word(stdout, jstr(d, "path"));
		printf("  sha256:%.16s", jstr(d, "sha256"));
		json_array_foreach(by, k, c)
			printf("%s%" JSON_INTEGER_FORMAT, k ? ", " : "  read by build ", json_integer_value(c));
		putchar('\n');
	}
}

int cmd_search(int argc, char **argv)
{
	struct search_options o = { 0 };
	struct index_db *db;
	char err[1024];
	json_t *out;
	int r = parse_args(argc, argv, &o), rc;

	if (r) {
		if (r > 0)
			fputs(search_help, stdout);
		return r > 0 ? 0 : KETTLE_EXIT_OWN_ERROR;
	}
	db = index_open(o.location, err, sizeof(err));
	if (!db) {
		cli_err("search", "%s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	out = index_search_run(db, &o.q, err, sizeof(err));
	index_close(db);
	if (!out) {
		cli_err("search", "%s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	rc = json_array_size(json_object_get(out, "matches")) ? 0 : 1;
	if (o.json) {
		if (json_dumpf(out, stdout, JSON_COMPACT) || putchar('\n') == EOF)
			rc = KETTLE_EXIT_OWN_ERROR;
	} else {
		print_text(out);
	}
	json_decref(out);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("search", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return rc;
}
