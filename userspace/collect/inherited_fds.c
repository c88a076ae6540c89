// SPDX-License-Identifier: MIT
/* The descriptors a build holds without having opened them in the record: at kettle run's start, at kettle attach. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/inherited_fds.h"
#include "common/clock.h"

/* The descriptor's open flags from /proc/PID/fdinfo/FD ("flags: 0100002", octal); -1 when unknown. */
static long fd_flags(pid_t pid, int fd)
{
	char path[64], line[128];
	long flags = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %lo", &flags) == 1)
			break;
	fclose(f);
	return flags;
}

static int record_fd(struct session *s, pid_t pid, int fd, enum inherited_fds_which which)
{
	char link[64], path[4096];
	struct log_event ev = { .type = LOG_EV_OPEN, .ts_ns = clock_ns(CLOCK_BOOTTIME), .tgid = pid, .tid = pid };
	long flags = fd_flags(pid, fd);
	struct stat st;
	ssize_t n;

	if (flags < 0 || (which == INHERITED_ACROSS_EXEC && (flags & O_CLOEXEC)))
		return 0;       /* gone, or closed by the exec */
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	if (stat(link, &st))
		return 0;
	if (S_ISSOCK(st.st_mode)) {
		if (fd == STDOUT_FILENO || fd == STDERR_FILENO)
			return 0;       /* where the build's output goes, not something it reads */
		ev.type = LOG_EV_NOTICE;
		ev.notice.what = LOG_NOTICE_INHERITED_SOCKET;
		ev.notice.arg0 = (uint64_t)fd;
		return session_write_early(s, &ev);
	}
	if (!S_ISREG(st.st_mode))
		return 0;       /* a terminal, /dev/null, a pipe: no file content */
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	ev.open.path = path;
	ev.open.result = fd;
	ev.open.call = LOG_CALL_INHERITED;
	ev.open.flags = (uint64_t)flags;
	ev.open.dev = st.st_dev;
	ev.open.ino = st.st_ino;
	ev.open.size = st.st_size;
	ev.open.mtime_ns = (int64_t)st.st_mtim.tv_sec * (int64_t)NSEC_PER_SEC + st.st_mtim.tv_nsec;
	ev.open.ctime_ns = (int64_t)st.st_ctim.tv_sec * (int64_t)NSEC_PER_SEC + st.st_ctim.tv_nsec;
	return session_write_early(s, &ev);
}

int inherited_fds_record(struct session *s, pid_t pid, enum inherited_fds_which which)
{
	char dir_path[64];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	snprintf(dir_path, sizeof(dir_path), "/proc/%d/fd", (int)pid);
	dir = opendir(dir_path);
	if (!dir)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;        /* exited meanwhile: nothing held */
	while (!rc && (d = readdir(dir))) {
		char *end;
		long fd = strtol(d->d_name, &end, 10);

		if (d->d_name[0] != '.' && !*end && fd >= 0 && fd <= 1 << 20)
			rc = record_fd(s, pid, (int)fd, which);
	}
	closedir(dir);
	return rc;
}
