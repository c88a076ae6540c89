// SPDX-License-Identifier: MIT
/*
 * Opens one file in every way a build might name it, from inside DIR:
 * relative, dirfd-relative, with "..", through a symlink, and two missing
 * names.  The test knows the real paths.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int must(int fd, const char *what)
{
	if (fd < 0)
		perror(what);
	else
		close(fd);
	return fd >= 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int dfd, bad = 0;

	if (argc != 2 || chdir(argv[1]) || chdir("sub")) {
		fprintf(stderr, "usage: open_paths DIR (DIR/sub/file.txt and DIR/link must exist)\n");
		return 2;
	}
	dfd = open("..", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return 2;
	bad |= must(open("file.txt", O_RDONLY), "relative");
	bad |= must(openat(dfd, "sub/file.txt", O_RDONLY), "dirfd-relative");
	bad |= must(open("../sub/./file.txt", O_RDONLY), "dotdot");
	bad |= must(open("../link", O_RDONLY), "symlink");
	if (open("missing.txt", O_RDONLY) >= 0 || openat(dfd, "nodir/../gone.txt", O_RDONLY) >= 0)
		bad = 1;
	close(dfd);
	return bad;
}
