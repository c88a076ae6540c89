/* SPDX-License-Identifier: MIT */
/* One-line error messages into a caller's buffer, the way attest/ reports every failure. */
#ifndef KETTLE_ATTEST_ERRF_H
#define KETTLE_ATTEST_ERRF_H

#include <stddef.h>

/* Formats the message into ERR (ERRLEN bytes, always terminated); returns -1 for `return errf(...)`. */
int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
