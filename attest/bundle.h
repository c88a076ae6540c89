/* SPDX-License-Identifier: MIT */
/*
 * The evidence bundle (docs/evidence-bundle.md): one CBOR map holding the
 * exact statement bytes, the raw report or quote, the certificates a
 * verifier needs, the nonce and when it was made.  Reading treats every
 * byte as untrusted: bounded, checked, one-line errors.
 */
#ifndef KETTLE_ATTEST_BUNDLE_H
#define KETTLE_ATTEST_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/report_data.h"

#define BUNDLE_FORMAT        "kettle-evidence"
#define BUNDLE_VERSION       1            /* no session key: report_data layout 1 */
#define BUNDLE_VERSION_KEYED 2            /* with signing_key: report_data layout 2 */
#define BUNDLE_FILE_MAX      (64u << 20)  /* whole file */
#define BUNDLE_STATEMENT_MAX (48u << 20)  /* provenance of a very large build */
#define BUNDLE_REPORT_MAX    (64u << 10)  /* an SNP report is 1184 bytes, a TDX quote ~5-8 KiB */
#define BUNDLE_CERT_MAX      (16u << 10)  /* one DER certificate */
#define BUNDLE_CERTS_MAX     8
#define BUNDLE_ROLE_MAX      16
#define BUNDLE_TEXT_MAX      64           /* created, kettle_version */
#define BUNDLE_KEY_MAX       256          /* SPKI DER of the session key (P-256: 91 bytes) */

enum bundle_platform {
	PLATFORM_NONE = 0,
	PLATFORM_SEV_SNP,       /* "sev-snp": a report from AMD hardware */
	PLATFORM_TDX,           /* "tdx": a quote from Intel hardware */
	PLATFORM_SIM_SEV_SNP,   /* "sim-sev-snp": kettle's software simulator, SNP format */
};

struct bundle_cert {
	char role[BUNDLE_ROLE_MAX];     /* "vcek", "vlek", "ask", "asvk", "ark", "pck", ... */
	uint8_t *der;
	size_t len;
};

struct bundle {
	uint32_t version;
	enum bundle_platform platform;
	bool simulated;
	uint8_t *statement;     /* exactly the bytes whose SHA-256 is report_data[0..31] */
	size_t statement_len;
	uint8_t *report;        /* raw SNP report or TDX quote */
	size_t report_len;
	struct bundle_cert certs[BUNDLE_CERTS_MAX];
	size_t ncerts;
	bool has_nonce;
	uint8_t nonce[NONCE_LEN];
	char created[BUNDLE_TEXT_MAX];          /* RFC 3339 UTC, e.g. 2026-11-27T23:40:14Z */
	char kettle_version[BUNDLE_TEXT_MAX];
	/* SPKI DER of the session key bound into report_data (layout 2); 0 bytes: layout 1, no key */
	uint8_t signing_key[BUNDLE_KEY_MAX];
	size_t signing_key_len;
};

/* "sev-snp", "tdx", "sim-sev-snp"; NULL for PLATFORM_NONE. */
const char *bundle_platform_name(enum bundle_platform p);
/* PLATFORM_NONE when NAME is none of them. */
enum bundle_platform bundle_platform_from_name(const char *name, size_t len);

/* Copies LEN bytes into an owned field; 0, or -1 with ERR (too large, no memory). */
int bundle_set_statement(struct bundle *b, const uint8_t *p, size_t len, char *err, size_t errlen);
int bundle_set_report(struct bundle *b, const uint8_t *p, size_t len, char *err, size_t errlen);
int bundle_add_cert(struct bundle *b, const char *role, const uint8_t *der, size_t len,
		    char *err, size_t errlen);
/* The first certificate with ROLE, or NULL. */
const struct bundle_cert *bundle_find_cert(const struct bundle *b, const char *role);
/* Sets created to the current UTC time and kettle_version to this build's. */
void bundle_stamp(struct bundle *b);

/* Encodes B into a malloc'd buffer; 0, or -1 with ERR. */
int bundle_encode(const struct bundle *b, uint8_t **out, size_t *len, char *err, size_t errlen);
/* Writes B to PATH (a temporary file renamed into place); 0, or -1 with ERR. */
int bundle_write_file(const struct bundle *b, const char *path, char *err, size_t errlen);

/* Parses a bundle; 0, or -1 with a one-line ERR (B is then empty). */
int bundle_decode(const uint8_t *buf, size_t len, struct bundle *b, char *err, size_t errlen);
int bundle_read_file(const char *path, struct bundle *b, char *err, size_t errlen);

void bundle_free(struct bundle *b);

#endif
