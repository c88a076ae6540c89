// SPDX-License-Identifier: MIT
/* Opens FILE N times as fast as it can and prints how many open calls it made. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

int main(int argc, char **argv)
{
	long n, made = 0;

	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: open_storm FILE N\n");
		return 2;
	}
#ifdef __SANITIZE_ADDRESS__
	/*
	 * LeakSanitizer's check opens /proc files; run at exit, with the ring
	 * still full of the storm, those opens would be losses the storm did not
	 * make.  Run now, it does not run again at exit.
	 */
	__lsan_do_leak_check();
#endif
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);

		made++;
		if (fd >= 0)
			close(fd);
	}
	printf("%ld\n", made);
	fflush(stdout);
	/*
	 * _exit: no exit-time work of a sanitizer runtime (LeakSanitizer reads
	 * /proc/self/maps) opens files while the ring buffer may still be full.
	 * Such an open, dropped, counts as a lost open that this storm did not
	 * make; a fixed wait before exit was not enough under load.
	 */
	_exit(0);
}
