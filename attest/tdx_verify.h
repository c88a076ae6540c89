/* SPDX-License-Identifier: MIT */
/*
 * Offline verification of an Intel TDX quote (v4/v5, ECDSA P-256), every
 * step one named check in a check_list:
 *   tdx.quote.structure          the quote parsed, lengths consistent (tdx_verify_quote_bytes)
 *   tdx.quote.certification_data QE report certification data (type 6) is there
 *   tdx.quote.signature          attestation key signed header + body
 *   tdx.qe_report.binding        QE report_data = SHA-256(attestation key || QE auth data) || 0^32
 *   tdx.qe_report.identity       the QE is Intel's TD quoting enclave (MRSIGNER, ISV product id 2)
 *   tdx.pck.leaf                 a PCK certificate (SGX extension: FMSPC, PCE-ID) was found
 *   tdx.qe_report.signature      the PCK leaf's key signed the 384-byte QE report
 *   tdx.pck.intermediate         the leaf's issuer (Intel SGX PCK Platform/Processor CA) was found
 *   tdx.pck.leaf_signature       intermediate signed the leaf
 *   tdx.pck.root                 the intermediate's issuer was found
 *   tdx.pck.intermediate_signature root signed the intermediate
 *   tdx.pck.root_self_signed     root signed itself
 *   tdx.pck.root_pinned          root is the Intel SGX Root CA (SHA-256 fingerprint in the code)
 *   tdx.pck.{leaf,intermediate,root}.validity  each certificate valid at NOW
 * and the note tdx.collateral: TCB info, QE identity and CRLs from Intel
 * PCS are not checked offline (TCB status and revocation stay unknown).
 * Certificates come from the quote's own PCK chain (certification data
 * type 5) and from the caller's EXTRA list; nothing is fetched.
 */
#ifndef KETTLE_ATTEST_TDX_VERIFY_H
#define KETTLE_ATTEST_TDX_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "attest/check.h"
#include "attest/tdx_pck.h"
#include "attest/tdx_quote.h"
#include "attest/x509.h"

/* What verification learnt about the platform, for display and policy. */
struct tdx_verified {
	bool have_pck;                  /* pck and the names below are filled */
	struct tdx_pck_ext pck;         /* FMSPC, PCE-ID, TCB SVNs of the PCK leaf */
	char pck_issuer_cn[X509_CN_MAX];
	bool have_window;               /* leaf, intermediate and root were all found */
	time_t chain_not_before;        /* intersection of the chain's validity periods */
	time_t chain_not_after;
};

/*
 * Runs every check on the parsed quote Q (see above) at time NOW, appending
 * them to L. EXTRA may be NULL. OUT may be NULL. Returns true when every
 * check passed.
 */
bool tdx_verify_quote(const struct tdx_quote *q, const struct x509_list *extra, time_t now,
		      struct check_list *l, struct tdx_verified *out);

/*
 * Parses LEN bytes at BUF and verifies them: a parse error becomes the
 * failed check tdx.quote.structure (naming the bad length or field) and
 * nothing else is checked. Q receives the parsed quote (pointing into BUF).
 */
bool tdx_verify_quote_bytes(const uint8_t *buf, size_t len, const struct x509_list *extra, time_t now,
			    struct check_list *l, struct tdx_quote *q, struct tdx_verified *out);

/*
 * Appends the certificates the quote carries itself (a PCK chain, type 5,
 * or a PCK leaf, type 4, inside the QE report certification data) to LIST,
 * e.g. to store them in an evidence bundle. Returns how many (0 when the
 * quote carries none), or -1 with a one-line ERR when they do not parse.
 */
int tdx_quote_certs(const struct tdx_quote *q, struct x509_list *list, char *err, size_t errlen);

/* PCK facts of a verification as JSON; NULL on allocation failure. */
json_t *tdx_verified_to_json(const struct tdx_verified *v);

#endif
