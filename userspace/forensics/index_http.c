// SPDX-License-Identifier: MIT
/* The requests kettle index serve answers: one GET, bounded and checked (index_http.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/errf.h"
#include "forensics/index_http.h"

/* Where decoded text goes: REQ->text, never past its end. */
struct text_out {
	char *buf;
	size_t len, cap;
};

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static enum index_http_state bad(struct index_http_request *req, int status, char *err, size_t errlen,
				 const char *what)
{
	req->status = status;
	errf(err, errlen, "%s", what);
	return INDEX_HTTP_BAD;
}

/* S[0..N) percent-decoded (with PLUS, '+' as a space) and terminated into OUT; its start, or NULL with WHY. */
static const char *decode(struct text_out *out, const char *s, size_t n, bool plus, const char **why)
{
	const char *start = out->buf + out->len;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || hex_value((unsigned char)s[i + 1]) < 0 ||
			    hex_value((unsigned char)s[i + 2]) < 0) {
				*why = "a '%' not followed by two hex digits";
				return NULL;
			}
			c = hex_value((unsigned char)s[i + 1]) * 16 + hex_value((unsigned char)s[i + 2]);
			i += 2;
			if (!c) {
				*why = "%00 in the target";
				return NULL;
			}
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (out->len + 1 >= out->cap) {
			*why = "the request is too large";
			return NULL;
		}
		out->buf[out->len++] = (char)c;
	}
	if (out->len >= out->cap) {
		*why = "the request is too large";
		return NULL;
	}
	out->buf[out->len++] = '\0';
	return start;
}

static enum index_http_state parse_query(struct index_http_request *req, struct text_out *out, const char *q,
					 size_t n, char *err, size_t errlen)
{
	const char *why = NULL;

	while (n) {
		const char *amp = memchr(q, '&', n), *eq;
		size_t seg = amp ? (size_t)(amp - q) : n;
		struct index_http_param *p;

		if (seg) {
			if (req->nparams == INDEX_HTTP_PARAMS_MAX)
				return bad(req, 400, err, errlen, "too many query parameters");
			p = &req->params[req->nparams];
			eq = memchr(q, '=', seg);
			if (eq == q)
				return bad(req, 400, err, errlen, "a query parameter without a name");
			p->name = decode(out, q, eq ? (size_t)(eq - q) : seg, true, &why);
			if (p->name)
				p->value = decode(out, eq ? eq + 1 : q + seg, eq ? seg - (size_t)(eq - q) - 1 : 0, true,
						  &why);
			if (!p->name || !p->value)
				return bad(req, 400, err, errlen, why);
			if (index_http_param(req, p->name))
				return bad(req, 400, err, errlen, "a repeated query parameter");
			req->nparams++;
		}
		if (!amp)
			break;
		n -= seg + 1;
		q = amp + 1;
	}
	return INDEX_HTTP_DONE;
}

/* "GET /target HTTP/1.x" (LEN bytes, no line end). */
static enum index_http_state parse_request_line(struct index_http_request *req, struct text_out *out,
						const char *line, size_t len, char *err, size_t errlen)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *target, *qm, *why = NULL;
	size_t tlen;

	if (!sp1 || sp1 == line)
		return bad(req, 400, err, errlen, "the request line is not METHOD TARGET HTTP/1.1");
	for (const char *c = line; c < sp1; c++)
		if (!is_tchar((unsigned char)*c))
			return bad(req, 400, err, errlen, "the request line is not METHOD TARGET HTTP/1.1");
	if (sp1 - line != 3 || memcmp(line, "GET", 3))
		return bad(req, 405, err, errlen, "only GET is answered");
	target = sp1 + 1;
	sp2 = memchr(target, ' ', len - (size_t)(target - line));
	if (!sp2 || (size_t)(line + len - (sp2 + 1)) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.1", 8) && memcmp(sp2 + 1, "HTTP/1.0", 8)))
		return bad(req, 400, err, errlen, "the request line is not GET TARGET HTTP/1.1");
	tlen = (size_t)(sp2 - target);
	if (!tlen || target[0] != '/')
		return bad(req, 400, err, errlen, "the target is not a path starting with '/'");
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
			return bad(req, 400, err, errlen, "the target holds a space, control or non-ASCII byte");
	qm = memchr(target, '?', tlen);
	req->path = decode(out, target, qm ? (size_t)(qm - target) : tlen, false, &why);
	if (!req->path)
		return bad(req, 400, err, errlen, why);
	if (!qm)
		return INDEX_HTTP_DONE;
	return parse_query(req, out, qm + 1, tlen - (size_t)(qm + 1 - target), err, errlen);
}

/* "Name: value" (LEN bytes, no line end). */
static enum index_http_state parse_header(struct index_http_request *req, struct text_out *out,
					  const char *line, size_t len, char *err, size_t errlen)
{
	const char *colon = memchr(line, ':', len), *v, *end = line + len, *why = NULL;

	if (line[0] == ' ' || line[0] == '\t')
		return bad(req, 400, err, errlen, "a folded header line");
	if (!colon || colon == line)
		return bad(req, 400, err, errlen, "a header line without a name and ':'");
	for (const char *c = line; c < colon; c++)
		if (!is_tchar((unsigned char)*c))
			return bad(req, 400, err, errlen, "a header name with a byte not allowed there");
	for (const char *c = colon + 1; c < end; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return bad(req, 400, err, errlen, "a header value with a control character");
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
#define IS(name) ((size_t)(colon - line) == sizeof(name) - 1 && !strncasecmp(line, name, sizeof(name) - 1))
	if (IS("Transfer-Encoding") || (IS("Content-Length") && (end - v != 1 || *v != '0')))
		return bad(req, 400, err, errlen, "a GET with a body");
	if (IS("Host")) {
		if (req->host)
			return bad(req, 400, err, errlen, "two Host headers");
		/* a Host holds no '%': decoding leaves it as sent */
		if (memchr(v, '%', (size_t)(end - v)))
			return bad(req, 400, err, errlen, "a Host header with '%'");
		req->host = decode(out, v, (size_t)(end - v), false, &why);
		if (!req->host)
			return bad(req, 431, err, errlen, why);
	}
#undef IS
	return INDEX_HTTP_DONE;
}

enum index_http_state index_http_parse(const char *data, size_t len, struct index_http_request *req, char *err,
				       size_t errlen)
{
	struct text_out out = { .buf = req->text, .cap = sizeof(req->text) };
	size_t n = len < INDEX_HTTP_REQUEST_MAX ? len : INDEX_HTTP_REQUEST_MAX, pos = 0, nlines = 0;

	memset(req, 0, offsetof(struct index_http_request, text));
	/* every complete line is checked as soon as it is there: garbage is refused without waiting for more */
	while (pos < n) {
		const char *line = data + pos, *lf = memchr(line, '\n', n - pos), *nul = memchr(line, '\0', n - pos);
		size_t llen;
		enum index_http_state st;

		if (nul && (!lf || nul < lf))
			return bad(req, 400, err, errlen, "a NUL byte in the request");
		if (!lf)
			break;
		if (lf == line || lf[-1] != '\r')
			return bad(req, 400, err, errlen, "a line not ended by CR LF");
		llen = (size_t)(lf - 1 - line);
		if (memchr(line, '\r', llen))
			return bad(req, 400, err, errlen, "a CR inside a line");
		pos += llen + 2;
		if (!nlines && !llen)
			return bad(req, 400, err, errlen, "an empty request line");
		if (!llen)
			return INDEX_HTTP_DONE;
		if (nlines > INDEX_HTTP_HEADERS_MAX)
			return bad(req, 431, err, errlen, "too many header lines");
		st = nlines ? parse_header(req, &out, line, llen, err, errlen) :
			      parse_request_line(req, &out, line, llen, err, errlen);
		if (st != INDEX_HTTP_DONE)
			return st;
		nlines++;
	}
	if (n < INDEX_HTTP_REQUEST_MAX)
		return INDEX_HTTP_MORE;
	if (!nlines)
		return bad(req, 414, err, errlen, "the request line is longer than the limit");
	return bad(req, 431, err, errlen, "the headers are longer than the limit");
}

const char *index_http_param(const struct index_http_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

bool index_http_host_is_loopback(const char *host)
{
	const char *rest;
	unsigned a, b, c, d;
	int used = 0;

	if (!host)
		return false;
	if (!strncasecmp(host, "localhost", 9))
		rest = host + 9;
	else if (!strncmp(host, "[::1]", 5))
		rest = host + 5;
	else if (sscanf(host, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &used) == 4 && used > 0 && a == 127 &&
		 b < 256 && c < 256 && d < 256 && host[0] != '+' && host[0] != '-')
		rest = host + used;
	else
		return false;
	if (!*rest)
		return true;
	if (*rest != ':' || !rest[1] || strlen(rest + 1) > 5)
		return false;
	return strspn(rest + 1, "0123456789") == strlen(rest + 1);
}

const char *index_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 421: return "Misdirected Request";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	default: return "Error";
	}
}

size_t index_http_head(char *out, size_t outlen, int status, const char *type, size_t length, const char *csp)
{
	int n = snprintf(out, outlen,
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n"
			 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
			 "%s%s%s%s\r\n", status, index_http_reason(status), type, length,
			 status == 405 ? "Allow: GET\r\n" : "", csp ? "Content-Security-Policy: " : "", csp ? csp : "",
			 csp ? "\r\n" : "");

	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}
