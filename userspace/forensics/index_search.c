// SPDX-License-Identifier: MIT
/* Searches of the fleet index: the matches, the process chain of each, and the downstream walk. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/errf.h"
#include "forensics/index_ingest.h"
#include "forensics/index_search.h"

#define SQL_MAX 2048
#define PARAMS_MAX 8
#define DOWNSTREAM_DEPTH_MAX 64

void index_time_text(int64_t ns, char out[INDEX_TIME_TEXT])
{
	time_t s = (time_t)(ns / (int64_t)NSEC_PER_SEC);
	long frac = (long)(ns % (int64_t)NSEC_PER_SEC);
	struct tm tm;

	if (frac < 0) {
		frac += (long)NSEC_PER_SEC;
		s--;
	}
	if (!gmtime_r(&s, &tm)) {
		snprintf(out, INDEX_TIME_TEXT, "%" PRId64, ns);
		return;
	}
	snprintf(out, INDEX_TIME_TEXT, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

static json_t *time_json(const char *ns_text)
{
	char t[INDEX_TIME_TEXT];

	if (!ns_text)
		return json_null();
	index_time_text(strtoll(ns_text, NULL, 10), t);
	return json_string(t);
}

/* Rows collected as JSON arrays of strings (NULL -> null), for the caller to walk. */
static int collect_row(void *arg, int ncols, const char *const *vals)
{
	json_t *rows = arg, *row = json_array();

	if (!row)
		return -1;
	for (int i = 0; i < ncols; i++)
		if (json_array_append_new(row, vals[i] ? json_string(vals[i]) : json_null())) {
			json_decref(row);
			return -1;
		}
	return json_array_append_new(rows, row);
}

static json_t *query_rows(struct index_db *db, const char *sql, const char *const *params, int n, char *err,
			  size_t errlen)
{
	json_t *rows = json_array();

	if (!rows) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	if (db->be->query(db, sql, params, n, collect_row, rows, err, errlen)) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

static const char *cell(const json_t *row, size_t i)
{
	return json_string_value(json_array_get(row, i));
}

/* ---- builds, cached by id ---- */

static json_t *build_json(struct index_db *db, json_t *cache, const char *id, char *err, size_t errlen)
{
	json_t *b = json_object_get(cache, id), *rows;
	const char *params[1] = { id };

	if (b)
		return json_incref(b);
	rows = query_rows(db, "SELECT id, log_path, log_sha256, host, command, start_ns, end_ns, attestation, "
			  "attestation_reason FROM builds WHERE id = $1", params, 1, err, errlen);
	if (!rows)
		return NULL;
	if (json_array_size(rows) != 1) {
		json_decref(rows);
		errf(err, errlen, "build %s is not in the index", id);
		return NULL;
	}
	{
		const json_t *r = json_array_get(rows, 0);

		b = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:s?}", "id",
			      (json_int_t)strtoll(cell(r, 0), NULL, 10), "log", cell(r, 1), "log_sha256", cell(r, 2),
			      "host", cell(r, 3), "command", cell(r, 4), "start", time_json(cell(r, 5)), "end",
			      time_json(cell(r, 6)), "attestation", cell(r, 7), "attestation_reason", cell(r, 8));
	}
	json_decref(rows);
	if (!b || json_object_set(cache, id, b)) {
		json_decref(b);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	return b;
}

/* The process that did it, then its parent, up to the build's root: [{pid, exe, argv}]. */
static json_t *chain_json(struct index_db *db, const char *build, const char *proc, char *err, size_t errlen)
{
	const char *params[2] = { build, proc };
	json_t *rows = query_rows(db,
		"WITH RECURSIVE chain(proc, parent, pid, exe, argv, depth) AS ("
		" SELECT proc, parent, pid, exe, argv, 0 FROM procs WHERE build_id = $1 AND proc = $2"
		" UNION ALL"
		" SELECT p.proc, p.parent, p.pid, p.exe, p.argv, c.depth + 1 FROM procs p JOIN chain c"
		" ON p.build_id = $1 AND p.proc = c.parent WHERE c.depth < 1000)"
		" SELECT pid, exe, argv FROM chain ORDER BY depth", params, 2, err, errlen);
	json_t *chain = json_array(), *r;
	size_t i;

	if (!rows || !chain) {
		json_decref(rows);
		json_decref(chain);
		return NULL;
	}
	json_array_foreach(rows, i, r)
		json_array_append_new(chain, json_pack("{s:I, s:s?, s:s?}", "pid",
						       (json_int_t)strtoll(cell(r, 0), NULL, 10), "exe", cell(r, 1),
						       "argv", cell(r, 2)));
	json_decref(rows);
	return chain;
}

/* ---- the matches ---- */

struct sql_text {
	char s[SQL_MAX];
	size_t n;
	const char *params[PARAMS_MAX];
	char numbers[PARAMS_MAX][24];
	int nparams;
};

static void sql_add(struct sql_text *q, const char *text)
{
	size_t len = strlen(text);

	if (q->n + len < sizeof(q->s)) {
		memcpy(q->s + q->n, text, len + 1);
		q->n += len;
	}
}

/* TEXT with "$?" standing for the next parameter, VALUE. */
static void sql_param(struct sql_text *q, const char *text, const char *value)
{
	char num[16];
	const char *mark = strstr(text, "$?");

	snprintf(num, sizeof(num), "$%d", q->nparams + 1);
	if (q->n + strlen(text) + 8 >= sizeof(q->s) || q->nparams == PARAMS_MAX)
		return;
	memcpy(q->s + q->n, text, (size_t)(mark - text));
	q->n += (size_t)(mark - text);
	q->s[q->n] = '\0';
	sql_add(q, num);
	sql_add(q, mark + 2);
	q->params[q->nparams++] = value;
}

static void sql_number(struct sql_text *q, const char *text, int64_t v)
{
	snprintf(q->numbers[q->nparams], sizeof(q->numbers[0]), "%" PRId64, v);
	sql_param(q, text, q->numbers[q->nparams]);
}

static void time_window(struct sql_text *q, const struct index_search *s)
{
	if (s->has_since)
		sql_number(q, " AND b.start_ns >= $?", s->since_ns);
	if (s->has_until)
		sql_number(q, " AND b.start_ns <= $?", s->until_ns);
}

static void file_query(struct sql_text *q, const struct index_search *s, size_t limit)
{
	char tail[256];

	sql_add(q, "SELECT fe.build_id, p.path, d.sha256, fe.role, fe.proc, MIN(fe.ts_ns)"
		" FROM file_events fe JOIN builds b ON b.id = fe.build_id JOIN paths p ON p.id = fe.path_id"
		" LEFT JOIN digests d ON d.id = fe.digest_id WHERE 1 = 1");
	if (s->digest[0])
		sql_param(q, " AND fe.digest_id = (SELECT id FROM digests WHERE sha256 = $?)", s->digest);
	if (s->path_like[0] && s->path_wild)
		sql_param(q, " AND fe.path_id IN (SELECT id FROM paths WHERE path LIKE $? ESCAPE '\\')", s->path_like);
	else if (s->path_like[0])
		sql_param(q, " AND fe.path_id = (SELECT id FROM paths WHERE path = $?)", s->path_like);
	if (s->exe_only)
		sql_add(q, " AND fe.role = 2");
	time_window(q, s);
	snprintf(tail, sizeof(tail), " GROUP BY fe.build_id, b.start_ns, p.path, d.sha256, fe.role, fe.proc"
		 " ORDER BY b.start_ns, fe.build_id, 6, p.path, fe.role, fe.proc LIMIT %zu", limit + 1);
	sql_add(q, tail);
}

static void endpoint_query(struct sql_text *q, const struct index_search *s, size_t limit)
{
	char tail[256];

	sql_add(q, "SELECT e.build_id, e.name, NULL, 5, e.proc, e.ts_ns FROM endpoints e"
		" JOIN builds b ON b.id = e.build_id WHERE 1 = 1");
	sql_param(q, " AND e.host = $?", s->host);
	if (s->port >= 0)
		sql_number(q, " AND e.port = $?", s->port);
	time_window(q, s);
	snprintf(tail, sizeof(tail), " ORDER BY b.start_ns, e.build_id, e.ts_ns, e.name, e.proc LIMIT %zu", limit + 1);
	sql_add(q, tail);
}

static json_t *match_json(struct index_db *db, json_t *builds, const json_t *r, char *err, size_t errlen)
{
	json_t *b = build_json(db, builds, cell(r, 0), err, errlen), *chain;
	const char *role = index_role_name((int)strtol(cell(r, 3), NULL, 10));

	if (!b)
		return NULL;
	chain = chain_json(db, cell(r, 0), cell(r, 4), err, errlen);
	if (!chain) {
		json_decref(b);
		return NULL;
	}
	return json_pack("{s:o, s:s?, s:s?, s:s?, s:o, s:o}", "build", b, "path", cell(r, 1), "sha256", cell(r, 2),
			 "role", role, "time", time_json(cell(r, 5)), "chain", chain);
}

/* ---- downstream ---- */

struct walk {
	struct index_db *db;
	json_t *builds;                 /* the cache of build_json */
	json_t *seen_builds, *seen_digests;
	json_t *frontier, *next;        /* build ids (strings) */
	json_t *out;
};

/* The builds after PRODUCER that read, ran or linked SHA: added to the next frontier; their ids as an array. */
static json_t *consumers(struct walk *w, const char *producer, const char *sha, char *err, size_t errlen)
{
	const char *params[2] = { sha, producer };
	json_t *rows = query_rows(w->db,
		"SELECT DISTINCT fe.build_id FROM file_events fe JOIN builds b ON b.id = fe.build_id"
		" WHERE fe.digest_id = (SELECT id FROM digests WHERE sha256 = $1) AND fe.role IN (1, 2, 3)"
		" AND fe.build_id <> $2 AND b.start_ns >= (SELECT start_ns FROM builds WHERE id = $2)"
		" ORDER BY fe.build_id", params, 2, err, errlen);
	json_t *ids = json_array(), *r;
	size_t i;

	if (!rows || !ids) {
		json_decref(rows);
		json_decref(ids);
		return NULL;
	}
	json_array_foreach(rows, i, r) {
		const char *id = cell(r, 0);

		json_array_append_new(ids, json_integer((json_int_t)strtoll(id, NULL, 10)));
		if (!json_object_get(w->seen_builds, id)) {
			json_object_set_new(w->seen_builds, id, json_true());
			json_array_append_new(w->next, json_string(id));
		}
	}
	json_decref(rows);
	return ids;
}

static int walk_build(struct walk *w, const char *build, int depth, char *err, size_t errlen)
{
	const char *params[1] = { build };
	json_t *rows = query_rows(w->db,
		"SELECT DISTINCT p.path, d.sha256 FROM file_events fe JOIN paths p ON p.id = fe.path_id"
		" JOIN digests d ON d.id = fe.digest_id WHERE fe.build_id = $1 AND fe.role = 4"
		" ORDER BY p.path, d.sha256", params, 1, err, errlen);
	json_t *r;
	size_t i;

	if (!rows)
		return -1;
	json_array_foreach(rows, i, r) {
		const char *sha = cell(r, 1);
		json_t *b, *by;

		if (json_object_get(w->seen_digests, sha))
			continue;
		json_object_set_new(w->seen_digests, sha, json_true());
		b = build_json(w->db, w->builds, build, err, errlen);
		by = b ? consumers(w, build, sha, err, errlen) : NULL;
		if (!by || json_array_append_new(w->out, json_pack("{s:o, s:s?, s:s, s:i, s:o}", "build", b, "path",
								   cell(r, 0), "sha256", sha, "depth", depth,
								   "consumed_by", by))) {
			json_decref(b);
			json_decref(rows);
			return -1;
		}
	}
	json_decref(rows);
	return 0;
}

/* From the builds that used a match, every artifact they wrote, then what later builds made of those. */
static json_t *downstream(struct index_db *db, json_t *builds, const json_t *matches, char *err, size_t errlen)
{
	struct walk w = { .db = db, .builds = builds, .seen_builds = json_object(), .seen_digests = json_object(),
			  .frontier = json_array(), .out = json_array() };
	const json_t *m;
	size_t i;
	int ret = 0;

	json_array_foreach(matches, i, m) {
		const char *role = json_string_value(json_object_get(m, "role"));
		char id[24];

		if (!role || !strcmp(role, "wrote"))
			continue;
		snprintf(id, sizeof(id), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(json_object_get(m, "build"), "id")));
		if (!json_object_get(w.seen_builds, id)) {
			json_object_set_new(w.seen_builds, id, json_true());
			json_array_append_new(w.frontier, json_string(id));
		}
	}
	for (int depth = 1; !ret && json_array_size(w.frontier) && depth <= DOWNSTREAM_DEPTH_MAX; depth++) {
		const json_t *b;

		w.next = json_array();
		json_array_foreach(w.frontier, i, b)
			if (!ret)
				ret = walk_build(&w, json_string_value(b), depth, err, errlen);
		json_decref(w.frontier);
		w.frontier = w.next;
	}
	json_decref(w.frontier);
	json_decref(w.seen_builds);
	json_decref(w.seen_digests);
	if (ret) {
		json_decref(w.out);
		return NULL;
	}
	return w.out;
}

json_t *index_search_run(struct index_db *db, const struct index_search *s, char *err, size_t errlen)
{
	size_t limit = s->limit ? s->limit : INDEX_SEARCH_LIMIT, i;
	struct sql_text q = { .n = 0 };
	json_t *rows, *matches = json_array(), *builds = json_object(), *out = NULL, *r;

	err[0] = '\0';
	if (!matches || !builds)
		goto fail;
	if (s->host[0])
		endpoint_query(&q, s, limit);
	else
		file_query(&q, s, limit);
	rows = query_rows(db, q.s, q.params, q.nparams, err, errlen);
	if (!rows)
		goto fail;
	json_array_foreach(rows, i, r) {
		json_t *m;

		if (i == limit)
			break;
		m = match_json(db, builds, r, err, errlen);
		if (!m || json_array_append_new(matches, m)) {
			json_decref(rows);
			goto fail;
		}
	}
	out = json_pack("{s:O, s:b}", "matches", matches, "truncated", json_array_size(rows) > limit);
	json_decref(rows);
	if (out && s->downstream) {
		json_t *d = downstream(db, builds, matches, err, errlen);

		if (!d || json_object_set_new(out, "downstream", d)) {
			json_decref(out);
			out = NULL;
		}
	}
fail:
	if (!out && !err[0])
		errf(err, errlen, "out of memory");
	json_decref(matches);
	json_decref(builds);
	return out;
}
