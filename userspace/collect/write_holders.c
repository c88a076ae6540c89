// SPDX-License-Identifier: MIT
/* Writers outside the build, found in /proc (see write_holders.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/write_holders.h"

bool inode_seen_first(struct inode_seen *s, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == dev && s->ino[i] == ino)
			return false;
	if (s->n < INODE_SEEN_MAX) {
		s->dev[s->n] = dev;
		s->ino[s->n++] = ino;
	}
	return true;
}

int fdinfo_parse_flags(const char *text, unsigned long *flags)
{
	const char *line = text;

	while (line && strncmp(line, "flags:", 6)) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line)
		return -EPROTO;
	line += 6;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line < '0' || *line > '7')
		return -EPROTO;
	errno = 0;
	*flags = strtoul(line, (char **)&line, 8);
	return errno || (*line && *line != '\n') ? -EPROTO : 0;
}

/* Whether descriptor FD of the process whose /proc folder is PID_DIR is open for writing: its fdinfo's flags. */
static bool fd_writes(int pid_dir, const char *fd)
{
	char path[16 + NAME_MAX], text[FDINFO_TEXT_MAX];
	unsigned long flags;
	ssize_t n;
	int dfd;

	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	dfd = openat(pid_dir, path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	/* flags is the second line; what a longer fdinfo (epoll, inotify) lists after it is never needed */
	n = read(dfd, text, sizeof(text) - 1);
	close(dfd);
	if (n < 0)
		return false;
	text[n] = '\0';
	return fdinfo_parse_flags(text, &flags) == 0 && (flags & O_ACCMODE) != O_RDONLY;
}

/* Whether the process whose /proc folder is PID_DIR holds DEV:INO open for writing. */
static bool pid_writes(int pid_dir, uint64_t dev, uint64_t ino)
{
	int fd_dir = openat(pid_dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	bool held = false;
	DIR *d;

	if (fd_dir < 0)
		return false;
	d = fdopendir(fd_dir);
	if (!d) {
		close(fd_dir);
		return false;
	}
	while (!held && (e = readdir(d))) {
		struct stat st;

		/* stat follows the link to the file itself without opening it */
		if (e->d_name[0] == '.' || fstatat(fd_dir, e->d_name, &st, 0) || st.st_dev != dev || st.st_ino != ino)
			continue;
		held = fd_writes(pid_dir, e->d_name);
	}
	closedir(d);
	return held;
}

int write_holders_find(uint64_t dev, uint64_t ino, bool (*inside)(void *arg, pid_t pid), void *arg, pid_t *out,
		      size_t max)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!proc)
		return -errno;
	while (n < max && (e = readdir(proc))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int pid_dir;
		bool writes;

		if (*end || pid <= 0 || inside(arg, (pid_t)pid))
			continue;
		pid_dir = openat(dirfd(proc), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pid_dir < 0)
			continue;       /* gone meanwhile */
		writes = pid_writes(pid_dir, dev, ino);
		close(pid_dir);
		if (writes)
			out[n++] = (pid_t)pid;
	}
	closedir(proc);
	return (int)n;
}
