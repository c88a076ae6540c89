/* SPDX-License-Identifier: MIT */
/*
 * The fleet index's parsers of what a user types (and of the endpoint names
 * a log holds): a --path GLOB turned into an SQL LIKE pattern both back ends
 * match the same way, a HOST[:PORT], a SHA-256.  Bounded, one-line errors,
 * fuzzed (tests/fuzz/fuzz_index_query.c).
 */
#ifndef KETTLE_INDEX_QUERY_H
#define KETTLE_INDEX_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define INDEX_HOST_MAX 256

/*
 * GLOB ('*' any bytes, '?' one byte, '\' quotes the next) as a LIKE pattern
 * with '\' as its escape.  *WILD: whether it has a wildcard (else an exact
 * match serves it through the unique index).  0, or -1 with ERR for an empty
 * glob, a trailing '\', "[...]" classes (not supported), control characters
 * or a pattern longer than OUTLEN.
 */
int index_glob_to_like(const char *glob, char *out, size_t outlen, bool *wild, char *err, size_t errlen);

/*
 * HOST[:PORT], [IPV6][:PORT], a bare IPv6 address, or a unix socket name
 * ("/run/x.sock", "@abstract"): HOST (at most INDEX_HOST_MAX - 1 bytes) and
 * *PORT (-1: none).  0, or -1 with ERR for an empty host, a port that is not
 * 1..65535, an unclosed '[' or control characters.
 */
int index_endpoint_parse(const char *s, char host[INDEX_HOST_MAX], long *port, char *err, size_t errlen);

/* A SHA-256 as 64 hex digits (either case, an optional "sha256:" prefix) into lowercase OUT; 0 or -1 with ERR. */
int index_sha256_parse(const char *s, char out[65], char *err, size_t errlen);

#endif
