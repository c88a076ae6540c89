// SPDX-License-Identifier: MIT
/* The 64 bytes of report_data: statement digest and nonce. */
#include "attest/report_data.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/hex.h"

int sha256_bytes(const uint8_t *p, size_t len, uint8_t out[STATEMENT_DIGEST_LEN])
{
	unsigned int n = 0;

	if (!EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) || n != STATEMENT_DIGEST_LEN)
		return -1;
	return 0;
}

int report_data_make(const uint8_t *statement, size_t len, const uint8_t *nonce,
		     uint8_t out[REPORT_DATA_LEN])
{
	if (sha256_bytes(statement, len, out))
		return -1;
	if (nonce)
		memcpy(out + STATEMENT_DIGEST_LEN, nonce, NONCE_LEN);
	else
		memset(out + STATEMENT_DIGEST_LEN, 0, NONCE_LEN);
	return 0;
}

int nonce_parse(const char *hex, uint8_t out[NONCE_LEN], char *err, size_t errlen)
{
	char why[128];

	if (hex_decode_exact(hex, strlen(hex), out, NONCE_LEN, why, sizeof(why))) {
		snprintf(err, errlen, "nonce: %s", why);
		return -1;
	}
	return 0;
}
