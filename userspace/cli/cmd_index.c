// SPDX-License-Identifier: MIT
/* kettle index add [--db DB] [--json] LOG|BUNDLE...: builds into the fleet index (docs/index.md). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "forensics/index_ingest.h"

static const char index_help[] =
	"Usage: kettle index add [--db DB] [--json] LOG|BUNDLE...\n"
	"       kettle index serve [--db DB] [--listen ADDR:PORT] [--reports DIR] (kettle index serve --help)\n\n"
	"Puts each build into the fleet index that kettle search asks: its log (read whole and\n"
	"checked: a log altered or cut short is refused), every file it read, executed, linked\n"
	"or wrote with the digest and the process, every endpoint, and the verdict of its\n"
	"evidence bundle, verified offline (hardware, simulated, failed, none).  One transaction\n"
	"per build: a refused build leaves nothing; a log indexed before is left as it is.\n"
	"LOG's bundle: STEM.bundle next to it, else an evidence.bundle there that names LOG.\n"
	"BUNDLE (a name ending in .bundle): its log is STEM.cbor or build.cbor next to it.\n\n"
	"  --db DB   a SQLite file, or postgresql://[user@]host/dbname (libpq's URL; a unix\n"
	"            socket folder as ?host=/path).  Default: $XDG_DATA_HOME/kettle/index.db\n"
	"            (~/.local/share/kettle/index.db)\n"
	"  --json    one JSON object per build on stdout\n"
	"Exit status: 0 every build indexed (or indexed before), 1 a build refused,\n"
	"125 a usage error or a store that cannot be opened.\n";

static json_t *result_json(const struct index_ingest_result *r)
{
	return json_pack("{s:s, s:b, s:I, s:s, s:s?, s:I, s:I, s:I, s:I, s:s, s:s, s:f}", "log", r->log_path,
			 "added", r->added, "build", (json_int_t)r->build_id, "log_sha256", r->log_sha256,
			 "bundle", r->bundle_path[0] ? r->bundle_path : NULL, "events", (json_int_t)r->events,
			 "file_events", (json_int_t)r->file_events, "procs", (json_int_t)r->procs, "endpoints",
			 (json_int_t)r->endpoints, "attestation", r->attestation, "attestation_reason",
			 r->attestation_reason, "seconds", (double)r->elapsed_ns / (double)NSEC_PER_SEC);
}

static void print_result(const struct index_ingest_result *r, bool json)
{
	if (json) {
		json_t *o = result_json(r);

		if (!o || json_dumpf(o, stdout, JSON_COMPACT) || putchar('\n') == EOF)
			cli_err("index add", "cannot write the output");
		json_decref(o);
		return;
	}
	if (!r->added) {
		printf("%s: already indexed as build %" PRId64 "\n", r->log_path, r->build_id);
		return;
	}
	printf("%s: build %" PRId64 ": %" PRIu64 " events, %" PRIu64 " file events, %" PRIu64 " processes, %" PRIu64
	       " endpoints in %.2f s; attestation %s (%s)\n", r->log_path, r->build_id, r->events, r->file_events,
	       r->procs, r->endpoints, (double)r->elapsed_ns / (double)NSEC_PER_SEC, r->attestation,
	       r->attestation_reason);
}

static int index_add(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *location = NULL;
	struct index_db *db;
	char err[1024];
	bool json = false;
	int opt, refused = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': location = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(index_help, stdout); return 0;
		default:
			cli_err("index add", "unknown option (kettle index --help)");
			return KETTLE_EXIT_OWN_ERROR;
		}
	}
	if (optind == argc) {
		cli_err("index add", "expected LOG or BUNDLE (kettle index --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	db = index_open(location, err, sizeof(err));
	if (!db) {
		cli_err("index add", "%s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	for (int i = optind; i < argc; i++) {
		struct index_ingest_result r;

		if (index_ingest(db, argv[i], &r, err, sizeof(err))) {
			cli_err("index add", "%s", err);
			refused++;
			continue;
		}
		print_result(&r, json);
	}
	index_close(db);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("index add", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return refused ? 1 : 0;
}

int cmd_index(int argc, char **argv)
{
	if (argc < 2) {
		cli_err("index", "expected a subcommand: add or serve (kettle index --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(index_help, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "add"))
		return index_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "serve"))
		return index_serve(argc - 1, argv + 1);
	cli_err("index", "unknown subcommand '%s' (kettle index --help)", argv[1]);
	return KETTLE_EXIT_OWN_ERROR;
}
