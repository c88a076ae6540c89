/* SPDX-License-Identifier: MIT */
/*
 * What a build gets from kettle run's caller without opening it: the
 * descriptors its root holds when it starts (stdin from a file, a socket).
 * A regular file is an input like any the build opens; a socket reaches a
 * peer outside the build and is a completeness reason.
 */
#ifndef KETTLE_INHERITED_FDS_H
#define KETTLE_INHERITED_FDS_H

#include <sys/types.h>

#include "collect/session.h"

/*
 * Records the descriptors that PID (held before its exec) will keep across
 * exec: an open event (call LOG_CALL_INHERITED) for each regular file, an
 * inherited-socket notice for each socket other than stdout and stderr.
 * Before session_collect_start.  0, or -errno.
 */
int inherited_fds_record(struct session *s, pid_t pid);

#endif
