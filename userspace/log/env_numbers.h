/* SPDX-License-Identifier: MIT */
/*
 * Numbers the distinct environments of a log in the order a caller meets
 * them, so that a listing (log show, the report) writes each one once and
 * refers to it by number after.  The reader makes equal environments one
 * object, so they are told apart by pointer.
 */
#ifndef KETTLE_ENV_NUMBERS_H
#define KETTLE_ENV_NUMBERS_H

#include <stdbool.h>

#include "common/index_table.h"
#include "log/log_event.h"

struct env_numbers {
	struct index_table seen;        /* hash of the pointer -> number */
	const struct log_env **envs;    /* by number */
	uint32_t n;
	size_t cap;
};

/* The number of ENV; *FIRST when it was not met before. -1 when out of memory. */
long env_number(struct env_numbers *t, const struct log_env *env, bool *first);
void env_numbers_free(struct env_numbers *t);

#endif
