// SPDX-License-Identifier: MIT
/* Double-forks a daemon that opens FILE only after its parent has exited. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t mid;

	if (argc != 2) {
		fprintf(stderr, "usage: daemonize FILE\n");
		return 2;
	}
	mid = fork();
	if (mid < 0)
		return 1;
	if (mid == 0) {
		pid_t me = getpid();

		if (setsid() < 0)
			_exit(1);
		if (fork() != 0)
			_exit(0);
		/* grandchild: wait until re-parented, i.e. the middle process is gone */
		for (int i = 0; i < 500 && getppid() == me; i++)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		usleep(100000);
		int fd = open(argv[1], O_RDONLY);
		if (fd >= 0)
			close(fd);
		_exit(fd >= 0 ? 0 : 1);
	}
	waitpid(mid, NULL, 0);
	return 0;
}
