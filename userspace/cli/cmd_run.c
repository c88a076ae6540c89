// SPDX-License-Identifier: MIT
/*
 * kettle run: trace a command's whole process tree into a build log.
 * Threads: the drain thread empties the ring buffer, the writer thread
 * decodes and writes the log, the main thread runs the child, forwards
 * signals, shows progress and decides when the build is over.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attest/evidence.h"
#include "cli/cli_err.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "collect/cgroup_scope.h"
#include "collect/inherited_fds.h"
#include "collect/inherited_pipes.h"
#include "collect/kmod_reader.h"
#include "collect/proc_scan.h"
#include "collect/session.h"
#include "collect/spawn.h"
#include "collect/tracer.h"
#include "provenance/git_source.h"
#include "provenance/provenance.h"

#define MAIN_TICK_NS 100000000l

enum { OPT_STOP_AT_ROOT = 0x200, OPT_SCOPE, OPT_CGROUP, OPT_PROVENANCE, OPT_ATTEST, OPT_KMOD_DEVICE,
       OPT_NO_KMOD, OPT_ALLOW_INCOMPLETE, OPT_LINGER, OPT_SUBJECT };

#define RUN_SUBJECTS_MAX 64

/* How long processes the build left behind may sit idle before the run ends without them. */
#define DEFAULT_LINGER_S 5

struct run_options {
	struct session_options s;
	const char *provenance;
	struct attest_cli attest;       /* req.bundle_path set: attest the provenance at the end */
	bool stop_at_root;
	bool scope_cgroup;
	const char *kmod_device;        /* --kmod-device; NULL: $KETTLE_KMOD_DEVICE or /dev/kettle */
	bool no_kmod;
	bool allow_incomplete;          /* an incomplete provenance (it says so) does not fail the run */
	unsigned linger_s;              /* --linger: idle seconds of what is left after the root exits */
	const char *subjects[RUN_SUBJECTS_MAX]; /* --subject as given: resolved when the build is over */
	size_t nsubjects;
	char **command;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle run [OPTIONS] -- CMD [ARGS...]\n"
		"Runs CMD and records every exec, open, fork and exit of its process tree.\n\n");
	session_usage(f);
	fprintf(f,
		"      --provenance FILE   also write the SLSA provenance of the build to FILE at the end\n"
		"                          (as kettle provenance LOG -o FILE does; see its --help)\n"
		"      --subject PATH|GLOB the provenance's subjects (repeatable; default: every output\n"
		"                          under the current directory); symlinks in it are resolved\n"
		"      --allow-incomplete  an incomplete provenance (it names its reasons) does not fail\n"
		"                          the run (exit 125 otherwise)\n"
		"      --attest BUNDLE     then bind that provenance into TEE evidence, written to BUNDLE,\n"
		"                          with its DSSE envelope, Sigstore bundle and session key beside it\n"
		"                          (as kettle attest does; with --tee, --nonce, --sim-state,\n"
		"                          --tsm-root, --sev-device, --tdx-device, --dsse, --sigstore-bundle,\n"
		"                          --public-key, --no-sign: see its --help)\n"
		"      --stop-at-root      end when CMD exits, even if descendants still run\n"
		"      --linger SECONDS    after CMD exits, wait for the processes it left while they\n"
		"                          work; once they have used no CPU for SECONDS (default 5),\n"
		"                          end without them, naming them (idle daemons: a build server,\n"
		"                          a compiler cache); 0 waits for them whatever they do\n"
		"      --scope tree|cgroup tree: CMD and its descendants (default); cgroup: everything\n"
		"                          in a fresh cgroup v2 that CMD starts in, removed afterwards\n"
		"      --cgroup            the same as --scope cgroup\n"
		"      --kmod-device PATH  the kernel module's device (default $KETTLE_KMOD_DEVICE, else\n"
		"                          /dev/kettle). When it exists, the build runs in a cgroup of its\n"
		"                          own and the module hashes every program it executes, at exec;\n"
		"                          a device that exists but cannot be used (busy: one reader at a\n"
		"                          time) fails the run, as does a PATH named here that is missing\n"
		"      --no-kmod           do not use the kernel module, even when it is there\n"
		"  -h, --help              this text\n\n"
		"Exit status: CMD's (128+N when killed by signal N); 125 kettle failed or lost events,\n"
		"126 CMD cannot be executed, 127 CMD not found.\n");
}

static int run_parse(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		SESSION_LONGOPTS,
		{ "stop-at-root", no_argument, NULL, OPT_STOP_AT_ROOT },
		{ "scope", required_argument, NULL, OPT_SCOPE },
		{ "cgroup", no_argument, NULL, OPT_CGROUP },
		{ "provenance", required_argument, NULL, OPT_PROVENANCE },
		{ "kmod-device", required_argument, NULL, OPT_KMOD_DEVICE },
		{ "no-kmod", no_argument, NULL, OPT_NO_KMOD },
		{ "allow-incomplete", no_argument, NULL, OPT_ALLOW_INCOMPLETE },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "attest", required_argument, NULL, OPT_ATTEST },
		ATTEST_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, taken;

	session_options_init(&o->s);
	o->attest.req.tee = TEE_AUTO;
	o->linger_s = DEFAULT_LINGER_S;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		taken = session_option(&o->s, "kettle run", c, optarg);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		switch (c) {
		case OPT_STOP_AT_ROOT: o->stop_at_root = true; break;
		case OPT_CGROUP: o->scope_cgroup = true; break;
		case OPT_PROVENANCE: o->provenance = optarg; break;
		case OPT_KMOD_DEVICE: o->kmod_device = optarg; break;
		case OPT_NO_KMOD: o->no_kmod = true; break;
		case OPT_ALLOW_INCOMPLETE: o->allow_incomplete = true; break;
		case OPT_SUBJECT:
			if (o->nsubjects == RUN_SUBJECTS_MAX) {
				cli_err("run", "more than %d --subject", RUN_SUBJECTS_MAX);
				return -1;
			}
			o->subjects[o->nsubjects++] = optarg;
			break;
		case OPT_LINGER: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (!*optarg || *end || v > 86400) {
				cli_err("run", "--linger '%s': want whole seconds, 0 to 86400", optarg);
				return -1;
			}
			o->linger_s = (unsigned)v;
			break;
		}
		case OPT_SCOPE:
			if (strcmp(optarg, "tree") && strcmp(optarg, "cgroup")) {
				cli_err("run", "--scope '%s': want tree or cgroup", optarg);
				return -1;
			}
			o->scope_cgroup = !strcmp(optarg, "cgroup");
			break;
		case OPT_ATTEST: o->attest.req.bundle_path = optarg; break;
		case ATTEST_OPT_NONCE: case ATTEST_OPT_TEE: case ATTEST_OPT_SIM_STATE:
		case ATTEST_OPT_TSM_ROOT: case ATTEST_OPT_SEV_DEVICE: case ATTEST_OPT_TDX_DEVICE:
			if (attest_option(c, optarg, &o->attest, "run"))
				return -1;
			break;
		case 'h': run_usage(stdout); exit(0);
		default:
			cli_err("run", "bad option (see kettle run --help)");
			return -1;
		}
	}
	if (o->no_kmod && o->kmod_device) {
		cli_err("run", "--kmod-device and --no-kmod contradict each other");
		return -1;
	}
	if (o->attest.req.bundle_path && !o->provenance) {
		cli_err("run", "--attest needs --provenance FILE (the statement it attests)");
		return -1;
	}
	if (optind >= argc) {
		cli_err("run", "no command given (kettle run [OPTIONS] -- CMD [ARGS...])");
		return -1;
	}
	o->command = argv + optind;
	return 0;
}

static int status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return KETTLE_EXIT_OWN_ERROR;
}

/* The processes of the build now: the cgroup's, or the tracer's tree. */
static int build_pids(struct session *s, struct cgroup_scope *cg, struct pid_list *l)
{
	l->n = 0;
	return cg ? cgroup_scope_procs(cg, l) : tracer_tracked_pids(s->tracer, l);
}

/* CPU ticks used so far by the processes of L (those that are gone count 0). */
static uint64_t cpu_ticks(const struct pid_list *l)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < l->n; i++) {
		char path[64], line[1024], *p;
		unsigned long long ut, st;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)l->pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		fclose(f);
		/* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
			sum += ut + st;
	}
	return sum;
}

/*
 * A signal sent to kettle run goes to every process of the build: the root
 * may be gone while what it started still runs.  The run then ends as
 * interrupted; a second SIGINT ends kettle at once (the log, cut there,
 * still reads back to its last record).
 */
static void on_stop_signal(struct session *s, struct cgroup_scope *cg, pid_t root, int sig, struct pid_list *l)
{
	if (s->interrupted_by == SIGINT && sig == SIGINT) {
		cli_err("run", "second SIGINT: stopping now; the log holds what was written so far");
		_exit(128 + SIGINT);
	}
	session_note_interrupted(s, sig);
	kill(root, sig);
	if (build_pids(s, cg, l) == 0)
		for (size_t i = 0; i < l->n; i++)
			kill(l->pids[i], sig);
}

/* Ends the run without the idle processes of L: says so, and the log names them. */
static void leave_idle(struct session *s, const struct pid_list *l, unsigned linger_s)
{
	char *pids = NULL;
	size_t len;
	FILE *f = open_memstream(&pids, &len);

	for (size_t i = 0; i < l->n; i++) {
		if (f)
			fprintf(f, " %d", (int)l->pids[i]);
		session_note_left_running(s, l->pids[i]);
	}
	if (f && fclose(f)) {
		free(pids);
		pids = NULL;
	}
	/* out of memory: the line without the pids (the log still names them) */
	cli_err("run", "the command exited; %zu process%s it left used no CPU for %u s and %s not followed further:"
		"%s (--linger 0 waits for them)", l->n, l->n == 1 ? "" : "es", linger_s, l->n == 1 ? "is" : "are",
		pids ? pids : "");
	free(pids);
}

/* Runs until the build is over; returns the root's wait status. */
static int supervise(const struct run_options *o, struct session *s, struct cgroup_scope *cg, pid_t root,
		     const sigset_t *sigs)
{
	const struct timespec tick = { 0, MAIN_TICK_NS };
	struct pid_list left = { 0 };
	bool root_done = false;
	uint64_t idle_since = 0, last_ticks = UINT64_MAX;
	int status = 0;

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(sigs, &si, &tick);

		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			on_stop_signal(s, cg, root, sig, &left);
		if (!root_done && waitpid(root, &status, WNOHANG) == root)
			root_done = true;
		if (root_done && (o->stop_at_root ||
				  (cg ? !cgroup_scope_populated(cg) : tracer_tracked_count(s->tracer) == 0)))
			break;
		if (root_done && o->linger_s && build_pids(s, cg, &left) == 0) {
			uint64_t now = clock_ns(CLOCK_MONOTONIC), ticks = cpu_ticks(&left);

			if (ticks != last_ticks)
				idle_since = now, last_ticks = ticks;
			else if (now - idle_since >= o->linger_s * NSEC_PER_SEC) {
				leave_idle(s, &left, o->linger_s);
				break;
			}
		}
		if (o->s.progress)
			session_progress(s, cg ? -1 : tracer_tracked_count(s->tracer));
	}
	free(left.pids);
	if (o->s.progress)
		fputc('\n', stderr);
	return status;
}

/*
 * The git checkout the build runs in, read while the programs load: git
 * status in a large checkout takes as long as the load, and both must be
 * over before the build starts.
 */
struct git_job {
	pthread_t thread;
	bool started;
	int rc;                         /* git_source_read's */
	struct git_source src;
	char err[256];
};

static void *git_job_run(void *arg)
{
	struct git_job *j = arg;
	char cwd[PATH_MAX];

	j->rc = getcwd(cwd, sizeof(cwd)) ? git_source_read(cwd, &j->src, j->err, sizeof(j->err)) : 0;
	return NULL;
}

static void git_job_start(struct git_job *j)
{
	j->rc = 0;
	j->started = pthread_create(&j->thread, NULL, git_job_run, j) == 0;
	if (!j->started)
		git_job_run(j);         /* no thread: read it now, in line */
}

static void git_job_wait(struct git_job *j)
{
	if (j->started)
		pthread_join(j->thread, NULL);
	j->started = false;
}

/* Everything run_traced sets up, so one place can take it down on failure. */
struct run_state {
	struct git_job git;
	struct tracer *tracer;
	struct cgroup_scope cg;
	bool have_cg;                   /* the build runs in a cgroup of its own */
	bool cg_scope;                  /* ... which is also the tracer's scope (--scope cgroup) */
	struct kmod_reader *kmod;       /* the kernel module, when it is used */
	const char *kmod_state;         /* header option "kmod": used, absent, off */
	struct spawn child;
	bool spawned;
	struct inherited_pipes pipes;   /* pipes from the caller the build may read */
};

/* The inherited pipes the build read, while the tracer can still look at them. */
static void note_pipes_read(struct run_state *rs, struct session *s)
{
	struct ke_pipe_state read[SESSION_PIPES_READ_MAX];
	int n = inherited_pipes_read(&rs->pipes, rs->tracer, read, SESSION_PIPES_READ_MAX);

	if (n < 0) {
		/* not knowing whether the build read them is itself the reason */
		cli_err("run", "cannot read the state of the pipes the command inherited: %s", strerror(-n));
		for (size_t i = 0; i < rs->pipes.n && i < SESSION_PIPES_READ_MAX; i++)
			session_note_pipe_read(s, rs->child.pid, (int)rs->pipes.at_start[i].fd,
					       rs->pipes.at_start[i].kind == KE_PIPE_TERMINAL);
		return;
	}
	for (int i = 0; i < n; i++)
		session_note_pipe_read(s, rs->child.pid, (int)read[i].fd, read[i].kind == KE_PIPE_TERMINAL);
}

static void run_abort(struct run_state *rs)
{
	git_job_wait(&rs->git);
	if (rs->spawned) {
		kill(rs->child.pid, SIGKILL);
		waitpid(rs->child.pid, NULL, 0);
	}
	tracer_close(rs->tracer);
	kmod_reader_close(rs->kmod);
	rs->kmod = NULL;
	if (rs->have_cg)
		cgroup_scope_remove(&rs->cg);
}

/*
 * The kernel module, when its device is there.  A device that exists but
 * cannot be used fails the run: a user who loaded the module expects every
 * exec measured, not a quiet run without it.
 */
static int kmod_prepare(const struct run_options *o, struct run_state *rs, char *err, size_t errlen)
{
	char why[384];
	int rc;

	rs->kmod_state = "off";
	if (o->no_kmod)
		return 0;
	rc = kmod_reader_open(o->kmod_device, o->kmod_device != NULL, &rs->kmod, why, sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s; --no-kmod to run without the kernel module", why);
		return -1;
	}
	rs->kmod_state = rc ? "used" : "absent";
	return 0;
}

/* Scopes the module to the build's cgroup, before the build's first exec. */
static int kmod_scope(struct run_state *rs, char *err, size_t errlen)
{
	uint64_t id = cgroup_scope_id(&rs->cg);

	if (!id) {
		snprintf(err, errlen, "%.400s: cannot read the cgroup id: %s", rs->cg.path, strerror(errno));
		return -1;
	}
	return kmod_reader_set_scope(rs->kmod, id, err, errlen);
}

/* Sets up scope, programs and the gated child. 0, or -1 after saying why. */
static int run_prepare(const struct run_options *o, struct run_state *rs, const sigset_t *child_mask)
{
	struct tracer_options topt = { .ringbuf_bytes = o->s.ringbuf_bytes, .cgroup_fd = -1,
				       .env_off = o->s.env_off, .follow_daemons = o->s.follow_daemons };
	char err[512];
	int rc;

	if (kmod_prepare(o, rs, err, sizeof(err)))
		goto fail_msg;
	if (o->scope_cgroup || rs->kmod) {
		if (cgroup_scope_create(&rs->cg, err, sizeof(err)))
			goto fail_msg;
		rs->have_cg = true;
		rs->cg_scope = o->scope_cgroup;
		if (rs->cg_scope)
			topt.cgroup_fd = rs->cg.dir_fd;
	}
	rs->tracer = tracer_open(&topt, err, sizeof(err));
	if (!rs->tracer)
		goto fail_msg;
	rc = spawn_gated(&rs->child, o->command, child_mask);
	if (rc) {
		snprintf(err, sizeof(err), "cannot fork: %s", strerror(-rc));
		goto fail_msg;
	}
	rs->spawned = true;
	rc = rs->have_cg ? cgroup_scope_add(&rs->cg, rs->child.pid) : 0;
	if (!rc && !rs->cg_scope)
		rc = tracer_track(rs->tracer, rs->child.pid);
	if (rc) {
		snprintf(err, sizeof(err), "cannot put pid %d in scope: %s", rs->child.pid, strerror(-rc));
		goto fail_msg;
	}
	if (rs->kmod && kmod_scope(rs, err, sizeof(err)))
		goto fail_msg;
	return 0;
fail_msg:
	cli_err("run", "%s", err);
	run_abort(rs);
	return -1;
}

/* The git checkout the build runs in, as header options; never a reason to fail the run. */
static uint32_t git_options(struct git_job *j, struct log_option *opts)
{
	const struct git_source *src = &j->src;

	git_job_wait(j);
	if (j->rc < 0)
		cli_err("run", "warning: git source not recorded: %s", j->err);
	if (j->rc <= 0)
		return 0;
	opts[0] = (struct log_option){ "git.url", src->url };
	opts[1] = (struct log_option){ "git.commit", src->commit };
	opts[2] = (struct log_option){ "git.tree", src->tree };
	opts[3] = (struct log_option){ "git.dirty", src->dirty ? "true" : "false" };
	return 4;
}

static int run_session_open(const struct run_options *o, struct run_state *rs, struct session *s)
{
	int rc;
	char scope[600];
	uint32_t ncmd = 0, nopts = 5;

	while (o->command[ncmd])
		ncmd++;
	snprintf(scope, sizeof(scope), "%s%s", rs->cg_scope ? "cgroup:" : "process-tree",
		 rs->cg_scope ? rs->cg.path : "");
	struct log_option opts[11] = {
		{ "start", "run" },
		{ "complete", "true" },
		{ "scope", scope },
		{ "stop_at_root", o->stop_at_root ? "true" : "false" },
		{ "kmod", rs->kmod_state },
	};
	if (rs->kmod) {
		opts[nopts++] = (struct log_option){ "kmod.device", kmod_reader_device(rs->kmod) };
		opts[nopts++] = (struct log_option){ "kmod.cgroup", rs->cg.path };
	}
	nopts += git_options(&rs->git, opts + nopts);
	const struct session_header h = {
		.root_pid = rs->child.pid, .command = (const char *const *)o->command, .ncommand = ncmd,
		.options = opts, .noptions = nopts,
	};

	if (session_open(s, &o->s, "kettle run", rs->tracer, &h))
		return -1;
	if (inherited_fds_record(s, rs->child.pid, INHERITED_ACROSS_EXEC)) {
		cli_err("run", "cannot record the descriptors the command inherits");
		session_abort(s);
		return -1;
	}
	rc = inherited_pipes_start(&rs->pipes, rs->tracer);
	if (rc) {
		cli_err("run", "cannot read the pipes the command inherits: %s", strerror(-rc));
		session_abort(s);
		return -1;
	}
	if (session_drain_start(s) || session_collect_start(s) || (rs->kmod && session_kmod_start(s, rs->kmod))) {
		session_abort(s);
		return -1;
	}
	return 0;
}

/* Writes the statement with options PO; RET stays unless it was 0 and the provenance failed or is incomplete. */
static int run_provenance_write(const struct run_options *o, const struct provenance_options *po, int ret)
{
	struct provenance_facts x;
	char err[1024];

	if (provenance_write(o->s.output, o->provenance, po, &x, err, sizeof(err))) {
		if (x.no_subject) {     /* a build that had nothing to do is not a failure */
			cli_err("run", "no provenance written: the build left no output file under"
				" its directory (a no-op build?); name what it made with --subject PATH|GLOB");
			/* a build whose outputs a daemon wrote looks the same: say so */
			if (x.nreasons)
				cli_print_unrecorded("run", &x);
			return ret;
		}
		cli_err("run", "no provenance: %s", err);
		return ret ? ret : KETTLE_EXIT_OWN_ERROR;
	}
	cli_err(NULL, "provenance %s: sha256 %s, %zu subjects, %zu dependencies%s", o->provenance,
		x.sha256, x.subjects, x.dependencies, x.complete ? ", complete" : ", INCOMPLETE");
	if (!x.complete)
		cli_print_incomplete("run", &x, o->allow_incomplete || o->s.allow_loss ? NULL :
				     "exit 125; --allow-incomplete to accept a provenance that says it is incomplete");
	if (!x.complete && !o->allow_incomplete && !o->s.allow_loss && ret == 0)
		return KETTLE_EXIT_OWN_ERROR;
	return ret;
}

/* The statement of the log just written, with the --subject paths resolved now. */
static int run_provenance(const struct run_options *o, int ret)
{
	/* symlinks resolved now, not before the build: it may make them (bazel-bin/) */
	char *subjects[RUN_SUBJECTS_MAX];
	const struct provenance_options po = { .log_path = o->s.output,
					       .subjects = (const char *const *)subjects, .nsubjects = o->nsubjects };

	for (size_t i = 0; i < o->nsubjects; i++)
		if (!(subjects[i] = cli_subject_resolved(o->subjects[i]))) {
			while (i--)
				free(subjects[i]);
			cli_err("run", "out of memory");
			return ret == 0 ? KETTLE_EXIT_OWN_ERROR : ret;
		}
	ret = run_provenance_write(o, &po, ret);
	for (size_t i = 0; i < o->nsubjects; i++)
		free(subjects[i]);
	return ret;
}

/* Evidence for the provenance just written; RET stays unless attesting failed. */
static int run_attest(const struct run_options *o, int ret)
{
	struct attest_cli a = o->attest;
	struct bundle b;
	char err[1024];

	a.req.statement_path = o->provenance;
	evidence_paths_default(&a.req.paths);
	if (attest_signed(&a, &b, err, sizeof(err))) {
		cli_err("run", "no evidence: %s", err);
		return KETTLE_EXIT_OWN_ERROR;
	}
	cli_err(NULL, "evidence %s: %s%s", a.req.bundle_path, bundle_platform_name(b.platform),
		b.simulated ? " -- SIMULATED, not from a TEE" : "");
	if (!a.unsigned_only)
		cli_err(NULL, "signed statement: DSSE envelope %s, Sigstore bundle %s, public key %s", a.dsse_out,
			a.sigstore_out, a.public_key_out);
	bundle_free(&b);
	return ret;
}

static int run_traced(const struct run_options *o)
{
	struct run_state rs = { 0 };
	struct session s;
	sigset_t sigs, old;
	int status, exec_err, ret;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);

	git_job_start(&rs.git);
	if (run_prepare(o, &rs, &old))
		return KETTLE_EXIT_OWN_ERROR;
	if (run_session_open(o, &rs, &s)) {
		run_abort(&rs);
		return KETTLE_EXIT_OWN_ERROR;
	}

	exec_err = spawn_release(&rs.child);
	status = supervise(o, &s, rs.cg_scope ? &rs.cg : NULL, rs.child.pid, &sigs);
	note_pipes_read(&rs, &s);

	session_stop(&s);
	tracer_close(rs.tracer);
	if (rs.have_cg && cgroup_scope_remove(&rs.cg))
		cli_err("run", "warning: cgroup %s left behind (still populated?)", rs.cg.path);

	if (exec_err) {
		cli_err("run", "%s: %s", o->command[0], strerror(exec_err));
		ret = exec_err == ENOENT ? KETTLE_EXIT_NOT_FOUND : KETTLE_EXIT_CANNOT_EXEC;
	} else {
		ret = status_to_exit(status);
	}
	ret = session_finish(&s, status, ret);
	kmod_reader_close(rs.kmod);
	if (o->provenance && !s.write_error) {
		ret = run_provenance(o, ret);
		if (o->attest.req.bundle_path && ret != KETTLE_EXIT_OWN_ERROR)
			ret = run_attest(o, ret);
	}
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = { 0 };
	int ret = KETTLE_EXIT_OWN_ERROR;

	if (!run_parse(argc, argv, &o))
		ret = run_traced(&o);
	return ret;
}
