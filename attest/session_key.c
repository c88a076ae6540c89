// SPDX-License-Identifier: MIT
/* The per-session ECDSA P-256 key: made in memory, its public half as SPKI and PEM. */
#include "attest/session_key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "attest/report_data.h"
#include "common/errf.h"
#include "common/hex.h"

EVP_PKEY *session_key_new(char *err, size_t errlen)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	if (!key)
		errf(err, errlen, "cannot make a P-256 session key (OpenSSL EVP_EC_gen failed)");
	return key;
}

int session_key_spki(EVP_PKEY *key, uint8_t out[SESSION_KEY_SPKI_MAX], char *err, size_t errlen)
{
	int n = i2d_PUBKEY(key, NULL);
	uint8_t *p = out;

	if (n <= 0 || n > SESSION_KEY_SPKI_MAX)
		return errf(err, errlen, "cannot encode the session key's public half (%d bytes)", n);
	if (i2d_PUBKEY(key, &p) != n)
		return errf(err, errlen, "cannot encode the session key's public half");
	return n;
}

/* The key must be EC on P-256: the DSSE signature scheme says ECDSA P-256 SHA-256. */
static EVP_PKEY *require_p256(EVP_PKEY *key, const char *what, char *err, size_t errlen)
{
	char group[32] = "";
	size_t glen = 0;

	if (!key) {
		errf(err, errlen, "%s is not a public key (SubjectPublicKeyInfo)", what);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) ||
	    strcmp(group, "prime256v1")) {
		errf(err, errlen, "%s is not an ECDSA P-256 key (%s%s)", what,
		     EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? "curve " : "type ",
		     group[0] ? group : OBJ_nid2sn(EVP_PKEY_get_base_id(key)));
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

EVP_PKEY *session_key_from_spki(const uint8_t *der, size_t len, char *err, size_t errlen)
{
	const uint8_t *p = der;
	EVP_PKEY *key;

	if (len == 0 || len > SESSION_KEY_SPKI_MAX) {
		errf(err, errlen, "signing key of %zu bytes: not a P-256 SubjectPublicKeyInfo", len);
		return NULL;
	}
	key = d2i_PUBKEY(NULL, &p, (long)len);
	if (key && p != der + len) {
		EVP_PKEY_free(key);
		errf(err, errlen, "signing key: %zu bytes after its SubjectPublicKeyInfo", (size_t)(der + len - p));
		return NULL;
	}
	return require_p256(key, "the signing key", err, errlen);
}

int session_key_id(const uint8_t *spki, size_t len, char out[SESSION_KEY_ID_LEN + 1])
{
	uint8_t d[STATEMENT_DIGEST_LEN];

	if (sha256_bytes(spki, len, d))
		return -1;
	hex_encode(d, sizeof(d), out);
	return 0;
}

char *session_key_public_pem(EVP_PKEY *key, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (!bio || !PEM_write_bio_PUBKEY(bio, key)) {
		BIO_free(bio);
		errf(err, errlen, "cannot write the public key as PEM");
		return NULL;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n > 0 && (out = malloc((size_t)n + 1))) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	} else {
		errf(err, errlen, "cannot write the public key as PEM: out of memory");
	}
	BIO_free(bio);
	return out;
}
