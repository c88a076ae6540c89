/* SPDX-License-Identifier: MIT */
/*
 * A fresh cgroup v2 directory for one build, so that everything the build
 * starts stays in scope even when it leaves the process tree.
 */
#ifndef KETTLE_CGROUP_SCOPE_H
#define KETTLE_CGROUP_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup_scope {
	char path[512];
	int dir_fd;     /* for the BPF cgroup array map */
};

/* Creates <cgroup2 mount>/kettle-<pid>. 0, or -1 with ERR filled. */
int cgroup_scope_create(struct cgroup_scope *cg, char *err, size_t errlen);
/* Moves PID into the cgroup. 0 or -errno. */
int cgroup_scope_add(struct cgroup_scope *cg, pid_t pid);
/* True while any process is in the cgroup (or its descendants). */
bool cgroup_scope_populated(struct cgroup_scope *cg);
/* Removes the (empty) cgroup. 0 or -errno. */
int cgroup_scope_remove(struct cgroup_scope *cg);

#endif
