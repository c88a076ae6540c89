// SPDX-License-Identifier: MIT
/*
 * kettle index serve's parser of outside bytes and its page: well-formed GETs
 * decoded, truncated requests waited for, oversized and garbage ones refused
 * with the status to answer, the form read with kettle search's parsers, and
 * every index value escaped on the page.
 */
#include <jansson.h>

#include "forensics/index_http.h"
#include "forensics/index_page.h"
#include "testlib.h"

static struct index_http_request req;
static char err[256];

static enum index_http_state parse(const char *s)
{
	err[0] = '\0';
	return index_http_parse(s, strlen(s), &req, err, sizeof(err));
}

/* Whether S is refused with STATUS and a reason. */
static bool refused(const char *s, int status)
{
	enum index_http_state st = parse(s);

	if (st != INDEX_HTTP_BAD || req.status != status || !err[0] || strchr(err, '\n')) {
		fprintf(stderr, "  '%.60s': state %d status %d err '%s'\n", s, st, req.status, err);
		return false;
	}
	return true;
}

static int t_a_get_is_decoded(void)
{
	CHECK(parse("GET /api/search?digest=AB%63d&path=%2Fsrc%2F*.c&exe=on&x=a+b%20c HTTP/1.1\r\n"
		    "Host: 127.0.0.1:8470\r\nUser-Agent: t\r\n\r\n") == INDEX_HTTP_DONE, "%s", err);
	CHECK(!strcmp(req.path, "/api/search"), "%s", req.path);
	CHECK(req.nparams == 4, "%zu", req.nparams);
	CHECK(!strcmp(index_http_param(&req, "digest"), "ABcd"), "digest");
	CHECK(!strcmp(index_http_param(&req, "path"), "/src/*.c"), "path");
	CHECK(!strcmp(index_http_param(&req, "x"), "a b c"), "plus and %%20 are spaces");
	CHECK(!index_http_param(&req, "until"), "absent");
	CHECK(!strcmp(req.host, "127.0.0.1:8470"), "host");
	CHECK(parse("GET / HTTP/1.0\r\n\r\n") == INDEX_HTTP_DONE && !req.host && !req.nparams, "HTTP/1.0 bare");
	CHECK(parse("GET /?&&a=&b HTTP/1.1\r\n\r\n") == INDEX_HTTP_DONE && req.nparams == 2 &&
	      !strcmp(index_http_param(&req, "b"), ""), "empty values");
	return TEST_PASS;
}

static int t_truncated_requests_wait_for_more(void)
{
	static const char whole[] = "GET /?path=a HTTP/1.1\r\nHost: localhost\r\n\r\n";

	for (size_t n = 0; n < sizeof(whole) - 1; n++) {
		err[0] = '\0';
		CHECK(index_http_parse(whole, n, &req, err, sizeof(err)) == INDEX_HTTP_MORE, "cut at %zu: %s", n, err);
	}
	CHECK(index_http_parse(whole, sizeof(whole) - 1, &req, err, sizeof(err)) == INDEX_HTTP_DONE, "whole");
	/* bytes after the blank line are not read as part of the request */
	CHECK(parse("GET / HTTP/1.1\r\n\r\ngarbage\0") == INDEX_HTTP_DONE, "trailing bytes");
	return TEST_PASS;
}

static int t_oversized_requests_are_refused(void)
{
	char *big = malloc(INDEX_HTTP_REQUEST_MAX + 64);

	CHECK(big, "malloc");
	memset(big, 'a', INDEX_HTTP_REQUEST_MAX + 63);
	memcpy(big, "GET /", 5);
	big[INDEX_HTTP_REQUEST_MAX + 63] = '\0';
	if (!refused(big, 414))
		goto fail;
	/* a short request line and endless headers */
	memcpy(big, "GET / HTTP/1.1\r\nX-A: ", 21);
	if (!refused(big, 431))
		goto fail;
	{
		char many[INDEX_HTTP_REQUEST_MAX];
		size_t n = (size_t)snprintf(many, sizeof(many), "GET / HTTP/1.1\r\n");

		for (int i = 0; i < INDEX_HTTP_HEADERS_MAX + 2; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n, "X: %d\r\n", i);
		snprintf(many + n, sizeof(many) - n, "\r\n");
		if (!refused(many, 431))
			goto fail;
		n = (size_t)snprintf(many, sizeof(many), "GET /?");
		for (int i = 0; i <= INDEX_HTTP_PARAMS_MAX; i++)
			n += (size_t)snprintf(many + n, sizeof(many) - n, "p%d=1&", i);
		snprintf(many + n, sizeof(many) - n, " HTTP/1.1\r\n\r\n");
		if (!refused(many, 400) || !strstr(err, "too many"))
			goto fail;
	}
	free(big);
	return TEST_PASS;
fail:
	free(big);
	return TEST_FAIL;
}

static int t_garbage_is_refused_with_a_status(void)
{
	static const char *const bad400[] = {
		"garbage\r\n\r\n", "\r\n\r\n", "GET\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n", "GET http://a/ HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\n\n", "GET / HTTP/1.1\r\nHost: a\n\r\n", "GET /a\rb HTTP/1.1\r\n\r\n",
		"GET /?a=%zz HTTP/1.1\r\n\r\n", "GET /?a=%4 HTTP/1.1\r\n\r\n", "GET /?a=% HTTP/1.1\r\n\r\n",
		"GET /%00 HTTP/1.1\r\n\r\n", "GET /?a=1&a=2 HTTP/1.1\r\n\r\n", "GET /?=1 HTTP/1.1\r\n\r\n",
		"GET /\x80 HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n", "GET / HTTP/1.1\r\n: v\r\n\r\n",
		"GET / HTTP/1.1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nA B: c\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
		"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
		"\x16\x03\x01\x02\x05\x01\x01\x01\xfc\x03\x03\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(bad400) / sizeof(bad400[0]); i++)
		CHECK(refused(bad400[i], 400), "case %zu", i);
	CHECK(index_http_parse("GET /\0 HTTP/1.1\r\n\r\n", 20, &req, err, sizeof(err)) == INDEX_HTTP_BAD &&
	      req.status == 400, "NUL");
	/* garbage is refused at its first complete line, without waiting for a blank line */
	CHECK(refused("hello\r\n", 400) && refused("{\"a\": 1}\r\n", 400), "early");
	CHECK(refused("POST / HTTP/1.1\r\n\r\n", 405) && refused("DELETE /x HTTP/1.1\r\n", 405), "not GET");
	return TEST_PASS;
}

static int t_host_must_be_loopback(void)
{
	static const char *const yes[] = { "localhost", "localhost:8470", "127.0.0.1", "127.1.2.3:80", "[::1]",
					   "[::1]:8470", "LOCALHOST:1" };
	static const char *const no[] = { NULL, "", "evil.example", "localhost.evil.example", "127.0.0.1.evil",
					  "128.0.0.1", "[::2]", "localhost:", "localhost:x", "127.0.0.1:123456",
					  "0x7f.0.0.1", "127.0.0.256" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		CHECK(index_http_host_is_loopback(yes[i]), "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK(!index_http_host_is_loopback(no[i]), "%s", no[i] ? no[i] : "(none)");
	return TEST_PASS;
}

static int form(const char *target, struct index_page_form *f, struct index_search *q)
{
	char line[1024];

	snprintf(line, sizeof(line), "GET %s HTTP/1.1\r\n\r\n", target);
	if (parse(line) != INDEX_HTTP_DONE)
		return -2;
	return index_page_query(&req, f, q, err, sizeof(err));
}

static int t_the_form_is_read_with_the_search_parsers(void)
{
	struct index_page_form f;
	struct index_search q;

	CHECK(form("/", &f, &q) == 1, "empty form");
	CHECK(form("/?digest=&path=&exe=on", &f, &q) == 1 && f.exe, "empty fields");
	CHECK(form("/?digest=sha256:" "2121212121212121212121212121212121212121212121212121212121212121"
		   "&exe=1&downstream=on&since=2026-01-01T00:00:00Z&limit=5", &f, &q) == 0, "%s", err);
	CHECK(!strncmp(q.digest, "2121", 4) && q.exe_only && q.downstream && q.has_since && !q.has_until &&
	      q.since_ns == 1767225600000000000ll && q.limit == 5, "query");
	CHECK(form("/?path=%2Fout%2F*.o", &f, &q) == 0 && q.path_wild && !strcmp(f.path, "/out/*.o"), "%s", err);
	CHECK(form("/?endpoint=10.0.0.1%3A443", &f, &q) == 0 && !strcmp(q.host, "10.0.0.1") && q.port == 443, "ep");
	CHECK(form("/?digest=12", &f, &q) == -1 && strstr(err, "digest: ") && strstr(err, "64 hex"), "%s", err);
	CHECK(form("/?path=%5Bab%5D", &f, &q) == -1 && strstr(err, "not supported"), "%s", err);
	CHECK(form("/?endpoint=h%3A99999", &f, &q) == -1 && strstr(err, "endpoint: "), "%s", err);
	CHECK(form("/?path=x&since=yesterday", &f, &q) == -1 && strstr(err, "since: "), "%s", err);
	CHECK(form("/?path=x&limit=0", &f, &q) == -1 && strstr(err, "limit"), "%s", err);
	CHECK(form("/?path=x&exe=yes", &f, &q) == -1 && strstr(err, "exe"), "%s", err);
	CHECK(form("/?path=x&colour=red", &f, &q) == -1 && strstr(err, "unknown parameter 'colour'"), "%s", err);
	CHECK(form("/?endpoint=h&path=x", &f, &q) == -1 && strstr(err, "alone"), "%s", err);
	return TEST_PASS;
}

static char *page_of(const struct index_page_form *f, const json_t *answer, const char *error)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out)
		return NULL;
	if (index_page_write(out, f, answer, error)) {
		fclose(out);
		free(buf);
		return NULL;
	}
	fclose(out);
	return buf;
}

static int t_the_page_escapes_what_the_index_holds(void)
{
	static const char evil[] = "/src/<script>alert(1)</script>\"'&.c";
	struct index_page_form f = { .digest = "", .path = "\"><script>x()</script>", .endpoint = "", .since = "",
				     .until = "", .limit = "" };
	json_t *answer = json_pack("{s:[{s:{s:I, s:s, s:s}, s:s, s:s, s:s, s:s, s:[{s:I, s:s, s:s}]}], s:b}",
				   "matches", "build", "id", (json_int_t)7, "host", "<b>h</b>", "attestation", "none",
				   "path", evil, "sha256", "ab", "role", "read", "time", "t", "chain", "pid",
				   (json_int_t)42, "exe", "/bin/cc", "argv", "cc <img src=x onerror=y>", "truncated", 0);
	char *page = page_of(&f, answer, NULL), *err_page;

	json_decref(answer);
	CHECK(page, "page");
	CHECK(!strstr(page, "<script"), "no script element: %s", page);
	CHECK(!strstr(page, "<img") && !strstr(page, "<b>"), "no markup from the index");
	CHECK(strstr(page, "/src/&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;.c"), "path escaped");
	CHECK(strstr(page, "value=\"&#34;&#62;&#60;script&#62;x()&#60;/script&#62;\""), "form value escaped");
	CHECK(strstr(page, "<a href=\"/report?build=7\">build 7</a>"), "report link");
	CHECK(strstr(page, "<td class=\"role\">read</td>"), "role");
	err_page = page_of(&f, NULL, "path: <bad>");
	free(page);
	CHECK(err_page && strstr(err_page, "id=\"error\">path: &#60;bad&#62;</p>"), "error escaped");
	free(err_page);
	return TEST_PASS;
}

static int t_response_head(void)
{
	char head[512];
	size_t n = index_http_head(head, sizeof(head), 405, "text/plain", 12, "default-src 'none'");

	CHECK(n && !strncmp(head, "HTTP/1.1 405 Method Not Allowed\r\n", 33), "%s", head);
	CHECK(strstr(head, "Allow: GET\r\n") && strstr(head, "Content-Length: 12\r\n") &&
	      strstr(head, "Content-Security-Policy: default-src 'none'\r\n") && !strcmp(head + n - 4, "\r\n\r\n"),
	      "%s", head);
	CHECK(index_http_head(head, 20, 200, "text/plain", 1, NULL) == 0, "too small");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "a_get_is_decoded", t_a_get_is_decoded },
	{ "truncated_requests_wait_for_more", t_truncated_requests_wait_for_more },
	{ "oversized_requests_are_refused", t_oversized_requests_are_refused },
	{ "garbage_is_refused_with_a_status", t_garbage_is_refused_with_a_status },
	{ "host_must_be_loopback", t_host_must_be_loopback },
	{ "the_form_is_read_with_the_search_parsers", t_the_form_is_read_with_the_search_parsers },
	{ "the_page_escapes_what_the_index_holds", t_the_page_escapes_what_the_index_holds },
	{ "response_head", t_response_head },
};

TEST_MAIN("index_http", tests)
