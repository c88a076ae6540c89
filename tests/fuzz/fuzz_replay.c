// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the replay model and everything that walks it (lineage,
 * build diff, path resolution, the runtime-trace and CycloneDX exports) on
 * whatever the log reader accepts.
 */
#include <stddef.h>
#include <stdint.h>

#include "forensics/build_diff.h"
#include "forensics/export_cyclonedx.h"
#include "forensics/export_runtime_trace.h"
#include "forensics/lineage.h"
#include "forensics/replay.h"
#include "log/log_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_file f;
	struct replay r;
	struct lineage l;
	struct build_diff d;
	char err[256];

	if (log_read_buffer(data, size, &f, err, sizeof(err)))
		return 0;
	if (!replay_build(&r, &f, err, sizeof(err))) {
		for (uint32_t i = 0; i < r.nfiles && i < 8; i++) {
			if (!lineage_walk(&r, i, 16, &l))
				lineage_free(&l);
			(void)replay_file_resolve(&r, r.files[i].path, err, sizeof(err));
		}
		for (uint32_t p = 0; p < r.nprocs && p < 64; p++)
			(void)build_diff_step(&r, p);
		if (!build_diff_run(&d, &r, &r))
			build_diff_free(&d);
		json_decref(export_runtime_trace(&r));
		json_decref(export_cyclonedx(&r));
		replay_free(&r);
	}
	log_file_free(&f);
	return 0;
}
