/* SPDX-License-Identifier: MIT */
/*
 * Intel TDX quotes, versions 4 and 5 (Intel TDX DCAP Quoting Library API,
 * appendix "Quote format"): parsed into fields without trusting any length
 * the quote states -- every length is bounded by the quote's own structure
 * and by the buffer size before it is used. Checking signatures and
 * certificates is tdx_verify.h's job; this module only parses and shows.
 *
 * Layout (all integers little-endian):
 *   header (48)                       version, att. key type, tee type, ...
 *   v5 only: body type (u16), body size (u32)
 *   TD quote body (584, or 648 for v5 body type 3 = TDX 1.5)
 *   --- everything above is signed by the attestation key ---
 *   signature data length (u32)
 *   signature data: signature (64, r||s), attestation key (64, x||y),
 *     certification data: type (u16), size (u32), data
 *       type 6 = QE report certification data: QE report (384),
 *         QE report signature (64), QE auth data (u16 size + bytes),
 *         inner certification data: type (u16), size (u32), data
 *           (type 5 = PCK certificate chain, PEM)
 */
#ifndef KETTLE_ATTEST_TDX_QUOTE_H
#define KETTLE_ATTEST_TDX_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define TDX_QUOTE_HEADER_SIZE     48
#define TDX_BODY_10_SIZE          584   /* TDX 1.0 TD quote body */
#define TDX_BODY_15_SIZE          648   /* TDX 1.5: + tee_tcb_svn2, mrservicetd */
#define TDX_QE_REPORT_SIZE        384   /* SGX report body of the quoting enclave */
#define TDX_SIG_SIZE              64    /* ECDSA P-256 r||s, big-endian */
#define TDX_ATTEST_KEY_SIZE       64    /* P-256 public key x||y, big-endian */
#define TDX_MR_SIZE               48    /* SHA-384 measurement registers */
#define TDX_REPORT_DATA_SIZE      64
/* Real quotes are about 5 KiB; a PCK chain plus a platform manifest stays far below this. */
#define TDX_QUOTE_MAX_SIZE        (256 * 1024)

#define TDX_TEE_TYPE              0x81
#define TDX_ATT_KEY_ECDSA_P256    2
#define TDX_BODY_TYPE_10          2     /* v5 body descriptor types */
#define TDX_BODY_TYPE_15          3
#define TDX_CERT_PPID_CLEAR       1     /* certification data types */
#define TDX_CERT_PPID_RSA2048     2
#define TDX_CERT_PPID_RSA3072     3
#define TDX_CERT_PCK_LEAF         4
#define TDX_CERT_PCK_CHAIN        5
#define TDX_CERT_QE_REPORT        6
#define TDX_CERT_PLATFORM_MANIFEST 7

struct tdx_quote_header {
	uint16_t version;
	uint16_t att_key_type;
	uint32_t tee_type;
	uint16_t qe_svn;
	uint16_t pce_svn;
	uint8_t qe_vendor_id[16];
	uint8_t user_data[20];
};

/* The TD quote body; tee_tcb_svn2 and mrservicetd only when body_type is 3. */
struct tdx_td_body {
	uint8_t tee_tcb_svn[16];
	uint8_t mrseam[TDX_MR_SIZE];
	uint8_t mrsignerseam[TDX_MR_SIZE];
	uint8_t seam_attributes[8];
	uint8_t td_attributes[8];
	uint8_t xfam[8];
	uint8_t mrtd[TDX_MR_SIZE];
	uint8_t mrconfigid[TDX_MR_SIZE];
	uint8_t mrowner[TDX_MR_SIZE];
	uint8_t mrownerconfig[TDX_MR_SIZE];
	uint8_t rtmr[4][TDX_MR_SIZE];
	uint8_t report_data[TDX_REPORT_DATA_SIZE];
	uint8_t tee_tcb_svn2[16];
	uint8_t mrservicetd[TDX_MR_SIZE];
};

/* td_attributes byte 0 bit 0: the TD runs in debug mode (its state is readable by the host). */
#define TDX_TD_ATTR_DEBUG 0x01

/* The quoting enclave's SGX report body (384 bytes). */
struct tdx_qe_report {
	uint8_t cpu_svn[16];
	uint32_t miscselect;
	uint8_t isv_ext_prod_id[16];
	uint8_t attributes[16];
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint8_t config_id[64];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint16_t config_svn;
	uint8_t isv_family_id[16];
	uint8_t report_data[64];
};

/*
 * A parsed quote. The const pointers point into the caller's buffer, which
 * must outlive this struct; lengths next to them are already bounded.
 */
struct tdx_quote {
	const uint8_t *raw;
	size_t raw_len;

	struct tdx_quote_header header;
	uint16_t body_type;             /* 2 or 3 (v4 quotes: 2) */
	uint32_t body_size;             /* 584 or 648 */
	struct tdx_td_body body;

	size_t signed_len;              /* bytes [0, signed_len) are signed: header (+ descriptor) + body */
	size_t sig_data_len_offset;     /* where the u32 signature data length sits (0x278 / 0x2be) */
	uint32_t sig_data_len;
	uint8_t signature[TDX_SIG_SIZE];
	uint8_t attest_key[TDX_ATTEST_KEY_SIZE];

	uint16_t cert_data_type;        /* outer certification data; 6 expected */
	uint32_t cert_data_size;
	const uint8_t *cert_data;

	/* Filled only when cert_data_type is TDX_CERT_QE_REPORT. */
	bool has_qe_report;
	const uint8_t *qe_report_raw;   /* the 384 bytes the QE report signature covers */
	struct tdx_qe_report qe_report;
	uint8_t qe_report_signature[TDX_SIG_SIZE];
	uint16_t qe_auth_data_len;
	const uint8_t *qe_auth_data;
	uint16_t pck_data_type;         /* inner certification data; 5 = PCK chain */
	uint32_t pck_data_size;
	const uint8_t *pck_data;

	/* Bytes after the signature data: not signed, not used; reported. */
	size_t trailing_len;
};

/*
 * Parses LEN bytes at BUF into Q. Returns 0, or -1 with a one-line ERR
 * naming the field and offset that is wrong (too short, a length that
 * overruns the quote or disagrees with another, an unsupported version,
 * key type, TEE type or body type).
 */
int tdx_quote_parse(const uint8_t *buf, size_t len, struct tdx_quote *q,
		    char *err, size_t errlen);

/* Every field as JSON (byte strings as lowercase hex); NULL on allocation failure. */
json_t *tdx_quote_to_json(const struct tdx_quote *q);
/* Every field as "name: value" lines for people. */
void tdx_quote_print(const struct tdx_quote *q, FILE *out);

/* The name of a certification data type ("PCK certificate chain", ...). */
const char *tdx_cert_data_type_name(uint16_t type);

#endif
