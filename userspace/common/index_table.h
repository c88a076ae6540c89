/* SPDX-License-Identifier: MIT */
/*
 * An open-addressing index from a 64-bit hash to an entry id, for tables
 * whose entries live in the caller's own array: the caller compares the
 * candidates a probe yields.  Load stays under one half.
 */
#ifndef KETTLE_INDEX_TABLE_H
#define KETTLE_INDEX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Eight bytes a slot, not sixteen: a monorepo's log has millions of distinct
 * paths and sites, and the reader's tables are most of its memory.  The low
 * 32 bits of the hash pick the slot (the capacity is at most 2^32), so they
 * are all a rehash needs; as a filter they let through one stranger in
 * 2^(32 - log2 capacity) among the entries of the same home slot, which the
 * caller's comparison of the entries themselves turns away.
 */
struct index_slot {
	uint32_t hash;          /* the entry's hash, its low 32 bits */
	uint32_t id1;           /* id + 1; 0 = empty */
};

struct index_table {
	struct index_slot *slots;
	uint32_t mask;          /* capacity - 1, capacity a power of two */
	uint32_t count;
};

/* CAP: a power of two. 0 or -ENOMEM. */
int index_table_init(struct index_table *t, uint32_t cap);
/* index_table_init unless T is set up already: for a table made at its first use. 0 or -ENOMEM. */
int index_table_ready(struct index_table *t, uint32_t cap);
/* Adds ID under HASH (duplicates allowed). 0 or -ENOMEM. */
int index_table_insert(struct index_table *t, uint64_t hash, uint32_t id);
void index_table_free(struct index_table *t);

/* Probe loop: for (i = index_table_probe(t, h); t->slots[i].id1; i = index_table_next(t, i)) */
static inline uint32_t index_table_probe(const struct index_table *t, uint64_t hash)
{
	return (uint32_t)hash & t->mask;
}

static inline uint32_t index_table_next(const struct index_table *t, uint32_t i)
{
	return (i + 1) & t->mask;
}

/* Whether slot I may hold an entry of HASH: the caller compares the entry itself. */
static inline bool index_table_same_hash(const struct index_table *t, uint32_t i, uint64_t hash)
{
	return t->slots[i].hash == (uint32_t)hash;
}

/* A fast, well-mixed 64-bit hash of N bytes (not for adversarial keys' secrecy). */
uint64_t hash_bytes(const void *p, size_t n);

#endif
