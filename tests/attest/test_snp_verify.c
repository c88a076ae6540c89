// SPDX-License-Identifier: MIT
/* SEV-SNP verification on the real reports of the vectors in tests/data/vectors: they verify, and every tampering is caught with the right reason. */
#include <stdint.h>
#include <time.h>

#include "attest/snp_verify.h"
#include "check_lookup.h"
#include "test_vectors.h"
#include "testlib.h"

struct vector {
	const char *report;
	const char *certs[3];
	enum snp_product product;
	bool vlek;
	int from[6], until[6];  /* the chain's common validity window (UTC) */
};

/* The vectors and their windows (VECTORS.md: see tests/data/vectors/README.md) */
static const struct vector vectors[] = {
	{ "snp/gosev_attestation.bin", { "snp/gosev_vcek.testcer", "snp/gosev_ask_ark_milan.pem" },
	  SNP_PRODUCT_MILAN, false, { 2022, 9, 24, 0, 55, 28 }, { 2029, 9, 24, 0, 55, 28 } },
	{ "snp/virtee_report_milan.hex", { "snp/virtee_vcek_milan.der", "snp/virtee_cert_chain_milan" },
	  SNP_PRODUCT_MILAN, false, { 2023, 4, 3, 19, 23, 43 }, { 2030, 4, 3, 19, 23, 43 } },
	{ "snp/trustee_test-vlek-report.bin", { "snp/trustee_test-vlek.der", "snp/gosev_ask_ark_milan_vlek.pem" },
	  SNP_PRODUCT_MILAN, true, { 2024, 12, 10, 22, 14, 21 }, { 2025, 12, 10, 22, 14, 21 } },
	{ "snp/mstav_genoa_attestation_report.bin",
	  { "snp/mstav_genoa_vcek.pem", "snp/mstav_genoa_ask.pem", "snp/mstav_genoa_ark.pem" },
	  SNP_PRODUCT_GENOA, false, { 2026, 2, 5, 2, 5, 7 }, { 2033, 2, 5, 2, 5, 7 } },
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

static time_t utc(const int t[6])
{
	return test_utc(t[0], t[1], t[2], t[3], t[4], t[5]);
}

static time_t inside(const struct vector *v)
{
	return utc(v->from) + (utc(v->until) - utc(v->from)) / 2;
}

static int load_vector(const struct vector *v, uint8_t raw[SNP_REPORT_SIZE], struct x509_list *certs)
{
	char err[256];

	if (snp_report_load_file(test_vector_path(v->report), raw, err, sizeof(err)) < 0) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < 3 && v->certs[i]; i++)
		if (x509_list_add_file(certs, test_vector_path(v->certs[i]), err, sizeof(err)) < 0) {
			fprintf(stderr, "  %s\n", err);
			return -1;
		}
	return 0;
}

/* Runs the verification; true when it passed. */
static bool verify(const uint8_t *raw, size_t len, const struct x509_list *certs, time_t now,
		   bool allow_sim, struct check_list *l, struct snp_verified *out)
{
	struct snp_verify_opts o = { .now = now, .allow_sim = allow_sim };

	memset(l, 0, sizeof(*l));
	return snp_verify(raw, len, certs, &o, l, out);
}

/* ---- genuine reports ------------------------------------------------------ */

static int every_vector_verifies_inside_its_window(void)
{
	static struct check_list l;
	static struct snp_verified v;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	for (size_t i = 0; i < NVECTORS; i++) {
		struct x509_list certs = { 0 };
		uint8_t raw[SNP_REPORT_SIZE];
		const char *leaf = vectors[i].vlek ? "snp.chain.vlek" : "snp.chain.vcek";

		CHECK(load_vector(&vectors[i], raw, &certs) == 0, "load %s", vectors[i].report);
		if (!verify(raw, sizeof(raw), &certs, inside(&vectors[i]), false, &l, &v))
			test_check_dump(&l);
		CHECK(check_all_passed(&l), "%s verifies", vectors[i].report);
		CHECK(test_check_passed(&l, "snp.report.signature") && test_check_passed(&l, leaf) && test_check_passed(&l, "snp.chain.ark") &&
		      test_check_passed(&l, vectors[i].vlek ? "snp.vlek.tcb" : "snp.vcek.tcb"), "%s: named checks", vectors[i].report);
		CHECK(vectors[i].vlek || test_check_passed(&l, "snp.vcek.hwid"), "hwid checked for a VCEK");
		CHECK(v.parsed && v.product == vectors[i].product && v.vlek == vectors[i].vlek && !v.simulated,
		      "%s: product %s", vectors[i].report, snp_product_name(v.product));
		CHECK(!memcmp(v.report.raw, raw, sizeof(raw)), "parsed report handed back");
		x509_list_free(&certs);
	}
	return TEST_PASS;
}

static int every_vector_fails_on_time_outside_its_window(void)
{
	static struct check_list l;
	static struct snp_verified v;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	for (size_t i = 0; i < NVECTORS; i++) {
		struct x509_list certs = { 0 };
		uint8_t raw[SNP_REPORT_SIZE];
		time_t outside[2] = { utc(vectors[i].from) - 1, utc(vectors[i].until) + 1 };

		CHECK(load_vector(&vectors[i], raw, &certs) == 0, "load");
		for (int k = 0; k < 2; k++) {
			CHECK(!verify(raw, sizeof(raw), &certs, outside[k], false, &l, &v), "%s accepted", vectors[i].report);
			/* only validity fails, and it says so */
			for (size_t c = 0; c < l.n; c++)
				CHECK(l.items[c].passed || (strstr(l.items[c].name, "validity") &&
				      (strstr(l.items[c].reason, "expired") || strstr(l.items[c].reason, "not valid before"))),
				      "%s: %s: %s", vectors[i].report, l.items[c].name, l.items[c].reason);
		}
		x509_list_free(&certs);
	}
	return TEST_PASS;
}

/* ---- tampering ------------------------------------------------------------ */

static int every_signed_bit_flip_fails_the_signature(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	struct timespec t0, t1;
	size_t flips = 0;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t bit = 0; bit < SNP_SIGNED_SIZE * 8; bit++) {
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v), "bit %zu accepted", bit);
		/*
		 * A flipped version or algorithm stops at the format check, a
		 * flipped SIGNING_KEY asks for another certificate (VLEK, none);
		 * everything else reaches the signature check and fails it.
		 */
		if (bit / 8 < 4 || (bit / 8 >= 0x34 && bit / 8 < 0x38))
			CHECK(test_check_failed(&l, "snp.report.format") || test_check_failed(&l, "snp.report.signature"),
			      "bit %zu: format", bit);
		else if (bit / 8 == 0x48 && bit % 8 >= 2 && bit % 8 <= 4)
			CHECK(test_check_failed(&l, "snp.certs") || test_check_failed(&l, "snp.report.signing_key"), "bit %zu: signer", bit);
		else
			CHECK(test_check_failed(&l, "snp.report.signature"), "bit %zu: signature check passed", bit);
		raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		flips++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "    %zu bit flips verified in %.2f s\n", flips,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK(verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v), "restored report verifies");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int r_and_s_flips_fail_the_signature(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[3], raw, &certs) == 0, "load");
	for (size_t off = SNP_SIGNED_SIZE; off < SNP_SIGNED_SIZE + 2 * SNP_SIG_COMPONENT; off++) {
		raw[off] ^= 0x01;
		CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[3]), false, &l, &v), "0x%zx accepted", off);
		CHECK(test_check_failed(&l, "snp.report.signature"), "0x%zx: signature check", off);
		raw[off] ^= 0x01;
	}
	x509_list_free(&certs);
	return TEST_PASS;
}

static int unsigned_reserved_tail_rejected_as_reserved(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	raw[0x400] = 0x5a;
	CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.report.reserved"), "reserved check fails");
	CHECK(strstr(test_check_reason(&l, "snp.report.reserved"), "0x400"), "names the byte");
	CHECK(test_check_passed(&l, "snp.report.signature"), "the tail is not signed: the signature still holds");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int reported_tcb_change_breaks_signature_and_tcb(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	raw[0x180]++;
	CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.report.signature"), "signature");
	CHECK(test_check_failed(&l, "snp.vcek.tcb"), "TCB against the VCEK");
	CHECK(strstr(test_check_reason(&l, "snp.vcek.tcb"), "bl 3"), "reason: %s", test_check_reason(&l, "snp.vcek.tcb"));
	x509_list_free(&certs);
	return TEST_PASS;
}

static int genoa_ark_for_a_milan_report_rejected(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 }, genoa = { 0 }, wrong = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	CHECK(x509_list_add_file(&genoa, test_vector_path("snp/gosev_ask_ark_genoa.pem"), err, sizeof(err)) == 2, "%s", err);
	/* Milan VCEK and ASK, Genoa ARK */
	CHECK(x509_list_add(&wrong, certs.certs[0]) == 0 && x509_list_add(&wrong, certs.certs[1]) == 0 &&
	      x509_list_add(&wrong, genoa.certs[1]) == 0, "list");
	CHECK(!verify(raw, sizeof(raw), &wrong, inside(&vectors[0]), false, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.chain.ask"), "the Milan ASK is not signed by the Genoa ARK");
	CHECK(test_check_failed(&l, "snp.chain.ask_pinned"), "the Milan ASK is not Genoa's");
	x509_list_free(&wrong);
	/* Milan VCEK, Genoa ASK and ARK */
	CHECK(x509_list_add(&wrong, certs.certs[0]) == 0 && x509_list_add(&wrong, genoa.certs[0]) == 0 &&
	      x509_list_add(&wrong, genoa.certs[1]) == 0, "list");
	CHECK(!verify(raw, sizeof(raw), &wrong, inside(&vectors[0]), false, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.chain.vcek"), "the Milan VCEK is not signed by the Genoa ASK");
	x509_list_free(&wrong);
	x509_list_free(&genoa);
	x509_list_free(&certs);
	return TEST_PASS;
}

static int unpinned_root_rejected(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 }, intel = { 0 }, wrong = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	CHECK(x509_list_add_file(&intel, test_vector_path("tdx/gotdx_trusted_root.pem"), err, sizeof(err)) == 1, "%s", err);
	CHECK(x509_list_add(&wrong, certs.certs[0]) == 0 && x509_list_add(&wrong, certs.certs[1]) == 0 &&
	      x509_list_add(&wrong, intel.certs[0]) == 0, "list");
	CHECK(!verify(raw, sizeof(raw), &wrong, inside(&vectors[0]), true, &l, &v), "accepted, even with allow_sim");
	CHECK(test_check_failed(&l, "snp.chain.ark"), "not a pinned ARK");
	CHECK(strstr(test_check_reason(&l, "snp.chain.ark"), "not a pinned AMD ARK"), "reason");
	CHECK(!v.simulated, "real report, no sim marker");
	x509_list_free(&wrong);
	x509_list_free(&intel);
	x509_list_free(&certs);
	return TEST_PASS;
}

static int tampered_trustee_vceks_rejected(void)
{
	const char *bad[] = { "snp/trustee_test-vcek-invalid-legacy.der", "snp/trustee_test-vcek-invalid-new.der" };
	const char *chains[] = { "snp/gosev_ask_ark_milan.pem", "snp/gosev_ask_ark_genoa.pem" };
	static struct check_list l;
	static struct snp_verified v;
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(snp_report_load_file(test_vector_path(vectors[0].report), raw, err, sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < 2; i++)
		for (size_t c = 0; c < 2; c++) {
			struct x509_list certs = { 0 };

			CHECK(x509_list_add_file(&certs, test_vector_path(bad[i]), err, sizeof(err)) == 1, "%s", err);
			CHECK(x509_list_add_file(&certs, test_vector_path(chains[c]), err, sizeof(err)) == 2, "%s", err);
			CHECK(!verify(raw, sizeof(raw), &certs, test_utc(2024, 6, 1, 0, 0, 0), false, &l, &v),
			      "%s with %s accepted", bad[i], chains[c]);
			CHECK(test_check_failed(&l, "snp.chain.vcek"), "%s: VCEK signature by the ASK", bad[i]);
			x509_list_free(&certs);
		}
	return TEST_PASS;
}

/* ---- missing certificates and broken input ---------------------------------- */

static int missing_vcek_names_the_kds_address(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list none = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	const char *why;
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(snp_report_load_file(test_vector_path(vectors[0].report), raw, err, sizeof(err)) == 0, "%s", err);
	CHECK(!verify(raw, sizeof(raw), &none, inside(&vectors[0]), false, &l, &v), "accepted without certificates");
	CHECK(test_check_failed(&l, "snp.certs"), "certs check");
	why = test_check_reason(&l, "snp.certs");
	/* the URL go-sev-guest's test expects for this report */
	CHECK(strstr(why, "VCEK") && strstr(why, "https://kdsintf.amd.com/vcek/v1/") &&
	      strstr(why, "/3ac3fe21e13fb099") && strstr(why, "blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68"),
	      "reason: %s", why);
	return TEST_PASS;
}

static int missing_ask_names_the_cert_chain_address(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	const char *why;
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(snp_report_load_file(test_vector_path(vectors[0].report), raw, err, sizeof(err)) == 0, "%s", err);
	CHECK(x509_list_add_file(&certs, test_vector_path("snp/gosev_vcek.testcer"), err, sizeof(err)) == 1, "%s", err);
	CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v), "accepted without ASK");
	why = test_check_reason(&l, "snp.certs");
	CHECK(test_check_failed(&l, "snp.certs") && strstr(why, "ASK certificate \"SEV-Milan\" is missing") &&
	      strstr(why, "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain"), "reason: %s", why);
	CHECK(test_check_passed(&l, "snp.report.signature"), "the signature is still reported");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int vlek_report_with_vcek_chain_says_vlek_missing(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(snp_report_load_file(test_vector_path(vectors[2].report), raw, err, sizeof(err)) == 0, "%s", err);
	CHECK(x509_list_add_file(&certs, test_vector_path("snp/gosev_vcek.testcer"), err, sizeof(err)) == 1, "%s", err);
	CHECK(!verify(raw, sizeof(raw), &certs, inside(&vectors[2]), false, &l, &v), "accepted");
	CHECK(test_check_failed(&l, "snp.certs") && strstr(test_check_reason(&l, "snp.certs"), "VLEK certificate is missing"),
	      "reason: %s", test_check_reason(&l, "snp.certs"));
	x509_list_free(&certs);
	return TEST_PASS;
}

static int the_vcek_that_signed_is_chosen_among_several(void)
{
	static struct check_list l;
	static struct snp_verified v;
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	/* another chip's VCEK (same ASK and ARK) first, then the right one */
	CHECK(x509_list_add_file(&certs, test_vector_path("snp/virtee_vcek_milan.der"), err, sizeof(err)) == 1, "%s", err);
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	if (!verify(raw, sizeof(raw), &certs, inside(&vectors[0]), false, &l, &v))
		test_check_dump(&l);
	CHECK(check_all_passed(&l), "verifies with the VCEK that signed it");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int broken_reports_rejected_cleanly(void)
{
	static struct check_list l;
	static struct snp_verified v;
	static uint8_t buf[2 * SNP_REPORT_SIZE];
	struct x509_list certs = { 0 };
	uint8_t raw[SNP_REPORT_SIZE];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load_vector(&vectors[0], raw, &certs) == 0, "load");
	memcpy(buf, raw, sizeof(raw));
	CHECK(!verify(buf, SNP_REPORT_SIZE - 1, &certs, inside(&vectors[0]), false, &l, &v), "truncated");
	CHECK(test_check_failed(&l, "snp.report.format") && !v.parsed, "format");
	CHECK(!verify(buf, sizeof(buf), &certs, inside(&vectors[0]), false, &l, &v), "oversized");
	CHECK(test_check_failed(&l, "snp.report.format"), "format");
	memset(buf, 0xa5, sizeof(buf));
	CHECK(!verify(buf, SNP_REPORT_SIZE, &certs, inside(&vectors[0]), false, &l, &v), "garbage");
	CHECK(test_check_failed(&l, "snp.report.format"), "format");
	memcpy(buf, raw, sizeof(raw));
	buf[0x34] = 2;  /* signature algorithm */
	CHECK(!verify(buf, SNP_REPORT_SIZE, &certs, inside(&vectors[0]), false, &l, &v), "algorithm 2");
	CHECK(test_check_failed(&l, "snp.report.format") && strstr(test_check_reason(&l, "snp.report.format"), "algorithm 2"), "algo");
	memcpy(buf, raw, sizeof(raw));
	buf[0x48] = 7 << 2;     /* SIGNING_KEY none */
	CHECK(!verify(buf, SNP_REPORT_SIZE, &certs, inside(&vectors[0]), false, &l, &v), "unsigned");
	CHECK(test_check_failed(&l, "snp.report.signing_key"), "signing key");
	x509_list_free(&certs);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "every_vector_verifies_inside_its_window", every_vector_verifies_inside_its_window },
	{ "every_vector_fails_on_time_outside_its_window", every_vector_fails_on_time_outside_its_window },
	{ "every_signed_bit_flip_fails_the_signature", every_signed_bit_flip_fails_the_signature },
	{ "r_and_s_flips_fail_the_signature", r_and_s_flips_fail_the_signature },
	{ "unsigned_reserved_tail_rejected_as_reserved", unsigned_reserved_tail_rejected_as_reserved },
	{ "reported_tcb_change_breaks_signature_and_tcb", reported_tcb_change_breaks_signature_and_tcb },
	{ "genoa_ark_for_a_milan_report_rejected", genoa_ark_for_a_milan_report_rejected },
	{ "unpinned_root_rejected", unpinned_root_rejected },
	{ "tampered_trustee_vceks_rejected", tampered_trustee_vceks_rejected },
	{ "missing_vcek_names_the_kds_address", missing_vcek_names_the_kds_address },
	{ "missing_ask_names_the_cert_chain_address", missing_ask_names_the_cert_chain_address },
	{ "vlek_report_with_vcek_chain_says_vlek_missing", vlek_report_with_vcek_chain_says_vlek_missing },
	{ "the_vcek_that_signed_is_chosen_among_several", the_vcek_that_signed_is_chosen_among_several },
	{ "broken_reports_rejected_cleanly", broken_reports_rejected_cleanly },
};

TEST_MAIN("snp_verify", tests)
