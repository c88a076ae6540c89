/* SPDX-License-Identifier: MIT */
/*
 * The 64 bytes Kettle asks the TEE to sign (docs/attestation.md):
 * bytes 0..31 = SHA-256 of the exact statement bytes, bytes 32..63 = the
 * requester's 32-byte nonce, all zero without one.
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

/* Parses --nonce: exactly 64 hex digits.  0, or -1 with a one-line ERR. */
int nonce_parse(const char *hex, uint8_t out[NONCE_LEN], char *err, size_t errlen);

#endif
