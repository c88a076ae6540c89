// SPDX-License-Identifier: MIT
/* Growth by doubling, overflow-checked. */
#include "common/grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow_array(void **p, size_t *cap, size_t need, size_t elem_size, size_t first)
{
	size_t n = *cap ? *cap : first ? first : 1;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (elem_size && n > SIZE_MAX / elem_size)
		return -ENOMEM;
	q = realloc(*p, n * elem_size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

uint32_t *id_memo_slot(struct id_memo *m, size_t id)
{
	size_t had = m->cap;

	if (!id)
		return NULL;
	if (id > had) {
		if (grow_array((void **)&m->v, &m->cap, id, sizeof(*m->v), 4096))
			return NULL;
		memset(m->v + had, 0, (m->cap - had) * sizeof(*m->v));
	}
	return &m->v[id - 1];
}
