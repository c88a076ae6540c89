/* SPDX-License-Identifier: MIT */
/*
 * Starts the traced command held at a gate: the child exists but runs
 * nothing until spawn_release(), so the collector can put its pid in the
 * tracked map before its first exec.
 */
#ifndef KETTLE_SPAWN_H
#define KETTLE_SPAWN_H

#include <signal.h>
#include <sys/types.h>

struct spawn {
	pid_t pid;
	int gate_fd;    /* write end: one byte releases the child */
	int err_fd;     /* read end: the child's exec errno, or EOF on success */
};

/* Forks; the child restores SIGMASK, waits at the gate, then execvp(ARGV). 0 or -errno. */
int spawn_gated(struct spawn *s, char *const argv[], const sigset_t *sigmask);
/* Opens the gate. Returns 0 once the child exec'd, or the positive errno its exec failed with. */
int spawn_release(struct spawn *s);

#endif
