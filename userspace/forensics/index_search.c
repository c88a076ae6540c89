// SPDX-License-Identifier: MIT
/* Searches of the fleet index: the matches, the process chain of each, and the downstream walk. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/grow.h"
#include "common/errf.h"
#include "forensics/index_chain.h"
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

/* ---- id lists: integers from the store itself, written into the SQL ---- */

struct id_sql {
	char *s;
	size_t n, cap;
	bool full;
};

static void id_sql_add(struct id_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void id_sql_add(struct id_sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->full)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(q->s ? q->s + q->n : NULL, q->s ? q->cap - q->n : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			q->full = true;
			return;
		}
		if (q->s && q->n + (size_t)n < q->cap) {
			q->n += (size_t)n;
			return;
		}
		if (grow_array((void **)&q->s, &q->cap, q->n + (size_t)n + 1, 1, 4096)) {
			q->full = true;
			return;
		}
	}
}

static json_t *id_query(struct index_db *db, struct id_sql *q, char *err, size_t errlen)
{
	json_t *rows = NULL;

	if (q->full)
		errf(err, errlen, "out of memory");
	else
		rows = query_rows(db, q->s, NULL, 0, err, errlen);
	free(q->s);
	*q = (struct id_sql){ 0 };
	return rows;
}

/* id_query when the list has IDS ids; with none, *ROWS is an empty array. 0, or -1 with ERR. */
static int id_rows(struct index_db *db, struct id_sql *q, size_t ids, json_t **rows, char *err, size_t errlen)
{
	if (!ids) {
		free(q->s);
		*q = (struct id_sql){ 0 };
		*rows = json_array();
	} else {
		*rows = id_query(db, q, err, errlen);
	}
	if (!*rows && !err[0])
		errf(err, errlen, "out of memory");
	return *rows ? 0 : -1;
}

/* The columns of a build, as cache_build reads them from V[0] on. */
#define BUILD_COLUMNS "id, log_path, log_sha256, host, command, start_ns, end_ns, attestation, attestation_reason"

/* The build of V[0..8] (BUILD_COLUMNS) into CACHE under its id, unless it is there; 0 or -1 (no memory). */
static int cache_build(json_t *cache, const char *const *v)
{
	json_t *b;

	if (!v[0] || json_object_get(cache, v[0]))
		return 0;
	b = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:s?}", "id", (json_int_t)strtoll(v[0], NULL, 10),
		      "log", v[1], "log_sha256", v[2], "host", v[3], "command", v[4], "start", time_json(v[5]), "end",
		      time_json(v[6]), "attestation", v[7], "attestation_reason", v[8]);
	return b ? json_object_set_new(cache, v[0], b) : -1;
}

static int cache_build_row(void *arg, int ncols, const char *const *vals)
{
	return ncols == 9 ? cache_build(arg, vals) : -1;
}

/* Builds, by id (decimal text) into CACHE: those of IDS (an object whose keys are ids) not there yet. */
static int load_builds(struct index_db *db, json_t *cache, const json_t *ids, char *err, size_t errlen)
{
	struct id_sql q = { 0 };
	const char *id;
	json_t *v;
	size_t n = 0;
	int ret;

	id_sql_add(&q, "SELECT " BUILD_COLUMNS " FROM builds WHERE id IN (");
	json_object_foreach((json_t *)ids, id, v)
		if (!json_object_get(cache, id))
			id_sql_add(&q, "%s%lld", n++ ? "," : "", strtoll(id, NULL, 10));
	id_sql_add(&q, ")");
	if (!n || q.full)
		ret = q.full ? errf(err, errlen, "out of memory") : 0;
	else
		ret = db->be->query(db, q.s, NULL, 0, cache_build_row, cache, err, errlen);
	free(q.s);
	return ret;
}

#define CHAIN_DEPTH_MAX 1000

/* The chains of a search, and the programs and command lines they name by id until load_names reads them. */
struct chain_rows {
	json_t *chains;                 /* "BUILD:PROC" -> [{pid, exe, argv}] */
	json_t *exes, *argvs;           /* id (text) -> null, then its text */
	json_t *waiting;                /* "BUILD:PROC" of a row to read -> the chains it goes on */
	json_t *next;                   /* the same for the next round */
	bool bad;                       /* a chain not as Kettle writes them */
};

/* ID (text, or NULL) as a key of NAMES, to be read; 0 or -1. */
static int want_name(json_t *names, const char *id)
{
	return !id || json_object_get(names, id) ? 0 : json_object_set_new(names, id, json_null());
}

/* One process of a chain, naming its program and command line by id (text, "" or NULL: none). */
static int chain_append(struct chain_rows *c, json_t *chain, int64_t pid, const char *exe, const char *argv)
{
	exe = exe && *exe ? exe : NULL;
	argv = argv && *argv ? argv : NULL;
	if (want_name(c->exes, exe) || want_name(c->argvs, argv))
		return -1;
	return json_array_append_new(chain, json_pack("{s:I, s:s?, s:s?}", "pid", (json_int_t)pid, "exe", exe,
						      "argv", argv));
}

/* Chain KEY goes on at process NEXT of BUILD in the next round; 0 or -1. */
static int chain_goes_on(struct chain_rows *c, const char *build, int64_t next, const char *key)
{
	json_t *list;
	char k[48];

	snprintf(k, sizeof(k), "%s:%" PRId64, build, next);
	list = json_object_get(c->next, k);
	if (!list && json_object_set_new(c->next, k, list = json_array()))
		return -1;
	return json_array_append_new(list, json_string(key));
}

/* A process row (build, proc, parent, pid, exe id, argv id, chain) as read, once per row. */
struct proc_row {
	const char *const *vals;
	struct index_chain_entry up[INDEX_CHAIN_INLINE];
	int nup;
	int64_t next;                   /* where the chain goes on, -1: it ends */
};

/*
 * VALS read: the ancestors its chain text holds, and where the chain goes on
 * (a row written before schema version 4 has no chain text: at its parent).
 * 0, or -1 for a chain text Kettle did not write (C marked bad).
 */
static int proc_row_read(struct chain_rows *c, struct proc_row *r, const char *const *vals)
{
	r->vals = vals;
	r->nup = 0;
	r->next = vals[2] && !vals[6] ? strtoll(vals[2], NULL, 10) : -1;
	if (vals[6])
		r->nup = index_chain_parse(vals[6], r->up, INDEX_CHAIN_INLINE, &r->next);
	if (r->nup >= 0)
		return 0;
	c->bad = true;
	return -1;
}

/* The process of R and its ancestors onto the chain KEY, which then waits where R says it goes on; 0 or -1. */
static int chain_extend(struct chain_rows *c, const char *key, const struct proc_row *r)
{
	json_t *chain = json_object_get(c->chains, key);

	if (!chain || chain_append(c, chain, strtoll(r->vals[3], NULL, 10), r->vals[4], r->vals[5]))
		return -1;
	for (int u = 0; u < r->nup && json_array_size(chain) <= CHAIN_DEPTH_MAX; u++)
		if (chain_append(c, chain, r->up[u].pid, r->up[u].exe_id, r->up[u].argv_id))
			return -1;
	if (r->next >= 0 && json_array_size(chain) <= CHAIN_DEPTH_MAX)
		return chain_goes_on(c, r->vals[0], r->next, key);
	return 0;
}

/* A row of read_chain_rows' query: every chain waiting for that process goes on with it. */
static int add_chain_row(void *arg, int ncols, const char *const *vals)
{
	struct chain_rows *c = arg;
	struct proc_row r;
	json_t *key;
	size_t i;
	char k[48];

	if (ncols != 7 || !vals[0] || !vals[1] || !vals[3])
		return -1;
	if (proc_row_read(c, &r, vals))
		return -1;
	snprintf(k, sizeof(k), "%s:%s", vals[0], vals[1]);
	json_array_foreach(json_object_get(c->waiting, k), i, key)
		if (chain_extend(c, json_string_value(key), &r))
			return -1;
	return 0;
}

/* The process rows of every key of C->waiting, in one query; 0 or -1 with ERR. */
static int read_chain_rows(struct index_db *db, struct chain_rows *c, char *err, size_t errlen)
{
	struct id_sql q = { 0 };
	const char *key;
	json_t *v;
	size_t n = 0;
	int ret;

	id_sql_add(&q, "WITH start(b, p) AS (VALUES");
	json_object_foreach(c->waiting, key, v)
		id_sql_add(&q, "%s (%lld, %lld)", n++ ? "," : "", strtoll(key, NULL, 10),
			   strtoll(strchr(key, ':') + 1, NULL, 10));
	id_sql_add(&q, ") SELECT p.build_id, p.proc, p.parent, p.pid, p.exe_id, p.argv_id, p.chain FROM start"
		   " JOIN procs p ON p.build_id = start.b AND p.proc = start.p");
	if (q.full)
		ret = errf(err, errlen, "out of memory");
	else
		ret = db->be->query(db, q.s, NULL, 0, add_chain_row, c, err, errlen);
	if (ret && c->bad)
		ret = errf(err, errlen, "%s: a process chain not as Kettle writes them", db->where);
	free(q.s);
	return ret;
}

/*
 * The text of every id of NAMES from TABLE(id, COLUMN), in one query: a
 * lookup's chains name a few programs and command lines many times (the
 * fleet runs the same ones), and a join would make PostgreSQL hash all of
 * paths.
 */
static int load_names(struct index_db *db, const char *table, const char *column, json_t *names, char *err,
		      size_t errlen)
{
	struct id_sql q = { 0 };
	const char *id;
	json_t *v, *rows, *r;
	size_t i, n = 0;
	int ret = 0;

	id_sql_add(&q, "SELECT id, %s FROM %s WHERE id IN (", column, table);
	json_object_foreach(names, id, v)
		id_sql_add(&q, "%s%lld", n++ ? "," : "", strtoll(id, NULL, 10));
	id_sql_add(&q, ")");
	if (id_rows(db, &q, n, &rows, err, errlen))
		return -1;
	json_array_foreach(rows, i, r)
		if (!cell(r, 0) || !cell(r, 1) || json_object_set_new(names, cell(r, 0), json_string(cell(r, 1)))) {
			ret = errf(err, errlen, "out of memory");
			break;
		}
	json_decref(rows);
	return ret;
}

/* KEY of PROC, an id of NAMES, replaced by its text (null when the id names nothing). */
static int name_field(json_t *proc, const char *key, json_t *names)
{
	const char *id = json_string_value(json_object_get(proc, key));

	if (!id)
		return 0;
	return json_object_set(proc, key, json_object_get(names, id) ? json_object_get(names, id) : json_null());
}

/*
 * The rounds after the match query, for the chains it left waiting (deeper
 * than INDEX_CHAIN_INLINE, or rows without a chain text), then the names of
 * the programs and command lines every chain of C names, in place.
 */
static int chain_rounds(struct index_db *db, struct chain_rows *c, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	int ret = 0;

	/* each round adds at least a process to every chain it reads */
	for (int round = 0; !ret && json_object_size(c->waiting) && round <= CHAIN_DEPTH_MAX; round++) {
		c->next = json_object();
		ret = c->next ? read_chain_rows(db, c, err, errlen) : errf(err, errlen, "out of memory");
		json_decref(c->waiting);
		c->waiting = c->next;
		c->next = NULL;
	}
	if (!ret)
		ret = load_names(db, "paths", "path", c->exes, err, errlen);
	if (!ret)
		ret = load_names(db, "command_lines", "argv", c->argvs, err, errlen);
	json_object_foreach(c->chains, key, v) {
		size_t i;
		json_t *proc;

		json_array_foreach(v, i, proc)
			if (!ret && (name_field(proc, "exe", c->exes) || name_field(proc, "argv", c->argvs)))
				ret = errf(err, errlen, "out of memory");
	}
	return ret;
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

/*
 * The match query M (build, path, digest, role, process, time, and the
 * build's start) with the row of each match's process, whose chain names its
 * ancestors, and the build: a lookup reads its chains and builds in the same
 * query, with no lists of ids to send, plan and answer again.
 */
#define MATCH_HEAD "SELECT m.b, m.path, m.sha, m.role, m.pr, m.t, c.parent, c.pid, c.exe_id, c.argv_id, c.chain," \
	" bb.id, bb.log_path, bb.log_sha256, bb.host, bb.command, bb.start_ns, bb.end_ns, bb.attestation," \
	" bb.attestation_reason FROM ("
#define MATCH_TAIL ") m LEFT JOIN procs c ON c.build_id = m.b AND c.proc = m.pr JOIN builds bb ON bb.id = m.b" \
	" ORDER BY m.st, m.b, m.t, m.path, m.role, m.pr"
/* where a match row's build (BUILD_COLUMNS) starts */
#define MATCH_BUILD 11

static void file_query(struct sql_text *q, const struct index_search *s, size_t limit)
{
	char tail[512];

	sql_add(q, MATCH_HEAD "SELECT fe.build_id AS b, p.path AS path, d.sha256 AS sha, fe.role AS role,"
		" fe.proc AS pr, MIN(fe.ts_ns) AS t, b.start_ns AS st"
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
		 " ORDER BY b.start_ns, fe.build_id, 6, p.path, fe.role, fe.proc LIMIT %zu" MATCH_TAIL, limit + 1);
	sql_add(q, tail);
}

static void endpoint_query(struct sql_text *q, const struct index_search *s, size_t limit)
{
	char tail[512];

	sql_add(q, MATCH_HEAD "SELECT e.build_id AS b, e.name AS path, NULL AS sha, 5 AS role, e.proc AS pr,"
		" e.ts_ns AS t, b.start_ns AS st FROM endpoints e"
		" JOIN builds b ON b.id = e.build_id WHERE 1 = 1");
	sql_param(q, " AND e.host = $?", s->host);
	if (s->port >= 0)
		sql_number(q, " AND e.port = $?", s->port);
	time_window(q, s);
	snprintf(tail, sizeof(tail), " ORDER BY b.start_ns, e.build_id, e.ts_ns, e.name, e.proc LIMIT %zu" MATCH_TAIL,
		 limit + 1);
	sql_add(q, tail);
}

/* What the match query's rows become, as they come. */
struct match_rows {
	size_t limit, n;
	bool truncated;                 /* a row past LIMIT came */
	json_t *matches;                /* [{build, path, sha256, role, time}], "chain" set once complete */
	json_t *keys;                   /* per match: its chain's "BUILD:PROC" */
	json_t *builds;                 /* id -> build */
	struct chain_rows *c;           /* the chains: each process's row is their first round */
};

static int set_text(json_t *o, const char *key, const char *v)
{
	return json_object_set_new(o, key, v ? json_string(v) : json_null());
}

/*
 * A match row (MATCH_HEAD): its build into the cache, its process's row as
 * the first round of its chain (a process that matched twice is read once;
 * NULL when the store has no row for it), and the match itself.
 */
static int match_row(void *arg, int ncols, const char *const *v)
{
	struct match_rows *m = arg;
	struct chain_rows *c = m->c;
	json_t *match, *build;
	char k[48];

	if (ncols != MATCH_BUILD + 9 || !v[0] || !v[3] || !v[4])
		return -1;
	if (m->n == m->limit) {
		m->truncated = true;
		return 0;
	}
	m->n++;
	if (cache_build(m->builds, v + MATCH_BUILD))
		return -1;
	snprintf(k, sizeof(k), "%s:%s", v[0], v[4]);
	if (!json_object_get(c->chains, k)) {
		const char *proc[7] = { v[0], v[4], v[6], v[7], v[8], v[9], v[10] };
		struct proc_row r;

		if (json_object_set_new(c->chains, k, json_array()) ||
		    (v[7] && (proc_row_read(c, &r, proc) || chain_extend(c, k, &r))))
			return -1;
	}
	build = json_object_get(m->builds, v[0]);
	match = json_object();
	if (!match || json_array_append_new(m->matches, match) || json_array_append_new(m->keys, json_string(k)) ||
	    json_object_set(match, "build", build ? build : json_null()) || set_text(match, "path", v[1]) ||
	    set_text(match, "sha256", v[2]) ||
	    set_text(match, "role", index_role_name((int)strtol(v[3], NULL, 10))) ||
	    json_object_set_new(match, "time", time_json(v[5])))
		return -1;
	return 0;
}

/* The match query into M, then every chain whole; 0, or -1 with ERR. */
static int read_matches(struct index_db *db, const struct sql_text *q, struct match_rows *m, char *err,
			size_t errlen)
{
	struct chain_rows *c = m->c;
	json_t *match;
	size_t i;
	int ret;

	c->next = json_object();
	if (!c->next)
		return errf(err, errlen, "out of memory");
	ret = db->be->query(db, q->s, q->params, q->nparams, match_row, m, err, errlen);
	if (ret && c->bad)
		ret = errf(err, errlen, "%s: a process chain not as Kettle writes them", db->where);
	/* the first round is done: what waits now is what its rows said goes on */
	json_decref(c->waiting);
	c->waiting = c->next;
	c->next = NULL;
	if (!ret)
		ret = chain_rounds(db, c, err, errlen);
	json_array_foreach(m->matches, i, match) {
		json_t *chain = json_object_get(c->chains, json_string_value(json_array_get(m->keys, i)));

		if (!ret && json_object_set(match, "chain", chain ? chain : json_array()))
			ret = errf(err, errlen, "out of memory");
	}
	return ret;
}

/* ---- downstream ---- */

#define IDS_PER_QUERY 500

struct walk {
	struct index_db *db;
	json_t *builds;                 /* the cache of load_builds */
	json_t *seen_builds, *seen_digests;
	json_t *frontier;               /* build ids (strings) whose outputs come next */
	json_t *out;
};

/* The rows of SQL_HEAD + ids + SQL_TAIL for every IDS_PER_QUERY of IDS (strings), appended to ROWS. */
static int rows_by_ids(struct index_db *db, const char *head, const json_t *ids, const char *tail, json_t *rows,
		       char *err, size_t errlen)
{
	size_t n = json_array_size(ids);

	for (size_t at = 0; at < n; at += IDS_PER_QUERY) {
		struct id_sql q = { 0 };
		json_t *part;

		id_sql_add(&q, "%s", head);
		for (size_t i = at; i < n && i < at + IDS_PER_QUERY; i++)
			id_sql_add(&q, "%s%lld", i > at ? "," : "", strtoll(json_string_value(json_array_get(ids, i)),
									     NULL, 10));
		id_sql_add(&q, "%s", tail);
		part = id_query(db, &q, err, errlen);
		if (!part || json_array_extend(rows, part)) {
			json_decref(part);
			return -1;
		}
		json_decref(part);
	}
	return 0;
}

/*
 * One level: every output (with a digest) of the frontier's builds not seen
 * before is an affected artifact; the later builds that read, ran or linked
 * one are the next frontier.
 */
static int walk_level(struct walk *w, int depth, char *err, size_t errlen)
{
	json_t *outputs = json_array(), *consumers = json_array(), *digest_ids = json_array(),
	       *by_digest = json_object(), *next = json_array(), *r;
	size_t i;
	int ret = -1;

	if (!outputs || !consumers || !digest_ids || !by_digest || !next ||
	    rows_by_ids(w->db, "SELECT fe.build_id, p.path, d.sha256, fe.digest_id, b.start_ns FROM file_events fe"
			" JOIN paths p ON p.id = fe.path_id JOIN digests d ON d.id = fe.digest_id"
			" JOIN builds b ON b.id = fe.build_id WHERE fe.role = 4 AND fe.build_id IN (", w->frontier,
			") GROUP BY fe.build_id, p.path, d.sha256, fe.digest_id, b.start_ns"
			" ORDER BY fe.build_id, p.path, d.sha256", outputs, err, errlen))
		goto out;
	json_array_foreach(outputs, i, r)
		if (!json_object_get(w->seen_digests, cell(r, 2))) {
			json_object_set_new(w->seen_digests, cell(r, 2), json_true());
			json_array_append_new(digest_ids, json_string(cell(r, 3)));
		} else {
			json_array_set_new(outputs, i, json_null());
		}
	if (rows_by_ids(w->db, "SELECT DISTINCT fe.digest_id, fe.build_id, b.start_ns FROM file_events fe"
			" JOIN builds b ON b.id = fe.build_id WHERE fe.role IN (1, 2, 3) AND fe.digest_id IN (",
			digest_ids, ") ORDER BY fe.digest_id, fe.build_id", consumers, err, errlen))
		goto out;
	json_array_foreach(consumers, i, r) {
		json_t *list = json_object_get(by_digest, cell(r, 0));

		if (!list && json_object_set_new(by_digest, cell(r, 0), list = json_array()))
			goto out;
		json_array_append(list, r);
	}
	json_array_foreach(outputs, i, r) {
		json_t *by = json_array(), *c, *b = json_object_get(w->builds, cell(r, 0));
		size_t k;

		if (json_is_null(r))
			continue;
		json_array_foreach(json_object_get(by_digest, cell(r, 3)), k, c) {
			const char *id = cell(c, 1);

			/* a later build that used the artifact: not its producer, not one that started before it */
			if (!strcmp(id, cell(r, 0)) || strtoll(cell(c, 2), NULL, 10) < strtoll(cell(r, 4), NULL, 10))
				continue;
			json_array_append_new(by, json_integer((json_int_t)strtoll(id, NULL, 10)));
			if (!json_object_get(w->seen_builds, id)) {
				json_object_set_new(w->seen_builds, id, json_true());
				json_array_append_new(next, json_string(id));
			}
		}
		if (!by || json_array_append_new(w->out, json_pack("{s:O, s:s?, s:s, s:i, s:o}", "build",
								   b ? b : json_null(), "path", cell(r, 1),
								   "sha256", cell(r, 2), "depth", depth,
								   "consumed_by", by)))
			goto out;
	}
	json_decref(w->frontier);
	w->frontier = next;
	next = NULL;
	ret = 0;
out:
	if (ret && !err[0])
		errf(err, errlen, "out of memory");
	json_decref(outputs);
	json_decref(consumers);
	json_decref(digest_ids);
	json_decref(by_digest);
	json_decref(next);
	return ret;
}

static int id_order(const void *a, const void *b)
{
	long long x = strtoll(json_string_value(*(const json_t *const *)a), NULL, 10);
	long long y = strtoll(json_string_value(*(const json_t *const *)b), NULL, 10);

	return x < y ? -1 : x > y;
}

/* ARR's elements sorted by CMP; 0 or -1 (no memory). */
static int sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr);
	json_t **v = malloc(sizeof(*v) * (n + 1));

	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++)
		json_array_set_new(arr, i, v[i]);
	free(v);
	return 0;
}

static int build_order(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	long long bx = json_integer_value(json_object_get(json_object_get(x, "build"), "id"));
	long long by = json_integer_value(json_object_get(json_object_get(y, "build"), "id"));
	int d = (int)json_integer_value(json_object_get(x, "depth")) - (int)json_integer_value(json_object_get(y, "depth"));

	if (d)
		return d;
	if (bx != by)
		return bx < by ? -1 : 1;
	d = strcmp(json_string_value(json_object_get(x, "path")), json_string_value(json_object_get(y, "path")));
	return d ? d : strcmp(json_string_value(json_object_get(x, "sha256")),
			      json_string_value(json_object_get(y, "sha256")));
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
		ret = load_builds(db, builds, w.seen_builds, err, errlen);
		/* builds in id order: which of two builds that wrote the same bytes is named does not depend on the back end */
		if (!ret && sort_array(w.frontier, id_order))
			ret = errf(err, errlen, "out of memory");
		if (!ret)
			ret = walk_level(&w, depth, err, errlen);
	}
	if (!ret)
		ret = load_builds(db, builds, w.seen_builds, err, errlen);
	/* the artifacts of the last level were listed before their consumers' builds were loaded */
	json_array_foreach(w.out, i, m)
		if (!ret && json_is_null(json_object_get(m, "build"))) {
			ret = -1;
			errf(err, errlen, "a build vanished during the search");
		}
	/* by depth, build, path, digest: the same order on either back end */
	if (!ret && sort_array(w.out, build_order))
		ret = errf(err, errlen, "out of memory");
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
	struct chain_rows c = { json_object(), json_object(), json_object(), json_object(), NULL, false };
	struct match_rows m = { .limit = s->limit ? s->limit : INDEX_SEARCH_LIMIT, .matches = json_array(),
				.keys = json_array(), .builds = json_object(), .c = &c };
	struct sql_text q = { .n = 0 };
	json_t *out = NULL;

	err[0] = '\0';
	if (!c.chains || !c.exes || !c.argvs || !c.waiting || !m.matches || !m.keys || !m.builds)
		goto fail;
	if (s->host[0])
		endpoint_query(&q, s, m.limit);
	else
		file_query(&q, s, m.limit);
	if (read_matches(db, &q, &m, err, errlen))
		goto fail;
	out = json_pack("{s:O, s:b}", "matches", m.matches, "truncated", m.truncated);
	if (out && s->downstream) {
		json_t *d = downstream(db, m.builds, m.matches, err, errlen);

		if (!d || json_object_set_new(out, "downstream", d)) {
			json_decref(out);
			out = NULL;
		}
	}
fail:
	if (!out && !err[0])
		errf(err, errlen, "out of memory");
	json_decref(m.matches);
	json_decref(m.keys);
	json_decref(m.builds);
	json_decref(c.chains);
	json_decref(c.exes);
	json_decref(c.argvs);
	json_decref(c.waiting);
	return out;
}

int index_search_check(const struct index_search *q, char *err, size_t errlen)
{
	if (!q->digest[0] && !q->path_like[0] && !q->host[0])
		return errf(err, errlen, "give a digest, a path or an endpoint");
	if (q->host[0] && (q->digest[0] || q->path_like[0] || q->exe_only))
		return errf(err, errlen, "an endpoint goes alone: not with a digest, a path or exe");
	return 0;
}

int index_build_log(struct index_db *db, int64_t id, struct index_build_log *out, char *err, size_t errlen)
{
	char idtext[24];
	const char *params[1] = { idtext }, *path, *sha;
	json_t *rows;
	int ret = 1;

	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	rows = query_rows(db, "SELECT log_path, log_sha256 FROM builds WHERE id = $1", params, 1, err, errlen);
	if (!rows)
		return -1;
	if (json_array_size(rows)) {
		path = cell(json_array_get(rows, 0), 0);
		sha = cell(json_array_get(rows, 0), 1);
		if (!path || !sha || strlen(path) >= sizeof(out->path) || strlen(sha) != 64 ||
		    strspn(sha, "0123456789abcdef") != 64) {
			ret = errf(err, errlen, "%s: build %s: a log path or digest not as Kettle writes them", db->where,
				   idtext);
		} else {
			strcpy(out->path, path);
			strcpy(out->sha256, sha);
			ret = 0;
		}
	}
	json_decref(rows);
	return ret;
}
