// SPDX-License-Identifier: MIT
/*
 * Daemons: a server started before kettle run that does work for the build
 * (a compiler cache, a build server).  By default it is named (its pid,
 * program, how the build reached it) and the provenance is incomplete; with
 * --follow-daemons what it does for the build is recorded, and the
 * provenance still says its state from before the build was not seen.  The
 * same for a stream daemon that accepts through an io_uring, and for a
 * datagram daemon (unix or UDP), which accepts nothing: the collector finds
 * who holds the socket the build sent to.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kettle_test.h"

struct daemon_case {
	char dir[256], log[300], stmt[320], input[320], out[320], spec[340];
	const char *serve_mode;         /* daemon_peer serve's last argument ("uring"), or NULL */
	const char *wrap;               /* a command the server runs under ("unshare -n"), or NULL */
	pid_t server;
	struct log_file f;
};
/* Starts the server (outside any kettle run) on SPEC_FMT (%s: the test's folder, %d: a port). */
static int daemon_start(struct daemon_case *d, const char *name, const char *spec_fmt)
{
	char helper[512], ready[330];

	test_workdir(name, d->dir, d->log);
	snprintf(d->stmt, sizeof(d->stmt), "%s/prov.json", d->dir);
	snprintf(d->input, sizeof(d->input), "%s/input.txt", d->dir);
	snprintf(d->out, sizeof(d->out), "%s/out.txt", d->dir);
	snprintf(ready, sizeof(ready), "%s/ready", d->dir);
	snprintf(d->spec, sizeof(d->spec), spec_fmt, d->dir, 20000 + getpid() % 20000);
	CHECK(test_sh("echo 'bytes only the daemon reads' > %s", d->input) == 0, "input written");
	test_path(helper, sizeof(helper), "tests/helpers", "daemon_peer");
	d->server = fork();
	if (d->server == 0) {
		if (d->wrap)    /* the wrapper execs the server: the pid stays the server's */
			execlp(d->wrap, d->wrap, "-n", helper, "serve", d->spec, ready, d->serve_mode, (char *)NULL);
		else
			execl(helper, helper, "serve", d->spec, ready, d->serve_mode, (char *)NULL);
		_exit(127);
	}
	CHECK(d->server > 0, "fork");
	for (int i = 0; i < 200 && access(ready, F_OK); i++)
		usleep(10000);
	CHECK(access(ready, F_OK) == 0, "the daemon is listening on %s", d->spec);
	return TEST_PASS;
}

static void daemon_stop(struct daemon_case *d)
{
	if (d->server > 0) {
		kill(d->server, SIGKILL);
		waitpid(d->server, NULL, 0);
	}
	log_file_free(&d->f);
}

/* The build asks the daemon for the input; kettle run's exit status. */
static int daemon_build(struct daemon_case *d, bool follow)
{
	char helper[512];
	const char *opts[] = { "--provenance", d->stmt, "--subject", d->out, follow ? "--follow-daemons" : NULL, NULL };
	const char *argv[] = { helper, "ask", d->spec, d->input, d->out, NULL };

	test_path(helper, sizeof(helper), "tests/helpers", "daemon_peer");
	return kettle_run(d->log, opts, argv, NULL);
}

static const struct log_event *daemon_notice(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_NOTICE && f->events[i].notice.what == LOG_NOTICE_DAEMON)
			return &f->events[i];
	return NULL;
}

static bool has_snapshot(const struct log_file *f, uint32_t pid, const char *exe_suffix)
{
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];
		const char *exe = e->proc_snapshot.exe;

		if (e->type == LOG_EV_PROC_SNAPSHOT && e->tgid == pid && exe &&
		    strlen(exe) >= strlen(exe_suffix) && !strcmp(exe + strlen(exe) - strlen(exe_suffix), exe_suffix))
			return true;
	}
	return false;
}

static bool has_exec_named(const struct log_file *f, const char *base)
{
	for (size_t i = 0; i < f->nevents; i++) {
		const char *exe = f->events[i].type == LOG_EV_EXEC ? f->events[i].exec.exe : NULL;
		const char *slash = exe ? strrchr(exe, '/') : NULL;

		if (slash && !strcmp(slash + 1, base))
			return true;
	}
	return false;
}

/* The endpoint's "path" in the provenance, as a grep pattern (the port varies: any). */
static const char *endpoint_pattern(const struct daemon_case *d, char *out, size_t len)
{
	const char *colon = strchr(d->spec, ':');

	if (!strncmp(d->spec, "unix", 4))
		snprintf(out, len, "%s", colon + 1);
	else if (!strncmp(d->spec, "udp6:", 5))
		snprintf(out, len, "\\[::1\\]:[0-9]*");
	else
		snprintf(out, len, "127.0.0.1:[0-9]*");
	return out;
}

static bool is_datagram(const struct daemon_case *d)
{
	return !strncmp(d->spec, "udp", 3) || !strncmp(d->spec, "unixdg:", 7);
}

/* The notice names the daemon as a datagram receiver, or as an io_uring acceptor, as its spec says. */
static bool notice_says_how(const struct daemon_case *d, const struct log_event *n)
{
	return !!(n->notice.arg1 & LOG_DAEMON_DATAGRAM) == is_datagram(d) &&
	       !!(n->notice.arg1 & LOG_DAEMON_IO_URING) == (d->serve_mode && !strcmp(d->serve_mode, "uring"));
}

/* Not followed: the daemon is named in the log and the provenance, and its work is not claimed. */
static int named_checks(struct daemon_case *d, int rc)
{
	const struct log_event *n;
	char endpoint[400];

	CHECK(rc == 125, "kettle run refuses the provenance as incomplete (got %d)", rc);
	CHECK(test_sh("cmp -s %s %s", d->input, d->out) == 0, "the build got the bytes");
	CHECK(log_load(d->log, &d->f) == 0, "log loads");
	n = daemon_notice(&d->f);
	CHECK(n && n->tgid == (uint32_t)d->server, "the log names the daemon's pid %d", (int)d->server);
	CHECK(!(n->notice.arg1 & LOG_DAEMON_FOLLOWED), "not followed");
	CHECK(notice_says_how(d, n), "the notice says how the daemon was reached (arg1 %#llx)",
	      (unsigned long long)n->notice.arg1);
	CHECK(has_snapshot(&d->f, d->server, "/daemon_peer"), "the daemon's program is in the log");
	CHECK(!find_open(&d->f, d->input) && !has_exec_named(&d->f, "cat"), "what the daemon did is not claimed");
	CHECK(test_sh("grep -q '\"reason\":\"daemon\"' %s && grep -q 'daemon_peer' %s", d->stmt, d->stmt) == 0,
	      "the provenance names the daemon and its program");
	CHECK(test_sh("grep -q '\"path\":\"%s\"' %s", endpoint_pattern(d, endpoint, sizeof(endpoint)), d->stmt) == 0,
	      "the daemon's reason names the endpoint the build reached it through");
	return TEST_PASS;
}

/* Followed: its child's exec and the file it read are recorded; the reason is its earlier state. */
static int followed_checks(struct daemon_case *d, int rc)
{
	const struct log_event *n;

	CHECK(rc == 125, "incomplete still: the daemon's state from before (got %d)", rc);
	CHECK(test_sh("cmp -s %s %s", d->input, d->out) == 0, "the build got the bytes");
	CHECK(log_load(d->log, &d->f) == 0, "log loads");
	n = daemon_notice(&d->f);
	CHECK(n && n->tgid == (uint32_t)d->server && (n->notice.arg1 & LOG_DAEMON_FOLLOWED),
	      "the log names the followed daemon");
	CHECK(notice_says_how(d, n), "the notice says how the daemon was reached");
	CHECK(has_exec_named(&d->f, "cat"), "the daemon's child (cat) is recorded");
	CHECK(find_open(&d->f, d->input) != NULL, "the file the daemon's child read is recorded");
	CHECK(test_sh("grep -q '\"reason\":\"daemon-state\"' %s && ! grep -q '\"reason\":\"daemon\"' %s"
		      " && grep -q 'input.txt' %s", d->stmt, d->stmt, d->stmt) == 0,
	      "the provenance has the input, and names only the daemon's earlier state");
	return TEST_PASS;
}

static int daemon_case_run_as(struct daemon_case *d, const char *name, const char *spec_fmt, bool follow)
{
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = daemon_start(d, name, spec_fmt);
	if (rc == TEST_PASS) {
		rc = daemon_build(d, follow);
		rc = follow ? followed_checks(d, rc) : named_checks(d, rc);
	}
	daemon_stop(d);
	return rc;
}

static int daemon_case_run(const char *name, const char *spec_fmt, bool follow)
{
	struct daemon_case d = { 0 };

	return daemon_case_run_as(&d, name, spec_fmt, follow);
}

static int unix_daemon_is_named_and_incomplete(void)
{
	return daemon_case_run("daemon-unix", "unix:%s/d.sock", false);
}

static int loopback_daemon_is_named_and_incomplete(void)
{
	return daemon_case_run("daemon-tcp", "tcp:%.0s%d", false);
}

static int followed_unix_daemon_work_is_recorded(void)
{
	return daemon_case_run("daemon-unix-follow", "unix:%s/d.sock", true);
}

static int followed_loopback_daemon_work_is_recorded(void)
{
	return daemon_case_run("daemon-tcp-follow", "tcp:%.0s%d", true);
}

/* A build whose only output lies outside its directory (as when a daemon writes it): no provenance, the daemon named. */
static int no_output_still_names_the_daemon(void)
{
	struct daemon_case d = { 0 };
	char helper[512], kettle[512], err[340];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = daemon_start(&d, "daemon-noout", "unix:%s/d.sock");
	if (rc == TEST_PASS) {
		test_path(helper, sizeof(helper), "tests/helpers", "daemon_peer");
		test_path(kettle, sizeof(kettle), "", "kettle");
		snprintf(err, sizeof(err), "%s/err.txt", d.dir);
		rc = test_sh("mkdir -p %s/sub && cd %s/sub && %s run --no-progress -o %s --provenance %s -- %s ask %s %s %s"
			     " 2>%s", d.dir, d.dir, kettle, d.log, d.stmt, helper, d.spec, d.input, d.out, err);
		if (rc != 0)
			fprintf(stderr, "  kettle run exited %d\n", rc);
		else if (!file_holds(err, "no provenance written") || !file_holds(err, "daemon: a process started outside"))
			fprintf(stderr, "  stderr does not say why: see %s\n", err), rc = 1;
		rc = rc == 0 ? TEST_PASS : TEST_FAIL;
	}
	daemon_stop(&d);
	return rc;
}

static int uring_unix_daemon_is_named_and_incomplete(void)
{
	struct daemon_case d = { .serve_mode = "uring" };

	return daemon_case_run_as(&d, "daemon-uring-unix", "unix:%s/d.sock", false);
}

static int uring_loopback_daemon_is_named_and_incomplete(void)
{
	struct daemon_case d = { .serve_mode = "uring" };

	return daemon_case_run_as(&d, "daemon-uring-tcp", "tcp:%.0s%d", false);
}

static int udp_daemon_is_named_and_incomplete(void)
{
	return daemon_case_run("daemon-udp", "udp:%.0s%d", false);
}

static int udp6_daemon_is_named_and_incomplete(void)
{
	if (test_sh("test -e /proc/net/if_inet6 && ip -6 addr show dev lo | grep -q '::1'") != 0)
		return TEST_SKIP;       /* no IPv6 loopback here */
	return daemon_case_run("daemon-udp6", "udp6:%.0s%d", false);
}

static int dual_stack_udp_daemon_is_named(void)
{
	if (test_sh("test -e /proc/net/if_inet6") != 0)
		return TEST_SKIP;
	return daemon_case_run("daemon-udpdual", "udpdual:%.0s%d", false);
}

static int unix_datagram_daemon_is_named(void)
{
	return daemon_case_run("daemon-unixdg", "unixdg:%s/d.sock", false);
}

static int abstract_datagram_daemon_is_named(void)
{
	return daemon_case_run("daemon-unixdg-abstract", "unixdg:@kettle-test-dg-%.0s%d", false);
}

static int followed_udp_daemon_work_is_recorded(void)
{
	return daemon_case_run("daemon-udp-follow", "udp:%.0s%d", true);
}

static int followed_unix_datagram_daemon_work_is_recorded(void)
{
	return daemon_case_run("daemon-unixdg-follow", "unixdg:%s/d.sock", true);
}

/*
 * A unix datagram receiver in another network namespace: the build reaches
 * it by path, no socket of the collector's namespace is bound there, so no
 * process is named; the reason says so.
 */
static int unfound_datagram_receiver_is_said(void)
{
	struct daemon_case d = { .wrap = "unshare" };
	const struct log_event *n;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	if (test_sh("unshare -n true 2>/dev/null") != 0)
		return TEST_SKIP;
	rc = daemon_start(&d, "daemon-unixdg-netns", "unixdg:%s/d.sock");
	if (rc == TEST_PASS) {
		rc = daemon_build(&d, false);
		if (rc != 125) {
			fprintf(stderr, "  kettle run: expected 125, got %d\n", rc);
			rc = TEST_FAIL;
		} else if (log_load(d.log, &d.f) || !(n = daemon_notice(&d.f)) ||
			   !(n->notice.arg1 & LOG_DAEMON_NOT_FOUND) || n->tgid == (uint32_t)d.server) {
			fprintf(stderr, "  no notice from the sender that the receiver was not found\n");
			rc = TEST_FAIL;
		} else if (test_sh("grep -q '\"reason\":\"daemon\"' %s && grep -q 'did not find' %s"
				   " && grep -q '\"path\":\"%s/d.sock\"' %s", d.stmt, d.stmt, d.dir, d.stmt) != 0) {
			fprintf(stderr, "  the provenance does not say the receiver was not found: %s\n", d.stmt);
			rc = TEST_FAIL;
		} else {
			rc = TEST_PASS;
		}
	}
	daemon_stop(&d);
	return rc;
}

/*
 * The build runs the datagram receiver itself (SPEC_FMT, %d: a port), and it
 * answers the client at the address the kernel gave the client's socket (a
 * UDP port, a unix autobind name): nothing outside served the build, the
 * provenance is complete.
 */
static int inside_receiver_run(const char *name, const char *spec_fmt)
{
	struct daemon_case d = { 0 };
	char helper[512], kettle[512], ready[330];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	test_workdir(name, d.dir, d.log);
	snprintf(d.stmt, sizeof(d.stmt), "%s/prov.json", d.dir);
	snprintf(d.input, sizeof(d.input), "%s/input.txt", d.dir);
	snprintf(d.out, sizeof(d.out), "%s/out.txt", d.dir);
	snprintf(ready, sizeof(ready), "%s/ready", d.dir);
	snprintf(d.spec, sizeof(d.spec), spec_fmt, 20000 + getpid() % 20000);
	test_path(helper, sizeof(helper), "tests/helpers", "daemon_peer");
	test_path(kettle, sizeof(kettle), "", "kettle");
	if (test_sh("echo 'bytes the build serves itself' > %s", d.input) != 0)
		return TEST_FAIL;
	/* under AddressSanitizer, LeakSanitizer's check at exit uses ptrace: a reason of its own, not this test's */
	rc = test_sh("cd %s && %s run --no-progress -o %s --provenance %s --subject %s -- sh -c"
		     " 'export ASAN_OPTIONS=detect_leaks=0; %s serve %s %s & s=$!; while [ ! -e %s ]; do sleep 0.05; done;"
		     " %s ask %s %s %s; r=$?; kill $s; wait $s; exit $r' 2>%s/err.txt",
		     d.dir, kettle, d.log, d.stmt, d.out, helper, d.spec, ready, ready, helper, d.spec, d.input, d.out,
		     d.dir);
	if (rc != 0) {
		fprintf(stderr, "  kettle run exited %d (see %s/err.txt)\n", rc, d.dir);
		rc = TEST_FAIL;
	} else if (test_sh("cmp -s %s %s", d.input, d.out) != 0) {
		fprintf(stderr, "  the build did not get the bytes\n");
		rc = TEST_FAIL;
	} else if (log_load(d.log, &d.f) || daemon_notice(&d.f)) {
		fprintf(stderr, "  the log names a daemon, but the receiver was the build's own\n");
		rc = TEST_FAIL;
	} else {
		rc = test_sh("grep -q '\"complete\":true' %s", d.stmt) == 0 ? TEST_PASS : TEST_FAIL;
	}
	log_file_free(&d.f);
	return rc;
}

static int datagram_receiver_inside_the_build_is_complete(void)
{
	return inside_receiver_run("daemon-udp-inside", "udp:%d");
}

static int unix_datagram_receiver_inside_the_build_is_complete(void)
{
	return inside_receiver_run("daemon-unixdg-inside", "unixdg:@kettle-test-in-%d");
}

static const struct test tests[] = {
	{ "no_output_still_names_the_daemon", no_output_still_names_the_daemon },
	{ "unix_daemon_is_named_and_incomplete", unix_daemon_is_named_and_incomplete },
	{ "loopback_daemon_is_named_and_incomplete", loopback_daemon_is_named_and_incomplete },
	{ "followed_unix_daemon_work_is_recorded", followed_unix_daemon_work_is_recorded },
	{ "followed_loopback_daemon_work_is_recorded", followed_loopback_daemon_work_is_recorded },
	{ "uring_unix_daemon_is_named_and_incomplete", uring_unix_daemon_is_named_and_incomplete },
	{ "uring_loopback_daemon_is_named_and_incomplete", uring_loopback_daemon_is_named_and_incomplete },
	{ "udp_daemon_is_named_and_incomplete", udp_daemon_is_named_and_incomplete },
	{ "udp6_daemon_is_named_and_incomplete", udp6_daemon_is_named_and_incomplete },
	{ "dual_stack_udp_daemon_is_named", dual_stack_udp_daemon_is_named },
	{ "unix_datagram_daemon_is_named", unix_datagram_daemon_is_named },
	{ "abstract_datagram_daemon_is_named", abstract_datagram_daemon_is_named },
	{ "followed_udp_daemon_work_is_recorded", followed_udp_daemon_work_is_recorded },
	{ "followed_unix_datagram_daemon_work_is_recorded", followed_unix_datagram_daemon_work_is_recorded },
	{ "unfound_datagram_receiver_is_said", unfound_datagram_receiver_is_said },
	{ "datagram_receiver_inside_the_build_is_complete", datagram_receiver_inside_the_build_is_complete },
	{ "unix_datagram_receiver_inside_the_build_is_complete", unix_datagram_receiver_inside_the_build_is_complete },
};

TEST_MAIN("daemons", tests)
