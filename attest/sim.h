/* SPDX-License-Identifier: MIT */
/*
 * Kettle's software attester for machines without a TEE: it produces
 * SEV-SNP-format reports (version 5 layout) signed exactly as AMD hardware
 * signs them, by a chain it generated itself and keeps in a state
 * directory: ARK (RSA-4096, self-signed) -> ASK (RSA-4096) -> VCEK
 * (EC P-384), RSA-PSS SHA-384 like AMD's.
 *
 * Nothing about it is trusted: anyone can make such a chain. Its reports
 * carry the marker SNP_SIM_MARKER in CHIP_ID (and MEASUREMENT), its
 * certificate names start with SNP_SIM_CN_PREFIX and end in "NOT A TEE",
 * and snp_verify accepts them only with allow_sim (docs/attest-snp.md).
 */
#ifndef KETTLE_ATTEST_SIM_H
#define KETTLE_ATTEST_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "attest/snp_report.h"
#include "attest/x509.h"

#define SIM_ARK_CN  SNP_SIM_CN_PREFIX "ARK -- NOT A TEE"
#define SIM_ASK_CN  SNP_SIM_CN_PREFIX "ASK -- NOT A TEE"
#define SIM_VCEK_CN SNP_SIM_CN_PREFIX "VCEK -- NOT A TEE"

/* The TCB the simulator reports and certifies: bootloader 1, tee 0, snp 1, microcode 1. */
#define SIM_TCB 0x0101000000000001ULL

struct sim_state;

/*
 * Opens the simulator's state in DIR: loads the chain, or on first use
 * creates DIR (mode 0700) and generates it (keys mode 0600; a few seconds
 * for the two RSA-4096 keys). Concurrent first uses are serialised by a
 * lock file. Returns NULL with a one-line ERR naming the file at fault.
 */
struct sim_state *sim_state_open(const char *dir, char *err, size_t errlen);
void sim_state_close(struct sim_state *s);

/*
 * What a VCEK certifies in AMD KDS's extensions: its TCB (an FMC extension
 * only with has_fmc, as on Turin), the product name, and the hardware ID,
 * HWID_LEN bytes put into the extension as they are (64 raw bytes as KDS
 * does, or a DER OCTET STRING).
 */
struct sim_vcek_fields {
	struct snp_tcb tcb;
	const char *product;
	const uint8_t *hwid;
	size_t hwid_len;
};

/*
 * A certificate laid out like AMD's: for KEY, named CN (organisation: the
 * simulator), issued by ISSUER with ISSUER_KEY (ISSUER NULL: self-signed),
 * valid from a day ago for 25 years, signed RSASSA-PSS SHA-384 (ISSUER_KEY
 * is RSA, as AMD's ARK and ASK are). VCEK NULL makes a CA certificate (ARK,
 * ASK), else an end-entity VCEK carrying those fields. The simulator's chain
 * is made with it, and the tests' chains of other products. NULL on
 * failure; X509_free it.
 */
X509 *sim_make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		    const struct sim_vcek_fields *vcek);

/* Signs REPORT's first SNP_SIGNED_SIZE bytes with the P-384 KEY, R and S stored as AMD's firmware does. 0 or -1. */
int sim_sign_report(EVP_PKEY *key, uint8_t report[SNP_REPORT_SIZE]);

/*
 * Makes a report carrying REPORT_DATA, signed by the simulator's VCEK, and
 * appends VCEK, ASK and ARK (in that order) to CERTS. Returns 0, or -1
 * with ERR (nothing appended).
 */
int sim_report(struct sim_state *s, const uint8_t report_data[SNP_REPORT_DATA_SIZE],
	       uint8_t out[SNP_REPORT_SIZE], struct x509_list *certs, char *err, size_t errlen);

/*
 * The default state directory: $KETTLE_SIM_DIR, else
 * $XDG_STATE_HOME/kettle/sim, else $HOME/.local/state/kettle/sim.
 * Returns 0, or -1 when none of these variables is set or it does not fit.
 */
int sim_default_dir(char *out, size_t outlen);

#endif
