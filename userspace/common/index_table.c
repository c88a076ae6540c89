// SPDX-License-Identifier: MIT
/* An open-addressing hash index over the caller's own array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/index_table.h"

int index_table_init(struct index_table *t, uint32_t cap)
{
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->mask = cap - 1;
	t->count = 0;
	return 0;
}

int index_table_ready(struct index_table *t, uint32_t cap)
{
	return t->slots ? 0 : index_table_init(t, cap);
}

static void index_table_place(struct index_table *t, uint64_t hash, uint32_t id)
{
	uint32_t i = index_table_probe(t, hash);

	while (t->slots[i].id1)
		i = index_table_next(t, i);
	t->slots[i].hash = (uint32_t)hash;
	t->slots[i].id1 = id + 1;
}

/* Keeps the load under one half so that probes stay short. */
int index_table_insert(struct index_table *t, uint64_t hash, uint32_t id)
{
	if ((t->count + 1) * 2 > t->mask + 1) {
		struct index_table bigger;
		int r = index_table_init(&bigger, (t->mask + 1) * 2);

		if (r)
			return r;
		for (uint32_t i = 0; i <= t->mask; i++)
			if (t->slots[i].id1)
				index_table_place(&bigger, t->slots[i].hash, t->slots[i].id1 - 1);
		bigger.count = t->count;
		free(t->slots);
		*t = bigger;
	}
	index_table_place(t, hash, id);
	t->count++;
	return 0;
}

void index_table_free(struct index_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->mask = t->count = 0;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;

	for (; n >= 8; s += 8, n -= 8) {
		uint64_t v;

		memcpy(&v, s, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	for (; n; s++, n--)
		h = (h ^ *s) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}
