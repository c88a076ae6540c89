// SPDX-License-Identifier: MIT
/* The writer thread: decode kernel records, write the log, checkpoint, drive hashing. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "collect/log_collect.h"
#include "collect/proc_snapshot.h"
#include "common/clock.h"
#include "log/record_decode.h"

#define CHECKPOINT_NS  1000000000ull
/* How long the thread waits for events before it looks at finished digests. */
#define IDLE_WAIT_MS   50

static void collect_fail(struct log_collect *c, int rc)
{
	if (rc && !c->error)
		c->error = rc;
}

/*
 * A daemon served the build: the log gets what /proc shows of it (its
 * executable, hashed like an exec, argv, start time), and when it is
 * followed, its children that already run (a worker pool) are followed too;
 * those it starts later join at fork.
 */
static int daemon_seen(struct log_collect *c, const struct log_event *ev)
{
	struct pid_list kids = { 0 };
	int rc = proc_snapshot_write(ev->tgid, c->log, c->plan);

	if (rc || !(ev->notice.arg1 & LOG_DAEMON_FOLLOWED))
		return rc;
	/* a process that is gone or unreadable has nothing left to follow */
	if (proc_descendants(ev->tgid, &kids)) {
		pid_list_free(&kids);
		return 0;
	}
	for (size_t i = 0; i < kids.n && !rc; i++) {
		rc = tracer_follow(c->tracer, kids.pids[i]);
		if (!rc)
			rc = proc_snapshot_write(kids.pids[i], c->log, c->plan);
	}
	pid_list_free(&kids);
	return rc;
}

/*
 * The build's first datagram to a local endpoint: who receives it there is a
 * daemon unless it is part of the build.  Each holder outside the build gets
 * a daemon notice (and is followed, with --follow-daemons) as if it had
 * accepted a connection.  No holder at all, and the first endpoint past the
 * limit, are notices from the sender that the provenance uses only to say
 * why the endpoint's daemon is not named: the build may have served it
 * itself, its receiver gone by the time it was looked for.
 */
static int dgram_seen(struct log_collect *c, const struct log_event *sent)
{
	struct dgram_endpoint ep;
	enum dgram_first first;
	struct log_event ev = { .type = LOG_EV_NOTICE, .ts_ns = clock_ns(CLOCK_BOOTTIME), .tgid = sent->tgid,
				.tid = sent->tgid, .notice.what = LOG_NOTICE_DAEMON };
	pid_t holders[DGRAM_HOLDERS_MAX];
	bool more = false;
	int n = 0, rc = 0;

	if (sent->net.call == LOG_NET_BIND) {
		/* the build's own receiver; a followed daemon's is not the build's */
		if (sent->net.sock_type == SOCK_DGRAM && !tracer_is_followed(c->tracer, (pid_t)sent->tgid))
			dgram_daemons_bound(&c->dgram, sent);
		return 0;
	}
	/* a followed daemon's own traffic (its answers to the build) is not the build's reaching out */
	if (!dgram_endpoint_of(sent, &ep) || dgram_daemons_done(&c->dgram, &ep) ||
	    tracer_is_followed(c->tracer, (pid_t)sent->tgid))
		return 0;
	first = dgram_daemons_note(&c->dgram, &ep);
	if (first == DGRAM_NOT_FIRST)
		return 0;
	/* as the kernel's accept notice: the unix client's pid, or the IPv4 address reached */
	if (ep.family == AF_UNIX)
		ev.notice.arg0 = sent->tgid;
	else if (ep.family == AF_INET)
		memcpy(&ev.notice.arg0, ep.addr, 4);
	ev.notice.arg1 = LOG_DAEMON_DATAGRAM | (uint64_t)ep.family << 16 | ep.port;
	if (first == DGRAM_BEYOND) {
		ev.notice.arg1 |= LOG_DAEMON_NOT_LOOKED;
		return log_write_event(c->log, &ev);
	}
	n = dgram_holders(&ep, (pid_t)sent->tgid, holders, DGRAM_HOLDERS_MAX, &more);
	if (more)
		ev.notice.arg1 |= LOG_DAEMON_MORE_HOLDERS;
	for (int i = 0; i < n && !rc; i++) {
		if (tracer_in_scope(c->tracer, holders[i]))
			continue;       /* the build's own receiver: nothing outside it served the build */
		ev.tgid = ev.tid = (uint32_t)holders[i];
		ev.notice.arg1 &= ~LOG_DAEMON_FOLLOWED;
		/* a full map leaves it unfollowed: named as a daemon, never claimed as followed */
		if (c->follow_daemons && !tracer_follow(c->tracer, holders[i]))
			ev.notice.arg1 |= LOG_DAEMON_FOLLOWED;
		rc = log_write_event(c->log, &ev);
		if (!rc)
			rc = daemon_seen(c, &ev);
	}
	if (n > 0 || rc)
		return rc;
	/* nobody holds it here: gone since, or in another network namespace (n < 0: cannot tell either) */
	ev.notice.arg1 |= LOG_DAEMON_NOT_FOUND;
	return log_write_event(c->log, &ev);
}

static bool pid_of_build(void *tracer, pid_t pid)
{
	return pid == getpid() || tracer_in_scope(tracer, pid);
}

/*
 * The build opened the file of EV, which processes outside it may hold open
 * for writing since before the trace could see them open it: each such
 * holder is named in a notice WHAT/NR (arg0 the inode, arg1 the holder,
 * the build's opener the notice's process) and snapshotted.  The build's own
 * descriptors (inherited ones too) and kettle's are not outside.
 */
static int holders_name(struct log_collect *c, const struct log_event *ev, uint32_t what, uint32_t nr)
{
	struct log_event notice = { .type = LOG_EV_NOTICE, .ts_ns = clock_ns(CLOCK_BOOTTIME), .tgid = ev->tgid,
				    .tid = ev->tid, .notice.what = what, .notice.nr = nr, .notice.arg0 = ev->open.ino };
	pid_t writers[WRITE_HOLDERS_MAX];
	int n, rc = 0;

	n = write_holders_find(ev->open.dev, ev->open.ino, pid_of_build, c->tracer, writers, WRITE_HOLDERS_MAX);
	for (int i = 0; i < n && !rc; i++) {
		notice.notice.arg1 = (uint64_t)writers[i];
		rc = log_write_event(c->log, &notice);
		if (!rc)
			rc = proc_snapshot_write(writers[i], c->log, c->plan);
	}
	return rc;
}

/*
 * The build opened a FIFO for reading: a writer from before the trace is a
 * writer from outside, as one that opens it later is (the kernel side's
 * notice).  Looked up once per FIFO.
 */
static int fifo_opened(struct log_collect *c, const struct log_event *ev)
{
	if ((ev->open.flags & O_ACCMODE) == O_WRONLY || !inode_seen_first(&c->fifos, ev->open.dev, ev->open.ino))
		return 0;
	return holders_name(c, ev, LOG_NOTICE_FIFO_FROM_OUTSIDE, LOG_FIFO_READER_IS_NOTICED);
}

static void collect_record(struct log_collect *c, struct record_decoder *dec, const struct ke_header *h,
			   size_t len)
{
	struct log_event ev;
	int rc = record_decode(dec, h, len, &ev);

	if (rc < 0) {
		c->bad_records++;
		return;
	}
	if (rc > 0 || c->error)
		return;
	collect_fail(c, log_write_event(c->log, &ev));
	if (c->plan)
		collect_fail(c, hash_plan_event(c->plan, c->log, &ev));
	if (ev.type == LOG_EV_NOTICE && ev.notice.what == LOG_NOTICE_DAEMON)
		collect_fail(c, daemon_seen(c, &ev));
	if (ev.type == LOG_EV_NET)
		collect_fail(c, dgram_seen(c, &ev));
	/*
	 * A program the kernel started while the build ran, or one outside it
	 * that signalled it: snapshotted, its program hashed like an exec, while
	 * it still runs; one already gone is a snapshot that says so.
	 */
	if (ev.type == LOG_EV_NOTICE &&
	    (ev.notice.what == LOG_NOTICE_KERNEL_HELPER || ev.notice.what == LOG_NOTICE_SIGNAL_FROM_OUTSIDE ||
	     ev.notice.what == LOG_NOTICE_OUTPUT_FROM_OUTSIDE || ev.notice.what == LOG_NOTICE_PROCESS_FROM_OUTSIDE ||
	     (ev.notice.what == LOG_NOTICE_FIFO_FROM_OUTSIDE && ev.notice.nr == LOG_FIFO_WRITER_IS_NOTICED)))
		collect_fail(c, proc_snapshot_write(ev.tgid, c->log, c->plan));
	if (ev.type == LOG_EV_NOTICE && ev.notice.what == LOG_NOTICE_FIFO_FROM_OUTSIDE &&
	    ev.notice.nr == LOG_FIFO_READER_IS_NOTICED)
		collect_fail(c, proc_snapshot_write((pid_t)ev.notice.arg1, c->log, c->plan));
	if (ev.type == LOG_EV_OPEN && ev.open.result >= 0 && (ev.open.path_flags & LOG_PATH_STREAM))
		collect_fail(c, fifo_opened(c, &ev));
	if (ev.type == LOG_EV_OPEN && ev.open.result >= 0 && (ev.open.path_flags & LOG_PATH_WRITERS_BEFORE))
		/* the kernel side's LOG_PATH_WRITERS_BEFORE: its first write open found other writers */
		collect_fail(c, holders_name(c, &ev, LOG_NOTICE_OUTPUT_FROM_OUTSIDE, LOG_OUTPUT_HELD_BEFORE));
	atomic_fetch_add_explicit(&c->events, 1, memory_order_relaxed);
	if (ev.type == LOG_EV_FORK)
		atomic_fetch_add_explicit(&c->processes, 1, memory_order_relaxed);
}

static void collect_chunk(struct log_collect *c, struct record_decoder *dec, const struct event_chunk *chunk)
{
	for (size_t off = 0; off + sizeof(struct ke_header) <= chunk->used;) {
		const struct ke_header *h = (const void *)(chunk->data + off);
		size_t len = h->size;

		if (len < sizeof(*h) || off + len > chunk->used)
			break;  /* cannot happen: the drain copies whole records */
		record_seq_note(&c->seq, h->seq);
		collect_record(c, dec, h, len);
		off += EVENT_RECORD_SPAN(len);
	}
}

static void collect_checkpoint(struct log_collect *c)
{
	struct log_losses losses;
	int rc = tracer_read_losses(c->tracer, &losses);

	if (!rc)
		rc = log_write_checkpoint(c->log, clock_ns(CLOCK_BOOTTIME), &losses);
	collect_fail(c, rc);
}

/* The kernel module's records read so far; taken even after an error, so its reader never waits. */
static void collect_kmod(struct log_collect *c)
{
	struct kmod_reader *k = atomic_load(&c->kmod);

	if (k)
		collect_fail(c, kmod_reader_write_ready(k, c->log));
}

static void *collect_main(void *arg)
{
	struct log_collect *c = arg;
	struct record_decoder *dec = malloc(sizeof(*dec));
	uint64_t next_checkpoint = clock_ns(CLOCK_BOOTTIME) + CHECKPOINT_NS;

	if (dec)
		record_decoder_init(dec, c->redact);
	else
		collect_fail(c, -ENOMEM);
	while (dec && !event_queue_finished(c->queue)) {
		struct event_chunk *chunk = event_queue_pop(c->queue, IDLE_WAIT_MS);

		if (chunk) {
			collect_chunk(c, dec, chunk);
			free(chunk);
		}
		collect_kmod(c);
		if (c->plan && !c->error)
			collect_fail(c, hash_plan_write_ready(c->plan, c->log, 0));
		if (!c->error && clock_ns(CLOCK_BOOTTIME) >= next_checkpoint) {
			collect_checkpoint(c);
			next_checkpoint = clock_ns(CLOCK_BOOTTIME) + CHECKPOINT_NS;
		}
	}
	collect_kmod(c);        /* the reader stopped before the queue closed: this is the rest */
	if (c->plan) {
		if (!c->error)
			collect_fail(c, hash_plan_finish(c->plan, c->log));
		hash_plan_stats(c->plan, &c->hash);
		hash_plan_usage(c->plan, &c->hash_usage);
	}
	if (dec)
		record_decoder_release(dec);
	free(dec);
	return NULL;
}

int log_collect_start(struct log_collect *c)
{
	atomic_store(&c->events, 0);
	atomic_store(&c->processes, 0);
	c->bad_records = 0;
	record_seq_init(&c->seq);
	memset(&c->dgram, 0, sizeof(c->dgram));
	memset(&c->fifos, 0, sizeof(c->fifos));
	c->error = 0;
	return -pthread_create(&c->thread, NULL, collect_main, c);
}

void log_collect_join(struct log_collect *c)
{
	pthread_join(c->thread, NULL);
}
