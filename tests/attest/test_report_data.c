// SPDX-License-Identifier: MIT
/* report_data = SHA-256(statement) || nonce (layout 1), the session key binding (layout 2), and --nonce. */
#include "attest/report_data.h"
#include "common/hex.h"
#include "testlib.h"

static int test_layout_with_nonce(void)
{
	uint8_t nonce[NONCE_LEN], rd[REPORT_DATA_LEN];
	char hex[2 * REPORT_DATA_LEN + 1];

	for (int i = 0; i < NONCE_LEN; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	CHECK(report_data_make((const uint8_t *)"abc", 3, nonce, rd) == 0, "make");
	hex_encode(rd, STATEMENT_DIGEST_LEN, hex);
	/* sha256sum of "abc" (FIPS 180-2 example) */
	CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "%s", hex);
	CHECK(!memcmp(rd + 32, nonce, NONCE_LEN), "nonce not in bytes 32..63");
	return TEST_PASS;
}

static int test_no_nonce_is_zero(void)
{
	static const uint8_t zero[NONCE_LEN];
	uint8_t rd[REPORT_DATA_LEN];

	memset(rd, 0xff, sizeof(rd));
	CHECK(report_data_make((const uint8_t *)"", 0, NULL, rd) == 0, "make");
	CHECK(!memcmp(rd + 32, zero, NONCE_LEN), "bytes 32..63 not zero without a nonce");
	return TEST_PASS;
}

static int test_nonce_parse(void)
{
	uint8_t n[NONCE_LEN];
	char err[128];

	CHECK(nonce_parse("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", n, err,
			  sizeof(err)) == 0, "%s", err);
	CHECK(n[0] == 0x00 && n[10] == 0xaa && n[31] == 0xff, "decoded wrong");
	CHECK(nonce_parse("0011", n, err, sizeof(err)) < 0 && strstr(err, "expected 64 hex digits"), "%s", err);
	CHECK(nonce_parse("zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", n, err,
			  sizeof(err)) < 0 && strstr(err, "not a hex digit at character 1"), "%s", err);
	return TEST_PASS;
}

static int test_hex_text_with_whitespace(void)
{
	uint8_t out[4];
	char err[128];

	CHECK(hex_decode_text("de ad\nbe\tef\n", 12, out, sizeof(out), err, sizeof(err)) == 4, "%s", err);
	CHECK(out[0] == 0xde && out[3] == 0xef, "decoded wrong");
	CHECK(hex_decode_text("deadbeef00", 10, out, sizeof(out), err, sizeof(err)) < 0 &&
	      strstr(err, "more than 4 bytes"), "%s", err);
	CHECK(hex_decode_text("abc", 3, out, sizeof(out), err, sizeof(err)) < 0 &&
	      strstr(err, "odd number"), "%s", err);
	return TEST_PASS;
}

/* Layout 2's known answer, computed apart with Python's hashlib over the 86-byte structure (docs/attestation.md). */
static int test_key_binding_layout(void)
{
	uint8_t spki[91], nonce[NONCE_LEN], rd[REPORT_DATA_LEN], again[REPORT_DATA_LEN];
	char hex[2 * REPORT_DATA_LEN + 1];

	for (int i = 0; i < 91; i++)
		spki[i] = (uint8_t)i;
	memset(nonce, 0x5a, sizeof(nonce));
	CHECK(KEY_BINDING_LEN == 86, "binding structure of %zu bytes", KEY_BINDING_LEN);
	CHECK(report_data_make_keyed((const uint8_t *)"abc", 3, spki, sizeof(spki), nonce, rd) == 0, "make");
	hex_encode(rd, STATEMENT_DIGEST_LEN, hex);
	CHECK(!strcmp(hex, "6514a33443353edb1c577658071fbb000a8a0ea923e02ce4547c3fa3941ec5ca"), "%s", hex);
	CHECK(!memcmp(rd + 32, nonce, NONCE_LEN), "nonce not in bytes 32..63");
	/* another key, same statement: another binding */
	spki[90] ^= 1;
	CHECK(report_data_make_keyed((const uint8_t *)"abc", 3, spki, sizeof(spki), nonce, again) == 0, "make");
	CHECK(memcmp(rd, again, STATEMENT_DIGEST_LEN), "the key does not change the binding");
	/* and never layout 1's value: a keyless reading cannot mistake it */
	CHECK(report_data_make((const uint8_t *)"abc", 3, nonce, again) == 0 &&
	      memcmp(rd, again, STATEMENT_DIGEST_LEN), "layout 2 equals layout 1");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "key_binding_layout", test_key_binding_layout },
	{ "layout_with_nonce", test_layout_with_nonce },
	{ "no_nonce_is_zero", test_no_nonce_is_zero },
	{ "nonce_parse", test_nonce_parse },
	{ "hex_text_with_whitespace", test_hex_text_with_whitespace },
};

TEST_MAIN("report_data", tests)
