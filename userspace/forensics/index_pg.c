// SPDX-License-Identifier: MIT
/*
 * The fleet index on a PostgreSQL server: bulk rows through COPY, keys
 * interned through a temporary table in sorted order (two writers that
 * share paths then take their row locks in the same order and never
 * deadlock), a lost race reported as INDEX_RETRY.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "common/errf.h"
#include "forensics/index_store.h"

#define COPY_CHUNK (1u << 20)
/* any constant: the migrations' lock, taken with pg_advisory_xact_lock */
#define MIGRATION_LOCK "4b45544c"

static PGconn *conn(struct index_db *db)
{
	return db->conn;
}

/* deadlock_detected, serialization_failure, unique_violation (a concurrent CREATE TABLE) */
static bool retryable(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state && (!strcmp(state, "40P01") || !strcmp(state, "40001") || !strcmp(state, "23505") ||
			 !strcmp(state, "42P07"));
}

/* libpq's messages run over lines ("...failed: X\n\tIs the server running..."): one line, spaces between. */
static int server_err(char *err, size_t errlen, const char *where, const char *what, const char *msg)
{
	size_t o = 0;
	int n = snprintf(err, errlen, "%s: %s", where, what);

	o = n < 0 ? 0 : (size_t)n >= errlen ? errlen - 1 : (size_t)n;
	for (const char *p = msg; *p && o + 1 < errlen; p++) {
		bool space = *p == '\n' || *p == '\t' || *p == '\r';

		if (space && (o == 0 || err[o - 1] == ' ' || !p[1]))
			continue;
		err[o++] = space ? ' ' : *p;
	}
	while (o && err[o - 1] == ' ')
		o--;
	err[o] = '\0';
	errf_one_line(err);
	return -1;
}

static int fail(struct index_db *db, PGresult *res, char *err, size_t errlen)
{
	int r = retryable(res) ? INDEX_RETRY : -1;
	const char *msg = res ? PQresultErrorMessage(res) : "";

	server_err(err, errlen, db->where, "", *msg ? msg : PQerrorMessage(conn(db)));
	PQclear(res);
	return r;
}

static int pg_exec(struct index_db *db, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn(db), sql);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return fail(db, res, err, errlen);
	PQclear(res);
	return 0;
}

static int pg_query(struct index_db *db, const char *sql, const char *const *params, int nparams,
		    index_row_fn row, void *arg, char *err, size_t errlen)
{
	PGresult *res = PQexecParams(conn(db), sql, nparams, NULL, params, NULL, NULL, 0);
	const char *vals[64];
	int nrows, ncols;

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail(db, res, err, errlen);
	nrows = PQntuples(res);
	ncols = PQnfields(res);
	if (ncols > (int)(sizeof(vals) / sizeof(vals[0])))
		ncols = (int)(sizeof(vals) / sizeof(vals[0]));
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++)
			vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		if (row(arg, ncols, vals)) {
			PQclear(res);
			return errf(err, errlen, "out of memory");
		}
	}
	PQclear(res);
	return 0;
}

static int pg_begin(struct index_db *db, bool alone, char *err, size_t errlen)
{
	int r = pg_exec(db, "BEGIN", err, errlen);

	if (!r && alone)
		r = pg_exec(db, "SELECT pg_advisory_xact_lock(x'" MIGRATION_LOCK "'::bigint)", err, errlen);
	return r;
}

static int pg_commit(struct index_db *db, char *err, size_t errlen)
{
	int r = pg_exec(db, "COMMIT", err, errlen);

	if (r)
		PQclear(PQexec(conn(db), "ROLLBACK"));
	return r;
}

static void pg_rollback(struct index_db *db)
{
	PQclear(PQexec(conn(db), "ROLLBACK"));
}

/* COPY's text format: backslash, tab, newline and carriage return escaped. */
struct copy_buf {
	char *p;
	size_t n;
};

static void put_text(struct copy_buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			b->p[b->n++] = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		}
		b->p[b->n++] = c;
	}
}

static void put_cell(struct copy_buf *b, const struct index_cell *c)
{
	if (c->nullv) {
		memcpy(b->p + b->n, "\\N", 2);
		b->n += 2;
	} else if (c->s) {
		put_text(b, c->s);
	} else {
		b->n += (size_t)sprintf(b->p + b->n, "%" PRId64, c->i);
	}
}

static size_t cell_room(const struct index_cell *c)
{
	return c->s && !c->nullv ? 2 * strlen(c->s) + 1 : 24;
}

static int flush_copy(struct index_db *db, struct copy_buf *b, char *err, size_t errlen)
{
	if (b->n && PQputCopyData(conn(db), b->p, (int)b->n) != 1)
		return errf(err, errlen, "%s: COPY: %s", db->where, PQerrorMessage(conn(db)));
	b->n = 0;
	return 0;
}

static int copy_end(struct index_db *db, const char *abort_why, char *err, size_t errlen)
{
	PGresult *res;

	if (PQputCopyEnd(conn(db), abort_why) != 1)
		return errf(err, errlen, "%s: COPY: %s", db->where, PQerrorMessage(conn(db)));
	res = PQgetResult(conn(db));
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int r = fail(db, res, err, errlen);

		while ((res = PQgetResult(conn(db))))
			PQclear(res);
		return abort_why ? -1 : r;
	}
	PQclear(res);
	while ((res = PQgetResult(conn(db))))
		PQclear(res);
	return 0;
}

#define COLS_MAX 16

static int copy_rows(struct index_db *db, const char *copy_sql, int ncols, size_t nrows, index_fill_fn fill,
		     void *arg, char *err, size_t errlen)
{
	struct index_cell cells[COLS_MAX];
	struct copy_buf b = { malloc(COPY_CHUNK), 0 };
	PGresult *res;
	int ret = 0;

	if (!b.p)
		return errf(err, errlen, "out of memory");
	res = PQexec(conn(db), copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		free(b.p);
		return fail(db, res, err, errlen);
	}
	PQclear(res);
	for (size_t r = 0; r < nrows && !ret; r++) {
		size_t room = (size_t)ncols + 1;

		memset(cells, 0, sizeof(cells[0]) * (size_t)ncols);
		fill(arg, r, cells);
		for (int c = 0; c < ncols; c++)
			room += cell_room(&cells[c]);
		if (room > COPY_CHUNK) {
			ret = errf(err, errlen, "a row of %zu bytes is too long", room);
			break;
		}
		if (b.n + room > COPY_CHUNK && (ret = flush_copy(db, &b, err, errlen)))
			break;
		for (int c = 0; c < ncols; c++) {
			if (c)
				b.p[b.n++] = '\t';
			put_cell(&b, &cells[c]);
		}
		b.p[b.n++] = '\n';
	}
	if (!ret)
		ret = flush_copy(db, &b, err, errlen);
	free(b.p);
	if (ret) {
		char ignored[64];

		copy_end(db, "kettle: insert abandoned", ignored, sizeof(ignored));
		return ret;
	}
	return copy_end(db, NULL, err, errlen);
}

static int pg_insert_rows(struct index_db *db, const char *table, const char *const *columns, int ncols,
			  size_t nrows, index_fill_fn fill, void *arg, char *err, size_t errlen)
{
	char sql[1024];
	size_t o;

	if (ncols < 1 || ncols > COLS_MAX)
		return errf(err, errlen, "%s: %d columns", table, ncols);
	o = (size_t)snprintf(sql, sizeof(sql), "COPY %s(", table);
	for (int c = 0; c < ncols && o < sizeof(sql); c++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s", c ? "," : "", columns[c]);
	if (o + 16 >= sizeof(sql))
		return errf(err, errlen, "%s: COPY text too long", table);
	strcat(sql, ") FROM STDIN");
	return copy_rows(db, sql, ncols, nrows, fill, arg, err, errlen);
}

struct keys_arg {
	const char *const *keys;
};

static void fill_key(void *arg, size_t row, struct index_cell *cells)
{
	const struct keys_arg *k = arg;

	cells[0].i = (int64_t)row;
	cells[1].s = k->keys[row];
}

struct ids_arg {
	int64_t *ids;
	size_t n, got;
};

static int take_id(void *arg, int ncols, const char *const *vals)
{
	struct ids_arg *a = arg;
	char *end;
	unsigned long long row;

	if (ncols != 2 || !vals[0] || !vals[1])
		return 0;
	row = strtoull(vals[0], &end, 10);
	if (row < a->n) {
		a->ids[row] = strtoll(vals[1], &end, 10);
		a->got++;
	}
	return 0;
}

static int pg_intern(struct index_db *db, const char *table, const char *column, const char *const *keys,
		     size_t n, int64_t *ids, char *err, size_t errlen)
{
	struct keys_arg k = { keys };
	struct ids_arg a = { ids, n, 0 };
	char sql[512];
	int r;

	r = pg_exec(db, "CREATE TEMP TABLE IF NOT EXISTS kettle_keys (n BIGINT, k TEXT) ON COMMIT DROP;"
		    "TRUNCATE kettle_keys", err, errlen);
	if (!r)
		r = copy_rows(db, "COPY kettle_keys(n, k) FROM STDIN", 2, n, fill_key, &k, err, errlen);
	if (r)
		return r;
	snprintf(sql, sizeof(sql), "INSERT INTO %s(%s) SELECT DISTINCT k FROM kettle_keys ORDER BY k "
		 "ON CONFLICT (%s) DO NOTHING", table, column, column);
	r = pg_exec(db, sql, err, errlen);
	if (r)
		return r;
	snprintf(sql, sizeof(sql), "SELECT kettle_keys.n, t.id FROM kettle_keys JOIN %s t ON t.%s = kettle_keys.k",
		 table, column);
	r = pg_query(db, sql, NULL, 0, take_id, &a, err, errlen);
	if (!r && a.got != n)
		r = errf(err, errlen, "%s: %zu of %zu keys of %s found after inserting them", db->where, a.got, n,
			 table);
	return r;
}

static void pg_close(struct index_db *db)
{
	PQfinish(conn(db));
}

static const struct index_backend pg_backend = {
	.name = "postgresql",
	.clustered = "",
	.key_include = true,
	.id_column = "BIGSERIAL PRIMARY KEY",
	.exec = pg_exec,
	.query = pg_query,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.intern = pg_intern,
	.insert_rows = pg_insert_rows,
	.close = pg_close,
};

/* The URL for messages: "user:secret@" becomes "user@". */
static char *url_for_messages(const char *url)
{
	char *s = strdup(url), *scheme_end, *at, *colon;

	if (!s)
		return NULL;
	scheme_end = strstr(s, "://");
	at = scheme_end ? strchr(scheme_end + 3, '@') : NULL;
	colon = at ? memchr(scheme_end + 3, ':', (size_t)(at - scheme_end - 3)) : NULL;
	if (colon)
		memmove(colon, at, strlen(at) + 1);
	return s;
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

struct index_db *index_pg_open(const char *url, bool readonly, char *err, size_t errlen)
{
	struct index_db *db = calloc(1, sizeof(*db));
	PGconn *h;

	if (!db || !(db->where = url_for_messages(url))) {
		free(db);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	db->be = &pg_backend;
	h = PQconnectdb(url);
	if (!h || PQstatus(h) != CONNECTION_OK) {
		server_err(err, errlen, db->where, "cannot connect: ", h ? PQerrorMessage(h) : "out of memory");
		PQfinish(h);
		free(db->where);
		free(db);
		return NULL;
	}
	db->conn = h;
	/* CREATE TABLE IF NOT EXISTS says "already exists, skipping" on stderr otherwise */
	PQsetNoticeProcessor(h, ignore_notice, NULL);
	if (readonly && db->be->exec(db, "SET default_transaction_read_only = on", err, errlen)) {
		index_close(db);
		return NULL;
	}
	/*
	 * A lookup's chain query over 1,000 matches is costed above jit_above_cost
	 * at 1,000 builds, and compiling it took 15 to 32 ms of a 50 ms budget
	 * to save nothing: the index's queries are index probes, not scans.
	 */
	if (PQserverVersion(h) >= 110000 && db->be->exec(db, "SET jit = off", err, errlen)) {
		index_close(db);
		return NULL;
	}
	return db;
}
