// SPDX-License-Identifier: MIT
/* What the collector hashes and when: inputs at first read, executables at exec, outputs at the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/grow.h"
#include "common/index_table.h"
#include "hash/elf_ident.h"
#include "hash/hash_engine.h"
#include "hash/hash_plan.h"

#define PLAN_QUEUE   65536u
#define PLAN_BATCH   64

/*
 * Cookie = entry id << 2 | digest kind; a file hashed through a held
 * descriptor (below) also has bit 63 set and its hold slot from bit 40.
 */
#define COOKIE(id, kind) (((uint64_t)(id) << 2) | (kind))
#define COOKIE_ID(c)     ((uint32_t)(((c) >> 2) & 0xffffffffu))
#define COOKIE_KIND(c)   ((enum log_digest_kind)((c) & 3))
#define COOKIE_HELD      (1ull << 63)
#define COOKIE_SLOT(c)   ((unsigned)(((c) >> 40) & 0xffffu))

/*
 * Files the build writes are held open (read-only) from the moment their
 * open is seen, a few at a time, so that one deleted before the end (a
 * temporary file: a compiler's .s, distcc's .i and .o) is hashed from the
 * held descriptor when its unlink is seen: its content when it was deleted.
 * The oldest hold gives way to a new one; a file it covered is hashed by
 * name at the end as before, and is "deleted, not hashed" if it is gone.
 */
#define PLAN_HELD_MAX 128

/* One path the build touched. */
struct plan_entry {
	char *path;
	bool written;           /* opened for writing or created */
	bool input_queued;
	bool exec_queued;
	int64_t exec_wall_ns;   /* CLOCK_REALTIME of the exec that queued it; 0: none (a snapshot) */
	uint8_t moving;         /* only inside tree_move: 1 to the new name, 2 to the old (exchange) */
	uint16_t held;          /* 1 + its slot in hash_plan.held; 0: not held */
	/*
	 * When Kettle looked, right after the build's last open of it for
	 * writing, the name already gave another file (or none), and no event
	 * of the build explains it yet: the inode number that open had.
	 */
	bool gone_at_look;
	uint64_t written_ino;
	/* identity the kernel saw at the first open for reading */
	uint64_t dev, ino;
	int64_t size, mtime_ns, ctime_ns;
};

struct hash_plan {
	/*
	 * Two engines.  What the build reads or runs is hashed at once, by one
	 * worker at normal priority: a build that reads a file and later rewrites
	 * it (.ninja_log, a compiler cache's manifest, a lockfile) must find its
	 * first content hashed before that, and idle-priority workers starve
	 * while the build keeps the CPUs busy.  Outputs wait for the end anyway:
	 * they go to idle-priority workers, one per CPU.
	 */
	struct hash_engine *engine;
	struct hash_engine *urgent;
	struct plan_entry *entries;
	uint32_t nentries;
	size_t capentries;
	struct index_table index;
	struct index_table dirs;        /* each directory above an entry -> one entry under it */
	struct log_hash_stats stats;
	struct plan_held {
		int fd;                 /* -1: free */
		uint32_t entry;
		bool hashing;           /* submitted: the fd is closed when its result comes */
	} held[PLAN_HELD_MAX];
	unsigned held_next;     /* where the search for a slot to (re)use starts */
};

/*
 * Pseudo files whose content is the kernel's, not an input.  Device nodes
 * under /dev/ are too, but /dev/shm and /dev/mqueue hold ordinary files a
 * build can leave and read: those are inputs like any other.
 */
static const char *const excluded_prefixes[] = { "/proc/", "/sys/", "/dev/" };
static const char *const included_under_excluded[] = { "/dev/shm/", "/dev/mqueue/" };

bool hash_plan_excluded(const char *path)
{
	if (path[0] != '/')
		return true;    /* a truncated path names no file we could open */
	for (size_t i = 0; i < sizeof(included_under_excluded) / sizeof(included_under_excluded[0]); i++)
		if (!strncmp(path, included_under_excluded[i], strlen(included_under_excluded[i])))
			return false;
	for (size_t i = 0; i < sizeof(excluded_prefixes) / sizeof(excluded_prefixes[0]); i++)
		if (!strncmp(path, excluded_prefixes[i], strlen(excluded_prefixes[i])))
			return true;
	return false;
}

struct hash_plan *hash_plan_new(const struct hash_plan_options *o, char *err, size_t errlen)
{
	struct hash_engine_options eo = {
		.workers = o->workers, .queue_capacity = o->queue ? o->queue : PLAN_QUEUE, .low_priority = true,
	};
	struct hash_plan *p;

	/* KETTLE_TEST_HASH_DELAY_MS: a build can change an input between its read and its hash. */
	hash_engine_test_hooks(&eo);
	p = calloc(1, sizeof(*p));
	for (unsigned i = 0; p && i < PLAN_HELD_MAX; i++)
		p->held[i].fd = -1;
	if (!p || index_table_init(&p->index, 1024) || index_table_init(&p->dirs, 1024)) {
		snprintf(err, errlen, "out of memory");
		hash_plan_free(p);
		return NULL;
	}
	p->engine = hash_engine_new(&eo, err, errlen);
	eo.workers = 1;
	eo.low_priority = false;
	p->urgent = p->engine ? hash_engine_new(&eo, err, errlen) : NULL;
	if (!p->urgent) {
		hash_plan_free(p);
		return NULL;
	}
	return p;
}

/* The entry for PATH, or NULL when the plan has none. */
static struct plan_entry *entry_find(struct hash_plan *p, const char *path, uint64_t h)
{
	struct plan_entry *e;

	for (uint32_t i = index_table_probe(&p->index, h); p->index.slots[i].id1; i = index_table_next(&p->index, i)) {
		e = &p->entries[p->index.slots[i].id1 - 1];
		if (index_table_same_hash(&p->index, i, h) && !strcmp(e->path, path))
			return e;
	}
	return NULL;
}

/* Whether some entry lies under the directory DIR (LEN bytes, no trailing slash). */
static bool dir_known(const struct hash_plan *p, const char *dir, size_t len)
{
	uint64_t h = hash_bytes(dir, len);

	for (uint32_t i = index_table_probe(&p->dirs, h); p->dirs.slots[i].id1; i = index_table_next(&p->dirs, i)) {
		const char *path = p->entries[p->dirs.slots[i].id1 - 1].path;

		if (index_table_same_hash(&p->dirs, i, h) && !strncmp(path, dir, len) && path[len] == '/')
			return true;
	}
	return false;
}

/*
 * Indexes the directories above entry ID, so that a rename tells a directory
 * with entries under it without a look at every entry.  Deepest first, and
 * only down to the first one already known: its ancestors were indexed with it.
 */
static int dirs_add(struct hash_plan *p, uint32_t id)
{
	const char *path = p->entries[id].path, *slash;
	size_t len = strlen(path);

	while ((slash = memrchr(path, '/', len)) && slash > path) {
		len = (size_t)(slash - path);
		if (dir_known(p, path, len))
			return 0;
		if (index_table_insert(&p->dirs, hash_bytes(path, len), id))
			return -ENOMEM;
	}
	return 0;
}

/* The entry for PATH, created when new; NULL when out of memory. */
static struct plan_entry *entry_get(struct hash_plan *p, const char *path)
{
	size_t n = strlen(path);
	uint64_t h = hash_bytes(path, n);
	struct plan_entry *e = entry_find(p, path, h);

	if (e)
		return e;
	if (grow_array((void **)&p->entries, &p->capentries, (size_t)p->nentries + 1, sizeof(*p->entries), 1024))
		return NULL;
	e = &p->entries[p->nentries];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path || index_table_insert(&p->index, h, p->nentries)) {
		free(e->path);
		return NULL;
	}
	p->nentries++;
	return dirs_add(p, p->nentries - 1) ? NULL : e;
}

/* Says in the log that ENTRY was not hashed, so no reader takes silence for a digest. */
static int not_hashed_write(struct log_writer *log, const struct plan_entry *e, enum log_digest_kind kind,
			    int result)
{
	struct log_digest d = { .kind = kind, .path = e->path, .result = result,
				.boot_ns = clock_ns(CLOCK_BOOTTIME) };

	return log_write_digest(log, &d);
}

/*
 * Queues ENTRY for KIND.  While the build runs a full queue is not waited
 * for (W is NULL): the file is counted and written to LOG as not hashed.
 * At the end (W given) it waits for room, writing digests meanwhile.  A file
 * the engine refuses (a path too long to open, ...) is one file not hashed,
 * not a reason to stop hashing the others: only an engine that cannot go on
 * (-ENOMEM, -EPIPE) or a log that cannot be written is an error.
 */
static int entry_queue(struct hash_plan *p, struct plan_entry *e, enum log_digest_kind kind,
		       struct log_writer *w, struct log_writer *log)
{
	struct hash_engine *eng = kind == LOG_DIGEST_OUTPUT ? p->engine : p->urgent;
	int rc = hash_engine_submit(eng, e->path, COOKIE(e - p->entries, kind));

	/* At the end the writer can wait for room instead of losing the file. */
	while (rc == -EAGAIN && w) {
		int wr = hash_plan_write_ready(p, w, 100);

		if (wr)
			return wr;
		rc = hash_engine_submit(eng, e->path, COOKIE(e - p->entries, kind));
	}
	if (!rc) {
		p->stats.queued++;
		return 0;
	}
	if (rc == -ENOMEM || rc == -EPIPE)
		return rc;
	if (rc == -EAGAIN) {
		p->stats.queue_full++;
		rc = -ENOBUFS;
	} else {
		p->stats.failed++;
	}
	return not_hashed_write(log, e, kind, rc);
}

static bool open_writes(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/* ---- held descriptors of written files ---- */

static void held_release(struct hash_plan *p, struct plan_entry *e)
{
	struct plan_held *h;

	if (!e || !e->held)
		return;
	h = &p->held[e->held - 1];
	e->held = 0;
	if (h->hashing)
		return;         /* its result closes it */
	close(h->fd);
	h->fd = -1;
}

/* A slot to hold a file in: a free one, else the oldest not being hashed; -1 when all are. */
static int held_slot(struct hash_plan *p)
{
	for (unsigned n = 0; n < PLAN_HELD_MAX; n++) {
		unsigned i = (p->held_next + n) % PLAN_HELD_MAX;
		struct plan_held *h = &p->held[i];

		if (h->fd >= 0 && h->hashing)
			continue;
		if (h->fd >= 0)
			held_release(p, &p->entries[h->entry]);
		p->held_next = (i + 1) % PLAN_HELD_MAX;
		return (int)i;
	}
	return -1;
}

/*
 * Holds E, just opened for writing as EV says.  Opened by name again, so it
 * is held only when it is still the file the kernel saw (device and inode)
 * and a regular file (checked by lstat before the open, so no FIFO or device
 * is opened), on a local file system.  Nothing here is an error for the build: a file not held is
 * hashed by name at the end, as any output.
 */
static void held_take(struct hash_plan *p, struct plan_entry *e, const struct log_event *ev)
{
	struct stat st;
	int fd, slot, looked;

	e->gone_at_look = false;
	if (!ev->open.ino || (e->held && p->held[e->held - 1].fd >= 0 &&
			      !fstat(p->held[e->held - 1].fd, &st) && st.st_ino == ev->open.ino &&
			      st.st_dev == ev->open.dev))
		return;
	held_release(p, e);
	looked = lstat(e->path, &st);
	if (looked || !S_ISREG(st.st_mode) || st.st_ino != ev->open.ino || st.st_dev != ev->open.dev) {
		/*
		 * Another file at the name already (a later event of the build may
		 * say why: it is read after this one).  The same number on another
		 * device is one file seen two ways (a file system that shows stat
		 * another device than its superblock's), not another file.
		 */
		e->gone_at_look = looked ? errno == ENOENT : st.st_ino != ev->open.ino;
		e->written_ino = ev->open.ino;
		return;
	}
	fd = open(e->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/*
	 * Not on NFS and the like: there a deleted file held open lingers as a
	 * .nfsXXXX name, and the build's rmdir of its directory would fail.
	 */
	slot = fstat(fd, &st) || st.st_ino != ev->open.ino || st.st_dev != ev->open.dev || hash_fs_unverifiable(fd) ?
	       -1 : held_slot(p);
	if (slot < 0) {
		close(fd);
		return;
	}
	p->held[slot] = (struct plan_held){ .fd = fd, .entry = (uint32_t)(e - p->entries) };
	e->held = (uint16_t)(slot + 1);
}

/*
 * E was deleted: its held descriptor still reaches the content, hashed now
 * (at normal priority, so the hold ends soon) and recorded as an output
 * digest flagged LOG_DIGEST_AT_DELETE.
 */
static int held_hash(struct hash_plan *p, struct log_writer *w, struct plan_entry *e)
{
	unsigned slot = e->held - 1u;
	struct plan_held *h = &p->held[slot];
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "/proc/%d/fd/%d", (int)getpid(), h->fd);
	rc = hash_engine_submit(p->urgent, name, COOKIE(e - p->entries, LOG_DIGEST_OUTPUT) | COOKIE_HELD |
				(uint64_t)slot << 40);
	if (!rc) {
		h->hashing = true;
		e->held = 0;
		p->stats.queued++;
		return 0;
	}
	held_release(p, e);
	if (rc == -ENOMEM || rc == -EPIPE)
		return rc;
	p->stats.queue_full += rc == -EAGAIN;
	p->stats.failed += rc != -EAGAIN;
	return not_hashed_write(w, e, LOG_DIGEST_OUTPUT, rc == -EAGAIN ? -ENOBUFS : rc);
}

/* BOOT_NS (CLOCK_BOOTTIME, as events are stamped) on the CLOCK_REALTIME scale of file times. */
static int64_t wall_of_boot(uint64_t boot)
{
	return (int64_t)(boot + clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME));
}

/* EXEC_BOOT_NS: when it was executed (0: unknown, a process already running at attach). */
static int exec_queue(struct hash_plan *p, struct log_writer *w, const char *exe, uint64_t exec_boot_ns)
{
	struct plan_entry *e;

	if (hash_plan_excluded(exe))
		return 0;
	e = entry_get(p, exe);
	if (!e)
		return -ENOMEM;
	if (e->exec_queued)
		return 0;
	e->exec_queued = true;
	e->exec_wall_ns = exec_boot_ns ? wall_of_boot(exec_boot_ns) : 0;
	return entry_queue(p, e, LOG_DIGEST_EXEC, NULL, w);
}

/*
 * Exec events carry no inode identity, so what was executed is told from a
 * later version by time: a file whose ctime is after the exec was changed
 * (or chmod'ed, renamed onto) since it ran.  The margin absorbs the error of
 * converting the clocks; a rewrite within it goes unseen (docs/hashing.md).
 */
#define EXEC_CTIME_MARGIN_NS 2000000

static bool exec_changed_since(const struct plan_entry *e, const struct hash_identity *hashed)
{
	return e->exec_wall_ns && hashed->ctime_ns > e->exec_wall_ns + EXEC_CTIME_MARGIN_NS;
}

static struct plan_entry *entry_lookup(struct hash_plan *p, const char *path)
{
	return path ? entry_find(p, path, hash_bytes(path, strlen(path))) : NULL;
}

/* Marks PATH written (an output) or not; a path not in the plan is added only to be marked written. */
static int mark_written(struct hash_plan *p, const char *path, bool written)
{
	struct plan_entry *e;

	if (!path || hash_plan_excluded(path))
		return 0;
	e = written ? entry_get(p, path) : entry_lookup(p, path);
	if (!e)
		return written ? -ENOMEM : 0;
	e->written = written;
	return 0;
}

/* Whether PATH is ROOT (LEN bytes) or lies under it. */
static bool path_at_or_under(const char *path, const char *root, size_t len)
{
	return !strncmp(path, root, len) && (path[len] == '\0' || path[len] == '/');
}

/* Entry ID's output moves to its name with the first LEN bytes replaced by ROOT. */
static int output_move(struct hash_plan *p, uint32_t id, size_t len, const char *root)
{
	char *name;
	int rc;

	if (asprintf(&name, "%s%s", root, p->entries[id].path + len) < 0)
		return -ENOMEM;
	rc = mark_written(p, name, true);
	free(name);
	return rc;
}

/*
 * A renamed directory takes its outputs along: each output at or under FROM
 * is one under TO instead (with EXCHANGE, those under TO go to FROM too).
 * Marked first, moved second, so that a swap moves no output twice.  One
 * look at every entry, paid only when a directory with entries under it moves.
 */
static int tree_move(struct hash_plan *p, const char *from, const char *to, bool exchange)
{
	size_t flen = strlen(from), tlen = strlen(to);
	uint32_t n = p->nentries;
	int rc = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct plan_entry *e = &p->entries[i];

		e->moving = !e->written ? 0 : path_at_or_under(e->path, from, flen) ? 1 :
			    exchange && path_at_or_under(e->path, to, tlen) ? 2 : 0;
		e->written = e->written && !e->moving;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t m = p->entries[i].moving;

		p->entries[i].moving = 0;
		if (m && !rc)
			rc = m == 1 ? output_move(p, i, flen, to) : output_move(p, i, tlen, from);
	}
	return rc;
}

/*
 * A file the build renames is an output under its new name, whether or not
 * the plan saw it written (the build put it there), and none under the old
 * one; a directory takes the outputs under it along.  An exchange swaps what
 * the two names were.
 */
static int plan_rename(struct hash_plan *p, const char *from, const char *to, bool exchange)
{
	struct plan_entry *e;
	bool was;

	if (from && to && (dir_known(p, from, strlen(from)) || (exchange && dir_known(p, to, strlen(to)))))
		return tree_move(p, from, to, exchange);
	if (!exchange)
		return mark_written(p, from, false) ?: mark_written(p, to, true);
	e = entry_lookup(p, from);
	was = e && e->written;
	e = entry_lookup(p, to);
	return mark_written(p, from, e && e->written) ?: mark_written(p, to, was);
}

/*
 * What a file-tree change does to the outputs: a rename moves them (above),
 * a deleted file is no output, a new hard link or a truncated file is one.
 */
static int plan_file_op(struct hash_plan *p, struct log_writer *w, const struct log_event *ev)
{
	const char *from = ev->file_op.path, *to = ev->file_op.path2;
	struct plan_entry *e;

	if (ev->file_op.result != 0)
		return 0;
	/* the build changed what the names give: not something outside it */
	e = entry_lookup(p, from);
	if (e)
		e->gone_at_look = false;
	e = entry_lookup(p, to);
	if (e)
		e->gone_at_look = false;
	switch (ev->file_op.call) {
	case LOG_FOP_RENAME:
	case LOG_FOP_RENAMEAT:
	case LOG_FOP_RENAMEAT2:
		/* the held names move: their files are hashed by name at the end */
		held_release(p, entry_lookup(p, from));
		held_release(p, entry_lookup(p, to));
		return plan_rename(p, from, to, ev->file_op.flags & RENAME_EXCHANGE);
	case LOG_FOP_UNLINK:
	case LOG_FOP_UNLINKAT:
	case LOG_FOP_RMDIR:
		e = entry_lookup(p, from);
		if (e && e->held && e->written) {
			int rc = held_hash(p, w, e);

			if (rc)
				return rc;
		}
		held_release(p, e);
		return mark_written(p, from, false);
	case LOG_FOP_LINK:
	case LOG_FOP_LINKAT:
		return mark_written(p, to, true);
	case LOG_FOP_TRUNCATE:
	case LOG_FOP_FTRUNCATE:
		return mark_written(p, from, true);
	default:
		return 0;
	}
}

int hash_plan_event(struct hash_plan *p, struct log_writer *w, const struct log_event *ev)
{
	struct plan_entry *e;

	if (ev->type == LOG_EV_FILE_OP)
		return plan_file_op(p, w, ev);
	if (ev->type == LOG_EV_EXEC)
		return exec_queue(p, w, ev->exec.exe, ev->ts_ns);
	/* A process already running when kettle attach began: what it runs is hashed as an exec. */
	if (ev->type == LOG_EV_PROC_SNAPSHOT)
		return ev->proc_snapshot.exe ? exec_queue(p, w, ev->proc_snapshot.exe, 0) : 0;
	/*
	 * a block device is a reason of its own (provenance/completeness.c), never
	 * a disk to read through; a FIFO is a channel, never a file to open again
	 */
	if (ev->type != LOG_EV_OPEN || ev->open.result < 0 || (ev->open.flags & (O_DIRECTORY | O_PATH)) ||
	    (ev->open.path_flags & (LOG_PATH_BLOCK_DEVICE | LOG_PATH_STREAM)) || hash_plan_excluded(ev->open.path))
		return 0;
	e = entry_get(p, ev->open.path);
	if (!e)
		return -ENOMEM;
	if (open_writes(ev->open.flags)) {
		e->written = true;
		held_take(p, e, ev);
		return 0;
	}
	/* An input is what the build read and had not itself produced. */
	if (e->written || e->input_queued)
		return 0;
	e->input_queued = true;
	e->dev = ev->open.dev;
	e->ino = ev->open.ino;
	e->size = ev->open.size;
	e->mtime_ns = ev->open.mtime_ns;
	e->ctime_ns = ev->open.ctime_ns;
	return entry_queue(p, e, LOG_DIGEST_INPUT, NULL, w);
}

static bool identity_differs(const struct plan_entry *e, const struct hash_identity *id)
{
	return e->dev != id->dev || e->ino != id->ino || e->size != (int64_t)id->size ||
	       e->mtime_ns != id->mtime_ns || e->ctime_ns != id->ctime_ns;
}


static enum log_file_kind file_kind(enum elf_ident_kind k)
{
	switch (k) {
	case ELF_IDENT_EXEC: return LOG_FILE_ELF_EXEC;
	case ELF_IDENT_PIE: return LOG_FILE_ELF_PIE;
	case ELF_IDENT_SHARED: return LOG_FILE_ELF_DYN;
	case ELF_IDENT_REL: return LOG_FILE_ELF_REL;
	case ELF_IDENT_CORE: return LOG_FILE_ELF_CORE;
	case ELF_IDENT_SCRIPT: return LOG_FILE_SCRIPT;
	default: return LOG_FILE_OTHER;
	}
}

/* Whether the open FD is the file the engine hashed: the identity it saw before reading. */
static bool fd_is_hashed(int fd, const struct hash_identity *hashed)
{
	struct hash_identity now;
	struct stat st;

	if (fstat(fd, &st))
		return false;
	hash_identity_of(&st, &now);
	return hash_identity_equal(&now, hashed);
}

static void exec_ident_fill(struct log_exec_ident *li, const struct elf_ident *id)
{
	li->kind = file_kind(id->kind);
	li->elf_class = id->elf_class;
	li->elf_machine = id->machine;
	li->build_id = id->build_id[0] ? id->build_id : NULL;
	li->interp = id->interp;
	li->soname = id->soname;
	li->runpath = id->runpath ? id->runpath : id->rpath;
	li->needed = (const char *const *)id->needed;
	li->nneeded = id->nneeded;
	li->script_interp = id->script_interp;
	li->script_arg = id->script_arg;
}

/*
 * Reads what an executed file is and writes it next to its digest.  The path
 * is opened again, so by now it may name another file than the one hashed
 * (HASHED): then, or when the file changes while it is read, the record says
 * -ESTALE and claims no identity that could belong to another file.
 */
static int exec_ident_write(struct log_writer *w, const char *path, const struct hash_identity *hashed)
{
	struct log_exec_ident li = { .path = path };
	struct elf_ident id = { 0 };
	char err[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0) {
		li.result = -errno;
		return log_write_exec_ident(w, &li);
	}
	if (!fd_is_hashed(fd, hashed))
		li.result = -ESTALE;
	else if (elf_ident_file(fd, &id, err, sizeof(err)))
		li.result = -EINVAL;    /* malformed: the digest still says what it was */
	else if (!fd_is_hashed(fd, hashed))
		li.result = -ESTALE;    /* rewritten in place while it was read */
	else
		exec_ident_fill(&li, &id);
	close(fd);
	rc = log_write_exec_ident(w, &li);
	elf_ident_free(&id);
	return rc;
}

/*
 * Whether the file at E's name, hashed by name at the end (HASHED), is not
 * the one the build last opened for writing there, which Kettle still holds:
 * another file was put in its place (renamed onto it, as `sed -i` does) by
 * something that is not the build, for the build's own renames and unlinks
 * of the name end the hold.  Both identities are fstat's, so a file system
 * whose inode numbers the kernel side sees differently (overlayfs) agrees.
 */
static bool held_replaced(const struct hash_plan *p, const struct plan_entry *e, const struct hash_identity *hashed)
{
	struct hash_identity held;
	struct stat st;

	/* gone already at the look (no hold): the file hashed is not the one the build wrote */
	if (e->gone_at_look)
		return hashed->ino != e->written_ino;
	if (!e->held || p->held[e->held - 1].fd < 0 || fstat(p->held[e->held - 1].fd, &st))
		return false;
	hash_identity_of(&st, &held);
	return held.dev != hashed->dev || held.ino != hashed->ino;
}

static int result_write(struct hash_plan *p, struct log_writer *w, const struct hash_result *r)
{
	const struct plan_entry *e = &p->entries[COOKIE_ID(r->cookie)];
	struct log_digest d = {
		.kind = COOKIE_KIND(r->cookie), .path = e->path, .result = r->error,
		.boot_ns = clock_ns(CLOCK_BOOTTIME),
		.dev = r->before.dev, .ino = r->before.ino, .size = r->before.size,
		.mtime_ns = r->before.mtime_ns, .ctime_ns = r->before.ctime_ns,
	};
	int rc;

	if (r->cookie & COOKIE_HELD) {
		struct plan_held *h = &p->held[COOKIE_SLOT(r->cookie)];

		close(h->fd);
		*h = (struct plan_held){ .fd = -1 };
		d.flags |= LOG_DIGEST_AT_DELETE;
	}
	if (r->error == 0) {
		memcpy(d.sha256, r->digest, sizeof(d.sha256));
		if (r->changed)
			d.flags |= LOG_DIGEST_CHANGED_DURING;
		if (d.kind == LOG_DIGEST_INPUT && identity_differs(e, &r->before))
			d.flags |= LOG_DIGEST_CHANGED;
		if (d.kind == LOG_DIGEST_EXEC && exec_changed_since(e, &r->before))
			d.flags |= LOG_DIGEST_CHANGED;
		if (d.kind == LOG_DIGEST_OUTPUT && !(r->cookie & COOKIE_HELD) && held_replaced(p, e, &r->before))
			d.flags |= LOG_DIGEST_CHANGED;
		if (r->before.fs_unverifiable)
			d.flags |= LOG_DIGEST_FS_UNVERIFIABLE;
		p->stats.hashed++;
		if (d.flags & (LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING))
			p->stats.changed++;
	} else if (r->step == HASH_STEP_TYPE && S_ISDIR(r->before.mode)) {
		d.result = -EISDIR;     /* a directory opened for reading has no content to hash */
	} else if (!(d.kind == LOG_DIGEST_OUTPUT && r->error == -ENOENT)) {
		/* An output deleted before the end (a temporary file) is a fact, not a failure. */
		p->stats.failed++;
	}
	rc = log_write_digest(w, &d);
	if (!rc && d.kind == LOG_DIGEST_EXEC && r->error == 0)
		rc = exec_ident_write(w, e->path, &r->before);
	return rc;
}

/* Writes what ENG has finished; waits up to TIMEOUT_MS for the first result. */
static int engine_write_ready(struct hash_plan *p, struct hash_engine *eng, struct log_writer *w, int timeout_ms)
{
	struct hash_result res[PLAN_BATCH];
	size_t n;
	int rc = 0;

	do {
		n = hash_engine_poll(eng, res, PLAN_BATCH, timeout_ms);
		for (size_t i = 0; i < n; i++) {
			if (!rc)
				rc = result_write(p, w, &res[i]);
			hash_result_clear(&res[i]);
		}
		timeout_ms = 0;
	} while (n == PLAN_BATCH && !rc);
	return rc;
}

int hash_plan_write_ready(struct hash_plan *p, struct log_writer *w, int timeout_ms)
{
	/* the wait is spent on whichever engine still has work */
	bool urgent_first = hash_engine_outstanding(p->urgent) > 0;
	int rc = engine_write_ready(p, urgent_first ? p->urgent : p->engine, w, timeout_ms);

	return rc ? rc : engine_write_ready(p, urgent_first ? p->engine : p->urgent, w, 0);
}

int hash_plan_finish(struct hash_plan *p, struct log_writer *w)
{
	int rc = 0;

	for (uint32_t i = 0; i < p->nentries && !rc; i++)
		if (p->entries[i].written)
			rc = entry_queue(p, &p->entries[i], LOG_DIGEST_OUTPUT, w, w);
	while (!rc && (hash_engine_outstanding(p->engine) || hash_engine_outstanding(p->urgent)))
		rc = hash_plan_write_ready(p, w, 100);
	return rc;
}

void hash_plan_stats(const struct hash_plan *p, struct log_hash_stats *out)
{
	*out = p->stats;
}

void hash_plan_usage(const struct hash_plan *p, struct hash_engine_usage *out)
{
	struct hash_engine_usage u;

	hash_engine_usage(p->engine, out);
	hash_engine_usage(p->urgent, &u);
	out->cpu_ns += u.cpu_ns;
	out->bytes += u.bytes;
}

void hash_plan_free(struct hash_plan *p)
{
	if (!p)
		return;
	if (p->engine)
		hash_engine_free(p->engine);
	if (p->urgent)
		hash_engine_free(p->urgent);
	for (uint32_t i = 0; i < p->nentries; i++)
		free(p->entries[i].path);
	for (unsigned i = 0; i < PLAN_HELD_MAX; i++)
		if (p->held[i].fd >= 0)
			close(p->held[i].fd);
	free(p->entries);
	index_table_free(&p->index);
	index_table_free(&p->dirs);
	free(p);
}
