// SPDX-License-Identifier: MIT
/*
 * What kettle run hashes (hash_plan), fed with the events a build makes:
 * every file gets a digest or a record of why not, whatever the build did
 * to the file tree.  The files are real; the events are made here, so each
 * case happens every time.
 */
#include <fcntl.h>
#include <stdio.h>

#include "digest_check.h"
#include "events.h"
#include "hash_plan.h"
#include "kettle_test.h"
#include "log_writer.h"

/* One collector: a plan and the log it writes its digests to. */
struct session {
	char dir[256], log[300];
	struct hash_plan *plan;
	struct log_writer *w;
};

static int session_start(struct session *s, const char *name)
{
	static const char *const command[] = { "make" };
	struct log_header h = { .kettle_version = "test", .host = "h", .kernel_release = "k", .boot_id = "b",
				.command = command, .ncommand = 1, .cwd = "/" };
	struct hash_plan_options o = { .workers = 1 };
	char err[256];

	test_workdir(name, s->dir, s->log);
	s->w = log_writer_open(s->log, &h, err, sizeof(err));
	s->plan = s->w ? hash_plan_new(&o, err, sizeof(err)) : NULL;
	if (!s->plan) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	return 0;
}

/* The build is over: the plan hashes the outputs, the log is closed and read back. */
static int session_end(struct session *s, struct log_file *f)
{
	struct log_trailer t = { 0 };
	int rc = hash_plan_finish(s->plan, s->w);

	if (rc)
		fprintf(stderr, "  hash_plan_finish: %s\n", strerror(-rc));
	hash_plan_stats(s->plan, &t.hash);
	hash_plan_free(s->plan);
	if (log_write_trailer(s->w, &t) || log_writer_close(s->w))
		rc = -EIO;
	return rc ? rc : log_load(s->log, f);
}

/* The build opened PATH with FLAGS (the kernel saw the file as stat sees it now); what the plan said of it. */
static int opened(struct session *s, const char *path, uint64_t flags)
{
	struct log_event ev = { .type = LOG_EV_OPEN, .open = { .path = path, .result = 3, .flags = flags } };
	struct stat st;

	if (stat(path, &st) == 0) {
		ev.open.dev = st.st_dev;
		ev.open.ino = st.st_ino;
		ev.open.size = st.st_size;
		ev.open.mtime_ns = st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec;
		ev.open.ctime_ns = st.st_ctim.tv_sec * 1000000000ll + st.st_ctim.tv_nsec;
	}
	return hash_plan_event(s->plan, s->w, &ev);
}

/* The build renamed FROM to TO (renameat2 FLAGS), successfully. */
static int renamed(struct session *s, const char *from, const char *to, uint64_t flags)
{
	struct log_event ev = { .type = LOG_EV_FILE_OP,
				.file_op = { .call = KE_FOP_RENAMEAT2, .path = from, .path2 = to, .flags = flags } };

	return hash_plan_event(s->plan, s->w, &ev);
}

/* DIR/d/d/.../NAME, longer than PATH_MAX: what a relative name in a deep cwd joins to. */
static char *too_long_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 2 * 2100 + strlen(name) + 2;
	char *p = malloc(n), *end;

	if (!p)
		return NULL;
	end = p + sprintf(p, "%s/", dir);
	for (int i = 0; i < 2100; i++)
		end += sprintf(end, "d/");
	strcpy(end, name);
	return p;
}

static int path_in(char *buf, size_t len, const struct session *s, const char *name)
{
	return snprintf(buf, len, "%s/%s", s->dir, name) < (int)len ? 0 : -1;
}

/* An input whose path the engine refuses is logged with its error; the next input is still hashed. */
static int too_long_input_logged_and_others_hashed(void)
{
	struct session s;
	struct log_file f = { 0 };
	char in[300], *lng;
	const struct log_digest *d;

	CHECK(session_start(&s, "plan-long-in") == 0, "no session");
	lng = too_long_path(s.dir, "gen.h");
	CHECK(lng && path_in(in, sizeof(in), &s, "in.c") == 0 && write_text(in, "int x;\n") == 0, "setup");
	CHECK(opened(&s, lng, O_RDONLY) == 0, "one path too long stopped the plan");
	CHECK(opened(&s, in, O_RDONLY) == 0, "the input after it was refused");
	CHECK(session_end(&s, &f) == 0, "session");
	d = find_digest(&f, lng, LOG_DIGEST_INPUT);
	CHECK(d && d->result == -ENAMETOOLONG, "no -ENAMETOOLONG record for the long path");
	CHECK(digest_is_content(find_digest(&f, in, LOG_DIGEST_INPUT), in), "in.c not hashed right");
	CHECK(f.trailer.hash.failed == 1, "%llu failed, want 1", (unsigned long long)f.trailer.hash.failed);
	free(lng);
	log_file_free(&f);
	return TEST_PASS;
}

/* At the end, an output whose path is too long does not stop the outputs after it. */
static int too_long_output_logged_and_others_hashed(void)
{
	struct session s;
	struct log_file f = { 0 };
	char out[300], *lng;
	const struct log_digest *d;

	CHECK(session_start(&s, "plan-long-out") == 0, "no session");
	lng = too_long_path(s.dir, "x.o");
	CHECK(lng && path_in(out, sizeof(out), &s, "a.o") == 0 && write_text(out, "object\n") == 0, "setup");
	CHECK(opened(&s, lng, O_WRONLY | O_CREAT) == 0 && opened(&s, out, O_WRONLY | O_CREAT) == 0, "opens");
	CHECK(session_end(&s, &f) == 0, "one output path too long failed the session");
	d = find_digest(&f, lng, LOG_DIGEST_OUTPUT);
	CHECK(d && d->result == -ENAMETOOLONG, "no -ENAMETOOLONG record for the long output");
	CHECK(digest_is_content(find_digest(&f, out, LOG_DIGEST_OUTPUT), out), "a.o not hashed right");
	free(lng);
	log_file_free(&f);
	return TEST_PASS;
}

/* Makes DIR/NAME holding DATA and tells the plan the build wrote it (NAME into OUT). */
static int build_writes(struct session *s, const char *name, const char *data, char out[300])
{
	if (path_in(out, 300, s, name) || write_text(out, data))
		return -1;
	return opened(s, out, O_WRONLY | O_CREAT | O_TRUNC);
}

/* mkdir stage; cc -o stage/a.o; mv stage dist: the output is dist/a.o, hashed as it is. */
static int renamed_directory_takes_its_outputs(void)
{
	struct session s;
	struct log_file f = { 0 };
	char stage[300], dist[300], obj[300], moved[300];

	CHECK(session_start(&s, "plan-mvdir") == 0, "no session");
	CHECK(path_in(stage, sizeof(stage), &s, "stage") == 0 && mkdir(stage, 0755) == 0, "mkdir");
	CHECK(build_writes(&s, "stage/a.o", "object a\n", obj) == 0, "write stage/a.o");
	CHECK(path_in(dist, sizeof(dist), &s, "dist") == 0 && rename(stage, dist) == 0, "mv stage dist");
	CHECK(renamed(&s, stage, dist, 0) == 0, "rename event");
	CHECK(path_in(moved, sizeof(moved), &s, "dist/a.o") == 0 && session_end(&s, &f) == 0, "session");
	CHECK(digest_is_content(find_digest(&f, moved, LOG_DIGEST_OUTPUT), moved), "dist/a.o not hashed as sha256sum");
	CHECK(!find_digest(&f, obj, LOG_DIGEST_OUTPUT), "stage/a.o, gone with its directory, still an output");
	log_file_free(&f);
	return TEST_PASS;
}

/* mv prebuilt.o out.o over an output: out.o is what the build left there, an output. */
static int file_renamed_onto_output_is_output(void)
{
	struct session s;
	struct log_file f = { 0 };
	char out[300], pre[300];

	CHECK(session_start(&s, "plan-mvfile") == 0, "no session");
	CHECK(build_writes(&s, "out.o", "first\n", out) == 0, "write out.o");
	/* a file the plan never saw opened: there before the build, or written outside it */
	CHECK(path_in(pre, sizeof(pre), &s, "prebuilt.o") == 0 && write_text(pre, "prebuilt\n") == 0, "prebuilt");
	CHECK(rename(pre, out) == 0 && renamed(&s, pre, out, 0) == 0, "mv prebuilt.o out.o");
	CHECK(session_end(&s, &f) == 0, "session");
	CHECK(digest_is_content(find_digest(&f, out, LOG_DIGEST_OUTPUT), out), "out.o not hashed as sha256sum");
	log_file_free(&f);
	return TEST_PASS;
}

/* renameat2(RENAME_EXCHANGE) of two directories swaps their outputs. */
static int exchanged_directories_swap_outputs(void)
{
	struct session s;
	struct log_file f = { 0 };
	char a[300], b[300], ao[300], bo[300];

	CHECK(session_start(&s, "plan-xchg") == 0, "no session");
	CHECK(path_in(a, sizeof(a), &s, "a") == 0 && mkdir(a, 0755) == 0, "mkdir a");
	CHECK(path_in(b, sizeof(b), &s, "b") == 0 && mkdir(b, 0755) == 0, "mkdir b");
	CHECK(build_writes(&s, "a/x.o", "x\n", ao) == 0 && build_writes(&s, "b/y.o", "y\n", bo) == 0, "writes");
	CHECK(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0, "exchange: %s", strerror(errno));
	CHECK(renamed(&s, a, b, RENAME_EXCHANGE) == 0, "rename event");
	CHECK(path_in(ao, sizeof(ao), &s, "b/x.o") == 0 && path_in(bo, sizeof(bo), &s, "a/y.o") == 0, "paths");
	CHECK(session_end(&s, &f) == 0, "session");
	CHECK(digest_is_content(find_digest(&f, ao, LOG_DIGEST_OUTPUT), ao), "b/x.o not hashed");
	CHECK(digest_is_content(find_digest(&f, bo, LOG_DIGEST_OUTPUT), bo), "a/y.o not hashed");
	CHECK(f.trailer.hash.failed == 0, "%llu failed", (unsigned long long)f.trailer.hash.failed);
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "too_long_input_logged_and_others_hashed", too_long_input_logged_and_others_hashed },
	{ "too_long_output_logged_and_others_hashed", too_long_output_logged_and_others_hashed },
	{ "renamed_directory_takes_its_outputs", renamed_directory_takes_its_outputs },
	{ "file_renamed_onto_output_is_output", file_renamed_onto_output_is_output },
	{ "exchanged_directories_swap_outputs", exchanged_directories_swap_outputs },
};

TEST_MAIN("hash_plan", tests)
