// SPDX-License-Identifier: MIT
/*
 * Changes the file tree inside DIR in every way a build might, relative to
 * the cwd and to a dirfd: mkdir, create, rename, link, symlink, truncate,
 * chmod, utimensat, unlink, rmdir, and two calls that fail.  Leaves
 * DIR/final (renamed, written) and DIR/d/keep.  test_mutations.c knows the
 * paths.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;

static void must(int rc, const char *what)
{
	if (rc < 0) {
		perror(what);
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	int dfd, fd;

	if (argc != 2 || chdir(argv[1])) {
		fprintf(stderr, "usage: mutate DIR\n");
		return 2;
	}
	must(mkdir("d", 0755), "mkdir");
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	must(dfd, "open d");
	fd = openat(dfd, "a", O_WRONLY | O_CREAT | O_EXCL, 0644);
	must(fd, "create d/a");
	must(write(fd, "hello\n", 6) == 6 ? 0 : -1, "write");
	must(renameat(dfd, "a", dfd, "b"), "renameat d/a d/b");
	must(rename("d/b", "d/./c"), "rename d/b d/c");
	must(linkat(dfd, "c", AT_FDCWD, "d/hard", 0), "linkat");
	must(symlinkat("c", dfd, "sym"), "symlinkat");
	must(symlink("/nonexistent/target", "d/abslink"), "symlink");
	must(truncate("d/c", 5), "truncate");
	must(ftruncate(fd, 4), "ftruncate");
	must(chmod("d/c", 0600), "chmod");
	must(fchmodat(dfd, "c", 0640, 0), "fchmodat");
	must(fchmod(fd, 0644), "fchmod");
	must(utimensat(dfd, "c", NULL, 0), "utimensat");
	must(unlinkat(dfd, "sym", 0), "unlinkat");
	must(unlink("d/hard"), "unlink");
	must(mkdirat(dfd, "sub", 0700), "mkdirat");
	must(unlinkat(dfd, "sub", AT_REMOVEDIR), "unlinkat AT_REMOVEDIR");
	must(mkdir("d/keep", 0755), "mkdir keep");
	must(rename("d/c", "d/../final"), "rename to final");
	must(unlink("d/abslink"), "unlink abslink");
	/* these two fail: the record still names the path the call meant */
	if (rmdir("d") == 0 || unlink("d/never") == 0)
		bad = 1;
	close(fd);
	close(dfd);
	return bad;
}
