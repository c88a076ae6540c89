// SPDX-License-Identifier: MIT
/* The whole process tree is followed, and nothing outside it. */
#include <pthread.h>

#include "kettle_test.h"
#include "log/log_reader.h"

static int exec_chain_five_deep(void)
{
	char dir[256], log[300], helper[512];
	const char *cmd[] = { helper, "5", NULL };
	struct log_file f = { 0 };
	uint32_t pids[8];
	int depth = 0, rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("chain", dir, log);
	test_path(helper, sizeof(helper), "tests/helpers", "chain");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "chain failed under kettle");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	/* Each level's exec has the previous level as parent: root -> 5 generations. */
	for (size_t i = 0; i < f.nevents && depth < 8; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type != LOG_EV_EXEC || strcmp(e->exec.exe, helper))
			continue;
		CHECK(depth == 0 || e->exec.ppid == pids[depth - 1], "level %d: parent %u, want %u", depth,
		      e->exec.ppid, pids[depth - 1]);
		pids[depth++] = e->tgid;
	}
	CHECK(depth == 6, "%d execs of chain, want 6 (root and 5 descendants)", depth);
	for (int i = 0; i < depth; i++)
		CHECK(find_exit(&f, pids[i]), "no exit for level %d", i);
	log_file_free(&f);
	return TEST_PASS;
}

static int double_forked_daemon_followed(void)
{
	char dir[256], log[300], helper[512], target[300], real[4096];
	const char *cmd[] = { helper, target, NULL };
	struct log_file f = { 0 };
	const struct log_event *root_exit = NULL, *late_open = NULL;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("daemon", dir, log);
	snprintf(target, sizeof(target), "%s/late.txt", dir);
	CHECK(touch(target) == 0, "create target");
	CHECK(realpath(target, real), "realpath");
	test_path(helper, sizeof(helper), "tests/helpers", "daemonize");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "daemonize failed under kettle");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type == LOG_EV_EXIT && e->tgid == f.header.root_pid)
			root_exit = e;
		if (e->type == LOG_EV_OPEN && !strcmp(e->open.path, real) && e->open.result >= 0)
			late_open = e;
	}
	CHECK(root_exit, "root's exit missing");
	CHECK(late_open, "the daemon's open of %s is missing", real);
	CHECK(late_open->ts_ns > root_exit->ts_ns, "the daemon opened before the root exited: test is void");
	CHECK(late_open->tgid != f.header.root_pid, "opened by the root itself");
	log_file_free(&f);
	return TEST_PASS;
}

static int thread_opens_belong_to_process(void)
{
	char dir[256], log[300], helper[512], target[300], real[4096];
	const char *cmd[] = { helper, target, NULL };
	struct log_file f = { 0 };
	const struct log_event *ex;
	size_t from_threads = 0;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("threads", dir, log);
	snprintf(target, sizeof(target), "%s/t.txt", dir);
	CHECK(touch(target) == 0, "create target");
	CHECK(realpath(target, real), "realpath");
	test_path(helper, sizeof(helper), "tests/helpers", "threads");
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "threads failed under kettle");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	ex = find_exec(&f, helper);
	CHECK(ex, "no exec of the helper");
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type == LOG_EV_OPEN && !strcmp(e->open.path, real)) {
			CHECK(e->tgid == ex->tgid, "open attributed to %u, want %u", e->tgid, ex->tgid);
			CHECK(e->tid != e->tgid, "open from the main thread, want from a thread");
			from_threads++;
		}
	}
	CHECK(from_threads == 4, "%zu opens from threads, want 4", from_threads);
	log_file_free(&f);
	return TEST_PASS;
}

static int two_thousand_short_processes(void)
{
	char dir[256], log[300], real[4096];
	const char *cmd[] = { "sh", "-c", "i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done", NULL };
	struct log_file f = { 0 };
	size_t execs = 0, exits = 0;
	int rc = bpf_usable();

	if (rc)
		return rc;
	CHECK(realpath("/bin/true", real), "realpath");
	test_workdir("true2000", dir, log);
	CHECK(kettle_run(log, NULL, cmd, NULL) == 0, "kettle run failed (losses?)");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.nevents; i++) {
		if (f.events[i].type == LOG_EV_EXEC && !strcmp(f.events[i].exec.exe, real)) {
			execs++;
			if (find_exit(&f, f.events[i].tgid))
				exits++;
		}
	}
	CHECK(execs == 2000, "%zu execs of %s, want 2000", execs, real);
	CHECK(exits == 2000, "%zu of them have an exit, want 2000", exits);
	log_file_free(&f);
	return TEST_PASS;
}

struct outsider {
	const char *path;
	volatile bool stop;
	long opens;
};

static void *outsider_loop(void *arg)
{
	struct outsider *o = arg;

	while (!o->stop) {
		int fd = open(o->path, O_RDONLY);

		if (fd >= 0)
			close(fd);
		o->opens++;
		usleep(1000);
	}
	return NULL;
}

static int outside_processes_invisible(void)
{
	char dir[256], log[300], marker[300], real[4096], script[700];
	const char *cmd[] = { "sh", "-c", script, NULL };
	struct outsider o = { 0 };
	struct log_file f = { 0 };
	pthread_t th;
	pid_t other;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("outside", dir, log);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	CHECK(touch(marker) == 0, "create marker");
	CHECK(realpath(marker, real), "realpath");
	/* Another process tree and a thread of this test open the marker all along. */
	other = fork();
	if (other == 0) {
		execlp("sh", "sh", "-c", "while :; do cat \"$0\" >/dev/null; sleep 0.01; done", marker, (char *)NULL);
		_exit(127);
	}
	o.path = marker;
	CHECK(pthread_create(&th, NULL, outsider_loop, &o) == 0, "thread");
	snprintf(script, sizeof(script), "for i in 1 2 3 4 5; do cat /etc/hostname >/dev/null; sleep 0.1; done");
	rc = kettle_run(log, NULL, cmd, NULL);
	o.stop = true;
	pthread_join(th, NULL);
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	CHECK(rc == 0, "kettle run failed");
	CHECK(o.opens > 10, "the outsider did not run");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(count_opens(&f, real, 0) == 0, "opens of the marker by outside processes were recorded");
	for (size_t i = 0; i < f.nevents; i++)
		CHECK(f.events[i].tgid != (uint32_t)other && f.events[i].tgid != (uint32_t)getpid(),
		      "an event of an outside process (%u) was recorded", f.events[i].tgid);
	log_file_free(&f);
	return TEST_PASS;
}

/*
 * Runs CMD under kettle run OPTS (a cgroup scope): a successful open of REAL
 * after the root's exit must be in the log, and the cgroup must be gone.
 */
static int cgroup_run_keeps_late_open(const char *log, const char *const opts[], const char *const cmd[],
				      const char *real)
{
	struct log_file f = { 0 };
	const struct log_event *root_exit, *late = NULL;
	const char *scope = NULL;

	CHECK(kettle_run(log, opts, cmd, NULL) == 0, "kettle run %s failed", opts[0]);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	root_exit = find_exit(&f, f.header.root_pid);
	for (size_t i = 0; i < f.nevents; i++)
		if (f.events[i].type == LOG_EV_OPEN && !strcmp(f.events[i].open.path, real) && f.events[i].open.result >= 0)
			late = &f.events[i];
	CHECK(root_exit && late && late->ts_ns > root_exit->ts_ns, "the open of %s after the root's exit is missing", real);
	scope = log_header_option(&f.header, "scope");
	CHECK(scope && !strncmp(scope, "cgroup:", 7), "header does not name the cgroup scope");
	CHECK(access(scope + 7, F_OK) != 0, "cgroup %s was not removed", scope + 7);
	log_file_free(&f);
	return TEST_PASS;
}

static int cgroup_scope_follows_background_jobs(void)
{
	char dir[256], log[300], marker[300], real[4096], script[700];
	const char *cmd[] = { "sh", "-c", script, NULL };
	const char *opts[] = { "--scope", "cgroup", NULL };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("cgroup", dir, log);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	CHECK(touch(marker) == 0, "create marker");
	CHECK(realpath(marker, real), "realpath");
	snprintf(script, sizeof(script), "(sleep 0.5; cat '%s' >/dev/null) & exit 0", marker);
	return cgroup_run_keeps_late_open(log, opts, cmd, real);
}

/* run --cgroup: a daemon that leaves the process tree (double fork, setsid) is still recorded; the cgroup goes away. */
static int cgroup_option_follows_daemon(void)
{
	char dir[256], log[300], helper[512], target[300], real[4096];
	const char *cmd[] = { helper, target, NULL };
	const char *opts[] = { "--cgroup", NULL };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("cgroup-daemon", dir, log);
	snprintf(target, sizeof(target), "%s/late.txt", dir);
	CHECK(touch(target) == 0, "create target");
	CHECK(realpath(target, real), "realpath");
	test_path(helper, sizeof(helper), "tests/helpers", "daemonize");
	return cgroup_run_keeps_late_open(log, opts, cmd, real);
}

static const struct test tests[] = {
	{ "exec_chain_five_deep", exec_chain_five_deep },
	{ "double_forked_daemon_followed", double_forked_daemon_followed },
	{ "thread_opens_belong_to_process", thread_opens_belong_to_process },
	{ "two_thousand_short_processes", two_thousand_short_processes },
	{ "outside_processes_invisible", outside_processes_invisible },
	{ "cgroup_scope_follows_background_jobs", cgroup_scope_follows_background_jobs },
	{ "cgroup_option_follows_daemon", cgroup_option_follows_daemon },
};

TEST_MAIN("tree", tests)
