// SPDX-License-Identifier: MIT
/*
 * Each way a build could read, run or reach something past the tracer
 * (docs/threat-model.md), done inside a traced build by
 * tests/helpers/blind_spot: what Kettle can record is in the log with the
 * file's identity and the provenance stays complete; what it cannot is a
 * named reason and `complete: false`, and kettle run says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "kettle_test.h"

/* Touched by the traced build through process_vm_readv: an untracked process's memory. */
static volatile unsigned long secret_word = 0x6b6574746c65;

struct blind_run {
	char dir[256], log[300], stmt[320], err[320], input[320];
	int status;             /* kettle run's exit status */
	json_t *completeness;   /* the statement's byproducts completeness (owned by stmt_json) */
	json_t *stmt_json;
};

static void blind_run_free(struct blind_run *r)
{
	json_decref(r->stmt_json);
	r->stmt_json = NULL;
}

/* The statement kettle run wrote, and its byproducts' completeness. */
static void blind_statement_load(struct blind_run *r)
{
	r->stmt_json = json_load_file(r->stmt, 0, NULL);
	r->completeness = json_object_get(json_object_get(json_array_get(json_object_get(json_object_get(
		json_object_get(r->stmt_json, "predicate"), "runDetails"), "byproducts"), 0), "annotations"),
		"completeness");
}

/*
 * kettle run --provenance in a fresh directory (the build's cwd), on
 * `blind_spot ARGS...; echo done > out` so the statement has a subject.
 * ARGS may use %s for the input file.  Returns the helper's status (77: this
 * machine cannot do it), or -1.
 */
static int blind_run_scoped(struct blind_run *r, const char *name, const char *args, const char *scope)
{
	char helper[512], script[2048], kettle[512], cmd[1200];
	int status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	test_workdir(name, r->dir, r->log);
	snprintf(r->stmt, sizeof(r->stmt), "%s/statement.json", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->input, sizeof(r->input), "%s/input.txt", r->dir);
	if (test_sh("echo input-bytes > '%s'", r->input))
		return -1;
	test_path(helper, sizeof(helper), "tests/helpers", "blind_spot");
	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(cmd, sizeof(cmd), args, r->input);
	/*
	 * Under AddressSanitizer the helper's leak check would judge the helper's
	 * error paths (its ptrace of its own threads is no reason), and its SIGSEGV
	 * handler would turn the fault of a refused int 0x80 into exit 1: both off
	 * inside the build.
	 */
	snprintf(script, sizeof(script), "ASAN_OPTIONS=detect_leaks=0:handle_segv=0 %s %s; rc=$?; echo done > out;"
		 " exit $rc", helper, cmd);
	pid = fork();
	if (pid == 0) {
		int e = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (e < 0 || dup2(e, 2) < 0 || chdir(r->dir))
			_exit(125);
		if (scope)
			execl(kettle, kettle, "run", "--no-progress", "-o", r->log, "--provenance", r->stmt, "--scope",
			      scope, "--", "/bin/sh", "-c", script, (char *)NULL);
		else
			execl(kettle, kettle, "run", "--no-progress", "-o", r->log, "--provenance", r->stmt, "--",
			      "/bin/sh", "-c", script, (char *)NULL);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	r->status = WEXITSTATUS(status);
	blind_statement_load(r);
	if (r->status == 77)
		return 77;
	return r->status;
}

static int blind_run(struct blind_run *r, const char *name, const char *args)
{
	return blind_run_scoped(r, name, args, NULL);
}

/* Whether the completeness names REASON. */
static bool names_reason(const struct blind_run *r, const char *reason)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(r->completeness, "reasons"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "reason")) ?: "", reason))
			return true;
	return false;
}

static bool is_complete(const struct blind_run *r)
{
	return json_is_true(json_object_get(r->completeness, "complete"));
}

/* The open of PATH by CALL (any call when 0) in the log: whether there is one, and the thread that made it. */
static bool log_open_thread(const struct blind_run *r, const char *path, uint32_t call, uint32_t *tgid,
			    uint32_t *tid)
{
	struct log_file f = { 0 };
	bool found = false;

	if (log_load(r->log, &f))
		return false;
	for (size_t i = 0; i < f.nevents && !found; i++) {
		const struct log_event *e = &f.events[i];

		found = e->type == LOG_EV_OPEN && e->open.path && !strcmp(e->open.path, path) &&
			e->open.result >= 0 && (!call || e->open.call == call);
		if (found) {
			*tgid = e->tgid;
			*tid = e->tid;
		}
	}
	log_file_free(&f);
	return found;
}

/* Whether the log has a failed open of PATH by CALL with RESULT. */
static bool log_has_failed_open(const struct blind_run *r, const char *path, uint32_t call, int32_t result)
{
	struct log_file f = { 0 };
	bool found = false;

	if (log_load(r->log, &f))
		return false;
	for (size_t i = 0; i < f.nevents && !found; i++) {
		const struct log_event *e = &f.events[i];

		found = e->type == LOG_EV_OPEN && e->open.call == call && e->open.result == result && e->open.path &&
			!strcmp(e->open.path, path);
	}
	log_file_free(&f);
	return found;
}

static bool log_has_open(const struct blind_run *r, const char *path, uint32_t call)
{
	uint32_t tgid, tid;

	return log_open_thread(r, path, call, &tgid, &tid);
}

/* A blind spot Kettle can only flag: the run fails (125), the statement says incomplete and names REASON. */
static int flagged(const char *name, const char *args, const char *reason)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, name, args);
	if (rc == 77) {
		blind_run_free(&r);
		return test_skip("this machine cannot do %s", name);
	}
	CHECK(r.stmt_json, "a statement was written (%s)", r.stmt);
	CHECK(r.completeness, "the statement has a completeness");
	CHECK(!is_complete(&r), "%s: not complete", name);
	CHECK(names_reason(&r, reason), "%s: the reason %s is named", name, reason);
	CHECK(r.status == 125, "kettle run exits 125 for an incomplete provenance (got %d)", r.status);
	CHECK(test_sh("grep -q 'incomplete' '%s' && grep -q '%s' '%s'", r.err, reason, r.err) == 0,
	      "kettle run says why on stderr");
	blind_run_free(&r);
	return TEST_PASS;
}

/* A blind spot Kettle records: the file is an input of the log by CALL, and the provenance stays complete. */
static int recorded(const char *name, const char *args, uint32_t call)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, name, args);
	if (rc == 77) {
		blind_run_free(&r);
		return test_skip("this machine cannot do %s", name);
	}
	CHECK(rc == 0, "%s: kettle run exits 0 (got %d)", name, rc);
	CHECK(log_has_open(&r, r.input, call), "%s: the log has the open of %s by call %u", name, r.input, call);
	CHECK(is_complete(&r), "%s: complete (recorded, not lost)", name);
	blind_run_free(&r);
	return TEST_PASS;
}


/* Whether PATH is a resolved dependency of the statement, with its sha256. */
static bool is_dependency(const struct blind_run *r, const char *path)
{
	json_t *deps, *d;
	bool found = false;
	size_t i;

	deps = json_object_get(json_object_get(json_object_get(r->stmt_json, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
	json_array_foreach(deps, i, d)
		found |= strstr(json_string_value(json_object_get(d, "uri")) ?: "", path) &&
			 json_object_get(json_object_get(d, "digest"), "sha256");
	return found;
}

/*
 * The helper opens and reads the input through an io_uring used MODE: the
 * open is in the log as an io_uring open by the helper's process, the input
 * is a dependency with its digest, and the record is complete.  OTHER_THREAD:
 * the kernel ran the request in a thread of the process other than the one
 * that submitted it (the SQPOLL thread, an io-wq worker), and the record
 * must still be the process's.
 */
static int uring_open(const char *mode, bool other_thread)
{
	struct blind_run r;
	char args[64];
	uint32_t tgid = 0, tid = 0;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	snprintf(args, sizeof(args), "%s %%s", mode);
	rc = blind_run(&r, mode, args);
	CHECK(rc == 0, "%s: kettle run exits 0 (got %d)", mode, rc);
	CHECK(log_open_thread(&r, r.input, LOG_CALL_IO_URING_OPEN, &tgid, &tid),
	      "%s: the log has the io_uring open of %s", mode, r.input);
	CHECK(!other_thread || tid != tgid, "%s: the open was done by another thread (%u) of process %u", mode, tid,
	      tgid);
	CHECK(is_dependency(&r, r.input), "%s: the input is a dependency with its sha256", mode);
	CHECK(is_complete(&r), "%s: complete", mode);
	blind_run_free(&r);
	return TEST_PASS;
}

/* A file probed through an io_uring and absent: the failed open is in the log like a failed openat. */
static int io_uring_failed_open_is_recorded(void)
{
	struct blind_run r;
	char absent[400];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "uring-absent", "io-uring-absent not-here.h");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	snprintf(absent, sizeof(absent), "%s/not-here.h", r.dir);
	CHECK(log_has_failed_open(&r, absent, LOG_CALL_IO_URING_OPEN, -ENOENT),
	      "the log has the failed io_uring open of %s (ENOENT)", absent);
	CHECK(is_complete(&r), "complete: a failed probe is recorded, not a blind spot");
	blind_run_free(&r);
	return TEST_PASS;
}

static int io_uring_open_is_recorded(void)
{
	return uring_open("io-uring", false);
}

static int io_uring_open_by_sqpoll_thread_is_recorded(void)
{
	return uring_open("io-uring-sqpoll", true);
}

static int io_uring_open_by_io_wq_worker_is_recorded(void)
{
	return uring_open("io-uring-async", true);
}

/* Opened straight into a fixed-file slot: no descriptor, the file read from the ring's table. */
static int io_uring_direct_open_is_recorded(void)
{
	return uring_open("io-uring-direct", false);
}

/* socket, connect and accept through an io_uring: net records like the calls', the peer the listener's. */
static int io_uring_connect_is_recorded(void)
{
	struct blind_run r;
	struct log_file f = { 0 };
	char path[400];
	const uint8_t lo[4] = { 127, 0, 0, 1 };
	bool connect = false, accepted = false, sock = false;
	unsigned int port = 0;
	FILE *pf;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "io-uring-connect", "io-uring-connect");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	snprintf(path, sizeof(path), "%s/port", r.dir);
	pf = fopen(path, "r");
	CHECK(pf && fscanf(pf, "%u", &port) == 1 && port, "the helper wrote its port to %s", path);
	fclose(pf);
	CHECK(log_load(r.log, &f) == 0, "load %s", r.log);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type != LOG_EV_NET || e->net.fd != -1)   /* the io_uring records name no descriptor */
			continue;
		sock |= e->net.call == LOG_NET_SOCKET && e->net.family == AF_INET && e->net.result >= 0;
		connect |= e->net.call == LOG_NET_CONNECT && e->net.result == 0 && e->net.family == AF_INET &&
			   e->net.addr_source == LOG_ADDR_PEER && e->net.port == port && !memcmp(e->net.addr, lo, 4);
		accepted |= e->net.call == LOG_NET_ACCEPT4 && e->net.result >= 0 && e->net.family == AF_INET &&
			    e->net.addr_source == LOG_ADDR_PEER && !memcmp(e->net.addr, lo, 4);
	}
	log_file_free(&f);
	CHECK(sock, "the io_uring socket is in the log");
	CHECK(connect, "the io_uring connect is in the log with its peer 127.0.0.1:%u", port);
	CHECK(accepted, "the io_uring accept is in the log with its peer");
	CHECK(is_complete(&r), "complete: the listener was the build's own");
	blind_run_free(&r);
	return TEST_PASS;
}

/* A change of the file tree through an io_uring is not recorded: flagged, naming the opcode. */
static int uring_tree_change(const char *mode, const char *op)
{
	struct blind_run r;
	json_t *v;
	size_t i;
	bool named = false;
	int rc = flagged(mode, mode, "io-uring-op");

	if (rc != TEST_PASS)
		return rc;
	CHECK(blind_run(&r, mode, mode) == 125, "%s: kettle run exits 125", mode);
	json_array_foreach(json_object_get(r.completeness, "reasons"), i, v)
		named |= !strcmp(json_string_value(json_object_get(v, "reason")) ?: "", "io-uring-op") &&
			 strstr(json_string_value(json_object_get(v, "detail")) ?: "", op);
	CHECK(named, "%s: the io-uring-op reason names %s", mode, op);
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * A process outside the build (this test's child) takes the build's ring with
 * pidfd_getfd and puts a file into its fixed table with IORING_OP_MSG_RING:
 * the build then reads a file no process of the build opened.
 */
static int io_uring_message_from_outside_is_flagged(void)
{
	char addr[128], secret[128], helper[512], args[256];
	int rc = bpf_usable(), st = -1;
	pid_t sender;

	if (rc != TEST_PASS)
		return rc;
	snprintf(addr, sizeof(addr), "/tmp/kettle-test-%d-uring-ring", (int)getpid());
	snprintf(secret, sizeof(secret), "/tmp/kettle-test-%d-uring-secret", (int)getpid());
	unlink(addr);
	if (test_sh("echo from-outside > '%s'", secret))
		return TEST_FAIL;
	test_path(helper, sizeof(helper), "tests/helpers", "blind_spot");
	sender = fork();
	if (sender == 0) {
		execl(helper, helper, "io-uring-send", addr, secret, (char *)NULL);
		_exit(125);
	}
	CHECK(sender > 0, "fork the sender");
	snprintf(args, sizeof(args), "io-uring-receive %s", addr);
	rc = flagged("uring-msg", args, "io-uring");
	CHECK(waitpid(sender, &st, 0) == sender && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the process outside the build put its file into the build's ring (status %#x)", st);
	unlink(addr);
	unlink(secret);
	return rc;
}

static bool log_has_snapshot(const struct blind_run *r, uint32_t tgid)
{
	struct log_file f = { 0 };
	bool found = false;

	if (log_load(r->log, &f))
		return false;
	for (size_t i = 0; i < f.nevents && !found; i++)
		found = f.events[i].type == LOG_EV_PROC_SNAPSHOT && f.events[i].tgid == tgid;
	log_file_free(&f);
	return found;
}

/* The reason REASON's pid, or 0. */
static json_int_t reason_pid(const struct blind_run *r, const char *reason)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(r->completeness, "reasons"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "reason")) ?: "", reason))
			return json_integer_value(json_object_get(v, "pid"));
	return 0;
}

/*
 * A process of the build dumps core while core_pattern is a pipe: the kernel
 * starts the pipe's program, outside the build's tree, and gives it the
 * core.  The reason names that program (its pid, snapshotted in the log with
 * its program) and the process whose core it was given.
 */
static int core_dump_to_a_pipe_is_flagged(void)
{
	char saved[512] = "", script[128], pattern[160];
	struct blind_run r;
	json_int_t helper;
	FILE *f;
	int rc = bpf_usable(), restored;

	if (rc != TEST_PASS)
		return rc;
	f = fopen("/proc/sys/kernel/core_pattern", "r");
	CHECK(f && fgets(saved, sizeof(saved), f), "read core_pattern");
	fclose(f);
	snprintf(script, sizeof(script), "/tmp/kettle-test-%d-core-helper", (int)getpid());
	if (test_sh("printf '#!/bin/sh\\ncat >/dev/null\\n' > '%s' && chmod 755 '%s'", script, script))
		return TEST_FAIL;
	snprintf(pattern, sizeof(pattern), "|%s", script);
	if (test_sh("printf '%%s' '%s' > /proc/sys/kernel/core_pattern 2>/dev/null", pattern)) {
		unlink(script);
		return test_skip("core_pattern cannot be set here");
	}
	rc = blind_run(&r, "core-dump", "core-dump");
	f = fopen("/proc/sys/kernel/core_pattern", "w");
	restored = f && fputs(saved, f) >= 0;
	restored = f && !fclose(f) && restored;
	unlink(script);
	CHECK(restored, "core_pattern restored to %s", saved);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "kernel-helper"), "the reason kernel-helper is named");
	helper = reason_pid(&r, "kernel-helper");
	CHECK(helper > 0, "the reason names the helper's pid");
	CHECK(log_has_snapshot(&r, (uint32_t)helper), "the log has a snapshot of the helper (pid %lld)", (long long)helper);
	blind_run_free(&r);
	return TEST_PASS;
}

/* The pid a process of the build wrote to FILE, waited for up to 30 s; 0 when none came. */
static pid_t pid_from_file(const char *file)
{
	int pid = 0;

	for (int i = 0; i < 3000 && !pid; i++) {
		FILE *f = fopen(file, "r");

		if (!f || fscanf(f, "%d", &pid) != 1)
			pid = 0, usleep(10000);
		if (f)
			fclose(f);
	}
	return pid;
}

/*
 * A process outside the build (this test's child) sends the build a signal
 * with a value (sigqueue): data from outside.  The reason names the sender,
 * and the log has a snapshot of it.  SCOPE: kettle run --scope (NULL: the
 * process tree).
 */
static int signal_from_outside(const char *name, const char *scope)
{
	char file[128], args[200];
	union sigval v = { .sival_int = 4242 };
	struct blind_run r;
	json_int_t sender_pid;
	int rc = bpf_usable(), st = -1;
	pid_t sender;

	if (rc != TEST_PASS)
		return rc;
	snprintf(file, sizeof(file), "/tmp/kettle-test-%d-signal-pid", (int)getpid());
	unlink(file);
	sender = fork();
	if (sender == 0) {
		pid_t pid = pid_from_file(file);

		_exit(pid > 0 && sigqueue(pid, SIGUSR1, v) == 0 ? 0 : 1);
	}
	CHECK(sender > 0, "fork the sender");
	snprintf(args, sizeof(args), "wait-signal %s", file);
	rc = blind_run_scoped(&r, name, args, scope);
	CHECK(waitpid(sender, &st, 0) == sender && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the process outside the build signalled it (status %#x)", st);
	unlink(file);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "signal-from-outside"), "the reason signal-from-outside is named");
	sender_pid = reason_pid(&r, "signal-from-outside");
	CHECK(sender_pid == sender, "the reason names the sender, pid %d (got %lld)", (int)sender, (long long)sender_pid);
	CHECK(log_has_snapshot(&r, (uint32_t)sender), "the log has a snapshot of the sender");
	blind_run_free(&r);
	return TEST_PASS;
}

static int signal_from_outside_is_flagged(void)
{
	return signal_from_outside("signal", NULL);
}

static int signal_from_outside_is_flagged_with_cgroup_scope(void)
{
	return signal_from_outside("signal-cgroup", "cgroup");
}

/*
 * Signals inside the build (a parent stopping its child, as make and timeout
 * do) are no input, nor are a timer's: it fires in an interrupt, which finds
 * whatever runs, here two busy processes outside the build.
 */
static int signals_inside_the_build_stay_complete(void)
{
	struct blind_run r;
	pid_t busy[2];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "signal-child", "signal-child");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete");
	blind_run_free(&r);
	for (int i = 0; i < 2; i++)
		if ((busy[i] = fork()) == 0)
			for (;;)
				;
	rc = blind_run(&r, "timer-signals", "timer-signals 300");
	for (int i = 0; i < 2; i++)
		if (busy[i] > 0) {
			kill(busy[i], SIGKILL);
			waitpid(busy[i], NULL, 0);
		}
	CHECK(rc == 0, "kettle run of a build that takes 300 timer signals exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: a timer is no sender");
	blind_run_free(&r);
	return TEST_PASS;
}

static int io_uring_rename_is_flagged(void)
{
	return uring_tree_change("io-uring-rename", "renameat");
}

static int io_uring_unlink_is_flagged(void)
{
	return uring_tree_change("io-uring-unlink", "unlinkat");
}

/*
 * On a kernel without IA32 emulation (this project's CI machines) no 32-bit
 * call can be made at all: the helper says so (77) and the test checks that
 * nothing reached the file either.  Where the kernel has it, the 32-bit open
 * is in the log like a native one; tools/kmod-test runs that case in
 * Debian's 6.1 kernel, which has it.
 */
static int int80_open_is_recorded(void)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "int80", "int80 %s");
	if (rc == 77) {
		fprintf(stderr, "  this kernel refuses 32-bit system calls (int 0x80): there is nothing to record\n");
		CHECK(!log_has_open(&r, r.input, 0), "no open of the input can have happened");
		blind_run_free(&r);
		return TEST_PASS;
	}
	blind_run_free(&r);
	return recorded("int80", "int80 %s", LOG_CALL_OPEN);
}

static int memfd_exec_is_flagged(void)
{
	return flagged("memfd", "memfd-exec", "exec-unlinked");
}

static int deleted_exec_is_flagged(void)
{
	return flagged("deleted", "deleted-exec .", "exec-unlinked");
}

static int fd_received_over_socket_is_recorded(void)
{
	return recorded("recv-fd", "recv-fd %s", LOG_CALL_RECV_FD);
}

static int open_by_handle_is_recorded(void)
{
	return recorded("by-handle", "by-handle %s", LOG_CALL_OPEN_BY_HANDLE);
}

/*
 * The build reaches a file this test process (outside the traced tree) holds
 * open: MODE is the helper's way in, given "PID FD" ("%d %d" in MODE), and
 * CALL the open call the log must show (0: any).  The file must be an input
 * of a complete record.
 */
static int file_held_outside(const char *name, const char *mode, uint32_t call)
{
	char args[128], path[320];
	struct blind_run r;
	int fd, rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	snprintf(path, sizeof(path), "/tmp/kettle-test-%d-%s-file", (int)getpid(), name);
	if (test_sh("echo outside > '%s'", path))
		return TEST_FAIL;
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s", path);
	snprintf(args, sizeof(args), mode, (int)getpid(), fd);
	rc = blind_run(&r, name, args);
	close(fd);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(log_has_open(&r, path, call), "the log has the file itself, %s", path);
	CHECK(is_complete(&r), "complete: the file is an input with its digest");
	unlink(path);
	blind_run_free(&r);
	return TEST_PASS;
}

static int fd_taken_from_outside_is_recorded(void)
{
	return file_held_outside("pidfd-getfd", "pidfd-getfd %d %d", LOG_CALL_PIDFD_GETFD);
}

/* /proc/PID/fd/N: the kernel opens the file itself, and that is what is recorded. */
static int fd_reopened_through_proc_is_recorded(void)
{
	return file_held_outside("proc-fd", "read /proc/%d/fd/%d", 0);
}

static int memory_of_untracked_process_is_flagged(void)
{
	char args[128];

	snprintf(args, sizeof(args), "vm-read %d %p", (int)getpid(), (void *)&secret_word);
	return flagged("vm-read", args, "process-memory");
}

/* The build reads its own memory: through a thread's id, and a child's (with --scope cgroup, SCOPE): complete. */
static int own_memory_read_stays_complete(const char *name, const char *scope)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run_scoped(&r, name, "vm-read-own", scope);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the memory read is the build's own");
	blind_run_free(&r);
	return TEST_PASS;
}

static int memory_of_own_thread_and_child_stays_complete(void)
{
	return own_memory_read_stays_complete("vm-read-own", NULL);
}

static int memory_of_own_child_stays_complete_with_cgroup_scope(void)
{
	return own_memory_read_stays_complete("vm-read-own-cgroup", "cgroup");
}

static int memory_of_untracked_process_is_flagged_with_cgroup_scope(void)
{
	char args[128];
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	snprintf(args, sizeof(args), "vm-read %d %p", (int)getpid(), (void *)&secret_word);
	rc = blind_run_scoped(&r, "vm-read-cgroup", args, "cgroup");
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "process-memory"), "the reason process-memory is named");
	blind_run_free(&r);
	return TEST_PASS;
}

static int new_mount_namespace_is_flagged(void)
{
	return flagged("unshare", "unshare", "namespace");
}

static int bpf_use_is_flagged(void)
{
	return flagged("bpf", "bpf", "bpf");
}

static int ptrace_of_outside_process_is_flagged(void)
{
	char args[64];
	pid_t child = fork();
	int rc;

	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(args, sizeof(args), "ptrace %d", (int)child);
	rc = flagged("ptrace", args, "ptrace");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return rc;
}

/* A debugger of the build attached to a process of the build: the build's own doing, complete. */
static int ptrace_within_the_build_stays_complete(void)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "ptrace-child", "ptrace-child");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the tracee is the build's own");
	blind_run_free(&r);
	rc = blind_run_scoped(&r, "ptrace-child-cgroup", "ptrace-child", "cgroup");
	CHECK(rc == 0, "with --scope cgroup: kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "with --scope cgroup: complete");
	blind_run_free(&r);
	return TEST_PASS;
}

static int ptrace_of_the_collector_is_flagged(void)
{
	return flagged("ptrace-tracer", "ptrace-tracer", "ptrace");
}

static int leaving_the_cgroup_is_flagged(void)
{
	return flagged("cgroup-move", "cgroup-move", "cgroup-move");
}

static int signalling_the_collector_is_flagged(void)
{
	return flagged("signal", "signal-tracer", "signal-tracer");
}

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	++*(long *)ctx;
	return 0;
}

static volatile sig_atomic_t thief_stopped;

static void thief_stop(int sig)
{
	(void)sig;
	thief_stopped = 1;
}

/*
 * The thief: a process outside the build that reads Kettle's ring buffer (the
 * newest map named "events" after AFTER_ID), makes the file READY once it holds
 * it, and reads until the build makes READY.over (or SIGTERM, at most 120 s),
 * then lets go of the ring and makes READY.gone. Exits 0 when it took records,
 * 1 when it took none, 2 when it found no ring buffer.
 */
static void ring_thief(__u32 after_id, const char *ready)
{
	time_t end = time(NULL) + 120;
	struct ring_buffer *rb = NULL;
	char over[160], gone[160];
	long taken = 0;
	int fd;

	signal(SIGTERM, thief_stop);
	while (!rb && !thief_stopped && time(NULL) < end) {
		__u32 id = after_id;

		while (!rb && !bpf_map_get_next_id(id, &id)) {
			struct bpf_map_info info = { 0 };
			__u32 len = sizeof(info);

			fd = bpf_map_get_fd_by_id(id);
			if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_RINGBUF &&
			    !strcmp(info.name, "events"))
				rb = ring_buffer__new(fd, count_record, &taken, NULL);
			else if (fd >= 0)
				close(fd);
		}
		usleep(1000);
	}
	if (!rb)
		_exit(2);
	snprintf(over, sizeof(over), "%s.over", ready);
	snprintf(gone, sizeof(gone), "%s.gone", ready);
	fd = open(ready, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	/* until the build's stream is over: the records after it (its output's) are left to Kettle */
	while (!thief_stopped && time(NULL) < end && access(over, F_OK))
		ring_buffer__consume(rb);
	ring_buffer__free(rb);
	fd = open(gone, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
	_exit(taken > 0 ? 0 : 1);
}

/*
 * A root process outside the build reads Kettle's ring buffer while the build
 * runs: records vanish with no loss counted. The per-CPU record numbers show it.
 * The build's stream of opens starts only once the thief holds the ring buffer,
 * so a slow start (sanitizers, a loaded machine) cannot leave it nothing to take.
 */
static int ring_buffer_read_by_another_process_is_flagged(void)
{
	struct blind_run r;
	__u32 last_id = 0, id = 0;
	int rc = bpf_usable(), status = 0;
	char ready[128], args[200];
	pid_t thief;

	if (rc != TEST_PASS)
		return rc;
	snprintf(ready, sizeof(ready), "/tmp/kettle-test-%d-thief-ready", (int)getpid());
	test_sh("rm -f '%s' '%s.over' '%s.gone'", ready, ready, ready);
	snprintf(args, sizeof(args), "reads %%s 400000 %s", ready);
	while (!bpf_map_get_next_id(id, &id))
		last_id = id;
	thief = fork();
	if (thief == 0)
		ring_thief(last_id, ready);
	CHECK(thief > 0, "fork");
	rc = blind_run(&r, "ring-thief", args);
	kill(thief, SIGTERM);
	CHECK(waitpid(thief, &status, 0) == thief, "thief waited for");
	test_sh("rm -f '%s' '%s.over' '%s.gone'", ready, ready, ready);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the thief took records from Kettle's ring buffer (status %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	CHECK(r.stmt_json && r.completeness, "a statement with a completeness was written");
	CHECK(!is_complete(&r), "not complete");
	CHECK(names_reason(&r, "records-unaccounted"), "the reason records-unaccounted is named");
	CHECK(json_integer_value(json_object_get(r.completeness, "recordsUnaccounted")) > 0,
	      "recordsUnaccounted counts the vanished records");
	CHECK(r.status == 125, "kettle run exits 125 (got %d)", r.status);
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * The first block device of this machine, read by the build through a node of
 * its own outside /dev (mknod in the build's directory): no path prefix hides a
 * disk. DEV_NODE receives the /dev name, NODE the made one.
 */
static int block_device_nodes(char *dev_node, size_t dlen, char *node, size_t nlen)
{
	char line[300], name[256];
	unsigned int major, minor;
	FILE *f = popen("for d in /sys/dev/block/*; do n=$(sed -n 's/^DEVNAME=//p' $d/uevent);"
			" [ -b \"/dev/$n\" ] && { echo \"${d##*/} /dev/$n\"; break; }; done", "r");
	bool got = f && fgets(line, sizeof(line), f) && sscanf(line, "%u:%u %255s", &major, &minor, name) == 3;

	if (f)
		pclose(f);
	if (!got)
		return 77;
	snprintf(dev_node, dlen, "%s", name);
	snprintf(node, nlen, "/tmp/kettle-test-%d-disk", (int)getpid());
	unlink(node);
	if (mknod(node, S_IFBLK | 0600, makedev(major, minor)))
		return 77;
	return 0;
}

/*
 * A pipe this test (outside the build) holds, reopened by the build through
 * /proc/PID/fd/N: the kernel resolves it to the pipe, which has no path; the
 * name as passed says whose it was.
 */
static int outside_pipe_through_proc_is_flagged(void)
{
	char args[96];
	int p[2], rc;

	/* close-on-exec: the build does not inherit it, it reaches it only through /proc */
	if (pipe2(p, O_CLOEXEC) || write(p[1], "from outside\n", 13) != 13)
		return TEST_FAIL;
	snprintf(args, sizeof(args), "read /proc/%d/fd/%d", (int)getpid(), p[0]);
	/* this test holds the write end: the pipe's writer is outside the build (without one: process-info) */
	rc = flagged("outside-pipe", args, "fifo-from-outside");
	close(p[0]);
	close(p[1]);
	return rc;
}

/*
 * A FIFO the build reads by name, written by a process outside it: the
 * writer opens it after the build (its open waits for the reader), or held
 * it open (O_RDWR) with bytes in it since before `kettle run` began.  Either
 * is input from outside: fifo-from-outside, and the log names the writer.
 */
static int fifo_from_outside(const char *name, bool before)
{
	char fifo[128], args[200];
	struct blind_run r;
	int rc = bpf_usable(), st = -1, ready[2], unblock;
	bool named = false;
	struct log_file f = { 0 };
	pid_t writer;

	if (rc != TEST_PASS)
		return rc;
	snprintf(fifo, sizeof(fifo), "/tmp/kettle-test-%d-%s.fifo", (int)getpid(), name);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0600) == 0 && pipe(ready) == 0, "mkfifo %s", fifo);
	writer = fork();
	if (writer == 0) {
		int fd = open(fifo, before ? O_RDWR : O_WRONLY);

		/* before: the bytes are in the FIFO, and the writer holds it, when the build starts */
		if (fd < 0 || write(fd, "from outside\n", 13) != 13 || write(ready[1], "r", 1) != 1)
			_exit(1);
		if (before)
			pause();
		_exit(0);
	}
	CHECK(writer > 0, "fork the writer");
	close(ready[1]);
	if (before) {
		char c;

		CHECK(read(ready[0], &c, 1) == 1, "the writer holds the FIFO");
	}
	snprintf(args, sizeof(args), "read %s", fifo);
	rc = blind_run(&r, name, args);
	if (before)
		kill(writer, SIGKILL);
	/* a build that never opened the FIFO must not leave the writer waiting for a reader */
	unblock = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK(waitpid(writer, &st, 0) == writer && (before || (WIFEXITED(st) && WEXITSTATUS(st) == 0)),
	      "the writer outside the build wrote (status %#x)", st);
	close(ready[0]);
	if (unblock >= 0)
		close(unblock);
	unlink(fifo);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "fifo-from-outside"), "the reason fifo-from-outside is named");
	CHECK(log_load(r.log, &f) == 0, "the log loads");
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		if (e->type == LOG_EV_NOTICE && e->notice.what == LOG_NOTICE_FIFO_FROM_OUTSIDE)
			named |= e->notice.nr == LOG_FIFO_READER_IS_NOTICED ? e->notice.arg1 == (uint64_t)writer :
								      e->tgid == (uint32_t)writer;
	}
	log_file_free(&f);
	CHECK(named, "a fifo-from-outside notice names the writer, pid %d", (int)writer);
	CHECK(log_has_snapshot(&r, (uint32_t)writer), "the log has a snapshot of the writer");
	blind_run_free(&r);
	return TEST_PASS;
}

static int fifo_written_from_outside_is_flagged(void)
{
	return fifo_from_outside("fifo-after", false);
}

static int fifo_held_from_before_the_build_is_flagged(void)
{
	return fifo_from_outside("fifo-before", true);
}

/*
 * While the build runs, a process outside it opens a file the build wrote:
 * for writing (it appends to the build's product), the product may be its
 * bytes: output-from-outside, the writer named and snapshotted; only for
 * reading (as `tail -f build.log` does), nothing is lost: complete.
 */
static int output_opened_from_outside(const char *name, bool writes)
{
	char product[320];
	struct blind_run r;
	int rc = bpf_usable(), st = -1;
	pid_t other;

	if (rc != TEST_PASS)
		return rc;
	snprintf(product, sizeof(product), "/tmp/kettle-test-%d-%s/product", (int)getpid(), name);
	other = fork();
	if (other == 0) {
		for (int i = 0; i < 1000; i++) {
			int fd = open(product, writes ? O_WRONLY | O_APPEND : O_RDONLY);
			char c;

			if (fd >= 0)
				_exit(writes ? write(fd, "from outside\n", 13) != 13 : read(fd, &c, 1) < 0);
			usleep(10000);
		}
		_exit(2);
	}
	CHECK(other > 0, "fork the process outside the build");
	rc = blind_run(&r, name, "open /dev/null && echo made > product && sleep 3");
	CHECK(waitpid(other, &st, 0) == other && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the process outside the build opened the product while the build ran (status %#x)", st);
	if (writes) {
		CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
		CHECK(names_reason(&r, "output-from-outside"), "the reason output-from-outside is named");
		CHECK(reason_pid(&r, "output-from-outside") == other, "the reason names the writer, pid %d", (int)other);
		CHECK(log_has_snapshot(&r, (uint32_t)other), "the log has a snapshot of the writer");
	} else {
		CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
		CHECK(is_complete(&r), "complete: a reader outside changes nothing the build made");
	}
	blind_run_free(&r);
	return TEST_PASS;
}

static int output_written_from_outside_is_flagged(void)
{
	return output_opened_from_outside("output-outside", true);
}

static int output_read_from_outside_stays_complete(void)
{
	return output_opened_from_outside("output-read", false);
}

/*
 * While the build runs (after it wrote its product, before it ends), a
 * process outside it puts another file in the product's place, as `sed -i`
 * or an editor does: it writes a file of its own and renames it onto the
 * product.  No open of the build's file happens; the product hashed at the
 * end is not what the build made: output-changed, and no subject.
 */
static bool names_subject(const struct blind_run *r, const char *name)
{
	size_t i, len = strlen(name);
	json_t *v;

	json_array_foreach(json_object_get(r->stmt_json, "subject"), i, v) {
		const char *s = json_string_value(json_object_get(v, "name")) ?: "";
		size_t n = strlen(s);

		if (n >= len && !strcmp(s + n - len, name) && (n == len || s[n - len - 1] == '/'))
			return true;
	}
	return false;
}

static int output_replaced_from_outside_is_flagged(void)
{
	char product[320], other_file[340];
	struct blind_run r;
	int rc = bpf_usable(), st = -1;
	pid_t other;

	if (rc != TEST_PASS)
		return rc;
	snprintf(product, sizeof(product), "/tmp/kettle-test-%d-output-replaced/product", (int)getpid());
	snprintf(other_file, sizeof(other_file), "%s.outside", product);
	other = fork();
	if (other == 0) {
		for (int i = 0; i < 1000; i++) {
			struct stat sb;

			if (!stat(product, &sb) && sb.st_size > 0) {
				int fd = open(other_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

				_exit(fd < 0 || write(fd, "from outside\n", 13) != 13 || close(fd) ||
				      rename(other_file, product));
			}
			usleep(10000);
		}
		_exit(2);
	}
	CHECK(other > 0, "fork the process outside the build");
	rc = blind_run(&r, "output-replaced", "open /dev/null && echo made > product && sleep 3");
	CHECK(waitpid(other, &st, 0) == other && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the process outside the build renamed its file onto the product (status %#x)", st);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "output-changed"), "the reason output-changed is named");
	CHECK(r.stmt_json && !names_subject(&r, "product"), "the replaced product is no subject");
	CHECK(names_subject(&r, "out"), "the build's other output is still a subject");
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * The build itself replaces its product at once (writes a new one and renames
 * it on; sed -i), and deletes and remakes another: complete, whatever Kettle's
 * look right after each write open found at the name.
 */
static int output_replaced_by_the_build_stays_complete(void)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "output-own-replace",
		       "open /dev/null && echo made > product && echo again > product.new && mv product.new product &&"
		       " sed -i s/again/and-again/ product && echo made > other && rm other && echo made > other");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the build replaced its own product");
	CHECK(names_subject(&r, "product"), "the product is a subject");
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * A process outside the build opened a file for writing before kettle run
 * began and still holds it when the build writes that file: its bytes can
 * end up in what the build made, yet no open of it happened under the
 * trace.  output-from-outside, the holder named (the notice's arg1) and
 * snapshotted.
 */
static int output_held_from_before_the_build_is_flagged(void)
{
	char product[320], args[400];
	struct blind_run r;
	struct log_file f = { 0 };
	int rc = bpf_usable(), ready[2], st = -1;
	bool named = false;
	pid_t holder;
	char c;

	if (rc != TEST_PASS)
		return rc;
	snprintf(product, sizeof(product), "/tmp/kettle-test-%d-held.product", (int)getpid());
	CHECK(pipe(ready) == 0, "pipe");
	holder = fork();
	if (holder == 0) {
		int fd = open(product, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(holder > 0 && read(ready[0], &c, 1) == 1, "the process outside holds %s open for writing", product);
	snprintf(args, sizeof(args), "open /dev/null && echo made > %s", product);
	rc = blind_run(&r, "output-held", args);
	kill(holder, SIGKILL);
	CHECK(waitpid(holder, &st, 0) == holder, "reap the holder");
	close(ready[0]);
	close(ready[1]);
	unlink(product);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "output-from-outside"), "the reason output-from-outside is named");
	CHECK(log_load(r.log, &f) == 0, "the log loads");
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		named |= e->type == LOG_EV_NOTICE && e->notice.what == LOG_NOTICE_OUTPUT_FROM_OUTSIDE &&
			 e->notice.nr == LOG_OUTPUT_HELD_BEFORE && e->notice.arg1 == (uint64_t)holder;
	}
	log_file_free(&f);
	CHECK(named, "an output-from-outside notice names the holder, pid %d", (int)holder);
	CHECK(log_has_snapshot(&r, (uint32_t)holder), "the log has a snapshot of the holder");
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * The build appends to the file its stderr already goes to (kettle run
 * 2>build.log, then a step does `echo ... >> build.log`): the other writers
 * are kettle's and the build's own inherited descriptors, nobody outside.
 */
static int output_shared_with_own_descriptors_stays_complete(void)
{
	struct log_file f = { 0 };
	struct blind_run r;
	int rc = bpf_usable();
	bool shared = false;

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "output-own", "open /dev/null && echo appended >> stderr");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the file's other writers are kettle and the build");
	CHECK(log_load(r.log, &f) == 0, "the log loads");
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];

		shared |= e->type == LOG_EV_OPEN && e->open.result >= 0 && e->open.path && strstr(e->open.path, "/stderr") &&
			  (e->open.path_flags & LOG_PATH_WRITERS_BEFORE);
	}
	log_file_free(&f);
	CHECK(shared, "the build's open of its stderr file found other writers (the case this test is about)");
	blind_run_free(&r);
	return TEST_PASS;
}

enum reach { REACH_PTRACE, REACH_MEMORY, REACH_DESCRIPTOR, REACH_PROC_MEM };

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* What a process outside the build does to process (or THREAD) PID of the build; 0 when it did it. */
static int reach_do(enum reach how, pid_t pid, bool thread)
{
	char maps[64], line[256];
	unsigned long start = 0;
	unsigned char byte;
	struct iovec local = { &byte, 1 }, remote;
	FILE *f;
	int pidfd, fd, st;

	switch (how) {
	case REACH_PTRACE:      /* attach (as a debugger or an injector does); its exit lets go */
		return ptrace(PTRACE_SEIZE, pid, 0, 0) ? -1 : 0;
	case REACH_MEMORY:      /* one byte of a writable mapping, written back as it was */
	case REACH_PROC_MEM:    /* the same through /proc/PID/mem (a thread's id works there too) */
		snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
		f = fopen(maps, "r");
		while (f && !start && fgets(line, sizeof(line), f))
			if (strstr(line, " rw-p "))
				start = strtoul(line, NULL, 16);
		if (f)
			fclose(f);
		remote = (struct iovec){ (void *)start, 1 };
		if (how == REACH_PROC_MEM) {
			snprintf(maps, sizeof(maps), "/proc/%d/mem", (int)pid);
			fd = open(maps, O_RDWR);
			st = fd >= 0 && start && pread(fd, &byte, 1, (off_t)start) == 1 &&
			     pwrite(fd, &byte, 1, (off_t)start) == 1 ? 0 : -1;
			if (fd >= 0)
				close(fd);
			return st;
		}
		return start && process_vm_readv(pid, &local, 1, &remote, 1, 0) == 1 &&
		       process_vm_writev(pid, &local, 1, &remote, 1, 0) == 1 ? 0 : -1;
	case REACH_DESCRIPTOR:  /* its standard input, taken (through a thread's pidfd: Linux 6.9 on) */
		pidfd = (int)syscall(SYS_pidfd_open, pid, thread ? PIDFD_THREAD : 0);
		fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, 0, 0);
		if (pidfd >= 0)
			close(pidfd);
		if (fd >= 0)
			close(fd);
		return fd >= 0 ? 0 : -1;
	}
	return -1;
}

/* Whom reach_into_the_build reaches: a process, or a second thread of one; the build in a cgroup scope. */
#define REACH_A_THREAD 1
#define REACH_CGROUP   2

/*
 * A process outside the build (this test's child) reaches into a process of
 * the build while it runs: a ptrace attach, a write of its memory, a
 * descriptor taken with pidfd_getfd.  process-from-outside, naming it.  A
 * thread's id reaches the whole process, so it counts the same.
 */
static int reach_into_the_build(const char *name, enum reach how, int flags)
{
	char file[128], args[512];
	struct blind_run r;
	int rc = bpf_usable(), st = -1;
	pid_t outsider;

	if (rc != TEST_PASS)
		return rc;
	snprintf(file, sizeof(file), "/tmp/kettle-test-%d-%s-pid", (int)getpid(), name);
	unlink(file);
	outsider = fork();
	if (outsider == 0) {
		pid_t pid = pid_from_file(file);

		_exit(pid > 0 && reach_do(how, pid, flags & REACH_A_THREAD) == 0 ? 0 : 1);
	}
	CHECK(outsider > 0, "fork the process outside the build");
	if (flags & REACH_A_THREAD)
		snprintf(args, sizeof(args), "thread-tid %s 2", file);
	else
		snprintf(args, sizeof(args), "open /dev/null && echo $$ > %s.tmp && mv %s.tmp %s && sleep 2", file, file,
			 file);
	rc = blind_run_scoped(&r, name, args, flags & REACH_CGROUP ? "cgroup" : NULL);
	CHECK(waitpid(outsider, &st, 0) == outsider && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the process outside the build reached into it (status %#x)", st);
	unlink(file);
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "process-from-outside"), "the reason process-from-outside is named");
	CHECK(reason_pid(&r, "process-from-outside") == outsider, "the reason names the process outside, pid %d",
	      (int)outsider);
	CHECK(log_has_snapshot(&r, (uint32_t)outsider), "the log has a snapshot of it");
	blind_run_free(&r);
	return TEST_PASS;
}

static int ptrace_attach_from_outside_is_flagged(void)
{
	return reach_into_the_build("reach-ptrace", REACH_PTRACE, 0);
}

static int memory_written_from_outside_is_flagged(void)
{
	return reach_into_the_build("reach-memory", REACH_MEMORY, 0);
}

static int descriptor_taken_from_outside_is_flagged(void)
{
	return reach_into_the_build("reach-fd", REACH_DESCRIPTOR, 0);
}

static int proc_mem_written_from_outside_is_flagged(void)
{
	return reach_into_the_build("reach-proc-mem", REACH_PROC_MEM, 0);
}

static int ptrace_attach_to_a_thread_is_flagged(void)
{
	return reach_into_the_build("reach-thread-ptrace", REACH_PTRACE, REACH_A_THREAD);
}

static int memory_written_through_a_thread_id_is_flagged(void)
{
	return reach_into_the_build("reach-thread-memory", REACH_MEMORY, REACH_A_THREAD);
}

static int descriptor_taken_through_a_thread_pidfd_is_flagged(void)
{
	return reach_into_the_build("reach-thread-fd", REACH_DESCRIPTOR, REACH_A_THREAD);
}

static int proc_mem_of_a_thread_written_is_flagged(void)
{
	return reach_into_the_build("reach-thread-proc-mem", REACH_PROC_MEM, REACH_A_THREAD);
}

static int memory_written_from_outside_is_flagged_with_cgroup_scope(void)
{
	return reach_into_the_build("reach-cgroup-memory", REACH_MEMORY, REACH_CGROUP);
}

static int descriptor_taken_from_outside_is_flagged_with_cgroup_scope(void)
{
	return reach_into_the_build("reach-cgroup-fd", REACH_DESCRIPTOR, REACH_CGROUP);
}

static int proc_mem_written_from_outside_is_flagged_with_cgroup_scope(void)
{
	return reach_into_the_build("reach-cgroup-proc-mem", REACH_PROC_MEM, REACH_CGROUP | REACH_A_THREAD);
}

/* A FIFO the build makes, writes and reads itself (make 4.4's jobserver does): no input, no file to hash. */
static int fifo_inside_the_build_stays_complete(void)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "fifo-inside", "open /dev/null && mkfifo jobs && (echo tokens > jobs &) && cat jobs > got");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the FIFO's only writer is the build's");
	CHECK(test_sh("grep -q tokens '%s/got'", r.dir) == 0, "the build read what it wrote");
	blind_run_free(&r);
	return TEST_PASS;
}

/* The command line of a process outside the build (this test): data from outside, through /proc. */
static int outside_process_info_is_flagged(void)
{
	char args[64];

	snprintf(args, sizeof(args), "read /proc/%d/cmdline", (int)getpid());
	return flagged("process-info", args, "process-info");
}

/* A message an outside process (this test) left in a System V queue, received by the build. */
static int ipc_message_from_outside_is_flagged(void)
{
	struct { long type; char text[16]; } msg = { 1, "from outside" };
	char args[64];
	int id = msgget(IPC_PRIVATE, 0600), rc;

	CHECK(id >= 0, "msgget: %s", strerror(errno));
	CHECK(msgsnd(id, &msg, sizeof(msg.text), 0) == 0, "msgsnd: %s", strerror(errno));
	snprintf(args, sizeof(args), "msgrcv %d", id);
	rc = flagged("ipc", args, "ipc");
	msgctl(id, IPC_RMID, NULL);
	return rc;
}

static int block_device_read_is_flagged(void)
{
	char dev_node[256], node[128], args[400];
	int rc = block_device_nodes(dev_node, sizeof(dev_node), node, sizeof(node));

	if (rc == 77)
		return test_skip("no block device to read here");
	snprintf(args, sizeof(args), "read %s", dev_node);
	rc = flagged("block-device", args, "block-device");
	if (rc == TEST_PASS) {
		snprintf(args, sizeof(args), "read %s", node);
		rc = flagged("block-device-node", args, "block-device");
	}
	unlink(node);
	return rc;
}

/* A server this test runs (outside the traced tree) answers the build: a daemon the record cannot see into. */
static int daemon_outside_the_build_is_flagged(void)
{
	char sock[128], helper[512], args[200];
	pid_t server;
	int rc;

	snprintf(sock, sizeof(sock), "/tmp/kettle-test-%d-daemon.sock", (int)getpid());
	test_path(helper, sizeof(helper), "tests/helpers", "blind_spot");
	server = fork();
	if (server == 0) {
		execl(helper, helper, "serve-once", sock, (char *)NULL);
		_exit(127);
	}
	snprintf(args, sizeof(args), "unix-client %s", sock);
	rc = flagged("daemon", args, "daemon");
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	unlink(sock);
	return rc;
}

/* The same exchange with a server the build started itself: nothing outside, still complete. */
static int server_inside_the_build_stays_complete(void)
{
	struct blind_run r;
	char args[200];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	snprintf(args, sizeof(args), "unix-own /tmp/kettle-test-%d-own.sock", (int)getpid());
	rc = blind_run(&r, "own-server", args);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the server was part of the build");
	CHECK(!names_reason(&r, "daemon"), "no daemon named");
	blind_run_free(&r);
	return TEST_PASS;
}

/* A file a build left in /dev/shm and read back: an input like any other, with its digest. */
static int file_in_dev_shm_is_an_input(void)
{
	char path[128], args[200];
	struct blind_run r;
	json_t *deps, *d;
	size_t i;
	bool found = false;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	snprintf(path, sizeof(path), "/dev/shm/kettle-test-%d-input", (int)getpid());
	CHECK(test_sh("echo shm-bytes > %s", path) == 0, "write %s", path);
	snprintf(args, sizeof(args), "recv-fd %s", path);
	rc = blind_run(&r, "shm", args);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	deps = json_object_get(json_object_get(json_object_get(r.stmt_json, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
	json_array_foreach(deps, i, d)
		found |= strstr(json_string_value(json_object_get(d, "uri")) ?: "", path) &&
			 json_object_get(json_object_get(d, "digest"), "sha256");
	unlink(path);
	CHECK(found, "%s is a dependency with its sha256", path);
	blind_run_free(&r);
	return TEST_PASS;
}

/* An input read through FUSE (bindfs): hashed, but named unverifiable; the build is not complete. */
static int input_on_fuse_is_flagged(void)
{
	char src[128], mnt[128], args[300];
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	if (test_sh("command -v bindfs >/dev/null && command -v fusermount3 >/dev/null"))
		return test_skip("bindfs or fusermount3 missing (tools/install-deps installs them)");
	snprintf(src, sizeof(src), "/tmp/kettle-test-%d-fuse-src", (int)getpid());
	snprintf(mnt, sizeof(mnt), "/tmp/kettle-test-%d-fuse-mnt", (int)getpid());
	CHECK(test_sh("mkdir -p %s %s && echo served > %s/input && bindfs %s %s", src, mnt, src, src, mnt) == 0,
	      "bindfs %s %s", src, mnt);
	snprintf(args, sizeof(args), "read %s/input", mnt);
	rc = flagged("fuse", args, "unverifiable-filesystem");
	test_sh("fusermount3 -u %s; rm -rf %s %s", mnt, src, mnt);
	return rc;
}

/*
 * kettle run in DIR with descriptor FD of the build set to NEW_FD (a file or a
 * socket of this test, outside the build), on `sh -c 'cat > out'`.  Its exit status.
 */
static int run_script_with_descriptor(const char *dir, const char *log, const char *stmt, int fd, int new_fd,
				      const char *script)
{
	char kettle[512];
	int status;
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 2) < 0 || dup2(new_fd, fd) < 0 || chdir(dir))
			_exit(125);
		if (fd != 0 && dup2(open("/dev/null", O_RDONLY), 0) < 0)
			_exit(125);
		execl(kettle, kettle, "run", "--no-progress", "-o", log, "--provenance", stmt, "--",
		      "/bin/sh", "-c", script, (char *)NULL);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int run_with_descriptor(const char *dir, const char *log, const char *stmt, int fd, int new_fd)
{
	return run_script_with_descriptor(dir, log, stmt, fd, new_fd, "cat > out");
}

/*
 * `producer | kettle run -- SCRIPT`: stdin is a pipe whose bytes come from
 * outside the build. Read, it is the reason inherited-pipe; left unread, the
 * provenance stays complete. The status of kettle run, or -1.
 */
static int run_on_piped_stdin(struct blind_run *r, const char *name, const char *script)
{
	int p[2], rc;

	test_workdir(name, r->dir, r->log);
	snprintf(r->stmt, sizeof(r->stmt), "%s/statement.json", r->dir);
	if (pipe(p) || write(p[1], "from outside\n", 13) != 13)
		return -1;
	close(p[1]);
	rc = run_script_with_descriptor(r->dir, r->log, r->stmt, 0, p[0], script);
	close(p[0]);
	blind_statement_load(r);
	return rc;
}

static int piped_stdin_read_is_flagged(void)
{
	struct blind_run r = { 0 };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = run_on_piped_stdin(&r, "piped-read", "cat > out");
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(r.completeness && !is_complete(&r), "not complete");
	CHECK(names_reason(&r, "inherited-pipe"), "the reason inherited-pipe is named");
	CHECK(test_sh("grep -q 'from outside' '%s/out'", r.dir) == 0, "the build did get the bytes");
	blind_run_free(&r);
	return TEST_PASS;
}

/* The build's stdin is a terminal (kettle run started from an interactive shell) with a line typed into it. */
static int run_on_terminal_stdin(struct blind_run *r, const char *name, const char *script)
{
	int master, slave, rc;

	test_workdir(name, r->dir, r->log);
	snprintf(r->stmt, sizeof(r->stmt), "%s/statement.json", r->dir);
	if (openpty(&master, &slave, NULL, NULL, NULL))
		return -1;
	if (write(master, "typed outside\n", 14) != 14) {
		close(master);
		close(slave);
		return -1;
	}
	rc = run_script_with_descriptor(r->dir, r->log, r->stmt, 0, slave, script);
	close(slave);
	close(master);
	blind_statement_load(r);
	return rc;
}

static int terminal_stdin_read_is_flagged(void)
{
	struct blind_run r = { 0 };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = run_on_terminal_stdin(&r, "tty-read", "read line; echo \"$line\" > out");
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(r.completeness && !is_complete(&r), "not complete");
	CHECK(names_reason(&r, "inherited-pipe"), "the reason inherited-pipe is named");
	CHECK(test_sh("grep -q 'terminal' '%s'", r.stmt) == 0, "the reason says it was a terminal");
	CHECK(test_sh("grep -q 'typed outside' '%s/out'", r.dir) == 0, "the build did get the line");
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * /dev/tty when the controlling terminal is one from outside (the build
 * takes the terminal it was given as its session's, as setsid -c does):
 * terminal, although /dev/tty of the build's own pty is not (own_pty_stays_complete).
 */
static int outside_terminal_as_dev_tty_is_flagged(void)
{
	struct blind_run r = { 0 };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = run_on_terminal_stdin(&r, "dev-tty", "setsid -c -w sh -c 'read line </dev/tty; echo \"$line\" > out'");
	CHECK(rc == 125, "kettle run exits 125 for an incomplete provenance (got %d)", rc);
	CHECK(names_reason(&r, "terminal"), "the reason terminal is named");
	CHECK(test_sh("grep -q 'typed outside' '%s/out'", r.dir) == 0, "the build did get the line through /dev/tty");
	blind_run_free(&r);
	return TEST_PASS;
}

/*
 * A terminal opened by name (the console, through a node the build made in
 * /tmp: the device number names it): typed input from outside the build.
 */
static int terminal_opened_by_name_is_flagged(void)
{
	char node[128], args[200];
	int rc;

	snprintf(node, sizeof(node), "/tmp/kettle-test-%d-console", (int)getpid());
	unlink(node);
	if (mknod(node, S_IFCHR | 0600, makedev(5, 1)))
		return test_skip("mknod of the console: %s", strerror(errno));
	snprintf(args, sizeof(args), "open %s", node);
	rc = flagged("terminal", args, "terminal");
	unlink(node);
	return rc;
}

/* A pseudo-terminal outside the build (an ssh session's, another shell's), opened by its number. */
static int pty_of_outside_opened_by_number_is_flagged(void)
{
	char args[200], name[64];
	int master, slave, rc;

	if (openpty(&master, &slave, name, NULL, NULL))
		return test_skip("openpty: %s", strerror(errno));
	snprintf(args, sizeof(args), "open %s", name);
	rc = flagged("pty-outside", args, "terminal");
	close(slave);
	close(master);
	return rc;
}

/* The build's own pseudo-terminal pair (as expect and dejagnu make one): no terminal from outside. */
static int own_pty_stays_complete(void)
{
	struct blind_run r;
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = blind_run(&r, "pty-own", "pty-own");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(is_complete(&r), "complete: the build read its own pseudo-terminal");
	blind_run_free(&r);
	return TEST_PASS;
}

/* An interactive `kettle run -- make`: the terminal is there, the build never reads it. */
static int terminal_stdin_left_unread_stays_complete(void)
{
	struct blind_run r = { 0 };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = run_on_terminal_stdin(&r, "tty-unread", "echo built > out");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(r.completeness && is_complete(&r), "complete: the build never read the terminal");
	blind_run_free(&r);
	return TEST_PASS;
}

static int piped_stdin_left_unread_stays_complete(void)
{
	struct blind_run r = { 0 };
	int rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	rc = run_on_piped_stdin(&r, "piped-unread", "echo built > out");
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(r.completeness && is_complete(&r), "complete: the build never read its stdin");
	CHECK(!names_reason(&r, "inherited-pipe"), "no inherited-pipe reason");
	blind_run_free(&r);
	return TEST_PASS;
}

/* stdin from a file: the file is an input, with its digest, though the build never opened it. */
static int inherited_stdin_file_is_an_input(void)
{
	struct blind_run r = { 0 };
	json_t *deps, *d;
	bool found = false;
	size_t i;
	int fd, rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	test_workdir("inherited-file", r.dir, r.log);
	snprintf(r.stmt, sizeof(r.stmt), "%s/statement.json", r.dir);
	snprintf(r.input, sizeof(r.input), "%s/stdin.txt", r.dir);
	CHECK(test_sh("echo piped-in > %s", r.input) == 0, "write %s", r.input);
	fd = open(r.input, O_RDONLY);
	CHECK(fd >= 0, "open %s", r.input);
	rc = run_with_descriptor(r.dir, r.log, r.stmt, 0, fd);
	close(fd);
	CHECK(rc == 0, "kettle run exits 0 (got %d)", rc);
	CHECK(log_has_open(&r, r.input, LOG_CALL_INHERITED), "the log has stdin's file, inherited");
	r.stmt_json = json_load_file(r.stmt, 0, NULL);
	deps = json_object_get(json_object_get(json_object_get(r.stmt_json, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
	json_array_foreach(deps, i, d)
		found |= strstr(json_string_value(json_object_get(d, "uri")) ?: "", "stdin.txt") &&
			 json_object_get(json_object_get(d, "digest"), "sha256");
	CHECK(found, "stdin's file is a dependency with its sha256");
	blind_run_free(&r);
	return TEST_PASS;
}

/* A socket from outside on descriptor 3: what comes through it is unrecorded, and the record says so. */
static int inherited_socket_is_flagged(void)
{
	char dir[256], log[300], stmt[320];
	int sv[2], rc = bpf_usable();

	if (rc != TEST_PASS)
		return rc;
	test_workdir("inherited-socket", dir, log);
	snprintf(stmt, sizeof(stmt), "%s/statement.json", dir);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	rc = run_with_descriptor(dir, log, stmt, 3, sv[0]);
	close(sv[0]);
	close(sv[1]);
	CHECK(rc == 125, "an incomplete provenance fails the run (got %d)", rc);
	CHECK(test_sh("grep -q '\"reason\":\"inherited-socket\"' %s", stmt) == 0, "the reason is named");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "inherited_stdin_file_is_an_input", inherited_stdin_file_is_an_input },
	{ "inherited_socket_is_flagged", inherited_socket_is_flagged },
	{ "input_on_fuse_is_flagged", input_on_fuse_is_flagged },
	{ "daemon_outside_the_build_is_flagged", daemon_outside_the_build_is_flagged },
	{ "server_inside_the_build_stays_complete", server_inside_the_build_stays_complete },
	{ "file_in_dev_shm_is_an_input", file_in_dev_shm_is_an_input },
	{ "io_uring_open_is_recorded", io_uring_open_is_recorded },
	{ "io_uring_failed_open_is_recorded", io_uring_failed_open_is_recorded },
	{ "io_uring_open_by_sqpoll_thread_is_recorded", io_uring_open_by_sqpoll_thread_is_recorded },
	{ "io_uring_open_by_io_wq_worker_is_recorded", io_uring_open_by_io_wq_worker_is_recorded },
	{ "io_uring_direct_open_is_recorded", io_uring_direct_open_is_recorded },
	{ "io_uring_connect_is_recorded", io_uring_connect_is_recorded },
	{ "io_uring_message_from_outside_is_flagged", io_uring_message_from_outside_is_flagged },
	{ "core_dump_to_a_pipe_is_flagged", core_dump_to_a_pipe_is_flagged },
	{ "signal_from_outside_is_flagged", signal_from_outside_is_flagged },
	{ "signal_from_outside_is_flagged_with_cgroup_scope", signal_from_outside_is_flagged_with_cgroup_scope },
	{ "signals_inside_the_build_stay_complete", signals_inside_the_build_stay_complete },
	{ "io_uring_rename_is_flagged", io_uring_rename_is_flagged },
	{ "io_uring_unlink_is_flagged", io_uring_unlink_is_flagged },
	{ "int80_open_is_recorded", int80_open_is_recorded },
	{ "memfd_exec_is_flagged", memfd_exec_is_flagged },
	{ "deleted_exec_is_flagged", deleted_exec_is_flagged },
	{ "fd_received_over_socket_is_recorded", fd_received_over_socket_is_recorded },
	{ "open_by_handle_is_recorded", open_by_handle_is_recorded },
	{ "fd_taken_from_outside_is_recorded", fd_taken_from_outside_is_recorded },
	{ "fd_reopened_through_proc_is_recorded", fd_reopened_through_proc_is_recorded },
	{ "memory_of_untracked_process_is_flagged", memory_of_untracked_process_is_flagged },
	{ "memory_of_own_thread_and_child_stays_complete", memory_of_own_thread_and_child_stays_complete },
	{ "memory_of_own_child_stays_complete_with_cgroup_scope", memory_of_own_child_stays_complete_with_cgroup_scope },
	{ "memory_of_untracked_process_is_flagged_with_cgroup_scope",
	  memory_of_untracked_process_is_flagged_with_cgroup_scope },
	{ "new_mount_namespace_is_flagged", new_mount_namespace_is_flagged },
	{ "bpf_use_is_flagged", bpf_use_is_flagged },
	{ "ptrace_of_outside_process_is_flagged", ptrace_of_outside_process_is_flagged },
	{ "ptrace_within_the_build_stays_complete", ptrace_within_the_build_stays_complete },
	{ "ptrace_of_the_collector_is_flagged", ptrace_of_the_collector_is_flagged },
	{ "leaving_the_cgroup_is_flagged", leaving_the_cgroup_is_flagged },
	{ "signalling_the_collector_is_flagged", signalling_the_collector_is_flagged },
	{ "ring_buffer_read_by_another_process_is_flagged", ring_buffer_read_by_another_process_is_flagged },
	{ "block_device_read_is_flagged", block_device_read_is_flagged },
	{ "piped_stdin_read_is_flagged", piped_stdin_read_is_flagged },
	{ "outside_process_info_is_flagged", outside_process_info_is_flagged },
	{ "outside_pipe_through_proc_is_flagged", outside_pipe_through_proc_is_flagged },
	{ "ipc_message_from_outside_is_flagged", ipc_message_from_outside_is_flagged },
	{ "piped_stdin_left_unread_stays_complete", piped_stdin_left_unread_stays_complete },
	{ "terminal_stdin_read_is_flagged", terminal_stdin_read_is_flagged },
	{ "terminal_stdin_left_unread_stays_complete", terminal_stdin_left_unread_stays_complete },
	{ "terminal_opened_by_name_is_flagged", terminal_opened_by_name_is_flagged },
	{ "pty_of_outside_opened_by_number_is_flagged", pty_of_outside_opened_by_number_is_flagged },
	{ "own_pty_stays_complete", own_pty_stays_complete },
	{ "outside_terminal_as_dev_tty_is_flagged", outside_terminal_as_dev_tty_is_flagged },
	{ "output_written_from_outside_is_flagged", output_written_from_outside_is_flagged },
	{ "output_replaced_from_outside_is_flagged", output_replaced_from_outside_is_flagged },
	{ "output_replaced_by_the_build_stays_complete", output_replaced_by_the_build_stays_complete },
	{ "ptrace_attach_from_outside_is_flagged", ptrace_attach_from_outside_is_flagged },
	{ "memory_written_from_outside_is_flagged", memory_written_from_outside_is_flagged },
	{ "descriptor_taken_from_outside_is_flagged", descriptor_taken_from_outside_is_flagged },
	{ "proc_mem_written_from_outside_is_flagged", proc_mem_written_from_outside_is_flagged },
	{ "ptrace_attach_to_a_thread_is_flagged", ptrace_attach_to_a_thread_is_flagged },
	{ "memory_written_through_a_thread_id_is_flagged", memory_written_through_a_thread_id_is_flagged },
	{ "descriptor_taken_through_a_thread_pidfd_is_flagged", descriptor_taken_through_a_thread_pidfd_is_flagged },
	{ "proc_mem_of_a_thread_written_is_flagged", proc_mem_of_a_thread_written_is_flagged },
	{ "memory_written_from_outside_is_flagged_with_cgroup_scope",
	  memory_written_from_outside_is_flagged_with_cgroup_scope },
	{ "descriptor_taken_from_outside_is_flagged_with_cgroup_scope",
	  descriptor_taken_from_outside_is_flagged_with_cgroup_scope },
	{ "proc_mem_written_from_outside_is_flagged_with_cgroup_scope",
	  proc_mem_written_from_outside_is_flagged_with_cgroup_scope },
	{ "output_held_from_before_the_build_is_flagged", output_held_from_before_the_build_is_flagged },
	{ "output_shared_with_own_descriptors_stays_complete", output_shared_with_own_descriptors_stays_complete },
	{ "output_read_from_outside_stays_complete", output_read_from_outside_stays_complete },
	{ "fifo_written_from_outside_is_flagged", fifo_written_from_outside_is_flagged },
	{ "fifo_held_from_before_the_build_is_flagged", fifo_held_from_before_the_build_is_flagged },
	{ "fifo_inside_the_build_stays_complete", fifo_inside_the_build_stays_complete },
};

TEST_MAIN("blind_spots", tests)
