// SPDX-License-Identifier: MIT
/* Verifying an evidence bundle: platform evidence, then its binding to the statement. */
#include "attest/bundle_verify.h"

#include <string.h>

#include <jansson.h>

#include "attest/report_data.h"
#include "attest/session_key.h"
#include "common/hex.h"

#define STATEMENT_TYPE "https://in-toto.io/Statement/v1"

static void platform_checks(const struct bundle *b, const struct bundle_verify_opts *o,
			    struct check_list *l, struct bundle_verified *v)
{
	struct x509_list certs = { 0 };
	char why[256];

	for (size_t i = 0; i < b->ncerts; i++)
		if (x509_list_add_buffer(&certs, b->certs[i].der, b->certs[i].len, why, sizeof(why)) < 0)
			check_add(l, "bundle.certs", false, "certificate %zu (%s): %s", i, b->certs[i].role, why);
	if (b->platform == PLATFORM_TDX) {
		/* Parsed here rather than by tdx_verify_quote_bytes: the fields are needed even when a check fails. */
		if (tdx_quote_parse(b->report, b->report_len, &v->tdx, why, sizeof(why))) {
			check_add(l, "tdx.quote.structure", false, "%s", why);
		} else {
			v->have_tdx = true;
			tdx_verify_quote(&v->tdx, &certs, o->now, l, &v->tdx_facts);
		}
	} else {
		struct snp_verify_opts so = { .now = o->now, .allow_sim = o->allow_sim };

		snp_verify(b->report, b->report_len, &certs, &so, l, &v->snp);
		v->have_snp = v->snp.parsed;
		/* The bundle's label must agree with who signed: a relabelled bundle is a lie either way. */
		if (v->have_snp && v->snp.simulated != b->simulated)
			check_add(l, "bundle.platform", false, "the bundle says %s but the report is signed by %s",
				  bundle_platform_name(b->platform),
				  v->snp.simulated ? "the SIMULATOR" : "an AMD chain");
	}
	x509_list_free(&certs);
}

static const uint8_t *report_data_of(const struct bundle_verified *v)
{
	if (v->have_snp)
		return v->snp.report.report_data;
	if (v->have_tdx)
		return v->tdx.body.report_data;
	return NULL;
}

/*
 * Layout 2: one digest binds statement and session key, so a mismatch
 * cannot say which of the two was swapped; the key must also be one that
 * can have signed (P-256), or the envelope checks would rest on nothing.
 */
static void key_binding_check(const struct bundle *b, bool match, const char *want, const char *got,
			      struct check_list *l)
{
	char why[160];
	EVP_PKEY *key = session_key_from_spki(b->signing_key, b->signing_key_len, why, sizeof(why));

	if (match)
		check_add(l, "binding.statement", true, "report_data[0..31] = SHA-256 of the %s binding of the "
			  "statement and the session key %.16s...", KEY_BINDING_LABEL, want);
	else
		check_add(l, "binding.statement", false, "the %s binding of the statement and the session key is "
			  "%.16s... but report_data[0..31] is %.16s...: the statement or the key is not the one "
			  "attested", KEY_BINDING_LABEL, want, got);
	if (key)
		check_add(l, "binding.key", match, "the session key (ECDSA P-256) is %s report_data",
			  match ? "bound by" : "NOT bound by");
	else
		check_add(l, "binding.key", false, "%s", why);
	EVP_PKEY_free(key);
}

static void binding_checks(const struct bundle *b, const struct bundle_verify_opts *o,
			   const uint8_t *rd, struct check_list *l)
{
	static const uint8_t zero[NONCE_LEN];
	uint8_t digest[STATEMENT_DIGEST_LEN];
	char want[2 * STATEMENT_DIGEST_LEN + 1], got[2 * STATEMENT_DIGEST_LEN + 1];
	const uint8_t *expect;

	if (!rd) {
		check_add(l, "binding.statement", false, "no report_data: the report or quote did not parse");
		return;
	}
	if (sha256_bytes(b->statement, b->statement_len, digest) ||
	    (b->signing_key_len &&
	     report_data_key_binding(digest, b->signing_key, b->signing_key_len, digest))) {
		check_add(l, "binding.statement", false, "cannot compute SHA-256 of the statement");
		return;
	}
	hex_encode(digest, STATEMENT_DIGEST_LEN, want);
	hex_encode(rd, STATEMENT_DIGEST_LEN, got);
	if (b->signing_key_len)
		key_binding_check(b, !memcmp(digest, rd, STATEMENT_DIGEST_LEN), want, got, l);
	else if (!memcmp(digest, rd, STATEMENT_DIGEST_LEN))
		check_add(l, "binding.statement", true, "report_data[0..31] = SHA-256 of the statement %.16s...", want);
	else
		check_add(l, "binding.statement", false, "SHA-256 of the statement is %.16s... but report_data[0..31] "
			  "is %.16s...: the statement is not the one attested", want, got);
	if (o->nonce) {
		check_add(l, "binding.nonce", !memcmp(rd + 32, o->nonce, NONCE_LEN),
			  !memcmp(rd + 32, o->nonce, NONCE_LEN) ? "report_data[32..63] is the --nonce given"
				: "report_data[32..63] is not the --nonce given: the evidence is not fresh for this request");
		return;
	}
	expect = b->has_nonce ? b->nonce : zero;
	if (memcmp(rd + 32, expect, NONCE_LEN))
		check_add(l, "binding.nonce", false, "report_data[32..63] disagrees with the bundle's nonce field (%s)",
			  b->has_nonce ? "present" : "absent: zeros expected");
	else
		check_note(l, "binding.nonce", "no --nonce given: freshness not checked (report_data[32..63] "
			   "matches the bundle's %s)", b->has_nonce ? "nonce" : "absent nonce, zeros");
}

/* The subjects' sha256 digests of an in-toto Statement, parsed with bounds. */
static json_t *statement_subjects(const struct bundle *b, struct check_list *l)
{
	json_error_t jerr;
	json_t *root, *type, *subjects;

	root = json_loadb((const char *)b->statement, b->statement_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		check_add(l, "statement.format", false, "the statement is not JSON: line %d column %d: %s",
			  jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	type = json_object_get(root, "_type");
	subjects = json_object_get(root, "subject");
	if (!json_is_string(type) || strcmp(json_string_value(type), STATEMENT_TYPE) ||
	    !json_is_array(subjects) || json_array_size(subjects) > STATEMENT_SUBJECTS_MAX) {
		check_add(l, "statement.format", false, "not an in-toto Statement v1 with a subject array "
			  "(_type %s)", json_is_string(type) ? json_string_value(type) : "missing");
		json_decref(root);
		return NULL;
	}
	check_add(l, "statement.format", true, "in-toto Statement v1, %zu subjects", json_array_size(subjects));
	json_incref(subjects);
	json_decref(root);
	return subjects;
}

static void artifact_checks(const struct bundle *b, const struct bundle_verify_opts *o, struct check_list *l,
			    size_t *nsubjects)
{
	json_t *subjects = statement_subjects(b, l), *s;
	size_t i;

	*nsubjects = subjects ? json_array_size(subjects) : 0;
	for (size_t a = 0; a < o->nartifacts; a++) {
		char hex[65];
		const char *match = NULL;

		hex_encode(o->artifacts[a].sha256, 32, hex);
		json_array_foreach(subjects, i, s) {
			json_t *d = json_object_get(json_object_get(s, "digest"), "sha256");

			if (json_is_string(d) && json_string_length(d) == 64 && !strcasecmp(json_string_value(d), hex)) {
				match = json_string_value(json_object_get(s, "name"));
				match = match ? match : "(unnamed)";
				break;
			}
		}
		if (match)
			check_add(l, "binding.artifact", true, "%s: sha256 %.16s... is subject '%s'",
				  o->artifacts[a].name, hex, match);
		else
			check_add(l, "binding.artifact", false, "%s: sha256 %.16s... is no subject's digest "
				  "(%zu subjects): not the artifact this statement describes", o->artifacts[a].name,
				  hex, *nsubjects);
	}
	json_decref(subjects);
}

static void policy_checks(const struct bundle *b, const struct bundle_verify_opts *o,
			  const struct bundle_verified *v, const uint8_t *rd, struct check_list *l)
{
	struct policy_facts f = { .platform = b->platform, .simulated = b->simulated };

	if (!o->policy) {
		check_note(l, "policy", "no --policy given: measurements, TCB, debug and VMPL were not judged");
		return;
	}
	f.nonce_checked = o->nonce && rd && !memcmp(rd + 32, o->nonce, NONCE_LEN);
	if (v->have_snp) {
		struct snp_tcb t;

		snp_tcb_decode(v->snp.report.reported_tcb, v->snp.product, &t);
		f.measurement = v->snp.report.measurement;
		f.guest_policy = v->snp.report.policy;
		f.vmpl = v->snp.report.vmpl;
		f.tcb = (struct policy_snp_tcb){ t.bootloader, t.tee, t.snp, t.microcode, t.has_fmc ? t.fmc : -1 };
	} else if (v->have_tdx) {
		f.mrtd = v->tdx.body.mrtd;
		for (int i = 0; i < 4; i++)
			f.rtmr[i] = v->tdx.body.rtmr[i];
		f.td_attributes = v->tdx.body.td_attributes;
		f.tee_tcb_svn = v->tdx.body.tee_tcb_svn;
	} else {
		check_add(l, "policy", false, "the evidence did not parse, so the policy cannot be judged");
		return;
	}
	policy_check(o->policy, &f, l);
}

bool bundle_verify(const struct bundle *b, const struct bundle_verify_opts *o, struct check_list *l,
		   struct bundle_verified *out)
{
	struct bundle_verified local, *v = out ? out : &local;
	const uint8_t *rd;

	memset(v, 0, sizeof(*v));
	platform_checks(b, o, l, v);
	rd = report_data_of(v);
	binding_checks(b, o, rd, l);
	artifact_checks(b, o, l, &v->subjects);
	policy_checks(b, o, v, rd, l);
	return check_all_passed(l);
}
