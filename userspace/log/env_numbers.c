// SPDX-License-Identifier: MIT
/* Numbering the distinct environments of a log, so each is listed once. */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "log/env_numbers.h"

long env_number(struct env_numbers *t, const struct log_env *env, bool *first)
{
	uint64_t h = hash_bytes(&env, sizeof(env));

	*first = false;
	if (!t->seen.slots && index_table_init(&t->seen, 256))
		return -1;
	for (uint32_t i = index_table_probe(&t->seen, h); t->seen.slots[i].id1; i = index_table_next(&t->seen, i))
		if (t->envs[t->seen.slots[i].id1 - 1] == env)
			return t->seen.slots[i].id1 - 1;
	if (grow_array((void **)&t->envs, &t->cap, (size_t)t->n + 1, sizeof(*t->envs), 64))
		return -1;
	if (index_table_insert(&t->seen, h, t->n))
		return -1;
	t->envs[t->n] = env;
	*first = true;
	return t->n++;
}

void env_numbers_free(struct env_numbers *t)
{
	index_table_free(&t->seen);
	free(t->envs);
	memset(t, 0, sizeof(*t));
}
