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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_scope.h"
#include "commands.h"
#include "drain.h"
#include "event_queue.h"
#include "git_source.h"
#include "hash_plan.h"
#include "log_collect.h"
#include "log_writer.h"
#include "provenance.h"
#include "spawn.h"
#include "tracer.h"

#define DEFAULT_RINGBUF_BYTES (64u << 20)
#define QUEUE_MAX_BYTES       (1024ul << 20)
#define MAIN_TICK_NS          100000000l

struct run_options {
	const char *output;
	const char *provenance;
	size_t ringbuf_bytes;
	bool stop_at_root;
	bool allow_loss;
	bool progress;
	bool scope_cgroup;
	bool hash;
	unsigned hash_workers;
	unsigned hash_queue;
	char **command;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: kettle run [OPTIONS] -- CMD [ARGS...]\n"
		"Runs CMD and records every exec, open, fork and exit of its process tree.\n\n"
		"  -o, --output FILE       build log to write (default kettle.cbor)\n"
		"      --provenance FILE   also write the SLSA provenance of the build to FILE at the end\n"
		"                          (as kettle provenance LOG -o FILE does; see its --help)\n"
		"      --ringbuf-size N    kernel ring buffer bytes, power of two, K/M/G suffix (default 64M)\n"
		"      --stop-at-root      end when CMD exits, even if descendants still run\n"
		"      --scope tree|cgroup tree: CMD and its descendants (default); cgroup: everything\n"
		"                          in a fresh cgroup v2 that CMD starts in, removed afterwards\n"
		"      --allow-loss        exit with CMD's status even if events were lost (or the\n"
		"                          provenance is incomplete)\n"
		"      --no-hash           do not hash what the build read, ran and wrote\n"
		"      --hash-workers N    hashing threads (default: one per CPU; they run at idle priority)\n"
		"      --hash-queue N      files waiting to be hashed at most (default 65536); a file\n"
		"                          read while the queue is full is logged as not hashed\n"
		"      --no-progress       no progress line on stderr\n"
		"  -h, --help              this text\n\n"
		"Exit status: CMD's (128+N when killed by signal N); 125 kettle failed or lost events,\n"
		"126 CMD cannot be executed, 127 CMD not found.\n");
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end || v < 4096 || v > (1ull << 32) || (v & (v - 1)))
		return -1;
	*out = v;
	return 0;
}

/* A whole number from 1 to MAX. */
static int parse_count(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || n < 1 || n > max)
		return -1;
	*out = n;
	return 0;
}

static int run_parse(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "provenance", required_argument, NULL, 'p' },
		{ "ringbuf-size", required_argument, NULL, 'r' },
		{ "stop-at-root", no_argument, NULL, 's' },
		{ "allow-loss", no_argument, NULL, 'l' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "scope", required_argument, NULL, 'S' },
		{ "no-hash", no_argument, NULL, 'H' },
		{ "hash-workers", required_argument, NULL, 'W' },
		{ "hash-queue", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->output = "kettle.cbor";
	o->ringbuf_bytes = DEFAULT_RINGBUF_BYTES;
	o->progress = isatty(STDERR_FILENO);
	o->hash = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->output = optarg; break;
		case 'p': o->provenance = optarg; break;
		case 'r':
			if (parse_size(optarg, &o->ringbuf_bytes)) {
				fprintf(stderr, "kettle run: --ringbuf-size '%s': want a power of two from 4K to 4G\n", optarg);
				return -1;
			}
			break;
		case 's': o->stop_at_root = true; break;
		case 'l': o->allow_loss = true; break;
		case 'P': o->progress = false; break;
		case 'H': o->hash = false; break;
		case 'W':
			if (parse_count(optarg, 256, &o->hash_workers)) {
				fprintf(stderr, "kettle run: --hash-workers '%s': want 1 to 256\n", optarg);
				return -1;
			}
			break;
		case 'Q':
			if (parse_count(optarg, 1u << 20, &o->hash_queue)) {
				fprintf(stderr, "kettle run: --hash-queue '%s': want 1 to 1048576\n", optarg);
				return -1;
			}
			break;
		case 'S':
			if (strcmp(optarg, "tree") && strcmp(optarg, "cgroup")) {
				fprintf(stderr, "kettle run: --scope '%s': want tree or cgroup\n", optarg);
				return -1;
			}
			o->scope_cgroup = !strcmp(optarg, "cgroup");
			break;
		case 'h': run_usage(stdout); exit(0);
		default:
			fprintf(stderr, "kettle run: bad option (see kettle run --help)\n");
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "kettle run: no command given (kettle run [OPTIONS] -- CMD [ARGS...])\n");
		return -1;
	}
	o->command = argv + optind;
	return 0;
}

static void read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

static int status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return KETTLE_EXIT_OWN_ERROR;
}

static void progress_show(const struct log_collect *w, long live, const struct log_losses *l)
{
	fprintf(stderr, "\rkettle: %llu events, %llu processes started, %ld running, %llu lost   ",
		(unsigned long long)atomic_load(&w->events), (unsigned long long)atomic_load(&w->processes) + 1,
		live, (unsigned long long)log_losses_total(l));
}

/* Runs until the build is over; returns the root's wait status. */
static int supervise(const struct run_options *o, struct tracer *t, struct cgroup_scope *cg, pid_t root,
		     const sigset_t *sigs, struct log_collect *w)
{
	const struct timespec tick = { 0, MAIN_TICK_NS };
	bool root_done = false;
	int status = 0;

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(sigs, &si, &tick);

		/* A terminal's ^C already reached the whole foreground group; forward only what was sent to us. */
		if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && si.si_code != SI_KERNEL)
			kill(root, sig);
		if (!root_done && waitpid(root, &status, WNOHANG) == root)
			root_done = true;
		if (root_done && (o->stop_at_root ||
				  (cg ? !cgroup_scope_populated(cg) : tracer_tracked_count(t) == 0)))
			break;
		if (o->progress) {
			struct log_losses l;

			if (!tracer_read_losses(t, &l))
				progress_show(w, cg ? -1 : tracer_tracked_count(t), &l);
		}
	}
	if (o->progress)
		fputc('\n', stderr);
	return status;
}

/* Everything run_traced sets up, so one place can take it down on failure. */
struct run_state {
	struct tracer *tracer;
	struct cgroup_scope cg;
	bool have_cg;
	struct spawn child;
	bool spawned;
};

static void run_abort(struct run_state *rs)
{
	if (rs->spawned) {
		kill(rs->child.pid, SIGKILL);
		waitpid(rs->child.pid, NULL, 0);
	}
	tracer_close(rs->tracer);
	if (rs->have_cg)
		cgroup_scope_remove(&rs->cg);
}

/* Sets up scope, programs and the gated child. 0, or -1 after saying why. */
static int run_prepare(const struct run_options *o, struct run_state *rs, const sigset_t *child_mask)
{
	struct tracer_options topt = { .ringbuf_bytes = o->ringbuf_bytes, .cgroup_fd = -1 };
	char err[512];
	int rc;

	if (o->scope_cgroup) {
		if (cgroup_scope_create(&rs->cg, err, sizeof(err)))
			goto fail_msg;
		rs->have_cg = true;
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
	rc = rs->have_cg ? cgroup_scope_add(&rs->cg, rs->child.pid) : tracer_track(rs->tracer, rs->child.pid);
	if (rc) {
		snprintf(err, sizeof(err), "cannot put pid %d in scope: %s", rs->child.pid, strerror(-rc));
		goto fail_msg;
	}
	return 0;
fail_msg:
	fprintf(stderr, "kettle run: %s\n", err);
	run_abort(rs);
	return -1;
}

/* A random (version 4) UUID naming this run, or "" when the kernel gives no randomness. */
static void invocation_id(char out[37])
{
	uint8_t b[16];

	out[0] = '\0';
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The git checkout the build runs in, as header options; never a reason to fail the run. */
static uint32_t git_options(const char *cwd, struct git_source *src, struct log_option *opts)
{
	char err[256];
	int rc = git_source_read(cwd, src, err, sizeof(err));

	if (rc < 0)
		fprintf(stderr, "kettle run: warning: git source not recorded: %s\n", err);
	if (rc <= 0)
		return 0;
	opts[0] = (struct log_option){ "git.url", src->url };
	opts[1] = (struct log_option){ "git.commit", src->commit };
	opts[2] = (struct log_option){ "git.tree", src->tree };
	opts[3] = (struct log_option){ "git.dirty", src->dirty ? "true" : "false" };
	return 4;
}

static struct log_writer *run_log_open(const struct run_options *o, const struct run_state *rs)
{
	struct git_source git;
	char invocation[37];
	char err[512], host[256] = "", boot_id[64], cwd[PATH_MAX] = "", ringbuf[32], scope[600];
	struct utsname uts;
	struct log_writer *w;
	uint32_t ncmd = 0;

	gethostname(host, sizeof(host) - 1);
	if (uname(&uts))
		memset(&uts, 0, sizeof(uts));
	read_boot_id(boot_id, sizeof(boot_id));
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	while (o->command[ncmd])
		ncmd++;
	snprintf(ringbuf, sizeof(ringbuf), "%zu", o->ringbuf_bytes);
	snprintf(scope, sizeof(scope), "%s%s", rs->have_cg ? "cgroup:" : "process-tree",
		 rs->have_cg ? rs->cg.path : "");
	struct log_option opts[10] = {
		{ "scope", scope },
		{ "ringbuf_bytes", ringbuf },
		{ "stop_at_root", o->stop_at_root ? "true" : "false" },
		{ "allow_loss", o->allow_loss ? "true" : "false" },
	};
	uint32_t nopts = 4;

	invocation_id(invocation);
	if (invocation[0])
		opts[nopts++] = (struct log_option){ "invocation_id", invocation };
	nopts += git_options(cwd, &git, opts + nopts);
	const struct log_header hdr = {
		.kettle_version = KETTLE_VERSION, .host = host, .kernel_release = uts.release,
		.boot_id = boot_id, .start_wall_ns = clock_ns(CLOCK_REALTIME),
		.start_boot_ns = clock_ns(CLOCK_BOOTTIME), .root_pid = rs->child.pid,
		.command = (const char *const *)o->command, .ncommand = ncmd, .cwd = cwd,
		.options = opts, .noptions = nopts,
	};
	w = log_writer_open(o->output, &hdr, err, sizeof(err));
	if (!w)
		fprintf(stderr, "kettle run: %s\n", err);
	return w;
}

static void run_report(const struct run_options *o, const struct log_collect *w, const struct log_losses *losses,
		       int exec_err, int write_err)
{
	uint64_t total = log_losses_total(losses);
	uint64_t cut = losses->path_truncations + losses->argv_truncations + losses->string_truncations;
	uint64_t unfollowed = losses->pending_full + losses->tracked_full;

	if (exec_err)
		fprintf(stderr, "kettle run: %s: %s\n", o->command[0], strerror(exec_err));
	if (write_err)
		fprintf(stderr, "kettle run: writing %s failed: %s; the log is incomplete\n", o->output,
			strerror(-write_err));
	if (w->bad_records)
		fprintf(stderr, "kettle run: %llu malformed kernel records skipped\n",
			(unsigned long long)w->bad_records);
	if (total)
		fprintf(stderr, "kettle run: WARNING: the record is incomplete: %llu events lost in the ring buffer, "
			"%llu paths/argv/strings cut short, %llu syscalls or processes not followed%s\n",
			(unsigned long long)(total - cut - unfollowed), (unsigned long long)cut,
			(unsigned long long)unfollowed, o->allow_loss ? "" : " (exit 125; --allow-loss to accept)");
	if (w->plan)
		fprintf(stderr, "kettle: hashed %llu files (%llu changed while the build ran, %llu could not be hashed, "
			"%llu not queued)\n", (unsigned long long)w->hash.hashed, (unsigned long long)w->hash.changed,
			(unsigned long long)w->hash.failed, (unsigned long long)w->hash.queue_full);
	/* What collecting cost in CPU (all of kettle's threads, not the build's). */
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		memset(&ru, 0, sizeof(ru));
	fprintf(stderr, "kettle: %s: %llu events, %llu processes; kettle used %.2f s CPU (%.2f user, %.2f system)\n",
		o->output, (unsigned long long)atomic_load(&w->events),
		(unsigned long long)atomic_load(&w->processes) + 1,
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
}

/* The statement of the log just written; RET stays unless it was 0 and the provenance failed or is incomplete. */
static int run_provenance(const struct run_options *o, int ret)
{
	const struct provenance_options po = { .log_path = o->output };
	struct provenance_facts x;
	char err[1024];

	if (provenance_write(o->output, o->provenance, &po, &x, err, sizeof(err))) {
		fprintf(stderr, "kettle run: no provenance: %s\n", err);
		return ret ? ret : KETTLE_EXIT_OWN_ERROR;
	}
	fprintf(stderr, "kettle: provenance %s: sha256 %s, %zu subjects, %zu dependencies%s\n", o->provenance,
		x.sha256, x.subjects, x.dependencies, x.complete ? "" : ", INCOMPLETE (see its byproducts)");
	if (!x.complete && !o->allow_loss && ret == 0) {
		fprintf(stderr, "kettle run: the provenance is incomplete: %llu changed files, %llu files without a "
			"digest, %llu losses (exit 125; --allow-loss to accept)\n", (unsigned long long)x.changed,
			(unsigned long long)x.unhashed, (unsigned long long)x.losses);
		return KETTLE_EXIT_OWN_ERROR;
	}
	return ret;
}

static int run_traced(const struct run_options *o)
{
	struct run_state rs = { 0 };
	struct log_collect w = { 0 };
	struct event_queue q;
	struct drain d;
	sigset_t sigs, old;
	struct log_losses losses;
	struct log_trailer trailer = { 0 };
	char err[512];
	int status, exec_err, rc, ret;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);

	if (run_prepare(o, &rs, &old))
		return KETTLE_EXIT_OWN_ERROR;
	if (o->hash) {
		struct hash_plan_options hopt = { .workers = o->hash_workers, .queue = o->hash_queue };

		w.plan = hash_plan_new(&hopt, err, sizeof(err));
		if (!w.plan) {
			fprintf(stderr, "kettle run: cannot start hashing: %s\n", err);
			run_abort(&rs);
			return KETTLE_EXIT_OWN_ERROR;
		}
	}
	w.log = run_log_open(o, &rs);
	if (!w.log) {
		hash_plan_free(w.plan);
		run_abort(&rs);
		return KETTLE_EXIT_OWN_ERROR;
	}
	w.tracer = rs.tracer;
	w.queue = &q;
	if ((rc = event_queue_init(&q, QUEUE_MAX_BYTES)) || (rc = drain_start(&d, tracer_ringbuf_fd(rs.tracer), &q)) ||
	    (rc = log_collect_start(&w))) {
		fprintf(stderr, "kettle run: cannot start the collector threads: %s\n", strerror(-rc));
		run_abort(&rs);
		return KETTLE_EXIT_OWN_ERROR;
	}

	exec_err = spawn_release(&rs.child);
	status = supervise(o, rs.tracer, rs.have_cg ? &rs.cg : NULL, rs.child.pid, &sigs, &w);

	rc = drain_stop(&d);
	if (o->progress && w.plan)
		fprintf(stderr, "kettle: build over; hashing its outputs\n");
	log_collect_join(&w);
	event_queue_destroy(&q);
	hash_plan_free(w.plan);
	if (tracer_read_losses(rs.tracer, &losses))
		memset(&losses, 0, sizeof(losses));
	tracer_close(rs.tracer);
	if (rs.have_cg && cgroup_scope_remove(&rs.cg))
		fprintf(stderr, "kettle run: warning: cgroup %s left behind (still populated?)\n", rs.cg.path);

	if (exec_err)
		ret = exec_err == ENOENT ? KETTLE_EXIT_NOT_FOUND : KETTLE_EXIT_CANNOT_EXEC;
	else
		ret = status_to_exit(status);
	if (log_losses_total(&losses) && !o->allow_loss && ret == 0)
		ret = KETTLE_EXIT_OWN_ERROR;
	if (rc || w.error || w.bad_records)
		ret = KETTLE_EXIT_OWN_ERROR;
	trailer.end_wall_ns = clock_ns(CLOCK_REALTIME);
	trailer.end_boot_ns = clock_ns(CLOCK_BOOTTIME);
	trailer.exit_status = status;
	trailer.kettle_exit = ret;
	trailer.losses = losses;
	trailer.hash = w.hash;
	if (!w.error)
		w.error = log_write_trailer(w.log, &trailer);
	rc = log_writer_close(w.log) ?: rc;
	run_report(o, &w, &losses, exec_err, w.error ?: rc);
	if (o->provenance && !w.error && !rc)
		ret = run_provenance(o, ret);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_options o = { 0 };

	if (run_parse(argc, argv, &o))
		return KETTLE_EXIT_OWN_ERROR;
	return run_traced(&o);
}
