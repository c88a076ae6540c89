// SPDX-License-Identifier: MIT
/* DSSE envelopes and Sigstore bundles: PAE, signing, verification, and bad input. */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "attest/session_key.h"
#include "common/base64.h"
#include "provenance/dsse.h"
#include "provenance/sigstore_bundle.h"
#include "testlib.h"

#define STATEMENT "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}"

/* The DSSE protocol's own example: PAE("http://example.com/HelloWorld", "hello world"). */
static int test_pae_is_the_protocols(void)
{
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	uint8_t *p;
	size_t n;

	CHECK(dsse_pae("http://example.com/HelloWorld", (const uint8_t *)"hello world", 11, &p, &n) == 0, "pae");
	CHECK(n == strlen(want) && !memcmp(p, want, n), "%.*s", (int)n, (const char *)p);
	free(p);
	return TEST_PASS;
}

/* RFC 4648 section 10's vectors both ways, and what the decoder refuses. */
static int test_base64_rfc4648(void)
{
	static const char *const vec[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
					      { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
					      { "foobar", "Zm9vYmFy" } };
	char err[128], *enc;
	uint8_t *dec;
	size_t n;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		enc = base64_encode((const uint8_t *)vec[i][0], strlen(vec[i][0]));
		CHECK(enc && !strcmp(enc, vec[i][1]), "encode '%s': %s", vec[i][0], enc);
		free(enc);
		CHECK(base64_decode(vec[i][1], strlen(vec[i][1]), 16, &dec, &n, err, sizeof(err)) == 0 &&
		      n == strlen(vec[i][0]) && !memcmp(dec, vec[i][0], n), "decode %s", vec[i][1]);
		free(dec);
	}
	CHECK(base64_decode("Zm9v*mFy", 8, 16, &dec, &n, err, sizeof(err)) < 0 && strstr(err, "not base64"), "%s", err);
	CHECK(base64_decode("Zm9vY", 5, 16, &dec, &n, err, sizeof(err)) < 0 && strstr(err, "whole bytes"), "%s", err);
	CHECK(base64_decode("Zh==", 4, 16, &dec, &n, err, sizeof(err)) < 0 && strstr(err, "bits set"), "%s", err);
	CHECK(base64_decode("Zm9vYmFy", 8, 5, &dec, &n, err, sizeof(err)) < 0 && strstr(err, "limit"), "%s", err);
	return TEST_PASS;
}

/* An envelope signed by a fresh key, as text, into BUF. */
static int signed_envelope(EVP_PKEY *key, char **text)
{
	char err[256];
	json_t *env = dsse_sign(key, "k", DSSE_PAYLOAD_TYPE_INTOTO, (const uint8_t *)STATEMENT, strlen(STATEMENT),
				err, sizeof(err));

	*text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	return *text ? 0 : -1;
}

static int test_sign_verify_and_tamper(void)
{
	char err[256], *text;
	EVP_PKEY *key = session_key_new(err, sizeof(err)), *other = session_key_new(err, sizeof(err));
	struct dsse_envelope e;
	size_t which = 9;

	CHECK(key && other && signed_envelope(key, &text) == 0, "sign");
	CHECK(dsse_decode((const uint8_t *)text, strlen(text), &e, err, sizeof(err)) == 0, "%s", err);
	CHECK(e.payload_len == strlen(STATEMENT) && !memcmp(e.payload, STATEMENT, e.payload_len), "payload");
	CHECK(!strcmp(e.payload_type, DSSE_PAYLOAD_TYPE_INTOTO) && e.nsigs == 1 && !strcmp(e.sigs[0].keyid, "k"),
	      "fields");
	CHECK(dsse_verify(&e, key, &which, err, sizeof(err)) == 0 && which == 0, "%s", err);
	CHECK(dsse_verify(&e, other, NULL, err, sizeof(err)) < 0 && strstr(err, "none of the envelope's 1 signature"),
	      "another key verified: %s", err);
	e.payload[3] ^= 1;
	CHECK(dsse_verify(&e, key, NULL, err, sizeof(err)) < 0, "a changed payload verified");
	e.payload[3] ^= 1;
	e.payload_type[0] = 'b';
	CHECK(dsse_verify(&e, key, NULL, err, sizeof(err)) < 0, "a changed payloadType verified (PAE covers it)");
	dsse_envelope_free(&e);
	free(text);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	return TEST_PASS;
}

static int test_truncated_garbage_oversized_envelopes(void)
{
	char err[256], *text;
	EVP_PKEY *key = session_key_new(err, sizeof(err));
	struct dsse_envelope e;
	uint8_t *big;

	CHECK(key && signed_envelope(key, &text) == 0, "sign");
	for (size_t cut = 0; cut < strlen(text); cut += 7) {
		CHECK(dsse_decode((const uint8_t *)text, cut, &e, err, sizeof(err)) < 0 && err[0] && !strchr(err, '\n'),
		      "a cut at %zu was accepted", cut);
	}
	CHECK(dsse_decode((const uint8_t *)"\x00\xff garbage", 10, &e, err, sizeof(err)) < 0 &&
	      strstr(err, "not JSON"), "%s", err);
	CHECK(dsse_decode((const uint8_t *)"[1]", 3, &e, err, sizeof(err)) < 0 && strstr(err, "JSON object"), "%s", err);
	{
		static const char bad_sig[] = "{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":7}]}";

		CHECK(dsse_decode((const uint8_t *)bad_sig, strlen(bad_sig), &e, err, sizeof(err)) < 0 &&
		      strstr(err, "'sig' is not a string"), "%s", err);
	}
	big = calloc(1, (size_t)DSSE_FILE_MAX + 1);
	CHECK(big, "memory");
	CHECK(dsse_decode(big, (size_t)DSSE_FILE_MAX + 1, &e, err, sizeof(err)) < 0 && strstr(err, "limit"), "%s", err);
	CHECK(sigstore_bundle_decode(big, (size_t)DSSE_FILE_MAX + 1, &e, (char[SIGSTORE_HINT_MAX + 1]){ 0 }, err,
				     sizeof(err)) < 0 && strstr(err, "limit"), "%s", err);
	free(big);
	free(text);
	EVP_PKEY_free(key);
	return TEST_PASS;
}

static int test_sigstore_bundle_round_trip_and_refusals(void)
{
	char err[256], hint[SIGSTORE_HINT_MAX + 1], *text;
	EVP_PKEY *key = session_key_new(err, sizeof(err));
	json_t *env, *b;
	struct dsse_envelope e;

	CHECK(key, "%s", err);
	env = dsse_sign(key, "k", DSSE_PAYLOAD_TYPE_INTOTO, (const uint8_t *)STATEMENT, strlen(STATEMENT), err,
			sizeof(err));
	b = env ? sigstore_bundle_make(env, "abc123") : NULL;
	text = b ? json_dumps(b, JSON_COMPACT) : NULL;
	CHECK(text, "make");
	CHECK(sigstore_bundle_decode((const uint8_t *)text, strlen(text), &e, hint, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(hint, "abc123") && dsse_verify(&e, key, NULL, err, sizeof(err)) == 0, "%s", err);
	dsse_envelope_free(&e);
	free(text);
	json_object_set_new(b, "mediaType", json_string("application/vnd.dev.sigstore.bundle+json;version=0.1"));
	text = json_dumps(b, JSON_COMPACT);
	CHECK(sigstore_bundle_decode((const uint8_t *)text, strlen(text), &e, hint, err, sizeof(err)) < 0 &&
	      strstr(err, "media type"), "%s", err);
	free(text);
	json_object_set_new(b, "mediaType", json_string(SIGSTORE_BUNDLE_MEDIA_TYPE));
	json_object_del(b, "dsseEnvelope");
	json_object_set_new(b, "messageSignature", json_object());
	text = json_dumps(b, JSON_COMPACT);
	CHECK(sigstore_bundle_decode((const uint8_t *)text, strlen(text), &e, hint, err, sizeof(err)) < 0 &&
	      strstr(err, "a messageSignature instead"), "%s", err);
	free(text);
	json_decref(b);
	json_decref(env);
	EVP_PKEY_free(key);
	return TEST_PASS;
}

/* Only a P-256 key is a session key: the DSSE signature scheme names it. */
static int test_session_key_must_be_p256(void)
{
	char err[256];
	uint8_t spki[SESSION_KEY_SPKI_MAX], *p = spki;
	EVP_PKEY *k = session_key_new(err, sizeof(err)), *p384 = EVP_EC_gen("P-384"), *back;
	int n;

	CHECK(k && p384, "keys");
	n = session_key_spki(k, spki, err, sizeof(err));
	CHECK(n == 91, "P-256 SPKI of %d bytes", n);
	back = session_key_from_spki(spki, (size_t)n, err, sizeof(err));
	CHECK(back && EVP_PKEY_eq(back, k) == 1, "%s", err);
	EVP_PKEY_free(back);
	CHECK(!session_key_from_spki(spki, (size_t)n - 1, err, sizeof(err)), "a truncated SPKI was accepted");
	n = i2d_PUBKEY(p384, &p);
	CHECK(n > 0 && !session_key_from_spki(spki, (size_t)n, err, sizeof(err)) && strstr(err, "not an ECDSA P-256"),
	      "%s", err);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p384);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "pae_is_the_protocols", test_pae_is_the_protocols },
	{ "base64_rfc4648", test_base64_rfc4648 },
	{ "sign_verify_and_tamper", test_sign_verify_and_tamper },
	{ "truncated_garbage_oversized_envelopes", test_truncated_garbage_oversized_envelopes },
	{ "sigstore_bundle_round_trip_and_refusals", test_sigstore_bundle_round_trip_and_refusals },
	{ "session_key_must_be_p256", test_session_key_must_be_p256 },
};

TEST_MAIN("dsse", tests)
