// SPDX-License-Identifier: MIT
/* kettle log {show|tree|stats} FILE [--json]: a build log read back for people and programs. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "commands.h"
#include "log_reader.h"

#define ERRLEN 512
#define TREE_DEPTH_MAX 2000     /* deeper would risk the stack of the recursive printers */

/* O_LARGEFILE as the kernel reports it: glibc defines it as 0 on 64-bit. */
#ifdef __aarch64__
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

static const char *const type_names[LOG_EV_TYPE_MAX] = {
	[LOG_EV_FORK] = "fork", [LOG_EV_EXEC] = "exec", [LOG_EV_EXEC_FAILED] = "exec_failed",
	[LOG_EV_EXIT] = "exit", [LOG_EV_OPEN] = "open",
};

static const char *const call_names[] = { [1] = "open", [2] = "openat", [3] = "openat2",
					  [4] = "creat" };

/* ---- shared helpers ---- */

static const char *call_name(uint32_t call)
{
	return call < sizeof(call_names) / sizeof(call_names[0]) ? call_names[call] : NULL;
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

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* $'...' quoting, so that a word with a newline stays on its line. */
static void print_escaped(const char *s)
{
	fputs("$'", stdout);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\'' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\'');
}

/* Words go out as they are unless the shell would split them. */
static void print_word(const char *s)
{
	if (!s) {
		printf("(null)");
		return;
	}
	if (*s && !s[strcspn(s, " \t\n'\"\\$`*?[]{}()<>|&;#~")] && !has_control(s)) {
		fputs(s, stdout);
		return;
	}
	if (has_control(s)) {
		print_escaped(s);
		return;
	}
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

static void print_argv(const char *const *argv, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			putchar(' ');
		print_word(argv[i]);
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
	print_word(path);
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
		print_word(e->open.passed);
		putchar(')');
	}
	putchar(' ');
	print_open_flags(e->open.flags);
	if (e->open.flags & (O_CREAT | O_TMPFILE))
		printf(" mode 0%o", e->open.mode);
	if (call && e->open.call != 2)
		printf(" via %s", call);
	printf(" = ");
	if (e->open.result < 0)
		print_errno(-e->open.result);
	else
		printf("%d", e->open.result);
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
		print_argv(e->exec.argv, e->exec.nargv);
		printf(e->exec.argv_truncated ? " ...]" : "]");
		break;
	case LOG_EV_EXEC_FAILED:
		print_word(e->exec_failed.filename);
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

static int show_text(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];

		print_rel_time(e->ts_ns, f->header.start_boot_ns);
		printf(" [%" PRIu32 "/%" PRIu32 "] %s ", e->tgid, e->tid, type_names[e->type]);
		show_details(e);
		putchar('\n');
	}
	return 0;
}

/* JSON has no unsigned 64-bit integers in jansson: the rare value above INT64_MAX goes as a string. */
static json_t *ju64(uint64_t v)
{
	if (v > INT64_MAX) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRIu64, v);
		return json_string(s);
	}
	return json_integer((json_int_t)v);
}

/* Names are bytes: what is not UTF-8 becomes U+FFFD so that the output stays JSON. */
static json_t *jstr(const char *s)
{
	json_t *j;
	char *fixed, *out;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	fixed = malloc(strlen(s) * 3 + 1);
	if (!fixed)
		return NULL;
	out = fixed;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80) {
			*out++ = (char)*p;
		} else {
			/* keep multi-byte runs that jansson accepts, one sequence at a time */
			size_t k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
			json_t *t = k > 1 && strnlen((const char *)p, k) == k ?
				    json_stringn((const char *)p, k) : NULL;

			if (t) {
				memcpy(out, p, k);
				out += k;
				p += k - 1;
				json_decref(t);
			} else {
				memcpy(out, "\xef\xbf\xbd", 3);
				out += 3;
			}
		}
	}
	*out = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

static json_t *jargv(const char *const *argv, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, jstr(argv[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *jstatus(int32_t status)
{
	if (WIFSIGNALED(status))
		return json_pack("{s:i}", "signal", WTERMSIG(status));
	return json_pack("{s:i}", "exit_code", WEXITSTATUS(status));
}

static json_t *jcall(uint32_t call)
{
	const char *name = call_name(call);

	return name ? json_string(name) : json_integer(call);
}

static json_t *json_open(const struct log_event *e)
{
	json_t *o = json_pack("{s:o, s:b}", "path", jstr(e->open.path), "path_truncated",
			      (e->open.path_flags & LOG_PATH_TRUNCATED) != 0);

	if (o && e->open.passed && json_object_set_new(o, "passed", jstr(e->open.passed))) {
		json_decref(o);
		return NULL;
	}
	if (o && json_object_update_new(o, json_pack(
			"{s:i, s:o, s:o, s:I, s:o, s:o, s:I, s:I, s:I}",
			"result", e->open.result, "call", jcall(e->open.call),
			"flags", ju64(e->open.flags), "mode", (json_int_t)e->open.mode,
			"dev", ju64(e->open.dev), "ino", ju64(e->open.ino),
			"size", (json_int_t)e->open.size, "mtime_ns", (json_int_t)e->open.mtime_ns,
			"ctime_ns", (json_int_t)e->open.ctime_ns))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_details(const struct log_event *e)
{
	switch (e->type) {
	case LOG_EV_FORK:
		return json_pack("{s:I}", "child", (json_int_t)e->fork.child_tgid);
	case LOG_EV_EXEC:
		return json_pack("{s:o, s:b, s:o, s:o, s:I, s:I, s:o, s:b}",
				 "exe", jstr(e->exec.exe),
				 "exe_truncated", (e->exec.exe_flags & LOG_PATH_TRUNCATED) != 0,
				 "filename", jstr(e->exec.filename), "cwd", jstr(e->exec.cwd),
				 "ppid", (json_int_t)e->exec.ppid, "argc", (json_int_t)e->exec.argc,
				 "argv", jargv(e->exec.argv, e->exec.nargv),
				 "argv_truncated", e->exec.argv_truncated);
	case LOG_EV_EXEC_FAILED:
		return json_pack("{s:i, s:o, s:o, s:I}", "err", e->exec_failed.err,
				 "filename", jstr(e->exec_failed.filename),
				 "path", jstr(e->exec_failed.path),
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
	default:
		return NULL;
	}
}

static json_t *json_event(const struct log_event *e)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:I}",
			      "type", type_names[e->type], "ts_ns", ju64(e->ts_ns),
			      "tgid", (json_int_t)e->tgid, "tid", (json_int_t)e->tid,
			      "uid", (json_int_t)e->uid, "gid", (json_int_t)e->gid,
			      "cgroup_id", ju64(e->cgroup_id), "mntns", (json_int_t)e->mntns);

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

static int show_json(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (emit_json(json_event(&f->events[i])))
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
	bool exited;
	int32_t status;
	uint64_t start_ns, end_ns;
};

struct pid_slot {
	uint32_t pid;
	bool used;
	size_t proc;
};

struct tree {
	struct proc *procs;
	size_t n, cap;
	struct pid_slot *slots;     /* pid -> its latest proc */
	size_t mask;
	uint32_t max_depth;
};

static struct pid_slot *pid_slot(const struct tree *t, uint32_t pid)
{
	size_t i = (pid * 0x9e3779b1u) & t->mask;

	while (t->slots[i].used && t->slots[i].pid != pid)
		i = (i + 1) & t->mask;
	return &t->slots[i];
}

static int tree_rehash(struct tree *t)
{
	size_t cap = t->slots ? (t->mask + 1) * 2 : 1024;
	struct pid_slot *old = t->slots;
	size_t oldcap = t->slots ? t->mask + 1 : 0;

	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -1;
	}
	t->mask = cap - 1;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].used)
			*pid_slot(t, old[i].pid) = old[i];
	free(old);
	return 0;
}

/* A new process PID under PARENT (NONE for a root), started at START. */
static int tree_add(struct tree *t, uint32_t pid, size_t parent, uint64_t start, size_t *out)
{
	struct proc *p;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct proc *np = realloc(t->procs, cap * sizeof(*np));

		if (!np)
			return -1;
		t->procs = np;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 > (t->slots ? t->mask + 1 : 0) && tree_rehash(t))
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
		if (pp->last_child == NONE)
			pp->first_child = t->n;
		else
			t->procs[pp->last_child].next_sibling = t->n;
		pp->last_child = t->n;
	}
	if (p->depth > t->max_depth)
		t->max_depth = p->depth;
	*pid_slot(t, pid) = (struct pid_slot){ .pid = pid, .used = true, .proc = t->n };
	*out = t->n++;
	return 0;
}

/* The process PID, made a root if the log never showed its fork. */
static int tree_find(struct tree *t, uint32_t pid, uint64_t ts, size_t *out)
{
	struct pid_slot *s = t->slots ? pid_slot(t, pid) : NULL;

	if (s && s->used) {
		*out = s->proc;
		return 0;
	}
	return tree_add(t, pid, NONE, ts, out);
}

static int tree_event(struct tree *t, const struct log_event *e)
{
	size_t p, child;

	if (tree_find(t, e->tgid, e->ts_ns, &p))
		return -1;
	switch (e->type) {
	case LOG_EV_FORK:
		return tree_add(t, e->fork.child_tgid, p, e->ts_ns, &child);
	case LOG_EV_EXEC:
		t->procs[p].exe = e->exec.exe;
		t->procs[p].argv = e->exec.argv;
		t->procs[p].nargv = e->exec.nargv;
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
	if (f->has_trailer && !t->procs[root].exited) {
		t->procs[root].exited = true;
		t->procs[root].status = f->trailer.exit_status;
		t->procs[root].end_ns = f->trailer.end_boot_ns;
	}
	return 0;
}

static void tree_free(struct tree *t)
{
	free(t->procs);
	free(t->slots);
}

static void tree_print(const struct tree *t, size_t i)
{
	const struct proc *p = &t->procs[i];

	printf("%*s%" PRIu32 " ", (int)p->depth * 2, "", p->pid);
	if (p->nargv)
		print_argv(p->argv, p->nargv);
	else
		print_word(p->exe ? p->exe : "?");
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
	json_t *o = json_pack("{s:I, s:o, s:o}", "pid", (json_int_t)p->pid, "exe", jstr(p->exe),
			      "argv", jargv(p->argv, p->nargv));

	if (!o || !children)
		goto fail;
	if (p->exited) {
		if (json_object_update_new(o, jstatus(p->status)) ||
		    json_object_set_new(o, "duration_ns", ju64(p->end_ns - p->start_ns)))
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

static int run_tree(const struct log_file *f, bool json, char *err)
{
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
};

static int stats_collect(const struct log_file *f, struct stats *s)
{
	struct tree t;
	uint64_t end = f->header.start_boot_ns;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < f->nevents; i++) {
		s->by_type[f->events[i].type]++;
		if (f->events[i].ts_ns > end)
			end = f->events[i].ts_ns;
	}
	/* the trailer knows the final losses; a cut log has only its last checkpoint */
	if (f->has_trailer)
		s->losses = f->trailer.losses;
	else if (f->ncheckpoints)
		s->losses = f->checkpoints[f->ncheckpoints - 1].losses;
	s->losses_total = log_losses_total(&s->losses);
	if (f->has_trailer)
		end = f->trailer.end_boot_ns;
	s->duration_ns = end - f->header.start_boot_ns;
	if (tree_build(&t, f)) {
		tree_free(&t);
		return -1;
	}
	s->processes = t.n;
	tree_free(&t);
	return 0;
}

static void stats_text(const struct log_file *f, const struct stats *s)
{
	const struct log_losses *l = &s->losses;

	printf("events                %zu\n", f->nevents);
	for (int i = 1; i < LOG_EV_TYPE_MAX; i++)
		printf("  %-20s%" PRIu64 "\n", type_names[i], s->by_type[i]);
	printf("losses                %" PRIu64 "\n", s->losses_total);
	for (int i = 1; i < LOG_EV_TYPE_MAX; i++) {
		char label[32];

		snprintf(label, sizeof(label), "dropped %s", type_names[i]);
		printf("  %-20s%" PRIu64 "\n", label, l->ringbuf_drops[i]);
	}
	printf("  path cut            %" PRIu64 "\n  argv cut            %" PRIu64 "\n"
	       "  string cut          %" PRIu64 "\n  pending full        %" PRIu64 "\n"
	       "  tracked full        %" PRIu64 "\n", l->path_truncations, l->argv_truncations,
	       l->string_truncations, l->pending_full, l->tracked_full);
	printf("log bytes             %" PRIu64 "\n", f->file_bytes);
	printf("bytes/event           %.2f\n", f->nevents ? (double)f->file_bytes / (double)f->nevents : 0.0);
	printf("duration              ");
	print_rel_time(s->duration_ns, 0);
	printf(" s\nprocesses             %zu\nexit status           ", s->processes);
	if (f->has_trailer)
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
		if (json_object_set_new(drops, type_names[i], ju64(l->ringbuf_drops[i])))
			json_decref(drops), drops = NULL;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "ringbuf_drops", drops,
			 "path_truncations", ju64(l->path_truncations),
			 "argv_truncations", ju64(l->argv_truncations),
			 "string_truncations", ju64(l->string_truncations),
			 "pending_full", ju64(l->pending_full), "tracked_full", ju64(l->tracked_full),
			 "total", ju64(s->losses_total));
}

static json_t *stats_json(const struct log_file *f, const struct stats *s)
{
	json_t *by_type = json_object();

	for (int i = 1; by_type && i < LOG_EV_TYPE_MAX; i++)
		if (json_object_set_new(by_type, type_names[i], ju64(s->by_type[i])))
			json_decref(by_type), by_type = NULL;
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:b}",
			 "events", (json_int_t)f->nevents, "by_type", by_type,
			 "losses", json_losses(s), "log_bytes", ju64(f->file_bytes),
			 "bytes_per_event", f->nevents ? json_real((double)f->file_bytes /
								   (double)f->nevents) : json_null(),
			 "duration_ns", ju64(s->duration_ns), "processes", (json_int_t)s->processes,
			 "exit_status", f->has_trailer ? json_integer(f->trailer.exit_status)
						       : json_null(),
			 "truncated", f->truncated);
}

static int run_stats(const struct log_file *f, bool json, char *err)
{
	struct stats s;

	if (stats_collect(f, &s)) {
		snprintf(err, ERRLEN, "out of memory");
		return -1;
	}
	if (json)
		return emit_json(stats_json(f, &s));
	stats_text(f, &s);
	return 0;
}

static int run_show(const struct log_file *f, bool json, char *err)
{
	(void)err;
	return json ? show_json(f) : show_text(f);
}

/* ---- command line ---- */

struct subcommand {
	const char *name;
	int (*run)(const struct log_file *f, bool json, char *err);
	const char *summary;
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "show", run_show, "the timeline, one event a line",
	  "The timeline, one event a line: seconds since the start, [tgid/tid], type, details.\n"
	  "--json: JSON Lines, one object per event with every field of the log." },
	{ "tree", run_tree, "the process tree",
	  "The process tree: each process's pid, argv of its last exec, exit status, duration.\n"
	  "--json: an array of root processes, each {pid, exe, argv, exit_code|signal,\n"
	  "duration_ns, children}." },
	{ "stats", run_stats, "counts, losses, size and completeness",
	  "Events per type, losses, log bytes, bytes per event, duration, processes, exit\n"
	  "status, and whether the log is truncated. --json: one object." },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: kettle log {show|tree|stats} FILE [--json]\n\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(out, "  %-6s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\nkettle log SUBCOMMAND --help for details. A truncated log is shown up to\n"
		"its last complete record, with a warning on stderr.\n");
}

static void warn_truncated(const char *file, const struct log_file *f)
{
	if (f->valid_bytes < f->file_bytes)
		fprintf(stderr, "warning: %s: log ends at byte %" PRIu64 " inside a record; "
			"showing %" PRIu64 " complete records (%" PRIu64 " bytes)\n",
			file, f->file_bytes, f->nrecords, f->valid_bytes);
	else
		fprintf(stderr, "warning: %s: log ends at byte %" PRIu64 " without trailer; "
			"showing %" PRIu64 " complete records\n", file, f->file_bytes, f->nrecords);
}

static int run_subcommand(const struct subcommand *sc, const char *file, bool json)
{
	char err[ERRLEN] = "";
	struct log_file f;
	int r;

	if (log_read_file(file, &f, err, sizeof(err))) {
		fprintf(stderr, "kettle log: %s: %s\n", file, err);
		return 1;
	}
	if (f.truncated)
		warn_truncated(file, &f);
	r = sc->run(&f, json, err);
	log_file_free(&f);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "kettle log: %s: cannot write the output\n", file);
		return 1;
	}
	if (r) {
		fprintf(stderr, "kettle log: %s: %s\n", file, err[0] ? err : "cannot format the output");
		return 1;
	}
	return 0;
}

static int parse_args(const struct subcommand *sc, int argc, char **argv)
{
	const char *file = NULL;
	bool json = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: kettle log %s FILE [--json]\n\n%s\n", sc->name, sc->help);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kettle log %s: unknown option '%s'\n", sc->name, argv[i]);
			return 1;
		} else if (file) {
			fprintf(stderr, "kettle log %s: one FILE only\n", sc->name);
			return 1;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		fprintf(stderr, "kettle log %s: no FILE (kettle log %s --help)\n", sc->name, sc->name);
		return 1;
	}
	return run_subcommand(sc, file, json);
}

int cmd_log(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return parse_args(&subcommands[i], argc, argv);
	fprintf(stderr, "kettle log: unknown subcommand '%s' (kettle log --help)\n", argv[1]);
	return 1;
}
