/* SPDX-License-Identifier: MIT */
/* A moment a user types: RFC 3339 or unix seconds (kettle verify --now, kettle search --since/--until). */
#ifndef KETTLE_TIME_PARSE_H
#define KETTLE_TIME_PARSE_H

#include <time.h>

/* RFC 3339 (Z or +hh:mm, optional fraction, 'T' or ' ') or unix seconds into *OUT; 0 or -1. */
int time_parse(const char *s, time_t *out);

#endif
