/* SPDX-License-Identifier: MIT */
/*
 * The replay model: one pass over a build log turns its events into the state
 * every forensic question is asked of -- process instances with their exec
 * chain, argv, cwd and parent; files with every access and by whom; the
 * digests the hasher recorded.  It is the only consumer of log events for
 * why, who, replay, diff, export and report: queries walk the model's arrays
 * and indexes, they never re-read the log.
 *
 * Process ids are reused by the kernel, so a process here is an *instance*:
 * a fork (or the first sighting of a pid) starts a new one.
 */
#ifndef KETTLE_REPLAY_H
#define KETTLE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/index_table.h"
#include "log/log_reader.h"

#define REPLAY_NONE UINT32_MAX

enum replay_access_kind {
	RA_READ = 1,            /* opened for reading */
	RA_WRITE = 2,           /* opened for writing (O_WRONLY, O_RDWR, O_CREAT or O_TRUNC) */
	RA_EXEC = 3,            /* executed */
	RA_ABSENT = 4,          /* an open or exec found it absent (ENOENT, ENOTDIR) */
	RA_FAILED = 5,          /* an open or exec failed otherwise */
	/* file_op events (log format 2), successful ones */
	RA_DELETE = 6,          /* unlink, rmdir */
	RA_RENAME_FROM = 7,     /* renamed away (its content now has the other name) */
	RA_RENAME_TO = 8,       /* renamed onto: written, with the content of the other name */
	RA_LINK_TO = 9,         /* a new hard link or symlink made at this path */
	RA_MKDIR = 10,
	RA_TRUNCATE = 11,       /* truncate, ftruncate: written */
	RA_ATTR = 12,           /* chmod, utimensat: metadata only */
	RA_KIND_MAX
};

/* One thing a process did to a file, in log order. */
struct replay_access {
	uint64_t ts_ns;
	uint32_t proc;          /* process instance */
	uint32_t file;
	uint32_t other;         /* rename, link: the file at the other name; else REPLAY_NONE */
	uint8_t kind;           /* enum replay_access_kind */
};

/* Whether an access makes the file's content (a writer), or takes content from it (an input). */
static inline bool replay_access_writes(uint8_t kind)
{
	return kind == RA_WRITE || kind == RA_RENAME_TO || kind == RA_TRUNCATE || kind == RA_LINK_TO;
}

static inline bool replay_access_reads(uint8_t kind)
{
	return kind == RA_READ || kind == RA_EXEC || kind == RA_RENAME_FROM;
}

/* A program a process ran: from an exec event, or from an attach's snapshot of /proc. */
struct replay_exec {
	uint64_t ts_ns;
	uint32_t proc;
	uint32_t prev;          /* the same process's previous exec, REPLAY_NONE for its first */
	const char *exe, *cwd;  /* may be NULL */
	const char *const *argv;
	uint32_t nargv;
	const struct log_env *env;      /* the environment it got; NULL: not recorded (docs/log-format.md) */
	bool snapshot;          /* seen running when an attach began, not exec'd under the trace */
};

/* A network endpoint the build's socket calls addressed (log format 2). */
struct replay_endpoint {
	char *name;             /* "10.0.0.1:443", "[::1]:53", "/run/x.sock", "@abstract" */
	bool local;             /* stays on this machine: loopback, unix, netlink */
	uint32_t calls;         /* socket calls that named it */
	uint32_t first_proc;    /* the first process that did */
	uint64_t first_ns;
};

/* One socket call that named an endpoint. */
struct replay_net {
	uint64_t ts_ns;
	uint32_t proc;
	uint32_t endpoint;
	uint32_t event;
};

/* File flags: what the build did to it over the whole log. */
#define RF_READ     0x1
#define RF_WRITTEN  0x2
#define RF_EXECUTED 0x4
#define RF_ABSENT   0x8         /* some open or exec found it absent */
#define RF_TEMP     0x10        /* written, and gone when the build ended (its output digest failed with ENOENT) */

struct replay_proc {
	uint32_t pid;
	uint32_t parent;        /* instance, REPLAY_NONE for a root */
	uint32_t first_child, next_sibling;
	uint32_t depth;
	uint64_t start_ns, end_ns;      /* end_ns: exit time, or the log's end when no exit was seen */
	bool exited;
	int32_t status;
	uint32_t exec;          /* its latest exec (chain via replay_exec.prev), else the exec it was forked running */
	bool own_exec;          /* it exec'd itself (else `exec` is inherited from an ancestor, or none) */
	uint32_t forked_exec;   /* the exec it was forked running (its parent's), REPLAY_NONE */
	uint32_t access_first, naccess; /* its accesses: by_proc[access_first ...] in log order */
	uint32_t net_first, nnet;       /* its socket calls: nets_by_proc[net_first ...] */
};

/* What a file was to the build (see docs/forensics.md). */
enum replay_role {
	ROLE_SOURCE,            /* read, never written */
	ROLE_OUTPUT,            /* written, there at the end, read by no other process */
	ROLE_INTERMEDIATE,      /* written, then read or executed by another process */
	ROLE_TEMPORARY,         /* written and gone at the end */
	ROLE_EXECUTABLE,        /* executed, never written */
	ROLE_ABSENT,            /* only looked for: every open or exec found it missing */
	ROLE_FAILED,            /* every open or exec of it failed otherwise */
};

struct replay_file {
	const char *path;
	uint32_t flags;         /* RF_* */
	uint8_t role;           /* enum replay_role */
	uint32_t access_first, naccess; /* by_file[access_first ...] in log order */
	uint32_t input, exec, output;   /* its last digest of each kind (index in log digests), REPLAY_NONE */
	uint32_t exec_ident;    /* its last exec identity, REPLAY_NONE */
	uint32_t first_writer;  /* access id of the first write, REPLAY_NONE (a hooked model: none) */
	/* what the role needs, kept as the accesses come so that a hooked model can drop them */
	uint32_t last_writer;   /* process of the latest write, REPLAY_NONE */
	uint8_t last_kind;      /* the latest access's kind, 0 before any */
	bool read_by_other;     /* read by a process other than its latest writer after a write */
};

struct replay {
	const struct log_file *log;
	struct replay_proc *procs;
	uint32_t nprocs;
	uint32_t root;          /* the traced command's instance */
	struct replay_exec *execs;
	uint32_t nexecs;
	struct replay_file *files;
	uint32_t nfiles;
	struct replay_access *accesses; /* log order */
	uint32_t naccesses;
	struct replay_endpoint *endpoints;
	uint32_t nendpoints;
	struct replay_net *nets;        /* log order */
	uint32_t nnets;
	uint32_t dns_queries;   /* messages to port 53 that named hosts */
	uint32_t *nets_by_proc; /* net ids grouped by process */
	uint32_t *by_proc;      /* access ids grouped by process, log order within */
	uint32_t *by_file;      /* access ids grouped by file, log order within */
	uint64_t start_ns, end_ns;      /* CLOCK_BOOTTIME of the header and of the last event */
	uint32_t max_depth;
	struct index_table file_index;  /* hash of path -> file */
	struct index_table pid_index;   /* hash of pid -> instances (the latest wins) */
	struct index_table endpoint_index;      /* hash of name -> endpoint */
};

/* Builds the model of F (which must outlive it). 0, or -1 with ERR ("out of memory", ...). */
int replay_build(struct replay *r, const struct log_file *f, char *err, size_t errlen);

/*
 * The same model built while F is being read, so that its events need not be
 * kept: replay_stream_new(R, F), log_read_file_to(..., F, &replay_stream_sink(S), ...),
 * then replay_stream_finish(S) when the read succeeded, else replay_stream_abort(S).
 * Both free S.  replay_stream_new returns NULL when out of memory (finish then fails).
 */
struct replay_stream;
struct replay_stream *replay_stream_new(struct replay *r, const struct log_file *f);
struct log_event_sink replay_stream_sink(struct replay_stream *s);
int replay_stream_finish(struct replay_stream *s, char *err, size_t errlen);
void replay_stream_abort(struct replay_stream *s);

/*
 * A model for a reader that wants the accesses once, in log order, instead of
 * kept (why at a monorepo's scale: the accesses are what grows with the
 * events): ACCESS is called for each access as it comes, EXITED when a
 * process's exit is read.  The model's accesses then stay empty (naccesses 0,
 * no by_proc or by_file, first_writer REPLAY_NONE); files' flags and roles,
 * processes, execs and network calls are as in the full model.  Each returns
 * 0 or -1 (out of memory, a temporary file failed), which fails the read.
 */
struct replay_access_hook {
	int (*access)(void *arg, uint32_t proc, uint32_t file, uint8_t kind);
	int (*exited)(void *arg, uint32_t proc);
	void *arg;
};
struct replay_stream *replay_stream_new_hooked(struct replay *r, const struct log_file *f,
					       const struct replay_access_hook *hook);
void replay_free(struct replay *r);

/* The endpoint named NAME ("10.0.0.1:443"), or REPLAY_NONE. */
uint32_t replay_endpoint_find(const struct replay *r, const char *name);
/* The file of exactly PATH, or REPLAY_NONE. */
uint32_t replay_file_find(const struct replay *r, const char *path);
/*
 * The file a user means by ARG: the exact path, else ARG relative to the
 * build's working directory, else the one file whose path ends in "/ARG".
 * REPLAY_NONE with ERR saying why (never seen; ambiguous, with candidates).
 */
uint32_t replay_file_resolve(const struct replay *r, const char *arg, char *err, size_t errlen);

/* The program a process runs (its own exec, or inherited at fork), or NULL. */
const struct replay_exec *replay_proc_exec(const struct replay *r, uint32_t proc);
/* The program's path of a process ("?" when the log never said). */
const char *replay_proc_exe(const struct replay *r, uint32_t proc);
/* The last path component of the program, for short labels. */
const char *replay_proc_name(const struct replay *r, uint32_t proc);

/* The log digest D (an index, REPLAY_NONE: none) when it is the content the build used: hashed, unchanged. */
const struct log_digest *replay_digest_usable(const struct replay *r, uint32_t d);
/* The digest that stands for the file's content, preferring output, then input, then exec; NULL if none usable. */
const struct log_digest *replay_file_digest(const struct replay *r, uint32_t file);

/* "source", "output", ... for a role. */
const char *replay_role_name(uint8_t role);
/* "read", "write", "exec", "absent", "failed", ... for an access kind. */
const char *replay_access_name(uint8_t kind);

/* Whether process P was running at TS (started at or before, not exited before). */
bool replay_proc_running_at(const struct replay *r, uint32_t p, uint64_t ts);

#endif
