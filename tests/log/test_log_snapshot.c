// SPDX-License-Identifier: MIT
/* Processes found running at attach (proc-snapshot events) in `kettle log tree` and `show`. */
#include "kettle_test.h"
#include "log/log_writer.h"
#include "testlib.h"

static const char *const root_cmd[] = { "make", "-j2" };
static const char *const cc_argv[] = { "cc", "-c", "a.c" };

/* Root 500 (make), its child 501 (cc) found running, and 502 whose /proc was gone. */
static int write_snapshot_log(const char *path)
{
	struct log_header h = { .kettle_version = "t", .start_boot_ns = 1000, .root_pid = 500,
				.command = root_cmd, .ncommand = 2, .cwd = "/src" };
	struct log_event e = { .type = LOG_EV_PROC_SNAPSHOT, .ts_ns = 2000, .tgid = 500, .tid = 500 };
	struct log_trailer t = { .end_boot_ns = 9000 };
	char err[256];
	struct log_writer *w = log_writer_open(path, &h, err, sizeof(err));

	CHECK(w, "open: %s", err);
	e.proc_snapshot = (typeof(e.proc_snapshot)){ .ppid = 1, .exe = "/usr/bin/make", .cwd = "/src",
		.argc = 2, .nargv = 2, .argv = root_cmd, .start_boot_ns = 500 };
	CHECK(log_write_event(w, &e) == 0, "snapshot 500");
	e.tgid = e.tid = 501;
	e.proc_snapshot = (typeof(e.proc_snapshot)){ .ppid = 500, .exe = "/usr/bin/cc", .cwd = "/src",
		.argc = 3, .nargv = 3, .argv = cc_argv, .start_boot_ns = 800 };
	CHECK(log_write_event(w, &e) == 0, "snapshot 501");
	e.tgid = e.tid = 502;
	e.proc_snapshot = (typeof(e.proc_snapshot)){ .ppid = 500,
		.flags = LOG_SNAP_NO_EXE | LOG_SNAP_NO_CWD | LOG_SNAP_NO_ARGV | LOG_SNAP_GONE };
	CHECK(log_write_event(w, &e) == 0, "snapshot 502");
	e = (struct log_event){ .type = LOG_EV_PROC_SNAPSHOT, .ts_ns = 2100, .tgid = 503, .tid = 503 };
	e.proc_snapshot.flags = 0x40;   /* not a LOG_SNAP_* bit */
	CHECK(log_write_event(w, &e) == -EINVAL, "unknown flag refused");
	CHECK(log_write_trailer(w, &t) == 0 && log_writer_close(w) == 0, "close");
	return TEST_PASS;
}

static int run_capture(const char *args, const char *log, char *out, size_t outlen)
{
	char kettle[512], cmd[1024];
	FILE *p;
	size_t n;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(cmd, sizeof(cmd), "'%s' log %s '%s'", kettle, args, log);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static int test_tree_places_snapshots(void)
{
	char dir[256], log[300], out[8192];

	test_workdir("snapshot-tree", dir, log);
	if (write_snapshot_log(log))
		return TEST_FAIL;
	CHECK(run_capture("tree", log, out, sizeof(out)) == 0, "kettle log tree");
	CHECK(strstr(out, "500 make -j2") && strstr(out, "\n  501 cc -c a.c") && strstr(out, "\n  502 '?'"),
	      "tree:\n%s", out);
	return TEST_PASS;
}

static int test_show_prints_snapshots(void)
{
	char dir[256], log[300], out[8192];

	test_workdir("snapshot-show", dir, log);
	if (write_snapshot_log(log))
		return TEST_FAIL;
	CHECK(run_capture("show", log, out, sizeof(out)) == 0, "kettle log show");
	CHECK(strstr(out, "[501/501] proc_snapshot ppid 500 /usr/bin/cc [cc -c a.c] in /src"), "show:\n%s", out);
	CHECK(strstr(out, "[502/502] proc_snapshot ppid 500 ? [] (flags 0x27)"), "show:\n%s", out);
	CHECK(run_capture("show --json", log, out, sizeof(out)) == 0, "kettle log show --json");
	CHECK(strstr(out, "\"type\":\"proc_snapshot\"") && strstr(out, "\"start_boot_ns\":800"),
	      "json:\n%s", out);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "tree_places_snapshots", test_tree_places_snapshots },
	{ "show_prints_snapshots", test_show_prints_snapshots },
};

TEST_MAIN("log_snapshot", tests)
