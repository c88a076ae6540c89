/* SPDX-License-Identifier: MIT */
/*
 * Offline verification of an AMD SEV-SNP report (docs/attest-snp.md):
 * the report's ECDSA P-384 signature by the VCEK (or VLEK), the chain
 * VCEK -> ASK -> ARK (VLEK -> ASVK -> ARK) with the ARK and the intermediate
 * pinned by fingerprint (attest/amd_roots.h), each certificate's validity
 * at an injected time, the VCEK's TCB and hardware-ID extensions against
 * the report, and the reserved bytes. Every step is one named check.
 *
 * Evidence from Kettle's simulator (attest/sim.h) goes through the same
 * code; it is accepted only with allow_sim, and always shown as simulated.
 */
#ifndef KETTLE_ATTEST_SNP_VERIFY_H
#define KETTLE_ATTEST_SNP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "attest/check.h"
#include "attest/snp_certtable.h"
#include "attest/snp_report.h"
#include "attest/x509.h"

/* AMD KDS extensions of a VCEK/VLEK (AMD "VCEK certificate and KDS interface specification") */
#define SNP_OID_BL_SPL       "1.3.6.1.4.1.3704.1.3.1"
#define SNP_OID_TEE_SPL      "1.3.6.1.4.1.3704.1.3.2"
#define SNP_OID_SNP_SPL      "1.3.6.1.4.1.3704.1.3.3"
#define SNP_OID_UCODE_SPL    "1.3.6.1.4.1.3704.1.3.8"
#define SNP_OID_FMC_SPL      "1.3.6.1.4.1.3704.1.3.9"
#define SNP_OID_PRODUCT_NAME "1.3.6.1.4.1.3704.1.2"
#define SNP_OID_HWID         "1.3.6.1.4.1.3704.1.4"
#define SNP_OID_CSP_ID       "1.3.6.1.4.1.3704.1.5"

struct snp_verify_opts {
	time_t now;             /* the time certificates must be valid at */
	bool allow_sim;         /* accept evidence of Kettle's software simulator */
};

struct snp_verified {
	bool parsed;                    /* REPORT holds the decoded report */
	struct snp_report report;
	enum snp_product product;       /* from the pinned ARK, else CPUID, else the VCEK's issuer */
	bool simulated;                 /* signed by a Kettle simulator chain */
	bool vlek;                      /* signed by a VLEK (cloud provider key), not a VCEK */
};

/*
 * Verifies the LEN bytes of REPORT (raw, SNP_REPORT_SIZE) with the
 * certificates in CERTS (any order; the leaf, intermediate and root are
 * found by key type and names; extra certificates are ignored). Appends
 * the checks "snp.*" to CHECKS, fills OUT, and returns true when every
 * check it made passed. A missing certificate fails "snp.certs" with the
 * AMD KDS address to get it from.
 */
bool snp_verify(const uint8_t *report, size_t len, const struct x509_list *certs,
		const struct snp_verify_opts *opts, struct check_list *checks,
		struct snp_verified *out);

/*
 * The ECDSA P-384 / SHA-384 signature of RAW (a whole report) by KEY: R and
 * S are read little-endian from report[0x2A0:0x2E8] and [0x2E8:0x330].
 */
bool snp_report_signature_ok(const uint8_t raw[SNP_REPORT_SIZE], EVP_PKEY *key,
			     char *reason, size_t reasonlen);

/*
 * Appends the certificates of a parsed certificate table (entries of kind
 * VCEK, VLEK, ASK, ARK; others are skipped) to LIST. Returns how many, or
 * -1 with ERR naming the entry that is not a DER certificate.
 */
int snp_certtable_to_x509(const struct snp_certtable *t, struct x509_list *list,
			  char *err, size_t errlen);

#endif
