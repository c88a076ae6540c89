/* SPDX-License-Identifier: MIT */
/* One-line error messages into a caller's buffer, the way attest/ reports every failure. */
#ifndef KETTLE_ERRF_H
#define KETTLE_ERRF_H

#include <stddef.h>

/*
 * Formats the message into ERR (ERRLEN bytes, always terminated), one line
 * as errf_one_line makes it; returns -1 for `return errf(...)`.
 */
int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Replaces every control character of S (line breaks, escape sequences) by
 * '?': messages quote outside text (JSON keys, certificate names), which
 * must not start a line of its own or drive the terminal.
 */
void errf_one_line(char *s);

#endif
