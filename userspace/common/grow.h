/* SPDX-License-Identifier: MIT */
/* The one growth rule for the arrays every stage appends to: capacity doubles. */
#ifndef KETTLE_GROW_H
#define KETTLE_GROW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Makes room for NEED elements of ELEM_SIZE bytes in the malloc'd array *P
 * of *CAP elements.  When NEED is over *CAP, the capacity starts at FIRST
 * (when *CAP is 0) or doubles, as often as NEED takes, and *P is reallocated.
 * Returns 0, or -ENOMEM when memory runs out or the size would not fit in
 * size_t; *P and *CAP are then unchanged, so the caller still owns and
 * frees the old array.  Limits of the caller's own (32-bit ids, a maximum
 * count) stay with the caller.
 */
int grow_array(void **p, size_t *cap, size_t need, size_t elem_size, size_t first);

/*
 * A memo keyed by a dense number from 1 (an open's site1, log/log_event.h):
 * per number a 32-bit value + 1, 0 while unknown.  It grows, zero-filled, to
 * the largest number asked; free(m->v) ends it.
 */
struct id_memo {
	uint32_t *v;
	size_t cap;
};

/* ID's slot (ID from 1), valid until the next call; NULL when out of memory. */
uint32_t *id_memo_slot(struct id_memo *m, size_t id);

#endif
