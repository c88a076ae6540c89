// SPDX-License-Identifier: MIT
/* chain N: a process tree N deep, each level a fresh exec of this program. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc == 2 ? atoi(argv[1]) : -1, status;
	char next[16];
	pid_t pid;

	if (n < 0) {
		fprintf(stderr, "usage: chain N\n");
		return 2;
	}
	if (n == 0)
		return 0;
	snprintf(next, sizeof(next), "%d", n - 1);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], next, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
