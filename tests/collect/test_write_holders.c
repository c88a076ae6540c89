// SPDX-License-Identifier: MIT
/*
 * The /proc side of FIFO writers from outside: the flags of an fdinfo file
 * (as the kernel writes it, cut short, too long, garbage) and the lookup of
 * the processes that hold a FIFO open for writing (no BPF: this test process
 * and a child hold a FIFO in the ways a daemon would).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/write_holders.h"
#include "kettle_test.h"
#include "testlib.h"

static int fdinfo_flags_as_the_kernel_writes_them(void)
{
	unsigned long flags = 0;

	CHECK(fdinfo_parse_flags("pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t4711\n", &flags) == 0 &&
	      flags == 0100002, "O_RDWR|O_LARGEFILE is read, got %lo", flags);
	CHECK(fdinfo_parse_flags("pos:\t0\nflags:\t02000001\n", &flags) == 0 && (flags & O_ACCMODE) == O_WRONLY,
	      "O_WRONLY|O_CLOEXEC is a write end");
	CHECK(fdinfo_parse_flags("pos:\t0\nflags:\t00\n", &flags) == 0 && flags == 0, "O_RDONLY is 0");
	CHECK(fdinfo_parse_flags("pos:\t0\nflags:\t0100001", &flags) == 0 && flags == 0100001,
	      "a last line without its newline is read");
	return TEST_PASS;
}

static int truncated_oversized_and_garbage_fdinfo_are_refused(void)
{
	static const char *const bad[] = {
		"",                                     /* empty */
		"pos:\t0\n",                            /* cut before the flags */
		"pos:\t0\nflags:",                      /* cut inside the line */
		"pos:\t0\nflags:\t\n",                  /* no number */
		"pos:\t0\nflags:\t0100009\n",           /* not octal */
		"pos:\t0\nflags:\t-1\n",                /* a sign */
		"pos:\t0\nflags:\t07777777777777777777777777\n", /* does not fit */
		"pos:\t0\n flags:\t02\n",               /* not at a line's start */
		"\x01\xff\nflags\t02\n",                /* garbage, no colon */
	};
	unsigned long flags;
	char *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(fdinfo_parse_flags(bad[i], &flags) == -EPROTO, "case %zu is refused", i);
	/* oversized: a flags line far past what fd_writes reads is simply not there */
	big = malloc(70000);
	CHECK(big, "memory");
	memset(big, 'x', 69990);
	strcpy(big + 69990, "\nflags:\t2");
	CHECK(fdinfo_parse_flags(big, &flags) == 0 && flags == 2, "a long first line is skipped whole");
	big[FDINFO_TEXT_MAX - 1] = '\0';
	CHECK(fdinfo_parse_flags(big, &flags) == -EPROTO, "what fd_writes keeps of it has no flags");
	free(big);
	return TEST_PASS;
}

static bool inside_none(void *arg, pid_t pid)
{
	(void)arg;
	(void)pid;
	return false;
}

static bool inside_me(void *arg, pid_t pid)
{
	return pid == *(pid_t *)arg;
}

static bool found(const pid_t *out, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (out[i] == pid)
			return true;
	return false;
}

static int holders_for_writing_are_found_readers_are_not(void)
{
	char dir[] = "/tmp/kettle-fifo-XXXXXX", path[PATH_MAX];
	pid_t me = getpid(), out[WRITE_HOLDERS_MAX], child;
	int rdwr, rd, n, ready[2];
	struct stat st;
	char c;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0 && stat(path, &st) == 0, "mkfifo");
	rd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0, "a reader");
	n = write_holders_find(st.st_dev, st.st_ino, inside_none, NULL, out, WRITE_HOLDERS_MAX);
	CHECK(n >= 0 && !found(out, n, me), "a process that only reads is no writer (%d found)", n);
	CHECK(pipe(ready) == 0, "pipe");
	child = fork();
	if (child == 0) {
		/* a daemon holding the FIFO with O_RDWR, as one that feeds it does */
		int fd = open(path, O_RDWR);

		c = fd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(child > 0 && read(ready[0], &c, 1) == 1 && c == 'y', "the child holds the FIFO");
	n = write_holders_find(st.st_dev, st.st_ino, inside_none, NULL, out, WRITE_HOLDERS_MAX);
	CHECK(n >= 1 && found(out, n, child) && !found(out, n, me), "the O_RDWR holder is found, the reader not");
	rdwr = open(path, O_WRONLY | O_NONBLOCK);
	CHECK(rdwr >= 0, "this process writes too");
	n = write_holders_find(st.st_dev, st.st_ino, inside_me, &me, out, WRITE_HOLDERS_MAX);
	CHECK(n >= 1 && found(out, n, child) && !found(out, n, me), "a writer inside the build is left out");
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(rdwr);
	close(rd);
	close(ready[0]);
	close(ready[1]);
	unlink(path);
	rmdir(dir);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "fdinfo_flags_as_the_kernel_writes_them", fdinfo_flags_as_the_kernel_writes_them },
	{ "truncated_oversized_and_garbage_fdinfo_are_refused", truncated_oversized_and_garbage_fdinfo_are_refused },
	{ "holders_for_writing_are_found_readers_are_not", holders_for_writing_are_found_readers_are_not },
};

TEST_MAIN("write_holders", tests)
