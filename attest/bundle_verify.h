/* SPDX-License-Identifier: MIT */
/*
 * Verifying an evidence bundle: the platform verifier (SEV-SNP, TDX, or the
 * simulator's SNP format), then what binds the evidence to the statement
 * and to the artifacts, then the policy.  Every step is a named check.
 */
#ifndef KETTLE_ATTEST_BUNDLE_VERIFY_H
#define KETTLE_ATTEST_BUNDLE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "attest/bundle.h"
#include "attest/check.h"
#include "attest/policy.h"
#include "attest/snp_verify.h"
#include "attest/tdx_verify.h"

#define STATEMENT_SUBJECTS_MAX 100000

/* An artifact the user wants bound: its name (as given) and SHA-256. */
struct artifact_digest {
	const char *name;
	uint8_t sha256[32];
};

struct bundle_verify_opts {
	time_t now;
	bool allow_sim;
	const uint8_t *nonce;                   /* NONCE_LEN bytes, or NULL */
	const struct policy *policy;            /* NULL: no policy checks (a note says so) */
	const struct artifact_digest *artifacts;
	size_t nartifacts;
};

/* What the platform verifier decoded, for display. */
struct bundle_verified {
	bool have_snp;
	struct snp_verified snp;
	bool have_tdx;
	struct tdx_quote tdx;                   /* points into the bundle's report */
	struct tdx_verified tdx_facts;
	size_t subjects;                        /* subjects in the statement */
};

/* Appends every check to L; OUT may be NULL.  Returns check_all_passed(L). */
bool bundle_verify(const struct bundle *b, const struct bundle_verify_opts *o, struct check_list *l,
		   struct bundle_verified *out);

#endif
