// SPDX-License-Identifier: MIT
/* A cgroup v2 directory of the build's own, and moving processes into it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "collect/cgroup_scope.h"

#define CGROUP2_MAGIC 0x63677270
/* cgroup levels walked below an attached cgroup at most */
#define CGROUP_DEPTH_MAX 64

int cgroup2_mount(char *out, size_t outlen)
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
	if (snprintf(cg->path, sizeof(cg->path), "%s/kettle-%d", root, (int)getpid()) >= (int)sizeof(cg->path)) {
		snprintf(err, errlen, "cgroup v2 mount path too long: %s", root);
		return -1;
	}
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

/* The cgroup v2 directory of PID (0: kettle itself): the mount joined with the "0::" line of its cgroup file. */
static int cgroup_dir_of(pid_t pid, char *out, size_t outlen)
{
	char root[1024], line[4096], path[64];
	FILE *f;
	int rc = -1;

	if (cgroup2_mount(root, sizeof(root)))
		return -1;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::", 3) &&
		    snprintf(out, outlen, "%s%s", root, strcmp(line + 3, "/") ? line + 3 : "") < (int)outlen)
			rc = 0;
	}
	fclose(f);
	return rc;
}

uint64_t cgroup_id_of(pid_t pid)
{
	char dir[PATH_MAX];
	struct stat st;

	/* On cgroup v2 a cgroup directory's inode number is the cgroup id the kernel side records. */
	if (cgroup_dir_of(pid, dir, sizeof(dir)) || stat(dir, &st))
		return 0;
	return st.st_ino;
}

bool cgroup_fd_holds(int dir_fd, pid_t pid)
{
	char root[1024], dir[PATH_MAX];
	struct stat scope, st;
	size_t rootlen;

	if (fstat(dir_fd, &scope) || cgroup2_mount(root, sizeof(root)) || cgroup_dir_of(pid, dir, sizeof(dir)))
		return false;
	rootlen = strlen(root);
	/* PID's cgroup or one of its ancestors up to the mount is the scope's */
	for (;;) {
		char *slash;

		if (stat(dir, &st) == 0 && st.st_ino == scope.st_ino && st.st_dev == scope.st_dev)
			return true;
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) < rootlen)
			return false;
		*slash = '\0';
	}
}

uint64_t cgroup_scope_id(const struct cgroup_scope *cg)
{
	struct stat st;

	return fstat(cg->dir_fd, &st) ? 0 : st.st_ino;
}

int cgroup_scope_open(struct cgroup_scope *cg, const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX], own[PATH_MAX];
	struct statfs sfs;
	size_t len;

	cg->dir_fd = -1;
	if (!realpath(path, real)) {
		snprintf(err, errlen, "--cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	if (statfs(real, &sfs) || sfs.f_type != CGROUP2_MAGIC) {
		snprintf(err, errlen, "--cgroup %s: not a cgroup v2 directory", path);
		return -1;
	}
	if (strlen(real) >= sizeof(cg->path)) {
		snprintf(err, errlen, "--cgroup %s: path too long", path);
		return -1;
	}
	len = strlen(real);
	if (!cgroup_dir_of(0, own, sizeof(own)) && !strncmp(own, real, len) && (own[len] == '\0' || own[len] == '/')) {
		snprintf(err, errlen, "--cgroup %s: kettle itself runs in that cgroup (%s); run it outside", path, own);
		return -1;
	}
	strcpy(cg->path, real);
	cg->dir_fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dir_fd < 0) {
		snprintf(err, errlen, "--cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void cgroup_scope_close(struct cgroup_scope *cg)
{
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	cg->dir_fd = -1;
}

static int procs_of(int dir_fd, struct pid_list *out)
{
	int fd = openat(dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f;
	int pid, rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;    /* removed meanwhile */
	f = fdopen(fd, "r");
	if (!f) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while (!rc && fscanf(f, "%d", &pid) == 1)
		if (pid > 0)
			rc = pid_list_add(out, pid);
	fclose(f);
	return rc;
}

/* Takes over DIR_FD. */
static int subtree_procs(int dir_fd, int depth, struct pid_list *out)
{
	struct dirent *de;
	DIR *d;
	int rc = procs_of(dir_fd, out);

	if (rc || depth >= CGROUP_DEPTH_MAX) {
		close(dir_fd);
		return rc;
	}
	d = fdopendir(dir_fd);
	if (!d) {
		rc = -errno;
		close(dir_fd);
		return rc;
	}
	while (!rc && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;       /* removed meanwhile */
		rc = subtree_procs(sub, depth + 1, out);
	}
	closedir(d);
	return rc;
}

int cgroup_scope_procs(struct cgroup_scope *cg, struct pid_list *out)
{
	int fd = openat(cg->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return subtree_procs(fd, 0, out);
}
