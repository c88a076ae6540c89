// SPDX-License-Identifier: MIT
/* libFuzzer target: /proc/PID/stat and /proc/PID/cmdline text as a process could shape it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/proc_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	char *buf = malloc(size + 1);
	char **argv;
	uint32_t argc;
	size_t total = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	(void)proc_parse_stat(buf, &st);
	memcpy(buf, data, size);
	if (proc_split_argv(buf, size, &argv, &argc) == 0) {
		/* every string inside the input, and together no more than it (plus the added NUL) */
		for (uint32_t i = 0; i < argc; i++)
			total += strlen(argv[i]) + 1;
		if (argv[argc] || total > size + 1 || argc == 0)
			__builtin_trap();
		proc_argv_free(argv);
	} else {
		free(buf);
	}
	return 0;
}
