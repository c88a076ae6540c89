// SPDX-License-Identifier: MIT
/*
 * kettle run --provenance and kettle provenance on a real traced build of
 * tests/sample: subjects and dependencies with the digests sha256sum gives,
 * the git source, byproducts, identical bytes on a rerun, and the refusals.
 */
#include <jansson.h>

#include "kettle_test.h"
#include "provenance_check.h"

/* Runs ARGV in DIR with stdout and stderr to OUT and ERR (NULL: /dev/null); its exit code, or -1. */
static int run_in(const char *dir, const char *const argv[], const char *out, const char *err)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int o = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 || (dir && chdir(dir)))
			_exit(125);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 8192);

			if (!b)
				break;
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		if (!got)
			break;
		n += got;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static bool file_has(const char *path, const char *text)
{
	size_t len;
	char *s = slurp(path, &len);
	bool has = s && strstr(s, text);

	if (!has)
		fprintf(stderr, "  %s does not say \"%s\": %s\n", path, text, s ? s : "(unreadable)");
	free(s);
	return has;
}

/* The coreutils sha256sum of PATH, as lowercase hex. */
static int sha256sum(const char *path, char hex[65])
{
	char cmd[4200];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum -- '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fscanf(p, "%64s", hex) == 1;
	return pclose(p) == 0 && ok && strlen(hex) == 64 ? 0 : -1;
}

static int capture(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

/* ---- one traced build of the sample, shared by the tests ---- */

static struct {
	bool tried, ok;
	char dir[256], log[300], src[300], stmt[300], err[300];
	json_t *st;
} sample;

static const char *kettle_bin(void)
{
	static char path[512];

	if (!path[0])
		test_path(path, sizeof(path), "", "kettle");
	return path;
}

static bool sample_build(void)
{
	char cmd[5600], sample_src[4096];
	size_t len;
	char *bytes;

	if (sample.tried)
		return sample.ok;
	sample.tried = true;
	test_workdir("provenance", sample.dir, sample.log);
	snprintf(sample.src, sizeof(sample.src), "%s/src", sample.dir);
	snprintf(sample.stmt, sizeof(sample.stmt), "%s/statement.json", sample.dir);
	snprintf(sample.err, sizeof(sample.err), "%s/run.err", sample.dir);
	if (!realpath("tests/sample", sample_src))
		return false;
	/* A checkout whose remote URL carries a credential that must not reach the log; built from
	 * clean, whatever an earlier build of tests/sample left there. */
	snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s' && cd '%s' && make -s clean && git init -q . && git add -A && "
		 "git -c user.name=t -c user.email=t@example.com commit -qm sample && "
		 "git remote add origin https://builder:s3cret@example.com/org/sample.git", sample_src, sample.src,
		 sample.src);
	if (system(cmd) != 0) {
		fprintf(stderr, "  cannot prepare %s\n", sample.src);
		return false;
	}
	const char *argv[] = { kettle_bin(), "run", "--no-progress", "-o", sample.log, "--provenance", sample.stmt,
			       "--", "make", NULL };
	int rc = run_in(sample.src, argv, NULL, sample.err);

	if (rc != 0) {
		fprintf(stderr, "  kettle run --provenance exited %d\n", rc);
		file_has(sample.err, "(stderr)");
		return false;
	}
	bytes = slurp(sample.stmt, &len);
	sample.ok = bytes && statement_bytes_valid(bytes, len, &sample.st);
	free(bytes);
	return sample.ok;
}

static json_t *deps(void)
{
	return json_object_get(json_object_get(json_object_get(sample.st, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
}

static json_t *dep_by_uri(const char *uri)
{
	size_t i;
	json_t *d;

	json_array_foreach(deps(), i, d)
		if (!strcmp(json_string_value(json_object_get(d, "uri")), uri))
			return d;
	return NULL;
}

static const char *sha256_of_entry(const json_t *e)
{
	return json_string_value(json_object_get(json_object_get(e, "digest"), "sha256"));
}

static int ready(void)
{
	int rc = bpf_usable();

	if (rc)
		return rc;
	return sample_build() ? TEST_PASS : TEST_FAIL;
}

/* ---- tests ---- */

static int subjects_are_the_outputs_with_their_sha256sum(void)
{
	static const char *const want[] = { "greet.o", "hello", "hello.tar", "main.o", "version.h" };
	json_t *subj, *s;
	size_t i;
	int rc = ready();

	if (rc)
		return rc;
	subj = json_object_get(sample.st, "subject");
	CHECK(json_array_size(subj) == 5, "%zu subjects", json_array_size(subj));
	json_array_foreach(subj, i, s) {
		char path[600], hex[65];

		CHECK(!strcmp(json_string_value(json_object_get(s, "name")), want[i]), "subject %zu is %s, want %s", i,
		      json_string_value(json_object_get(s, "name")), want[i]);
		snprintf(path, sizeof(path), "%s/%s", sample.src, want[i]);
		CHECK(sha256sum(path, hex) == 0, "sha256sum %s", path);
		CHECK(!strcmp(sha256_of_entry(s), hex), "%s: statement %s, sha256sum %s", want[i], sha256_of_entry(s), hex);
	}
	return TEST_PASS;
}

static int sources_headers_and_compiler_are_dependencies(void)
{
	static const char *const srcs[] = { "main.c", "greet.c", "greet.h", "VERSION", "Makefile" };
	char cc[4096], path[4400], uri[4500], hex[65];
	bool cc1 = false;
	json_t *d;
	size_t i;
	int rc = ready();

	if (rc)
		return rc;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", sample.src, srcs[i]);
		snprintf(uri, sizeof(uri), "file://%s", path);
		d = dep_by_uri(uri);
		CHECK(d, "no dependency %s", uri);
		CHECK(sha256sum(path, hex) == 0 && sha256_of_entry(d) && !strcmp(sha256_of_entry(d), hex),
		      "%s: digest differs from sha256sum", srcs[i]);
	}
	CHECK(dep_by_uri("file:///usr/include/stdio.h"), "stdio.h is not a dependency");
	CHECK(capture("readlink -f \"$(command -v cc)\"", cc, sizeof(cc)) == 0, "where is cc");
	snprintf(uri, sizeof(uri), "file://%s", cc);
	d = dep_by_uri(uri);
	CHECK(d, "the compiler driver %s is not a dependency", cc);
	CHECK(json_is_true(json_object_get(json_object_get(d, "annotations"), "executed")), "cc not marked executed");
	json_array_foreach(deps(), i, d) {
		const char *u = json_string_value(json_object_get(d, "uri"));

		cc1 |= strlen(u) > 4 && !strcmp(u + strlen(u) - 4, "/cc1");
	}
	CHECK(cc1, "cc1 is not a dependency");
	return TEST_PASS;
}

/* Every file dependency with a digest: the digest is sha256sum's, and no output is listed as an input. */
static int every_dependency_digest_is_sha256sum(void)
{
	size_t i, checked = 0;
	json_t *d;
	int rc = ready();

	if (rc)
		return rc;
	json_array_foreach(deps(), i, d) {
		const char *u = json_string_value(json_object_get(d, "uri")), *h = sha256_of_entry(d);
		char hex[65];

		if (strncmp(u, "file://", 7))
			continue;
		CHECK(h, "%s has no sha256 (annotations say why?)", u);
		CHECK(!strchr(u, '%'), "unexpected percent-encoding in %s", u);
		CHECK(sha256sum(u + 7, hex) == 0 && !strcmp(hex, h), "%s: statement %s, sha256sum %s", u, h, hex);
		CHECK(!strstr(u, ".o") || strstr(u, "/usr/"), "build output %s listed as a dependency", u);
		checked++;
	}
	CHECK(checked > 20, "only %zu file dependencies", checked);
	return TEST_PASS;
}

static int git_source_recorded_without_credentials(void)
{
	char cmd[600], commit[128];
	json_t *src, *g;
	int rc = ready();

	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", sample.src);
	CHECK(capture(cmd, commit, sizeof(commit)) == 0, "git rev-parse");
	src = json_object_get(json_object_get(json_object_get(json_object_get(sample.st, "predicate"),
							      "buildDefinition"), "externalParameters"), "source");
	CHECK(src, "no externalParameters.source");
	CHECK(!strcmp(json_string_value(json_object_get(src, "repository")), "https://example.com/org/sample.git"),
	      "repository %s", json_string_value(json_object_get(src, "repository")));
	CHECK(!strcmp(json_string_value(json_object_get(src, "commit")), commit), "commit");
	CHECK(json_is_false(json_object_get(src, "dirty")), "a clean checkout is called dirty");
	g = dep_by_uri("git+https://example.com/org/sample.git");
	CHECK(g, "no git dependency");
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(g, "digest"), "gitCommit")), commit),
	      "gitCommit");
	return TEST_PASS;
}

static bool bytes_contain(const char *path, const char *needle)
{
	size_t len, n = strlen(needle);
	char *s = slurp(path, &len);
	bool found = false;

	for (size_t i = 0; s && i + n <= len && !found; i++)
		found = !memcmp(s + i, needle, n);
	free(s);
	return found;
}

/* bytes_contain for a log: its CBOR, decompressed (kettle writes zstd by default). */
static bool log_contains(const char *path, const char *needle)
{
	size_t len;
	uint8_t *s = log_cbor_bytes(path, &len);
	bool found = !s || memmem(s, len, needle, strlen(needle)) != NULL;   /* unreadable: count as found */

	free(s);
	return found;
}

static int credentials_reach_neither_log_nor_statement(void)
{
	int rc = ready();

	if (rc)
		return rc;
	CHECK(!log_contains(sample.log, "s3cret"), "the log holds the remote's password");
	CHECK(!bytes_contain(sample.stmt, "s3cret"), "the statement holds the remote's password");
	return TEST_PASS;
}

static int byproducts_name_the_log_and_completeness(void)
{
	json_t *bp, *log, *comp, *net;
	char hex[65];
	int rc = ready();

	if (rc)
		return rc;
	bp = json_object_get(json_object_get(json_object_get(sample.st, "predicate"), "runDetails"), "byproducts");
	log = json_array_get(bp, 0);
	CHECK(!strcmp(json_string_value(json_object_get(log, "name")), "build-log"), "first byproduct");
	/* kettle run compresses its log by default (--log-compression) */
	CHECK(!strcmp(json_string_value(json_object_get(log, "mediaType")), "application/zstd"), "mediaType");
	CHECK(sha256sum(sample.log, hex) == 0 && !strcmp(sha256_of_entry(log), hex), "log digest is not sha256sum's");
	comp = json_object_get(json_object_get(log, "annotations"), "completeness");
	CHECK(json_is_true(json_object_get(comp, "complete")), "a clean run is not complete");
	CHECK(json_integer_value(json_object_get(comp, "processes")) >= 8, "processes");
	CHECK(json_integer_value(json_object_get(comp, "events")) > 100, "events");
	/* The sample touches no network: whatever the tracer could see, the verdict cannot be "not-hermetic". */
	net = json_object_get(json_object_get(log, "annotations"), "network");
	CHECK(json_is_string(json_object_get(net, "verdict")) &&
	      strcmp(json_string_value(json_object_get(net, "verdict")), "not-hermetic") &&
	      json_integer_value(json_object_get(net, "remoteEndpointCount")) == 0, "network summary");
	CHECK(!strcmp(json_string_value(json_object_get(json_array_get(bp, 1), "name")),
		      "resolved-dependencies-merkle-root"), "second byproduct");
	CHECK(json_integer_value(json_object_get(json_object_get(json_array_get(bp, 1), "annotations"), "leaves")) ==
	      (json_int_t)json_array_size(deps()), "leaves");
	return TEST_PASS;
}

static int rerun_gives_identical_bytes(void)
{
	char again[320], out[320], line[400], hex[65];
	size_t a, b;
	char *x, *y;
	int rc = ready();

	if (rc)
		return rc;
	snprintf(again, sizeof(again), "%s/again.json", sample.dir);
	snprintf(out, sizeof(out), "%s/again.out", sample.dir);
	const char *argv[] = { kettle_bin(), "provenance", sample.log, "-o", again, NULL };

	CHECK(run_in("/", argv, out, NULL) == 0, "kettle provenance failed");
	x = slurp(sample.stmt, &a);
	y = slurp(again, &b);
	CHECK(x && y && a == b && !memcmp(x, y, a), "a second conversion differs");
	free(x);
	free(y);
	CHECK(sha256sum(again, hex) == 0, "sha256sum");
	snprintf(line, sizeof(line), "%s  %s\n", hex, again);
	CHECK(file_has(out, line), "the printed digest is not the file's");
	return TEST_PASS;
}

/* Runs kettle provenance on the sample log with EXTRA options; its exit code, stdout and stderr in dir. */
static int provenance_with(const char *const extra[], char out[320], char err[320])
{
	const char *argv[16] = { kettle_bin(), "provenance", sample.log };
	char stmt[320];
	int n = 3;

	snprintf(stmt, sizeof(stmt), "%s/p.json", sample.dir);
	snprintf(out, 320, "%s/p.out", sample.dir);
	snprintf(err, 320, "%s/p.err", sample.dir);
	argv[n++] = "-o";
	argv[n++] = stmt;
	for (int i = 0; extra[i] && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	int rc = run_in("/", argv, out, err);

	if (rc == 0) {  /* every statement written obeys the rules */
		size_t len;
		char *bytes = slurp(stmt, &len);

		if (!bytes || !statement_bytes_valid(bytes, len, NULL))
			rc = -2;
		free(bytes);
	}
	return rc;
}

static int subject_glob_selects_outputs(void)
{
	const char *extra[] = { "--subject", "*.o", "--json-summary", NULL };
	char out[320], err[320];
	int rc = ready();

	if (rc)
		return rc;
	CHECK(provenance_with(extra, out, err) == 0, "exit");
	CHECK(file_has(out, "\"subjects\":2"), "two subjects");
	return TEST_PASS;
}

static int unknown_subject_is_named(void)
{
	const char *extra[] = { "--subject", "hello", "--subject", "nosuch.bin", NULL };
	char out[320], err[320];
	int rc = ready();

	if (rc)
		return rc;
	CHECK(provenance_with(extra, out, err) == 125, "exit");
	CHECK(file_has(err, "--subject 'nosuch.bin'"), "names it");
	return TEST_PASS;
}

static int input_is_not_a_subject(void)
{
	const char *extra[] = { "--subject", "main.c", NULL };
	char out[320], err[320];
	int rc = ready();

	if (rc)
		return rc;
	CHECK(provenance_with(extra, out, err) == 125, "exit");
	CHECK(file_has(err, "no output digest"), "says why");
	return TEST_PASS;
}

static int truncated_log_refused_saying_where(void)
{
	char cut[320], cmd[1200], out[320], err[320];
	int rc = ready();

	if (rc)
		return rc;
	snprintf(cut, sizeof(cut), "%s/cut.cbor", sample.dir);
	snprintf(err, sizeof(err), "%s/cut.err", sample.dir);
	snprintf(out, sizeof(out), "%s/cut.json", sample.dir);
	snprintf(cmd, sizeof(cmd), "head -c $(( $(stat -c %%s '%s') / 2 )) '%s' > '%s'", sample.log, sample.log, cut);
	CHECK(system(cmd) == 0, "cut");
	const char *argv[] = { kettle_bin(), "provenance", cut, "-o", out, NULL };

	CHECK(run_in("/", argv, NULL, err) == 125, "a cut log was converted");
	CHECK(file_has(err, "cut short") && file_has(err, "valid bytes"), "does not say where");
	CHECK(access(out, F_OK) != 0, "a statement was written anyway");
	return TEST_PASS;
}

static int build_writing_nothing_has_no_subject(void)
{
	char dir[256], log[300], err[320];
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("provenance-empty", dir, log);
	snprintf(err, sizeof(err), "%s/err", dir);
	const char *run[] = { kettle_bin(), "run", "--no-progress", "-o", log, "--", "true", NULL };
	const char *prov[] = { kettle_bin(), "provenance", log, NULL };

	CHECK(run_in(dir, run, NULL, NULL) == 0, "kettle run true");
	CHECK(run_in(dir, prov, NULL, err) == 125, "a statement without subject");
	CHECK(file_has(err, "no subject"), "says so");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "subjects_are_the_outputs_with_their_sha256sum", subjects_are_the_outputs_with_their_sha256sum },
	{ "sources_headers_and_compiler_are_dependencies", sources_headers_and_compiler_are_dependencies },
	{ "every_dependency_digest_is_sha256sum", every_dependency_digest_is_sha256sum },
	{ "git_source_recorded_without_credentials", git_source_recorded_without_credentials },
	{ "credentials_reach_neither_log_nor_statement", credentials_reach_neither_log_nor_statement },
	{ "byproducts_name_the_log_and_completeness", byproducts_name_the_log_and_completeness },
	{ "rerun_gives_identical_bytes", rerun_gives_identical_bytes },
	{ "subject_glob_selects_outputs", subject_glob_selects_outputs },
	{ "unknown_subject_is_named", unknown_subject_is_named },
	{ "input_is_not_a_subject", input_is_not_a_subject },
	{ "truncated_log_refused_saying_where", truncated_log_refused_saying_where },
	{ "build_writing_nothing_has_no_subject", build_writing_nothing_has_no_subject },
};

TEST_MAIN("provenance", tests)
