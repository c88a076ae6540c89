// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: provenance from arbitrary log bytes.  The log reader
 * is fuzzed on its own (fuzz_log_reader); this one goes on with whatever it
 * accepts: the per-path facts, subjects, dependencies, the network summary,
 * the Merkle root and the canonical serialization must never crash, and a
 * statement that is built must serialize.  Seeds: logs from
 * tests/provenance/test_provenance or kettle run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_reader.h"
#include "provenance/jcs.h"
#include "provenance/provenance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const subj[] = { "*.o" };
	struct provenance_options o = { 0 };
	struct provenance_facts x;
	struct log_file f;
	uint8_t digest[32] = { 0 };
	char err[512];
	size_t len;

	if (log_read_buffer(data, size, &f, err, sizeof(err)))
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		json_t *st;
		char *bytes;

		o.subjects = subj;
		o.nsubjects = pass;     /* default subjects, then a glob */
		st = provenance_statement(&f, digest, &o, &x, err, sizeof(err));
		if (!st && strstr(err, "cannot serialize"))
			abort();        /* the builder made something JCS refuses */
		if (!st)
			continue;
		bytes = jcs_dump(st, &len, err, sizeof(err));
		if (!bytes)
			abort();        /* the builder made something JCS refuses */
		free(bytes);
		json_decref(st);
	}
	log_file_free(&f);
	return 0;
}
