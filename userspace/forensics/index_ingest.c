// SPDX-License-Identifier: MIT
/* One build into the fleet index: check the log and its evidence, then every row in one transaction. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "attest/bundle.h"
#include "attest/bundle_verify.h"
#include "attest/report_data.h"
#include "common/clock.h"
#include "common/errf.h"
#include "common/file_bytes.h"
#include "common/grow.h"
#include "common/hex.h"
#include "forensics/index_chain.h"
#include "forensics/index_ingest.h"
#include "forensics/index_query.h"
#include "forensics/replay.h"

#define INGEST_LOG_MAX (16ull << 30)
#define INGEST_RETRIES 8
#define ARGV_KEPT 256

const char *index_role_name(int role)
{
	static const char *const names[] = {
		[INDEX_ROLE_READ] = "read", [INDEX_ROLE_EXECUTED] = "executed", [INDEX_ROLE_LINKED] = "linked",
		[INDEX_ROLE_WROTE] = "wrote", [INDEX_ROLE_CONNECTED] = "connected",
	};

	return role > 0 && role <= INDEX_ROLE_CONNECTED ? names[role] : NULL;
}

/* ---- the build's log and evidence, checked before anything is written ---- */

struct ingest_build {
	const char *log_path;
	uint8_t *log_bytes;
	size_t log_len;
	char log_sha256[65];
	struct log_file log;
	struct replay model;
	bool have_model;
	struct index_ingest_result *res;
};

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* DIR/NAME of PATH's folder into OUT; STEM_SUFFIX: PATH's name without its extension + SUFFIX instead. */
static void sibling(const char *path, const char *name, bool stem, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
	int dirlen = (int)(base - path);

	if (stem)
		snprintf(out, outlen, "%.*s%.*s%s", dirlen, path, (int)(dot ? dot - base : (long)strlen(base)), base,
			 name);
	else
		snprintf(out, outlen, "%.*s%s", dirlen, path, name);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* The SHA-256 (hex) of the build-log byproduct the statement names; 0, or -1 with ERR. */
static int statement_log_sha256(const struct bundle *b, char out[65], char *err, size_t errlen)
{
	json_error_t je;
	json_t *st = json_loadb((const char *)b->statement, b->statement_len, 0, &je), *bp;
	const char *hexs = NULL;
	size_t i;
	json_t *item;

	if (!st)
		return errf(err, errlen, "its statement is not JSON: %s", je.text);
	bp = json_object_get(json_object_get(json_object_get(st, "predicate"), "runDetails"), "byproducts");
	json_array_foreach(bp, i, item) {
		const char *name = json_string_value(json_object_get(item, "name"));

		if (name && !strcmp(name, "build-log"))
			hexs = json_string_value(json_object_get(json_object_get(item, "digest"), "sha256"));
	}
	if (!hexs || strlen(hexs) != 64) {
		json_decref(st);
		return errf(err, errlen, "its statement names no build-log digest");
	}
	memcpy(out, hexs, 65);
	json_decref(st);
	return 0;
}

/* Verifies BUNDLE_PATH offline (simulated evidence allowed and labelled) into the result's verdict. */
static int verify_bundle(struct ingest_build *b, const char *bundle_path, bool paired, char *err, size_t errlen)
{
	struct bundle_verify_opts vo = { .now = time(NULL), .allow_sim = true };
	struct check_list *l = calloc(1, sizeof(*l));
	struct bundle_verified v;
	struct bundle bd;
	char named[65], why[512];
	int ret = 0;

	if (!l)
		return errf(err, errlen, "out of memory");
	if (bundle_read_file(bundle_path, &bd, why, sizeof(why))) {
		free(l);
		return errf(err, errlen, "%s", why);
	}
	if (statement_log_sha256(&bd, named, why, sizeof(why))) {
		ret = errf(err, errlen, "%s: %s", bundle_path, why);
		goto out;
	}
	if (strcmp(named, b->log_sha256)) {
		/* an evidence.bundle that merely sits in the same folder may be another build's */
		if (!paired)
			goto out;
		ret = errf(err, errlen, "%s: the log is not the one attested: %s names build-log sha256:%.16s..., "
			   "the log is sha256:%.16s...", b->log_path, bundle_path, named, b->log_sha256);
		goto out;
	}
	snprintf(b->res->bundle_path, sizeof(b->res->bundle_path), "%s", bundle_path);
	{
		uint8_t st[32];

		if (sha256_bytes(bd.statement, bd.statement_len, st)) {
			ret = errf(err, errlen, "%s: SHA-256 failed", bundle_path);
			goto out;
		}
		hex_encode(st, 32, b->res->statement_sha256);
	}
	bundle_verify(&bd, &vo, l, &v);
	if (!check_all_passed(l)) {
		const struct check_result *c = check_first_failure(l);

		snprintf(b->res->attestation, sizeof(b->res->attestation), "%s", INDEX_ATTEST_FAILED);
		/* cut to the column's width: the check's name and the start of its reason */
		snprintf(b->res->attestation_reason, sizeof(b->res->attestation_reason), "%.47s: %.260s",
			 c ? c->name : "checks", c ? c->reason : "no check was made");
	} else {
		bool sim = bd.simulated || (v.have_snp && v.snp.simulated);

		snprintf(b->res->attestation, sizeof(b->res->attestation), "%s",
			 sim ? INDEX_ATTEST_SIMULATED : INDEX_ATTEST_HARDWARE);
		snprintf(b->res->attestation_reason, sizeof(b->res->attestation_reason), "%s evidence, all checks passed",
			 bundle_platform_name(bd.platform));
	}
out:
	bundle_free(&bd);
	free(l);
	return ret;
}

/* Reads and checks the log whole; 0, or -1 with ERR (altered, cut short, unreadable). */
static int read_log(struct ingest_build *b, char *err, size_t errlen)
{
	uint8_t sha[32];
	struct replay_stream *s;
	struct log_event_sink sink;
	char why[512];

	if (file_read_bounded(b->log_path, INGEST_LOG_MAX, &b->log_bytes, &b->log_len, why, sizeof(why)))
		return errf(err, errlen, "%s", why);
	if (sha256_bytes(b->log_bytes, b->log_len, sha))
		return errf(err, errlen, "%s: SHA-256 failed", b->log_path);
	hex_encode(sha, 32, b->log_sha256);
	s = replay_stream_new(&b->model, &b->log);
	if (!s)
		return errf(err, errlen, "out of memory");
	sink = replay_stream_sink(s);
	if (log_read_buffer_to(b->log_bytes, b->log_len, &b->log, &sink, why, sizeof(why))) {
		replay_stream_abort(s);
		return errf(err, errlen, "%s: refused: %s", b->log_path, why);
	}
	if (b->log.truncated || !b->log.has_trailer) {
		replay_stream_abort(s);
		return errf(err, errlen, "%s: refused: the log is cut short (%" PRIu64 " of %" PRIu64
			    " bytes readable, no trailer)", b->log_path, b->log.valid_bytes, b->log.content_bytes);
	}
	if (replay_stream_finish(s, why, sizeof(why)))
		return errf(err, errlen, "%s: %s", b->log_path, why);
	b->have_model = true;
	return 0;
}

/* ---- rows ---- */

struct ingest_rows {
	const struct replay *r;
	const struct log_header *h;
	int64_t build_id;
	int64_t *path_ids;              /* per replay file, 0: not indexed */
	int64_t *digest_ids;            /* per log digest, 0: not usable */
	uint32_t *accesses;             /* the first access of each file event */
	int8_t *roles;                  /* their roles */
	uint32_t *counts;               /* how many accesses each stands for */
	uint32_t *row_of;               /* per file and role: its file event + 1, 0: none yet */
	size_t naccesses;
	uint32_t *digest_index;         /* the usable log digests, in the order of their keys */
	size_t ndigest_keys;
	int64_t *exe_ids;               /* per process: its program's path id, 0: no exec seen */
	int64_t *argv_ids;              /* per process: its command line's id */
	char *argv_text;                /* every process's command line, joined and cut at ARGV_KEPT */
	size_t argv_len, argv_cap;
	size_t *argv_at;                /* per process: where its command line starts in argv_text */
	struct index_chain_proc *chain_procs; /* per process, once its ids are known: for its chain */
	char chain_text[INDEX_CHAIN_TEXT_MAX];
	char host_buf[INDEX_HOST_MAX];
};

static int64_t wall_ns(const struct ingest_rows *x, uint64_t boot_ns)
{
	return (int64_t)(x->h->start_wall_ns + (boot_ns - x->h->start_boot_ns));
}

/* A shared object by its name: "libz.so", "libc.so.6"; the dynamic linker or dlopen loads these. */
static bool shared_object(const char *path)
{
	const char *base = strrchr(path, '/'), *so;

	base = base ? base + 1 : path;
	so = strstr(base, ".so");
	return so && (so[3] == '\0' || so[3] == '.');
}

static int access_role(const struct replay *r, const struct replay_access *a)
{
	switch (a->kind) {
	case RA_READ:
	case RA_RENAME_FROM:
		return shared_object(r->files[a->file].path) ? INDEX_ROLE_LINKED : INDEX_ROLE_READ;
	case RA_EXEC:
		return INDEX_ROLE_EXECUTED;
	default:
		return replay_access_writes(a->kind) ? INDEX_ROLE_WROTE : 0;
	}
}

/* The digest of what a role touched: the output for a write, else the input (or exec) digest. */
static int64_t role_digest(const struct ingest_rows *x, uint32_t file, int role)
{
	const struct replay_file *f = &x->r->files[file];
	uint32_t first = role == INDEX_ROLE_WROTE ? f->output : role == INDEX_ROLE_EXECUTED ? f->exec : f->input;
	uint32_t second = role == INDEX_ROLE_WROTE ? REPLAY_NONE : role == INDEX_ROLE_EXECUTED ? f->input : f->exec;

	if (replay_digest_usable(x->r, first))
		return x->digest_ids[first];
	if (replay_digest_usable(x->r, second))
		return x->digest_ids[second];
	return 0;
}

static void fill_file_event(void *arg, size_t row, struct index_cell *c)
{
	const struct ingest_rows *x = arg;
	const struct replay_access *a = &x->r->accesses[x->accesses[row]];
	int role = x->roles[row];
	int64_t d = role_digest(x, a->file, role);

	c[0].i = x->build_id;
	c[1].i = x->path_ids[a->file];
	c[2].i = d;
	c[2].nullv = !d;
	c[3].i = role;
	c[4].i = a->proc;
	c[5].i = wall_ns(x, a->ts_ns);
	c[6].i = x->counts[row];
}

static void fill_proc(void *arg, size_t row, struct index_cell *c)
{
	struct ingest_rows *x = arg;

	index_proc_cells(x->chain_procs, x->r->nprocs, row, x->build_id, x->chain_text, c);
}

/* The processes as index_chain_text reads them, now that their program and command line ids are known. */
static void place_chain_procs(struct ingest_rows *x)
{
	for (uint32_t p = 0; p < x->r->nprocs; p++) {
		const struct replay_proc *rp = &x->r->procs[p];

		x->chain_procs[p] = (struct index_chain_proc){ .proc = p,
							       .parent = rp->parent == REPLAY_NONE ? -1 : (int64_t)rp->parent,
							       .pid = rp->pid, .exe_id = x->exe_ids[p],
							       .argv_id = x->argv_ids[p] };
	}
}

static void fill_endpoint(void *arg, size_t row, struct index_cell *c)
{
	struct ingest_rows *x = arg;
	const struct replay_endpoint *e = &x->r->endpoints[row];
	char why[8];
	long port;

	/* a name the log holds but no user could type (too long): kept whole, found by its full name */
	if (index_endpoint_parse(e->name, x->host_buf, &port, why, sizeof(why))) {
		snprintf(x->host_buf, sizeof(x->host_buf), "%s", e->name);
		port = -1;
	}
	c[0].i = x->build_id;
	c[1].s = x->host_buf;
	c[2].i = port;
	c[2].nullv = port < 0;
	c[3].s = e->name;
	c[4].i = e->first_proc;
	c[5].i = wall_ns(x, e->first_ns);
	c[6].i = e->calls;
}

/* Which accesses become file events, and their roles; the path and digest keys to intern. */
static int plan_rows(struct ingest_rows *x, const char ***paths, size_t *npaths, const char ***digests,
		     char (**digest_hex)[65], char *err, size_t errlen)
{
	const struct replay *r = x->r;
	size_t nd = r->log->ndigests;

	x->accesses = malloc(sizeof(*x->accesses) * (r->naccesses + 1));
	x->roles = malloc(r->naccesses + 1);
	x->counts = malloc(sizeof(*x->counts) * (r->naccesses + 1));
	x->row_of = calloc((size_t)r->nfiles * INDEX_ROLE_CONNECTED + 1, sizeof(*x->row_of));
	x->path_ids = calloc(r->nfiles + 1, sizeof(*x->path_ids));
	x->digest_ids = calloc(nd + 1, sizeof(*x->digest_ids));
	/* the files' paths, then the processes' programs (plan_procs) */
	*paths = malloc(sizeof(**paths) * ((size_t)r->nfiles + r->nprocs + 1));
	*digests = malloc(sizeof(**digests) * (nd + 1));
	*digest_hex = malloc(sizeof(**digest_hex) * (nd + 1));
	x->digest_index = malloc(sizeof(*x->digest_index) * (nd + 1));
	if (!x->counts || !x->row_of || !x->digest_index || !x->accesses || !x->roles || !x->path_ids || !x->digest_ids || !*paths || !*digests || !*digest_hex)
		return errf(err, errlen, "out of memory");
	/* one row per file and role: the first access, and how many there were */
	for (uint32_t i = 0; i < r->naccesses; i++) {
		int role = access_role(r, &r->accesses[i]);
		size_t slot = (size_t)r->accesses[i].file * INDEX_ROLE_CONNECTED + (size_t)role - 1;

		if (!role)
			continue;
		if (x->row_of[slot]) {
			x->counts[x->row_of[slot] - 1]++;
			continue;
		}
		x->accesses[x->naccesses] = i;
		x->counts[x->naccesses] = 1;
		x->roles[x->naccesses++] = (int8_t)role;
		x->row_of[slot] = (uint32_t)x->naccesses;
		x->path_ids[r->accesses[i].file] = -1;
	}
	*npaths = 0;
	for (uint32_t f = 0; f < r->nfiles; f++)
		if (x->path_ids[f])
			(*paths)[(*npaths)++] = r->files[f].path;
	for (uint32_t d = 0; d < nd; d++) {
		size_t k = x->ndigest_keys;

		if (!replay_digest_usable(r, d))
			continue;
		hex_encode(r->log->digests[d].sha256, 32, (*digest_hex)[k]);
		(*digests)[k] = (*digest_hex)[k];
		x->digest_index[x->ndigest_keys++] = d;
	}
	return 0;
}

/*
 * Each process's program, as a path key after the files' (the fleet runs the
 * same few programs), and its command line, joined and cut at ARGV_KEPT
 * bytes, as a key of command_lines (the fleet repeats its command lines).
 */
static int plan_procs(struct ingest_rows *x, const char **paths, size_t *npaths, const char ***argvs, char *err,
		      size_t errlen)
{
	const struct replay *r = x->r;

	x->exe_ids = calloc(r->nprocs + 1, sizeof(*x->exe_ids));
	x->argv_ids = calloc(r->nprocs + 1, sizeof(*x->argv_ids));
	x->argv_at = malloc(sizeof(*x->argv_at) * (r->nprocs + 1));
	x->chain_procs = malloc(sizeof(*x->chain_procs) * (r->nprocs + 1));
	*argvs = malloc(sizeof(**argvs) * (r->nprocs + 1));
	if (!x->exe_ids || !x->argv_ids || !x->argv_at || !x->chain_procs || !*argvs)
		return errf(err, errlen, "out of memory");
	for (uint32_t p = 0; p < r->nprocs; p++) {
		const struct replay_exec *e = replay_proc_exec(r, p);
		char *out;
		size_t o = 0;

		if (e && e->exe) {
			paths[(*npaths)++] = e->exe;
			x->exe_ids[p] = -1;
		}
		if (grow_array((void **)&x->argv_text, &x->argv_cap, x->argv_len + ARGV_KEPT + 1, 1, 1u << 16))
			return errf(err, errlen, "out of memory");
		x->argv_at[p] = x->argv_len;
		out = x->argv_text + x->argv_len;
		out[0] = '\0';
		for (uint32_t i = 0; e && i < e->nargv && o < ARGV_KEPT; i++)
			o += (size_t)snprintf(out + o, ARGV_KEPT + 1 - o, "%s%s", i ? " " : "", e->argv[i]);
		x->argv_len += strlen(out) + 1;
	}
	/* argv_text has stopped moving */
	for (uint32_t p = 0; p < r->nprocs; p++)
		(*argvs)[p] = x->argv_text + x->argv_at[p];
	return 0;
}

static const char *const file_event_columns[] = { "build_id", "path_id", "digest_id", "role", "proc", "ts_ns",
						  "accesses" };
static const char *const endpoint_columns[] = { "build_id", "host", "port", "name", "proc", "ts_ns", "calls" };

/* Spreads the interned path ids (in plan order) over the files, then the programs, that have them. */
static void place_path_ids(struct ingest_rows *x, const int64_t *ids)
{
	size_t k = 0;

	for (uint32_t f = 0; f < x->r->nfiles; f++)
		if (x->path_ids[f])
			x->path_ids[f] = ids[k++];
	for (uint32_t p = 0; p < x->r->nprocs; p++)
		if (x->exe_ids[p])
			x->exe_ids[p] = ids[k++];
}

static void join_command(const struct log_header *h, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < h->ncommand && o + 1 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", i ? " " : "", h->command[i]);
}

/* The builds row; 0 with x->build_id (0: the log was indexed before), or -1/INDEX_RETRY. */
static int insert_build(struct index_db *db, struct ingest_build *b, struct ingest_rows *x, char *err,
			size_t errlen)
{
	const struct log_header *h = &b->log.header;
	char start[24], end[24], events[24], now[24], command[1024], id[32];
	const char *params[12];
	int r;

	join_command(h, command, sizeof(command));
	snprintf(start, sizeof(start), "%" PRIu64, h->start_wall_ns);
	snprintf(end, sizeof(end), "%" PRIu64, b->log.trailer.end_wall_ns);
	snprintf(events, sizeof(events), "%zu", b->log.nevents);
	snprintf(now, sizeof(now), "%" PRIu64, clock_ns(CLOCK_REALTIME));
	params[0] = b->log_sha256;
	params[1] = b->log_path;
	params[2] = h->host;
	params[3] = command;
	params[4] = h->cwd;
	params[5] = start;
	params[6] = end;
	params[7] = events;
	params[8] = b->res->attestation;
	params[9] = b->res->attestation_reason;
	params[10] = now;
	params[11] = b->res->statement_sha256[0] ? b->res->statement_sha256 : NULL;
	r = index_query_value(db, "INSERT INTO builds(log_sha256, log_path, host, command, cwd, start_ns, end_ns, "
			      "events, attestation, attestation_reason, ingested_ns, statement_sha256) VALUES "
			      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
			      "ON CONFLICT (log_sha256) DO NOTHING RETURNING id", params, 12, id, sizeof(id), err,
			      errlen);
	x->build_id = r || !id[0] ? 0 : strtoll(id, NULL, 10);
	return r;
}

static int write_rows(struct index_db *db, struct ingest_build *b, struct ingest_rows *x, const char **paths,
		      size_t npaths, const char **digests, const char **argvs, int64_t *ids, char *err, size_t errlen)
{
	const struct replay *r = x->r;
	int ret = db->be->begin(db, false, err, errlen);

	if (!ret)
		ret = insert_build(db, b, x, err, errlen);
	if (!ret && !x->build_id) {
		db->be->rollback(db);
		return 0;
	}
	if (!ret)
		ret = db->be->intern(db, "paths", "path", paths, npaths, ids, err, errlen);
	if (!ret) {
		place_path_ids(x, ids);
		ret = db->be->intern(db, "digests", "sha256", digests, x->ndigest_keys, ids, err, errlen);
	}
	for (size_t k = 0; !ret && k < x->ndigest_keys; k++)
		x->digest_ids[x->digest_index[k]] = ids[k];
	if (!ret)
		ret = db->be->intern(db, "command_lines", "argv", argvs, r->nprocs, x->argv_ids, err, errlen);
	if (!ret) {
		place_chain_procs(x);
		ret = db->be->insert_rows(db, "procs", index_proc_columns, INDEX_PROC_COLUMNS, r->nprocs, fill_proc, x,
					  err, errlen);
	}
	if (!ret)
		ret = db->be->insert_rows(db, "file_events", file_event_columns, 7, x->naccesses, fill_file_event, x,
					  err, errlen);
	if (!ret)
		ret = db->be->insert_rows(db, "endpoints", endpoint_columns, 7, r->nendpoints, fill_endpoint, x, err,
					  errlen);
	if (!ret)
		return db->be->commit(db, err, errlen);
	db->be->rollback(db);
	return ret;
}

static int store_build(struct index_db *db, struct ingest_build *b, char *err, size_t errlen)
{
	struct ingest_rows x = { .r = &b->model, .h = &b->log.header };
	const char **paths = NULL, **digests = NULL, **argvs = NULL;
	char (*digest_hex)[65] = NULL;
	int64_t *ids = NULL;
	size_t npaths = 0;
	int ret = plan_rows(&x, &paths, &npaths, &digests, &digest_hex, err, errlen);

	if (!ret)
		ret = plan_procs(&x, paths, &npaths, &argvs, err, errlen);
	if (!ret && !(ids = malloc(sizeof(*ids) * (npaths + x.ndigest_keys + 1))))
		ret = errf(err, errlen, "out of memory");
	for (int attempt = 0; !ret || ret == INDEX_RETRY; attempt++) {
		ret = write_rows(db, b, &x, paths, npaths, digests, argvs, ids, err, errlen);
		if (ret != INDEX_RETRY)
			break;
		if (attempt == INGEST_RETRIES) {
			ret = errf(err, errlen, "%s: gave up after %d conflicts with other writers", b->log_path,
				   attempt + 1);
			break;
		}
		usleep((useconds_t)(1000 << attempt));
	}
	if (!ret) {
		b->res->added = x.build_id != 0;
		b->res->build_id = x.build_id;
		b->res->file_events = x.naccesses;
		b->res->procs = b->model.nprocs;
		b->res->endpoints = b->model.nendpoints;
	}
	free(x.accesses);
	free(x.roles);
	free(x.counts);
	free(x.row_of);
	free(x.path_ids);
	free(x.digest_ids);
	free(x.digest_index);
	free(x.exe_ids);
	free(x.argv_ids);
	free(x.argv_at);
	free(x.chain_procs);
	free(x.argv_text);
	free(argvs);
	free(paths);
	free(digests);
	free(digest_hex);
	free(ids);
	return ret;
}

/* ---- the whole ingest ---- */

static int already_indexed(struct index_db *db, struct ingest_build *b, char *err, size_t errlen)
{
	const char *params[1] = { b->log_sha256 };
	char id[32];

	if (index_query_value(db, "SELECT id FROM builds WHERE log_sha256 = $1", params, 1, id, sizeof(id), err,
			      errlen))
		return -1;
	b->res->build_id = id[0] ? strtoll(id, NULL, 10) : 0;
	return id[0] != '\0';
}

/* The log and bundle PATH stands for, per index_ingest's rules; 0, or -1 with ERR. */
static int locate(const char *path, char *log, char *bundle, size_t len, bool *paired, char *err,
		  size_t errlen)
{
	bundle[0] = '\0';
	*paired = false;
	if (ends_with(path, ".bundle")) {
		snprintf(bundle, len, "%s", path);
		*paired = true;
		sibling(path, ".cbor", true, log, len);
		if (file_exists(log))
			return 0;
		sibling(path, "build.cbor", false, log, len);
		if (!file_exists(log))
			return errf(err, errlen, "%s: no log next to it (its name with .cbor, or build.cbor)", path);
		return 0;
	}
	snprintf(log, len, "%s", path);
	sibling(path, ".bundle", true, bundle, len);
	if (file_exists(bundle)) {
		*paired = true;
		return 0;
	}
	sibling(path, "evidence.bundle", false, bundle, len);
	if (!file_exists(bundle))
		bundle[0] = '\0';
	return 0;
}

int index_ingest(struct index_db *db, const char *path, struct index_ingest_result *res, char *err,
		 size_t errlen)
{
	struct ingest_build b = { .res = res };
	char bundle[4096];
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	bool paired;
	int ret;

	memset(res, 0, sizeof(*res));
	snprintf(res->attestation, sizeof(res->attestation), "%s", INDEX_ATTEST_NONE);
	snprintf(res->attestation_reason, sizeof(res->attestation_reason), "no evidence bundle");
	if (locate(path, res->log_path, bundle, sizeof(bundle), &paired, err, errlen))
		return -1;
	b.log_path = res->log_path;
	ret = read_log(&b, err, errlen);
	if (!ret)
		snprintf(res->log_sha256, sizeof(res->log_sha256), "%s", b.log_sha256);
	if (!ret && bundle[0])
		ret = verify_bundle(&b, bundle, paired, err, errlen);
	if (!ret) {
		res->events = b.log.nevents;
		ret = already_indexed(db, &b, err, errlen);
		ret = ret > 0 ? 0 : ret < 0 ? -1 : store_build(db, &b, err, errlen);
	}
	if (b.have_model)
		replay_free(&b.model);
	log_file_free(&b.log);
	free(b.log_bytes);
	res->elapsed_ns = clock_ns(CLOCK_MONOTONIC) - t0;
	return ret ? -1 : 0;
}

int index_log_unchanged(const char *path, const char *sha256, char *err, size_t errlen)
{
	uint8_t *bytes, sha[32];
	size_t len;
	char hex[65], why[512];
	int r;

	if (file_read_bounded(path, INGEST_LOG_MAX, &bytes, &len, why, sizeof(why)))
		return errf(err, errlen, "%s", why);
	r = sha256_bytes(bytes, len, sha);
	free(bytes);
	if (r)
		return errf(err, errlen, "%s: SHA-256 failed", path);
	hex_encode(sha, 32, hex);
	if (strcmp(hex, sha256))
		return errf(err, errlen, "%s: not the log indexed (sha256:%.16s... now, sha256:%.16s... then)", path, hex,
			    sha256);
	return 0;
}
