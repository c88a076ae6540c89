// SPDX-License-Identifier: MIT
/* One raw kernel record (bpf/events.h) to a struct log_event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "log/record_decode.h"

_Static_assert((int)KE_FORK == (int)LOG_EV_FORK && (int)KE_EXEC == (int)LOG_EV_EXEC &&
	       (int)KE_EXEC_FAIL == (int)LOG_EV_EXEC_FAILED && (int)KE_EXIT == (int)LOG_EV_EXIT &&
	       (int)KE_OPEN == (int)LOG_EV_OPEN && (int)KE_PROC_SNAPSHOT == (int)LOG_EV_PROC_SNAPSHOT &&
	       (int)KE_NET == (int)LOG_EV_NET && (int)KE_FILE_OP == (int)LOG_EV_FILE_OP &&
	       (int)KE_NOTICE == (int)LOG_EV_NOTICE && (int)KE_NOTICE_FD_LOST + 1 == (int)LOG_NOTICE_INTERRUPTED &&
	       (int)KE_NOTICE_FD_LOST == (int)LOG_NOTICE_FD_LOST &&
	       (int)KE_NOTICE_IO_URING_OP == (int)LOG_NOTICE_IO_URING_OP && (int)KE_NOTICE_IPC == (int)LOG_NOTICE_IPC &&
	       (int)KE_NOTICE_KERNEL_HELPER == (int)LOG_NOTICE_KERNEL_HELPER &&
	       (int)KE_NOTICE_SIGNAL_FROM_OUTSIDE == (int)LOG_NOTICE_SIGNAL_FROM_OUTSIDE &&
	       (int)KE_NOTICE_FIFO_FROM_OUTSIDE == (int)LOG_NOTICE_FIFO_FROM_OUTSIDE &&
	       (int)KE_NOTICE_OUTPUT_FROM_OUTSIDE == (int)LOG_NOTICE_OUTPUT_FROM_OUTSIDE &&
	       (int)KE_NOTICE_PROCESS_FROM_OUTSIDE == (int)LOG_NOTICE_PROCESS_FROM_OUTSIDE &&
	       (int)KE_FIFO_WRITER_IS_NOTICED == (int)LOG_FIFO_WRITER_IS_NOTICED &&
	       (int)KE_FIFO_READER_IS_NOTICED == (int)LOG_FIFO_READER_IS_NOTICED &&
	       (int)KE_NOTICE_INHERITED_PIPE == (int)LOG_NOTICE_INHERITED_PIPE &&
	       (int)KE_NOTICE_WHAT_MAX == (int)LOG_NOTICE_WHAT_MAX && (int)KE_NOTICE_WHAT_MAX < (int)KE_SYS_OPEN &&
	       (int)KE_NOTICE_DAEMON == (int)LOG_NOTICE_DAEMON &&
	       (int)KE_PATH_UNLINKED == (int)LOG_PATH_UNLINKED && (int)KE_PATH_BLOCK_DEVICE == (int)LOG_PATH_BLOCK_DEVICE &&
	       (int)KE_PATH_NET_DEVICE == (int)LOG_PATH_NET_DEVICE && (int)KE_PATH_MEM_DEVICE == (int)LOG_PATH_MEM_DEVICE &&
	       (int)KE_PATH_TERMINAL == (int)LOG_PATH_TERMINAL && (int)KE_PATH_STREAM == (int)LOG_PATH_STREAM &&
	       (int)KE_PATH_WRITERS_BEFORE == (int)LOG_PATH_WRITERS_BEFORE &&
	       (int)KE_TYPE_MAX == (int)LOG_EV_TYPE_MAX,
	       "event type numbers must match");
/* 64-bit flags: compared as such (an int cast would compare the zero low halves) */
_Static_assert(KE_DAEMON_FOLLOWED == LOG_DAEMON_FOLLOWED && KE_DAEMON_DATAGRAM == LOG_DAEMON_DATAGRAM &&
	       KE_DAEMON_NOT_FOUND == LOG_DAEMON_NOT_FOUND && KE_DAEMON_MORE_HOLDERS == LOG_DAEMON_MORE_HOLDERS &&
	       KE_DAEMON_NOT_LOOKED == LOG_DAEMON_NOT_LOOKED && KE_DAEMON_IO_URING == LOG_DAEMON_IO_URING,
	       "daemon notice bits must match");
_Static_assert((int)KE_CALL_OPEN == (int)LOG_CALL_OPEN &&
	       (int)KE_CALL_OPENAT == (int)LOG_CALL_OPENAT &&
	       (int)KE_CALL_OPENAT2 == (int)LOG_CALL_OPENAT2 &&
	       (int)KE_CALL_CREAT == (int)LOG_CALL_CREAT &&
	       (int)KE_CALL_EXECVE == (int)LOG_CALL_EXECVE &&
	       (int)KE_CALL_EXECVEAT == (int)LOG_CALL_EXECVEAT &&
	       (int)KE_CALL_OPEN_BY_HANDLE == (int)LOG_CALL_OPEN_BY_HANDLE &&
	       (int)KE_CALL_PIDFD_GETFD == (int)LOG_CALL_PIDFD_GETFD &&
	       (int)KE_CALL_RECV_FD == (int)LOG_CALL_RECV_FD &&
	       (int)KE_CALL_IO_URING_OPEN == (int)LOG_CALL_IO_URING_OPEN &&
	       (int)KE_URING_FOREIGN_RING == (int)LOG_URING_FOREIGN_RING &&
	       (int)KE_URING_FOREIGN_SQPOLL == (int)LOG_URING_FOREIGN_SQPOLL &&
	       (int)KE_URING_OUTSIDE_SUBMITTER == (int)LOG_URING_OUTSIDE_SUBMITTER &&
	       (int)KE_NET_SOCKET == (int)LOG_NET_SOCKET &&
	       (int)KE_NET_CONNECT == (int)LOG_NET_CONNECT &&
	       (int)KE_NET_BIND == (int)LOG_NET_BIND &&
	       (int)KE_NET_LISTEN == (int)LOG_NET_LISTEN &&
	       (int)KE_NET_ACCEPT == (int)LOG_NET_ACCEPT &&
	       (int)KE_NET_ACCEPT4 == (int)LOG_NET_ACCEPT4 &&
	       (int)KE_NET_SENDTO == (int)LOG_NET_SENDTO &&
	       (int)KE_NET_SENDMSG == (int)LOG_NET_SENDMSG &&
	       (int)KE_NET_SENDMMSG == (int)LOG_NET_SENDMMSG &&
	       (int)KE_NET_CALL_MAX == (int)LOG_NET_CALL_MAX &&
	       (int)KE_ADDR_NONE == (int)LOG_ADDR_NONE &&
	       (int)KE_ADDR_USER == (int)LOG_ADDR_USER &&
	       (int)KE_ADDR_PEER == (int)LOG_ADDR_PEER &&
	       (int)KE_ADDR_LOCAL == (int)LOG_ADDR_LOCAL &&
	       (int)KE_FOP_RENAME == (int)LOG_FOP_RENAME &&
	       (int)KE_FOP_RENAMEAT == (int)LOG_FOP_RENAMEAT &&
	       (int)KE_FOP_RENAMEAT2 == (int)LOG_FOP_RENAMEAT2 &&
	       (int)KE_FOP_UNLINK == (int)LOG_FOP_UNLINK &&
	       (int)KE_FOP_UNLINKAT == (int)LOG_FOP_UNLINKAT &&
	       (int)KE_FOP_RMDIR == (int)LOG_FOP_RMDIR &&
	       (int)KE_FOP_MKDIR == (int)LOG_FOP_MKDIR &&
	       (int)KE_FOP_MKDIRAT == (int)LOG_FOP_MKDIRAT &&
	       (int)KE_FOP_LINK == (int)LOG_FOP_LINK &&
	       (int)KE_FOP_LINKAT == (int)LOG_FOP_LINKAT &&
	       (int)KE_FOP_SYMLINK == (int)LOG_FOP_SYMLINK &&
	       (int)KE_FOP_SYMLINKAT == (int)LOG_FOP_SYMLINKAT &&
	       (int)KE_FOP_TRUNCATE == (int)LOG_FOP_TRUNCATE &&
	       (int)KE_FOP_FTRUNCATE == (int)LOG_FOP_FTRUNCATE &&
	       (int)KE_FOP_CHMOD == (int)LOG_FOP_CHMOD &&
	       (int)KE_FOP_FCHMOD == (int)LOG_FOP_FCHMOD &&
	       (int)KE_FOP_FCHMODAT == (int)LOG_FOP_FCHMODAT &&
	       (int)KE_FOP_FCHMODAT2 == (int)LOG_FOP_FCHMODAT2 &&
	       (int)KE_FOP_UTIMENSAT == (int)LOG_FOP_UTIMENSAT &&
	       (int)KE_FOP_CALL_MAX == (int)LOG_FOP_CALL_MAX,
	       "call numbers must match");


/* A cursor over the blobs that follow a record's fixed part. */
struct blobs {
	const char *p;
	size_t left;
};

static int blob_take(struct blobs *b, size_t len, const char **out)
{
	if (len > b->left)
		return -EINVAL;
	*out = b->p;
	b->p += len;
	b->left -= len;
	return 0;
}

/*
 * BLOB holds components leaf first, each NUL-terminated.  An empty, complete
 * walk is the root.  A truncated walk has no leading "/": it is not absolute.
 */
static void path_from_components(char *out, size_t outlen, const char *blob, size_t len, unsigned flags)
{
	size_t pos = 0, end = len;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (flags & KE_PATH_UNREACHABLE)
		return;
	while (end > 0) {
		size_t start = end - 1;   /* blob[end-1] is the NUL ending the last component */
		size_t n;

		while (start > 0 && blob[start - 1] != '\0')
			start--;
		n = strnlen(blob + start, end - start);
		if (pos || !(flags & KE_PATH_TRUNCATED)) {
			if (pos + 1 >= outlen)
				break;
			out[pos++] = '/';
		}
		if (pos + n >= outlen)
			n = outlen - pos - 1;
		memcpy(out + pos, blob + start, n);
		pos += n;
		end = start;
	}
	if (pos == 0 && !(flags & KE_PATH_TRUNCATED) && outlen > 1)
		out[pos++] = '/';
	out[pos] = '\0';
}

static void string_from_blob(char *out, size_t outlen, const char *blob, size_t len)
{
	size_t n = strnlen(blob, len);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, blob, n);
	out[n] = '\0';
}

void path_join_normalize(char *out, size_t outlen, const char *base, const char *name)
{
	char tmp[2 * KE_PATH_MAX + KE_STR_MAX + 8];
	size_t pos = 0;
	const char *p;

	if (name[0] == '/' || !base[0])
		snprintf(tmp, sizeof(tmp), "%s", name);
	else
		snprintf(tmp, sizeof(tmp), "%s/%s", base, name);
	if (tmp[0] != '/') {     /* a truncated base: keep it as it is */
		snprintf(out, outlen, "%s", tmp);
		return;
	}
	p = tmp;
	while (*p) {
		const char *seg;
		size_t n;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		n = p - seg;
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (pos > 0 && out[pos - 1] != '/')
				pos--;
			if (pos > 0)
				pos--;
			continue;
		}
		if (pos + 1 + n >= outlen)
			break;
		out[pos++] = '/';
		memcpy(out + pos, seg, n);
		pos += n;
	}
	if (pos == 0 && outlen > 1)
		out[pos++] = '/';
	out[pos] = '\0';
}

static size_t argv_split(struct record_decoder *d, const char *blob, size_t len)
{
	size_t n = 0, i = 0;

	memcpy(d->argv_buf, blob, len);
	d->argv_buf[len] = '\0';
	while (i < len && n < DECODE_MAX_ARGS) {
		d->argv[n++] = d->argv_buf + i;
		i += strlen(d->argv_buf + i) + 1;
	}
	return n;
}

/* The slot gathering TID's pieces; with CREATE, a new one (evicting the oldest when all are taken). */
static struct exec_pieces *pieces_slot(struct record_decoder *d, struct pieces_table *t, uint32_t tid,
				       bool create)
{
	struct exec_pieces *oldest = NULL;
	int free_slot = -1;

	for (int i = 0; i < DECODE_ARGV_SLOTS; i++) {
		struct exec_pieces *p = t->slot[i];

		if (p && p->tid == tid)
			return p;
		if ((!p || !p->tid) && free_slot < 0)
			free_slot = i;
		if (p && p->tid && (!oldest || p->seq < oldest->seq))
			oldest = p;
	}
	if (!create)
		return NULL;
	if (free_slot >= 0) {
		if (!t->slot[free_slot])
			t->slot[free_slot] = malloc(sizeof(struct exec_pieces) + t->size);
		oldest = t->slot[free_slot];
		if (!oldest)
			return NULL;
	}
	oldest->tid = tid;
	oldest->len = 0;
	oldest->gap = false;
	oldest->seq = ++d->seq;
	return oldest;
}

static int decode_exec_piece(struct record_decoder *d, struct pieces_table *t, const struct ke_exec_argv *r)
{
	struct exec_pieces *p;

	if (r->h.size < sizeof(*r) + (uint64_t)r->len || r->len > KE_ARGV_CHUNK)
		return -EINVAL;
	p = pieces_slot(d, t, r->h.tid, true);
	if (!p)
		return -ENOMEM;
	if (r->offset == 0) {
		p->len = 0;
		p->gap = false;
	}
	if (r->offset != p->len || p->len + r->len > t->size) {
		p->gap = true;
		return 1;
	}
	memcpy(p->buf + p->len, r + 1, r->len);
	p->len += r->len;
	return 1;
}

/* TID's gathered pieces (frees the slot): *LEN bytes, *COMPLETE when they are all of TOTAL. */
static char *pieces_take(struct record_decoder *d, struct pieces_table *t, uint32_t tid, uint32_t total,
			 size_t *len, bool *complete)
{
	static char none[1];
	struct exec_pieces *p = pieces_slot(d, t, tid, false);

	*len = p ? p->len : 0;
	*complete = p && !p->gap && p->len == total;
	if (!p)
		return none;
	p->tid = 0;
	return p->buf;
}

/*
 * The environment of an exec record: whole strings only (a string cut at the
 * byte bound is left out), at most KE_ENV_VARS_MAX, each through the secret
 * rule.  The clear values stay in the pieces buffer, which is wiped here.
 */
static void decode_env(struct record_decoder *d, const struct ke_exec *r)
{
	const struct env_redact *rule = d->redact;
	struct log_env *env = &d->env;
	size_t len = 0, i = 0, pos = 0;
	bool complete = true;
	char *blob;

	if (!rule) {
		if (!d->default_redact.npatterns)
			env_redact_init(&d->default_redact);
		rule = &d->default_redact;
	}
	if (r->env_chunks)
		blob = pieces_take(d, &d->env_pieces, r->h.tid, r->env_total, &len, &complete);
	else
		blob = NULL;
	memset(env, 0, sizeof(*env));
	env->envc = r->envc;
	env->flags = (r->env_flags & KE_ENV_CUT_BYTES ? LOG_ENV_CUT_BYTES : 0) |
		     (r->env_flags & KE_ENV_CUT_COUNT ? LOG_ENV_CUT_COUNT : 0) | (complete ? 0 : LOG_ENV_CUT_LOST);
	while (blob && i < len && env->nvars < KE_ENV_VARS_MAX) {
		size_t n = strnlen(blob + i, len - i);
		long k;

		if (i + n == len)
			break;  /* no NUL: cut at the byte bound */
		k = env_redact_var(rule, blob + i, n, d->env_buf + pos, sizeof(d->env_buf) - pos);
		if (k < 0) {
			env->flags |= LOG_ENV_CUT_LOST;         /* not hashed: left out, never kept in clear */
		} else {
			d->env_vars[env->nvars++] = d->env_buf + pos;
			pos += (size_t)k + 1;
		}
		i += n + 1;
	}
	if (len)
		explicit_bzero(blob, len);
	if (env->nvars < env->envc && !(env->flags & (LOG_ENV_CUT_BYTES | LOG_ENV_CUT_COUNT)))
		env->flags |= LOG_ENV_CUT_LOST;
	env->vars = d->env_vars;
}

static int decode_exec(struct record_decoder *d, const struct ke_exec *r, struct blobs *b, struct log_event *ev)
{
	const char *exe, *cwd, *fname, *argv;
	size_t argv_len = r->argv_len;
	bool complete = true;

	if (blob_take(b, r->exe_len, &exe) || blob_take(b, r->cwd_len, &cwd) ||
	    blob_take(b, r->filename_len, &fname) || blob_take(b, r->argv_len, &argv) ||
	    r->argv_len > KE_ARGV_MAX || r->env_total > KE_ENV_MAX)
		return -EINVAL;
	if (r->argv_chunks)
		argv = pieces_take(d, &d->argv_pieces, r->h.tid, r->argv_total, &argv_len, &complete);
	path_from_components(d->path, sizeof(d->path), exe, r->exe_len, r->exe_flags);
	path_from_components(d->cwd, sizeof(d->cwd), cwd, r->cwd_len, r->cwd_flags);
	string_from_blob(d->name, sizeof(d->name), fname, r->filename_len);
	ev->exec.exe = d->path;
	ev->exec.exe_flags = r->exe_flags;
	ev->exec.cwd = d->cwd;
	ev->exec.cwd_flags = r->cwd_flags;
	ev->exec.filename = d->name;
	ev->exec.ppid = r->ppid;
	ev->exec.argc = r->argc;
	ev->exec.nargv = argv_split(d, argv, argv_len);
	ev->exec.argv = d->argv;
	ev->exec.argv_truncated = r->argv_truncated || !complete || ev->exec.nargv < r->argc;
	if (!(r->env_flags & KE_ENV_OFF)) {
		decode_env(d, r);
		ev->exec.env = &d->env;
	}
	return 0;
}

static int decode_exec_fail(struct record_decoder *d, const struct ke_exec_fail *r, struct blobs *b,
			    struct log_event *ev)
{
	const char *base, *name;

	if (blob_take(b, r->base_len, &base) || blob_take(b, r->name_len, &name))
		return -EINVAL;
	path_from_components(d->cwd, sizeof(d->cwd), base, r->base_len, r->base_flags);
	string_from_blob(d->name, sizeof(d->name), name, r->name_len);
	path_join_normalize(d->path, sizeof(d->path), d->cwd, d->name);
	ev->exec_failed.err = r->err;
	ev->exec_failed.filename = d->name;
	ev->exec_failed.path = d->path;
	ev->exec_failed.path_flags = r->base_flags & KE_PATH_TRUNCATED;
	ev->exec_failed.ppid = r->ppid;
	return 0;
}

static int decode_open(struct record_decoder *d, const struct ke_open *r, struct blobs *b, struct log_event *ev)
{
	const char *path, *name;

	if (blob_take(b, r->path_len, &path) || blob_take(b, r->name_len, &name))
		return -EINVAL;
	string_from_blob(d->name, sizeof(d->name), name, r->name_len);
	if (r->ret < 0) {
		path_from_components(d->cwd, sizeof(d->cwd), path, r->path_len, r->path_flags);
		path_join_normalize(d->path, sizeof(d->path), (r->open_flags & KE_OPEN_BASE_DIR) ? d->cwd : "",
				    d->name);
		ev->open.path_flags = r->path_flags & KE_PATH_TRUNCATED;
	} else {
		path_from_components(d->path, sizeof(d->path), path, r->path_len, r->path_flags);
		ev->open.path_flags = r->path_flags;
	}
	ev->open.path = d->path;
	/* a file got without a name (by handle, over a socket, from an io_uring) has none to show */
	ev->open.passed = d->name[0] && strcmp(d->name, d->path) ? d->name : NULL;
	ev->open.result = r->ret;
	ev->open.call = r->call;
	ev->open.flags = r->flags;
	ev->open.mode = r->mode;
	ev->open.dev = makedev(r->dev >> 20, r->dev & 0xfffff);
	ev->open.ino = r->ino;
	ev->open.size = r->size;
	ev->open.mtime_ns = r->mtime_ns;
	ev->open.ctime_ns = r->ctime_ns;
	return 0;
}

/* BASE (a directory, or an fd's own file) joined with NAME, as a failed open's path. */
static void fop_path(char *out, size_t outlen, char *dir, size_t dirlen, char *name, size_t namelen,
		     const char *base, uint16_t base_len, uint16_t flags, const char *nm, uint16_t name_len)
{
	path_from_components(dir, dirlen, base, base_len, flags);
	string_from_blob(name, namelen, nm, name_len);
	if (flags & KE_PATH_UNREACHABLE)
		snprintf(out, outlen, "%s", name);
	else
		path_join_normalize(out, outlen, dir, name);
}

static int decode_file_op(struct record_decoder *d, const struct ke_file_op *r, struct blobs *b,
			  struct log_event *ev)
{
	const char *base, *name, *base2, *name2, *target;

	if (blob_take(b, r->base_len, &base) || blob_take(b, r->name_len, &name) ||
	    blob_take(b, r->base2_len, &base2) || blob_take(b, r->name2_len, &name2) ||
	    blob_take(b, r->target_len, &target))
		return -EINVAL;
	fop_path(d->path, sizeof(d->path), d->cwd, sizeof(d->cwd), d->name, sizeof(d->name),
		 base, r->base_len, r->base_flags, name, r->name_len);
	ev->file_op.path = d->path;
	ev->file_op.path_flags = r->base_flags;
	if (r->base2_len || r->name2_len || r->base2_flags) {
		fop_path(d->path2, sizeof(d->path2), d->cwd2, sizeof(d->cwd2), d->name2,
			 sizeof(d->name2), base2, r->base2_len, r->base2_flags, name2, r->name2_len);
		ev->file_op.path2 = d->path2;
		ev->file_op.path2_flags = r->base2_flags;
	}
	if (r->target_len) {
		string_from_blob(d->target, sizeof(d->target), target, r->target_len);
		ev->file_op.target = d->target;
	}
	ev->file_op.call = r->call;
	ev->file_op.result = r->ret;
	ev->file_op.flags = r->flags;
	ev->file_op.mode = r->mode;
	ev->file_op.length = r->length;
	return 0;
}

/* sun_path bytes: a path ends at its NUL; an abstract name (leading NUL) is "@name", inner NULs as '@'. */
static void unix_path_from_blob(char *out, const char *blob, size_t len)
{
	size_t n = 0;

	if (len && blob[0] == '\0') {
		for (size_t i = 0; i < len; i++)
			out[n++] = blob[i] ? blob[i] : '@';
	} else {
		n = strnlen(blob, len);
		memcpy(out, blob, n);
	}
	out[n] = '\0';
}

static int decode_net(struct record_decoder *d, const struct ke_net *r, struct blobs *b, struct log_event *ev)
{
	const char *upath, *payload;
	char why[128];

	if (blob_take(b, r->unix_len, &upath) || blob_take(b, r->payload_len, &payload) ||
	    r->unix_len > KE_UNIX_PATH_MAX || r->payload_len > KE_DNS_MAX)
		return -EINVAL;
	ev->net.call = r->call;
	ev->net.result = r->ret;
	ev->net.fd = r->fd;
	ev->net.family = r->family;
	ev->net.sock_type = r->sock_type;
	ev->net.protocol = r->protocol;
	ev->net.flags = r->flags;
	ev->net.addr_source = r->addr_source;
	ev->net.port = r->port;
	memcpy(ev->net.addr, r->addr, sizeof(ev->net.addr));
	if (r->family == AF_UNIX && r->addr_source != KE_ADDR_NONE) {
		unix_path_from_blob(d->unix_path, upath, r->unix_len);
		ev->net.unix_path = d->unix_path;
	}
	if (!r->payload_len)
		return 0;
	if (dns_parse_query((const uint8_t *)payload, r->payload_len, r->sock_type == SOCK_STREAM,
			    &d->dns, why, sizeof(why))) {
		ev->net.dns = LOG_DNS_UNDECODABLE;
		return 0;
	}
	ev->net.dns = LOG_DNS_NAMES;
	ev->net.ndns_names = d->dns.nnames;
	for (uint32_t i = 0; i < d->dns.nnames; i++)
		d->dns_names[i] = d->dns.names[i];
	ev->net.dns_names = d->dns_names;
	return 0;
}

/* The kernel reports only its own notices; 15..17 are kettle run's (log/log_event.h). */
static int decode_notice(const struct ke_notice *n, struct log_event *ev)
{
	if (n->what == 0 || n->what >= KE_NOTICE_WHAT_MAX ||
	    (n->what > KE_NOTICE_FD_LOST && n->what < KE_NOTICE_DAEMON))
		return -EINVAL;
	ev->notice.what = n->what;
	ev->notice.nr = n->nr;
	ev->notice.result = n->ret;
	ev->notice.arg0 = n->arg0;
	ev->notice.arg1 = n->arg1;
	return 0;
}

static const size_t fixed_size[KE_TYPE_MAX] = {
	[KE_FORK] = sizeof(struct ke_fork),
	[KE_EXEC] = sizeof(struct ke_exec),
	[KE_EXEC_FAIL] = sizeof(struct ke_exec_fail),
	[KE_EXIT] = sizeof(struct ke_exit),
	[KE_OPEN] = sizeof(struct ke_open),
	[KE_FILE_OP] = sizeof(struct ke_file_op),
	[KE_NET] = sizeof(struct ke_net),
	[KE_NOTICE] = sizeof(struct ke_notice),
};

int record_decode(struct record_decoder *d, const void *rec, size_t len, struct log_event *ev)
{
	const struct ke_header *h = rec;
	struct blobs b;

	if (len < sizeof(*h) || h->abi != KETTLE_ABI_VERSION || h->size > len)
		return -EINVAL;
	if (h->type == KE_EXEC_ARGV || h->type == KE_EXEC_ENV) {
		if (h->size < sizeof(struct ke_exec_argv))
			return -EINVAL;
		return decode_exec_piece(d, h->type == KE_EXEC_ARGV ? &d->argv_pieces : &d->env_pieces, rec);
	}
	if (h->type == 0 || h->type >= KE_TYPE_MAX || !fixed_size[h->type] || h->size < fixed_size[h->type])
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum log_event_type)h->type;
	ev->ts_ns = h->ts_ns;
	ev->tgid = h->tgid;
	ev->tid = h->tid;
	ev->uid = h->uid;
	ev->gid = h->gid;
	ev->cgroup_id = h->cgroup_id;
	ev->mntns = h->mntns;
	b.p = (const char *)rec + fixed_size[h->type];
	b.left = h->size - fixed_size[h->type];
	switch (h->type) {
	case KE_FORK:
		ev->fork.child_tgid = ((const struct ke_fork *)rec)->child_tgid;
		return 0;
	case KE_EXIT:
		ev->exit.status = ((const struct ke_exit *)rec)->status;
		return 0;
	case KE_EXEC:
		return decode_exec(d, rec, &b, ev);
	case KE_EXEC_FAIL:
		return decode_exec_fail(d, rec, &b, ev);
	case KE_OPEN:
		return decode_open(d, rec, &b, ev);
	case KE_FILE_OP:
		return decode_file_op(d, rec, &b, ev);
	case KE_NET:
		return decode_net(d, rec, &b, ev);
	case KE_NOTICE:
		return decode_notice(rec, ev);
	}
	return -EINVAL;
}

void record_decoder_init(struct record_decoder *d, const struct env_redact *redact)
{
	memset(d, 0, sizeof(*d));
	d->argv_pieces.size = KE_ARGV_TOTAL_MAX;
	d->env_pieces.size = KE_ENV_MAX;
	d->redact = redact;
}

static void pieces_release(struct pieces_table *t)
{
	for (int i = 0; i < DECODE_ARGV_SLOTS; i++) {
		if (t->slot[i])
			explicit_bzero(t->slot[i]->buf, t->size);
		free(t->slot[i]);
		t->slot[i] = NULL;
	}
}

void record_decoder_release(struct record_decoder *d)
{
	pieces_release(&d->argv_pieces);
	pieces_release(&d->env_pieces);
}
