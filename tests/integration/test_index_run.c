// SPDX-License-Identifier: MIT
/*
 * The fleet index on real traced builds: three `kettle run`s where the
 * second reads what the first wrote and the third what the second wrote.
 * What an investigator asks: which builds read the first build's input,
 * which ran cp, and what came downstream of it.
 */
#include <jansson.h>

#include "kettle_test.h"

static char dir[256], db[300];

static int run_build(const char *name, const char *script)
{
	const char *cmd[] = { "/bin/sh", "-c", script, NULL };
	char log[300];
	int status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/%s.cbor", dir, name);
	pid = kettle_start_in(dir, log, NULL, cmd, NULL, false);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "kettle run %s", name);
	return TEST_PASS;
}

static int t_three_runs_are_indexed(void)
{
	char a[300], b[300], c[300], out[300], err[300];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_tmpdir(dir, sizeof(dir), "index-run");
	snprintf(db, sizeof(db), "%s/index.db", dir);
	CHECK(test_sh("echo fleet-input-$$ > %s/src.txt", dir) == 0, "source");
	/* each file's content differs from the one it was made from, so each has its own digest */
	CHECK(run_build("a", "(cat src.txt; echo a) > x.txt") == TEST_PASS, "a");
	CHECK(run_build("b", "cp x.txt y.txt && echo b >> y.txt") == TEST_PASS, "b");
	CHECK(run_build("c", "sort -r y.txt > z.txt") == TEST_PASS, "c");
	snprintf(a, sizeof(a), "%s/a.cbor", dir);
	snprintf(b, sizeof(b), "%s/b.cbor", dir);
	snprintf(c, sizeof(c), "%s/c.cbor", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	{
		const char *args[] = { "index", "add", "--db", db, a, b, c, NULL };

		CHECK(kettle_cli(args, out, err) == 0, "index add");
	}
	CHECK(file_lines(out) == 3 && file_holds(out, "b.cbor: build 2:"), "three builds");
	return TEST_PASS;
}

static int t_downstream_of_the_first_input_reaches_the_third_build(void)
{
	char sha[80], out[300], err[300], src[300];
	json_t *j, *d, *item;
	json_error_t je;
	size_t i;
	int seen_x = 0, seen_z = 0;
	FILE *f;

	if (!db[0])
		return test_skip("no builds (see three_runs_are_indexed)");
	snprintf(src, sizeof(src), "%s/src.txt", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	{
		const char *args[] = { "hash", src, NULL };

		CHECK(kettle_cli(args, out, err) == 0, "hash");
	}
	f = fopen(out, "r");
	CHECK(f && fscanf(f, "%64s", sha) == 1, "digest");
	fclose(f);
	{
		const char *args[] = { "search", "--db", db, "--digest", sha, "--downstream", "--json", NULL };

		CHECK(kettle_cli(args, out, err) == 0, "search");
	}
	j = json_load_file(out, 0, &je);
	CHECK(j, "json: %s", je.text);
	d = json_object_get(j, "downstream");
	json_array_foreach(d, i, item) {
		const char *path = json_string_value(json_object_get(item, "path"));

		seen_x += path && strstr(path, "/x.txt") && json_integer_value(json_object_get(item, "depth")) == 1;
		seen_z += path && strstr(path, "/z.txt") && json_integer_value(json_object_get(item, "depth")) == 3;
	}
	{
		const json_t *m = json_array_get(json_object_get(j, "matches"), 0);
		bool read_by_a = m && !strcmp(json_string_value(json_object_get(m, "role")), "read") &&
				 json_integer_value(json_object_get(json_object_get(m, "build"), "id")) == 1 &&
				 json_array_size(json_object_get(m, "chain")) >= 1;

		json_decref(j);
		CHECK(read_by_a, "the first match is build 1 reading src.txt");
	}
	CHECK(seen_x == 1 && seen_z == 1, "x.txt at depth 1 (%d), z.txt at depth 3 (%d)", seen_x, seen_z);
	return TEST_PASS;
}

static int t_executions_of_cp_name_the_second_build(void)
{
	char out[300], err[300];

	if (!db[0])
		return test_skip("no builds (see three_runs_are_indexed)");
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	{
		const char *args[] = { "search", "--db", db, "--path", "*/cp", "--exe", NULL };

		CHECK(kettle_cli(args, out, err) == 0, "search");
	}
	CHECK(file_holds(out, "build 2 ") && file_holds(out, "executed") && !file_holds(out, "build 1 ") &&
	      !file_holds(out, "build 3 "), "only build 2 ran cp");
	CHECK(test_sh("rm -rf %s", dir) == 0, "cleanup");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "three_runs_are_indexed", t_three_runs_are_indexed },
	{ "downstream_of_the_first_input_reaches_the_third_build",
	  t_downstream_of_the_first_input_reaches_the_third_build },
	{ "executions_of_cp_name_the_second_build", t_executions_of_cp_name_the_second_build },
};

TEST_MAIN("index_run", tests)
