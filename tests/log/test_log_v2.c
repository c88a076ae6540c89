// SPDX-License-Identifier: MIT
/*
 * Version-2 logs, written by the kettle before format version 3 (a traced
 * `sh -c` with a mkdir, cp, mv, ln -s, rm and a getent: exec, exec_failed,
 * open, net and file_op events, digests), still read: `kettle log show
 * --json` and `log tree --json` print what the old kettle printed for them,
 * and `files --json` the same keys with the same values
 * (tests/data/log-v2-run.*).
 */
#include "kettle_test.h"
#include "log/log_reader.h"
#include "log_golden.h"
#include "testlib.h"

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

/* The golden log's header followed by RECORD; expects NEEDLE. */
static int record_after_header(const uint8_t *rec, size_t n, const char *needle)
{
	static uint8_t buf[1 << 14];
	size_t len, hdr = 0;
	struct log_file f;
	char err[256] = "";
	FILE *fp = fopen(V2_RUN, "rb");
	int r;

	CHECK(fp, "open " V2_RUN);
	len = fread(buf, 1, sizeof(buf) - n, fp);
	fclose(fp);
	/* the shortest prefix that reads is the header alone */
	for (size_t k = 1; k <= len && !hdr; k++) {
		if (log_read_buffer(buf, k, &f, err, sizeof(err)) == 0) {
			hdr = f.valid_bytes;
			log_file_free(&f);
		}
	}
	CHECK(hdr > 0, "no header in %zu bytes", len);
	memcpy(buf + hdr, rec, n);
	r = log_read_buffer(buf, hdr + n, &f, err, sizeof(err));
	CHECK(r == -1 && strstr(err, needle), "error: %s", err);
	return TEST_PASS;
}

/* A version-2 log cannot hold the kernel module's records of version 3. */
static int test_v3_record_in_v2_log(void)
{
	static const uint8_t stats[] = { 0x88, 0x12, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t kmod[] = { 0x92, 0x11, 0, 0, 0, 0, 0, 0, 0xf6, 0x21, 0x04, 0, 0, 0, 0, 0, 0, 0, 0 };

	if (record_after_header(stats, sizeof(stats), "record kind 18 in a version-2 log"))
		return TEST_FAIL;
	return record_after_header(kmod, sizeof(kmod), "record kind 17 in a version-2 log");
}

static const struct test tests[] = {
	{ "run_log_reads", test_run_log_reads },
	{ "show_unchanged", test_show_unchanged },
	{ "tree_unchanged", test_tree_unchanged },
	{ "files_unchanged", test_files_unchanged },
	{ "v3_record_in_v2_log", test_v3_record_in_v2_log },
};

TEST_MAIN("log_v2", tests)
