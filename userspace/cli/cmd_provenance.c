// SPDX-License-Identifier: MIT
/* kettle provenance LOG: the build log as an SLSA v1.2 provenance statement (RFC 8785 canonical JSON). */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/bundle.h"
#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/file_bytes.h"
#include "provenance/provenance.h"

#define MAX_PATTERNS 4096

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle provenance LOG [-o FILE] [--subject PATH|GLOB]... [--exclude GLOB]...\n"
		"                         [--builder-id URI] [--worker-statement FILE]... [--allow-incomplete]\n"
		"                         [--json-summary]\n"
		"Turns a build log into an in-toto Statement v1 with the SLSA v1.2 build provenance\n"
		"predicate, serialized as RFC 8785 canonical JSON. Everything in it comes from the log.\n\n"
		"  -o, --output FILE       write the statement to FILE (default: stdout)\n"
		"      --subject PATH|GLOB the build's outputs to attest (repeatable); a relative PATH is\n"
		"                          relative to the build's directory, a GLOB (fnmatch, '*' crosses\n"
		"                          '/') matches absolute and build-relative paths. Default: every\n"
		"                          file the build wrote under its directory that exists at the end\n"
		"      --exclude GLOB      leave matching paths out of the dependencies (repeatable); /proc,\n"
		"                          /sys, /dev and the log itself always are\n"
		"      --builder-id URI    runDetails.builder.id (default %s)\n"
		"      --worker-statement FILE  a distccd worker's statement: each remote job it served\n"
		"                          becomes a dependency with the statement's digest (repeatable;\n"
		"                          docs/distributed.md)\n"
		"      --allow-incomplete  exit 0 even when the record has losses, changed or unhashed files\n"
		"      --json-summary      print a JSON summary instead of the digest line (needs -o)\n"
		"  -h, --help              this text\n\n"
		"Prints the statement's SHA-256 as `HEX  FILE` (sha256sum's format; on stderr when the\n"
		"statement goes to stdout). Exit status: 0; 1 the statement was written but the record is\n"
		"incomplete (it says so in its byproducts); 125 no statement (bad log, cut-short log, a\n"
		"subject the log has no digest for, no subject at all, bad usage).\n", PROVENANCE_BUILDER_ID);
}

struct prov_args {
	const char *log, *output, *builder_id;
	const char *subjects[MAX_PATTERNS], *excludes[MAX_PATTERNS], *workers[MAX_PATTERNS];
	size_t nsubjects, nexcludes, nworkers;
	bool allow_incomplete, json_summary;
};

/* RFC 3986: scheme ":" ...; a builder id is a URI. */
static bool is_uri(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || !p[1])
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return false;   /* ASCII only: a URI, not an IRI */
	return true;
}

static int add_pattern(const char **v, size_t *n, const char *p, const char *what)
{
	if (!*p) {
		cli_err("provenance", "%s: empty pattern", what);
		return -1;
	}
	if (*n == MAX_PATTERNS) {
		cli_err("provenance", "more than %d %s patterns", MAX_PATTERNS, what);
		return -1;
	}
	v[(*n)++] = p;
	return 0;
}

/* 0, 1 after --help, -1 after saying what is wrong. */
static int parse(int argc, char **argv, struct prov_args *a)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "subject", required_argument, NULL, 's' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "builder-id", required_argument, NULL, 'b' },
		{ "allow-incomplete", no_argument, NULL, 'a' },
		{ "json-summary", no_argument, NULL, 'j' },
		{ "worker-statement", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': a->output = optarg; break;
		case 's':
			if (add_pattern(a->subjects, &a->nsubjects, optarg, "--subject"))
				return -1;
			break;
		case 'x':
			if (add_pattern(a->excludes, &a->nexcludes, optarg, "--exclude"))
				return -1;
			break;
		case 'b':
			if (!is_uri(optarg)) {
				cli_err("provenance", "--builder-id '%s' is not a URI (scheme:...)", optarg);
				return -1;
			}
			a->builder_id = optarg;
			break;
		case 'w':
			if (add_pattern(a->workers, &a->nworkers, optarg, "--worker-statement"))
				return -1;
			break;
		case 'a': a->allow_incomplete = true; break;
		case 'j': a->json_summary = true; break;
		case 'h': usage(stdout); return 1;
		default:
			cli_err("provenance", "bad option (see kettle provenance --help)");
			return -1;
		}
	}
	if (optind != argc - 1) {
		cli_err("provenance", "%s (kettle provenance LOG [OPTIONS])",
			optind >= argc ? "no LOG given" : "one LOG only");
		return -1;
	}
	a->log = argv[optind];
	if (a->json_summary && !a->output) {
		cli_err("provenance", "--json-summary needs -o FILE (stdout carries the summary)");
		return -1;
	}
	return 0;
}

static int print_summary(const struct prov_args *a, const struct provenance_facts *x)
{
	json_t *j = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "statement", a->output, "sha256", x->sha256, "complete", x->complete,
			      "subjects", (json_int_t)x->subjects, "dependencies", (json_int_t)x->dependencies,
			      "excluded", (json_int_t)x->excluded, "events", (json_int_t)x->events,
			      "processes", (json_int_t)x->processes, "losses", (json_int_t)x->losses,
			      "changed", (json_int_t)x->changed, "unhashed", (json_int_t)x->unhashed);
	int r = j && json_dumpf(j, stdout, JSON_COMPACT | JSON_SORT_KEYS) == 0 && putchar('\n') != EOF ? 0 : -1;

	json_decref(j);
	return r;
}

/* Reads the --worker-statement files into W (their bytes, free()d by workers_free). 0, or -1 after saying why. */
static int workers_read(const struct prov_args *a, struct remote_worker_statement *w)
{
	char err[512];

	for (size_t i = 0; i < a->nworkers; i++) {
		uint8_t *buf;
		size_t len;

		if (file_read_bounded(a->workers[i], BUNDLE_STATEMENT_MAX, &buf, &len, err, sizeof(err))) {
			cli_err("provenance", "--worker-statement: %s", err);
			return -1;
		}
		w[i] = (struct remote_worker_statement){ .name = a->workers[i], .bytes = buf, .len = len };
	}
	return 0;
}

static void workers_free(struct remote_worker_statement *w, size_t n)
{
	for (size_t i = 0; w && i < n; i++)
		free((void *)w[i].bytes);
	free(w);
}

int cmd_provenance(int argc, char **argv)
{
	struct prov_args *a = calloc(1, sizeof(*a));
	struct remote_worker_statement *workers;
	struct provenance_options o;
	struct provenance_facts x;
	char err[1024];
	int r;

	if (!a) {
		cli_err("provenance", "out of memory");
		return KETTLE_EXIT_OWN_ERROR;
	}
	r = parse(argc, argv, a);
	if (r) {
		free(a);
		return r > 0 ? 0 : KETTLE_EXIT_OWN_ERROR;
	}
	workers = calloc(a->nworkers ? a->nworkers : 1, sizeof(*workers));
	if (!workers || workers_read(a, workers)) {
		workers_free(workers, a->nworkers);
		free(a);
		return KETTLE_EXIT_OWN_ERROR;
	}
	o = (struct provenance_options){ .subjects = a->subjects, .nsubjects = a->nsubjects,
					 .excludes = a->excludes, .nexcludes = a->nexcludes,
					 .builder_id = a->builder_id, .log_path = a->log,
					 .workers = workers, .nworkers = a->nworkers };
	r = provenance_write(a->log, a->output ? a->output : "-", &o, &x, err, sizeof(err));
	workers_free(workers, a->nworkers);
	if (r) {
		cli_err("provenance", "%s", err);
		free(a);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (a->json_summary)
		r = print_summary(a, &x);
	else if (a->output)
		r = printf("%s  %s\n", x.sha256, a->output) < 0 ? -1 : 0;
	else
		fprintf(stderr, "%s  -\n", x.sha256);
	if (r || fflush(stdout) || ferror(stdout)) {
		cli_err("provenance", "cannot write to stdout");
		free(a);
		return KETTLE_EXIT_OWN_ERROR;
	}
	r = 0;
	if (!x.complete) {
		cli_print_incomplete("provenance", &x, a->allow_incomplete ? NULL :
				     "exit 1; --allow-incomplete to accept");
		r = a->allow_incomplete ? 0 : 1;
	}
	free(a);
	return r;
}
