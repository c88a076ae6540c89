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

static void put_nonce(const uint8_t *nonce, uint8_t out[REPORT_DATA_LEN])
{
	if (nonce)
		memcpy(out + STATEMENT_DIGEST_LEN, nonce, NONCE_LEN);
	else
		memset(out + STATEMENT_DIGEST_LEN, 0, NONCE_LEN);
}

int report_data_make(const uint8_t *statement, size_t len, const uint8_t *nonce,
		     uint8_t out[REPORT_DATA_LEN])
{
	if (sha256_bytes(statement, len, out))
		return -1;
	put_nonce(nonce, out);
	return 0;
}

int report_data_key_binding(const uint8_t statement_sha256[STATEMENT_DIGEST_LEN], const uint8_t *spki,
			    size_t spki_len, uint8_t out[STATEMENT_DIGEST_LEN])
{
	uint8_t binding[KEY_BINDING_LEN];

	memcpy(binding, KEY_BINDING_LABEL, sizeof(KEY_BINDING_LABEL));
	memcpy(binding + sizeof(KEY_BINDING_LABEL), statement_sha256, STATEMENT_DIGEST_LEN);
	if (sha256_bytes(spki, spki_len, binding + sizeof(KEY_BINDING_LABEL) + STATEMENT_DIGEST_LEN))
		return -1;
	return sha256_bytes(binding, sizeof(binding), out);
}

int report_data_make_keyed(const uint8_t *statement, size_t len, const uint8_t *spki, size_t spki_len,
			   const uint8_t *nonce, uint8_t out[REPORT_DATA_LEN])
{
	uint8_t digest[STATEMENT_DIGEST_LEN];

	if (sha256_bytes(statement, len, digest) || report_data_key_binding(digest, spki, spki_len, out))
		return -1;
	put_nonce(nonce, out);
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
