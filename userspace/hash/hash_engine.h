/* SPDX-License-Identifier: MIT */
/*
 * Hash engine: SHA-256 of many files at once, with one io_uring per worker
 * thread.  Callers submit paths with a cookie and poll results; both calls
 * are thread-safe.  See docs/hashing.md.
 */
#ifndef KETTLE_HASH_ENGINE_H
#define KETTLE_HASH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_DIGEST_LEN 32
#define HASH_QUEUE_MAX  (1u << 20)      /* bound on queue_capacity */
#define HASH_WORKERS_MAX 256

/* Where a request stopped; HASH_STEP_NONE when it succeeded. */
enum hash_step {
	HASH_STEP_NONE,
	HASH_STEP_OPEN,         /* openat failed (ENOENT: gone since it was submitted) */
	HASH_STEP_STAT,         /* fstat of the open file failed */
	HASH_STEP_TYPE,         /* not a regular file (error -EINVAL, type in before.mode) */
	HASH_STEP_READ,         /* a read failed */
	HASH_STEP_CANCEL,       /* engine freed or its rings failed before the request ran */
};

/* What stat(2) says about a file: the identity a digest belongs to. */
struct hash_identity {
	uint64_t dev;           /* st_dev (as makedev(major, minor)) */
	uint64_t ino;
	uint64_t size;
	int64_t mtime_ns;
	int64_t ctime_ns;
	uint32_t mode;
	bool fs_unverifiable;   /* on a file system whose content Kettle cannot vouch for (hash_fs_unverifiable) */
};

struct stat;
/* The identity of what fstat/stat said (ST). */
void hash_identity_of(const struct stat *st, struct hash_identity *id);
/* Whether the file open at FD is on a network or userspace file system (FUSE, NFS, CIFS, 9P, ...). */
bool hash_fs_unverifiable(int fd);
/* Same dev, ino, size, mtime, ctime and mode. */
bool hash_identity_equal(const struct hash_identity *a, const struct hash_identity *b);

struct hash_result {
	uint64_t cookie;
	char *path;             /* the caller's after poll: free with hash_result_clear() */
	int error;              /* 0 or -errno */
	enum hash_step step;    /* the step that failed */
	bool changed;           /* file changed while hashed: digest is NOT its content */
	uint64_t bytes;         /* bytes hashed */
	uint8_t digest[HASH_DIGEST_LEN];
	struct hash_identity before;    /* fstat after open, before the first read */
	struct hash_identity after;     /* fstat after the last read */
};

struct hash_engine_options {
	unsigned workers;       /* threads, one io_uring each; 0: one per online CPU */
	unsigned queue_capacity; /* requests submitted and not yet polled; 0: 4096 */
	bool low_priority;      /* workers SCHED_IDLE, nice 19, I/O class idle */
	bool no_follow;         /* a symlink as the last component fails (ELOOP) */
	/* Every file through OpenSSL, as on a CPU without the SIMD intel-ipsec-mb
	 * needs: for tests and A/B measurements. */
	bool no_multibuffer;
	/* Test hook, 0 in normal use: the first N reads of each file are answered
	 * -EAGAIN, as a filesystem without no-wait reads answers io_uring. */
	unsigned test_read_eagain;
	/* Test hook, NULL in normal use: called by a worker just before STEP
	 * (HASH_STEP_OPEN: before opening; HASH_STEP_READ: before the first read). */
	void (*hook)(void *arg, const char *path, enum hash_step step);
	void *hook_arg;
};

struct hash_engine;

/* Starts the workers.  NULL on failure, with the reason in ERR. */
struct hash_engine *hash_engine_new(const struct hash_engine_options *o, char *err, size_t errlen);

/* Queues PATH (copied).  0, -EAGAIN when capacity requests are outstanding
 * (poll, then retry), -EPIPE after finish, -ENAMETOOLONG, -ENOMEM. */
int hash_engine_submit(struct hash_engine *e, const char *path, uint64_t cookie);

/* Moves up to MAX results into OUT; waits up to TIMEOUT_MS (-1: for ever)
 * for the first one, but never while nothing is outstanding. */
size_t hash_engine_poll(struct hash_engine *e, struct hash_result *out, size_t max, int timeout_ms);

/* What the engine has cost so far: the CPU time of its worker threads (the
 * kernel's io-wq helpers, rarely used for page-cache reads, are not counted)
 * and the bytes it read. */
struct hash_engine_usage {
	uint64_t cpu_ns;
	uint64_t bytes;
};
void hash_engine_usage(struct hash_engine *e, struct hash_engine_usage *u);

/* Requests submitted and not yet returned by poll. */
size_t hash_engine_outstanding(struct hash_engine *e);

/* No more submissions: waits until every queued request has a result and
 * the workers have exited.  0 or the first worker failure (-errno). */
int hash_engine_finish(struct hash_engine *e);

/* Cancels what has not started, waits for the rest, frees everything. */
void hash_engine_free(struct hash_engine *e);

void hash_result_clear(struct hash_result *r);

/*
 * Test hooks from the environment, so that tests of kettle hash and kettle run
 * can make a race happen every time (docs/hashing.md, "Test hooks"):
 *   KETTLE_TEST_HASH_DELAY_MS=N               each file waits N ms before its open
 *   KETTLE_TEST_HASH_UNLINK_BEFORE_OPEN=NAME  a file named NAME (last component)
 *                                             is unlinked just before its open
 *   KETTLE_TEST_HASH_UNLINK_BEFORE_READ=NAME  ... just before its first read
 *   KETTLE_TEST_HASH_NO_MULTIBUFFER=1         no_multibuffer: OpenSSL for every file
 *   KETTLE_TEST_HASH_READ_EAGAIN=N            test_read_eagain: N reads of each file say -EAGAIN
 * Sets O's hook (or no_multibuffer) when one is set; leaves O alone otherwise.
 */
void hash_engine_test_hooks(struct hash_engine_options *o);

/* "open: Permission denied", "not a regular file (FIFO)", ... */
const char *hash_result_reason(const struct hash_result *r, char *buf, size_t len);

#endif
