/* SPDX-License-Identifier: MIT */
/*
 * Which environment values never reach the log in clear: a variable whose
 * name contains one of the patterns (ASCII case-insensitive substring) has
 * its value replaced by "sha256:" and the 64 lowercase hex digits of the
 * SHA-256 of the value's bytes (docs/log-format.md, "Environment").
 */
#ifndef KETTLE_ENV_REDACT_H
#define KETTLE_ENV_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENV_REDACT_PATTERNS_MAX 64
#define ENV_REDACT_PATTERN_MAX  64      /* bytes of one pattern, with its NUL */
#define ENV_REDACT_PREFIX       "sha256:"
/* "sha256:" and 64 hex digits */
#define ENV_REDACT_VALUE_LEN    (sizeof(ENV_REDACT_PREFIX) - 1 + 64)

struct env_redact {
	uint32_t npatterns;
	char patterns[ENV_REDACT_PATTERNS_MAX][ENV_REDACT_PATTERN_MAX];
	const char *list[ENV_REDACT_PATTERNS_MAX];      /* patterns[], for the log header */
};

/* The default rule: TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, KEY, CREDENTIAL, AUTH, PRIVATE, COOKIE, SESSION. */
void env_redact_init(struct env_redact *r);
/* No pattern at all (before env_redact_add: replacing the default list). */
void env_redact_clear(struct env_redact *r);
/*
 * Adds PATTERN: 1 to 63 characters of A-Z a-z 0-9 _ (what a variable name
 * is made of).  0, or -1 with ERR saying why.  A pattern already there is
 * not added twice.
 */
int env_redact_add(struct env_redact *r, const char *pattern, char *err, size_t errlen);
/* Adds each pattern of the comma-separated LIST (empty items are skipped). 0 or -1 with ERR. */
int env_redact_add_list(struct env_redact *r, const char *list, char *err, size_t errlen);
/* Whether the variable name NAME[0..LEN) matches a pattern. */
bool env_redact_matches(const struct env_redact *r, const char *name, size_t len);
/*
 * VAR[0..LEN) is "NAME=value" (or a string without '='), copied to OUT as it
 * is, or with the value hashed when NAME matches.  Returns the length written
 * (OUT is NUL-terminated; OUTLEN must be at least LEN + ENV_REDACT_VALUE_LEN + 1),
 * or -1 when hashing failed (OUT then holds NAME= and nothing else).
 */
long env_redact_var(const struct env_redact *r, const char *var, size_t len, char *out, size_t outlen);

#endif
