// SPDX-License-Identifier: MIT
/* kettle why LOG PATH [--json|--dot] [--depth N]: the lineage of a file, as a tree or a graph. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/forensic_facts.h"
#include "forensics/lineage.h"
#include "forensics/lineage_store.h"
#include "log/show_fmt.h"

#define WHY_ARGV_SHOWN 240

static const char why_help[] =
	"Usage: kettle why LOG PATH [--json | --dot] [--depth N]\n\n"
	"How PATH came to be: the processes that wrote it, every file each of them read or\n"
	"executed, and the same for each of those files the build itself wrote, down to\n"
	"sources (read, never written by the build) and executables.  A file or process\n"
	"already shown is marked (see above) instead of repeated, and inputs already listed\n"
	"under another writer are counted (\"... and N more inputs listed above\"); --depth N\n"
	"stops after N levels of written files (default 64).\n"
	"PATH: as the log names it, relative to the build's directory, or any unique tail\n"
	"of it (\"greet.h\").\n"
	"The log records opens, not reads and writes: a writer's inputs are all the files\n"
	"it read during its life.\n"
	"--json: one object {path, role, sha256, build_id, writers: [{pid, exe, argv, ...,\n"
	"inputs: [...]}]} nested the same way, repeats as {path, see_above: true}.\n"
	"--dot: a Graphviz digraph, files as boxes, processes as ellipses.\n"
	"While it runs, each process's inputs wait in an unlinked temporary file in $TMPDIR\n"
	"(else /tmp), about 4 bytes per file a process read, instead of in memory.\n"
	"Exit status: 0, or 125 for an unreadable log or a path the log never names.\n";

static void text_item(const struct replay *r, const struct lineage_item *it)
{
	printf("%*s", (int)it->depth * 2, "");
	if (it->kind == LI_NET) {
		printf("net ");
		show_word(stdout, r->endpoints[it->id].name);
		printf("  [%s endpoint]\n", r->endpoints[it->id].local ? "local" : "remote");
		return;
	}
	if (it->kind == LI_PROC) {
		printf("<- %" PRIu32 " ", r->procs[it->id].pid);
		forensic_print_command(stdout, r, it->id, WHY_ARGV_SHOWN);
		if (it->repeat)
			printf("  (see above)");
		putchar('\n');
		return;
	}
	show_word(stdout, r->files[it->id].path);
	printf("  [%s", it->executed ? "executed" : forensic_file_role(r, it->id));
	forensic_print_file_facts(stdout, r, it->id);
	putchar(']');
	if (it->repeat)
		printf("  (see above)");
	if (it->cut)
		printf("  (depth limit)");
	putchar('\n');
}

static void flush_skipped(uint32_t *skipped, uint32_t depth)
{
	if (*skipped)
		printf("%*s... and %" PRIu32 " more inputs listed above\n", (int)depth * 2, "", *skipped);
	*skipped = 0;
}

enum why_format { WHY_TEXT, WHY_JSON, WHY_DOT };

/*
 * The output, written as the walk hands over each item (a monorepo's lineage
 * has tens of millions): the state of the format between two items.
 */
struct why_out {
	const struct replay *r;
	enum why_format fmt;
	uint8_t *listed;        /* text: per file, listed in full already */
	uint32_t skipped, skipped_depth;
	size_t nlevels;         /* json, dot: room in the per-depth arrays */
	uint8_t *open_key;      /* json: per open object, the child array it has open (enum child_key) */
	uint32_t nopen;         /* json: objects open, depth 0 to nopen - 1 */
	struct lineage_item *up;        /* dot: the latest item at each depth */
};

/*
 * A source or executable is listed in full the first time; later under other
 * writers it is counted, so that a header read by every compile is one line
 * (--json keeps every occurrence).
 */
static void text_each(struct why_out *o, const struct lineage_item *it)
{
	bool leaf = it->kind == LI_FILE && !lineage_built(o->r, it->id);

	if (leaf && o->listed[it->id] && it->depth) {
		if (o->skipped && o->skipped_depth != it->depth)
			flush_skipped(&o->skipped, o->skipped_depth);
		o->skipped++;
		o->skipped_depth = it->depth;
		return;
	}
	/* the count goes after the writer's new inputs, at the end of its block */
	if (!leaf || it->depth != o->skipped_depth)
		flush_skipped(&o->skipped, o->skipped_depth);
	if (it->kind == LI_FILE)
		o->listed[it->id] = 1;
	text_item(o->r, it);
}

static void text_end(struct why_out *o, const struct lineage *l)
{
	flush_skipped(&o->skipped, o->skipped_depth);
	printf("-- %" PRIu32 " writing processes, %" PRIu32 " intermediate files, %" PRIu32
	       " sources, %" PRIu32 " executables, %" PRIu32 " network endpoints\n", l->nwriters,
	       l->nintermediate, l->nsources, l->nexecutables, l->nendpoints);
}

static json_t *item_json(const struct replay *r, const struct lineage_item *it)
{
	json_t *o = it->kind == LI_PROC ? forensic_proc_json(r, it->id) :
		    it->kind == LI_NET ? json_pack("{s:o, s:b}", "endpoint",
						   show_json_name(r->endpoints[it->id].name),
						   "local", r->endpoints[it->id].local) :
		    forensic_file_json(r, it->id);

	if (!o)
		return NULL;
	if ((it->repeat && json_object_set_new(o, "see_above", json_true())) ||
	    (it->cut && json_object_set_new(o, "depth_limit", json_true())) ||
	    (it->executed && json_object_set_new(o, "executed", json_true()))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

enum child_key { KEY_NONE, KEY_WRITERS, KEY_INPUTS, KEY_NETWORK };

static const char *const child_key_name[] = { "", "writers", "inputs", "network" };

/* Closes the open objects at DEPTH and deeper, each with the child array it has open. */
static void json_close_to(struct why_out *o, uint32_t depth)
{
	while (o->nopen > depth) {
		o->nopen--;
		if (o->open_key[o->nopen])
			putchar(']');
		putchar('}');
	}
}

/*
 * Nests the preorder items as one compact JSON object would print: a file's
 * children go to "writers", a process's to "inputs" and then "network".  Each
 * item is printed by jansson and left open for its children.
 */
static int json_each(struct why_out *o, const struct lineage_item *it)
{
	json_t *j = item_json(o->r, it);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	size_t len = text ? strlen(text) : 0;

	json_decref(j);
	if (len < 2 || text[len - 1] != '}' || it->depth >= o->nlevels) {
		free(text);
		return -1;
	}
	json_close_to(o, it->depth);
	if (it->depth) {
		uint8_t key = it->kind == LI_PROC ? KEY_WRITERS : it->kind == LI_NET ? KEY_NETWORK : KEY_INPUTS;
		uint8_t *parent = &o->open_key[it->depth - 1];

		if (*parent != key) {
			if (*parent)
				putchar(']');
			printf(",\"%s\":[", child_key_name[key]);
			*parent = key;
		} else {
			putchar(',');
		}
	}
	fwrite(text, 1, len - 1, stdout);
	free(text);
	o->open_key[it->depth] = KEY_NONE;
	o->nopen = it->depth + 1;
	return 0;
}

static int json_end(struct why_out *o, const struct lineage *l)
{
	json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I}",
		"writers", (json_int_t)l->nwriters, "intermediate", (json_int_t)l->nintermediate,
		"sources", (json_int_t)l->nsources, "executables", (json_int_t)l->nexecutables,
		"network_endpoints", (json_int_t)l->nendpoints);
	char *text = summary ? json_dumps(summary, JSON_COMPACT) : NULL;

	json_decref(summary);
	if (!text || !o->nopen) {
		free(text);
		return -1;
	}
	json_close_to(o, 1);
	if (o->open_key[0])
		putchar(']');
	printf(",\"summary\":%s}\n", text);
	free(text);
	return 0;
}

static void dot_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

/* Nodes once each, an edge for every parent-child pair of the tree. */
static int dot_each(struct why_out *o, const struct lineage_item *it)
{
	const struct replay *r = o->r;
	const struct lineage_item *up;

	if (it->depth >= o->nlevels)
		return -1;
	up = it->depth ? &o->up[it->depth - 1] : NULL;
	o->up[it->depth] = *it;
	if (it->kind == LI_NET) {
		printf("  n%" PRIu32 " [shape=diamond, label=", it->id);
		dot_string(r->endpoints[it->id].name);
		printf("];\n  n%" PRIu32 " -> p%" PRIu32 " [style=dotted];\n", it->id, up ? up->id : 0);
		return 0;
	} else if (!it->repeat && it->kind == LI_FILE) {
		printf("  f%" PRIu32 " [shape=box, label=", it->id);
		dot_string(r->files[it->id].path);
		printf(", tooltip=\"%s\"];\n", forensic_file_role(r, it->id));
	} else if (!it->repeat) {
		printf("  p%" PRIu32 " [label=", it->id);
		dot_string(replay_proc_name(r, it->id));
		printf(", tooltip=\"pid %" PRIu32 "\"];\n", r->procs[it->id].pid);
	}
	if (!up)
		return 0;
	if (it->kind == LI_PROC)        /* the process wrote its parent file */
		printf("  p%" PRIu32 " -> f%" PRIu32 ";\n", it->id, up->id);
	else
		printf("  f%" PRIu32 " -> p%" PRIu32 "%s;\n", it->id, up->id,
		       it->executed ? " [style=dashed]" : "");
	return 0;
}

static int why_each(void *arg, const struct lineage_item *it)
{
	struct why_out *o = arg;

	if (o->fmt == WHY_JSON)
		return json_each(o, it);
	if (o->fmt == WHY_DOT)
		return dot_each(o, it);
	text_each(o, it);
	return 0;
}

/* Walks FILE's lineage in the model FL, whose edges are in STORE, printing as it goes. 0 or -1. */
static int why_print(const struct forensic_log *fl, const struct lineage_store *store, uint32_t file,
		     enum why_format fmt, uint32_t depth)
{
	/* a file level is two item levels (the file, its writers), and a writer's inputs one more */
	struct why_out o = { .r = &fl->model, .fmt = fmt, .nlevels = (size_t)depth * 2 + 4 };
	struct lineage l;
	int rc = -1;

	o.listed = calloc((size_t)fl->model.nfiles + 1, 1);
	o.open_key = calloc(o.nlevels, sizeof(*o.open_key));
	o.up = calloc(o.nlevels, sizeof(*o.up));
	if (o.listed && o.open_key && o.up) {
		if (fmt == WHY_DOT)
			printf("digraph lineage {\n  rankdir=RL;\n  node [fontsize=10];\n");
		rc = lineage_walk_each(&fl->model, store, file, depth, why_each, &o, &l);
	}
	if (!rc && fmt == WHY_JSON)
		rc = json_end(&o, &l);
	else if (!rc && fmt == WHY_DOT)
		printf("}\n");
	else if (!rc)
		text_end(&o, &l);
	free(o.listed);
	free(o.open_key);
	free(o.up);
	return rc;
}

/*
 * The log is read once; the model keeps the processes and files, not every
 * access: each process's inputs go to the store's temporary file as it exits
 * (docs/forensics.md, "Lineage at scale").
 */
static int why_run(const char *log_path, const char *path, enum why_format fmt, uint32_t depth)
{
	struct lineage_store *store = lineage_store_new();
	struct replay_access_hook hook;
	struct forensic_log fl;
	char err[512] = "";
	uint32_t file;
	int rc;

	if (!store) {
		cli_err("why", "cannot make a temporary file: %s", strerror(errno));
		return KETTLE_EXIT_OWN_ERROR;
	}
	hook = lineage_store_hook(store);
	if (forensic_open_hooked("why", log_path, &hook, &fl)) {
		lineage_store_free(store);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (lineage_store_finish(store)) {
		cli_err("why", "cannot write a temporary file: %s", strerror(errno));
		goto fail;
	}
	file = replay_file_resolve(&fl.model, path, err, sizeof(err));
	if (file == REPLAY_NONE) {
		cli_err("why", "%s: %s", log_path, err);
		goto fail;
	}
	rc = why_print(&fl, store, file, fmt, depth);
	forensic_close(&fl);
	lineage_store_free(store);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_err("why", "cannot write the output (or out of memory, or its temporary file failed)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return 0;
fail:
	forensic_close(&fl);
	lineage_store_free(store);
	return KETTLE_EXIT_OWN_ERROR;
}

int cmd_why(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	enum why_format fmt = WHY_TEXT;
	unsigned long depth = LINEAGE_DEPTH_DEFAULT;
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(why_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			fmt = WHY_JSON;
		} else if (!strcmp(argv[i], "--dot")) {
			fmt = WHY_DOT;
		} else if (!strcmp(argv[i], "--depth") && i + 1 < argc) {
			char *end;

			depth = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || depth < 1 || depth > LINEAGE_DEPTH_MAX) {
				cli_err("why", "--depth '%s': expected 1..%d", argv[i], LINEAGE_DEPTH_MAX);
				return KETTLE_EXIT_OWN_ERROR;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_err("why", "unknown option '%s' (kettle why --help)", argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			cli_err("why", "too many arguments (kettle why --help)");
			return KETTLE_EXIT_OWN_ERROR;
		}
	}
	if (npos < 2) {
		cli_err("why", "expected LOG PATH (kettle why --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return why_run(pos[0], pos[1], fmt, (uint32_t)depth);
}
