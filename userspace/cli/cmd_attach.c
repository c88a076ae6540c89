// SPDX-License-Identifier: MIT
/*
 * kettle attach: record a process tree, or a cgroup v2 subtree, that is
 * already running, from now until a signal (or until it is empty).
 * Processes that existed before the attach are written as proc_snapshot
 * records from /proc; everything after comes from the kernel side as in
 * kettle run.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "collect/cgroup_scope.h"
#include "collect/inherited_fds.h"
#include "collect/proc_scan.h"
#include "collect/proc_snapshot.h"
#include "collect/session.h"
#include "collect/tracer.h"
#include "common/clock.h"
#include "common/grow.h"
#include "hash/hash_plan.h"

#define MAIN_TICK_NS 100000000l
/* Scans of /proc after seeding the tracked map, at most; each round usually finds nothing new. */
#define SCAN_ROUNDS_MAX 16
/* How often --until-exit drops tracked pre-existing processes that exited unseen. */
#define PRUNE_EVERY_TICKS 10

enum { OPT_PID = 0x200, OPT_CGROUP, OPT_UNTIL_EXIT };

struct attach_options {
	struct session_options s;
	pid_t pid;                      /* --pid, 0 when not given */
	const char *pid_arg;
	const char *cgroup;             /* --cgroup */
	bool until_exit;
};

static void attach_usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle attach (--pid PID | --cgroup PATH) [OPTIONS]\n"
		"Records every exec, open, fork and exit of processes that are already running, from now\n"
		"until SIGINT or SIGTERM (or --until-exit). Processes running at the attach are written to\n"
		"the log as snapshots from /proc (exe, argv, cwd); the log says it began mid-build.\n\n"
		"      --pid PID           PID and all its descendants, running now or started later\n"
		"      --cgroup PATH       every process in the cgroup v2 directory PATH and below it,\n"
		"                          also those that join later\n"
		"      --until-exit        end when every tracked process has exited (--cgroup: when the\n"
		"                          cgroup has no process left)\n");
	session_usage(f);
	fprintf(f,
		"  -h, --help              this text\n\n"
		"Exit status: 0 after a clean end; 125 kettle failed, or lost events without --allow-loss.\n");
}

static int parse_pid_arg(const char *s, pid_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

static int attach_parse(int argc, char **argv, struct attach_options *o)
{
	static const struct option longopts[] = {
		SESSION_LONGOPTS,
		{ "pid", required_argument, NULL, OPT_PID },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "until-exit", no_argument, NULL, OPT_UNTIL_EXIT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, taken;

	session_options_init(&o->s);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		taken = session_option(&o->s, "kettle attach", c, optarg);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		switch (c) {
		case OPT_PID:
			if (parse_pid_arg(optarg, &o->pid)) {
				cli_err("attach", "--pid '%s': want a process id (a positive number)", optarg);
				return -1;
			}
			o->pid_arg = optarg;
			break;
		case OPT_CGROUP: o->cgroup = optarg; break;
		case OPT_UNTIL_EXIT: o->until_exit = true; break;
		case 'h': attach_usage(stdout); exit(0);
		default:
			cli_err("attach", "bad option (see kettle attach --help)");
			return -1;
		}
	}
	if (optind < argc) {
		cli_err("attach", "unexpected argument '%s' (see kettle attach --help)", argv[optind]);
		return -1;
	}
	if (!o->pid == !o->cgroup) {
		cli_err("attach", "give one of --pid PID or --cgroup PATH");
		return -1;
	}
	return 0;
}

struct attach_state {
	const struct attach_options *opt;
	struct tracer *tracer;
	struct cgroup_scope cg;
	bool have_cg;
	struct session session;
	/* processes that ran before the attach (pid, /proc start time), in the order found */
	struct pid_list pre;
	uint64_t *pre_ticks;            /* their /proc start times, for pid reuse */
	size_t pre_ticks_cap;
	uint64_t attach_boot_ns;
};

static int pre_add(struct attach_state *st, pid_t pid, uint64_t ticks)
{
	if (grow_array((void **)&st->pre_ticks, &st->pre_ticks_cap, st->pre.n + 1, sizeof(*st->pre_ticks), 64))
		return -ENOMEM;
	st->pre_ticks[st->pre.n] = ticks;
	return pid_list_add(&st->pre, pid);
}

/* The target as given: the pid exists and is not kettle; or the cgroup opens. 0, or -1 after saying why. */
static int target_check(struct attach_state *st)
{
	const struct attach_options *o = st->opt;
	struct proc_stat ps;
	char err[PATH_MAX + 200];
	int rc;

	if (o->cgroup) {
		if (cgroup_scope_open(&st->cg, o->cgroup, err, sizeof(err))) {
			cli_err("attach", "%s", err);
			return -1;
		}
		st->have_cg = true;
		return 0;
	}
	if (o->pid == getpid()) {
		cli_err("attach", "--pid %d is kettle itself", (int)o->pid);
		return -1;
	}
	rc = proc_read_stat(o->pid, &ps);
	if (rc == -ENOENT) {
		cli_err("attach", "--pid %d: no such process", (int)o->pid);
		return -1;
	}
	if (rc) {
		cli_err("attach", "--pid %d: cannot read /proc/%d/stat: %s", (int)o->pid, (int)o->pid,
			strerror(-rc));
		return -1;
	}
	if (proc_exited(&ps)) {
		cli_err("attach", "--pid %d has already exited (a zombie)", (int)o->pid);
		return -1;
	}
	return 0;
}

/*
 * Tracks PID found by a scan, unless the fork program did already (then its
 * fork is in the log and it needs no snapshot).  A process that exited or
 * whose pid was reused meanwhile is untracked again.  Adds it to st->pre
 * when it needs a snapshot.  0, or -errno for a failure that ends the attach.
 */
static int track_found(struct attach_state *st, pid_t pid)
{
	struct proc_stat before, after;
	int rc;

	if (proc_read_stat(pid, &before) || proc_exited(&before))
		return 0;       /* gone, or its exit is over: nothing to follow */
	rc = tracer_track_new(st->tracer, pid);
	if (rc == -EEXIST)
		return 0;
	if (rc) {
		/* The map is full: counted like the kernel side counts it. */
		st->session.untracked++;
		return 0;
	}
	/* Its exit may have passed before the map held it: then nothing would remove it. */
	if (proc_read_stat(pid, &after) || proc_exited(&after) || after.start_ticks != before.start_ticks) {
		rc = tracer_untrack(st->tracer, pid);
		return rc;
	}
	return pre_add(st, pid, before.start_ticks);
}

/*
 * --pid: the target goes into the tracked map first, so every child it forks
 * from now on is tracked by the fork program.  Descendants forked before
 * are found in /proc and tracked; a process among them may fork while we
 * scan, so scans repeat until one finds nothing that was not seen before.
 */
static int discover_tree(struct attach_state *st)
{
	pid_t root = st->opt->pid;
	struct pid_list seen = { 0 };
	struct proc_stat ps;
	int rc, round;

	rc = tracer_track(st->tracer, root);
	if (rc) {
		cli_err("attach", "cannot track pid %d: %s", (int)root, strerror(-rc));
		return -1;
	}
	if (proc_read_stat(root, &ps) || proc_exited(&ps)) {
		tracer_untrack(st->tracer, root);
		cli_err("attach", "--pid %d exited before it could be tracked", (int)root);
		return -1;
	}
	if ((rc = pre_add(st, root, ps.start_ticks)) || (rc = pid_list_add(&seen, root)))
		goto fail;
	for (round = 0; round < SCAN_ROUNDS_MAX; round++) {
		struct pid_list found = { 0 };
		size_t fresh = 0;

		pid_list_sort(&seen);
		rc = proc_descendants(root, &found);
		for (size_t i = 0; !rc && i < found.n; i++) {
			pid_t pid = found.pids[i];

			if (pid_list_has(&seen, pid))
				continue;
			fresh++;
			rc = pid_list_add(&seen, pid);
			/* kettle may run inside the tree it attaches to (a CI step's shell): never itself */
			if (!rc && pid != getpid())
				rc = track_found(st, pid);
		}
		pid_list_free(&found);
		if (rc || !fresh)
			break;
	}
	if (!rc && round == SCAN_ROUNDS_MAX)
		cli_err("attach", "warning: the tree still changed after %d scans of /proc; "
			"processes it forked before the attach may be missing", SCAN_ROUNDS_MAX);
fail:
	pid_list_free(&seen);
	if (rc)
		cli_err("attach", "scanning the descendants of %d failed: %s", (int)root, strerror(-rc));
	return rc ? -1 : 0;
}

/*
 * --cgroup: the kernel side keeps everything in the subtree in scope from the
 * attach on; the processes already there get snapshots.  One that started
 * after the attach has its fork in the log and needs none.
 */
static int discover_cgroup(struct attach_state *st)
{
	struct pid_list found = { 0 };
	int rc = cgroup_scope_procs(&st->cg, &found);
	uint64_t tick_ns = proc_ticks_to_ns(1);

	for (size_t i = 0; !rc && i < found.n; i++) {
		struct proc_stat ps;

		if (found.pids[i] == getpid() || proc_read_stat(found.pids[i], &ps) || proc_exited(&ps))
			continue;
		if (proc_ticks_to_ns(ps.start_ticks) > st->attach_boot_ns + tick_ns)
			continue;
		rc = pre_add(st, found.pids[i], ps.start_ticks);
	}
	pid_list_free(&found);
	if (rc)
		cli_err("attach", "reading the processes of %s failed: %s", st->cg.path, strerror(-rc));
	return rc ? -1 : 0;
}

/* Writes a snapshot of every pre-existing process, before the writer thread owns the log. */
static int write_snapshots(struct attach_state *st)
{
	struct log_writer *log = session_log(&st->session);
	struct hash_plan *plan = st->session.collect.plan;
	int rc = 0;

	for (size_t i = 0; !rc && i < st->pre.n; i++) {
		struct proc_info pi;
		struct log_event ev;

		rc = proc_read_info(st->pre.pids[i], &pi);
		if (rc)
			break;
		/* The pid now belongs to another process: what /proc shows is not the one we tracked. */
		if (!pi.no_stat && pi.stat.start_ticks != st->pre_ticks[i])
			pi.gone = true;
		proc_snapshot_event(&pi, cgroup_id_of(pi.pid), &ev);
		rc = log_write_event(log, &ev);
		/* What was running is hashed like what the build runs later. */
		if (!rc && plan)
			rc = hash_plan_event(plan, log, &ev);
		/* and the files it holds are inputs it may read from now on */
		if (!rc && !pi.gone)
			rc = inherited_fds_record(&st->session, pi.pid, INHERITED_ALL_OPEN);
		proc_info_free(&pi);
	}
	if (rc)
		cli_err("attach", "writing the snapshots to %s failed: %s", st->opt->s.output, strerror(-rc));
	return rc ? -1 : 0;
}

/* --until-exit: a tracked pre-existing process whose exit passed before it was tracked would stay forever. */
static void prune_exited(struct attach_state *st)
{
	for (size_t i = 0; i < st->pre.n; i++) {
		struct proc_stat ps;
		pid_t pid = st->pre.pids[i];

		if (!tracer_is_tracked(st->tracer, pid))
			continue;
		if (proc_read_stat(pid, &ps) || proc_exited(&ps) || ps.start_ticks != st->pre_ticks[i])
			tracer_untrack(st->tracer, pid);
	}
}

static bool target_empty(struct attach_state *st)
{
	if (st->have_cg)
		return !cgroup_scope_populated(&st->cg);
	return tracer_tracked_count(st->tracer) == 0;
}

/* Until a signal, or --until-exit and nothing left to follow. */
static void supervise(struct attach_state *st, const sigset_t *sigs)
{
	const struct timespec tick = { 0, MAIN_TICK_NS };
	bool progress = st->opt->s.progress;

	for (unsigned n = 1;; n++) {
		siginfo_t si;
		int sig = sigtimedwait(sigs, &si, &tick);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			break;
		if (st->opt->until_exit) {
			if (!st->have_cg && n % PRUNE_EVERY_TICKS == 0)
				prune_exited(st);
			if (target_empty(st))
				break;
		}
		if (progress)
			session_progress(&st->session, st->have_cg ? -1 : tracer_tracked_count(st->tracer));
	}
	if (progress)
		fputc('\n', stderr);
}

static int session_begin(struct attach_state *st)
{
	const struct attach_options *o = st->opt;
	char scope[600], target[600];
	char **argv = NULL;
	uint32_t argc = 0;
	bool cut;
	int rc;

	if (st->have_cg) {
		snprintf(scope, sizeof(scope), "cgroup:%s", st->cg.path);
		snprintf(target, sizeof(target), "%s", st->cg.path);
	} else {
		snprintf(scope, sizeof(scope), "process-tree");
		snprintf(target, sizeof(target), "%d", (int)o->pid);
		/* The header's command is the target's, as /proc shows it (empty when unreadable). */
		if (proc_read_argv(o->pid, &argv, &argc, &cut) == -ENOMEM) {
			cli_err("attach", "out of memory");
			return -1;
		}
	}
	const struct log_option opts[] = {
		{ "start", st->have_cg ? "attach-cgroup" : "attach-pid" },
		{ "attach.target", target },
		{ "complete", "false" },
		{ "scope", scope },
		{ "until_exit", o->until_exit ? "true" : "false" },
	};
	const struct session_header h = {
		.root_pid = st->have_cg ? 0 : o->pid, .command = (const char *const *)argv, .ncommand = argc,
		.options = opts, .noptions = sizeof(opts) / sizeof(opts[0]),
	};

	rc = session_open(&st->session, &o->s, "kettle attach", st->tracer, &h);
	proc_argv_free(argv);
	return rc;
}

static int attach_traced(const struct attach_options *o)
{
	struct attach_state st = { .opt = o, .cg = { .dir_fd = -1 } };
	struct tracer_options topt = { .ringbuf_bytes = o->s.ringbuf_bytes, .cgroup_fd = -1,
				       .env_off = o->s.env_off, .follow_daemons = o->s.follow_daemons };
	sigset_t sigs;
	char err[512];
	int ret = KETTLE_EXIT_OWN_ERROR;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (target_check(&st))
		goto out;
	if (st.have_cg)
		topt.cgroup_fd = st.cg.dir_fd;
	st.tracer = tracer_open(&topt, err, sizeof(err));
	if (!st.tracer) {
		cli_err("attach", "%s", err);
		goto out;
	}
	st.attach_boot_ns = clock_ns(CLOCK_BOOTTIME);
	if (session_begin(&st))
		goto out;
	/* The ring buffer is emptied into memory while /proc is scanned and the snapshots written. */
	if (session_drain_start(&st.session) ||
	    (st.have_cg ? discover_cgroup(&st) : discover_tree(&st)) ||
	    write_snapshots(&st) || session_collect_start(&st.session)) {
		session_abort(&st.session);
		goto out;
	}
	st.session.processes_before = st.pre.n;
	atomic_fetch_add(&st.session.collect.events, st.pre.n);
	/* Said even without progress: from here on nothing the target does is missed. */
	cli_err("attach", "following %s %s (%zu processes running)", st.have_cg ? "cgroup" : "pid",
		st.have_cg ? st.cg.path : o->pid_arg, st.pre.n);

	supervise(&st, &sigs);
	session_stop(&st.session);
	tracer_close(st.tracer);
	st.tracer = NULL;
	/* No build exit status: kettle attach did not start the build. */
	ret = session_finish(&st.session, LOG_EXIT_STATUS_NONE, 0);
out:
	tracer_close(st.tracer);
	if (st.have_cg)
		cgroup_scope_close(&st.cg);
	pid_list_free(&st.pre);
	free(st.pre_ticks);
	return ret;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_options o = { 0 };

	if (attach_parse(argc, argv, &o))
		return KETTLE_EXIT_OWN_ERROR;
	return attach_traced(&o);
}
