// SPDX-License-Identifier: MIT
/* libFuzzer target: the evidence bundle reader must reject or accept any bytes without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle b;
	char err[256];

	if (bundle_decode(data, size, &b, err, sizeof(err)) == 0) {
		uint8_t *again;
		size_t len;

		/* What was accepted must encode again (the reader checked everything the writer needs). */
		if (bundle_encode(&b, &again, &len, err, sizeof(err)))
			__builtin_trap();
		free(again);
		bundle_free(&b);
	} else if (!err[0]) {
		__builtin_trap();
	}
	return 0;
}
