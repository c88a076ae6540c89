/* SPDX-License-Identifier: MIT */
/*
 * Locating and reading the attestation test vectors shipped in
 * tests/data/vectors (its README.md names each file's origin and licence):
 * $KETTLE_VECTORS when set, else tests/data/vectors of the source tree the
 * test was built from (KETTLE_SOURCE_DIR, set by the Makefile), whatever the
 * current directory.  A vector that is absent is a failure, not a skip: a test
 * that needs them returns test_fail_no_vectors().
 */
#ifndef KETTLE_TEST_VECTORS_H
#define KETTLE_TEST_VECTORS_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "common/file_bytes.h"
#include "testlib.h"

#ifndef KETTLE_SOURCE_DIR
#error "KETTLE_SOURCE_DIR (the repository root) is not defined: build the tests with make"
#endif

/* Where the vectors are expected: $KETTLE_VECTORS or <repository>/tests/data/vectors. */
static inline const char *test_vectors_where(void)
{
	static char dir[4096];
	const char *env = getenv("KETTLE_VECTORS");

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/tests/data/vectors", KETTLE_SOURCE_DIR);
	return dir;
}

/* The vectors directory, or NULL when it does not exist. */
static inline const char *test_vectors_dir(void)
{
	const char *dir = test_vectors_where();
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

/* The vectors ship with the repository: not finding them is a failure. */
static inline int test_fail_no_vectors(void)
{
	fprintf(stderr, "  vectors not found at %s (tests/data/vectors, or $KETTLE_VECTORS)\n",
		test_vectors_where());
	return TEST_FAIL;
}

/* Full path of vector NAME ("snp/gosev_attestation.bin") in a static buffer, or NULL. */
static inline const char *test_vector_path(const char *name)
{
	static char path[4096 + 256];
	const char *dir = test_vectors_dir();

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Reads vector NAME (malloc'd, free it); NULL when absent or unreadable. */
static inline uint8_t *test_read_vector(const char *name, size_t *len)
{
	const char *path = test_vector_path(name);
	char err[256];
	uint8_t *buf;

	if (!path)
		return NULL;
	if (file_read_bounded(path, 1 << 20, &buf, len, err, sizeof(err)) < 0) {
		fprintf(stderr, "  %s\n", err);
		return NULL;
	}
	return buf;
}

/* Seconds since the epoch of a UTC date and time. */
static inline time_t test_utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	return timegm(&tm);
}

/* Hex text to bytes; returns the byte count or -1. */
static inline int test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 || n > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

#endif
