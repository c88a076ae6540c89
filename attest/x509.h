/* SPDX-License-Identifier: MIT */
/*
 * A small OpenSSL 3 wrapper for the certificates of attestation evidence
 * (AMD VCEK/VLEK/ASK/ASVK/ARK, Intel PCK chain): load them from DER, one
 * PEM or a PEM bundle, fingerprint them, check validity at an injected
 * time, check one certificate's signature with its issuer's key.
 *
 * It deliberately does not use X509_verify_cert: the chains are short and
 * fixed, each link is its own named check, and the roots are pinned by
 * fingerprint rather than found in a trust store.
 */
#ifndef KETTLE_ATTEST_X509_H
#define KETTLE_ATTEST_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#define X509_INPUT_MAX   (256 * 1024)   /* bytes of one certificate file or buffer */
#define X509_LIST_MAX    16             /* certificates in one list */
#define X509_SHA256_LEN  32
#define X509_CN_MAX      128

/* Certificates in input order; the list owns them. Zero-initialise before use. */
struct x509_list {
	X509 *certs[X509_LIST_MAX];
	size_t n;
};

/*
 * Appends the certificates in BUF (LEN bytes) to LIST: a single DER
 * certificate, or PEM text with one or more "BEGIN CERTIFICATE" blocks.
 * Returns the number appended (>= 1), or -1 with a one-line ERR (nothing
 * appended) for garbage, a truncated certificate, bytes after a DER
 * certificate, more than X509_INPUT_MAX bytes or a full list.
 */
int x509_list_add_buffer(struct x509_list *list, const void *buf, size_t len,
			 char *err, size_t errlen);
/* The same for a file; ERR names PATH. */
int x509_list_add_file(struct x509_list *list, const char *path, char *err, size_t errlen);
/* Appends CERT (the list takes a new reference); -1 when the list is full. */
int x509_list_add(struct x509_list *list, X509 *cert);
/* Frees every certificate and empties LIST. */
void x509_list_free(struct x509_list *list);

/* One DER certificate of exactly LEN bytes, or NULL with ERR. X509_free it. */
X509 *x509_from_der(const void *der, size_t len, char *err, size_t errlen);

/* SHA-256 of the certificate's DER encoding. Returns 0 or -1. */
int x509_sha256(X509 *cert, uint8_t out[X509_SHA256_LEN]);

/* notBefore / notAfter as UTC seconds. Returns 0 or -1. */
int x509_validity(X509 *cert, time_t *not_before, time_t *not_after);
/*
 * True when NOW lies inside [notBefore, notAfter]; otherwise false with a
 * REASON saying "not valid before ..." or "expired at ..." (UTC).
 */
bool x509_valid_at(X509 *cert, time_t now, char *reason, size_t reasonlen);

/*
 * True when CERT's signature verifies with ISSUER's public key (RSA,
 * RSA-PSS, ECDSA: whatever the certificate's algorithm says), else false
 * with REASON. Only the signature: names, time and extensions are the
 * caller's checks.
 */
bool x509_signed_by(X509 *cert, X509 *issuer, char *reason, size_t reasonlen);

/* Subject / issuer commonName ("" when absent). Returns 0, or -1 with OUT "" when it does not fit or holds a NUL. */
int x509_subject_cn(X509 *cert, char *out, size_t outlen);
int x509_issuer_cn(X509 *cert, char *out, size_t outlen);
/* The first certificate in LIST whose subject CN is CN, or NULL. */
X509 *x509_list_find_cn(const struct x509_list *list, const char *cn);

/*
 * The DER contents of the extension with dotted OID (the bytes inside
 * extnValue's OCTET STRING; they stay owned by CERT). Returns 0, 1 when
 * the certificate has no such extension, -1 for a bad OID.
 */
int x509_extension(X509 *cert, const char *oid, const uint8_t **value, size_t *len);

/* "YYYY-MM-DDTHH:MM:SSZ" of T (21 bytes with the NUL). */
void x509_time_str(time_t t, char *out, size_t outlen);
/*
 * For certificates kettle makes itself (the simulator, test chains): adds a
 * non-critical extension OID with DER as its value, or a one-byte INTEGER
 * (the AMD TCB extensions).  0 or -1.
 */
int x509_add_extension_der(X509 *cert, const char *oid, const uint8_t *der, int len);
int x509_add_extension_u8(X509 *cert, const char *oid, uint8_t value);

#endif
