/* SPDX-License-Identifier: MIT */
/*
 * The AMD root (ARK) and intermediate (ASK, ASVK) certificates Kettle
 * trusts, pinned by the SHA-256 of their DER encoding. These are facts
 * about AMD's published certificates (https://kdsintf.amd.com/vcek/v1/
 * {Milan,Genoa,Turin}/cert_chain and /vlek/v1/.../cert_chain), written into
 * the code so that no certificate file can widen what is trusted.
 */
#ifndef KETTLE_ATTEST_AMD_ROOTS_H
#define KETTLE_ATTEST_AMD_ROOTS_H

#include <stdint.h>

#include "attest/snp_report.h"

enum amd_cert_role { AMD_ARK, AMD_ASK, AMD_ASVK };

struct amd_pinned_cert {
	enum snp_product product;
	enum amd_cert_role role;
	const char *cn;                 /* subject CN, for messages */
	uint8_t sha256[32];
};

/* The pinned certificate with this fingerprint, or NULL. */
const struct amd_pinned_cert *amd_pinned_lookup(const uint8_t sha256[32]);
/* "ARK", "ASK", "ASVK" */
const char *amd_cert_role_name(enum amd_cert_role role);

#endif
