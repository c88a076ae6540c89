// SPDX-License-Identifier: MIT
/* kettle replay LOG --at TIME [--json]: the build's state at one moment. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/forensic_facts.h"
#include "log/show_fmt.h"

#define REPLAY_ARGV_SHOWN 160

static const char replay_help[] =
	"Usage: kettle replay LOG --at TIME [--json]\n\n"
	"The build as it was at TIME: the processes running then (as a tree, with the\n"
	"command each was running and when it started) and the files written so far (with\n"
	"the process that first wrote each, and when).\n"
	"TIME: since the build started, in seconds (\"2.5\", \"2.5s\"), or with a unit (ms,\n"
	"us, ns), or a percentage of the build's duration (\"50%\"), or \"end\".\n"
	"--json: {at_ns, duration_ns, events_before, running: [process...], written:\n"
	"[{path, role, sha256, build_id, first_write_ns, pid}]}.\n"
	"Exit status: 0, or 125 for an unreadable log or a bad TIME.\n";

/* TIME as nanoseconds since the start; -1 when it is not a time. */
static int parse_time(const char *s, uint64_t duration, uint64_t *out)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
	};
	char *end;
	double v;

	if (!strcmp(s, "end")) {
		*out = duration;
		return 0;
	}
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -1;
	if (!strcmp(end, "%")) {
		if (v > 100)
			return -1;
		*out = (uint64_t)((double)duration * v / 100.0);
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			if (v * units[i].ns > 1.8e19)
				return -1;
			*out = (uint64_t)(v * units[i].ns);
			return 0;
		}
	}
	return -1;
}

static uint32_t events_before(const struct replay *r, uint64_t ts)
{
	uint32_t lo = 0, hi = (uint32_t)r->log->nevents;

	/* events are in ring-buffer order, nearly sorted by time: a binary search is close enough */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->log->events[mid].ts_ns <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool first_write_before(const struct replay *r, uint32_t file, uint64_t ts)
{
	uint32_t w = r->files[file].first_writer;

	return w != REPLAY_NONE && r->accesses[w].ts_ns <= ts;
}

static void print_running(const struct replay *r, uint32_t p, uint64_t ts, int indent)
{
	bool running = replay_proc_running_at(r, p, ts);

	if (running) {
		printf("  %*s%" PRIu32 "  started ", indent * 2, "", r->procs[p].pid);
		show_seconds(stdout, (int64_t)(r->procs[p].start_ns - r->start_ns));
		printf("  ");
		forensic_print_command(stdout, r, p, REPLAY_ARGV_SHOWN);
		putchar('\n');
	}
	for (uint32_t c = r->procs[p].first_child; c != REPLAY_NONE; c = r->procs[c].next_sibling)
		print_running(r, c, ts, indent + running);
}

static void replay_text(const struct replay *r, uint64_t ts)
{
	uint32_t running = 0, written = 0;

	for (uint32_t p = 0; p < r->nprocs; p++)
		running += replay_proc_running_at(r, p, ts);
	for (uint32_t f = 0; f < r->nfiles; f++)
		written += first_write_before(r, f, ts);
	printf("at ");
	show_seconds(stdout, (int64_t)(ts - r->start_ns));
	printf(" s of ");
	show_seconds(stdout, (int64_t)(r->end_ns - r->start_ns));
	printf(" s: %u events before, %" PRIu32 " processes running, %" PRIu32
	       " files written so far\n", events_before(r, ts), running, written);
	printf("running:\n");
	for (uint32_t p = 0; p < r->nprocs; p++)
		if (r->procs[p].parent == REPLAY_NONE)
			print_running(r, p, ts, 0);
	printf("written so far:\n");
	for (uint32_t f = 0; f < r->nfiles; f++) {
		const struct replay_access *a;

		if (!first_write_before(r, f, ts))
			continue;
		a = &r->accesses[r->files[f].first_writer];
		printf("  ");
		show_word(stdout, r->files[f].path);
		printf("  [%s]  by %" PRIu32 " %s at ", forensic_file_role(r, f),
		       r->procs[a->proc].pid, replay_proc_name(r, a->proc));
		show_seconds(stdout, (int64_t)(a->ts_ns - r->start_ns));
		putchar('\n');
	}
}

static json_t *replay_json(const struct replay *r, uint64_t ts)
{
	json_t *running = json_array(), *written = json_array(), *o;

	for (uint32_t p = 0; running && p < r->nprocs; p++)
		if (replay_proc_running_at(r, p, ts) &&
		    json_array_append_new(running, forensic_proc_json(r, p)))
			json_decref(running), running = NULL;
	for (uint32_t f = 0; written && f < r->nfiles; f++) {
		const struct replay_access *a;
		json_t *j;

		if (!first_write_before(r, f, ts))
			continue;
		a = &r->accesses[r->files[f].first_writer];
		j = forensic_file_json(r, f);
		if (!j || json_object_set_new(j, "first_write_ns", json_integer((json_int_t)(int64_t)
						(a->ts_ns - r->start_ns))) ||
		    json_object_set_new(j, "pid", json_integer(r->procs[a->proc].pid)) ||
		    json_array_append_new(written, j))
			json_decref(written), written = NULL;
	}
	o = json_pack("{s:I, s:I, s:I, s:o, s:o}", "at_ns", (json_int_t)(ts - r->start_ns),
		      "duration_ns", (json_int_t)(r->end_ns - r->start_ns),
		      "events_before", (json_int_t)events_before(r, ts), "running", running,
		      "written", written);
	return o;
}

int cmd_replay(int argc, char **argv)
{
	const char *log_path = NULL, *at = NULL;
	struct forensic_log fl;
	bool json = false;
	uint64_t rel;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(replay_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--at") && i + 1 < argc) {
			at = argv[++i];
		} else if ((argv[i][0] == '-' && argv[i][1]) || log_path) {
			cli_err("replay", "unexpected argument '%s' (kettle replay --help)", argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else {
			log_path = argv[i];
		}
	}
	if (!log_path || !at) {
		cli_err("replay", "expected LOG --at TIME (kettle replay --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (forensic_open_with_events("replay", log_path, &fl))
		return KETTLE_EXIT_OWN_ERROR;
	if (parse_time(at, fl.model.end_ns - fl.model.start_ns, &rel)) {
		cli_err("replay", "--at '%s': expected seconds since the start (2.5, "
			"2.5s, 300ms, 50%%, end)", at);
		forensic_close(&fl);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (json) {
		json_t *j = replay_json(&fl.model, fl.model.start_ns + rel);

		rc = !j || json_dumpf(j, stdout, JSON_COMPACT) || putchar('\n') == EOF;
		json_decref(j);
	} else {
		replay_text(&fl.model, fl.model.start_ns + rel);
	}
	forensic_close(&fl);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_err("replay", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return 0;
}
