/* SPDX-License-Identifier: MIT */
/*
 * Environment differences between the matched commands of two builds (one
 * part of build_diff.h): each distinct change of one variable (its name, the
 * value in A, the value in B) once, with the commands of B that had it.
 * Values are compared with each build's directory replaced by "." and make's
 * jobserver fifo name masked; secrets compare by their recorded SHA-256.
 */
#ifndef KETTLE_ENV_DIFF_H
#define KETTLE_ENV_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "common/index_table.h"
#include "forensics/replay.h"

struct env_change {
	const char *a, *b;      /* the "NAME=value" strings of each side; NULL: not set there */
	uint32_t name_len;      /* bytes of NAME */
	uint32_t commands;      /* matched commands of B whose environment has this change */
	uint32_t reaches;       /* changed outputs written by one of them */
	uint32_t alone;         /* of those, outputs no changed input explains */
	uint32_t example;       /* a command of B that had it: the writer of a changed output if one did */
	bool secret;            /* a value hashed by the log's secret rule: ranked after the others */
	char *key;              /* name, normalised values: what identifies the change */
};

struct env_diff {
	struct env_change *changes;
	uint32_t nchanges;
	size_t cap;
	uint32_t *rank;         /* change ids, the most explaining first (after env_diff_rank) */
	uint32_t *proc_first, *proc_n;  /* per process of B: its changes, ids[proc_first ...] */
	uint32_t *ids;
	uint32_t nids;
	size_t cap_ids;
	uint32_t compared;      /* matched commands with an environment recorded on both sides */
	struct index_table index;       /* hash of key -> change */
};

/*
 * A change explains outputs when a command that had it wrote a changed output
 * that no changed input explains.  The log cannot say which variables a
 * program read: every change in the writer's environment is a candidate.
 */
static inline bool env_change_explains(const struct env_change *c)
{
	return c->alone != 0;
}

/*
 * Compares the environments of matched commands: PARTNER[p] is the process of A
 * matched with process p of B (REPLAY_NONE: none).  0, or -1 when out of memory.
 */
int env_diff_run(struct env_diff *e, const struct replay *a, const struct replay *b, const uint32_t *partner);
/* Orders e->rank once reaches and alone are counted: explaining most, not secret, reaching most, fewest commands. */
int env_diff_rank(struct env_diff *e);
void env_diff_free(struct env_diff *e);

#endif
