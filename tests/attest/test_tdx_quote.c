// SPDX-License-Identifier: MIT
/*
 * TDX quote parsing: the two real quotes of the vectors in tests/data/vectors read back
 * with the field values VECTORS.md lists, and hostile bytes (truncated,
 * oversized, garbage, lying lengths) refused with a one-line error.
 *
 * The expected values were cross-checked against the raw files, e.g.
 *   xxd -s 0x238 -l 8 -p tdx/gotdx_tdx_prod_quote_SPR_E4.dat   -> 6c62dec1b8191749 (report_data)
 *   xxd -s 0xb8  -l 8 -p tdx/gotdx_tdx_prod_quote_SPR_E4.dat   -> 6363b8043668a3ad (mrtd at 48+136)
 *   xxd -s 0x278 -l 4 -p tdx/gotdx_tdx_prod_quote_SPR_E4.dat   -> cb100000 (4299)
 *   xxd -s 0x30  -l 6 -p tdx/gotdx_quote_v5_sample.dat         -> 030088020000 (type 3, 648)
 *   xxd -s 0x23e -l 8 -p tdx/gotdx_quote_v5_sample.dat         -> 945eaacf5abc1f71 (report_data at 54+520)
 *   xxd -s 0x2be -l 4 -p tdx/gotdx_quote_v5_sample.dat         -> cc100000 (4300)
 */
#include "attest/tdx_quote.h"
#include "test_vectors.h"
#include "testlib.h"

#define SPR "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"
#define V5  "tdx/gotdx_quote_v5_sample.dat"

static bool hex_is(const uint8_t *bytes, size_t n, const char *hex)
{
	uint8_t want[256];

	return test_unhex(hex, want, sizeof(want)) == (int)n && memcmp(bytes, want, n) == 0;
}

static bool hex_prefix(const uint8_t *bytes, const char *hex)
{
	uint8_t want[256];
	int n = test_unhex(hex, want, sizeof(want));

	return n > 0 && memcmp(bytes, want, (size_t)n) == 0;
}

static int test_spr_v4_fields(void)
{
	struct tdx_quote q;
	size_t len;
	uint8_t *buf = test_read_vector(SPR, &len);
	char err[256];
	int rc = TEST_FAIL;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0) {
		fprintf(stderr, "  %s\n", err);
		goto out;
	}
	CHECK(len == 4974, "size %zu", len);
	CHECK(q.header.version == 4 && q.header.att_key_type == 2 && q.header.tee_type == 0x81, "header");
	CHECK(q.header.qe_svn == 0 && q.header.pce_svn == 0, "svns");
	CHECK(hex_is(q.header.qe_vendor_id, 16, "939a7233f79c4ca9940a0db3957f0607"), "qe_vendor_id");
	CHECK(hex_is(q.header.user_data, 20, "739c3f292a15bace1f726351a70d4b7900000000"), "user_data");
	CHECK(q.body_type == 2 && q.body_size == 584 && q.signed_len == 632, "body %u/%u signed %zu",
	      q.body_type, q.body_size, q.signed_len);
	CHECK(hex_is(q.body.tee_tcb_svn, 16, "03000400000000000000000000000000"), "tee_tcb_svn");
	CHECK(hex_prefix(q.body.mrseam, "2fd279c16164a93dd5bf373d834328d4"), "mrseam");
	CHECK(hex_is(q.body.td_attributes, 8, "0000004000000000"), "td_attributes");
	CHECK(hex_is(q.body.xfam, 8, "e71a060000000000"), "xfam");
	CHECK(hex_is(q.body.mrtd, 48, "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb"), "mrtd");
	CHECK(hex_prefix(q.body.rtmr[0], "2927da70461cd632"), "rtmr0");
	CHECK(hex_prefix(q.body.rtmr[2], "8652f0caaba7e215"), "rtmr2");
	CHECK(hex_is(q.body.report_data, 64, "6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113"), "report_data");
	CHECK(q.sig_data_len_offset == 0x278 && q.sig_data_len == 4299, "sig data %u at 0x%zx", q.sig_data_len, q.sig_data_len_offset);
	CHECK(q.cert_data_type == 6 && q.cert_data_size == 4165, "cert data %u/%u", q.cert_data_type, q.cert_data_size);
	CHECK(q.has_qe_report, "no QE report");
	CHECK(hex_is(q.qe_report.cpu_svn, 16, "04040d0f03ff00030000000000000000"), "qe cpu_svn");
	CHECK(hex_is(q.qe_report.mr_enclave, 32, "853e298f3b7cde28b06493d06fb2ad6f9566a97fea6d3de66236b2af1a35150f"), "qe mr_enclave");
	CHECK(hex_is(q.qe_report.mr_signer, 32, "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5"), "qe mr_signer");
	CHECK(q.qe_report.isv_prod_id == 2 && q.qe_report.isv_svn == 4, "qe isv %u/%u", q.qe_report.isv_prod_id, q.qe_report.isv_svn);
	CHECK(hex_prefix(q.qe_report.report_data, "cf1ae2cb769ff1f27ac520344e609054"), "qe report_data");
	CHECK(q.qe_auth_data_len == 32 && hex_is(q.qe_auth_data, 32, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "auth data");
	CHECK(q.pck_data_type == 5 && q.pck_data_size == 3677, "pck data %u/%u", q.pck_data_type, q.pck_data_size);
	CHECK(memcmp(q.pck_data, "-----BEGIN CERTIFICATE-----", 27) == 0, "PCK data is not PEM");
	CHECK(q.trailing_len == 39, "trailing %zu", q.trailing_len);
	rc = TEST_PASS;
out:
	free(buf);
	return rc;
}

static int test_v5_body15_fields(void)
{
	struct tdx_quote q;
	size_t len;
	uint8_t *buf = test_read_vector(V5, &len);
	char err[256];
	int rc = TEST_FAIL;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0) {
		fprintf(stderr, "  %s\n", err);
		goto out;
	}
	CHECK(q.header.version == 5 && q.body_type == 3 && q.body_size == 648, "v%u type %u size %u",
	      q.header.version, q.body_type, q.body_size);
	CHECK(q.signed_len == 702 && q.sig_data_len_offset == 0x2be && q.sig_data_len == 4300, "lengths");
	CHECK(hex_is(q.header.user_data, 20, "ba103c0e5dffa40351f9d5dd559888eb00000000"), "user_data");
	CHECK(hex_is(q.body.tee_tcb_svn, 16, "0b010400000000000000000000000000"), "tee_tcb_svn");
	CHECK(hex_is(q.body.td_attributes, 8, "0000001000000000"), "td_attributes");
	CHECK(hex_prefix(q.body.mrtd, "7348651a34b2d2d3462822e3a750ec61"), "mrtd");
	CHECK(hex_prefix(q.body.rtmr[1], "463acaace1b6e97c"), "rtmr1");
	CHECK(hex_prefix(q.body.report_data, "945eaacf5abc1f719d8666a942fda03d"), "report_data");
	CHECK(hex_is(q.body.tee_tcb_svn2, 16, "0d010400000000000000000000000000"), "tee_tcb_svn2");
	CHECK(hex_is(q.body.mrservicetd, 48, "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"), "mrservicetd");
	CHECK(q.cert_data_type == 6 && q.cert_data_size == 4166, "cert data");
	CHECK(q.qe_report.isv_svn == 7 && hex_prefix(q.qe_report.mr_enclave, "b7ae9ab69e76f779"), "qe report");
	CHECK(q.pck_data_type == 5 && q.pck_data_size == 3678, "pck data");
	CHECK(q.trailing_len == 0, "trailing %zu", q.trailing_len);
	rc = TEST_PASS;
out:
	free(buf);
	return rc;
}

/* Every proper prefix is refused with an error that says what was cut. */
static int test_every_truncation_refused(void)
{
	size_t len, end;
	uint8_t *buf = test_read_vector(V5, &len);
	struct tdx_quote q;
	char err[256];

	if (!buf)
		return test_fail_no_vectors();
	end = len;      /* v5 sample has no trailing bytes: every shorter prefix is incomplete */
	for (size_t n = 0; n < end; n++) {
		/* a fresh copy of exactly n bytes so ASan sees any read past the end */
		uint8_t *cut = malloc(n ? n : 1);

		if (!cut) {
			free(buf);
			return TEST_FAIL;
		}
		memcpy(cut, buf, n);
		err[0] = '\0';
		if (tdx_quote_parse(cut, n, &q, err, sizeof(err)) == 0 || !err[0]) {
			fprintf(stderr, "  prefix of %zu bytes accepted or silent\n", n);
			free(cut);
			free(buf);
			return TEST_FAIL;
		}
		free(cut);
	}
	free(buf);
	return TEST_PASS;
}

static int test_truncated_header_says_truncated(void)
{
	uint8_t buf[40] = { 4, 0, 2, 0, 0x81 };
	struct tdx_quote q;
	char err[256];

	CHECK(tdx_quote_parse(buf, sizeof(buf), &q, err, sizeof(err)) != 0, "accepted");
	CHECK(strstr(err, "truncated") && strstr(err, "header"), "err: %s", err);
	return TEST_PASS;
}

static int test_oversized_refused(void)
{
	size_t n = TDX_QUOTE_MAX_SIZE + 1;
	uint8_t *big = calloc(1, n);
	struct tdx_quote q;
	char err[256];
	int rc;

	if (!big)
		return TEST_FAIL;
	rc = tdx_quote_parse(big, n, &q, err, sizeof(err));
	free(big);
	CHECK(rc != 0 && strstr(err, "more than"), "err: %s", err);
	return TEST_PASS;
}

static int test_garbage_refused(void)
{
	uint8_t buf[4096];
	struct tdx_quote q;
	char err[256];
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(rand_r(&seed) >> 7);
		err[0] = '\0';
		CHECK(tdx_quote_parse(buf, sizeof(buf), &q, err, sizeof(err)) != 0 && err[0], "garbage accepted");
	}
	CHECK(tdx_quote_parse(NULL, 0, &q, err, sizeof(err)) != 0 && err[0], "NULL accepted");
	return TEST_PASS;
}

/* Set the u32 at OFF of a copy of the vector, parse, expect failure with every word of WANT in the error. */
static int lying_u32(const char *vector, size_t off, uint32_t value, const char *want1, const char *want2)
{
	size_t len;
	uint8_t *buf = test_read_vector(vector, &len);
	struct tdx_quote q;
	char err[256];
	int rc;

	if (!buf)
		return test_fail_no_vectors();
	buf[off] = value & 0xff;
	buf[off + 1] = value >> 8 & 0xff;
	buf[off + 2] = value >> 16 & 0xff;
	buf[off + 3] = value >> 24 & 0xff;
	rc = tdx_quote_parse(buf, len, &q, err, sizeof(err));
	free(buf);
	CHECK(rc != 0, "accepted a lying length at 0x%zx", off);
	CHECK(strstr(err, want1) && (!want2 || strstr(err, want2)), "err: %s", err);
	return TEST_PASS;
}

static int test_sig_data_length_past_end(void)
{
	return lying_u32(SPR, 0x278, 0xfffffff0, "signature data length", "0x278");
}

static int test_sig_data_length_too_small(void)
{
	return lying_u32(SPR, 0x278, 100, "signature data length", "below");
}

/* go-tdx-guest's negative case: a certification data size that disagrees with the signature data length. */
static int test_cert_data_size_mismatch(void)
{
	/* outer cert data size sits after sig(64) + key(64) + type(2) */
	return lying_u32(SPR, 0x278 + 4 + 130, 0xf8a, "certification data size", "does not match");
}

static int test_inner_cert_size_mismatch(void)
{
	/* SPR: inner size at 0x278+4+134+384+64+2+32+2 */
	return lying_u32(SPR, 0x278 + 4 + 134 + 384 + 64 + 2 + 32 + 2, 3676, "inner certification data size", NULL);
}

static int test_qe_auth_size_overrun(void)
{
	size_t len, off = 0x278 + 4 + 134 + 384 + 64;
	uint8_t *buf = test_read_vector(SPR, &len);
	struct tdx_quote q;
	char err[256];
	int rc;

	if (!buf)
		return test_fail_no_vectors();
	buf[off] = 0xff;
	buf[off + 1] = 0xff;
	rc = tdx_quote_parse(buf, len, &q, err, sizeof(err));
	free(buf);
	CHECK(rc != 0 && strstr(err, "QE auth data"), "err: %s", err);
	return TEST_PASS;
}

static int test_bad_version_type_tee(void)
{
	static const struct { size_t off; uint8_t v; const char *want; } cases[] = {
		{ 0, 3, "version 3" }, { 2, 3, "attestation key type 3" }, { 4, 0x00, "TEE type 0x0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *buf = test_read_vector(SPR, &len);
		struct tdx_quote q;
		char err[256];
		int rc;

		if (!buf)
			return test_fail_no_vectors();
		buf[cases[i].off] = cases[i].v;
		rc = tdx_quote_parse(buf, len, &q, err, sizeof(err));
		free(buf);
		CHECK(rc != 0 && strstr(err, cases[i].want), "case %zu err: %s", i, err);
	}
	return TEST_PASS;
}

static int test_v5_body_descriptor_checked(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(V5, &len);
	struct tdx_quote q;
	char err[256];
	int rc1, rc2;
	char err1[256];

	if (!buf)
		return test_fail_no_vectors();
	buf[0x30] = 1;          /* SGX body type */
	rc1 = tdx_quote_parse(buf, len, &q, err1, sizeof(err1));
	buf[0x30] = 3;
	buf[0x32] = 0x48;       /* 584 with type 3 */
	rc2 = tdx_quote_parse(buf, len, &q, err, sizeof(err));
	free(buf);
	CHECK(rc1 != 0 && strstr(err1, "body type 1"), "err: %s", err1);
	CHECK(rc2 != 0 && strstr(err, "body size 584"), "err: %s", err);
	return TEST_PASS;
}

static int test_json_has_every_part(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(V5, &len);
	struct tdx_quote q;
	char err[256];
	json_t *j;
	const char *mrtd, *svn2;
	int ok;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0) {
		free(buf);
		return TEST_FAIL;
	}
	j = tdx_quote_to_json(&q);
	free(buf);
	CHECK(j, "no json");
	mrtd = json_string_value(json_object_get(json_object_get(j, "body"), "mrtd"));
	svn2 = json_string_value(json_object_get(json_object_get(j, "body"), "tee_tcb_svn2"));
	ok = mrtd && strncmp(mrtd, "7348651a34b2d2d3", 16) == 0 && svn2 && strcmp(svn2, "0d010400000000000000000000000000") == 0 &&
	     json_integer_value(json_object_get(json_object_get(j, "header"), "version")) == 5 &&
	     json_integer_value(json_object_get(json_object_get(j, "qe_report"), "isv_svn")) == 7 &&
	     json_integer_value(json_object_get(j, "signed_length")) == 702;
	json_decref(j);
	CHECK(ok, "json fields wrong");
	return TEST_PASS;
}

static int test_print_shows_fields(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(SPR, &len);
	struct tdx_quote q;
	char err[256], *text = NULL;
	size_t textlen = 0;
	FILE *f;
	int ok;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0 || !(f = open_memstream(&text, &textlen))) {
		free(buf);
		return TEST_FAIL;
	}
	tdx_quote_print(&q, f);
	fclose(f);
	free(buf);
	ok = strstr(text, "body.mrtd") && strstr(text, "6363b8043668a3ad") && strstr(text, "trailing_bytes") && strstr(text, " 39 (after the signature data");
	free(text);
	CHECK(ok, "printed text lacks mrtd or trailing bytes");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "spr_v4_fields", test_spr_v4_fields },
	{ "v5_body15_fields", test_v5_body15_fields },
	{ "every_truncation_refused", test_every_truncation_refused },
	{ "truncated_header_says_truncated", test_truncated_header_says_truncated },
	{ "oversized_refused", test_oversized_refused },
	{ "garbage_refused", test_garbage_refused },
	{ "sig_data_length_past_end", test_sig_data_length_past_end },
	{ "sig_data_length_too_small", test_sig_data_length_too_small },
	{ "cert_data_size_mismatch", test_cert_data_size_mismatch },
	{ "inner_cert_size_mismatch", test_inner_cert_size_mismatch },
	{ "qe_auth_size_overrun", test_qe_auth_size_overrun },
	{ "bad_version_type_tee", test_bad_version_type_tee },
	{ "v5_body_descriptor_checked", test_v5_body_descriptor_checked },
	{ "json_has_every_part", test_json_has_every_part },
	{ "print_shows_fields", test_print_shows_fields },
};

TEST_MAIN("tdx_quote", tests)
