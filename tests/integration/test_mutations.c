// SPDX-License-Identifier: MIT
/*
 * File-tree changes (tests/helpers/mutate.c) under kettle run: every call is
 * in the log with the absolute path it acted on, whether the name was
 * relative or dirfd-based, existed or was created or removed by the call;
 * `kettle log files` and the output digests follow renames and deletions.
 */
#include <inttypes.h>

#include <jansson.h>

#include "bpf/events.h"
#include "kettle_test.h"

struct expect {
	uint32_t call;
	const char *path, *path2, *target;      /* relative to the real DIR */
	int32_t result;
	uint32_t mode;
	int64_t length;
};

static const struct expect expected[] = {
	{ KE_FOP_MKDIR, "d", NULL, NULL, 0, 0755, 0 },
	{ KE_FOP_RENAMEAT, "d/a", "d/b", NULL, 0, 0, 0 },
	{ KE_FOP_RENAME, "d/b", "d/c", NULL, 0, 0, 0 },
	{ KE_FOP_LINKAT, "d/c", "d/hard", NULL, 0, 0, 0 },
	{ KE_FOP_SYMLINKAT, "d/sym", NULL, "c", 0, 0, 0 },
	{ KE_FOP_SYMLINK, "d/abslink", NULL, "/nonexistent/target", 0, 0, 0 },
	{ KE_FOP_TRUNCATE, "d/c", NULL, NULL, 0, 0, 5 },
	{ KE_FOP_FTRUNCATE, "d/c", NULL, NULL, 0, 0, 4 },
	{ KE_FOP_CHMOD, "d/c", NULL, NULL, 0, 0600, 0 },
	{ KE_FOP_FCHMODAT, "d/c", NULL, NULL, 0, 0640, 0 },
	{ KE_FOP_FCHMOD, "d/c", NULL, NULL, 0, 0644, 0 },
	{ KE_FOP_UTIMENSAT, "d/c", NULL, NULL, 0, 0, 0 },
	{ KE_FOP_UNLINKAT, "d/sym", NULL, NULL, 0, 0, 0 },
	{ KE_FOP_UNLINK, "d/hard", NULL, NULL, 0, 0, 0 },
	{ KE_FOP_MKDIRAT, "d/sub", NULL, NULL, 0, 0700, 0 },
	{ KE_FOP_UNLINKAT, "d/sub", NULL, NULL, 0, 0, 0 },
	{ KE_FOP_MKDIR, "d/keep", NULL, NULL, 0, 0755, 0 },
	{ KE_FOP_RENAME, "d/c", "final", NULL, 0, 0, 0 },
	{ KE_FOP_UNLINK, "d/abslink", NULL, NULL, 0, 0, 0 },
	{ KE_FOP_RMDIR, "d", NULL, NULL, -ENOTEMPTY, 0, 0 },
	{ KE_FOP_UNLINK, "d/never", NULL, NULL, -ENOENT, 0, 0 },
};

static char real_dir[4096];
static struct log_file run_log;
static bool have_log;

/* Runs the helper once under kettle; every test reads the same log. */
static int mutate_log(void)
{
	static char dir[256], log[300];
	char helper[512];
	const char *cmd[] = { helper, dir, NULL };
	int rc = bpf_usable();

	if (rc || have_log)
		return rc;
	test_workdir("mutations", dir, log);
	test_path(helper, sizeof(helper), "tests/helpers", "mutate");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "mutate failed under kettle");
	CHECK(realpath(dir, real_dir), "realpath");
	CHECK(log_load(log, &run_log) == 0, "log unreadable");
	have_log = true;
	return TEST_PASS;
}

static bool path_is(const char *got, const char *rel)
{
	char want[4400];

	if (!rel)
		return !got;
	snprintf(want, sizeof(want), "%s/%s", real_dir, rel);
	return got && !strcmp(got, want);
}

static int each_call_resolved(void)
{
	size_t k = 0;
	int rc = mutate_log();

	if (rc)
		return rc;
	for (size_t i = 0; i < run_log.nevents && k < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct log_event *e = &run_log.events[i];
		const struct expect *x = &expected[k];

		if (e->type != LOG_EV_FILE_OP || strncmp(e->file_op.path, real_dir, strlen(real_dir)))
			continue;
		CHECK(e->file_op.call == x->call, "op %zu: call %u, want %u (%s)", k, e->file_op.call,
		      x->call, e->file_op.path);
		CHECK(path_is(e->file_op.path, x->path), "op %zu: path %s, want %s", k, e->file_op.path, x->path);
		CHECK(path_is(e->file_op.path2, x->path2), "op %zu: path2 %s, want %s", k,
		      e->file_op.path2 ? e->file_op.path2 : "NULL", x->path2 ? x->path2 : "NULL");
		CHECK((!x->target && !e->file_op.target) ||
		      (x->target && e->file_op.target && !strcmp(x->target, e->file_op.target)),
		      "op %zu: target %s", k, e->file_op.target ? e->file_op.target : "NULL");
		CHECK(e->file_op.result == x->result, "op %zu (%s): result %d, want %d", k, e->file_op.path,
		      e->file_op.result, x->result);
		CHECK(e->file_op.mode == x->mode && e->file_op.length == x->length,
		      "op %zu: mode 0%o length %" PRId64, k, e->file_op.mode, e->file_op.length);
		if (x->call == KE_FOP_UNLINKAT && !strcmp(x->path, "d/sub"))
			CHECK(e->file_op.flags == AT_REMOVEDIR, "unlinkat flags 0x%" PRIx64, e->file_op.flags);
		k++;
	}
	CHECK(k == sizeof(expected) / sizeof(expected[0]), "only %zu of %zu calls found in the log", k,
	      sizeof(expected) / sizeof(expected[0]));
	return TEST_PASS;
}

/* The output digests: the renamed file under its final name only, nothing for a deleted one. */
static int outputs_follow_renames(void)
{
	bool final = false, old_name = false;
	int rc = mutate_log();

	if (rc)
		return rc;
	for (size_t i = 0; i < run_log.ndigests; i++) {
		const struct log_digest *d = &run_log.digests[i];

		if (d->kind != LOG_DIGEST_OUTPUT)
			continue;
		final |= path_is(d->path, "final") && d->result == 0;
		old_name |= path_is(d->path, "d/a") || path_is(d->path, "d/b") || path_is(d->path, "d/c") ||
			    path_is(d->path, "d/hard");
	}
	CHECK(final, "no output digest for %s/final", real_dir);
	CHECK(!old_name, "an output digest under a name the build renamed or deleted");
	return TEST_PASS;
}

/* `kettle log files --json`: one line's object for PATH (relative to the real DIR). */
static json_t *files_entry(const char *rel)
{
	char kettle[512], cmd[1024], want[4400], line[65536];
	json_t *found = NULL;
	FILE *p;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(want, sizeof(want), "%s/%s", real_dir, rel);
	snprintf(cmd, sizeof(cmd), "'%s' log files --json '/tmp/kettle-test-%d-mutations/build.cbor'",
		 kettle, (int)getpid());
	p = popen(cmd, "r");
	while (p && !found && fgets(line, sizeof(line), p)) {
		json_t *j = json_loads(line, 0, NULL);

		if (j && !strcmp(json_string_value(json_object_get(j, "path")) ?: "", want))
			found = j;
		else
			json_decref(j);
	}
	if (p)
		pclose(p);
	return found;
}

static int files_view_tells_changes(void)
{
	json_t *fin, *old, *hard, *sub;
	int rc = mutate_log();

	if (rc)
		return rc;
	fin = files_entry("final");
	old = files_entry("d/a");
	hard = files_entry("d/hard");
	sub = files_entry("d/sub");
	CHECK(fin && old && hard && sub, "entries for final, d/a, d/hard, d/sub");
	CHECK(json_is_true(json_object_get(fin, "written")) &&
	      path_is(json_string_value(json_object_get(fin, "renamed_from")), "d/c"),
	      "final: written, renamed from d/c");
	CHECK(path_is(json_string_value(json_object_get(old, "renamed_to")), "d/b") &&
	      json_is_true(json_object_get(old, "created")), "d/a: created, renamed to d/b");
	CHECK(json_is_true(json_object_get(hard, "deleted")) && json_is_true(json_object_get(hard, "created")),
	      "d/hard: created (link) and deleted");
	CHECK(json_is_true(json_object_get(sub, "deleted")), "d/sub: deleted");
	json_decref(fin);
	json_decref(old);
	json_decref(hard);
	json_decref(sub);
	return TEST_PASS;
}

static int no_losses(void)
{
	int rc = mutate_log();

	if (rc)
		return rc;
	CHECK(run_log.has_trailer && log_losses_total(&run_log.trailer.losses) == 0, "losses");
	CHECK(run_log.trailer.events_by_type[LOG_EV_FILE_OP] >= sizeof(expected) / sizeof(expected[0]),
	      "%" PRIu64 " file_op events", run_log.trailer.events_by_type[LOG_EV_FILE_OP]);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "each_call_resolved", each_call_resolved },
	{ "outputs_follow_renames", outputs_follow_renames },
	{ "files_view_tells_changes", files_view_tells_changes },
	{ "no_losses", no_losses },
};

TEST_MAIN("mutations", tests)
