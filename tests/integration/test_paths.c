// SPDX-License-Identifier: MIT
/* Paths in the log are the kernel's: the real file, however the build named it. */
#include "kettle_test.h"

static int open_names_resolve_to_real_file(void)
{
	char dir[256], log[300], sub[300], file[300], link[300], helper[512], real[4096];
	char missing[4200], gone[4200];
	struct log_file f = { 0 };
	const char *cmd[] = { helper, dir, NULL };
	const struct log_event *pid_ev;
	size_t ok_opens = 0;
	bool saw_missing = false, saw_gone = false, saw_dotdot_passed = false;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("paths", dir, log);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(file, sizeof(file), "%s/sub/file.txt", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK(mkdir(sub, 0755) == 0, "mkdir %s", sub);
	CHECK(touch(file) == 0, "create %s", file);
	CHECK(symlink("sub/file.txt", link) == 0, "symlink");
	CHECK(realpath(file, real), "realpath");
	test_path(helper, sizeof(helper), "tests/helpers", "open_paths");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "open_paths failed under kettle");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	pid_ev = find_exec(&f, helper);
	CHECK(pid_ev, "no exec of %s", helper);
	ok_opens = count_opens(&f, real, pid_ev->tgid);
	CHECK(ok_opens == 4, "%zu opens resolved to %s, want 4 (relative, dirfd, .., symlink)", ok_opens, real);
	CHECK(realpath(dir, real), "realpath dir");
	snprintf(missing, sizeof(missing), "%s/sub/missing.txt", real);
	snprintf(gone, sizeof(gone), "%s/gone.txt", real);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type != LOG_EV_OPEN || e->tgid != pid_ev->tgid)
			continue;
		if (!strcmp(e->open.path, missing) && e->open.result == -ENOENT)
			saw_missing = e->open.passed && !strcmp(e->open.passed, "missing.txt");
		if (!strcmp(e->open.path, gone) && e->open.result == -ENOENT)
			saw_gone = true;
		if (e->open.passed && !strcmp(e->open.passed, "../sub/./file.txt") && e->open.result >= 0)
			saw_dotdot_passed = true;
	}
	CHECK(saw_missing, "failed open of %s (passed as missing.txt, -ENOENT) not in the log", missing);
	CHECK(saw_gone, "failed dirfd-relative open of %s not in the log", gone);
	CHECK(saw_dotdot_passed, "the name as passed (../sub/./file.txt) was not kept");
	log_file_free(&f);
	return TEST_PASS;
}

static int exec_path_is_the_file_executed(void)
{
	char dir[256], log[300], link[300], real[4096];
	const char *cmd[] = { link, "/dev/null", NULL };
	struct log_file f = { 0 };
	const struct log_event *e;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("exe", dir, log);
	snprintf(link, sizeof(link), "%s/my-cat", dir);
	CHECK(symlink("/usr/bin/cat", link) == 0, "symlink");
	CHECK(realpath("/usr/bin/cat", real), "realpath");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	e = find_exec(&f, real);
	CHECK(e, "exec recorded under another path than %s", real);
	CHECK(!strcmp(e->exec.filename, link), "filename as passed: %s", e->exec.filename);
	CHECK(getcwd(real, sizeof(real)) && !strcmp(e->exec.cwd, real), "cwd %s, want %s", e->exec.cwd, real);
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "open_names_resolve_to_real_file", open_names_resolve_to_real_file },
	{ "exec_path_is_the_file_executed", exec_path_is_the_file_executed },
};

TEST_MAIN("paths", tests)
