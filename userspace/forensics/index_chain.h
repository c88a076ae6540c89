/* SPDX-License-Identifier: MIT */
/*
 * A process's ancestors as the fleet index stores them beside the process
 * (procs.chain, schema version 4; docs/index.md): a lookup of 1,000 matches
 * then reads one row per match instead of walking procs one parent at a
 * time.  The text is at most INDEX_CHAIN_INLINE ancestors, nearest first,
 * "pid,exe_id,argv_id" each (an empty id for none) joined by ';', and
 * ">PROC" after the last when the chain goes on past them: the walk goes on
 * at that process's row, so a deep tree costs a row per INDEX_CHAIN_INLINE
 * levels and no process stores more than that.
 */
#ifndef KETTLE_INDEX_CHAIN_H
#define KETTLE_INDEX_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#define INDEX_CHAIN_INLINE 16
/* 20 digits for each of three numbers, two commas and a ';' per ancestor, then '>' and a number */
#define INDEX_CHAIN_TEXT_MAX (INDEX_CHAIN_INLINE * 64 + 24)

/* One process of a build: its number is its place in the build's array. */
struct index_chain_proc {
	int64_t proc;                   /* its number in the build (procs.proc) */
	int64_t parent;                 /* the parent's number, -1: none */
	int64_t pid;
	int64_t exe_id, argv_id;        /* 0: none */
};

/*
 * The chain text of PROCS[AT] among the N processes of one build, sorted by
 * their number: a parent not among them ends the chain.
 */
void index_chain_text(const struct index_chain_proc *procs, size_t n, size_t at, char out[INDEX_CHAIN_TEXT_MAX]);

/* One ancestor read back: its pid and the ids as text ("" for none). */
struct index_chain_entry {
	int64_t pid;
	char exe_id[21], argv_id[21];
};

/*
 * Reads TEXT into at most MAX entries of OUT: their count, with *NEXT the
 * process the chain goes on at (-1: it ends); -1 when TEXT is not as
 * index_chain_text writes it.
 */
int index_chain_parse(const char *text, struct index_chain_entry *out, int max, int64_t *next);

#endif
