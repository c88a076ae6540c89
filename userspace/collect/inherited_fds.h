/* SPDX-License-Identifier: MIT */
/*
 * What a build gets without opening it: the descriptors its root holds when
 * kettle run starts it (stdin from a file, a socket), or those a process
 * already running holds when kettle attach begins.
 * A regular file is an input like any the build opens; a socket reaches a
 * peer outside the build and is a completeness reason.
 */
#ifndef KETTLE_INHERITED_FDS_H
#define KETTLE_INHERITED_FDS_H

#include <sys/types.h>

#include "collect/session.h"

enum inherited_fds_which {
	INHERITED_ACROSS_EXEC,  /* kettle run: what the root, held before its exec, keeps across it */
	INHERITED_ALL_OPEN,     /* kettle attach: everything a running process holds */
};

/*
 * Records PID's descriptors (WHICH of them): an open event (call
 * LOG_CALL_INHERITED) for each regular file, an inherited-socket notice for
 * each socket other than stdout and stderr.  Before session_collect_start.
 * 0 (also when PID is gone), or -errno.
 */
int inherited_fds_record(struct session *s, pid_t pid, enum inherited_fds_which which);

#endif
