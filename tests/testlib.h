/* SPDX-License-Identifier: MIT */
/*
 * Tiny test harness: each test program is a table of functions, one
 * behaviour each.  A function returns TEST_PASS, TEST_FAIL or TEST_SKIP
 * (after test_skip() said why).  Lines "PASS name", "FAIL name",
 * "SKIP name: reason" are what tests/run counts.
 */
#ifndef KETTLE_TESTLIB_H
#define KETTLE_TESTLIB_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { TEST_PASS = 0, TEST_FAIL = 1, TEST_SKIP = 77 };

struct test {
	const char *name;
	int (*fn)(void);
};

static char test_skip_reason[512];

#define CHECK(cond, ...) do {                                                   \
	if (!(cond)) {                                                          \
		fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
		fprintf(stderr, __VA_ARGS__);                                   \
		fputc('\n', stderr);                                            \
		return TEST_FAIL;                                               \
	}                                                                       \
} while (0)

static inline int test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_skip_reason, sizeof(test_skip_reason), fmt, ap);
	va_end(ap);
	return TEST_SKIP;
}

/* Runs every test of TESTS, or with KETTLE_TEST_ONLY set only those whose name contains it (by hand). */
static inline int test_main(const char *prog, const struct test *tests, size_t n)
{
	const char *only = getenv("KETTLE_TEST_ONLY");
	int worst = TEST_PASS;

	for (size_t i = 0; i < n; i++) {
		int r;

		if (only && *only && !strstr(tests[i].name, only))
			continue;
		test_skip_reason[0] = '\0';
		r = tests[i].fn();
		if (r == TEST_PASS) {
			printf("PASS %s.%s\n", prog, tests[i].name);
		} else if (r == TEST_SKIP) {
			printf("SKIP %s.%s: %s\n", prog, tests[i].name, test_skip_reason);
			if (worst == TEST_PASS)
				worst = TEST_SKIP;
		} else {
			printf("FAIL %s.%s\n", prog, tests[i].name);
			worst = TEST_FAIL;
		}
		fflush(stdout);
	}
	return worst == TEST_SKIP ? 0 : worst;
}

#define TEST_MAIN(prog, table) \
	int main(void) { return test_main(prog, table, sizeof(table) / sizeof(table[0])); }

/* Directory of the build (KETTLE_BUILD, default "build"). */
static inline const char *test_build_dir(void)
{
	const char *b = getenv("KETTLE_BUILD");
	return b && *b ? b : "build";
}

#endif
