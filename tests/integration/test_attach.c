// SPDX-License-Identifier: MIT
/* kettle attach: following process trees and cgroups that were already running. */
#include <limits.h>

#include <jansson.h>

#include "collect/cgroup_scope.h"
#include "collect/proc_scan.h"
#include "digest_check.h"
#include "kettle_test.h"

/* Starts `kettle attach --no-progress -o LOG OPTS...` with stderr on a pipe (*ERR_FD). Pid or -1. */
static pid_t attach_start(const char *log, const char *const opts[], int *err_fd, uid_t as_user)
{
	const char *argv[32];
	char kettle[512];
	int n = 0, p[2];
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	argv[n++] = kettle;
	argv[n++] = "attach";
	argv[n++] = "--no-progress";
	argv[n++] = "-o";
	argv[n++] = log;
	for (int i = 0; opts[i] && n < 31; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], STDERR_FILENO) < 0)
			_exit(125);
		close(p[0]);
		close(p[1]);
		if (as_user && (setgid(as_user) || setuid(as_user)))
			_exit(124);
		execv(argv[0], (char *const *)argv);
		_exit(125);
	}
	close(p[1]);
	*err_fd = p[0];
	return pid;
}

/* Reads kettle's stderr into BUF until it says it follows the target (true) or ends (false). */
static bool wait_following(int fd, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	while (used < len - 1) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n <= 0)
			return false;
		used += n;
		buf[used] = '\0';
		if (strstr(buf, "kettle attach: following "))
			return true;
	}
	return false;
}

/* The rest of kettle's stderr, to its end. */
static void read_rest(int fd, char *buf, size_t len)
{
	size_t used = strlen(buf);
	ssize_t n;

	while (used < len - 1 && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += n;
	buf[used] = '\0';
	close(fd);
}

static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

/* Waits at most SECONDS for PID; its exit code, or -2 when it is still running. */
static int wait_exit_within(pid_t pid, double seconds)
{
	for (int i = 0; i < seconds * 100; i++) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
		usleep(10000);
	}
	return -2;
}

/* Starts `sh -c SCRIPT` in DIR, in its own process group (so the test can kill the whole tree). */
static pid_t start_shell(const char *dir, const char *script)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		if (chdir(dir))
			_exit(126);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void stop_shell(pid_t pid)
{
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The last number written on its own line in PATH, 0 when none. */
static long last_line_number(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[64];
	long last = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		last = strtol(line, NULL, 10);
	fclose(f);
	return last;
}

static const struct log_event *find_snapshot(const struct log_file *f, uint32_t tgid)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_PROC_SNAPSHOT && f->events[i].tgid == tgid)
			return &f->events[i];
	return NULL;
}

/* The child of PARENT running `ARGV0 ARGV1` (0: none). */
static pid_t child_running(pid_t parent, const char *argv0, const char *argv1)
{
	struct pid_list l = { 0 };
	pid_t found = 0;

	if (proc_descendants_by_ppid(parent, &l))
		return 0;
	for (size_t i = 0; i < l.n && !found; i++) {
		char **argv;
		uint32_t argc;
		bool cut;

		if (proc_read_argv(l.pids[i], &argv, &argc, &cut))
			continue;
		if (argc == 2 && !strcmp(argv[0], argv0) && !strcmp(argv[1], argv1))
			found = l.pids[i];
		proc_argv_free(argv);
	}
	pid_list_free(&l);
	return found;
}

/* `kettle log stats --json LOG`, parsed; NULL on failure. */
static json_t *log_stats_json(const char *log)
{
	char kettle[512], out[320];
	const char *argv[] = { kettle, "log", "stats", "--json", log, NULL };
	json_error_t jerr;
	json_t *j = NULL;
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(out, sizeof(out), "%s.stats.json", log);
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(125);
	}
	if (pid > 0 && wait_exit(pid) == 0)
		j = json_load_file(out, 0, &jerr);
	return j;
}

/*
 * A shell loop that keeps spawning /bin/true, numbered, and writes each
 * number to a file: every iteration after the attach must be in the log,
 * the shell and its long-lived child as snapshots.
 */
static int pid_attach_misses_no_child(void)
{
	char dir[256], log[300], count[300], script[600], real_dir[PATH_MAX], target[32], err[4096];
	char true_exe[PATH_MAX], sleep_exe[PATH_MAX], sh_exe[PATH_MAX];
	const char *opts[] = { "--pid", target, NULL };
	struct log_file f = { 0 };
	const struct log_event *snap_sh, *snap_sleep;
	char seen[4096] = { 0 };
	long first, last, nseen = 0;
	pid_t sh, sleeper = 0, kettle;
	int fd, rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("attach-pid", dir, log);
	snprintf(count, sizeof(count), "%s/count", dir);
	CHECK(realpath(dir, real_dir) && realpath("/bin/true", true_exe) && realpath("/bin/sleep", sleep_exe) &&
	      realpath("/bin/sh", sh_exe), "realpath");
	snprintf(script, sizeof(script),
		 "sleep 1000 & i=0; while [ $i -lt 4000 ]; do i=$((i+1)); /bin/true $i; echo $i >> '%s'; sleep 0.02; done",
		 count);
	sh = start_shell(dir, script);
	CHECK(sh > 0, "fork");
	for (int i = 0; i < 500 && (!sleeper || last_line_number(count) < 3); i++) {
		usleep(10000);
		sleeper = child_running(sh, "sleep", "1000");
	}
	if (!sleeper)
		stop_shell(sh);
	CHECK(sleeper, "the long-lived child did not start");
	snprintf(target, sizeof(target), "%d", (int)sh);
	kettle = attach_start(log, opts, &fd, 0);
	CHECK(kettle > 0, "fork kettle");
	if (!wait_following(fd, err, sizeof(err))) {
		stop_shell(sh);
		CHECK(false, "kettle attach did not start following: %s", err);
	}
	first = last_line_number(count);
	usleep(1500000);
	last = last_line_number(count);
	kill(kettle, SIGTERM);
	rc = wait_exit(kettle);
	stop_shell(sh);
	read_rest(fd, err, sizeof(err));
	CHECK(rc == 0, "kettle attach exited %d after SIGTERM: %s", rc, err);
	CHECK(last - first >= 20, "only %ld iterations in the window: test is void", last - first);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(f.has_trailer, "no trailer after SIGTERM");
	CHECK(f.trailer.kettle_exit == 0, "trailer says kettle exited %d", f.trailer.kettle_exit);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_event *e = &f.events[i];
		long n;

		if (e->type != LOG_EV_EXEC || strcmp(e->exec.exe, true_exe) || e->exec.nargv != 2)
			continue;
		n = strtol(e->exec.argv[1], NULL, 10);
		CHECK(n > 0 && n < (long)sizeof(seen), "odd iteration %ld", n);
		CHECK(!seen[n], "iteration %ld recorded twice", n);
		seen[n] = 1;
		nseen++;
		CHECK(e->exec.ppid == (uint32_t)sh, "/bin/true %ld has parent %u, want %d", n, e->exec.ppid, (int)sh);
	}
	/*
	 * Every iteration that began after the attach: `first` was read after
	 * kettle said it follows, so iteration first + 1 wrote its line later,
	 * and iteration first + 2 forked /bin/true later still.  (first + 1's
	 * /bin/true may have forked before: it is in the log as exec or snapshot, or not at all.)
	 */
	for (long n = first + 2; n <= last; n++)
		CHECK(seen[n], "iteration %ld (of %ld..%ld) is missing from the log", n, first + 2, last);
	snap_sh = find_snapshot(&f, sh);
	snap_sleep = find_snapshot(&f, sleeper);
	CHECK(snap_sh && snap_sleep, "snapshots missing: shell %s, sleep %s", snap_sh ? "ok" : "none",
	      snap_sleep ? "ok" : "none");
	CHECK(snap_sh->proc_snapshot.exe && !strcmp(snap_sh->proc_snapshot.exe, sh_exe), "shell exe %s, want %s",
	      snap_sh->proc_snapshot.exe, sh_exe);
	CHECK(snap_sh->proc_snapshot.nargv == 3 && !strcmp(snap_sh->proc_snapshot.argv[2], script),
	      "shell argv not as started");
	CHECK(snap_sh->proc_snapshot.cwd && !strcmp(snap_sh->proc_snapshot.cwd, real_dir), "shell cwd %s, want %s",
	      snap_sh->proc_snapshot.cwd, real_dir);
	CHECK(snap_sleep->proc_snapshot.exe && !strcmp(snap_sleep->proc_snapshot.exe, sleep_exe), "sleep exe %s",
	      snap_sleep->proc_snapshot.exe);
	CHECK(snap_sleep->proc_snapshot.nargv == 2 && !strcmp(snap_sleep->proc_snapshot.argv[0], "sleep") &&
	      !strcmp(snap_sleep->proc_snapshot.argv[1], "1000"), "sleep argv not as started");
	CHECK(snap_sleep->proc_snapshot.ppid == (uint32_t)sh, "sleep's ppid %u", snap_sleep->proc_snapshot.ppid);
	CHECK(snap_sleep->proc_snapshot.flags == 0, "sleep snapshot flags %#x", snap_sleep->proc_snapshot.flags);
	CHECK(log_header_option(&f.header, "start") &&
	      !strcmp(log_header_option(&f.header, "start"), "attach-pid"), "start option");
	CHECK(log_header_option(&f.header, "attach.target") &&
	      !strcmp(log_header_option(&f.header, "attach.target"), target),
	      "attach.target option");
	CHECK(log_header_option(&f.header, "complete") &&
	      !strcmp(log_header_option(&f.header, "complete"), "false"), "complete option");
	CHECK(f.header.root_pid == (uint32_t)sh, "root pid %u", f.header.root_pid);
	CHECK(f.trailer.exit_status == LOG_EXIT_STATUS_NONE, "trailer exit status %d, want none", f.trailer.exit_status);
	/* What was already running is hashed as an executed file. */
	rc = 0;
	for (size_t i = 0; i < f.ndigests; i++)
		if (f.digests[i].kind == LOG_DIGEST_EXEC && !strcmp(f.digests[i].path, sh_exe) && f.digests[i].result == 0)
			rc = 1;
	CHECK(rc, "no digest of the snapshot's executable %s", sh_exe);
	log_file_free(&f);
	/* What a reader of the log is told. */
	json_t *stats = log_stats_json(log);

	CHECK(stats, "kettle log stats --json failed");
	rc = json_is_false(json_object_get(stats, "complete")) &&
	     !strcmp(json_string_value(json_object_get(stats, "start")) ?: "", "attach-pid") &&
	     json_is_null(json_object_get(stats, "exit_status"));
	json_decref(stats);
	CHECK(rc, "kettle log stats does not say the record began mid-build by attach-pid");
	return TEST_PASS;
}

/*
 * `kettle attach --pid SH --until-exit -o LOG` on the shell SH, which waits
 * for DIR/go: made once kettle follows; stops SH at the end.  Kettle's exit
 * code, -2 when it still ran 10 s later, -3 when it never started following
 * (ERR: its stderr either way).
 */
static int attach_until_go(const char *dir, const char *log, pid_t sh, char *err, size_t errlen)
{
	char target[32], go[300];
	const char *opts[] = { "--pid", target, "--until-exit", NULL };
	pid_t kettle;
	int fd, rc;

	snprintf(target, sizeof(target), "%d", (int)sh);
	snprintf(go, sizeof(go), "%s/go", dir);
	kettle = attach_start(log, opts, &fd, 0);
	if (kettle <= 0) {
		stop_shell(sh);
		snprintf(err, errlen, "fork failed");
		return -3;
	}
	if (!wait_following(fd, err, errlen)) {
		stop_shell(sh);
		kill(kettle, SIGKILL);
		waitpid(kettle, NULL, 0);
		return -3;
	}
	rc = touch(go) ? -1 : wait_exit_within(kettle, 10);
	if (rc < 0) {
		kill(kettle, SIGKILL);
		waitpid(kettle, NULL, 0);
	}
	stop_shell(sh);
	read_rest(fd, err, errlen);
	return rc;
}

/* --until-exit waits for the target and for a background job that outlives it, then ends by itself. */
static int until_exit_ends_with_the_tree(void)
{
	char dir[256], log[300], err[4096], echo_exe[PATH_MAX];
	struct log_file f = { 0 };
	const struct log_event *late;
	pid_t sh;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("attach-until", dir, log);
	CHECK(realpath("/bin/echo", echo_exe), "realpath");
	/* Both wait for the file "go", made once kettle follows; the background job outlives the shell. */
	sh = start_shell(dir, "wait_go() { while [ ! -e go ]; do sleep 0.02; done; }; "
			      "(wait_go; sleep 0.5; /bin/echo late >/dev/null) & wait_go");
	CHECK(sh > 0, "fork");
	rc = attach_until_go(dir, log, sh, err, sizeof(err));
	CHECK(rc != -3, "kettle attach did not start following: %s", err);
	CHECK(rc != -2, "kettle attach --until-exit still ran 10 s after the tree was gone");
	CHECK(rc == 0, "kettle attach exited %d: %s", rc, err);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(f.has_trailer, "no trailer");
	late = find_exec(&f, echo_exe);
	CHECK(late, "the background job's exec after the target's exit is missing");
	CHECK(find_exit(&f, sh), "the target's exit is missing");
	CHECK(find_exit(&f, late->tgid), "the background job's exit is missing");
	log_file_free(&f);
	return TEST_PASS;
}

/* A file the target holds open when the attach begins is an input with its identity and digest. */
static int files_held_at_attach_are_recorded(void)
{
	char dir[256], log[300], err[4096], held[300];
	struct log_file f = { 0 };
	const struct log_event *ev;
	const struct log_digest *d;
	struct stat st;
	pid_t sh;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("attach-held", dir, log);
	snprintf(held, sizeof(held), "%s/held.txt", dir);
	CHECK(write_text(held, "held before the attach\n") == 0 && stat(held, &st) == 0, "write %s", held);
	/* the shell opens held.txt as fd 7 long before kettle attaches, and never opens it again */
	sh = start_shell(dir, "exec 7<held.txt; while [ ! -e go ]; do sleep 0.02; done");
	CHECK(sh > 0, "fork");
	{
		char fd7[64];

		snprintf(fd7, sizeof(fd7), "/proc/%d/fd/7", (int)sh);
		for (int i = 0; i < 500 && access(fd7, F_OK); i++)
			usleep(10000);
		CHECK(access(fd7, F_OK) == 0, "the shell holds held.txt as fd 7");
	}
	rc = attach_until_go(dir, log, sh, err, sizeof(err));
	CHECK(rc == 0, "kettle attach exited %d: %s", rc, err);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	ev = find_open(&f, held);
	CHECK(ev, "the file held at the attach is not in the log");
	CHECK(ev->open.call == LOG_CALL_INHERITED && ev->open.result == 7 && ev->tgid == (uint32_t)sh,
	      "held.txt: call %u fd %d pid %u, expected inherited fd 7 of %d", ev->open.call, ev->open.result,
	      ev->tgid, (int)sh);
	CHECK(ev->open.dev == st.st_dev && ev->open.ino == st.st_ino, "held.txt: the identity is the file's");
	d = find_digest(&f, held, LOG_DIGEST_INPUT);
	CHECK(d && digest_is_content(d, held), "held.txt was hashed as an input");
	log_file_free(&f);
	return TEST_PASS;
}

/* Forks a process that joins cgroup CG (when given), then runs `sh -c SCRIPT`. */
static pid_t start_in_cgroup(const char *cg, const char *script)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (cg) {
			char procs[600], me[32];
			FILE *f;

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
			snprintf(me, sizeof(me), "%d\n", (int)getpid());
			f = fopen(procs, "w");
			if (!f || fputs(me, f) < 0 || fclose(f))
				_exit(124);
		}
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Waits up to SECONDS for PID's /proc exe link to be EXE (its exec done). */
static bool wait_exe(pid_t pid, const char *exe, int seconds)
{
	char link[64], target[PATH_MAX];

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (int i = 0; i < seconds * 100; i++) {
		ssize_t n = readlink(link, target, sizeof(target) - 1);

		if (n > 0) {
			target[n] = '\0';
			if (!strcmp(target, exe))
				return true;
		}
		usleep(10000);
	}
	return false;
}

/* A process started in the cgroup after the attach is recorded, one outside is not; one before is a snapshot. */
static int cgroup_attach_records_inside_only(void)
{
	char root[1024], cg[1200], dir[256], log[300], in[300], out[300], real_in[PATH_MAX], real_out[PATH_MAX];
	char script_in[700], script_out[700], err[4096], sleep_exe[PATH_MAX];
	const char *opts[] = { "--cgroup", cg, "--until-exit", NULL };
	struct log_file f = { 0 };
	const struct log_event *snap;
	pid_t before, inside, outside, kettle;
	int fd, rc = bpf_usable();

	if (rc)
		return rc;
	if (cgroup2_mount(root, sizeof(root)))
		return test_skip("no cgroup v2 hierarchy mounted");
	test_workdir("attach-cgroup", dir, log);
	snprintf(in, sizeof(in), "%s/inside", dir);
	snprintf(out, sizeof(out), "%s/outside", dir);
	CHECK(touch(in) == 0 && touch(out) == 0, "create markers");
	CHECK(realpath(in, real_in) && realpath(out, real_out) && realpath("/bin/sleep", sleep_exe), "realpath");
	snprintf(cg, sizeof(cg), "%s/kettle-attach-test-%d", root, (int)getpid());
	CHECK(mkdir(cg, 0755) == 0, "mkdir %s: %s", cg, strerror(errno));
	/* sleep runs until the markers are read: a loaded machine may take seconds to attach. */
	before = start_in_cgroup(cg, "exec sleep 60");
	CHECK(wait_exe(before, sleep_exe, 10), "the process started before the attach never ran sleep");
	kettle = attach_start(log, opts, &fd, 0);
	if (kettle < 0 || !wait_following(fd, err, sizeof(err))) {
		kill(before, SIGKILL);
		waitpid(before, NULL, 0);
		rmdir(cg);
		CHECK(false, "kettle attach --cgroup did not start following: %s", err);
	}
	snprintf(script_in, sizeof(script_in), "cat '%s' >/dev/null", in);
	snprintf(script_out, sizeof(script_out), "cat '%s' >/dev/null", out);
	inside = start_in_cgroup(cg, script_in);
	outside = start_in_cgroup(NULL, script_out);
	CHECK(wait_exit(inside) == 0 && wait_exit(outside) == 0, "the marker readers failed");
	kill(before, SIGTERM);
	waitpid(before, NULL, 0);
	/* --until-exit: the cgroup is empty now, kettle ends by itself. */
	rc = wait_exit_within(kettle, 10);
	if (rc == -2) {
		kill(kettle, SIGKILL);
		waitpid(kettle, NULL, 0);
	}
	read_rest(fd, err, sizeof(err));
	rmdir(cg);
	CHECK(rc != -2, "kettle attach --cgroup --until-exit still ran 10 s after the cgroup was empty");
	CHECK(rc == 0, "kettle attach exited %d: %s", rc, err);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	CHECK(count_opens(&f, real_in, 0) >= 1, "the open inside the cgroup is missing");
	CHECK(count_opens(&f, real_out, 0) == 0, "an open outside the cgroup was recorded");
	for (size_t i = 0; i < f.nevents; i++)
		CHECK(f.events[i].tgid != (uint32_t)outside, "an event of the outside process was recorded");
	snap = find_snapshot(&f, before);
	CHECK(snap && snap->proc_snapshot.exe && !strcmp(snap->proc_snapshot.exe, sleep_exe),
	      "no snapshot of the process that was in the cgroup before the attach");
	CHECK(!find_snapshot(&f, inside), "a process started after the attach got a snapshot");
	CHECK(log_header_option(&f.header, "start") &&
	      !strcmp(log_header_option(&f.header, "start"), "attach-cgroup"), "start option");
	CHECK(log_header_option(&f.header, "attach.target") &&
	      !strcmp(log_header_option(&f.header, "attach.target"), cg),
	      "attach.target %s, want %s", log_header_option(&f.header, "attach.target"), cg);
	CHECK(log_header_option(&f.header, "complete") &&
	      !strcmp(log_header_option(&f.header, "complete"), "false"), "complete option");
	log_file_free(&f);
	return TEST_PASS;
}

/* Runs kettle attach OPTS to its end; its exit code, stderr in ERR. */
static int attach_fails(const char *log, const char *const opts[], uid_t as_user, char *err, size_t len)
{
	int fd;
	pid_t pid = attach_start(log, opts, &fd, as_user);

	if (pid < 0)
		return -1;
	err[0] = '\0';
	read_rest(fd, err, len);
	return wait_exit(pid);
}

static int one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] == '\0';
}

static int bad_targets_are_one_line_errors(void)
{
	char dir[256], log[300], gone[32], err[4096], self[32];
	const char *no_pid[] = { "--pid", gone, NULL };
	const char *not_cg[] = { "--cgroup", "/tmp", NULL };
	const char *no_cg[] = { "--cgroup", "/sys/fs/cgroup/no-such-kettle-cgroup", NULL };
	const char *bad_pid[] = { "--pid", "12x", NULL };
	const char *both[] = { "--pid", "1", "--cgroup", "/tmp", NULL };
	const char *nobody[] = { "--pid", self, NULL };
	pid_t child;
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("attach-bad", dir, log);
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(gone, sizeof(gone), "%d", (int)child);
	snprintf(self, sizeof(self), "%d", (int)getpid());

	CHECK(attach_fails(log, no_pid, 0, err, sizeof(err)) == 125, "nonexistent pid: not 125");
	CHECK(one_line(err) && strstr(err, "no such process") && strstr(err, gone), "nonexistent pid: %s", err);
	CHECK(attach_fails(log, not_cg, 0, err, sizeof(err)) == 125, "non-cgroup path: not 125");
	CHECK(one_line(err) && strstr(err, "not a cgroup v2 directory"), "non-cgroup path: %s", err);
	CHECK(attach_fails(log, no_cg, 0, err, sizeof(err)) == 125, "missing cgroup: not 125");
	CHECK(one_line(err) && strstr(err, "No such file or directory"), "missing cgroup: %s", err);
	CHECK(attach_fails(log, bad_pid, 0, err, sizeof(err)) == 125, "bad pid: not 125");
	CHECK(one_line(err) && strstr(err, "--pid '12x'"), "bad pid: %s", err);
	CHECK(attach_fails(log, both, 0, err, sizeof(err)) == 125, "both targets: not 125");
	CHECK(one_line(err) && strstr(err, "one of --pid"), "both targets: %s", err);
	/* An unprivileged user cannot load the programs. */
	CHECK(attach_fails(log, nobody, 65534, err, sizeof(err)) == 125, "no permission: not 125");
	CHECK(one_line(err) && strstr(err, "kettle attach: ") && strstr(err, "ermi"), "no permission: %s", err);
	CHECK(access(log, F_OK) != 0, "a log was written for a failed attach");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "pid_attach_misses_no_child", pid_attach_misses_no_child },
	{ "until_exit_ends_with_the_tree", until_exit_ends_with_the_tree },
	{ "cgroup_attach_records_inside_only", cgroup_attach_records_inside_only },
	{ "bad_targets_are_one_line_errors", bad_targets_are_one_line_errors },
	{ "files_held_at_attach_are_recorded", files_held_at_attach_are_recorded },
};

TEST_MAIN("attach", tests)
