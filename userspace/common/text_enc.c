// SPDX-License-Identifier: MIT
/* UTF-8 checking and percent-encoding of names that are not UTF-8. */
#include "common/text_enc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

bool text_is_utf8(const char *s)
{
	json_t *j = json_string(s);     /* jansson validates UTF-8 (RFC 3629) */

	json_decref(j);
	return j != NULL;
}

/* RFC 3986 pchar plus '/': what a file URI's path keeps as it is. */
static bool uri_keeps(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

char *text_percent_encode(const char *prefix, const char *s)
{
	size_t plen = strlen(prefix), n = plen;
	char *out, *p;

	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		n += uri_keeps(*c) ? 1 : 3;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, prefix, plen);
	p = out + plen;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (uri_keeps(*c))
			*p++ = (char)*c;
		else
			p += sprintf(p, "%%%02X", *c);
	}
	*p = '\0';
	return out;
}
