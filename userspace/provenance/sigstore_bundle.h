/* SPDX-License-Identifier: MIT */
/*
 * Sigstore bundle v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json)
 * holding a DSSE envelope signed by a public key: verificationMaterial is
 * {publicKey: {hint}, tlogEntries: []} (no transparency log, no
 * certificate), the key itself travels in the evidence bundle.
 */
#ifndef KETTLE_PROVENANCE_SIGSTORE_BUNDLE_H
#define KETTLE_PROVENANCE_SIGSTORE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "provenance/dsse.h"

#define SIGSTORE_BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define SIGSTORE_HINT_MAX 256

/* The bundle around ENVELOPE (a reference is taken) naming the key by HINT; NULL when out of memory. */
json_t *sigstore_bundle_make(json_t *envelope, const char *hint);

/*
 * Parses a bundle file: the media type must be v0.3, the verification
 * material a public-key hint, the content a DSSE envelope.  Fills E and
 * HINT (SIGSTORE_HINT_MAX + 1 bytes); 0, or -1 with a one-line ERR.
 */
int sigstore_bundle_decode(const uint8_t *buf, size_t len, struct dsse_envelope *e, char *hint, char *err,
			   size_t errlen);

#endif
