// SPDX-License-Identifier: MIT
/* Base64 both ways, strict about what it accepts. */
#include "common/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/errf.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const uint8_t *p, size_t len)
{
	size_t i, o = 0;
	char *out;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int base64_decode(const char *text, size_t n, size_t max, uint8_t **out, size_t *len, char *err,
		  size_t errlen)
{
	size_t data = n, o = 0, bits = 0;
	uint32_t acc = 0;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	while (data && text[data - 1] == '=' && n - data < 2)
		data--;
	if (data != n && n % 4)
		return errf(err, errlen, "base64: padding on text of %zu characters, not a multiple of 4", n);
	if (data % 4 == 1)
		return errf(err, errlen, "base64: %zu characters cannot be whole bytes", data);
	if (data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0) > max)
		return errf(err, errlen, "base64: more than the limit of %zu bytes", max);
	buf = malloc(data / 4 * 3 + 3);
	if (!buf)
		return errf(err, errlen, "base64: out of memory");
	for (size_t i = 0; i < data; i++) {
		int v = sextet(text[i]);

		if (v < 0) {
			free(buf);
			return errf(err, errlen, "base64: character %zu (0x%02x) is not base64", i,
				    (unsigned)(unsigned char)text[i]);
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits && (acc & ((1u << bits) - 1))) {
		free(buf);
		return errf(err, errlen, "base64: the last character has bits set past the end");
	}
	*out = buf;
	*len = o;
	return 0;
}
