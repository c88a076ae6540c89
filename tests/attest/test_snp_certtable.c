// SPDX-License-Identifier: MIT
/* The SNP extended-report certificate table: a table of the real vector certificates round-trips and verifies; malformed tables are refused. */
#include <stdint.h>

#include "attest/snp_certtable.h"
#include "attest/snp_verify.h"
#include "test_vectors.h"
#include "testlib.h"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int der_of(X509 *c, uint8_t **out, size_t *len)
{
	int n = i2d_X509(c, out);

	*len = n > 0 ? (size_t)n : 0;
	return n > 0 ? 0 : -1;
}

/* A table of the Milan VCEK, ASK and ARK in BUF; returns its length or -1. */
static long milan_table(uint8_t *buf, size_t cap)
{
	struct x509_list l = { 0 };
	enum snp_cert_kind kinds[3] = { SNP_CERT_VCEK, SNP_CERT_ASK, SNP_CERT_ARK };
	uint8_t *ders[3] = { NULL, NULL, NULL };
	size_t lens[3];
	char err[256];
	long n = -1;

	if (x509_list_add_file(&l, test_vector_path("snp/gosev_vcek.testcer"), err, sizeof(err)) != 1 ||
	    x509_list_add_file(&l, test_vector_path("snp/gosev_ask_ark_milan.pem"), err, sizeof(err)) != 2)
		goto out;
	for (int i = 0; i < 3; i++)
		if (der_of(l.certs[i], &ders[i], &lens[i]) < 0)
			goto out;
	n = snp_certtable_write(kinds, (const uint8_t *const *)ders, lens, 3, buf, cap);
out:
	for (int i = 0; i < 3; i++)
		OPENSSL_free(ders[i]);
	x509_list_free(&l);
	return n;
}

static int table_of_vector_certs_round_trips_and_verifies(void)
{
	static uint8_t buf[16384];
	static struct check_list checks;
	static struct snp_verified v;
	struct snp_certtable t;
	struct x509_list certs = { 0 };
	struct snp_verify_opts o = { .now = test_utc(2023, 1, 1, 0, 0, 0) };
	uint8_t raw[SNP_REPORT_SIZE];
	char err[256], g[37];
	long n;

	if (!test_vectors_dir())
		return test_fail_no_vectors();
	n = milan_table(buf, sizeof(buf));
	CHECK(n > 0, "table written");
	CHECK(snp_certtable_parse(buf, (size_t)n, &t, err, sizeof(err)) == 0, "%s", err);
	CHECK(t.n == 3, "three entries, got %zu", t.n);
	snp_guid_str(t.entries[0].guid, g);
	CHECK(!strcmp(g, "63da758d-e664-4564-adc5-f4b93be8accd") && t.entries[0].kind == SNP_CERT_VCEK, "VCEK GUID %s", g);
	snp_guid_str(t.entries[1].guid, g);
	CHECK(!strcmp(g, "4ab7b379-bbac-4fe4-a02f-05aef327c782") && t.entries[1].kind == SNP_CERT_ASK, "ASK GUID %s", g);
	snp_guid_str(t.entries[2].guid, g);
	CHECK(!strcmp(g, "c0b406a4-a803-4952-9743-3fb6014cd0ae") && t.entries[2].kind == SNP_CERT_ARK, "ARK GUID %s", g);
	CHECK(t.entries[0].offset == 4 * SNP_CERTTABLE_ENTRY_SIZE, "first certificate after the terminator");
	CHECK(snp_certtable_find(&t, SNP_CERT_ARK) == &t.entries[2], "find ARK");
	CHECK(snp_certtable_find(&t, SNP_CERT_VLEK) == NULL, "no VLEK");
	CHECK(snp_certtable_to_x509(&t, &certs, err, sizeof(err)) == 3, "%s", err);
	CHECK(snp_report_load_file(test_vector_path("snp/gosev_attestation.bin"), raw, err, sizeof(err)) == 0, "%s", err);
	CHECK(snp_verify(raw, sizeof(raw), &certs, &o, &checks, &v), "report verifies with the table's certificates");
	x509_list_free(&certs);
	return TEST_PASS;
}

static int empty_blob_is_an_empty_table(void)
{
	struct snp_certtable t;
	uint8_t zero[SNP_CERTTABLE_ENTRY_SIZE] = { 0 };
	char err[256];

	CHECK(snp_certtable_parse(zero, 0, &t, err, sizeof(err)) == 0 && t.n == 0, "no bytes");
	CHECK(snp_certtable_parse(zero, sizeof(zero), &t, err, sizeof(err)) == 0 && t.n == 0, "terminator only");
	return TEST_PASS;
}

static int expect_bad(const uint8_t *b, size_t len, const char *want)
{
	struct snp_certtable t;
	char err[256] = "";

	if (snp_certtable_parse(b, len, &t, err, sizeof(err)) != -1) {
		fprintf(stderr, "  accepted\n");
		return -1;
	}
	if (!strstr(err, want)) {
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, want);
		return -1;
	}
	return 0;
}

static int malformed_tables_refused(void)
{
	static uint8_t b[4096];
	uint8_t guid_a[16] = { 0x63, 0xda, 0x75, 0x8d }, guid_b[16] = { 0x4a, 0xb7, 0xb3, 0x79 };

	/* no terminator */
	memset(b, 0, sizeof(b));
	memcpy(b, guid_a, 16);
	put32(b + 16, 48);
	put32(b + 20, 10);
	CHECK(expect_bad(b, 24, "no all-zero entry") == 0, "no terminator");
	CHECK(expect_bad(b, 30, "no all-zero entry") == 0, "terminator cut short");
	/* past the end */
	CHECK(expect_bad(b, 50, "outside") == 0, "length past the end");
	put32(b + 16, 0xfffffff0);
	CHECK(expect_bad(b, 100, "outside") == 0, "offset past the end (u32 wrap)");
	/* into the header */
	put32(b + 16, 24);
	CHECK(expect_bad(b, 100, "into the table header") == 0, "offset inside the header");
	/* empty entry */
	put32(b + 16, 72);
	put32(b + 20, 0);
	CHECK(expect_bad(b, 100, "is empty") == 0, "zero length");
	/* overlap and duplicates */
	put32(b + 20, 20);
	memcpy(b + 24, guid_b, 16);
	put32(b + 40, 80);
	put32(b + 44, 20);
	CHECK(expect_bad(b, 200, "overlap") == 0, "overlapping entries");
	memcpy(b + 24, guid_a, 16);
	put32(b + 40, 100);
	CHECK(expect_bad(b, 200, "appears twice") == 0, "same GUID twice");
	/* too many entries */
	memset(b, 0, sizeof(b));
	for (int i = 0; i <= SNP_CERTTABLE_MAX; i++) {
		b[i * 24] = (uint8_t)(i + 1);
		put32(b + i * 24 + 16, 2048 + (uint32_t)i * 10);
		put32(b + i * 24 + 20, 10);
	}
	CHECK(expect_bad(b, sizeof(b), "more than") == 0, "17 entries");
	/* oversized blob */
	{
		static uint8_t big[SNP_CERTTABLE_BLOB_MAX + 1];

		CHECK(expect_bad(big, sizeof(big), "larger than") == 0, "oversized");
	}
	return TEST_PASS;
}

static int garbage_certificate_named_by_entry(void)
{
	static uint8_t b[256];
	struct snp_certtable t;
	struct x509_list l = { 0 };
	uint8_t ark[16] = { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
			    0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae };
	char err[256];

	memcpy(b, ark, 16);
	put32(b + 16, 48);
	put32(b + 20, 40);
	memset(b + 48, 0x30, 40);
	CHECK(snp_certtable_parse(b, 88, &t, err, sizeof(err)) == 0, "%s", err);
	CHECK(t.n == 1 && t.entries[0].kind == SNP_CERT_ARK, "ARK entry");
	CHECK(snp_certtable_to_x509(&t, &l, err, sizeof(err)) == -1, "garbage DER");
	CHECK(strstr(err, "entry 0 (ARK)"), "error: %s", err);
	CHECK(l.n == 0, "nothing added");
	return TEST_PASS;
}

static int unknown_guid_kept_but_not_used(void)
{
	static uint8_t b[256];
	struct snp_certtable t;
	struct x509_list l = { 0 };
	char err[256];

	memset(b, 0x11, 16);
	put32(b + 16, 48);
	put32(b + 20, 8);
	CHECK(snp_certtable_parse(b, 56, &t, err, sizeof(err)) == 0, "%s", err);
	CHECK(t.n == 1 && t.entries[0].kind == SNP_CERT_OTHER, "other");
	CHECK(snp_certtable_to_x509(&t, &l, err, sizeof(err)) == 0, "skipped");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "table_of_vector_certs_round_trips_and_verifies", table_of_vector_certs_round_trips_and_verifies },
	{ "empty_blob_is_an_empty_table", empty_blob_is_an_empty_table },
	{ "malformed_tables_refused", malformed_tables_refused },
	{ "garbage_certificate_named_by_entry", garbage_certificate_named_by_entry },
	{ "unknown_guid_kept_but_not_used", unknown_guid_kept_but_not_used },
};

TEST_MAIN("snp_certtable", tests)
