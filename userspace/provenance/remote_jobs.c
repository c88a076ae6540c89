// SPDX-License-Identifier: MIT
/* The remote compile jobs of a client or worker log (distcc), with the digests that tie them together. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "attest/report_data.h"
#include "common/errf.h"
#include "common/grow.h"
#include "common/hex.h"
#include "log/net_summary.h"
#include "log/proc_exe.h"
#include "provenance/remote_jobs.h"

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

/* distcc's preprocessed source: what a client sends and a worker compiles. */
static bool is_preprocessed(const char *path)
{
	return path && (ends_with(path, ".i") || ends_with(path, ".ii"));
}

static bool is_object(const char *path)
{
	return path && ends_with(path, ".o");
}

static bool tcp_address(const struct log_event *ev)
{
	return (ev->net.family == AF_INET || ev->net.family == AF_INET6) && ev->net.addr_source != LOG_ADDR_NONE &&
	       ev->net.port != 53 && (!ev->net.sock_type || ev->net.sock_type == SOCK_STREAM);
}

static struct remote_job *job_add(struct remote_jobs *j, const struct log_event *ev)
{
	struct remote_job *job;

	if (grow_array((void **)&j->v, &j->cap, j->n + 1, sizeof(*j->v), 16))
		return NULL;
	job = &j->v[j->n++];
	memset(job, 0, sizeof(*job));
	job->pid = ev->tgid;
	job->ts_ns = ev->ts_ns;
	net_endpoint_format(ev, job->peer, sizeof(job->peer));
	return job;
}

/* The job process TGID is doing at TS: its latest one begun by then; NULL when none. */
static struct remote_job *job_of(struct remote_jobs *j, uint32_t tgid, uint64_t ts)
{
	for (size_t i = j->n; i-- > 0;)
		if (j->v[i].pid == tgid && j->v[i].ts_ns <= ts)
			return &j->v[i];
	return NULL;
}

/*
 * The digest of PATH's content as the job used it: the content it had when
 * deleted, the first time after SINCE (a temporary), else its content at the
 * end of the build.  A digest flagged changed is not the content: not used.
 */
static bool content_digest(const struct log_file *f, const char *path, uint64_t since, uint8_t out[32])
{
	const struct log_digest *end = NULL;

	for (size_t i = 0; i < f->ndigests; i++) {
		const struct log_digest *d = &f->digests[i];

		if (d->kind != LOG_DIGEST_OUTPUT || d->result ||
		    (d->flags & (LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING)) || strcmp(d->path, path))
			continue;
		if (d->flags & LOG_DIGEST_AT_DELETE) {
			if (d->boot_ns >= since) {
				memcpy(out, d->sha256, 32);
				return true;
			}
		} else {
			end = d;
		}
	}
	if (end)
		memcpy(out, end->sha256, 32);
	return end != NULL;
}

static bool exec_digest(const struct log_file *f, const char *path, uint8_t out[32])
{
	for (size_t i = 0; i < f->ndigests; i++) {
		const struct log_digest *d = &f->digests[i];

		if (d->kind == LOG_DIGEST_EXEC && !d->result && !(d->flags & (LOG_DIGEST_CHANGED |
		    LOG_DIGEST_CHANGED_DURING)) && !strcmp(d->path, path)) {
			memcpy(out, d->sha256, 32);
			return true;
		}
	}
	return false;
}

/* The opens of a job's process: the preprocessed source and the object it handled. */
bool remote_jobs_uses_open(const struct log_event *ev)
{
	return ev->open.result >= 0 && (is_preprocessed(ev->open.path) || is_object(ev->open.path));
}

static void job_open(struct remote_job *job, const struct log_event *ev, bool worker)
{
	uint64_t acc = ev->open.flags & O_ACCMODE;

	if (!remote_jobs_uses_open(ev))
		return;
	if (is_preprocessed(ev->open.path))
		job->source = ev->open.path;
	/* a client writes the object it got; a worker reads the one it sends */
	else if (is_object(ev->open.path) && (worker ? acc != O_WRONLY : acc != O_RDONLY))
		job->object = ev->open.path;
}

static void jobs_digests(const struct log_file *f, struct remote_jobs *j)
{
	for (size_t i = 0; i < j->n; i++) {
		struct remote_job *job = &j->v[i];

		job->has_source = job->source && content_digest(f, job->source, job->ts_ns, job->source_sha256);
		job->has_object = job->object && content_digest(f, job->object, job->ts_ns, job->object_sha256);
		job->has_compiler = job->compiler && exec_digest(f, job->compiler, job->compiler_sha256);
	}
}

/*
 * Keeps the jobs that are compiles: a client connect that sent no
 * preprocessed source is one only when distcc made it (a job whose source
 * the log lacks is still one, for a verifier to see missing), a worker's
 * accept only when it received a source or ran a compiler; any other TCP
 * connection is not a compile.
 */
static void jobs_keep_compiles(struct remote_jobs *j, bool worker)
{
	size_t kept = 0;

	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].source || (worker ? j->v[i].compiler != NULL : j->v[i].distcc))
			j->v[kept++] = j->v[i];
	j->n = kept;
}

int remote_jobs_client(const struct log_file *f, struct remote_jobs *out)
{
	struct proc_exe_map exes = { 0 };

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *ev = &f->events[i];
		struct remote_job *job;
		const char *exe;

		if (proc_exe_event(&exes, ev)) {
			proc_exe_free(&exes);
			return -ENOMEM;
		}
		if (ev->type == LOG_EV_NET && ev->net.call == LOG_NET_CONNECT && tcp_address(ev) &&
		    (ev->net.result >= 0 || ev->net.result == -EINPROGRESS)) {
			/* one compile per distcc process: a later connect (another worker tried) replaces the peer */
			job = job_of(out, ev->tgid, ev->ts_ns);
			exe = proc_exe_get(&exes, ev->tgid);
			if (job)
				net_endpoint_format(ev, job->peer, sizeof(job->peer));
			else if (!(job = job_add(out, ev)))
				return proc_exe_free(&exes), -ENOMEM;
			job->distcc = exe && ends_with(exe, "/distcc");
		}
	}
	proc_exe_free(&exes);
	/*
	 * The preprocessed source may be made before the connect: any open by
	 * the job's process counts, and the compiler is the first program a
	 * child of it ran (the preprocessor's driver, gcc -E).
	 */
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *ev = &f->events[i];
		struct remote_job *job;

		if (ev->type == LOG_EV_OPEN && (job = job_of(out, ev->tgid, UINT64_MAX)))
			job_open(job, ev, false);
		if (ev->type == LOG_EV_EXEC && (job = job_of(out, ev->exec.ppid, UINT64_MAX)) && !job->compiler)
			job->compiler = ev->exec.exe;
	}
	jobs_keep_compiles(out, false);
	for (size_t i = 0; i < out->n; i++)
		out->v[i].ts_ns = 0;    /* the source's temporary may be deleted before the connect */
	jobs_digests(f, out);
	return 0;
}

int remote_jobs_worker(const struct log_file *f, struct remote_jobs *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *ev = &f->events[i];
		struct remote_job *job;

		if (ev->type == LOG_EV_NET && tcp_address(ev) && ev->net.result >= 0) {
			if (ev->net.call == LOG_NET_LISTEN || (ev->net.call == LOG_NET_BIND && !out->listen[0]))
				net_endpoint_format(ev, out->listen, sizeof(out->listen));
			else if ((ev->net.call == LOG_NET_ACCEPT || ev->net.call == LOG_NET_ACCEPT4) && !job_add(out, ev))
				return -ENOMEM;
			continue;
		}
		if (ev->type == LOG_EV_OPEN && (job = job_of(out, ev->tgid, ev->ts_ns)))
			job_open(job, ev, true);
		/* the compiler: the first program a child of the serving process ran during the job */
		if (ev->type == LOG_EV_EXEC && (job = job_of(out, ev->exec.ppid, ev->ts_ns)) && !job->compiler)
			job->compiler = ev->exec.exe;
	}
	jobs_keep_compiles(out, true);
	jobs_digests(f, out);
	return 0;
}

void remote_jobs_free(struct remote_jobs *j)
{
	free(j->v);
	memset(j, 0, sizeof(*j));
}

const char *remote_job_missing(const struct remote_job *job)
{
	if (!job->source)
		return "no preprocessed source (.i) in the log";
	if (!job->has_source)
		return "no digest of the preprocessed source";
	if (!job->object)
		return "no object (.o) in the log";
	if (!job->has_object)
		return "no digest of the object";
	if (!job->compiler)
		return "no compiler executed for it";
	if (!job->has_compiler)
		return "no digest of the compiler it executed";
	return NULL;
}

static json_t *file_json(const char *path, bool has, const uint8_t sha[32])
{
	char h[65];

	if (has)
		hex_encode(sha, 32, h);
	return json_pack("{s:o, s:o}", "path", path ? json_string(path) : json_null(),
			 "sha256", has ? json_string(h) : json_null());
}

static json_t *job_json(const struct remote_job *job)
{
	const char *missing = remote_job_missing(job);
	json_t *o = json_pack("{s:s, s:o, s:o}", "peer", job->peer,
			      "source", file_json(job->source, job->has_source, job->source_sha256),
			      "object", file_json(job->object, job->has_object, job->object_sha256));

	if (o && json_object_set_new(o, "compiler", file_json(job->compiler, job->has_compiler, job->compiler_sha256)))
		o = (json_decref(o), NULL);
	if (o && missing && json_object_set_new(o, "missing", json_string(missing)))
		o = (json_decref(o), NULL);
	return o;
}

json_t *remote_jobs_json(const struct remote_jobs *j, bool worker)
{
	json_t *jobs = json_array(), *o;

	for (size_t i = 0; jobs && i < j->n; i++)
		if (json_array_append_new(jobs, job_json(&j->v[i])))
			jobs = (json_decref(jobs), NULL);
	if (!jobs)
		return NULL;
	o = json_pack("{s:o}", "jobs", jobs);
	if (o && worker && json_object_set_new(o, "listen", json_string(j->listen)))
		o = (json_decref(o), NULL);
	return o;
}

const json_t *remote_statement_build_log(const json_t *st)
{
	const json_t *bp = json_object_get(json_object_get(json_object_get(st, "predicate"), "runDetails"),
					   "byproducts"), *x;
	size_t i;

	json_array_foreach(bp, i, x) {
		const char *name = json_string_value(json_object_get(x, "name"));

		if (name && !strcmp(name, "build-log"))
			return x;
	}
	return NULL;
}

/* The servedJobs annotation of a statement, or NULL. */
static const json_t *served_jobs(const json_t *st)
{
	return json_object_get(json_object_get(remote_statement_build_log(st), "annotations"), "servedJobs");
}

static bool sha_is(const json_t *file, const uint8_t sha[32])
{
	const char *hex = json_string_value(json_object_get(file, "sha256"));
	char want[65];

	hex_encode(sha, 32, want);
	return hex && !strcmp(hex, want);
}

/* Whether SERVED (a servedJobs annotation) holds a job that served JOB. */
static bool served_by(const json_t *served, const struct remote_job *job)
{
	const char *listen = json_string_value(json_object_get(served, "listen"));
	const json_t *x;
	size_t i;

	if (!listen || strcmp(listen, job->peer) || !job->has_source || !job->has_object)
		return false;
	json_array_foreach(json_object_get(served, "jobs"), i, x)
		if (sha_is(json_object_get(x, "source"), job->source_sha256) &&
		    sha_is(json_object_get(x, "object"), job->object_sha256))
			return true;
	return false;
}

static json_t *worker_dep(const struct remote_job *job, const char *name, const uint8_t st_sha[32])
{
	char src[65], obj[65], st[65], uri[REMOTE_ENDPOINT_MAX + 100];

	hex_encode(job->source_sha256, 32, src);
	hex_encode(job->object_sha256, 32, obj);
	hex_encode(st_sha, 32, st);
	snprintf(uri, sizeof(uri), "distcc://%s/source/sha256:%s", job->peer, src);
	return json_pack("{s:s, s:{s:s}, s:{s:s, s:{s:s}}}", "uri", uri, "digest", "sha256", st,
			 "annotations", "workerStatement", name, "object", "sha256", obj);
}

json_t *remote_jobs_worker_deps(const struct remote_jobs *client, const struct remote_worker_statement *w, size_t n,
				char *err, size_t errlen)
{
	json_t **st = calloc(n ? n : 1, sizeof(*st)), *deps = json_array();
	uint8_t (*sha)[32] = calloc(n ? n : 1, 32);
	json_error_t jerr;

	if (!st || !sha || !deps) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		st[i] = json_loadb((const char *)w[i].bytes, w[i].len, JSON_REJECT_DUPLICATES, &jerr);
		if (!st[i]) {
			errf(err, errlen, "%s: not JSON: %s", w[i].name, jerr.text);
			goto fail;
		}
		if (!json_is_object(served_jobs(st[i]))) {
			errf(err, errlen, "%s: not a worker's statement (its build log lists no servedJobs)", w[i].name);
			goto fail;
		}
		if (sha256_bytes(w[i].bytes, w[i].len, sha[i])) {
			errf(err, errlen, "%s: cannot hash it", w[i].name);
			goto fail;
		}
	}
	for (size_t j = 0; j < client->n; j++)
		for (size_t i = 0; i < n; i++)
			if (served_by(served_jobs(st[i]), &client->v[j])) {
				if (json_array_append_new(deps, worker_dep(&client->v[j], w[i].name, sha[i]))) {
					errf(err, errlen, "out of memory");
					goto fail;
				}
				break;
			}
	goto done;
fail:
	json_decref(deps);
	deps = NULL;
done:
	for (size_t i = 0; st && i < n; i++)
		json_decref(st[i]);
	free(st);
	free(sha);
	return deps;
}
