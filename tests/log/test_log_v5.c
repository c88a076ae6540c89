// SPDX-License-Identifier: MIT
/*
 * A version-5 log, written before forget records (format version 6) by a
 * writer that forgot its tables every few records and so sent paths again:
 * every id it wrote stays valid to the end, and it still reads as the old
 * kettle read it (`kettle log show --json` the same, `files --json` the same
 * keys with the same values; tests/data/log-v5-forgetful.*).
 */
#include <string.h>

#include "kettle_test.h"
#include "log/log_reader.h"
#include "log_golden.h"
#include "testlib.h"

#define V5_LOG "tests/data/log-v5-forgetful.cbor"

/* The header sent again after each forgetting reads back as one string: one pointer for every open of it. */
static int test_paths_sent_again_are_one_string(void)
{
	const char *h3 = NULL;
	size_t opens = 0;
	struct log_file f;
	bool one = true;

	CHECK(log_load(V5_LOG, &f) == 0, "read");
	CHECK(f.header.format_version == 5 && f.has_trailer && !f.truncated && f.nevents == 66, "complete v5 log: %zu events",
	      f.nevents);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *ev = &f.events[i];

		if (ev->type != LOG_EV_OPEN || strcmp(ev->open.path, "/usr/include/h3.h"))
			continue;
		opens++;
		if (!h3)
			h3 = ev->open.path;
		one &= ev->open.path == h3;
	}
	log_file_free(&f);
	CHECK(opens >= 3, "%zu opens of h3.h", opens);
	CHECK(one, "the path written again is not one string");
	return TEST_PASS;
}

static int test_show_unchanged(void)
{
	return same_output("show", V5_LOG, "tests/data/log-v5-forgetful.show.json");
}

static int test_files_unchanged(void)
{
	return same_keys(V5_LOG, "tests/data/log-v5-forgetful.files.json");
}

static const struct test tests[] = {
	{ "paths_sent_again_are_one_string", test_paths_sent_again_are_one_string },
	{ "show_unchanged", test_show_unchanged },
	{ "files_unchanged", test_files_unchanged },
};

TEST_MAIN("log_v5", tests)
