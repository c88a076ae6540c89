/* SPDX-License-Identifier: MIT */
/*
 * Recall of a Kettle log against strace: the same build, run once under
 * `kettle run` and once (a copy of it in another directory) under
 * `strace -f -y -e trace=execve,execveat,open,openat,openat2,creat`; every
 * program strace saw executed and every file it saw opened successfully must
 * be in the log.  Paths are compared after mapping the strace copy's
 * directory onto the kettle copy's and after blurring names that differ from
 * run to run (pids, mkstemp suffixes, hashes of directories): the same
 * approach as tools/bench/tracer-overhead, in C for the tests.
 */
#ifndef KETTLE_STRACE_RECALL_H
#define KETTLE_STRACE_RECALL_H

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_reader.h"

#define STRACE_CALLS "execve,execveat,open,openat,openat2,creat"

struct path_set {
	char **v;
	size_t n, cap;
};

static inline int path_set_add(struct path_set *s, const char *p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n] = strdup(p);
	return s->v[s->n] ? (s->n++, 0) : -1;
}

static inline int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates, so path_set_has() can search. */
static inline void path_set_finish(struct path_set *s)
{
	size_t w = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), path_cmp);
	for (size_t i = 1; i < s->n; i++) {
		if (strcmp(s->v[i], s->v[w]))
			s->v[++w] = s->v[i];
		else
			free(s->v[i]);
	}
	s->n = w + 1;
}

static inline bool path_set_has(const struct path_set *s, const char *p)
{
	return s->n && bsearch(&p, s->v, s->n, sizeof(*s->v), path_cmp);
}

static inline void path_set_free(struct path_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct path_set){ 0 };
}

/*
 * The run-independent form of P: FROM (the strace copy) replaced by TO (the
 * kettle copy) at the start, /proc/PID and /proc/self as /proc/#, a name right
 * under /tmp (other than the tests' own kettle-test-*) as /tmp/#, and in every
 * name each run of 6 or more of [A-Za-z0-9_] that mixes two of digits, upper
 * case, lower case and '_' (mkstemp's XXXXXX, Perl's File::Temp, bazel's output
 * base hash), and each run of digits, as '#'; temporary names that can be all
 * lower case as PREFIX# (config.status's ./confXXXXXX, Python's tmpXXXXXXXX,
 * CMake's TryCompile-XXXXXX) and NAME.tmp.XXXXXX (ccache's temporary files) as
 * NAME.tmp.#,
 * and UUIDs (npm's) as '#', and so is every name in npm's _cacache/tmp/
 * (mkdtemp's XXXXXX, all lower case in about 1 of 100 names).
 * Inside a compiler cache's directory (.ccache/, .sccache/) the subdirectories,
 * chosen by hashes of the input or at random, are blurred to '#' too.
 * Both sides go through it, so it only merges names.
 */
static const char *const recall_cache_dirs[] = { "/.ccache/", "/.sccache/" };
static const char recall_npm_tmp[] = "/_cacache/tmp/";

static const struct { const char *prefix; size_t random; } recall_temp_names[] = {
	{ "conf", 6 },          /* mktemp -d ./confXXXXXX */
	{ "tmp", 8 },           /* Python's tempfile: tmp + 8 of [a-z0-9_] */
	{ "TryCompile-", 6 },   /* CMake's try_compile directories */
	{ "tmp", 5 },           /* CMake's configure_file and file(WRITE): NAME.tmp + 5 hex digits */
};

/* The length of the name at S when it is PREFIX and its random letters (a temporary name), else 0. */
static inline size_t recall_temp_name(const char *s, size_t *which)
{
	for (size_t t = 0; t < sizeof(recall_temp_names) / sizeof(recall_temp_names[0]); t++) {
		size_t pl = strlen(recall_temp_names[t].prefix), n = 0;

		if (strncmp(s, recall_temp_names[t].prefix, pl))
			continue;
		while (isalnum((unsigned char)s[pl + n]) || s[pl + n] == '_')
			n++;
		if (n == recall_temp_names[t].random && (s[pl + n] == '/' || s[pl + n] == '.' || !s[pl + n])) {
			*which = t;
			return pl + n;
		}
	}
	return 0;
}

/* Whether S starts with a UUID (8-4-4-4-12 hex digits): npm's temporary names. */
static inline bool recall_uuid(const char *s)
{
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return !isxdigit((unsigned char)s[36]);
}

static inline bool recall_word(int c)
{
	return isalnum(c) || c == '_';
}

static inline void recall_norm(const char *p, const char *from, const char *to, char *out, size_t outlen)
{
	char buf[PATH_MAX * 2];
	size_t o = 0, fl = from ? strlen(from) : 0;
	const char *s = buf;

	if (fl && !strncmp(p, from, fl) && (p[fl] == '/' || !p[fl]))
		snprintf(buf, sizeof(buf), "%s%s", to, p + fl);
	else
		snprintf(buf, sizeof(buf), "%s", p);
	if (!strncmp(s, "/proc/self", 10) && (s[10] == '/' || !s[10])) {
		o = (size_t)snprintf(out, outlen, "/proc/#");
		s += 10;
	} else if (!strncmp(s, "/tmp/", 5) && s[5] && strncmp(s + 5, "kettle-test-", 12)) {
		o = (size_t)snprintf(out, outlen, "/tmp/#");
		s += 5 + strcspn(s + 5, "/");
	}
	for (size_t i = 0; i < sizeof(recall_cache_dirs) / sizeof(recall_cache_dirs[0]); i++) {
		char *c = strstr(buf, recall_cache_dirs[i]), *last;

		if (!c || !(last = strrchr(buf, '/')))
			continue;
		/* every directory between the cache's and the file's name becomes one '#' */
		c += strlen(recall_cache_dirs[i]);
		if (c <= last) {
			*c = '#';
			memmove(c + 1, last, strlen(last) + 1);
		}
		break;
	}
	while (*s && o + 2 < outlen) {
		size_t n = 0;
		int digit = 0, upper = 0, lower = 0, under = 0;
		size_t which = 0, tn = s > buf && (s[-1] == '/' || s[-1] == '.') ? recall_temp_name(s, &which) : 0;
		bool temp = tn && o + strlen(recall_temp_names[which].prefix) + 2 < outlen;

		while (recall_word((unsigned char)s[n])) {
			digit |= isdigit((unsigned char)s[n]);
			upper |= isupper((unsigned char)s[n]) != 0;
			lower |= islower((unsigned char)s[n]) != 0;
			under |= s[n] == '_';
			n++;
		}
		digit = digit != 0;
		if (!strncmp(s, ".tmp.", 5) && o + 7 < outlen) {
			size_t r = 0;

			while (recall_word((unsigned char)s[5 + r]))
				r++;
			if (r == 6 && (s[11] == '.' || s[11] == '/' || !s[11])) {
				o += (size_t)snprintf(out + o, outlen - o, ".tmp.#");
				s += 11;
				continue;
			}
		}
		if ((size_t)(s - buf) >= strlen(recall_npm_tmp) &&
		    !strncmp(s - strlen(recall_npm_tmp), recall_npm_tmp, strlen(recall_npm_tmp)) && *s != '/') {
			/* the whole name, whatever it holds (a UUID's dashes, a mkdtemp suffix) */
			out[o++] = '#';
			s += strcspn(s, "/");
			continue;
		}
		if (recall_uuid(s)) {
			out[o++] = '#';
			s += 36;
			continue;
		}
		if (temp) {
			o += (size_t)snprintf(out + o, outlen - o, "%s#", recall_temp_names[which].prefix);
			s += tn;
		} else if (n && ((digit && !upper && !lower && !under) || (n >= 6 && digit + upper + lower + under >= 2))) {
			out[o++] = '#';
			s += n;
		} else if (n) {
			for (size_t i = 0; i < n && o + 2 < outlen; i++)
				out[o++] = s[i];
			s += n;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}

/* strace's quoting of a string (\", \\, \n, \xHH, octal) undone into OUT. */
static inline void strace_unescape(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			out[o++] = s[i];
			continue;
		}
		i++;
		if (s[i] == 'x' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char h[3] = { s[i + 1], s[i + 2], 0 };

			out[o++] = (char)strtol(h, NULL, 16);
			i += 2;
		} else if (s[i] >= '0' && s[i] <= '7') {
			int v = 0, k = 0;

			while (k < 3 && i < n && s[i] >= '0' && s[i] <= '7')
				v = v * 8 + (s[i++] - '0'), k++;
			i--;
			out[o++] = (char)v;
		} else {
			out[o++] = s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
		}
	}
	out[o] = '\0';
}

/* The first "..." string of S, unescaped; false when there is none. */
static inline bool strace_first_string(const char *s, char *out, size_t outlen)
{
	const char *a = strchr(s, '"'), *b;

	if (!a)
		return false;
	for (b = a + 1; *b && *b != '"'; b++)
		if (*b == '\\' && b[1])
			b++;
	if (*b != '"')
		return false;
	strace_unescape(a + 1, (size_t)(b - a - 1), out, outlen);
	return true;
}

/* The text between '<' and the matching '>' right after S (a -y decoration), unescaped. */
static inline bool strace_decoration(const char *s, char *out, size_t outlen)
{
	const char *e;

	if (*s != '<')
		return false;
	for (e = s + 1; *e && *e != '>'; e++)
		if (*e == '\\' && e[1])
			e++;
	if (*e != '>')
		return false;
	strace_unescape(s + 1, (size_t)(e - s - 1), out, outlen);
	return true;
}

/* What strace saw: executed programs (absolute), files opened successfully. */
struct strace_seen {
	struct path_set execs, exec_names, opens;
	size_t lines;
};

static inline void strace_seen_free(struct strace_seen *s)
{
	path_set_free(&s->execs);
	path_set_free(&s->exec_names);
	path_set_free(&s->opens);
}

struct strace_pending {
	int pid;
	char call[16];
	char text[PATH_MAX * 2];
	char rel_exec[PATH_MAX];        /* a relative exec awaiting the process's cwd */
};

/* The slot of PID (a new one when absent); NULL when the table is full. */
static inline struct strace_pending *strace_slot(struct strace_pending *t, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].pid == pid)
			return &t[i];
	for (size_t i = 0; i < n; i++)
		if (!t[i].pid) {
			memset(&t[i], 0, sizeof(t[i]));
			t[i].pid = pid;
			return &t[i];
		}
	return NULL;
}

/* A relative exec of SLOT whose directory strace never showed: kept by its name. */
static inline int strace_unresolved(struct strace_seen *s, struct strace_pending *slot)
{
	const char *p = slot->rel_exec, *b = strrchr(p, '/');

	slot->rel_exec[0] = '\0';
	return path_set_add(&s->exec_names, b ? b + 1 : p);
}

/* One whole call line (resumed ones joined) of process SLOT: adds what it shows. */
static inline int strace_line(struct strace_seen *s, struct strace_pending *slot, const char *rest)
{
	char path[PATH_MAX], call[16];
	const char *eq, *paren = strchr(rest, '('), *cwd;
	size_t cl = paren ? (size_t)(paren - rest) : 0;
	long ret;

	/* the cwd a process shows in a later call names the directory of its relative exec */
	if (slot->rel_exec[0] && (cwd = strstr(rest, "AT_FDCWD<")) && strace_decoration(cwd + 8, path, sizeof(path))) {
		char abs[PATH_MAX * 2];

		snprintf(abs, sizeof(abs), "%s/%s", path, slot->rel_exec);
		if (path_set_add(&s->execs, abs))
			return -1;
		slot->rel_exec[0] = '\0';
	}
	if (!paren || cl == 0 || cl >= sizeof(call))
		return 0;
	memcpy(call, rest, cl);
	call[cl] = '\0';
	eq = strrchr(rest, '=');
	if (!eq || eq[1] != ' ')
		return 0;
	ret = strtol(eq + 2, NULL, 10);
	if (eq[2] == '?' || ret < 0)
		return 0;
	if (!strcmp(call, "execve") || !strcmp(call, "execveat")) {
		const char *arg = paren + 1;

		if (!strcmp(call, "execveat")) {
			/* execveat(DIRFD<dir>, "name", ...): the dir decoration makes it absolute */
			const char *d = strchr(arg, '<');
			char dir[PATH_MAX], name[PATH_MAX], abs[PATH_MAX * 2];

			if (d && strace_decoration(d, dir, sizeof(dir)) && strace_first_string(arg, name, sizeof(name))) {
				if (name[0] == '/')
					snprintf(abs, sizeof(abs), "%s", name);
				else
					snprintf(abs, sizeof(abs), "%s/%s", dir, name);
				return path_set_add(&s->execs, abs);
			}
		}
		if (!strace_first_string(arg, path, sizeof(path)))
			return 0;
		if (path[0] == '/')
			return path_set_add(&s->execs, path);
		/* relative: resolved with the cwd the process shows next (strace_unresolved() if never) */
		if (slot->rel_exec[0] && strace_unresolved(s, slot))
			return -1;
		snprintf(slot->rel_exec, sizeof(slot->rel_exec), "%s", path);
		return 0;
	}
	if (!strcmp(call, "open") || !strcmp(call, "openat") || !strcmp(call, "openat2") || !strcmp(call, "creat")) {
		const char *dec = eq + 2;

		while (isdigit((unsigned char)*dec))
			dec++;
		if (!strace_decoration(dec, path, sizeof(path)) || path[0] != '/')
			return 0;       /* not a file with a path (a pipe, a socket, an anon inode) */
		if (strlen(path) > 10 && !strcmp(path + strlen(path) - 10, " (deleted)"))
			path[strlen(path) - 10] = '\0';
		return path_set_add(&s->opens, path);
	}
	return 0;
}

/*
 * Reads an `strace -f -y -o FILE` trace into S.  Returns 0, or -1 with ERR
 * filled.  A relative exec whose process never showed its cwd is kept by name
 * only (exec_names).
 */
static inline int strace_read(const char *file, struct strace_seen *s, char *err, size_t errlen)
{
	static struct strace_pending slots[1024];   /* processes and threads alive at once */
	char line[PATH_MAX * 4];
	FILE *f = fopen(file, "r");
	int rc = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	memset(slots, 0, sizeof(slots));
	while (!rc && fgets(line, sizeof(line), f)) {
		char *rest, *nl = strchr(line, '\n');
		struct strace_pending *slot;
		int pid = (int)strtol(line, &rest, 10);
		const char *unf = " <unfinished ...>";

		if (nl)
			*nl = '\0';
		s->lines++;
		if (pid <= 0 || *rest != ' ')
			continue;
		while (*rest == ' ')
			rest++;
		slot = strace_slot(slots, sizeof(slots) / sizeof(slots[0]), pid);
		if (!slot) {
			snprintf(err, errlen, "%s: more than %zu processes at once", file, sizeof(slots) / sizeof(slots[0]));
			rc = -1;
			break;
		}
		if (strlen(rest) > strlen(unf) && !strcmp(rest + strlen(rest) - strlen(unf), unf)) {
			rest[strlen(rest) - strlen(unf)] = '\0';
			snprintf(slot->text, sizeof(slot->text), "%s", rest);
			continue;
		}
		if (!strncmp(rest, "<... ", 5)) {
			char joined[PATH_MAX * 4];
			const char *r = strstr(rest, " resumed>");

			if (!r || !slot->text[0])
				continue;
			snprintf(joined, sizeof(joined), "%s%s", slot->text, r + 9);
			slot->text[0] = '\0';
			rc = strace_line(s, slot, joined);
			continue;
		}
		if (!strncmp(rest, "+++ ", 4)) {       /* exited: the pid may come back as another process */
			if (slot->rel_exec[0] && strace_unresolved(s, slot))
				rc = -1;
			slot->pid = 0;
			continue;
		}
		rc = strace_line(s, slot, rest);
	}
	for (size_t i = 0; !rc && i < sizeof(slots) / sizeof(slots[0]); i++)
		if (slots[i].pid && slots[i].rel_exec[0] && strace_unresolved(s, &slots[i]))
			rc = -1;
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", file);
		rc = -1;
	}
	fclose(f);
	if (rc && !err[0])
		snprintf(err, errlen, "%s: out of memory", file);
	path_set_finish(&s->execs);
	path_set_finish(&s->exec_names);
	path_set_finish(&s->opens);
	return rc;
}

/* What the log holds, normalized: executed files (exe, and the name passed made absolute), successful opens. */
struct log_seen {
	struct path_set execs, exec_names, opens;
};

static inline void log_seen_free(struct log_seen *k)
{
	path_set_free(&k->execs);
	path_set_free(&k->exec_names);
	path_set_free(&k->opens);
}

static inline int log_seen_read(const struct log_file *f, struct log_seen *k)
{
	char n[PATH_MAX * 2], abs[PATH_MAX * 2];

	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];

		if (e->type == LOG_EV_EXEC) {
			const char *fn = e->exec.filename;

			if (e->exec.exe) {
				recall_norm(e->exec.exe, NULL, NULL, n, sizeof(n));
				if (path_set_add(&k->execs, n))
					return -1;
			}
			if (!fn)
				continue;
			if (path_set_add(&k->exec_names, strrchr(fn, '/') ? strrchr(fn, '/') + 1 : fn))
				return -1;
			if (fn[0] != '/' && e->exec.cwd)
				snprintf(abs, sizeof(abs), "%s/%s", e->exec.cwd, fn);
			else
				snprintf(abs, sizeof(abs), "%s", fn);
			recall_norm(abs, NULL, NULL, n, sizeof(n));
			if (path_set_add(&k->execs, n))
				return -1;
		} else if (e->type == LOG_EV_OPEN && e->open.result >= 0 && e->open.path) {
			recall_norm(e->open.path, NULL, NULL, n, sizeof(n));
			if (path_set_add(&k->opens, n))
				return -1;
		}
	}
	path_set_finish(&k->execs);
	path_set_finish(&k->exec_names);
	path_set_finish(&k->opens);
	return 0;
}

struct recall {
	size_t total, found;
	char missing[8][256];           /* the first ones missing, for the failure message */
};

static inline void recall_miss(struct recall *r, const char *p)
{
	size_t m = r->total - r->found - 1;

	if (m < sizeof(r->missing) / sizeof(r->missing[0]))
		snprintf(r->missing[m], sizeof(r->missing[m]), "%s", p);
}

/*
 * Recall of the log K against the trace S taken in directory FROM (the kettle
 * copy is TO): EXECS and OPENS count distinct normalized paths.  An exec path
 * is found when it, its real path (symlinks such as /usr/bin/cc), or, for one
 * strace could not make absolute, its name is in the log.  0, or -1 (memory).
 */
static inline int recall_compute(const struct strace_seen *s, const struct log_seen *k, const char *from,
				 const char *to, struct recall *execs, struct recall *opens)
{
	char n[PATH_MAX * 2], real[PATH_MAX];
	struct path_set ex = { 0 }, op = { 0 };
	int rc = 0;

	memset(execs, 0, sizeof(*execs));
	memset(opens, 0, sizeof(*opens));
	/* an exec is found under its own name or its real path (symlinks such as /usr/bin/cc) */
	for (size_t i = 0; i < s->execs.n && !rc; i++) {
		recall_norm(s->execs.v[i], from, to, n, sizeof(n));
		if (!path_set_has(&k->execs, n) && realpath(s->execs.v[i], real))
			recall_norm(real, from, to, n, sizeof(n));
		rc = path_set_add(&ex, n);
	}
	for (size_t i = 0; i < s->opens.n && !rc; i++) {
		recall_norm(s->opens.v[i], from, to, n, sizeof(n));
		rc = path_set_add(&op, n);
	}
	path_set_finish(&ex);
	path_set_finish(&op);
	for (size_t i = 0; i < ex.n; i++) {
		execs->total++;
		if (path_set_has(&k->execs, ex.v[i]))
			execs->found++;
		else
			recall_miss(execs, ex.v[i]);
	}
	for (size_t i = 0; i < s->exec_names.n; i++) {
		execs->total++;
		if (path_set_has(&k->exec_names, s->exec_names.v[i]))
			execs->found++;
		else
			recall_miss(execs, s->exec_names.v[i]);
	}
	for (size_t i = 0; i < op.n; i++) {
		opens->total++;
		if (path_set_has(&k->opens, op.v[i]))
			opens->found++;
		else
			recall_miss(opens, op.v[i]);
	}
	path_set_free(&ex);
	path_set_free(&op);
	return rc;
}

/* Prints the missing paths of R to stderr; returns whether all were found. */
static inline bool recall_full(const char *what, const struct recall *r)
{
	if (r->found == r->total)
		return true;
	fprintf(stderr, "  %s: %zu of %zu strace saw are not in the log; first ones:\n", what,
		r->total - r->found, r->total);
	for (size_t i = 0; i < r->total - r->found && i < sizeof(r->missing) / sizeof(r->missing[0]); i++)
		fprintf(stderr, "    %s\n", r->missing[i]);
	return false;
}

#endif
