// SPDX-License-Identifier: MIT
/* The per-path facts of a build log (see log_files.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>              /* RENAME_EXCHANGE */
#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"
#include "common/grow.h"
#include "log/log_files.h"

/* Entry and pair numbers are the index's 32-bit ids. */
#define FILES_IDS_MAX (UINT32_MAX - 1)

/* The entry of PATH, new when the log had not named it yet; NULL when out of memory. */
static struct file_entry *file_get(struct files *fs, const char *path)
{
	const struct index_table *x = &fs->by_path;
	uint64_t h = hash_bytes(path, strlen(path));

	if (index_table_ready(&fs->by_path, 1024))
		return NULL;
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i))
		if (index_table_same_hash(x, i, h) && !strcmp(fs->v[x->slots[i].id1 - 1].path, path))
			return &fs->v[x->slots[i].id1 - 1];
	if (fs->n >= FILES_IDS_MAX || grow_array((void **)&fs->v, &fs->cap, fs->n + 1, sizeof(*fs->v), 256) ||
	    index_table_insert(&fs->by_path, h, (uint32_t)fs->n))
		return NULL;
	fs->v[fs->n] = (struct file_entry){ .path = path, .first_digest = LOG_FILES_NONE,
					    .last_digest = LOG_FILES_NONE, .exec_ident = LOG_FILES_NONE,
					    .first_kmod = LOG_FILES_NONE, .last_kmod = LOG_FILES_NONE };
	return &fs->v[fs->n++];
}

/* Adds KEY to the pair set; 1 when it was there already, 0 when added, -1 out of memory. */
static int pair_add(struct files *fs, uint64_t key)
{
	const struct index_table *x = &fs->pair_index;
	uint64_t h = hash_bytes(&key, sizeof(key));

	if (index_table_ready(&fs->pair_index, 1024))
		return -1;
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i))
		if (index_table_same_hash(x, i, h) && fs->pairs[x->slots[i].id1 - 1] == key)
			return 1;
	if (fs->npairs >= FILES_IDS_MAX ||
	    grow_array((void **)&fs->pairs, &fs->cappairs, fs->npairs + 1, sizeof(*fs->pairs), 256) ||
	    index_table_insert(&fs->pair_index, h, (uint32_t)fs->npairs))
		return -1;
	fs->pairs[fs->npairs++] = key;
	return 0;
}

/* Notes that PID touched E (once per pid). */
static int file_touch(struct files *fs, struct file_entry *e, uint32_t pid)
{
	int r = fs->first_pid_only ? e->npids > 0 : pair_add(fs, (uint64_t)(e - fs->v) << 32 | pid);

	if (r)
		return r < 0 ? -1 : 0;
	/* first_pid_only: no list, and no allocation per path (a monorepo has millions) */
	if (!fs->first_pid_only) {
		if (grow_array((void **)&e->pids, &e->cappids, e->npids + 1, sizeof(*e->pids), 4))
			return -1;
		e->pids[e->npids] = pid;
	}
	if (!e->npids++) {
		e->first_pid = pid;
		e->exe = proc_exe_get(&fs->procs, pid);
	}
	return 0;
}

/*
 * Whether the first successful O_CREAT open made the file.  The log has only
 * opens: O_EXCL proves it; an attempt just before that found it absent says so;
 * an earlier successful open, or a ctime from before the build (the open changed
 * nothing), says it existed.  Anything else is unknown.
 */
static enum created decide_created(const struct file_entry *e, const struct log_event *ev,
				   uint64_t start_wall_ns)
{
	if (ev->open.flags & O_EXCL)
		return CREATED_YES;
	if (e->absent_last)
		return CREATED_YES;
	if (e->existed)
		return CREATED_NO;
	if (ev->open.ctime_ns > 0 && (uint64_t)ev->open.ctime_ns < start_wall_ns)
		return CREATED_NO;
	return CREATED_UNKNOWN;
}

static bool is_absent_errno(int err)
{
	return err == ENOENT || err == ENOTDIR;
}

static void changed_by(struct file_entry *e, const struct log_event *ev)
{
	e->last_change = (struct file_change){ .type = (uint8_t)ev->type, .tgid = ev->tgid,
					       .call = ev->type == LOG_EV_FILE_OP ? ev->file_op.call : 0 };
}

static void open_succeeded(struct file_entry *e, const struct log_event *ev, uint64_t start_wall_ns)
{
	uint64_t fl = ev->open.flags, acc = fl & O_ACCMODE;
	bool untouched = !(e->flags & (FILE_READ_CONTENT | FILE_EXECUTED));

	if (acc != O_RDONLY)
		changed_by(e, ev);
	if (ev->open.path_flags & LOG_PATH_STREAM)
		e->flags |= FILE_STREAM;

	/* an O_PATH descriptor reads nothing; O_TMPFILE names the directory, not a new file */
	if (acc != O_WRONLY && !(fl & O_PATH))
		e->flags |= FILE_READ;
	if (acc != O_WRONLY && !(fl & (O_PATH | O_DIRECTORY)))
		e->flags |= FILE_READ_CONTENT;
	if (acc == O_WRONLY || acc == O_RDWR || (fl & (O_CREAT | O_TRUNC)))
		e->flags |= FILE_WRITTEN;
	if ((fl & O_CREAT) && (fl & O_TMPFILE) != O_TMPFILE && !e->create_seen) {
		e->create_seen = true;
		e->created = decide_created(e, ev, start_wall_ns);
		if (untouched && e->created == CREATED_YES)
			e->produced = true;
	}
	/* emptied by this open: nothing from before the build can be read through it afterwards */
	if (untouched && (fl & O_TRUNC) && acc != O_RDONLY)
		e->produced = true;
	e->existed = true;
	e->absent_last = false;
}

/*
 * An open's entry.  A large build's opens mostly name paths seen long
 * before: the reader's site number indexes an array, where the path's
 * hash and comparison cost a pass over its bytes and a probe.
 */
static struct file_entry *open_entry(struct files *fs, const struct log_event *ev)
{
	uint32_t *known;
	struct file_entry *e;

	if (!ev->open.site1)
		return file_get(fs, ev->open.path);
	known = id_memo_slot(&fs->site_entry, ev->open.site1);
	if (!known)
		return NULL;
	if (*known)
		return &fs->v[*known - 1];
	e = file_get(fs, ev->open.path);
	if (e)
		*known = (uint32_t)(e - fs->v) + 1;
	return e;
}

static int files_open(struct files *fs, const struct log_event *ev, uint64_t start_wall_ns)
{
	struct file_entry *e = open_entry(fs, ev);

	if (!e || file_touch(fs, e, ev->tgid))
		return -1;
	e->opens++;
	if (ev->open.result >= 0) {
		open_succeeded(e, ev, start_wall_ns);
		return 0;
	}
	e->failed++;
	e->absent_last = ev->open.result != INT32_MIN && is_absent_errno(-ev->open.result);
	if (e->absent_last)
		e->flags |= FILE_ABSENT;
	return 0;
}

/* The name is gone (deleted or renamed away): a later O_CREAT open creates it. */
static void name_gone(struct file_entry *e)
{
	e->existed = false;
	e->absent_last = true;
}

/* The name now exists because the build made it (mkdir, symlink, link, rename onto it). */
static void name_made(struct file_entry *e, bool created)
{
	if (created) {
		e->created = CREATED_YES;
		e->create_seen = true;
	}
	e->existed = true;
	e->absent_last = false;
	e->flags &= ~(uint32_t)FILE_DELETED;
}

static bool fop_is(uint32_t call, uint32_t a, uint32_t b, uint32_t c)
{
	return call == a || call == b || call == c;
}

/* A rename or link: FROM's entry, then TO's (looked up by index: file_get may move the array). */
static int files_two_names(struct files *fs, const struct log_event *ev)
{
	bool rename = fop_is(ev->file_op.call, LOG_FOP_RENAME, LOG_FOP_RENAMEAT, LOG_FOP_RENAMEAT2);
	struct file_entry *e = file_get(fs, ev->file_op.path);
	size_t from;

	if (!e || file_touch(fs, e, ev->tgid))
		return -1;
	from = (size_t)(e - fs->v);
	e = file_get(fs, ev->file_op.path2);
	if (!e || file_touch(fs, e, ev->tgid))
		return -1;
	if (ev->file_op.result != 0) {
		fs->v[from].failed++;
		return 0;
	}
	name_made(e, !rename);
	if (!rename)
		return 0;
	changed_by(e, ev);
	e->renamed_from = fs->v[from].path;
	/* the content the build wrote is under the new name now */
	e->flags |= fs->v[from].flags & FILE_WRITTEN;
	if (!(e->flags & (FILE_READ_CONTENT | FILE_EXECUTED)))
		e->produced = fs->v[from].produced;
	fs->v[from].renamed_to = e->path;
	if (!(ev->file_op.flags & RENAME_EXCHANGE))
		name_gone(&fs->v[from]);
	return 0;
}

static int files_file_op(struct files *fs, const struct log_event *ev)
{
	uint32_t call = ev->file_op.call;
	struct file_entry *e;

	if (!ev->file_op.path || !ev->file_op.path[0])
		return 0;       /* an fd the kernel could not name */
	if (ev->file_op.path2)
		return files_two_names(fs, ev);
	e = file_get(fs, ev->file_op.path);
	if (!e || file_touch(fs, e, ev->tgid))
		return -1;
	if (ev->file_op.result != 0) {
		e->failed++;
		return 0;
	}
	if (fop_is(call, LOG_FOP_UNLINK, LOG_FOP_UNLINKAT, LOG_FOP_RMDIR)) {
		e->flags |= FILE_DELETED;
		/* unlinkat(AT_REMOVEDIR) is an rmdir too */
		if (call == LOG_FOP_RMDIR || (call == LOG_FOP_UNLINKAT && (ev->file_op.flags & AT_REMOVEDIR)))
			e->flags |= FILE_DIRECTORY;
		name_gone(e);
	} else if (fop_is(call, LOG_FOP_MKDIR, LOG_FOP_MKDIRAT, LOG_FOP_SYMLINK) || call == LOG_FOP_SYMLINKAT) {
		if (call == LOG_FOP_MKDIR || call == LOG_FOP_MKDIRAT)
			e->flags |= FILE_DIRECTORY;
		name_made(e, true);
	} else if (call == LOG_FOP_TRUNCATE || call == LOG_FOP_FTRUNCATE) {
		e->flags |= FILE_WRITTEN | FILE_TRUNCATED;
		changed_by(e, ev);
	} else if (fop_is(call, LOG_FOP_CHMOD, LOG_FOP_FCHMOD, LOG_FOP_FCHMODAT) || call == LOG_FOP_FCHMODAT2) {
		e->flags |= FILE_CHMOD;
		changed_by(e, ev);
	} else if (call == LOG_FOP_UTIMENSAT) {
		changed_by(e, ev);
	}
	return 0;
}

int files_event(struct files *fs, const struct log_event *ev, uint64_t start_wall_ns)
{
	struct file_entry *e;

	if (proc_exe_event(&fs->procs, ev))
		return -1;
	switch (ev->type) {
	case LOG_EV_EXEC:
		if (!ev->exec.exe)
			return 0;
		e = file_get(fs, ev->exec.exe);
		if (!e || file_touch(fs, e, ev->tgid))
			return -1;
		e->flags |= FILE_EXECUTED;
		e->existed = true;
		e->absent_last = false;
		return 0;
	case LOG_EV_EXEC_FAILED:
		if (!ev->exec_failed.path)
			return 0;
		e = file_get(fs, ev->exec_failed.path);
		if (!e || file_touch(fs, e, ev->tgid))
			return -1;
		e->failed++;
		e->absent_last = is_absent_errno(ev->exec_failed.err);
		if (e->absent_last)
			e->flags |= FILE_ABSENT;
		return 0;
	case LOG_EV_OPEN:
		return files_open(fs, ev, start_wall_ns);
	case LOG_EV_FILE_OP:
		return files_file_op(fs, ev);
	default:
		return 0;
	}
}

/* Digests and exec identities, attached to their paths (a digest of kind exec marks the file executed). */
static int files_hashed(struct files *fs, const struct log_file *f)
{
	struct file_entry *e;

	fs->digest_next = malloc((f->ndigests ? f->ndigests : 1) * sizeof(size_t));
	if (!fs->digest_next)
		return -1;
	for (size_t i = 0; i < f->ndigests; i++) {
		e = file_get(fs, f->digests[i].path);
		if (!e)
			return -1;
		fs->digest_next[i] = LOG_FILES_NONE;
		if (e->last_digest == LOG_FILES_NONE)
			e->first_digest = i;
		else
			fs->digest_next[e->last_digest] = i;
		e->last_digest = i;
		if (f->digests[i].kind == LOG_DIGEST_EXEC)
			e->flags |= FILE_EXECUTED;
	}
	for (size_t i = 0; i < f->nexec_idents; i++) {
		e = file_get(fs, f->exec_idents[i].path);
		if (!e)
			return -1;
		e->exec_ident = i;      /* the latest one */
		e->flags |= FILE_EXECUTED;
	}
	return 0;
}

/* What the kernel module measured at exec, attached to its paths (a record without a path has none). */
static int files_kmod(struct files *fs, const struct log_file *f)
{
	struct file_entry *e;

	fs->kmod_next = malloc((f->nkmod_execs ? f->nkmod_execs : 1) * sizeof(size_t));
	if (!fs->kmod_next)
		return -1;
	for (size_t i = 0; i < f->nkmod_execs; i++) {
		fs->kmod_next[i] = LOG_FILES_NONE;
		if (!f->kmod_execs[i].path)
			continue;
		e = file_get(fs, f->kmod_execs[i].path);
		if (!e)
			return -1;
		if (e->last_kmod == LOG_FILES_NONE)
			e->first_kmod = i;
		else
			fs->kmod_next[e->last_kmod] = i;
		e->last_kmod = i;
		e->flags |= FILE_EXECUTED;
	}
	return 0;
}

void files_free(struct files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i].pids);
	free(fs->v);
	index_table_free(&fs->by_path);
	free(fs->site_entry.v);
	free(fs->pairs);
	index_table_free(&fs->pair_index);
	proc_exe_free(&fs->procs);
	free(fs->digest_next);
	free(fs->kmod_next);
}

int files_finish(struct files *fs, const struct log_file *f)
{
	return files_hashed(fs, f) || files_kmod(fs, f) ? -1 : 0;
}

int files_build(struct files *fs, const struct log_file *f)
{
	memset(fs, 0, sizeof(*fs));
	for (size_t i = 0; i < f->nevents; i++)
		if (files_event(fs, &f->events[i], f->header.start_wall_ns))
			return -1;
	return files_finish(fs, f);
}

