// SPDX-License-Identifier: MIT
/*
 * An ia32 program (gcc -m32 -static) for the qemu guest, whose 6.1 kernel
 * runs 32-bit code: opens and reads argv[1] with the 32-bit system calls, tries
 * to execute argv[2] with "-absent" appended (which fails), then executes
 * argv[2] with the 32-bit execve.  tests/kmod/guest_run.sh runs it inside
 * `kettle run`; the log must hold the open, the failed exec and both execs like
 * a 64-bit program's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char byte;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: guest_ia32 FILE PROGRAM\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, &byte, 1) != 1) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	{
		char absent[4096];

		snprintf(absent, sizeof(absent), "%s-absent", argv[2]);
		execl(absent, absent, (char *)NULL);
	}
	execl(argv[2], argv[2], (char *)NULL);
	perror(argv[2]);
	return 1;
}
