// SPDX-License-Identifier: MIT
/* kettle log {show|tree|stats|files} FILE [--json]: a build log read back for people and programs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include <jansson.h>

#include "cli/cli_err.h"
#include "cli/commands.h"
#include "cli/kmod_show.h"
#include "common/grow.h"
#include "common/hex.h"
#include "common/index_table.h"
#include "common/pid_set.h"
#include "log/env_numbers.h"
#include "log/log_files.h"
#include "log/log_filter.h"
#include "log/log_reader.h"
#include "log/net_summary.h"
#include "log/show_fmt.h"

#define ERRLEN 512
#define TREE_DEPTH_MAX 2000     /* deeper would risk the stack of the recursive printers */

/* O_LARGEFILE as the kernel reports it: glibc defines it as 0 on 64-bit. */
#ifdef __aarch64__
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

static const char *const call_names[] = { [LOG_CALL_OPEN] = "open", [LOG_CALL_OPENAT] = "openat",
					  [LOG_CALL_OPENAT2] = "openat2", [LOG_CALL_CREAT] = "creat",
					  [LOG_CALL_OPEN_BY_HANDLE] = "open_by_handle_at",
					  [LOG_CALL_PIDFD_GETFD] = "pidfd_getfd", [LOG_CALL_RECV_FD] = "scm_rights",
					  [LOG_CALL_INHERITED] = "inherited",
					  [LOG_CALL_IO_URING_OPEN] = "io_uring_openat" };

static const char *const fop_names[LOG_FOP_CALL_MAX] = {
	[LOG_FOP_RENAME] = "rename", [LOG_FOP_RENAMEAT] = "renameat", [LOG_FOP_RENAMEAT2] = "renameat2",
	[LOG_FOP_UNLINK] = "unlink", [LOG_FOP_UNLINKAT] = "unlinkat", [LOG_FOP_RMDIR] = "rmdir",
	[LOG_FOP_MKDIR] = "mkdir", [LOG_FOP_MKDIRAT] = "mkdirat", [LOG_FOP_LINK] = "link",
	[LOG_FOP_LINKAT] = "linkat", [LOG_FOP_SYMLINK] = "symlink", [LOG_FOP_SYMLINKAT] = "symlinkat",
	[LOG_FOP_TRUNCATE] = "truncate", [LOG_FOP_FTRUNCATE] = "ftruncate", [LOG_FOP_CHMOD] = "chmod",
	[LOG_FOP_FCHMOD] = "fchmod", [LOG_FOP_FCHMODAT] = "fchmodat", [LOG_FOP_FCHMODAT2] = "fchmodat2",
	[LOG_FOP_UTIMENSAT] = "utimensat",
};

static const char *const dns_status_names[] = { [LOG_DNS_NONE] = "none", [LOG_DNS_NAMES] = "names",
						 [LOG_DNS_UNDECODABLE] = "undecodable" };

/* ---- shared helpers ---- */

static const char *fop_name(uint32_t call)
{
	return call < LOG_FOP_CALL_MAX ? fop_names[call] : NULL;
}

static const char *call_name(uint32_t call)
{
	return call < sizeof(call_names) / sizeof(call_names[0]) ? call_names[call] : NULL;
}

/* The errno of a -errno result; INT32_MIN has no positive counterpart and stays out of range. */
static int errno_of(int32_t result)
{
	return result == INT32_MIN ? INT32_MAX : -result;
}

static void print_errno(int err)
{
	const char *name = strerrorname_np(err);

	if (name)
		printf("-%s", name);
	else
		printf("-%d", err);
}

static void print_signal(int sig)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		printf("SIG%s", abbrev);
	else
		printf("signal %d", sig);
}

static void print_status(int32_t status)
{
	if (WIFSIGNALED(status)) {
		printf("killed by ");
		print_signal(WTERMSIG(status));
		if (WCOREDUMP(status))
			printf(" (core dumped)");
	} else {
		printf("exit %d", WEXITSTATUS(status));
	}
}

static void print_open_flags(uint64_t flags)
{
	static const struct { uint64_t bits; const char *name; } names[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_SYNC, "O_SYNC" }, { O_DSYNC, "O_DSYNC" }, { O_ASYNC, "O_ASYNC" },
		{ O_DIRECT, "O_DIRECT" }, { KERNEL_O_LARGEFILE, "O_LARGEFILE" },
		{ O_TMPFILE, "O_TMPFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
		{ O_PATH, "O_PATH" },
	};
	static const char *const access[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	fputs(access[flags & O_ACCMODE], stdout);
	flags &= ~(uint64_t)O_ACCMODE;
	/* composite flags (O_SYNC, O_TMPFILE) come before their parts */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bits) == names[i].bits) {
			printf("|%s", names[i].name);
			flags &= ~names[i].bits;
		}
	}
	if (flags)
		printf("|0x%" PRIx64, flags);
}

static void print_path(const char *path, uint32_t flags)
{
	show_word(stdout, path);
	if (flags & LOG_PATH_TRUNCATED)
		printf(" (truncated)");
	if (flags & LOG_PATH_UNREACHABLE)
		printf(" (unreachable)");
}

/* ---- show ---- */

static void show_open(const struct log_event *e)
{
	const char *call = call_name(e->open.call);

	print_path(e->open.path, e->open.path_flags);
	if (e->open.passed) {
		printf(" (as ");
		show_word(stdout, e->open.passed);
		putchar(')');
	}
	putchar(' ');
	print_open_flags(e->open.flags);
	if (e->open.flags & (O_CREAT | O_TMPFILE))
		printf(" mode 0%o", e->open.mode);
	if (call && e->open.call != LOG_CALL_OPENAT)
		printf(" via %s", call);
	printf(" = ");
	if (e->open.result < 0)
		print_errno(errno_of(e->open.result));
	else
		printf("%d", e->open.result);
}

static void print_result(int32_t result)
{
	if (result < 0)
		print_errno(errno_of(result));
	else
		printf("%d", result);
}

static void print_call(const char *name, uint32_t call)
{
	if (name)
		fputs(name, stdout);
	else
		printf("call %" PRIu32, call);
}

static void show_snapshot(const struct log_event *e)
{
	printf("ppid %" PRIu32 " ", e->proc_snapshot.ppid);
	if (e->proc_snapshot.exe)
		print_path(e->proc_snapshot.exe, e->proc_snapshot.exe_flags);
	else
		putchar('?');   /* /proc did not tell */
	printf(" [");
	show_argv(stdout, e->proc_snapshot.argv, e->proc_snapshot.nargv);
	printf(e->proc_snapshot.argv_truncated ? " ...]" : "]");
	if (e->proc_snapshot.cwd) {
		printf(" in ");
		print_path(e->proc_snapshot.cwd, e->proc_snapshot.cwd_flags);
	}
	if (e->proc_snapshot.flags)
		printf(" (flags 0x%" PRIx32 ")", e->proc_snapshot.flags);
}

static void show_net(const struct log_event *e)
{
	const char *family = net_family_name(e->net.family);
	char ep[INET6_ADDRSTRLEN + 160];

	print_call(net_call_name(e->net.call), e->net.call);
	printf(" fd %" PRId32, e->net.fd);
	if (family)
		printf(" %s", family);
	else if (e->net.family)
		printf(" family %" PRIu32, e->net.family);
	net_endpoint_format(e, ep, sizeof(ep));
	if (ep[0]) {
		putchar(' ');
		show_word(stdout, ep);
		if (e->net.addr_source == LOG_ADDR_PEER)
			printf(" (peer)");
		else if (e->net.addr_source == LOG_ADDR_LOCAL)
			printf(" (local)");
	}
	if (e->net.dns == LOG_DNS_UNDECODABLE)
		printf(" dns undecodable");
	for (uint32_t i = 0; i < e->net.ndns_names; i++) {
		printf(i ? "," : " dns ");
		show_word(stdout, e->net.dns_names[i]);
	}
	printf(" = ");
	print_result(e->net.result);
}

static void show_file_op(const struct log_event *e)
{
	print_call(fop_name(e->file_op.call), e->file_op.call);
	putchar(' ');
	print_path(e->file_op.path, e->file_op.path_flags);
	if (e->file_op.path2) {
		printf(" -> ");
		print_path(e->file_op.path2, e->file_op.path2_flags);
	}
	if (e->file_op.target) {
		printf(" to ");
		show_word(stdout, e->file_op.target);
	}
	if (e->file_op.flags)
		printf(" flags 0x%" PRIx64, e->file_op.flags);
	if (e->file_op.mode)
		printf(" mode 0%o", e->file_op.mode);
	if (e->file_op.call == LOG_FOP_TRUNCATE || e->file_op.call == LOG_FOP_FTRUNCATE)
		printf(" length %" PRId64, e->file_op.length);
	printf(" = ");
	print_result(e->file_op.result);
}

static void show_details(const struct log_event *e)
{
	switch (e->type) {
	case LOG_EV_FORK:
		printf("child %" PRIu32, e->fork.child_tgid);
		break;
	case LOG_EV_EXEC:
		print_path(e->exec.exe, e->exec.exe_flags);
		printf(" [");
		show_argv(stdout, e->exec.argv, e->exec.nargv);
		printf(e->exec.argv_truncated ? " ...]" : "]");
		break;
	case LOG_EV_EXEC_FAILED:
		show_word(stdout, e->exec_failed.filename);
		printf(" = ");
		print_errno(e->exec_failed.err);
		printf(" (");
		print_path(e->exec_failed.path, e->exec_failed.path_flags);
		putchar(')');
		break;
	case LOG_EV_EXIT:
		print_status(e->exit.status);
		break;
	case LOG_EV_OPEN:
		show_open(e);
		break;
	case LOG_EV_PROC_SNAPSHOT:
		show_snapshot(e);
		break;
	case LOG_EV_NET:
		show_net(e);
		break;
	case LOG_EV_FILE_OP:
		show_file_op(e);
		break;
	case LOG_EV_NOTICE:
		printf("%s (call %" PRIu32 ", result %" PRId64 ")", log_notice_name(e->notice.what) ?: "?",
		       e->notice.nr, e->notice.result);
		break;
	default:
		break;
	}
}

static void print_rel_time(uint64_t ts, uint64_t start)
{
	bool neg = ts < start;
	uint64_t d = neg ? start - ts : ts - start;

	printf("%s%" PRIu64 ".%06" PRIu64, neg ? "-" : "", d / 1000000000u, d % 1000000000u / 1000u);
}

/* How the session began: "run" unless the header says otherwise (older logs are all runs). */
static const char *log_start(const struct log_file *f)
{
	const char *s = log_header_option(&f->header, "start");

	return s ? s : "run";
}

/* False for a record that began mid-build (kettle attach). */
static bool log_complete(const struct log_file *f)
{
	const char *c = log_header_option(&f->header, "complete");

	return !c || strcmp(c, "false");
}

/* " env #N", and the first time its strings as shell words: " env #N (K of ENVC variables) {A=1 B=2}". */
static int show_env(struct env_numbers *t, const struct log_env *env)
{
	bool first;
	long n = env_number(t, env, &first);

	if (n < 0)
		return -1;
	printf(" env #%ld", n);
	if (!first)
		return 0;
	printf(" (%" PRIu32 " of %" PRIu32 " variables%s) {", env->nvars, env->envc,
	       env->flags ? ", cut short" : "");
	show_argv(stdout, env->vars, env->nvars);
	putchar('}');
	return 0;
}

/* A kernel module's measurement in the timeline (by its time: the exec event follows it). */
static void show_kmod_text(const struct log_file *f, const struct log_filter *flt, const struct log_kmod_exec *k)
{
	if (!log_filter_match_kmod(flt, f, k))
		return;
	print_rel_time(k->ts_ns, f->header.start_boot_ns);
	printf(" [%" PRIu32 "/%" PRIu32 "] %s ", k->tgid, k->tid, LOG_FILTER_KMOD_EXEC_NAME);
	kmod_show_details(stdout, k);
	putchar('\n');
}

static int show_text(const struct log_file *f, const struct log_filter *flt)
{
	struct env_numbers envs = { 0 };
	size_t k = 0;
	int r = 0;

	if (!log_complete(f))
		printf("# %s %s: began mid-build; what ran before is in proc_snapshot events\n", log_start(f),
		       log_header_option(&f->header, "attach.target") ?: "?");
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];

		for (; k < f->nkmod_execs && f->kmod_execs[k].ts_ns < e->ts_ns; k++)
			show_kmod_text(f, flt, &f->kmod_execs[k]);
		if (!log_filter_match(flt, f, e))
			continue;
		print_rel_time(e->ts_ns, f->header.start_boot_ns);
		printf(" [%" PRIu32 "/%" PRIu32 "] %s ", e->tgid, e->tid, log_event_type_name(e->type));
		show_details(e);
		if (e->type == LOG_EV_EXEC && e->exec.env && show_env(&envs, e->exec.env)) {
			r = -1;
			break;
		}
		putchar('\n');
	}
	for (; r == 0 && k < f->nkmod_execs; k++)
		show_kmod_text(f, flt, &f->kmod_execs[k]);
	env_numbers_free(&envs);
	return r;
}

static json_t *jargv(const char *const *argv, uint32_t n)
{
	return show_json_argv(argv, n);
}

static json_t *jstatus(int32_t status)
{
	if (WIFSIGNALED(status))
		return json_pack("{s:i}", "signal", WTERMSIG(status));
	return json_pack("{s:i}", "exit_code", WEXITSTATUS(status));
}

/* A call, family or state by its name; by its number when this kettle has no name for it. */
static json_t *jname(const char *name, uint32_t v)
{
	return name ? json_string(name) : json_integer(v);
}

static json_t *json_open(const struct log_event *e)
{
	json_t *o = json_pack("{s:o, s:b}", "path", show_json_name(e->open.path), "path_truncated",
			      (e->open.path_flags & LOG_PATH_TRUNCATED) != 0);

	if (o && e->open.passed && json_object_set_new(o, "passed", show_json_name(e->open.passed))) {
		json_decref(o);
		return NULL;
	}
	if (o && json_object_update_new(o, json_pack(
			"{s:i, s:o, s:o, s:I, s:o, s:o, s:I, s:I, s:I}",
			"result", e->open.result, "call", jname(call_name(e->open.call), e->open.call),
			"flags", show_json_u64(e->open.flags), "mode", (json_int_t)e->open.mode,
			"dev", show_json_u64(e->open.dev), "ino", show_json_u64(e->open.ino),
			"size", (json_int_t)e->open.size, "mtime_ns", (json_int_t)e->open.mtime_ns,
			"ctime_ns", (json_int_t)e->open.ctime_ns))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_snapshot(const struct log_event *e)
{
	return json_pack("{s:I, s:o, s:b, s:o, s:I, s:o, s:b, s:o, s:I}",
			 "ppid", (json_int_t)e->proc_snapshot.ppid, "exe", show_json_name(e->proc_snapshot.exe),
			 "exe_truncated", (e->proc_snapshot.exe_flags & LOG_PATH_TRUNCATED) != 0,
			 "cwd", show_json_name(e->proc_snapshot.cwd), "argc", (json_int_t)e->proc_snapshot.argc,
			 "argv", jargv(e->proc_snapshot.argv, e->proc_snapshot.nargv),
			 "argv_truncated", e->proc_snapshot.argv_truncated,
			 "start_boot_ns", show_json_u64(e->proc_snapshot.start_boot_ns),
			 "flags", (json_int_t)e->proc_snapshot.flags);
}

static const char *const addr_sources[] = { [LOG_ADDR_NONE] = "none", [LOG_ADDR_USER] = "user",
					    [LOG_ADDR_PEER] = "peer", [LOG_ADDR_LOCAL] = "local" };

static json_t *json_net(const struct log_event *e)
{
	char ep[INET6_ADDRSTRLEN + 160];
	uint32_t src = e->net.addr_source, dns = e->net.dns;

	net_endpoint_format(e, ep, sizeof(ep));
	return json_pack("{s:o, s:i, s:i, s:o, s:I, s:I, s:I, s:o, s:o, s:I, s:o, s:o, s:o}",
			 "call", jname(net_call_name(e->net.call), e->net.call),
			 "result", e->net.result, "fd", e->net.fd,
			 "family", jname(net_family_name(e->net.family), e->net.family),
			 "sock_type", (json_int_t)e->net.sock_type,
			 "protocol", (json_int_t)e->net.protocol, "flags", (json_int_t)e->net.flags,
			 "addr_source", jname(src <= LOG_ADDR_LOCAL ? addr_sources[src] : NULL, src),
			 "endpoint", ep[0] ? show_json_name(ep) : json_null(), "port", (json_int_t)e->net.port,
			 "local", json_boolean(!ep[0] || net_endpoint_is_local(e)),
			 "dns", jname(dns <= LOG_DNS_UNDECODABLE ? dns_status_names[dns] : NULL, dns),
			 "dns_names", jargv(e->net.dns_names, e->net.ndns_names));
}

static json_t *json_file_op(const struct log_event *e)
{
	return json_pack("{s:o, s:i, s:o, s:b, s:o, s:o, s:o, s:I, s:I}",
			 "call", jname(fop_name(e->file_op.call), e->file_op.call),
			 "result", e->file_op.result, "path", show_json_name(e->file_op.path),
			 "path_truncated", (e->file_op.path_flags & LOG_PATH_TRUNCATED) != 0,
			 "path2", show_json_name(e->file_op.path2), "target", show_json_name(e->file_op.target),
			 "flags", show_json_u64(e->file_op.flags), "mode", (json_int_t)e->file_op.mode,
			 "length", (json_int_t)e->file_op.length);
}

static json_t *json_details(const struct log_event *e)
{
	switch (e->type) {
	case LOG_EV_FORK:
		return json_pack("{s:I}", "child", (json_int_t)e->fork.child_tgid);
	case LOG_EV_EXEC: {
		json_t *o = json_pack("{s:o, s:b, s:o, s:o, s:I, s:I, s:o, s:b}",
				      "exe", show_json_name(e->exec.exe),
				      "exe_truncated", (e->exec.exe_flags & LOG_PATH_TRUNCATED) != 0,
				      "filename", show_json_name(e->exec.filename), "cwd", show_json_name(e->exec.cwd),
				      "ppid", (json_int_t)e->exec.ppid, "argc", (json_int_t)e->exec.argc,
				      "argv", jargv(e->exec.argv, e->exec.nargv),
				      "argv_truncated", e->exec.argv_truncated);

		/* only when recorded: a log before version 3 shows as it always did */
		if (o && e->exec.env && json_object_set_new(o, "env", show_json_env(e->exec.env))) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	case LOG_EV_EXEC_FAILED:
		return json_pack("{s:i, s:o, s:o, s:I}", "err", e->exec_failed.err,
				 "filename", show_json_name(e->exec_failed.filename),
				 "path", show_json_name(e->exec_failed.path),
				 "ppid", (json_int_t)e->exec_failed.ppid);
	case LOG_EV_EXIT: {
		json_t *o = json_pack("{s:i}", "status", e->exit.status);

		if (o && json_object_update_new(o, jstatus(e->exit.status))) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	case LOG_EV_OPEN:
		return json_open(e);
	case LOG_EV_PROC_SNAPSHOT:
		return json_snapshot(e);
	case LOG_EV_NET:
		return json_net(e);
	case LOG_EV_FILE_OP:
		return json_file_op(e);
	case LOG_EV_NOTICE:
		return json_pack("{s:s?, s:I, s:I, s:I, s:I}", "notice", log_notice_name(e->notice.what),
				 "call", (json_int_t)e->notice.nr, "result", (json_int_t)e->notice.result,
				 "arg0", (json_int_t)e->notice.arg0, "arg1", (json_int_t)e->notice.arg1);
	default:
		return NULL;
	}
}

static json_t *json_event(const struct log_event *e)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:I}",
			      "type", log_event_type_name(e->type), "ts_ns", show_json_u64(e->ts_ns),
			      "tgid", (json_int_t)e->tgid, "tid", (json_int_t)e->tid,
			      "uid", (json_int_t)e->uid, "gid", (json_int_t)e->gid,
			      "cgroup_id", show_json_u64(e->cgroup_id), "mntns", (json_int_t)e->mntns);

	if (o && json_object_update_new(o, json_details(e))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Prints J as one line and drops it. */
static int emit_json(json_t *j)
{
	int r;

	if (!j)
		return -1;
	r = json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(j);
	if (r || putchar('\n') == EOF)
		return -1;
	return 0;
}

static int show_json(const struct log_file *f, const struct log_filter *flt)
{
	size_t k = 0;

	for (size_t i = 0; i < f->nevents; i++) {
		for (; k < f->nkmod_execs && f->kmod_execs[k].ts_ns < f->events[i].ts_ns; k++)
			if (log_filter_match_kmod(flt, f, &f->kmod_execs[k]) &&
			    emit_json(kmod_show_json(&f->kmod_execs[k])))
				return -1;
		if (log_filter_match(flt, f, &f->events[i]) && emit_json(json_event(&f->events[i])))
			return -1;
	}
	for (; k < f->nkmod_execs; k++)
		if (log_filter_match_kmod(flt, f, &f->kmod_execs[k]) && emit_json(kmod_show_json(&f->kmod_execs[k])))
			return -1;
	return 0;
}

/* ---- the process tree ---- */

#define NONE SIZE_MAX

struct proc {
	uint32_t pid;
	uint32_t depth;
	size_t parent, first_child, last_child, next_sibling;
	const char *exe;
	const char *const *argv;
	uint32_t nargv;
	const struct log_env *env;      /* of its last exec; NULL: not recorded */
	bool exited;
	int32_t status;
	uint64_t start_ns, end_ns;
};

struct tree {
	struct proc *procs;
	size_t n, cap;
	struct index_table by_pid;  /* pid -> its procs; the latest (highest index) is the live one */
	uint32_t max_depth;
	/* events come in runs from one process: its latest proc + 1 (0: none), checked before the table */
	uint32_t last_pid;
	size_t last_proc1;
};

static uint64_t pid_hash(uint32_t pid)
{
	return hash_bytes(&pid, sizeof(pid));
}

/* The latest proc of PID, or NONE. */
static size_t tree_lookup(const struct tree *t, uint32_t pid)
{
	const struct index_table *x = &t->by_pid;
	uint64_t h = pid_hash(pid);
	size_t found = NONE;

	if (!x->slots)
		return NONE;
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i)) {
		size_t id = x->slots[i].id1 - 1;

		if (index_table_same_hash(x, i, h) && t->procs[id].pid == pid && (found == NONE || id > found))
			found = id;
	}
	return found;
}

/* A new process PID under PARENT (NONE for a root), started at START. */
static int tree_add(struct tree *t, uint32_t pid, size_t parent, uint64_t start, size_t *out)
{
	struct proc *p;

	if (grow_array((void **)&t->procs, &t->cap, t->n + 1, sizeof(*t->procs), 256))
		return -1;
	if (!t->by_pid.slots && index_table_init(&t->by_pid, 1024))
		return -1;
	if (t->n >= UINT32_MAX - 1 || index_table_insert(&t->by_pid, pid_hash(pid), (uint32_t)t->n))
		return -1;
	p = &t->procs[t->n];
	*p = (struct proc){ .pid = pid, .parent = parent, .first_child = NONE, .last_child = NONE,
			    .next_sibling = NONE, .start_ns = start };
	if (parent != NONE) {
		struct proc *pp = &t->procs[parent];

		p->depth = pp->depth + 1;
		p->exe = pp->exe;       /* a forked child runs its parent's program until it execs */
		p->argv = pp->argv;
		p->nargv = pp->nargv;
		p->env = pp->env;
		if (pp->last_child == NONE)
			pp->first_child = t->n;
		else
			t->procs[pp->last_child].next_sibling = t->n;
		pp->last_child = t->n;
	}
	if (p->depth > t->max_depth)
		t->max_depth = p->depth;
	if (t->last_proc1 && t->last_pid == pid)
		t->last_proc1 = t->n + 1;
	*out = t->n++;
	return 0;
}

/* The process PID, made a root if the log never showed its fork. */
static int tree_find(struct tree *t, uint32_t pid, uint64_t ts, size_t *out)
{
	if (t->last_proc1 && t->last_pid == pid) {
		*out = t->last_proc1 - 1;
		return 0;
	}
	*out = tree_lookup(t, pid);
	if (*out == NONE && tree_add(t, pid, NONE, ts, out))
		return -1;
	t->last_pid = pid;
	t->last_proc1 = *out + 1;
	return 0;
}

/* A process found running at attach: under its parent when the log knows the parent. */
static int tree_snapshot(struct tree *t, const struct log_event *e)
{
	size_t p = tree_lookup(t, e->tgid);

	if (p == NONE) {
		if (tree_add(t, e->tgid, tree_lookup(t, e->proc_snapshot.ppid),
			     e->proc_snapshot.start_boot_ns, &p))
			return -1;
		/* not a fork: it does not run its parent's program */
		t->procs[p].exe = NULL;
		t->procs[p].argv = NULL;
		t->procs[p].nargv = 0;
	}
	if (e->proc_snapshot.exe)
		t->procs[p].exe = e->proc_snapshot.exe;
	if (e->proc_snapshot.nargv) {
		t->procs[p].argv = e->proc_snapshot.argv;
		t->procs[p].nargv = e->proc_snapshot.nargv;
	}
	return 0;
}

static int tree_event(struct tree *t, const struct log_event *e)
{
	size_t p, child;

	if (e->type == LOG_EV_PROC_SNAPSHOT)
		return tree_snapshot(t, e);
	if (tree_find(t, e->tgid, e->ts_ns, &p))
		return -1;
	switch (e->type) {
	case LOG_EV_FORK:
		return tree_add(t, e->fork.child_tgid, p, e->ts_ns, &child);
	case LOG_EV_EXEC:
		t->procs[p].exe = e->exec.exe;
		t->procs[p].argv = e->exec.argv;
		t->procs[p].nargv = e->exec.nargv;
		t->procs[p].env = e->exec.env;
		return 0;
	case LOG_EV_EXIT:
		t->procs[p].exited = true;
		t->procs[p].status = e->exit.status;
		t->procs[p].end_ns = e->ts_ns;
		return 0;
	default:
		return 0;
	}
}

static int tree_build(struct tree *t, const struct log_file *f)
{
	size_t root;

	memset(t, 0, sizeof(*t));
	if (tree_add(t, f->header.root_pid, NONE, f->header.start_boot_ns, &root))
		return -1;
	t->procs[root].argv = f->header.command;
	t->procs[root].nargv = f->header.ncommand;
	for (size_t i = 0; i < f->nevents; i++)
		if (tree_event(t, &f->events[i]))
			return -1;
	if (f->has_trailer && !t->procs[root].exited && f->trailer.exit_status != LOG_EXIT_STATUS_NONE) {
		t->procs[root].exited = true;
		t->procs[root].status = f->trailer.exit_status;
		t->procs[root].end_ns = f->trailer.end_boot_ns;
	}
	return 0;
}

static void tree_free(struct tree *t)
{
	free(t->procs);
	index_table_free(&t->by_pid);
}

static void tree_print(const struct tree *t, size_t i)
{
	const struct proc *p = &t->procs[i];

	printf("%*s%" PRIu32 " ", (int)p->depth * 2, "", p->pid);
	if (p->nargv)
		show_argv(stdout, p->argv, p->nargv);
	else
		show_word(stdout, p->exe ? p->exe : "?");
	if (p->exited) {
		printf("  (");
		print_status(p->status);
		printf(", ");
		print_rel_time(p->end_ns, p->start_ns);
		printf(" s)");
	} else {
		printf("  (no exit seen)");
	}
	putchar('\n');
	for (size_t c = p->first_child; c != NONE; c = t->procs[c].next_sibling)
		tree_print(t, c);
}

static json_t *tree_json(const struct tree *t, size_t i)
{
	const struct proc *p = &t->procs[i];
	json_t *children = json_array();
	json_t *o = json_pack("{s:I, s:o, s:o}", "pid", (json_int_t)p->pid, "exe", show_json_name(p->exe),
			      "argv", jargv(p->argv, p->nargv));

	if (!o || !children)
		goto fail;
	if (p->env && json_object_set_new(o, "env", show_json_env(p->env)))
		goto fail;
	if (p->exited) {
		if (json_object_update_new(o, jstatus(p->status)) ||
		    json_object_set_new(o, "duration_ns", show_json_u64(p->end_ns - p->start_ns)))
			goto fail;
	} else if (json_object_set_new(o, "exit_code", json_null()) ||
		   json_object_set_new(o, "duration_ns", json_null())) {
		goto fail;
	}
	for (size_t c = p->first_child; c != NONE; c = t->procs[c].next_sibling)
		if (json_array_append_new(children, tree_json(t, c)))
			goto fail;
	if (json_object_set_new(o, "children", children))
		goto fail_o;
	return o;
fail:
	json_decref(children);
fail_o:
	json_decref(o);
	return NULL;
}

static int run_tree(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed, char *err)
{
	(void)streamed;
	(void)flt;
	struct tree t;
	json_t *roots;
	int r = 0;

	if (tree_build(&t, f)) {
		tree_free(&t);
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	if (t.max_depth > TREE_DEPTH_MAX) {
		tree_free(&t);
		snprintf(err, ERRLEN, "process tree is %u levels deep (limit %d)", t.max_depth,
			 TREE_DEPTH_MAX);
		return -1;
	}
	if (!json) {
		for (size_t i = 0; i < t.n; i++)
			if (t.procs[i].parent == NONE)
				tree_print(&t, i);
	} else {
		roots = json_array();
		for (size_t i = 0; roots && i < t.n; i++)
			if (t.procs[i].parent == NONE && json_array_append_new(roots, tree_json(&t, i)))
				json_decref(roots), roots = NULL;
		r = emit_json(roots);
	}
	tree_free(&t);
	return r;
}

/* ---- stats ---- */

struct stats {
	uint64_t by_type[LOG_EV_TYPE_MAX];
	struct log_losses losses;
	uint64_t losses_total;
	uint64_t duration_ns;
	size_t processes;
	struct log_hash_stats hash;
	bool hash_from_trailer;     /* else counted from the digest records: queued, queue_full unknown */
};

/* A cut log has no trailer: what its digest records say is the best there is. */
static void hash_from_records(const struct log_file *f, struct log_hash_stats *h)
{
	memset(h, 0, sizeof(*h));
	h->hashed = f->digest_tally.hashed;
	h->failed = f->digest_tally.failed;
	h->changed = f->digest_tally.changed;
}

/*
 * Stats are counted while the log is read, event by event, so that a log of
 * a hundred million events takes memory for its processes and strings only.
 */
struct stats_stream {
	const struct log_file *f;
	struct stats s;
	/*
	 * Process instances are counted as tree_build makes them (the root, each
	 * fork, each pid first seen without one) from the set of pids seen, not
	 * kept: a process tree of a monorepo's day is a million processes.
	 */
	struct pid_set pids;
	size_t processes;
	uint64_t end;
	bool started;
};

/* The root process first, as tree_build has it: from the header, read before any event. */
static int stats_start(struct stats_stream *ss)
{
	bool added;

	ss->started = true;
	ss->end = ss->f->header.start_boot_ns;
	if (pid_set_add(&ss->pids, ss->f->header.root_pid, &added))
		return -1;
	ss->processes = 1;
	return 0;
}

/* As tree_event adds processes: a pid with no process yet, then a fork's child. */
static int stats_count_process(struct stats_stream *ss, const struct log_event *ev)
{
	bool added;

	if (pid_set_add(&ss->pids, ev->tgid, &added))
		return -1;
	ss->processes += added;
	if (ev->type == LOG_EV_FORK) {
		if (pid_set_add(&ss->pids, ev->fork.child_tgid, &added))
			return -1;
		ss->processes++;
	}
	return 0;
}

static int stats_event(void *arg, const struct log_event *ev, char *err, size_t errlen)
{
	struct stats_stream *ss = arg;

	if ((!ss->started && stats_start(ss)) || stats_count_process(ss, ev)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ss->s.by_type[ev->type]++;
	if (ev->ts_ns > ss->end)
		ss->end = ev->ts_ns;
	return 0;
}

static int stats_collect(const struct log_file *f, struct stats_stream *ss)
{
	struct stats *s = &ss->s;
	uint64_t end;

	if (!ss->started && stats_start(ss))
		return -1;
	end = ss->end;
	/* the trailer knows the final losses; a cut log has only its last checkpoint */
	if (f->has_trailer)
		s->losses = f->trailer.losses;
	else if (f->ncheckpoints)
		s->losses = f->checkpoints[f->ncheckpoints - 1].losses;
	s->losses_total = log_losses_total(&s->losses);
	if (f->has_trailer)
		end = f->trailer.end_boot_ns;
	s->duration_ns = end - f->header.start_boot_ns;
	s->hash_from_trailer = f->has_trailer;
	if (f->has_trailer)
		s->hash = f->trailer.hash;
	else
		hash_from_records(f, &s->hash);
	s->processes = ss->processes;
	return 0;
}

static void stats_text_hash(const struct stats *s)
{
	const struct log_hash_stats *h = &s->hash;

	printf("hashing%s\n", s->hash_from_trailer ? "" : "               (no trailer: from the digest records)");
	if (s->hash_from_trailer)
		printf("  queued              %" PRIu64 "\n", h->queued);
	printf("  hashed              %" PRIu64 "\n  failed              %" PRIu64 "\n"
	       "  changed             %" PRIu64 "\n", h->hashed, h->failed, h->changed);
	if (s->hash_from_trailer)
		printf("  queue full          %" PRIu64 "\n", h->queue_full);
}

/* The env cut counter and the header's env rule (version 3 on). */
static void stats_text_env(const struct log_file *f, const struct log_losses *l)
{
	const struct log_header *h = &f->header;

	printf("  env cut             %" PRIu64 "\nenvironment           %s", l->env_truncations,
	       h->env_mode == LOG_ENV_RECORDED ? "recorded" : "not recorded");
	if (h->env_mode == LOG_ENV_RECORDED) {
		printf(", values hashed (sha256:HEX) for names containing");
		for (uint32_t i = 0; i < h->nsecret_patterns; i++)
			printf("%s%s", i ? "," : " ", h->secret_patterns[i]);
		if (!h->nsecret_patterns)
			printf(" nothing (no secret pattern)");
	}
	putchar('\n');
}

/* {recorded, secret_patterns, hash}: what the log says about environments (version 3 on). */
static json_t *json_env_rule(const struct log_header *h)
{
	return json_pack("{s:b, s:o, s:s}", "recorded", h->env_mode == LOG_ENV_RECORDED,
			 "secret_patterns", show_json_argv(h->secret_patterns, h->nsecret_patterns),
			 "secret_values", "sha256:HEX");
}

static void stats_text(const struct log_file *f, const struct stats *s)
{
	const struct log_losses *l = &s->losses;
	const char *target = log_header_option(&f->header, "attach.target");

	printf("events                %zu\n", f->nevents);
	for (int i = 1; i < LOG_EV_TYPE_MAX; i++)
		printf("  %-20s%" PRIu64 "\n", log_event_type_name(i), s->by_type[i]);
	printf("losses                %" PRIu64 "\n", s->losses_total);
	for (int i = 1; i < LOG_EV_TYPE_MAX; i++) {
		char label[32];

		snprintf(label, sizeof(label), "lost %s", log_event_type_name(i));
		printf("  %-20s%" PRIu64 "\n", label, l->ringbuf_drops[i]);
	}
	printf("  path cut            %" PRIu64 "\n  argv cut            %" PRIu64 "\n"
	       "  string cut          %" PRIu64 "\n  pending full        %" PRIu64 "\n"
	       "  tracked full        %" PRIu64 "\n", l->path_truncations, l->argv_truncations,
	       l->string_truncations, l->pending_full, l->tracked_full);
	if (f->header.format_version >= 5)
		printf("  unaccounted         %" PRIu64 "\n", l->records_unaccounted);
	if (f->header.format_version >= 3)
		stats_text_env(f, l);
	stats_text_hash(s);
	printf("log bytes             %" PRIu64 "\n", f->file_bytes);
	if (f->compressed)
		printf("  zstd of CBOR bytes  %" PRIu64 "\n", f->content_bytes);
	printf("bytes/event           %.2f\n", f->nevents ? (double)f->file_bytes / (double)f->nevents : 0.0);
	printf("duration              ");
	print_rel_time(s->duration_ns, 0);
	printf(" s\nprocesses             %zu\nstart                 %s%s%s\ncomplete              %s\n"
	       "exit status           ", s->processes, log_start(f), target ? " " : "", target ?: "",
	       log_complete(f) ? "yes" : "no (began mid-build)");
	if (f->has_trailer && f->trailer.exit_status == LOG_EXIT_STATUS_NONE)
		printf("none (no build was started)");
	else if (f->has_trailer)
		print_status(f->trailer.exit_status);
	else
		printf("unknown (no trailer)");
	printf("\ntruncated             %s\n", f->truncated ? "yes" : "no");
}

static json_t *json_losses(const struct stats *s)
{
	const struct log_losses *l = &s->losses;
	json_t *drops = json_object();

	for (int i = 1; drops && i < LOG_EV_TYPE_MAX; i++)
		if (json_object_set_new(drops, log_event_type_name(i), show_json_u64(l->ringbuf_drops[i])))
			json_decref(drops), drops = NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "ringbuf_drops", drops,
			 "path_truncations", show_json_u64(l->path_truncations),
			 "argv_truncations", show_json_u64(l->argv_truncations),
			 "string_truncations", show_json_u64(l->string_truncations),
			 "pending_full", show_json_u64(l->pending_full), "tracked_full", show_json_u64(l->tracked_full),
			 "total", show_json_u64(s->losses_total));
}

/* queued and queue_full are null for a log without trailer: only the trailer knows them. */
static json_t *json_hash(const struct stats *s)
{
	const struct log_hash_stats *h = &s->hash;

	return json_pack("{s:o, s:o, s:o, s:o, s:o}",
			 "queued", s->hash_from_trailer ? show_json_u64(h->queued) : json_null(),
			 "hashed", show_json_u64(h->hashed), "failed", show_json_u64(h->failed),
			 "changed", show_json_u64(h->changed),
			 "queue_full", s->hash_from_trailer ? show_json_u64(h->queue_full) : json_null());
}

static json_t *stats_json(const struct log_file *f, const struct stats *s)
{
	json_t *by_type = json_object();
	json_t *o;

	for (int i = 1; by_type && i < LOG_EV_TYPE_MAX; i++)
		if (json_object_set_new(by_type, log_event_type_name(i), show_json_u64(s->by_type[i])))
			json_decref(by_type), by_type = NULL;
	o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:b}",
			 "events", (json_int_t)f->nevents, "by_type", by_type,
			 "losses", json_losses(s), "log_bytes", show_json_u64(f->file_bytes),
			 "bytes_per_event", f->nevents ? json_real((double)f->file_bytes /
								   (double)f->nevents) : json_null(),
			 "duration_ns", show_json_u64(s->duration_ns), "processes", (json_int_t)s->processes,
			 "exit_status", f->has_trailer && f->trailer.exit_status != LOG_EXIT_STATUS_NONE ?
					json_integer(f->trailer.exit_status) : json_null(),
			 "truncated", f->truncated);
	if (o && json_object_update_new(o, json_pack("{s:s, s:o, s:b, s:s, s:o}", "start", log_start(f), "attach_target",
						     show_json_name(log_header_option(&f->header, "attach.target")),
						     "complete", log_complete(f),
						     "compression", f->compressed ? "zstd" : "none",
						     "cbor_bytes", show_json_u64(f->content_bytes)))) {
		json_decref(o);
		return NULL;
	}
	if (o && json_object_set_new(o, "hash", json_hash(s))) {
		json_decref(o);
		return NULL;
	}
	if (o && f->header.format_version >= 3 &&
	    (json_object_set_new(o, "env", json_env_rule(&f->header)) ||
	     json_object_set_new(json_object_get(o, "losses"), "env_truncations",
				 show_json_u64(s->losses.env_truncations)))) {
		json_decref(o);
		return NULL;
	}
	if (o && f->header.format_version >= 5 &&
	    json_object_set_new(json_object_get(o, "losses"), "records_unaccounted",
				show_json_u64(s->losses.records_unaccounted))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int run_stats(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed,
		     char *err)
{
	struct stats_stream *ss = streamed;

	(void)flt;
	if (stats_collect(f, ss)) {
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	if (json)
		return emit_json(stats_json(f, &ss->s));
	stats_text(f, &ss->s);
	return 0;
}

static int run_show(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed, char *err)
{
	(void)streamed;
	(void)err;
	return json ? show_json(f, flt) : show_text(f, flt);
}

/* ---- files ---- */

static int by_path(const void *a, const void *b)
{
	return strcmp((*(const struct file_entry *const *)a)->path,
		      (*(const struct file_entry *const *)b)->path);
}

static const char *const digest_kinds[] = { [LOG_DIGEST_INPUT] = "input",
					    [LOG_DIGEST_EXEC] = "exec",
					    [LOG_DIGEST_OUTPUT] = "output" };
static const char *const file_kinds[] = { [LOG_FILE_OTHER] = "other",
	[LOG_FILE_ELF_EXEC] = "elf_exec", [LOG_FILE_ELF_DYN] = "elf_dyn",
	[LOG_FILE_ELF_REL] = "elf_rel", [LOG_FILE_ELF_CORE] = "elf_core",
	[LOG_FILE_SCRIPT] = "script", [LOG_FILE_ELF_PIE] = "elf_pie" };

#define FILES_PIDS_SHOWN 8

static void files_text_digest(const struct log_digest *d)
{
	char h[65];

	printf("  %s:", digest_kinds[d->kind]);
	if (d->result == 0) {
		hex_encode(d->sha256, sizeof(d->sha256), h);
		fputs(h, stdout);
	} else {
		print_errno(errno_of(d->result));
	}
	if (d->flags & LOG_DIGEST_CHANGED)
		printf(" (changed since open)");
	if (d->flags & LOG_DIGEST_CHANGED_DURING)
		printf(" (changed while hashed)");
	if (d->flags & LOG_DIGEST_AT_DELETE)
		printf(" (when deleted)");
}

static void files_text_line(const struct log_file *f, const struct files *fs,
			    const struct file_entry *e)
{
	static const char created_mark[] = { [CREATED_NO] = '-', [CREATED_YES] = 'c',
					     [CREATED_UNKNOWN] = '?' };

	printf("%c%c%c%c%c%c%c%c  ", e->flags & FILE_READ ? 'r' : '-', e->flags & FILE_WRITTEN ? 'w' : '-',
	       created_mark[e->created], e->flags & FILE_ABSENT ? 'a' : '-',
	       e->flags & FILE_EXECUTED ? 'x' : '-', e->flags & FILE_DELETED ? 'd' : '-',
	       e->flags & FILE_CHMOD ? 'm' : '-', e->flags & FILE_TRUNCATED ? 't' : '-');
	show_word(stdout, e->path);
	if (e->renamed_from) {
		printf("  renamed-from ");
		show_word(stdout, e->renamed_from);
	}
	if (e->renamed_to) {
		printf("  renamed-to ");
		show_word(stdout, e->renamed_to);
	}
	if (e->npids) {
		printf("  by ");
		for (size_t i = 0; i < e->npids && i < FILES_PIDS_SHOWN; i++)
			printf("%s%" PRIu32, i ? "," : "", e->pids[i]);
		if (e->npids > FILES_PIDS_SHOWN)
			printf(" +%zu", e->npids - FILES_PIDS_SHOWN);
		printf(" (");
		if (e->exe)
			show_word(stdout, e->exe);
		else
			putchar('?');   /* the log never showed what it ran */
		putchar(')');
	}
	for (size_t d = e->first_digest; d != LOG_FILES_NONE; d = fs->digest_next[d])
		files_text_digest(&f->digests[d]);
	for (size_t k = e->first_kmod; k != LOG_FILES_NONE; k = fs->kmod_next[k]) {
		fputs("  ", stdout);
		kmod_show_digest(stdout, &f->kmod_execs[k]);
	}
	if (e->exec_ident != LOG_FILES_NONE && f->exec_idents[e->exec_ident].build_id)
		printf("  build-id %s", f->exec_idents[e->exec_ident].build_id);
	putchar('\n');
}

static json_t *json_digest(const struct log_digest *d)
{
	char h[65];
	const char *name = d->result ? strerrorname_np(errno_of(d->result)) : NULL;

	hex_encode(d->sha256, sizeof(d->sha256), h);
	return json_pack("{s:s, s:o, s:i, s:o, s:b, s:b, s:o}", "kind", digest_kinds[d->kind],
			 "sha256", d->result ? json_null() : json_string(h), "result", d->result,
			 "error", name ? json_string(name) : json_null(),
			 "changed", (d->flags & LOG_DIGEST_CHANGED) != 0,
			 "changed_during", (d->flags & LOG_DIGEST_CHANGED_DURING) != 0,
			 "boot_ns", show_json_u64(d->boot_ns));
}

static json_t *json_exec_ident(const struct log_exec_ident *x)
{
	return json_pack("{s:i, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "result", x->result, "kind", file_kinds[x->kind],
			 "elf_class", (json_int_t)x->elf_class,
			 "elf_machine", (json_int_t)x->elf_machine, "build_id", show_json_name(x->build_id),
			 "interp", show_json_name(x->interp), "soname", show_json_name(x->soname),
			 "runpath", show_json_name(x->runpath), "needed", jargv(x->needed, x->nneeded),
			 "script_interp", show_json_name(x->script_interp), "script_arg", show_json_name(x->script_arg));
}

static json_t *json_file_refs(const struct log_file *f, const struct files *fs,
			      const struct file_entry *e)
{
	json_t *pids = json_array(), *digests = json_array(), *kernel = json_array();

	for (size_t i = 0; pids && i < e->npids; i++)
		if (json_array_append_new(pids, json_integer(e->pids[i])))
			json_decref(pids), pids = NULL;
	for (size_t d = e->first_digest; digests && d != LOG_FILES_NONE; d = fs->digest_next[d])
		if (json_array_append_new(digests, json_digest(&f->digests[d])))
			json_decref(digests), digests = NULL;
	for (size_t k = e->first_kmod; kernel && k != LOG_FILES_NONE; k = fs->kmod_next[k])
		if (json_array_append_new(kernel, kmod_show_json_digest(&f->kmod_execs[k])))
			json_decref(kernel), kernel = NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "pids", pids, "exe", show_json_name(e->exe),
			 "kernel_digests", kernel,
			 "digests", digests, "exec_ident", e->exec_ident == LOG_FILES_NONE ? json_null() :
			 json_exec_ident(&f->exec_idents[e->exec_ident]));
}

static json_t *json_file(const struct log_file *f, const struct files *fs,
			 const struct file_entry *e)
{
	json_t *o = json_pack("{s:o, s:b, s:b, s:o, s:b, s:b, s:o, s:o}", "path", show_json_name(e->path),
			      "read", (e->flags & FILE_READ) != 0,
			      "written", (e->flags & FILE_WRITTEN) != 0,
			      "created", e->created == CREATED_UNKNOWN ? json_null() :
			      json_boolean(e->created == CREATED_YES),
			      "absent", (e->flags & FILE_ABSENT) != 0,
			      "executed", (e->flags & FILE_EXECUTED) != 0,
			      "opens", show_json_u64(e->opens), "failed", show_json_u64(e->failed));

	if (o && json_object_update_new(o, json_pack("{s:b, s:b, s:b, s:o, s:o}",
			"deleted", (e->flags & FILE_DELETED) != 0, "chmod", (e->flags & FILE_CHMOD) != 0,
			"truncated", (e->flags & FILE_TRUNCATED) != 0,
			"renamed_to", show_json_name(e->renamed_to), "renamed_from", show_json_name(e->renamed_from)))) {
		json_decref(o);
		return NULL;
	}
	if (o && json_object_update_new(o, json_file_refs(f, fs, e))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int run_files(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed, char *err)
{
	(void)streamed;
	(void)flt;
	struct file_entry **order = NULL;
	struct files fs;
	int r = 0;

	if (files_build(&fs, f) || !(order = malloc((fs.n ? fs.n : 1) * sizeof(*order)))) {
		files_free(&fs);
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < fs.n; i++)
		order[i] = &fs.v[i];
	qsort(order, fs.n, sizeof(*order), by_path);
	for (size_t i = 0; !r && i < fs.n; i++) {
		if (json)
			r = emit_json(json_file(f, &fs, order[i]));
		else
			files_text_line(f, &fs, order[i]);
	}
	free(order);
	files_free(&fs);
	return r;
}

/* ---- net ---- */

#define NET_NAMES_SHOWN 8
#define NET_REASONS_SHOWN 8

static const char *proto_name(const struct net_endpoint *ep)
{
	static const char *const inet[] = { [SOCK_STREAM] = "tcp", [SOCK_DGRAM] = "udp", [SOCK_RAW] = "raw",
					    [SOCK_SEQPACKET] = "sctp" };
	static const char *const other[] = { [SOCK_STREAM] = "stream", [SOCK_DGRAM] = "dgram", [SOCK_RAW] = "raw",
					     [SOCK_SEQPACKET] = "seqpacket" };
	const char *n = NULL;

	if (ep->sock_type < sizeof(inet) / sizeof(inet[0]))
		n = ep->family == AF_INET || ep->family == AF_INET6 ? inet[ep->sock_type] : other[ep->sock_type];
	return n ? n : "?";
}

static void net_text_calls(const struct net_endpoint *ep)
{
	bool first = true;

	for (uint32_t c = 0; c < LOG_NET_CALL_MAX; c++) {
		if (!ep->calls[c])
			continue;
		printf("%s%s %" PRIu64, first ? "" : ", ", net_call_name(c) ? net_call_name(c) : "?",
		       ep->calls[c]);
		first = false;
	}
}

static void net_text_line(const struct net_endpoint *ep)
{
	show_word(stdout, ep->addr);
	printf("  %s  %s  %" PRIu64 "x (", ep->local ? "local" : "REMOTE", proto_name(ep), ep->count);
	net_text_calls(ep);
	putchar(')');
	if (ep->failed)
		printf(" %" PRIu64 " failed", ep->failed);
	printf("  by ");
	for (uint32_t i = 0; i < ep->npids; i++)
		printf("%s%" PRIu32, i ? "," : "", ep->pids[i]);
	if (ep->more_pids)
		printf(",...");
	printf(" (");
	if (ep->exe)
		show_word(stdout, ep->exe);
	else
		putchar('?');
	putchar(')');
	for (uint32_t i = 0; i < ep->ndns_names && i < NET_NAMES_SHOWN; i++) {
		printf(i ? "," : "  dns ");
		show_word(stdout, ep->dns_names[i]);
	}
	if (ep->ndns_names > NET_NAMES_SHOWN)
		printf(" +%" PRIu32, ep->ndns_names - NET_NAMES_SHOWN);
	if (ep->dns_undecodable)
		printf("  %" PRIu64 " undecodable", ep->dns_undecodable);
	putchar('\n');
}

/* The last line: the verdict and, when not hermetic, what made it so. */
static void net_text_verdict(const struct net_summary *s)
{
	size_t shown = 0;

	printf("verdict: %s: %s", net_verdict_name(s->verdict), s->reason);
	for (size_t i = 0; i < s->n && s->verdict == NET_NOT_HERMETIC; i++) {
		const struct net_endpoint *ep = &s->endpoints[i];

		if (ep->local)
			continue;
		if (shown++ >= NET_REASONS_SHOWN)
			continue;
		printf("%s%s (%s %s = ", shown == 1 ? ": " : "; ", ep->addr, proto_name(ep),
		       net_call_name(ep->first_call) ? net_call_name(ep->first_call) : "?");
		print_result(ep->first_result);
		printf(" by %" PRIu32 " ", ep->pids[0]);
		if (ep->exe)
			show_word(stdout, ep->exe);
		else
			putchar('?');
		putchar(')');
	}
	if (shown > NET_REASONS_SHOWN)
		printf("; +%zu more", shown - NET_REASONS_SHOWN);
	if (s->verdict == NET_NOT_HERMETIC && s->dns_names)
		printf("; %" PRIu64 " DNS name%s queried", s->dns_names, s->dns_names == 1 ? "" : "s");
	putchar('\n');
}

static json_t *json_calls(const struct net_endpoint *ep)
{
	json_t *o = json_object();

	for (uint32_t c = 0; o && c < LOG_NET_CALL_MAX; c++)
		if (ep->calls[c] && json_object_set_new(o, net_call_name(c) ? net_call_name(c) : "?",
							show_json_u64(ep->calls[c])))
			o = (json_decref(o), NULL);
	return o;
}

static json_t *json_endpoint(const struct net_endpoint *ep)
{
	json_t *pids = json_array();

	for (uint32_t i = 0; pids && i < ep->npids; i++)
		if (json_array_append_new(pids, json_integer(ep->pids[i])))
			pids = (json_decref(pids), NULL);
	return json_pack("{s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:i, s:o, s:b, s:o, s:o, s:o}",
			 "endpoint", show_json_name(ep->addr),
			 "family", jname(net_family_name(ep->family), ep->family),
			 "proto", proto_name(ep), "local", ep->local, "count", show_json_u64(ep->count),
			 "calls", json_calls(ep), "failed", show_json_u64(ep->failed),
			 "first_result", ep->first_result, "pids", pids, "more_pids", ep->more_pids,
			 "exe", show_json_name(ep->exe),
			 "dns_names", jargv(ep->dns_names, ep->ndns_names),
			 "dns_undecodable", show_json_u64(ep->dns_undecodable));
}

static json_t *net_json(const struct net_summary *s)
{
	json_t *eps = json_array(), *outside = json_array();

	for (size_t i = 0; eps && i < s->n; i++)
		if (json_array_append_new(eps, json_endpoint(&s->endpoints[i])))
			eps = (json_decref(eps), NULL);
	for (size_t i = 0; outside && i < s->n; i++)
		if (!s->endpoints[i].local && json_array_append_new(outside, show_json_name(s->endpoints[i].addr)))
			outside = (json_decref(outside), NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "endpoints", eps,
			 "events", show_json_u64(s->events), "dns_queries", show_json_u64(s->dns_queries),
			 "dns_names", show_json_u64(s->dns_names), "dns_undecodable", show_json_u64(s->dns_undecodable),
			 "outside", outside, "verdict", net_verdict_name(s->verdict), "reason", s->reason);
}

static int run_net(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed, char *err)
{
	(void)streamed;
	(void)flt;
	struct net_summary s;
	int r = 0;

	if (net_summary_build(f, &s)) {
		net_summary_free(&s);
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	if (json) {
		r = emit_json(net_json(&s));
	} else {
		for (size_t i = 0; i < s.n; i++)
			net_text_line(&s.endpoints[i]);
		net_text_verdict(&s);
	}
	net_summary_free(&s);
	return r;
}

/* ---- command line ---- */

struct subcommand {
	const char *name;
	int (*run)(const struct log_file *f, const struct log_filter *flt, bool json, void *streamed, char *err);
	bool filters;           /* takes --pid, --path, --type, --since, --until */
	bool streams;           /* counts while reading (stats): the log's events are not kept */
	const char *summary;
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "net", run_net, false, false, "every endpoint the build used, DNS names, hermetic or not",
	  "One line per endpoint (address and port, or unix socket path; @name for an\n"
	  "abstract one) in the order first used:\n"
	  "  ENDPOINT  local|REMOTE  PROTO  COUNTx (CALL N, ...) [N failed]  by PIDS (EXE)\n"
	  "  [dns NAME,...] [N undecodable]\n"
	  "then one line: verdict: hermetic | not-hermetic | unknown: why, and for\n"
	  "not-hermetic every remote endpoint (first call, result, process) and the number\n"
	  "of DNS names queried. Local: loopback, the unspecified address, unix and netlink\n"
	  "sockets. Not hermetic: an address off this machine, or DNS queries (a local\n"
	  "resolver forwards them). Unknown: a format-1 log, a log whose header lacks\n"
	  "net.traced=true, or lost net events.\n"
	  "--json: one object {endpoints [{endpoint, family, proto, local, count, calls,\n"
	  "failed, first_result, pids, more_pids, exe, dns_names, dns_undecodable}], events,\n"
	  "dns_queries, dns_names, dns_undecodable, outside, verdict, reason}." },
	{ "show", run_show, true, false, "the timeline, one event a line",
	  "The timeline, one event a line: seconds since the start, [tgid/tid], type, details.\n"
	  "--json: JSON Lines, one object per event with every field of the log.\n"
	  "With the kernel module (format 3), its measurements are in the timeline too, as\n"
	  "kmod_exec lines just before their exec (path, SHA-256 taken in the exec).\n"
	  "Filters (an event is shown when it passes all of them; each also with --json):\n"
	  "  --pid PID[,PID]    events of these processes (tgid); repeatable\n"
	  "  --path GLOB        events naming a path that matches GLOB (fnmatch(3)) -- open\n"
	  "                     path, exec exe or filename, exec_failed path or filename,\n"
	  "                     file_op paths, unix socket path, proc_snapshot exe; a GLOB\n"
	  "                     without '/' matches the basename; repeatable (any GLOB)\n"
	  "  --type TYPE[,TYPE] fork, exec, exec_failed, exit, open, proc_snapshot, net,\n"
	  "                     file_op, kmod_exec; repeatable\n"
	  "  --since TIME       events at or after TIME\n"
	  "  --until TIME       events at or before TIME\n"
	  "TIME: seconds since the log's start as printed (1.5), or an RFC 3339 UTC time\n"
	  "(2026-01-31T12:00:00.5Z), placed on the log's clock by its header.\n"
	  "Exit status: 0; 1 for an unreadable log; 125 for a bad filter value." },
	{ "tree", run_tree, false, false, "the process tree",
	  "The process tree: each process's pid, argv of its last exec, exit status, duration.\n"
	  "--json: an array of root processes, each {pid, exe, argv, exit_code|signal,\n"
	  "duration_ns, children}." },
	{ "stats", run_stats, false, true, "counts, losses, size and completeness",
	  "Events per type, losses, log bytes, bytes per event, duration, processes, exit\n"
	  "status, hashing (files queued, hashed, failed, changed, not queued because the\n"
	  "queue was full), and whether the log is truncated. --json: one object." },
	{ "files", run_files, false, false, "every path the build touched, with its digests",
	  "One line per path the build opened, executed, changed or hashed, sorted by path:\n"
	  "  FLAGS PATH [renamed-from OLD] [renamed-to NEW]  by PIDS (EXE of the first)\n"
	  "  KIND:SHA256|-ERRNO (changed ...)...\n"
	  "FLAGS: r read, w written (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, truncate, or renamed\n"
	  "from a written file), c created (by an open, mkdir, symlink or link; ? when the log\n"
	  "cannot tell), a found absent by a failed open or exec, x executed, d deleted\n"
	  "(unlink/rmdir, not made again), m mode changed (chmod), t truncated.\n"
	  "Created: the first successful O_CREAT open had O_EXCL or followed a failed probe;\n"
	  "not created when the path had been opened before or its ctime predates the build.\n"
	  "A digest marked changed is not the content the build read.\n"
	  "--json: JSON Lines, one object per path: {path, read, written, created (null:\n"
	  "unknown), absent, executed, opens, failed, deleted, chmod, truncated, renamed_to,\n"
	  "renamed_from, pids, exe, digests [{kind, sha256, result, error, changed,\n"
	  "changed_during, boot_ns}], exec_ident}." },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: kettle log {show|tree|stats|files|net} FILE [--json]\n\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-6s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\nkettle log SUBCOMMAND --help for details. A truncated log is shown up to\n"
		"its last complete record, with a warning on stderr.\n"
		"Exit status: 0 shown, 1 the log cannot be read, 125 a usage error.\n");
}

static void warn_truncated(const char *file, const struct log_file *f)
{
	/* a compressed log's offsets are those of its CBOR */
	const char *of = f->compressed ? " of its CBOR" : "";

	if (f->valid_bytes < f->content_bytes)
		fprintf(stderr, "warning: %s: log ends at byte %" PRIu64 "%s inside a record; "
			"showing %" PRIu64 " complete records (%" PRIu64 " bytes)\n",
			file, f->content_bytes, of, f->nrecords, f->valid_bytes);
	else
		fprintf(stderr, "warning: %s: log ends at byte %" PRIu64 "%s without trailer; "
			"showing %" PRIu64 " complete records\n", file, f->content_bytes, of, f->nrecords);
}

static int run_subcommand(const struct subcommand *sc, const char *file, const struct log_filter *flt,
			  bool json)
{
	char err[ERRLEN] = "";
	struct log_file f;
	struct stats_stream ss = { .f = &f };
	struct log_event_sink sink = { stats_event, &ss, .counts_only = true };
	int r;

	if (log_read_file_to(file, &f, sc->streams ? &sink : NULL, err, sizeof(err))) {
		cli_err("log", "%s: %s", file, err);
		pid_set_free(&ss.pids);
		return 1;
	}
	if (f.truncated)
		warn_truncated(file, &f);
	r = sc->run(&f, flt, json, sc->streams ? &ss : NULL, err);
	pid_set_free(&ss.pids);
	log_file_free(&f);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("log", "%s: cannot write the output", file);
		return 1;
	}
	if (r) {
		cli_err("log", "%s: %s", file, err[0] ? err : "cannot format the output");
		return 1;
	}
	return 0;
}

/* A usage error exits KETTLE_EXIT_OWN_ERROR, as in every command: it is kettle's failure, not a build's status. */
static int parse_args(const struct subcommand *sc, int argc, char **argv)
{
	struct log_filter flt = { 0 };
	char err[ERRLEN], cmd[32];
	const char *file = NULL;
	bool json = false;
	int r = KETTLE_EXIT_OWN_ERROR;

	snprintf(cmd, sizeof(cmd), "log %s", sc->name);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: kettle log %s FILE [--json]%s\n\n%s\n", sc->name,
			       sc->filters ? " [--pid PID] [--path GLOB] [--type TYPE] [--since TIME] [--until TIME]" : "",
			       sc->help);
			r = 0;
			goto out;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (sc->filters && log_filter_is_option(argv[i])) {
			if (i + 1 >= argc) {
				cli_err(cmd, "%s needs a value", argv[i]);
				goto out;
			}
			if (log_filter_add(&flt, argv[i], argv[i + 1], err, sizeof(err))) {
				cli_err(cmd, "%s", err);
				goto out;
			}
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			cli_err(cmd, "unknown option '%s'", argv[i]);
			goto out;
		} else if (file) {
			cli_err(cmd, "one FILE only");
			goto out;
		} else {
			file = argv[i];
		}
	}
	if (!file)
		cli_err(cmd, "no FILE (kettle log %s --help)", sc->name);
	else
		r = run_subcommand(sc, file, &flt, json);
out:
	log_filter_free(&flt);
	return r;
}

int cmd_log(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KETTLE_EXIT_OWN_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return parse_args(&subcommands[i], argc, argv);
	cli_err("log", "unknown subcommand '%s' (kettle log --help)", argv[1]);
	return KETTLE_EXIT_OWN_ERROR;
}
