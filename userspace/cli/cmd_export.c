// SPDX-License-Identifier: MIT
/*
 * kettle export LOG --format perfetto|dot|runtime-trace|cyclonedx [-o FILE]: the build as a
 * trace, a lineage graph, an in-toto runtime-trace statement or a CycloneDX BOM.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/export_cyclonedx.h"
#include "forensics/export_runtime_trace.h"
#include "forensics/forensic_facts.h"
#include "forensics/lineage.h"
#include "log/show_fmt.h"

static const char export_help[] =
	"Usage: kettle export LOG --format perfetto|dot|runtime-trace|cyclonedx [-o FILE]\n\n"
	"perfetto: Chrome trace-event JSON (opens in ui.perfetto.dev or chrome://tracing):\n"
	"  one track per process (named \"PID program\"), a span for each program the process\n"
	"  ran (fork to exec, exec to exec, exec to exit) with its argv, an instant for\n"
	"  each file access (read, write, exec, absent, failed, delete, rename-from,\n"
	"  rename-to, link, mkdir, truncate, attr) with the path, and one for each socket\n"
	"  call that named an endpoint (net local, net remote).\n"
	"  Times are microseconds since the build started.\n"
	"dot: the build's lineage graph for Graphviz: every process that wrote a file,\n"
	"  the files it wrote (boxes) and the files it read or executed.\n"
	"runtime-trace: an in-toto Statement with the runtime-trace predicate v0.1: monitor\n"
	"  (kettle), monitoredProcess (boot, build type, invocation), monitorLog.process (every\n"
	"  process instance), .network (every endpoint the build's socket calls named) and\n"
	"  .fileAccess (every file as a ResourceDescriptor with its recorded digests); the\n"
	"  outputs are its subjects.\n"
	"cyclonedx: a CycloneDX 1.6 JSON BOM of what the build used and made: the files it\n"
	"  read (input), the programs it executed with their ELF identity (toolchain), the\n"
	"  files it left (output), each with its SHA-256.\n"
	"-o FILE: write there instead of stdout.\n"
	"Exit status: 0, or 125 for an unreadable log or an unwritable output.\n";

/* Microseconds since the start with nanosecond decimals, as trace viewers take them. */
static void us(FILE *out, const struct replay *r, uint64_t ts)
{
	int64_t d = (int64_t)(ts - r->start_ns);
	uint64_t a = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	fprintf(out, "%s%" PRIu64 ".%03" PRIu64, d < 0 ? "-" : "", a / 1000, a % 1000);
}

static void span(FILE *out, const struct replay *r, uint32_t p, uint64_t from, uint64_t to,
		 const struct replay_exec *ex)
{
	const char *name = ex && ex->exe ? strrchr(ex->exe, '/') : NULL;

	fprintf(out, ",\n{\"ph\":\"X\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",\"ts\":", p + 1, p + 1);
	us(out, r, from);
	fprintf(out, ",\"dur\":");
	us(out, r, r->start_ns + (to > from ? to - from : 0));
	fprintf(out, ",\"cat\":\"exec\",\"name\":");
	if (ex) {
		show_json_write(out, name ? name + 1 : ex->exe ? ex->exe : "?");
		fprintf(out, ",\"args\":{\"exe\":");
		show_json_write(out, ex->exe);
		fprintf(out, ",\"argv\":[");
		for (uint32_t i = 0; i < ex->nargv; i++) {
			if (i)
				fputc(',', out);
			show_json_write(out, ex->argv[i]);
		}
		fprintf(out, "],\"cwd\":");
		show_json_write(out, ex->cwd);
		fputc('}', out);
	} else {
		show_json_write(out, replay_proc_name(r, p));
	}
	fputc('}', out);
}

/* The process's programs one after another: what it ran as forked, then each exec. */
static void proc_spans(FILE *out, const struct replay *r, uint32_t p)
{
	const struct replay_proc *pr = &r->procs[p];
	uint32_t chain[64], n = 0;
	uint64_t first;

	/* the chain runs newest first (the newest 64 when a process execs more often) */
	for (uint32_t x = pr->own_exec ? pr->exec : REPLAY_NONE; x != REPLAY_NONE && n < 64;
	     x = r->execs[x].prev)
		chain[n++] = x;
	first = n ? r->execs[chain[n - 1]].ts_ns : pr->end_ns;
	if (!n || first > pr->start_ns)
		span(out, r, p, pr->start_ns, first, pr->forked_exec == REPLAY_NONE ? NULL :
		     &r->execs[pr->forked_exec]);
	while (n--) {
		const struct replay_exec *e = &r->execs[chain[n]];

		span(out, r, p, e->ts_ns, n ? r->execs[chain[n - 1]].ts_ns : pr->end_ns, e);
	}
}

static void proc_meta(FILE *out, const struct replay *r, uint32_t p)
{
	char name[300];

	snprintf(name, sizeof(name), "%" PRIu32 " %s", r->procs[p].pid, replay_proc_name(r, p));
	fprintf(out, ",\n{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32
		",\"name\":\"process_name\",\"args\":{\"name\":", p + 1, p + 1);
	show_json_write(out, name);
	fprintf(out, "}},\n{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32
		",\"name\":\"thread_name\",\"args\":{\"name\":", p + 1, p + 1);
	show_json_write(out, name);
	fprintf(out, "}},\n{\"ph\":\"M\",\"pid\":%" PRIu32 ",\"name\":\"process_sort_index\","
		"\"args\":{\"sort_index\":%" PRIu32 "}}", p + 1, p);
}

static void export_perfetto(FILE *out, const struct replay *r)
{
	fprintf(out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"kettle export\","
		"\"log_events\":%zu,\"processes\":%" PRIu32 "},\n\"traceEvents\":[\n"
		"{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"kettle\"}}",
		r->log->nevents, r->nprocs);
	for (uint32_t p = 0; p < r->nprocs; p++) {
		proc_meta(out, r, p);
		proc_spans(out, r, p);
	}
	for (uint32_t i = 0; i < r->naccesses; i++) {
		const struct replay_access *a = &r->accesses[i];

		fprintf(out, ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32
			",\"ts\":", a->proc + 1, a->proc + 1);
		us(out, r, a->ts_ns);
		fprintf(out, ",\"cat\":\"file\",\"name\":\"%s\",\"args\":{\"path\":", replay_access_name(a->kind));
		show_json_write(out, r->files[a->file].path);
		fprintf(out, "}}");
	}
	for (uint32_t i = 0; i < r->nnets; i++) {
		const struct replay_net *n = &r->nets[i];

		fprintf(out, ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32
			",\"ts\":", n->proc + 1, n->proc + 1);
		us(out, r, n->ts_ns);
		fprintf(out, ",\"cat\":\"net\",\"name\":\"%s\",\"args\":{\"endpoint\":",
			r->endpoints[n->endpoint].local ? "net local" : "net remote");
		show_json_write(out, r->endpoints[n->endpoint].name);
		fprintf(out, "}}");
	}
	fprintf(out, "\n]}\n");
}

static void dot_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
	}
	fputc('"', out);
}

struct dot_ctx {
	FILE *out;
	const struct replay *r;
	uint32_t proc;
	uint8_t *file_shown;
};

static void dot_file_node(struct dot_ctx *c, uint32_t file)
{
	if (c->file_shown[file])
		return;
	c->file_shown[file] = 1;
	fprintf(c->out, "  f%" PRIu32 " [shape=box, label=", file);
	dot_quoted(c->out, c->r->files[file].path);
	fprintf(c->out, ", tooltip=\"%s\"];\n", forensic_file_role(c->r, file));
}

static int dot_input(uint32_t file, bool executed, void *arg)
{
	struct dot_ctx *c = arg;

	dot_file_node(c, file);
	fprintf(c->out, "  f%" PRIu32 " -> p%" PRIu32 "%s;\n", file, c->proc,
		executed ? " [style=dashed]" : "");
	return 0;
}

/* Every writing process with what it wrote and what it read. */
static int export_dot(FILE *out, const struct replay *r)
{
	struct dot_ctx c = { .out = out, .r = r };
	uint32_t *stamp = calloc((size_t)r->nfiles + 1, sizeof(*stamp)), mark = 0;
	uint8_t *written_by = calloc((size_t)r->nfiles + 1, 1);

	c.file_shown = calloc((size_t)r->nfiles + 1, 1);
	if (!stamp || !written_by || !c.file_shown) {
		free(stamp);
		free(written_by);
		free(c.file_shown);
		return -1;
	}
	fprintf(out, "digraph build {\n  rankdir=LR;\n  node [fontsize=10];\n");
	for (uint32_t p = 0; p < r->nprocs; p++) {
		const struct replay_proc *pr = &r->procs[p];
		bool writes = false;

		for (uint32_t i = 0; i < pr->naccess && !writes; i++)
			writes = replay_access_writes(r->accesses[r->by_proc[pr->access_first + i]].kind);
		if (!writes)
			continue;
		fprintf(out, "  p%" PRIu32 " [label=", p);
		dot_quoted(out, replay_proc_name(r, p));
		fprintf(out, ", tooltip=\"pid %" PRIu32 "\"];\n", pr->pid);
		c.proc = p;
		for (uint32_t i = 0; i < pr->naccess; i++) {
			const struct replay_access *a = &r->accesses[r->by_proc[pr->access_first + i]];

			if (!replay_access_writes(a->kind) || written_by[a->file] == 1)
				continue;
			written_by[a->file] = 1;
			dot_file_node(&c, a->file);
			fprintf(out, "  p%" PRIu32 " -> f%" PRIu32 ";\n", p, a->file);
		}
		for (uint32_t i = 0; i < pr->naccess; i++)   /* reset for the next writer */
			written_by[r->accesses[r->by_proc[pr->access_first + i]].file] = 0;
		lineage_proc_inputs(r, p, REPLAY_NONE, stamp, &mark, dot_input, &c);
	}
	fprintf(out, "}\n");
	free(stamp);
	free(written_by);
	free(c.file_shown);
	return 0;
}

/* A document of the ecosystem's formats, indented for people; -1 when it could not be made. */
static int export_json(FILE *out, json_t *doc)
{
	int rc = doc ? json_dumpf(doc, out, JSON_INDENT(2)) : -1;

	json_decref(doc);
	return rc || fputc('\n', out) == EOF ? -1 : 0;
}

int cmd_export(int argc, char **argv)
{
	const char *log_path = NULL, *format = NULL, *out_path = NULL;
	struct forensic_log fl;
	FILE *out = stdout;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(export_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			format = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out_path = argv[++i];
		} else if ((argv[i][0] == '-' && argv[i][1]) || log_path) {
			cli_err("export", "unexpected argument '%s' (kettle export --help)", argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else {
			log_path = argv[i];
		}
	}
	if (!log_path || !format) {
		cli_err("export", "expected LOG --format perfetto|dot|runtime-trace|cyclonedx (kettle export --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (strcmp(format, "perfetto") && strcmp(format, "dot") && strcmp(format, "runtime-trace") &&
	    strcmp(format, "cyclonedx")) {
		cli_err("export", "--format '%s': expected perfetto, dot, runtime-trace or cyclonedx", format);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (forensic_open("export", log_path, &fl))
		return KETTLE_EXIT_OWN_ERROR;
	if (out_path && !(out = fopen(out_path, "w"))) {
		cli_err("export", "%s: %s", out_path, strerror(errno));
		forensic_close(&fl);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (!strcmp(format, "perfetto"))
		export_perfetto(out, &fl.model);
	else if (!strcmp(format, "dot"))
		rc = export_dot(out, &fl.model);
	else
		rc = export_json(out, !strcmp(format, "cyclonedx") ? export_cyclonedx(&fl.model)
								   : export_runtime_trace(&fl.model));
	forensic_close(&fl);
	if (rc || fflush(out) || ferror(out) || (out != stdout && fclose(out))) {
		cli_err("export", "%s: cannot write the output", out_path ? out_path : "stdout");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return 0;
}
