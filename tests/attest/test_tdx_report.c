// SPDX-License-Identifier: MIT
/*
 * TDREPORT (TDX_CMD_GET_REPORT0 output): the vector from Intel's DCAP
 * repository parses, its two SHA-384 hashes agree with its contents
 * (VECTORS.md: SHA-384(bytes[256:495]) at [32:80], SHA-384(bytes[512:1024])
 * at [80:128]; reportdata starts b46a00eb, mrtd bb1249bd -- `xxd -s 128 -l 4`
 * and `xxd -s 528 -l 4` of the file say the same), a changed byte breaks
 * the matching hash, and the MAC is listed as not checked.
 */
#include "attest/tdx_report.h"
#include "test_vectors.h"
#include "testlib.h"

#define TDREPORT "tdx/intel_tdreport_for_test.dat"

static int test_vector_parses(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(TDREPORT, &len);
	struct tdx_tdreport r;
	char err[256];
	int rc;

	if (!buf)
		return test_fail_no_vectors();
	rc = tdx_tdreport_parse(buf, len, &r, err, sizeof(err));
	free(buf);
	CHECK(rc == 0, "%s", err);
	CHECK(r.report_type == 0x81, "type 0x%x", r.report_type);
	CHECK(memcmp(r.report_data, "\xb4\x6a\x00\xeb", 4) == 0, "report_data prefix");
	CHECK(memcmp(r.mrtd, "\xbb\x12\x49\xbd", 4) == 0, "mrtd prefix");
	CHECK(r.tcb_valid[0] == 0xff && r.tcb_valid[1] == 0x01, "tee_tcb_info.valid");
	return TEST_PASS;
}

static int test_hashes_match(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(TDREPORT, &len);
	struct check_list l = { 0 };
	bool ok;

	if (!buf)
		return test_fail_no_vectors();
	ok = tdx_tdreport_check(buf, &l);
	free(buf);
	CHECK(ok && check_all_passed(&l), "hash checks failed");
	CHECK(l.n == 3 && l.items[2].note && strstr(l.items[2].reason, "MAC"), "MAC not noted as unchecked");
	return TEST_PASS;
}

/* A byte flipped in each hashed region fails exactly that region's check. */
static int test_flips_fail_the_right_hash(void)
{
	static const struct { size_t off; const char *fails, *holds; } cases[] = {
		{ 256 + 30, "tdx.tdreport.tee_tcb_info_hash", "tdx.tdreport.tee_info_hash" },   /* mrseam */
		{ 494, "tdx.tdreport.tee_tcb_info_hash", "tdx.tdreport.tee_info_hash" },        /* last hashed byte */
		{ 528, "tdx.tdreport.tee_info_hash", "tdx.tdreport.tee_tcb_info_hash" },        /* mrtd */
		{ 1023, "tdx.tdreport.tee_info_hash", "tdx.tdreport.tee_tcb_info_hash" },
		{ 40, "tdx.tdreport.tee_tcb_info_hash", "tdx.tdreport.tee_info_hash" },         /* the hash itself */
	};
	size_t len;
	uint8_t *buf = test_read_vector(TDREPORT, &len);

	if (!buf)
		return test_fail_no_vectors();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct check_list l = { 0 };
		bool fails_ok = false, holds_ok = false;

		buf[cases[i].off] ^= 0x01;
		CHECK(!tdx_tdreport_check(buf, &l), "flip at %zu not caught", cases[i].off);
		buf[cases[i].off] ^= 0x01;
		for (size_t k = 0; k < l.n; k++) {
			if (strcmp(l.items[k].name, cases[i].fails) == 0)
				fails_ok = !l.items[k].passed;
			if (strcmp(l.items[k].name, cases[i].holds) == 0)
				holds_ok = l.items[k].passed;
		}
		CHECK(fails_ok && holds_ok, "flip at %zu: wrong check failed", cases[i].off);
	}
	/* bytes outside both hashed regions (reserved [495, 512)) change neither hash */
	{
		struct check_list l = { 0 };

		buf[500] ^= 0x01;
		CHECK(tdx_tdreport_check(buf, &l), "reserved byte broke a hash");
	}
	free(buf);
	return TEST_PASS;
}

static int test_bad_size_and_type_refused(void)
{
	uint8_t buf[TDX_TDREPORT_SIZE + 1] = { 0x81 };
	struct tdx_tdreport r;
	char err[256];

	CHECK(tdx_tdreport_parse(buf, 1023, &r, err, sizeof(err)) != 0 && strstr(err, "1023 bytes"), "short: %s", err);
	CHECK(tdx_tdreport_parse(buf, 1025, &r, err, sizeof(err)) != 0 && strstr(err, "1025 bytes"), "long: %s", err);
	CHECK(tdx_tdreport_parse(NULL, 0, &r, err, sizeof(err)) != 0, "NULL accepted");
	buf[0] = 0x00;  /* SGX report type */
	CHECK(tdx_tdreport_parse(buf, TDX_TDREPORT_SIZE, &r, err, sizeof(err)) != 0 && strstr(err, "not TDX"),
	      "type: %s", err);
	return TEST_PASS;
}

static int test_json_and_print(void)
{
	size_t len, textlen = 0;
	uint8_t *buf = test_read_vector(TDREPORT, &len);
	struct tdx_tdreport r;
	char err[256], *text = NULL;
	const char *mrtd;
	json_t *j;
	FILE *f;
	int ok;

	if (!buf)
		return test_fail_no_vectors();
	ok = tdx_tdreport_parse(buf, len, &r, err, sizeof(err)) == 0;
	free(buf);
	CHECK(ok, "%s", err);
	j = tdx_tdreport_to_json(&r);
	mrtd = j ? json_string_value(json_object_get(j, "td_info.mrtd")) : NULL;
	ok = mrtd && strncmp(mrtd, "bb1249bd", 8) == 0;
	json_decref(j);
	CHECK(ok, "json mrtd");
	f = open_memstream(&text, &textlen);
	CHECK(f, "memstream");
	tdx_tdreport_print(&r, f);
	fclose(f);
	ok = strstr(text, "td_info.mrtd") && strstr(text, "bb1249bd");
	free(text);
	CHECK(ok, "printed text lacks mrtd");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "vector_parses", test_vector_parses },
	{ "hashes_match", test_hashes_match },
	{ "flips_fail_the_right_hash", test_flips_fail_the_right_hash },
	{ "bad_size_and_type_refused", test_bad_size_and_type_refused },
	{ "json_and_print", test_json_and_print },
};

TEST_MAIN("tdx_report", tests)
