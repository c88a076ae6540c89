/* SPDX-License-Identifier: MIT */
/*
 * What the tests/real-builds programs share: a real build system's project
 * copied twice into a scratch directory, built once under `kettle run
 * --provenance` (copy k/) and once under strace -f (copy s/), then the
 * checks a user would make: the outputs are the subjects with their digests,
 * the verdict (complete, or incomplete with a named reason), and recall
 * against strace of execs and opens (tests/strace_recall.h).
 *
 * KETTLE_REAL_BUILDS_BENCH=FILE: each traced step also builds a third copy
 * (u/) untraced and appends one JSON line with its figures to FILE
 * (tools/bench/real-builds reads them).
 */
#ifndef KETTLE_REAL_BUILD_H
#define KETTLE_REAL_BUILD_H

#include <fnmatch.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <time.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "kettle_test.h"
#include "provenance/completeness.h"
#include "strace_recall.h"

struct rb {
	char name[64];
	char root[256];
	char k[300], s[300], u[300];    /* the traced copy, the strace copy, the untraced copy (bench) */
	const char *bench;              /* KETTLE_REAL_BUILDS_BENCH */
	int step;
	/*
	 * Paths the build opens in some runs and not in others (strace watches
	 * another run than kettle's): missing only these is no miss.  Each entry
	 * needs a same-run check (strace inside kettle run) that both see it.
	 */
	const char *const *timing_dependent;
};

/* Takes the timing-dependent paths out of R when nothing else is missing besides them. */
static inline void rb_drop_timing_dependent(const struct rb *rb, struct recall *r)
{
	size_t missed = r->total - r->found, kept = 0;

	if (!rb->timing_dependent || missed > sizeof(r->missing) / sizeof(r->missing[0]))
		return;
	for (size_t i = 0; i < missed; i++) {
		bool drop = false;

		for (const char *const *p = rb->timing_dependent; *p; p++)
			drop |= !strcmp(*p, r->missing[i]);
		if (!drop && kept != i)
			memcpy(r->missing[kept], r->missing[i], sizeof(r->missing[kept]));
		kept += !drop;
	}
	r->total -= missed - kept;
}

struct rb_result {
	int kettle_status;              /* kettle run's exit code */
	json_t *stmt;                   /* the provenance */
	json_t *completeness;           /* its build-log completeness (borrowed) */
	bool complete;
	struct recall execs, opens;
	size_t events;
	double traced_s, strace_s, untraced_s;
	char log[400], prov[400], out[400];
};

static inline double rb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whether every program is on PATH; else a skip naming the first missing one (and its package). */
static inline int rb_need(const char *const progs[][2])
{
	for (int i = 0; progs[i][0]; i++)
		if (test_sh("command -v '%s' >/dev/null 2>&1", progs[i][0]) != 0)
			return test_skip("%s not installed (Debian package %s; tools/install-deps installs it)",
					 progs[i][0], progs[i][1]);
	if (test_sh("command -v strace >/dev/null 2>&1") != 0)
		return test_skip("strace not installed (tools/install-deps installs it)");
	return bpf_usable();
}

/*
 * A fresh scratch directory for case NAME with copies k/ and s/ (and u/ for
 * the benchmark) of tests/real-builds/projects/FIXTURE (NULL: empty copies).
 */
static inline int rb_setup(struct rb *rb, const char *name, const char *fixture)
{
	memset(rb, 0, sizeof(*rb));
	snprintf(rb->name, sizeof(rb->name), "%s", name);
	rb->bench = getenv("KETTLE_REAL_BUILDS_BENCH");
	test_tmpdir(rb->root, sizeof(rb->root), name);
	snprintf(rb->k, sizeof(rb->k), "%s/k", rb->root);
	snprintf(rb->s, sizeof(rb->s), "%s/s", rb->root);
	snprintf(rb->u, sizeof(rb->u), "%s/u", rb->root);
	for (int i = 0; i < (rb->bench ? 3 : 2); i++) {
		const char *d = i == 0 ? rb->k : i == 1 ? rb->s : rb->u;

		if (test_sh("mkdir -p '%s'", d) != 0)
			return -1;
		if (fixture && test_sh("cp -a '%s/tests/real-builds/projects/%s/.' '%s/'", KETTLE_SOURCE_DIR,
				       fixture, d) != 0)
			return -1;
	}
	return 0;
}

/* Runs the shell command CMD in directory DIR, output to LOG (appended); its exit status or -1. */
static inline int rb_sh_in(const char *dir, const char *cmd, const char *log)
{
	return test_sh("cd '%s' && { %s ; } >>'%s' 2>&1", dir, cmd, log);
}

/* Runs CMD (untraced: preparing a step) in every copy; 0 when it succeeded in all. */
static inline int rb_all(struct rb *rb, const char *cmd)
{
	char log[400];

	snprintf(log, sizeof(log), "%s/prepare.log", rb->root);
	for (int i = 0; i < (rb->bench ? 3 : 2); i++) {
		const char *d = i == 0 ? rb->k : i == 1 ? rb->s : rb->u;

		if (rb_sh_in(d, cmd, log) != 0) {
			fprintf(stderr, "  in %s: `%s` failed; see %s\n", d, cmd, log);
			return -1;
		}
	}
	return 0;
}

/* Runs `kettle run --provenance PROV --allow-incomplete OPTS -- sh -c CMD` in DIR, output into OUT; its exit code, or -1. */
static inline int rb_kettle(const char *dir, const char *log, const char *prov, const char *const opts[],
			    const char *cmd, const char *out)
{
	const char *all[40] = { "--provenance", prov, "--allow-incomplete" };
	const char *const sh[] = { "sh", "-c", cmd, NULL };
	int n = 3, status;
	pid_t pid;

	for (int i = 0; opts && opts[i] && n < 39; i++)
		all[n++] = opts[i];
	pid = kettle_start_in(dir, log, all, sh, out, true);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

/* S as one single-quoted shell word. */
static inline void rb_quote(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	out[o++] = '\'';
	for (; *s && o + 6 < outlen; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	out[o++] = '\'';
	out[o] = '\0';
}

static inline void rb_result_free(struct rb_result *r)
{
	json_decref(r->stmt);
	memset(r, 0, sizeof(*r));
}

/* The statement's build-log completeness annotation, or NULL. */
static inline json_t *rb_completeness(json_t *stmt)
{
	json_t *bp = json_object_get(json_object_get(json_object_get(stmt, "predicate"), "runDetails"), "byproducts");
	size_t i;
	json_t *b;

	json_array_foreach(bp, i, b)
		if (json_is_string(json_object_get(b, "name")) &&
		    !strcmp(json_string_value(json_object_get(b, "name")), "build-log"))
			return json_object_get(json_object_get(b, "annotations"), "completeness");
	return NULL;
}

/* Prints the verdict's reasons to stderr (on a failure). */
static inline void rb_print_reasons(const struct rb_result *r)
{
	json_t *reasons = json_object_get(r->completeness, "reasons"), *x;
	size_t i;

	fprintf(stderr, "  complete=%s, %zu reason(s) (%s):\n", r->complete ? "true" : "false",
		json_array_size(reasons), r->prov);
	json_array_foreach(reasons, i, x) {
		char line[1024];

		if (i == 10)
			break;
		completeness_reason_line(x, line, sizeof(line));
		fprintf(stderr, "    %s\n", line);
	}
}

/*
 * One traced step: CMD (a shell command) in k/ under kettle run with OPTS,
 * and in s/ under strace -f; in u/ untraced when benchmarking.  Fills R and
 * returns 0 when both builds exited 0 and the log, the provenance and the
 * trace could be read; else -1 with the cause on stderr.
 */
static inline int rb_step(struct rb *rb, const char *cmd, const char *const opts[], struct rb_result *r)
{
	char trace[400], strace_cmd[2400], quoted[1800], out[400], err[512];
	struct strace_seen ss = { 0 };
	struct log_seen ks = { 0 };
	struct log_file f = { 0 };
	json_error_t je;
	double t0;
	int st, rc = -1;

	memset(r, 0, sizeof(*r));
	rb->step++;
	snprintf(r->log, sizeof(r->log), "%s/step%d.cbor", rb->root, rb->step);
	snprintf(r->prov, sizeof(r->prov), "%s/step%d.prov.json", rb->root, rb->step);
	snprintf(r->out, sizeof(r->out), "%s/step%d.kettle.out", rb->root, rb->step);
	snprintf(trace, sizeof(trace), "%s/step%d.strace", rb->root, rb->step);
	snprintf(out, sizeof(out), "%s/step%d.strace.out", rb->root, rb->step);
	t0 = rb_now();
	r->kettle_status = rb_kettle(rb->k, r->log, r->prov, opts, cmd, r->out);
	r->traced_s = rb_now() - t0;
	if (r->kettle_status != 0) {
		fprintf(stderr, "  kettle run -- sh -c '%s' exited %d; its output: %s\n", cmd, r->kettle_status, r->out);
		test_sh("tail -n 15 '%s' >&2", r->out);
		return -1;
	}
	t0 = rb_now();
	rb_quote(cmd, quoted, sizeof(quoted));
	snprintf(strace_cmd, sizeof(strace_cmd), "strace -f -qq -y --seccomp-bpf -e trace=%s -o '%s' sh -c %s",
		 STRACE_CALLS, trace, quoted);
	st = rb_sh_in(rb->s, strace_cmd, out);
	r->strace_s = rb_now() - t0;
	if (st != 0) {
		fprintf(stderr, "  the strace copy's build exited %d; its output: %s\n", st, out);
		return -1;
	}
	if (rb->bench) {
		snprintf(out, sizeof(out), "%s/step%d.untraced.out", rb->root, rb->step);
		t0 = rb_now();
		st = rb_sh_in(rb->u, cmd, out);
		r->untraced_s = rb_now() - t0;
		if (st != 0) {
			fprintf(stderr, "  the untraced copy's build exited %d; its output: %s\n", st, out);
			return -1;
		}
	}
	r->stmt = json_load_file(r->prov, 0, &je);
	if (!r->stmt) {
		fprintf(stderr, "  %s: %s\n", r->prov, je.text);
		return -1;
	}
	r->completeness = rb_completeness(r->stmt);
	if (!json_is_boolean(json_object_get(r->completeness, "complete"))) {
		fprintf(stderr, "  %s: no build-log completeness.complete\n", r->prov);
		return -1;
	}
	r->complete = json_is_true(json_object_get(r->completeness, "complete"));
	err[0] = '\0';
	if (log_load(r->log, &f))
		return -1;
	r->events = f.nevents;
	if (strace_read(trace, &ss, err, sizeof(err))) {
		fprintf(stderr, "  %s\n", err);
		goto out;
	}
	if (log_seen_read(&f, &ks) || recall_compute(&ss, &ks, rb->s, rb->k, &r->execs, &r->opens)) {
		fprintf(stderr, "  out of memory comparing with strace\n");
		goto out;
	}
	rb_drop_timing_dependent(rb, &r->opens);
	rc = 0;
	if (rb->bench) {
		FILE *b = fopen(rb->bench, "a");
		json_t *reasons = json_object_get(r->completeness, "reasons"), *x;
		size_t i;

		if (!b) {
			fprintf(stderr, "  %s: %s\n", rb->bench, strerror(errno));
			rc = -1;
			goto out;
		}
		fprintf(b, "{\"case\":\"%s\",\"step\":%d,\"events\":%zu,\"exec_total\":%zu,\"exec_found\":%zu,"
			"\"open_total\":%zu,\"open_found\":%zu,\"complete\":%s,\"traced_s\":%.3f,\"strace_s\":%.3f,"
			"\"untraced_s\":%.3f,\"reasons\":[", rb->name, rb->step, r->events, r->execs.total, r->execs.found,
			r->opens.total, r->opens.found, r->complete ? "true" : "false", r->traced_s, r->strace_s,
			r->untraced_s);
		json_array_foreach(reasons, i, x)
			fprintf(b, "%s\"%s\"", i ? "," : "", json_string_value(json_object_get(x, "reason")));
		fprintf(b, "]}\n");
		if (fclose(b)) {
			rc = -1;
			goto out;
		}
	}
out:
	strace_seen_free(&ss);
	log_seen_free(&ks);
	log_file_free(&f);
	return rc;
}

/* Whether recall against strace is 100% for execs and for opens (the misses on stderr). */
static inline bool rb_recall_full(const struct rb_result *r)
{
	bool e = recall_full("execs", &r->execs), o = recall_full("opens", &r->opens);

	if (r->execs.total == 0 || r->opens.total == 0) {
		fprintf(stderr, "  strace saw %zu execs and %zu opens: the comparison compared nothing\n",
			r->execs.total, r->opens.total);
		return false;
	}
	return e && o;
}

/* Whether the verdict names REASON, with WHAT in its path or detail when WHAT is given. */
static inline bool rb_has_reason(const struct rb_result *r, const char *reason, const char *what)
{
	json_t *reasons = json_object_get(r->completeness, "reasons"), *x;
	size_t i;

	json_array_foreach(reasons, i, x) {
		const char *code = json_string_value(json_object_get(x, "reason"));
		const char *path = json_string_value(json_object_get(x, "path"));
		const char *detail = json_string_value(json_object_get(x, "detail"));

		if (!code || strcmp(code, reason))
			continue;
		if (!what || (path && strstr(path, what)) || (detail && strstr(detail, what)))
			return true;
	}
	return false;
}

/* SHA-256 of the file PATH as lowercase hex; 0 or -1. */
static inline int rb_sha256(const char *path, char hex[65])
{
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = -1;

	if (f && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (EVP_DigestUpdate(ctx, buf, n) != 1)
				break;
		if (!ferror(f) && feof(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
			for (int i = 0; i < 32; i++)
				sprintf(hex + 2 * i, "%02x", md[i]);
			rc = 0;
		}
	}
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * Whether the provenance's subjects are the build's outputs: each path of
 * OUTPUTS (relative to k/, symlinks resolved) is a subject whose digest is the
 * file's SHA-256 now, and every subject is a file that exists with its digest.
 */
static inline bool rb_subjects_are(const struct rb *rb, const struct rb_result *r, const char *const outputs[])
{
	json_t *subjects = json_object_get(r->stmt, "subject"), *s;
	bool ok = json_array_size(subjects) > 0;
	size_t i;

	if (!ok)
		fprintf(stderr, "  no subject in %s\n", r->prov);
	json_array_foreach(subjects, i, s) {
		const char *uri = json_string_value(json_object_get(s, "uri"));
		const char *want = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
		char hex[65];

		if (!uri || strncmp(uri, "file://", 7) || !want || rb_sha256(uri + 7, hex) || strcmp(hex, want)) {
			fprintf(stderr, "  subject %s: not an existing file with its digest\n", uri ? uri : "?");
			ok = false;
		}
	}
	for (int o = 0; outputs[o]; o++) {
		char path[700], real[PATH_MAX], hex[65];
		bool found = false;

		snprintf(path, sizeof(path), "%s/%s", rb->k, outputs[o]);
		if (!realpath(path, real) || rb_sha256(real, hex)) {
			fprintf(stderr, "  the build's output %s is not there\n", path);
			ok = false;
			continue;
		}
		json_array_foreach(subjects, i, s) {
			const char *uri = json_string_value(json_object_get(s, "uri"));
			const char *d = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));

			found |= uri && d && !strncmp(uri, "file://", 7) && !strcmp(uri + 7, real) && !strcmp(d, hex);
		}
		if (!found) {
			fprintf(stderr, "  the build's output %s (sha256 %s) is not a subject of %s\n", real, hex, r->prov);
			ok = false;
		}
	}
	return ok;
}

/* A build that should be complete: OUTPUTS are its subjects, the verdict is complete, recall is full. */
static inline bool rb_complete_as_expected(const struct rb *rb, const struct rb_result *r, const char *const outputs[])
{
	bool subjects = rb_subjects_are(rb, r, outputs), recall = rb_recall_full(r);

	if (!r->complete)
		rb_print_reasons(r);
	return subjects && recall && r->complete;
}

/*
 * A build served by a daemon started before it: OUTPUTS are its subjects,
 * recall is full, and the verdict is incomplete with a daemon reason naming
 * one of PEERS (such as "127.0.0.1:PORT").
 */
static inline bool rb_daemon_as_expected(const struct rb *rb, const struct rb_result *r, const char *const outputs[],
					 const char *const peers[])
{
	bool subjects = rb_subjects_are(rb, r, outputs), recall = rb_recall_full(r), named = false;

	for (int i = 0; peers[i]; i++)
		named |= rb_has_reason(r, "daemon", peers[i]);
	if (r->complete || !named) {
		fprintf(stderr, "  expected: incomplete, a daemon reason naming %s%s\n", peers[0], peers[1] ? " (or another)" : "");
		rb_print_reasons(r);
	}
	return subjects && recall && !r->complete && named;
}

/* Removes the scratch directory (kept when KETTLE_KEEP_TEST_DIRS is set, for a look after a failure). */
static inline void rb_cleanup(struct rb *rb)
{
	if (!getenv("KETTLE_KEEP_TEST_DIRS") && rb->root[0])
		test_sh("rm -rf '%s'", rb->root);
}

/* A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice), or 0. */
static inline int rb_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd < 0)
		return 0;
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) && !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

#endif
