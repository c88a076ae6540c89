/* SPDX-License-Identifier: MIT */
/*
 * The Intel SGX extension of a PCK (Provisioning Certification Key)
 * certificate, OID 1.2.840.113741.1.13.1 (Intel "SGX PCK Certificate and
 * CRL Profile"): a SEQUENCE of { OID, value } pairs naming the platform --
 * PPID (.1), TCB (.2: 16 component SVNs .2.1-.2.16, PCESVN .2.17, CPUSVN
 * .2.18), PCE-ID (.3), FMSPC (.4), SGX type (.5). The FMSPC says which TCB
 * info a verifier with collateral would fetch from Intel PCS.
 */
#ifndef KETTLE_ATTEST_TDX_PCK_H
#define KETTLE_ATTEST_TDX_PCK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#define TDX_PCK_SGX_EXT_OID "1.2.840.113741.1.13.1"

struct tdx_pck_ext {
	uint8_t ppid[16];
	uint8_t fmspc[6];
	uint8_t pce_id[2];
	uint8_t cpu_svn[16];
	uint8_t tcb_comp_svn[16];
	uint16_t pce_svn;
	int sgx_type;                   /* 0 standard, 1 scalable, 2 scalable with integrity; -1 absent */
};

/*
 * Reads CERT's SGX extension into EXT. Returns 0; 1 when CERT has no SGX
 * extension (it is not a PCK certificate); -1 with a one-line ERR when the
 * extension is malformed or lacks the FMSPC or PCE-ID.
 */
int tdx_pck_ext_parse(X509 *cert, struct tdx_pck_ext *ext, char *err, size_t errlen);

/* The extension's fields as JSON (hex byte strings); NULL on allocation failure. */
json_t *tdx_pck_ext_to_json(const struct tdx_pck_ext *ext);

#endif
