// SPDX-License-Identifier: MIT
/*
 * The build tools/bench/scale traces to measure the collector: OPENS opens of
 * DISTINCT paths in turn (open i names path i % DISTINCT), none of which
 * exists, so that the kernel's work per open is small and the collector's
 * memory is what is measured: with DISTINCT small it must stay flat however
 * many OPENS; with DISTINCT = OPENS it grows with the distinct paths only
 * (the log writer's string and site tables).
 *
 *   scale_storm OPENS DISTINCT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long opens, distinct;
	char path[96];

	if (argc != 3 || (opens = atol(argv[1])) <= 0 || (distinct = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: scale_storm OPENS DISTINCT\n");
		return 2;
	}
	for (long i = 0; i < opens; i++) {
		long k = i % distinct;
		int fd;

		snprintf(path, sizeof(path), "/nonexistent-kettle-scale/dir%04ld/sub%02ld/file%08ld.h",
			 k % 5000, k % 37, k);
		fd = open(path, O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	/* _exit: no exit-time work opens files while the ring buffer may still be full */
	_exit(0);
}
