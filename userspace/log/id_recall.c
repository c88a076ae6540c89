// SPDX-License-Identifier: MIT
/* The log writer's fingerprints of forgotten strings and sites (id_recall.h). */
#include <errno.h>
#include <stdlib.h>

#include "log/id_recall.h"

#define RECALL_FIRST 4096u      /* slots of a new table, at most */
#define RECALL_LEAST 4u         /* slots of a new table, at least, whatever the budget */

static int recall_alloc(struct id_recall *r, uint32_t cap)
{
	r->slots = calloc(cap, sizeof(*r->slots));
	r->mask = r->slots ? cap - 1 : 0;
	r->count = 0;
	return r->slots ? 0 : -ENOMEM;
}

/* The first table: RECALL_FIRST slots, fewer when the budget is smaller (a test's). */
static int recall_first(struct id_recall *r)
{
	uint32_t cap = RECALL_FIRST;

	while (cap > RECALL_LEAST && (size_t)cap * sizeof(*r->slots) > r->max_bytes)
		cap /= 2;
	return recall_alloc(r, cap);
}

int id_recall_init(struct id_recall *r, size_t max_bytes)
{
	int e;

	r->max_bytes = max_bytes;
	for (int k = 0; k < RECALL_KINDS; k++) {
		e = siphash_key_random(&r->key[k]);
		if (e)
			return e;
	}
	return recall_first(r);
}

void id_recall_free(struct id_recall *r)
{
	free(r->slots);
	r->slots = NULL;
	r->mask = r->count = 0;
}

void id_recall_clear(struct id_recall *r)
{
	/* back to the first size, so that the memory a long build needed goes back too */
	free(r->slots);
	recall_first(r);        /* on failure no slots: every find misses and every add reports it */
}

void id_recall_fingerprint(const struct id_recall *r, enum recall_kind kind, const void *p, size_t n,
			   struct recall_fp *fp)
{
	siphash128(&r->key[kind], p, n, fp->h);
}

static uint32_t home(const struct id_recall *r, const struct recall_fp *fp)
{
	return (uint32_t)fp->h[0] & r->mask;
}

static int same(const struct recall_slot *s, const struct recall_fp *fp)
{
	return s->check == fp->h[0] && s->check_hi == (uint32_t)(fp->h[1] >> 32);
}

uint32_t id_recall_find(const struct id_recall *r, const struct recall_fp *fp)
{
	if (!r->slots)
		return UINT32_MAX;
	for (uint32_t i = home(r, fp); r->slots[i].id1; i = (i + 1) & r->mask)
		if (same(&r->slots[i], fp))
			return r->slots[i].id1 - 1;
	return UINT32_MAX;
}

static void place(struct id_recall *r, const struct recall_slot *s, uint32_t at)
{
	uint32_t i = at & r->mask;

	while (r->slots[i].id1)
		i = (i + 1) & r->mask;
	r->slots[i] = *s;
}

/* Twice the slots, each entry placed again by the low bits of its check, as home() places it. */
static int grow(struct id_recall *r)
{
	struct id_recall bigger = *r;
	uint32_t cap = r->mask + 1;
	int e;

	if ((size_t)cap * 2 * sizeof(*r->slots) > r->max_bytes)
		return -ENOSPC;
	e = recall_alloc(&bigger, cap * 2);
	if (e)
		return e;
	for (uint32_t i = 0; i < cap; i++)
		if (r->slots[i].id1)
			place(&bigger, &r->slots[i], (uint32_t)r->slots[i].check);
	bigger.count = r->count;
	free(r->slots);
	*r = bigger;
	return 0;
}

int id_recall_add(struct id_recall *r, const struct recall_fp *fp, uint32_t id)
{
	struct recall_slot s = { fp->h[0], (uint32_t)(fp->h[1] >> 32), id + 1 };
	int e;

	if (!r->slots)
		return -ENOMEM;
	/* load at most three quarters: 96 bits are compared, so longer probes cost time, not certainty */
	if ((size_t)(r->count + 1) * 4 > (size_t)(r->mask + 1) * 3) {
		e = grow(r);
		if (e)
			return e;
	}
	place(r, &s, home(r, fp));
	r->count++;
	return 0;
}

size_t id_recall_bytes(const struct id_recall *r)
{
	return r->slots ? (size_t)(r->mask + 1) * sizeof(*r->slots) : 0;
}
