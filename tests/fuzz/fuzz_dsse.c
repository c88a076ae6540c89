// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the DSSE envelope and Sigstore bundle readers must reject
 * or accept any bytes without crashing; what they accept verifies (or not)
 * against a fixed key without crashing, and its payload re-encodes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/session_key.h"
#include "common/base64.h"
#include "provenance/dsse.h"
#include "provenance/sigstore_bundle.h"

static EVP_PKEY *key;

static void check(const struct dsse_envelope *e)
{
	char err[256];
	char *b64 = base64_encode(e->payload, e->payload_len);
	uint8_t *back;
	size_t n;

	/* base64 must round-trip what the reader decoded */
	if (!b64 || base64_decode(b64, strlen(b64), DSSE_PAYLOAD_MAX, &back, &n, err, sizeof(err)) ||
	    n != e->payload_len || (n && memcmp(back, e->payload, n)))
		__builtin_trap();
	free(back);
	free(b64);
	(void)dsse_verify(e, key, NULL, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], hint[SIGSTORE_HINT_MAX + 1];
	struct dsse_envelope e;

	if (!key && !(key = session_key_new(err, sizeof(err))))
		__builtin_trap();
	if (dsse_decode(data, size, &e, err, sizeof(err)) == 0) {
		check(&e);
		dsse_envelope_free(&e);
	} else if (!err[0]) {
		__builtin_trap();
	}
	if (sigstore_bundle_decode(data, size, &e, hint, err, sizeof(err)) == 0) {
		check(&e);
		dsse_envelope_free(&e);
	} else if (!err[0]) {
		__builtin_trap();
	}
	return 0;
}
