/* SPDX-License-Identifier: MIT */
/*
 * Asking a verification's check list about one named check, for the attest
 * tests. A check that was not made is neither passed nor failed, so a test
 * expecting either fails when the verifier skipped the check.
 */
#ifndef KETTLE_CHECK_LOOKUP_H
#define KETTLE_CHECK_LOOKUP_H

#include <stdbool.h>
#include <stdio.h>

#include "attest/check.h"

static inline bool test_check_passed(const struct check_list *l, const char *name)
{
	const struct check_result *c = check_find(l, name);

	return c && c->passed;
}

static inline bool test_check_failed(const struct check_list *l, const char *name)
{
	const struct check_result *c = check_find(l, name);

	return c && !c->passed;
}

/* The check's reason, or "(not made)": safe to print in a failure message. */
static inline const char *test_check_reason(const struct check_list *l, const char *name)
{
	const struct check_result *c = check_find(l, name);

	return c ? c->reason : "(not made)";
}

/* Every check of L on stderr, for a test that is about to fail. */
static inline void test_check_dump(const struct check_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(stderr, "    %s %s: %s\n", l->items[i].note ? "NOTE" : l->items[i].passed ? "pass" : "FAIL",
			l->items[i].name, l->items[i].reason);
}

#endif
