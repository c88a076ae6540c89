// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the remote jobs of arbitrary log bytes (client and
 * worker, and their JSON), and the statement parses of kettle verify --tree
 * and kettle provenance --worker-statement on the same bytes.  Seeds: logs of tests/real-builds/test_distributed
 * (KETTLE_KEEP_TEST_DIRS=1 keeps them) and any statement.
 */
#include <stddef.h>
#include <stdint.h>

#include "forensics/verify_tree.h"
#include "log/log_reader.h"
#include "provenance/remote_jobs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct remote_jobs j;
	struct log_file f;
	uint8_t log_sha256[32];
	json_t *st = NULL;
	bool has_log;
	char err[512];

	struct remote_worker_statement w = { .name = "fuzz", .bytes = data, .len = size };
	struct remote_job job = { .peer = "127.0.0.2:3632", .has_source = true, .has_object = true };
	struct remote_jobs one = { .v = &job, .n = 1 };

	if (!verify_tree_statement(data, size, &st, log_sha256, &has_log, err, sizeof(err)))
		json_decref(st);
	/* the bytes as a worker's statement for kettle provenance --worker-statement */
	json_decref(remote_jobs_worker_deps(&one, &w, 1, err, sizeof(err)));
	if (log_read_buffer(data, size, &f, err, sizeof(err)))
		return 0;
	for (int worker = 0; worker < 2; worker++) {
		if (!(worker ? remote_jobs_worker(&f, &j) : remote_jobs_client(&f, &j))) {
			json_decref(remote_jobs_json(&j, worker));
			for (size_t i = 0; i < j.n; i++)
				(void)remote_job_missing(&j.v[i]);
		}
		remote_jobs_free(&j);
	}
	log_file_free(&f);
	return 0;
}
