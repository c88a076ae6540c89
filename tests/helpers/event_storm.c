// SPDX-License-Identifier: MIT
/*
 * Makes N events of one kind as fast as it can and prints "CALLS NS_PER_CALL":
 *   chmod FILE N     N chmod calls (file-tree events)
 *   rename DIR N     N renames of DIR/a to DIR/b and back (two paths each)
 *   udp N            N sendto calls to a local UDP socket (socket events)
 *   getppid N        N getppid calls (no kettle event: the tracing slow path alone)
 *   exec N           N fork + exec of /bin/true with this environment, each waited for
 * For tests/integration/test_loss_events.c, tools/bench/syscall-cost and exec-env-cost.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long udp_storm(long n)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(in);
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
	long made = 0;

	if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&in, sizeof(in)) ||
	    getsockname(r, (struct sockaddr *)&in, &len))
		return -1;
	for (long i = 0; i < n; i++) {
		char drain[8];

		made++;
		sendto(s, "x", 1, 0, (struct sockaddr *)&in, sizeof(in));
		if (recv(r, drain, sizeof(drain), MSG_DONTWAIT) < 0)
			continue;
	}
	return made;
}

static long exec_storm(long n)
{
	static char *const argv[] = { "true", NULL };
	extern char **environ;
	long made = 0;

	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execve("/bin/true", argv, environ);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			return made;
		made++;
	}
	return made;
}

static long rename_storm(const char *dir, long n)
{
	char a[4096], b[4096];
	long made = 0;
	int fd;

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	fd = open(a, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	for (long i = 0; i < n; i++) {
		made++;
		rename(i % 2 ? b : a, i % 2 ? a : b);
	}
	return made;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	long n = argc > 2 ? atol(argv[argc - 1]) : 0, made = 0;
	bool with_arg = !strcmp(mode, "chmod") || !strcmp(mode, "rename");
	double t0;

	if (n <= 0 || argc != (with_arg ? 4 : 3) ||
	    (!with_arg && strcmp(mode, "udp") && strcmp(mode, "getppid") && strcmp(mode, "exec"))) {
		fprintf(stderr, "usage: event_storm {chmod FILE | rename DIR | udp | getppid | exec} N\n");
		return 2;
	}
	t0 = now_ns();
	if (!strcmp(mode, "udp")) {
		made = udp_storm(n);
	} else if (!strcmp(mode, "rename")) {
		made = rename_storm(argv[2], n);
	} else if (!strcmp(mode, "exec")) {
		made = exec_storm(n);
	} else if (!strcmp(mode, "getppid")) {
		for (long i = 0; i < n; i++, made++)
			getppid();
	} else {
		for (long i = 0; i < n; i++, made++)
			chmod(argv[2], 0644);
	}
	printf("%ld %.1f\n", made, made > 0 ? (now_ns() - t0) / made : 0.0);
	fflush(stdout);
	usleep(500000);         /* as open_storm: let the collector drain before exit */
	return made == n ? 0 : 1;
}
