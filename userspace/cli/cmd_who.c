// SPDX-License-Identifier: MIT
/* kettle who LOG PATH [--json]: every process that executed, read or wrote a file, with times. */
#include <inttypes.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/forensic_cli.h"
#include "forensics/forensic_facts.h"
#include "log/show_fmt.h"

#define WHO_ARGV_SHOWN 160

static const char who_help[] =
	"Usage: kettle who LOG PATH [--json]\n\n"
	"Every process that executed, read, wrote or looked for PATH, in log order: seconds\n"
	"since the start, pid, what it did (read, write, exec, absent: an open or exec found\n"
	"it missing, failed: another error), and the command it was running.\n"
	"PATH: as the log names it, relative to the build's directory, or a unique tail.\n"
	"--json: {path, role, sha256, build_id, accesses: [{ts_ns, what, pid, exe, argv,\n"
	"cwd, start_ns, end_ns, exit_status}]}.\n"
	"Exit status: 0, or 125 for an unreadable log or a path the log never names.\n";

static void who_text(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];

	show_word(stdout, f->path);
	printf("  [%s", forensic_file_role(r, file));
	forensic_print_file_facts(stdout, r, file);
	printf("]\n");
	for (uint32_t i = 0; i < f->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_file[f->access_first + i]];

		printf("  ");
		show_seconds(stdout, (int64_t)(a->ts_ns - r->start_ns));
		printf("  %7" PRIu32 "  %-6s  ", r->procs[a->proc].pid, replay_access_name(a->kind));
		forensic_print_command(stdout, r, a->proc, WHO_ARGV_SHOWN);
		putchar('\n');
	}
}

static json_t *who_json(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];
	json_t *o = forensic_file_json(r, file), *list = json_array();

	for (uint32_t i = 0; o && list && i < f->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_file[f->access_first + i]];
		json_t *p = forensic_proc_json(r, a->proc);

		if (!p || json_object_set_new(p, "ts_ns", json_integer((json_int_t)(int64_t)
							   (a->ts_ns - r->start_ns))) ||
		    json_object_set_new(p, "what", json_string(replay_access_name(a->kind))) ||
		    json_array_append_new(list, p)) {
			json_decref(o);
			o = NULL;
		}
	}
	if (!o || !list || json_object_set_new(o, "accesses", list)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int cmd_who(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	struct forensic_log fl;
	char err[512] = "";
	bool json = false;
	uint32_t file;
	int npos = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (forensic_is_help(argv[i])) {
			fputs(who_help, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if ((argv[i][0] == '-' && argv[i][1]) || npos == 2) {
			cli_err("who", "unexpected argument '%s' (kettle who --help)", argv[i]);
			return KETTLE_EXIT_OWN_ERROR;
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos < 2) {
		cli_err("who", "expected LOG PATH (kettle who --help)");
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (forensic_open("who", pos[0], &fl))
		return KETTLE_EXIT_OWN_ERROR;
	file = replay_file_resolve(&fl.model, pos[1], err, sizeof(err));
	if (file == REPLAY_NONE) {
		cli_err("who", "%s: %s", pos[0], err);
		forensic_close(&fl);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (json) {
		json_t *j = who_json(&fl.model, file);

		rc = !j || json_dumpf(j, stdout, JSON_COMPACT) || putchar('\n') == EOF;
		json_decref(j);
	} else {
		who_text(&fl.model, file);
	}
	forensic_close(&fl);
	if (rc || fflush(stdout) || ferror(stdout)) {
		cli_err("who", "cannot write the output");
		return KETTLE_EXIT_OWN_ERROR;
	}
	return 0;
}
