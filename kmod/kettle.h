/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kettle's exec measurement module: what its parts share.
 * kettle_exec.c hooks exec, kettle_cache.c hashes and remembers digests,
 * kettle_dev.c is /dev/kettle (record queue, scope, counters).
 */
#ifndef KETTLE_KMOD_H
#define KETTLE_KMOD_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include "events.h"

/* Identity of a file's contents as far as its metadata tells. */
struct kettle_file_id {
	u64 dev;
	u64 ino;
	u32 generation;
	u32 has_iversion;
	s64 size;
	s64 mtime_ns;
	s64 ctime_ns;
	u64 i_version;
};

struct kettle_counters {
	atomic64_t measured;
	atomic64_t cache_hits;
	atomic64_t hashed_bytes;
	atomic64_t errors;
	atomic64_t dropped;
	atomic64_t out_of_scope;
};

extern struct kettle_counters kettle_counters;

/* kettle_cache.c */
int kettle_cache_init(unsigned int capacity);
void kettle_cache_exit(void);
void kettle_file_id_of(struct file *file, struct kettle_file_id *id);
/*
 * Fills digest for file: from the cache when id matches an entry (returns 1),
 * else by reading and hashing it (returns 0, *hashed = bytes read).
 * Returns -errno when the file could not be read or hashed.
 */
int kettle_measure(struct file *file, const struct kettle_file_id *id,
		   u8 digest[KE_KMOD_DIGEST_LEN], u64 *hashed);
void kettle_cache_clear(void);
void kettle_cache_usage(u32 *entries, u32 *capacity);

/* kettle_dev.c */
int kettle_dev_init(unsigned int queue_records);
void kettle_dev_exit(void);
u64 kettle_scope(void);
/* Queues rec for readers; counts it as dropped when the queue is full. */
void kettle_dev_push(const struct ke_kmod_exec *rec);

#endif
