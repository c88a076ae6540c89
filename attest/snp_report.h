/* SPDX-License-Identifier: MIT */
/*
 * The AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP Firmware ABI specification,
 * "ATTESTATION_REPORT Structure"): 1184 bytes, versions 2, 3 and 5.
 * docs/attest-snp.md lists every field and what is checked.
 *
 * Parsing only decodes; whether the report is genuine is snp_verify's job.
 */
#ifndef KETTLE_ATTEST_SNP_REPORT_H
#define KETTLE_ATTEST_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define SNP_REPORT_SIZE      0x4A0   /* 1184 */
#define SNP_SIGNED_SIZE      0x2A0   /* the signature covers report[0:0x2A0] */
#define SNP_SIG_COMPONENT    72      /* R and S: little-endian, zero-padded */
#define SNP_CHIP_ID_SIZE     64
#define SNP_REPORT_DATA_SIZE 64
#define SNP_MEASUREMENT_SIZE 48
#define SNP_REPORT_FILE_MAX  (64 * 1024)   /* a report file: binary or hex text */

enum snp_product {
	SNP_PRODUCT_UNKNOWN = 0,
	SNP_PRODUCT_MILAN,
	SNP_PRODUCT_GENOA,
	SNP_PRODUCT_TURIN,
	SNP_PRODUCT_SIM,        /* Kettle's software simulator (attest/sim.h), not hardware */
};

/* SIGNING_KEY of report[0x48] bits 4:2 */
enum snp_signing_key {
	SNP_SIGNING_KEY_VCEK = 0,
	SNP_SIGNING_KEY_VLEK = 1,
	SNP_SIGNING_KEY_NONE = 7,       /* the report is not signed */
};

/* A TCB_VERSION decoded per product (Turin adds FMC and moves the fields). */
struct snp_tcb {
	uint8_t bootloader, tee, snp, microcode;
	uint8_t fmc;                    /* Turin only; 0 elsewhere */
	bool has_fmc;
};

struct snp_report {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t signature_algo;        /* 1: ECDSA P-384 with SHA-384 */
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t signer_info;           /* report[0x48] as read */
	bool author_key_en;
	bool mask_chip_key;
	unsigned signing_key;           /* enum snp_signing_key, or a reserved value 2..6 */
	uint8_t report_data[SNP_REPORT_DATA_SIZE];
	uint8_t measurement[SNP_MEASUREMENT_SIZE];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;  /* version >= 3; 0 in version 2 */
	uint8_t chip_id[SNP_CHIP_ID_SIZE];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector;     /* version >= 5; 0 before */
	uint64_t current_mit_vector;    /* version >= 5; 0 before */
	uint8_t sig_r[SNP_SIG_COMPONENT];   /* little-endian, as in the report */
	uint8_t sig_s[SNP_SIG_COMPONENT];
	uint8_t raw[SNP_REPORT_SIZE];       /* the exact bytes parsed */
};

/*
 * Kettle's software simulator (attest/sim.h) fills CHIP_ID with this
 * 16-character text four times, so its reports are recognisable on sight;
 * no AMD chip has this ID. The simulator's certificate CNs start with
 * SNP_SIM_CN_PREFIX.
 */
#define SNP_SIM_MARKER    "KETTLE-SIMULATED"
#define SNP_SIM_CN_PREFIX "Kettle SIM "

/* POLICY bits */
#define SNP_POLICY_SMT           (1ULL << 16)
#define SNP_POLICY_MIGRATE_MA    (1ULL << 18)
#define SNP_POLICY_DEBUG         (1ULL << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ULL << 20)

/*
 * Decodes LEN bytes (exactly SNP_REPORT_SIZE) into OUT. Returns 0, or -1
 * with a one-line ERR for a wrong size or a version other than 2, 3, 5.
 * Reserved bytes are not judged here: see snp_report_reserved_zero.
 */
int snp_report_parse(const uint8_t *buf, size_t len, struct snp_report *out,
		     char *err, size_t errlen);

/*
 * Reads a report file: 1184 raw bytes, or the same as hex text (whitespace
 * allowed, as virtee/snpguest write it). Returns 0 with OUT filled, or -1
 * with ERR naming PATH.
 */
int snp_report_load_file(const char *path, uint8_t out[SNP_REPORT_SIZE],
			 char *err, size_t errlen);
/* The same for a buffer (binary or hex text). */
int snp_report_from_bytes(const uint8_t *buf, size_t len, uint8_t out[SNP_REPORT_SIZE],
			  char *err, size_t errlen);

/*
 * True when every byte the ABI marks reserved is zero: inside the signed
 * part (0x4C..0x4F, signer_info bits 31:5, 0x188/0x18B..0x19F, 0x1EB, 0x1EF,
 * 0x1F8/0x208..0x29F) and the unsigned tail 0x330..0x49F, which a forger
 * could otherwise fill freely. REASON names the first offending byte.
 */
bool snp_report_reserved_zero(const struct snp_report *r, char *reason, size_t reasonlen);

/* The product the CPUID fields name (version >= 3), else SNP_PRODUCT_UNKNOWN. */
enum snp_product snp_report_cpuid_product(const struct snp_report *r);
/* True when CHIP_ID holds the simulator's marker. */
bool snp_report_has_sim_marker(const struct snp_report *r);

/* "Milan", "Genoa", "Turin", "Kettle-SIM", "unknown": the names AMD KDS uses. */
const char *snp_product_name(enum snp_product p);
/* "VCEK", "VLEK", "none", "reserved" */
const char *snp_signing_key_name(unsigned signing_key);

/* A TCB_VERSION in PRODUCT's layout (Turin: FMC, BL, TEE, SNP, 3 reserved, uCode). */
void snp_tcb_decode(uint64_t raw, enum snp_product product, struct snp_tcb *out);

/* Every field as a JSON object (TCBs decoded per PRODUCT); NULL on allocation failure. */
json_t *snp_report_to_json(const struct snp_report *r, enum snp_product product);
/* Every field, one per line, for people. */
void snp_report_print(FILE *f, const struct snp_report *r, enum snp_product product);

#endif
