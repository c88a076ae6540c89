// SPDX-License-Identifier: MIT
/* kettle diff A B [--json]: what differs between two builds, the explaining lines first. */
#include <inttypes.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "common/hex.h"
#include "forensics/forensic_facts.h"
#include "forensics/build_diff.h"
#include "log/show_fmt.h"

#define DIFF_ARGV_SHOWN 160
#define DIFF_READERS_SHOWN 3
#define DIFF_VIA_SHOWN 6
#define DIFF_VALUE_SHOWN 120
#define DIFF_ENV_SHOWN 20       /* environment changes listed (more: counted) */

static const char diff_help[] =
	"Usage: kettle diff A B [--json]\n\n"
	"What differs between two builds of the same thing (A before, B after), ranked so\n"
	"that the first lines explain the difference:\n"
	"  1. changed inputs: files the build read or executed (sources, headers, toolchain)\n"
	"     whose digest differs, or that only one build read; most consequential first,\n"
	"     with the build steps that read them;\n"
	"  2. changed outputs, in the order B wrote them, each with the step that wrote it,\n"
	"     the changed inputs in its lineage (\"because\") and the changed files it was\n"
	"     made from (\"via\"); an output nothing explains is marked so;\n"
	"  3. commands only in A or only in B (matched by program and argv);\n"
	"  environment: variables whose value differs between matched commands (each\n"
	"     change once, with how many commands had it and how many changed outputs\n"
	"     they wrote); an output no changed input explains names the changes in its\n"
	"     writer's environment as its causes, and the changes that explain the most\n"
	"     such outputs come first (before the inputs when they explain more; secret\n"
	"     variables, compared by their hash, last);\n"
	"  4. network endpoints only one build addressed;\n"
	"  5. the traced command and directory, when they differ.\n"
	"Paths under the build directory are compared relative to it; temporary files and\n"
	"the compiler driver's /tmp/ccXXXXXX names are masked.  A build step is a process\n"
	"started by the build driver (the traced command's program, e.g. make).\n"
	"--json: {summary, inputs, outputs, commands, environment, network: {added, removed}}.\n"
	"Exit status: 0 when nothing differs, 1 when something does, 125 for an unreadable log.\n";

static const char *change_mark(enum diff_change c)
{
	return c == DC_ADDED ? "+" : c == DC_REMOVED ? "-" : "~";
}

static const char *side_path(const struct build_diff *d, const struct diff_file *df)
{
	return df->b != REPLAY_NONE ? d->b->files[df->b].path : d->a->files[df->a].path;
}

static void print_digests(const struct build_diff *d, const struct diff_file *df)
{
	const struct log_digest *da = df->a != REPLAY_NONE ? replay_file_digest(d->a, df->a) : NULL;
	const struct log_digest *db = df->b != REPLAY_NONE ? replay_file_digest(d->b, df->b) : NULL;
	char ha[65], hb[65];

	if (df->change != DC_CHANGED || !da || !db)
		return;
	hex_encode(da->sha256, sizeof(da->sha256), ha);
	hex_encode(db->sha256, sizeof(db->sha256), hb);
	printf("  sha256 %.12s -> %.12s", ha, hb);
}

static void print_step(const struct replay *r, uint32_t proc)
{
	putchar('`');
	forensic_print_command(stdout, r, build_diff_step(r, proc), DIFF_ARGV_SHOWN);
	putchar('`');
}

/* The distinct steps of B that read the input, up to a few. */
static void print_readers(const struct build_diff *d, const struct diff_file *df)
{
	const struct replay *r = df->b != REPLAY_NONE ? d->b : d->a;
	const struct replay_file *f = &r->files[df->b != REPLAY_NONE ? df->b : df->a];
	uint32_t shown[DIFF_READERS_SHOWN], n = 0, more = 0;

	for (uint32_t i = 0; i < f->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_file[f->access_first + i]];
		uint32_t step;
		bool dup = false;

		if (!replay_access_reads(a->kind))
			continue;
		step = build_diff_step(r, a->proc);
		for (uint32_t k = 0; k < n; k++)
			dup |= shown[k] == step;
		if (dup)
			continue;
		if (n == DIFF_READERS_SHOWN) {
			more++;
			continue;
		}
		printf("%s", n ? "; " : "      read by ");
		print_step(r, step);
		shown[n++] = step;
	}
	if (more)
		printf(" and %" PRIu32 " more steps", more);
	if (n)
		putchar('\n');
}

struct via_print {
	const struct build_diff *d;
	uint32_t n;
};

static void via_one(uint32_t dfile, void *arg)
{
	struct via_print *v = arg;

	if (v->n < DIFF_VIA_SHOWN)
		printf("%s%s", v->n ? ", " : " (via ", v->d->files[dfile].key);
	else if (v->n == DIFF_VIA_SHOWN)
		printf(", ...");
	v->n++;
}

/*
 * The environment changes of the writer P of an output no changed input
 * explains, in rank order (the log cannot say which one the program read).
 */
static void print_env_causes(const struct build_diff *d, uint32_t p)
{
	const struct env_diff *e = &d->env;
	uint32_t n = 0;

	for (uint32_t k = 0; k < e->nchanges; k++)
		for (uint32_t j = 0; j < e->proc_n[p]; j++)
			if (e->ids[e->proc_first[p] + j] == e->rank[k]) {
				const struct env_change *c = &e->changes[e->rank[k]];

				if (n++ < DIFF_CAUSES)
					printf("%s$%.*s changed", n > 1 ? ", " : "", (int)c->name_len,
					       c->a ? c->a : c->b);
			}
	if (n > DIFF_CAUSES)
		printf(" and %" PRIu32 " more variables", n - DIFF_CAUSES);
}

static void print_causes(const struct build_diff *d, const struct diff_causes *c, uint32_t writer)
{
	for (uint8_t i = 0; i < c->n; i++) {
		printf("%s", i ? ", " : "");
		if (c->id[i] < d->nfiles)
			printf("%s changed", d->files[c->id[i]].key);
		else
			printf("a new command");
	}
	if (c->more)
		printf(" and more");
	if (!c->n)
		print_env_causes(d, writer);
}

/* Whether process P of B had an environment change (a candidate cause of what it wrote). */
static bool env_changed(const struct build_diff *d, uint32_t p)
{
	return p != REPLAY_NONE && d->env.proc_n[p];
}

/* A value as a shell word, cut at DIFF_VALUE_SHOWN bytes. */
static void print_value(const char *var, uint32_t name_len)
{
	const char *v = var[name_len] ? var + name_len + 1 : "";
	char buf[DIFF_VALUE_SHOWN + 4];

	snprintf(buf, sizeof(buf), "%.*s%s", DIFF_VALUE_SHOWN, v, strlen(v) > DIFF_VALUE_SHOWN ? "..." : "");
	show_word(stdout, buf);
}

static void print_env_changes(const struct build_diff *d)
{
	const struct env_diff *e = &d->env;

	if (!e->nchanges)
		return;
	printf("environment changes of matched commands, the explaining ones first:\n");
	for (uint32_t k = 0; k < e->nchanges && k < DIFF_ENV_SHOWN; k++) {
		const struct env_change *c = &e->changes[e->rank[k]];

		printf("  %s %.*s", !c->a ? "+" : !c->b ? "-" : "~", (int)c->name_len, c->a ? c->a : c->b);
		if (c->a) {
			printf(" ");
			print_value(c->a, c->name_len);
		}
		if (c->a && c->b)
			printf(" ->");
		if (c->b) {
			printf(" ");
			print_value(c->b, c->name_len);
		}
		printf("  in %" PRIu32 " command%s, reaches %" PRIu32 " changed output%s (%" PRIu32
		       " no changed input explains)%s\n      e.g. ", c->commands, c->commands == 1 ? "" : "s",
		       c->reaches, c->reaches == 1 ? "" : "s", c->alone, c->secret ? ", a secret" : "");
		print_step(d->b, c->example);
		putchar('\n');
	}
	if (e->nchanges > DIFF_ENV_SHOWN)
		printf("  ... and %" PRIu32 " more (--json lists all)\n", e->nchanges - DIFF_ENV_SHOWN);
}

static void print_output(const struct build_diff *d, uint32_t i)
{
	const struct diff_file *df = &d->files[i];
	const struct diff_causes *c;
	struct via_print v = { .d = d };

	printf("  %s %s", change_mark(df->change), df->key);
	print_digests(d, df);
	putchar('\n');
	if (df->b == REPLAY_NONE)
		return;
	c = &d->file_causes[df->b];
	if (d->b->files[df->b].first_writer != REPLAY_NONE) {
		printf("      written by ");
		print_step(d->b, d->b->accesses[d->b->files[df->b].first_writer].proc);
		putchar('\n');
	}
	uint32_t writer = d->b->files[df->b].first_writer != REPLAY_NONE ?
		d->b->accesses[d->b->files[df->b].first_writer].proc : REPLAY_NONE;

	if (!c->n && !env_changed(d, writer)) {
		printf("      unexplained: no changed input in its lineage (a non-reproducible step?)\n");
		return;
	}
	printf("      because ");
	print_causes(d, c, writer);
	build_diff_via(d, df->b, via_one, &v);
	printf("%s\n", v.n ? ")" : "");
}

static void print_header_diff(const struct build_diff *d)
{
	const struct log_header *a = &d->a->log->header, *b = &d->b->log->header;
	bool same_cmd = a->ncommand == b->ncommand;

	for (uint32_t i = 0; same_cmd && i < a->ncommand; i++)
		same_cmd = a->command[i] && b->command[i] && !strcmp(a->command[i], b->command[i]);
	if (!same_cmd) {
		printf("traced command: ");
		show_argv(stdout, a->command, a->ncommand);
		printf(" -> ");
		show_argv(stdout, b->command, b->ncommand);
		putchar('\n');
	}
	if (a->cwd && b->cwd && strcmp(a->cwd, b->cwd))
		printf("build directory: %s -> %s (paths under it are compared relative to it)\n",
		       a->cwd, b->cwd);
}

static void diff_text(const struct build_diff *d, const char *pa, const char *pb)
{
	uint32_t added = 0;

	for (uint32_t c = 0; c < d->ncommands; c++)
		added += d->commands[c].added;
	const struct env_change *top = d->env.nchanges ? &d->env.changes[d->env.rank[0]] : NULL;
	bool env_first = top && env_change_explains(top) &&
			 (!d->ninputs || top->alone > d->files[d->inputs[0]].reaches);

	printf("kettle diff %s -> %s: %" PRIu32 " changed inputs, %" PRIu32 " changed outputs, %"
	       PRIu32 " commands only in B, %" PRIu32 " only in A (%" PRIu32 " matched); same: %"
	       PRIu32 " inputs, %" PRIu32 " outputs; %" PRIu32 " environment changes\n", pa, pb, d->ninputs,
	       d->noutputs, added, d->ncommands - added, d->commands_matched, d->same_inputs, d->same_outputs,
	       d->env.nchanges);
	if (env_first)
		print_env_changes(d);
	if (d->ninputs)
		printf("changed inputs (the causes), most consequential first:\n");
	for (uint32_t k = 0; k < d->ninputs; k++) {
		const struct diff_file *df = &d->files[d->inputs[k]];

		printf("  %s %s%s", change_mark(df->change), df->key,
		       df->executable ? " (toolchain)" : "");
		print_digests(d, df);
		if (df->b != REPLAY_NONE && df->executable) {
			uint32_t xa = df->a != REPLAY_NONE ? d->a->files[df->a].exec_ident : REPLAY_NONE;
			uint32_t xb = d->b->files[df->b].exec_ident;
			const char *ba = xa != REPLAY_NONE ? d->a->log->exec_idents[xa].build_id : NULL;
			const char *bb = xb != REPLAY_NONE ? d->b->log->exec_idents[xb].build_id : NULL;

			if (ba && bb && strcmp(ba, bb))
				printf("  build-id %s -> %s", ba, bb);
		}
		printf("  reaches %" PRIu32 " changed output%s\n", df->reaches, df->reaches == 1 ? "" : "s");
		print_readers(d, df);
	}
	if (!env_first)
		print_env_changes(d);
	if (d->noutputs)
		printf("changed outputs, in the order the new build wrote them:\n");
	for (uint32_t k = 0; k < d->noutputs; k++)
		print_output(d, d->outputs[k]);
	if (d->ncommands)
		printf("commands only in one build:\n");
	for (uint32_t c = 0; c < d->ncommands; c++) {
		const struct replay *r = d->commands[c].added ? d->b : d->a;

		printf("  %s %" PRIu32 " ", d->commands[c].added ? "+" : "-",
		       r->procs[d->commands[c].proc].pid);
		forensic_print_command(stdout, r, d->commands[c].proc, DIFF_ARGV_SHOWN);
		putchar('\n');
	}
	if (d->nnet_added || d->nnet_removed)
		printf("network contacts only in one build:\n");
	for (uint32_t i = 0; i < d->nnet_added; i++) {
		const struct replay_endpoint *e = &d->b->endpoints[d->net_added[i]];

		printf("  + %s (%s, first by %" PRIu32 " %s)\n", e->name, e->local ? "this machine" : "remote",
		       d->b->procs[e->first_proc].pid, replay_proc_name(d->b, e->first_proc));
	}
	for (uint32_t i = 0; i < d->nnet_removed; i++) {
		const struct replay_endpoint *e = &d->a->endpoints[d->net_removed[i]];

		printf("  - %s (%s)\n", e->name, e->local ? "this machine" : "remote");
	}
	print_header_diff(d);
	if (d->incomparable)
		printf("not compared: %" PRIu32 " files without a usable digest on one side\n",
		       d->incomparable);
}

static json_t *file_json(const struct build_diff *d, const struct diff_file *df)
{
	static const char *const names[] = { [DC_CHANGED] = "changed", [DC_ADDED] = "added",
					     [DC_REMOVED] = "removed" };
	const struct log_digest *da = df->a != REPLAY_NONE ? replay_file_digest(d->a, df->a) : NULL;
	const struct log_digest *db = df->b != REPLAY_NONE ? replay_file_digest(d->b, df->b) : NULL;
	char ha[65], hb[65];

	if (da)
		hex_encode(da->sha256, sizeof(da->sha256), ha);
	if (db)
		hex_encode(db->sha256, sizeof(db->sha256), hb);
	return json_pack("{s:o, s:o, s:s, s:b, s:o, s:o}", "path", show_json_name(df->key),
			 "full_path", show_json_name(side_path(d, df)), "change", names[df->change],
			 "executable", df->executable, "a_sha256", da ? json_string(ha) : json_null(),
			 "b_sha256", db ? json_string(hb) : json_null());
}

static json_t *env_change_json(const struct build_diff *d, const struct env_change *c)
{
	char name[4096];

	snprintf(name, sizeof(name), "%.*s", (int)c->name_len, c->a ? c->a : c->b);
	return json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:b, s:b, s:o}", "name", show_json_name(name),
			 "a", c->a ? show_json_name(c->a + c->name_len + !!c->a[c->name_len]) : json_null(),
			 "b", c->b ? show_json_name(c->b + c->name_len + !!c->b[c->name_len]) : json_null(),
			 "commands", (json_int_t)c->commands, "reaches", (json_int_t)c->reaches,
			 "unexplained_reaches", (json_int_t)c->alone, "explains", env_change_explains(c),
			 "secret", c->secret,
			 "example", forensic_proc_json(d->b, build_diff_step(d->b, c->example)));
}

static json_t *env_json(const struct build_diff *d)
{
	json_t *a = json_array();

	for (uint32_t k = 0; a && k < d->env.nchanges; k++)
		if (json_array_append_new(a, env_change_json(d, &d->env.changes[d->env.rank[k]])))
			json_decref(a), a = NULL;
	return a;
}

/* "$NAME" for each environment change of process P (the writer of an output nothing else explains). */
static int env_because(const struct build_diff *d, uint32_t p, json_t *because)
{
	for (uint32_t j = 0; p != REPLAY_NONE && j < d->env.proc_n[p]; j++) {
		const struct env_change *c = &d->env.changes[d->env.ids[d->env.proc_first[p] + j]];
		char name[4096];

		snprintf(name, sizeof(name), "$%.*s", (int)c->name_len, c->a ? c->a : c->b);
		if (json_array_append_new(because, show_json_name(name)))
			return -1;
	}
	return 0;
}

static json_t *diff_json(const struct build_diff *d)
{
	json_t *inputs = json_array(), *outputs = json_array(), *cmds = json_array(), *o;

	for (uint32_t k = 0; inputs && k < d->ninputs; k++) {
		const struct diff_file *df = &d->files[d->inputs[k]];
		json_t *j = file_json(d, df);

		if (!j || json_object_set_new(j, "reaches", json_integer(df->reaches)) ||
		    json_array_append_new(inputs, j))
			json_decref(inputs), inputs = NULL;
	}
	for (uint32_t k = 0; outputs && k < d->noutputs; k++) {
		const struct diff_file *df = &d->files[d->outputs[k]];
		json_t *j = file_json(d, df), *because = json_array();
		uint32_t w = df->b != REPLAY_NONE ? d->b->files[df->b].first_writer : REPLAY_NONE;

		if (df->b != REPLAY_NONE) {
			const struct diff_causes *c = &d->file_causes[df->b];

			for (uint8_t i = 0; because && i < c->n; i++)
				if (json_array_append_new(because, c->id[i] < d->nfiles ?
					show_json_name(d->files[c->id[i]].key) : json_string("new command")))
					json_decref(because), because = NULL;
			if (because && !c->n && w != REPLAY_NONE && env_because(d, d->b->accesses[w].proc, because))
				json_decref(because), because = NULL;
		}
		if (!j || !because || json_object_set_new(j, "because", because) ||
		    json_object_set_new(j, "step", w == REPLAY_NONE ? json_null() :
			forensic_proc_json(d->b, build_diff_step(d->b, d->b->accesses[w].proc))) ||
		    json_array_append_new(outputs, j))
			json_decref(outputs), outputs = NULL;
	}
	for (uint32_t c = 0; cmds && c < d->ncommands; c++) {
		const struct replay *r = d->commands[c].added ? d->b : d->a;
		json_t *j = forensic_proc_json(r, d->commands[c].proc);

		if (!j || json_object_set_new(j, "only_in", json_string(d->commands[c].added ? "B" : "A")) ||
		    json_array_append_new(cmds, j))
			json_decref(cmds), cmds = NULL;
	}
	json_t *net = json_pack("{s:[], s:[]}", "added", "removed");

	for (uint32_t i = 0; net && i < d->nnet_added; i++)
		json_array_append_new(json_object_get(net, "added"),
				      show_json_name(d->b->endpoints[d->net_added[i]].name));
	for (uint32_t i = 0; net && i < d->nnet_removed; i++)
		json_array_append_new(json_object_get(net, "removed"),
				      show_json_name(d->a->endpoints[d->net_removed[i]].name));
	o = json_pack("{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:o}",
		      "summary", "changed_inputs", (json_int_t)d->ninputs,
		      "changed_outputs", (json_int_t)d->noutputs,
		      "commands_only_in_one", (json_int_t)d->ncommands,
		      "commands_matched", (json_int_t)d->commands_matched,
		      "same_inputs", (json_int_t)d->same_inputs,
		      "same_outputs", (json_int_t)d->same_outputs,
		      "not_compared", (json_int_t)d->incomparable,
		      "environment_changes", (json_int_t)d->env.nchanges,
		      "inputs", inputs, "outputs", outputs, "commands", cmds, "environment", env_json(d),
		      "network", net);
	return o;
}

int cmd_diff(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	struct forensic_log fa, fb;
	struct build_diff d;
	bool json = false, any;
	int npos = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(diff_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((argv[i][0] == '-' && argv[i][1]) || npos == 2) {
			cli_err("diff", "unexpected argument '%s' (kettle diff --help)", argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos < 2) {
		cli_err("diff", "expected two logs, A B (kettle diff --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (forensic_open("diff", pos[0], &fa))
		return KETTLE_EXIT_OWN_ERROR;
	if (forensic_open("diff", pos[1], &fb)) {
		forensic_close(&fa);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (build_diff_run(&d, &fa.model, &fb.model)) {
		cli_err("diff", "out of memory");
		forensic_close(&fa);
		forensic_close(&fb);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (json) {
		json_t *j = diff_json(&d);

		rc = !j || json_dumpf(j, stdout, JSON_COMPACT) || putchar('\n') == EOF;
		json_decref(j);
	} else {
		diff_text(&d, pos[0], pos[1]);
	}
	any = build_diff_any(&d);
	build_diff_free(&d);
	forensic_close(&fa);
	forensic_close(&fb);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_err("diff", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return any ? 1 : 0;
}
