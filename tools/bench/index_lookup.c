// SPDX-License-Identifier: MIT
/*
 * Digest lookups timed inside one process (tools/bench/index): the store is
 * opened once, then K searches for the source of a random shared unit of
 * forensics_synth's builds, each timed from the call to its JSON answer.
 *
 *   index_lookup DB K UNITS   prints "p50_ms p99_ms matches_per_lookup"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "forensics/index_search.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* forensics_synth's source digest of unit U: (U, 5) as little-endian words, four times */
static void source_digest(uint32_t u, char out[65])
{
	uint8_t b[8] = { u & 255, u >> 8 & 255, u >> 16 & 255, u >> 24 & 255, 5, 0, 0, 0 };

	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i % 8]);
}

int main(int argc, char **argv)
{
	long k = argc == 4 ? strtol(argv[2], NULL, 10) : 0, units = argc == 4 ? strtol(argv[3], NULL, 10) : 0;
	struct index_db *db;
	uint64_t *ns;
	size_t matches = 0;
	char err[512];

	if (k < 1 || k > 1000000 || units < 2) {
		fprintf(stderr, "usage: index_lookup DB K UNITS\n");
		return 2;
	}
	db = index_open(argv[1], err, sizeof(err));
	ns = calloc((size_t)k, sizeof(*ns));
	if (!db || !ns) {
		fprintf(stderr, "index_lookup: %s\n", db ? "out of memory" : err);
		return 1;
	}
	srand(7);
	for (long i = 0; i < k; i++) {
		struct index_search q = { .port = -1 };
		uint32_t u;
		uint64_t t0;
		json_t *out;

		do
			u = (uint32_t)(rand() % units);
		while (u % 10 == 0);
		source_digest(u, q.digest);
		t0 = clock_ns(CLOCK_MONOTONIC);
		out = index_search_run(db, &q, err, sizeof(err));
		ns[i] = clock_ns(CLOCK_MONOTONIC) - t0;
		if (!out) {
			fprintf(stderr, "index_lookup: %s\n", err);
			return 1;
		}
		matches = json_array_size(json_object_get(out, "matches"));
		json_decref(out);
	}
	qsort(ns, (size_t)k, sizeof(*ns), cmp_u64);
	printf("%.2f %.2f %zu\n", (double)ns[(k - 1) / 2] / 1e6, (double)ns[(size_t)((double)(k - 1) * 0.99)] / 1e6,
	       matches);
	index_close(db);
	free(ns);
	return 0;
}
