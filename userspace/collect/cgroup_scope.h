/* SPDX-License-Identifier: MIT */
/*
 * A fresh cgroup v2 directory for one build, so that everything the build
 * starts stays in scope even when it leaves the process tree.
 */
#ifndef KETTLE_CGROUP_SCOPE_H
#define KETTLE_CGROUP_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/proc_scan.h"

struct cgroup_scope {
	char path[512];
	int dir_fd;     /* for the BPF cgroup array map */
};

/* The cgroup2 mount point from /proc/self/mountinfo (pure v2 or hybrid hierarchy). 0 or -1. */
int cgroup2_mount(char *out, size_t outlen);
/* Creates <cgroup2 mount>/kettle-<pid>. 0, or -1 with ERR filled. */
int cgroup_scope_create(struct cgroup_scope *cg, char *err, size_t errlen);
/*
 * Opens the existing cgroup v2 directory PATH (kettle attach --cgroup): it
 * must be on a cgroup2 mount and must not hold kettle itself (its own
 * events would feed back into the log).  0, or -1 with ERR filled.
 */
int cgroup_scope_open(struct cgroup_scope *cg, const char *path, char *err, size_t errlen);
/* Closes what cgroup_scope_open opened; the cgroup stays. */
void cgroup_scope_close(struct cgroup_scope *cg);
/* Appends the processes of the cgroup and all cgroups below it (cgroup.procs). 0 or -errno. */
int cgroup_scope_procs(struct cgroup_scope *cg, struct pid_list *out);
/* The id of PID's cgroup v2 (as bpf_get_current_cgroup_id gives it), 0 when unknown. */
uint64_t cgroup_id_of(pid_t pid);
/* Whether PID is in the cgroup DIR_FD is open on, or in one below it. */
bool cgroup_fd_holds(int dir_fd, pid_t pid);
/* The id of the cgroup CG holds open, 0 when fstat fails (errno set). */
uint64_t cgroup_scope_id(const struct cgroup_scope *cg);
/* Moves PID into the cgroup. 0 or -errno. */
int cgroup_scope_add(struct cgroup_scope *cg, pid_t pid);
/* True while any process is in the cgroup (or its descendants). */
bool cgroup_scope_populated(struct cgroup_scope *cg);
/* Removes the (empty) cgroup. 0 or -errno. */
int cgroup_scope_remove(struct cgroup_scope *cg);

#endif
