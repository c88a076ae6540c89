// SPDX-License-Identifier: MIT
/* The lineage tree of one file (lineage.h): a depth-first walk, each file and process expanded once. */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "forensics/lineage.h"
#include "forensics/lineage_store.h"

int lineage_proc_inputs(const struct replay *r, uint32_t proc, uint32_t skip, uint32_t *stamp,
			uint32_t *mark, int (*fn)(uint32_t file, bool executed, void *arg), void *arg)
{
	const struct replay_proc *p = &r->procs[proc];
	uint32_t m = ++*mark;

	if (!m) {       /* the counter wrapped: old stamps could collide */
		memset(stamp, 0, (size_t)r->nfiles * sizeof(*stamp));
		m = ++*mark;
	}
	for (uint32_t i = 0; i < p->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_proc[p->access_first + i]];
		int rc;

		if (!replay_access_reads(a->kind) || a->file == skip || stamp[a->file] == m)
			continue;
		stamp[a->file] = m;
		rc = fn(a->file, a->kind == RA_EXEC, arg);
		if (rc)
			return rc;
	}
	return 0;
}

struct walker {
	const struct replay *r;
	const struct lineage_store *store;      /* NULL: r's accesses */
	int (*emit)(void *arg, const struct lineage_item *it);
	void *emit_arg;
	struct lineage *l;
	uint32_t max_depth;
	uint8_t *file_done, *proc_done, *counted;
	uint32_t *stamp, mark;
	uint32_t *listed_for;   /* per process: file + 1 it was last listed as a writer of */
	uint8_t *ep_counted;
};

struct input {
	uint32_t file;
	bool executed;
};

struct inputs {
	struct input *v;
	uint32_t n;
	size_t cap;
};

static int add_item(struct walker *w, struct lineage_item it)
{
	return w->emit(w->emit_arg, &it);
}

static int keep_item(void *arg, const struct lineage_item *it)
{
	struct lineage *l = arg;

	if (l->n == UINT32_MAX || grow_array((void **)&l->items, &l->cap, (size_t)l->n + 1, sizeof(*l->items), 256))
		return -1;
	l->items[l->n++] = *it;
	return 0;
}

static int collect(uint32_t file, bool executed, void *arg)
{
	struct inputs *in = arg;

	if (in->n == UINT32_MAX || grow_array((void **)&in->v, &in->cap, (size_t)in->n + 1, sizeof(*in->v), 64))
		return -1;
	in->v[in->n++] = (struct input){ file, executed };
	return 0;
}

/* Built inputs first (they expand), then sources, then executables; log order within. */
static int input_rank(const struct replay *r, const struct input *in)
{
	if (in->executed)
		return 2;
	return lineage_built(r, in->file) ? 0 : 1;
}

static void order_inputs(const struct replay *r, struct inputs *in)
{
	/* a stable three-way partition */
	struct input *tmp = malloc(((size_t)in->n + 1) * sizeof(*tmp));
	uint32_t k = 0;

	if (!tmp)
		return;         /* unordered is still correct */
	for (int rank = 0; rank < 3; rank++)
		for (uint32_t i = 0; i < in->n; i++)
			if (input_rank(r, &in->v[i]) == rank)
				tmp[k++] = in->v[i];
	memcpy(in->v, tmp, (size_t)in->n * sizeof(*tmp));
	free(tmp);
}

static int walk_file(struct walker *w, uint32_t file, uint32_t depth, bool executed);

/* The endpoints a writer addressed, once each: what it may have fetched. */
static int walk_nets(struct walker *w, uint32_t proc, uint32_t depth)
{
	const struct replay *r = w->r;
	const struct replay_proc *p = &r->procs[proc];

	for (uint32_t i = 0; i < p->nnet; i++) {
		uint32_t ep = r->nets[r->nets_by_proc[p->net_first + i]].endpoint;
		bool seen = false;
		int rc;

		for (uint32_t k = 0; k < i && !seen; k++)
			seen = r->nets[r->nets_by_proc[p->net_first + k]].endpoint == ep;
		if (seen)
			continue;
		if (!w->ep_counted[ep]) {
			w->ep_counted[ep] = 1;
			w->l->nendpoints++;
		}
		rc = add_item(w, (struct lineage_item){ .kind = LI_NET, .id = ep, .depth = depth });
		if (rc)
			return rc;
	}
	return 0;
}

struct store_inputs {
	struct inputs *in;
	uint32_t skip, *stamp, mark;
};

static int collect_stored(uint32_t file, bool executed, void *arg)
{
	struct store_inputs *si = arg;

	if (file == si->skip || si->stamp[file] == si->mark)
		return 0;
	si->stamp[file] = si->mark;
	return collect(file, executed, si->in);
}

/* The distinct files PROC read or executed but SKIP, first access of each, log order. */
static int proc_inputs(struct walker *w, uint32_t proc, uint32_t skip, struct inputs *in)
{
	struct store_inputs si = { in, skip, w->stamp, 0 };

	if (!w->store)
		return lineage_proc_inputs(w->r, proc, skip, w->stamp, &w->mark, collect, in);
	si.mark = ++w->mark;
	if (!si.mark) {
		memset(w->stamp, 0, (size_t)w->r->nfiles * sizeof(*w->stamp));
		si.mark = ++w->mark;
	}
	return lineage_store_inputs(w->store, proc, collect_stored, &si);
}

static int walk_proc(struct walker *w, uint32_t proc, uint32_t file, uint32_t depth)
{
	struct inputs in = { 0 };
	int rc = 0;

	if (w->proc_done[proc])
		return add_item(w, (struct lineage_item){ .kind = LI_PROC, .id = proc, .depth = depth,
							  .repeat = true });
	w->proc_done[proc] = 1;
	w->l->nwriters++;
	rc = add_item(w, (struct lineage_item){ .kind = LI_PROC, .id = proc, .depth = depth });
	if (!rc)
		rc = proc_inputs(w, proc, file, &in);
	if (rc) {
		free(in.v);
		return rc;
	}
	order_inputs(w->r, &in);
	for (uint32_t i = 0; !rc && i < in.n; i++)
		rc = walk_file(w, in.v[i].file, depth + 1, in.v[i].executed);
	free(in.v);
	return rc ? rc : walk_nets(w, proc, depth + 1);
}

static void count_leaf(struct walker *w, uint32_t file, bool executed)
{
	if (w->counted[file])
		return;
	w->counted[file] = 1;
	if (executed || (w->r->files[file].flags & RF_EXECUTED))
		w->l->nexecutables++;
	else
		w->l->nsources++;
}

struct writer_walk {
	struct walker *w;
	uint32_t file, depth;
};

/* One entry per writer even when it opened the file for writing many times. */
static int walk_writer(uint32_t proc, void *arg)
{
	struct writer_walk *ww = arg;

	if (ww->w->listed_for[proc] == ww->file + 1)
		return 0;
	ww->w->listed_for[proc] = ww->file + 1;
	return walk_proc(ww->w, proc, ww->file, ww->depth);
}

static int walk_file(struct walker *w, uint32_t file, uint32_t depth, bool executed)
{
	const struct replay *r = w->r;
	const struct replay_file *f = &r->files[file];
	struct lineage_item it = { .kind = LI_FILE, .id = file, .depth = depth,
				   .executed = executed };
	int rc;

	if (!lineage_built(r, file)) {
		count_leaf(w, file, executed);
		return add_item(w, it);
	}
	if (w->file_done[file]) {
		it.repeat = true;
		return add_item(w, it);
	}
	if (depth / 2 >= w->max_depth) {
		it.cut = true;
		return add_item(w, it);
	}
	w->file_done[file] = 1;
	if (depth)
		w->l->nintermediate++;
	rc = add_item(w, it);
	if (rc)
		return rc;
	if (w->store) {
		struct writer_walk ww = { w, file, depth + 1 };

		return lineage_store_writers(w->store, file, walk_writer, &ww);
	}
	for (uint32_t i = 0; !rc && i < f->naccess; i++) {
		const struct replay_access *a = &r->accesses[r->by_file[f->access_first + i]];

		if (replay_access_writes(a->kind))
			rc = walk_writer(a->proc, &(struct writer_walk){ w, file, depth + 1 });
	}
	return rc;
}

int lineage_walk(const struct replay *r, uint32_t file, uint32_t max_depth, struct lineage *out)
{
	int rc = lineage_walk_each(r, NULL, file, max_depth, keep_item, out, out);

	if (rc)
		lineage_free(out);
	return rc;
}

int lineage_walk_each(const struct replay *r, const struct lineage_store *store, uint32_t file,
		      uint32_t max_depth, int (*emit)(void *arg, const struct lineage_item *it),
		      void *arg, struct lineage *out)
{
	struct walker w = { .r = r, .store = store, .emit = emit, .emit_arg = arg, .l = out,
			    .max_depth = max_depth };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	w.file_done = calloc((size_t)r->nfiles + 1, 1);
	w.counted = calloc((size_t)r->nfiles + 1, 1);
	w.proc_done = calloc((size_t)r->nprocs + 1, 1);
	w.stamp = calloc((size_t)r->nfiles + 1, sizeof(*w.stamp));
	w.listed_for = calloc((size_t)r->nprocs + 1, sizeof(*w.listed_for));
	w.ep_counted = calloc((size_t)r->nendpoints + 1, 1);
	if (w.file_done && w.counted && w.proc_done && w.stamp && w.listed_for && w.ep_counted)
		rc = walk_file(&w, file, 0, false);
	free(w.file_done);
	free(w.counted);
	free(w.proc_done);
	free(w.stamp);
	free(w.listed_for);
	free(w.ep_counted);
	return rc;
}

void lineage_free(struct lineage *l)
{
	free(l->items);
	memset(l, 0, sizeof(*l));
}
