// SPDX-License-Identifier: MIT
/* The replay model (replay.h): one pass over the log's events, then grouping by process and by file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "forensics/replay.h"
#include "log/net_summary.h"

/*
 * Room for element N of an array of ELEM-byte elements. 0 or -1.  The
 * model's ids are uint32_t and REPLAY_NONE is UINT32_MAX: 2^31 elements at most.
 */
static int replay_room(void **arr, size_t *cap, uint32_t n, size_t elem)
{
	return n > UINT32_MAX / 2 || grow_array(arr, cap, (size_t)n + 1, elem, 256) ? -1 : 0;
}

/* The reader interns strings: one pointer per distinct path, so a pointer seen once maps to its file cheaply. */
struct ptr_file {
	const char *ptr;
	uint32_t file;
};

#define RECENT_PATHS 4096 /* 2^12 (the top 12 bits of a mixed pointer): a compile's headers, seen again by the next compile */

struct replay_stream {
	struct replay *r;
	struct ptr_file recent[RECENT_PATHS];   /* direct-mapped by pointer: most lookups end here */
	bool started;           /* the tables exist and the root process too (the header was read) */
	uint32_t event;         /* index of the event being replayed */
	uint32_t last_pid, last_proc;   /* the latest instance of the pid of the previous event */
	size_t cap_procs, cap_execs, cap_files, cap_accesses, cap_endpoints, cap_nets;
	struct index_table ptr_index;   /* hash of a path pointer -> ptrs[] */
	struct ptr_file *ptrs;
	uint32_t nptrs;
	size_t cap_ptrs;
	struct id_memo site_file;       /* by the reader's open site: file + 1 */
	struct replay_access_hook hook; /* hook.access set: accesses go there, not kept */
};

static uint64_t pid_hash(uint32_t pid)
{
	return hash_bytes(&pid, sizeof(pid));
}

static uint32_t proc_lookup(const struct replay *r, uint32_t pid)
{
	uint64_t h = pid_hash(pid);
	uint32_t best = REPLAY_NONE;

	for (uint32_t i = index_table_probe(&r->pid_index, h); r->pid_index.slots[i].id1;
	     i = index_table_next(&r->pid_index, i)) {
		uint32_t id = r->pid_index.slots[i].id1 - 1;

		if (index_table_same_hash(&r->pid_index, i, h) && r->procs[id].pid == pid &&
		    (best == REPLAY_NONE || id > best))
			best = id;
	}
	return best;
}

static int proc_new(struct replay_stream *b, uint32_t pid, uint32_t parent, uint64_t ts, uint32_t *out)
{
	struct replay *r = b->r;
	struct replay_proc *p;

	if (replay_room((void **)&r->procs, &b->cap_procs, r->nprocs, sizeof(*r->procs)) ||
	    index_table_insert(&r->pid_index, pid_hash(pid), r->nprocs))
		return -1;
	p = &r->procs[r->nprocs];
	*p = (struct replay_proc){ .pid = pid, .parent = parent, .first_child = REPLAY_NONE,
				   .next_sibling = REPLAY_NONE, .start_ns = ts, .exec = REPLAY_NONE,
				   .forked_exec = REPLAY_NONE };
	if (parent != REPLAY_NONE) {
		struct replay_proc *pp = &r->procs[parent];

		p->depth = pp->depth + 1;
		p->exec = p->forked_exec = pp->exec;
		/* children in fork order: prepend now, reverse once at the end */
		p->next_sibling = pp->first_child;
		pp->first_child = r->nprocs;
	}
	if (p->depth > r->max_depth)
		r->max_depth = p->depth;
	if (b->last_pid == pid)
		b->last_proc = r->nprocs;
	*out = r->nprocs++;
	return 0;
}

/* Events come in runs from one process: the previous event's answer is checked first. */
static int proc_get(struct replay_stream *b, uint32_t pid, uint64_t ts, uint32_t *out)
{
	if (b->last_proc != REPLAY_NONE && b->last_pid == pid) {
		*out = b->last_proc;
		return 0;
	}
	*out = proc_lookup(b->r, pid);
	if (*out == REPLAY_NONE && proc_new(b, pid, REPLAY_NONE, ts, out))
		return -1;
	b->last_pid = pid;
	b->last_proc = *out;
	return 0;
}

uint32_t replay_file_find(const struct replay *r, const char *path)
{
	uint64_t h = hash_bytes(path, strlen(path));

	if (!r->file_index.slots)
		return REPLAY_NONE;
	for (uint32_t i = index_table_probe(&r->file_index, h); r->file_index.slots[i].id1;
	     i = index_table_next(&r->file_index, i)) {
		uint32_t id = r->file_index.slots[i].id1 - 1;

		if (index_table_same_hash(&r->file_index, i, h) && !strcmp(r->files[id].path, path))
			return id;
	}
	return REPLAY_NONE;
}

static int file_get_slow(struct replay_stream *b, const char *path, uint64_t ph, uint32_t *out);

static int file_get(struct replay_stream *b, const char *path, uint32_t *out)
{
	uint64_t mix = ((uintptr_t)path >> 3) * 0x9e3779b97f4a7c15ull;
	struct ptr_file *recent = &b->recent[mix >> 52];

	if (recent->ptr != path) {
		uint32_t file;

		if (file_get_slow(b, path, hash_bytes(&path, sizeof(path)), &file))
			return -1;
		*recent = (struct ptr_file){ path, file };
	}
	*out = recent->file;
	return 0;
}

static int file_get_slow(struct replay_stream *b, const char *path, uint64_t ph, uint32_t *out)
{
	struct replay *r = b->r;

	for (uint32_t i = index_table_probe(&b->ptr_index, ph); b->ptr_index.slots[i].id1;
	     i = index_table_next(&b->ptr_index, i)) {
		const struct ptr_file *pf = &b->ptrs[b->ptr_index.slots[i].id1 - 1];

		if (pf->ptr == path) {
			*out = pf->file;
			return 0;
		}
	}
	if (replay_room((void **)&b->ptrs, &b->cap_ptrs, b->nptrs, sizeof(*b->ptrs)) ||
	    index_table_insert(&b->ptr_index, ph, b->nptrs))
		return -1;
	b->ptrs[b->nptrs].ptr = path;
	*out = replay_file_find(r, path);
	if (*out != REPLAY_NONE) {
		b->ptrs[b->nptrs++].file = *out;
		return 0;
	}
	b->ptrs[b->nptrs++].file = r->nfiles;
	if (replay_room((void **)&r->files, &b->cap_files, r->nfiles, sizeof(*r->files)) ||
	    index_table_insert(&r->file_index, hash_bytes(path, strlen(path)), r->nfiles))
		return -1;
	r->files[r->nfiles] = (struct replay_file){ .path = path, .input = REPLAY_NONE,
		.exec = REPLAY_NONE, .output = REPLAY_NONE, .exec_ident = REPLAY_NONE,
		.first_writer = REPLAY_NONE, .last_writer = REPLAY_NONE };
	*out = r->nfiles++;
	return 0;
}

/*
 * An open's file.  The opens of a large build mostly name paths seen long
 * before, beyond the pointer cache: the reader's site number indexes an
 * array instead (one load where the pointer's hash probe took several).
 */
static int open_file(struct replay_stream *b, const struct log_event *e, uint32_t *file)
{
	uint32_t *known;

	if (!e->open.site1)
		return file_get(b, e->open.path, file);
	known = id_memo_slot(&b->site_file, e->open.site1);
	if (!known)
		return -1;
	if (*known) {
		*file = *known - 1;
		return 0;
	}
	if (file_get(b, e->open.path, file))
		return -1;
	*known = *file + 1;
	return 0;
}

static int access_add_file(struct replay_stream *b, const struct log_event *e, uint32_t proc, uint32_t file,
			   enum replay_access_kind kind, uint32_t other)
{
	struct replay *r = b->r;
	static const uint32_t flag_of[RA_KIND_MAX] = { [RA_READ] = RF_READ, [RA_WRITE] = RF_WRITTEN,
		[RA_EXEC] = RF_EXECUTED, [RA_ABSENT] = RF_ABSENT, [RA_RENAME_TO] = RF_WRITTEN,
		[RA_TRUNCATE] = RF_WRITTEN, [RA_LINK_TO] = RF_WRITTEN, [RA_RENAME_FROM] = RF_READ };
	struct replay_file *f = &r->files[file];

	f->flags |= flag_of[kind];
	if (replay_access_writes(kind))
		f->last_writer = proc;
	else if (replay_access_reads(kind) && f->last_writer != REPLAY_NONE && proc != f->last_writer)
		f->read_by_other = true;
	f->last_kind = (uint8_t)kind;
	if (b->hook.access)
		return b->hook.access(b->hook.arg, proc, file, (uint8_t)kind);
	if (replay_room((void **)&r->accesses, &b->cap_accesses, r->naccesses, sizeof(*r->accesses)))
		return -1;
	r->accesses[r->naccesses] = (struct replay_access){ .ts_ns = e->ts_ns, .proc = proc,
		.file = file, .other = other, .kind = (uint8_t)kind };
	if (replay_access_writes(kind) && f->first_writer == REPLAY_NONE)
		f->first_writer = r->naccesses;
	r->naccesses++;
	return 0;
}

static int access_add_other(struct replay_stream *b, const struct log_event *e, uint32_t proc,
			    const char *path, enum replay_access_kind kind, uint32_t other)
{
	uint32_t file;

	if (!path)
		return 0;
	return file_get(b, path, &file) || access_add_file(b, e, proc, file, kind, other) ? -1 : 0;
}

static int access_add(struct replay_stream *b, const struct log_event *e, uint32_t proc,
		      const char *path, enum replay_access_kind kind)
{
	return access_add_other(b, e, proc, path, kind, REPLAY_NONE);
}

static bool absent_errno(int err)
{
	return err == ENOENT || err == ENOTDIR;
}

static int on_open(struct replay_stream *b, const struct log_event *e, uint32_t proc)
{
	uint64_t fl = e->open.flags, acc = fl & O_ACCMODE;
	bool write = acc == O_WRONLY || acc == O_RDWR || (fl & (O_CREAT | O_TRUNC));
	bool read = acc != O_WRONLY && !(write && (fl & O_TRUNC));
	uint32_t file;

	if (!e->open.path)
		return 0;
	if (e->open.result < 0) {
		int err = e->open.result == INT32_MIN ? 0 : -e->open.result;

		return open_file(b, e, &file) ||
		       access_add_file(b, e, proc, file, absent_errno(err) ? RA_ABSENT : RA_FAILED, REPLAY_NONE) ? -1 : 0;
	}
	/* a directory or an O_PATH handle is a lookup, not a read of content */
	if ((fl & O_PATH) || ((fl & O_DIRECTORY) && !write))
		return 0;
	if ((fl & O_TMPFILE) == O_TMPFILE)
		return 0;
	if (open_file(b, e, &file))
		return -1;
	if (read && access_add_file(b, e, proc, file, RA_READ, REPLAY_NONE))
		return -1;
	return write ? access_add_file(b, e, proc, file, RA_WRITE, REPLAY_NONE) : 0;
}

static int on_exec(struct replay_stream *b, const struct log_event *e, uint32_t proc)
{
	struct replay *r = b->r;
	struct replay_proc *p = &r->procs[proc];

	if (replay_room((void **)&r->execs, &b->cap_execs, r->nexecs, sizeof(*r->execs)))
		return -1;
	r->execs[r->nexecs] = (struct replay_exec){ .ts_ns = e->ts_ns, .proc = proc,
		.prev = p->own_exec ? p->exec : REPLAY_NONE, .exe = e->exec.exe, .cwd = e->exec.cwd,
		.argv = e->exec.argv, .nargv = e->exec.nargv, .env = e->exec.env };
	p->exec = r->nexecs++;
	p->own_exec = true;
	return access_add(b, e, proc, e->exec.exe, RA_EXEC);
}

/*
 * A process already running when an attach began: a new instance under its
 * parent when the parent was seen, running what /proc said, started when
 * /proc said (when it could tell).
 */
static int on_snapshot(struct replay_stream *b, const struct log_event *e)
{
	struct replay *r = b->r;
	uint32_t parent = e->proc_snapshot.ppid ? proc_lookup(r, e->proc_snapshot.ppid) : REPLAY_NONE;
	uint64_t start = e->proc_snapshot.start_boot_ns ? e->proc_snapshot.start_boot_ns : e->ts_ns;
	uint32_t p;

	if (parent != REPLAY_NONE && r->procs[parent].pid == e->tgid)
		parent = REPLAY_NONE;
	if (proc_new(b, e->tgid, parent, start, &p) ||
	    replay_room((void **)&r->execs, &b->cap_execs, r->nexecs, sizeof(*r->execs)))
		return -1;
	r->execs[r->nexecs] = (struct replay_exec){ .ts_ns = start, .proc = p, .prev = REPLAY_NONE,
		.exe = e->proc_snapshot.exe, .cwd = e->proc_snapshot.cwd, .argv = e->proc_snapshot.argv,
		.nargv = e->proc_snapshot.nargv, .snapshot = true };
	r->procs[p].exec = r->nexecs++;
	r->procs[p].own_exec = true;
	if (start < r->start_ns)
		r->start_ns = start;
	return 0;
}

uint32_t replay_endpoint_find(const struct replay *r, const char *name)
{
	uint64_t h = hash_bytes(name, strlen(name));

	if (!r->endpoint_index.slots)
		return REPLAY_NONE;
	for (uint32_t i = index_table_probe(&r->endpoint_index, h); r->endpoint_index.slots[i].id1;
	     i = index_table_next(&r->endpoint_index, i)) {
		uint32_t id = r->endpoint_index.slots[i].id1 - 1;

		if (index_table_same_hash(&r->endpoint_index, i, h) && !strcmp(r->endpoints[id].name, name))
			return id;
	}
	return REPLAY_NONE;
}

static int endpoint_get(struct replay_stream *b, const struct log_event *e, const char *name, uint32_t *out)
{
	struct replay *r = b->r;
	uint64_t h = hash_bytes(name, strlen(name));

	*out = replay_endpoint_find(r, name);
	if (*out != REPLAY_NONE)
		return 0;
	if (replay_room((void **)&r->endpoints, &b->cap_endpoints, r->nendpoints, sizeof(*r->endpoints)) ||
	    index_table_insert(&r->endpoint_index, h, r->nendpoints))
		return -1;
	r->endpoints[r->nendpoints] = (struct replay_endpoint){ .name = strdup(name),
		.local = net_endpoint_is_local(e), .first_ns = e->ts_ns };
	if (!r->endpoints[r->nendpoints].name)
		return -1;
	*out = r->nendpoints++;
	return 0;
}

/* A socket call that names an address: its endpoint, and which process reached for it. */
static int on_net(struct replay_stream *b, const struct log_event *e, uint32_t proc)
{
	struct replay *r = b->r;
	char name[300];
	uint32_t ep;

	if (e->net.dns == LOG_DNS_NAMES && e->net.ndns_names)
		r->dns_queries++;
	net_endpoint_format(e, name, sizeof(name));
	if (!name[0])
		return 0;
	if (endpoint_get(b, e, name, &ep) ||
	    replay_room((void **)&r->nets, &b->cap_nets, r->nnets, sizeof(*r->nets)))
		return -1;
	if (!r->endpoints[ep].calls++)
		r->endpoints[ep].first_proc = proc;
	r->nets[r->nnets++] = (struct replay_net){ .ts_ns = e->ts_ns, .proc = proc, .endpoint = ep,
		.event = b->event };
	return 0;
}

static int on_file_op(struct replay_stream *b, const struct log_event *e, uint32_t proc)
{
	uint32_t from, to;

	if (e->file_op.result != 0)
		return 0;       /* a failed change changed nothing */
	switch (e->file_op.call) {
	case LOG_FOP_RENAME: case LOG_FOP_RENAMEAT: case LOG_FOP_RENAMEAT2:
	case LOG_FOP_LINK: case LOG_FOP_LINKAT: {
		bool rename = e->file_op.call <= LOG_FOP_RENAMEAT2;

		if (!e->file_op.path || !e->file_op.path2 || file_get(b, e->file_op.path, &from) ||
		    file_get(b, e->file_op.path2, &to))
			return e->file_op.path && e->file_op.path2 ? -1 : 0;
		return access_add_other(b, e, proc, e->file_op.path, rename ? RA_RENAME_FROM : RA_READ, to) ||
		       access_add_other(b, e, proc, e->file_op.path2, rename ? RA_RENAME_TO : RA_LINK_TO, from);
	}
	case LOG_FOP_SYMLINK: case LOG_FOP_SYMLINKAT:
		return access_add(b, e, proc, e->file_op.path2 ? e->file_op.path2 : e->file_op.path,
				  RA_LINK_TO);
	case LOG_FOP_UNLINK: case LOG_FOP_UNLINKAT: case LOG_FOP_RMDIR:
		return access_add(b, e, proc, e->file_op.path, RA_DELETE);
	case LOG_FOP_MKDIR: case LOG_FOP_MKDIRAT:
		return access_add(b, e, proc, e->file_op.path, RA_MKDIR);
	case LOG_FOP_TRUNCATE: case LOG_FOP_FTRUNCATE:
		return access_add(b, e, proc, e->file_op.path, RA_TRUNCATE);
	default:
		return access_add(b, e, proc, e->file_op.path, RA_ATTR);
	}
}

static int on_event(struct replay_stream *b, const struct log_event *e)
{
	struct replay *r = b->r;
	uint32_t p, child;

	if (e->ts_ns > r->end_ns)
		r->end_ns = e->ts_ns;
	if (e->type == LOG_EV_PROC_SNAPSHOT)
		return on_snapshot(b, e);
	if (proc_get(b, e->tgid, e->ts_ns, &p))
		return -1;
	switch (e->type) {
	case LOG_EV_FORK:
		return proc_new(b, e->fork.child_tgid, p, e->ts_ns, &child);
	case LOG_EV_EXEC:
		return on_exec(b, e, p);
	case LOG_EV_EXEC_FAILED:
		return access_add(b, e, p, e->exec_failed.path,
				  absent_errno(e->exec_failed.err) ? RA_ABSENT : RA_FAILED);
	case LOG_EV_EXIT:
		r->procs[p].exited = true;
		r->procs[p].status = e->exit.status;
		r->procs[p].end_ns = e->ts_ns;
		return b->hook.exited ? b->hook.exited(b->hook.arg, p) : 0;
	case LOG_EV_OPEN:
		return on_open(b, e, p);
	case LOG_EV_NET:
		return on_net(b, e, p);
	case LOG_EV_FILE_OP:
		return on_file_op(b, e, p);
	default:
		return 0;
	}
}

/* Groups access ids by KEY (proc or file) with a counting sort; log order stays within a group. */
static int group(struct replay *r, bool by_proc, uint32_t **out)
{
	uint32_t n = by_proc ? r->nprocs : r->nfiles;
	uint32_t *ids = malloc(((size_t)r->naccesses + 1) * sizeof(*ids));
	uint32_t *next = calloc((size_t)n + 1, sizeof(*next));

	if (!ids || !next) {
		free(ids);
		free(next);
		return -1;
	}
	for (uint32_t i = 0; i < r->naccesses; i++)
		next[(by_proc ? r->accesses[i].proc : r->accesses[i].file) + 1]++;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t count = next[k + 1];

		next[k + 1] = next[k] + count;
		if (by_proc) {
			r->procs[k].access_first = next[k];
			r->procs[k].naccess = count;
		} else {
			r->files[k].access_first = next[k];
			r->files[k].naccess = count;
		}
	}
	for (uint32_t i = 0; i < r->naccesses; i++)
		ids[next[by_proc ? r->accesses[i].proc : r->accesses[i].file]++] = i;
	free(next);
	*out = ids;
	return 0;
}

static int group_nets(struct replay *r)
{
	uint32_t *next = calloc((size_t)r->nprocs + 1, sizeof(*next));

	r->nets_by_proc = malloc(((size_t)r->nnets + 1) * sizeof(*r->nets_by_proc));
	if (!next || !r->nets_by_proc) {
		free(next);
		return -1;
	}
	for (uint32_t i = 0; i < r->nnets; i++)
		next[r->nets[i].proc + 1]++;
	for (uint32_t p = 0; p < r->nprocs; p++) {
		r->procs[p].net_first = next[p];
		r->procs[p].nnet = next[p + 1];
		next[p + 1] += next[p];
	}
	for (uint32_t i = 0; i < r->nnets; i++)
		r->nets_by_proc[next[r->nets[i].proc]++] = i;
	free(next);
	return 0;
}

static int attach_hashes(struct replay_stream *b)
{
	struct replay *r = b->r;
	const struct log_file *f = r->log;
	uint32_t file;

	for (size_t i = 0; i < f->ndigests && i < REPLAY_NONE; i++) {
		const struct log_digest *d = &f->digests[i];

		if (file_get(b, d->path, &file))
			return -1;
		if (d->kind == LOG_DIGEST_INPUT)
			r->files[file].input = (uint32_t)i;
		else if (d->kind == LOG_DIGEST_EXEC)
			r->files[file].exec = (uint32_t)i;
		else if (d->kind == LOG_DIGEST_OUTPUT)
			r->files[file].output = (uint32_t)i;
	}
	for (size_t i = 0; i < f->nexec_idents && i < REPLAY_NONE; i++) {
		if (file_get(b, f->exec_idents[i].path, &file))
			return -1;
		r->files[file].exec_ident = (uint32_t)i;
		r->files[file].flags |= RF_EXECUTED;
	}
	for (uint32_t i = 0; i < r->nfiles; i++) {
		struct replay_file *fl = &r->files[i];

		if ((fl->flags & RF_WRITTEN) && fl->output != REPLAY_NONE &&
		    absent_errno(-f->digests[fl->output].result))
			fl->flags |= RF_TEMP;
	}
	return 0;
}

static void assign_roles(struct replay *r)
{
	for (uint32_t i = 0; i < r->nfiles; i++) {
		struct replay_file *f = &r->files[i];
		uint8_t last = f->last_kind;

		/* deleted or renamed away by the build itself: gone at the end */
		if ((f->flags & RF_WRITTEN) && (last == RA_DELETE || last == RA_RENAME_FROM))
			f->flags |= RF_TEMP;

		if (f->flags & RF_WRITTEN)
			f->role = f->flags & RF_TEMP ? ROLE_TEMPORARY :
				  f->read_by_other ? ROLE_INTERMEDIATE : ROLE_OUTPUT;
		else if (f->flags & RF_EXECUTED)
			f->role = ROLE_EXECUTABLE;
		else if (f->flags & RF_READ)
			f->role = ROLE_SOURCE;
		else
			f->role = f->flags & RF_ABSENT ? ROLE_ABSENT : ROLE_FAILED;
	}
}

/* Fork order for children (they were prepended), and an end for every process. */
static void finish_procs(struct replay *r)
{
	for (uint32_t i = 0; i < r->nprocs; i++) {
		struct replay_proc *p = &r->procs[i];
		uint32_t prev = REPLAY_NONE, c = p->first_child;

		while (c != REPLAY_NONE) {
			uint32_t nx = r->procs[c].next_sibling;

			r->procs[c].next_sibling = prev;
			prev = c;
			c = nx;
		}
		p->first_child = prev;
		if (!p->exited)
			p->end_ns = r->end_ns;
	}
}

/* The tables, and the traced command's process: once the header was read. */
static int stream_start(struct replay_stream *b)
{
	struct replay *r = b->r;
	const struct log_file *f = r->log;

	b->started = true;
	r->start_ns = r->end_ns = f->header.start_boot_ns;
	return index_table_init(&r->pid_index, 1024) || index_table_init(&r->file_index, 4096) ||
	       index_table_init(&r->endpoint_index, 64) || index_table_init(&b->ptr_index, 4096) ||
	       proc_new(b, f->header.root_pid, REPLAY_NONE, f->header.start_boot_ns, &r->root) ? -1 : 0;
}

struct replay_stream *replay_stream_new(struct replay *r, const struct log_file *f)
{
	struct replay_stream *b = calloc(1, sizeof(*b));

	memset(r, 0, sizeof(*r));
	r->log = f;
	if (b) {
		b->r = r;
		b->last_proc = REPLAY_NONE;
	}
	return b;
}

struct replay_stream *replay_stream_new_hooked(struct replay *r, const struct log_file *f,
					       const struct replay_access_hook *hook)
{
	struct replay_stream *b = replay_stream_new(r, f);

	if (b)
		b->hook = *hook;
	return b;
}

static int stream_event(void *arg, const struct log_event *e, char *err, size_t errlen)
{
	struct replay_stream *b = arg;

	if (b->event >= REPLAY_NONE / 2) {
		snprintf(err, errlen, "more than %u events: more than this model holds", REPLAY_NONE / 2);
		return -1;
	}
	if ((!b->started && stream_start(b)) || on_event(b, e)) {
		snprintf(err, errlen, "out of memory while replaying the log");
		return -1;
	}
	b->event++;
	return 0;
}

struct log_event_sink replay_stream_sink(struct replay_stream *b)
{
	return (struct log_event_sink){ .fn = stream_event, .arg = b };
}

static void stream_free(struct replay_stream *b)
{
	index_table_free(&b->ptr_index);
	free(b->ptrs);
	free(b->site_file.v);
	free(b);
}

void replay_stream_abort(struct replay_stream *b)
{
	if (!b)
		return;
	replay_free(b->r);
	stream_free(b);
}

int replay_stream_finish(struct replay_stream *b, char *err, size_t errlen)
{
	struct replay *r;
	const struct log_file *f;

	if (!b) {
		snprintf(err, errlen, "out of memory while replaying the log");
		return -1;
	}
	r = b->r;
	f = r->log;
	if (!b->started && stream_start(b))
		goto oom;
	/* the trailer's end includes hashing the outputs: a timeline ends with the last event */
	if (!f->nevents && f->has_trailer && f->trailer.end_boot_ns > r->end_ns)
		r->end_ns = f->trailer.end_boot_ns;
	if (f->has_trailer && !r->procs[r->root].exited) {
		r->procs[r->root].exited = true;
		r->procs[r->root].status = f->trailer.exit_status;
		r->procs[r->root].end_ns = r->end_ns;
	}
	finish_procs(r);
	if (attach_hashes(b) || group(r, true, &r->by_proc) || group(r, false, &r->by_file) ||
	    group_nets(r))
		goto oom;
	assign_roles(r);
	stream_free(b);
	return 0;
oom:
	replay_stream_abort(b);
	snprintf(err, errlen, "out of memory while replaying the log");
	return -1;
}

int replay_build(struct replay *r, const struct log_file *f, char *err, size_t errlen)
{
	struct replay_stream *b = replay_stream_new(r, f);

	for (size_t i = 0; b && i < f->nevents; i++) {
		if (stream_event(b, &f->events[i], err, errlen)) {
			replay_stream_abort(b);
			return -1;
		}
	}
	return replay_stream_finish(b, err, errlen);
}

void replay_free(struct replay *r)
{
	free(r->procs);
	free(r->execs);
	free(r->files);
	free(r->accesses);
	free(r->by_proc);
	free(r->by_file);
	index_table_free(&r->file_index);
	index_table_free(&r->pid_index);
	index_table_free(&r->endpoint_index);
	for (uint32_t i = 0; i < r->nendpoints; i++)
		free(r->endpoints[i].name);
	free(r->endpoints);
	free(r->nets);
	free(r->nets_by_proc);
	memset(r, 0, sizeof(*r));
}

static bool ends_with_component(const char *path, const char *tail)
{
	size_t n = strlen(path), k = strlen(tail);

	return n > k && path[n - k - 1] == '/' && !memcmp(path + n - k, tail, k);
}

#define RESOLVE_SHOWN 4

uint32_t replay_file_resolve(const struct replay *r, const char *arg, char *err, size_t errlen)
{
	const char *cwd = r->log->header.cwd;
	uint32_t found = REPLAY_NONE, nfound = 0;
	size_t used;
	char *joined;

	while (arg[0] == '.' && arg[1] == '/')
		arg += 2;
	found = replay_file_find(r, arg);
	if (found != REPLAY_NONE)
		return found;
	if (arg[0] != '/' && cwd && (joined = malloc(strlen(cwd) + strlen(arg) + 2))) {
		sprintf(joined, "%s/%s", cwd, arg);
		found = replay_file_find(r, joined);
		free(joined);
		if (found != REPLAY_NONE)
			return found;
	}
	for (uint32_t i = 0; i < r->nfiles; i++) {
		if (!ends_with_component(r->files[i].path, arg))
			continue;
		if (!nfound++)
			found = i;
	}
	if (nfound == 1)
		return found;
	if (!nfound) {
		snprintf(err, errlen, "'%s' is not a path this build touched (no open, exec or digest "
			 "names it)", arg);
		return REPLAY_NONE;
	}
	used = (size_t)snprintf(err, errlen, "'%s' matches %u paths; give one of them:", arg, nfound);
	nfound = 0;
	for (uint32_t i = 0; i < r->nfiles && used < errlen && nfound < RESOLVE_SHOWN; i++) {
		if (!ends_with_component(r->files[i].path, arg))
			continue;
		used += (size_t)snprintf(err + used, errlen - used, " %s", r->files[i].path);
		nfound++;
	}
	return REPLAY_NONE;
}

const struct replay_exec *replay_proc_exec(const struct replay *r, uint32_t proc)
{
	uint32_t x = r->procs[proc].exec;

	return x == REPLAY_NONE ? NULL : &r->execs[x];
}

const char *replay_proc_exe(const struct replay *r, uint32_t proc)
{
	const struct replay_exec *e = replay_proc_exec(r, proc);

	if (e && e->exe)
		return e->exe;
	if (proc == r->root && r->log->header.ncommand && r->log->header.command[0])
		return r->log->header.command[0];
	return "?";
}

const char *replay_proc_name(const struct replay *r, uint32_t proc)
{
	const char *exe = replay_proc_exe(r, proc), *slash = strrchr(exe, '/');

	return slash && slash[1] ? slash + 1 : exe;
}

const struct log_digest *replay_digest_usable(const struct replay *r, uint32_t d)
{
	const struct log_digest *dg;

	if (d == REPLAY_NONE)
		return NULL;
	dg = &r->log->digests[d];
	/* a digest of a file that changed under the hasher is not the content the build used */
	if (dg->result || (dg->flags & (LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING)))
		return NULL;
	return dg;
}

const struct log_digest *replay_file_digest(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];
	const struct log_digest *d = replay_digest_usable(r, f->output);

	if (!d)
		d = replay_digest_usable(r, f->input);
	if (!d)
		d = replay_digest_usable(r, f->exec);
	return d;
}

bool replay_proc_running_at(const struct replay *r, uint32_t p, uint64_t ts)
{
	const struct replay_proc *pr = &r->procs[p];

	return pr->start_ns <= ts && (!pr->exited || pr->end_ns > ts);
}

const char *replay_access_name(uint8_t kind)
{
	static const char *const names[RA_KIND_MAX] = { [RA_READ] = "read", [RA_WRITE] = "write",
		[RA_EXEC] = "exec", [RA_ABSENT] = "absent", [RA_FAILED] = "failed",
		[RA_DELETE] = "delete", [RA_RENAME_FROM] = "rename-from", [RA_RENAME_TO] = "rename-to",
		[RA_LINK_TO] = "link", [RA_MKDIR] = "mkdir", [RA_TRUNCATE] = "truncate",
		[RA_ATTR] = "attr" };

	return kind < RA_KIND_MAX && names[kind] ? names[kind] : "?";
}

const char *replay_role_name(uint8_t role)
{
	static const char *const names[] = { [ROLE_SOURCE] = "source", [ROLE_OUTPUT] = "output",
		[ROLE_INTERMEDIATE] = "intermediate", [ROLE_TEMPORARY] = "temporary",
		[ROLE_EXECUTABLE] = "executable", [ROLE_ABSENT] = "absent", [ROLE_FAILED] = "failed" };

	return role < sizeof(names) / sizeof(names[0]) ? names[role] : "?";
}
