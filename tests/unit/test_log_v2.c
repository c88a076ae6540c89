// SPDX-License-Identifier: MIT
/*
 * Version-2 logs, written by the kettle before format version 3 (a traced
 * `sh -c` with a mkdir, cp, mv, ln -s, rm and a getent: exec, exec_failed,
 * open, net and file_op events, digests), still read: `kettle log show
 * --json` and `log tree --json` print what the old kettle printed for them,
 * and `files --json` the same keys with the same values
 * (tests/data/log-v2-run.*).
 */
#include "testlib.h"
#include "kettle_test.h"
#include "log_golden.h"

#define V2_RUN "tests/data/log-v2-run.cbor"

static int test_run_log_reads(void)
{
	struct log_file f;

	CHECK(log_load(V2_RUN, &f) == 0, "read");
	CHECK(f.header.format_version == 2 && f.has_trailer && !f.truncated, "complete v2 log");
	CHECK(f.nevents == 279 && f.trailer.events_by_type[LOG_EV_FILE_OP] == 4 &&
	      f.trailer.events_by_type[LOG_EV_NET] == 7 && f.ndigests > 0, "%zu events", f.nevents);
	CHECK(f.header.env_mode == LOG_ENV_NOT_RECORDED && f.header.nsecret_patterns == 0, "no env rule");
	for (size_t i = 0; i < f.nevents; i++)
		CHECK(f.events[i].type != LOG_EV_EXEC || !f.events[i].exec.env,
		      "a version-2 exec has no environment");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_show_unchanged(void)
{
	return same_output("show", V2_RUN, "tests/data/log-v2-run.show.json");
}

static int test_tree_unchanged(void)
{
	return same_output("tree", V2_RUN, "tests/data/log-v2-run.tree.json");
}

static int test_files_unchanged(void)
{
	return same_keys(V2_RUN, "tests/data/log-v2-run.files.json");
}

static const struct test tests[] = {
	{ "run_log_reads", test_run_log_reads },
	{ "show_unchanged", test_show_unchanged },
	{ "tree_unchanged", test_tree_unchanged },
	{ "files_unchanged", test_files_unchanged },
};

TEST_MAIN("log_v2", tests)
