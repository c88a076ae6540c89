// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the canonical JSON writer on whatever jansson parses from
 * arbitrary bytes (NULs in strings allowed).  When it accepts a value, its
 * output must parse back and canonicalize to the same bytes (idempotence),
 * and a refusal must come with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "provenance/jcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL), *again;
	char err[256] = "";
	size_t len, len2;
	char *out, *out2;

	if (!v)
		return 0;
	out = jcs_dump(v, &len, err, sizeof(err));
	json_decref(v);
	if (!out) {
		if (!err[0])
			abort();
		return 0;
	}
	again = json_loadb(out, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!again)
		abort();
	out2 = jcs_dump(again, &len2, err, sizeof(err));
	if (!out2 || len2 != len || memcmp(out, out2, len))
		abort();
	json_decref(again);
	free(out);
	free(out2);
	return 0;
}
