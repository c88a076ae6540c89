// SPDX-License-Identifier: MIT
/* kettle verify --tree: a client's remote jobs matched to attested workers' jobs by digest. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/bundle.h"
#include "attest/bundle_verify.h"
#include "attest/report_data.h"
#include "common/errf.h"
#include "common/file_bytes.h"
#include "common/grow.h"
#include "common/hex.h"
#include "forensics/verify_tree.h"
#include "log/log_reader.h"
#include "provenance/remote_jobs.h"

/* One machine of the tree: its evidence, statement, log and jobs. */
struct member {
	const char *path;
	bool worker;
	struct bundle b;
	bool have_bundle;
	json_t *statement;
	const json_t *log_annotations;  /* of the statement's build-log byproduct */
	uint8_t log_sha256[32];
	bool have_log_sha256;
	struct log_file log;
	bool have_log;
	struct remote_jobs jobs;
	bool usable;                    /* evidence verified and log attested: its jobs may be matched */
	bool *job_used;                 /* worker: jobs already matched to a client job */
};

/* A log given with --log: read once, hashed, parsed when a statement names it. */
struct given_log {
	const char *path;
	uint8_t *buf;
	size_t len;
	uint8_t sha256[32];
};

static int check_add_tree(struct tree_result *r, bool passed, const char *name, const char *subject,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int check_add_tree(struct tree_result *r, bool passed, const char *name, const char *subject,
			  const char *fmt, ...)
{
	struct tree_check *c;
	va_list ap;
	int n;

	if (grow_array((void **)&r->checks, &r->cap, r->n + 1, sizeof(*r->checks), 16))
		return -1;
	c = &r->checks[r->n];
	memset(c, 0, sizeof(*c));
	c->passed = passed;
	c->name = strdup(name);
	c->subject = strdup(subject);
	va_start(ap, fmt);
	n = vasprintf(&c->detail, fmt, ap);
	va_end(ap);
	if (!c->name || !c->subject || n < 0) {
		free(c->name);
		free(c->subject);
		if (n >= 0)
			free(c->detail);
		return -1;
	}
	r->n++;
	return 0;
}

int verify_tree_statement(const uint8_t *bytes, size_t len, json_t **st, uint8_t log_sha256[32], bool *has_log,
			  char *err, size_t errlen)
{
	json_error_t jerr;
	const char *hex;
	char herr[128];

	*has_log = false;
	*st = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*st)
		return errf(err, errlen, "the statement is not JSON: %s", jerr.text);
	hex = json_string_value(json_object_get(json_object_get(remote_statement_build_log(*st), "digest"), "sha256"));
	*has_log = hex && strlen(hex) == 64 && !hex_decode_exact(hex, 64, log_sha256, 32, herr, sizeof(herr));
	return 0;
}

/* The statement of M's bundle, and the log digest it names. */
static int member_statement(struct member *m, char *err, size_t errlen)
{
	char why[512];

	if (verify_tree_statement(m->b.statement, m->b.statement_len, &m->statement, m->log_sha256,
				  &m->have_log_sha256, why, sizeof(why)))
		return errf(err, errlen, "%s: %s", m->path, why);
	m->log_annotations = json_object_get(remote_statement_build_log(m->statement), "annotations");
	return 0;
}

static int member_evidence(struct member *m, const struct tree_input *in, struct tree_result *r)
{
	struct bundle_verify_opts vo = { .now = in->now, .allow_sim = in->allow_sim };
	struct check_list l = { 0 };
	struct bundle_verified v;
	const struct check_result *bad;
	bool ok = bundle_verify(&m->b, &vo, &l, &v), sim = m->b.simulated || (v.have_snp && v.snp.simulated);

	r->simulated |= sim;
	bad = check_first_failure(&l);
	m->usable = ok;
	if (ok)
		return check_add_tree(r, true, "evidence", m->path, "%s evidence verified%s, bound to its statement",
				      bundle_platform_name(m->b.platform), sim ? " (SIMULATED)" : "");
	return check_add_tree(r, false, "evidence", m->path, "%s: %s", bad ? bad->name : "no check made",
			      bad ? bad->reason : "the evidence could not be checked");
}

/* Finds M's log among the given ones by the digest its statement names, and reads its jobs. */
static int member_log(struct member *m, const struct given_log *logs, size_t nlogs, struct tree_result *r,
		      char *err, size_t errlen)
{
	char h[65];
	int rc;

	if (!m->have_log_sha256) {
		m->usable = false;
		if (check_add_tree(r, false, "log", m->path, "its statement names no build-log digest"))
			return errf(err, errlen, "out of memory");
		return 0;
	}
	hex_encode(m->log_sha256, 32, h);
	for (size_t i = 0; i < nlogs; i++) {
		if (memcmp(logs[i].sha256, m->log_sha256, 32))
			continue;
		if (log_read_buffer(logs[i].buf, logs[i].len, &m->log, err, errlen))
			return -1;
		m->have_log = true;
		rc = m->worker ? remote_jobs_worker(&m->log, &m->jobs) : remote_jobs_client(&m->log, &m->jobs);
		if (rc)
			return errf(err, errlen, "out of memory");
		m->job_used = calloc(m->jobs.n ? m->jobs.n : 1, sizeof(bool));
		if (!m->job_used)
			return errf(err, errlen, "out of memory");
		if (check_add_tree(r, true, "log", m->path, "%s is its attested log (sha256:%.16s...)",
				   logs[i].path, h))
			return errf(err, errlen, "out of memory");
		return 0;
	}
	m->usable = false;
	if (check_add_tree(r, false, "log", m->path, "no --log given has its statement's build-log digest "
			   "(sha256:%s)", h))
		return errf(err, errlen, "out of memory");
	return 0;
}

static const json_t *completeness(const struct member *m)
{
	return json_object_get(m->log_annotations, "completeness");
}

static bool listens_at(const struct member *w, const char *peer)
{
	const char *colon = strrchr(w->jobs.listen, ':'), *pcolon = strrchr(peer, ':');

	if (!strcmp(w->jobs.listen, peer))
		return true;
	/* a worker listening on every address serves its port on each */
	return colon && pcolon && (!strncmp(w->jobs.listen, "0.0.0.0:", 8) || !strncmp(w->jobs.listen, "[::]:", 5)) &&
	       !strcmp(colon, pcolon);
}

static struct member *worker_at(struct member *w, size_t n, const char *peer)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].usable && listens_at(&w[i], peer))
			return &w[i];
	return NULL;
}

static int worker_record(struct member *w, struct tree_result *r)
{
	const json_t *c = completeness(w), *first = json_array_get(json_object_get(c, "reasons"), 0);

	if (!w->usable)
		return 0;
	if (!json_is_true(json_object_get(c, "complete"))) {
		w->usable = false;
		return check_add_tree(r, false, "worker", w->path, "its record is incomplete: %s: %s",
				      first ? json_string_value(json_object_get(first, "reason")) : "?",
				      first ? json_string_value(json_object_get(first, "detail")) : "(no reason given)");
	}
	if (!w->jobs.listen[0]) {
		w->usable = false;
		return check_add_tree(r, false, "worker", w->path, "its log shows no listening address");
	}
	for (size_t i = 0; i < w->jobs.n; i++) {
		const char *missing = remote_job_missing(&w->jobs.v[i]);

		if (missing)
			return check_add_tree(r, false, "worker", w->path, "the job it served for %s lacks: %s",
					      w->jobs.v[i].peer, missing);
	}
	return check_add_tree(r, true, "worker", w->path, "complete record, listening at %s, %zu jobs served",
			      w->jobs.listen, w->jobs.n);
}

/*
 * The client's record may lack only what its attested workers did: each
 * reason must be a daemon reason naming an endpoint a verified worker
 * listens at (the work that daemon did is then in that worker's record).
 */
static int client_record(struct member *c, struct member *w, size_t nw, struct tree_result *r)
{
	const json_t *comp = completeness(c), *x;
	size_t i, covered = 0;

	json_array_foreach(json_object_get(comp, "reasons"), i, x) {
		const char *reason = json_string_value(json_object_get(x, "reason"));
		const char *path = json_string_value(json_object_get(x, "path"));

		if (reason && !strcmp(reason, "daemon") && path && worker_at(w, nw, path)) {
			covered++;
			continue;
		}
		return check_add_tree(r, false, "client", c->path, "its record is incomplete beyond its workers: "
				      "%s%s%s: %s", reason ? reason : "?", path ? " " : "", path ? path : "",
				      json_string_value(json_object_get(x, "detail")) ?: "");
	}
	if (json_integer_value(json_object_get(comp, "reasonsTotal")) > (json_int_t)i)
		return check_add_tree(r, false, "client", c->path, "its record has more reasons than it lists");
	return check_add_tree(r, true, "client", c->path, "%zu remote jobs; %s", c->jobs.n,
			      covered ? "what it lacks is the attested workers' work" : "complete record");
}

/*
 * The worker statement the client's provenance references for JOB (kettle
 * provenance --worker-statement), as hex: NULL when it references none.
 */
static const char *referenced_statement(const struct member *client, const struct remote_job *job)
{
	const json_t *deps = json_object_get(json_object_get(json_object_get(client->statement, "predicate"),
							     "buildDefinition"), "resolvedDependencies"), *x;
	char uri[REMOTE_ENDPOINT_MAX + 100], src[65];
	size_t i;

	hex_encode(job->source_sha256, 32, src);
	snprintf(uri, sizeof(uri), "distcc://%s/source/sha256:%s", job->peer, src);
	json_array_foreach(deps, i, x) {
		const char *u = json_string_value(json_object_get(x, "uri"));

		if (u && !strcmp(u, uri))
			return json_string_value(json_object_get(json_object_get(x, "digest"), "sha256")) ?: "";
	}
	return NULL;
}

/* When the client's provenance names the worker statement of JOB, it must be WORKER's attested one. */
static bool reference_matches(const struct member *client, const struct remote_job *job, const struct member *worker,
			      char have[65])
{
	const char *ref = referenced_statement(client, job);
	uint8_t sha[32];

	if (!ref)
		return true;
	if (sha256_bytes(worker->b.statement, worker->b.statement_len, sha))
		return false;
	hex_encode(sha, 32, have);
	return !strcmp(ref, have);
}

static int job_check(const struct member *client, const struct remote_job *job, struct member *w, size_t nw,
		     struct tree_result *r)
{
	char name[400], sent[65], got[65], back[65], compiler[65];
	const char *missing = remote_job_missing(job);
	struct member *worker;

	snprintf(name, sizeof(name), "%s via %s", job->object ? job->object : "(no object)", job->peer);
	if (missing)
		return check_add_tree(r, false, "job", name, "the client's record of it lacks: %s", missing);
	hex_encode(job->source_sha256, 32, sent);
	hex_encode(job->object_sha256, 32, got);
	hex_encode(job->compiler_sha256, 32, compiler);
	worker = worker_at(w, nw, job->peer);
	if (!worker)
		return check_add_tree(r, false, "job", name, "no attested worker listens at %s (its source "
				      "sha256:%.16s... went to a machine outside the tree)", job->peer, sent);
	for (size_t i = 0; i < worker->jobs.n; i++) {
		const struct remote_job *wj = &worker->jobs.v[i];

		if (worker->job_used[i] || !wj->has_source || memcmp(wj->source_sha256, job->source_sha256, 32))
			continue;
		worker->job_used[i] = true;
		if (!wj->has_object)
			return check_add_tree(r, false, "job", name, "worker %s received its source but its record "
					      "has no digest of the object it sent", worker->path);
		if (memcmp(wj->object_sha256, job->object_sha256, 32)) {
			hex_encode(wj->object_sha256, 32, back);
			return check_add_tree(r, false, "job", name, "digests differ: worker %s sent an object "
					      "sha256:%s, the client got sha256:%s", worker->path, back, got);
		}
		/* distcc's premise: the worker compiles with the compiler the client preprocessed with */
		if (!wj->has_compiler || memcmp(wj->compiler_sha256, job->compiler_sha256, 32)) {
			if (wj->has_compiler)
				hex_encode(wj->compiler_sha256, 32, back);
			return check_add_tree(r, false, "job", name, "compilers differ: worker %s ran %s (sha256:%s), "
					      "the client preprocessed with %s (sha256:%s)", worker->path,
					      wj->compiler ? wj->compiler : "nothing", wj->has_compiler ? back : "unknown",
					      job->compiler, compiler);
		}
		if (!reference_matches(client, job, worker, back))
			return check_add_tree(r, false, "job", name, "the client's provenance references worker statement "
					      "sha256:%s, not %s's (sha256:%s)", referenced_statement(client, job),
					      worker->path, back);
		return check_add_tree(r, true, "job", name, "sent sha256:%.16s..., got sha256:%.16s..., compiled "
				      "by %s on %s%s", sent, got, wj->compiler, worker->path,
				      referenced_statement(client, job) ? " (the statement the client references)" : "");
	}
	return check_add_tree(r, false, "job", name, "worker %s (%s) has no job that received its source "
			      "sha256:%s", worker->path, worker->jobs.listen, sent);
}

static int logs_read(const struct tree_input *in, struct given_log *logs, char *err, size_t errlen)
{
	for (size_t i = 0; i < in->nlogs; i++) {
		logs[i].path = in->logs[i];
		if (file_read_bounded(in->logs[i], TREE_LOG_MAX, &logs[i].buf, &logs[i].len, err, errlen))
			return -1;
		if (sha256_bytes(logs[i].buf, logs[i].len, logs[i].sha256))
			return errf(err, errlen, "%s: cannot hash it", in->logs[i]);
	}
	return 0;
}

static int member_load(struct member *m, const struct tree_input *in, const struct given_log *logs,
		       struct tree_result *r, char *err, size_t errlen)
{
	if (bundle_read_file(m->path, &m->b, err, errlen))
		return -1;
	m->have_bundle = true;
	if (member_statement(m, err, errlen))
		return -1;
	if (member_evidence(m, in, r))
		return errf(err, errlen, "out of memory");
	return member_log(m, logs, in->nlogs, r, err, errlen);
}

static void member_free(struct member *m)
{
	if (m->have_bundle)
		bundle_free(&m->b);
	json_decref(m->statement);
	if (m->have_log)
		log_file_free(&m->log);
	remote_jobs_free(&m->jobs);
	free(m->job_used);
}

static int tree_check_all(struct member *client, struct member *w, size_t nw, struct tree_result *r)
{
	for (size_t i = 0; i < nw; i++)
		if (worker_record(&w[i], r))
			return -1;
	if (client->usable && client_record(client, w, nw, r))
		return -1;
	for (size_t i = 0; client->usable && i < client->jobs.n; i++)
		if (job_check(client, &client->jobs.v[i], w, nw, r))
			return -1;
	r->jobs = client->jobs.n;
	r->workers = nw;
	r->complete = r->jobs > 0;
	for (size_t i = 0; i < r->n; i++)
		r->complete &= r->checks[i].passed;
	if (client->usable && !r->jobs)
		return check_add_tree(r, false, "client", client->path, "its log shows no remote job");
	return 0;
}

int verify_tree(const struct tree_input *in, struct tree_result *out, char *err, size_t errlen)
{
	struct given_log *logs = calloc(in->nlogs ? in->nlogs : 1, sizeof(*logs));
	struct member *m = calloc(in->nworkers + 1, sizeof(*m));
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!logs || !m) {
		errf(err, errlen, "out of memory");
		goto done;
	}
	if (logs_read(in, logs, err, errlen))
		goto done;
	m[0].path = in->client;
	for (size_t i = 0; i < in->nworkers; i++) {
		m[i + 1].path = in->workers[i];
		m[i + 1].worker = true;
	}
	for (size_t i = 0; i <= in->nworkers; i++)
		if (member_load(&m[i], in, logs, out, err, errlen))
			goto done;
	rc = tree_check_all(&m[0], m + 1, in->nworkers, out);
	if (rc)
		errf(err, errlen, "out of memory");
done:
	for (size_t i = 0; m && i <= in->nworkers; i++)
		member_free(&m[i]);
	for (size_t i = 0; logs && i < in->nlogs; i++)
		free(logs[i].buf);
	free(logs);
	free(m);
	if (rc)
		tree_result_free(out);
	return rc;
}

void tree_result_free(struct tree_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].subject);
		free(r->checks[i].detail);
	}
	free(r->checks);
	memset(r, 0, sizeof(*r));
}
