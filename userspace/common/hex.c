// SPDX-License-Identifier: MIT
/* Hexadecimal text to bytes and back. */
#include "common/hex.h"

#include <stdio.h>

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int hex_decode_exact(const char *text, size_t n, uint8_t *out, size_t len, char *err, size_t errlen)
{
	if (n != 2 * len) {
		snprintf(err, errlen, "expected %zu hex digits (%zu bytes), got %zu characters",
			 2 * len, len, n);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			size_t at = hi < 0 ? 2 * i : 2 * i + 1;

			snprintf(err, errlen, "not a hex digit at character %zu", at + 1);
			return -1;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

long hex_decode_text(const char *text, size_t n, uint8_t *out, size_t max, char *err, size_t errlen)
{
	size_t len = 0;
	int hi = -1;

	for (size_t i = 0; i < n; i++) {
		int v;

		if (is_space(text[i]))
			continue;
		v = nibble(text[i]);
		if (v < 0) {
			snprintf(err, errlen, "not a hex digit at byte %zu", i);
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (len == max) {
			snprintf(err, errlen, "more than %zu bytes of hex", max);
			return -1;
		}
		out[len++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		snprintf(err, errlen, "odd number of hex digits");
		return -1;
	}
	return (long)len;
}
