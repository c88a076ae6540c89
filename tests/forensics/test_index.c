// SPDX-License-Identifier: MIT
/*
 * The fleet index: ingest and search round trips, the downstream walk over a
 * three-build chain, refused logs, the parsers of what users type, and the
 * same answers from a real PostgreSQL server (tests/pg-server) as from
 * SQLite, with several writers at once.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include <jansson.h>

#include "attest/evidence.h"
#include "attest/report_data.h"
#include "common/file_bytes.h"
#include "common/hex.h"
#include "forensics/index_chain.h"
#include "forensics/index_ingest.h"
#include "forensics/index_query.h"
#include "forensics/index_search.h"
#include "forensics/index_store.h"
#include "index_builds.h"
#include "testlib.h"

#define WRITERS 4
#define BUILDS_PER_WRITER 6

static char dir[] = "/tmp/kettle-test-index-XXXXXX";
static char pg_url[512];
static int pg_state;    /* 0 not tried, 1 running, -1 unavailable (pg_skip says why) */
static char pg_skip[256];

/* A writes x from source s; B reads x, writes y; C reads y, writes z; U (unrelated) reads q. */
static int write_chain(void)
{
	static const struct step a[] = { { "/usr/bin/cc", "/src/s.c", "/out/x.o", 0x11, 0x21 } };
	static const struct step b[] = { { "/usr/bin/ld", "/out/x.o", "/out/y", 0x21, 0x22 } };
	static const struct step c[] = { { "/usr/bin/tar", "/out/y", "/out/z.tar", 0x22, 0x23 } };
	static const struct step u[] = { { "/usr/bin/cc", "/src/q.c", "/out/q.o", 0x31, 0x32 } };
	char p[300];

	snprintf(p, sizeof(p), "%s/a.cbor", dir);
	if (write_build(p, START_WALL, a, 1))
		return TEST_FAIL;
	snprintf(p, sizeof(p), "%s/b.cbor", dir);
	if (write_build(p, START_WALL + HOUR_NS, b, 1))
		return TEST_FAIL;
	snprintf(p, sizeof(p), "%s/c.cbor", dir);
	if (write_build(p, START_WALL + 2 * HOUR_NS, c, 1))
		return TEST_FAIL;
	snprintf(p, sizeof(p), "%s/u.cbor", dir);
	return write_build(p, START_WALL + 3 * HOUR_NS, u, 1);
}

static int ingest(struct index_db *db, const char *name, struct index_ingest_result *r)
{
	char p[300], err[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (index_ingest(db, p, r, err, sizeof(err))) {
		fprintf(stderr, "  ingest %s: %s\n", name, err);
		return -1;
	}
	return 0;
}

static int ingest_chain(struct index_db *db)
{
	static const char *const names[] = { "a.cbor", "b.cbor", "c.cbor", "u.cbor" };
	struct index_ingest_result r;

	for (size_t i = 0; i < 4; i++)
		if (ingest(db, names[i], &r) || !r.added)
			return -1;
	return 0;
}

static struct index_db *open_sqlite(const char *name)
{
	char p[300], err[512];
	struct index_db *db;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	db = index_open(p, err, sizeof(err));
	if (!db)
		fprintf(stderr, "  open %s: %s\n", p, err);
	return db;
}

static char sha_of(int fill, char out[65])
{
	for (int i = 0; i < 64; i++)
		out[i] = "0123456789abcdef"[i % 2 ? fill & 0xf : (fill >> 4) & 0xf];
	out[64] = '\0';
	return 0;
}

/* Q asks for paths matching GLOB; 0 or -1. */
static int set_glob(struct index_search *q, const char *glob)
{
	char err[256];

	if (index_glob_to_like(glob, q->path_like, sizeof(q->path_like), &q->path_wild, err, sizeof(err))) {
		fprintf(stderr, "  %s: %s\n", glob, err);
		return -1;
	}
	return 0;
}

static json_t *search(struct index_db *db, struct index_search *q)
{
	char err[512] = "";
	json_t *out;

	if (!q->port)
		q->port = -1;
	out = index_search_run(db, q, err, sizeof(err));
	if (!out)
		fprintf(stderr, "  search: %s\n", err);
	return out;
}

static const char *mstr(const json_t *matches, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(matches, i), key));
}

static json_int_t mbuild(const json_t *matches, size_t i)
{
	return json_integer_value(json_object_get(json_object_get(json_array_get(matches, i), "build"), "id"));
}

static int builds_count(struct index_db *db)
{
	char v[32], err[256];

	if (index_query_value(db, "SELECT count(*) FROM builds", NULL, 0, v, sizeof(v), err, sizeof(err)))
		return -1;
	return atoi(v);
}

static int events_count(struct index_db *db)
{
	char v[32], err[256];

	if (index_query_value(db, "SELECT count(*) FROM file_events", NULL, 0, v, sizeof(v), err, sizeof(err)))
		return -1;
	return atoi(v);
}

/* ---- SQLite ---- */

static int t_setup(void)
{
	CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	chmod(dir, 0755);
	return write_chain();
}

static int t_digest_search_names_builds_roles_and_chain(void)
{
	struct index_db *db = open_sqlite("round.db");
	struct index_search q = { 0 };
	json_t *out, *m, *chain;
	int ret = TEST_FAIL;

	CHECK(db && !ingest_chain(db), "ingest");
	sha_of(0x21, q.digest);
	out = search(db, &q);
	m = json_object_get(out, "matches");
	/* x.o: written by build 1 (cc), read by build 2 (ld) */
	if (!out || json_array_size(m) != 2 || mbuild(m, 0) != 1 || strcmp(mstr(m, 0, "role"), "wrote") ||
	    mbuild(m, 1) != 2 || strcmp(mstr(m, 1, "role"), "read") || strcmp(mstr(m, 1, "path"), "/out/x.o")) {
		fprintf(stderr, "  matches: %s\n", out ? json_dumps(m, JSON_COMPACT) : "none");
		goto out;
	}
	chain = json_object_get(json_array_get(m, 1), "chain");
	if (json_array_size(chain) != 2 ||
	    json_integer_value(json_object_get(json_array_get(chain, 0), "pid")) != 101 ||
	    strcmp(json_string_value(json_object_get(json_array_get(chain, 0), "exe")), "/usr/bin/ld") ||
	    json_integer_value(json_object_get(json_array_get(chain, 1), "pid")) != 100 ||
	    strcmp(json_string_value(json_object_get(json_array_get(chain, 1), "argv")), "make all")) {
		fprintf(stderr, "  chain: %s\n", json_dumps(chain, JSON_COMPACT));
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(json_object_get(json_array_get(m, 1), "build"), "start")),
		   "2026-01-01T01:00:00.000000000Z"))
		goto out;
	ret = TEST_PASS;
out:
	json_decref(out);
	index_close(db);
	return ret;
}

static int t_path_glob_exe_and_linked_roles(void)
{
	struct index_db *db = open_sqlite("glob.db");
	struct index_search q = { 0 };
	json_t *out = NULL, *m;
	int ret = TEST_FAIL;

	CHECK(db && !ingest_chain(db), "ingest");
	CHECK(!set_glob(&q, "/usr/bin/*"), "glob");
	q.exe_only = true;
	out = search(db, &q);
	m = json_object_get(out, "matches");
	/* per build: make, then its one step's program */
	if (!out || json_array_size(m) != 8 || strcmp(mstr(m, 0, "role"), "executed") ||
	    strcmp(mstr(m, 0, "path"), "/usr/bin/make") || strcmp(mstr(m, 1, "path"), "/usr/bin/cc") ||
	    strcmp(mstr(m, 5, "path"), "/usr/bin/tar")) {
		fprintf(stderr, "  matches: %s\n", out ? json_dumps(m, JSON_COMPACT) : "none");
		goto out;
	}
	json_decref(out);
	memset(&q, 0, sizeof(q));
	CHECK(!set_glob(&q, "*/libc.so.?"), "glob");
	out = search(db, &q);
	m = json_object_get(out, "matches");
	if (!out || json_array_size(m) != 4 || strcmp(mstr(m, 3, "role"), "linked")) {
		fprintf(stderr, "  matches: %s\n", out ? json_dumps(m, JSON_COMPACT) : "none");
		goto out;
	}
	json_decref(out);
	/* a glob's LIKE metacharacters are literal: "_" must not match "." */
	memset(&q, 0, sizeof(q));
	CHECK(!set_glob(&q, "*/libc_so*"), "glob");
	out = search(db, &q);
	if (!out || json_array_size(json_object_get(out, "matches")) != 0)
		goto out;
	ret = TEST_PASS;
out:
	json_decref(out);
	index_close(db);
	return ret;
}

static int t_since_until_window_the_builds(void)
{
	struct index_db *db = open_sqlite("window.db");
	struct index_search q = { 0 };
	json_t *out, *m;
	int ret = TEST_FAIL;

	CHECK(db && !ingest_chain(db), "ingest");
	sha_of(0xee, q.digest);         /* every build executes a program with this digest */
	q.has_since = q.has_until = true;
	q.since_ns = START_WALL + HOUR_NS;
	q.until_ns = START_WALL + 2 * HOUR_NS;
	out = search(db, &q);
	m = json_object_get(out, "matches");
	if (out && json_array_size(m) == 2 && mbuild(m, 0) == 2 && mbuild(m, 1) == 3)
		ret = TEST_PASS;
	json_decref(out);
	index_close(db);
	return ret;
}

static int t_downstream_walks_three_builds(void)
{
	struct index_db *db = open_sqlite("down.db");
	struct index_search q = { .downstream = true };
	char y[65], z[65];
	json_t *out, *d;
	int ret = TEST_FAIL;

	CHECK(db && !ingest_chain(db), "ingest");
	sha_of(0x11, q.digest);         /* s.c, read by build A only */
	sha_of(0x22, y);
	sha_of(0x23, z);
	out = search(db, &q);
	d = json_object_get(out, "downstream");
	/* x.o (A, read by B), y (B, read by C), z.tar (C): the unrelated build's q.o is not there */
	if (out && json_array_size(d) == 3 && !strcmp(mstr(d, 0, "path"), "/out/x.o") &&
	    json_integer_value(json_object_get(json_array_get(d, 0), "depth")) == 1 &&
	    json_integer_value(json_array_get(json_object_get(json_array_get(d, 0), "consumed_by"), 0)) == 2 &&
	    !strcmp(mstr(d, 1, "sha256"), y) && mbuild(d, 1) == 2 &&
	    json_integer_value(json_object_get(json_array_get(d, 1), "depth")) == 2 &&
	    !strcmp(mstr(d, 2, "sha256"), z) && mbuild(d, 2) == 3 &&
	    json_array_size(json_object_get(json_array_get(d, 2), "consumed_by")) == 0)
		ret = TEST_PASS;
	else
		fprintf(stderr, "  downstream: %s\n", out ? json_dumps(d, JSON_COMPACT) : "none");
	json_decref(out);
	index_close(db);
	return ret;
}

static int t_readding_a_build_is_a_noop(void)
{
	struct index_db *db = open_sqlite("again.db");
	struct index_ingest_result r;
	int events;

	CHECK(db && !ingest_chain(db), "ingest");
	events = events_count(db);
	CHECK(!ingest(db, "b.cbor", &r), "again");
	CHECK(!r.added && r.build_id == 2, "added %d as %lld", r.added, (long long)r.build_id);
	CHECK(builds_count(db) == 4 && events_count(db) == events, "rows changed");
	index_close(db);
	return TEST_PASS;
}

static int find_plan_step(void *arg, int ncols, const char *const *vals)
{
	bool *covering = arg;

	if (ncols == 4 && vals[3] && strstr(vals[3], "COVERING INDEX file_events_digest_rows"))
		*covering = true;
	return 0;
}

/*
 * Turns a current store back into schema version 2, as Kettle wrote it then:
 * procs with its program and command line as text, no command_lines, and no
 * path that only a program had.
 */
static const char version_2_sql[] =
	"CREATE TABLE procs2 (build_id BIGINT NOT NULL REFERENCES builds(id), proc INTEGER NOT NULL,"
	" parent INTEGER, pid INTEGER NOT NULL, exe TEXT, argv TEXT, PRIMARY KEY (build_id, proc));"
	"INSERT INTO procs2 SELECT p.build_id, p.proc, p.parent, p.pid, x.path, a.argv FROM procs p"
	" LEFT JOIN paths x ON x.id = p.exe_id LEFT JOIN command_lines a ON a.id = p.argv_id;"
	"DROP TABLE procs; ALTER TABLE procs2 RENAME TO procs; DROP TABLE command_lines;"
	"DELETE FROM paths WHERE id NOT IN (SELECT path_id FROM file_events);"
	"DELETE FROM schema_version WHERE version >= 3";

static int version_of(struct index_db *db)
{
	char v[32], err[256];

	if (index_query_value(db, "SELECT max(version) FROM schema_version", NULL, 0, v, sizeof(v), err, sizeof(err)))
		return -1;
	return atoi(v);
}

/* A store made at schema version 1 (one-column digest index) is brought to the current one and answers as before. */
static int t_version_1_store_migrates_and_reads_the_index_only(void)
{
	char path[300], err[512];
	const char *params[1];
	struct index_search q = { 0 };
	struct index_db *db = open_sqlite("v1.db");
	json_t *before, *after;
	bool covering = false;

	CHECK(db && !ingest_chain(db), "ingest");
	sha_of(0x21, q.digest);
	before = search(db, &q);
	CHECK(before, "search before");
	CHECK(!db->be->exec(db, version_2_sql, err, sizeof(err)), "make it version 2: %s", err);
	CHECK(!db->be->exec(db, "DROP INDEX file_events_digest_rows; CREATE INDEX file_events_digest ON "
			    "file_events(digest_id); DELETE FROM schema_version WHERE version = 2", err, sizeof(err)),
	      "make it version 1: %s", err);
	index_close(db);
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	db = index_open(path, err, sizeof(err));
	CHECK(db, "reopen: %s", err);
	CHECK(version_of(db) == INDEX_SCHEMA_VERSION, "version %d", version_of(db));
	params[0] = q.digest;
	CHECK(!db->be->query(db, "EXPLAIN QUERY PLAN SELECT fe.build_id, fe.path_id, fe.role, fe.proc, fe.ts_ns FROM "
			     "file_events fe WHERE fe.digest_id = (SELECT id FROM digests WHERE sha256 = $1)", params, 1,
			     find_plan_step, &covering, err, sizeof(err)) && covering,
	      "the digest lookup does not read file_events_digest_rows alone %s", err);
	after = search(db, &q);
	CHECK(after && json_equal(before, after), "answers changed");
	json_decref(before);
	json_decref(after);
	index_close(db);
	return TEST_PASS;
}

static int copy_file(const char *from, const char *to, size_t cut, long flip)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s %s", from, to);
	if (system(cmd))
		return -1;
	if (cut && truncate(to, (off_t)cut))
		return -1;
	if (flip >= 0) {
		int fd = open(to, O_RDWR);
		unsigned char c;

		if (fd < 0 || pread(fd, &c, 1, flip) != 1)
			return -1;
		c ^= 0x40;
		if (pwrite(fd, &c, 1, flip) != 1)
			return -1;
		close(fd);
	}
	return 0;
}

static int t_altered_or_cut_log_is_refused_leaving_nothing(void)
{
	struct index_db *db = open_sqlite("tamper.db");
	struct index_ingest_result r;
	char src[300], bad[300], err[512];
	struct stat st;

	CHECK(db && !ingest(db, "a.cbor", &r), "ingest");
	snprintf(src, sizeof(src), "%s/b.cbor", dir);
	snprintf(bad, sizeof(bad), "%s/bad.cbor", dir);
	CHECK(stat(src, &st) == 0, "stat");
	/* a byte of a path inside the log: the trailer's SHA-256 no longer matches */
	CHECK(!copy_file(src, bad, 0, st.st_size / 2), "copy");
	CHECK(index_ingest(db, bad, &r, err, sizeof(err)) == -1, "an altered log was indexed");
	CHECK(strstr(err, "refused") && !strchr(err, '\n'), "reason: %s", err);
	CHECK(!copy_file(src, bad, (size_t)st.st_size - 10, -1), "copy");
	CHECK(index_ingest(db, bad, &r, err, sizeof(err)) == -1, "a cut log was indexed");
	CHECK(strstr(err, "cut short"), "reason: %s", err);
	CHECK(builds_count(db) == 1, "builds: %d", builds_count(db));
	CHECK(index_ingest(db, "/nonexistent/x.cbor", &r, err, sizeof(err)) == -1 && err[0], "missing log");
	index_close(db);
	return TEST_PASS;
}

/* A log as kettle run writes it by default (zstd) is indexed as its CBOR would be; cut, it is refused. */
static int t_compressed_log_indexes_as_the_plain_one(void)
{
	static const struct step a[] = { { "/usr/bin/cc", "/src/s.c", "/out/x.o", 0x11, 0x21 } };
	struct index_db *db = open_sqlite("zstd.db");
	struct index_ingest_result r;
	char p[300], err[512];
	struct stat st;
	int plain_events;

	snprintf(p, sizeof(p), "%s/a-zstd.cbor", dir);
	CHECK(write_build_as(p, START_WALL, a, 1, LOG_COMPRESSION_ZSTD) == TEST_PASS, "write the compressed log");
	CHECK(db && !ingest(db, "a.cbor", &r) && r.added, "ingest the plain log");
	plain_events = events_count(db);
	CHECK(!ingest(db, "a-zstd.cbor", &r) && r.added && r.build_id == 2, "ingest the compressed log");
	CHECK(plain_events > 0 && events_count(db) == 2 * plain_events, "events: %d after the plain log, %d after both",
	      plain_events, events_count(db));
	CHECK(stat(p, &st) == 0 && truncate(p, st.st_size - 3) == 0, "cut");
	CHECK(index_ingest(db, p, &r, err, sizeof(err)) == -1 && strstr(err, "cut short") && !strchr(err, '\n'),
	      "a cut compressed log: %s", err);
	CHECK(builds_count(db) == 2, "builds: %d", builds_count(db));
	index_close(db);
	return TEST_PASS;
}

static int t_endpoint_search_finds_the_golden_log(void)
{
	struct index_db *db = open_sqlite("net.db");
	struct index_search q = { 0 };
	struct index_ingest_result r;
	char err[512];
	json_t *out, *m;
	int ret = TEST_FAIL;

	CHECK(db, "open");
	CHECK(!index_ingest(db, KETTLE_SOURCE_DIR "/tests/data/log-v2-run.cbor", &r, err, sizeof(err)), "%s", err);
	CHECK(!index_endpoint_parse("10.255.255.53:53", q.host, &q.port, err, sizeof(err)), "%s", err);
	out = search(db, &q);
	m = json_object_get(out, "matches");
	if (out && json_array_size(m) == 1 && !strcmp(mstr(m, 0, "role"), "connected") &&
	    !strcmp(mstr(m, 0, "path"), "10.255.255.53:53") &&
	    json_array_size(json_object_get(json_array_get(m, 0), "chain")) >= 2)
		ret = TEST_PASS;
	json_decref(out);
	q.port = 80;
	out = search(db, &q);
	if (!out || json_array_size(json_object_get(out, "matches")) != 0)
		ret = TEST_FAIL;
	json_decref(out);
	index_close(db);
	return ret;
}

/* A simulated evidence bundle NAME.bundle over a statement that names LOG as its build log. */
static int attest_log(const char *log, const char *name)
{
	char path[300], st_path[300], bundle_path[300], sim[300], err[512], hexs[65];
	struct attest_request req = { .tee = TEE_SIM };
	uint8_t *bytes, sha[32];
	struct bundle b;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, log);
	CHECK(!file_read_bounded(path, 1 << 26, &bytes, &len, err, sizeof(err)), "%s", err);
	CHECK(!sha256_bytes(bytes, len, sha), "sha");
	free(bytes);
	hex_encode(sha, 32, hexs);
	snprintf(st_path, sizeof(st_path), "%s/%s.json", dir, name);
	f = fopen(st_path, "w");
	CHECK(f, "statement");
	fprintf(f, "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"out\","
		"\"digest\":{\"sha256\":\"%s\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\","
		"\"predicate\":{\"runDetails\":{\"byproducts\":[{\"name\":\"build-log\","
		"\"digest\":{\"sha256\":\"%s\"}}]}}}", hexs, hexs);
	CHECK(fclose(f) == 0, "statement");
	snprintf(bundle_path, sizeof(bundle_path), "%s/%s.bundle", dir, name);
	snprintf(sim, sizeof(sim), "%s/sim", dir);
	req.statement_path = st_path;
	req.bundle_path = bundle_path;
	req.paths.sim_dir = sim;
	evidence_paths_default(&req.paths);
	CHECK(!attest_statement(&req, &b, err, sizeof(err)), "attest: %s", err);
	bundle_free(&b);
	return TEST_PASS;
}

static int t_bundle_verdict_is_stored_and_a_foreign_bundle_refuses(void)
{
	struct index_db *db = open_sqlite("bundle.db");
	struct index_ingest_result r;
	char p[300], err[512], v[64];

	CHECK(db, "open");
	CHECK(attest_log("a.cbor", "a") == TEST_PASS, "attest");
	CHECK(!ingest(db, "a.cbor", &r) && r.added, "ingest");
	CHECK(!strcmp(r.attestation, INDEX_ATTEST_SIMULATED), "verdict %s: %s", r.attestation,
	      r.attestation_reason);
	CHECK(strstr(r.bundle_path, "a.bundle") && strlen(r.statement_sha256) == 64, "bundle %s", r.bundle_path);
	CHECK(!index_query_value(db, "SELECT attestation FROM builds WHERE id = 1", NULL, 0, v, sizeof(v), err,
				 sizeof(err)) && !strcmp(v, "simulated"), "stored: %s", v);
	/* b.bundle attests a.cbor: b.cbor next to it is not what was attested */
	CHECK(attest_log("a.cbor", "b") == TEST_PASS, "attest");
	snprintf(p, sizeof(p), "%s/b.bundle", dir);
	CHECK(index_ingest(db, p, &r, err, sizeof(err)) == -1 && strstr(err, "not the one attested"), "%s", err);
	CHECK(builds_count(db) == 1, "builds: %d", builds_count(db));
	snprintf(p, sizeof(p), "%s/b.bundle", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/a.bundle", dir);
	unlink(p);
	index_close(db);
	return TEST_PASS;
}

/* ---- parsers of what users type ---- */

static int t_bad_locations_are_refused_with_a_reason(void)
{
	char err[256];

	CHECK(index_locator_parse("mysql://h/db", err, sizeof(err)) == INDEX_LOC_BAD && strstr(err, "mysql"),
	      "%s", err);
	CHECK(index_locator_parse("", err, sizeof(err)) == INDEX_LOC_BAD, "empty");
	CHECK(index_locator_parse("postgresql://", err, sizeof(err)) == INDEX_LOC_BAD, "no server");
	CHECK(index_locator_parse("a\nb", err, sizeof(err)) == INDEX_LOC_BAD, "control");
	CHECK(index_locator_parse("postgres://u@h/db", err, sizeof(err)) == INDEX_LOC_POSTGRESQL, "pg");
	CHECK(index_locator_parse("/tmp/x.db", err, sizeof(err)) == INDEX_LOC_SQLITE, "file");
	CHECK(!index_open("postgresql://kettle@/nodb?host=/nonexistent-dir", err, sizeof(err)) &&
	      strstr(err, "cannot connect") && !strchr(err, '\n'), "%s", err);
	CHECK(!index_open("/nonexistent-dir/x.db", err, sizeof(err)) && strstr(err, "cannot open"), "%s", err);
	return TEST_PASS;
}

static int t_bad_queries_are_refused_with_a_reason(void)
{
	char like[64], host[INDEX_HOST_MAX], sha[65], err[256], big[600];
	bool wild;
	long port;

	CHECK(index_glob_to_like("", like, sizeof(like), &wild, err, sizeof(err)) == -1, "empty glob");
	CHECK(index_glob_to_like("a\\", like, sizeof(like), &wild, err, sizeof(err)) == -1, "lone backslash");
	CHECK(index_glob_to_like("[ab]", like, sizeof(like), &wild, err, sizeof(err)) == -1 && strstr(err, "[...]"),
	      "class");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(index_glob_to_like(big, like, sizeof(like), &wild, err, sizeof(err)) == -1, "oversized glob");
	CHECK(!index_glob_to_like("a%b_c\\*", like, sizeof(like), &wild, err, sizeof(err)) &&
	      !strcmp(like, "a\\%b\\_c*") && !wild, "escaped: %s", like);
	CHECK(index_endpoint_parse("h:0", host, &port, err, sizeof(err)) == -1, "port 0");
	CHECK(index_endpoint_parse("h:65536", host, &port, err, sizeof(err)) == -1, "port 65536");
	CHECK(index_endpoint_parse("h:", host, &port, err, sizeof(err)) == -1, "empty port");
	CHECK(index_endpoint_parse(":80", host, &port, err, sizeof(err)) == -1, "empty host");
	CHECK(index_endpoint_parse("[::1", host, &port, err, sizeof(err)) == -1, "unclosed");
	CHECK(index_endpoint_parse(big, host, &port, err, sizeof(err)) == -1, "oversized host");
	CHECK(!index_endpoint_parse("[::1]:53", host, &port, err, sizeof(err)) && !strcmp(host, "::1") && port == 53,
	      "v6");
	CHECK(!index_endpoint_parse("fe80::1", host, &port, err, sizeof(err)) && port == -1, "bare v6");
	CHECK(index_sha256_parse("abc", sha, err, sizeof(err)) == -1, "short digest");
	CHECK(!index_sha256_parse("sha256:AB00000000000000000000000000000000000000000000000000000000000000", sha,
				  err, sizeof(err)) && sha[0] == 'a', "prefix, upper case");
	return TEST_PASS;
}

/* ---- the commands, as a user runs them ---- */

/* `kettle ARGS` with stdout and stderr into DIR/cli.out and DIR/cli.err; its exit status, or -1. */
static int kettle_cli(const char *args)
{
	char cmd[2048];
	int st;

	const char *build = test_build_dir();

	snprintf(cmd, sizeof(cmd), "cd %s && %s%s%s/kettle %s >cli.out 2>cli.err", dir,
		 build[0] == '/' ? "" : KETTLE_SOURCE_DIR, build[0] == '/' ? "" : "/", build, args);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Whether DIR/NAME holds TEXT; with ONE_LINE, also that it is a single line. */
static bool cli_says(const char *name, const char *text, bool one_line)
{
	char path[300], buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (!strstr(buf, text) || (one_line && strchr(buf, '\n') != buf + n - 1)) {
		fprintf(stderr, "  %s: %s", name, buf);
		return false;
	}
	return true;
}

static int t_commands_answer_and_refuse_with_one_line(void)
{
	char sha[65], args[512];

	sha_of(0x21, sha);
	CHECK(kettle_cli("index add --db cli.db a.cbor b.cbor c.cbor") == 0, "index add");
	CHECK(cli_says("cli.out", "b.cbor: build 2:", false), "added");
	CHECK(kettle_cli("index add --db cli.db b.cbor") == 0 && cli_says("cli.out", "already indexed as build 2",
									 false), "re-add");
	snprintf(args, sizeof(args), "search --db cli.db --digest %s", sha);
	CHECK(kettle_cli(args) == 0 && cli_says("cli.out", "  read      /out/x.o  sha256:2121212121212121", false) &&
	      cli_says("cli.out", "pid 101 '/usr/bin/ld /out/x.o'  <-  pid 100 'make all'", false), "search");
	snprintf(args, sizeof(args), "search --db cli.db --digest %s --path /nowhere", sha);
	CHECK(kettle_cli(args) == 1, "no match exits 1");
	snprintf(args, sizeof(args), "search --db mysql://h/db --digest %s", sha);
	CHECK(kettle_cli(args) == 125 && cli_says("cli.err", "kettle search: --db: unsupported scheme 'mysql'", true),
	      "bad url");
	CHECK(kettle_cli("search --db cli.db --path '[ab]'") == 125 && cli_says("cli.err", "not supported", true),
	      "bad glob");
	CHECK(kettle_cli("search --db cli.db --endpoint 'h:99999'") == 125 &&
	      cli_says("cli.err", "not from 1 to 65535", true), "bad port");
	CHECK(kettle_cli("search --db cli.db --digest 12") == 125 && cli_says("cli.err", "64 hex digits", true),
	      "bad digest");
	CHECK(kettle_cli("search --db cli.db --path x --since yesterday") == 125 &&
	      cli_says("cli.err", "--since 'yesterday'", true), "bad time");
	CHECK(kettle_cli("search --db 'postgresql://kettle@/x?host=/nonexistent-dir' --path x") == 125 &&
	      cli_says("cli.err", "cannot connect", true), "no server");
	CHECK(kettle_cli("index add --db cli.db bad.cbor") == 1 && cli_says("cli.err", "refused", true), "bad log");
	return TEST_PASS;
}

/* ---- PostgreSQL ---- */

static int pg_start(void)
{
	char cmd[600], dbdir[300];
	FILE *p;
	int status;

	if (pg_state)
		return pg_state;
	pg_state = -1;
	snprintf(dbdir, sizeof(dbdir), "%s/pg", dir);
	snprintf(cmd, sizeof(cmd), "%s/tests/pg-server start %s fsync=off 2>%s/pg-start.err", KETTLE_SOURCE_DIR,
		 dbdir, dir);
	p = popen(cmd, "r");
	if (!p || !fgets(pg_url, sizeof(pg_url), p)) {
		if (p)
			pclose(p);
		snprintf(pg_skip, sizeof(pg_skip), "tests/pg-server did not start a server (see %s/pg-start.err)",
			 dir);
		return -1;
	}
	status = pclose(p);
	pg_url[strcspn(pg_url, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		snprintf(pg_skip, sizeof(pg_skip), "no PostgreSQL server binaries (apt-get install postgresql)");
		return -1;
	}
	pg_state = status == 0 ? 1 : -1;
	return pg_state;
}

static void pg_stop(void)
{
	char cmd[600];

	if (pg_state != 1)
		return;
	snprintf(cmd, sizeof(cmd), "%s/tests/pg-server stop %s/pg", KETTLE_SOURCE_DIR, dir);
	if (system(cmd))
		fprintf(stderr, "  pg-server stop failed\n");
}

/* The URL of database NAME on the test server; 0 or -1. */
static int pg_db_url(const char *name, char *url, size_t urllen)
{
	char *slash;

	snprintf(url, urllen, "%s", pg_url);
	slash = strstr(url, "/postgres?");
	if (!slash)
		return -1;
	snprintf(slash, urllen - (size_t)(slash - url), "/%s?%s", name, strchr(pg_url, '?') + 1);
	return 0;
}

/* A fresh database on the test server for NAME. */
static struct index_db *open_pg(const char *name)
{
	char url[700], err[512], sql[128];
	struct index_db *admin = index_open(pg_url, err, sizeof(err)), *db;

	if (!admin) {
		fprintf(stderr, "  %s\n", err);
		return NULL;
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	admin->be->exec(admin, sql, err, sizeof(err));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	if (admin->be->exec(admin, sql, err, sizeof(err)))
		fprintf(stderr, "  %s\n", err);
	index_close(admin);
	if (pg_db_url(name, url, sizeof(url)))
		return NULL;
	db = index_open(url, err, sizeof(err));
	if (!db)
		fprintf(stderr, "  %s\n", err);
	return db;
}

static char *search_text(struct index_db *db, struct index_search q)
{
	json_t *out = search(db, &q);
	char *s = out ? json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(out);
	return s;
}

/*
 * DB (at LOCATION) with the chain ingested is turned back into version 2,
 * reopened (migrated) and must answer a digest search (chains with programs
 * and command lines), a glob search and a downstream walk as it did.
 */
static int version_2_store_migrates_and_answers_the_same(struct index_db *db, const char *location)
{
	static struct index_search qs[3];
	char *before[3] = { 0 }, *after[3] = { 0 }, err[512], v[300];
	int ret = TEST_FAIL;

	sha_of(0x21, qs[0].digest);
	CHECK(!set_glob(&qs[1], "/usr/*"), "glob");
	sha_of(0x11, qs[2].digest);
	qs[2].downstream = true;
	for (int i = 0; i < 3; i++)
		before[i] = search_text(db, qs[i]);
	if (db->be->exec(db, version_2_sql, err, sizeof(err)) ||
	    index_query_value(db, "SELECT argv FROM procs WHERE pid = 100 AND build_id = 2", NULL, 0, v, sizeof(v), err,
			      sizeof(err)) || strcmp(v, "make all")) {
		fprintf(stderr, "  make it version 2: %s (argv '%s')\n", err, v);
		goto out;
	}
	index_close(db);
	db = index_open(location, err, sizeof(err));
	if (!db || version_of(db) != INDEX_SCHEMA_VERSION) {
		fprintf(stderr, "  reopen: %s\n", db ? "not migrated" : err);
		goto out;
	}
	if (index_query_value(db, "SELECT count(*) FROM procs WHERE chain IS NULL", NULL, 0, v, sizeof(v), err,
			      sizeof(err)) || strcmp(v, "0")) {
		fprintf(stderr, "  processes left without a chain: %s %s\n", v, err);
		goto out;
	}
	/* PostgreSQL: a chain is read from the key's index alone */
	if (db->be->key_include &&
	    (index_query_value(db, "SELECT indexdef FROM pg_indexes WHERE tablename = 'procs'", NULL, 0, v, sizeof(v),
			       err, sizeof(err)) || !strstr(v, "INCLUDE (parent, pid, exe_id, argv_id, chain)"))) {
		fprintf(stderr, "  the key of procs: '%s' %s\n", v, err);
		goto out;
	}
	for (int i = 0; i < 3; i++)
		after[i] = search_text(db, qs[i]);
	ret = TEST_PASS;
	for (int i = 0; i < 3; i++)
		if (!before[i] || !after[i] || strcmp(before[i], after[i]) || !strstr(before[i], "\"argv\":\"make all\"")) {
			fprintf(stderr, "  query %d:\n  before %s\n  after  %s\n", i, before[i], after[i]);
			ret = TEST_FAIL;
		}
out:
	for (int i = 0; i < 3; i++) {
		free(before[i]);
		free(after[i]);
	}
	index_close(db);
	return ret;
}

/* A version 2 store (command lines as text in procs) is brought to the current version and answers as before. */
static int t_version_2_store_migrates_and_answers_the_same(void)
{
	struct index_db *db = open_sqlite("v2.db");
	char path[300];

	CHECK(db && !ingest_chain(db), "ingest");
	snprintf(path, sizeof(path), "%s/v2.db", dir);
	return version_2_store_migrates_and_answers_the_same(db, path);
}

static int t_postgresql_version_2_store_migrates_and_answers_the_same(void)
{
	struct index_db *db;
	char url[700];

	if (pg_start() < 0)
		return test_skip("%s", pg_skip);
	db = open_pg("v2");
	CHECK(db && !ingest_chain(db), "ingest");
	CHECK(!pg_db_url("v2", url, sizeof(url)), "url");
	return version_2_store_migrates_and_answers_the_same(db, url);
}

#define DEEP_LEVELS 40
#define DEEP_SIDE_LEVEL 15      /* a second compiler run by this shell: 17 processes above it */

/*
 * A build whose shells nest DEEP_LEVELS deep (make -> sh -> sh ...): the
 * compiler at the bottom reads /src/deep.c, one run by shell DEEP_SIDE_LEVEL
 * /src/side.c: both 0x44 bytes.
 */
static int write_deep_build(const char *path)
{
	static const char *const command[] = { "make", "deep" };
	const char *margv[2] = { "make", "deep" }, *cargv[2] = { "cc", "/src/deep.c" };
	struct log_header h = { .kettle_version = "test", .host = "ci-1", .start_wall_ns = START_WALL + 9 * HOUR_NS,
				.start_boot_ns = 1000, .root_pid = 100, .command = command, .ncommand = 2,
				.cwd = "/src" };
	static const char *const sources[2] = { "/src/deep.c", "/src/side.c" };
	struct log_trailer t = { 0 };
	struct log_writer *w;
	struct log_event e;
	uint64_t ts = 2000;
	char err[256], levels[DEEP_LEVELS][32];
	int bad = 0;

	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
#define PUT(...) do { e = (struct log_event){ __VA_ARGS__ }; e.ts_ns = ts += 1000; e.tid = e.tgid; \
		      bad |= log_write_event(w, &e); } while (0)
	PUT(.type = LOG_EV_EXEC, .tgid = 100, .exec = { .exe = "/usr/bin/make", .cwd = "/src", .argv = margv,
							.nargv = 2, .argc = 2 });
	for (uint32_t i = 0; i < DEEP_LEVELS; i++) {
		const char *sargv[3] = { "sh", "-c", levels[i] };

		snprintf(levels[i], sizeof(levels[i]), "level %u", i);
		PUT(.type = LOG_EV_FORK, .tgid = i ? 200 + i - 1 : 100, .fork.child_tgid = 200 + i);
		PUT(.type = LOG_EV_EXEC, .tgid = 200 + i, .exec = { .exe = "/bin/sh", .cwd = "/src", .argv = sargv,
								    .nargv = 3, .argc = 3 });
	}
	for (uint32_t k = 0; k < 2; k++) {
		uint32_t parent = 200 + (k ? DEEP_SIDE_LEVEL : DEEP_LEVELS - 1), pid = 300 + k;

		PUT(.type = LOG_EV_FORK, .tgid = parent, .fork.child_tgid = pid);
		PUT(.type = LOG_EV_EXEC, .tgid = pid, .exec = { .exe = "/usr/bin/cc", .cwd = "/src", .argv = cargv,
								.nargv = 2, .argc = 2 });
		PUT(.type = LOG_EV_OPEN, .tgid = pid, .open = { .path = sources[k], .flags = O_RDONLY, .result = 3,
								.call = 2 });
		PUT(.type = LOG_EV_EXIT, .tgid = pid);
	}
	for (int i = DEEP_LEVELS - 1; i >= 0; i--)
		PUT(.type = LOG_EV_EXIT, .tgid = 200 + (uint32_t)i);
	PUT(.type = LOG_EV_EXIT, .tgid = 100);
#undef PUT
	for (int k = 0; k < 2; k++) {
		struct log_digest d = { .kind = LOG_DIGEST_INPUT, .path = sources[k], .boot_ns = ts };

		memset(d.sha256, 0x44, 32);
		bad |= log_write_digest(w, &d);
	}
	t.end_boot_ns = ts + 1000;
	t.end_wall_ns = (uint64_t)h.start_wall_ns + ts;
	CHECK(!bad, "writing the events");
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	return TEST_PASS;
}

/* MATCH's chain is the compiler (pid 300 + K), shells LEVEL down to 0, then make. */
static int deep_chain_ok(const json_t *match, int k, int level)
{
	const json_t *chain = json_object_get(match, "chain");
	size_t n = json_array_size(chain);
	char want[32];

	if (n != (size_t)level + 3) {
		fprintf(stderr, "  compiler %d: %zu processes in its chain, want %d\n", k, n, level + 3);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(chain, i);
		json_int_t pid = json_integer_value(json_object_get(p, "pid"));
		const char *argv = json_string_value(json_object_get(p, "argv"));

		if (i == 0 ? pid != 300 + k : i == n - 1 ? pid != 100 : pid != 200 + level - (json_int_t)(i - 1)) {
			fprintf(stderr, "  compiler %d: process %zu of the chain is pid %lld\n", k, i, (long long)pid);
			return -1;
		}
		snprintf(want, sizeof(want), "sh -c level %d", level - (int)(i - 1));
		if (i > 0 && i < n - 1 && (!argv || strcmp(argv, want))) {
			fprintf(stderr, "  compiler %d: process %zu runs '%s', want '%s'\n", k, i, argv, want);
			return -1;
		}
	}
	return 0;
}

/*
 * The chains of a deep build come back whole and in order (the stored text
 * holds INDEX_CHAIN_INLINE ancestors and goes on at the next row), the same
 * from rows that carry no chain (written before schema version 4), and a
 * chain text Kettle did not write is refused with a reason.
 */
static int t_deep_process_chains_are_read_whole(void)
{
	static struct index_search q;
	struct index_ingest_result r;
	struct index_db *db = open_sqlite("deep.db");
	char p[300], err[512] = "", *before, *after;
	json_t *out;

	snprintf(p, sizeof(p), "%s/deep.cbor", dir);
	CHECK(write_deep_build(p) == TEST_PASS, "write the deep build");
	CHECK(db && !ingest(db, "deep.cbor", &r) && r.added, "ingest");
	sha_of(0x44, q.digest);
	out = search(db, &q);
	CHECK(out && json_array_size(json_object_get(out, "matches")) == 2, "two matches");
	for (int k = 0; k < 2; k++) {
		const json_t *m = json_array_get(json_object_get(out, "matches"), (size_t)k);
		int pid = (int)json_integer_value(json_object_get(json_array_get(json_object_get(m, "chain"), 0), "pid"));

		CHECK(pid == 300 || pid == 301, "match %d: pid %d", k, pid);
		CHECK(!deep_chain_ok(m, pid - 300, pid == 300 ? DEEP_LEVELS - 1 : DEEP_SIDE_LEVEL), "match %d", k);
	}
	before = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	CHECK(!db->be->exec(db, "UPDATE procs SET chain = NULL", err, sizeof(err)), "%s", err);
	after = search_text(db, q);
	CHECK(before && after && !strcmp(before, after), "rows without chains answer otherwise:\n  %s\n  %s", before,
	      after);
	free(after);
	if (pg_start() >= 0) {
		struct index_db *pg = open_pg("deep");

		CHECK(pg && !ingest(pg, "deep.cbor", &r), "ingest into PostgreSQL");
		after = search_text(pg, q);
		index_close(pg);
		CHECK(after && !strcmp(before, after), "PostgreSQL answers otherwise:\n  %s\n  %s", before, after);
		free(after);
	}
	free(before);
	CHECK(!db->be->exec(db, "UPDATE procs SET chain = '12,3;x' WHERE pid = 300", err, sizeof(err)), "%s", err);
	out = index_search_run(db, &q, err, sizeof(err));
	CHECK(!out && strstr(err, "a process chain not as Kettle writes them"), "a bad chain text: %s",
	      out ? "answered" : err);
	index_close(db);
	return TEST_PASS;
}

/* Chain texts written by the ingest read back; cut, oversized and garbage texts are refused. */
static int t_chain_text_round_trip_and_bad_texts(void)
{
	struct index_chain_proc procs[INDEX_CHAIN_INLINE + 3];
	struct index_chain_entry e[INDEX_CHAIN_INLINE];
	char text[INDEX_CHAIN_TEXT_MAX], big[INDEX_CHAIN_TEXT_MAX * 2] = "";
	static const char *const bad[] = { "1", "1,2", "1,2,3;", ";1,2,3", "1,2,3>", ">", "1,2,3>x", "1,2,3>4;5,6,7",
					   "a,2,3", "1,2,3,4", "1,-2,3", "123456789012345678901,2,3", "1,2,3 ", ",2,3" };
	int64_t next;
	int n;

	/* a line of processes, each the parent of the next, the last with big ids and no program */
	for (int i = 0; i < INDEX_CHAIN_INLINE + 3; i++)
		procs[i] = (struct index_chain_proc){ .proc = i, .parent = i - 1, .pid = 1000 + i,
						      .exe_id = i == INDEX_CHAIN_INLINE + 1 ? 0 : 7 + i,
						      .argv_id = INT64_MAX - i };
	index_chain_text(procs, INDEX_CHAIN_INLINE + 3, INDEX_CHAIN_INLINE + 2, text);
	n = index_chain_parse(text, e, INDEX_CHAIN_INLINE, &next);
	CHECK(n == INDEX_CHAIN_INLINE && next == 1, "'%s': %d ancestors, on at %lld", text, n, (long long)next);
	CHECK(e[0].pid == 1000 + INDEX_CHAIN_INLINE + 1 && !e[0].exe_id[0] && e[1].pid == 1000 + INDEX_CHAIN_INLINE &&
	      !strcmp(e[1].exe_id, "23") && e[INDEX_CHAIN_INLINE - 1].pid == 1002, "'%s' read back otherwise", text);
	index_chain_text(procs, INDEX_CHAIN_INLINE + 3, 0, text);
	CHECK(!text[0] && index_chain_parse(text, e, INDEX_CHAIN_INLINE, &next) == 0 && next == -1, "the root: '%s'",
	      text);
	index_chain_text(procs, INDEX_CHAIN_INLINE + 3, 3, text);
	CHECK(index_chain_parse(text, e, INDEX_CHAIN_INLINE, &next) == 3 && next == -1 && e[2].pid == 1000,
	      "three up: '%s'", text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(index_chain_parse(bad[i], e, INDEX_CHAIN_INLINE, &next) < 0, "'%s' was read", bad[i]);
	for (int i = 0; i <= INDEX_CHAIN_INLINE; i++)
		strcat(big, i ? ";1,2,3" : "1,2,3");
	CHECK(index_chain_parse(big, e, INDEX_CHAIN_INLINE, &next) < 0, "%d ancestors were read",
	      INDEX_CHAIN_INLINE + 1);
	return TEST_PASS;
}

static int t_postgresql_gives_the_same_answers_as_sqlite(void)
{
	struct index_db *sq, *pg;
	static struct index_search qs[4];
	int ret = TEST_PASS;

	qs[0].downstream = true;
	qs[1].exe_only = true;

	if (pg_start() < 0)
		return test_skip("%s", pg_skip);
	sha_of(0x11, qs[0].digest);
	CHECK(!set_glob(&qs[1], "/usr/*"), "glob");
	sha_of(0xcc, qs[2].digest);
	CHECK(!set_glob(&qs[3], "/out/?.o"), "glob");
	sq = open_sqlite("same.db");
	pg = open_pg("same");
	CHECK(sq && pg && !ingest_chain(sq) && !ingest_chain(pg), "ingest");
	for (size_t i = 0; i < 4; i++) {
		char *a = search_text(sq, qs[i]), *b = search_text(pg, qs[i]);

		if (!a || !b || strcmp(a, b) || strlen(a) < 100) {
			fprintf(stderr, "  query %zu:\n  sqlite     %s\n  postgresql %s\n", i, a, b);
			ret = TEST_FAIL;
		}
		free(a);
		free(b);
	}
	index_close(sq);
	index_close(pg);
	return ret;
}

static int t_postgresql_refuses_altered_log_and_keeps_readds_noop(void)
{
	struct index_db *pg;
	struct index_ingest_result r;
	char src[300], bad[300], err[512];
	struct stat st;

	if (pg_start() < 0)
		return test_skip("%s", pg_skip);
	pg = open_pg("tamper");
	CHECK(pg && !ingest_chain(pg), "ingest");
	CHECK(!ingest(pg, "c.cbor", &r) && !r.added && r.build_id == 3, "re-add");
	snprintf(src, sizeof(src), "%s/u.cbor", dir);
	snprintf(bad, sizeof(bad), "%s/bad-pg.cbor", dir);
	CHECK(stat(src, &st) == 0 && !copy_file(src, bad, 0, st.st_size / 3), "copy");
	CHECK(index_ingest(pg, bad, &r, err, sizeof(err)) == -1, "an altered log was indexed");
	CHECK(builds_count(pg) == 4, "builds: %d", builds_count(pg));
	index_close(pg);
	return TEST_PASS;
}

/* WRITERS processes at once, each indexing BUILDS_PER_WRITER builds that share paths and digests. */
static int t_postgresql_concurrent_writers_lose_nothing(void)
{
	struct index_db *pg;
	pid_t pids[WRITERS];
	int failed = 0;

	if (pg_start() < 0)
		return test_skip("%s", pg_skip);
	pg = open_pg("many");
	CHECK(pg, "open");
	for (int w = 0; w < WRITERS; w++)
		for (int b = 0; b < BUILDS_PER_WRITER; b++) {
			struct step s[3] = { { "/usr/bin/cc", "/src/shared.h", "/out/a.o", 0x41, 0x50 + b },
					     { "/usr/bin/cc", "/src/common.c", "/out/b.o", 0x42, 0x60 + w },
					     { "/usr/bin/ld", "/out/a.o", "/out/app", 0x50 + b, 0x70 } };
			char p[300];

			snprintf(p, sizeof(p), "%s/w%d-%d.cbor", dir, w, b);
			CHECK(!write_build(p, START_WALL + (w * BUILDS_PER_WRITER + b) * HOUR_NS, s, 3), "write");
		}
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		CHECK(pids[w] >= 0, "fork");
		if (pids[w] == 0) {
			char url[700], err[512];
			struct index_db *db;
			int bad = 0;

			/* the child's own connection to the database the parent made */
			{
				char *slash = strstr(pg_url, "/postgres?");

				snprintf(url, sizeof(url), "%.*s/many?%s", (int)(slash - pg_url), pg_url,
					 strchr(pg_url, '?') + 1);
			}
			db = index_open(url, err, sizeof(err));
			if (!db)
				_exit(2);
			for (int b = 0; b < BUILDS_PER_WRITER; b++) {
				char name[64];
				struct index_ingest_result r;

				snprintf(name, sizeof(name), "w%d-%d.cbor", w, b);
				bad |= ingest(db, name, &r) || !r.added;
			}
			index_close(db);
			_exit(bad);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		if (waitpid(pids[w], &status, 0) != pids[w] || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	CHECK(!failed, "%d writers failed", failed);
	CHECK(builds_count(pg) == WRITERS * BUILDS_PER_WRITER, "builds: %d", builds_count(pg));
	/* per build: make, cc and ld executed, libc linked, 3 files read, 3 written */
	CHECK(events_count(pg) == WRITERS * BUILDS_PER_WRITER * 10, "file events: %d", events_count(pg));
	{
		char v[32], err[256];

		/* the accesses they stand for: make's exec, then 3 steps of (exec, libc, read, write) */
		CHECK(!index_query_value(pg, "SELECT sum(accesses) FROM file_events", NULL, 0, v, sizeof(v), err,
					 sizeof(err)) && atoi(v) == WRITERS * BUILDS_PER_WRITER * 13, "accesses: %s", v);

		CHECK(!index_query_value(pg, "SELECT count(*) FROM paths WHERE path = '/src/shared.h'", NULL, 0, v,
					 sizeof(v), err, sizeof(err)) && !strcmp(v, "1"), "shared path rows: %s", v);
	}
	index_close(pg);
	return TEST_PASS;
}

/* What kettle index serve opens: searches answer, writes are refused by the connection itself. */
static int readonly_answers_and_refuses_writes(const char *location)
{
	struct index_db *db;
	struct index_search q = { 0 };
	json_t *out;
	char err[512];
	size_t n;

	db = index_open_readonly(location, err, sizeof(err));
	CHECK(db, "%s", err);
	sha_of(0x21, q.digest);
	out = search(db, &q);
	n = json_array_size(json_object_get(out, "matches"));
	json_decref(out);
	if (n != 2 || !db->be->exec(db, "DELETE FROM builds", err, sizeof(err)) ||
	    !db->be->exec(db, "CREATE TABLE x (a INTEGER)", err, sizeof(err)) || builds_count(db) != 4) {
		fprintf(stderr, "  %s: %zu matches, writes not refused or builds lost\n", location, n);
		index_close(db);
		return TEST_FAIL;
	}
	index_close(db);
	return TEST_PASS;
}

static int t_readonly_store_answers_and_refuses_writes(void)
{
	struct index_db *db = open_sqlite("ro.db");
	char path[300], err[512];
	struct stat st;
	int fd;

	CHECK(db && !ingest_chain(db), "ingest");
	index_close(db);
	snprintf(path, sizeof(path), "%s/ro.db", dir);
	CHECK(readonly_answers_and_refuses_writes(path) == TEST_PASS, "sqlite");
	snprintf(path, sizeof(path), "%s/ro-none.db", dir);
	CHECK(!index_open_readonly(path, err, sizeof(err)) && strstr(err, "cannot open") && stat(path, &st) != 0,
	      "a missing store is refused, not made: %s", err);
	snprintf(path, sizeof(path), "%s/ro-empty.db", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0 && close(fd) == 0, "empty file");
	CHECK(!index_open_readonly(path, err, sizeof(err)) && strstr(err, "not a fleet index"), "%s", err);
	if (pg_start() < 0)
		return test_skip("postgresql: %s", pg_skip);
	db = open_pg("ro");
	CHECK(db && !ingest_chain(db), "ingest pg");
	index_close(db);
	CHECK(!pg_db_url("ro", path, sizeof(path)), "url");
	return readonly_answers_and_refuses_writes(path);
}

static int t_cleanup(void)
{
	char cmd[400];

	pg_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0, "rm");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "setup", t_setup },
	{ "digest_search_names_builds_roles_and_chain", t_digest_search_names_builds_roles_and_chain },
	{ "path_glob_exe_and_linked_roles", t_path_glob_exe_and_linked_roles },
	{ "since_until_window_the_builds", t_since_until_window_the_builds },
	{ "downstream_walks_three_builds", t_downstream_walks_three_builds },
	{ "readding_a_build_is_a_noop", t_readding_a_build_is_a_noop },
	{ "version_1_store_migrates_and_reads_the_index_only", t_version_1_store_migrates_and_reads_the_index_only },
	{ "version_2_store_migrates_and_answers_the_same", t_version_2_store_migrates_and_answers_the_same },
	{ "altered_or_cut_log_is_refused_leaving_nothing", t_altered_or_cut_log_is_refused_leaving_nothing },
	{ "compressed_log_indexes_as_the_plain_one", t_compressed_log_indexes_as_the_plain_one },
	{ "endpoint_search_finds_the_golden_log", t_endpoint_search_finds_the_golden_log },
	{ "bundle_verdict_is_stored_and_a_foreign_bundle_refuses",
	  t_bundle_verdict_is_stored_and_a_foreign_bundle_refuses },
	{ "bad_locations_are_refused_with_a_reason", t_bad_locations_are_refused_with_a_reason },
	{ "commands_answer_and_refuse_with_one_line", t_commands_answer_and_refuse_with_one_line },
	{ "bad_queries_are_refused_with_a_reason", t_bad_queries_are_refused_with_a_reason },
	{ "chain_text_round_trip_and_bad_texts", t_chain_text_round_trip_and_bad_texts },
	{ "deep_process_chains_are_read_whole", t_deep_process_chains_are_read_whole },
	{ "postgresql_gives_the_same_answers_as_sqlite", t_postgresql_gives_the_same_answers_as_sqlite },
	{ "postgresql_version_2_store_migrates_and_answers_the_same",
	  t_postgresql_version_2_store_migrates_and_answers_the_same },
	{ "postgresql_refuses_altered_log_and_keeps_readds_noop",
	  t_postgresql_refuses_altered_log_and_keeps_readds_noop },
	{ "postgresql_concurrent_writers_lose_nothing", t_postgresql_concurrent_writers_lose_nothing },
	{ "readonly_store_answers_and_refuses_writes", t_readonly_store_answers_and_refuses_writes },
	{ "cleanup", t_cleanup },
};

TEST_MAIN("index", tests)
