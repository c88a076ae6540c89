/* SPDX-License-Identifier: MIT */
/*
 * What differs between two builds of the same thing, from their replay models,
 * ranked so that the first lines explain the difference: the inputs that
 * changed (sources, headers, toolchain executables), then the outputs they
 * changed and through which build step, then what no input explains.
 *
 * Paths are compared after normalisation: the build's own directory becomes
 * "./", files the build made and deleted become "<temp>.EXT", and the compiler
 * driver's mkstemp names (/tmp/ccXXXXXX...) are masked inside argv words.
 */
#ifndef KETTLE_BUILD_DIFF_H
#define KETTLE_BUILD_DIFF_H

#include "forensics/env_diff.h"
#include "forensics/replay.h"

#define DIFF_CAUSES 4           /* root causes kept per file or process (more: counted) */

struct diff_causes {
	uint32_t id[DIFF_CAUSES];       /* indexes into build_diff.inputs (changed inputs) or commands */
	uint8_t n;
	bool more;
};

enum diff_change { DC_CHANGED = 1, DC_ADDED, DC_REMOVED };

/* A file of either build, by normalised path. */
struct diff_file {
	char *key;              /* normalised path */
	uint32_t a, b;          /* file in A's / B's model, REPLAY_NONE when absent there */
	enum diff_change change;        /* 0: the same (or not comparable) */
	bool output;            /* the build wrote it (in B, else in A) */
	bool executable;
	uint32_t reaches;       /* changed outputs whose lineage it is in (inputs only) */
	uint32_t readers;       /* processes of B (else A) that read or executed it */
};

/* A command of one build that the other does not have (matched by program and normalised argv). */
struct diff_command {
	uint32_t proc;          /* in A for removed, in B for added */
	bool added;
};

struct build_diff {
	const struct replay *a, *b;
	struct diff_file *files;        /* sorted: changed inputs by reach, changed outputs by time, ... */
	uint32_t nfiles;
	uint32_t *inputs;       /* changed or added inputs (files index): the root causes */
	uint32_t ninputs;
	uint32_t *outputs;      /* changed or added outputs (files index), in B's write order */
	uint32_t noutputs;
	struct diff_command *commands;
	uint32_t ncommands;
	struct diff_causes *file_causes;        /* per file of B */
	uint32_t *bmap;         /* per file of B: its diff file, REPLAY_NONE */
	uint32_t *net_added, nnet_added;        /* endpoints of B that A did not address */
	uint32_t *net_removed, nnet_removed;    /* endpoints of A that B did not address */
	uint32_t same_inputs, same_outputs, incomparable;
	uint32_t commands_matched;
	struct env_diff env;    /* environment changes of matched commands, ranked */
};

/* Compares A (before) with B (after). 0, or -1 when out of memory. */
int build_diff_run(struct build_diff *d, const struct replay *a, const struct replay *b);
void build_diff_free(struct build_diff *d);

/* Whether the builds differ at all (files, commands, environments or network). */
bool build_diff_any(const struct build_diff *d);
/*
 * The build step a process belongs to: the child of the nearest ancestor that
 * runs the traced command's program (make, ninja, ...) on the way up to it,
 * else the root's child on that way, else the process itself.
 */
uint32_t build_diff_step(const struct replay *r, uint32_t proc);
/* Calls FN for each changed file (diff files index) among the inputs of B's writers of B file FILE, looking through temporaries. */
void build_diff_via(const struct build_diff *d, uint32_t file, void (*fn)(uint32_t dfile, void *arg),
		    void *arg);

#endif
