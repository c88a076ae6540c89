// SPDX-License-Identifier: MIT
/* common/file_bytes.h file_write_all: every byte written, or the errno of the write that failed. */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>

#include "common/file_bytes.h"
#include "testlib.h"

/* More than a pipe holds, so the writer meets partial writes while the reader drains. */
#define BIG (1u << 20)

static int all_bytes_reach_the_reader(void)
{
	int p[2];
	pid_t child;
	uint8_t *buf = malloc(BIG), *got = malloc(BIG);
	size_t n = 0;
	ssize_t r, w;
	int st;

	CHECK(buf && got && pipe(p) == 0, "setup");
	for (size_t i = 0; i < BIG; i++)
		buf[i] = (uint8_t)(i * 7);
	child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0) {
		close(p[0]);
		_exit(file_write_all(p[1], buf, BIG) == BIG ? 0 : 1);
	}
	close(p[1]);
	while ((r = read(p[0], got + n, BIG - n)) > 0 && n < BIG)
		n += (size_t)r;
	close(p[0]);
	w = waitpid(child, &st, 0);
	r = memcmp(got, buf, BIG);
	free(buf);
	free(got);
	CHECK(w == child && WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer failed");
	CHECK(n == BIG && r == 0, "%zu of %u bytes arrived as written", n, BIG);
	return TEST_PASS;
}

static int failed_write_is_minus_errno(void)
{
	int p[2];
	ssize_t r;

	CHECK(pipe(p) == 0, "pipe");
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	r = file_write_all(p[1], "x", 1);
	close(p[1]);
	CHECK(r == -EPIPE, "got %zd", r);
	CHECK(file_write_all(-1, "x", 1) == -EBADF, "a bad descriptor");
	CHECK(file_write_all(-1, "", 0) == 0, "nothing to write is no write");
	return TEST_PASS;
}

/* file_write_new replaces the file whole, never writes through a symlink, and says why it failed. */
static int write_new_replaces_whole_file(void)
{
	char dir[] = "/tmp/kettle-file-bytes-XXXXXX", path[64], link_path[64], err[256];
	uint8_t *back;
	size_t n;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(link_path, sizeof(link_path), "%s/out.tmp.%d", dir, (int)getpid());
	CHECK(file_write_new(path, "first, longer", 13, err, sizeof(err)) == 0, "%s", err);
	CHECK(file_write_new(path, "second", 6, err, sizeof(err)) == 0, "%s", err);
	CHECK(file_read_bounded(path, 64, &back, &n, err, sizeof(err)) == 0 && n == 6 && !memcmp(back, "second", 6),
	      "not replaced whole");
	free(back);
	/* a planted symlink at the temporary name is refused, not followed */
	CHECK(symlink("/etc/passwd", link_path) == 0, "symlink");
	CHECK(file_write_new(path, "x", 1, err, sizeof(err)) < 0 && strstr(err, "cannot create") && !strchr(err, '\n'),
	      "%s", err);
	unlink(link_path);
	snprintf(path, sizeof(path), "%s/no/such/dir/out", dir);
	CHECK(file_write_new(path, "x", 1, err, sizeof(err)) < 0 && strstr(err, "No such file"), "%s", err);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(system(path) == 0, "cleanup");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "write_new_replaces_whole_file", write_new_replaces_whole_file },
	{ "all_bytes_reach_the_reader", all_bytes_reach_the_reader },
	{ "failed_write_is_minus_errno", failed_write_is_minus_errno },
};

TEST_MAIN("file_bytes", tests)
