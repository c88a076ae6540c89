// SPDX-License-Identifier: MIT
/* The verification policy file: parsing and applying it. */
#include "attest/policy.h"
#include "common/errf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/tdx_quote.h"
#include "common/file_bytes.h"
#include "common/hex.h"

/* SEV-SNP guest policy bit 19: the hypervisor may debug the guest (SEV-SNP ABI, Table 9). */
#define SNP_GUEST_POLICY_DEBUG (1ull << 19)

/* Every key of OBJ must be one of NAMES (NULL-terminated). */
static int only_keys(json_t *obj, const char *where, const char *const *names, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const char *const *n;

		for (n = names; *n; n++)
			if (!strcmp(key, *n))
				break;
		if (!*n)
			return errf(err, errlen, "policy: unknown key '%s%s'", where, key);
	}
	return 0;
}

static int get_bool(json_t *obj, const char *key, const char *where, bool *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return errf(err, errlen, "policy: '%s%s' must be true or false", where, key);
	*out = json_is_true(v);
	return 0;
}

static int get_uint(json_t *obj, const char *key, const char *where, int64_t max, int64_t *out,
		    char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return errf(err, errlen, "policy: '%s%s' must be an integer from 0 to %" PRId64,
			    where, key, max);
	*out = json_integer_value(v);
	return 0;
}

static int get_mr_list(json_t *obj, const char *key, const char *where, struct policy_mr_list *l,
		       char *err, size_t errlen)
{
	json_t *arr = json_object_get(obj, key), *v;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return errf(err, errlen, "policy: '%s%s' must be an array of hex strings", where, key);
	if (json_array_size(arr) > POLICY_LIST_MAX)
		return errf(err, errlen, "policy: '%s%s' has more than %d entries", where, key, POLICY_LIST_MAX);
	l->set = true;
	l->v = calloc(json_array_size(arr) ? json_array_size(arr) : 1, POLICY_MR_LEN);
	if (!l->v)
		return errf(err, errlen, "policy: out of memory");
	json_array_foreach(arr, i, v) {
		char why[128];

		if (!json_is_string(v))
			return errf(err, errlen, "policy: '%s%s'[%zu] must be a hex string", where, key, i);
		if (hex_decode_exact(json_string_value(v), json_string_length(v), l->v[i], POLICY_MR_LEN,
				     why, sizeof(why)))
			return errf(err, errlen, "policy: '%s%s'[%zu]: %s", where, key, i, why);
		l->n++;
	}
	return 0;
}

static int parse_platforms(json_t *root, struct policy *p, char *err, size_t errlen)
{
	json_t *arr = json_object_get(root, "allowed_platforms"), *v;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return errf(err, errlen, "policy: 'allowed_platforms' must be a non-empty array");
	json_array_foreach(arr, i, v) {
		enum bundle_platform pl = json_is_string(v) ?
			bundle_platform_from_name(json_string_value(v), json_string_length(v)) : PLATFORM_NONE;

		if (pl == PLATFORM_NONE)
			return errf(err, errlen, "policy: 'allowed_platforms'[%zu] must be \"sev-snp\", "
				    "\"tdx\" or \"sim-sev-snp\"", i);
		p->platforms |= 1u << pl;
	}
	return 0;
}

static int parse_snp(json_t *snp, struct policy *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "measurements", "min_tcb", "allow_debug", "max_vmpl", NULL };
	static const char *const tcb_keys[] = { "bootloader", "tee", "snp", "microcode", "fmc", NULL };
	json_t *tcb;
	int64_t v = -1;

	if (!json_is_object(snp))
		return errf(err, errlen, "policy: 'snp' must be an object");
	if (only_keys(snp, "snp.", keys, err, errlen) ||
	    get_mr_list(snp, "measurements", "snp.", &p->snp.measurements, err, errlen) ||
	    get_bool(snp, "allow_debug", "snp.", &p->snp.allow_debug, err, errlen) ||
	    get_uint(snp, "max_vmpl", "snp.", 3, &v, err, errlen))
		return -1;
	if (v >= 0) {
		p->snp.has_max_vmpl = true;
		p->snp.max_vmpl = (uint32_t)v;
	}
	p->snp.min_tcb = (struct policy_snp_tcb){ -1, -1, -1, -1, -1 };
	tcb = json_object_get(snp, "min_tcb");
	if (!tcb)
		return 0;
	if (!json_is_object(tcb))
		return errf(err, errlen, "policy: 'snp.min_tcb' must be an object");
	if (only_keys(tcb, "snp.min_tcb.", tcb_keys, err, errlen))
		return -1;
	p->snp.has_min_tcb = true;
	int *fields[] = { &p->snp.min_tcb.bootloader, &p->snp.min_tcb.tee, &p->snp.min_tcb.snp,
			  &p->snp.min_tcb.microcode, &p->snp.min_tcb.fmc };
	for (int i = 0; tcb_keys[i]; i++) {
		int64_t x = -1;

		if (get_uint(tcb, tcb_keys[i], "snp.min_tcb.", 255, &x, err, errlen))
			return -1;
		*fields[i] = (int)x;
	}
	return 0;
}

static int parse_tdx(json_t *tdx, struct policy *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3",
					    "min_tee_tcb_svn", "allow_debug", NULL };
	json_t *svn;

	if (!json_is_object(tdx))
		return errf(err, errlen, "policy: 'tdx' must be an object");
	if (only_keys(tdx, "tdx.", keys, err, errlen) ||
	    get_mr_list(tdx, "mrtd", "tdx.", &p->tdx.mrtd, err, errlen) ||
	    get_bool(tdx, "allow_debug", "tdx.", &p->tdx.allow_debug, err, errlen))
		return -1;
	for (int i = 0; i < 4; i++) {
		char key[8];

		snprintf(key, sizeof(key), "rtmr%d", i);
		if (get_mr_list(tdx, key, "tdx.", &p->tdx.rtmr[i], err, errlen))
			return -1;
	}
	svn = json_object_get(tdx, "min_tee_tcb_svn");
	if (svn) {
		char why[128];

		if (!json_is_string(svn) ||
		    hex_decode_exact(json_string_value(svn), json_string_length(svn), p->tdx.min_tee_tcb_svn,
				     POLICY_TDX_SVN_LEN, why, sizeof(why)))
			return errf(err, errlen, "policy: 'tdx.min_tee_tcb_svn' must be 32 hex digits (16 SVN bytes)");
		p->tdx.has_min_svn = true;
	}
	return 0;
}

int policy_parse(const char *text, size_t len, struct policy *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "allowed_platforms", "allow_simulated", "require_nonce",
					    "snp", "tdx", NULL };
	json_error_t jerr;
	json_t *root, *v;
	int r = -1;

	memset(p, 0, sizeof(*p));
	p->snp.min_tcb = (struct policy_snp_tcb){ -1, -1, -1, -1, -1 };
	if (len > POLICY_FILE_MAX)
		return errf(err, errlen, "policy: %zu bytes, larger than the limit of %u", len, POLICY_FILE_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return errf(err, errlen, "policy: invalid JSON at line %d column %d: %s",
			    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		errf(err, errlen, "policy: must be a JSON object");
		goto out;
	}
	if (only_keys(root, "", keys, err, errlen) || parse_platforms(root, p, err, errlen) ||
	    get_bool(root, "allow_simulated", "", &p->allow_simulated, err, errlen) ||
	    get_bool(root, "require_nonce", "", &p->require_nonce, err, errlen))
		goto out;
	v = json_object_get(root, "snp");
	if (v && parse_snp(v, p, err, errlen))
		goto out;
	v = json_object_get(root, "tdx");
	if (v && parse_tdx(v, p, err, errlen))
		goto out;
	/* Rules for one platform only: the other's evidence would otherwise pass them unjudged. */
	if (!p->platforms && (json_object_get(root, "snp") || v)) {
		p->platforms_implied = true;
		if (json_object_get(root, "snp"))
			p->platforms |= 1u << PLATFORM_SEV_SNP | 1u << PLATFORM_SIM_SEV_SNP;
		if (v)
			p->platforms |= 1u << PLATFORM_TDX;
	}
	r = 0;
out:
	json_decref(root);
	if (r)
		policy_free(p);
	return r;
}

int policy_load(const char *path, struct policy *p, char *err, size_t errlen)
{
	char why[300];
	uint8_t *buf;
	size_t len;
	int r;

	memset(p, 0, sizeof(*p));
	if (file_read_bounded(path, POLICY_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	r = policy_parse((const char *)buf, len, p, why, sizeof(why));
	if (r)
		snprintf(err, errlen, "%s: %s", path, why);
	free(buf);
	return r;
}

void policy_free(struct policy *p)
{
	free(p->snp.measurements.v);
	free(p->tdx.mrtd.v);
	for (int i = 0; i < 4; i++)
		free(p->tdx.rtmr[i].v);
	memset(p, 0, sizeof(*p));
}

/* ---- evaluation ---- */

static void check_mr(struct check_list *l, const char *name, const struct policy_mr_list *allowed,
		     const uint8_t *value)
{
	char hex[2 * POLICY_MR_LEN + 1];

	if (!allowed->set)
		return;
	hex_encode(value, POLICY_MR_LEN, hex);
	for (size_t i = 0; i < allowed->n; i++)
		if (!memcmp(allowed->v[i], value, POLICY_MR_LEN)) {
			check_add(l, name, true, "%.16s... is allowed entry %zu", hex, i);
			return;
		}
	check_add(l, name, false, "%s is not among the %zu allowed values", hex, allowed->n);
}

static void check_snp_tcb(const struct policy *p, const struct policy_facts *f, struct check_list *l)
{
	static const char *const names[] = { "bootloader", "tee", "snp", "microcode", "fmc" };
	const int have[] = { f->tcb.bootloader, f->tcb.tee, f->tcb.snp, f->tcb.microcode, f->tcb.fmc };
	const int want[] = { p->snp.min_tcb.bootloader, p->snp.min_tcb.tee, p->snp.min_tcb.snp,
			     p->snp.min_tcb.microcode, p->snp.min_tcb.fmc };

	for (int i = 0; i < 5; i++) {
		if (want[i] < 0)
			continue;
		if (have[i] < 0) {
			check_add(l, "policy.snp.min_tcb", false, "%s minimum %d given, but this product's TCB has no %s",
				  names[i], want[i], names[i]);
			return;
		}
		if (have[i] < want[i]) {
			check_add(l, "policy.snp.min_tcb", false, "reported %s SVN %d is below the minimum %d",
				  names[i], have[i], want[i]);
			return;
		}
	}
	check_add(l, "policy.snp.min_tcb", true, "reported TCB bl %d tee %d snp %d ucode %d meets the minimum",
		  f->tcb.bootloader, f->tcb.tee, f->tcb.snp, f->tcb.microcode);
}

static void check_snp(const struct policy *p, const struct policy_facts *f, struct check_list *l)
{
	bool debug = f->guest_policy & SNP_GUEST_POLICY_DEBUG;

	check_mr(l, "policy.snp.measurement", &p->snp.measurements, f->measurement);
	if (p->snp.has_min_tcb)
		check_snp_tcb(p, f, l);
	check_add(l, "policy.snp.debug", !debug || p->snp.allow_debug,
		  debug ? "guest policy 0x%" PRIx64 " allows debugging (bit 19)%s"
			: "guest policy 0x%" PRIx64 " forbids debugging%s",
		  f->guest_policy, debug && p->snp.allow_debug ? ", which the policy allows" : "");
	if (p->snp.has_max_vmpl)
		check_add(l, "policy.snp.vmpl", f->vmpl <= p->snp.max_vmpl, "VMPL %u, maximum %u",
			  f->vmpl, p->snp.max_vmpl);
}

static void check_tdx(const struct policy *p, const struct policy_facts *f, struct check_list *l)
{
	bool debug = f->td_attributes[0] & TDX_TD_ATTR_DEBUG;

	check_mr(l, "policy.tdx.mrtd", &p->tdx.mrtd, f->mrtd);
	for (int i = 0; i < 4; i++) {
		char name[24];

		snprintf(name, sizeof(name), "policy.tdx.rtmr%d", i);
		check_mr(l, name, &p->tdx.rtmr[i], f->rtmr[i]);
	}
	if (p->tdx.has_min_svn) {
		int bad = -1;

		for (int i = 0; i < POLICY_TDX_SVN_LEN && bad < 0; i++)
			if (f->tee_tcb_svn[i] < p->tdx.min_tee_tcb_svn[i])
				bad = i;
		if (bad >= 0)
			check_add(l, "policy.tdx.min_tee_tcb_svn", false, "TEE TCB SVN byte %d is %u, below the minimum %u",
				  bad, f->tee_tcb_svn[bad], p->tdx.min_tee_tcb_svn[bad]);
		else
			check_add(l, "policy.tdx.min_tee_tcb_svn", true, "every TEE TCB SVN byte meets the minimum");
	}
	check_add(l, "policy.tdx.debug", !debug || p->tdx.allow_debug,
		  debug ? "TD attributes allow debugging (bit 0)%s" : "TD attributes forbid debugging%s",
		  debug && p->tdx.allow_debug ? ", which the policy allows" : "");
}

void policy_check(const struct policy *p, const struct policy_facts *f, struct check_list *l)
{
	const char *name = bundle_platform_name(f->platform);

	if (p->platforms)
		check_add(l, "policy.platform", p->platforms & (1u << f->platform),
			  "platform %s is %sallowed%s", name ? name : "?",
			  p->platforms & (1u << f->platform) ? "" : "not ",
			  !p->platforms_implied ? ""
			  : p->platforms & (1u << f->platform) ? " (the policy has rules for it)"
			  : " (the policy has rules only for the other platform: list both in allowed_platforms "
			    "to accept this one)");
	if (f->simulated)
		check_add(l, "policy.simulated", p->allow_simulated,
			  p->allow_simulated ? "SIMULATED evidence, allowed by the policy"
					     : "SIMULATED evidence, and the policy does not allow it");
	if (p->require_nonce)
		check_add(l, "policy.nonce", f->nonce_checked,
			  f->nonce_checked ? "a nonce was required and matched"
					   : "the policy requires a nonce: give --nonce");
	if (f->platform == PLATFORM_TDX)
		check_tdx(p, f, l);
	else
		check_snp(p, f, l);
}
