/* SPDX-License-Identifier: MIT */
/*
 * Linux names are bytes, JSON strings are UTF-8: how a name that is not
 * UTF-8 is still written without losing a byte.
 */
#ifndef KETTLE_TEXT_ENC_H
#define KETTLE_TEXT_ENC_H

#include <stdbool.h>

/* True when S is valid UTF-8 (RFC 3629), as JSON needs. */
bool text_is_utf8(const char *s);

/* PREFIX followed by S with every byte outside RFC 3986 pchar and '/'
 * written %XX; malloc'd, NULL when out of memory. */
char *text_percent_encode(const char *prefix, const char *s);

#endif
