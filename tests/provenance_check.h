/* SPDX-License-Identifier: MIT */
/*
 * What every statement kettle writes must satisfy, checked the way a consumer
 * would: the in-toto Statement v1 and SLSA v1 required fields, lowercase hex
 * digests, RFC 3339 UTC timestamps, ASCII URIs, and canonical bytes (RFC 8785:
 * parsing and re-serializing gives the same bytes).  Shared by the unit and
 * integration tests of provenance.
 */
#ifndef KETTLE_PROVENANCE_CHECK_H
#define KETTLE_PROVENANCE_CHECK_H

#include <regex.h>
#include <stdbool.h>

#include <jansson.h>

#include "provenance/jcs.h"
#include "testlib.h"

#define STMT_RULE(cond, ...) do {                                              \
	if (!(cond)) {                                                          \
		fprintf(stderr, "  statement rule broken: ");                  \
		fprintf(stderr, __VA_ARGS__);                                   \
		fputc('\n', stderr);                                            \
		return false;                                                   \
	}                                                                       \
} while (0)

static inline bool stmt_lower_hex(const char *s, size_t want)
{
	size_t n = s ? strspn(s, "0123456789abcdef") : 0;

	return s && !s[n] && n && (!want || n == want);
}

/* A digest set: non-empty, every value lowercase hex, sha256 64 digits, gitCommit 40 or 64. */
static inline bool stmt_digest_ok(const json_t *d, const char *where)
{
	const char *alg;
	json_t *v;

	STMT_RULE(json_is_object(d) && json_object_size(d), "%s: digest is not a non-empty object", where);
	json_object_foreach((json_t *)d, alg, v) {
		const char *h = json_string_value(v);
		size_t want = !strcmp(alg, "sha256") ? 64 : 0;

		STMT_RULE(stmt_lower_hex(h, want), "%s: digest %s '%s' is not lowercase hex%s", where, alg,
			  h ? h : "(not a string)", want ? " of 64 digits" : "");
		if (!strncmp(alg, "git", 3))
			STMT_RULE(strlen(h) == 40 || strlen(h) == 64, "%s: %s of %zu digits", where, alg, strlen(h));
	}
	return true;
}

static inline bool stmt_ascii(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return s != NULL;
}

static inline bool stmt_rfc3339_utc(const char *s)
{
	regex_t re;
	bool ok;

	if (!s || regcomp(&re, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]+)?Z$",
			  REG_EXTENDED | REG_NOSUB))
		return false;
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static inline bool stmt_descriptor_ok(const json_t *r, const char *where, bool need_digest)
{
	const char *uri = json_string_value(json_object_get(r, "uri"));
	json_t *digest = json_object_get(r, "digest");

	STMT_RULE(json_is_object(r), "%s is not an object", where);
	STMT_RULE(uri || digest || json_object_get(r, "content"), "%s has none of uri, digest, content", where);
	STMT_RULE(!json_object_get(r, "uri") || stmt_ascii(uri), "%s: uri '%s' is not ASCII", where, uri);
	STMT_RULE(!need_digest || digest, "%s has no digest", where);
	if (digest && !stmt_digest_ok(digest, where))
		return false;
	STMT_RULE(!json_object_get(r, "annotations") || json_is_object(json_object_get(r, "annotations")),
		  "%s: annotations is not an object", where);
	return true;
}

/* The rules; prints the first one broken. */
static inline bool statement_valid(const json_t *st)
{
	json_t *subj = json_object_get(st, "subject"), *pred = json_object_get(st, "predicate");
	json_t *bd = json_object_get(pred, "buildDefinition"), *rd = json_object_get(pred, "runDetails");
	json_t *ext = json_object_get(bd, "externalParameters"), *deps = json_object_get(bd, "resolvedDependencies");
	json_t *md = json_object_get(rd, "metadata"), *bp = json_object_get(rd, "byproducts"), *v;
	const char *started = json_string_value(json_object_get(md, "startedOn"));
	const char *finished = json_string_value(json_object_get(md, "finishedOn"));
	const char *bt = json_string_value(json_object_get(bd, "buildType"));
	const char *bid = json_string_value(json_object_get(json_object_get(rd, "builder"), "id"));
	size_t i;

	STMT_RULE(json_is_object(st), "not an object");
	STMT_RULE(!strcmp(json_string_value(json_object_get(st, "_type")) ?: "", "https://in-toto.io/Statement/v1"),
		  "_type");
	STMT_RULE(!strcmp(json_string_value(json_object_get(st, "predicateType")) ?: "",
			  "https://slsa.dev/provenance/v1"), "predicateType");
	STMT_RULE(json_is_array(subj) && json_array_size(subj), "subject is not a non-empty array");
	json_array_foreach(subj, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));

		STMT_RULE(name && *name, "subject %zu has no name", i);
		if (!stmt_descriptor_ok(v, name, true))
			return false;
		STMT_RULE(json_object_get(json_object_get(v, "digest"), "sha256"), "subject %s has no sha256", name);
	}
	STMT_RULE(json_is_object(pred) && json_is_object(bd) && json_is_object(rd), "predicate shape");
	STMT_RULE(bt && strchr(bt, ':') && stmt_ascii(bt), "buildType is not a URI");
	STMT_RULE(json_is_object(ext) && json_object_size(ext), "externalParameters is empty");
	STMT_RULE(!json_object_get(bd, "internalParameters") || json_is_object(json_object_get(bd, "internalParameters")),
		  "internalParameters is not an object");
	STMT_RULE(json_is_array(deps), "resolvedDependencies is not an array");
	json_array_foreach(deps, i, v) {
		char where[64];

		snprintf(where, sizeof(where), "resolvedDependencies[%zu]", i);
		if (!stmt_descriptor_ok(v, where, false))
			return false;
	}
	STMT_RULE(bid && strchr(bid, ':') && stmt_ascii(bid), "builder.id is not a URI");
	STMT_RULE(json_is_string(json_object_get(md, "invocationId")), "metadata.invocationId");
	STMT_RULE(stmt_rfc3339_utc(started) && stmt_rfc3339_utc(finished), "timestamps '%s' '%s' are not RFC 3339 UTC",
		  started ?: "", finished ?: "");
	STMT_RULE(strcmp(started, finished) <= 0, "started %s after finished %s", started, finished);
	STMT_RULE(json_is_array(bp), "byproducts is not an array");
	json_array_foreach(bp, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));

		STMT_RULE(name, "byproduct %zu has no name", i);
		if (!stmt_descriptor_ok(v, name, false))
			return false;
	}
	return true;
}

/* BYTES parsed is a valid statement and BYTES are its canonical form; the parsed value in *OUT when asked. */
static inline bool statement_bytes_valid(const char *bytes, size_t len, json_t **out)
{
	char err[256];
	size_t clen;
	json_t *st = json_loadb(bytes, len, JSON_REJECT_DUPLICATES, NULL);
	char *canon = st ? jcs_dump(st, &clen, err, sizeof(err)) : NULL;
	bool ok = canon && clen == len && !memcmp(canon, bytes, len);

	if (!st)
		fprintf(stderr, "  statement is not JSON\n");
	else if (!ok)
		fprintf(stderr, "  statement bytes are not canonical (RFC 8785)\n");
	free(canon);
	ok = ok && statement_valid(st);
	if (out && ok)
		*out = st;
	else
		json_decref(st);
	return ok;
}

#endif
