/* SPDX-License-Identifier: MIT */
/*
 * What kettle run and kettle attach share: their common options, the log
 * header, the collector pipeline (drain thread, writer thread, hashing)
 * and the end of a session (trailer, exit code, report on stderr).
 */
#ifndef KETTLE_SESSION_H
#define KETTLE_SESSION_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "collect/drain.h"
#include "collect/event_queue.h"
#include "collect/kmod_reader.h"
#include "collect/log_collect.h"
#include "collect/tracer.h"
#include "log/env_redact.h"
#include "log/log_writer.h"

struct session_options {
	const char *output;
	size_t ringbuf_bytes;
	bool allow_loss;
	bool progress;
	bool hash;
	unsigned hash_workers;          /* 0: one per CPU */
	unsigned hash_queue;            /* 0: the hash plan's default */
	bool env_off;                   /* --env none: execs carry no environment */
	bool follow_daemons;            /* trace daemons the build asks for work (--follow-daemons) */
	struct env_redact redact;       /* --secret-pattern(s): environment values hashed */
	enum log_compression log_compression;   /* --log-compression: zstd unless none */
};

/* getopt_long codes of the common options (besides 'o'). */
enum {
	SESSION_OPT_RINGBUF = 0x100,
	SESSION_OPT_ALLOW_LOSS,
	SESSION_OPT_NO_PROGRESS,
	SESSION_OPT_NO_HASH,
	SESSION_OPT_HASH_WORKERS,
	SESSION_OPT_HASH_QUEUE,
	SESSION_OPT_ENV,
	SESSION_OPT_SECRET_PATTERN,
	SESSION_OPT_SECRET_PATTERNS,
	SESSION_OPT_FOLLOW_DAEMONS,
	SESSION_OPT_LOG_COMPRESSION,
};

/* The common entries of a getopt_long table. */
#define SESSION_LONGOPTS                                                            \
	{ "output", required_argument, NULL, 'o' },                                 \
	{ "ringbuf-size", required_argument, NULL, SESSION_OPT_RINGBUF },           \
	{ "allow-loss", no_argument, NULL, SESSION_OPT_ALLOW_LOSS },                \
	{ "no-progress", no_argument, NULL, SESSION_OPT_NO_PROGRESS },              \
	{ "no-hash", no_argument, NULL, SESSION_OPT_NO_HASH },                      \
	{ "hash-workers", required_argument, NULL, SESSION_OPT_HASH_WORKERS },      \
	{ "hash-queue", required_argument, NULL, SESSION_OPT_HASH_QUEUE },          \
	{ "env", required_argument, NULL, SESSION_OPT_ENV },                        \
	{ "secret-pattern", required_argument, NULL, SESSION_OPT_SECRET_PATTERN },  \
	{ "secret-patterns", required_argument, NULL, SESSION_OPT_SECRET_PATTERNS },  \
	{ "follow-daemons", no_argument, NULL, SESSION_OPT_FOLLOW_DAEMONS },       \
	{ "log-compression", required_argument, NULL, SESSION_OPT_LOG_COMPRESSION }

/*
 * Defaults: kettle.cbor, 16 MiB ring buffer, hashing on, progress when stderr
 * is a terminal, environment recorded with the default secret patterns, the
 * log compressed with zstd.
 */
void session_options_init(struct session_options *o);
/*
 * Takes option C with ARG if it is a common one.  1: taken, 0: not a common
 * option, -1: bad value (said why, prefixed with CMD).
 */
int session_option(struct session_options *o, const char *cmd, int c, const char *arg);
/* The --help lines of the common options. */
void session_usage(FILE *f);

/* What the log header says beyond what every session writes. */
struct session_header {
	uint32_t root_pid;
	const char *const *command;
	uint32_t ncommand;
	const struct log_option *options;       /* the command's own header options */
	uint32_t noptions;
};

#define SESSION_LEFT_RUNNING_MAX 64
#define SESSION_PIPES_READ_MAX 16

struct session {
	const struct session_options *opt;
	const char *name;               /* "kettle run": prefix of messages */
	struct tracer *tracer;
	struct log_collect collect;
	struct event_queue queue;
	struct drain drain;
	bool queue_ready, draining, collecting;
	struct kmod_reader *kmod;       /* the kernel module's records (kettle run), NULL: not used */
	/* after session_stop */
	struct log_losses losses;
	int stop_error;                 /* -errno from the drain thread */
	uint64_t untracked;             /* processes userspace could not track (added to tracked_full) */
	uint64_t processes_before;      /* processes followed without a fork record (1: run's root) */
	struct log_kmod_stats kmod_stats;       /* after session_finish, with kmod */
	int interrupted_by;             /* the signal that ended the run, 0: none (session_note_interrupted) */
	pid_t left_running[SESSION_LEFT_RUNNING_MAX];   /* idle processes the run did not wait for */
	size_t nleft_running;
	pid_t pipe_reader;              /* the build's root, for the pipes_read notices */
	int pipes_read[SESSION_PIPES_READ_MAX];  /* inherited pipes the build read (session_note_pipe_read) */
	bool pipes_read_terminal[SESSION_PIPES_READ_MAX];       /* that one is a terminal */
	size_t npipes_read;
	int write_error;                /* after session_finish: -errno when the log is incomplete */
};

/* Starts hashing, opens the log and writes its header. 0, or -1 after saying why. */
int session_open(struct session *s, const struct session_options *o, const char *name, struct tracer *t,
		 const struct session_header *h);
/* Starts emptying the ring buffer into memory (nothing is written yet). 0, or -1 after saying why. */
int session_drain_start(struct session *s);
/* The log, for the caller's own records while the writer thread has not started. */
struct log_writer *session_log(struct session *s);
/* Before session_collect_start: writes EV and shows it to the hash plan, as the writer thread will. 0 or -errno. */
int session_write_early(struct session *s, const struct log_event *ev);
/* Starts the writer thread, which owns the log from now on. 0, or -1 after saying why. */
int session_collect_start(struct session *s);
/*
 * After session_collect_start: starts reading the kernel module's records
 * into the log (K stays the caller's; its scope is already set).  0, or -1
 * after saying why.
 */
int session_kmod_start(struct session *s, struct kmod_reader *k);
/* The run was ended by signal SIG: the log says so before its trailer (an incomplete record). */
void session_note_interrupted(struct session *s, int sig);
/* PID, idle, was left running at the end: named in the log before its trailer. */
void session_note_left_running(struct session *s, pid_t pid);
/* The build (root PID) read inherited pipe FD: named in the log before its trailer (an incomplete record). */
void session_note_pipe_read(struct session *s, pid_t pid, int fd, bool terminal);
/* Progress line on stderr; LIVE < 0: no process count. */
void session_progress(struct session *s, long live);
/* Drains what is left, waits for the writer and the hashing, reads the final losses. */
void session_stop(struct session *s);
/*
 * After session_stop: the exit code (RET unless kettle failed or lost events
 * without --allow-loss), written with EXIT_STATUS in the trailer; closes the
 * log and reports on stderr.
 */
int session_finish(struct session *s, int exit_status, int ret);
/* Takes down whatever was started, leaving a log without trailer. */
void session_abort(struct session *s);

#endif
