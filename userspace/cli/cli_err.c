// SPDX-License-Identifier: MIT
/* kettle's stderr lines (cli_err.h). */
#include "cli/cli_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void cli_err(const char *cmd, const char *fmt, ...)
{
	const char *sep = cmd ? " " : "";
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	/* The whole line in one write: the traced build may be writing to the same terminal. */
	if (n >= 0) {
		fprintf(stderr, "kettle%s%s: %s\n", sep, cmd ? cmd : "", msg);
		free(msg);
		return;
	}
	/* Out of memory: the same text, in pieces. */
	fprintf(stderr, "kettle%s%s: ", sep, cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
