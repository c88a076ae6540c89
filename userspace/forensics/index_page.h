/* SPDX-License-Identifier: MIT */
/*
 * The page kettle index serve shows (docs/index.md): its search form read
 * from a request's query into an index_search, and the answer of
 * index_search_run written as HTML.  Everything from the index (paths,
 * command lines, hosts) is outside text and is escaped; the page has no script.
 */
#ifndef KETTLE_INDEX_PAGE_H
#define KETTLE_INDEX_PAGE_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "forensics/index_http.h"
#include "forensics/index_search.h"

/* The form as the request filled it: each field "" when not given. */
struct index_page_form {
	const char *digest, *path, *endpoint, *since, *until, *limit;
	bool exe, downstream;
};

/*
 * REQ's query parameters (digest, path, endpoint, exe, since, until,
 * downstream, limit) into F and Q, with the parsers kettle search uses.
 * 0 with Q ready, 1 when no field that asks something was given (the empty
 * form), -1 with ERR for a value those parsers refuse, an unknown parameter,
 * or a query index_search_check refuses.
 */
int index_page_query(const struct index_http_request *req, struct index_page_form *f, struct index_search *q,
		     char *err, size_t errlen);

/*
 * The page: the form holding F's values, then ERROR (when not NULL), or the
 * ANSWER's matches and downstream artifacts as tables (when not NULL), each
 * build linked to /report?build=ID.  0, or -1 when a write failed.
 */
int index_page_write(FILE *out, const struct index_page_form *f, const json_t *answer, const char *error);

/* The Content-Security-Policy the page is served with: inline styles, nothing else. */
#define INDEX_PAGE_CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"

#endif
