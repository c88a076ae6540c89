/* SPDX-License-Identifier: MIT */
/* Loads and attaches the BPF programs, and talks to their maps. */
#ifndef KETTLE_TRACER_H
#define KETTLE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log/log_event.h"

struct ke_pipe_state;

struct tracer_options {
	size_t ringbuf_bytes;   /* power of two, multiple of the page size */
	int cgroup_fd;          /* >= 0: scope is this cgroup's subtree */
	bool env_off;           /* execs carry no environment (kettle --env none) */
	bool follow_daemons;    /* trace a daemon from its first accept of the build's connection */
};

struct tracer;

/*
 * Whether tracer_open loads the network and file-tree programs: yes unless
 * KETTLE_TRACE_CORE_ONLY is set (to anything but "" or "0"; docs/tracer.md).
 * A log says it in its header (net.traced, fs.traced).
 */
bool tracer_traces_net_and_files(void);
/* Loads, configures and attaches. NULL with ERR filled on failure. */
struct tracer *tracer_open(const struct tracer_options *opt, char *err, size_t errlen);
/* Whether the programs were loaded with the cached copy of the kernel's BTF (collect/core_btf.h). */
bool tracer_core_copy_used(const struct tracer *t);
/* Puts PID in the tracked map, so it and its future children are followed. */
int tracer_track(struct tracer *t, pid_t pid);
/* Tracks PID unless it is already: 0, -EEXIST (the fork program tracked it), or -errno. */
int tracer_track_new(struct tracer *t, pid_t pid);
/* Stops tracking PID (a process that exited before it was tracked). 0 or -errno; gone already is 0. */
int tracer_untrack(struct tracer *t, pid_t pid);
/* Whether PID is tracked now. */
/* Traces PID (a daemon's process) from now on, apart from the build's tree. */
int tracer_follow(struct tracer *t, pid_t pid);
bool tracer_is_tracked(struct tracer *t, pid_t pid);
/* Whether PID is a daemon's process followed with --follow-daemons. */
bool tracer_is_followed(struct tracer *t, pid_t pid);
/* Whether PID is part of the build: tracked (tree scope), or in the scope's cgroup subtree. */
bool tracer_in_scope(struct tracer *t, pid_t pid);
/* Number of processes the kernel side still tracks (-1 on error). */
long tracer_tracked_count(struct tracer *t);
struct pid_list;
/* Appends the tracked processes (tree scope) to OUT. 0, or -errno. */
int tracer_tracked_pids(struct tracer *t, struct pid_list *out);
/* Sums the per-CPU loss and truncation counters. */
int tracer_read_losses(struct tracer *t, struct log_losses *out);
/*
 * The records each CPU numbered and those its ring buffer refused, summed
 * with the checked record numbers (collect/record_seq.h).  Both arrays hold
 * tracer_ncpus() entries.  0, or -errno.
 */
int tracer_read_numbering(struct tracer *t, uint64_t *numbered, uint64_t *unsent);
int tracer_ncpus(const struct tracer *t);
/*
 * The pipes and FIFOs this process (the collector) holds, with where their
 * readers are (bpf/events.h struct ke_pipe_state).  The count (at most MAX),
 * -E2BIG when there were more, or -errno.
 */
int tracer_pipe_states(struct tracer *t, struct ke_pipe_state *out, size_t max);
/* The ring buffer map's fd, for the drain thread. */
int tracer_ringbuf_fd(struct tracer *t);
/* Stops the programs: nothing is numbered or sent after this returns. */
void tracer_detach(struct tracer *t);
void tracer_close(struct tracer *t);

#endif
