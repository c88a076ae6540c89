// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the bytes a client sends kettle index serve.  Any input
 * is accepted, waited on or refused with a status and a reason, never a
 * crash; what is accepted is well formed; the page of any form values holds
 * no markup from them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/index_http.h"
#include "forensics/index_page.h"

static bool inside(const struct index_http_request *req, const char *p)
{
	return p >= req->text && p < req->text + sizeof(req->text) && memchr(p, '\0', (size_t)(req->text + sizeof(req->text) - p));
}

static void check_page(const struct index_http_request *req)
{
	struct index_page_form f;
	struct index_search q;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *out;
	int r = index_page_query(req, &f, &q, err, sizeof(err));

	if (r < 0 && !err[0])
		__builtin_trap();
	if (r < 0)
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	if (index_page_write(out, &f, NULL, NULL) == 0 && fclose(out) == 0) {
		/* the page itself has no script, so any "<script" came from the request */
		if (buf && strstr(buf, "<script"))
			__builtin_trap();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct index_http_request req;
	char err[256];
	enum index_http_state st;

	err[0] = '\0';
	st = index_http_parse((const char *)data, size, &req, err, sizeof(err));
	if (st == INDEX_HTTP_BAD) {
		if (!err[0] || strchr(err, '\n') ||
		    (req.status != 400 && req.status != 405 && req.status != 414 && req.status != 431))
			__builtin_trap();
		return 0;
	}
	if (st == INDEX_HTTP_MORE) {
		if (size >= INDEX_HTTP_REQUEST_MAX)
			__builtin_trap();
		return 0;
	}
	if (!inside(&req, req.path) || req.path[0] != '/' || req.nparams > INDEX_HTTP_PARAMS_MAX ||
	    (req.host && !inside(&req, req.host)))
		__builtin_trap();
	for (size_t i = 0; i < req.nparams; i++)
		if (!inside(&req, req.params[i].name) || !inside(&req, req.params[i].value) || !req.params[i].name[0])
			__builtin_trap();
	index_http_host_is_loopback(req.host);
	check_page(&req);
	return 0;
}
