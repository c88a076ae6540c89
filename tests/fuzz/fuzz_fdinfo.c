// SPDX-License-Identifier: MIT
/* libFuzzer target: the text of a /proc/PID/fdinfo/FD file, as fifo_writers reads its flags. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/write_holders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned long flags;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* a flags line is only ever found where the text has one */
	if (fdinfo_parse_flags(text, &flags) == 0 && !strstr(text, "flags:"))
		__builtin_trap();
	free(text);
	return 0;
}
