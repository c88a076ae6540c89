// SPDX-License-Identifier: MIT
/* Which environment values are hashed instead of written in clear. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/hex.h"
#include "log/env_redact.h"

/*
 * Names that hold secrets in the CI systems and tools builds run under:
 * GITHUB_TOKEN, CI_JOB_TOKEN, NPM_TOKEN, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, *_API_KEY, *_PASSWORD, GPG_PASSPHRASE,
 * DOCKER_AUTH_CONFIG, GOOGLE_APPLICATION_CREDENTIALS, *_PRIVATE_KEY, ...
 * Hashing a harmless match (GIT_AUTHOR_NAME, XDG_SESSION_ID) costs only
 * its readability.
 */
static const char *const default_patterns[] = {
	"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "KEY", "CREDENTIAL", "AUTH",
	"PRIVATE", "COOKIE", "SESSION",
};

void env_redact_clear(struct env_redact *r)
{
	memset(r, 0, sizeof(*r));
}

void env_redact_init(struct env_redact *r)
{
	char err[128];

	env_redact_clear(r);
	for (size_t i = 0; i < sizeof(default_patterns) / sizeof(default_patterns[0]); i++)
		env_redact_add(r, default_patterns[i], err, sizeof(err));
}

static bool name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int env_redact_add(struct env_redact *r, const char *pattern, char *err, size_t errlen)
{
	size_t n = strlen(pattern);

	if (n == 0 || n >= ENV_REDACT_PATTERN_MAX) {
		snprintf(err, errlen, "secret pattern '%s': want 1 to %d characters", pattern,
			 ENV_REDACT_PATTERN_MAX - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!name_char(pattern[i])) {
			snprintf(err, errlen, "secret pattern '%s': only letters, digits and _ (a variable name's"
				 " characters)", pattern);
			return -1;
		}
	for (uint32_t i = 0; i < r->npatterns; i++)
		if (!strcasecmp(r->patterns[i], pattern))
			return 0;
	if (r->npatterns >= ENV_REDACT_PATTERNS_MAX) {
		snprintf(err, errlen, "secret pattern '%s': more than %d patterns", pattern,
			 ENV_REDACT_PATTERNS_MAX);
		return -1;
	}
	memcpy(r->patterns[r->npatterns], pattern, n + 1);
	r->list[r->npatterns] = r->patterns[r->npatterns];
	r->npatterns++;
	return 0;
}

int env_redact_add_list(struct env_redact *r, const char *list, char *err, size_t errlen)
{
	char item[ENV_REDACT_PATTERN_MAX + 1];

	while (*list) {
		size_t n = strcspn(list, ",");

		if (n >= sizeof(item)) {
			snprintf(err, errlen, "secret pattern '%.*s...': want 1 to %d characters", 16, list,
				 ENV_REDACT_PATTERN_MAX - 1);
			return -1;
		}
		memcpy(item, list, n);
		item[n] = '\0';
		if (n && env_redact_add(r, item, err, errlen))
			return -1;
		list += n + (list[n] == ',');
	}
	return 0;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool contains_nocase(const char *s, size_t n, const char *pat)
{
	size_t m = strlen(pat);

	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && lower(s[i + j]) == lower(pat[j]))
			j++;
		if (j == m)
			return true;
	}
	return false;
}

bool env_redact_matches(const struct env_redact *r, const char *name, size_t len)
{
	for (uint32_t i = 0; i < r->npatterns; i++)
		if (contains_nocase(name, len, r->patterns[i]))
			return true;
	return false;
}

long env_redact_var(const struct env_redact *r, const char *var, size_t len, char *out, size_t outlen)
{
	const char *eq = memchr(var, '=', len);
	size_t name = eq ? (size_t)(eq - var) : len;
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (outlen < len + ENV_REDACT_VALUE_LEN + 1)
		return -1;
	if (!eq || !env_redact_matches(r, var, name)) {
		memcpy(out, var, len);
		out[len] = '\0';
		return (long)len;
	}
	memcpy(out, var, name + 1);
	out[name + 1] = '\0';
	if (EVP_Digest(eq + 1, len - name - 1, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -1;
	memcpy(out + name + 1, ENV_REDACT_PREFIX, sizeof(ENV_REDACT_PREFIX) - 1);
	hex_encode(md, sizeof(md), out + name + sizeof(ENV_REDACT_PREFIX));
	return (long)(name + ENV_REDACT_VALUE_LEN + 1);
}
