/* SPDX-License-Identifier: MIT */
/*
 * The HTTP/1.1 requests kettle index serve answers (docs/index.md): GET only,
 * the request line and headers at most INDEX_HTTP_REQUEST_MAX bytes, the
 * target's path and query percent-decoded and checked.  Everything here reads
 * bytes from outside (any local process, or a page in a browser, may connect):
 * bounded, one-line errors with the status to answer, fuzzed
 * (tests/fuzz/fuzz_index_http.c).
 */
#ifndef KETTLE_INDEX_HTTP_H
#define KETTLE_INDEX_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define INDEX_HTTP_REQUEST_MAX 8192     /* request line + headers + the blank line */
#define INDEX_HTTP_PARAMS_MAX 16
#define INDEX_HTTP_HEADERS_MAX 64

/* What index_http_parse says of the bytes so far. */
enum index_http_state {
	INDEX_HTTP_BAD = -1,            /* answer REQ->status with ERR, then close */
	INDEX_HTTP_DONE = 0,            /* a whole, well-formed GET */
	INDEX_HTTP_MORE = 1,            /* no blank line yet: read on */
};

struct index_http_param {
	const char *name, *value;       /* decoded, in REQ->text */
};

struct index_http_request {
	int status;                     /* INDEX_HTTP_BAD: 400, 405, 414 or 431 */
	const char *path;               /* decoded, in TEXT ("/", "/api/search") */
	const char *host;               /* the Host header's value, in TEXT; NULL when absent */
	struct index_http_param params[INDEX_HTTP_PARAMS_MAX];
	size_t nparams;
	char text[INDEX_HTTP_REQUEST_MAX];
};

/*
 * Parses the LEN bytes a client sent so far.  INDEX_HTTP_MORE while the
 * blank line that ends the headers has not come and LEN is below
 * INDEX_HTTP_REQUEST_MAX; bytes past the blank line are ignored (a GET has
 * no body; one announced by Content-Length or Transfer-Encoding is refused).
 * Refused with a status and ERR: a method other than GET (405), a target
 * over the limit (414), headers over the limits (431), and with 400 anything
 * else malformed: a request line not "GET /target HTTP/1.x", a target with
 * spaces, control characters or non-ASCII bytes, a '%' not followed by two
 * hex digits, a %00, a header line without a name and ':', a folded header,
 * a bare LF, a repeated query parameter or more than INDEX_HTTP_PARAMS_MAX.
 * REQ's pointers point into REQ itself.
 */
enum index_http_state index_http_parse(const char *data, size_t len, struct index_http_request *req, char *err,
				       size_t errlen);

/* The decoded value of query parameter NAME, or NULL. */
const char *index_http_param(const struct index_http_request *req, const char *name);

/*
 * Whether HOST (a Host header) names this machine's loopback: localhost,
 * 127.x.y.z or [::1], with or without a port.  A server on loopback answers
 * only those, so a web page whose name a hostile DNS server pointed at
 * 127.0.0.1 cannot read the answers (DNS rebinding).
 */
bool index_http_host_is_loopback(const char *host);

/* The reason phrase of STATUS ("Bad Request"); "Error" for one not known here. */
const char *index_http_reason(int status);

/*
 * The head of a response: status line, Content-Type TYPE, Content-Length
 * LENGTH, Connection: close, no caching, no sniffing, and CSP when not NULL.
 * The number of bytes written into OUT, or 0 when OUTLEN is too small.
 */
size_t index_http_head(char *out, size_t outlen, int status, const char *type, size_t length, const char *csp);

#endif
