/* SPDX-License-Identifier: MIT */
/* Which events `kettle log show` keeps: --pid, --path, --type, --since, --until, all ANDed. */
#ifndef KETTLE_LOG_FILTER_H
#define KETTLE_LOG_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_reader.h"

/* A --since or --until bound: seconds after the log's start, or a wall-clock time. */
struct log_time_bound {
	bool set;
	bool wall;              /* ns is CLOCK_REALTIME ns since the epoch, else ns since the start */
	int64_t ns;
};

struct log_filter {
	uint32_t *pids;
	size_t npids;
	const char **globs;     /* point into argv */
	size_t nglobs;
	uint32_t types;         /* bit (1 << LOG_EV_*) per type asked for, LOG_FILTER_KMOD_EXEC; 0: every type */
	struct log_time_bound since, until;
};

/* --type kmod_exec: the kernel module's measurements (not events, but in the timeline) */
#define LOG_FILTER_KMOD_EXEC      (1u << 31)
#define LOG_FILTER_KMOD_EXEC_NAME "kmod_exec"

/* The name `kettle log show` prints for an event type (fork, exec, ...), NULL when unknown. */
const char *log_event_type_name(uint32_t type);
/* The name of a notice (enum log_notice_what), the same word as its completeness reason; NULL: unknown. */
const char *log_notice_name(uint32_t what);
/* The name of an io_uring opcode (IORING_OP_ without its prefix, lower case), NULL when unknown. */
const char *log_uring_op_name(uint64_t op);

/*
 * Adds OPT (--pid, --path, --type, --since, --until) with VALUE to F.  Returns 0,
 * or -1 with a one-line ERR naming the option and the bad value.
 */
int log_filter_add(struct log_filter *f, const char *opt, const char *value, char *err, size_t errlen);
/* Whether OPT is one of the options log_filter_add() takes. */
bool log_filter_is_option(const char *opt);
/* Whether event E of LOG passes every filter of F. */
bool log_filter_match(const struct log_filter *f, const struct log_file *log, const struct log_event *e);
/* Whether the kernel module's record K of LOG passes every filter of F (its path for --path). */
bool log_filter_match_kmod(const struct log_filter *f, const struct log_file *log, const struct log_kmod_exec *k);
void log_filter_free(struct log_filter *f);

#endif
