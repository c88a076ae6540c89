// SPDX-License-Identifier: MIT
/* A process Kettle did not see start, as a proc_snapshot record from what /proc shows. */
#include <string.h>
#include <time.h>

#include "collect/cgroup_scope.h"
#include "collect/proc_snapshot.h"
#include "common/clock.h"

void proc_snapshot_event(const struct proc_info *pi, uint64_t cgroup_id, struct log_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = LOG_EV_PROC_SNAPSHOT;
	ev->ts_ns = clock_ns(CLOCK_BOOTTIME);
	ev->tgid = ev->tid = pi->pid;
	ev->uid = pi->uid;
	ev->gid = pi->gid;
	ev->cgroup_id = cgroup_id;
	ev->mntns = pi->mntns;
	ev->proc_snapshot.ppid = pi->no_stat ? 0 : pi->stat.ppid;
	ev->proc_snapshot.exe = pi->exe;
	ev->proc_snapshot.cwd = pi->cwd;
	ev->proc_snapshot.argc = pi->argc;
	ev->proc_snapshot.nargv = pi->argc;
	ev->proc_snapshot.argv = (const char *const *)pi->argv;
	ev->proc_snapshot.argv_truncated = pi->argv_cut;
	ev->proc_snapshot.start_boot_ns = pi->no_stat ? 0 : proc_ticks_to_ns(pi->stat.start_ticks);
	ev->proc_snapshot.flags = (pi->exe ? 0 : LOG_SNAP_NO_EXE) | (pi->cwd ? 0 : LOG_SNAP_NO_CWD) |
				  (pi->argv ? 0 : LOG_SNAP_NO_ARGV) | (pi->no_stat ? LOG_SNAP_NO_STAT : 0) |
				  (pi->no_status ? LOG_SNAP_NO_STATUS : 0) | (pi->gone ? LOG_SNAP_GONE : 0);
}


int proc_snapshot_write(pid_t pid, struct log_writer *log, struct hash_plan *plan)
{
	struct proc_info pi;
	struct log_event ev;
	int rc = proc_read_info(pid, &pi);

	if (rc)
		return rc;
	proc_snapshot_event(&pi, cgroup_id_of(pid), &ev);
	rc = log_write_event(log, &ev);
	/* what it runs is hashed like what the build runs */
	if (!rc && plan)
		rc = hash_plan_event(plan, log, &ev);
	proc_info_free(&pi);
	return rc;
}
