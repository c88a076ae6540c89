// SPDX-License-Identifier: MIT
/* log_filter: which events pass --pid, --path, --type, --since, --until, on hand-made events (no BPF). */
#include "log/log_filter.h"
#include "testlib.h"

#define START_WALL 1767182400000000000ll   /* 2025-12-31T12:00:00Z */
#define START_BOOT 5000000000ull

static struct log_file log_at_start(void)
{
	struct log_file f = { 0 };

	f.has_header = true;
	f.header.start_wall_ns = START_WALL;
	f.header.start_boot_ns = START_BOOT;
	return f;
}

static struct log_event open_at(uint64_t rel_ns, uint32_t tgid, const char *path)
{
	struct log_event e = { 0 };

	e.type = LOG_EV_OPEN;
	e.ts_ns = START_BOOT + rel_ns;
	e.tgid = e.tid = tgid;
	e.open.path = path;
	return e;
}

static bool passes(const char *opt, const char *value, const struct log_event *e)
{
	struct log_filter flt = { 0 };
	struct log_file f = log_at_start();
	char err[256];
	bool r;

	if (log_filter_add(&flt, opt, value, err, sizeof(err))) {
		fprintf(stderr, "  %s %s: %s\n", opt, value, err);
		return false;
	}
	r = log_filter_match(&flt, &f, e);
	log_filter_free(&flt);
	return r;
}

static int since_decimal_is_exact_to_the_ns(void)
{
	struct log_event e = open_at(1500000000, 7, "/a");

	CHECK(passes("--since", "1.5", &e), "an event at 1.5 s is not since 1.5");
	CHECK(!passes("--since", "1.500000001", &e), "an event at 1.5 s is since 1.500000001");
	CHECK(passes("--until", "1.5", &e), "an event at 1.5 s is not until 1.5");
	CHECK(!passes("--until", "1.499999999", &e), "an event at 1.5 s is until 1.499999999");
	CHECK(passes("--since", "0", &e) && passes("--until", "2", &e), "whole seconds");
	return TEST_PASS;
}

static int rfc3339_goes_through_the_header_clocks(void)
{
	struct log_event e = open_at(2000000000, 7, "/a");   /* 12:00:02 wall */

	CHECK(passes("--since", "2025-12-31T12:00:02Z", &e), "12:00:02 is not since 12:00:02");
	CHECK(!passes("--since", "2025-12-31T12:00:02.000000001Z", &e), "nanosecond after");
	CHECK(passes("--until", "2025-12-31T12:00:02.5+00:00", &e), "+00:00 offset");
	CHECK(!passes("--until", "2025-12-31T12:00:01.999Z", &e), "before the event");
	CHECK(passes("--since", "2025-12-31T11:00:00Z", &e), "a time before the start");
	return TEST_PASS;
}

/* A log's header is untrusted: a wall clock past INT64_MAX must not overflow the comparison. */
static int huge_header_wall_clock_is_safe(void)
{
	struct log_filter flt = { 0 };
	struct log_file f = log_at_start();
	struct log_event e = open_at(0, 7, "/a");
	char err[256];

	f.header.start_wall_ns = UINT64_MAX;
	CHECK(!log_filter_add(&flt, "--since", "1970-01-01T00:00:00Z", err, sizeof(err)) &&
	      !log_filter_add(&flt, "--until", "2025-12-31T12:00:00Z", err, sizeof(err)), "%s", err);
	CHECK(!log_filter_match(&flt, &f, &e), "a wall time cannot be placed on this log, yet the event passed");
	log_filter_free(&flt);
	return TEST_PASS;
}

static int bad_times_are_refused(void)
{
	static const char *const bad[] = { "", "-", "1.", ".5", "1.5s", "1e3", "abc", "2025-12-31",
		"2025-12-31T12:00:00", "2025-02-29T00:00:00Z", "2025-12-31T24:00:00Z", "2025-12-31T12:00:00+01:00",
		"2025-12-31 12:00:00Z", "99999999999999" };
	struct log_filter flt = { 0 };
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(log_filter_add(&flt, "--since", bad[i], err, sizeof(err)) == -1, "'%s' accepted", bad[i]);
		CHECK(strstr(err, "--since"), "the error does not name --since: %s", err);
	}
	CHECK(log_filter_add(&flt, "--until", "2024-02-29T00:00:00Z", err, sizeof(err)) == 0, "leap day refused");
	log_filter_free(&flt);
	return TEST_PASS;
}

static int glob_without_slash_matches_the_basename(void)
{
	struct log_event e = open_at(0, 7, "/src/lib/util.h");

	CHECK(passes("--path", "*.h", &e), "*.h does not match util.h");
	CHECK(passes("--path", "util.h", &e), "util.h does not match");
	CHECK(!passes("--path", "lib", &e), "a directory name matched the basename");
	CHECK(passes("--path", "/src/*/util.h", &e), "a whole-path glob");
	CHECK(!passes("--path", "lib/util.h", &e), "a relative glob with '/' matched an absolute path");
	return TEST_PASS;
}

static int file_op_second_path_and_unix_socket_count(void)
{
	struct log_event ren = { .type = LOG_EV_FILE_OP }, net = { .type = LOG_EV_NET };

	ren.file_op.path = "/tmp/x.tmp";
	ren.file_op.path2 = "/out/x.o";
	net.net.unix_path = "/run/dbus/system_bus_socket";
	CHECK(passes("--path", "*.o", &ren), "a rename's new name does not match");
	CHECK(passes("--path", "*.tmp", &ren), "a rename's old name does not match");
	CHECK(passes("--path", "/run/*/*", &net), "a unix socket path does not match");
	CHECK(!passes("--path", "*.c", &net), "an unrelated glob matched");
	return TEST_PASS;
}

static int every_filter_must_pass(void)
{
	struct log_filter flt = { 0 };
	struct log_file f = log_at_start();
	struct log_event a = open_at(1000000000, 7, "/a.c"), b = open_at(1000000000, 8, "/a.c");
	char err[256];

	CHECK(!log_filter_add(&flt, "--pid", "7,9", err, sizeof(err)) &&
	      !log_filter_add(&flt, "--type", "exec,open", err, sizeof(err)) &&
	      !log_filter_add(&flt, "--path", "*.c", err, sizeof(err)) &&
	      !log_filter_add(&flt, "--until", "3", err, sizeof(err)), "filters refused: %s", err);
	CHECK(log_filter_match(&flt, &f, &a), "an event passing every filter was dropped");
	CHECK(!log_filter_match(&flt, &f, &b), "pid 8 passed --pid 7,9");
	a.open.path = "/a.h";
	CHECK(!log_filter_match(&flt, &f, &a), "/a.h passed --path *.c");
	a.open.path = "/a.c";
	a.type = LOG_EV_EXIT;
	CHECK(!log_filter_match(&flt, &f, &a), "an exit passed --type exec,open");
	log_filter_free(&flt);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "since_decimal_is_exact_to_the_ns", since_decimal_is_exact_to_the_ns },
	{ "rfc3339_goes_through_the_header_clocks", rfc3339_goes_through_the_header_clocks },
	{ "huge_header_wall_clock_is_safe", huge_header_wall_clock_is_safe },
	{ "bad_times_are_refused", bad_times_are_refused },
	{ "glob_without_slash_matches_the_basename", glob_without_slash_matches_the_basename },
	{ "file_op_second_path_and_unix_socket_count", file_op_second_path_and_unix_socket_count },
	{ "every_filter_must_pass", every_filter_must_pass },
};

TEST_MAIN("log_filter", tests)
