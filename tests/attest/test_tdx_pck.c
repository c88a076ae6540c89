// SPDX-License-Identifier: MIT
/*
 * The SGX extension of a PCK certificate, built here entry by entry (DER) so
 * each rule of the parser is seen on its own: what it reads, what it skips,
 * what it refuses. The real PCK certificates are read in test_tdx_verify.
 */
#include <stdint.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "attest/tdx_pck.h"
#include "attest/x509.h"
#include "testlib.h"

#define SGX TDX_PCK_SGX_EXT_OID

struct der {
	uint8_t b[512];
	size_t n;
};

/* Appends TAG with LEN content bytes (short form: everything here is under 128 bytes). */
static void tlv(struct der *d, uint8_t tag, const void *content, size_t len)
{
	d->b[d->n++] = tag;
	d->b[d->n++] = (uint8_t)len;
	memcpy(d->b + d->n, content, len);
	d->n += len;
}

/* Appends SEQUENCE { OID, VALUE } where VALUE is already DER. */
static void entry(struct der *d, const char *oid, const struct der *value)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	unsigned char *p = NULL;
	int n = o ? i2d_ASN1_OBJECT(o, &p) : -1;
	struct der pair = { .n = 0 };

	if (n > 0) {
		memcpy(pair.b, p, (size_t)n);
		pair.n = (size_t)n;
	}
	memcpy(pair.b + pair.n, value->b, value->n);
	pair.n += value->n;
	tlv(d, 0x30, pair.b, pair.n);
	OPENSSL_free(p);
	ASN1_OBJECT_free(o);
}

static struct der octets(const void *p, size_t n)
{
	struct der d = { .n = 0 };

	tlv(&d, 0x04, p, n);
	return d;
}

static struct der integer(uint8_t v)
{
	struct der d = { .n = 0 };

	tlv(&d, 0x02, &v, 1);
	return d;
}

/* A certificate (unsigned: only its extension is read) whose SGX extension is SEQUENCE { ENTRIES }. */
static X509 *pck_with(const struct der *entries)
{
	struct der ext = { .n = 0 };
	X509 *x = X509_new();

	tlv(&ext, 0x30, entries->b, entries->n);
	if (x && x509_add_extension_der(x, SGX, ext.b, (int)ext.n) == 0)
		return x;
	X509_free(x);
	return NULL;
}

/* FMSPC and PCE-ID, which every PCK certificate has, then the TCB sequence TCB. */
static struct der with_tcb(const struct der *tcb)
{
	struct der d = { .n = 0 }, v = octets("\x50\x80\x6f\x00\x00\x00", 6), tcbseq = { .n = 0 };

	entry(&d, SGX ".4", &v);
	v = octets("\x00\x01", 2);
	entry(&d, SGX ".3", &v);
	tlv(&tcbseq, 0x30, tcb->b, tcb->n);
	entry(&d, SGX ".2", &tcbseq);
	return d;
}

static int tcb_components_read_by_their_arc(void)
{
	struct der tcb = { .n = 0 }, v = integer(3), all;
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x;

	entry(&tcb, SGX ".2.1", &v);
	v = integer(11);
	entry(&tcb, SGX ".2.17", &v);
	all = with_tcb(&tcb);
	CHECK((x = pck_with(&all)) != NULL, "certificate");
	CHECK(tdx_pck_ext_parse(x, &e, err, sizeof(err)) == 0, "%s", err);
	CHECK(e.tcb_comp_svn[0] == 3 && e.pce_svn == 11, "svn %u, pcesvn %u", e.tcb_comp_svn[0], e.pce_svn);
	CHECK(!memcmp(e.fmspc, "\x50\x80\x6f\x00\x00\x00", 6) && !memcmp(e.pce_id, "\x00\x01", 2), "fmspc, pce-id");
	X509_free(x);
	return TEST_PASS;
}

/* .2.1.9 is not component 1: an OID one arc deeper is another entry, skipped like any unknown one. */
static int deeper_oid_is_not_a_component(void)
{
	struct der tcb = { .n = 0 }, v = integer(3), all;
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x;

	entry(&tcb, SGX ".2.1", &v);
	v = integer(100);
	entry(&tcb, SGX ".2.1.9", &v);
	all = with_tcb(&tcb);
	CHECK((x = pck_with(&all)) != NULL, "certificate");
	CHECK(tdx_pck_ext_parse(x, &e, err, sizeof(err)) == 0, "%s", err);
	CHECK(e.tcb_comp_svn[0] == 3, "component 1 is %u, taken from .2.1.9", e.tcb_comp_svn[0]);
	X509_free(x);
	return TEST_PASS;
}

/* An arc past any integer type is an unknown entry, not a number read out of range. */
static int huge_arc_is_an_unknown_entry(void)
{
	struct der tcb = { .n = 0 }, v = integer(3), all;
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x;

	entry(&tcb, SGX ".2.1", &v);
	v = integer(100);
	entry(&tcb, SGX ".2.18446744073709551617", &v);        /* 2^64 + 1 */
	all = with_tcb(&tcb);
	CHECK((x = pck_with(&all)) != NULL, "certificate");
	CHECK(tdx_pck_ext_parse(x, &e, err, sizeof(err)) == 0, "%s", err);
	CHECK(e.tcb_comp_svn[0] == 3, "component 1 is %u", e.tcb_comp_svn[0]);
	X509_free(x);
	return TEST_PASS;
}

static int missing_fmspc_named(void)
{
	struct der d = { .n = 0 }, v = octets("\x00\x01", 2);
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x;

	entry(&d, SGX ".3", &v);
	CHECK((x = pck_with(&d)) != NULL, "certificate");
	CHECK(tdx_pck_ext_parse(x, &e, err, sizeof(err)) == -1, "accepted without an FMSPC");
	CHECK(strstr(err, "FMSPC"), "error: %s", err);
	X509_free(x);
	return TEST_PASS;
}

static int wrong_value_type_refused(void)
{
	struct der tcb = { .n = 0 }, v = octets("\x03", 1), all;
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x;

	entry(&tcb, SGX ".2.1", &v);   /* an OCTET STRING where an INTEGER belongs */
	all = with_tcb(&tcb);
	CHECK((x = pck_with(&all)) != NULL, "certificate");
	CHECK(tdx_pck_ext_parse(x, &e, err, sizeof(err)) == -1, "accepted");
	CHECK(strstr(err, SGX ".2.1") && strstr(err, "bad value"), "error: %s", err);
	X509_free(x);
	return TEST_PASS;
}

static int no_extension_is_not_a_pck(void)
{
	struct tdx_pck_ext e;
	char err[256] = "";
	X509 *x = X509_new();

	CHECK(x && tdx_pck_ext_parse(x, &e, err, sizeof(err)) == 1, "a certificate without the extension");
	X509_free(x);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "tcb_components_read_by_their_arc", tcb_components_read_by_their_arc },
	{ "deeper_oid_is_not_a_component", deeper_oid_is_not_a_component },
	{ "huge_arc_is_an_unknown_entry", huge_arc_is_an_unknown_entry },
	{ "missing_fmspc_named", missing_fmspc_named },
	{ "wrong_value_type_refused", wrong_value_type_refused },
	{ "no_extension_is_not_a_pck", no_extension_is_not_a_pck },
};

TEST_MAIN("tdx_pck", tests)
