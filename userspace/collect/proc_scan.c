// SPDX-License-Identifier: MIT
/* What /proc says of running processes, for kettle attach. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/proc_scan.h"
#include "common/grow.h"

/* /proc/PID/stat of a process is well under this (52 numbers and a 16-byte name). */
#define STAT_MAX 2048
/* The kernel's largest pid_max: more descendants than that means lists read mid-change formed a loop. */
#define PROC_PID_LIMIT (1u << 22)

int pid_list_add(struct pid_list *l, pid_t pid)
{
	if (grow_array((void **)&l->pids, &l->cap, l->n + 1, sizeof(*l->pids), 64))
		return -ENOMEM;
	l->pids[l->n++] = pid;
	return 0;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

void pid_list_sort(struct pid_list *l)
{
	if (l->n)
		qsort(l->pids, l->n, sizeof(*l->pids), pid_cmp);
}

bool pid_list_has(const struct pid_list *l, pid_t pid)
{
	return l->n && bsearch(&pid, l->pids, l->n, sizeof(*l->pids), pid_cmp) != NULL;
}

void pid_list_free(struct pid_list *l)
{
	free(l->pids);
	memset(l, 0, sizeof(*l));
}

/* Reads at most LEN - 1 bytes of /proc/PID/NAME into BUF, NUL-terminated. Bytes read, or -errno. */
static ssize_t read_proc_file(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			/* a process that exits while its files are read gives ESRCH */
			return e == ESRCH ? -ENOENT : -e;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

int proc_parse_stat(const char *text, struct proc_stat *st)
{
	unsigned long long start;
	const char *p;
	int ppid;

	/* The name in parentheses may hold anything, ')' too: the fields follow the last ')'. */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &st->state, &ppid, &start) != 3 || ppid < 0)
		return -EPROTO;
	st->ppid = ppid;
	st->start_ticks = start;
	return 0;
}

int proc_read_stat(pid_t pid, struct proc_stat *st)
{
	char buf[STAT_MAX];
	ssize_t n;

	if (pid <= 0)
		return -ENOENT;
	n = read_proc_file(pid, "stat", buf, sizeof(buf));
	if (n < 0)
		return n;
	return proc_parse_stat(buf, st);
}

bool proc_exited(const struct proc_stat *st)
{
	return st->state == 'Z' || st->state == 'X' || st->state == 'x';
}

uint64_t proc_ticks_to_ns(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	return ticks / hz * 1000000000ull + ticks % hz * (1000000000ull / hz);
}

static int read_ids(pid_t pid, uint32_t *uid, uint32_t *gid)
{
	char path[64], line[512];
	bool have_uid = false, have_gid = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && !(have_uid && have_gid)) {
		if (!strncmp(line, "Uid:", 4))
			have_uid = sscanf(line + 4, "%u", uid) == 1;
		else if (!strncmp(line, "Gid:", 4))
			have_gid = sscanf(line + 4, "%u", gid) == 1;
	}
	fclose(f);
	return have_uid && have_gid ? 0 : -EPROTO;
}

/* readlink of /proc/PID/NAME into BUF. 0, or -1 when unreadable or too long for BUF. */
static int read_link_buf(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	n = readlink(path, buf, len);
	if (n <= 0 || (size_t)n >= len)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* readlink of /proc/PID/NAME into a new string; NULL when unreadable. */
static char *read_link(pid_t pid, const char *name)
{
	char buf[PATH_MAX];

	return read_link_buf(pid, name, buf, sizeof(buf)) ? NULL : strdup(buf);
}

/* The inode number in "mnt:[4026531840]". */
static uint32_t read_mntns(pid_t pid)
{
	char buf[64];
	unsigned long v;

	if (read_link_buf(pid, "ns/mnt", buf, sizeof(buf)) || sscanf(buf, "mnt:[%lu]", &v) != 1)
		return 0;
	return v;
}

void proc_argv_free(char **argv)
{
	if (!argv)
		return;
	free(argv[0]);
	free(argv);
}

int proc_split_argv(char *buf, size_t n, char ***argv_out, uint32_t *argc_out)
{
	char **argv;
	uint32_t argc = 0, i = 0;

	*argv_out = NULL;
	*argc_out = 0;
	if (n == 0)
		return -ENODATA;
	/* The last string may lack its NUL (cut, or a process rewrote its argv). */
	if (buf[n - 1] != '\0')
		buf[n++] = '\0';
	for (size_t k = 0; k < n; k++)
		argc += buf[k] == '\0';
	argv = calloc((size_t)argc + 1, sizeof(*argv));
	if (!argv)
		return -ENOMEM;
	for (size_t k = 0; k < n && i < argc; k += strlen(buf + k) + 1)
		argv[i++] = buf + k;
	*argv_out = argv;
	*argc_out = argc;
	return 0;
}

int proc_read_argv(pid_t pid, char ***argv_out, uint32_t *argc_out, bool *cut)
{
	char *buf = malloc(PROC_ARGV_MAX + 2);
	ssize_t n;
	int rc;

	*argv_out = NULL;
	*argc_out = 0;
	*cut = false;
	if (!buf)
		return -ENOMEM;
	n = read_proc_file(pid, "cmdline", buf, PROC_ARGV_MAX + 2);
	if (n > PROC_ARGV_MAX) {
		n = PROC_ARGV_MAX;
		*cut = true;
	}
	/* empty: a kernel thread or a zombie */
	rc = n < 0 ? (int)n : proc_split_argv(buf, n, argv_out, argc_out);
	if (rc)
		free(buf);
	return rc;
}

int proc_read_info(pid_t pid, struct proc_info *pi)
{
	int rc;

	memset(pi, 0, sizeof(*pi));
	pi->pid = pid;
	rc = proc_read_stat(pid, &pi->stat);
	pi->no_stat = rc != 0;
	pi->gone = rc == -ENOENT;
	pi->no_status = read_ids(pid, &pi->uid, &pi->gid) != 0;
	pi->mntns = read_mntns(pid);
	pi->exe = read_link(pid, "exe");
	pi->cwd = read_link(pid, "cwd");
	rc = proc_read_argv(pid, &pi->argv, &pi->argc, &pi->argv_cut);
	if (rc == -ENOMEM) {
		proc_info_free(pi);
		return rc;
	}
	/* Exited while being read: what was read may mix two states; say so. */
	if (!pi->gone) {
		struct proc_stat again;

		pi->gone = proc_read_stat(pid, &again) != 0 || proc_exited(&again) ||
			   (!pi->no_stat && again.start_ticks != pi->stat.start_ticks);
	}
	return 0;
}

void proc_info_free(struct proc_info *pi)
{
	free(pi->exe);
	free(pi->cwd);
	proc_argv_free(pi->argv);
	pi->exe = pi->cwd = NULL;
	pi->argv = NULL;
}

static bool parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX)
		return false;
	*out = v;
	return true;
}

/* Appends the pids listed in /proc/PID/task/TID/children. 0 or -errno. */
static int thread_children(pid_t pid, const char *tid, struct pid_list *out)
{
	char name[80], buf[8192], *p, *end;
	ssize_t n;
	int rc = 0;

	snprintf(name, sizeof(name), "task/%s/children", tid);
	n = read_proc_file(pid, name, buf, sizeof(buf));
	if (n == -ENOENT)
		return 0;       /* the thread is gone */
	if (n < 0)
		return n;
	/* A longer list is cut at the buffer; the scan rounds of attach find the rest. */
	if ((size_t)n == sizeof(buf) - 1 && (p = strrchr(buf, ' ')))
		*p = '\0';
	for (p = buf; !rc && *p;) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v > 0 && v <= INT_MAX)
			rc = pid_list_add(out, v);
		p = end;
	}
	return rc;
}

static int children_of(pid_t pid, struct pid_list *out)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!rc && (de = readdir(d)))
		if (de->d_name[0] != '.')
			rc = thread_children(pid, de->d_name, out);
	closedir(d);
	return rc;
}

static bool have_children_lists(pid_t root)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)root, (int)root);
	return access(path, R_OK) == 0;
}

int proc_descendants(pid_t root, struct pid_list *out)
{
	size_t first = out->n;
	int rc;

	if (!have_children_lists(root))
		return proc_descendants_by_ppid(root, out);
	rc = children_of(root, out);
	/* Breadth first: the list grows behind the cursor. A pid cannot be its own descendant. */
	for (size_t i = first; !rc && i < out->n && out->n - first <= PROC_PID_LIMIT; i++)
		rc = children_of(out->pids[i], out);
	return rc;
}

struct parent_link {
	pid_t ppid, pid;
};

static int link_cmp(const void *a, const void *b)
{
	const struct parent_link *x = a, *y = b;

	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* Every process in /proc with its parent, sorted by parent. 0 or -errno. */
static int all_parent_links(struct parent_link **out, size_t *nout)
{
	struct parent_link *links = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct proc_stat st;
		pid_t pid;

		if (!parse_pid(de->d_name, &pid) || proc_read_stat(pid, &st))
			continue;       /* not a process, or gone meanwhile */
		if (grow_array((void **)&links, &cap, n + 1, sizeof(*links), 256)) {
			free(links);
			closedir(d);
			return -ENOMEM;
		}
		links[n++] = (struct parent_link){ .ppid = st.ppid, .pid = pid };
	}
	closedir(d);
	if (n)
		qsort(links, n, sizeof(*links), link_cmp);
	*out = links;
	*nout = n;
	return 0;
}

int proc_descendants_by_ppid(pid_t root, struct pid_list *out)
{
	struct parent_link *links = NULL;
	size_t n = 0, first = out->n;
	int rc = all_parent_links(&links, &n);
	pid_t parent = root;

	if (rc)
		return rc;
	for (size_t i = first; !rc; i++) {
		struct parent_link key = { .ppid = parent };
		struct parent_link *hit = n ? bsearch(&key, links, n, sizeof(*links), link_cmp) : NULL;

		if (hit) {
			while (hit > links && hit[-1].ppid == parent)
				hit--;
			for (; !rc && hit < links + n && hit->ppid == parent; hit++)
				rc = pid_list_add(out, hit->pid);
		}
		/* more than every process: the scan raced with pid reuse into a loop */
		if (i >= out->n || out->n - first > n)
			break;
		parent = out->pids[i];
	}
	free(links);
	return rc;
}
