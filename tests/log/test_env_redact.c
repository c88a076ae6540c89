// SPDX-License-Identifier: MIT
/* The secret rule for environment values: which names match, what a hashed value looks like, bad patterns. */
#include <openssl/evp.h>

#include "common/hex.h"
#include "log/env_redact.h"
#include "testlib.h"

static bool matches(const struct env_redact *r, const char *name)
{
	return env_redact_matches(r, name, strlen(name));
}

static int test_default_names(void)
{
	static const char *const secret[] = { "GITHUB_TOKEN", "CI_JOB_TOKEN", "aws_secret_access_key",
		"AWS_SESSION_TOKEN", "NPM_TOKEN", "DB_PASSWORD", "MYSQL_PASSWD", "GPG_PASSPHRASE",
		"OPENAI_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "DOCKER_AUTH_CONFIG", "SSH_PRIVATE_KEY",
		"JAR_COOKIE", "token", "Api_Key" };
	static const char *const plain[] = { "PATH", "HOME", "CFLAGS", "PWD", "OLDPWD", "MAKEFLAGS", "LANG",
		"SOURCE_DATE_EPOCH", "CC", "KBUILD_BUILD_USER", "TOKE", "" };
	struct env_redact r;

	env_redact_init(&r);
	CHECK(r.npatterns == 11, "%u default patterns", r.npatterns);
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		CHECK(matches(&r, secret[i]), "%s does not match", secret[i]);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		CHECK(!matches(&r, plain[i]), "%s matches", plain[i]);
	return TEST_PASS;
}

/* Only the name is matched: a value that contains a pattern stays as it is. */
static int test_value_not_matched(void)
{
	struct env_redact r;
	char out[256];

	env_redact_init(&r);
	CHECK(env_redact_var(&r, "NOTE=my TOKEN here", 18, out, sizeof(out)) == 18, "length");
	CHECK(!strcmp(out, "NOTE=my TOKEN here"), "copied: %s", out);
	return TEST_PASS;
}

static void sha_hex(const char *s, char out[65])
{
	uint8_t md[32];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	hex_encode(md, sizeof(md), out);
}

static int test_hashed_form(void)
{
	struct env_redact r;
	char out[256], want[128], hex[65];
	long n;

	env_redact_init(&r);
	n = env_redact_var(&r, "GITHUB_TOKEN=ghp_abc=def", 24, out, sizeof(out));
	sha_hex("ghp_abc=def", hex);    /* the value is everything after the first '=' */
	snprintf(want, sizeof(want), "GITHUB_TOKEN=sha256:%s", hex);
	CHECK(n == (long)strlen(want) && !strcmp(out, want), "%s", out);
	n = env_redact_var(&r, "SECRET=", 7, out, sizeof(out));
	sha_hex("", hex);
	snprintf(want, sizeof(want), "SECRET=sha256:%s", hex);
	CHECK(n == (long)strlen(want) && !strcmp(out, want), "empty value: %s", out);
	return TEST_PASS;
}

/* A string without '=' has no value to hide. */
static int test_no_equals_kept(void)
{
	struct env_redact r;
	char out[128];

	env_redact_init(&r);
	CHECK(env_redact_var(&r, "TOKEN", 5, out, sizeof(out)) == 5 && !strcmp(out, "TOKEN"), "%s", out);
	return TEST_PASS;
}

static int test_out_too_small(void)
{
	struct env_redact r;
	char out[32];

	env_redact_init(&r);
	CHECK(env_redact_var(&r, "A=b", 3, out, sizeof(out)) == -1, "accepted a buffer without room for a hash");
	return TEST_PASS;
}

static int test_add_and_list(void)
{
	struct env_redact r;
	char err[128];

	env_redact_init(&r);
	CHECK(env_redact_add(&r, "flavor", err, sizeof(err)) == 0, "%s", err);
	CHECK(matches(&r, "ICE_FLAVOR") && r.npatterns == 12, "added pattern");
	CHECK(env_redact_add(&r, "FLAVOR", err, sizeof(err)) == 0 && r.npatterns == 12, "same pattern twice");
	CHECK(!strcmp(r.list[11], "flavor"), "list for the header");
	env_redact_clear(&r);
	CHECK(!matches(&r, "GITHUB_TOKEN") && r.npatterns == 0, "cleared");
	CHECK(env_redact_add_list(&r, "A_B,,C9", err, sizeof(err)) == 0 && r.npatterns == 2, "list: %s", err);
	CHECK(matches(&r, "x_a_b_y") && matches(&r, "C9") && !matches(&r, "C"), "list patterns");
	CHECK(env_redact_add_list(&r, "", err, sizeof(err)) == 0 && r.npatterns == 2, "empty list");
	return TEST_PASS;
}

static int test_bad_patterns(void)
{
	static const char *const bad[] = { "", "A-B", "A B", "A=B", "é",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
	struct env_redact r;
	char err[128];

	env_redact_init(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(env_redact_add(&r, bad[i], err, sizeof(err)) == -1, "accepted '%s'", bad[i]);
		CHECK(strstr(err, "secret pattern") && !strchr(err, '\n'), "error: %s", err);
	}
	CHECK(env_redact_add_list(&r, "OK,bad pattern", err, sizeof(err)) == -1, "list with a bad item");
	CHECK(r.npatterns == 12, "the good item before it is added: %u", r.npatterns);
	return TEST_PASS;
}

static int test_too_many(void)
{
	struct env_redact r;
	char err[128], p[16];

	env_redact_clear(&r);
	for (int i = 0; i < ENV_REDACT_PATTERNS_MAX; i++) {
		snprintf(p, sizeof(p), "P%d", i);
		CHECK(env_redact_add(&r, p, err, sizeof(err)) == 0, "%s", err);
	}
	CHECK(env_redact_add(&r, "ONE_MORE", err, sizeof(err)) == -1 && strstr(err, "more than"), "%s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "default_names", test_default_names },
	{ "value_not_matched", test_value_not_matched },
	{ "hashed_form", test_hashed_form },
	{ "no_equals_kept", test_no_equals_kept },
	{ "out_too_small", test_out_too_small },
	{ "add_and_list", test_add_and_list },
	{ "bad_patterns", test_bad_patterns },
	{ "too_many", test_too_many },
};

TEST_MAIN("env_redact", tests)
