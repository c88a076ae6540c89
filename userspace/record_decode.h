/* SPDX-License-Identifier: MIT */
/*
 * Turns one raw kernel record (bpf/events.h) into a struct log_event:
 * reverses path components, joins a failed open's name with its base
 * directory, splits argv.  Strings live in the decoder until the next call.
 */
#ifndef KETTLE_RECORD_DECODE_H
#define KETTLE_RECORD_DECODE_H

#include <stddef.h>

#include "events.h"
#include "log_event.h"

#define DECODE_MAX_ARGS 1024

struct record_decoder {
	char path[2 * KE_PATH_MAX + KE_STR_MAX + 8];
	char cwd[KE_PATH_MAX + 8];
	char name[KE_STR_MAX + 8];
	char argv_buf[KE_ARGV_MAX + 1];
	const char *argv[DECODE_MAX_ARGS];
};

/* 0, or -EINVAL for a record whose sizes do not add up (it is skipped and counted). */
int record_decode(struct record_decoder *d, const void *rec, size_t len, struct log_event *ev);

/* Joins BASE and NAME (NAME absolute: NAME alone) and removes ".", ".." and "//" lexically. */
void path_join_normalize(char *out, size_t outlen, const char *base, const char *name);

#endif
