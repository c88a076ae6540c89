/* SPDX-License-Identifier: MIT */
/*
 * Verification policy (docs/attestation.md, "Policy"): a strict JSON file
 * saying which platforms, measurements, TCB levels, debug and VMPL settings a
 * verifier accepts.  Unknown keys are errors, so a misspelt rule can never
 * be silently ignored.
 */
#ifndef KETTLE_ATTEST_POLICY_H
#define KETTLE_ATTEST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/bundle.h"
#include "attest/check.h"

#define POLICY_FILE_MAX   (1u << 20)
#define POLICY_LIST_MAX   256           /* allowed values of one measurement */
#define POLICY_MR_LEN     48            /* SNP measurement, TDX MRTD / RTMR: SHA-384 */
#define POLICY_TDX_SVN_LEN 16

struct policy_mr_list {
	bool set;                       /* the key was given (an empty list then allows nothing) */
	size_t n;
	uint8_t (*v)[POLICY_MR_LEN];
};

/* Minimum SNP TCB component versions; -1 = not constrained. */
struct policy_snp_tcb {
	int bootloader, tee, snp, microcode, fmc;
};

struct policy {
	unsigned platforms;             /* bit (1 << enum bundle_platform); 0 = not constrained */
	bool platforms_implied;         /* no allowed_platforms: PLATFORMS are those the policy has rules for */
	bool allow_simulated;
	bool require_nonce;
	struct {
		struct policy_mr_list measurements;
		bool has_min_tcb;
		struct policy_snp_tcb min_tcb;
		bool allow_debug;
		bool has_max_vmpl;
		uint32_t max_vmpl;
	} snp;
	struct {
		struct policy_mr_list mrtd;
		struct policy_mr_list rtmr[4];
		bool has_min_svn;
		uint8_t min_tee_tcb_svn[POLICY_TDX_SVN_LEN];
		bool allow_debug;
	} tdx;
};

/* What verification established about the evidence, for the policy to judge. */
struct policy_facts {
	enum bundle_platform platform;
	bool simulated;
	bool nonce_checked;             /* a nonce was given and matched report_data */
	/* SEV-SNP (and sim) */
	const uint8_t *measurement;     /* 48 bytes */
	uint64_t guest_policy;
	uint32_t vmpl;
	struct policy_snp_tcb tcb;      /* reported TCB; fmc -1 when the product has none */
	/* TDX */
	const uint8_t *mrtd;            /* 48 bytes */
	const uint8_t *rtmr[4];
	const uint8_t *td_attributes;   /* 8 bytes */
	const uint8_t *tee_tcb_svn;     /* 16 bytes */
};


/* Parses policy JSON; 0, or -1 with a one-line ERR naming the key or value. */
int policy_parse(const char *text, size_t len, struct policy *p, char *err, size_t errlen);
int policy_load(const char *path, struct policy *p, char *err, size_t errlen);
void policy_free(struct policy *p);

/* Appends one "policy.*" check per rule that applies to F's platform. */
void policy_check(const struct policy *p, const struct policy_facts *f, struct check_list *l);

#endif
