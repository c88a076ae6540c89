// SPDX-License-Identifier: MIT
/* libFuzzer target: a process chain as the fleet index stores it (procs.chain), read back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/index_chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_chain_entry e[INDEX_CHAIN_INLINE];
	char *text = malloc(size + 1);
	int64_t next;
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = index_chain_parse(text, e, INDEX_CHAIN_INLINE, &next);
	if (n > INDEX_CHAIN_INLINE || (n < 0 && next != -1))
		__builtin_trap();
	for (int i = 0; i < n; i++)
		if (strlen(e[i].exe_id) > 20 || strlen(e[i].argv_id) > 20)
			__builtin_trap();
	free(text);
	return 0;
}
