// SPDX-License-Identifier: MIT
/* kettle why LOG PATH [--json|--dot] [--depth N]: the lineage of a file, as a tree or a graph. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/forensic_facts.h"
#include "forensics/lineage.h"
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

/*
 * A source or executable is listed in full the first time; later under other
 * writers it is counted, so that a header read by every compile is one line
 * (--json keeps every occurrence).
 */
static int why_text(const struct replay *r, const struct lineage *l)
{
	uint8_t *listed = calloc((size_t)r->nfiles + 1, 1);
	uint32_t skipped = 0, skipped_depth = 0;

	if (!listed)
		return -1;
	for (uint32_t i = 0; i < l->n; i++) {
		const struct lineage_item *it = &l->items[i];
		bool leaf = it->kind == LI_FILE && !lineage_built(r, it->id);

		if (leaf && listed[it->id] && it->depth) {
			if (skipped && skipped_depth != it->depth)
				flush_skipped(&skipped, skipped_depth);
			skipped++;
			skipped_depth = it->depth;
			continue;
		}
		/* the count goes after the writer's new inputs, at the end of its block */
		if (!leaf || it->depth != skipped_depth)
			flush_skipped(&skipped, skipped_depth);
		if (it->kind == LI_FILE)
			listed[it->id] = 1;
		text_item(r, it);
	}
	flush_skipped(&skipped, skipped_depth);
	free(listed);
	printf("-- %" PRIu32 " writing processes, %" PRIu32 " intermediate files, %" PRIu32
	       " sources, %" PRIu32 " executables, %" PRIu32 " network endpoints\n", l->nwriters,
	       l->nintermediate, l->nsources, l->nexecutables, l->nendpoints);
	return 0;
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

/* Nests the preorder items: a file's children go to "writers", a process's to "inputs". */
static json_t *why_json(const struct replay *r, const struct lineage *l)
{
	json_t **stack = calloc((size_t)l->n + 1, sizeof(*stack));
	json_t *root = NULL;

	if (!stack)
		return NULL;
	for (uint32_t i = 0; i < l->n; i++) {
		const struct lineage_item *it = &l->items[i];
		json_t *o = item_json(r, it), *list;
		const char *key;

		if (!o)
			goto fail;
		if (it->depth == 0) {
			root = stack[0] = o;
			continue;
		}
		key = it->kind == LI_PROC ? "writers" : it->kind == LI_NET ? "network" : "inputs";
		list = json_object_get(stack[it->depth - 1], key);
		if (!list && (json_object_set_new(stack[it->depth - 1], key, json_array()) ||
			      !(list = json_object_get(stack[it->depth - 1], key)))) {
			json_decref(o);
			goto fail;
		}
		if (json_array_append_new(list, o))
			goto fail;
		stack[it->depth] = o;
	}
	free(stack);
	if (root && json_object_set_new(root, "summary", json_pack("{s:I, s:I, s:I, s:I, s:I}",
			"writers", (json_int_t)l->nwriters, "intermediate", (json_int_t)l->nintermediate,
			"sources", (json_int_t)l->nsources, "executables", (json_int_t)l->nexecutables,
			"network_endpoints", (json_int_t)l->nendpoints))) {
		json_decref(root);
		return NULL;
	}
	return root;
fail:
	json_decref(root);
	free(stack);
	return NULL;
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
static void why_dot(const struct replay *r, const struct lineage *l)
{
	uint32_t *stack = calloc((size_t)l->n + 1, sizeof(*stack));

	printf("digraph lineage {\n  rankdir=RL;\n  node [fontsize=10];\n");
	for (uint32_t i = 0; stack && i < l->n; i++) {
		const struct lineage_item *it = &l->items[i];
		const struct lineage_item *up = it->depth ? &l->items[stack[it->depth - 1]] : NULL;

		stack[it->depth] = i;
		if (it->kind == LI_NET) {
			printf("  n%" PRIu32 " [shape=diamond, label=", it->id);
			dot_string(r->endpoints[it->id].name);
			printf("];\n  n%" PRIu32 " -> p%" PRIu32 " [style=dotted];\n", it->id, up ? up->id : 0);
			continue;
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
			continue;
		if (it->kind == LI_PROC)        /* the process wrote its parent file */
			printf("  p%" PRIu32 " -> f%" PRIu32 ";\n", it->id, up->id);
		else
			printf("  f%" PRIu32 " -> p%" PRIu32 "%s;\n", it->id, up->id,
			       it->executed ? " [style=dashed]" : "");
	}
	printf("}\n");
	free(stack);
}

enum why_format { WHY_TEXT, WHY_JSON, WHY_DOT };

static int why_run(const char *log_path, const char *path, enum why_format fmt, uint32_t depth)
{
	struct forensic_log fl;
	struct lineage l;
	char err[512] = "";
	uint32_t file;
	int rc = 0;

	if (forensic_open("why", log_path, &fl))
		return KETTLE_EXIT_OWN_ERROR;
	file = replay_file_resolve(&fl.model, path, err, sizeof(err));
	if (file == REPLAY_NONE) {
		cli_err("why", "%s: %s", log_path, err);
		forensic_close(&fl);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (lineage_walk(&fl.model, file, depth, &l)) {
		cli_err("why", "out of memory");
		forensic_close(&fl);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (fmt == WHY_JSON) {
		json_t *j = why_json(&fl.model, &l);

		if (!j || json_dumpf(j, stdout, JSON_COMPACT) || putchar('\n') == EOF)
			rc = -1;
		json_decref(j);
	} else if (fmt == WHY_DOT) {
		why_dot(&fl.model, &l);
	} else {
		rc = why_text(&fl.model, &l);
	}
	lineage_free(&l);
	forensic_close(&fl);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_err("why", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return 0;
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
