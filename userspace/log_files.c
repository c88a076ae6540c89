// SPDX-License-Identifier: MIT
/* The per-path facts of a build log (see log_files.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "log_files.h"

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	return x ^ (x >> 33);
}

/* Doubles a table of SIZE-byte slots when it is half full; REHASH re-places one old slot. */
static int table_room(void **slots, size_t *mask, size_t count, size_t size,
		      void (*rehash)(struct files *, const void *), struct files *fs)
{
	size_t oldcap = *slots ? *mask + 1 : 0, cap = oldcap ? oldcap * 2 : 1024;
	char *old = *slots;

	if ((count + 1) * 2 <= oldcap)
		return 0;
	*slots = calloc(cap, size);
	if (!*slots) {
		*slots = old;
		return -1;
	}
	*mask = cap - 1;
	for (size_t i = 0; i < oldcap; i++)
		rehash(fs, old + i * size);
	free(old);
	return 0;
}

static size_t *entry_slot(const struct files *fs, const char *path)
{
	size_t i = str_hash(path) & fs->mask;

	while (fs->slots[i] && strcmp(fs->v[fs->slots[i] - 1].path, path))
		i = (i + 1) & fs->mask;
	return &fs->slots[i];
}

static void entry_rehash(struct files *fs, const void *slot)
{
	size_t e = *(const size_t *)slot;

	if (e)
		*entry_slot(fs, fs->v[e - 1].path) = e;
}

/* The entry of PATH, new when the log had not named it yet; NULL when out of memory. */
static struct file_entry *file_get(struct files *fs, const char *path)
{
	size_t *slot;

	if (table_room((void **)&fs->slots, &fs->mask, fs->n, sizeof(size_t), entry_rehash, fs))
		return NULL;
	slot = entry_slot(fs, path);
	if (*slot)
		return &fs->v[*slot - 1];
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 256;
		struct file_entry *v = realloc(fs->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		fs->v = v;
		fs->cap = cap;
	}
	fs->v[fs->n] = (struct file_entry){ .path = path, .first_digest = LOG_FILES_NONE, .last_digest = LOG_FILES_NONE,
					    .exec_ident = LOG_FILES_NONE };
	*slot = ++fs->n;
	return &fs->v[fs->n - 1];
}

static uint64_t *pair_slot(const struct files *fs, uint64_t key)
{
	size_t i = mix64(key) & fs->pair_mask;

	while (fs->pairs[i] && fs->pairs[i] != key)
		i = (i + 1) & fs->pair_mask;
	return &fs->pairs[i];
}

static void pair_rehash(struct files *fs, const void *slot)
{
	uint64_t k = *(const uint64_t *)slot;

	if (k)
		*pair_slot(fs, k) = k;
}

static struct pid_exe *proc_slot(const struct files *fs, uint32_t pid)
{
	size_t i = (pid * 0x9e3779b1u) & fs->proc_mask;

	while (fs->procs[i].used && fs->procs[i].pid != pid)
		i = (i + 1) & fs->proc_mask;
	return &fs->procs[i];
}

static void proc_rehash(struct files *fs, const void *slot)
{
	const struct pid_exe *p = slot;

	if (p->used)
		*proc_slot(fs, p->pid) = *p;
}

static int proc_set(struct files *fs, uint32_t pid, const char *exe)
{
	struct pid_exe *p;

	if (table_room((void **)&fs->procs, &fs->proc_mask, fs->nprocs, sizeof(*fs->procs),
		       proc_rehash, fs))
		return -1;
	p = proc_slot(fs, pid);
	fs->nprocs += !p->used;
	*p = (struct pid_exe){ .pid = pid, .used = true, .exe = exe };
	return 0;
}

static const char *proc_exe(const struct files *fs, uint32_t pid)
{
	const struct pid_exe *p = fs->procs ? proc_slot(fs, pid) : NULL;

	return p && p->used ? p->exe : NULL;
}

/* Notes that PID touched E (once per pid). */
static int file_touch(struct files *fs, struct file_entry *e, uint32_t pid)
{
	uint64_t key = ((uint64_t)(e - fs->v) << 32 | pid) + 1, *slot;

	if (table_room((void **)&fs->pairs, &fs->pair_mask, fs->npairs, sizeof(uint64_t),
		       pair_rehash, fs))
		return -1;
	slot = pair_slot(fs, key);
	if (*slot)
		return 0;
	if (e->npids == e->cappids) {
		size_t cap = e->cappids ? e->cappids * 2 : 4;
		uint32_t *p = realloc(e->pids, cap * sizeof(*p));

		if (!p)
			return -1;
		e->pids = p;
		e->cappids = cap;
	}
	*slot = key;
	fs->npairs++;
	if (!e->npids)
		e->exe = proc_exe(fs, pid);
	e->pids[e->npids++] = pid;
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

static void open_succeeded(struct file_entry *e, const struct log_event *ev, uint64_t start_wall_ns)
{
	uint64_t fl = ev->open.flags, acc = fl & O_ACCMODE;

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
	}
	e->existed = true;
	e->absent_last = false;
}

static int files_open(struct files *fs, const struct log_event *ev, uint64_t start_wall_ns)
{
	struct file_entry *e = file_get(fs, ev->open.path);

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

static int files_event(struct files *fs, const struct log_event *ev, uint64_t start_wall_ns)
{
	struct file_entry *e;

	switch (ev->type) {
	case LOG_EV_FORK:
		return proc_set(fs, ev->fork.child_tgid, proc_exe(fs, ev->tgid));
	case LOG_EV_PROC_SNAPSHOT:
		return proc_set(fs, ev->tgid, ev->proc_snapshot.exe);
	case LOG_EV_EXEC:
		if (proc_set(fs, ev->tgid, ev->exec.exe))
			return -1;
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

void files_free(struct files *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->v[i].pids);
	free(fs->v);
	free(fs->slots);
	free(fs->pairs);
	free(fs->procs);
	free(fs->digest_next);
}

int files_build(struct files *fs, const struct log_file *f)
{
	memset(fs, 0, sizeof(*fs));
	for (size_t i = 0; i < f->nevents; i++)
		if (files_event(fs, &f->events[i], f->header.start_wall_ns))
			return -1;
	return files_hashed(fs, f);
}

