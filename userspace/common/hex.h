/* SPDX-License-Identifier: MIT */
/* Hexadecimal text <-> bytes, for nonces, measurements and reports given as hex. */
#ifndef KETTLE_HEX_H
#define KETTLE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of LEN bytes into OUT (2 * LEN + 1 bytes, NUL-terminated). */
void hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * Decodes exactly 2 * LEN hex digits (either case) from the first N
 * characters of TEXT into OUT.  Returns 0, or -1 with a one-line ERR naming
 * the offending character or the wrong length.
 */
int hex_decode_exact(const char *text, size_t n, uint8_t *out, size_t len, char *err, size_t errlen);

/*
 * Decodes hex text that may contain ASCII whitespace (line breaks of a hex
 * dump) into OUT, at most MAX bytes.  Returns the number of bytes, or -1 with
 * a one-line ERR.
 */
long hex_decode_text(const char *text, size_t n, uint8_t *out, size_t max, char *err, size_t errlen);

#endif
