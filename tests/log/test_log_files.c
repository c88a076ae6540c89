// SPDX-License-Identifier: MIT
/* kettle log files and the hash part of kettle log stats, on a log written with the writer API (no BPF). */
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>

#include "kettle_test.h"
#include "log/log_writer.h"

#define START_WALL 1700000000000000000ull
#define START_BOOT 1000000000ull

static const char *const command[] = { "make" };


struct writer_state {
	struct log_writer *w;
	uint64_t ts;
	int bad;
};

static void event(struct writer_state *s, struct log_event e)
{
	e.ts_ns = s->ts += 1000;
	e.tid = e.tgid;
	if (log_write_event(s->w, &e))
		s->bad = 1;
}

static void open_ev(struct writer_state *s, uint32_t pid, const char *path, uint64_t flags,
		    int32_t result, int64_t ctime_ns)
{
	struct log_event e = { .type = LOG_EV_OPEN, .tgid = pid };

	e.open = (typeof(e.open)){ .path = path, .result = result, .call = 2, .flags = flags,
				   .mode = flags & O_CREAT ? 0644 : 0 };
	if (result >= 0) {
		e.open.dev = 0x803;
		e.open.ino = 1000 + strlen(path);
		e.open.ctime_ns = e.open.mtime_ns = ctime_ns;
	}
	event(s, e);
}

static void exec_ev(struct writer_state *s, uint32_t pid, const char *exe)
{
	struct log_event e = { .type = LOG_EV_EXEC, .tgid = pid };

	e.exec = (typeof(e.exec)){ .exe = exe, .filename = exe, .cwd = "/src", .ppid = 100 };
	event(s, e);
}

static void fork_ev(struct writer_state *s, uint32_t parent, uint32_t child)
{
	struct log_event e = { .type = LOG_EV_FORK, .tgid = parent };

	e.fork.child_tgid = child;
	event(s, e);
}

static void digest(struct writer_state *s, enum log_digest_kind kind, const char *path,
		   int32_t result, uint32_t flags, uint8_t fill)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = s->ts + 10, .result = result,
				.flags = flags };

	memset(d.sha256, fill, sizeof(d.sha256));
	if (log_write_digest(s->w, &d))
		s->bad = 1;
}

static const uint64_t old_ctime = START_WALL - 86400000000000ll, new_ctime = START_WALL + 5000000;

/* The build: see the expectations in check_files_json. */
static void build_events(struct writer_state *s)
{
	static const char *const needed[] = { "libc.so.6" };
	struct log_exec_ident x = { .path = "/usr/bin/cc", .kind = LOG_FILE_ELF_DYN, .elf_class = 64,
				    .elf_machine = 62, .build_id = "abcdef0123", .needed = needed,
				    .nneeded = 1 };
	struct log_event failed = { .type = LOG_EV_EXEC_FAILED, .tgid = 100 };

	failed.exec_failed = (typeof(failed.exec_failed)){ .err = ENOENT, .filename = "tool",
							   .path = "/usr/local/bin/tool", .ppid = 1 };
	event(s, failed);
	fork_ev(s, 100, 101);
	exec_ev(s, 101, "/usr/bin/cc");
	if (log_write_exec_ident(s->w, &x))
		s->bad = 1;
	digest(s, LOG_DIGEST_EXEC, "/usr/bin/cc", 0, 0, 0xcc);
	open_ev(s, 101, "/src/in.c", O_RDONLY, 3, (int64_t)old_ctime);
	digest(s, LOG_DIGEST_INPUT, "/src/in.c", 0, 0, 0xaa);
	open_ev(s, 101, "/src/new.o", O_RDONLY, -ENOENT, 0);
	open_ev(s, 101, "/src/new.o", O_WRONLY | O_CREAT | O_TRUNC, 4, (int64_t)new_ctime);
	open_ev(s, 101, "/src/excl.tmp", O_WRONLY | O_CREAT | O_EXCL, 5, (int64_t)new_ctime);
	open_ev(s, 101, "/src/old.txt", O_WRONLY | O_CREAT, 6, (int64_t)old_ctime);
	open_ev(s, 101, "/src/maybe.out", O_WRONLY | O_CREAT | O_TRUNC, 7, (int64_t)new_ctime);
	open_ev(s, 101, "/src/rw.dat", O_RDWR, 8, (int64_t)old_ctime);
	fork_ev(s, 100, 102);
	open_ev(s, 102, "/src/in.c", O_RDONLY, 3, (int64_t)old_ctime);
	digest(s, LOG_DIGEST_OUTPUT, "/src/new.o", 0, LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING,
	       0x0e);
	digest(s, LOG_DIGEST_OUTPUT, "/src/maybe.out", -ENOENT, 0, 0);
}

static int write_log(const char *path)
{
	struct log_header h = { .kettle_version = "test", .start_wall_ns = START_WALL,
				.start_boot_ns = START_BOOT, .root_pid = 100, .command = command,
				.ncommand = 1, .cwd = "/src" };
	struct log_trailer t = { .end_boot_ns = START_BOOT + 1000000,
				 .hash = { .queued = 6, .hashed = 3, .failed = 1, .changed = 1,
					   .queue_full = 2 } };
	struct writer_state s = { .ts = START_BOOT };
	char err[256];

	s.w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(s.w, "open: %s", err);
	build_events(&s);
	CHECK(!s.bad, "writing the events");
	CHECK(log_write_trailer(s.w, &t) == 0, "trailer");
	CHECK(log_writer_close(s.w) == 0, "close");
	return TEST_PASS;
}

/* The object of PATH among the JSON lines of OUT (a new reference), NULL when absent. */
static json_t *file_object(const char *out, const char *path, size_t *lines)
{
	FILE *fp = fopen(out, "r");
	char line[65536];
	json_t *found = NULL;

	*lines = 0;
	while (fp && fgets(line, sizeof(line), fp)) {
		json_t *o = json_loads(line, 0, NULL);

		(*lines)++;
		if (o && !found && !strcmp(json_string_value(json_object_get(o, "path")), path))
			found = o;
		else
			json_decref(o);
	}
	if (fp)
		fclose(fp);
	return found;
}

static bool jtrue(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static int check_in_c(const char *out)
{
	size_t lines;
	json_t *o = file_object(out, "/src/in.c", &lines), *pids, *d;

	CHECK(lines == 8, "want 8 paths, got %zu", lines);
	CHECK(o, "/src/in.c missing");
	CHECK(jtrue(o, "read") && !jtrue(o, "written") && json_is_false(json_object_get(o, "created")),
	      "in.c: read only");
	pids = json_object_get(o, "pids");
	CHECK(json_array_size(pids) == 2 && json_integer_value(json_array_get(pids, 0)) == 101 &&
	      json_integer_value(json_array_get(pids, 1)) == 102, "in.c: pids 101, 102");
	CHECK(!strcmp(json_string_value(json_object_get(o, "exe")), "/usr/bin/cc"), "in.c: exe");
	d = json_array_get(json_object_get(o, "digests"), 0);
	CHECK(d && !strcmp(json_string_value(json_object_get(d, "kind")), "input") &&
	      !strcmp(json_string_value(json_object_get(d, "sha256")),
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") &&
	      !jtrue(d, "changed"), "in.c: its input digest");
	json_decref(o);
	return TEST_PASS;
}

static int check_created(const char *out, const char *path, json_t *want)
{
	size_t lines;
	json_t *o = file_object(out, path, &lines);

	CHECK(o, "%s missing", path);
	CHECK(jtrue(o, "written"), "%s: not written", path);
	CHECK(json_equal(json_object_get(o, "created"), want), "%s: created is not %s", path,
	      json_is_null(want) ? "null" : json_is_true(want) ? "true" : "false");
	json_decref(o);
	json_decref(want);
	return TEST_PASS;
}

static int check_new_o(const char *out)
{
	size_t lines;
	json_t *o = file_object(out, "/src/new.o", &lines), *d;

	CHECK(o, "/src/new.o missing");
	CHECK(jtrue(o, "absent") && json_integer_value(json_object_get(o, "failed")) == 1 &&
	      json_integer_value(json_object_get(o, "opens")) == 2, "new.o: the failed probe");
	d = json_array_get(json_object_get(o, "digests"), 0);
	CHECK(d && jtrue(d, "changed") && jtrue(d, "changed_during") &&
	      !strcmp(json_string_value(json_object_get(d, "kind")), "output"), "new.o: changed output");
	json_decref(o);
	o = file_object(out, "/src/maybe.out", &lines);
	d = json_array_get(json_object_get(o, "digests"), 0);
	CHECK(d && json_is_null(json_object_get(d, "sha256")) &&
	      !strcmp(json_string_value(json_object_get(d, "error")), "ENOENT"), "maybe.out: not hashed");
	json_decref(o);
	return TEST_PASS;
}

static int check_cc(const char *out)
{
	size_t lines;
	json_t *o = file_object(out, "/usr/bin/cc", &lines), *x;

	CHECK(o && jtrue(o, "executed") && !jtrue(o, "read"), "/usr/bin/cc: executed");
	x = json_object_get(o, "exec_ident");
	CHECK(x && !strcmp(json_string_value(json_object_get(x, "build_id")), "abcdef0123") &&
	      json_array_size(json_object_get(x, "needed")) == 1, "cc: exec identity");
	json_decref(o);
	o = file_object(out, "/usr/local/bin/tool", &lines);
	CHECK(o && jtrue(o, "absent") && !jtrue(o, "executed"), "tool: a failed exec probe");
	json_decref(o);
	return TEST_PASS;
}

static int files_json(void)
{
	char dir[256], log[300], out[300], err[300];
	const char *args[] = { "log", "files", log, "--json", NULL };

	test_workdir("logfiles", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	if (write_log(log))
		return TEST_FAIL;
	CHECK(kettle_cli(args, out, err) == 0, "log files --json failed");
	if (check_in_c(out) || check_new_o(out) || check_cc(out))
		return TEST_FAIL;
	if (check_created(out, "/src/new.o", json_true()) ||
	    check_created(out, "/src/excl.tmp", json_true()) ||
	    check_created(out, "/src/old.txt", json_false()) ||
	    check_created(out, "/src/maybe.out", json_null()))
		return TEST_FAIL;
	return check_created(out, "/src/rw.dat", json_false());
}

/* The text line of PATH in OUT, in LINE. */
static bool text_line(const char *out, const char *path, char *line, size_t len)
{
	FILE *fp = fopen(out, "r");
	bool found = false;

	while (fp && !found && fgets(line, (int)len, fp))
		found = strstr(line, path) && line[8] == ' ' && !strncmp(line + 10, path, strlen(path));
	if (fp)
		fclose(fp);
	return found;
}

static int files_text(void)
{
	char dir[256], log[300], out[300], err[300], line[1024];
	const char *args[] = { "log", "files", log, NULL };

	test_workdir("logfilestext", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	if (write_log(log))
		return TEST_FAIL;
	CHECK(kettle_cli(args, out, err) == 0, "log files failed");
	CHECK(text_line(out, "/src/new.o", line, sizeof(line)), "no line for new.o");
	CHECK(!strncmp(line, "-wca-", 5), "new.o flags: %s", line);
	CHECK(strstr(line, "by 101 (/usr/bin/cc)") && strstr(line, "output:0e0e") &&
	      strstr(line, "(changed since open) (changed while hashed)"), "new.o line: %s", line);
	CHECK(text_line(out, "/src/maybe.out", line, sizeof(line)) && !strncmp(line, "-w?--", 5) &&
	      strstr(line, "output:-ENOENT"), "maybe.out line: %s", line);
	CHECK(text_line(out, "/src/rw.dat", line, sizeof(line)) && !strncmp(line, "rw---", 5),
	      "rw.dat line: %s", line);
	CHECK(text_line(out, "/usr/bin/cc", line, sizeof(line)) && !strncmp(line, "----x", 5) &&
	      strstr(line, "exec:cccc") && strstr(line, "build-id abcdef0123"), "cc line: %s", line);
	args[2] = "--help";
	args[3] = NULL;
	CHECK(kettle_cli(args, out, err) == 0, "files --help");
	return TEST_PASS;
}

static int stats_hash(void)
{
	char dir[256], log[300], out[300], err[300], shell[600];
	const char *args[] = { "log", "stats", log, "--json", NULL };
	json_error_t jerr;
	json_t *j, *h;

	test_workdir("logstatshash", dir, log);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	if (write_log(log))
		return TEST_FAIL;
	CHECK(kettle_cli(args, out, err) == 0, "log stats --json failed");
	j = json_load_file(out, 0, &jerr);
	h = json_object_get(j, "hash");
	CHECK(h && json_integer_value(json_object_get(h, "queued")) == 6 &&
	      json_integer_value(json_object_get(h, "hashed")) == 3 &&
	      json_integer_value(json_object_get(h, "failed")) == 1 &&
	      json_integer_value(json_object_get(h, "changed")) == 1 &&
	      json_integer_value(json_object_get(h, "queue_full")) == 2, "hash stats from the trailer");
	json_decref(j);
	/* cut inside the trailer: counted from the digest records, queued unknown */
	snprintf(shell, sizeof(shell), "truncate -s -5 '%s'", log);
	CHECK(system(shell) == 0, "truncate");
	CHECK(kettle_cli(args, out, err) == 0, "stats of a cut log");
	j = json_load_file(out, 0, &jerr);
	h = json_object_get(j, "hash");
	CHECK(h && json_is_null(json_object_get(h, "queued")) &&
	      json_integer_value(json_object_get(h, "hashed")) == 3 &&
	      json_integer_value(json_object_get(h, "failed")) == 1 &&
	      json_integer_value(json_object_get(h, "changed")) == 1, "hash stats from the records");
	json_decref(j);
	args[1] = "files";
	args[3] = NULL;
	CHECK(kettle_cli(args, out, err) == 0, "files of a cut log");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "files_json", files_json },
	{ "files_text", files_text },
	{ "stats_hash", stats_hash },
};

TEST_MAIN("log_files", tests)
