/* SPDX-License-Identifier: MIT */
/* Standard base64 (RFC 4648 section 4, padded), as DSSE envelopes and Sigstore bundles carry bytes. */
#ifndef KETTLE_BASE64_H
#define KETTLE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Base64 of LEN bytes, NUL-terminated and malloc'd; NULL when out of memory or too large. */
char *base64_encode(const uint8_t *p, size_t len);

/*
 * Decodes N characters of TEXT: the standard alphabet, padded to a multiple
 * of 4 (the URL-safe alphabet and unpadded text are also accepted, as DSSE
 * allows either).  At most MAX bytes.  *OUT is malloc'd.  0, or -1 with a
 * one-line ERR naming the offending character or the limit.
 */
int base64_decode(const char *text, size_t n, size_t max, uint8_t **out, size_t *len, char *err,
		  size_t errlen);

#endif
