// SPDX-License-Identifier: MIT
/* Starting the traced command behind a gate, so tracing is live before it runs. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "collect/spawn.h"

static void child_run(int gate, int err_fd, char *const argv[], const sigset_t *sigmask)
{
	char go;
	int e;

	if (sigprocmask(SIG_SETMASK, sigmask, NULL))
		_exit(125);
	if (read(gate, &go, 1) != 1)
		_exit(125);     /* the collector died before releasing us */
	close(gate);
	execvp(argv[0], argv);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) != sizeof(e))
		_exit(125);
	_exit(e == ENOENT ? 127 : 126);
}

int spawn_gated(struct spawn *s, char *const argv[], const sigset_t *sigmask)
{
	int gate[2], errp[2];

	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	if (pipe2(errp, O_CLOEXEC)) {
		int e = errno;

		close(gate[0]);
		close(gate[1]);
		return -e;
	}
	s->pid = fork();
	if (s->pid < 0) {
		int e = errno;

		close(gate[0]);
		close(gate[1]);
		close(errp[0]);
		close(errp[1]);
		return -e;
	}
	if (s->pid == 0) {
		close(gate[1]);
		close(errp[0]);
		child_run(gate[0], errp[1], argv, sigmask);
	}
	close(gate[0]);
	close(errp[1]);
	s->gate_fd = gate[1];
	s->err_fd = errp[0];
	return 0;
}

int spawn_release(struct spawn *s)
{
	char go = 1;
	int e = 0;
	ssize_t n;

	if (write(s->gate_fd, &go, 1) != 1)
		e = errno;
	close(s->gate_fd);
	s->gate_fd = -1;
	if (e)
		return e;
	do
		n = read(s->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(s->err_fd);
	s->err_fd = -1;
	return n == sizeof(e) ? e : 0;
}
