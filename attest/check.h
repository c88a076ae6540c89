/* SPDX-License-Identifier: MIT */
/*
 * The list of named checks a verification produces: every check is reported
 * with pass/fail and a one-line reason, so `kettle verify` can print them all
 * and exit 0 only when every one passed.
 */
#ifndef KETTLE_ATTEST_CHECK_H
#define KETTLE_ATTEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define CHECK_NAME_MAX   48
#define CHECK_REASON_MAX 512     /* room for an AMD KDS address with a 64-byte hwid */
#define CHECK_LIST_MAX   64

struct check_result {
	char name[CHECK_NAME_MAX];      /* stable identifier, e.g. "snp.report.signature" */
	bool passed;
	char reason[CHECK_REASON_MAX];  /* why it passed or failed, one line */
	bool note;                      /* not a check: something NOT verified, shown as such */
};

struct check_list {
	struct check_result items[CHECK_LIST_MAX];
	size_t n;
	size_t dropped;                 /* checks beyond CHECK_LIST_MAX: counted as failures */
};

/* Appends a check; returns PASSED so callers can write `if (!check_add(...)) return`. */
bool check_add(struct check_list *l, const char *name, bool passed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Appends a note: something the verification did NOT check (offline limits,
 * e.g. Intel collateral, a TDREPORT's MAC), so it is shown to the user
 * instead of being silently skipped. A note neither passes nor fails:
 * printers show it as NOTE, and check_all_passed ignores it.
 */
void check_note(struct check_list *l, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True when at least one check was made and every check passed. */
bool check_all_passed(const struct check_list *l);
/* The first failed check, or NULL. */
const struct check_result *check_first_failure(const struct check_list *l);
/* The first check named NAME, or NULL when it was not made. */
const struct check_result *check_find(const struct check_list *l, const char *name);

#endif
