// SPDX-License-Identifier: MIT
/* The Intel SGX extension of a PCK certificate. */
#include "attest/tdx_pck.h"
#include "attest/x509.h"
#include "common/hex.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

/* A DER SEQUENCE OF ANY of exactly LEN bytes, or NULL. */
static ASN1_SEQUENCE_ANY *sequence(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	ASN1_SEQUENCE_ANY *s;

	if (len > LONG_MAX)
		return NULL;
	s = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (s && p != der + len) {
		sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
		return NULL;
	}
	return s;
}

/*
 * One { OID, value } pair of the extension, given as an ASN1_TYPE holding
 * the whole DER SEQUENCE. On success *PAIR must be freed; *OID and *VALUE
 * point into it.
 */
static int pair(const ASN1_TYPE *t, ASN1_SEQUENCE_ANY **pairp, char *oid, size_t oidlen, const ASN1_TYPE **value)
{
	ASN1_SEQUENCE_ANY *s;
	const ASN1_TYPE *o;
	int n;

	if (t->type != V_ASN1_SEQUENCE)
		return -1;
	s = sequence(ASN1_STRING_get0_data(t->value.sequence), (size_t)ASN1_STRING_length(t->value.sequence));
	if (!s)
		return -1;
	if (sk_ASN1_TYPE_num(s) != 2 || (o = sk_ASN1_TYPE_value(s, 0))->type != V_ASN1_OBJECT ||
	    (n = OBJ_obj2txt(oid, (int)oidlen, o->value.object, 1)) <= 0 || (size_t)n >= oidlen) {
		sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
		return -1;
	}
	*pairp = s;
	*value = sk_ASN1_TYPE_value(s, 1);
	return 0;
}

/* The arc after PREFIX when OID is PREFIX and exactly one more arc (up to 65535), else -1. */
static long last_arc(const char *oid, const char *prefix)
{
	size_t n = strlen(prefix);
	unsigned long v;
	char *end;

	if (strncmp(oid, prefix, n) != 0 || oid[n] != '.' || oid[n + 1] < '0' || oid[n + 1] > '9')
		return -1;
	errno = 0;
	v = strtoul(oid + n + 1, &end, 10);
	return *end || errno || v > 65535 ? -1 : (long)v;
}

static bool octets(const ASN1_TYPE *v, uint8_t *out, size_t len)
{
	if (v->type != V_ASN1_OCTET_STRING || (size_t)ASN1_STRING_length(v->value.octet_string) != len)
		return false;
	memcpy(out, ASN1_STRING_get0_data(v->value.octet_string), len);
	return true;
}

static bool small_int(const ASN1_TYPE *v, int type, long max, long *out)
{
	int64_t x;
	const ASN1_STRING *s = type == V_ASN1_INTEGER ? (const ASN1_STRING *)v->value.integer
						      : (const ASN1_STRING *)v->value.enumerated;

	if (v->type != type)
		return false;
	if ((type == V_ASN1_INTEGER ? ASN1_INTEGER_get_int64(&x, s) : ASN1_ENUMERATED_get_int64(&x, s)) != 1 ||
	    x < 0 || x > max)
		return false;
	*out = (long)x;
	return true;
}

/* The TCB sequence: .2.1-.2.16 component SVNs, .2.17 PCESVN, .2.18 CPUSVN. */
static int parse_tcb(const ASN1_TYPE *v, struct tdx_pck_ext *ext, char *err, size_t errlen)
{
	ASN1_SEQUENCE_ANY *s;
	int rc = 0;

	if (v->type != V_ASN1_SEQUENCE ||
	    !(s = sequence(ASN1_STRING_get0_data(v->value.sequence), (size_t)ASN1_STRING_length(v->value.sequence)))) {
		snprintf(err, errlen, "PCK certificate: the SGX TCB entry is not a DER sequence");
		return -1;
	}
	for (int i = 0; i < sk_ASN1_TYPE_num(s) && rc == 0; i++) {
		ASN1_SEQUENCE_ANY *p;
		const ASN1_TYPE *val;
		char oid[80];
		long sub, x;

		if (pair(sk_ASN1_TYPE_value(s, i), &p, oid, sizeof(oid), &val) != 0) {
			snprintf(err, errlen, "PCK certificate: SGX TCB entry %d is not an { OID, value } pair", i);
			rc = -1;
			break;
		}
		sub = last_arc(oid, TDX_PCK_SGX_EXT_OID ".2");
		if (sub < 0) {
			/* an unknown entry: keep going, the profile may grow */
		} else if (sub >= 1 && sub <= 16) {
			if (!small_int(val, V_ASN1_INTEGER, 255, &x))
				rc = -1;
			else
				ext->tcb_comp_svn[sub - 1] = (uint8_t)x;
		} else if (sub == 17) {
			if (!small_int(val, V_ASN1_INTEGER, 65535, &x))
				rc = -1;
			else
				ext->pce_svn = (uint16_t)x;
		} else if (sub == 18 && !octets(val, ext->cpu_svn, sizeof(ext->cpu_svn))) {
			rc = -1;
		}
		if (rc != 0)
			snprintf(err, errlen, "PCK certificate: SGX TCB entry %s has a bad value", oid);
		sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
	}
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	return rc;
}

int tdx_pck_ext_parse(X509 *cert, struct tdx_pck_ext *ext, char *err, size_t errlen)
{
	const uint8_t *der;
	size_t len;
	ASN1_SEQUENCE_ANY *s;
	bool have_fmspc = false, have_pceid = false;
	int rc;

	memset(ext, 0, sizeof(*ext));
	ext->sgx_type = -1;
	rc = x509_extension(cert, TDX_PCK_SGX_EXT_OID, &der, &len);
	if (rc != 0) {
		if (rc < 0)
			snprintf(err, errlen, "PCK certificate: cannot look up the SGX extension");
		return rc;
	}
	s = sequence(der, len);
	if (!s) {
		snprintf(err, errlen, "PCK certificate: the SGX extension (%s) is not a DER sequence", TDX_PCK_SGX_EXT_OID);
		return -1;
	}
	rc = 0;
	for (int i = 0; i < sk_ASN1_TYPE_num(s) && rc == 0; i++) {
		ASN1_SEQUENCE_ANY *p;
		const ASN1_TYPE *val;
		char oid[80];
		long x;
		bool ok = true;

		if (pair(sk_ASN1_TYPE_value(s, i), &p, oid, sizeof(oid), &val) != 0) {
			snprintf(err, errlen, "PCK certificate: SGX extension entry %d is not an { OID, value } pair", i);
			rc = -1;
			break;
		}
		switch (last_arc(oid, TDX_PCK_SGX_EXT_OID)) {
		case 1: ok = octets(val, ext->ppid, sizeof(ext->ppid)); break;
		case 2: rc = parse_tcb(val, ext, err, errlen); break;
		case 3: ok = have_pceid = octets(val, ext->pce_id, sizeof(ext->pce_id)); break;
		case 4: ok = have_fmspc = octets(val, ext->fmspc, sizeof(ext->fmspc)); break;
		case 5:
			ok = small_int(val, V_ASN1_ENUMERATED, 255, &x);
			ext->sgx_type = ok ? (int)x : -1;
			break;
		default: break;    /* platform instance id, configuration, unknown: not needed here */
		}
		if (!ok) {
			snprintf(err, errlen, "PCK certificate: SGX extension entry %s has a bad value", oid);
			rc = -1;
		}
		sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free);
	}
	sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
	if (rc == 0 && (!have_fmspc || !have_pceid)) {
		snprintf(err, errlen, "PCK certificate: the SGX extension has no %s", have_fmspc ? "PCE-ID (.3)" : "FMSPC (.4)");
		rc = -1;
	}
	return rc;
}

static int put_hex(json_t *obj, const char *key, const uint8_t *bytes, size_t n)
{
	char hex[2 * 16 + 1];

	hex_encode(bytes, n, hex);
	return json_object_set_new(obj, key, json_string(hex));
}

json_t *tdx_pck_ext_to_json(const struct tdx_pck_ext *ext)
{
	json_t *obj = json_object();

	if (!obj || put_hex(obj, "fmspc", ext->fmspc, sizeof(ext->fmspc)) != 0 ||
	    put_hex(obj, "pce_id", ext->pce_id, sizeof(ext->pce_id)) != 0 ||
	    put_hex(obj, "ppid", ext->ppid, sizeof(ext->ppid)) != 0 ||
	    put_hex(obj, "cpu_svn", ext->cpu_svn, sizeof(ext->cpu_svn)) != 0 ||
	    put_hex(obj, "tcb_comp_svn", ext->tcb_comp_svn, sizeof(ext->tcb_comp_svn)) != 0 ||
	    json_object_set_new(obj, "pce_svn", json_integer(ext->pce_svn)) != 0 ||
	    json_object_set_new(obj, "sgx_type", json_integer(ext->sgx_type)) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
