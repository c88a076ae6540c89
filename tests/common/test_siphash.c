// SPDX-License-Identifier: MIT
/*
 * common/siphash.h against OpenSSL's SipHash-2-4 (EVP_MAC "SIPHASH", 16-byte
 * output), an implementation written by others: every length from 0 to 80
 * bytes, under random keys, so that every tail length meets every key.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include "common/siphash.h"
#include "testlib.h"

static int openssl_siphash128(const uint8_t key[16], const uint8_t *p, size_t n, uint8_t out[16])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	unsigned int size = 16;
	OSSL_PARAM params[] = { OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end() };
	size_t got = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, 16, params) == 1 && EVP_MAC_update(ctx, p, n) == 1 &&
		 EVP_MAC_final(ctx, out, &got, 16) == 1 && got == 16;

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

static void key_bytes(const struct siphash_key *k, uint8_t b[16])
{
	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(k->k0 >> (8 * i));
		b[8 + i] = (uint8_t)(k->k1 >> (8 * i));
	}
}

static int same_as_openssl_for_every_length(void)
{
	uint8_t msg[80], key[16], want[16], got[16];
	uint64_t out[2];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 37 + 11);
	for (int round = 0; round < 4; round++) {
		struct siphash_key k;

		CHECK(siphash_key_random(&k) == 0, "getrandom");
		key_bytes(&k, key);
		for (size_t n = 0; n <= sizeof(msg); n++) {
			CHECK(openssl_siphash128(key, msg, n, want) == 0, "OpenSSL's SIPHASH");
			siphash128(&k, msg, n, out);
			for (int i = 0; i < 8; i++) {
				got[i] = (uint8_t)(out[0] >> (8 * i));
				got[8 + i] = (uint8_t)(out[1] >> (8 * i));
			}
			CHECK(!memcmp(got, want, 16), "%zu bytes: not OpenSSL's SipHash-2-4-128", n);
		}
	}
	return TEST_PASS;
}

static int keys_differ_and_so_do_fingerprints(void)
{
	struct siphash_key a, b;
	uint64_t x[2], y[2];

	CHECK(siphash_key_random(&a) == 0 && siphash_key_random(&b) == 0, "getrandom");
	CHECK(a.k0 != b.k0 || a.k1 != b.k1, "two random keys are the same");
	siphash128(&a, "/usr/include/stdio.h", 20, x);
	siphash128(&b, "/usr/include/stdio.h", 20, y);
	CHECK(x[0] != y[0] && x[1] != y[1], "the key does not change the output");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "same_as_openssl_for_every_length", same_as_openssl_for_every_length },
	{ "keys_differ_and_so_do_fingerprints", keys_differ_and_so_do_fingerprints },
};

TEST_MAIN("siphash", tests)
