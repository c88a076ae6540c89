// SPDX-License-Identifier: MIT
/* FIFO writers outside the build, found in /proc (see fifo_writers.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/fifo_writers.h"

bool fifo_seen_first(struct fifo_seen *s, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == dev && s->ino[i] == ino)
			return false;
	if (s->n < FIFO_SEEN_MAX) {
		s->dev[s->n] = dev;
		s->ino[s->n++] = ino;
	}
	return true;
}

/* Whether descriptor FD of the process whose /proc folder is PROC_FD is open for writing: its fdinfo's flags. */
static bool fd_writes(int pid_dir, const char *fd)
{
	char path[16 + NAME_MAX], line[128];
	unsigned long flags = 0;
	bool found = false;
	FILE *f;
	int dfd;

	snprintf(path, sizeof(path), "fdinfo/%s", fd);
	dfd = openat(pid_dir, path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	f = fdopen(dfd, "r");
	if (!f) {
		close(dfd);
		return false;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "flags: %lo", &flags) == 1;
	fclose(f);
	return found && (flags & O_ACCMODE) != O_RDONLY;
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

		/* stat follows the link to the FIFO itself without opening it */
		if (e->d_name[0] == '.' || fstatat(fd_dir, e->d_name, &st, 0) || !S_ISFIFO(st.st_mode) ||
		    st.st_dev != dev || st.st_ino != ino)
			continue;
		held = fd_writes(pid_dir, e->d_name);
	}
	closedir(d);
	return held;
}

int fifo_writers_find(uint64_t dev, uint64_t ino, bool (*inside)(void *arg, pid_t pid), void *arg, pid_t *out,
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
