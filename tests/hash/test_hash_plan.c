// SPDX-License-Identifier: MIT
/*
 * What kettle run hashes (hash_plan), fed with the events a build makes:
 * every file gets a digest or a record of why not, whatever the build did
 * to the file tree.  The files are real; the events are made here, so each
 * case happens every time.
 */
#include <fcntl.h>
#include <stdio.h>

#include "bpf/events.h"
#include "digest_check.h"
#include "hash/hash_plan.h"
#include "kettle_test.h"
#include "log/log_writer.h"

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

/*
 * The build opens a path too long for the engine, then a real file, both
 * with FLAGS: the first is logged -ENAMETOOLONG and counted failed, and the
 * second is still hashed (as KIND: during the build, or at its end).
 */
static int too_long_then_real(const char *test, uint64_t flags, enum log_digest_kind kind)
{
	struct session s;
	struct log_file f = { 0 };
	char real[300], *lng;
	const struct log_digest *d;

	CHECK(session_start(&s, test) == 0, "no session");
	lng = too_long_path(s.dir, "gen.h");
	CHECK(lng && path_in(real, sizeof(real), &s, "a.c") == 0 && write_text(real, "int x;\n") == 0, "setup");
	CHECK(opened(&s, lng, flags) == 0, "one path too long stopped the plan");
	CHECK(opened(&s, real, flags) == 0, "the file after it was refused");
	CHECK(session_end(&s, &f) == 0, "one path too long failed the session");
	d = find_digest(&f, lng, kind);
	CHECK(d && d->result == -ENAMETOOLONG, "no -ENAMETOOLONG record for the long path");
	CHECK(digest_is_content(find_digest(&f, real, kind), real), "a.c not hashed right");
	CHECK(f.trailer.hash.failed == 1, "%llu failed, want 1", (unsigned long long)f.trailer.hash.failed);
	free(lng);
	log_file_free(&f);
	return TEST_PASS;
}

/* An input whose path the engine refuses is logged with its error; the next input is still hashed. */
static int too_long_input_logged_and_others_hashed(void)
{
	return too_long_then_real("plan-long-in", O_RDONLY, LOG_DIGEST_INPUT);
}

/* At the end, an output whose path is too long does not stop the outputs after it. */
static int too_long_output_logged_and_others_hashed(void)
{
	return too_long_then_real("plan-long-out", O_WRONLY | O_CREAT, LOG_DIGEST_OUTPUT);
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

/* The build deleted PATH (unlinkat), and the plan saw it. */
static int deleted(struct session *s, const char *path)
{
	struct log_event ev = { .type = LOG_EV_FILE_OP, .file_op = { .call = KE_FOP_UNLINKAT, .path = path } };

	return unlink(path) ? -1 : hash_plan_event(s->plan, s->w, &ev);
}

/*
 * A temporary file (distcc's .i, a compiler's .s) written and deleted while
 * the build runs: its content when deleted is in the log, flagged as such,
 * even though the name is gone at the end.
 */
static int deleted_temporary_hashed_at_delete(void)
{
	struct session s;
	struct log_file f = { 0 };
	char tmp[300], copy[300];
	const struct log_digest *d;
	uint8_t want[32];
	FILE *a;

	CHECK(session_start(&s, "plan-tmp") == 0, "no session");
	CHECK(build_writes(&s, "job.i", "int main(void) { return 0; }\n", tmp) == 0, "write job.i");
	/* written on after the open was seen: what is hashed is the content at the unlink */
	CHECK((a = fopen(tmp, "a")) && fputs("int later;\n", a) >= 0 && fclose(a) == 0, "append");
	CHECK(path_in(copy, sizeof(copy), &s, "copy") == 0 && write_text(copy, "int main(void) { return 0; }\n"
										"int later;\n") == 0, "copy");
	CHECK(sha256_of(copy, want) == 0, "sha256 of the copy");
	CHECK(deleted(&s, tmp) == 0, "unlink event");
	CHECK(session_end(&s, &f) == 0, "session");
	d = find_digest(&f, tmp, LOG_DIGEST_OUTPUT);
	CHECK(d && d->result == 0, "no digest for the deleted job.i (result %d)", d ? d->result : 1);
	CHECK(d->flags == LOG_DIGEST_AT_DELETE, "flags 0x%x, want LOG_DIGEST_AT_DELETE only", d->flags);
	CHECK(!memcmp(d->sha256, want, 32), "the digest is not job.i's content when it was deleted");
	CHECK(f.trailer.hash.failed == 0, "%llu failed", (unsigned long long)f.trailer.hash.failed);
	log_file_free(&f);
	return TEST_PASS;
}

/*
 * Holds are few: a file whose hold gave way to newer ones and is deleted is
 * recorded deleted, not hashed (as before holds), the newest still hashed,
 * and an output left at the end is hashed by name as always.
 */
static int oldest_hold_gives_way(void)
{
	struct session s;
	struct log_file f = { 0 };
	char first[300], last[300], name[32], kept[300];
	const struct log_digest *d;

	CHECK(session_start(&s, "plan-holds") == 0, "no session");
	CHECK(build_writes(&s, "kept.o", "kept\n", kept) == 0, "write kept.o");
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "t%d.s", i);
		CHECK(build_writes(&s, name, name, i ? last : first) == 0, "write %s", name);
	}
	CHECK(deleted(&s, first) == 0 && deleted(&s, last) == 0, "unlink events");
	CHECK(session_end(&s, &f) == 0, "session");
	d = find_digest(&f, first, LOG_DIGEST_OUTPUT);
	CHECK(!d || d->result == -ENOENT, "t0.s, its hold given up, has a digest");
	d = find_digest(&f, last, LOG_DIGEST_OUTPUT);
	CHECK(d && d->result == 0 && d->flags == LOG_DIGEST_AT_DELETE, "the newest temporary not hashed at delete");
	CHECK(digest_is_content(find_digest(&f, kept, LOG_DIGEST_OUTPUT), kept), "kept.o not hashed at the end");
	log_file_free(&f);
	return TEST_PASS;
}

/* The build ran PATH. */
static int executed(struct session *s, const char *path)
{
	struct log_event ev = { .type = LOG_EV_EXEC, .exec = { .exe = path } };

	return hash_plan_event(s->plan, s->w, &ev);
}

/* Copies /usr/bin/true to DIR/NAME (into PATH). */
static int copy_true(const struct session *s, const char *name, char path[300])
{
	char cmd[700];

	if (path_in(path, 300, s, name))
		return -1;
	snprintf(cmd, sizeof(cmd), "cp /usr/bin/true '%s'", path);
	return system(cmd) == 0 ? 0 : -1;
}

/* Waits until the engine has hashed BYTES in all: the result waits to be polled. */
static int hashed_bytes(struct session *s, uint64_t bytes)
{
	struct hash_engine_usage u;

	for (int i = 0; i < 3000; i++) {
		hash_plan_usage(s->plan, &u);
		if (u.bytes >= bytes)
			return 0;
		usleep(10000);
	}
	return -1;
}

static const struct log_exec_ident *find_ident(const struct log_file *f, const char *path)
{
	for (size_t i = 0; i < f->nexec_idents; i++)
		if (!strcmp(f->exec_idents[i].path, path))
			return &f->exec_idents[i];
	return NULL;
}

/* An executed program hashed and left alone: its ELF identity is written. */
static int executable_identified(void)
{
	struct session s;
	struct log_file f = { 0 };
	const struct log_exec_ident *id;
	char exe[300];

	CHECK(session_start(&s, "plan-ident") == 0 && copy_true(&s, "tool", exe) == 0, "setup");
	CHECK(executed(&s, exe) == 0 && session_end(&s, &f) == 0, "session");
	CHECK(digest_is_content(find_digest(&f, exe, LOG_DIGEST_EXEC), exe), "tool not hashed as sha256sum");
	id = find_ident(&f, exe);
	CHECK(id && id->result == 0 && id->elf_class, "no ELF identity for tool");
	log_file_free(&f);
	return TEST_PASS;
}

/* Replaced after its hash, before its identity was read: -ESTALE, not the new file's identity. */
static int executable_replaced_after_hash_not_identified(void)
{
	struct session s;
	struct log_file f = { 0 };
	const struct log_exec_ident *id;
	char exe[300], other[300];
	uint8_t was[32];
	struct stat st;

	CHECK(session_start(&s, "plan-stale") == 0 && copy_true(&s, "tool", exe) == 0, "setup");
	CHECK(sha256_of(exe, was) == 0 && stat(exe, &st) == 0, "sha256 of tool");
	CHECK(path_in(other, sizeof(other), &s, "new") == 0 && write_text(other, "#!/bin/sh\n") == 0, "new");
	CHECK(executed(&s, exe) == 0 && hashed_bytes(&s, (uint64_t)st.st_size) == 0, "tool not hashed");
	CHECK(rename(other, exe) == 0, "replace tool");
	CHECK(session_end(&s, &f) == 0, "session");
	CHECK(find_digest(&f, exe, LOG_DIGEST_EXEC) && !memcmp(find_digest(&f, exe, LOG_DIGEST_EXEC)->sha256, was, 32),
	      "the digest is not the program that was hashed");
	id = find_ident(&f, exe);
	CHECK(id && id->result == -ESTALE && !id->kind, "identity of the replacement written (result %d, kind %d)",
	      id ? id->result : 1, id ? (int)id->kind : -1);
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "too_long_input_logged_and_others_hashed", too_long_input_logged_and_others_hashed },
	{ "too_long_output_logged_and_others_hashed", too_long_output_logged_and_others_hashed },
	{ "renamed_directory_takes_its_outputs", renamed_directory_takes_its_outputs },
	{ "file_renamed_onto_output_is_output", file_renamed_onto_output_is_output },
	{ "exchanged_directories_swap_outputs", exchanged_directories_swap_outputs },
	{ "deleted_temporary_hashed_at_delete", deleted_temporary_hashed_at_delete },
	{ "oldest_hold_gives_way", oldest_hold_gives_way },
	{ "executable_identified", executable_identified },
	{ "executable_replaced_after_hash_not_identified", executable_replaced_after_hash_not_identified },
};

TEST_MAIN("hash_plan", tests)
