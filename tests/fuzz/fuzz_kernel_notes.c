// SPDX-License-Identifier: MIT
/* libFuzzer target: ELF notes as /sys/kernel/notes holds them, read for the kernel's build ID (collect/core_btf). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "collect/core_btf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char hex[129];

	memset(hex, 'x', sizeof(hex));
	/* a found ID is hex, NUL-terminated inside the buffer, and came from the input */
	if (core_btf_build_id(data, size, hex, sizeof(hex)) == 0 &&
	    (!memchr(hex, '\0', sizeof(hex)) || strspn(hex, "0123456789abcdef") != strlen(hex) || !hex[0] ||
	     strlen(hex) / 2 > size))
		__builtin_trap();
	return 0;
}
