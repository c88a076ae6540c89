/* SPDX-License-Identifier: MIT */
/*
 * kettle verify --tree: a distributed build (distcc) checked across its
 * machines.  Each evidence bundle (the client's, each worker's) is verified;
 * each bundle's log is the one its statement names (same SHA-256); every
 * remote job of the client's log is matched to a job of an attested worker
 * by the digests of what was sent and what came back.  The tree is
 * "complete across workers" when every check passed (docs/distributed.md).
 */
#ifndef KETTLE_VERIFY_TREE_H
#define KETTLE_VERIFY_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define TREE_LOG_MAX (1ull << 30)       /* a log read whole to be hashed and parsed */

/* The bundles of the tree, and the logs their statements name (found among LOGS by SHA-256). */
struct tree_input {
	const char *client;
	const char *const *workers;
	size_t nworkers;
	const char *const *logs;
	size_t nlogs;
	time_t now;
	bool allow_sim;
};

struct tree_check {
	bool passed;
	char *name;             /* "bundle", "log", "client", "worker", "job" */
	char *subject;          /* the bundle, or the job ("main.o via 127.0.0.2:3632") */
	char *detail;           /* one line: why it passed or failed */
};

struct tree_result {
	struct tree_check *checks;
	size_t n, cap;
	size_t jobs, workers;
	bool simulated;         /* some evidence came from kettle's simulator */
	bool complete;          /* every check passed, and there was at least one job */
};

/*
 * Verifies the tree.  0 with OUT filled (OUT->complete says the verdict), or
 * -1 with a one-line ERR for input that cannot be used (an unreadable bundle
 * or log, a statement that is not JSON, no memory).
 */
int verify_tree(const struct tree_input *in, struct tree_result *out, char *err, size_t errlen);
void tree_result_free(struct tree_result *r);

/*
 * Parses a bundle's statement (untrusted bytes): *ST (json_decref it) and
 * the SHA-256 its build-log byproduct names (*HAS_LOG false when it names
 * none that is 64 hex digits).  0, or -1 with ERR when it is not JSON.
 */
int verify_tree_statement(const uint8_t *bytes, size_t len, json_t **st, uint8_t log_sha256[32], bool *has_log,
			  char *err, size_t errlen);

#endif
