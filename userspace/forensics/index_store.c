// SPDX-License-Identifier: MIT
/* Choosing the back end from --db, the default file, and the versioned migrations of the one schema. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/errf.h"
#include "common/grow.h"
#include "forensics/index_chain.h"
#include "forensics/index_store.h"

/*
 * Migration N brings the schema from version N-1 to N; "@ID@" is the
 * backend's automatic primary key, "@CLUSTERED@" what makes a table's rows
 * sit in its primary key (SQLite's WITHOUT ROWID: a process chain is one
 * probe per ancestor, not two).  A file event and an endpoint name their
 * path and digest by number: a fleet repeats the same paths and digests in
 * every build, so 10^8 events keep to a few integers each.  A file event is
 * one file in one role in one build: its first process and time, and how
 * many accesses it stands for (a header every compiler of the build read is
 * one row; `kettle who` on the log names every process).  file_events has
 * no foreign keys: checking three parents per row would halve the ingest
 * rate, and only index_ingest.c writes it, with ids it just interned.
 */
struct migration {
	const char *sql;
	/* then, when set: rows SQL cannot compute, and SQL run after them */
	int (*fill)(struct index_db *db, char *err, size_t errlen);
	const char *after;
};

static int fill_chains(struct index_db *db, char *err, size_t errlen);

static const struct migration migrations[] = {
	[1] = { .sql =
	"CREATE TABLE builds ("
	" id @ID@,"
	" log_sha256 TEXT NOT NULL UNIQUE,"
	" log_path TEXT NOT NULL,"
	" host TEXT, command TEXT, cwd TEXT,"
	" start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL,"
	" events BIGINT NOT NULL,"
	" attestation TEXT NOT NULL,"
	" attestation_reason TEXT NOT NULL,"
	" statement_sha256 TEXT,"
	" ingested_ns BIGINT NOT NULL);"
	"CREATE INDEX builds_start ON builds(start_ns);"
	"CREATE TABLE paths (id @ID@, path TEXT NOT NULL UNIQUE);"
	"CREATE TABLE digests (id @ID@, sha256 TEXT NOT NULL UNIQUE);"
	"CREATE TABLE procs ("
	" build_id BIGINT NOT NULL REFERENCES builds(id),"
	" proc INTEGER NOT NULL, parent INTEGER, pid INTEGER NOT NULL,"
	" exe TEXT, argv TEXT,"
	" PRIMARY KEY (build_id, proc))@CLUSTERED@;"
	"CREATE TABLE file_events ("
	" build_id BIGINT NOT NULL,"
	" path_id BIGINT NOT NULL,"
	" digest_id BIGINT,"
	" role SMALLINT NOT NULL,"
	" proc INTEGER NOT NULL,"
	" ts_ns BIGINT NOT NULL,"
	" accesses INTEGER NOT NULL);"
	"CREATE INDEX file_events_digest ON file_events(digest_id);"
	"CREATE INDEX file_events_path ON file_events(path_id);"
	"CREATE INDEX file_events_build ON file_events(build_id, role);"
	"CREATE TABLE endpoints ("
	" build_id BIGINT NOT NULL REFERENCES builds(id),"
	" host TEXT NOT NULL, port INTEGER, name TEXT NOT NULL,"
	" proc INTEGER NOT NULL, ts_ns BIGINT NOT NULL, calls BIGINT NOT NULL);"
	"CREATE INDEX endpoints_host ON endpoints(host, port);" },
	/*
	 * A digest read by every build of a fleet of 1,000 has 1,000 rows, each
	 * in another page of file_events: the lookup read 1,000 table pages
	 * (SQLite 20 ms, PostgreSQL 100 ms of a 50 ms budget).  The index now
	 * holds every column the lookup returns, so it reads a few index pages.
	 */
	[2] = { .sql =
	"DROP INDEX file_events_digest;"
	"CREATE INDEX file_events_digest_rows ON file_events(digest_id, build_id, path_id, role, proc, ts_ns);" },
	/*
	 * A lookup of 1,000 matches walks ~4,000 processes: at 1,000 builds
	 * procs was 523 MB (174 bytes a process, most of it the argv of sh -c
	 * lines that every build repeats), so each probe was a page of its own.
	 * A process now names its program (in paths) and its command line (in
	 * command_lines) by number: a row is six integers and a build's
	 * processes sit in a few pages.
	 */
	[3] = { .sql =
	"CREATE TABLE command_lines (id @ID@, argv TEXT NOT NULL UNIQUE);"
	"INSERT INTO command_lines(argv) SELECT DISTINCT argv FROM procs WHERE argv IS NOT NULL"
	" ON CONFLICT (argv) DO NOTHING;"
	"INSERT INTO paths(path) SELECT DISTINCT exe FROM procs WHERE exe IS NOT NULL"
	" ON CONFLICT (path) DO NOTHING;"
	"CREATE TABLE procs3 ("
	" build_id BIGINT NOT NULL REFERENCES builds(id),"
	" proc INTEGER NOT NULL, parent INTEGER, pid INTEGER NOT NULL,"
	" exe_id BIGINT, argv_id BIGINT,"
	" PRIMARY KEY (build_id, proc))@CLUSTERED@;"
	"INSERT INTO procs3(build_id, proc, parent, pid, exe_id, argv_id)"
	" SELECT p.build_id, p.proc, p.parent, p.pid, x.id, a.id FROM procs p"
	" LEFT JOIN paths x ON x.path = p.exe LEFT JOIN command_lines a ON a.argv = p.argv"
	" ORDER BY p.build_id, p.proc;"
	"DROP TABLE procs;"
	"ALTER TABLE procs3 RENAME TO procs;" },
	/*
	 * Walking those ~4,000 processes one parent at a time was still most of
	 * a PostgreSQL lookup (16,000 buffer reads: 56 to 64 ms of a 50 ms
	 * budget at 1,000 builds).  Each process now carries its ancestors
	 * (index_chain.h), so a match is one row; fill_chains computes them for
	 * the builds already there.  The key holds the row (PostgreSQL has no
	 * clustered table): a probe reads an index page, not also a heap page.
	 */
	[4] = { .sql =
	"CREATE TABLE procs4 ("
	" build_id BIGINT NOT NULL REFERENCES builds(id),"
	" proc INTEGER NOT NULL, parent INTEGER, pid INTEGER NOT NULL,"
	" exe_id BIGINT, argv_id BIGINT, chain TEXT,"
	" PRIMARY KEY (build_id, proc)@KEY_HOLDS(parent, pid, exe_id, argv_id, chain)@)@CLUSTERED@;",
	.fill = fill_chains,
	.after =
	"DROP TABLE procs;"
	"ALTER TABLE procs4 RENAME TO procs;" },
};

#define MIGRATION_SQL_MAX 8192

enum index_locator index_locator_parse(const char *location, char *err, size_t errlen)
{
	const char *colon;

	if (!location || !*location) {
		errf(err, errlen, "--db: empty location (a file path or postgresql://...)");
		return INDEX_LOC_BAD;
	}
	for (const char *p = location; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			errf(err, errlen, "--db: control character in the location");
			return INDEX_LOC_BAD;
		}
	if (!strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11)) {
		const char *rest = strstr(location, "://") + 3;

		if (!*rest) {
			errf(err, errlen, "--db: '%s' names no server or database", location);
			return INDEX_LOC_BAD;
		}
		return INDEX_LOC_POSTGRESQL;
	}
	colon = strstr(location, "://");
	if (colon) {
		int n = (int)(colon - location);

		errf(err, errlen, "--db: unsupported scheme '%.*s' (a file path for SQLite, or postgresql://...)",
		     n > 32 ? 32 : n, location);
		return INDEX_LOC_BAD;
	}
	return INDEX_LOC_SQLITE;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return errf(err, errlen, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

int index_default_path(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char dir[4096];
	int n;

	if (xdg && *xdg == '/') {
		n = snprintf(dir, sizeof(dir), "%s", xdg);
	} else if (home && *home) {
		n = snprintf(dir, sizeof(dir), "%s/.local", home);
		if (n > 0 && (size_t)n < sizeof(dir) && make_dir(dir, err, errlen))
			return -1;
		n = snprintf(dir, sizeof(dir), "%s/.local/share", home);
	} else {
		return errf(err, errlen, "neither XDG_DATA_HOME nor HOME is set: give --db PATH");
	}
	if (n < 0 || (size_t)n >= sizeof(dir) - 16)
		return errf(err, errlen, "the data folder's name is too long: give --db PATH");
	if (make_dir(dir, err, errlen))
		return -1;
	strcat(dir, "/kettle");
	if (make_dir(dir, err, errlen))
		return -1;
	n = snprintf(out, outlen, "%s/index.db", dir);
	if (n < 0 || (size_t)n >= outlen)
		return errf(err, errlen, "the data folder's name is too long: give --db PATH");
	return 0;
}

struct value_out {
	char *out;
	size_t outlen;
};

static int take_value(void *arg, int ncols, const char *const *vals)
{
	struct value_out *v = arg;

	if (ncols > 0 && vals[0])
		snprintf(v->out, v->outlen, "%s", vals[0]);
	return 0;
}

int index_query_value(struct index_db *db, const char *sql, const char *const *params, int nparams,
		      char *out, size_t outlen, char *err, size_t errlen)
{
	struct value_out v = { out, outlen };

	out[0] = '\0';
	return db->be->query(db, sql, params, nparams, take_value, &v, err, errlen);
}

const char *const index_proc_columns[INDEX_PROC_COLUMNS] = { "build_id", "proc", "parent", "pid", "exe_id",
							     "argv_id", "chain" };

void index_proc_cells(const struct index_chain_proc *procs, size_t n, size_t at, int64_t build_id,
		      char *text, struct index_cell *c)
{
	const struct index_chain_proc *p = &procs[at];

	index_chain_text(procs, n, at, text);
	c[0].i = build_id;
	c[1].i = p->proc;
	c[2].i = p->parent;
	c[2].nullv = p->parent < 0;
	c[3].i = p->pid;
	c[4].i = p->exe_id;
	c[4].nullv = !p->exe_id;
	c[5].i = p->argv_id;
	c[5].nullv = !p->argv_id;
	c[6].s = text;
}

/* ---- migration 4: the chains of the processes already indexed ---- */

struct chain_fill {
	struct index_chain_proc *procs;
	size_t n, cap;
	int64_t build_id;
	char text[INDEX_CHAIN_TEXT_MAX];
	int64_t *builds;
	size_t nbuilds, builds_cap;
	bool nomem;
};

static int64_t number_or(const char *v, int64_t none)
{
	return v ? strtoll(v, NULL, 10) : none;
}

static int take_build_id(void *arg, int ncols, const char *const *vals)
{
	struct chain_fill *f = arg;

	if (ncols != 1 || !vals[0])
		return -1;
	if (grow_array((void **)&f->builds, &f->builds_cap, f->nbuilds + 1, sizeof(*f->builds), 256)) {
		f->nomem = true;
		return -1;
	}
	f->builds[f->nbuilds++] = strtoll(vals[0], NULL, 10);
	return 0;
}

static int take_proc(void *arg, int ncols, const char *const *vals)
{
	struct chain_fill *f = arg;

	if (ncols != 5 || !vals[0] || !vals[2])
		return -1;
	if (grow_array((void **)&f->procs, &f->cap, f->n + 1, sizeof(*f->procs), 1024)) {
		f->nomem = true;
		return -1;
	}
	f->procs[f->n++] = (struct index_chain_proc){ .proc = strtoll(vals[0], NULL, 10),
						      .parent = number_or(vals[1], -1),
						      .pid = strtoll(vals[2], NULL, 10),
						      .exe_id = number_or(vals[3], 0),
						      .argv_id = number_or(vals[4], 0) };
	return 0;
}

static void fill_proc4(void *arg, size_t row, struct index_cell *c)
{
	struct chain_fill *f = arg;

	index_proc_cells(f->procs, f->n, row, f->build_id, f->text, c);
}

/* procs4 from procs, a build at a time (its processes fit in memory; the fleet's may not). */
static int fill_chains(struct index_db *db, char *err, size_t errlen)
{
	struct chain_fill f = { 0 };
	int r = db->be->query(db, "SELECT DISTINCT build_id FROM procs ORDER BY build_id", NULL, 0, take_build_id,
			      &f, err, errlen);

	for (size_t b = 0; !r && b < f.nbuilds; b++) {
		char id[24];
		const char *params[1] = { id };

		snprintf(id, sizeof(id), "%" PRId64, f.builds[b]);
		f.n = 0;
		f.build_id = f.builds[b];
		r = db->be->query(db, "SELECT proc, parent, pid, exe_id, argv_id FROM procs WHERE build_id = $1"
				  " ORDER BY proc", params, 1, take_proc, &f, err, errlen);
		if (!r)
			r = db->be->insert_rows(db, "procs4", index_proc_columns, INDEX_PROC_COLUMNS, f.n, fill_proc4, &f,
						 err, errlen);
	}
	if (r && f.nomem)
		r = errf(err, errlen, "out of memory");
	free(f.procs);
	free(f.builds);
	return r;
}

#define KEY_HOLDS "@KEY_HOLDS("

/*
 * MIGRATION with the backend's words for "@ID@", "@CLUSTERED@" and
 * "@KEY_HOLDS(COLUMNS)@": " INCLUDE (COLUMNS)" where a primary key can hold
 * them, else nothing (a clustered table's key already does); 0 or -1.
 */
static int migration_sql(const struct index_backend *be, const char *m, char *out, size_t outlen,
			 char *err, size_t errlen)
{
	size_t o = 0;

	for (const char *p = m; *p; ) {
		bool id = !strncmp(p, "@ID@", 4), clustered = !strncmp(p, "@CLUSTERED@", 11);
		const char *put = id ? be->id_column : clustered ? be->clustered : p;
		size_t n = id || clustered ? strlen(put) : 1, skip = id ? 4 : clustered ? 11 : 1;
		char holds[256];

		if (!strncmp(p, KEY_HOLDS, strlen(KEY_HOLDS))) {
			const char *cols = p + strlen(KEY_HOLDS), *end = strstr(cols, ")@");
			int len;

			if (!end)
				return errf(err, errlen, "migration text: %s without its end", KEY_HOLDS);
			len = snprintf(holds, sizeof(holds), " INCLUDE (%.*s)", (int)(end - cols), cols);
			if (len < 0 || (size_t)len >= sizeof(holds))
				return errf(err, errlen, "migration text: %s too long", KEY_HOLDS);
			put = holds;
			n = be->key_include ? (size_t)len : 0;
			skip = (size_t)(end + 2 - p);
		}
		if (o + n + 1 > outlen)
			return errf(err, errlen, "migration text too long");
		memcpy(out + o, put, n);
		o += n;
		p += skip;
	}
	out[o] = '\0';
	return 0;
}

static int migrate_once(struct index_db *db, char *err, size_t errlen)
{
	static char sql[MIGRATION_SQL_MAX];
	char have[32];
	long version;
	int r;

	r = db->be->begin(db, true, err, errlen);
	if (r)
		return r;
	r = db->be->exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err, errlen);
	if (!r)
		r = index_query_value(db, "SELECT max(version) FROM schema_version", NULL, 0, have,
				      sizeof(have), err, errlen);
	if (r)
		goto fail;
	version = have[0] ? strtol(have, NULL, 10) : 0;
	if (version > INDEX_SCHEMA_VERSION) {
		r = errf(err, errlen, "%s has schema version %ld, newer than this Kettle's %d", db->where, version,
			 INDEX_SCHEMA_VERSION);
		goto fail;
	}
	for (long v = version + 1; v <= INDEX_SCHEMA_VERSION; v++) {
		char ins[96];

		snprintf(ins, sizeof(ins), "INSERT INTO schema_version(version) VALUES (%ld)", v);
		const struct migration *m = &migrations[v];

		r = migration_sql(db->be, m->sql, sql, sizeof(sql), err, errlen);
		if (!r)
			r = db->be->exec(db, sql, err, errlen);
		if (!r && m->fill)
			r = m->fill(db, err, errlen);
		if (!r && m->after)
			r = db->be->exec(db, m->after, err, errlen);
		if (!r)
			r = db->be->exec(db, ins, err, errlen);
		if (r)
			goto fail;
	}
	return db->be->commit(db, err, errlen);
fail:
	db->be->rollback(db);
	return r;
}

static struct index_db *open_location(const char *location, bool readonly, char *path, size_t pathlen, char *err,
				      size_t errlen)
{
	if (!location) {
		if (index_default_path(path, pathlen, err, errlen))
			return NULL;
		location = path;
	}
	switch (index_locator_parse(location, err, errlen)) {
	case INDEX_LOC_SQLITE: return index_sqlite_open(location, readonly, err, errlen);
	case INDEX_LOC_POSTGRESQL: return index_pg_open(location, readonly, err, errlen);
	default: return NULL;
	}
}

static bool at_current_version(struct index_db *db, char *err, size_t errlen)
{
	char v[32];

	return !index_query_value(db, "SELECT max(version) FROM schema_version", NULL, 0, v, sizeof(v), err,
				  errlen) && v[0] && strtol(v, NULL, 10) == INDEX_SCHEMA_VERSION;
}

struct index_db *index_open(const char *location, char *err, size_t errlen)
{
	char path[4200];
	struct index_db *db = open_location(location, false, path, sizeof(path), err, errlen);
	int r;

	if (!db)
		return NULL;
	/* the common case, a store at this version, needs no write: searches stay read-only */
	if (at_current_version(db, err, errlen))
		return db;
	/* two first openers at once: one creates the schema, the other's CREATE loses the race and tries again */
	for (int attempt = 0; (r = migrate_once(db, err, errlen)) != 0; attempt++) {
		if (attempt == 5 || r != INDEX_RETRY) {
			if (r == INDEX_RETRY)
				errf(err, errlen, "%s: cannot set up the schema: too many conflicts", db->where);
			index_close(db);
			return NULL;
		}
	}
	return db;
}

struct index_db *index_open_readonly(const char *location, char *err, size_t errlen)
{
	char path[4200];
	struct index_db *db = open_location(location, true, path, sizeof(path), err, errlen);

	if (!db)
		return NULL;
	if (!at_current_version(db, err, errlen)) {
		errf(err, errlen, "%s: not a fleet index at schema version %d (kettle index add makes one)", db->where,
		     INDEX_SCHEMA_VERSION);
		index_close(db);
		return NULL;
	}
	return db;
}

void index_close(struct index_db *db)
{
	if (!db)
		return;
	db->be->close(db);
	free(db->where);
	free(db);
}
