// SPDX-License-Identifier: MIT
/* Opens FILE N times as fast as it can and prints how many open calls it made. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, made = 0;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: open_storm FILE N\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);

		made++;
		if (fd >= 0)
			close(fd);
	}
	printf("%ld\n", made);
	fflush(stdout);
	/*
	 * Let the collector drain the ring buffer before exit: a runtime that
	 * opens files at exit (LeakSanitizer reads /proc/self/maps) must not lose
	 * events that would count against this storm.
	 */
	usleep(500000);
	return 0;
}
