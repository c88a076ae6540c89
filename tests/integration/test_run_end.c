// SPDX-License-Identifier: MIT
/*
 * How kettle run ends: when the command has exited and what it left behind
 * sits idle (--linger), and when it is interrupted (a signal to kettle reaches
 * the whole build, the log says "interrupted", the provenance is incomplete).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kettle_test.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The notice of kind WHAT in the log at LOG (NULL: none); F is loaded and the caller frees it. */
static const struct log_event *find_notice(struct log_file *f, const char *log, uint32_t what)
{
	if (log_load(log, f))
		return NULL;
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_NOTICE && f->events[i].notice.what == what)
			return &f->events[i];
	return NULL;
}

static bool pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* A background sleeper outlives the command: the run ends after --linger idle seconds, naming it. */
static int idle_leftover_ends_the_run_after_linger(void)
{
	char dir[256], log[300], pidfile[320], cmd[600];
	const char *opts[] = { "--linger", "1", NULL };
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct log_file f = { 0 };
	const struct log_event *n;
	double t0;
	FILE *p;
	int rc, left = 0;

	rc = bpf_usable();
	if (rc != TEST_PASS)
		return rc;
	test_workdir("linger", dir, log);
	snprintf(pidfile, sizeof(pidfile), "%s/sleeper.pid", dir);
	snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! > %s", pidfile);
	t0 = now_s();
	rc = kettle_run(log, opts, argv, NULL);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(now_s() - t0 < 20, "ended after the linger, not after the sleeper's 60 s (%.1f s)", now_s() - t0);
	p = fopen(pidfile, "r");
	CHECK(p && fscanf(p, "%d", &left) == 1, "the sleeper's pid");
	fclose(p);
	n = find_notice(&f, log, LOG_NOTICE_LEFT_RUNNING);
	CHECK(n && n->tgid == (uint32_t)left, "the log names the process left running (%d)", left);
	CHECK(f.has_trailer, "the log is closed with its trailer");
	log_file_free(&f);
	CHECK(pid_alive(left), "the idle process is left alone, not killed");
	kill(left, SIGKILL);
	return TEST_PASS;
}

/* A leftover that keeps working is waited for, whatever --linger says. */
static int busy_leftover_is_waited_for(void)
{
	char dir[256], log[300], cmd[600];
	const char *opts[] = { "--linger", "1", NULL };
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct log_file f = { 0 };
	double t0;
	int rc;

	rc = bpf_usable();
	if (rc != TEST_PASS)
		return rc;
	test_workdir("linger-busy", dir, log);
	/* about 3 s of CPU in the background, then a file */
	snprintf(cmd, sizeof(cmd), "(i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done > %s/late) &", dir);
	t0 = now_s();
	rc = kettle_run(log, opts, argv, NULL);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(find_notice(&f, log, LOG_NOTICE_LEFT_RUNNING) == NULL, "nothing left running");
	log_file_free(&f);
	CHECK(test_sh("test -s %s/late", dir) == 0, "the busy process finished inside the run (%.1f s)", now_s() - t0);
	return TEST_PASS;
}

/* SIGTERM to kettle run: every process of the build gets it, and the record says it was interrupted. */
static int sigterm_reaches_the_tree_and_says_interrupted(void)
{
	char dir[256], log[300], stmt[320], pidfile[320], cmd[1024], prov[400];
	char subject[320];
	const char *opts[] = { "--provenance", prov, "--subject", subject, NULL };
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct log_file f = { 0 };
	const struct log_event *n;
	int status, left = 0;
	pid_t kettle;
	FILE *p;

	status = bpf_usable();
	if (status != TEST_PASS)
		return status;
	test_workdir("interrupt", dir, log);
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	snprintf(prov, sizeof(prov), "%s", stmt);
	snprintf(pidfile, sizeof(pidfile), "%s/child.pid", dir);
	snprintf(subject, sizeof(subject), "%s/out", dir);
	/* the child leaves the shell's process group: only kettle can reach it */
	snprintf(cmd, sizeof(cmd), "cd %s && echo x > out && setsid sleep 60 & echo $! > %s; wait", dir, pidfile);
	kettle = kettle_start(log, opts, argv, NULL);
	CHECK(kettle > 0, "kettle run started");
	for (int i = 0; i < 100 && test_sh("test -s %s", pidfile); i++)
		usleep(50000);
	usleep(300000);
	p = fopen(pidfile, "r");
	CHECK(p && fscanf(p, "%d", &left) == 1, "the child's pid");
	fclose(p);
	kill(kettle, SIGTERM);
	CHECK(waitpid(kettle, &status, 0) == kettle && WIFEXITED(status), "kettle run exited");
	for (int i = 0; i < 40 && pid_alive(left); i++)
		usleep(50000);
	CHECK(!pid_alive(left), "the detached child (%d) got the signal too", left);
	n = find_notice(&f, log, LOG_NOTICE_INTERRUPTED);
	CHECK(n && n->notice.arg0 == SIGTERM, "the log says interrupted by SIGTERM");
	CHECK(f.has_trailer, "and is closed with its trailer");
	log_file_free(&f);
	CHECK(test_sh("grep -q '\"reason\":\"interrupted\"' %s", stmt) == 0, "the provenance names the reason");
	return TEST_PASS;
}

/* A build that writes nothing: no statement, said plainly, and the build's own status (0). */
static int noop_build_is_not_an_error(void)
{
	char dir[256], log[300], stmt[320], err[320];
	const char *opts[] = { "--provenance", stmt, NULL };
	const char *argv[] = { "/bin/true", NULL };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	test_workdir("noop", dir, log);
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	rc = test_sh("%s/kettle run --no-progress -o %s --provenance %s -- true 2> %s", test_build_dir(), log, stmt,
		     err);
	(void)opts;
	(void)argv;
	CHECK(rc == 0, "exit 0 for a build that had nothing to do (got %d)", rc);
	CHECK(test_sh("grep -q 'no-op build' %s && grep -q -- '--subject' %s", err, err) == 0,
	      "says why there is no statement and what to do");
	return TEST_PASS;
}

/* --subject through a symlinked directory (as bazel-bin/ is) names the file the log has. */
static int subject_through_a_symlink_is_resolved(void)
{
	char dir[256], log[300], stmt[320], cmd[2048], kettle[512];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	test_path(kettle, sizeof(kettle), "", "kettle");
	test_workdir("symlink-subject", dir, log);
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	CHECK(test_sh("mkdir -p %s/real-out && ln -s real-out %s/out-link", dir, dir) == 0, "symlinked directory");
	snprintf(cmd, sizeof(cmd), "cd %s && %s run --no-progress -o %s --provenance %s --subject out-link/made"
		 " -- sh -c 'echo made > out-link/made' 2>/dev/null", dir, kettle, log, stmt);
	rc = test_sh("%s", cmd);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(test_sh("grep -q 'real-out/made' %s", stmt) == 0, "the subject is the resolved file");
	/* a link the build makes itself (bazel makes bazel-bin/): resolved when the build is over */
	snprintf(cmd, sizeof(cmd), "cd %s && %s run --no-progress -o %s --provenance %s --subject made-link/made2"
		 " -- sh -c 'mkdir real-made && ln -s real-made made-link && echo made > made-link/made2' 2>/dev/null",
		 dir, kettle, log, stmt);
	rc = test_sh("%s", cmd);
	CHECK(rc == 0, "kettle run exits 0 for a subject through a link the build made (got %d)", rc);
	CHECK(test_sh("grep -q 'real-made/made2' %s", stmt) == 0, "the subject is the file the link led to");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "noop_build_is_not_an_error", noop_build_is_not_an_error },
	{ "subject_through_a_symlink_is_resolved", subject_through_a_symlink_is_resolved },
	{ "idle_leftover_ends_the_run_after_linger", idle_leftover_ends_the_run_after_linger },
	{ "busy_leftover_is_waited_for", busy_leftover_is_waited_for },
	{ "sigterm_reaches_the_tree_and_says_interrupted", sigterm_reaches_the_tree_and_says_interrupted },
};

TEST_MAIN("run_end", tests)
