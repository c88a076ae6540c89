// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_scope.h"

/* The cgroup2 mount point from /proc/self/mountinfo (pure v2 or hybrid hierarchy). */
static int cgroup2_mount(char *out, size_t outlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		char mnt[1024], fstype[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (!strcmp(fstype, "cgroup2") && strlen(mnt) < outlen) {
			strcpy(out, mnt);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int cgroup_scope_create(struct cgroup_scope *cg, char *err, size_t errlen)
{
	char root[1024];

	cg->dir_fd = -1;
	if (cgroup2_mount(root, sizeof(root))) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted (see /proc/self/mountinfo)");
		return -1;
	}
	snprintf(cg->path, sizeof(cg->path), "%s/kettle-%d", root, (int)getpid());
	if (mkdir(cg->path, 0755)) {
		snprintf(err, errlen, "cannot create cgroup %s: %s", cg->path, strerror(errno));
		return -1;
	}
	cg->dir_fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0) {
		snprintf(err, errlen, "cannot open cgroup %s: %s", cg->path, strerror(errno));
		rmdir(cg->path);
		return -1;
	}
	return 0;
}

int cgroup_scope_add(struct cgroup_scope *cg, pid_t pid)
{
	int fd = openat(cg->dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	char buf[32];
	int n, rc = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (write(fd, buf, n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

bool cgroup_scope_populated(struct cgroup_scope *cg)
{
	int fd = openat(cg->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "populated 1") != NULL;
}

int cgroup_scope_remove(struct cgroup_scope *cg)
{
	int rc = 0;

	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	cg->dir_fd = -1;
	/* The last process may still be leaving; retry briefly. */
	for (int i = 0; i < 50; i++) {
		rc = rmdir(cg->path) ? -errno : 0;
		if (rc != -EBUSY)
			break;
		usleep(20000);
	}
	return rc;
}
