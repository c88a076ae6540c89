/* SPDX-License-Identifier: MIT */
/*
 * Lineage: how a file came to be.  A file's writers are the processes that
 * opened it for writing; a writer's inputs are every file it read or executed.
 * The log has opens, not read(2)/write(2) calls, and a compiler opens its output
 * before it reads its headers, so "read before writing" can only mean "read by
 * the writing process": a superset, never a miss.  Inputs that the build wrote
 * itself are followed to their own writers, down to sources and executables.
 */
#ifndef KETTLE_LINEAGE_H
#define KETTLE_LINEAGE_H

#include "forensics/replay.h"

enum lineage_kind { LI_FILE, LI_PROC, LI_NET };

/*
 * One node of the lineage tree, in preorder: a file, then its writers, then
 * each writer's inputs (files, then the network endpoints it addressed).
 */
struct lineage_item {
	uint8_t kind;           /* enum lineage_kind */
	bool repeat;            /* expanded earlier in the tree: not expanded again */
	bool cut;               /* not expanded: the depth limit was reached */
	bool executed;          /* a file the parent process executed (else read or wrote) */
	uint32_t id;            /* file, process instance or network endpoint */
	uint32_t depth;         /* 0 for the file asked about */
};

struct lineage {
	struct lineage_item *items;
	uint32_t n;
	size_t cap;
	uint32_t nsources, nexecutables, nwriters, nintermediate, nendpoints;   /* distinct */
};

#define LINEAGE_DEPTH_DEFAULT 64
#define LINEAGE_DEPTH_MAX 1000

/* The lineage of FILE in R, expanded to MAX_DEPTH file levels. 0 or -1 (out of memory). */
int lineage_walk(const struct replay *r, uint32_t file, uint32_t max_depth, struct lineage *out);
void lineage_free(struct lineage *l);

struct lineage_store;
/*
 * The same walk, with the items handed to EMIT one at a time in preorder
 * instead of kept (a monorepo's lineage has tens of millions), and the edges
 * read from STORE when R was built hooked to it (lineage_store.h), else from
 * R's accesses.  OUT gets the counts only (items stays NULL).  0, -1 (out of
 * memory, the store's file failed), or EMIT's non-zero value.
 */
int lineage_walk_each(const struct replay *r, const struct lineage_store *store, uint32_t file,
		      uint32_t max_depth, int (*emit)(void *arg, const struct lineage_item *it),
		      void *arg, struct lineage *out);

/*
 * Calls FN(file, executed, arg) once for each distinct file process PROC read or
 * executed, except SKIP.  STAMP is a caller's array of r->nfiles entries and
 * *MARK a counter, used to drop repeats without clearing (the caller zeroes STAMP once).
 * Stops and returns FN's non-zero value.
 */
int lineage_proc_inputs(const struct replay *r, uint32_t proc, uint32_t skip, uint32_t *stamp,
			uint32_t *mark, int (*fn)(uint32_t file, bool executed, void *arg), void *arg);

/* Whether the build wrote FILE (it is an output or an intermediate, not a source). */
static inline bool lineage_built(const struct replay *r, uint32_t file)
{
	return r->files[file].flags & RF_WRITTEN;
}

#endif
