// SPDX-License-Identifier: MIT
/* The fleet index in one SQLite file: WAL, prepared statements reused across a bulk insert, IMMEDIATE write transactions. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/errf.h"
#include "forensics/index_store.h"

#define SQLITE_BUSY_MS 30000
#define SQL_TEXT_MAX (1u << 20)
#define STMT_CACHE 16
/*
 * A build adds one row per file to each of file_events' indexes, at places
 * spread over the whole index (the fleet shares its paths and digests):
 * nearly every leaf page of the digest and path indexes changes with every
 * kernel-sized build.  A writer's cache holds those indexes for a fleet of
 * ~1,000 builds (1 GiB, taken only as pages are read), so a page is read once
 * per ingest rather than once per build, and a WAL of up to 512 MiB lets one
 * checkpoint write a page once for the several builds that changed it
 * (measured at 1,000 builds: 20 builds in 12.7 and 15.5 s against 19.1 and
 * 19.7 s with 256 MiB and 40 MiB).  Each build's COMMIT is still its own.
 */
#define WRITER_PRAGMAS "PRAGMA cache_size=-1048576; PRAGMA wal_autocheckpoint=131072"

/* A search runs the same few queries once per match: they are parsed once per connection. */
struct sq_conn {
	sqlite3 *h;
	struct {
		char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	unsigned next;
};

static sqlite3 *conn(struct index_db *db)
{
	return ((struct sq_conn *)db->conn)->h;
}

static int fail(struct index_db *db, char *err, size_t errlen, const char *what)
{
	return errf(err, errlen, "%s: %s: %s", db->where, what, sqlite3_errmsg(conn(db)));
}

static int sq_exec(struct index_db *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(conn(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		errf(err, errlen, "%s: %s", db->where, msg ? msg : sqlite3_errmsg(conn(db)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The shared SQL writes parameters as $N (PostgreSQL's); SQLite numbers them the same way as ?N. */
static int sq_prepare(struct index_db *db, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
	size_t n = strlen(sql), o = 0;
	char *text = n < SQL_TEXT_MAX ? malloc(n + 1) : NULL;
	int r;

	if (!text)
		return errf(err, errlen, "%s: query text of %zu bytes", db->where, n);
	for (const char *p = sql; *p; p++)
		text[o++] = *p == '$' && isdigit((unsigned char)p[1]) ? '?' : *p;
	text[o] = '\0';
	r = sqlite3_prepare_v2(conn(db), text, -1, st, NULL);
	free(text);
	if (r != SQLITE_OK)
		return fail(db, err, errlen, "cannot prepare a query");
	return 0;
}

/* SQL's prepared statement from the cache, prepared and cached when it is not there; 0 or -1. */
static int sq_cached(struct index_db *db, const char *sql, sqlite3_stmt **st, char *err, size_t errlen)
{
	struct sq_conn *c = db->conn;
	unsigned slot;

	for (unsigned i = 0; i < STMT_CACHE; i++)
		if (c->cache[i].sql && !strcmp(c->cache[i].sql, sql)) {
			*st = c->cache[i].st;
			return 0;
		}
	if (sq_prepare(db, sql, st, err, errlen))
		return -1;
	slot = c->next++ % STMT_CACHE;
	sqlite3_finalize(c->cache[slot].st);
	free(c->cache[slot].sql);
	c->cache[slot].st = *st;
	c->cache[slot].sql = strdup(sql);
	if (!c->cache[slot].sql) {
		c->cache[slot].st = NULL;
		sqlite3_finalize(*st);
		return errf(err, errlen, "out of memory");
	}
	return 0;
}

static int sq_query(struct index_db *db, const char *sql, const char *const *params, int nparams,
		    index_row_fn row, void *arg, char *err, size_t errlen)
{
	const char *vals[64];
	sqlite3_stmt *st;
	int r, ret = 0;

	if (sq_cached(db, sql, &st, err, errlen))
		return -1;
	for (int i = 0; i < nparams; i++)
		if (sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC) != SQLITE_OK) {
			ret = fail(db, err, errlen, "cannot bind a parameter");
			sqlite3_clear_bindings(st);
			return ret;
		}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int n = sqlite3_column_count(st);

		if (n > (int)(sizeof(vals) / sizeof(vals[0])))
			n = (int)(sizeof(vals) / sizeof(vals[0]));
		for (int i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (row(arg, n, vals)) {
			ret = errf(err, errlen, "out of memory");
			break;
		}
	}
	if (!ret && r != SQLITE_DONE)
		ret = fail(db, err, errlen, "query failed");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

/* IMMEDIATE: the write lock at BEGIN, so two writers never deadlock upgrading a read lock. */
static int sq_begin(struct index_db *db, bool alone, char *err, size_t errlen)
{
	(void)alone;
	return sq_exec(db, "BEGIN IMMEDIATE", err, errlen);
}

static int sq_commit(struct index_db *db, char *err, size_t errlen)
{
	return sq_exec(db, "COMMIT", err, errlen);
}

static void sq_rollback(struct index_db *db)
{
	sqlite3_exec(conn(db), "ROLLBACK", NULL, NULL, NULL);
}

static int sq_intern(struct index_db *db, const char *table, const char *column, const char *const *keys,
		     size_t n, int64_t *ids, char *err, size_t errlen)
{
	char find_sql[256], add_sql[256];
	sqlite3_stmt *find = NULL, *add = NULL;
	int ret = 0;

	snprintf(find_sql, sizeof(find_sql), "SELECT id FROM %s WHERE %s = $1", table, column);
	snprintf(add_sql, sizeof(add_sql), "INSERT INTO %s(%s) VALUES ($1)", table, column);
	if (sq_prepare(db, find_sql, &find, err, errlen) || sq_prepare(db, add_sql, &add, err, errlen)) {
		sqlite3_finalize(find);
		return -1;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		int r;

		sqlite3_bind_text(find, 1, keys[i], -1, SQLITE_STATIC);
		r = sqlite3_step(find);
		if (r == SQLITE_ROW) {
			ids[i] = sqlite3_column_int64(find, 0);
		} else if (r == SQLITE_DONE) {
			sqlite3_bind_text(add, 1, keys[i], -1, SQLITE_STATIC);
			if (sqlite3_step(add) != SQLITE_DONE)
				ret = fail(db, err, errlen, "cannot insert");
			ids[i] = sqlite3_last_insert_rowid(conn(db));
			sqlite3_reset(add);
		} else {
			ret = fail(db, err, errlen, "lookup failed");
		}
		sqlite3_reset(find);
	}
	sqlite3_finalize(find);
	sqlite3_finalize(add);
	return ret;
}

#define COLS_MAX 16

static int sq_insert_rows(struct index_db *db, const char *table, const char *const *columns, int ncols,
			  size_t nrows, index_fill_fn fill, void *arg, char *err, size_t errlen)
{
	struct index_cell cells[COLS_MAX];
	char sql[1024];
	size_t o;
	sqlite3_stmt *st;
	int ret = 0;

	if (ncols < 1 || ncols > COLS_MAX)
		return errf(err, errlen, "%s: %d columns", table, ncols);
	o = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(", table);
	for (int c = 0; c < ncols && o < sizeof(sql); c++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s%s", c ? "," : "", columns[c]);
	for (int c = 0; c < ncols && o < sizeof(sql); c++)
		o += (size_t)snprintf(sql + o, sizeof(sql) - o, "%s$%d", c ? "," : ") VALUES (", c + 1);
	if (o + 2 >= sizeof(sql))
		return errf(err, errlen, "%s: insert text too long", table);
	strcat(sql, ")");
	if (sq_prepare(db, sql, &st, err, errlen))
		return -1;
	for (size_t r = 0; r < nrows && !ret; r++) {
		memset(cells, 0, sizeof(cells[0]) * (size_t)ncols);
		fill(arg, r, cells);
		for (int c = 0; c < ncols; c++) {
			if (cells[c].nullv)
				sqlite3_bind_null(st, c + 1);
			else if (cells[c].s)
				sqlite3_bind_text(st, c + 1, cells[c].s, -1, SQLITE_STATIC);
			else
				sqlite3_bind_int64(st, c + 1, cells[c].i);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			ret = fail(db, err, errlen, "cannot insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return ret;
}

static void sq_close(struct index_db *db)
{
	struct sq_conn *c = db->conn;

	for (unsigned i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	sqlite3_close(c->h);
	free(c);
}

static const struct index_backend sqlite_backend = {
	.name = "sqlite",
	.clustered = " WITHOUT ROWID",
	.id_column = "INTEGER PRIMARY KEY",
	.exec = sq_exec,
	.query = sq_query,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.intern = sq_intern,
	.insert_rows = sq_insert_rows,
	.close = sq_close,
};

struct index_db *index_sqlite_open(const char *path, bool readonly, char *err, size_t errlen)
{
	struct index_db *db = calloc(1, sizeof(*db));
	struct sq_conn *c = calloc(1, sizeof(*c));
	sqlite3 *h = NULL;

	if (!db || !c || !(db->where = strdup(path))) {
		free(db);
		free(c);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	db->be = &sqlite_backend;
	if (sqlite3_open_v2(path, &h, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		errf(err, errlen, "%s: cannot open: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
		goto fail;
	}
	c->h = h;
	db->conn = c;
	sqlite3_busy_timeout(h, SQLITE_BUSY_MS);
	/*
	 * WAL: readers (search) go on while a build is ingested.  synchronous=NORMAL
	 * keeps a committed build across a crash of Kettle, not always across a power cut.
	 * case_sensitive_like: --path globs match bytes, as they do on PostgreSQL.
	 */
	if (sq_exec(db, readonly ? "PRAGMA query_only=ON" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
		    "PRAGMA foreign_keys=ON", err, errlen) ||
	    sq_exec(db, "PRAGMA case_sensitive_like=ON; PRAGMA mmap_size=1073741824", err, errlen) ||
	    sq_exec(db, readonly ? "PRAGMA cache_size=-65536" : WRITER_PRAGMAS, err, errlen))
		goto fail;
	return db;
fail:
	sqlite3_close(h);
	free(c);
	free(db->where);
	free(db);
	return NULL;
}
