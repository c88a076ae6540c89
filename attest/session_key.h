/* SPDX-License-Identifier: MIT */
/*
 * The per-session signing key (docs/attestation.md, "The session key"): an
 * ECDSA P-256 key made in memory inside the TEE for one `kettle attest`,
 * whose public half is bound into report_data and whose private half signs
 * the statement's DSSE envelope and is then freed, never written anywhere.
 * A verifier gets the public half as SubjectPublicKeyInfo DER from the
 * evidence bundle.
 */
#ifndef KETTLE_ATTEST_SESSION_KEY_H
#define KETTLE_ATTEST_SESSION_KEY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* A P-256 SPKI is 91 bytes; anything much larger is not one. */
#define SESSION_KEY_SPKI_MAX 256
#define SESSION_KEY_ID_LEN   64     /* hex SHA-256 of the SPKI DER */

/* A fresh P-256 key pair; NULL with a one-line ERR. */
EVP_PKEY *session_key_new(char *err, size_t errlen);

/* The public key as SPKI DER into OUT (SESSION_KEY_SPKI_MAX bytes); its length, or -1 with ERR. */
int session_key_spki(EVP_PKEY *key, uint8_t out[SESSION_KEY_SPKI_MAX], char *err, size_t errlen);

/* Parses SPKI DER that must hold an EC P-256 public key; NULL with a one-line ERR. */
EVP_PKEY *session_key_from_spki(const uint8_t *der, size_t len, char *err, size_t errlen);

/* The key id outside tools are given (hex SHA-256 of the SPKI DER) into OUT (65 bytes); 0 or -1. */
int session_key_id(const uint8_t *spki, size_t len, char out[SESSION_KEY_ID_LEN + 1]);

/* The public key as PEM text ("-----BEGIN PUBLIC KEY-----"), malloc'd; NULL with ERR. */
char *session_key_public_pem(EVP_PKEY *key, char *err, size_t errlen);

#endif
