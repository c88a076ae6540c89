// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the build-log reader on arbitrary bytes, every record kind
 * included (digests, exec identities, environments, the kernel module's
 * records and stats).
 * The strings of what was read are walked, so ASan sees any pointer the reader
 * left dangling.  Seeds (the sample logs hold every kind): mkdir seeds &&
 * KETTLE_FUZZ_SEEDS=seeds build/tests/log/test_log_reader_bad, then
 * build-fuzz/fuzz_log_reader seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log/log_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

size_t fuzz_log_reader_sink;    /* what the walk read, so it is not optimised away */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_file f;
	char err[256];

	size_t sum = 0;

	if (log_read_buffer(data, size, &f, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < f.nkmod_execs; i++)
		sum += f.kmod_execs[i].path ? strlen(f.kmod_execs[i].path) : f.kmod_execs[i].sha256[0];
	for (size_t i = 0; i < f.ndigests; i++)
		sum += strlen(f.digests[i].path);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_env *env = f.events[i].type == LOG_EV_EXEC ? f.events[i].exec.env : NULL;

		for (uint32_t k = 0; env && k < env->nvars; k++)
			sum += strlen(env->vars[k]) + env->envc + env->flags;
	}
	for (uint32_t i = 0; i < f.header.nsecret_patterns; i++)
		sum += strlen(f.header.secret_patterns[i]);
	fuzz_log_reader_sink += sum;
	log_file_free(&f);
	return 0;
}
