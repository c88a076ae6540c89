// SPDX-License-Identifier: MIT
/* Which events `kettle log show` keeps: --pid, --path, --type, --since, --until, all ANDed. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log_filter.h"

#define NS_PER_S 1000000000LL
#define SECONDS_MAX 1000000000LL        /* ~31 years after the start: beyond any build */
#define FILTER_VALUES_MAX 4096          /* pids or globs: more is a mistake, not a query */

static const char *const type_names[LOG_EV_TYPE_MAX] = {
	[LOG_EV_FORK] = "fork", [LOG_EV_EXEC] = "exec", [LOG_EV_EXEC_FAILED] = "exec_failed",
	[LOG_EV_EXIT] = "exit", [LOG_EV_OPEN] = "open", [LOG_EV_PROC_SNAPSHOT] = "proc_snapshot",
	[LOG_EV_NET] = "net", [LOG_EV_FILE_OP] = "file_op", [LOG_EV_NOTICE] = "notice",
};

static const char *const notice_names[LOG_NOTICE_WHAT_MAX] = {
	[LOG_NOTICE_COMPAT_CALL] = "compat-syscall", [LOG_NOTICE_IO_URING] = "io-uring",
	[LOG_NOTICE_BPF] = "bpf", [LOG_NOTICE_PTRACE] = "ptrace", [LOG_NOTICE_PROCESS_VM] = "process-memory",
	[LOG_NOTICE_NAMESPACE] = "namespace", [LOG_NOTICE_MOUNT] = "mount", [LOG_NOTICE_CHROOT] = "chroot",
	[LOG_NOTICE_MODULE] = "kernel-module", [LOG_NOTICE_KEXEC] = "kexec",
	[LOG_NOTICE_SIGNAL_TRACER] = "signal-tracer", [LOG_NOTICE_RAW_IO] = "raw-io",
	[LOG_NOTICE_EXEC_UNLINKED] = "exec-unlinked", [LOG_NOTICE_FD_LOST] = "fd-unrecorded",
	[LOG_NOTICE_INTERRUPTED] = "interrupted", [LOG_NOTICE_LEFT_RUNNING] = "left-running",
	[LOG_NOTICE_INHERITED_SOCKET] = "inherited-socket", [LOG_NOTICE_IO_URING_OP] = "io-uring-op", [LOG_NOTICE_DAEMON] = "daemon",
	[LOG_NOTICE_INHERITED_PIPE] = "inherited-pipe", [LOG_NOTICE_IPC] = "ipc",
	[LOG_NOTICE_KERNEL_HELPER] = "kernel-helper", [LOG_NOTICE_SIGNAL_FROM_OUTSIDE] = "signal-from-outside",
	[LOG_NOTICE_FIFO_FROM_OUTSIDE] = "fifo-from-outside",
	[LOG_NOTICE_OUTPUT_FROM_OUTSIDE] = "output-from-outside",
	[LOG_NOTICE_PROCESS_FROM_OUTSIDE] = "process-from-outside",
};

/* enum io_uring_op of <linux/io_uring.h>: uapi numbers, spelled out here because Debian 12's headers stop at 48. */
static const char *const uring_op_names[] = {
	"nop", "readv", "writev", "fsync", "read_fixed", "write_fixed", "poll_add", "poll_remove",
	"sync_file_range", "sendmsg", "recvmsg", "timeout", "timeout_remove", "accept", "async_cancel",
	"link_timeout", "connect", "fallocate", "openat", "close", "files_update", "statx", "read", "write",
	"fadvise", "madvise", "send", "recv", "openat2", "epoll_ctl", "splice", "provide_buffers",
	"remove_buffers", "tee", "shutdown", "renameat", "unlinkat", "mkdirat", "symlinkat", "linkat",
	"msg_ring", "fsetxattr", "setxattr", "fgetxattr", "getxattr", "socket", "uring_cmd", "send_zc",
	"sendmsg_zc", "read_multishot", "waitid", "futex_wait", "futex_wake", "futex_waitv",
	"fixed_fd_install", "ftruncate", "bind", "listen", "recv_zc", "epoll_wait", "readv_fixed",
	"writev_fixed", "pipe",
};

const char *log_uring_op_name(uint64_t op)
{
	return op < sizeof(uring_op_names) / sizeof(uring_op_names[0]) ? uring_op_names[op] : NULL;
}

const char *log_notice_name(uint32_t what)
{
	return what < LOG_NOTICE_WHAT_MAX ? notice_names[what] : NULL;
}

const char *log_event_type_name(uint32_t type)
{
	return type < LOG_EV_TYPE_MAX ? type_names[type] : NULL;
}

/* The next item of a comma list, copied into ITEM; false when it is empty or does not fit. */
static bool next_item(const char **s, char *item, size_t len)
{
	size_t n = strcspn(*s, ",");

	if (n == 0 || n >= len || ((*s)[n] == ',' && !(*s)[n + 1]))
		return false;
	memcpy(item, *s, n);
	item[n] = '\0';
	*s += n + ((*s)[n] == ',');
	return true;
}

static int add_pids(struct log_filter *f, const char *value, char *err, size_t errlen)
{
	const char *s = value;
	char item[32];

	do {
		uint32_t *grown;
		unsigned long v;
		char *end;

		if (!next_item(&s, item, sizeof(item)) || !isdigit((unsigned char)item[0]))
			goto bad;
		errno = 0;
		v = strtoul(item, &end, 10);
		if (errno || *end || v == 0 || v > UINT32_MAX)
			goto bad;
		if (f->npids >= FILTER_VALUES_MAX) {
			snprintf(err, errlen, "--pid: more than %d pids", FILTER_VALUES_MAX);
			return -1;
		}
		grown = realloc(f->pids, (f->npids + 1) * sizeof(*grown));
		if (!grown) {
			snprintf(err, errlen, "--pid: out of memory");
			return -1;
		}
		f->pids = grown;
		f->pids[f->npids++] = (uint32_t)v;
	} while (*s);
	return 0;
bad:
	snprintf(err, errlen, "--pid '%s': expected a process id (1 or more) or a comma list of them", value);
	return -1;
}

static int add_types(struct log_filter *f, const char *value, char *err, size_t errlen)
{
	const char *s = value;
	char item[32];

	do {
		uint32_t t = 0;

		if (next_item(&s, item, sizeof(item)))
			for (t = 1; t < LOG_EV_TYPE_MAX && strcmp(item, type_names[t]); t++)
				;
		if (t >= LOG_EV_TYPE_MAX && !strcmp(item, LOG_FILTER_KMOD_EXEC_NAME)) {
			f->types |= LOG_FILTER_KMOD_EXEC;
			continue;
		}
		if (t == 0 || t >= LOG_EV_TYPE_MAX) {
			snprintf(err, errlen, "--type '%s': expected fork, exec, exec_failed, exit, open, "
				 "proc_snapshot, net, file_op or kmod_exec (comma list allowed)", value);
			return -1;
		}
		f->types |= 1u << t;
	} while (*s);
	return 0;
}

static int add_glob(struct log_filter *f, const char *value, char *err, size_t errlen)
{
	const char **grown;

	if (!*value) {
		snprintf(err, errlen, "--path: empty GLOB");
		return -1;
	}
	if (f->nglobs >= FILTER_VALUES_MAX) {
		snprintf(err, errlen, "--path: more than %d globs", FILTER_VALUES_MAX);
		return -1;
	}
	grown = realloc(f->globs, (f->nglobs + 1) * sizeof(*grown));
	if (!grown) {
		snprintf(err, errlen, "--path: out of memory");
		return -1;
	}
	f->globs = grown;
	f->globs[f->nglobs++] = value;
	return 0;
}

/* DIGITS[.DIGITS] seconds, exactly to the nanosecond (no floating point rounding). */
static bool parse_seconds(const char *s, int64_t *ns)
{
	int64_t sec = 0, frac = 0, scale = NS_PER_S;
	bool neg = *s == '-';

	s += neg;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		sec = sec * 10 + (*s - '0');
		if (sec > SECONDS_MAX)
			return false;
	}
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return false;
		for (; isdigit((unsigned char)*s); s++) {
			if (scale > 1) {        /* digits past the nanosecond do not count */
				scale /= 10;
				frac += (*s - '0') * scale;
			}
		}
	}
	if (*s)
		return false;
	*ns = (sec * NS_PER_S + frac) * (neg ? -1 : 1);
	return true;
}

/* N digits at S as a number; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* YYYY-MM-DDTHH:MM:SS[.FRACTION](Z|+00:00|-00:00): an RFC 3339 UTC time, as ns since the epoch. */
static bool parse_rfc3339_utc(const char *s, int64_t *ns)
{
	struct tm tm = { 0 }, back;
	int64_t frac = 0, scale = NS_PER_S;
	time_t t;

	if (strnlen(s, 20) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour < 0 ||
	    tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 59)
		return false;
	s += 19;
	if (*s == '.') {
		if (!isdigit((unsigned char)*++s))
			return false;
		for (; isdigit((unsigned char)*s); s++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
		}
	}
	if (strcmp(s, "Z") && strcmp(s, "z") && strcmp(s, "+00:00") && strcmp(s, "-00:00"))
		return false;
	back = tm;
	t = timegm(&tm);
	/* timegm normalizes 02-31 to 03-03: a date that moved was not a date */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon ||
	    t > INT64_MAX / NS_PER_S - 1)
		return false;
	*ns = (int64_t)t * NS_PER_S + frac;
	return true;
}

static int set_bound(struct log_time_bound *b, const char *opt, const char *value, char *err, size_t errlen)
{
	if (parse_seconds(value, &b->ns)) {
		b->wall = false;
	} else if (parse_rfc3339_utc(value, &b->ns)) {
		b->wall = true;
	} else {
		snprintf(err, errlen, "%s '%s': expected seconds since the log's start (1.5) or an "
			 "RFC 3339 UTC time (2026-01-31T12:00:00.5Z)", opt, value);
		return -1;
	}
	b->set = true;
	return 0;
}

bool log_filter_is_option(const char *opt)
{
	return !strcmp(opt, "--pid") || !strcmp(opt, "--path") || !strcmp(opt, "--type") ||
	       !strcmp(opt, "--since") || !strcmp(opt, "--until");
}

int log_filter_add(struct log_filter *f, const char *opt, const char *value, char *err, size_t errlen)
{
	if (!strcmp(opt, "--pid"))
		return add_pids(f, value, err, errlen);
	if (!strcmp(opt, "--path"))
		return add_glob(f, value, err, errlen);
	if (!strcmp(opt, "--type"))
		return add_types(f, value, err, errlen);
	if (!strcmp(opt, "--since"))
		return set_bound(&f->since, opt, value, err, errlen);
	if (!strcmp(opt, "--until"))
		return set_bound(&f->until, opt, value, err, errlen);
	snprintf(err, errlen, "%s: not a filter", opt);
	return -1;
}

/* B as ns since the log's start: a wall time through the header's pair of clocks. */
static int64_t bound_rel(const struct log_time_bound *b, const struct log_file *log)
{
	int64_t rel;

	if (!b->wall)
		return b->ns;
	/* the header is untrusted: a start_wall_ns past INT64_MAX puts every time before the start */
	if (log->header.start_wall_ns > INT64_MAX ||
	    __builtin_sub_overflow(b->ns, (int64_t)log->header.start_wall_ns, &rel))
		return INT64_MIN;
	return rel;
}

static bool glob_matches(const char *glob, const char *path)
{
	const char *base;

	if (!path)
		return false;
	if (strchr(glob, '/'))
		return fnmatch(glob, path, 0) == 0;
	base = strrchr(path, '/');
	return fnmatch(glob, base && base[1] ? base + 1 : path, 0) == 0;
}

/* The paths an event names: up to 3 (NULL where absent). */
static void event_paths(const struct log_event *e, const char *p[3])
{
	p[0] = p[1] = p[2] = NULL;
	switch (e->type) {
	case LOG_EV_EXEC:
		p[0] = e->exec.exe;
		p[1] = e->exec.filename;
		break;
	case LOG_EV_EXEC_FAILED:
		p[0] = e->exec_failed.path;
		p[1] = e->exec_failed.filename;
		break;
	case LOG_EV_OPEN:
		p[0] = e->open.path;
		break;
	case LOG_EV_PROC_SNAPSHOT:
		p[0] = e->proc_snapshot.exe;
		break;
	case LOG_EV_NET:
		p[0] = e->net.unix_path;
		break;
	case LOG_EV_FILE_OP:
		p[0] = e->file_op.path;
		p[1] = e->file_op.path2;
		break;
	default:
		break;
	}
}

static bool path_matches(const struct log_filter *f, const struct log_event *e)
{
	const char *p[3];

	event_paths(e, p);
	for (size_t g = 0; g < f->nglobs; g++)
		for (int i = 0; i < 3; i++)
			if (glob_matches(f->globs[g], p[i]))
				return true;
	return false;
}

static bool pid_matches(const struct log_filter *f, uint32_t tgid)
{
	for (size_t i = 0; i < f->npids; i++)
		if (f->pids[i] == tgid)
			return true;
	return false;
}

bool log_filter_match(const struct log_filter *f, const struct log_file *log, const struct log_event *e)
{
	int64_t rel = (int64_t)(e->ts_ns - log->header.start_boot_ns);

	if (f->types && (e->type >= 32 || !(f->types & (1u << e->type))))
		return false;
	if (f->npids && !pid_matches(f, e->tgid))
		return false;
	if (f->since.set && rel < bound_rel(&f->since, log))
		return false;
	if (f->until.set && rel > bound_rel(&f->until, log))
		return false;
	return !f->nglobs || path_matches(f, e);
}

bool log_filter_match_kmod(const struct log_filter *f, const struct log_file *log, const struct log_kmod_exec *k)
{
	int64_t rel = (int64_t)(k->ts_ns - log->header.start_boot_ns);

	if (f->types && !(f->types & LOG_FILTER_KMOD_EXEC))
		return false;
	if (f->npids && !pid_matches(f, k->tgid))
		return false;
	if (f->since.set && rel < bound_rel(&f->since, log))
		return false;
	if (f->until.set && rel > bound_rel(&f->until, log))
		return false;
	if (!f->nglobs)
		return true;
	for (size_t i = 0; i < f->nglobs; i++)
		if (k->path && glob_matches(f->globs[i], k->path))
			return true;
	return false;
}

void log_filter_free(struct log_filter *f)
{
	free(f->pids);
	free(f->globs);
	f->pids = NULL;
	f->globs = NULL;
	f->npids = f->nglobs = 0;
}
