/* SPDX-License-Identifier: MIT */
/*
 * Pipes and terminals the build inherits from kettle run's caller (`producer
 * | kettle run -- build`, or an interactive shell): their bytes come from
 * outside the build and are never a file Kettle could hash.  Kettle holds the same pipes, so it notes where their
 * readers are before the build starts and again after it ended: a pipe whose
 * reader moved was read by the build, and the record says so.
 */
#ifndef KETTLE_INHERITED_PIPES_H
#define KETTLE_INHERITED_PIPES_H

#include <stddef.h>

#include "bpf/events.h"
#include "collect/tracer.h"

#define INHERITED_PIPES_MAX 64

struct inherited_pipes {
	size_t n;
	struct ke_pipe_state at_start[INHERITED_PIPES_MAX];
};

/* Before the build runs: the read ends the build will inherit, and their readers. 0 or -errno. */
int inherited_pipes_start(struct inherited_pipes *p, struct tracer *t);
/* After the build: the pipes and terminals it read, into READ (at most MAX). Their count, or -errno. */
int inherited_pipes_read(const struct inherited_pipes *p, struct tracer *t, struct ke_pipe_state *read, size_t max);

#endif
