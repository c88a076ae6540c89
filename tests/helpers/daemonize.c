// SPDX-License-Identifier: MIT
/* Double-forks a daemon that opens FILE only after its parent has exited. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* True once ROOT has exited: gone, or a zombie (its exit event already emitted). */
static int root_exited(pid_t root)
{
	char path[64], stat[512];
	FILE *f;
	char *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)root);
	f = fopen(path, "r");
	if (!f)
		return kill(root, 0) < 0 && errno == ESRCH;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	paren = strrchr(stat, ')');
	return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

int main(int argc, char **argv)
{
	pid_t mid, root = getpid();

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
		/* a loaded machine can take long to run the root's exit: wait for it, not a fixed time */
		for (int i = 0; i < 3000 && !root_exited(root); i++)
			nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
		usleep(10000);
		int fd = open(argv[1], O_RDONLY);
		if (fd >= 0)
			close(fd);
		_exit(fd >= 0 ? 0 : 1);
	}
	waitpid(mid, NULL, 0);
	return 0;
}
