// SPDX-License-Identifier: MIT
/* configfs-tsm acquisition against a fake report root holding a real vector's bytes. */
#include "attest/tsm.h"
#include "common/file_bytes.h"
#include "fake_tsm.h"
#include "test_vectors.h"
#include "testlib.h"

static char vec_snp[4400], vec_tdx[4400], root[256];

static int need_vectors(void)
{
	const char *v = test_vectors_dir();

	if (!v)
		return test_fail_no_vectors();
	snprintf(vec_snp, sizeof(vec_snp), "%s/snp/gosev_attestation.bin", v);
	snprintf(vec_tdx, sizeof(vec_tdx), "%s/tdx/gotdx_quote_v5_sample.dat", v);
	snprintf(root, sizeof(root), "/tmp/kettle-test-%d-tsm", (int)getpid());
	return TEST_PASS;
}

static int same_as_file(const uint8_t *p, size_t n, const char *path)
{
	uint8_t *want;
	size_t len;
	char err[256];
	int same;

	if (file_read_bounded(path, 1 << 20, &want, &len, err, sizeof(err)))
		return 0;
	same = len == n && !memcmp(want, p, n);
	free(want);
	return same;
}

static void some_report_data(uint8_t rd[REPORT_DATA_LEN])
{
	for (int i = 0; i < REPORT_DATA_LEN; i++)
		rd[i] = (uint8_t)(i * 7 + 1);
}

static int test_snp_report_and_certificates(void)
{
	static const uint64_t gens[] = { 4, 5 };
	struct fake_tsm t;
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN];
	char err[256], inblob[700];
	int r = need_vectors();

	if (r)
		return r;
	some_report_data(rd);
	CHECK(fake_tsm_make(&t, root, getpid(), "sev_guest", vec_snp, vec_snp, gens, 2) == 0, "fixture");
	r = tsm_get_evidence(root, rd, &e, err, sizeof(err));
	snprintf(inblob, sizeof(inblob), "%s/inblob", t.entry);
	if (r == 0) {
		uint8_t *written = NULL;
		size_t wlen = 0;

		r = file_read_bounded(inblob, 4096, &written, &wlen, err, sizeof(err));
		if (r == 0 && (wlen != REPORT_DATA_LEN || memcmp(written, rd, wlen)))
			r = -2;
		free(written);
	}
	fake_tsm_destroy(&t);
	CHECK(r != -2, "inblob does not hold the 64 bytes of report_data");
	CHECK(r == 0, "%s", err);
	CHECK(!strcmp(e.provider, "sev_guest"), "provider '%s'", e.provider);
	CHECK(e.attempts == 1, "took %u attempts", e.attempts);
	CHECK(same_as_file(e.outblob, e.outlen, vec_snp), "outblob is not the vector's bytes");
	CHECK(e.auxblob && same_as_file(e.auxblob, e.auxlen, vec_snp), "auxblob not read");
	tsm_evidence_free(&e);
	return TEST_PASS;
}

static int test_tdx_has_no_auxblob(void)
{
	static const uint64_t gens[] = { 0, 1 };
	struct fake_tsm t;
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN];
	char err[256];
	int r = need_vectors();

	if (r)
		return r;
	some_report_data(rd);
	CHECK(fake_tsm_make(&t, root, getpid(), "tdx_guest", vec_tdx, NULL, gens, 2) == 0, "fixture");
	r = tsm_get_evidence(root, rd, &e, err, sizeof(err));
	fake_tsm_destroy(&t);
	CHECK(r == 0, "%s", err);
	CHECK(!strcmp(e.provider, "tdx_guest"), "provider '%s'", e.provider);
	CHECK(same_as_file(e.outblob, e.outlen, vec_tdx), "outblob is not the quote");
	CHECK(!e.auxblob && e.auxlen == 0, "an auxblob appeared");
	tsm_evidence_free(&e);
	return TEST_PASS;
}

static int test_generation_race_is_retried(void)
{
	/* First request: someone else wrote too (7 -> 9); second request is clean. */
	static const uint64_t gens[] = { 7, 9, 9, 10 };
	struct fake_tsm t;
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN];
	char err[256];
	int r = need_vectors();

	if (r)
		return r;
	some_report_data(rd);
	CHECK(fake_tsm_make(&t, root, getpid(), "sev_guest", vec_snp, NULL, gens, 4) == 0, "fixture");
	r = tsm_get_evidence(root, rd, &e, err, sizeof(err));
	fake_tsm_destroy(&t);
	CHECK(r == 0, "%s", err);
	CHECK(e.attempts == 2, "took %u attempts, expected 2", e.attempts);
	tsm_evidence_free(&e);
	return TEST_PASS;
}

static int test_generation_always_moving_fails(void)
{
	static const uint64_t gens[] = { 1, 3, 3, 5, 5, 7 };
	struct fake_tsm t;
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN];
	char err[256];
	int r = need_vectors();

	if (r)
		return r;
	some_report_data(rd);
	CHECK(fake_tsm_make(&t, root, getpid(), "sev_guest", vec_snp, NULL, gens, 6) == 0, "fixture");
	r = tsm_get_evidence(root, rd, &e, err, sizeof(err));
	fake_tsm_destroy(&t);
	CHECK(r < 0, "accepted a report while another writer kept writing");
	CHECK(strstr(err, "generation went from 5 to 7") && strstr(err, "another process"), "%s", err);
	return TEST_PASS;
}

static int test_missing_attribute_is_named(void)
{
	static const uint64_t gens[] = { 0, 1 };
	struct fake_tsm t;
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN];
	char err[256], path[700];
	int r = need_vectors();

	if (r)
		return r;
	some_report_data(rd);
	CHECK(fake_tsm_make(&t, root, getpid(), "sev_guest", vec_snp, NULL, gens, 2) == 0, "fixture");
	snprintf(path, sizeof(path), "%s/outblob", t.entry);
	unlink(path);
	r = tsm_get_evidence(root, rd, &e, err, sizeof(err));
	fake_tsm_destroy(&t);
	CHECK(r < 0, "no outblob, yet it succeeded");
	CHECK(strstr(err, "/outblob: No such file"), "%s", err);
	return TEST_PASS;
}

static int test_no_root(void)
{
	struct tsm_evidence e;
	uint8_t rd[REPORT_DATA_LEN] = { 0 };
	char err[256];

	CHECK(!tsm_present("/nonexistent/tsm/report"), "present");
	CHECK(tsm_get_evidence("/nonexistent/tsm/report", rd, &e, err, sizeof(err)) < 0, "succeeded");
	CHECK(strstr(err, "cannot create a configfs-tsm report entry"), "%s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "snp_report_and_certificates", test_snp_report_and_certificates },
	{ "tdx_has_no_auxblob", test_tdx_has_no_auxblob },
	{ "generation_race_is_retried", test_generation_race_is_retried },
	{ "generation_always_moving_fails", test_generation_always_moving_fails },
	{ "missing_attribute_is_named", test_missing_attribute_is_named },
	{ "no_root", test_no_root },
};

TEST_MAIN("tsm", tests)
