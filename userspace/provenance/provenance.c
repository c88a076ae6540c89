// SPDX-License-Identifier: MIT
/* Build log -> in-toto Statement with the SLSA v1 provenance predicate (see provenance.h, docs/provenance.md). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/errf.h"
#include "common/file_bytes.h"
#include "common/grow.h"
#include "common/hex.h"
#include "common/text_enc.h"
#include "hash/hash_plan.h"
#include "log/log_files.h"
#include "provenance/completeness.h"
#include "provenance/jcs.h"
#include "provenance/provenance.h"
#include "provenance/provenance_net.h"
#include "provenance/provenance_read.h"
#include "provenance/remote_jobs.h"

#define ERR(...) errf(err, errlen, __VA_ARGS__)

/* Everything one conversion needs. */
struct conv {
	const struct log_file *f;
	const struct provenance_options *o;
	const struct files *fs;         /* the per-path facts of f */
	const char *cwd;                /* the build's, from the header ("" when unknown) */
	size_t cwdlen;
	char *log_abs;                  /* the log's absolute path, NULL when unknown */
	struct provenance_facts *facts;
	json_t *reasons;                /* completeness reasons, named (provenance/completeness.h) */
	uint64_t nreasons;              /* all of them, also those past the kept ones */
	int64_t end_wall_ns;            /* when the build's last process exited (realtime), 0: unknown */
	char *err;
	size_t errlen;
};

/*
 * A file that makes the record incomplete, named.  A reason that does not
 * fit in memory is still counted: the verdict never depends on the list.
 */
static void reason_file(struct conv *c, const char *code, const char *path, const char *detail)
{
	c->nreasons++;
	(void)completeness_reason_add(c->reasons, code, 0, NULL, path, detail);
}

static json_t *jhex(const uint8_t *p, size_t n)
{
	char h[129];

	hex_encode(p, n, h);
	return json_string(h);
}

char *provenance_file_uri(const char *path)
{
	return text_percent_encode("file://", path);
}

/*
 * Text from the log (bytes on Linux): a JSON string when it is UTF-8, else
 * {"percentEncoded": ...} with every byte outside RFC 3986 pchar encoded, so
 * nothing is lost and nothing invalid is passed on.  NULL becomes null.
 */
static json_t *jtext(const char *s)
{
	char *enc;
	json_t *j;

	if (!s)
		return json_null();
	if (text_is_utf8(s))
		return json_string(s);
	enc = text_percent_encode("", s);
	j = enc ? json_pack("{s:s}", "percentEncoded", enc) : NULL;
	free(enc);
	return j;
}

static json_t *juri(const char *path)
{
	char *u = provenance_file_uri(path);
	json_t *j = u ? json_string(u) : NULL;

	free(u);
	return j;
}

/* RFC 3339, UTC, whole seconds. */
static json_t *jtime(uint64_t wall_ns)
{
	time_t t = (time_t)(wall_ns / 1000000000ull);
	struct tm tm;
	char buf[40];

	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return json_string(buf);
}

static int set(json_t *obj, const char *key, json_t *val)
{
	return val ? json_object_set_new(obj, key, val) : -1;
}

/* ---- which paths are what ---- */

static bool under_cwd(const struct conv *c, const char *path)
{
	return c->cwdlen && !strncmp(path, c->cwd, c->cwdlen) && path[c->cwdlen] == '/';
}

static bool excluded(const struct conv *c, const char *path)
{
	if (hash_plan_excluded(path) || (c->log_abs && !strcmp(path, c->log_abs)))
		return true;
	for (size_t i = 0; i < c->o->nexcludes; i++)
		if (!fnmatch(c->o->excludes[i], path, 0))
			return true;
	return false;
}

static bool digest_changed(const struct log_digest *d)
{
	return d->flags & (LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING);
}

/*
 * File times come from the coarse realtime clock, which lags: a write by the
 * build is never stamped after its writer's exit.  The margin absorbs the
 * conversion from the events' boot clock (taken next to the trailer's).
 */
#define OUTPUT_CTIME_MARGIN_NS 2000000

/* The realtime of the last process exit of F, from the trailer's pair of clocks; 0 when F has none. */
static int64_t last_exit_wall(const struct log_file *f)
{
	uint64_t last = 0;

	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXIT && f->events[i].ts_ns > last)
			last = f->events[i].ts_ns;
	if (!last || !f->trailer.end_wall_ns || f->trailer.end_boot_ns < last)
		return 0;
	return (int64_t)(f->trailer.end_wall_ns - (f->trailer.end_boot_ns - last));
}

/* Whether output digest D shows a change after the build's last process exited: not the build's doing. */
static bool changed_after_build(const struct conv *c, const struct log_digest *d)
{
	return c->end_wall_ns && d->result == 0 && d->ctime_ns > c->end_wall_ns + OUTPUT_CTIME_MARGIN_NS;
}

/* The last output digest of E (the file's final content), or NULL; a deleted file's content is not its end. */
static const struct log_digest *output_digest(const struct conv *c, const struct file_entry *e)
{
	const struct log_digest *last = NULL;

	for (size_t d = e->first_digest; d != LOG_FILES_NONE; d = c->fs->digest_next[d])
		if (c->f->digests[d].kind == LOG_DIGEST_OUTPUT && !(c->f->digests[d].flags & LOG_DIGEST_AT_DELETE))
			last = &c->f->digests[d];
	return last;
}

/* ---- subjects ---- */

static const char *subject_name(const struct conv *c, const char *path)
{
	return under_cwd(c, path) ? path + c->cwdlen + 1 : path;
}

static json_t *subject_entry(const struct conv *c, const struct file_entry *e, const struct log_digest *d)
{
	const char *name = subject_name(c, e->path);
	bool utf8 = text_is_utf8(name);
	/* A name must be a string: bytes that are not UTF-8 go percent-encoded, and the entry says so. */
	char *enc = utf8 ? NULL : text_percent_encode("", name);
	json_t *s = json_pack("{s:o, s:{s:o}, s:o}", "name", utf8 ? json_string(name) : enc ? json_string(enc) : NULL,
			      "digest", "sha256", jhex(d->sha256, 32), "uri", juri(e->path));

	free(enc);
	if (s && !utf8 && set(s, "annotations", json_pack("{s:s}", "nameEncoding", "percent-encoded")))
		s = (json_decref(s), NULL);
	return s;
}

static bool has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* A declared subject as an absolute path: relative ones are relative to the build's directory. */
static char *declared_path(const struct conv *c, const char *p)
{
	char *abs;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (p[0] == '/')
		return strdup(p);
	if (asprintf(&abs, "%s/%s", c->cwd, p) < 0)
		return NULL;
	return abs;
}

static bool subject_matches(const struct conv *c, const char *pattern, const char *path)
{
	char *abs;
	bool m;

	if (has_glob(pattern))
		return !fnmatch(pattern, path, 0) || (under_cwd(c, path) && !fnmatch(pattern, subject_name(c, path), 0));
	abs = declared_path(c, pattern);
	m = abs && !strcmp(abs, path);
	free(abs);
	return m;
}

/* Marks in CHOSEN the entries PATTERN names; every one must have a usable output digest. */
static int subjects_declared(struct conv *c, const char *pattern, bool *chosen)
{
	char *err = c->err;
	size_t errlen = c->errlen, hits = 0;

	for (size_t i = 0; i < c->fs->n; i++) {
		const struct file_entry *e = &c->fs->v[i];
		const struct log_digest *d;

		if (!subject_matches(c, pattern, e->path))
			continue;
		d = output_digest(c, e);
		if (has_glob(pattern) && (!d || d->result == -ENOENT))
			continue;       /* a glob selects among the outputs that exist at the end */
		hits++;
		if (!d)
			return ERR("--subject '%s': the log has no output digest for %s (the build did not write it)",
				   pattern, e->path);
		if (d->result)
			return ERR("--subject '%s': %s was not hashed at the end of the build (%s)", pattern, e->path,
				   d->result == INT32_MIN ? "?" : strerror(-d->result));
		if (d->flags & LOG_DIGEST_CHANGED)
			return ERR("--subject '%s': %s is no longer the file the build wrote (another was put in its"
				   " place while the build ran); its digest is not what the build made", pattern, e->path);
		if (digest_changed(d))
			return ERR("--subject '%s': %s changed while it was being hashed; its digest is not its content",
				   pattern, e->path);
		if (changed_after_build(c, d))
			return ERR("--subject '%s': %s changed after the build's last process exited, before it was"
				   " hashed: its digest may not be what the build made", pattern, e->path);
		chosen[i] = true;
	}
	if (!hits)
		return has_glob(pattern) ? ERR("--subject '%s' matches no file the build wrote", pattern)
					 : ERR("--subject '%s': the log has no output digest for it (not a file the build wrote)",
					       pattern);
	return 0;
}

/* The default: every output under the build's directory that exists at the end, with its digest. */
static void subjects_default(struct conv *c, bool *chosen)
{
	for (size_t i = 0; i < c->fs->n; i++) {
		const struct file_entry *e = &c->fs->v[i];
		const struct log_digest *d = output_digest(c, e);

		if (!d || !under_cwd(c, e->path) || excluded(c, e->path) || (e->flags & FILE_STREAM))
			continue;
		if (d->result == 0 && changed_after_build(c, d)) {
			c->facts->changed++;
			reason_file(c, "output-changed", e->path, "an output changed after the build's last process"
				    " exited, before Kettle hashed it: its digest may not be what the build made");
		} else if (d->result == 0 && !digest_changed(d)) {
			chosen[i] = true;
		} else if (d->result == 0 && (d->flags & LOG_DIGEST_CHANGED)) {
			c->facts->changed++;
			reason_file(c, "output-changed", e->path, "another file was put in place of the output the build"
				    " wrote, by a process outside the build while it ran (renamed onto it): its digest is"
				    " not what the build made");
		} else if (d->result == 0) {
			c->facts->changed++;
			reason_file(c, "output-changed", e->path, "an output changed while it was being hashed");
		} else if (d->result != -ENOENT && d->result != -EISDIR) {
			c->facts->unhashed++;   /* written, still there, but no digest */
			reason_file(c, "output-unhashed", e->path, "an output that could not be hashed");
		}
	}
}

/*
 * The subjects or the dependencies as their canonical bytes, each with the
 * name or URI it sorts by: a monorepo's hundreds of thousands stay a few
 * hundred bytes each, not jansson trees; the statement's bytes are written
 * around them (jcs_dump_items), and the Merkle leaves hash the dependencies.
 */
struct canon_list {
	struct canon_item {
		char *key, *bytes;
		size_t len;
	} *v;
	size_t n, cap;
};

/* Appends DEP (taken: released either way) as bytes, sorted later by its string KEY. 0, or -1 with ERR. */
static int canon_list_add(struct canon_list *l, json_t *dep, const char *key, char *err, size_t errlen)
{
	const char *k = json_string_value(json_object_get(dep, key));
	struct canon_item d = { .key = k ? strdup(k) : NULL };
	int r = 0;

	if (!dep || !d.key || grow_array((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 256))
		r = ERR("out of memory");
	else if (!(d.bytes = jcs_dump(dep, &d.len, err, errlen)))
		r = -1;
	else    /* jcs_dump's buffer starts at 4 KiB: a dependency takes a few hundred bytes */
		d.bytes = realloc(d.bytes, d.len + 1) ?: d.bytes;
	json_decref(dep);
	if (r)
		free(d.key);
	else
		l->v[l->n++] = d;
	return r;
}

static void canon_list_free(struct canon_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].bytes);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int by_canon_key(const void *a, const void *b)
{
	return strcmp(((const struct canon_item *)a)->key, ((const struct canon_item *)b)->key);
}

/* Sorts L by key (arrays are not sorted by JCS: the order is ours to fix). */
static void canon_list_sort(struct canon_list *l)
{
	if (l->n > 1)         /* an empty list has no array: qsort wants one */
		qsort(l->v, l->n, sizeof(*l->v), by_canon_key);
}

/* The subjects, sorted by name, into L. 0, or -1 with ERR (facts->no_subject: none to name). */
static int subjects(struct conv *c, struct canon_list *l)
{
	bool *chosen = calloc(c->fs->n ? c->fs->n : 1, sizeof(bool));
	char *err = c->err;
	size_t errlen = c->errlen;
	int r = -1;

	if (!chosen)
		return ERR("out of memory");
	if (c->o->nsubjects) {
		for (size_t i = 0; i < c->o->nsubjects; i++)
			if (subjects_declared(c, c->o->subjects[i], chosen))
				goto done;
	} else {
		subjects_default(c, chosen);
	}
	for (size_t i = 0; i < c->fs->n; i++)
		if (chosen[i] && canon_list_add(l, subject_entry(c, &c->fs->v[i], output_digest(c, &c->fs->v[i])),
					      "name", err, errlen))
			goto done;
	if (!l->n) {
		c->facts->no_subject = true;
		ERR("no subject: the build wrote no file under %s that exists at the end with a digest "
		    "(name the outputs with --subject)", c->cwd[0] ? c->cwd : "its directory");
		goto done;
	}
	canon_list_sort(l);
	c->facts->subjects = l->n;
	r = 0;
done:
	free(chosen);
	return r;
}

/* ---- resolved dependencies ---- */

static const char *errno_name(int32_t result)
{
	const char *n = result == INT32_MIN ? NULL : strerrorname_np(-result);

	return n ? n : "unknown error";
}

/* The first of E's input and exec digests that is good and differs from SHA, or NULL. */
static const struct log_digest *userspace_differs(const struct conv *c, const struct file_entry *e,
						  const uint8_t sha[32])
{
	for (size_t i = e->first_digest; i != LOG_FILES_NONE; i = c->fs->digest_next[i]) {
		const struct log_digest *d = &c->f->digests[i];

		if (d->kind != LOG_DIGEST_OUTPUT && !d->result && memcmp(d->sha256, sha, 32))
			return d;
	}
	return NULL;
}

/*
 * What the kernel module measured of E at exec (docs/kmod.md): the bytes
 * that ran, taken while the kernel held the file write-denied, so its digest
 * comes before userspace's, which was taken after the exec.  *DONE when the
 * kernel's measurements decided the content; otherwise (none, or all failed)
 * the userspace digests do.
 */
static int dep_kernel(struct conv *c, const struct file_entry *e, json_t *dep, json_t *notes, bool *done)
{
	const struct log_kmod_exec *good = NULL, *k;
	const struct log_digest *u;
	const char *why = NULL;
	bool differ = false;
	json_t *all;
	char h[65];

	*done = false;
	for (size_t i = e->first_kmod; i != LOG_FILES_NONE; i = c->fs->kmod_next[i]) {
		k = &c->f->kmod_execs[i];
		if (k->result)
			why = errno_name(k->result);
		else if (good && memcmp(good->sha256, k->sha256, 32))
			differ = true;
		else
			good = k;
	}
	if (!good && !why)
		return 0;
	if (!good)      /* the kernel could not read it: what userspace found is all there is */
		return set(notes, "kernelNotHashed", json_string(why));
	if (set(notes, "measuredAt", json_string("kernel-exec")))
		return -1;
	*done = true;
	if (differ) {   /* rewritten between two execs: two programs ran under one name */
		c->facts->changed++;
		reason_file(c, "exec-changed", e->path, "two different programs ran under this name");
		all = json_array();
		for (size_t i = e->first_kmod; all && i != LOG_FILES_NONE; i = c->fs->kmod_next[i]) {
			if (c->f->kmod_execs[i].result)
				continue;
			hex_encode(c->f->kmod_execs[i].sha256, 32, h);
			if (json_array_append_new(all, json_string(h)))
				all = (json_decref(all), NULL);
		}
		return set(notes, "changed", json_true()) || set(notes, "kernelDigests", all);
	}
	if (set(dep, "digest", json_pack("{s:o}", "sha256", jhex(good->sha256, 32))))
		return -1;
	u = userspace_differs(c, e, good->sha256);
	if (!u)
		return 0;
	/* what ran is not what was there afterwards: the case the module exists for */
	return set(notes, "changedAfterExec", json_true()) ||
	       set(notes, "userspaceSha256", jhex(u->sha256, 32));
}

/* What BY, the last change of a file (log_files), did to it. */
static const char *change_what(const struct file_change *by)
{
	if (by->type == LOG_EV_OPEN)
		return "opened it for writing";
	switch (by->call) {
	case LOG_FOP_UTIMENSAT:
		return "set its times after the read";
	case LOG_FOP_TRUNCATE:
	case LOG_FOP_FTRUNCATE:
		return "truncated it";
	case LOG_FOP_RENAME:
	case LOG_FOP_RENAMEAT:
	case LOG_FOP_RENAMEAT2:
		return "renamed another file onto it";
	default:
		return "changed its mode";
	}
}

/*
 * An input whose digest does not prove what was read: named with the last
 * process of the build that changed it (ccache re-times its cache files
 * after reading them), when the log shows one.
 */
static void changed_reason(struct conv *c, const struct file_entry *e)
{
	const struct file_change *by = &e->last_change;
	char detail[200];

	if (!by->type) {
		reason_file(c, "input-changed", e->path,
			    "changed by the build (or another process) before it could be hashed as read");
		return;
	}
	snprintf(detail, sizeof(detail), "changed by the build before it could be hashed as read: this process %s",
		 change_what(by));
	c->nreasons++;
	(void)completeness_reason_add(c->reasons, "input-changed", by->tgid, e->exe && e->npids && by->tgid == e->first_pid ?
				      e->exe : NULL, e->path, detail);
}

/*
 * What the log says about the content of dependency E: its digest, or why
 * there is none.  The kernel's digest at exec decides when there is one;
 * otherwise the input and exec digests must agree and be unchanged.
 */
static int dep_content(struct conv *c, const struct file_entry *e, json_t *dep, json_t *notes, bool *dir)
{
	const struct log_digest *good = NULL;
	const char *why = NULL;
	bool changed = false, any = false, done = false;

	if (dep_kernel(c, e, dep, notes, &done))
		return -1;
	if (done)
		return 0;
	for (size_t i = e->first_digest; i != LOG_FILES_NONE; i = c->fs->digest_next[i]) {
		const struct log_digest *d = &c->f->digests[i];

		if (d->kind == LOG_DIGEST_OUTPUT)
			continue;
		any = true;
		if (d->result == -EISDIR) {
			*dir = true;
			return 0;
		}
		if (d->result) {
			why = errno_name(d->result);
			continue;
		}
		if (digest_changed(d) || (good && memcmp(good->sha256, d->sha256, 32)))
			changed = true;
		good = d;
	}
	if (changed) {
		c->facts->changed++;
		changed_reason(c, e);
		return set(notes, "changed", json_true());
	}
	if (good && (good->flags & LOG_DIGEST_FS_UNVERIFIABLE)) {
		/* the digest is of what the server holds now: nothing proves the build read those bytes */
		reason_file(c, "unverifiable-filesystem", e->path,
			    "on a network or userspace file system (FUSE, NFS, CIFS, 9P...): its digest is not proof of what was read");
		if (set(notes, "fileSystemUnverifiable", json_true()))
			return -1;
	}
	if (good)
		return set(dep, "digest", json_pack("{s:o}", "sha256", jhex(good->sha256, 32)));
	c->facts->unhashed++;
	reason_file(c, "input-unhashed", e->path, why ? why : "an input without a digest");
	return set(notes, "notHashed", json_string(why ? why : any ? "unknown" :
						   c->f->trailer.hash.queued ? "no digest in the log" :
						   "hashing was off"));
}

static json_t *dep_entry(struct conv *c, const struct file_entry *e, bool *skip)
{
	json_t *dep = json_object(), *notes = json_object(), *first;
	const struct log_exec_ident *x = e->exec_ident == LOG_FILES_NONE ? NULL : &c->f->exec_idents[e->exec_ident];
	bool dir = false;

	if (!dep || !notes || set(dep, "uri", juri(e->path)) || dep_content(c, e, dep, notes, &dir))
		goto fail;
	if (dir) {
		*skip = true;   /* a directory read for its entries has no content to depend on */
		goto fail;
	}
	if ((e->flags & FILE_EXECUTED) && set(notes, "executed", json_true()))
		goto fail;
	if (x && x->build_id && set(notes, "elfBuildId", jtext(x->build_id)))
		goto fail;
	if (e->npids) {
		first = json_pack("{s:I}", "pid", (json_int_t)e->first_pid);
		if (!first || (e->exe && set(first, "exe", juri(e->exe))) || set(notes, "firstProcess", first))
			goto fail;
	}
	if (json_object_size(notes) && set(dep, "annotations", json_incref(notes)))
		goto fail;
	json_decref(notes);
	return dep;
fail:
	json_decref(dep);
	json_decref(notes);
	return NULL;
}

/* "git+" and the URL, with scp-like "user@host:path" written as ssh://user@host/path. */
static char *git_uri(const char *url)
{
	const char *colon = strchr(url, ':');
	char *u;

	if (colon && !strstr(url, "://") && strchr(url, '@') && strchr(url, '@') < colon && colon[1] != '/')
		return asprintf(&u, "git+ssh://%.*s/%s", (int)(colon - url), url, colon + 1) < 0 ? NULL : u;
	return asprintf(&u, "git+%s", url) < 0 ? NULL : u;
}

/* The git source recorded in the header, or NULL (*none set) when there is none. */
static json_t *git_dep(const struct log_header *h, bool *none)
{
	const char *url = log_header_option(h, "git.url"), *commit = log_header_option(h, "git.commit");
	const char *tree = log_header_option(h, "git.tree"), *dirty = log_header_option(h, "git.dirty");
	json_t *dep, *digest;
	char *uri;

	if (!url || !commit) {
		*none = true;
		return NULL;
	}
	uri = git_uri(url);
	digest = json_pack("{s:o}", "gitCommit", jtext(commit));
	if (digest && tree && set(digest, "gitTree", jtext(tree)))
		digest = (json_decref(digest), NULL);
	dep = json_pack("{s:o, s:o, s:{s:b}}", "uri", uri ? jtext(uri) : NULL, "digest", digest,
			"annotations", "dirty", dirty && !strcmp(dirty, "true"));
	free(uri);
	return dep;
}

static int dependencies(struct conv *c, struct canon_list *l)
{
	bool none = false;
	char *err = c->err;
	size_t errlen = c->errlen;

	for (size_t i = 0; i < c->fs->n; i++) {
		const struct file_entry *e = &c->fs->v[i];
		bool input = false, skip = false;
		json_t *dep;

		for (size_t d = e->first_digest; d != LOG_FILES_NONE; d = c->fs->digest_next[d])
			input |= c->f->digests[d].kind != LOG_DIGEST_OUTPUT;
		input |= e->first_kmod != LOG_FILES_NONE;       /* the kernel measured it at exec */
		/* What the build read and had not produced: the hasher's input and exec digests say so;
		 * without one, a file read or run that the build never wrote. */
		if (!input && (!(e->flags & (FILE_READ_CONTENT | FILE_EXECUTED)) || (e->flags & FILE_WRITTEN)))
			continue;
		/*
		 * a directory: listed or removed, never content to depend on; a FIFO:
		 * a channel, whose bytes are its writers' (fifo-from-outside when one
		 * is not of the build), nothing to hash
		 */
		if (e->flags & (FILE_DIRECTORY | FILE_STREAM))
			continue;
		/* made by the build before it read or ran it (configure's conftest, a generated header) */
		if (e->produced) {
			c->facts->intermediates++;
			continue;
		}
		if (excluded(c, e->path)) {
			c->facts->excluded++;
			continue;
		}
		dep = dep_entry(c, e, &skip);
		if (!skip && canon_list_add(l, dep, "uri", err, errlen))
			return -1;
	}
	{
		json_t *git = git_dep(&c->f->header, &none);

		if (!none && canon_list_add(l, git, "uri", err, errlen))
			return -1;
	}
	canon_list_sort(l);
	c->facts->dependencies = l->n;
	return 0;
}

/* ---- the Merkle root ---- */

static int sha256_parts(const void *a, size_t alen, const void *b, size_t blen, const void *x, size_t xlen,
			uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, a, alen) &&
		 EVP_DigestUpdate(ctx, b, blen) && EVP_DigestUpdate(ctx, x, xlen) &&
		 EVP_DigestFinal_ex(ctx, out, NULL);

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* RFC 6962 2.1: MTH(D[n]) = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n. */
static int merkle(const uint8_t (*leaves)[32], size_t n, uint8_t out[32])
{
	static const uint8_t node = 0x01;
	uint8_t l[32], r[32];
	size_t k = 1;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return 0;
	}
	while (k * 2 < n)
		k *= 2;
	if (merkle(leaves, k, l) || merkle(leaves + k, n - k, r))
		return -1;
	return sha256_parts(&node, 1, l, 32, r, 32, out);
}

/* The Merkle root of N leaves, leaf I being H(0x00 || BYTES(I)). */
static int merkle_root(size_t n, char *(*bytes)(void *arg, size_t i, size_t *len, bool *owned, char *err, size_t errlen),
		       void *arg, uint8_t root[32], char *err, size_t errlen)
{
	static const uint8_t leaf = 0x00;
	uint8_t (*leaves)[32];
	int r = 0;

	if (!n)
		return sha256_parts("", 0, "", 0, "", 0, root) ? ERR("SHA-256 failed") : 0;
	leaves = malloc(n * sizeof(*leaves));
	if (!leaves)
		return ERR("out of memory");
	for (size_t i = 0; !r && i < n; i++) {
		size_t len = 0;
		bool owned = false;
		char *b = bytes(arg, i, &len, &owned, err, errlen);

		r = !b || sha256_parts(&leaf, 1, b, len, "", 0, leaves[i]) ? -1 : 0;
		if (owned)
			free(b);
	}
	if (!r && merkle((const uint8_t (*)[32])leaves, n, root))
		r = ERR("SHA-256 failed");
	free(leaves);
	return r;
}

static char *json_leaf(void *arg, size_t i, size_t *len, bool *owned, char *err, size_t errlen)
{
	*owned = true;
	return jcs_dump(json_array_get(arg, i), len, err, errlen);
}

static char *dep_leaf(void *arg, size_t i, size_t *len, bool *owned, char *err, size_t errlen)
{
	const struct canon_list *l = arg;

	(void)err, (void)errlen;
	*owned = false;
	*len = l->v[i].len;
	return l->v[i].bytes;
}

int provenance_merkle_root(const json_t *deps, uint8_t root[32], char *err, size_t errlen)
{
	return merkle_root(json_array_size(deps), json_leaf, (void *)deps, root, err, errlen);
}

/* ---- parameters, run details, byproducts ---- */

static json_t *argv_json(const char *const *argv, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, jtext(argv[i])))
			a = (json_decref(a), NULL);
	return a;
}

/* The environment the traced command's own exec got (log format 3), NULL when not recorded. */
static const struct log_env *root_env(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXEC && f->events[i].tgid == f->header.root_pid)
			return f->events[i].exec.env;
	return NULL;
}

/*
 * {NAME: value}: the caller's environment is an input of the build it controls
 * (docs/build-type.md).  Secret values are as the log has them, "sha256:HEX";
 * a name set twice keeps its first value, as getenv(3) does.
 */
static json_t *environment_json(const struct log_env *env)
{
	json_t *o = json_object();

	for (uint32_t i = 0; o && i < env->nvars; i++) {
		const char *v = env->vars[i], *eq = strchr(v, '=');
		char *name = eq ? strndup(v, (size_t)(eq - v)) : NULL, *key;

		if (!eq)
			continue;
		key = name && !text_is_utf8(name) ? text_percent_encode("", name) : name ? strdup(name) : NULL;
		if (!key || (!json_object_get(o, key) && set(o, key, jtext(eq + 1))))
			o = (json_decref(o), NULL);
		free(key);
		free(name);
	}
	return o;
}

static json_t *external_parameters(const struct log_file *f)
{
	const struct log_header *h = &f->header;
	const struct log_env *env = root_env(f);
	json_t *p = json_pack("{s:o, s:o}", "command", argv_json(h->command, h->ncommand),
			      "workingDirectory", jtext(h->cwd));

	if (p && env && set(p, "environment", environment_json(env)))
		p = (json_decref(p), NULL);
	const char *url = log_header_option(h, "git.url"), *commit = log_header_option(h, "git.commit");

	if (p && url && commit) {
		const char *tree = log_header_option(h, "git.tree"), *dirty = log_header_option(h, "git.dirty");
		json_t *src = json_pack("{s:o, s:o, s:b}", "repository", jtext(url), "commit", jtext(commit),
					"dirty", dirty && !strcmp(dirty, "true"));

		if (!src || (tree && set(src, "tree", jtext(tree))) || set(p, "source", src))
			p = (json_decref(p), NULL);
	}
	return p;
}

static bool is_run_option(const char *key)
{
	return key && strncmp(key, "git.", 4) && strcmp(key, "invocation_id");
}

/* How the environment was recorded: the secret rule, and whether the command's own was cut. */
static json_t *environment_rule(const struct log_file *f)
{
	const struct log_header *h = &f->header;
	const struct log_env *env = root_env(f);

	return json_pack("{s:o, s:s, s:b}", "secretPatterns", argv_json(h->secret_patterns, h->nsecret_patterns),
			 "secretValues", "sha256:HEX of the value", "cut", env && env->flags);
}

static json_t *internal_parameters(const struct log_file *f)
{
	const struct log_header *h = &f->header;
	json_t *opts = json_object(), *p;

	for (uint32_t i = 0; opts && i < h->noptions; i++) {
		const struct log_option *o = &h->options[i];

		char *key;

		if (!is_run_option(o->key))
			continue;
		/* a key that is not UTF-8 goes percent-encoded, like every other text */
		key = text_is_utf8(o->key) ? strdup(o->key) : text_percent_encode("", o->key);
		if (!key || set(opts, key, jtext(o->value)))
			opts = (json_decref(opts), NULL);
		free(key);
	}
	p = json_pack("{s:o, s:o, s:o, s:o}", "kettleVersion", jtext(h->kettle_version),
		      "kernelRelease", jtext(h->kernel_release), "host", jtext(h->host), "options", opts);
	if (p && log_header_option(h, "scope") && set(p, "scope", jtext(log_header_option(h, "scope"))))
		p = (json_decref(p), NULL);
	if (p && h->env_mode == LOG_ENV_RECORDED && set(p, "environment", environment_rule(f)))
		p = (json_decref(p), NULL);
	return p;
}

const char *provenance_invocation_id(const struct log_header *h, char *buf, size_t len)
{
	const char *id = log_header_option(h, "invocation_id");

	if (id)
		return id;
	/* Logs from before kettle run wrote an invocation id: boot, start and root pid name the run. */
	snprintf(buf, len, "%s/%" PRIu64 "/%" PRIu32, h->boot_id ? h->boot_id : "", h->start_boot_ns, h->root_pid);
	return buf;
}

json_t *provenance_json_text(const char *s)
{
	return jtext(s);
}

json_t *provenance_json_time(uint64_t wall_ns)
{
	return jtime(wall_ns);
}

json_t *provenance_json_hex(const uint8_t *p, size_t n)
{
	return jhex(p, n);
}

static json_t *run_details(const struct log_file *f, const struct provenance_options *o)
{
	const struct log_header *h = &f->header;
	char fallback[256];
	const char *id = provenance_invocation_id(h, fallback, sizeof(fallback));

	return json_pack("{s:{s:s, s:{s:o}}, s:{s:o, s:o, s:o}}",
			 "builder", "id", o->builder_id ? o->builder_id : PROVENANCE_BUILDER_ID,
			 "version", "kettle", jtext(h->kettle_version),
			 "metadata", "invocationId", jtext(id), "startedOn", jtime(h->start_wall_ns),
			 "finishedOn", jtime(f->trailer.end_wall_ns));
}

static json_t *ju64(uint64_t v)
{
	return json_integer(v > (uint64_t)JCS_MAX_SAFE_INT ? JCS_MAX_SAFE_INT : (json_int_t)v);
}

/* The completeness figures of the record: what it lost, cut, could not hash or saw change. */
static json_t *completeness(const struct log_file *f, const struct provenance_facts *x, json_t *reasons)
{
	const struct log_losses *l = &f->trailer.losses;
	const struct log_hash_stats *hs = &f->trailer.hash;
	uint64_t drops = 0;

	json_t *c;

	for (int i = 0; i < LOG_EV_TYPE_MAX; i++)
		drops += l->ringbuf_drops[i];
	c = json_pack("{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
			 " s:{s:o, s:o, s:o, s:o, s:o}}",
			 "complete", x->complete, "beganMidBuild", x->mid_build,
			 "events", ju64(x->events), "processes", ju64(x->processes),
			 "eventsLost", ju64(drops), "pathTruncations", ju64(l->path_truncations),
			 "argvTruncations", ju64(l->argv_truncations),
			 "stringTruncations", ju64(l->string_truncations),
			 "processesNotFollowed", ju64(l->pending_full + l->tracked_full),
			 "filesChanged", ju64(x->changed), "filesUnhashed", ju64(x->unhashed),
			 "dependenciesExcluded", ju64(x->excluded),
			 "exitStatus", json_integer(f->trailer.exit_status),
			 "hashing", "queued", ju64(hs->queued), "hashed", ju64(hs->hashed), "failed", ju64(hs->failed),
			 "changed", ju64(hs->changed), "queueFull", ju64(hs->queue_full));
	/* since log format 3: an older log's statement stays as it was */
	if (c && f->header.format_version >= 3 && set(c, "environmentTruncations", ju64(l->env_truncations)))
		c = (json_decref(c), NULL);
	if (c && f->header.format_version >= 5 && set(c, "recordsUnaccounted", ju64(l->records_unaccounted)))
		c = (json_decref(c), NULL);
	if (c && f->header.format_version >= 4 &&
	    (set(c, "reasons", json_incref(reasons)) || set(c, "reasonsTotal", ju64(x->nreasons)) ||
	     set(c, "intermediates", ju64(x->intermediates))))
		c = (json_decref(c), NULL);
	return c;
}

/* Version 3 logs: whether the kernel module measured the execs, and its counters. */
static int kernel_module(const struct log_file *f, json_t *completeness)
{
	const struct log_kmod_stats *k = &f->kmod_stats;
	const char *state = log_header_option(&f->header, "kmod");

	if (!state)
		return 0;
	return set(completeness, "kernelModule",
		   json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "state", state, "used", f->has_kmod_stats,
			     "measured", ju64(k->measured), "cacheHits", ju64(k->cache_hits),
			     "errors", ju64(k->errors), "dropped", ju64(k->dropped),
			     "badRecords", ju64(k->bad_records)));
}

/*
 * The distcc jobs the log shows, sent (remoteJobs) or served (servedJobs),
 * as facts of the log: docs/distributed.md.  Nothing when there are none.
 */
static int remote_jobs_annotate(const struct log_file *f, json_t *annotations)
{
	struct remote_jobs sent = { 0 }, served = { 0 };
	int rc = remote_jobs_client(f, &sent) || remote_jobs_worker(f, &served) ? -1 : 0;

	if (!rc && sent.n && json_object_set_new(annotations, "remoteJobs", remote_jobs_json(&sent, false)))
		rc = -1;
	if (!rc && served.n && json_object_set_new(annotations, "servedJobs", remote_jobs_json(&served, true)))
		rc = -1;
	remote_jobs_free(&sent);
	remote_jobs_free(&served);
	return rc;
}

/*
 * The log (with the facts derived from it as annotations: every byproduct is
 * a resource descriptor with a digest) and the Merkle root of the dependencies.
 */
static json_t *byproducts(const struct log_file *f, const uint8_t log_sha256[32], const struct canon_list *deps,
			  const struct provenance_facts *x, json_t *reasons, char *err, size_t errlen)
{
	uint8_t root[32];
	json_t *comp = completeness(f, x, reasons), *bp;

	if (!comp || kernel_module(f, comp)) {
		json_decref(comp);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (merkle_root(deps->n, dep_leaf, (void *)deps, root, err, errlen)) {
		json_decref(comp);
		return NULL;
	}
	bp = json_pack("[{s:s, s:{s:o}, s:s, s:{s:o, s:i, s:o, s:o}}, {s:s, s:{s:o}, s:{s:s, s:o}}]",
			 "name", "build-log", "digest", "sha256", jhex(log_sha256, 32),
			 "mediaType", f->compressed ? PROVENANCE_LOG_MEDIA_TYPE_ZSTD : PROVENANCE_LOG_MEDIA_TYPE,
			 "annotations", "bytes", ju64(f->file_bytes), "formatVersion", (int)f->header.format_version,
			 "completeness", comp, "network", provenance_network(f),
			 "name", "resolved-dependencies-merkle-root", "digest", "sha256", jhex(root, 32),
			 "annotations", "construction", "rfc6962-sha256-jcs-leaves",
			 "leaves", ju64(deps->n));
	if (bp && remote_jobs_annotate(f, json_object_get(json_array_get(bp, 0), "annotations")))
		bp = (json_decref(bp), NULL);
	if (!bp)
		snprintf(err, errlen, "out of memory");
	return bp;
}

/* ---- the statement ---- */

static void facts_from_trailer(const struct log_file *f, struct provenance_facts *x)
{
	for (int i = 0; i < LOG_EV_TYPE_MAX; i++)
		x->events += f->trailer.events_by_type[i];
	/* the root, every fork, and every process an attach found running (the root among them) */
	x->processes = f->trailer.events_by_type[LOG_EV_FORK] + (f->trailer.events_by_type[LOG_EV_PROC_SNAPSHOT] ?: 1);
	x->losses = log_losses_total(&f->trailer.losses) + log_kmod_losses(&f->kmod_stats);
}

/*
 * The reasons of the record itself (notices, losses, a record begun
 * mid-build) after those of the files, and the first lines for messages.
 */
static int record_reasons(struct conv *c)
{
	long found = completeness_reasons(c->f, c->reasons);
	char detail[128];
	size_t i;

	if (found < 0)
		return errf(c->err, c->errlen, "out of memory");
	c->nreasons += (uint64_t)found;
	if (c->facts->losses) {
		snprintf(detail, sizeof(detail), "%" PRIu64 " events or digests were lost or cut"
			 " (kettle log stats shows which)", c->facts->losses);
		reason_file(c, "events-lost", NULL, detail);
	}
	if (c->f->trailer.losses.records_unaccounted) {
		snprintf(detail, sizeof(detail), "%" PRIu64 " numbered kernel records neither arrived nor were"
			 " counted lost (counter reset, or another ring reader)",
			 c->f->trailer.losses.records_unaccounted);
		reason_file(c, "records-unaccounted", NULL, detail);
	}
	if (c->facts->mid_build)
		reason_file(c, "began-mid-build", NULL,
			    "kettle attach began while the build was running: what it did before is not recorded");
	c->facts->nreasons = c->nreasons;
	for (i = 0; i < PROVENANCE_REASON_LINES && i < json_array_size(c->reasons); i++)
		completeness_reason_line(json_array_get(c->reasons, i), c->facts->reason_lines[i],
					 sizeof(c->facts->reason_lines[i]));
	return 0;
}

static char *log_abs_path(const char *p)
{
	return p ? realpath(p, NULL) : NULL;
}

/*
 * The workers' statements that served the build's remote jobs, after the
 * files: each a dependency whose digest is the statement's (the order is the
 * jobs', so the Merkle root is the same for the same statements).
 */
static int worker_deps_add(struct conv *c, struct canon_list *deps)
{
	struct remote_jobs jobs = { 0 };
	json_t *wd;
	int rc = 0;

	if (!c->o->nworkers)
		return 0;
	if (remote_jobs_client(c->f, &jobs)) {
		remote_jobs_free(&jobs);
		return errf(c->err, c->errlen, "out of memory");
	}
	wd = remote_jobs_worker_deps(&jobs, c->o->workers, c->o->nworkers, c->err, c->errlen);
	remote_jobs_free(&jobs);
	if (!wd)
		return -1;
	for (size_t i = 0; !rc && i < json_array_size(wd); i++)
		rc = canon_list_add(deps, json_incref(json_array_get(wd, i)), "uri", c->err, c->errlen);
	c->facts->dependencies += json_array_size(wd);
	json_decref(wd);
	return rc;
}

/*
 * A statement in parts: the canonical bytes of the document with its
 * subject and resolvedDependencies arrays empty, and their elements
 * (canonical each) that go between their brackets.  A monorepo's statement
 * is hundreds of MB, nearly all of it those two arrays: written part by
 * part, it is never held whole.
 */
struct statement_parts {
	char *doc;
	size_t len;
	struct statement_hole {
		size_t at;              /* the offset in doc just after the array's '[' */
		struct canon_list items;
	} holes[2];             /* in the document's order */
};

static void statement_parts_free(struct statement_parts *s)
{
	free(s->doc);
	for (size_t h = 0; h < 2; h++)
		canon_list_free(&s->holes[h].items);
	memset(s, 0, sizeof(*s));
}

/* The statement's bytes in order, each run handed to PUT; PUT's first nonzero return, else 0. */
static int statement_each(const struct statement_parts *s, int (*put)(void *arg, const void *p, size_t n),
			  void *arg)
{
	size_t from = 0;
	int r = 0;

	for (size_t h = 0; !r && h < 2; h++) {
		const struct canon_list *l = &s->holes[h].items;

		r = put(arg, s->doc + from, s->holes[h].at - from);
		for (size_t i = 0; !r && i < l->n; i++)
			r = (i ? put(arg, ",", 1) : 0) ?: put(arg, l->v[i].bytes, l->v[i].len);
		from = s->holes[h].at;
	}
	return r ?: put(arg, s->doc + from, s->len - from);
}

/*
 * ST's canonical bytes with its subject and resolvedDependencies left empty
 * into S, with SUBJECTS and DEPS (taken) in the holes where they go.
 */
static int statement_dump(json_t *st, struct canon_list *subjects, struct canon_list *deps, struct statement_parts *s,
			  char *err, size_t errlen)
{
	size_t subj_at = 0, deps_at = 0;
	struct jcs_items subj_items = { .hole = json_object_get(st, "subject"), .at = &subj_at };
	struct jcs_items deps_items = {
		.hole = json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
					"resolvedDependencies"),
		.at = &deps_at, .next = &subj_items };
	bool subj_first;
	char why[400];

	s->doc = jcs_dump_items(st, &deps_items, &s->len, why, sizeof(why));
	if (!s->doc)
		return ERR("cannot serialize the statement: %s", why);
	subj_first = subj_at < deps_at;
	s->holes[!subj_first] = (struct statement_hole){ subj_at, *subjects };
	s->holes[subj_first] = (struct statement_hole){ deps_at, *deps };
	*subjects = *deps = (struct canon_list){ 0 };
	return 0;
}

/*
 * The statement of F whose per-path facts are FS (files_build, or folded
 * while F was read), in parts into OUT; 0, or -1 with ERR.
 */
static int statement(const struct log_file *f, const struct files *fs, const uint8_t log_sha256[32],
		     const struct provenance_options *o, struct provenance_facts *facts, struct statement_parts *out,
		     char *err, size_t errlen)
{
	struct conv c = { .f = f, .fs = fs, .o = o, .facts = facts, .err = err, .errlen = errlen,
			  .reasons = json_array() };
	struct canon_list subj = { 0 }, deps = { 0 };
	json_t *st = NULL, *bp;
	int r = -1;

	memset(facts, 0, sizeof(*facts));
	memset(out, 0, sizeof(*out));
	if (!c.reasons)
		return ERR("out of memory");
	if (!f->has_trailer) {
		json_decref(c.reasons);
		return ERR("the log has no trailer (cut short): its record is not complete");
	}
	c.cwd = f->header.cwd ? f->header.cwd : "";
	c.cwdlen = strlen(c.cwd);
	while (c.cwdlen > 1 && c.cwd[c.cwdlen - 1] == '/')
		c.cwdlen--;     /* "/" is the root: every absolute path is under it */
	if (c.cwdlen == 1)
		c.cwdlen = 0, c.cwd = "/";
	c.log_abs = log_abs_path(o->log_path);
	facts_from_trailer(f, facts);
	c.end_wall_ns = last_exit_wall(f);
	if (subjects(&c, &subj)) {
		/* no output here may mean a daemon wrote it: the reasons still say what the record lacks */
		if (facts->no_subject)
			(void)record_reasons(&c);
		goto done;
	}
	if (dependencies(&c, &deps) || worker_deps_add(&c, &deps))
		goto done;
	facts->mid_build = log_header_option(&f->header, "complete") &&
			   !strcmp(log_header_option(&f->header, "complete"), "false");
	if (record_reasons(&c))
		goto done;
	facts->complete = !facts->losses && !facts->changed && !facts->unhashed && !facts->mid_build &&
			  !c.nreasons;
	bp = byproducts(f, log_sha256, &deps, facts, c.reasons, err, errlen);
	if (!bp)
		goto done;
	/* subject, resolvedDependencies: empty arrays here, the holes statement_dump puts SUBJ and DEPS in */
	st = json_pack("{s:s, s:o, s:s, s:{s:{s:s, s:o, s:o, s:o}, s:o}}",
		       "_type", PROVENANCE_STATEMENT_TYPE, "subject", json_array(), "predicateType", PROVENANCE_PREDICATE_TYPE,
		       "predicate", "buildDefinition", "buildType", PROVENANCE_BUILD_TYPE,
		       "externalParameters", external_parameters(f),
		       "internalParameters", internal_parameters(f), "resolvedDependencies", json_array(),
		       "runDetails", run_details(f, o));
	if (st && set(json_object_get(json_object_get(st, "predicate"), "runDetails"), "byproducts", bp))
		st = (json_decref(st), NULL);
	if (!st) {
		ERR("out of memory building the statement");
	} else {
		r = statement_dump(st, &subj, &deps, out, err, errlen);
	}
done:
	json_decref(c.reasons);
	json_decref(st);
	canon_list_free(&subj);
	canon_list_free(&deps);
	free(c.log_abs);
	return r;
}

/* The whole statement in one buffer: statement_each once to count (P NULL), once to copy. */
struct joined {
	char *p;
	size_t len;
};

static int join_put(void *arg, const void *p, size_t n)
{
	struct joined *j = arg;

	if (j->p)
		memcpy(j->p + j->len, p, n);
	j->len += n;
	return 0;
}

json_t *provenance_statement(const struct log_file *f, const uint8_t log_sha256[32],
			     const struct provenance_options *o, struct provenance_facts *facts,
			     char *err, size_t errlen)
{
	struct statement_parts parts = { 0 };
	struct joined j = { 0 };
	struct files fs;
	json_error_t jerr;
	json_t *st = NULL;
	int r;

	if (files_build(&fs, f)) {
		memset(facts, 0, sizeof(*facts));
		r = ERR("out of memory");
	} else {
		r = statement(f, &fs, log_sha256, o, facts, &parts, err, errlen);
	}
	files_free(&fs);
	if (!r) {
		(void)statement_each(&parts, join_put, &j);
		if (!(j.p = malloc(j.len ? j.len : 1)))
			ERR("out of memory");
		j.len = 0;
		if (j.p)
			(void)statement_each(&parts, join_put, &j);
	}
	/* the caller's document: the canonical bytes read back (jcs_dump of it gives them again) */
	if (j.p && !(st = json_loadb(j.p, j.len, JSON_ALLOW_NUL, &jerr)))
		ERR("cannot read the statement back: %s", jerr.text);
	free(j.p);
	statement_parts_free(&parts);
	return st;
}

/* ---- reading the log, writing the statement ---- */

/* Where statement_each writes: PATH's file, through a buffer, and the SHA-256 of what passes. */
struct statement_sink {
	int fd;
	EVP_MD_CTX *sha;
	char *buf;
	size_t used;
	ssize_t done;           /* file_write_all's return for the latest flush */
	size_t want;            /* and the bytes it was given */
};

#define SINK_BUF (1u << 20)

static int sink_flush(struct statement_sink *k)
{
	k->want = k->used;
	k->done = file_write_all(k->fd, k->buf, k->used);
	k->used = 0;
	return k->done < 0 || (size_t)k->done < k->want ? -1 : 0;
}

static int sink_put(void *arg, const void *p, size_t n)
{
	struct statement_sink *k = arg;

	if (EVP_DigestUpdate(k->sha, p, n) != 1)
		return -2;
	while (n) {
		size_t room = SINK_BUF - k->used, take = n < room ? n : room;

		memcpy(k->buf + k->used, p, take);
		k->used += take;
		p = (const char *)p + take;
		n -= take;
		if (k->used == SINK_BUF && sink_flush(k))
			return -1;
	}
	return 0;
}

/* The statement S to PATH ("-": stdout), and the SHA-256 of its bytes into SHA. */
static int write_statement(const char *path, const struct statement_parts *s, uint8_t sha[32], char *err,
			   size_t errlen)
{
	struct statement_sink k = { .fd = -1, .sha = EVP_MD_CTX_new(), .buf = malloc(SINK_BUF) };
	int r = 0;

	if (!k.sha || !k.buf || EVP_DigestInit_ex(k.sha, EVP_sha256(), NULL) != 1) {
		r = ERR(k.buf ? "SHA-256 failed" : "out of memory");
		goto out;
	}
	k.fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDOUT_FILENO;
	if (k.fd < 0) {
		r = ERR("%s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	r = statement_each(s, sink_put, &k) ?: sink_flush(&k);
	if (r == -2)
		r = ERR("SHA-256 failed");
	else if (r && k.done < 0)
		r = ERR("%s: cannot write: %s", path, strerror((int)-k.done));
	else if (r)
		r = ERR("%s: cannot write: short write: %zd of %zu bytes written", path, k.done, k.want);
	else if (EVP_DigestFinal_ex(k.sha, sha, NULL) != 1)
		r = ERR("SHA-256 failed");
	if (k.fd != STDOUT_FILENO && close(k.fd) && !r)
		r = ERR("%s: cannot write: %s", path, strerror(errno));
out:
	EVP_MD_CTX_free(k.sha);
	free(k.buf);
	return r;
}

int provenance_write(const char *log_path, const char *out_path, const struct provenance_options *o,
		     struct provenance_facts *facts, char *err, size_t errlen)
{
	struct statement_parts parts;
	struct provenance_log pl;
	const struct log_file *f = &pl.log;
	uint8_t st_sha[32];
	char why[512];
	int r = -1;

	memset(facts, 0, sizeof(*facts));
	if (provenance_log_read(log_path, &pl, why, sizeof(why)))
		return ERR("%s: %s", log_path, why);
	if (f->truncated) {
		ERR("%s: the log is cut short: it ends at byte %" PRIu64 " %s, after %" PRIu64
		    " complete records (%" PRIu64 " valid bytes); a provenance needs the whole record", log_path,
		    f->content_bytes, f->valid_bytes < f->content_bytes ? "inside a record" : "without a trailer",
		    f->nrecords, f->valid_bytes);
		provenance_log_free(&pl);
		return -1;
	}
	/* not truncated: the file was read whole, and f->file_sha256 is its digest (compressed or not) */
	r = statement(f, &pl.fs, f->file_sha256, o, facts, &parts, why, sizeof(why));
	/* the parts hold their own bytes: the log's memory goes back before they are written */
	provenance_log_free(&pl);
	if (r)
		return ERR("%s: %s", log_path, why);
	r = write_statement(out_path, &parts, st_sha, err, errlen);
	if (!r)
		hex_encode(st_sha, 32, facts->sha256);
	statement_parts_free(&parts);
	return r;
}
