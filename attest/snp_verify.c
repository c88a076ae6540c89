// SPDX-License-Identifier: MIT
/* Offline verification of an SEV-SNP report. */
#include "attest/snp_verify.h"

#include <inttypes.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "attest/amd_roots.h"
#include "common/hex.h"

#define KDS "https://kdsintf.amd.com"

/* The three certificates of the chain, as found in the caller's list. */
struct chain {
	X509 *leaf, *inter, *root;
	const struct amd_pinned_cert *root_pin, *inter_pin;
	char leaf_cn[X509_CN_MAX], inter_cn[X509_CN_MAX], root_cn[X509_CN_MAX];
	bool leaf_signed;               /* the report signature verifies with the leaf's key */
	char sig_why[200];              /* and why (not), from that one verification */
};

/* ---- the report signature --------------------------------------------- */

bool snp_report_signature_ok(const uint8_t raw[SNP_REPORT_SIZE], EVP_PKEY *key,
			     char *reason, size_t reasonlen)
{
	char group[64] = "";
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = NULL;
	bool ok = false;
	int derlen, v;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    EVP_PKEY_get_group_name(key, group, sizeof(group), NULL) != 1 ||
	    strcmp(group, "secp384r1") != 0) {
		snprintf(reason, reasonlen, "the signing certificate's key is not EC P-384 (%s)",
			 group[0] ? group : "not EC");
		ERR_clear_error();
		return false;
	}
	/* AMD stores R and S little-endian in 72-byte fields; ECDSA wants DER. */
	r = BN_lebin2bn(raw + SNP_SIGNED_SIZE, SNP_SIG_COMPONENT, NULL);
	s = BN_lebin2bn(raw + SNP_SIGNED_SIZE + SNP_SIG_COMPONENT, SNP_SIG_COMPONENT, NULL);
	sig = ECDSA_SIG_new();
	if (!r || !s || !sig || ECDSA_SIG_set0(sig, r, s) != 1) {
		snprintf(reason, reasonlen, "out of memory");
		BN_free(r);
		BN_free(s);
		goto out;
	}
	derlen = i2d_ECDSA_SIG(sig, &der);
	ctx = EVP_MD_CTX_new();
	if (derlen <= 0 || !ctx ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha384(), NULL, key) != 1) {
		snprintf(reason, reasonlen, "cannot set up ECDSA verification");
		goto out;
	}
	v = EVP_DigestVerify(ctx, der, (size_t)derlen, raw, SNP_SIGNED_SIZE);
	ok = v == 1;
	if (ok)
		snprintf(reason, reasonlen, "ECDSA P-384/SHA-384 over report[0x000:0x2A0] verifies");
	else
		snprintf(reason, reasonlen, "ECDSA P-384/SHA-384 signature over report[0x000:0x2A0] "
			 "does not verify: the report was changed or not signed by this key");
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);    /* frees r and s once set */
	return ok;
}

/* ---- finding the chain --------------------------------------------------- */

static bool is_ec(X509 *c)
{
	EVP_PKEY *k = X509_get0_pubkey(c);

	ERR_clear_error();
	return k && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC;
}

static bool issued(X509 *issuer, X509 *subject)
{
	return X509_NAME_cmp(X509_get_subject_name(issuer), X509_get_issuer_name(subject)) == 0;
}

static bool self_issued(X509 *c)
{
	return issued(c, c);
}

static const struct amd_pinned_cert *pin_of(X509 *c)
{
	uint8_t fp[X509_SHA256_LEN];

	return x509_sha256(c, fp) == 0 ? amd_pinned_lookup(fp) : NULL;
}

static void find_chain(const struct x509_list *certs, const uint8_t *raw, bool vlek, struct chain *ch)
{
	const char *want = vlek ? "VLEK" : "VCEK";

	memset(ch, 0, sizeof(*ch));
	/*
	 * The leaf is the EC key (AMD's ASK/ASVK/ARK are RSA) whose CN names
	 * VCEK or VLEK. Of several (a VCEK per TCB level), the one whose key
	 * signed the report; else the first, so its checks say what is wrong.
	 */
	for (size_t i = 0; i < certs->n; i++) {
		X509 *c = certs->certs[i];
		char cn[X509_CN_MAX];

		if (!is_ec(c) || x509_subject_cn(c, cn, sizeof(cn)) != 0 || !strstr(cn, want))
			continue;
		char why[200];
		bool ok = snp_report_signature_ok(raw, X509_get0_pubkey(c), why, sizeof(why));

		if (!ch->leaf || ok) {
			ch->leaf = c;
			ch->leaf_signed = ok;
			memcpy(ch->sig_why, why, sizeof(why));
		}
		if (ok)
			break;
	}
	if (!ch->leaf)
		return;
	/*
	 * By name first; else any candidate, so that a wrong intermediate or
	 * root (another product's) fails its signature and pin checks with a
	 * reason instead of being reported as missing.
	 */
	for (int by_name = 1; by_name >= 0 && !ch->inter; by_name--)
		for (size_t i = 0; i < certs->n && !ch->inter; i++) {
			X509 *c = certs->certs[i];

			if (c != ch->leaf && !is_ec(c) && !self_issued(c) && (!by_name || issued(c, ch->leaf)))
				ch->inter = c;
		}
	if (!ch->inter)
		return;
	for (int by_name = 1; by_name >= 0 && !ch->root; by_name--)
		for (size_t i = 0; i < certs->n && !ch->root; i++) {
			X509 *c = certs->certs[i];

			if (self_issued(c) && (!by_name || issued(c, ch->inter)))
				ch->root = c;
		}
}

/* ---- KDS addresses for missing certificates ------------------------------ */

static const char *kds_product(enum snp_product p)
{
	return p == SNP_PRODUCT_MILAN || p == SNP_PRODUCT_GENOA || p == SNP_PRODUCT_TURIN
	       ? snp_product_name(p) : "{Milan|Genoa|Turin}";
}

static void vcek_url(const struct snp_report *r, enum snp_product p, char *out, size_t outlen)
{
	struct snp_tcb t;
	char hwid[2 * SNP_CHIP_ID_SIZE + 1];

	snp_tcb_decode(r->reported_tcb, p, &t);
	/* Turin's KDS identifies the chip by the first 8 bytes of CHIP_ID */
	hex_encode(r->chip_id, p == SNP_PRODUCT_TURIN ? 8 : SNP_CHIP_ID_SIZE, hwid);
	if (t.has_fmc)
		snprintf(out, outlen, KDS "/vcek/v1/%s/%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
			 kds_product(p), hwid, t.fmc, t.bootloader, t.tee, t.snp, t.microcode);
	else
		snprintf(out, outlen, KDS "/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u",
			 kds_product(p), hwid, t.bootloader, t.tee, t.snp, t.microcode);
}

/* Says which certificate is missing and where to get it; true when none is. */
static bool check_present(struct check_list *checks, const struct chain *ch,
			  const struct snp_verified *v)
{
	const char *leaf = v->vlek ? "VLEK" : "VCEK", *inter = v->vlek ? "ASVK" : "ASK";
	const char *kind = v->vlek ? "vlek" : "vcek";
	char url[400];

	if (!ch->leaf) {
		if (v->vlek)
			return check_add(checks, "snp.certs", false,
					 "the VLEK certificate is missing: the cloud provider supplies it "
					 "(extended report certificate table); AMD KDS does not serve VLEKs");
		vcek_url(&v->report, v->product, url, sizeof(url));
		return check_add(checks, "snp.certs", false,
				 "the VCEK certificate is missing: get it from %s", url);
	}
	if (!ch->inter || !ch->root) {
		char issuer[X509_CN_MAX] = "";

		(void)x509_issuer_cn(ch->inter ? ch->inter : ch->leaf, issuer, sizeof(issuer));
		return check_add(checks, "snp.certs", false,
				 "the %s certificate \"%s\" is missing: get the %s and ARK "
				 "from " KDS "/%s/v1/%s/cert_chain",
				 ch->inter ? "ARK" : inter, issuer, inter, kind, kds_product(v->product));
	}
	return check_add(checks, "snp.certs", true, "%s \"%s\", %s \"%s\", root \"%s\" present",
			 leaf, ch->leaf_cn, inter, ch->inter_cn, ch->root_cn);
}

/* ---- the VCEK's extensions ------------------------------------------------ */

/* An SPL extension (DER INTEGER); -1 when absent or malformed. */
static long ext_int(X509 *c, const char *oid)
{
	const uint8_t *v, *p;
	ASN1_INTEGER *i;
	size_t len;
	int64_t n = -1;

	if (x509_extension(c, oid, &v, &len) != 0 || len > 16)
		return -1;
	p = v;
	i = d2i_ASN1_INTEGER(NULL, &p, (long)len);
	if (!i || p != v + len || ASN1_INTEGER_get_int64(&n, i) != 1 || n < 0 || n > 255)
		n = -1;
	ASN1_INTEGER_free(i);
	ERR_clear_error();
	return (long)n;
}

static bool check_tcb(struct check_list *checks, X509 *leaf, const struct snp_verified *v,
		      const char *name)
{
	struct snp_tcb t;
	long bl = ext_int(leaf, SNP_OID_BL_SPL), tee = ext_int(leaf, SNP_OID_TEE_SPL);
	long snp = ext_int(leaf, SNP_OID_SNP_SPL), uc = ext_int(leaf, SNP_OID_UCODE_SPL);
	long fmc = ext_int(leaf, SNP_OID_FMC_SPL);

	snp_tcb_decode(v->report.reported_tcb, v->product, &t);
	if (bl < 0 || tee < 0 || snp < 0 || uc < 0 || (t.has_fmc && fmc < 0))
		return check_add(checks, name, false,
				 "the signing certificate lacks a readable TCB extension (bl/tee/snp/ucode%s SPL)",
				 t.has_fmc ? "/fmc" : "");
	if (bl != t.bootloader || tee != t.tee || snp != t.snp || uc != t.microcode ||
	    (t.has_fmc && fmc != t.fmc))
		return check_add(checks, name, false,
				 "reported_tcb (bl %u, tee %u, snp %u, ucode %u%s) differs from the "
				 "certificate's (bl %ld, tee %ld, snp %ld, ucode %ld): the certificate "
				 "is for another TCB", t.bootloader, t.tee, t.snp, t.microcode,
				 t.has_fmc ? ", with fmc" : "", bl, tee, snp, uc);
	return check_add(checks, name, true,
			 "reported_tcb equals the certificate's TCB (bl %u, tee %u, snp %u, ucode %u%s)",
			 t.bootloader, t.tee, t.snp, t.microcode, t.has_fmc ? ", fmc checked" : "");
}

/*
 * The hwid extension is 64 raw bytes in KDS certificates, and a DER OCTET
 * STRING in some others; Turin's is the first 8 bytes of CHIP_ID.
 */
static bool check_hwid(struct check_list *checks, X509 *leaf, const struct snp_verified *v)
{
	const uint8_t *val, *p;
	ASN1_OCTET_STRING *os = NULL;
	size_t len, n;
	bool eq;

	if (x509_extension(leaf, SNP_OID_HWID, &val, &len) != 0)
		return check_add(checks, "snp.vcek.hwid", false,
				 "the VCEK has no hardware ID extension (%s)", SNP_OID_HWID);
	if (len != SNP_CHIP_ID_SIZE && len != 8) {
		p = val;
		os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)len);
		ERR_clear_error();
		if (!os || p != val + len) {
			ASN1_OCTET_STRING_free(os);
			return check_add(checks, "snp.vcek.hwid", false,
					 "the VCEK's hardware ID extension is %zu bytes, neither raw nor "
					 "an OCTET STRING of 64 (or 8) bytes", len);
		}
		val = ASN1_STRING_get0_data(os);
		len = (size_t)ASN1_STRING_length(os);
	}
	n = len;
	eq = (n == SNP_CHIP_ID_SIZE || (n == 8 && v->product == SNP_PRODUCT_TURIN)) &&
	     memcmp(val, v->report.chip_id, n) == 0;
	ASN1_OCTET_STRING_free(os);
	if (v->report.mask_chip_key)
		return check_add(checks, "snp.vcek.hwid", false,
				 "the host masked CHIP_ID (MASK_CHIP_KEY): the report cannot be tied to the VCEK's chip");
	if (!eq)
		return check_add(checks, "snp.vcek.hwid", false,
				 "the VCEK's hardware ID is not the report's chip_id: the certificate is for another chip");
	return check_add(checks, "snp.vcek.hwid", true, "the VCEK's hardware ID equals chip_id (%zu bytes)", n);
}

static bool check_product(struct check_list *checks, X509 *leaf, const struct snp_verified *v,
			  enum snp_product chain_product)
{
	enum snp_product cpuid = snp_report_cpuid_product(&v->report);
	const uint8_t *val;
	size_t len;
	char name[64] = "";

	/* product name: a DER IA5String such as "Milan-B0" */
	if (x509_extension(leaf, SNP_OID_PRODUCT_NAME, &val, &len) == 0 && len >= 2 &&
	    val[0] == 0x16 && val[1] == len - 2 && len - 2 < sizeof(name))
		memcpy(name, val + 2, len - 2);
	if (cpuid != SNP_PRODUCT_UNKNOWN && chain_product != SNP_PRODUCT_UNKNOWN && cpuid != chain_product)
		return check_add(checks, "snp.product", false,
				 "the report's CPUID (family 0x%02x model 0x%02x) is %s, but the "
				 "certificate chain is %s's", v->report.cpuid_fam_id, v->report.cpuid_mod_id,
				 snp_product_name(cpuid), snp_product_name(chain_product));
	if (name[0] && chain_product != SNP_PRODUCT_UNKNOWN &&
	    strncmp(name, snp_product_name(chain_product), strlen(snp_product_name(chain_product))))
		return check_add(checks, "snp.product", false,
				 "the signing certificate names product \"%s\", the chain is %s's",
				 name, snp_product_name(chain_product));
	return check_add(checks, "snp.product", true, "%s%s%s%s", snp_product_name(chain_product),
			 name[0] ? " (certificate product \"" : "", name, name[0] ? "\")" : "");
}

/* ---- the chain ------------------------------------------------------------ */

static void check_validity(struct check_list *checks, const char *name, const char *what, X509 *c,
			   time_t now)
{
	char why[160];
	bool ok = x509_valid_at(c, now, why, sizeof(why));

	check_add(checks, name, ok, "%s %s", what, why);
}

/* The root: a pinned AMD ARK, or (only with allow_sim) the simulator's. */
static void check_root(struct check_list *checks, const struct chain *ch, struct snp_verified *v,
		       const struct snp_verify_opts *opts)
{
	uint8_t fp[X509_SHA256_LEN];
	char hex[65];

	if (ch->root_pin && ch->root_pin->role == AMD_ARK) {
		check_add(checks, "snp.chain.ark", true, "root is AMD's %s (pinned SHA-256)", ch->root_pin->cn);
		return;
	}
	if (v->simulated) {
		check_add(checks, "snp.simulated", opts->allow_sim,
			  "simulated evidence: signed by Kettle's software simulator \"%s\", not by AMD; "
			  "no TEE protected this build%s", ch->root_cn,
			  opts->allow_sim ? " (accepted: simulated evidence allowed)"
					  : " (rejected: allow simulated evidence with --allow-sim)");
		return;
	}
	if (x509_sha256(ch->root, fp) < 0)
		memset(fp, 0, sizeof(fp));
	hex_encode(fp, sizeof(fp), hex);
	check_add(checks, "snp.chain.ark", false,
		  "root \"%s\" (SHA-256 %s) is not a pinned AMD ARK (Milan, Genoa, Turin)", ch->root_cn, hex);
}

static void check_chain(struct check_list *checks, const struct chain *ch, struct snp_verified *v,
			const struct snp_verify_opts *opts)
{
	const char *inter = v->vlek ? "ASVK" : "ASK", *leaf = v->vlek ? "VLEK" : "VCEK";
	enum amd_cert_role want = v->vlek ? AMD_ASVK : AMD_ASK;
	char name[CHECK_NAME_MAX], why[200];

	check_root(checks, ch, v, opts);
	check_add(checks, "snp.chain.ark_self_signed", x509_signed_by(ch->root, ch->root, why, sizeof(why)),
		  "root: %s", why);

	snprintf(name, sizeof(name), "snp.chain.%s_pinned", v->vlek ? "asvk" : "ask");
	if (v->simulated)
		check_add(checks, name, true, "%s \"%s\" of the simulator (simulated evidence)", inter, ch->inter_cn);
	else if (ch->inter_pin && ch->inter_pin->role == want && ch->root_pin &&
		 ch->inter_pin->product == ch->root_pin->product)
		check_add(checks, name, true, "%s is AMD's %s (pinned SHA-256)", inter, ch->inter_pin->cn);
	else
		check_add(checks, name, false, "\"%s\" is not a pinned AMD %s%s%s", ch->inter_cn, inter,
			  ch->root_pin ? " of " : "", ch->root_pin ? snp_product_name(ch->root_pin->product) : "");

	snprintf(name, sizeof(name), "snp.chain.%s", v->vlek ? "asvk" : "ask");
	check_add(checks, name, x509_signed_by(ch->inter, ch->root, why, sizeof(why)),
		  "%s signed by the ARK (RSA-PSS SHA-384): %s", inter, why);
	snprintf(name, sizeof(name), "snp.chain.%s", v->vlek ? "vlek" : "vcek");
	check_add(checks, name, x509_signed_by(ch->leaf, ch->inter, why, sizeof(why)),
		  "%s signed by the %s: %s", leaf, inter, why);

	check_validity(checks, "snp.validity.ark", "ARK", ch->root, opts->now);
	snprintf(name, sizeof(name), "snp.validity.%s", v->vlek ? "asvk" : "ask");
	check_validity(checks, name, inter, ch->inter, opts->now);
	snprintf(name, sizeof(name), "snp.validity.%s", v->vlek ? "vlek" : "vcek");
	check_validity(checks, name, leaf, ch->leaf, opts->now);
}

static enum snp_product product_of_issuer(X509 *leaf)
{
	char cn[X509_CN_MAX];

	if (!leaf || x509_issuer_cn(leaf, cn, sizeof(cn)) < 0)
		return SNP_PRODUCT_UNKNOWN;
	if (strstr(cn, "Milan"))
		return SNP_PRODUCT_MILAN;
	if (strstr(cn, "Genoa"))
		return SNP_PRODUCT_GENOA;
	if (strstr(cn, "Turin"))
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

bool snp_verify(const uint8_t *report, size_t len, const struct x509_list *certs,
		const struct snp_verify_opts *opts, struct check_list *checks,
		struct snp_verified *v)
{
	size_t first = checks->n, dropped = checks->dropped;
	struct snp_report *r = &v->report;
	char why[200];
	struct chain ch;

	memset(v, 0, sizeof(*v));
	if (snp_report_parse(report, len, r, why, sizeof(why)) < 0) {
		check_add(checks, "snp.report.format", false, "%s", why);
		return false;
	}
	v->parsed = true;
	if (r->signature_algo != 1) {
		check_add(checks, "snp.report.format", false,
			  "signature algorithm %" PRIu32 " is not ECDSA P-384 with SHA-384 (1)", r->signature_algo);
		return false;
	}
	check_add(checks, "snp.report.format", true, "SEV-SNP report version %" PRIu32 ", %d bytes",
		  r->version, SNP_REPORT_SIZE);
	check_add(checks, "snp.report.reserved", snp_report_reserved_zero(r, why, sizeof(why)), "%s", why);
	if (!check_add(checks, "snp.report.signing_key",
		       r->signing_key == SNP_SIGNING_KEY_VCEK || r->signing_key == SNP_SIGNING_KEY_VLEK,
		       "signing key: %s", r->signing_key == SNP_SIGNING_KEY_NONE ? "none, the report is unsigned"
		       : snp_signing_key_name(r->signing_key)))
		goto done;
	v->vlek = r->signing_key == SNP_SIGNING_KEY_VLEK;

	find_chain(certs, r->raw, v->vlek, &ch);
	if (ch.leaf)
		(void)x509_subject_cn(ch.leaf, ch.leaf_cn, sizeof(ch.leaf_cn));
	if (ch.inter) {
		(void)x509_subject_cn(ch.inter, ch.inter_cn, sizeof(ch.inter_cn));
		ch.inter_pin = pin_of(ch.inter);
	}
	if (ch.root) {
		(void)x509_subject_cn(ch.root, ch.root_cn, sizeof(ch.root_cn));
		ch.root_pin = pin_of(ch.root);
	}
	/* Simulated: an unpinned root of the simulator's name, and the marker in CHIP_ID. */
	v->simulated = ch.root && !ch.root_pin && snp_report_has_sim_marker(r) &&
		       !strncmp(ch.root_cn, SNP_SIM_CN_PREFIX, strlen(SNP_SIM_CN_PREFIX));
	if (v->simulated)
		v->product = SNP_PRODUCT_SIM;
	else if (ch.root_pin)
		v->product = ch.root_pin->product;
	else if (snp_report_cpuid_product(r) != SNP_PRODUCT_UNKNOWN)
		v->product = snp_report_cpuid_product(r);
	else
		v->product = product_of_issuer(ch.leaf);

	if (!check_present(checks, &ch, v)) {
		if (ch.leaf)    /* still say whether the signature holds, for the user's diagnosis */
			check_add(checks, "snp.report.signature", ch.leaf_signed,
				  "%s (the key is not trusted without its chain)", ch.sig_why);
		goto done;
	}
	check_chain(checks, &ch, v, opts);
	check_add(checks, "snp.report.signature", ch.leaf_signed,
		  "%s by the %s", ch.sig_why, v->vlek ? "VLEK" : "VCEK");
	check_tcb(checks, ch.leaf, v, v->vlek ? "snp.vlek.tcb" : "snp.vcek.tcb");
	if (v->vlek) {
		const uint8_t *csp;
		size_t csplen;
		bool has_csp = x509_extension(ch.leaf, SNP_OID_CSP_ID, &csp, &csplen) == 0 &&
			       csplen >= 2 && csp[0] == 0x16 && csp[1] == csplen - 2;

		check_note(checks, "snp.vlek.hwid",
			   "a VLEK belongs to a cloud provider%s%.*s%s, not to one chip: chip_id is not checked",
			   has_csp ? " (\"" : "", has_csp ? (int)(csplen - 2) : 0,
			   has_csp ? (const char *)csp + 2 : "", has_csp ? "\")" : "");
	} else {
		check_hwid(checks, ch.leaf, v);
	}
	check_product(checks, ch.leaf, v, v->product);
done:
	if (checks->dropped != dropped)
		return false;
	for (size_t i = first; i < checks->n; i++)
		if (!checks->items[i].passed)
			return false;
	return true;
}

int snp_certtable_to_x509(const struct snp_certtable *t, struct x509_list *list,
			  char *err, size_t errlen)
{
	int added = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct snp_cert_entry *e = &t->entries[i];
		char why[200];
		X509 *c;

		if (e->kind == SNP_CERT_OTHER)
			continue;
		c = x509_from_der(e->data, e->length, why, sizeof(why));
		if (!c) {
			snprintf(err, errlen, "certificate table entry %zu (%s): %s", i,
				 snp_cert_kind_name(e->kind), why);
			return -1;
		}
		if (x509_list_add(list, c) < 0) {
			X509_free(c);
			snprintf(err, errlen, "too many certificates (more than %d)", X509_LIST_MAX);
			return -1;
		}
		X509_free(c);   /* the list holds its own reference */
		added++;
	}
	return added;
}
