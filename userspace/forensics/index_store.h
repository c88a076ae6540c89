/* SPDX-License-Identifier: MIT */
/*
 * The fleet index's store (docs/index.md): one schema, versioned by the
 * schema_version table, behind a small backend interface so that SQLite (a
 * file, the default) and PostgreSQL (a fleet's server) give the same answers.
 * The backends see SQL and rows of cells; what the rows mean is
 * index_ingest.c's and index_search.c's business.
 */
#ifndef KETTLE_INDEX_STORE_H
#define KETTLE_INDEX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INDEX_SCHEMA_VERSION 4
/* A backend call that lost a deadlock or a serialization race: the whole transaction may be run again. */
#define INDEX_RETRY (-2)

/* One value of a row to insert: text S, or the integer I when S is NULL (NULLV: SQL NULL). */
struct index_cell {
	const char *s;
	int64_t i;
	bool nullv;
};

struct index_db;

/* Called for each row a query returns: VALS[i] is the text of column i, NULL for SQL NULL. 0, or -1 to stop. */
typedef int (*index_row_fn)(void *arg, int ncols, const char *const *vals);
/* Fills the NCOLS cells of row ROW of a bulk insert (texts must live until the next call). */
typedef void (*index_fill_fn)(void *arg, size_t row, struct index_cell *cells);

/*
 * Every backend call returns 0, INDEX_RETRY, or -1 with a one-line ERR.
 * SQL is written with $1, $2 ... parameters in order of appearance.
 */
struct index_backend {
	const char *name;               /* "sqlite", "postgresql" */
	const char *id_column;          /* the DDL of an automatic integer primary key */
	const char *clustered;          /* after a CREATE TABLE: rows stored in primary key order ("": no such choice) */
	bool key_include;               /* a primary key's index may hold other columns (INCLUDE) */
	int (*exec)(struct index_db *db, const char *sql, char *err, size_t errlen);
	int (*query)(struct index_db *db, const char *sql, const char *const *params, int nparams,
		     index_row_fn row, void *arg, char *err, size_t errlen);
	/*
	 * A write transaction.  ALONE: no other client's ALONE transaction runs
	 * at the same time (migrations); ingests run side by side on PostgreSQL.
	 */
	int (*begin)(struct index_db *db, bool alone, char *err, size_t errlen);
	int (*commit)(struct index_db *db, char *err, size_t errlen);
	void (*rollback)(struct index_db *db);
	/*
	 * In a transaction: the id of each of N text KEYS in TABLE(id, COLUMN),
	 * inserting those not there yet.  KEYS need not be distinct.
	 */
	int (*intern)(struct index_db *db, const char *table, const char *column, const char *const *keys,
		      size_t n, int64_t *ids, char *err, size_t errlen);
	/* In a transaction: NROWS rows of NCOLS COLUMNS into TABLE, FILL giving each row's cells. */
	int (*insert_rows)(struct index_db *db, const char *table, const char *const *columns, int ncols,
			   size_t nrows, index_fill_fn fill, void *arg, char *err, size_t errlen);
	void (*close)(struct index_db *db);
};

struct index_db {
	const struct index_backend *be;
	void *conn;
	char *where;                    /* the file, or the URL without its password, for messages */
};

struct index_chain_proc;

/* The columns of a procs row, in the order index_proc_cells fills them. */
#define INDEX_PROC_COLUMNS 7
extern const char *const index_proc_columns[INDEX_PROC_COLUMNS];

/*
 * The cells of the procs row of PROCS[AT] (index_chain.h) in build
 * BUILD_ID, its chain written into TEXT (INDEX_CHAIN_TEXT_MAX bytes, which
 * must live until the next call).
 */
void index_proc_cells(const struct index_chain_proc *procs, size_t n, size_t at, int64_t build_id,
		      char *text, struct index_cell *c);

/* The SQLite and PostgreSQL backends: open LOCATION (READONLY: no write can pass), NULL with ERR. */
struct index_db *index_sqlite_open(const char *path, bool readonly, char *err, size_t errlen);
struct index_db *index_pg_open(const char *url, bool readonly, char *err, size_t errlen);

enum index_locator { INDEX_LOC_BAD, INDEX_LOC_SQLITE, INDEX_LOC_POSTGRESQL };

/*
 * What --db LOCATION names: a postgresql:// or postgres:// URL, or a file
 * path for SQLite; INDEX_LOC_BAD with ERR for an empty value, another
 * scheme ("mysql://..."), a URL with nothing after the scheme, or control
 * characters.
 */
enum index_locator index_locator_parse(const char *location, char *err, size_t errlen);

/*
 * The default SQLite file: $XDG_DATA_HOME/kettle/index.db, else
 * $HOME/.local/share/kettle/index.db (folders made as needed).  0, or -1 with ERR.
 */
int index_default_path(char *out, size_t outlen, char *err, size_t errlen);

/*
 * Opens the store at LOCATION (NULL: the default file) and brings its schema
 * to INDEX_SCHEMA_VERSION, applying the missing migrations in one writer
 * transaction; refuses a store made by a newer Kettle.  NULL with ERR.
 */
struct index_db *index_open(const char *location, char *err, size_t errlen);
/*
 * Opens the store at LOCATION (NULL: the default file) for reading only
 * (kettle index serve): the connection refuses every write, nothing is
 * created or migrated; a store not at INDEX_SCHEMA_VERSION is refused.  NULL with ERR.
 */
struct index_db *index_open_readonly(const char *location, char *err, size_t errlen);
void index_close(struct index_db *db);

/* The single value of a one-row, one-column query into OUT ("" for NULL or no row): 0 or -1/INDEX_RETRY. */
int index_query_value(struct index_db *db, const char *sql, const char *const *params, int nparams,
		      char *out, size_t outlen, char *err, size_t errlen);

#endif
