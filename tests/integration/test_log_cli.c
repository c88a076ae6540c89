// SPDX-License-Identifier: MIT
/* kettle log {show,tree,stats} on a real log, a cut one and bad files: what a user or script sees. */
#include <jansson.h>

#include "common/exit_code.h"
#include "kettle_test.h"

/* Runs `kettle log SUB FILE [--json]`; stdout and stderr land in OUT and ERR files. Returns the exit code. */
static int kettle_log(const char *sub, const char *file, bool json, const char *out, const char *err)
{
	const char *args[] = { "log", sub, file, json ? "--json" : NULL, NULL };

	return kettle_cli(args, out, err);
}

static int json_views_match_the_log(void)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname >/dev/null", NULL };
	char dir[256], log[300], out[300], err[300], cat[4096];
	struct log_file f = { 0 };
	json_error_t jerr;
	json_t *j, *tree;
	FILE *fp;
	char line[65536];
	size_t lines = 0;
	bool saw_cat = false;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("logcli", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	CHECK(realpath("/usr/bin/cat", cat), "realpath");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");

	CHECK(kettle_log("stats", log, true, out, err) == 0, "log stats --json failed");
	j = json_load_file(out, 0, &jerr);
	CHECK(j, "stats --json is not JSON: %s", jerr.text);
	CHECK(json_integer_value(json_object_get(j, "events")) == (json_int_t)f.nevents, "stats events != log");
	CHECK(json_integer_value(json_object_get(json_object_get(j, "losses"), "total")) == 0, "losses reported");
	CHECK(json_is_false(json_object_get(j, "truncated")), "stats says truncated");
	json_decref(j);

	CHECK(kettle_log("show", log, true, out, err) == 0, "log show --json failed");
	fp = fopen(out, "r");
	CHECK(fp, "no output");
	while (fgets(line, sizeof(line), fp)) {
		json_t *ev = json_loads(line, 0, &jerr);

		CHECK(ev, "line %zu is not JSON: %s", lines + 1, jerr.text);
		if (!strcmp(json_string_value(json_object_get(ev, "type")), "exec") &&
		    !strcmp(json_string_value(json_object_get(ev, "exe")), cat))
			saw_cat = json_array_size(json_object_get(ev, "argv")) == 2;
		json_decref(ev);
		lines++;
	}
	fclose(fp);
	CHECK(lines == f.nevents, "show --json printed %zu lines for %zu events", lines, f.nevents);
	CHECK(saw_cat, "no exec of %s with its 2 arguments in show --json", cat);

	CHECK(kettle_log("tree", log, true, out, err) == 0, "log tree --json failed");
	tree = json_load_file(out, 0, &jerr);
	CHECK(tree && json_array_size(tree) == 1, "tree --json: want one root");
	j = json_array_get(tree, 0);
	CHECK(json_integer_value(json_object_get(j, "pid")) == f.header.root_pid, "root pid differs from the header");
	CHECK(json_array_size(json_object_get(j, "children")) == 1, "sh should have one child (cat)");
	json_decref(tree);

	CHECK(kettle_log("show", log, false, out, err) == 0, "log show failed");
	CHECK(file_lines(out) == f.nevents, "show printed %zu lines for %zu events", file_lines(out), f.nevents);
	log_file_free(&f);
	return TEST_PASS;
}

static int cut_log_shown_with_warning(void)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname >/dev/null", NULL };
	char dir[256], log[300], out[300], err[300], shell[800];
	json_error_t jerr;
	json_t *j;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("logcut", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	snprintf(shell, sizeof(shell), "truncate -s -7 '%s'", log);
	CHECK(system(shell) == 0, "truncate");
	CHECK(kettle_log("show", log, false, out, err) == 0, "show of a cut log must still succeed");
	CHECK(file_lines(err) == 1, "want one warning line on stderr, got %zu", file_lines(err));
	CHECK(kettle_log("stats", log, true, out, err) == 0, "stats of a cut log must still succeed");
	j = json_load_file(out, 0, &jerr);
	CHECK(j && json_is_true(json_object_get(j, "truncated")), "stats --json does not say truncated");
	json_decref(j);
	return TEST_PASS;
}

static int bad_files_one_line_error(void)
{
	char dir[256], log[300], out[300], err[300], path[300];
	static const char *const sub[] = { "show", "tree", "stats" };
	FILE *fp;

	test_workdir("logbad", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	snprintf(path, sizeof(path), "%s/empty", dir);
	CHECK(touch(path) == 0, "create");
	for (int s = 0; s < 3; s++) {
		CHECK(kettle_log(sub[s], path, s == 2, out, err) == 1, "%s of an empty file: want exit 1", sub[s]);
		CHECK(file_lines(err) == 1, "%s of an empty file: want one line on stderr", sub[s]);
		CHECK(kettle_log(sub[s], "/nonexistent/x.cbor", false, out, err) == 1, "missing file: want exit 1");
		CHECK(file_lines(err) == 1, "missing file: want one line on stderr");
	}
	snprintf(path, sizeof(path), "%s/garbage", dir);
	fp = fopen(path, "w");
	CHECK(fp, "create");
	for (int i = 0; i < 4096; i++)
		fputc((i * 7919 + 13) & 0xff, fp);
	fclose(fp);
	CHECK(kettle_log("show", path, false, out, err) == 1, "garbage: want exit 1");
	CHECK(file_lines(err) == 1, "garbage: want one line on stderr");
	return TEST_PASS;
}

/* A usage error is kettle's own failure, as in every other command: 125 and one line naming the mistake. */
static int usage_errors_exit_125(void)
{
	static const struct { const char *args[5], *says; } bad[] = {
		{ { "log", "bogus" }, "kettle log: unknown subcommand 'bogus'" },
		{ { "log", "show" }, "kettle log show: no FILE" },
		{ { "log", "show", "--bogus", "x.cbor" }, "kettle log show: unknown option '--bogus'" },
		{ { "log", "tree", "a.cbor", "b.cbor" }, "kettle log tree: one FILE only" },
		{ { "log", "show", "x.cbor", "--pid" }, "kettle log show: --pid needs a value" },
	};
	const char *none[] = { "log", NULL };
	char dir[256], log[300], out[300], err[300];

	test_workdir("logusage", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = kettle_cli(bad[i].args, out, err);

		CHECK(rc == KETTLE_EXIT_OWN_ERROR, "%s: exit %d, want 125", bad[i].says, rc);
		CHECK(file_lines(err) == 1 && file_holds(err, bad[i].says), "stderr does not say '%s'", bad[i].says);
	}
	CHECK(kettle_cli(none, out, err) == KETTLE_EXIT_OWN_ERROR, "kettle log alone: want exit 125");
	CHECK(file_holds(err, "Usage: kettle log"), "kettle log alone: no usage on stderr");
	return TEST_PASS;
}

/* kettle help names every log view; log stats keeps a space between each loss label and its count. */
static int help_and_stats_read_right(void)
{
	const char *help[] = { "help", NULL };
	const char *cmd[] = { "true", NULL };
	char dir[256], log[300], out[300], err[300];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("loghelp", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	CHECK(kettle_cli(help, out, err) == 0, "kettle help");
	CHECK(file_holds(out, "files") && file_holds(out, "net"), "kettle help names log files and log net");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run true");
	CHECK(kettle_log("stats", log, false, out, err) == 0, "log stats");
	CHECK(test_sh("grep -Eq '^  lost proc_snapshot +[0-9]+$' %s", out) == 0,
	      "the proc_snapshot loss line reads as a label and a number");
	CHECK(test_sh("grep -Eq '[a-z][0-9]+$' %s", out) != 0, "no label runs into its number");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "help_and_stats_read_right", help_and_stats_read_right },
	{ "json_views_match_the_log", json_views_match_the_log },
	{ "cut_log_shown_with_warning", cut_log_shown_with_warning },
	{ "bad_files_one_line_error", bad_files_one_line_error },
	{ "usage_errors_exit_125", usage_errors_exit_125 },
};

TEST_MAIN("log_cli", tests)
