/* SPDX-License-Identifier: MIT */
/*
 * Golden-output checks for logs written by an older kettle
 * (tests/data/log-v*-*): what `kettle log ... --json` printed for them then.
 */
#ifndef KETTLE_LOG_GOLDEN_H
#define KETTLE_LOG_GOLDEN_H

#include <jansson.h>

#include "kettle_test.h"
#include "testlib.h"

/* Runs `kettle log SUB --json FILE` and compares its stdout with EXPECTED. */
static inline int same_output(const char *sub, const char *log, const char *expected)
{
	char kettle[512], cmd[2048];
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(cmd, sizeof(cmd), "'%s' log %s --json '%s' | cmp -s - '%s'", kettle, sub, log, expected);
	rc = system(cmd);
	CHECK(rc == 0, "kettle log %s --json %s differs from %s", sub, log, expected);
	return TEST_PASS;
}

/*
 * `kettle log files --json LOG` may gain keys; every key the old kettle printed
 * (EXPECTED, one JSON object a line) must still be there with the same value.
 */
static inline int same_keys(const char *log, const char *expected)
{
	char kettle[512], cmd[1024], line[65536], want[65536];
	FILE *out, *exp;
	size_t n = 0;
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(cmd, sizeof(cmd), "'%s' log files --json '%s'", kettle, log);
	out = popen(cmd, "r");
	exp = fopen(expected, "r");
	CHECK(out && exp, "run / open %s", expected);
	while (fgets(want, sizeof(want), exp)) {
		json_t *w = json_loads(want, 0, NULL), *g;
		const char *key;
		json_t *val;

		CHECK(fgets(line, sizeof(line), out), "line %zu missing", n + 1);
		g = json_loads(line, 0, NULL);
		CHECK(w && g, "line %zu is not JSON", n + 1);
		json_object_foreach(w, key, val)
			CHECK(json_equal(val, json_object_get(g, key)), "line %zu: %s differs", n + 1, key);
		json_decref(w);
		json_decref(g);
		n++;
	}
	CHECK(!fgets(line, sizeof(line), out), "more lines than before");
	fclose(exp);
	rc = pclose(out);
	CHECK(rc == 0 && n > 0, "kettle log files: status %d, %zu lines", rc, n);
	return TEST_PASS;
}

#endif
