// SPDX-License-Identifier: MIT
/* Which program each process of a log runs at a point of the log. */
#include <errno.h>
#include <stdlib.h>

#include "common/grow.h"
#include "log/proc_exe.h"

static uint64_t pid_hash(uint32_t pid)
{
	return hash_bytes(&pid, sizeof(pid));
}

static size_t find(const struct proc_exe_map *m, uint32_t pid)
{
	const struct index_table *x = &m->index;
	uint64_t h = pid_hash(pid);

	if (!x->slots)
		return SIZE_MAX;
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i))
		if (index_table_same_hash(x, i, h) && m->v[x->slots[i].id1 - 1].pid == pid)
			return x->slots[i].id1 - 1;
	return SIZE_MAX;
}

static int set(struct proc_exe_map *m, uint32_t pid, const char *exe)
{
	size_t i = find(m, pid);

	if (i != SIZE_MAX) {
		m->v[i].exe = exe;
		return 0;
	}
	if (!m->index.slots && index_table_init(&m->index, 1024))
		return -ENOMEM;
	if (m->n >= UINT32_MAX - 1 || grow_array((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v), 256))
		return -ENOMEM;
	if (index_table_insert(&m->index, pid_hash(pid), (uint32_t)m->n))
		return -ENOMEM;
	m->v[m->n].pid = pid;
	m->v[m->n++].exe = exe;
	return 0;
}

int proc_exe_event(struct proc_exe_map *m, const struct log_event *ev)
{
	switch (ev->type) {
	case LOG_EV_FORK:
		return set(m, ev->fork.child_tgid, proc_exe_get(m, ev->tgid));
	case LOG_EV_EXEC:
		return set(m, ev->tgid, ev->exec.exe);
	case LOG_EV_PROC_SNAPSHOT:
		return set(m, ev->tgid, ev->proc_snapshot.exe);
	default:
		return 0;
	}
}

const char *proc_exe_get(const struct proc_exe_map *m, uint32_t pid)
{
	size_t i = find(m, pid);

	return i == SIZE_MAX ? NULL : m->v[i].exe;
}

void proc_exe_free(struct proc_exe_map *m)
{
	free(m->v);
	index_table_free(&m->index);
	m->v = NULL;
	m->n = m->cap = 0;
}
