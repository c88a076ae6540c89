// SPDX-License-Identifier: MIT
/*
 * TDX quote verification against the real quotes of the vectors in tests/data/vectors:
 * each verifies inside its certificate window (VECTORS.md) with the PCK
 * facts read back (FMSPC, PCE-ID; cross-checked with `openssl asn1parse` of
 * the quote's first PEM certificate: .13.1.4 = 0406 50806f000000, .13.1.3 =
 * 0402 0000, .13.1.2.17 = 0x0b), and every tampering is caught by the check
 * that should catch it.
 */
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/tdx_verify.h"
#include "check_lookup.h"
#include "test_vectors.h"
#include "testlib.h"

#define SPR "tdx/gotdx_tdx_prod_quote_SPR_E4.dat"
#define V5  "tdx/gotdx_quote_v5_sample.dat"

static time_t spr_now(void) { return test_utc(2023, 7, 1, 1, 0, 0); }
static time_t v5_now(void)  { return test_utc(2026, 2, 3, 1, 0, 0); }

/* Verifies BUF at NOW into L; returns whether everything passed. */
static bool verify(const uint8_t *buf, size_t len, const struct x509_list *extra, time_t now,
		   struct check_list *l, struct tdx_verified *v)
{
	struct tdx_quote q;

	memset(l, 0, sizeof(*l));
	return tdx_verify_quote_bytes(buf, len, extra, now, l, &q, v);
}

enum { VERIFIED = 1, REFUSED = 0, NO_VECTORS = -1 };

/* Verifies vector NAME at NOW with byte OFF xor-ed by FLIP (0: unchanged): VERIFIED, REFUSED or NO_VECTORS. */
static int verify_vector(const char *name, size_t off, uint8_t flip, time_t now, struct check_list *l,
			 struct tdx_verified *v)
{
	size_t len;
	uint8_t *buf = test_read_vector(name, &len);
	bool ok;

	if (!buf)
		return NO_VECTORS;
	if (off < len)
		buf[off] ^= flip;
	ok = verify(buf, len, NULL, now, l, v);
	free(buf);
	return ok ? VERIFIED : REFUSED;
}

static int test_spr_verifies_in_window(void)
{
	struct check_list l;
	struct tdx_verified v;
	char nb[32], na[32];
	int rc = verify_vector(SPR, 0, 0, spr_now(), &l, &v);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	if (rc != VERIFIED)
		test_check_dump(&l);
	CHECK(rc == VERIFIED && check_all_passed(&l), "the SPR E4 quote did not verify");
	CHECK(strstr(test_check_reason(&l, "tdx.quote.structure"), "39 bytes after the signature data"),
	      "trailing bytes not reported: %s", test_check_reason(&l, "tdx.quote.structure"));
	CHECK(v.have_pck, "no PCK facts");
	CHECK(memcmp(v.pck.fmspc, "\x50\x80\x6f\x00\x00\x00", 6) == 0, "FMSPC");
	CHECK(memcmp(v.pck.pce_id, "\x00\x00", 2) == 0, "PCE-ID");
	CHECK(v.pck.pce_svn == 11, "PCESVN %u", v.pck.pce_svn);
	CHECK(memcmp(v.pck.cpu_svn, "\x03\x03\x02\x02\x02\x01\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00", 16) == 0, "CPUSVN");
	CHECK(strcmp(v.pck_issuer_cn, "Intel SGX PCK Platform CA") == 0, "issuer %s", v.pck_issuer_cn);
	x509_time_str(v.chain_not_before, nb, sizeof(nb));
	x509_time_str(v.chain_not_after, na, sizeof(na));
	CHECK(strcmp(nb, "2022-09-20T13:20:31Z") == 0 && strcmp(na, "2029-09-20T13:20:31Z") == 0,
	      "window %s..%s", nb, na);
	CHECK(check_find(&l, "tdx.collateral") && check_find(&l, "tdx.collateral")->note, "collateral not noted");
	return TEST_PASS;
}

static int test_v5_verifies_in_window(void)
{
	struct check_list l;
	struct tdx_verified v;
	char nb[32], na[32];
	int rc = verify_vector(V5, 0, 0, v5_now(), &l, &v);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	if (rc != VERIFIED)
		test_check_dump(&l);
	CHECK(rc == VERIFIED, "the v5 quote did not verify");
	CHECK(memcmp(v.pck.fmspc, "\x90\xc0\x6f\x00\x00\x00", 6) == 0, "FMSPC");
	CHECK(memcmp(v.pck.pce_id, "\x00\x00", 2) == 0, "PCE-ID");
	x509_time_str(v.chain_not_before, nb, sizeof(nb));
	x509_time_str(v.chain_not_after, na, sizeof(na));
	CHECK(strcmp(nb, "2026-01-27T14:36:27Z") == 0 && strcmp(na, "2033-01-27T14:36:27Z") == 0,
	      "window %s..%s", nb, na);
	return TEST_PASS;
}

static int test_after_window_fails_on_time(void)
{
	struct check_list l;
	int rc = verify_vector(SPR, 0, 0, test_utc(2053, 7, 1, 1, 0, 0), &l, NULL);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED, "verified in 2053");
	CHECK(test_check_failed(&l, "tdx.pck.leaf.validity") && strstr(test_check_reason(&l, "tdx.pck.leaf.validity"), "2029-09-20"),
	      "leaf validity not the failure");
	CHECK(test_check_passed(&l, "tdx.quote.signature") && test_check_passed(&l, "tdx.qe_report.signature") &&
	      test_check_passed(&l, "tdx.pck.root_pinned"), "a signature check failed on time alone");
	return TEST_PASS;
}

static int test_before_window_fails_on_time(void)
{
	struct check_list l;
	/* one second before the v5 PCK leaf's notBefore */
	int rc = verify_vector(V5, 0, 0, test_utc(2026, 1, 27, 14, 36, 26), &l, NULL);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED && test_check_failed(&l, "tdx.pck.leaf.validity"), "verified before the leaf's notBefore");
	CHECK(test_check_passed(&l, "tdx.pck.root.validity"), "root should be valid then");
	return TEST_PASS;
}

/* VECTORS.md: flipping report_data[0] (0x238) breaks the quote signature and nothing else. */
static int test_report_data_flip_fails_quote_signature(void)
{
	struct check_list l;
	int rc = verify_vector(SPR, 0x238, 0x01, spr_now(), &l, NULL);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED && test_check_failed(&l, "tdx.quote.signature"), "report_data flip not caught");
	CHECK(check_first_failure(&l) == check_find(&l, "tdx.quote.signature"), "another check failed first");
	CHECK(test_check_passed(&l, "tdx.qe_report.signature") && test_check_passed(&l, "tdx.pck.leaf_signature"), "collateral damage");
	return TEST_PASS;
}

/* A flip of any bit of the signed region (header + descriptor + body) is refused: by the parser or the signature. */
static int test_every_signed_byte_flip_refused(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(V5, &len);
	struct check_list l;

	if (!buf)
		return test_fail_no_vectors();
	for (size_t i = 0; i < 702; i++) {
		uint8_t bit = (uint8_t)(1u << (i % 8));

		buf[i] ^= bit;
		if (verify(buf, len, NULL, v5_now(), &l, NULL) ||
		    !(test_check_failed(&l, "tdx.quote.signature") || test_check_failed(&l, "tdx.quote.structure"))) {
			fprintf(stderr, "  flip at 0x%zx not refused by signature or structure\n", i);
			test_check_dump(&l);
			free(buf);
			return TEST_FAIL;
		}
		buf[i] ^= bit;
	}
	free(buf);
	return TEST_PASS;
}

/* VECTORS.md: a corrupted signed-data length at 0x278 is refused by the length checks, before any signature work. */
static int test_corrupt_length_refused_before_signatures(void)
{
	struct check_list l;
	int rc = verify_vector(SPR, 0x279, 0x40, spr_now(), &l, NULL);      /* 4299 -> 20683: past the end */

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED && l.n == 1 && test_check_failed(&l, "tdx.quote.structure"), "not stopped at the structure check");
	CHECK(strstr(l.items[0].reason, "length") && strstr(l.items[0].reason, "0x278"), "reason: %s", l.items[0].reason);
	CHECK(!check_find(&l, "tdx.quote.signature"), "signature work done on a bad length");
	return TEST_PASS;
}

/* Every byte of the QE report is covered by the PCK's signature. */
static int test_every_qe_report_flip_fails_qe_signature(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(SPR, &len);
	size_t qe = 0x278 + 4 + 64 + 64 + 6;
	struct check_list l;

	if (!buf)
		return test_fail_no_vectors();
	for (size_t i = qe; i < qe + 384 + 64; i++) {       /* the report and its signature */
		buf[i] ^= 0x80;
		if (verify(buf, len, NULL, spr_now(), &l, NULL) || !test_check_failed(&l, "tdx.qe_report.signature")) {
			fprintf(stderr, "  QE report flip at 0x%zx not caught\n", i);
			test_check_dump(&l);
			free(buf);
			return TEST_FAIL;
		}
		CHECK(test_check_passed(&l, "tdx.quote.signature"), "quote signature should not depend on the QE report");
		buf[i] ^= 0x80;
	}
	free(buf);
	return TEST_PASS;
}

/* A quoting enclave in debug mode lets the host read its attestation key: its identity is refused. */
static int test_debug_quoting_enclave_refused(void)
{
	struct check_list l;
	/* the QE report's attributes (offset 48): flags byte 0, bit 1 = DEBUG */
	int rc = verify_vector(SPR, 0x278 + 4 + 134 + 48, 0x02, spr_now(), &l, NULL);
	const struct check_result *c;

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	c = check_find(&l, "tdx.qe_report.identity");
	CHECK(rc == REFUSED && c && !c->passed, "a debug quoting enclave passed its identity check");
	CHECK(strstr(c->reason, "debug"), "reason: %s", c->reason);
	return TEST_PASS;
}

static int test_attestation_key_flip_breaks_binding(void)
{
	struct check_list l;
	/* last byte of the key's x coordinate */
	int rc = verify_vector(SPR, 0x278 + 4 + 64 + 63, 0x01, spr_now(), &l, NULL);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED && test_check_failed(&l, "tdx.quote.signature") && test_check_failed(&l, "tdx.qe_report.binding"),
	      "key swap not caught");
	return TEST_PASS;
}

/* A failure is told by its check; an OpenSSL error left queued would be quoted by a later, unrelated message. */
static int test_failures_leave_no_openssl_error(void)
{
	/* report_data, attestation key, a base64 character of the PCK certificate (its PEM starts at 0x4ea) */
	static const size_t offsets[] = { 0x238, 0x278 + 4 + 64 + 63, 0x85a };
	struct check_list l;

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		unsigned long e;
		int rc;

		ERR_clear_error();
		rc = verify_vector(SPR, offsets[i], 0x01, spr_now(), &l, NULL);
		if (rc == NO_VECTORS)
			return test_fail_no_vectors();
		e = ERR_peek_error();
		CHECK(rc == REFUSED, "flip at 0x%zx not caught", offsets[i]);
		CHECK(e == 0, "flip at 0x%zx left OpenSSL error \"%s\" queued", offsets[i], ERR_reason_error_string(e));
	}
	return TEST_PASS;
}

static int test_qe_auth_data_flip_breaks_binding(void)
{
	struct check_list l;
	/* first QE auth data byte */
	int rc = verify_vector(SPR, 0x278 + 4 + 134 + 384 + 64 + 2, 0x01, spr_now(), &l, NULL);

	if (rc == NO_VECTORS)
		return test_fail_no_vectors();
	CHECK(rc == REFUSED && test_check_failed(&l, "tdx.qe_report.binding") && test_check_passed(&l, "tdx.qe_report.signature"),
	      "auth data change not caught by the binding");
	return TEST_PASS;
}

/*
 * A copy of quote Q with its inner certification data replaced by TYPE and
 * DATA (LEN bytes), the three lengths around it fixed up -- none of them is
 * signed, so this is what an attacker can do freely.
 */
static uint8_t *replace_pck_data(const struct tdx_quote *q, uint16_t type, const void *data, size_t len, size_t *outlen)
{
	size_t head = (size_t)(q->pck_data - q->raw);
	uint8_t *out = malloc(head + len);
	uint32_t sig_len = (uint32_t)(q->sig_data_len - q->pck_data_size + len);
	uint32_t cert_len = (uint32_t)(q->cert_data_size - q->pck_data_size + len);
	uint8_t *p;

	if (!out)
		return NULL;
	memcpy(out, q->raw, head);
	memcpy(out + head, data, len);
	p = out + q->sig_data_len_offset;
	memcpy(p, &sig_len, 4);
	memcpy(p + 4 + 128 + 2, &cert_len, 4);
	memcpy(out + head - 6, &type, 2);
	memcpy(out + head - 4, &(uint32_t){ (uint32_t)len }, 4);
	*outlen = head + len;
	return out;
}

static int pem_of(X509 *const *certs, size_t n, char **pem, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long l;

	if (!b)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (PEM_write_bio_X509(b, certs[i]) != 1) {
			BIO_free(b);
			return -1;
		}
	l = BIO_get_mem_data(b, &data);
	*pem = malloc((size_t)l);
	if (!*pem) {
		BIO_free(b);
		return -1;
	}
	memcpy(*pem, data, (size_t)l);
	*len = (size_t)l;
	BIO_free(b);
	return 0;
}

/* A self-signed P-256 CA with the real root's name, and the intermediate re-signed by it. */
static int forge_root(X509 *real_root, X509 *inter, X509 **fake_root, X509 **fake_inter)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *r = X509_new(), *i = X509_dup(inter);
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	int ok = key && r && i && bc && X509_set_version(r, X509_VERSION_3) == 1 &&
		 ASN1_INTEGER_set(X509_get_serialNumber(r), 7) == 1 &&
		 X509_set_subject_name(r, X509_get_subject_name(real_root)) == 1 &&
		 X509_set_issuer_name(r, X509_get_subject_name(real_root)) == 1 &&
		 X509_time_adj_ex(X509_getm_notBefore(r), -3650, 0, NULL) &&
		 X509_time_adj_ex(X509_getm_notAfter(r), 36500, 0, NULL) &&
		 X509_set_pubkey(r, key) == 1 && X509_add_ext(r, bc, -1) == 1 &&
		 X509_sign(r, key, EVP_sha256()) > 0 && X509_sign(i, key, EVP_sha256()) > 0;

	X509_EXTENSION_free(bc);
	EVP_PKEY_free(key);
	if (!ok) {
		X509_free(r);
		X509_free(i);
		return -1;
	}
	*fake_root = r;
	*fake_inter = i;
	return 0;
}

static int test_wrong_root_rejected_by_pin(void)
{
	size_t len, pemlen, forged_len;
	uint8_t *buf = test_read_vector(SPR, &len), *forged = NULL;
	struct x509_list chain = { 0 };
	struct tdx_quote q;
	struct check_list l;
	X509 *certs[3] = { NULL, NULL, NULL };
	char err[256], *pem = NULL;
	int rc = TEST_FAIL;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0 || tdx_quote_certs(&q, &chain, err, sizeof(err)) != 3)
		goto out;
	certs[0] = x509_list_find_cn(&chain, "Intel SGX PCK Certificate");
	if (!certs[0] || forge_root(x509_list_find_cn(&chain, "Intel SGX Root CA"),
				    x509_list_find_cn(&chain, "Intel SGX PCK Platform CA"), &certs[2], &certs[1]) != 0)
		goto out;
	if (pem_of(certs, 3, &pem, &pemlen) != 0 ||
	    !(forged = replace_pck_data(&q, TDX_CERT_PCK_CHAIN, pem, pemlen, &forged_len)))
		goto out;
	if (verify(forged, forged_len, NULL, spr_now(), &l, NULL)) {
		fprintf(stderr, "  a forged root was accepted\n");
		goto out;
	}
	if (!test_check_failed(&l, "tdx.pck.root_pinned") || !test_check_passed(&l, "tdx.pck.intermediate_signature") ||
	    !test_check_passed(&l, "tdx.pck.leaf_signature") || !test_check_passed(&l, "tdx.quote.signature")) {
		fprintf(stderr, "  the pin is not what refused the forged root\n");
		test_check_dump(&l);
		goto out;
	}
	rc = TEST_PASS;
out:
	X509_free(certs[1]);
	X509_free(certs[2]);
	x509_list_free(&chain);
	free(pem);
	free(forged);
	free(buf);
	return rc;
}

/* A quote without its chain names Intel PCS; the same chain given by the caller makes it verify. */
static int test_missing_chain_says_where_to_get_it(void)
{
	size_t len, stripped_len;
	uint8_t *buf = test_read_vector(SPR, &len), *stripped = NULL;
	static const uint8_t ppid_and_svns[16 + 2 + 2 + 2 + 384] = { 1 };
	struct x509_list chain = { 0 };
	struct tdx_quote q;
	struct check_list l;
	const struct check_result *leaf;
	char err[256];
	int rc = TEST_FAIL;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0 || tdx_quote_certs(&q, &chain, err, sizeof(err)) != 3 ||
	    !(stripped = replace_pck_data(&q, TDX_CERT_PPID_RSA3072, ppid_and_svns, sizeof(ppid_and_svns), &stripped_len)))
		goto out;
	if (verify(stripped, stripped_len, NULL, spr_now(), &l, NULL) || !(leaf = check_find(&l, "tdx.pck.leaf")) ||
	    leaf->passed || !strstr(leaf->reason, "api.trustedservices.intel.com") || !strstr(leaf->reason, "type 3")) {
		fprintf(stderr, "  a quote without a chain was not refused with the PCS hint\n");
		test_check_dump(&l);
		goto out;
	}
	if (!verify(stripped, stripped_len, &chain, spr_now(), &l, NULL)) {
		fprintf(stderr, "  the chain given by the caller was not used\n");
		test_check_dump(&l);
		goto out;
	}
	rc = TEST_PASS;
out:
	x509_list_free(&chain);
	free(stripped);
	free(buf);
	return rc;
}

/* Given PCK certificates of two platforms, the one whose key signed the QE report is the leaf. */
static int test_picks_the_pck_that_signed_the_qe_report(void)
{
	size_t len, v5len, stripped_len;
	uint8_t *buf = test_read_vector(SPR, &len), *v5 = test_read_vector(V5, &v5len), *stripped = NULL;
	static const uint8_t ppid_and_svns[16 + 2 + 2 + 2 + 384] = { 1 };
	struct x509_list certs = { 0 };
	struct tdx_quote q, q5;
	struct check_list l;
	char err[256];
	int rc = TEST_FAIL;

	if (!buf || !v5) {
		free(buf);
		free(v5);
		return test_fail_no_vectors();
	}
	/* the other platform's chain first, then this one's */
	if (tdx_quote_parse(v5, v5len, &q5, err, sizeof(err)) != 0 || tdx_quote_certs(&q5, &certs, err, sizeof(err)) != 3 ||
	    tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0 || tdx_quote_certs(&q, &certs, err, sizeof(err)) != 3 ||
	    !(stripped = replace_pck_data(&q, TDX_CERT_PPID_RSA3072, ppid_and_svns, sizeof(ppid_and_svns), &stripped_len)))
		goto out;
	if (!verify(stripped, stripped_len, &certs, spr_now(), &l, NULL)) {
		fprintf(stderr, "  the right PCK among several was not found\n");
		test_check_dump(&l);
		goto out;
	}
	rc = TEST_PASS;
out:
	x509_list_free(&certs);
	free(stripped);
	free(buf);
	free(v5);
	return rc;
}

static int test_missing_intermediate_named(void)
{
	size_t len, pemlen, leaf_only_len;
	uint8_t *buf = test_read_vector(V5, &len), *leaf_only = NULL;
	struct x509_list chain = { 0 };
	struct tdx_quote q;
	struct check_list l;
	X509 *leaf;
	char err[256], *pem = NULL;
	int rc = TEST_FAIL;

	if (!buf)
		return test_fail_no_vectors();
	if (tdx_quote_parse(buf, len, &q, err, sizeof(err)) != 0 || tdx_quote_certs(&q, &chain, err, sizeof(err)) != 3 ||
	    !(leaf = x509_list_find_cn(&chain, "Intel SGX PCK Certificate")) || pem_of(&leaf, 1, &pem, &pemlen) != 0 ||
	    !(leaf_only = replace_pck_data(&q, TDX_CERT_PCK_LEAF, pem, pemlen, &leaf_only_len)))
		goto out;
	if (verify(leaf_only, leaf_only_len, NULL, v5_now(), &l, NULL) || !test_check_failed(&l, "tdx.pck.intermediate") ||
	    !strstr(test_check_reason(&l, "tdx.pck.intermediate"), "Intel SGX PCK Platform CA") ||
	    !test_check_passed(&l, "tdx.qe_report.signature")) {
		fprintf(stderr, "  missing intermediate not named\n");
		test_check_dump(&l);
		goto out;
	}
	rc = TEST_PASS;
out:
	x509_list_free(&chain);
	free(pem);
	free(leaf_only);
	free(buf);
	return rc;
}

static int test_truncated_and_garbage_verify_cleanly(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(SPR, &len);
	struct check_list l;

	if (!buf)
		return test_fail_no_vectors();
	/* the 39 trailing bytes are unsigned: every cut inside the signature data or before must fail */
	for (size_t n = 0; n < len - 39; n += 37) {
		uint8_t *cut = malloc(n ? n : 1);

		if (!cut)
			break;
		memcpy(cut, buf, n);
		if (verify(cut, n, NULL, spr_now(), &l, NULL) || !test_check_failed(&l, "tdx.quote.structure")) {
			fprintf(stderr, "  cut at %zu bytes not refused as structure\n", n);
			free(cut);
			free(buf);
			return TEST_FAIL;
		}
		free(cut);
	}
	/* garbage certificates inside a well-formed quote */
	memset(buf + 0x278 + 4 + 134 + 384 + 64 + 2 + 32 + 6 + 30, 'A', 200);
	CHECK(!verify(buf, len, NULL, spr_now(), &l, NULL) && test_check_failed(&l, "tdx.pck.leaf"), "garbage PEM accepted");
	free(buf);
	return TEST_PASS;
}

static int test_verified_json(void)
{
	size_t len;
	uint8_t *buf = test_read_vector(SPR, &len);
	struct check_list l;
	struct tdx_verified v;
	json_t *j;
	const char *fmspc, *nb;

	if (!buf)
		return test_fail_no_vectors();
	verify(buf, len, NULL, spr_now(), &l, &v);
	free(buf);
	j = tdx_verified_to_json(&v);
	CHECK(j, "no json");
	fmspc = json_string_value(json_object_get(json_object_get(j, "pck"), "fmspc"));
	nb = json_string_value(json_object_get(j, "chain_not_before"));
	CHECK(fmspc && strcmp(fmspc, "50806f000000") == 0 && nb && strcmp(nb, "2022-09-20T13:20:31Z") == 0,
	      "json fmspc %s nb %s", fmspc ? fmspc : "-", nb ? nb : "-");
	json_decref(j);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "spr_verifies_in_window", test_spr_verifies_in_window },
	{ "v5_verifies_in_window", test_v5_verifies_in_window },
	{ "after_window_fails_on_time", test_after_window_fails_on_time },
	{ "before_window_fails_on_time", test_before_window_fails_on_time },
	{ "report_data_flip_fails_quote_signature", test_report_data_flip_fails_quote_signature },
	{ "every_signed_byte_flip_refused", test_every_signed_byte_flip_refused },
	{ "corrupt_length_refused_before_signatures", test_corrupt_length_refused_before_signatures },
	{ "every_qe_report_flip_fails_qe_signature", test_every_qe_report_flip_fails_qe_signature },
	{ "debug_quoting_enclave_refused", test_debug_quoting_enclave_refused },
	{ "attestation_key_flip_breaks_binding", test_attestation_key_flip_breaks_binding },
	{ "failures_leave_no_openssl_error", test_failures_leave_no_openssl_error },
	{ "qe_auth_data_flip_breaks_binding", test_qe_auth_data_flip_breaks_binding },
	{ "wrong_root_rejected_by_pin", test_wrong_root_rejected_by_pin },
	{ "missing_chain_says_where_to_get_it", test_missing_chain_says_where_to_get_it },
	{ "picks_the_pck_that_signed_the_qe_report", test_picks_the_pck_that_signed_the_qe_report },
	{ "missing_intermediate_named", test_missing_intermediate_named },
	{ "truncated_and_garbage_verify_cleanly", test_truncated_and_garbage_verify_cleanly },
	{ "verified_json", test_verified_json },
};

TEST_MAIN("tdx_verify", tests)
