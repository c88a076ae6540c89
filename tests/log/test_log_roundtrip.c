// SPDX-License-Identifier: MIT
/* Log writer -> reader round trips: every field of every record comes back exactly. */
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>

#include "log/log_format.h"      /* LOG_NEEDED_MAX */
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "testlib.h"

static char tmp_path[256];
static size_t table_budget;     /* nonzero: the writer forgets its tables past this many bytes */

static const char *temp_log(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/kettle-rt-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return NULL;
	close(fd);
	return tmp_path;
}

static const char *const command[] = { "make", "-j8", "all" };
static const struct log_option options[] = { { "output", "build.log" }, { "scope", "tree" } };

static struct log_header test_header(void)
{
	return (struct log_header){
		.kettle_version = "0.1.0-test", .host = "builder", .kernel_release = "6.1.0-test",
		.boot_id = "0b1d2c3e-4f50-6172-8394-a5b6c7d8e9f0",
		.start_wall_ns = 1700000000123456789ull, .start_boot_ns = 5000000000ull,
		.root_pid = 1000, .command = command, .ncommand = 3, .cwd = "/src/project",
		.options = options, .noptions = 2,
	};
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

#define SAME(field) CHECK(a->field == b->field, "event %zu: %s differs", i, #field)
#define SAME_STR(field) CHECK(str_eq(a->field, b->field), "event %zu: %s differs (%s / %s)", \
			      i, #field, a->field ? a->field : "NULL", b->field ? b->field : "NULL")

static int compare_exec(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME_STR(exec.exe);
	SAME(exec.exe_flags);
	SAME_STR(exec.filename);
	SAME_STR(exec.cwd);
	SAME(exec.cwd_flags);
	SAME(exec.ppid);
	SAME(exec.argc);
	SAME(exec.nargv);
	SAME(exec.argv_truncated);
	for (uint32_t k = 0; k < a->exec.nargv; k++)
		CHECK(str_eq(a->exec.argv[k], b->exec.argv[k]), "event %zu: argv[%u]", i, k);
	return TEST_PASS;
}

static int compare_open(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME_STR(open.path);
	SAME(open.path_flags);
	SAME_STR(open.passed);
	SAME(open.result);
	SAME(open.call);
	SAME(open.flags);
	SAME(open.mode);
	SAME(open.dev);
	SAME(open.ino);
	SAME(open.size);
	SAME(open.mtime_ns);
	SAME(open.ctime_ns);
	return TEST_PASS;
}

static int compare_snapshot(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME(proc_snapshot.ppid);
	SAME_STR(proc_snapshot.exe);
	SAME(proc_snapshot.exe_flags);
	SAME_STR(proc_snapshot.cwd);
	SAME(proc_snapshot.cwd_flags);
	SAME(proc_snapshot.argc);
	SAME(proc_snapshot.nargv);
	SAME(proc_snapshot.argv_truncated);
	SAME(proc_snapshot.start_boot_ns);
	SAME(proc_snapshot.flags);
	for (uint32_t k = 0; k < a->proc_snapshot.nargv; k++)
		CHECK(str_eq(a->proc_snapshot.argv[k], b->proc_snapshot.argv[k]), "event %zu: argv[%u]", i, k);
	return TEST_PASS;
}

static int compare_net(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME(net.call);
	SAME(net.result);
	SAME(net.fd);
	SAME(net.family);
	SAME(net.sock_type);
	SAME(net.protocol);
	SAME(net.flags);
	SAME(net.addr_source);
	SAME(net.port);
	CHECK(!memcmp(a->net.addr, b->net.addr, 16), "event %zu: address differs", i);
	SAME_STR(net.unix_path);
	SAME(net.dns);
	SAME(net.ndns_names);
	for (uint32_t k = 0; k < a->net.ndns_names; k++)
		CHECK(str_eq(a->net.dns_names[k], b->net.dns_names[k]), "event %zu: dns name %u", i, k);
	return TEST_PASS;
}

static int compare_file_op(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME(file_op.call);
	SAME(file_op.result);
	SAME_STR(file_op.path);
	SAME(file_op.path_flags);
	SAME_STR(file_op.path2);
	SAME(file_op.path2_flags);
	SAME_STR(file_op.target);
	SAME(file_op.flags);
	SAME(file_op.mode);
	SAME(file_op.length);
	return TEST_PASS;
}

static int compare_event(size_t i, const struct log_event *a, const struct log_event *b)
{
	SAME(type);
	SAME(ts_ns);
	SAME(tgid);
	SAME(tid);
	SAME(uid);
	SAME(gid);
	SAME(cgroup_id);
	SAME(mntns);
	switch (a->type) {
	case LOG_EV_FORK:
		SAME(fork.child_tgid);
		return TEST_PASS;
	case LOG_EV_EXEC:
		return compare_exec(i, a, b);
	case LOG_EV_EXEC_FAILED:
		SAME(exec_failed.err);
		SAME_STR(exec_failed.filename);
		SAME_STR(exec_failed.path);
		SAME(exec_failed.path_flags);
		SAME(exec_failed.ppid);
		return TEST_PASS;
	case LOG_EV_EXIT:
		SAME(exit.status);
		return TEST_PASS;
	case LOG_EV_OPEN:
		return compare_open(i, a, b);
	case LOG_EV_PROC_SNAPSHOT:
		return compare_snapshot(i, a, b);
	case LOG_EV_NET:
		return compare_net(i, a, b);
	case LOG_EV_FILE_OP:
		return compare_file_op(i, a, b);
	default:
		CHECK(0, "event %zu: bad type %d", i, a->type);
	}
	return TEST_PASS;
}

static int compare_header(const struct log_header *a, const struct log_header *b)
{
	CHECK(b->format_version == LOG_FORMAT_VERSION, "version %u", b->format_version);
	CHECK(str_eq(a->kettle_version, b->kettle_version), "kettle_version");
	CHECK(str_eq(a->host, b->host), "host");
	CHECK(str_eq(a->kernel_release, b->kernel_release), "kernel_release");
	CHECK(str_eq(a->boot_id, b->boot_id), "boot_id");
	CHECK(a->start_wall_ns == b->start_wall_ns, "start_wall_ns");
	CHECK(a->start_boot_ns == b->start_boot_ns, "start_boot_ns");
	CHECK(a->root_pid == b->root_pid, "root_pid");
	CHECK(a->ncommand == b->ncommand, "ncommand");
	for (uint32_t i = 0; i < a->ncommand; i++)
		CHECK(str_eq(a->command[i], b->command[i]), "command[%u]", i);
	CHECK(str_eq(a->cwd, b->cwd), "cwd");
	CHECK(a->noptions == b->noptions, "noptions");
	for (uint32_t i = 0; i < a->noptions; i++)
		CHECK(str_eq(a->options[i].key, b->options[i].key) &&
		      str_eq(a->options[i].value, b->options[i].value), "option %u", i);
	return TEST_PASS;
}

static int compare_losses(const struct log_losses *a, const struct log_losses *b)
{
	CHECK(!memcmp(a, b, sizeof(*a)), "losses differ");
	return TEST_PASS;
}

/* ---- a varied event list ---- */

#define NARGV 300
static char argv_store[NARGV][32];
static const char *argv_ptrs[NARGV];

static struct log_event base_event(enum log_event_type type, uint64_t ts, uint32_t tgid)
{
	return (struct log_event){ .type = type, .ts_ns = ts, .tgid = tgid, .tid = tgid,
				   .uid = 1000, .gid = 1000, .cgroup_id = 0x1234567890ull,
				   .mntns = 4026531841u };
}

static size_t make_events(struct log_event *ev)
{
	size_t n = 0;
	struct log_event e;

	for (int i = 0; i < NARGV; i++) {
		snprintf(argv_store[i], sizeof(argv_store[i]), i % 7 ? "-Iinclude/%d" : "-DX=%d", i % 50);
		argv_ptrs[i] = argv_store[i];
	}
	e = base_event(LOG_EV_FORK, 5000001000ull, 1000);
	e.fork.child_tgid = 1001;
	ev[n++] = e;
	e = base_event(LOG_EV_EXEC, 5000002000ull, 1001);
	e.exec = (typeof(e.exec)){ .exe = "/usr/bin/gcc-12", .exe_flags = 0, .filename = "gcc",
				   .cwd = "/src/project", .cwd_flags = 0, .ppid = 1000, .argc = 400,
				   .nargv = NARGV, .argv = argv_ptrs, .argv_truncated = true };
	ev[n++] = e;
	e = base_event(LOG_EV_EXEC, 5000002500ull, 1001);
	e.exec = (typeof(e.exec)){ .exe = "usr/lib/cc1", .exe_flags = LOG_PATH_TRUNCATED,
				   .filename = NULL, .cwd = "", .cwd_flags = LOG_PATH_UNREACHABLE,
				   .ppid = 1000, .argc = 0, .nargv = 0, .argv = NULL };
	ev[n++] = e;
	e = base_event(LOG_EV_OPEN, 5000003000ull, 1001);
	e.open = (typeof(e.open)){ .path = "/usr/include/stdio.h", .passed = NULL, .result = 3,
				   .call = 2, .flags = 02000000, .dev = 0x803, .ino = UINT64_MAX,
				   .size = 31337, .mtime_ns = 1600000000000000001ll,
				   .ctime_ns = -5 };
	ev[n++] = e;
	e = base_event(LOG_EV_OPEN, 5000003100ull, 1001);
	e.tid = 1005;           /* a thread */
	e.open = (typeof(e.open)){ .path = "/src/project/include/missing.h",
				   .passed = "include/missing.h", .result = -2, .call = 2,
				   .flags = 0, .path_flags = 0 };
	ev[n++] = e;
	e = base_event(LOG_EV_OPEN, 5000003050ull, 1001);    /* time going backwards */
	e.open = (typeof(e.open)){ .path = "/tmp/\xff\xfe-not-utf8", .result = 4, .call = 4,
				   .flags = 01101, .mode = 0644 };
	ev[n++] = e;
	e = base_event(LOG_EV_OPEN, 5000003200ull, 1001);
	e.uid = 0;              /* uid changes mid-run */
	e.open = (typeof(e.open)){ .path = "", .path_flags = LOG_PATH_UNREACHABLE, .result = -13,
				   .call = 3, .flags = UINT64_MAX };
	ev[n++] = e;
	e = base_event(LOG_EV_EXEC_FAILED, 5000004000ull, 999);
	e.exec_failed = (typeof(e.exec_failed)){ .err = 2, .filename = "nosuchtool",
						 .path = "/usr/bin/nosuchtool", .ppid = 1000 };
	ev[n++] = e;
	e = base_event(LOG_EV_EXIT, 5000005000ull, 1001);
	e.tid = 1001 - 3;       /* tid below tgid: pid wrap */
	e.exit.status = 15;     /* killed by SIGTERM */
	ev[n++] = e;
	e = base_event(LOG_EV_PROC_SNAPSHOT, 5000004100ull, 4242);
	e.proc_snapshot = (typeof(e.proc_snapshot)){ .ppid = 1, .exe = "/usr/bin/make",
		.cwd = "/src/project", .argc = 3, .nargv = 3, .argv = command,
		.start_boot_ns = 4000000000ull };
	ev[n++] = e;
	e = base_event(LOG_EV_PROC_SNAPSHOT, 5000004200ull, 4243);
	e.uid = 0;
	e.proc_snapshot = (typeof(e.proc_snapshot)){ .ppid = 4242, .exe = NULL, .cwd = NULL,
		.argc = 400, .nargv = NARGV, .argv = argv_ptrs, .argv_truncated = true,
		.start_boot_ns = UINT64_MAX,
		.flags = LOG_SNAP_NO_EXE | LOG_SNAP_NO_CWD | LOG_SNAP_GONE };
	ev[n++] = e;
	e = base_event(LOG_EV_NET, 5000004300ull, 1001);
	e.net = (typeof(e.net)){ .call = 2, .result = -115, .fd = 3, .family = 2, .sock_type = 1,
		.flags = 0, .addr_source = 1, .port = 443, .addr = { 192, 0, 2, 1 } };
	ev[n++] = e;
	static const char *const names[] = { "example.com", "a.b.c" };
	e = base_event(LOG_EV_NET, 5000004400ull, 1001);
	e.tid = 1002;
	e.net = (typeof(e.net)){ .call = 8, .result = 29, .fd = 4, .family = 10, .sock_type = 2,
		.protocol = 17, .flags = 0x40, .addr_source = 2, .port = 53,
		.addr = { [15] = 1 }, .dns = LOG_DNS_NAMES, .ndns_names = 2, .dns_names = names };
	ev[n++] = e;
	e = base_event(LOG_EV_NET, 5000004500ull, 1001);
	e.net = (typeof(e.net)){ .call = 2, .result = 0, .fd = 5, .family = 1, .sock_type = 1,
		.addr_source = 1, .unix_path = "@kettle-abstract" };
	ev[n++] = e;
	e = base_event(LOG_EV_NET, 5000004600ull, 1001);
	e.net = (typeof(e.net)){ .call = 1, .result = 6, .fd = -1, .family = 2, .sock_type = 2,
		.flags = 02000000, .dns = LOG_DNS_UNDECODABLE };
	ev[n++] = e;
	e = base_event(LOG_EV_FILE_OP, 5000004700ull, 1001);
	e.file_op = (typeof(e.file_op)){ .call = 3, .result = 0, .path = "/src/out/a.o.tmp",
		.path2 = "/src/out/a.o", .flags = 1 };
	ev[n++] = e;
	e = base_event(LOG_EV_FILE_OP, 5000004800ull, 1001);
	e.file_op = (typeof(e.file_op)){ .call = 12, .result = -17, .path = "out/link",
		.path_flags = LOG_PATH_TRUNCATED, .target = "../\xff target", .mode = 0,
		.length = INT64_MIN };
	ev[n++] = e;
	e = base_event(LOG_EV_FILE_OP, 5000004900ull, 1001);
	e.file_op = (typeof(e.file_op)){ .call = 14, .result = 0, .path = "/src/out/big",
		.length = INT64_MAX, .mode = 0755, .flags = UINT64_MAX, .path2 = NULL };
	ev[n++] = e;
	e = base_event(LOG_EV_EXIT, 0, UINT32_MAX);   /* extremes */
	e.exit.status = 1 << 8;
	e.cgroup_id = UINT64_MAX;
	ev[n++] = e;
	e = base_event(LOG_EV_EXIT, UINT64_MAX, 0);
	e.exit.status = INT32_MIN;
	ev[n++] = e;
	return n;
}

static struct log_trailer test_trailer(void)
{
	struct log_trailer t = { .end_wall_ns = 1700000009000000000ull, .end_boot_ns = 14000000000ull,
				 .exit_status = 2 << 8, .kettle_exit = 2 };

	t.losses.ringbuf_drops[LOG_EV_OPEN] = 7;
	t.losses.ringbuf_drops[LOG_EV_EXEC] = 1;
	t.losses.ringbuf_drops[LOG_EV_NET] = 2;
	t.losses.ringbuf_drops[LOG_EV_FILE_OP] = 3;
	t.losses.path_truncations = 3;
	t.losses.argv_truncations = 1;
	t.losses.string_truncations = 2;
	t.losses.pending_full = 4;
	t.losses.tracked_full = 5;
	return t;
}

static int write_log(const char *path, const struct log_event *ev, size_t n, size_t cp_at,
		     const struct log_losses *cp_losses, const struct log_trailer *t)
{
	struct log_header h = test_header();
	char err[256];
	struct log_writer *w = log_writer_open(path, &h, err, sizeof(err));

	CHECK(w, "open: %s", err);
	if (table_budget)
		log_writer_test_table_budget(w, table_budget);
	for (size_t i = 0; i < n; i++) {
		if (i == cp_at)
			CHECK(log_write_checkpoint(w, 5000003333ull, cp_losses) == 0, "checkpoint");
		CHECK(log_write_event(w, &ev[i]) == 0, "event %zu", i);
	}
	CHECK(log_writer_events(w) == n, "events %" PRIu64, log_writer_events(w));
	if (t)
		CHECK(log_write_trailer(w, t) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	return TEST_PASS;
}

static int test_every_field(void)
{
	struct log_event ev[32];
	size_t n = make_events(ev);
	struct log_losses cpl = { .ringbuf_drops = { 0, 1, 2, 3, 4, 5, 10, 11, 12 }, .path_truncations = 6,
				  .argv_truncations = 7, .string_truncations = 8,
				  .pending_full = 9, .tracked_full = UINT64_MAX };
	struct log_trailer t = test_trailer();
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_file f;
	char err[256];
	int r;

	CHECK(path, "mkstemp");
	if (write_log(path, ev, n, 5, &cpl, &t))
		return TEST_FAIL;
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.has_header && f.has_trailer && !f.truncated, "complete log");
	CHECK(f.valid_bytes == f.file_bytes, "valid %" PRIu64 " of %" PRIu64, f.valid_bytes,
	      f.file_bytes);
	if (compare_header(&h, &f.header))
		return TEST_FAIL;
	CHECK(f.nevents == n, "%zu events, wrote %zu", f.nevents, n);
	for (size_t i = 0; i < n; i++)
		if (compare_event(i, &ev[i], &f.events[i]))
			return TEST_FAIL;
	CHECK(f.ncheckpoints == 1 && f.checkpoints[0].events == 5, "checkpoint");
	CHECK(f.checkpoints[0].boot_ns == 5000003333ull, "checkpoint time");
	if (compare_losses(&cpl, &f.checkpoints[0].losses))
		return TEST_FAIL;
	CHECK(f.trailer.end_wall_ns == t.end_wall_ns && f.trailer.end_boot_ns == t.end_boot_ns &&
	      f.trailer.exit_status == t.exit_status && f.trailer.kettle_exit == t.kettle_exit,
	      "trailer");
	CHECK(f.trailer.events_by_type[LOG_EV_OPEN] == 4 && f.trailer.events_by_type[LOG_EV_EXIT] == 3 &&
	      f.trailer.events_by_type[LOG_EV_PROC_SNAPSHOT] == 2 &&
	      f.trailer.events_by_type[LOG_EV_NET] == 4 && f.trailer.events_by_type[LOG_EV_FILE_OP] == 3,
	      "events by type");
	if (compare_losses(&t.losses, &f.trailer.losses))
		return TEST_FAIL;
	log_file_free(&f);
	return TEST_PASS;
}

static int test_no_trailer_is_truncated(void)
{
	struct log_event ev[32];
	size_t n = make_events(ev);
	const char *path = temp_log();
	struct log_file f;
	char err[256];
	int r;

	CHECK(path, "mkstemp");
	if (write_log(path, ev, n, SIZE_MAX, NULL, NULL))
		return TEST_FAIL;
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.truncated && !f.has_trailer && f.nevents == n, "truncated, all events");
	CHECK(f.valid_bytes == f.file_bytes, "ends on a record boundary");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_header_only(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_file f;
	char err[256];
	struct log_writer *w;
	int r;

	CHECK(path, "mkstemp");
	h.options = NULL;
	h.noptions = 0;
	h.host = NULL;
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	CHECK(log_writer_bytes(w) > 0, "header written");
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	if (compare_header(&h, &f.header))
		return TEST_FAIL;
	CHECK(f.nevents == 0 && f.truncated, "no events, no trailer");
	log_file_free(&f);
	return TEST_PASS;
}

/* The writer keeps options as given; a hand-made log may repeat a key, and its last value counts. */
static int test_header_option_last_value_wins(void)
{
	static const struct log_option opts[] = {
		{ "complete", "true" }, { "scope", "tree" }, { NULL, "keyless" },
		{ "complete", "false" }, { "net.traced", "true" }, { "net.traced", NULL },
	};
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_file f;
	char err[256];
	struct log_writer *w;
	const char *v;
	int r;

	CHECK(path, "mkstemp");
	h.options = opts;
	h.noptions = sizeof(opts) / sizeof(opts[0]);
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.header.noptions == h.noptions, "%u options read, %u written", f.header.noptions, h.noptions);
	v = log_header_option(&f.header, "complete");
	CHECK(v && !strcmp(v, "false"), "complete: %s", v ? v : "NULL");
	v = log_header_option(&f.header, "scope");
	CHECK(v && !strcmp(v, "tree"), "scope: %s", v ? v : "NULL");
	CHECK(!log_header_option(&f.header, "net.traced"), "a last value of null counts as null");
	CHECK(!log_header_option(&f.header, "start"), "absent");
	CHECK(!log_header_option(&f.header, ""), "a null key matches no key");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_writer_refuses_bad_input(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_event e = base_event(LOG_EV_OPEN, 1, 1);
	char err[256];
	struct log_writer *w;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	e.type = (enum log_event_type)42;
	CHECK(log_write_event(w, &e) == -EINVAL, "unknown type");
	e.type = LOG_EV_OPEN;
	e.open.path = NULL;
	CHECK(log_write_event(w, &e) == -EINVAL, "open without a path");
	CHECK(log_writer_events(w) == 0, "nothing counted");
	CHECK(log_writer_close(w) == 0, "close");
	unlink(path);
	CHECK(!log_writer_open("/nonexistent-dir/x.log", &h, err, sizeof(err)), "bad path");
	CHECK(strstr(err, "nonexistent"), "error names the path: %s", err);
	return TEST_PASS;
}

static int test_long_and_deep_strings(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	size_t big = 200 * 1024;
	char *deep = malloc(4001), *word = malloc(big + 1), *huge = malloc(300 * 1024 + 1);
	const char *argv[2];
	struct log_event ev[2];
	struct log_file f;
	char err[256];
	struct log_writer *w;
	int r;

	CHECK(path && deep && word && huge, "setup");
	for (int i = 0; i < 4000; i++)
		deep[i] = i % 2 ? 'a' : '/';    /* 2000 directory levels */
	deep[4000] = '\0';
	memset(word, 'w', big);
	word[big] = '\0';
	memset(huge, 'h', 300 * 1024);
	huge[300 * 1024] = '\0';
	argv[0] = word;
	argv[1] = deep;
	ev[0] = base_event(LOG_EV_OPEN, 10, 10);
	ev[0].open = (typeof(ev[0].open)){ .path = deep, .passed = deep + 2000, .result = 5 };
	ev[1] = base_event(LOG_EV_EXEC, 20, 10);
	ev[1].exec = (typeof(ev[1].exec)){ .exe = deep, .argc = 2, .nargv = 2, .argv = argv };
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	CHECK(log_write_event(w, &ev[0]) == 0 && log_write_event(w, &ev[1]) == 0, "write");
	argv[0] = huge;
	CHECK(log_write_event(w, &ev[1]) == -E2BIG, "a string over the limit is refused");
	argv[0] = word;
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.nevents == 2, "%zu events", f.nevents);
	for (size_t i = 0; i < 2; i++)
		if (compare_event(i, &ev[i], &f.events[i]))
			return TEST_FAIL;
	log_file_free(&f);
	free(deep);
	free(word);
	free(huge);
	return TEST_PASS;
}

/* Kbuild-style "sh -c" commands: 3 KiB each, differing in the file names only. */
static int test_similar_long_words(void)
{
	enum { NCMD = 40 };
	static char cmds[NCMD][4096];
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_event ev[NCMD];
	const char *argv[NCMD][3];
	struct log_file f;
	char err[256];
	struct log_writer *w;
	uint64_t bytes;
	int r;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	for (int i = 0; i < NCMD; i++) {
		int n = snprintf(cmds[i], sizeof(cmds[i]), "set -e; echo '  CC      fs/ext4/unit%d.o'; ", i);

		while (n < 3000)
			n += snprintf(cmds[i] + n, sizeof(cmds[i]) - (size_t)n,
				      "gcc -Wp,-MMD,fs/ext4/.unit%d.o.d -nostdinc -I./include "
				      "-I./arch/x86/include -D__KERNEL__ -fno-strict-aliasing; ", i);
		argv[i][0] = "/bin/sh";
		argv[i][1] = "-c";
		argv[i][2] = cmds[i];
		ev[i] = base_event(LOG_EV_EXEC, 100 + (uint64_t)i, 2000 + (uint32_t)i);
		ev[i].exec = (typeof(ev[i].exec)){ .exe = "/usr/bin/dash", .filename = "/bin/sh",
						   .cwd = "/src/linux", .ppid = 1000, .argc = 3,
						   .nargv = 3, .argv = argv[i] };
		CHECK(log_write_event(w, &ev[i]) == 0, "exec %d", i);
	}
	bytes = log_writer_bytes(w);
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.nevents == NCMD, "%zu events", f.nevents);
	for (size_t i = 0; i < NCMD; i++)
		if (compare_event(i, &ev[i], &f.events[i]))
			return TEST_FAIL;
	log_file_free(&f);
	printf("# %d commands of ~3000 bytes: %" PRIu64 " log bytes\n", NCMD, bytes);
	CHECK(bytes < 3000 + NCMD * 300, "long words are diffed: %" PRIu64 " bytes", bytes);
	return TEST_PASS;
}

/* ---- digests and exec identities ---- */

static int compare_digest(size_t i, const struct log_digest *a, const struct log_digest *b)
{
	SAME(kind);
	SAME_STR(path);
	SAME(boot_ns);
	SAME(result);
	SAME(flags);
	CHECK(a->result != 0 || !memcmp(a->sha256, b->sha256, 32), "digest %zu: sha256 differs", i);
	SAME(dev);
	SAME(ino);
	SAME(size);
	SAME(mtime_ns);
	SAME(ctime_ns);
	return TEST_PASS;
}

static int compare_exec_ident(size_t i, const struct log_exec_ident *a,
			      const struct log_exec_ident *b)
{
	SAME_STR(path);
	SAME(result);
	SAME(kind);
	SAME(elf_class);
	SAME(elf_machine);
	SAME_STR(build_id);
	SAME_STR(interp);
	SAME_STR(soname);
	SAME_STR(runpath);
	SAME(nneeded);
	for (uint32_t k = 0; k < a->nneeded; k++)
		CHECK(str_eq(a->needed[k], b->needed[k]), "ident %zu: needed[%u]", i, k);
	SAME_STR(script_interp);
	SAME_STR(script_arg);
	return TEST_PASS;
}

static struct log_digest digest_of(enum log_digest_kind kind, const char *path, uint64_t boot_ns,
				   int32_t result, uint32_t flags, uint8_t fill)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = boot_ns, .result = result,
				.flags = flags };

	if (result == 0)
		memset(d.sha256, fill, sizeof(d.sha256));
	d.sha256[31] ^= fill;
	return d;
}

/* Every shape of the digest record: no identity, an open site's, its own; every outcome and flag. */
static size_t make_digests(struct log_digest *d, const struct log_event *ev)
{
	const struct log_event *stdio = &ev[3];     /* the open of /usr/include/stdio.h */
	size_t n = 0;

	d[n] = digest_of(LOG_DIGEST_INPUT, stdio->open.path, 5000003010ull, 0, 0, 0xa5);
	d[n].dev = stdio->open.dev;             /* unchanged: the site's identity */
	d[n].ino = stdio->open.ino;
	d[n].size = stdio->open.size;
	d[n].mtime_ns = stdio->open.mtime_ns;
	d[n++].ctime_ns = stdio->open.ctime_ns;
	d[n] = d[n - 1];                        /* changed since the open: its own identity */
	d[n].flags = LOG_DIGEST_CHANGED;
	d[n].size = 31338;
	d[n].sha256[0] = 0x5a;
	d[n++].boot_ns = 1;                     /* before the previous event */
	d[n++] = digest_of(LOG_DIGEST_INPUT, "/src/project/include/missing.h", UINT64_MAX, -2, 0, 0);
	d[n] = digest_of(LOG_DIGEST_EXEC, "/usr/bin/gcc-12", 5000002600ull, 0, 0, 0x11);
	d[n].dev = 0x803;
	d[n++].ino = 12;
	d[n] = digest_of(LOG_DIGEST_OUTPUT, "/src/project/out.o", 14000000000ull, 0,
			 LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING, 0xff);
	d[n].dev = UINT64_MAX;
	d[n].ino = 1;
	d[n].size = INT64_MIN;
	d[n].mtime_ns = INT64_MAX;
	d[n++].ctime_ns = -1;
	d[n++] = digest_of(LOG_DIGEST_OUTPUT, "/tmp/\xff\xfe-not-utf8", 0, INT32_MIN,
			   LOG_DIGEST_CHANGED_DURING | 0x80000000u, 0);
	d[n] = digest_of(LOG_DIGEST_INPUT, "", 5000003300ull, -13, 0, 0);
	d[n++].size = 7;                        /* an identity, and no digest */
	return n;
}

#define NNEEDED 200
static char needed_store[NNEEDED][24];
static const char *needed_ptrs[NNEEDED];

static size_t make_exec_idents(struct log_exec_ident *x)
{
	static const char *const two[] = { "libc.so.6", "" };
	size_t n = 0;

	for (int i = 0; i < NNEEDED; i++) {
		snprintf(needed_store[i], sizeof(needed_store[i]), "libdep%d.so.%d", i, i % 3);
		needed_ptrs[i] = needed_store[i];
	}
	x[n++] = (struct log_exec_ident){ .path = "/usr/bin/gcc-12", .kind = LOG_FILE_ELF_DYN,
		.elf_class = 64, .elf_machine = 62,
		.build_id = "0123456789abcdef0123456789abcdef01234567",
		.interp = "/lib64/ld-linux-x86-64.so.2", .soname = "gcc.so", .runpath = "$ORIGIN/../lib:/opt/x",
		.needed = needed_ptrs, .nneeded = NNEEDED, .script_interp = "/x", .script_arg = "-y" };
	x[n++] = (struct log_exec_ident){ .path = "/usr/lib/cc1", .kind = LOG_FILE_ELF_EXEC,
		.elf_class = 32, .elf_machine = UINT32_MAX, .needed = two, .nneeded = 2 };
	x[n++] = (struct log_exec_ident){ .path = "/src/project/build.sh", .kind = LOG_FILE_SCRIPT,
		.script_interp = "/usr/bin/env", .script_arg = "bash -e" };
	x[n++] = (struct log_exec_ident){ .path = "/src/project/run", .kind = LOG_FILE_SCRIPT,
		.script_interp = "/bin/sh" };
	x[n++] = (struct log_exec_ident){ .path = "/gone", .result = -2 };
	x[n++] = (struct log_exec_ident){ .path = "/bad", .result = INT32_MIN, .kind = LOG_FILE_ELF_CORE,
		.build_id = "", .needed = needed_ptrs, .nneeded = 0 };
	x[n++] = (struct log_exec_ident){ .path = "/odd", .kind = LOG_FILE_OTHER, .script_arg = "" };
	x[n++] = (struct log_exec_ident){ .path = "/usr/bin/pie", .kind = LOG_FILE_ELF_PIE,
		.elf_class = 64, .elf_machine = 62, .interp = "/lib/ld.so" };
	x[n++] = (struct log_exec_ident){ .path = "/usr/lib/libfoo.so.1", .kind = LOG_FILE_ELF_DYN,
		.elf_class = 64, .elf_machine = 183, .soname = "libfoo.so.1" };
	return n;
}

static struct log_hash_stats test_hash_stats(void)
{
	return (struct log_hash_stats){ .queued = 12, .hashed = 9, .failed = 2, .changed = 3,
					.queue_full = UINT64_MAX };
}

/* Events with digests and identities in between, as the collector interleaves them. */
static int write_hashed_log(const char *path, const struct log_event *ev, size_t nev,
			    const struct log_digest *d, size_t nd,
			    const struct log_exec_ident *x, size_t nx, const struct log_trailer *t)
{
	struct log_header h = test_header();
	char err[256];
	struct log_writer *w = log_writer_open(path, &h, err, sizeof(err));
	size_t id = 0, ix = 0;

	CHECK(w, "open: %s", err);
	if (table_budget)
		log_writer_test_table_budget(w, table_budget);
	CHECK(log_write_digest(w, &d[nd - 1]) == 0, "digest before any event");
	for (size_t i = 0; i < nev; i++) {
		CHECK(log_write_event(w, &ev[i]) == 0, "event %zu", i);
		if (i == 5)
			CHECK(log_write_checkpoint(w, 5000003333ull, NULL) == 0, "checkpoint");
		if (i >= 3 && id < nd - 1)
			CHECK(log_write_digest(w, &d[id++]) == 0, "digest %zu", id);
		if (i >= 1 && ix < nx)
			CHECK(log_write_exec_ident(w, &x[ix++]) == 0, "exec ident %zu", ix);
	}
	while (id < nd - 1)
		CHECK(log_write_digest(w, &d[id++]) == 0, "digest %zu", id);
	while (ix < nx)
		CHECK(log_write_exec_ident(w, &x[ix++]) == 0, "exec ident %zu", ix);
	CHECK(log_writer_events(w) == nev, "digests and identities are not events");
	CHECK(log_write_trailer(w, t) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	return TEST_PASS;
}

static int test_digests_and_exec_idents(void)
{
	struct log_event ev[32];
	struct log_digest d[16], want[16];
	struct log_exec_ident x[16];
	size_t nev = make_events(ev), nd = make_digests(d, ev), nx = make_exec_idents(x);
	struct log_trailer t = test_trailer();
	const char *path = temp_log();
	struct log_file f;
	char err[256];
	int r;

	CHECK(path, "mkstemp");
	t.hash = test_hash_stats();
	if (write_hashed_log(path, ev, nev, d, nd, x, nx, &t))
		return TEST_FAIL;
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.has_trailer && !f.truncated && f.nevents == nev, "complete log");
	for (size_t i = 0; i < nev; i++)
		if (compare_event(i, &ev[i], &f.events[i]))
			return TEST_FAIL;
	/* the log order: the last one was written first */
	want[0] = d[nd - 1];
	memcpy(want + 1, d, (nd - 1) * sizeof(*d));
	CHECK(f.ndigests == nd, "%zu digests, wrote %zu", f.ndigests, nd);
	for (size_t i = 0; i < nd; i++)
		if (compare_digest(i, &want[i], &f.digests[i]))
			return TEST_FAIL;
	CHECK(f.nexec_idents == nx, "%zu exec identities, wrote %zu", f.nexec_idents, nx);
	for (size_t i = 0; i < nx; i++)
		if (compare_exec_ident(i, &x[i], &f.exec_idents[i]))
			return TEST_FAIL;
	CHECK(f.exec_idents[5].nneeded == 0 && f.exec_idents[4].build_id == NULL, "empty fields");
	CHECK(!memcmp(&f.trailer.hash, &t.hash, sizeof(t.hash)), "hash stats");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_hash_records_refused(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_digest d = digest_of(LOG_DIGEST_INPUT, "/a", 1, 0, 0, 1);
	struct log_exec_ident x = { .path = "/a", .nneeded = LOG_NEEDED_MAX + 1,
				    .needed = needed_ptrs };
	const char *null_needed[] = { "libc.so.6", NULL };
	struct log_trailer t = { 0 };
	char err[256];
	struct log_writer *w;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	d.path = NULL;
	CHECK(log_write_digest(w, &d) == -EINVAL, "digest without a path");
	d.path = "/a";
	d.result = 2;
	CHECK(log_write_digest(w, &d) == -EINVAL, "positive result");
	d.result = 0;
	d.kind = (enum log_digest_kind)4;
	CHECK(log_write_digest(w, &d) == -EINVAL, "unknown kind");
	CHECK(log_write_exec_ident(w, &x) == -E2BIG, "needed list over the limit");
	x.nneeded = 2;
	x.needed = null_needed;
	CHECK(log_write_exec_ident(w, &x) == -EINVAL, "NULL needed entry");
	x.nneeded = 0;
	x.result = 1;
	CHECK(log_write_exec_ident(w, &x) == -EINVAL, "positive result");
	x.result = 0;
	x.kind = (enum log_file_kind)(LOG_FILE_KIND_LAST + 1);
	CHECK(log_write_exec_ident(w, &x) == -EINVAL, "unknown file kind");
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	d.kind = LOG_DIGEST_INPUT;
	CHECK(log_write_digest(w, &d) == -EINVAL, "digest after the trailer");
	CHECK(log_writer_close(w) == 0, "close");
	unlink(path);
	return TEST_PASS;
}

/* ---- what the kernel module measured ---- */

/* Records as /dev/kettle gives them: hashed, cached, failed without a path, extreme values. */
static size_t make_kmod_execs(struct log_kmod_exec *k)
{
	size_t n = 0;

	k[n] = (struct log_kmod_exec){ .ts_ns = 5000000100ull, .tgid = 1000, .tid = 1000, .uid = 1000,
				       .gid = 100, .cgroup_id = 4242, .path = "/usr/bin/make",
				       .bytes_hashed = 260000, .dev = 0x801, .ino = 1234, .generation = 77,
				       .size = 260000, .mtime_ns = 1690000000123456789ll,
				       .ctime_ns = 1690000000987654321ll, .i_version = 9,
				       .flags = LOG_KMOD_HAS_IVERSION };
	memset(k[n++].sha256, 0xab, 32);
	k[n] = k[0];
	k[n].ts_ns = 5000000050ull;             /* earlier than the previous one: ordering is not assumed */
	k[n].tgid = k[n].tid = 1001;
	k[n].flags |= LOG_KMOD_CACHE_HIT;
	k[n++].bytes_hashed = 0;
	k[n] = (struct log_kmod_exec){ .ts_ns = 5000000200ull, .tgid = 1002, .tid = 1003,
				       .path = "/bin/sh", .flags = LOG_KMOD_INTERP, .dev = UINT64_MAX,
				       .ino = UINT64_MAX, .generation = UINT32_MAX, .size = INT64_MAX,
				       .mtime_ns = INT64_MIN, .ctime_ns = -1, .i_version = UINT64_MAX,
				       .cgroup_id = UINT64_MAX, .uid = UINT32_MAX, .gid = UINT32_MAX };
	memset(k[n++].sha256, 0x01, 32);
	k[n++] = (struct log_kmod_exec){ .ts_ns = 5000000300ull, .tgid = 1004, .tid = 1004, .result = -4,
					 .flags = LOG_KMOD_PATH_ERROR, .size = 32 << 20 };
	return n;
}

#define SAME_K(field) CHECK(a->field == b->field, "kmod record %zu: %s differs", i, #field)

static int compare_kmod_exec(size_t i, const struct log_kmod_exec *a, const struct log_kmod_exec *b)
{
	SAME_K(ts_ns); SAME_K(tgid); SAME_K(tid); SAME_K(uid); SAME_K(gid); SAME_K(cgroup_id);
	SAME_K(result); SAME_K(flags); SAME_K(bytes_hashed); SAME_K(dev); SAME_K(ino);
	SAME_K(generation); SAME_K(size); SAME_K(mtime_ns); SAME_K(ctime_ns); SAME_K(i_version);
	CHECK(str_eq(a->path, b->path), "kmod record %zu: path differs", i);
	CHECK(!memcmp(a->sha256, b->sha256, 32), "kmod record %zu: sha256 differs", i);
	return TEST_PASS;
}

static int test_kmod_records(void)
{
	struct log_event ev[32];
	struct log_kmod_exec k[8];
	size_t nev = make_events(ev), nk = make_kmod_execs(k), ik = 0;
	const struct log_kmod_stats stats = { .measured = 5, .cache_hits = 1, .hashed_bytes = 260000,
					      .errors = 1, .dropped = 1, .received = 4,
					      .bad_records = UINT64_MAX };
	struct log_trailer t = test_trailer();
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_writer *w;
	struct log_file f;
	char err[256];
	int r;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	for (size_t i = 0; i < nev; i++) {
		CHECK(log_write_event(w, &ev[i]) == 0, "event %zu", i);
		if (i % 2 && ik < nk)
			CHECK(log_write_kmod_exec(w, &k[ik++]) == 0, "kmod record %zu", ik);
	}
	while (ik < nk)
		CHECK(log_write_kmod_exec(w, &k[ik++]) == 0, "kmod record %zu", ik);
	CHECK(log_writer_events(w) == nev, "kmod records are not events");
	CHECK(log_write_kmod_stats(w, &stats) == 0, "stats");
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.header.format_version == LOG_FORMAT_VERSION && f.has_trailer && !f.truncated && f.nevents == nev, "complete log");
	for (size_t i = 0; i < nev; i++)
		if (compare_event(i, &ev[i], &f.events[i]))
			return TEST_FAIL;
	CHECK(f.nkmod_execs == nk, "%zu kmod records, wrote %zu", f.nkmod_execs, nk);
	for (size_t i = 0; i < nk; i++)
		if (compare_kmod_exec(i, &k[i], &f.kmod_execs[i]))
			return TEST_FAIL;
	CHECK(f.has_kmod_stats && !memcmp(&f.kmod_stats, &stats, sizeof(stats)), "kmod stats");
	log_file_free(&f);
	return TEST_PASS;
}

static int test_kmod_records_refused(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_kmod_exec k = { .path = "/bin/sh" };
	struct log_trailer t = { 0 };
	char err[256];
	struct log_writer *w;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	k.result = 1;
	CHECK(log_write_kmod_exec(w, &k) == -EINVAL, "positive result");
	k.result = 0;
	k.flags = 0x10;
	CHECK(log_write_kmod_exec(w, &k) == -EINVAL, "unknown flag");
	k.flags = LOG_KMOD_PATH_ERROR;
	CHECK(log_write_kmod_exec(w, &k) == -EINVAL, "a path with the path-error flag");
	k.path = NULL;
	k.flags = 0;
	CHECK(log_write_kmod_exec(w, &k) == -EINVAL, "no path without the path-error flag");
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	k.flags = LOG_KMOD_PATH_ERROR;
	CHECK(log_write_kmod_exec(w, &k) == -EINVAL, "kmod record after the trailer");
	CHECK(log_write_kmod_stats(w, &(struct log_kmod_stats){ 0 }) == -EINVAL, "stats after the trailer");
	CHECK(log_writer_close(w) == 0, "close");
	unlink(path);
	return TEST_PASS;
}

/* ---- compactness on a build-like stream ---- */

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

#define NPATHS 5000
#define NINCDIRS 4
static char headers[NPATHS][96];
static const char *const incdirs[NINCDIRS] = { "/src/linux/arch/x86/include",
	"/src/linux/arch/x86/include/generated", "/src/linux/include",
	"/src/linux/include/uapi" };

static bool header_hashed[NPATHS];
static uint64_t header_digests;

/* The hasher's digest of a header read for the first time, unchanged: it names the open's site. */
static int digest_header(struct log_writer *w, const struct log_event *e, uint32_t h)
{
	struct log_digest d = { .kind = LOG_DIGEST_INPUT, .path = e->open.path,
				.boot_ns = e->ts_ns + 300000, .dev = e->open.dev, .ino = e->open.ino,
				.size = e->open.size, .mtime_ns = e->open.mtime_ns,
				.ctime_ns = e->open.ctime_ns };

	if (header_hashed[h])
		return TEST_PASS;
	header_hashed[h] = true;
	for (int i = 0; i < 32; i++)
		d.sha256[i] = (uint8_t)(h * 31 + (uint32_t)i * 7);
	CHECK(log_write_digest(w, &d) == 0, "digest");
	header_digests++;
	return TEST_PASS;
}

/* Opens one header the way cpp does: ENOENT in each include dir until the one that has it. */
static int open_header(struct log_writer *w, struct log_event *e, uint32_t h)
{
	uint32_t found = h % NINCDIRS;
	char path[256];

	for (uint32_t d = 0; d <= found; d++) {
		snprintf(path, sizeof(path), "%s/%s", incdirs[d], headers[h]);
		e->ts_ns += 1000 + rnd(20000);
		e->open = (typeof(e->open)){ .path = path, .call = 2, .flags = 0100000 };
		if (d < found) {
			e->open.result = -2;
		} else {
			e->open.result = 3 + (int32_t)rnd(4);
			e->open.dev = 0x800001;
			e->open.ino = 100000 + h;
			e->open.size = 1000 + h * 7;
			e->open.mtime_ns = 1690000000000000000ll + h * 1000003ll;
			e->open.ctime_ns = e->open.mtime_ns;
		}
		CHECK(log_write_event(w, e) == 0, "open");
	}
	return digest_header(w, e, h);
}

static int compile_one(struct log_writer *w, struct log_event *e, uint32_t unit, uint64_t *opens)
{
	char src[64], obj[64];
	const char *argv[40];
	uint32_t pid = 2000 + unit;
	uint32_t nargv = 0;

	e->type = LOG_EV_FORK;
	e->tgid = e->tid = 1500;
	e->fork.child_tgid = pid;
	CHECK(log_write_event(w, e) == 0, "fork");
	snprintf(src, sizeof(src), "drivers/unit%u.c", unit);
	snprintf(obj, sizeof(obj), "drivers/unit%u.o", unit);
	argv[nargv++] = "gcc";
	for (int i = 0; i < 30; i++)
		argv[nargv++] = i % 3 ? "-Iinclude" : "-Wall";
	argv[nargv++] = "-c";
	argv[nargv++] = "-o";
	argv[nargv++] = obj;
	argv[nargv++] = src;
	e->type = LOG_EV_EXEC;
	e->tgid = e->tid = pid;
	e->ts_ns += 50000;
	e->exec = (typeof(e->exec)){ .exe = "/usr/bin/gcc-12", .filename = "gcc",
				     .cwd = "/src/linux", .ppid = 1500, .argc = nargv,
				     .nargv = nargv, .argv = argv };
	CHECK(log_write_event(w, e) == 0, "exec");
	e->type = LOG_EV_OPEN;
	for (int i = 0; i < 150; i++) {
		/* most units include the same popular headers */
		uint32_t h = rnd(4) ? rnd(300) : rnd(NPATHS);

		if (open_header(w, e, h))
			return TEST_FAIL;
		*opens += h % NINCDIRS + 1;
	}
	e->type = LOG_EV_EXIT;
	e->exit.status = 0;
	CHECK(log_write_event(w, e) == 0, "exit");
	return TEST_PASS;
}

static int test_bytes_per_event(void)
{
	struct log_header h = test_header();
	const char *path = temp_log();
	struct log_event e = base_event(LOG_EV_OPEN, 5000000000ull, 1500);
	struct log_trailer t = test_trailer();
	uint64_t opens = 0, events;
	struct log_writer *w;
	struct log_file f;
	char err[256];
	double per;
	int r;

	CHECK(path, "mkstemp");
	for (int i = 0; i < NPATHS; i++)
		snprintf(headers[i], sizeof(headers[i]), "%s/%s%d.h",
			 i % 5 ? "linux" : "asm", i % 3 ? "subsystem_header_" : "x", i);
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	for (uint32_t unit = 0; opens < 200000; unit++) {
		if (compile_one(w, &e, unit, &opens))
			return TEST_FAIL;
		if (unit % 100 == 99)
			CHECK(log_write_checkpoint(w, e.ts_ns, NULL) == 0, "checkpoint");
	}
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	events = log_writer_events(w);
	per = (double)log_writer_bytes(w) / (double)events;
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.nevents == events && !f.truncated, "read back %zu events", f.nevents);
	CHECK(f.ndigests == header_digests, "read back %zu digests", f.ndigests);
	log_file_free(&f);
	printf("# %" PRIu64 " events (%" PRIu64 " opens) and %" PRIu64 " digests, %.2f bytes/event\n",
	       events, opens, header_digests, per);
	CHECK(per <= 16.0, "%.2f bytes per event", per);
	return TEST_PASS;
}

/*
 * A writer over its table budget forgets its strings, sites and environments
 * between records and writes them again when seen again: every field still
 * reads back the same, whether it forgets before every record (budget 1) or
 * now and then -- and forgetting is what made the log longer.
 */
static int test_forgetting_tables_keeps_every_field(void)
{
	static const size_t budgets[] = { 1, 700, 5000 };
	struct stat st;
	off_t plain;
	int r;

	table_budget = 0;
	r = test_digests_and_exec_idents();
	CHECK(r == TEST_PASS, "without forgetting");
	for (size_t i = 0; i < sizeof(budgets) / sizeof(budgets[0]); i++) {
		table_budget = budgets[i];
		r = test_every_field();
		if (r == TEST_PASS)
			r = test_digests_and_exec_idents();
		table_budget = 0;
		CHECK(r == TEST_PASS, "with a table budget of %zu bytes", budgets[i]);
	}
	/* the same log written with and without forgetting: the forgetful one repeats strings */
	{
		struct log_event ev[32];
		size_t n = make_events(ev);
		const char *path = temp_log();

		CHECK(path, "mkstemp");
		for (int k = 0; k < 2; k++)
			CHECK(write_log(path, ev, n, SIZE_MAX, NULL, NULL) == TEST_PASS, "write");
		CHECK(stat(path, &st) == 0, "stat");
		plain = st.st_size;
		table_budget = 1;
		r = write_log(path, ev, n, SIZE_MAX, NULL, NULL);
		table_budget = 0;
		CHECK(r == TEST_PASS && stat(path, &st) == 0, "write forgetting");
		unlink(path);
		CHECK(st.st_size > plain, "forgetting wrote strings again: %lld bytes, %lld without",
		      (long long)st.st_size, (long long)plain);
	}
	return TEST_PASS;
}

/*
 * What a forgetful writer sends again is held once by the reader: the same
 * path opened in three generations reads back as one string and one site,
 * so a reader's memory grows with the distinct paths, not with the resends.
 */
static int test_strings_written_again_are_held_once(void)
{
	const char *path = temp_log();
	struct log_header h = test_header();
	struct log_writer *w;
	struct log_file f;
	char err[256];
	int bad = 0;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "%s", err);
	log_writer_test_table_budget(w, 1);
	for (int i = 0; i < 3; i++) {
		struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = 2000 + (uint64_t)i, .tgid = 7, .tid = 7 };

		e.open = (typeof(e.open)){ .path = "/usr/include/stdio.h", .result = 3, .call = 2, .dev = 8, .ino = 9 };
		bad |= log_write_event(w, &e) != 0;
	}
	bad |= log_writer_close(w) != 0;
	CHECK(!bad, "write");
	CHECK(log_read_file(path, &f, err, sizeof(err)) == 0, "%s", err);
	unlink(path);
	bad = f.nevents != 3 || strcmp(f.events[0].open.path, "/usr/include/stdio.h") ||
	      f.events[1].open.path != f.events[0].open.path || f.events[2].open.path != f.events[0].open.path;
	log_file_free(&f);
	CHECK(!bad, "the path sent three times is not one string");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "every_field", test_every_field },
	{ "strings_written_again_are_held_once", test_strings_written_again_are_held_once },
	{ "no_trailer_is_truncated", test_no_trailer_is_truncated },
	{ "header_only", test_header_only },
	{ "header_option_last_value_wins", test_header_option_last_value_wins },
	{ "writer_refuses_bad_input", test_writer_refuses_bad_input },
	{ "long_and_deep_strings", test_long_and_deep_strings },
	{ "similar_long_words", test_similar_long_words },
	{ "digests_and_exec_idents", test_digests_and_exec_idents },
	{ "hash_records_refused", test_hash_records_refused },
	{ "kmod_records", test_kmod_records },
	{ "kmod_records_refused", test_kmod_records_refused },
	{ "bytes_per_event", test_bytes_per_event },
	{ "forgetting_tables_keeps_every_field", test_forgetting_tables_keeps_every_field },
};

TEST_MAIN("log_roundtrip", tests)
