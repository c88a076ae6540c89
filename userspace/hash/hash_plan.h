/* SPDX-License-Identifier: MIT */
/*
 * What the collector hashes, and when: a file first opened for reading is
 * hashed while the build runs, an executed file is hashed and identified,
 * a file the build wrote is hashed once the build is over.  Runs in the
 * writer thread; the hashing itself is done by the hash engine's
 * low-priority workers.
 */
#ifndef KETTLE_HASH_PLAN_H
#define KETTLE_HASH_PLAN_H

#include <stddef.h>

#include "hash/hash_engine.h"
#include "log/log_event.h"
#include "log/log_writer.h"

struct hash_plan_options {
	unsigned workers;       /* 0: one per online CPU */
	unsigned queue;         /* files waiting to be hashed at most; 0: 65536 */
};

struct hash_plan;

struct hash_plan *hash_plan_new(const struct hash_plan_options *o, char *err, size_t errlen);
/*
 * Looks at one event: queues what it read or ran, remembers what it wrote.
 * A file the full queue or the engine will not take (a path longer than
 * PATH_MAX, ...) is written to W as not hashed, with the reason.  0, or
 * -errno when hashing cannot go on at all (-ENOMEM, -EPIPE, a write error).
 */
int hash_plan_event(struct hash_plan *p, struct log_writer *w, const struct log_event *ev);
/* Writes the digests that are ready; waits up to TIMEOUT_MS for the first. 0 or -errno. */
int hash_plan_write_ready(struct hash_plan *p, struct log_writer *w, int timeout_ms);
/* The build is over: waits for what is queued, hashes the outputs, writes everything (errors as above). */
int hash_plan_finish(struct hash_plan *p, struct log_writer *w);
void hash_plan_stats(const struct hash_plan *p, struct log_hash_stats *out);
/* CPU time and bytes of the hashing so far (tools/bench/tracer-overhead reads it from the summary). */
void hash_plan_usage(const struct hash_plan *p, struct hash_engine_usage *out);
void hash_plan_free(struct hash_plan *p);

/* Paths never hashed: pseudo filesystems whose "content" is not a build input. */
bool hash_plan_excluded(const char *path);

#endif
