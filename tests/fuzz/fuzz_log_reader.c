// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the build-log reader on arbitrary bytes, every record kind
 * included (digests, exec identities).  Seeds: mkdir seeds &&
 * KETTLE_FUZZ_SEEDS=seeds build/tests/unit/test_log_reader_bad, then
 * build-fuzz/fuzz_log_reader seeds.
 */
#include <stddef.h>
#include <stdint.h>

#include "log_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_file f;
	char err[256];

	if (log_read_buffer(data, size, &f, err, sizeof(err)) == 0)
		log_file_free(&f);
	return 0;
}
