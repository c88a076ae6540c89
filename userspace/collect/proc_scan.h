/* SPDX-License-Identifier: MIT */
/*
 * What /proc tells about running processes, for kettle attach: a process's
 * parent, start time, ids, executable, cwd and argv, and the descendants of
 * a process.  Every read is bounded; a process may vanish at any point, so
 * each function says -ENOENT rather than failing the caller.
 */
#ifndef KETTLE_PROC_SCAN_H
#define KETTLE_PROC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* argv bytes read from /proc/PID/cmdline at most (as the kernel side keeps of an exec). */
#define PROC_ARGV_MAX (256 * 1024)

struct pid_list {
	pid_t *pids;
	size_t n, cap;
};

/* Appends PID. 0 or -ENOMEM. */
int pid_list_add(struct pid_list *l, pid_t pid);
/* Sorts the list, for pid_list_has. */
void pid_list_sort(struct pid_list *l);
/* Whether the (sorted) list holds PID. */
bool pid_list_has(const struct pid_list *l, pid_t pid);
void pid_list_free(struct pid_list *l);

/* /proc/PID/stat */
struct proc_stat {
	pid_t ppid;
	char state;             /* R, S, D, Z, X, ... */
	uint64_t start_ticks;   /* starttime: clock ticks after boot */
};

/* 0, -ENOENT when there is no such process, or -errno. */
int proc_read_stat(pid_t pid, struct proc_stat *st);
/* Parses the text of a /proc/PID/stat file (NUL-terminated). 0 or -EPROTO. */
int proc_parse_stat(const char *text, struct proc_stat *st);
/* True when PID is a zombie or gone: its exit is over. */
bool proc_exited(const struct proc_stat *st);
/* starttime as CLOCK_BOOTTIME ns. */
uint64_t proc_ticks_to_ns(uint64_t ticks);

/* Everything a snapshot of one process holds. */
struct proc_info {
	pid_t pid;
	struct proc_stat stat;
	uint32_t uid, gid;      /* real ids, as the kernel side records them */
	uint32_t mntns;         /* mount namespace inode number, 0 unknown */
	char *exe, *cwd;        /* NULL when unreadable (or longer than PATH_MAX) */
	char **argv;            /* NULL-terminated; NULL when unreadable or empty */
	uint32_t argc;
	bool argv_cut;          /* longer than PROC_ARGV_MAX */
	bool no_stat, no_status, gone;
};

/* Reads PID's /proc files; what cannot be read is left NULL and flagged. 0, or -ENOMEM. */
int proc_read_info(pid_t pid, struct proc_info *pi);
void proc_info_free(struct proc_info *pi);

/* The argv of PID from /proc/PID/cmdline (NULL-terminated, into *ARGV, count in *ARGC). 0 or -errno. */
int proc_read_argv(pid_t pid, char ***argv, uint32_t *argc, bool *cut);
void proc_argv_free(char **argv);
/*
 * Splits N bytes of a cmdline file at BUF (room for N + 1: a missing last NUL
 * is added) into *ARGV, which points into BUF and owns it from then on
 * (proc_argv_free).  0, -ENODATA for N == 0, or -ENOMEM.
 */
int proc_split_argv(char *buf, size_t n, char ***argv, uint32_t *argc);

/*
 * Appends every descendant of ROOT (not ROOT itself) to OUT: from the
 * kernel's /proc/PID/task/TID/children lists where the kernel has them,
 * else from the ppid of every process in /proc.  0 or -errno.
 */
int proc_descendants(pid_t root, struct pid_list *out);
/* The same, always from a scan of /proc (what proc_descendants falls back to). */
int proc_descendants_by_ppid(pid_t root, struct pid_list *out);

#endif
