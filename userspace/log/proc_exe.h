/* SPDX-License-Identifier: MIT */
/*
 * Which program each process of a log runs at a point of the log: fed the
 * events in order, it answers "pid -> exe now" (from its last exec, its
 * parent's at fork, or what /proc said at attach).
 */
#ifndef KETTLE_PROC_EXE_H
#define KETTLE_PROC_EXE_H

#include "common/index_table.h"
#include "log/log_event.h"

struct proc_exe_map {
	struct { uint32_t pid; const char *exe; } *v;
	size_t n, cap;
	struct index_table index;
};

/* Notes what EV says about a process's program (fork, exec, proc_snapshot). 0 or -ENOMEM. */
int proc_exe_event(struct proc_exe_map *m, const struct log_event *ev);
/* PID's program now, or NULL when the log has not shown it. */
const char *proc_exe_get(const struct proc_exe_map *m, uint32_t pid);
void proc_exe_free(struct proc_exe_map *m);

#endif
