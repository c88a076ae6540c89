// SPDX-License-Identifier: MIT
/* The search page of kettle index serve: the form in, the answer out as escaped HTML (index_page.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/errf.h"
#include "common/time_parse.h"
#include "forensics/index_page.h"
#include "forensics/index_query.h"
#include "log/show_fmt.h"

static const char *const known_params[] = { "digest", "path", "endpoint", "exe", "since", "until", "downstream",
					    "limit" };

static const char *field(const struct index_http_request *req, const char *name)
{
	const char *v = index_http_param(req, name);

	return v ? v : "";
}

/* A checkbox: absent or "" off, "on" or "1" on. */
static int checkbox(const char *name, const char *v, bool *on, char *err, size_t errlen)
{
	if (!strcmp(v, "") || !strcmp(v, "0"))
		*on = false;
	else if (!strcmp(v, "on") || !strcmp(v, "1"))
		*on = true;
	else
		return errf(err, errlen, "%s: expected on, 1 or 0", name);
	return 0;
}

static int window(const char *name, const char *v, bool *has, int64_t *ns, char *err, size_t errlen)
{
	time_t t;

	if (!v[0])
		return 0;
	if (time_parse(v, &t))
		return errf(err, errlen, "%s: expected RFC 3339 (2026-02-03T01:00:00Z) or unix seconds", name);
	*has = true;
	*ns = (int64_t)t * (int64_t)NSEC_PER_SEC;
	return 0;
}

static int limit_value(const char *v, size_t *limit, char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	if (!v[0])
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || v[0] == '-' || v[0] == '+' || n < 1 || n > INDEX_SEARCH_LIMIT)
		return errf(err, errlen, "limit: expected a number from 1 to %d", INDEX_SEARCH_LIMIT);
	*limit = n;
	return 0;
}

int index_page_query(const struct index_http_request *req, struct index_page_form *f, struct index_search *q,
		     char *err, size_t errlen)
{
	char why[256];

	for (size_t i = 0; i < req->nparams; i++) {
		size_t k = 0;

		while (k < sizeof(known_params) / sizeof(known_params[0]) && strcmp(req->params[i].name, known_params[k]))
			k++;
		if (k == sizeof(known_params) / sizeof(known_params[0]))
			return errf(err, errlen, "unknown parameter '%.40s'", req->params[i].name);
	}
	*f = (struct index_page_form){ .digest = field(req, "digest"), .path = field(req, "path"),
				       .endpoint = field(req, "endpoint"), .since = field(req, "since"),
				       .until = field(req, "until"), .limit = field(req, "limit") };
	memset(q, 0, sizeof(*q));
	q->port = -1;
	if (checkbox("exe", field(req, "exe"), &f->exe, err, errlen) ||
	    checkbox("downstream", field(req, "downstream"), &f->downstream, err, errlen))
		return -1;
	q->exe_only = f->exe;
	q->downstream = f->downstream;
	if (!f->digest[0] && !f->path[0] && !f->endpoint[0])
		return 1;
	if (f->digest[0] && index_sha256_parse(f->digest, q->digest, why, sizeof(why)))
		return errf(err, errlen, "digest: %s", why);
	if (f->path[0] && index_glob_to_like(f->path, q->path_like, sizeof(q->path_like), &q->path_wild, why,
					     sizeof(why)))
		return errf(err, errlen, "path: %s", why);
	if (f->endpoint[0] && index_endpoint_parse(f->endpoint, q->host, &q->port, why, sizeof(why)))
		return errf(err, errlen, "endpoint: %s", why);
	if (window("since", f->since, &q->has_since, &q->since_ns, err, errlen) ||
	    window("until", f->until, &q->has_until, &q->until_ns, err, errlen) ||
	    limit_value(f->limit, &q->limit, err, errlen))
		return -1;
	return index_search_check(q, err, errlen);
}

/* ---- HTML ---- */

/* Text from the index (or the request) on the page: show_html escapes markup, quotes and control bytes. */
static void html(FILE *out, const char *s)
{
	show_html(out, s);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char page_style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	"form{display:flex;flex-wrap:wrap;gap:.6em 1.2em;align-items:end;margin-bottom:1em}"
	"label{display:flex;flex-direction:column;font-size:12px;color:#555}"
	"label.box{flex-direction:row;gap:.3em;align-items:center}"
	"input[type=text]{font:13px monospace;padding:3px;min-width:14em}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}td.path,td.chain{font-family:monospace;word-break:break-all}"
	".error{color:#a00;font-weight:bold}.note{color:#555}";

static void text_input(FILE *out, const char *name, const char *label, const char *value, const char *hint)
{
	fprintf(out, "<label>%s<input type=\"text\" name=\"%s\" id=\"f-%s\" placeholder=\"", label, name, name);
	html(out, hint);
	fputs("\" value=\"", out);
	html(out, value);
	fputs("\"></label>\n", out);
}

static void write_form(FILE *out, const struct index_page_form *f)
{
	fputs("<form method=\"get\" action=\"/\" id=\"search\">\n", out);
	text_input(out, "digest", "SHA-256", f->digest, "64 hex digits");
	text_input(out, "path", "path (glob)", f->path, "/usr/lib/*/liblzma.so*");
	text_input(out, "endpoint", "endpoint", f->endpoint, "host[:port]");
	text_input(out, "since", "since", f->since, "2026-01-01T00:00:00Z");
	text_input(out, "until", "until", f->until, "unix seconds or RFC 3339");
	fprintf(out, "<label class=\"box\"><input type=\"checkbox\" name=\"exe\" value=\"on\"%s>executions only</label>\n",
		f->exe ? " checked" : "");
	fprintf(out, "<label class=\"box\"><input type=\"checkbox\" name=\"downstream\" value=\"on\"%s>downstream"
		"</label>\n", f->downstream ? " checked" : "");
	fputs("<button type=\"submit\">search</button>\n</form>\n", out);
}

static void write_build_cell(FILE *out, const json_t *b)
{
	fprintf(out, "<td class=\"build\"><a href=\"/report?build=%" JSON_INTEGER_FORMAT "\">build %"
		JSON_INTEGER_FORMAT "</a><br><span class=\"note\">", jint(b, "id"), jint(b, "id"));
	html(out, jstr(b, "host"));
	fputs("</span></td>", out);
}

static void write_chain(FILE *out, const json_t *chain)
{
	const json_t *p;
	size_t i;

	fputs("<td class=\"chain\">", out);
	json_array_foreach(chain, i, p) {
		fprintf(out, "%spid %" JSON_INTEGER_FORMAT " ", i ? "<br>&larr; " : "", jint(p, "pid"));
		html(out, jstr(p, "argv"));
	}
	fputs("</td>", out);
}

static void write_matches(FILE *out, const json_t *matches)
{
	const json_t *m;
	size_t i;

	fputs("<table id=\"matches\">\n<thead><tr><th>build</th><th>role</th><th>path</th><th>SHA-256</th>"
	      "<th>process chain</th><th>time</th><th>attestation</th></tr></thead>\n<tbody>\n", out);
	json_array_foreach(matches, i, m) {
		const json_t *b = json_object_get(m, "build");

		fputs("<tr>", out);
		write_build_cell(out, b);
		fputs("<td class=\"role\">", out);
		html(out, jstr(m, "role"));
		fputs("</td><td class=\"path\">", out);
		html(out, jstr(m, "path"));
		fputs("</td><td class=\"path\">", out);
		html(out, jstr(m, "sha256"));
		fputs("</td>", out);
		write_chain(out, json_object_get(m, "chain"));
		fputs("<td class=\"time\">", out);
		html(out, jstr(m, "time"));
		fputs("</td><td class=\"attestation\">", out);
		html(out, jstr(b, "attestation"));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void write_downstream(FILE *out, const json_t *downstream)
{
	const json_t *d, *c;
	size_t i, k;

	fprintf(out, "<h2>downstream: %zu artifacts</h2>\n<table id=\"downstream\">\n<thead><tr><th>depth</th>"
		"<th>build</th><th>path</th><th>SHA-256</th><th>read by builds</th></tr></thead>\n<tbody>\n",
		json_array_size(downstream));
	json_array_foreach(downstream, i, d) {
		fprintf(out, "<tr><td>%" JSON_INTEGER_FORMAT "</td>", jint(d, "depth"));
		write_build_cell(out, json_object_get(d, "build"));
		fputs("<td class=\"path\">", out);
		html(out, jstr(d, "path"));
		fputs("</td><td class=\"path\">", out);
		html(out, jstr(d, "sha256"));
		fputs("</td><td>", out);
		json_array_foreach(json_object_get(d, "consumed_by"), k, c)
			fprintf(out, "%s<a href=\"/report?build=%" JSON_INTEGER_FORMAT "\">%" JSON_INTEGER_FORMAT "</a>",
				k ? ", " : "", json_integer_value(c), json_integer_value(c));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

int index_page_write(FILE *out, const struct index_page_form *f, const json_t *answer, const char *error)
{
	const json_t *matches = json_object_get(answer, "matches"), *downstream = json_object_get(answer, "downstream");

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"referrer\" content=\"no-referrer\"><title>Kettle fleet index</title>"
		"<style>%s</style></head>\n<body>\n<h1>Kettle fleet index</h1>\n", page_style);
	write_form(out, f);
	if (error) {
		fputs("<p class=\"error\" id=\"error\">", out);
		html(out, error);
		fputs("</p>\n", out);
	} else if (answer) {
		fprintf(out, "<p id=\"summary\">%zu matches%s</p>\n", json_array_size(matches),
			json_is_true(json_object_get(answer, "truncated")) ? " (more not shown: raise limit)" : "");
		if (json_array_size(matches))
			write_matches(out, matches);
		if (downstream)
			write_downstream(out, downstream);
	} else {
		fputs("<p class=\"note\" id=\"summary\">Which indexed builds read, executed, linked, wrote or reached "
		      "something: give a digest, a path glob or an endpoint. The same answer as JSON: "
		      "/api/search with the same parameters.</p>\n", out);
	}
	fputs("</body></html>\n", out);
	return ferror(out) ? -1 : 0;
}
