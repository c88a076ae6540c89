// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the replay model and everything that walks it (lineage,
 * build diff, path resolution, the runtime-trace and CycloneDX exports) on
 * whatever the log reader accepts; and the lineage of why's streamed model
 * (lineage_store.h) must be the kept model's, item for item.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/build_diff.h"
#include "forensics/export_cyclonedx.h"
#include "forensics/export_runtime_trace.h"
#include "forensics/lineage.h"
#include "forensics/lineage_store.h"
#include "forensics/replay.h"
#include "log/log_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct kept {
	struct lineage_item *v;
	uint32_t n, cap;
};

static int keep(void *arg, const struct lineage_item *it)
{
	struct kept *k = arg;

	if (k->n < k->cap)
		k->v[k->n] = *it;
	k->n++;         /* counted past the room: a longer walk is a difference too */
	return 0;
}

/* The streamed model's walk of each of the first files against the kept model's (R). */
static void streamed_is_kept(const struct log_file *f, const struct replay *r)
{
	struct lineage_store *st = lineage_store_new();
	struct replay_access_hook hook;
	struct replay_stream *s;
	struct log_event_sink sink;
	struct replay lean;
	char err[256];

	if (!st)
		return;
	hook = lineage_store_hook(st);
	s = replay_stream_new_hooked(&lean, f, &hook);
	sink = replay_stream_sink(s);
	for (size_t i = 0; s && i < f->nevents; i++) {
		if (sink.fn(sink.arg, &f->events[i], err, sizeof(err))) {
			replay_stream_abort(s);
			lineage_store_free(st);
			return;
		}
	}
	if (replay_stream_finish(s, err, sizeof(err))) {
		lineage_store_free(st);
		return;
	}
	if (lineage_store_finish(st))
		goto out;
	for (uint32_t i = 0; i < r->nfiles && i < 8; i++) {
		struct lineage a, b;
		struct kept k = { 0 };
		int rc;

		if (lineage_walk(r, i, 16, &a))
			continue;
		k.cap = a.n;
		k.v = malloc(((size_t)a.n + 1) * sizeof(*k.v));
		rc = k.v ? lineage_walk_each(&lean, st, i, 16, keep, &k, &b) : -2;
		if (!rc && (k.n != a.n || memcmp(k.v, a.items, (size_t)a.n * sizeof(*a.items)) ||
			    b.nsources != a.nsources || b.nwriters != a.nwriters))
			__builtin_trap();
		free(k.v);
		lineage_free(&a);
	}
out:
	replay_free(&lean);
	lineage_store_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_file f;
	struct replay r;
	struct lineage l;
	struct build_diff d;
	char err[256];

	if (log_read_buffer(data, size, &f, err, sizeof(err)))
		return 0;
	if (!replay_build(&r, &f, err, sizeof(err))) {
		for (uint32_t i = 0; i < r.nfiles && i < 8; i++) {
			if (!lineage_walk(&r, i, 16, &l))
				lineage_free(&l);
			(void)replay_file_resolve(&r, r.files[i].path, err, sizeof(err));
		}
		streamed_is_kept(&f, &r);
		for (uint32_t p = 0; p < r.nprocs && p < 64; p++)
			(void)build_diff_step(&r, p);
		if (!build_diff_run(&d, &r, &r))
			build_diff_free(&d);
		json_decref(export_runtime_trace(&r));
		json_decref(export_cyclonedx(&r));
		replay_free(&r);
	}
	log_file_free(&f);
	return 0;
}
