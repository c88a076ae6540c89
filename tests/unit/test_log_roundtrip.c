// SPDX-License-Identifier: MIT
/* Log writer -> reader round trips: every field of every record comes back exactly. */
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>

#include "testlib.h"
#include "log_reader.h"
#include "log_writer.h"

static char tmp_path[256];

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
	struct log_losses cpl = { .ringbuf_drops = { 0, 1, 2, 3, 4, 5 }, .path_truncations = 6,
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
	CHECK(f.trailer.events_by_type[LOG_EV_OPEN] == 4 && f.trailer.events_by_type[LOG_EV_EXIT] == 3,
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
	return TEST_PASS;
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
	log_file_free(&f);
	printf("# %" PRIu64 " events (%" PRIu64 " opens), %.2f bytes/event\n", events, opens, per);
	CHECK(per <= 16.0, "%.2f bytes per event", per);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "every_field", test_every_field },
	{ "no_trailer_is_truncated", test_no_trailer_is_truncated },
	{ "header_only", test_header_only },
	{ "writer_refuses_bad_input", test_writer_refuses_bad_input },
	{ "long_and_deep_strings", test_long_and_deep_strings },
	{ "similar_long_words", test_similar_long_words },
	{ "bytes_per_event", test_bytes_per_event },
};

TEST_MAIN("log_roundtrip", tests)
