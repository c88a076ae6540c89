// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/errf.h"
#include "forensics/index_query.h"

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int index_glob_to_like(const char *glob, char *out, size_t outlen, bool *wild, char *err, size_t errlen)
{
	size_t o = 0;

	*wild = false;
	if (!*glob)
		return errf(err, errlen, "--path: empty pattern");
	if (has_control(glob))
		return errf(err, errlen, "--path: control character in the pattern");
	for (const char *p = glob; *p; p++) {
		char c = *p;
		bool escape = false;

		if (c == '[')
			return errf(err, errlen, "--path: '[...]' classes are not supported (use * and ?)");
		if (c == '\\') {
			if (!p[1])
				return errf(err, errlen, "--path: the pattern ends with a lone '\\'");
			c = *++p;
			escape = c == '%' || c == '_' || c == '\\';
		} else if (c == '*' || c == '?') {
			*wild = true;
			c = c == '*' ? '%' : '_';
		} else {
			escape = c == '%' || c == '_';
		}
		if (o + 3 > outlen)
			return errf(err, errlen, "--path: pattern longer than %zu bytes", outlen / 2);
		if (escape)
			out[o++] = '\\';
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static int parse_port(const char *s, long *port, char *err, size_t errlen)
{
	long v = 0;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return errf(err, errlen, "endpoint port '%.16s' is not a number from 1 to 65535", s);
	v = strtol(s, NULL, 10);
	if (v < 1 || v > 65535)
		return errf(err, errlen, "endpoint port %ld is not from 1 to 65535", v);
	*port = v;
	return 0;
}

static int set_host(char host[INDEX_HOST_MAX], const char *s, size_t n, char *err, size_t errlen)
{
	if (!n)
		return errf(err, errlen, "endpoint: empty host");
	if (n >= INDEX_HOST_MAX)
		return errf(err, errlen, "endpoint: host longer than %d bytes", INDEX_HOST_MAX - 1);
	memcpy(host, s, n);
	host[n] = '\0';
	return 0;
}

int index_endpoint_parse(const char *s, char host[INDEX_HOST_MAX], long *port, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');

	*port = -1;
	host[0] = '\0';
	if (has_control(s))
		return errf(err, errlen, "endpoint: control character");
	if (s[0] == '/' || s[0] == '@')
		return set_host(host, s, strlen(s), err, errlen);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return errf(err, errlen, "endpoint '%.64s': '[' without ']'", s);
		if (close[1] && close[1] != ':')
			return errf(err, errlen, "endpoint '%.64s': expected ':PORT' after ']'", s);
		if (set_host(host, s + 1, (size_t)(close - s - 1), err, errlen))
			return -1;
		return close[1] ? parse_port(close + 2, port, err, errlen) : 0;
	}
	/* no colon: a name or IPv4; two or more: an IPv6 address without a port */
	if (!colon || strchr(colon + 1, ':'))
		return set_host(host, s, strlen(s), err, errlen);
	if (set_host(host, s, (size_t)(colon - s), err, errlen))
		return -1;
	return parse_port(colon + 1, port, err, errlen);
}

int index_sha256_parse(const char *s, char out[65], char *err, size_t errlen)
{
	if (!strncmp(s, "sha256:", 7))
		s += 7;
	if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
		return errf(err, errlen, "--digest: expected a SHA-256 as 64 hex digits");
	for (int i = 0; i < 64; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[64] = '\0';
	return 0;
}
