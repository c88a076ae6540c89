// SPDX-License-Identifier: MIT
/* A lineage walk's edges kept while the log streams (lineage_store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/grow.h"
#include "forensics/lineage_store.h"

#define INPUT_EXECUTED 0x80000000u     /* file ids stay below 2^31 (replay.c) */
#define SPILL_BUFFER (1u << 20)         /* bytes written to the temporary file at once */
#define LIVE_KEEP 65536                 /* a freed live list keeps its memory up to this many inputs */

/* One process's inputs as written to the temporary file: a process past a recorded exit has more than one. */
struct run {
	uint64_t off;           /* in bytes */
	uint32_t n;             /* inputs (4 bytes each) */
	uint32_t next;          /* the process's next run + 1, 0: none */
};

struct proc_runs {
	uint32_t head, tail;    /* run + 1, 0: none */
	uint32_t live;          /* live list + 1, 0: none */
};

/* The inputs of a running process, in log order, repeats included until it exits. */
struct live {
	uint32_t *v;
	uint32_t n;
	size_t cap;
	uint32_t next_free;     /* live list + 1 */
};

struct writer {
	uint32_t file, proc, seq;
};

struct lineage_store {
	int fd;
	uint8_t *buf;           /* SPILL_BUFFER bytes not yet written */
	uint32_t nbuf;
	uint64_t off;           /* bytes written or buffered */
	struct run *runs;
	uint32_t nruns;
	size_t cap_runs;
	struct proc_runs *procs;
	size_t nprocs;
	struct live *lives;
	uint32_t nlives, free_live;     /* free_live: live list + 1 */
	size_t cap_lives;
	uint32_t *stamp;        /* per file: the mark of the run that listed it */
	size_t nstamp;
	uint32_t mark;
	struct writer *writers;
	uint32_t nwriters;
	size_t cap_writers;
};

struct lineage_store *lineage_store_new(void)
{
	const char *dir = getenv("TMPDIR");
	struct lineage_store *s = calloc(1, sizeof(*s));
	char path[4096];

	if (!s)
		return NULL;
	if (!dir || !*dir)
		dir = "/tmp";
	s->buf = malloc(SPILL_BUFFER);
	if (!s->buf) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	if (snprintf(path, sizeof(path), "%s/kettle-why.XXXXXX", dir) >= (int)sizeof(path)) {
		free(s->buf);
		free(s);
		errno = ENAMETOOLONG;
		return NULL;
	}
	s->fd = mkstemp(path);
	if (s->fd < 0) {
		int e = errno;

		free(s->buf);
		free(s);
		errno = e;
		return NULL;
	}
	unlink(path);
	return s;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int spill_flush(struct lineage_store *s)
{
	if (s->nbuf && write_all(s->fd, s->buf, s->nbuf))
		return -1;
	s->nbuf = 0;
	return 0;
}

static int spill_put(struct lineage_store *s, uint32_t word)
{
	if (s->nbuf + sizeof(word) > SPILL_BUFFER && spill_flush(s))
		return -1;
	memcpy(s->buf + s->nbuf, &word, sizeof(word));
	s->nbuf += sizeof(word);
	s->off += sizeof(word);
	return 0;
}

static int procs_room(struct lineage_store *s, uint32_t proc)
{
	size_t old = s->nprocs;

	if (proc < old)
		return 0;
	if (grow_array((void **)&s->procs, &s->nprocs, (size_t)proc + 1, sizeof(*s->procs), 1024))
		return -1;
	memset(s->procs + old, 0, (s->nprocs - old) * sizeof(*s->procs));
	return 0;
}

static int stamp_room(struct lineage_store *s, uint32_t file)
{
	size_t old = s->nstamp;

	if (file < old)
		return 0;
	if (grow_array((void **)&s->stamp, &s->nstamp, (size_t)file + 1, sizeof(*s->stamp), 4096))
		return -1;
	memset(s->stamp + old, 0, (s->nstamp - old) * sizeof(*s->stamp));
	return 0;
}

static struct live *live_of(struct lineage_store *s, uint32_t proc)
{
	uint32_t id = s->procs[proc].live;

	if (id)
		return &s->lives[id - 1];
	if (s->free_live) {
		id = s->free_live;
		s->free_live = s->lives[id - 1].next_free;
	} else {
		if (s->nlives == UINT32_MAX - 1 ||
		    grow_array((void **)&s->lives, &s->cap_lives, (size_t)s->nlives + 1, sizeof(*s->lives), 64))
			return NULL;
		s->lives[s->nlives] = (struct live){ 0 };
		id = ++s->nlives;
	}
	s->lives[id - 1].n = 0;
	s->procs[proc].live = id;
	return &s->lives[id - 1];
}

/* Writes a process's inputs so far as a run, first access of each file only, and frees its list. */
static int flush_proc(struct lineage_store *s, uint32_t proc)
{
	uint32_t id = proc < s->nprocs ? s->procs[proc].live : 0;
	struct live *l;
	struct run *r;
	uint32_t m, n = 0;
	uint64_t off = s->off;

	if (!id)
		return 0;
	l = &s->lives[id - 1];
	m = ++s->mark;
	if (!m) {       /* the counter wrapped: old marks could collide */
		memset(s->stamp, 0, s->nstamp * sizeof(*s->stamp));
		m = ++s->mark;
	}
	for (uint32_t i = 0; i < l->n; i++) {
		uint32_t file = l->v[i] & ~INPUT_EXECUTED;

		if (s->stamp[file] == m)
			continue;
		s->stamp[file] = m;
		if (spill_put(s, l->v[i]))
			return -1;
		n++;
	}
	if (s->nruns == UINT32_MAX - 1 ||
	    grow_array((void **)&s->runs, &s->cap_runs, (size_t)s->nruns + 1, sizeof(*s->runs), 1024))
		return -1;
	r = &s->runs[s->nruns++];
	*r = (struct run){ .off = off, .n = n };
	if (s->procs[proc].tail)
		s->runs[s->procs[proc].tail - 1].next = s->nruns;
	else
		s->procs[proc].head = s->nruns;
	s->procs[proc].tail = s->nruns;
	/* ld's list of every object is not kept for the next process */
	if (l->cap > LIVE_KEEP) {
		free(l->v);
		l->v = NULL;
		l->cap = 0;
	}
	l->n = 0;
	l->next_free = s->free_live;
	s->free_live = id;
	s->procs[proc].live = 0;
	return 0;
}

static int on_access(void *arg, uint32_t proc, uint32_t file, uint8_t kind)
{
	struct lineage_store *s = arg;

	if (procs_room(s, proc) || stamp_room(s, file))
		return -1;
	if (replay_access_writes(kind)) {
		const struct writer *last = s->nwriters ? &s->writers[s->nwriters - 1] : NULL;

		if (last && last->file == file && last->proc == proc)
			return 0;
		if (s->nwriters == UINT32_MAX - 1 ||
		    grow_array((void **)&s->writers, &s->cap_writers, (size_t)s->nwriters + 1,
			       sizeof(*s->writers), 1024))
			return -1;
		s->writers[s->nwriters] = (struct writer){ file, proc, s->nwriters };
		s->nwriters++;
		return 0;
	}
	if (replay_access_reads(kind)) {
		struct live *l = live_of(s, proc);

		if (!l || l->n == UINT32_MAX ||
		    grow_array((void **)&l->v, &l->cap, (size_t)l->n + 1, sizeof(*l->v), 64))
			return -1;
		l->v[l->n++] = file | (kind == RA_EXEC ? INPUT_EXECUTED : 0);
	}
	return 0;
}

static int on_exited(void *arg, uint32_t proc)
{
	return flush_proc(arg, proc);
}

struct replay_access_hook lineage_store_hook(struct lineage_store *s)
{
	return (struct replay_access_hook){ .access = on_access, .exited = on_exited, .arg = s };
}

static int by_file_then_order(const void *a, const void *b)
{
	const struct writer *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int lineage_store_finish(struct lineage_store *s)
{
	for (size_t p = 0; p < s->nprocs; p++)
		if (flush_proc(s, (uint32_t)p))
			return -1;
	for (uint32_t i = 0; i < s->nlives; i++) {
		free(s->lives[i].v);
		s->lives[i].v = NULL;
		s->lives[i].cap = 0;
	}
	free(s->stamp);
	s->stamp = NULL;
	s->nstamp = 0;
	if (spill_flush(s))
		return -1;
	if (s->nwriters > 1)
		qsort(s->writers, s->nwriters, sizeof(*s->writers), by_file_then_order);
	return 0;
}

int lineage_store_writers(const struct lineage_store *s, uint32_t file,
			  int (*fn)(uint32_t proc, void *arg), void *arg)
{
	uint32_t lo = 0, hi = s->nwriters;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->writers[mid].file < file)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nwriters && s->writers[lo].file == file; lo++) {
		int rc = fn(s->writers[lo].proc, arg);

		if (rc)
			return rc;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int lineage_store_inputs(const struct lineage_store *s, uint32_t proc,
			 int (*fn)(uint32_t file, bool executed, void *arg), void *arg)
{
	uint32_t run = proc < s->nprocs ? s->procs[proc].head : 0;
	int rc = 0;

	for (; !rc && run; run = s->runs[run - 1].next) {
		const struct run *r = &s->runs[run - 1];
		uint32_t *v = malloc(((size_t)r->n + 1) * sizeof(*v));

		if (!v || read_all(s->fd, (uint8_t *)v, (size_t)r->n * sizeof(*v), r->off)) {
			free(v);
			return -1;
		}
		for (uint32_t i = 0; !rc && i < r->n; i++)
			rc = fn(v[i] & ~INPUT_EXECUTED, (v[i] & INPUT_EXECUTED) != 0, arg);
		free(v);
	}
	return rc;
}

void lineage_store_free(struct lineage_store *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nlives; i++)
		free(s->lives[i].v);
	free(s->lives);
	free(s->buf);
	free(s->runs);
	free(s->procs);
	free(s->stamp);
	free(s->writers);
	close(s->fd);
	free(s);
}
