// SPDX-License-Identifier: MIT
/* Open addressing with linear probing, kept at most half full. */
#include <errno.h>
#include <stdlib.h>

#include "common/pid_set.h"

#define PID_SET_FIRST 1024u

static uint32_t slot_of(uint32_t key, uint32_t mask)
{
	return (uint32_t)(((uint64_t)key * 0x9e3779b97f4a7c15ull) >> 32) & mask;
}

static void place(uint32_t *slots, uint32_t mask, uint32_t key)
{
	uint32_t i = slot_of(key, mask);

	while (slots[i])
		i = (i + 1) & mask;
	slots[i] = key;
}

static int grow(struct pid_set *s)
{
	uint32_t size = s->slots ? (s->mask + 1) * 2 : PID_SET_FIRST;
	uint32_t *bigger;

	if (!size)
		return -ENOMEM;         /* 2^32 slots: past what 32-bit pids need */
	bigger = calloc(size, sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	for (uint32_t i = 0; s->slots && i <= s->mask; i++)
		if (s->slots[i])
			place(bigger, size - 1, s->slots[i]);
	free(s->slots);
	s->slots = bigger;
	s->mask = size - 1;
	return 0;
}

int pid_set_add(struct pid_set *s, uint32_t pid, bool *added)
{
	uint32_t key = pid + 1, i;

	*added = false;
	if (pid == UINT32_MAX) {
		*added = !s->has_max;
		s->has_max = true;
		return 0;
	}
	if ((!s->slots || (s->count + 1) * 2 > s->mask + 1) && grow(s))
		return -ENOMEM;
	for (i = slot_of(key, s->mask); s->slots[i]; i = (i + 1) & s->mask)
		if (s->slots[i] == key)
			return 0;
	s->slots[i] = key;
	s->count++;
	*added = true;
	return 0;
}

void pid_set_free(struct pid_set *s)
{
	free(s->slots);
	s->slots = NULL;
	s->mask = s->count = 0;
	s->has_max = false;
}
