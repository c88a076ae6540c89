// SPDX-License-Identifier: MIT
/* One collection session shared by run and attach: options, header, pipeline, trailer. */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "collect/session.h"
#include "common/clock.h"
#include "common/exit_code.h"
#include "hash/hash_plan.h"
#include "log/net_summary.h"

/*
 * The collector's memory is bounded whatever the build (issue 20: 200 MB):
 * the ring buffer's pages are mapped twice (RSS 2x its size, resident from
 * the start), the queue holds what the writer has not yet encoded, and the
 * writer's tables forget past their budget (log_writer.c).  The drain keeps
 * up with the kernel at a few MiB of ring (tools/bench/open-storm's loss
 * curve); the queue absorbs the writer's slower moments, and past it the
 * drain waits and the ring absorbs the rest.
 */
#define DEFAULT_RINGBUF_BYTES (16u << 20)
#define QUEUE_MAX_BYTES       (48ul << 20)
#define MAX_OPTIONS           16

void session_options_init(struct session_options *o)
{
	memset(o, 0, sizeof(*o));
	o->output = "kettle.cbor";
	o->ringbuf_bytes = DEFAULT_RINGBUF_BYTES;
	o->progress = isatty(STDERR_FILENO);
	o->hash = true;
	o->log_compression = LOG_COMPRESSION_ZSTD;
	env_redact_init(&o->redact);
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

static int env_option(struct session_options *o, const char *cmd, int c, const char *arg)
{
	char err[256];

	switch (c) {
	case SESSION_OPT_ENV:
		if (strcmp(arg, "record") && strcmp(arg, "none")) {
			fprintf(stderr, "%s: --env '%s': want record or none\n", cmd, arg);
			return -1;
		}
		o->env_off = !strcmp(arg, "none");
		return 1;
	case SESSION_OPT_SECRET_PATTERNS:
		env_redact_clear(&o->redact);
		/* fall through */
	default:
		if (env_redact_add_list(&o->redact, arg, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			return -1;
		}
		return 1;
	}
}

int session_option(struct session_options *o, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case SESSION_OPT_ENV:
	case SESSION_OPT_SECRET_PATTERN:
	case SESSION_OPT_SECRET_PATTERNS:
		return env_option(o, cmd, c, arg);
	case 'o': o->output = arg; return 1;
	case SESSION_OPT_RINGBUF:
		if (parse_size(arg, &o->ringbuf_bytes)) {
			fprintf(stderr, "%s: --ringbuf-size '%s': want a power of two from 4K to 4G\n", cmd, arg);
			return -1;
		}
		return 1;
	case SESSION_OPT_ALLOW_LOSS: o->allow_loss = true; return 1;
	case SESSION_OPT_NO_PROGRESS: o->progress = false; return 1;
	case SESSION_OPT_NO_HASH: o->hash = false; return 1;
	case SESSION_OPT_FOLLOW_DAEMONS: o->follow_daemons = true; return 1;
	case SESSION_OPT_LOG_COMPRESSION:
		if (strcmp(arg, "zstd") && strcmp(arg, "none")) {
			fprintf(stderr, "%s: --log-compression '%s': want zstd or none\n", cmd, arg);
			return -1;
		}
		o->log_compression = strcmp(arg, "none") ? LOG_COMPRESSION_ZSTD : LOG_COMPRESSION_NONE;
		return 1;
	case SESSION_OPT_HASH_WORKERS:
		if (parse_count(arg, 256, &o->hash_workers)) {
			fprintf(stderr, "%s: --hash-workers '%s': want 1 to 256\n", cmd, arg);
			return -1;
		}
		return 1;
	case SESSION_OPT_HASH_QUEUE:
		if (parse_count(arg, 1u << 20, &o->hash_queue)) {
			fprintf(stderr, "%s: --hash-queue '%s': want 1 to 1048576\n", cmd, arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

void session_usage(FILE *f)
{
	fprintf(f,
		"  -o, --output FILE       build log to write (default kettle.cbor)\n"
		"      --ringbuf-size N    kernel ring buffer bytes, power of two, K/M/G suffix (default 16M)\n"
		"      --allow-loss        do not fail (exit 125) when events were lost\n"
		"      --no-hash           do not hash what the build read, ran and wrote\n"
		"      --hash-workers N    hashing threads (default: one per CPU; they run at idle priority)\n"
		"      --hash-queue N      files waiting to be hashed at most (default 65536); a file\n"
		"                          read while the queue is full is logged as not hashed\n"
		"      --no-progress       no progress line on stderr\n"
		"      --log-compression zstd|none  write the log as a zstd stream of its CBOR\n"
		"                          (default), or the CBOR as it is; kettle reads both\n"
		"      --follow-daemons    trace a daemon started outside the run (a compiler cache or\n"
		"                          build server) from its first accept of the build's connection;\n"
		"                          the provenance still names its state from before as unseen\n"
		"      --env record|none   record each exec's environment (default) or not at all\n"
		"      --secret-pattern PAT  also hash the value of every variable whose name contains\n"
		"                          PAT (any case; letters, digits, _); repeatable\n"
		"      --secret-patterns LIST  replace the patterns so far (default TOKEN,SECRET,PASSWORD,\n"
		"                          PASSWD,PASSPHRASE,KEY,CREDENTIAL,AUTH,PRIVATE,COOKIE,SESSION)\n"
		"                          by the comma-separated LIST ('' hashes nothing); a hashed\n"
		"                          value is logged as sha256:<hex of its SHA-256>\n");
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

/* A random (version 4) UUID naming this session, or "" when the kernel gives no randomness. */
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

static struct log_writer *log_open(const struct session *s, const struct session_header *h)
{
	char err[512], host[256] = "", boot_id[64], cwd[PATH_MAX] = "", ringbuf[32], invocation[37];
	struct log_option opts[MAX_OPTIONS];
	struct utsname uts;
	struct log_writer *w;
	uint32_t n = 0;

	gethostname(host, sizeof(host) - 1);
	if (uname(&uts))
		memset(&uts, 0, sizeof(uts));
	read_boot_id(boot_id, sizeof(boot_id));
	if (!getcwd(cwd, sizeof(cwd)))
		cwd[0] = '\0';
	snprintf(ringbuf, sizeof(ringbuf), "%zu", s->opt->ringbuf_bytes);
	const char *traced = tracer_traces_net_and_files() ? "true" : "false";

	for (uint32_t i = 0; i < h->noptions && n < MAX_OPTIONS - 5; i++)
		opts[n++] = h->options[i];
	invocation_id(invocation);
	if (invocation[0])
		opts[n++] = (struct log_option){ "invocation_id", invocation };
	opts[n++] = (struct log_option){ "ringbuf_bytes", ringbuf };
	opts[n++] = (struct log_option){ "allow_loss", s->opt->allow_loss ? "true" : "false" };
	opts[n++] = (struct log_option){ "follow_daemons", s->opt->follow_daemons ? "true" : "false" };
	/* without them, no net event (no file-tree event) does not mean none happened */
	opts[n++] = (struct log_option){ LOG_OPTION_NET_TRACED, traced };
	opts[n++] = (struct log_option){ "fs.traced", traced };
	const struct log_header hdr = {
		.kettle_version = KETTLE_VERSION, .host = host, .kernel_release = uts.release,
		.boot_id = boot_id, .start_wall_ns = clock_ns(CLOCK_REALTIME),
		.start_boot_ns = clock_ns(CLOCK_BOOTTIME), .root_pid = h->root_pid,
		.command = h->command, .ncommand = h->ncommand, .cwd = cwd,
		.options = opts, .noptions = n,
		.env_mode = s->opt->env_off ? LOG_ENV_NOT_RECORDED : LOG_ENV_RECORDED,
		.secret_patterns = s->opt->redact.list, .nsecret_patterns = s->opt->redact.npatterns,
	};
	w = log_writer_open_with(s->opt->output, &hdr,
				 &(struct log_writer_opts){ .compression = s->opt->log_compression },
				 err, sizeof(err));
	if (!w)
		fprintf(stderr, "%s: %s\n", s->name, err);
	return w;
}

int session_open(struct session *s, const struct session_options *o, const char *name, struct tracer *t,
		 const struct session_header *h)
{
	char err[512];

	memset(s, 0, sizeof(*s));
	s->opt = o;
	s->name = name;
	s->tracer = t;
	s->collect.tracer = t;
	s->collect.redact = &o->redact;
	s->collect.follow_daemons = o->follow_daemons;
	s->processes_before = 1;
	if (o->hash) {
		struct hash_plan_options hopt = { .workers = o->hash_workers, .queue = o->hash_queue };

		s->collect.plan = hash_plan_new(&hopt, err, sizeof(err));
		if (!s->collect.plan) {
			fprintf(stderr, "%s: cannot start hashing: %s\n", name, err);
			return -1;
		}
	}
	s->collect.log = log_open(s, h);
	if (!s->collect.log) {
		hash_plan_free(s->collect.plan);
		s->collect.plan = NULL;
		return -1;
	}
	return 0;
}

int session_drain_start(struct session *s)
{
	int rc = event_queue_init(&s->queue, QUEUE_MAX_BYTES);

	if (!rc) {
		s->queue_ready = true;
		s->collect.queue = &s->queue;
		rc = drain_start(&s->drain, tracer_ringbuf_fd(s->tracer), &s->queue);
	}
	if (rc) {
		fprintf(stderr, "%s: cannot start the drain thread: %s\n", s->name, strerror(-rc));
		return -1;
	}
	s->draining = true;
	return 0;
}

struct log_writer *session_log(struct session *s)
{
	return s->collect.log;
}

int session_write_early(struct session *s, const struct log_event *ev)
{
	int rc = log_write_event(s->collect.log, ev);

	if (!rc && s->collect.plan)
		rc = hash_plan_event(s->collect.plan, s->collect.log, ev);
	return rc;
}

int session_collect_start(struct session *s)
{
	int rc = log_collect_start(&s->collect);

	if (rc) {
		fprintf(stderr, "%s: cannot start the writer thread: %s\n", s->name, strerror(-rc));
		return -1;
	}
	s->collecting = true;
	return 0;
}

int session_kmod_start(struct session *s, struct kmod_reader *k)
{
	int rc = kmod_reader_start(k);

	if (rc) {
		fprintf(stderr, "%s: cannot start reading %s: %s\n", s->name, kmod_reader_device(k), strerror(-rc));
		return -1;
	}
	s->kmod = k;
	atomic_store(&s->collect.kmod, k);
	return 0;
}

void session_progress(struct session *s, long live)
{
	struct log_losses l;
	char running[48] = "";

	if (tracer_read_losses(s->tracer, &l))
		return;
	if (live >= 0)
		snprintf(running, sizeof(running), ", %ld running", live);
	fprintf(stderr, "\rkettle: %llu events, %llu processes started%s, %llu lost   ",
		(unsigned long long)atomic_load(&s->collect.events),
		(unsigned long long)(atomic_load(&s->collect.processes) + s->processes_before), running,
		(unsigned long long)log_losses_total(&l));
}

/* Records the kernel numbered that neither arrived nor were counted as refused; a failed read counts as one. */
static uint64_t records_unaccounted(struct session *s)
{
	int ncpus = tracer_ncpus(s->tracer);
	uint64_t *numbered = calloc((size_t)ncpus * 2, sizeof(*numbered));
	uint64_t off = 1;

	if (numbered && !tracer_read_numbering(s->tracer, numbered, numbered + ncpus))
		off = record_seq_unaccounted(&s->collect.seq, numbered, numbered + ncpus, ncpus);
	free(numbered);
	return off;
}

void session_stop(struct session *s)
{
	/* first the programs stop, so every record they numbered is in the ring buffer or counted as refused */
	tracer_detach(s->tracer);
	/* then the writer thread, still running, takes its last records */
	if (s->kmod)
		kmod_reader_stop(s->kmod);
	if (s->draining)
		s->stop_error = drain_stop(&s->drain);
	s->draining = false;
	if (s->opt->progress && s->collect.plan)
		fprintf(stderr, "kettle: build over; hashing its outputs\n");
	if (s->collecting)
		log_collect_join(&s->collect);
	s->collecting = false;
	if (s->queue_ready)
		event_queue_destroy(&s->queue);
	s->queue_ready = false;
	hash_plan_free(s->collect.plan);
	s->collect.plan = NULL;
	if (tracer_read_losses(s->tracer, &s->losses))
		memset(&s->losses, 0, sizeof(s->losses));
	s->losses.tracked_full += s->untracked;
	/* a record that arrived malformed (skipped by the drain or the decoder) is one the log does not hold */
	s->losses.records_unaccounted = records_unaccounted(s) + s->drain.malformed + s->collect.bad_records;
}

void session_abort(struct session *s)
{
	if (s->draining && !s->collecting)
		event_queue_close(&s->queue);   /* nobody reads it: do not let the drain wait for room */
	session_stop(s);
	if (s->collect.log)
		log_writer_close(s->collect.log);
	s->collect.log = NULL;
}

static double seconds(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static void report_kmod(const struct session *s)
{
	const struct log_kmod_stats *k = &s->kmod_stats;

	fprintf(stderr, "kettle: kernel module (%s): %llu execs measured at exec (%llu from its cache, %llu "
		"failed), %llu MiB hashed\n", kmod_reader_device(s->kmod), (unsigned long long)k->measured,
		(unsigned long long)k->cache_hits, (unsigned long long)k->errors,
		(unsigned long long)(k->hashed_bytes >> 20));
	if (k->dropped)
		fprintf(stderr, "%s: WARNING: the kernel module dropped %llu exec records (its queue was full)%s\n",
			s->name, (unsigned long long)k->dropped,
			s->opt->allow_loss ? "" : " (exit 125; --allow-loss to accept)");
	if (k->bad_records)
		fprintf(stderr, "%s: %llu records from %s were malformed or not written (exit 125)\n", s->name,
			(unsigned long long)k->bad_records, kmod_reader_device(s->kmod));
}

static void report(const struct session *s, int write_err)
{
	const struct log_losses *l = &s->losses;
	const struct log_collect *w = &s->collect;
	uint64_t total = log_losses_total(l);
	uint64_t cut = l->path_truncations + l->argv_truncations + l->string_truncations + l->env_truncations;
	uint64_t unfollowed = l->pending_full + l->tracked_full;
	struct rusage ru;

	if (write_err)
		fprintf(stderr, "%s: writing %s failed: %s; the log is incomplete\n", s->name, s->opt->output,
			strerror(-write_err));
	if (w->bad_records + s->drain.malformed)
		fprintf(stderr, "%s: %llu malformed kernel records skipped\n", s->name,
			(unsigned long long)(w->bad_records + s->drain.malformed));
	if (total)
		fprintf(stderr, "%s: WARNING: the record is incomplete: %llu events lost in the ring buffer, "
			"%llu paths/argv/strings/environments cut short, %llu syscalls or processes not followed%s\n", s->name,
			(unsigned long long)(total - cut - unfollowed - l->records_unaccounted), (unsigned long long)cut,
			(unsigned long long)unfollowed, s->opt->allow_loss ? "" : " (exit 125; --allow-loss to accept)");
	if (l->records_unaccounted)
		fprintf(stderr, "%s: WARNING: %llu records the kernel numbered never arrived and were not counted as "
			"lost: a loss counter was reset or another process read the ring buffer\n", s->name,
			(unsigned long long)l->records_unaccounted);
	if (s->kmod)
		report_kmod(s);
	if (s->opt->hash)
		fprintf(stderr, "kettle: hashed %llu files (%llu changed while the build ran, %llu could not be hashed, "
			"%llu not queued); hashing read %.1f MiB in %.2f s CPU\n", (unsigned long long)w->hash.hashed,
			(unsigned long long)w->hash.changed, (unsigned long long)w->hash.failed,
			(unsigned long long)w->hash.queue_full, w->hash_usage.bytes / 1048576.0, w->hash_usage.cpu_ns / 1e9);
	/* What collecting cost in CPU (all of kettle's threads, not the build's). */
	if (getrusage(RUSAGE_SELF, &ru))
		memset(&ru, 0, sizeof(ru));
	fprintf(stderr, "kettle: %s: %llu events, %llu processes; kettle used %.2f s CPU (%.2f user, %.2f system)\n",
		s->opt->output, (unsigned long long)atomic_load(&w->events),
		(unsigned long long)(atomic_load(&w->processes) + s->processes_before), seconds(ru.ru_utime) + seconds(ru.ru_stime),
		seconds(ru.ru_utime), seconds(ru.ru_stime));
}

/* The module's counters for the session; true when something is wrong enough for exit 125. */
static bool kmod_finish(struct session *s)
{
	char err[512];
	bool bad = false;

	if (kmod_reader_finish(s->kmod, &s->kmod_stats, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", s->name, err);
		bad = true;
	}
	return bad || s->kmod_stats.bad_records;
}

void session_note_interrupted(struct session *s, int sig)
{
	if (!s->interrupted_by)
		s->interrupted_by = sig;
}

void session_note_left_running(struct session *s, pid_t pid)
{
	if (s->nleft_running < SESSION_LEFT_RUNNING_MAX)
		s->left_running[s->nleft_running++] = pid;
}

void session_note_pipe_read(struct session *s, pid_t pid, int fd, bool terminal)
{
	s->pipe_reader = pid;
	if (s->npipes_read < SESSION_PIPES_READ_MAX) {
		s->pipes_read_terminal[s->npipes_read] = terminal;
		s->pipes_read[s->npipes_read++] = fd;
	}
}

/* What kettle run itself has to say about how the run ended, as notices after the last event. */
static int write_run_notices(struct session *s)
{
	struct log_event ev = { .type = LOG_EV_NOTICE, .ts_ns = clock_ns(CLOCK_BOOTTIME), .tgid = getpid(),
				.tid = getpid() };
	int rc = 0;

	for (size_t i = 0; !rc && i < s->nleft_running; i++) {
		ev.tgid = ev.tid = s->left_running[i];
		ev.notice.what = LOG_NOTICE_LEFT_RUNNING;
		rc = log_write_event(s->collect.log, &ev);
	}
	for (size_t i = 0; !rc && i < s->npipes_read; i++) {
		ev.tgid = ev.tid = s->pipe_reader;
		ev.notice.what = LOG_NOTICE_INHERITED_PIPE;
		ev.notice.arg0 = (uint64_t)s->pipes_read[i];
		ev.notice.arg1 = s->pipes_read_terminal[i] ? LOG_PIPE_TERMINAL : 0;
		rc = log_write_event(s->collect.log, &ev);
		ev.notice.arg1 = 0;
	}
	if (!rc && s->interrupted_by) {
		ev.tgid = ev.tid = getpid();
		ev.notice.what = LOG_NOTICE_INTERRUPTED;
		ev.notice.arg0 = (uint64_t)s->interrupted_by;
		rc = log_write_event(s->collect.log, &ev);
	}
	return rc;
}

int session_finish(struct session *s, int exit_status, int ret)
{
	struct log_trailer trailer = { 0 };
	int write_err = s->collect.error, rc;

	if (s->kmod && kmod_finish(s))
		ret = KETTLE_EXIT_OWN_ERROR;
	if ((log_losses_total(&s->losses) || s->kmod_stats.dropped) && !s->opt->allow_loss && ret == 0)
		ret = KETTLE_EXIT_OWN_ERROR;
	if (s->stop_error || s->collect.error || s->collect.bad_records)
		ret = KETTLE_EXIT_OWN_ERROR;
	trailer.end_wall_ns = clock_ns(CLOCK_REALTIME);
	trailer.end_boot_ns = clock_ns(CLOCK_BOOTTIME);
	trailer.exit_status = exit_status;
	trailer.kettle_exit = ret;
	trailer.losses = s->losses;
	trailer.hash = s->collect.hash;
	if (!write_err)
		write_err = write_run_notices(s);
	if (!write_err && s->kmod)
		write_err = log_write_kmod_stats(s->collect.log, &s->kmod_stats);
	if (!write_err)
		write_err = log_write_trailer(s->collect.log, &trailer);
	rc = log_writer_close(s->collect.log);
	s->collect.log = NULL;
	write_err = write_err ?: rc;
	if (write_err)
		ret = KETTLE_EXIT_OWN_ERROR;
	s->write_error = write_err ?: s->stop_error;
	report(s, write_err ?: s->stop_error);
	return ret;
}
