/* SPDX-License-Identifier: MIT */
/* A process Kettle did not see start (running before an attach, a daemon), as a proc_snapshot record. */
#ifndef KETTLE_PROC_SNAPSHOT_H
#define KETTLE_PROC_SNAPSHOT_H

#include <stdint.h>

#include "collect/proc_scan.h"
#include "hash/hash_plan.h"
#include "log/log_writer.h"

/* The record of PI (in cgroup CGROUP_ID); it points into PI. */
void proc_snapshot_event(const struct proc_info *pi, uint64_t cgroup_id, struct log_event *ev);
/* Reads PID from /proc and writes its record (and queues its executable on PLAN, if any). 0 or -errno. */
int proc_snapshot_write(pid_t pid, struct log_writer *log, struct hash_plan *plan);

#endif
