/* SPDX-License-Identifier: MIT */
/*
 * Asking the fleet index which builds touched something: a digest, a path
 * pattern, an endpoint, within a time window; each match with its role and
 * the chain of processes that did it; and, with downstream, every artifact
 * that later builds made from what the matching builds wrote, transitively.
 * The answer is one JSON object (docs/index.md), the same on either back end.
 */
#ifndef KETTLE_INDEX_SEARCH_H
#define KETTLE_INDEX_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "forensics/index_query.h"
#include "forensics/index_store.h"

#define INDEX_SEARCH_LIMIT 1000

struct index_search {
	char digest[65];                /* "" or lowercase hex */
	char path_like[8192];           /* "" or a LIKE pattern (index_glob_to_like) */
	bool path_wild;
	bool exe_only;                  /* only executions */
	char host[INDEX_HOST_MAX];      /* "" or the endpoint's host */
	long port;                      /* -1: any */
	bool has_since, has_until;
	int64_t since_ns, until_ns;     /* the build's start, wall clock */
	bool downstream;
	size_t limit;                   /* matches at most (0: INDEX_SEARCH_LIMIT) */
};

/*
 * Whether Q asks something index_search_run answers: a digest, a path or an
 * endpoint, and an endpoint alone (not with a digest, a path or exe).  0, or -1 with ERR.
 */
int index_search_check(const struct index_search *q, char *err, size_t errlen);

/*
 * {"matches": [{build, path, sha256, role, time, chain: [{pid, exe, argv}]}],
 *  "truncated": bool, "downstream": [{build, path, sha256, depth, from_sha256}]}
 * (downstream only when asked).  NULL with ERR.
 */
json_t *index_search_run(struct index_db *db, const struct index_search *q, char *err, size_t errlen);

/* Where build ID's log was when it was indexed, and its SHA-256 then. */
struct index_build_log {
	char path[4096];
	char sha256[65];
};

/* 0 with OUT, 1 when no build has ID, -1 with ERR. */
int index_build_log(struct index_db *db, int64_t id, struct index_build_log *out, char *err, size_t errlen);

/* Nanoseconds since the epoch as RFC 3339 UTC with nanoseconds ("2026-12-06T03:00:00.000000001Z"). */
#define INDEX_TIME_TEXT 64
void index_time_text(int64_t ns, char out[INDEX_TIME_TEXT]);

#endif
