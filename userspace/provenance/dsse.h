/* SPDX-License-Identifier: MIT */
/*
 * DSSE (Dead Simple Signing Envelope, v1.0.x) for in-toto statements:
 * the pre-authentication encoding (PAE), signing with the session key
 * (ECDSA P-256, SHA-256, DER signatures, base64 in the JSON as the DSSE
 * protocol and in-toto's tools expect), the envelope's JSON both ways, and
 * verification with a public key.  Reading treats every byte as untrusted.
 */
#ifndef KETTLE_PROVENANCE_DSSE_H
#define KETTLE_PROVENANCE_DSSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#define DSSE_PAYLOAD_TYPE_INTOTO "application/vnd.in-toto+json"
#define DSSE_FILE_MAX        (72u << 20)   /* a 48 MiB statement is 64 MiB of base64 */
#define DSSE_PAYLOAD_MAX     (48u << 20)   /* the evidence bundle's statement limit */
#define DSSE_TYPE_MAX        128
#define DSSE_SIGS_MAX        16
#define DSSE_SIG_MAX         256           /* a P-256 DER signature is at most 72 bytes */
#define DSSE_KEYID_MAX       256

struct dsse_signature {
	char keyid[DSSE_KEYID_MAX + 1];         /* "" when the envelope gives none */
	uint8_t sig[DSSE_SIG_MAX];
	size_t sig_len;
};

struct dsse_envelope {
	char payload_type[DSSE_TYPE_MAX + 1];
	uint8_t *payload;
	size_t payload_len;
	struct dsse_signature sigs[DSSE_SIGS_MAX];
	size_t nsigs;
};

/* PAE(type, payload) = "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload, malloc'd; 0 or -1. */
int dsse_pae(const char *type, const uint8_t *payload, size_t len, uint8_t **out, size_t *outlen);

/*
 * The envelope of PAYLOAD under TYPE, signed by KEY with KEYID, as a JSON
 * object {payload, payloadType, signatures: [{keyid, sig}]}; NULL with ERR.
 */
json_t *dsse_sign(EVP_PKEY *key, const char *keyid, const char *type, const uint8_t *payload, size_t len,
		  char *err, size_t errlen);

/* Reads an envelope from a parsed JSON object; 0, or -1 with a one-line ERR (E is then empty). */
int dsse_from_json(const json_t *obj, struct dsse_envelope *e, char *err, size_t errlen);

/* Parses an envelope file's bytes; 0, or -1 with a one-line ERR. */
int dsse_decode(const uint8_t *buf, size_t len, struct dsse_envelope *e, char *err, size_t errlen);

/*
 * 0 when at least one of E's signatures verifies over PAE(type, payload)
 * with KEY (its index in *WHICH, may be NULL); -1 with a one-line ERR.
 */
int dsse_verify(const struct dsse_envelope *e, EVP_PKEY *key, size_t *which, char *err, size_t errlen);

void dsse_envelope_free(struct dsse_envelope *e);

#endif
