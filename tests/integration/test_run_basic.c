// SPDX-License-Identifier: MIT
/* kettle run on small commands: what was executed and opened, and exit statuses. */
#include "kettle_test.h"

static int cat_hostname_recorded(void)
{
	const char *cmd[] = { "sh", "-c", "cat /etc/hostname", NULL };
	char dir[256], log[300], hostname[4096];
	const struct log_event *cat, *open_ev, *ex;
	struct log_file f = { 0 };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("cat", dir, log);
	CHECK(kettle_run(log, NULL, cmd, "/dev/null") == 0, "kettle run failed");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(!f.truncated && f.has_trailer, "log incomplete");
	CHECK(realpath("/usr/bin/cat", hostname), "no /usr/bin/cat");
	cat = find_exec(&f, hostname);
	CHECK(cat, "no exec of %s", hostname);
	CHECK(cat->exec.nargv == 2 && !strcmp(cat->exec.argv[0], "cat") &&
	      !strcmp(cat->exec.argv[1], "/etc/hostname"), "argv of cat wrong");
	CHECK(realpath("/etc/hostname", hostname), "no /etc/hostname");
	open_ev = find_open(&f, hostname);
	CHECK(open_ev, "no open of %s", hostname);
	CHECK(open_ev->open.result >= 0 && open_ev->tgid == cat->tgid, "open of /etc/hostname: result %d by %u",
	      open_ev->open.result, open_ev->tgid);
	ex = find_exit(&f, cat->tgid);
	CHECK(ex && WIFEXITED(ex->exit.status) && WEXITSTATUS(ex->exit.status) == 0, "cat's exit missing or not 0");
	ex = find_exit(&f, f.header.root_pid);
	CHECK(ex && WIFEXITED(ex->exit.status) && WEXITSTATUS(ex->exit.status) == 0, "sh's exit missing or not 0");
	CHECK(f.trailer.exit_status == 0, "trailer exit status %d", f.trailer.exit_status);
	log_file_free(&f);
	return TEST_PASS;
}

/* Runs CMD under kettle; *KETTLE_RC gets kettle's exit, *LOGGED the root's wait status in the log. */
static int run_for_root_exit(const char *name, const char *const cmd[], int *kettle_rc, int *logged)
{
	char dir[256], log[300];
	struct log_file f = { 0 };
	const struct log_event *ex;

	test_workdir(name, dir, log);
	*kettle_rc = kettle_run(log, NULL, cmd, NULL);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	ex = find_exit(&f, f.header.root_pid);
	CHECK(ex, "the root's exit is not in the log");
	*logged = ex->exit.status;
	log_file_free(&f);
	return TEST_PASS;
}

static int exit_code_passed_through(void)
{
	const char *cmd[] = { "sh", "-c", "exit 7", NULL };
	int rc = bpf_usable(), kettle_rc, logged;

	if (rc || (rc = run_for_root_exit("exit7", cmd, &kettle_rc, &logged)))
		return rc;
	CHECK(kettle_rc == 7, "kettle exited %d, want 7", kettle_rc);
	CHECK(WIFEXITED(logged) && WEXITSTATUS(logged) == 7, "logged exit is not 7");
	return TEST_PASS;
}

static int death_by_signal_passed_through(void)
{
	const char *cmd[] = { "sh", "-c", "kill -KILL $$", NULL };
	int rc = bpf_usable(), kettle_rc, logged;

	if (rc || (rc = run_for_root_exit("sigkill", cmd, &kettle_rc, &logged)))
		return rc;
	CHECK(kettle_rc == 128 + SIGKILL, "kettle exited %d, want 128+SIGKILL", kettle_rc);
	CHECK(WIFSIGNALED(logged) && WTERMSIG(logged) == SIGKILL, "logged exit is not SIGKILL");
	return TEST_PASS;
}

static int sigterm_forwarded_to_build(void)
{
	const char *cmd[] = { "sleep", "30", NULL };
	char dir[256], log[300];
	struct log_file f = { 0 };
	const struct log_event *ex;
	int status, rc = bpf_usable();
	pid_t pid;

	if (rc)
		return rc;
	test_workdir("sigterm", dir, log);
	pid = kettle_start(log, NULL, cmd, NULL);
	CHECK(pid > 0, "cannot start kettle");
	sleep(2);
	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid, "wait failed");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGTERM, "kettle status %#x, want exit 143", status);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	ex = find_exit(&f, f.header.root_pid);
	CHECK(ex && WIFSIGNALED(ex->exit.status) && WTERMSIG(ex->exit.status) == SIGTERM,
	      "sleep did not die of SIGTERM");
	log_file_free(&f);
	return TEST_PASS;
}

static int missing_command_is_127(void)
{
	const char *cmd[] = { "kettle-no-such-command", NULL };
	char dir[256], log[300];
	struct log_file f = { 0 };
	int rc = bpf_usable();
	bool failed_exec = false;

	if (rc)
		return rc;
	test_workdir("e127", dir, log);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 127, "status not 127");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.nevents; i++)
		if (f.events[i].type == LOG_EV_EXEC_FAILED && f.events[i].exec_failed.err == ENOENT &&
		    strstr(f.events[i].exec_failed.path, "/kettle-no-such-command"))
			failed_exec = true;
	CHECK(failed_exec, "the failed exec (ENOENT) is not in the log");
	log_file_free(&f);
	return TEST_PASS;
}

static int non_executable_is_126(void)
{
	char dir[256], log[300], file[300];
	const char *cmd[] = { file, NULL };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("e126", dir, log);
	snprintf(file, sizeof(file), "%s/not-executable", dir);
	CHECK(touch(file) == 0, "create %s", file);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 126, "status not 126");
	return TEST_PASS;
}

/* The echo exec of a run of SCRIPT, with kettle's exit code. */
static int echo_exec_of(const char *name, const char *script, int *kettle_rc, struct log_file *f,
			const struct log_event **echo)
{
	const char *cmd[] = { "sh", "-c", script, NULL };
	char dir[256], log[300], real[4096];

	test_workdir(name, dir, log);
	CHECK(realpath("/bin/echo", real), "realpath");
	*kettle_rc = kettle_run(log, NULL, cmd, "/dev/null");
	CHECK(log_load(log, f) == 0, "log unreadable");
	*echo = find_exec(f, real);
	CHECK(*echo, "no exec of %s", real);
	return TEST_PASS;
}

static int long_argv_kept_whole(void)
{
	const struct log_event *echo;
	struct log_file f = { 0 };
	int kettle_rc, rc = bpf_usable();

	/* 3000 arguments, ~14 KiB: more than one exec record carries. */
	if (rc || (rc = echo_exec_of("argv14k", "/bin/echo $(seq 1 3000)", &kettle_rc, &f, &echo)))
		return rc;
	CHECK(kettle_rc == 0, "kettle exited %d", kettle_rc);
	CHECK(echo->exec.argc == 3001 && echo->exec.nargv == 3001, "argc %u, %u strings, want 3001",
	      echo->exec.argc, echo->exec.nargv);
	CHECK(!echo->exec.argv_truncated, "flagged truncated");
	CHECK(!strcmp(echo->exec.argv[1], "1") && !strcmp(echo->exec.argv[3000], "3000"), "argv content wrong");
	log_file_free(&f);
	return TEST_PASS;
}

static int huge_argv_flagged_cut(void)
{
	const struct log_event *echo;
	struct log_file f = { 0 };
	int kettle_rc, rc = bpf_usable();

	/* ~390 KiB of arguments: beyond what is kept. */
	if (rc || (rc = echo_exec_of("argv390k", "/bin/echo $(seq 1 70000)", &kettle_rc, &f, &echo)))
		return rc;
	CHECK(kettle_rc == 125, "kettle exited %d, want 125 for a cut argv", kettle_rc);
	CHECK(echo->exec.argc == 70001 && echo->exec.nargv < 70001, "argc %u, %u strings", echo->exec.argc,
	      echo->exec.nargv);
	CHECK(echo->exec.argv_truncated, "not flagged truncated");
	CHECK(f.trailer.losses.argv_truncations >= 1, "argv truncation not counted");
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "cat_hostname_recorded", cat_hostname_recorded },
	{ "exit_code_passed_through", exit_code_passed_through },
	{ "death_by_signal_passed_through", death_by_signal_passed_through },
	{ "sigterm_forwarded_to_build", sigterm_forwarded_to_build },
	{ "missing_command_is_127", missing_command_is_127 },
	{ "non_executable_is_126", non_executable_is_126 },
	{ "long_argv_kept_whole", long_argv_kept_whole },
	{ "huge_argv_flagged_cut", huge_argv_flagged_cut },
};

TEST_MAIN("run_basic", tests)
