// SPDX-License-Identifier: MIT
/*
 * Environment capture on real traced commands: what an exec got is in the
 * log, secret values only as their SHA-256 (never in clear, anywhere in the
 * log's bytes), the rule is in the header, cuts are flagged and counted, and
 * kettle diff names a variable that changed between two builds.
 */
#include <openssl/evp.h>

#include "common/hex.h"
#include "kettle_test.h"

#define SECRET "s3cr3t-ghp_x9QwErTy"

/* The environment of the first exec of the root process (the traced command itself). */
static const struct log_env *root_env(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXEC && f->events[i].tgid == f->header.root_pid)
			return f->events[i].exec.env;
	return NULL;
}

/* The string of ENV that starts with "NAME=", or NULL. */
static const char *env_get(const struct log_env *env, const char *name)
{
	size_t n = strlen(name);

	for (uint32_t i = 0; env && i < env->nvars; i++)
		if (!strncmp(env->vars[i], name, n) && env->vars[i][n] == '=')
			return env->vars[i] + n + 1;
	return NULL;
}

/* "sha256:" and the hex SHA-256 of S. */
static void sha256_value(const char *s, char out[72])
{
	uint8_t md[32];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	strcpy(out, "sha256:");
	hex_encode(md, sizeof(md), out + strlen("sha256:"));
}

/* Whether the file PATH holds the bytes S anywhere. */
static bool file_contains(const char *path, const char *s)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, len;
	char *buf = malloc(cap);
	bool found;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return true;    /* cannot tell: count as found */
	}
	len = fread(buf, 1, cap, f);
	fclose(f);
	found = memmem(buf, len, s, strlen(s)) != NULL;
	free(buf);
	return found;
}

/* Whether the CBOR of the log at PATH (decompressed: kettle writes zstd) holds the bytes S anywhere. */
static bool log_contains(const char *path, const char *s)
{
	size_t len;
	uint8_t *buf = log_cbor_bytes(path, &len);
	bool found = !buf || memmem(buf, len, s, strlen(s)) != NULL;    /* cannot tell: count as found */

	free(buf);
	return found;
}

/* Runs `sh -c CMD` under kettle with OPTS, FOO=bar and GITHUB_TOKEN=SECRET in its environment. */
static int run_with_secret(const char *name, const char *const opts[], const char *cmd, char log[300],
			   struct log_file *f, int *kettle_rc)
{
	const char *argv[] = { "sh", "-c", cmd, NULL };
	char dir[256];

	test_workdir(name, dir, log);
	setenv("FOO", "bar", 1);
	setenv("GITHUB_TOKEN", SECRET, 1);
	*kettle_rc = kettle_run(log, opts, argv, "/dev/null");
	unsetenv("FOO");
	unsetenv("GITHUB_TOKEN");
	CHECK(log_load(log, f) == 0, "log unreadable");
	return TEST_PASS;
}

static int env_recorded_secret_hashed(void)
{
	char log[300], want[72], out[320], err[320];
	const char *show[] = { "log", "show", "--json", log, NULL };
	struct log_file f = { 0 };
	const struct log_env *env;
	int kettle_rc, rc = bpf_usable();

	if (rc || (rc = run_with_secret("envsecret", NULL, "true", log, &f, &kettle_rc)))
		return rc;
	CHECK(kettle_rc == 0, "kettle exited %d", kettle_rc);
	CHECK(f.header.env_mode == LOG_ENV_RECORDED && f.header.nsecret_patterns >= 10, "header env rule");
	env = root_env(&f);
	CHECK(env && env->flags == 0 && env->nvars == env->envc, "root exec environment");
	CHECK(env_get(env, "FOO") && !strcmp(env_get(env, "FOO"), "bar"), "FOO=%s", env_get(env, "FOO"));
	sha256_value(SECRET, want);
	CHECK(env_get(env, "GITHUB_TOKEN") && !strcmp(env_get(env, "GITHUB_TOKEN"), want),
	      "GITHUB_TOKEN=%s, want %s", env_get(env, "GITHUB_TOKEN"), want);
	/* the search sees the log's CBOR: the hash it holds is found, the secret is not */
	CHECK(log_contains(log, want) && !log_contains(log, SECRET), "the clear secret is in the log's bytes");
	snprintf(out, sizeof(out), "%s.show", log);
	snprintf(err, sizeof(err), "%s.err", log);
	CHECK(kettle_cli(show, out, err) == 0, "kettle log show --json");
	CHECK(file_contains(out, "\"FOO=bar\"") && file_contains(out, want) && !file_contains(out, SECRET),
	      "log show --json: FOO=bar and only the hash of the token");
	log_file_free(&f);
	return TEST_PASS;
}

/* --secret-pattern adds a rule: FOO's value is hashed too, and the header lists FOO. */
static int secret_pattern_adds(void)
{
	const char *opts[] = { "--secret-pattern", "foo", NULL };
	char log[300], want[72];
	struct log_file f = { 0 };
	const struct log_env *env;
	bool listed = false;
	int kettle_rc, rc = bpf_usable();

	if (rc || (rc = run_with_secret("envpattern", opts, "true", log, &f, &kettle_rc)))
		return rc;
	CHECK(kettle_rc == 0, "kettle exited %d", kettle_rc);
	for (uint32_t i = 0; i < f.header.nsecret_patterns; i++)
		listed |= !strcmp(f.header.secret_patterns[i], "foo");
	CHECK(listed, "header does not list the added pattern");
	env = root_env(&f);
	sha256_value("bar", want);
	CHECK(env_get(env, "FOO") && !strcmp(env_get(env, "FOO"), want), "FOO=%s", env_get(env, "FOO"));
	sha256_value(SECRET, want);
	CHECK(!strcmp(env_get(env, "GITHUB_TOKEN"), want), "the default rules still apply");
	CHECK(!log_contains(log, SECRET) && !log_contains(log, "FOO=bar"), "a clear value in the log");
	log_file_free(&f);
	return TEST_PASS;
}

/* --secret-patterns replaces the list: only FOO is hashed, the token is kept as it is. */
static int secret_patterns_replace(void)
{
	const char *opts[] = { "--secret-patterns", "FOO", NULL };
	char log[300];
	struct log_file f = { 0 };
	const struct log_env *env;
	int kettle_rc, rc = bpf_usable();

	if (rc || (rc = run_with_secret("envreplace", opts, "true", log, &f, &kettle_rc)))
		return rc;
	CHECK(f.header.nsecret_patterns == 1 && !strcmp(f.header.secret_patterns[0], "FOO"), "header patterns");
	env = root_env(&f);
	CHECK(env_get(env, "GITHUB_TOKEN") && !strcmp(env_get(env, "GITHUB_TOKEN"), SECRET),
	      "GITHUB_TOKEN=%s", env_get(env, "GITHUB_TOKEN"));
	CHECK(strncmp(env_get(env, "FOO"), "sha256:", 7) == 0, "FOO not hashed");
	log_file_free(&f);
	return TEST_PASS;
}

/* --env none: no environment in any exec, the header says so, no value in the log. */
static int env_none_records_nothing(void)
{
	const char *opts[] = { "--env", "none", NULL };
	char log[300];
	struct log_file f = { 0 };
	size_t execs = 0;
	int kettle_rc, rc = bpf_usable();

	if (rc || (rc = run_with_secret("envnone", opts, "/bin/true", log, &f, &kettle_rc)))
		return rc;
	CHECK(kettle_rc == 0, "kettle exited %d", kettle_rc);
	CHECK(f.header.env_mode == LOG_ENV_NOT_RECORDED, "header says recorded");
	for (size_t i = 0; i < f.nevents; i++)
		if (f.events[i].type == LOG_EV_EXEC) {
			execs++;
			CHECK(!f.events[i].exec.env, "an exec with an environment");
		}
	CHECK(execs >= 2, "%zu execs", execs);
	CHECK(!log_contains(log, "FOO=bar"), "a variable in the log");
	log_file_free(&f);
	return TEST_PASS;
}

/* An environment of more than 32 KiB: flagged cut, counted, and kettle exits 125 as for any cut. */
static int big_env_flagged_cut(void)
{
	char log[300], dir[256];
	const char *cmd[] = { "sh", "-c", "BIG=$(head -c 40000 /dev/zero | tr '\\0' x) /bin/true", NULL };
	const struct log_event *ex = NULL;
	struct log_file f = { 0 };
	int kettle_rc, rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("envbig", dir, log);
	kettle_rc = kettle_run(log, NULL, cmd, "/dev/null");
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.nevents; i++)
		if (f.events[i].type == LOG_EV_EXEC && f.events[i].exec.exe && strstr(f.events[i].exec.exe, "true"))
			ex = &f.events[i];
	CHECK(ex && ex->exec.env, "no exec of true with an environment");
	CHECK(ex->exec.env->flags & LOG_ENV_CUT_BYTES, "not flagged cut (flags 0x%x)", ex->exec.env->flags);
	CHECK(ex->exec.env->nvars < ex->exec.env->envc, "%u of %u variables", ex->exec.env->nvars,
	      ex->exec.env->envc);
	CHECK(f.trailer.losses.env_truncations >= 1, "cut not counted");
	CHECK(kettle_rc == 125, "kettle exited %d, want 125 for a cut environment", kettle_rc);
	log_file_free(&f);
	return TEST_PASS;
}

/* More than 512 variables: the first 512 are kept, flagged and counted. */
static int many_vars_flagged_cut(void)
{
	const char *opts[] = { "--allow-loss", NULL };
	const char *cmd[] = { "sh", "-c", "i=0; while [ $i -lt 600 ]; do export V$i=$i; i=$((i+1)); done; /bin/true",
			      NULL };
	char log[300], dir[256];
	const struct log_event *ex = NULL;
	struct log_file f = { 0 };
	int kettle_rc, rc = bpf_usable();

	if (rc)
		return rc;
	test_workdir("envmany", dir, log);
	kettle_rc = kettle_run(log, opts, cmd, "/dev/null");
	CHECK(kettle_rc == 0, "kettle exited %d with --allow-loss", kettle_rc);
	CHECK(log_load(log, &f) == 0, "log unreadable");
	for (size_t i = 0; i < f.nevents; i++)
		if (f.events[i].type == LOG_EV_EXEC && f.events[i].exec.exe && strstr(f.events[i].exec.exe, "true"))
			ex = &f.events[i];
	CHECK(ex && ex->exec.env, "no exec of true with an environment");
	CHECK(ex->exec.env->flags & LOG_ENV_CUT_COUNT, "not flagged cut (flags 0x%x)", ex->exec.env->flags);
	CHECK(ex->exec.env->nvars == 512 && ex->exec.env->envc > 600, "%u of %u variables",
	      ex->exec.env->nvars, ex->exec.env->envc);
	CHECK(f.trailer.losses.env_truncations >= 1, "cut not counted");
	log_file_free(&f);
	return TEST_PASS;
}

/* Two builds whose only difference is FLAVOR: kettle diff names it as the cause of the changed output. */
static int diff_names_changed_variable(void)
{
	char dir[256], la[300], lb[300], out[320], err[320], script[600];
	const char *cmd[] = { "sh", "-c", script, NULL };
	const char *diff[] = { "diff", "--json", la, lb, NULL };
	int rc = bpf_usable();

	if (rc)
		return rc;
	test_tmpdir(dir, sizeof(dir), "envdiff");
	snprintf(script, sizeof(script), "cd '%s' && echo \"$FLAVOR\" > out.txt && echo same > other.txt", dir);
	snprintf(la, sizeof(la), "%s/a.cbor", dir);
	snprintf(lb, sizeof(lb), "%s/b.cbor", dir);
	setenv("FLAVOR", "vanilla", 1);
	rc = kettle_run(la, NULL, cmd, NULL);
	setenv("FLAVOR", "chocolate", 1);
	rc |= kettle_run(lb, NULL, cmd, NULL);
	unsetenv("FLAVOR");
	CHECK(rc == 0, "kettle run failed");
	snprintf(out, sizeof(out), "%s/diff.json", dir);
	snprintf(err, sizeof(err), "%s/diff.err", dir);
	CHECK(kettle_cli(diff, out, err) == 1, "kettle diff: want 1 (differs)");
	CHECK(file_contains(out, "{\"name\":\"FLAVOR\",\"a\":\"vanilla\",\"b\":\"chocolate\""),
	      "environment change not named");
	CHECK(file_contains(out, "\"because\":[\"$FLAVOR\"]"), "out.txt not explained by $FLAVOR");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "env_recorded_secret_hashed", env_recorded_secret_hashed },
	{ "secret_pattern_adds", secret_pattern_adds },
	{ "secret_patterns_replace", secret_patterns_replace },
	{ "env_none_records_nothing", env_none_records_nothing },
	{ "big_env_flagged_cut", big_env_flagged_cut },
	{ "many_vars_flagged_cut", many_vars_flagged_cut },
	{ "diff_names_changed_variable", diff_names_changed_variable },
};

TEST_MAIN("env", tests)
