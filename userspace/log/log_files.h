/* SPDX-License-Identifier: MIT */
/*
 * What the build did with each path its log names: read, written, created,
 * found absent, executed, by which processes, and the digests and exec
 * identity the hasher recorded for it.  docs/log-format.md ("Reading the
 * log: kettle log files") defines each fact; `kettle log files` prints them
 * and `kettle provenance` turns them into subjects and dependencies.
 */
#ifndef KETTLE_LOG_FILES_H
#define KETTLE_LOG_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/grow.h"
#include "common/index_table.h"
#include "log/log_reader.h"
#include "log/proc_exe.h"

#define LOG_FILES_NONE SIZE_MAX

#define FILE_READ     0x1
#define FILE_WRITTEN  0x2
#define FILE_ABSENT   0x4       /* an open or exec of it failed with ENOENT / ENOTDIR */
#define FILE_EXECUTED 0x8
#define FILE_READ_CONTENT 0x10  /* read without O_DIRECTORY: its content, not its entries */
#define FILE_DELETED  0x20      /* unlink / rmdir succeeded, and nothing made it again */
#define FILE_CHMOD    0x40      /* its mode was changed */
#define FILE_TRUNCATED 0x80     /* truncate / ftruncate */
#define FILE_DIRECTORY 0x100    /* mkdir or rmdir named it: a directory, whose entries are no content */
#define FILE_STREAM   0x200     /* opened as a FIFO (or a pipe or socket by name): its bytes are its writers' */

enum created { CREATED_NO, CREATED_YES, CREATED_UNKNOWN };

/* What an event that changed a file was, kept by value: a streamed log's events do not outlive their read. */
struct file_change {
	uint8_t type;               /* LOG_EV_OPEN or LOG_EV_FILE_OP; 0: nothing changed it */
	uint32_t call;              /* file_op.call */
	uint32_t tgid;
};

struct file_entry {
	const char *path;
	uint32_t flags;             /* FILE_* */
	enum created created;
	bool create_seen;           /* the first successful O_CREAT open decided `created` */
	bool existed;               /* an open or exec of it succeeded before */
	bool absent_last;           /* the latest attempt before now found it absent */
	/*
	 * The build replaced its content (created it, truncated it for writing,
	 * or renamed a file it had produced onto it) before any of its processes
	 * read or ran it: what they read or ran later is the build's own bytes
	 * (an intermediate), not something from before the build.
	 */
	bool produced;
	uint32_t first_pid;         /* the process that touched it first (when npids) */
	uint64_t opens, failed;
	uint32_t *pids;             /* distinct, in the order they first touched it; NULL with first_pid_only */
	size_t npids, cappids;
	const char *exe;            /* of the first process */
	size_t first_digest, last_digest, exec_ident;  /* LOG_FILES_NONE when there is none */
	size_t first_kmod, last_kmod;   /* the kernel module's measurements of it at exec (log order) */
	const char *renamed_to;     /* the latest rename of this name: its new name */
	const char *renamed_from;   /* the latest rename onto this name: its old name */
	/* the last event that changed its content or metadata (write open, truncate, chmod, utimensat, rename onto it) */
	struct file_change last_change;
};

/* Indexed by the shared hash table: a build touches 10^4..10^5 paths and 10^3..10^4 processes. */
struct files {
	struct file_entry *v;
	size_t n, cap;
	struct index_table by_path;     /* path -> entry */
	struct id_memo site_entry;      /* by the reader's open site: entry + 1 */
	uint64_t *pairs;                /* entry << 32 | pid: which pids an entry already lists */
	size_t npairs, cappairs;
	struct index_table pair_index;
	struct proc_exe_map procs;      /* pid -> its program now */
	size_t *digest_next;            /* per digest: the next digest of the same path */
	size_t *kmod_next;              /* per kmod_exec record: the next one of the same path */
	/*
	 * Set before the first event: each entry keeps only the first process
	 * that touched it (npids <= 1), so that memory grows with the paths, not
	 * with the (path, process) pairs (kettle provenance names only the first).
	 */
	bool first_pid_only;
};

/*
 * Builds FS from the events, digests and exec identities of F (whose strings
 * FS points into).  0, or -1 when out of memory; files_free either way.
 * A path's digests: for (d = e->first_digest; d != LOG_FILES_NONE; d = fs->digest_next[d]);
 * its kernel measurements likewise from e->first_kmod through fs->kmod_next.
 */
int files_build(struct files *fs, const struct log_file *f);

/*
 * The same, fed one event at a time while F is read (FS zeroed first, then
 * FIRST_PID_ONLY set if wanted): files_event for each event in log order,
 * then files_finish once F is read (its digests, exec identities and kernel
 * measurements).  Strings are F's, nothing points into the events.  0 or -1
 * (out of memory).
 */
int files_event(struct files *fs, const struct log_event *ev, uint64_t start_wall_ns);
int files_finish(struct files *fs, const struct log_file *f);
void files_free(struct files *fs);

#endif
