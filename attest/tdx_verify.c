// SPDX-License-Identifier: MIT
/* Offline verification of an Intel TDX quote. */
#include "attest/tdx_verify.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509v3.h>

#include "common/hex.h"

/* SHA-256 of the DER Intel SGX Root CA (CN=Intel SGX Root CA, P-256, 2018-05-21..2049-12-31). */
static const uint8_t intel_sgx_root_sha256[X509_SHA256_LEN] = {
	0x44, 0xa0, 0x19, 0x6b, 0x2b, 0x99, 0xf8, 0x89, 0xb8, 0xe1, 0x49, 0xe9, 0x5b, 0x80, 0x7a, 0x35,
	0x0e, 0x74, 0x24, 0x96, 0x43, 0x99, 0xe8, 0x85, 0xa7, 0xcb, 0xb8, 0xcc, 0xfa, 0xb6, 0x74, 0xd3,
};

/*
 * Intel's TD quoting enclave: the MRSIGNER of Intel's enclave signing key
 * and ISV product id 2 (the TD QE; 1 is the SGX QE). The QE identity
 * collateral says the same; its minimum ISV SVN is collateral and not
 * checked here.
 */
static const uint8_t intel_qe_mrsigner[32] = {
	0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03,
	0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5,
};
#define INTEL_TD_QE_PROD_ID 2
/* SGX ATTRIBUTES.FLAGS bit 1: a debugger can read the enclave, here the QE's attestation key. */
#define SGX_ATTR_DEBUG 0x02

#define PCS_PCK_URL  "https://api.trustedservices.intel.com/sgx/certification/v4/pckcert"
#define PCS_ROOT_URL "https://certificates.trustedservices.intel.com/Intel_SGX_Provisioning_Certification_RootCA.der"

/* An ECDSA P-256 public key from its raw x||y coordinates, or NULL. */
static EVP_PKEY *p256_key(const uint8_t xy[TDX_ATTEST_KEY_SIZE])
{
	uint8_t point[1 + TDX_ATTEST_KEY_SIZE];
	char group[] = "prime256v1";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;

	point[0] = 0x04;        /* uncompressed point */
	memcpy(point + 1, xy, TDX_ATTEST_KEY_SIZE);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
	params[2] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static bool is_p256(EVP_PKEY *key)
{
	char group[32];

	return EVP_PKEY_is_a(key, "EC") &&
	       EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) == 1 &&
	       strcmp(group, "prime256v1") == 0;
}

/*
 * True when SIG (raw r||s, 32 bytes each, big-endian) is KEY's ECDSA
 * SHA-256 signature over DATA; otherwise false with REASON.
 */
static bool ecdsa_p256_verify(EVP_PKEY *key, const uint8_t *data, size_t len, const uint8_t sig[TDX_SIG_SIZE],
			      char *reason, size_t reasonlen)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *sv = BN_bin2bn(sig + 32, 32, NULL);
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int derlen = -1, rc = -1;

	if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
		r = sv = NULL;  /* owned by s now */
		derlen = i2d_ECDSA_SIG(s, &der);
	}
	if (derlen > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1)
		rc = EVP_DigestVerify(md, der, (size_t)derlen, data, len);
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	BN_free(r);
	BN_free(sv);
	ECDSA_SIG_free(s);
	if (rc == 1)
		return true;
	snprintf(reason, reasonlen, rc == 0 ? "ECDSA P-256 signature does not verify"
					    : "ECDSA P-256 signature could not be checked (malformed signature or key)");
	return false;
}

int tdx_quote_certs(const struct tdx_quote *q, struct x509_list *list, char *err, size_t errlen)
{
	int n;

	if (!q->has_qe_report || (q->pck_data_type != TDX_CERT_PCK_CHAIN && q->pck_data_type != TDX_CERT_PCK_LEAF))
		return 0;
	n = x509_list_add_buffer(list, q->pck_data, q->pck_data_size, err, errlen);
	if (n < 0) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "the quote's PCK certificate data (type %u): %s", q->pck_data_type, inner);
	}
	return n;
}

static void report_structure(const struct tdx_quote *q, struct check_list *l)
{
	char trailing[96] = "";

	if (q->trailing_len)
		snprintf(trailing, sizeof(trailing), "; %zu bytes after the signature data (not signed, ignored)",
			 q->trailing_len);
	check_add(l, "tdx.quote.structure", true,
		  "v%u quote, body type %u (%s), %zu signed bytes, %u bytes of signature data%s",
		  q->header.version, q->body_type, q->body_type == TDX_BODY_TYPE_15 ? "TDX 1.5" : "TDX 1.0",
		  q->signed_len, q->sig_data_len, trailing);
}

static bool check_quote_signature(const struct tdx_quote *q, struct check_list *l)
{
	char reason[CHECK_REASON_MAX];
	EVP_PKEY *key = p256_key(q->attest_key);
	bool ok;

	if (!key)
		return check_add(l, "tdx.quote.signature", false,
				 "the attestation key is not a valid P-256 point");
	ok = ecdsa_p256_verify(key, q->raw, q->signed_len, q->signature, reason, sizeof(reason));
	EVP_PKEY_free(key);
	if (ok)
		return check_add(l, "tdx.quote.signature", true,
				 "the attestation key signed the header and body (bytes 0..%zu)", q->signed_len);
	return check_add(l, "tdx.quote.signature", false, "over header and body (bytes 0..%zu): %s",
			 q->signed_len, reason);
}

static bool check_qe_binding(const struct tdx_quote *q, struct check_list *l)
{
	uint8_t expect[64] = { 0 };
	unsigned int mdlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		  EVP_DigestUpdate(md, q->attest_key, TDX_ATTEST_KEY_SIZE) == 1 &&
		  EVP_DigestUpdate(md, q->qe_auth_data, q->qe_auth_data_len) == 1 &&
		  EVP_DigestFinal_ex(md, expect, &mdlen) == 1 && mdlen == 32;

	EVP_MD_CTX_free(md);
	if (!ok)
		return check_add(l, "tdx.qe_report.binding", false, "SHA-256 could not be computed (OpenSSL)");
	if (memcmp(expect, q->qe_report.report_data, sizeof(expect)) != 0)
		return check_add(l, "tdx.qe_report.binding", false,
				 "QE report_data is not SHA-256(attestation key || QE auth data) || 32 zero bytes: "
				 "the attestation key is not the one the quoting enclave vouched for");
	return check_add(l, "tdx.qe_report.binding", true,
			 "QE report_data = SHA-256(attestation key || %u bytes of QE auth data) || 32 zero bytes",
			 q->qe_auth_data_len);
}

static bool check_qe_identity(const struct tdx_quote *q, struct check_list *l)
{
	char hex[65];

	if (memcmp(q->qe_report.mr_signer, intel_qe_mrsigner, sizeof(intel_qe_mrsigner)) != 0) {
		hex_encode(q->qe_report.mr_signer, 32, hex);
		return check_add(l, "tdx.qe_report.identity", false,
				 "QE MRSIGNER %.16s... is not Intel's quoting enclave signer dc9e2a7c...", hex);
	}
	if (q->qe_report.attributes[0] & SGX_ATTR_DEBUG)
		return check_add(l, "tdx.qe_report.identity", false,
				 "the quoting enclave runs in debug mode (attributes flags 0x%02x): whoever debugs it "
				 "holds its attestation key and can sign any quote", q->qe_report.attributes[0]);
	if (q->qe_report.isv_prod_id != INTEL_TD_QE_PROD_ID)
		return check_add(l, "tdx.qe_report.identity", false,
				 "QE ISV product id %u is not the TD quoting enclave (%d)", q->qe_report.isv_prod_id,
				 INTEL_TD_QE_PROD_ID);
	return check_add(l, "tdx.qe_report.identity", true,
			 "Intel's TD quoting enclave (MRSIGNER dc9e2a7c..., product id 2, ISV SVN %u)",
			 q->qe_report.isv_svn);
}

/* The first certificate in POOL whose subject is NAME and that is not EXCEPT, or NULL. */
static X509 *find_subject(const struct x509_list *pool, const X509_NAME *name, X509 *except)
{
	for (size_t i = 0; i < pool->n; i++)
		if (pool->certs[i] != except && X509_NAME_cmp(X509_get_subject_name(pool->certs[i]), name) == 0)
			return pool->certs[i];
	return NULL;
}

static void cn_of(X509 *cert, bool issuer, char *out, size_t outlen)
{
	if ((issuer ? x509_issuer_cn(cert, out, outlen) : x509_subject_cn(cert, out, outlen)) != 0 || !out[0])
		snprintf(out, outlen, "(no CN)");
}

static bool qe_signed_by(const struct tdx_quote *q, X509 *cert)
{
	char reason[CHECK_REASON_MAX];
	EVP_PKEY *key = X509_get0_pubkey(cert);

	return key && is_p256(key) &&
	       ecdsa_p256_verify(key, q->qe_report_raw, TDX_QE_REPORT_SIZE, q->qe_report_signature, reason,
				 sizeof(reason));
}

/*
 * The PCK leaf: of the certificates with an SGX extension, the one whose key
 * signed the QE report (the caller may give PCK certificates of several
 * platforms), else the first. -1 when an SGX extension is malformed.
 */
static int find_pck_leaf(const struct tdx_quote *q, const struct x509_list *pool, X509 **leaf,
			 struct tdx_pck_ext *ext, char *err, size_t errlen)
{
	struct tdx_pck_ext e;

	*leaf = NULL;
	for (size_t i = 0; i < pool->n; i++) {
		int rc = tdx_pck_ext_parse(pool->certs[i], &e, err, errlen);

		if (rc < 0)
			return -1;
		if (rc > 0 || (*leaf && !qe_signed_by(q, pool->certs[i])))
			continue;
		*leaf = pool->certs[i];
		*ext = e;
		if (qe_signed_by(q, *leaf))
			break;
	}
	return 0;
}

static bool check_pck_leaf(const struct tdx_quote *q, const struct x509_list *pool, X509 **leaf,
			   struct tdx_verified *v, struct check_list *l)
{
	char err[200], hex_fmspc[13], hex_pceid[5], cn[X509_CN_MAX];

	if (find_pck_leaf(q, pool, leaf, &v->pck, err, sizeof(err)) != 0)
		return check_add(l, "tdx.pck.leaf", false, "%s", err);
	if (!*leaf)
		return check_add(l, "tdx.pck.leaf", false,
				 "no PCK certificate in the quote (certification data type %u) nor given: get this "
				 "platform's PCK chain from Intel PCS, " PCS_PCK_URL, q->pck_data_type);
	v->have_pck = true;
	cn_of(*leaf, true, v->pck_issuer_cn, sizeof(v->pck_issuer_cn));
	cn_of(*leaf, false, cn, sizeof(cn));
	hex_encode(v->pck.fmspc, sizeof(v->pck.fmspc), hex_fmspc);
	hex_encode(v->pck.pce_id, sizeof(v->pck.pce_id), hex_pceid);
	return check_add(l, "tdx.pck.leaf", true, "'%s' issued by '%s': FMSPC %s, PCE-ID %s", cn,
			 v->pck_issuer_cn, hex_fmspc, hex_pceid);
}

static bool check_qe_signature(const struct tdx_quote *q, X509 *leaf, struct check_list *l)
{
	char reason[CHECK_REASON_MAX];
	EVP_PKEY *key = X509_get0_pubkey(leaf);

	if (!key || !is_p256(key))
		return check_add(l, "tdx.qe_report.signature", false, "the PCK certificate's key is not ECDSA P-256");
	if (!ecdsa_p256_verify(key, q->qe_report_raw, TDX_QE_REPORT_SIZE, q->qe_report_signature, reason,
			       sizeof(reason)))
		return check_add(l, "tdx.qe_report.signature", false, "QE report by the PCK key: %s", reason);
	return check_add(l, "tdx.qe_report.signature", true, "the PCK key signed the 384-byte QE report");
}

/* CHILD's issuer in POOL as check NAME; with a hint where to get it when it is missing. */
static X509 *find_issuer(const struct x509_list *pool, X509 *child, const char *name, const char *hint,
			 struct check_list *l)
{
	X509 *issuer = find_subject(pool, X509_get_issuer_name(child), child);
	char want[X509_CN_MAX], cn[X509_CN_MAX];

	cn_of(child, true, want, sizeof(want));
	if (!issuer) {
		check_add(l, name, false, "'%s' is not in the quote or the certificates given; %s", want, hint);
		return NULL;
	}
	cn_of(issuer, false, cn, sizeof(cn));
	if (X509_check_ca(issuer) < 1) {
		check_add(l, name, false, "'%s' is not a CA certificate", cn);
		return NULL;
	}
	check_add(l, name, true, "'%s'", cn);
	return issuer;
}

static bool check_signed_by(X509 *cert, X509 *issuer, const char *name, struct check_list *l)
{
	char reason[CHECK_REASON_MAX], cn[X509_CN_MAX], icn[X509_CN_MAX];

	cn_of(cert, false, cn, sizeof(cn));
	cn_of(issuer, false, icn, sizeof(icn));
	if (!x509_signed_by(cert, issuer, reason, sizeof(reason)))
		return check_add(l, name, false, "'%s' by '%s': %s", cn, icn, reason);
	return check_add(l, name, true, "'%s' signed by '%s'", cn, icn);
}

static bool check_root_pinned(X509 *root, struct check_list *l)
{
	uint8_t fp[X509_SHA256_LEN];
	char hex[2 * X509_SHA256_LEN + 1], cn[X509_CN_MAX];

	if (x509_sha256(root, fp) != 0)
		return check_add(l, "tdx.pck.root_pinned", false, "cannot compute the root's fingerprint");
	hex_encode(fp, sizeof(fp), hex);
	cn_of(root, false, cn, sizeof(cn));
	if (memcmp(fp, intel_sgx_root_sha256, sizeof(fp)) != 0)
		return check_add(l, "tdx.pck.root_pinned", false,
				 "root '%s' has SHA-256 %.16s..., not the pinned Intel SGX Root CA 44a0196b...", cn, hex);
	return check_add(l, "tdx.pck.root_pinned", true, "root '%s' is the Intel SGX Root CA (SHA-256 %.16s...)",
			 cn, hex);
}

static bool check_validity(X509 *cert, const char *name, time_t now, struct tdx_verified *v, struct check_list *l)
{
	char reason[CHECK_REASON_MAX], cn[X509_CN_MAX], when[32];
	time_t nb, na;

	cn_of(cert, false, cn, sizeof(cn));
	if (x509_validity(cert, &nb, &na) == 0) {
		if (!v->have_window || nb > v->chain_not_before)
			v->chain_not_before = nb;
		if (!v->have_window || na < v->chain_not_after)
			v->chain_not_after = na;
		v->have_window = true;
	}
	if (!x509_valid_at(cert, now, reason, sizeof(reason)))
		return check_add(l, name, false, "'%s': %s", cn, reason);
	x509_time_str(now, when, sizeof(when));
	return check_add(l, name, true, "'%s' valid at %s", cn, when);
}

/* Leaf -> intermediate -> root, each link, the pin and the validity. */
static bool check_chain(const struct x509_list *pool, X509 *leaf, time_t now, struct tdx_verified *v,
			struct check_list *l)
{
	X509 *inter, *root;
	bool ok;

	inter = find_issuer(pool, leaf, "tdx.pck.intermediate",
			    "get it from Intel PCS, " PCS_PCK_URL, l);
	if (!inter)
		return false;
	ok = check_signed_by(leaf, inter, "tdx.pck.leaf_signature", l);
	root = find_issuer(pool, inter, "tdx.pck.root", "get the Intel SGX Root CA from " PCS_ROOT_URL, l);
	if (!root)
		return false;
	v->have_window = false;
	ok &= check_signed_by(inter, root, "tdx.pck.intermediate_signature", l);
	ok &= check_signed_by(root, root, "tdx.pck.root_self_signed", l);
	ok &= check_root_pinned(root, l);
	ok &= check_validity(leaf, "tdx.pck.leaf.validity", now, v, l);
	ok &= check_validity(inter, "tdx.pck.intermediate.validity", now, v, l);
	ok &= check_validity(root, "tdx.pck.root.validity", now, v, l);
	return ok;
}

static void note_collateral(const struct tdx_verified *v, struct check_list *l)
{
	char fmspc[13];

	hex_encode(v->pck.fmspc, sizeof(v->pck.fmspc), fmspc);
	check_note(l, "tdx.collateral",
		   "not checked offline: Intel PCS TCB info (FMSPC %s), QE identity and PCK/root CRLs, "
		   "so TCB status (up to date or not) and revocation are unknown", v->have_pck ? fmspc : "unknown");
}

bool tdx_verify_quote(const struct tdx_quote *q, const struct x509_list *extra, time_t now, struct check_list *l,
		      struct tdx_verified *out)
{
	struct tdx_verified v;
	struct x509_list pool = { 0 };
	char err[256];
	X509 *leaf = NULL;
	size_t before = l->n;
	bool ok;

	memset(&v, 0, sizeof(v));
	report_structure(q, l);
	ok = check_quote_signature(q, l);
	if (!q->has_qe_report) {
		check_add(l, "tdx.quote.certification_data", false,
			  "certification data type %u (%s): a quote needs type 6 (QE report certification data) "
			  "to be verified", q->cert_data_type, tdx_cert_data_type_name(q->cert_data_type));
		goto done;
	}
	check_add(l, "tdx.quote.certification_data", true, "QE report certification data; inner type %u (%s)",
		  q->pck_data_type, tdx_cert_data_type_name(q->pck_data_type));
	ok &= check_qe_binding(q, l);
	ok &= check_qe_identity(q, l);
	if (tdx_quote_certs(q, &pool, err, sizeof(err)) < 0) {
		ok = check_add(l, "tdx.pck.leaf", false, "%s", err);
		goto done;
	}
	for (size_t i = 0; extra && i < extra->n; i++)
		if (x509_list_add(&pool, extra->certs[i]) != 0) {
			ok = check_add(l, "tdx.pck.leaf", false, "more than %d certificates", X509_LIST_MAX);
			goto done;
		}
	if (!check_pck_leaf(q, &pool, &leaf, &v, l)) {
		ok = false;
		goto done;
	}
	ok &= check_qe_signature(q, leaf, l);
	ok &= check_chain(&pool, leaf, now, &v, l);
done:
	/*
	 * Each failure above is told by its check. OpenSSL's queue still holds
	 * what failed on the way (a malformed point, lazily parsed certificate
	 * extensions); left there, a later message would quote it as its own.
	 */
	ERR_clear_error();
	note_collateral(&v, l);
	x509_list_free(&pool);
	if (out)
		*out = v;
	/* every failure went through check_add: the list is the truth */
	for (size_t i = before; i < l->n; i++)
		ok &= l->items[i].passed;
	return ok && !l->dropped;
}

bool tdx_verify_quote_bytes(const uint8_t *buf, size_t len, const struct x509_list *extra, time_t now,
			    struct check_list *l, struct tdx_quote *q, struct tdx_verified *out)
{
	char err[256];

	if (out)
		memset(out, 0, sizeof(*out));
	if (tdx_quote_parse(buf, len, q, err, sizeof(err)) != 0)
		return check_add(l, "tdx.quote.structure", false, "%s", err);
	return tdx_verify_quote(q, extra, now, l, out);
}

json_t *tdx_verified_to_json(const struct tdx_verified *v)
{
	json_t *obj = json_object();
	char nb[32], na[32];

	if (!obj)
		return NULL;
	if (v->have_pck && (json_object_set_new(obj, "pck", tdx_pck_ext_to_json(&v->pck)) != 0 ||
			    json_object_set_new(obj, "pck_issuer", json_string(v->pck_issuer_cn)) != 0))
		goto fail;
	if (v->have_window) {
		x509_time_str(v->chain_not_before, nb, sizeof(nb));
		x509_time_str(v->chain_not_after, na, sizeof(na));
		if (json_object_set_new(obj, "chain_not_before", json_string(nb)) != 0 ||
		    json_object_set_new(obj, "chain_not_after", json_string(na)) != 0)
			goto fail;
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}
