// SPDX-License-Identifier: MIT
/* A --subject as the log names files: with the symlinks of its directory part resolved. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

/*
 * The log holds the kernel's path of each file, symlinks resolved
 * (bazel-bin/ is a link into the output base): so a subject's part before
 * its first glob character is resolved here, on the machine that ran the
 * build.  A part that does not resolve is kept as given.
 */
char *cli_subject_resolved(const char *pattern)
{
	size_t glob_at = strcspn(pattern, "*?[");
	const char *slash = NULL, *rest;
	char head[PATH_MAX], real[PATH_MAX], *out;

	/* no glob: the whole path when it exists already, else its directory (the build makes the file) */
	if (pattern[glob_at] == '\0' && realpath(pattern, real))
		return strdup(real);
	for (const char *p = pattern; p < pattern + glob_at; p++)
		if (*p == '/')
			slash = p;
	if (!slash)
		return strdup(pattern);
	if ((size_t)(slash - pattern) >= sizeof(head))
		return strdup(pattern);
	memcpy(head, pattern, (size_t)(slash - pattern));
	head[slash - pattern] = '\0';
	rest = slash;
	if (!realpath(head[0] ? head : "/", real))
		return strdup(pattern);
	if (asprintf(&out, "%s%s", strcmp(real, "/") ? real : "", rest) < 0)
		return NULL;
	return out;
}
