// SPDX-License-Identifier: MIT
/* The certificate wrapper on the real AMD and Intel certificates of the vectors in tests/data/vectors, and on broken input. */
#include <stdint.h>

#include "attest/x509.h"
#include "common/hex.h"
#include "test_vectors.h"
#include "testlib.h"

#define ARK_MILAN_SHA256 "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"
#define ASK_MILAN_SHA256 "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b"
#define INTEL_ROOT_SHA256 "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"

static int load(struct x509_list *l, const char *name)
{
	char err[256];
	int n;

	n = x509_list_add_file(l, test_vector_path(name), err, sizeof(err));
	if (n < 0)
		fprintf(stderr, "  %s\n", err);
	return n;
}

static void fingerprint(X509 *c, char hex[65])
{
	uint8_t fp[X509_SHA256_LEN];

	if (x509_sha256(c, fp) < 0)
		memset(fp, 0, sizeof(fp));
	hex_encode(fp, sizeof(fp), hex);
}

/* ---- loading ------------------------------------------------------------ */

static int der_vcek_with_zero_serial_loads(void)
{
	struct x509_list l = { 0 };
	char cn[X509_CN_MAX];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_vcek.testcer") == 1, "one DER certificate");
	CHECK(x509_subject_cn(l.certs[0], cn, sizeof(cn)) == 0 && !strcmp(cn, "SEV-VCEK"), "subject %s", cn);
	CHECK(x509_issuer_cn(l.certs[0], cn, sizeof(cn)) == 0 && !strcmp(cn, "SEV-Milan"), "issuer %s", cn);
	x509_list_free(&l);
	return TEST_PASS;
}

static int pem_bundle_loads_in_order_with_pinned_fingerprints(void)
{
	struct x509_list l = { 0 };
	char cn[X509_CN_MAX], hex[65];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_ask_ark_milan.pem") == 2, "two PEM certificates");
	CHECK(x509_subject_cn(l.certs[0], cn, sizeof(cn)) == 0 && !strcmp(cn, "SEV-Milan"), "first %s", cn);
	CHECK(x509_subject_cn(l.certs[1], cn, sizeof(cn)) == 0 && !strcmp(cn, "ARK-Milan"), "second %s", cn);
	fingerprint(l.certs[0], hex);
	CHECK(!strcmp(hex, ASK_MILAN_SHA256), "ASK fingerprint %s", hex);
	fingerprint(l.certs[1], hex);
	CHECK(!strcmp(hex, ARK_MILAN_SHA256), "ARK fingerprint %s", hex);
	CHECK(x509_list_find_cn(&l, "ARK-Milan") == l.certs[1], "found by CN");
	CHECK(x509_list_find_cn(&l, "ARK-Genoa") == NULL, "absent CN");
	x509_list_free(&l);
	return TEST_PASS;
}

static int files_append_to_one_list(void)
{
	struct x509_list l = { 0 };

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/mstav_genoa_vcek.pem") == 1, "single PEM");
	CHECK(load(&l, "snp/mstav_genoa_ask.pem") == 1, "single PEM");
	CHECK(load(&l, "snp/mstav_genoa_ark.pem") == 1, "single PEM");
	CHECK(l.n == 3, "three certificates, got %zu", l.n);
	x509_list_free(&l);
	CHECK(l.n == 0, "freed list is empty");
	return TEST_PASS;
}

/* ---- signatures and time ------------------------------------------------ */

static int milan_chain_signatures_verify_rsa_pss(void)
{
	struct x509_list l = { 0 };
	char why[200];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_vcek.testcer") == 1 && load(&l, "snp/gosev_ask_ark_milan.pem") == 2, "load");
	CHECK(x509_signed_by(l.certs[0], l.certs[1], why, sizeof(why)), "VCEK <- ASK: %s", why);
	CHECK(x509_signed_by(l.certs[1], l.certs[2], why, sizeof(why)), "ASK <- ARK: %s", why);
	CHECK(x509_signed_by(l.certs[2], l.certs[2], why, sizeof(why)), "ARK self-signed: %s", why);
	CHECK(!x509_signed_by(l.certs[0], l.certs[2], why, sizeof(why)), "VCEK is not signed by the ARK");
	CHECK(strstr(why, "does not verify"), "reason: %s", why);
	x509_list_free(&l);
	return TEST_PASS;
}

static int genoa_ask_does_not_sign_milan_vcek(void)
{
	struct x509_list l = { 0 };
	char why[200];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_vcek.testcer") == 1 && load(&l, "snp/gosev_ask_ark_genoa.pem") == 2, "load");
	CHECK(!x509_signed_by(l.certs[0], l.certs[1], why, sizeof(why)), "Milan VCEK against Genoa ASK");
	x509_list_free(&l);
	return TEST_PASS;
}

static int tampered_trustee_vceks_parse_but_do_not_verify(void)
{
	const char *bad[] = { "snp/trustee_test-vcek-invalid-legacy.der",
			      "snp/trustee_test-vcek-invalid-new.der" };
	struct x509_list asks = { 0 };
	char why[200];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&asks, "snp/gosev_ask_ark_milan.pem") == 2 && load(&asks, "snp/gosev_ask_ark_genoa.pem") == 2, "load");
	for (size_t i = 0; i < 2; i++) {
		struct x509_list l = { 0 };

		CHECK(load(&l, bad[i]) == 1, "%s parses", bad[i]);
		CHECK(!x509_signed_by(l.certs[0], asks.certs[0], why, sizeof(why)), "%s vs Milan ASK", bad[i]);
		CHECK(!x509_signed_by(l.certs[0], asks.certs[2], why, sizeof(why)), "%s vs Genoa ASK", bad[i]);
		x509_list_free(&l);
	}
	x509_list_free(&asks);
	return TEST_PASS;
}

static int intel_root_is_ecdsa_self_signed_and_pinned(void)
{
	struct x509_list l = { 0 };
	char why[200], hex[65];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "tdx/gotdx_trusted_root.pem") == 1, "load");
	CHECK(x509_signed_by(l.certs[0], l.certs[0], why, sizeof(why)), "self-signed: %s", why);
	fingerprint(l.certs[0], hex);
	CHECK(!strcmp(hex, INTEL_ROOT_SHA256), "fingerprint %s", hex);
	x509_list_free(&l);
	return TEST_PASS;
}

static int validity_at_injected_time(void)
{
	struct x509_list l = { 0 };
	time_t nb, na;
	char why[200];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_vcek.testcer") == 1, "load");
	CHECK(x509_validity(l.certs[0], &nb, &na) == 0, "dates");
	CHECK(nb == test_utc(2022, 9, 24, 0, 55, 28), "notBefore %lld", (long long)nb);
	CHECK(na == test_utc(2029, 9, 24, 0, 55, 28), "notAfter %lld", (long long)na);
	CHECK(x509_valid_at(l.certs[0], test_utc(2022, 9, 24, 1, 0, 0), why, sizeof(why)), "%s", why);
	CHECK(!x509_valid_at(l.certs[0], nb - 1, why, sizeof(why)), "one second early");
	CHECK(strstr(why, "not valid before 2022-09-24T00:55:28Z"), "reason: %s", why);
	CHECK(!x509_valid_at(l.certs[0], na + 1, why, sizeof(why)), "one second late");
	CHECK(strstr(why, "expired at 2029-09-24T00:55:28Z"), "reason: %s", why);
	x509_list_free(&l);
	return TEST_PASS;
}

static int amd_extensions_read_as_der(void)
{
	static const uint8_t product[] = { 0x16, 0x08, 'M', 'i', 'l', 'a', 'n', '-', 'B', '0' };
	struct x509_list l = { 0 };
	const uint8_t *v;
	size_t len;
	char hex[129];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	CHECK(load(&l, "snp/gosev_vcek.testcer") == 1, "load");
	CHECK(x509_extension(l.certs[0], "1.3.6.1.4.1.3704.1.2", &v, &len) == 0, "product name");
	CHECK(len == sizeof(product) && !memcmp(v, product, len), "product name bytes");
	CHECK(x509_extension(l.certs[0], "1.3.6.1.4.1.3704.1.4", &v, &len) == 0 && len == 64, "hwid raw 64 bytes");
	hex_encode(v, 4, hex);
	CHECK(!strcmp(hex, "3ac3fe21"), "hwid starts %s", hex);
	CHECK(x509_extension(l.certs[0], "1.3.6.1.4.1.3704.1.5", &v, &len) == 1, "no csp_id on a VCEK");
	CHECK(x509_extension(l.certs[0], "not an oid", &v, &len) == -1, "bad OID");
	x509_list_free(&l);
	return TEST_PASS;
}

/* The lines `openssl s_client -showcerts` writes before each certificate start with '0'. */
static int pem_after_text_starting_with_zero_loads(void)
{
	static const char lead[] = "0 s:CN = SEV-Milan\n   i:CN = ARK-Milan\n";
	struct x509_list l = { 0 };
	char err[256] = "", cn[X509_CN_MAX];
	uint8_t *pem, *buf;
	size_t len;
	int n;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	pem = test_read_vector("snp/gosev_ask_ark_milan.pem", &len);
	buf = pem ? malloc(sizeof(lead) - 1 + len) : NULL;
	CHECK(buf, "read");
	memcpy(buf, lead, sizeof(lead) - 1);
	memcpy(buf + sizeof(lead) - 1, pem, len);
	n = x509_list_add_buffer(&l, buf, sizeof(lead) - 1 + len, err, sizeof(err));
	free(buf);
	free(pem);
	CHECK(n == 2, "PEM after a line starting with '0' read as %d certificates: %s", n, err);
	CHECK(x509_subject_cn(l.certs[0], cn, sizeof(cn)) == 0 && !strcmp(cn, "SEV-Milan"), "first %s", cn);
	x509_list_free(&l);
	return TEST_PASS;
}

/* ---- broken input -------------------------------------------------------- */

static int expect_reject(const void *buf, size_t len, const char *want)
{
	struct x509_list l = { 0 };
	char err[256] = "";

	if (x509_list_add_buffer(&l, buf, len, err, sizeof(err)) != -1 || l.n != 0) {
		fprintf(stderr, "  accepted %zu bytes\n", len);
		x509_list_free(&l);
		return -1;
	}
	if (!strstr(err, want)) {
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, want);
		return -1;
	}
	return 0;
}

static int truncated_der_rejected(void)
{
	uint8_t *der;
	size_t len;
	int rc = 0;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	der = test_read_vector("snp/virtee_vcek_milan.der", &len);
	CHECK(der, "read");
	for (size_t cut = 1; cut < len && rc == 0; cut += 37)
		rc = expect_reject(der, cut, "DER");
	free(der);
	CHECK(rc == 0, "every truncation rejected");
	return TEST_PASS;
}

static int der_with_trailing_bytes_rejected(void)
{
	uint8_t *der, *big;
	size_t len;
	int rc;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	der = test_read_vector("snp/virtee_vcek_milan.der", &len);
	CHECK(der, "read");
	big = calloc(1, len + 3);
	CHECK(big, "alloc");
	memcpy(big, der, len);
	rc = expect_reject(big, len + 3, "3 bytes follow");
	free(big);
	free(der);
	CHECK(rc == 0, "trailing bytes");
	return TEST_PASS;
}

static int truncated_pem_rejected(void)
{
	uint8_t *pem;
	size_t len;
	int rc;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	pem = test_read_vector("snp/gosev_ask_ark_milan.pem", &len);
	CHECK(pem, "read");
	/* the second certificate cut in its middle */
	rc = expect_reject(pem, len - 500, "PEM certificate 2 is malformed");
	free(pem);
	CHECK(rc == 0, "truncated bundle");
	return TEST_PASS;
}

static int garbage_empty_and_oversized_rejected(void)
{
	static const char text[] = "hello, this is not a certificate\n";
	static const uint8_t seq[] = { 0x30, 0x82, 0xff, 0xff, 0x01 };
	uint8_t *huge = calloc(1, X509_INPUT_MAX + 1);

	CHECK(huge, "alloc");
	CHECK(expect_reject(text, sizeof(text) - 1, "neither a DER certificate nor PEM") == 0, "text");
	CHECK(expect_reject(seq, sizeof(seq), "not a DER X.509 certificate") == 0, "bad DER");
	CHECK(expect_reject(text, 0, "empty") == 0, "empty");
	huge[0] = 0x30;
	CHECK(expect_reject(huge, X509_INPUT_MAX + 1, "larger than") == 0, "oversized");
	free(huge);
	return TEST_PASS;
}

static int missing_file_named_in_error(void)
{
	struct x509_list l = { 0 };
	char err[256];

	CHECK(x509_list_add_file(&l, "/nonexistent/kettle.pem", err, sizeof(err)) == -1, "missing file");
	CHECK(strstr(err, "/nonexistent/kettle.pem"), "error names the path: %s", err);
	return TEST_PASS;
}

static int full_list_rejects_more(void)
{
	struct x509_list l = { 0 };
	uint8_t *der;
	size_t len;
	char err[256];

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	der = test_read_vector("snp/virtee_vcek_milan.der", &len);
	CHECK(der, "read");
	for (int i = 0; i < X509_LIST_MAX; i++)
		CHECK(x509_list_add_buffer(&l, der, len, err, sizeof(err)) == 1, "%d: %s", i, err);
	CHECK(x509_list_add_buffer(&l, der, len, err, sizeof(err)) == -1, "17th refused");
	CHECK(l.n == X509_LIST_MAX, "list unchanged");
	free(der);
	x509_list_free(&l);
	return TEST_PASS;
}

/* "SEV\0VCEK" must not pass as "SEV": a name with a NUL is refused and nothing of it handed back. */
static int common_name_with_nul_refused_whole(void)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	char cn[X509_CN_MAX] = "unchanged";

	CHECK(x && name && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						      (const unsigned char *)"Kettle SIM \0ARK", 15, -1, 0) == 1 &&
	      X509_set_subject_name(x, name) == 1, "certificate");
	CHECK(x509_subject_cn(x, cn, sizeof(cn)) == -1, "a CN with a NUL accepted as '%s'", cn);
	CHECK(cn[0] == '\0', "part of the name handed back: '%s'", cn);
	X509_NAME_free(name);
	X509_free(x);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "der_vcek_with_zero_serial_loads", der_vcek_with_zero_serial_loads },
	{ "pem_bundle_loads_in_order_with_pinned_fingerprints", pem_bundle_loads_in_order_with_pinned_fingerprints },
	{ "files_append_to_one_list", files_append_to_one_list },
	{ "milan_chain_signatures_verify_rsa_pss", milan_chain_signatures_verify_rsa_pss },
	{ "genoa_ask_does_not_sign_milan_vcek", genoa_ask_does_not_sign_milan_vcek },
	{ "tampered_trustee_vceks_parse_but_do_not_verify", tampered_trustee_vceks_parse_but_do_not_verify },
	{ "intel_root_is_ecdsa_self_signed_and_pinned", intel_root_is_ecdsa_self_signed_and_pinned },
	{ "validity_at_injected_time", validity_at_injected_time },
	{ "amd_extensions_read_as_der", amd_extensions_read_as_der },
	{ "pem_after_text_starting_with_zero_loads", pem_after_text_starting_with_zero_loads },
	{ "truncated_der_rejected", truncated_der_rejected },
	{ "der_with_trailing_bytes_rejected", der_with_trailing_bytes_rejected },
	{ "truncated_pem_rejected", truncated_pem_rejected },
	{ "garbage_empty_and_oversized_rejected", garbage_empty_and_oversized_rejected },
	{ "missing_file_named_in_error", missing_file_named_in_error },
	{ "full_list_rejects_more", full_list_rejects_more },
	{ "common_name_with_nul_refused_whole", common_name_with_nul_refused_whole },
};

TEST_MAIN("x509", tests)
