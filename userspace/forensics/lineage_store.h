/* SPDX-License-Identifier: MIT */
/*
 * The edges a lineage walk reads, kept while the log streams so that the
 * replay model need not keep every access (replay_stream_new_hooked): a
 * file's writers (a few per built file) in memory, and each process's
 * distinct inputs written to an unlinked temporary file when the process
 * exits, one run per process.  Memory then holds the inputs of the processes
 * running at once, not of the whole build; the file holds about 4 bytes per
 * distinct file a process read (docs/forensics.md, "Lineage at scale").
 */
#ifndef KETTLE_LINEAGE_STORE_H
#define KETTLE_LINEAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "forensics/replay.h"

struct lineage_store;

/* A store whose temporary file is in $TMPDIR (else /tmp). NULL with errno set. */
struct lineage_store *lineage_store_new(void);
/* The hook to give replay_stream_new_hooked: it fills the store. */
struct replay_access_hook lineage_store_hook(struct lineage_store *s);
/* After the read: writes out the processes still running and groups the writers. 0 or -1. */
int lineage_store_finish(struct lineage_store *s);
void lineage_store_free(struct lineage_store *s);

/*
 * Calls FN(proc, arg) for the processes that wrote FILE, in log order of
 * their writes (a process that wrote it again after another did comes again:
 * the caller drops repeats).  Stops and returns FN's non-zero value.
 */
int lineage_store_writers(const struct lineage_store *s, uint32_t file,
			  int (*fn)(uint32_t proc, void *arg), void *arg);
/*
 * Calls FN(file, executed, arg) for each file process PROC read or executed,
 * in log order, first access of each file only.  A process that ran past an
 * exit the log recorded may repeat a file (the caller drops repeats).
 * Stops and returns FN's non-zero value; -1 when the temporary file fails.
 */
int lineage_store_inputs(const struct lineage_store *s, uint32_t proc,
			 int (*fn)(uint32_t file, bool executed, void *arg), void *arg);

#endif
