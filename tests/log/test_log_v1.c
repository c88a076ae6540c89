// SPDX-License-Identifier: MIT
/*
 * Version-1 logs, written by the kettle before format version 2, still read:
 * the same events; `kettle log show --json` prints what the old kettle
 * printed for them, and `files --json` the same keys with the same values
 * (tests/data/log-v1-*.{show,files}.json).
 */
#include <inttypes.h>

#include "kettle_test.h"
#include "log/log_reader.h"
#include "log_golden.h"
#include "testlib.h"

static int test_example_reads(void)
{
	struct log_file f;

	CHECK(log_load("tests/data/log-v1-example.cbor", &f) == 0, "read");
	CHECK(f.header.format_version == 1, "version %u", f.header.format_version);
	CHECK(f.has_trailer && !f.truncated && f.nevents == 5, "%zu events", f.nevents);
	CHECK(f.trailer.events_by_type[LOG_EV_OPEN] == 2 && f.trailer.events_by_type[LOG_EV_NET] == 0,
	      "events by type");
	CHECK(f.events[2].type == LOG_EV_OPEN && !strcmp(f.events[2].open.path, "/src/missing.h"),
	      "the missing header's open");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_run_log_reads(void)
{
	struct log_file f;
	size_t opens = 0;

	CHECK(log_load("tests/data/log-v1-run.cbor", &f) == 0, "read");
	CHECK(f.header.format_version == 1 && f.has_trailer && !f.truncated, "complete v1 log");
	CHECK(f.nevents == 91 && f.ndigests > 0 && f.nexec_idents > 0, "%zu events, %zu digests",
	      f.nevents, f.ndigests);
	for (size_t i = 0; i < f.nevents; i++)
		opens += f.events[i].type == LOG_EV_OPEN;
	CHECK(opens == f.trailer.events_by_type[LOG_EV_OPEN] && opens == 74, "%zu opens", opens);
	log_file_free(&f);
	return TEST_PASS;
}

static int test_show_unchanged(void)
{
	if (same_output("show", "tests/data/log-v1-example.cbor", "tests/data/log-v1-example.show.json"))
		return TEST_FAIL;
	return same_output("show", "tests/data/log-v1-run.cbor", "tests/data/log-v1-run.show.json");
}

static int test_files_unchanged(void)
{
	if (same_keys("tests/data/log-v1-example.cbor", "tests/data/log-v1-example.files.json"))
		return TEST_FAIL;
	return same_keys("tests/data/log-v1-run.cbor", "tests/data/log-v1-run.files.json");
}

/* A version-1 log cannot hold the events of version 2: a kind 13 record in one is an error. */
static int test_v2_record_in_v1_log(void)
{
	static const uint8_t rec[] = { 0x8d, 0x0d, 0x00, 0x00, 0x01, 0xf6, 0x00, 0xf6, 0x00, 0x00,
				       0xf4, 0x80, 0x00, 0x00 };
	uint8_t *buf = NULL;
	size_t len = 0, hdr;
	struct log_file f;
	char err[256] = "";
	FILE *fp = fopen("tests/data/log-v1-example.cbor", "rb");
	int r;

	CHECK(fp, "open example");
	buf = malloc(4096);
	CHECK(buf, "malloc");
	len = fread(buf, 1, 4096, fp);
	fclose(fp);
	hdr = 0x34;             /* the header's length (docs/log-format.md, worked example) */
	CHECK(len > hdr, "example size");
	memcpy(buf + hdr, rec, sizeof(rec));
	r = log_read_buffer(buf, hdr + sizeof(rec), &f, err, sizeof(err));
	free(buf);
	CHECK(r == -1 && strstr(err, "record kind 13 in a version-1 log"), "error: %s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "example_reads", test_example_reads },
	{ "run_log_reads", test_run_log_reads },
	{ "show_unchanged", test_show_unchanged },
	{ "files_unchanged", test_files_unchanged },
	{ "v2_record_in_v1_log", test_v2_record_in_v1_log },
};

TEST_MAIN("log_v1", tests)
