// SPDX-License-Identifier: MIT
/* The ancestor chain a process row of the fleet index carries (index_chain.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/index_chain.h"

/* The place of process number PROC in PROCS (sorted by number), or -1. */
static long long place_of(const struct index_chain_proc *procs, size_t n, int64_t proc)
{
	size_t lo = 0, hi = n;

	/* the ingest numbers processes 0..n-1, so the guess is right there */
	if (proc >= 0 && (uint64_t)proc < n && procs[proc].proc == proc)
		return proc;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (procs[mid].proc == proc)
			return (long long)mid;
		if (procs[mid].proc < proc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static size_t put_id(char *out, int64_t id)
{
	return id ? (size_t)sprintf(out, "%" PRId64, id) : 0;
}

void index_chain_text(const struct index_chain_proc *procs, size_t n, size_t at, char out[INDEX_CHAIN_TEXT_MAX])
{
	long long p = place_of(procs, n, procs[at].parent);
	size_t o = 0;

	for (int k = 0; p >= 0 && k < INDEX_CHAIN_INLINE; k++) {
		const struct index_chain_proc *a = &procs[p];

		o += (size_t)sprintf(out + o, "%s%" PRId64 ",", k ? ";" : "", a->pid);
		o += put_id(out + o, a->exe_id);
		out[o++] = ',';
		o += put_id(out + o, a->argv_id);
		p = place_of(procs, n, a->parent);
	}
	if (p >= 0)
		o += (size_t)sprintf(out + o, ">%" PRId64, procs[p].proc);
	out[o] = '\0';
}

/* The digits at S (at most 20) into TEXT; past them, or NULL when there are more. */
static const char *take_digits(const char *s, char text[21])
{
	size_t len = strspn(s, "0123456789");

	if (len > 20)
		return NULL;
	memcpy(text, s, len);
	text[len] = '\0';
	return s + len;
}

int index_chain_parse(const char *text, struct index_chain_entry *out, int max, int64_t *next)
{
	const char *s = text;
	char pid[21];
	int n = 0;

	*next = -1;
	while (*s && *s != '>') {
		struct index_chain_entry *e = &out[n];

		if (n == max || (n && *s++ != ';'))
			return -1;
		s = take_digits(s, pid);
		if (!s || !pid[0] || *s++ != ',')
			return -1;
		s = take_digits(s, e->exe_id);
		if (!s || *s++ != ',')
			return -1;
		s = take_digits(s, e->argv_id);
		if (!s)
			return -1;
		e->pid = strtoll(pid, NULL, 10);
		n++;
	}
	if (*s == '>') {
		s = take_digits(s + 1, pid);
		if (!s || !pid[0] || *s)
			return -1;
		*next = strtoll(pid, NULL, 10);
	}
	return n;
}
