/* SPDX-License-Identifier: MIT */
/*
 * The 64 bytes Kettle asks the TEE to sign (docs/attestation.md):
 * bytes 32..63 = the requester's 32-byte nonce, all zero without one;
 * bytes 0..31 = SHA-256 of the exact statement bytes (layout 1, no session
 * key), or with a session key (layout 2) SHA-256 of the fixed 86-byte
 * binding structure: the label "kettle-report-data/v2" and a NUL (22 bytes),
 * SHA-256 of the statement (32), SHA-256 of the key's SPKI DER (32).
 */
#ifndef KETTLE_ATTEST_REPORT_DATA_H
#define KETTLE_ATTEST_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_DATA_LEN 64
#define STATEMENT_DIGEST_LEN 32
#define NONCE_LEN 32

/* SHA-256 of LEN bytes; 0, or -1 when OpenSSL fails. */
int sha256_bytes(const uint8_t *p, size_t len, uint8_t out[STATEMENT_DIGEST_LEN]);

/* Builds report_data from the statement bytes and NONCE (NULL: zeros); 0 or -1. */
int report_data_make(const uint8_t *statement, size_t len, const uint8_t *nonce,
		     uint8_t out[REPORT_DATA_LEN]);

#define KEY_BINDING_LABEL "kettle-report-data/v2"  /* written with its NUL: 22 bytes */
#define KEY_BINDING_LEN   (sizeof(KEY_BINDING_LABEL) + 2 * STATEMENT_DIGEST_LEN)

/*
 * Layout 2's bytes 0..31: SHA-256 of the binding structure over the
 * statement's SHA-256 and the SPKI DER of the session key; 0 or -1.
 */
int report_data_key_binding(const uint8_t statement_sha256[STATEMENT_DIGEST_LEN], const uint8_t *spki,
			    size_t spki_len, uint8_t out[STATEMENT_DIGEST_LEN]);

/* report_data of layout 2: the statement and the session key SPKI, and NONCE (NULL: zeros); 0 or -1. */
int report_data_make_keyed(const uint8_t *statement, size_t len, const uint8_t *spki, size_t spki_len,
			   const uint8_t *nonce, uint8_t out[REPORT_DATA_LEN]);

/* Parses --nonce: exactly 64 hex digits.  0, or -1 with a one-line ERR. */
int nonce_parse(const char *hex, uint8_t out[NONCE_LEN], char *err, size_t errlen);

#endif
