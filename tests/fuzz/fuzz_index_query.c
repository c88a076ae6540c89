// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: what users type at the fleet index (--db, --path,
 * --endpoint, --digest) must be accepted or refused with a reason, never
 * crash, and what is accepted must be well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/index_query.h"
#include "forensics/index_store.h"

#define INPUT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[INPUT_MAX + 1], like[2 * INPUT_MAX + 3], host[INDEX_HOST_MAX], sha[65], err[256];
	bool wild;
	long port;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	memcpy(in, data, size);
	in[size] = '\0';

	err[0] = '\0';
	if (index_glob_to_like(in, like, sizeof(like), &wild, err, sizeof(err)) == 0) {
		if (strlen(like) >= sizeof(like) || (!wild && (strchr(like, '%') || strchr(like, '_')) &&
						      !strstr(like, "\\%") && !strstr(like, "\\_")))
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap();
	}
	err[0] = '\0';
	if (index_endpoint_parse(in, host, &port, err, sizeof(err)) == 0) {
		if (!host[0] || strlen(host) >= INDEX_HOST_MAX || port == 0 || port > 65535 || port < -1)
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap();
	}
	err[0] = '\0';
	if (index_sha256_parse(in, sha, err, sizeof(err)) == 0) {
		if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
			__builtin_trap();
	} else if (!err[0]) {
		__builtin_trap();
	}
	err[0] = '\0';
	if (index_locator_parse(in, err, sizeof(err)) == INDEX_LOC_BAD && !err[0])
		__builtin_trap();
	return 0;
}
