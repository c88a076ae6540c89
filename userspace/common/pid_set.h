/* SPDX-License-Identifier: MIT */
/* A set of process ids, 4 bytes a slot: for a reader that counts processes without keeping them. */
#ifndef KETTLE_PID_SET_H
#define KETTLE_PID_SET_H

#include <stdbool.h>
#include <stdint.h>

struct pid_set {
	uint32_t *slots;        /* pid + 1, 0: empty */
	uint32_t mask, count;
	bool has_max;           /* UINT32_MAX, which has no pid + 1 */
};

/* Adds PID; *ADDED says whether it was new.  0, or -ENOMEM (the set is unchanged). */
int pid_set_add(struct pid_set *s, uint32_t pid, bool *added);
void pid_set_free(struct pid_set *s);

#endif
