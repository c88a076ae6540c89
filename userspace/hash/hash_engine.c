// SPDX-License-Identifier: MIT
/*
 * Hash engine.  Each worker owns one io_uring and SLOTS files in flight; per
 * file the ring carries openat -> reads -> close.  Two reads per file are in
 * flight at consecutive offsets (double buffering: the next chunk is read
 * while this one is hashed); chunks are hashed strictly in file order.
 * Buffers are one registered region per worker; a file uses 128 KiB of it, which stays in L2.
 *
 * A file of up to MB_MAX bytes is read whole into its slot and hashed by the
 * worker's intel-ipsec-mb multi-buffer manager instead: 8 or 16 files per
 * SIMD pass, 2.5x OpenSSL's SHA-NI rate per core for 4 KiB files on the
 * machine it was measured on (docs/hashing.md).  That manager needs the whole
 * message at once and takes less than 64 KiB, so larger files keep OpenSSL's
 * streaming digest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <intel-ipsec-mb.h>
#include <liburing.h>
#include <openssl/evp.h>

#include "common/clock.h"
#include "hash/hash_engine.h"

#define CHUNK           (64u * 1024)    /* one read; 2 per file in flight */
/* Files up to this size: multi-buffer hashing (intel-ipsec-mb 1.3 refuses
 * hash jobs of 65535 bytes or more with IMB_ERR_JOB_AUTH_LEN). */
#define MB_MAX          (60u * 1024)
#define SLOTS_MAX       32u             /* files in flight per worker */
#define NOFILE_RESERVE  64u             /* descriptors left to the rest of the process */
#define SIZE0_CAP       (1ull << 30)    /* st_size 0 (procfs): read to EOF, at most this */
#define DEFAULT_QUEUE   4096u
#define READ_RETRIES    8u              /* -EAGAIN / -EINTR answers to one read before the file fails */

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_IDLE  3
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_IDLE        (IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT)

enum op { OP_OPEN, OP_READ, OP_CLOSE };

struct chunk {
	uint64_t off;
	uint32_t len;           /* bytes wanted */
	uint32_t filled;        /* bytes read so far */
	bool inflight;
	bool ready;             /* full, or short because of EOF */
	uint8_t retries;        /* -EAGAIN / -EINTR answers to this chunk's read */
};

struct slot {
	bool busy;
	int fd;
	unsigned pending;       /* SQEs in flight */
	bool failed, eof, size0;
	bool mb;                /* whole file in buf, hashed by the worker's multi-buffer manager */
	unsigned injected;      /* reads answered -EAGAIN by the test_read_eagain hook */
	uint64_t next_off;      /* next chunk to issue */
	struct chunk ch[2];
	uint8_t *buf;           /* 2 * CHUNK of the worker's region */
	EVP_MD_CTX *md;
	struct hash_result res;
};

struct worker {
	struct hash_engine *e;
	pthread_t thread;
	struct io_uring ring;
	bool ring_ok, fixed_bufs, started, exited;
	uint64_t cpu_ns;                /* the thread's CPU time once it exited */
	int error;
	unsigned nslots, active;
	struct slot *slots;
	struct hash_result *out;        /* finished, handed over in batches */
	unsigned nout;
	uint8_t *region;
	size_t region_len;
	IMB_MGR *mb;            /* made at the first small file: NULL until then, or for good */
	bool mb_tried;
	unsigned mb_queued;     /* files in the multi-buffer manager */
};

struct hash_engine {
	struct hash_engine_options o;
	EVP_MD *sha256;
	pthread_mutex_t lock;
	pthread_cond_t work_cv, result_cv, start_cv;
	struct hash_result *reqs;       /* ring of queued requests (cookie, path) */
	struct hash_result *results;    /* ring of finished results */
	size_t cap, req_head, nreqs, res_head, nresults, outstanding;
	bool closing, cancel, joined;
	unsigned nworkers, started, live;
	unsigned nthreads;              /* of the nworkers, those whose thread was created */
	size_t idle;                    /* workers waiting for requests */
	int first_error;
	uint64_t bytes;                 /* read by all workers, counted when handed over */
	struct worker *workers;
};

/* ---- small helpers ---- */

void hash_result_clear(struct hash_result *r)
{
	free(r->path);
	r->path = NULL;
}

static const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "FIFO";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFSOCK: return "socket";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symbolic link";
	default: return "unknown type";
	}
}

const char *hash_result_reason(const struct hash_result *r, char *buf, size_t len)
{
	static const char *const steps[] = { "", "open", "fstat", "type", "read", "cancelled" };

	if (r->step == HASH_STEP_TYPE)
		snprintf(buf, len, "not a regular file (%s), skipped", type_name(r->before.mode));
	else if (r->error)
		snprintf(buf, len, "%s: %s", steps[r->step], strerror(-r->error));
	else if (r->changed)
		snprintf(buf, len, "changed while being hashed");
	else
		snprintf(buf, len, "ok");
	return buf;
}

void hash_identity_of(const struct stat *st, struct hash_identity *id)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	id->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	id->mode = st->st_mode;
}

bool hash_identity_equal(const struct hash_identity *a, const struct hash_identity *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns && a->mode == b->mode;
}

/*
 * File systems whose bytes another machine or a userspace process serves:
 * what was hashed now need not be what the build read, and nothing in this
 * kernel can tell.  By f_type (linux/magic.h and the file systems' own).
 */
bool hash_fs_unverifiable(int fd)
{
	static const unsigned long magics[] = {
		0x65735546,     /* FUSE (sshfs, bindfs, virtiofs, ...) */
		0x6969,         /* NFS */
		0xff534d42,     /* CIFS */
		0xfe534d42,     /* SMB2 */
		0x01021997,     /* 9P (v9fs) */
		0x00c36400,     /* Ceph */
		0x5346414f,     /* AFS */
		0x6b414653,     /* kAFS */
		0x73757245,     /* Coda */
		0x01161970,     /* GFS2 */
		0x7461636f,     /* OCFS2 */
		0x47504653,     /* GPFS */
		0x0bd00bd0,     /* Lustre */
		0x564c,         /* NCP */
	};
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return false;
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if ((unsigned long)sf.f_type == magics[i])
			return true;
	return false;
}

static uint64_t user_data(unsigned slot, enum op op, unsigned chunk)
{
	return ((uint64_t)slot << 8) | ((uint64_t)op << 1) | chunk;
}

/* ---- engine queues (called with e->lock held) ---- */

static void push_result_locked(struct hash_engine *e, struct hash_result *r)
{
	e->results[(e->res_head + e->nresults) % e->cap] = *r;
	e->nresults++;
	pthread_cond_broadcast(&e->result_cv);
}

static bool pop_request_locked(struct hash_engine *e, struct hash_result *r)
{
	if (!e->nreqs)
		return false;
	*r = e->reqs[e->req_head];
	e->req_head = (e->req_head + 1) % e->cap;
	e->nreqs--;
	return true;
}

/* Requests nobody will run (no live worker, or cancelled) still get a result. */
static void cancel_queued_locked(struct hash_engine *e, int error)
{
	struct hash_result r;

	while (pop_request_locked(e, &r)) {
		r.error = error;
		r.step = HASH_STEP_CANCEL;
		push_result_locked(e, &r);
	}
}

/* ---- one worker: its ring and slots ---- */

static struct io_uring_sqe *get_sqe(struct worker *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);

	if (!sqe) {
		/* SQ full: hand what is queued to the kernel; the ring is sized so
		 * completions never overflow, so this frees room at once. */
		int r = io_uring_submit(&w->ring);

		if (r < 0 && r != -EAGAIN && r != -EBUSY && r != -EINTR)
			return NULL;
		sqe = io_uring_get_sqe(&w->ring);
	}
	return sqe;
}

/* One lock and one wake-up per batch of results, not per file. */
static void flush_results(struct worker *w)
{
	struct hash_engine *e = w->e;

	if (!w->nout)
		return;
	pthread_mutex_lock(&e->lock);
	for (unsigned i = 0; i < w->nout; i++) {
		e->results[(e->res_head + e->nresults) % e->cap] = w->out[i];
		e->nresults++;
		e->bytes += w->out[i].bytes;
	}
	pthread_cond_broadcast(&e->result_cv);
	pthread_mutex_unlock(&e->lock);
	w->nout = 0;
}

static void slot_finish(struct worker *w, struct slot *s)
{
	if (w->nout == w->nslots)
		flush_results(w);
	w->out[w->nout++] = s->res;
	s->busy = false;
	w->active--;
}

static void slot_close(struct worker *w, unsigned idx, struct slot *s)
{
	struct io_uring_sqe *sqe;

	if (s->fd < 0) {
		slot_finish(w, s);
		return;
	}
	sqe = get_sqe(w);
	if (!sqe) {
		/* No SQE: closing synchronously is slower but still correct. */
		if (close(s->fd))
			fprintf(stderr, "kettle: hash engine: close: %s\n", strerror(errno));
		s->fd = -1;
		slot_finish(w, s);
		return;
	}
	io_uring_prep_close(sqe, s->fd);
	io_uring_sqe_set_data64(sqe, user_data(idx, OP_CLOSE, 0));
	s->pending++;
}

static void slot_fail(struct worker *w, unsigned idx, struct slot *s, enum hash_step step, int err)
{
	if (!s->failed) {
		s->failed = true;
		s->res.step = step;
		s->res.error = err;
	}
	if (!s->pending)
		slot_close(w, idx, s);
}

static int issue_read(struct worker *w, unsigned idx, struct slot *s, unsigned c)
{
	struct chunk *ch = &s->ch[c];
	struct io_uring_sqe *sqe = get_sqe(w);
	uint8_t *dst = s->buf + (size_t)c * CHUNK + ch->filled;
	unsigned len = ch->len - ch->filled;

	if (!sqe)
		return -EBUSY;
	if (w->fixed_bufs)
		io_uring_prep_read_fixed(sqe, s->fd, dst, len, ch->off + ch->filled, 0);
	else
		io_uring_prep_read(sqe, s->fd, dst, len, ch->off + ch->filled);
	if (w->e->o.low_priority)
		sqe->ioprio = IOPRIO_IDLE;
	io_uring_sqe_set_data64(sqe, user_data(idx, OP_READ, c));
	ch->inflight = true;
	s->pending++;
	return 0;
}

/* More to read: below st_size, or (st_size 0, procfs style) until EOF. */
static bool more_to_read(const struct slot *s)
{
	if (s->eof || s->failed)
		return false;
	if (s->size0)
		return s->next_off < SIZE0_CAP;
	return s->next_off < s->res.before.size;
}

static void issue_reads(struct worker *w, unsigned idx, struct slot *s)
{
	for (unsigned c = 0; c < 2 && more_to_read(s); c++) {
		struct chunk *ch = &s->ch[c];
		uint64_t left = s->size0 ? CHUNK : s->res.before.size - s->next_off;

		if (ch->inflight || ch->ready || ch->len)
			continue;
		ch->off = s->next_off;
		ch->len = left < CHUNK ? (uint32_t)left : CHUNK;
		ch->filled = 0;
		s->next_off += ch->len;
		if (issue_read(w, idx, s, c)) {
			slot_fail(w, idx, s, HASH_STEP_READ, -EBUSY);
			return;
		}
	}
}

static void mb_done(struct worker *w, IMB_JOB *job)
{
	unsigned idx = (unsigned)(uintptr_t)job->user_data;
	struct slot *s = &w->slots[idx];

	unsigned dlen = 0;

	w->mb_queued--;
	/* A job the library refuses (a limit of another version) is hashed by OpenSSL. */
	if (job->status != IMB_STATUS_COMPLETED &&
	    (!EVP_Digest(s->buf, s->res.bytes, s->res.digest, &dlen, w->e->sha256, NULL) ||
	     dlen != HASH_DIGEST_LEN)) {
		slot_fail(w, idx, s, HASH_STEP_READ, -EIO);
		return;
	}
	slot_close(w, idx, s);
}

/* The digest arrives once the manager has enough files for a pass (or is flushed). */
static void mb_submit(struct worker *w, unsigned idx, struct slot *s)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(w->mb);

	memset(job, 0, sizeof(*job));
	job->cipher_mode = IMB_CIPHER_NULL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->hash_alg = IMB_AUTH_SHA_256;
	job->src = s->buf;      /* the two chunks are adjacent: the whole file */
	job->msg_len_to_hash_in_bytes = s->res.bytes;
	job->auth_tag_output = s->res.digest;
	job->auth_tag_output_len_in_bytes = HASH_DIGEST_LEN;
	job->user_data = (void *)(uintptr_t)idx;
	w->mb_queued++;
	for (job = IMB_SUBMIT_JOB(w->mb); job; job = IMB_GET_COMPLETED_JOB(w->mb))
		mb_done(w, job);
}

/*
 * The worker's multi-buffer manager, made when its first small file arrives:
 * making one costs 0.5-2 ms (the library's self-test), which a run of large
 * files only would pay for nothing.  NULL: every file goes to OpenSSL.
 */
static IMB_MGR *mb_manager(struct worker *w)
{
	if (w->mb_tried)
		return w->mb;
	w->mb_tried = true;
	if (w->e->o.no_multibuffer)
		return NULL;
	w->mb = alloc_mb_mgr(0);
	if (!w->mb)
		return NULL;
	init_mb_mgr_auto(w->mb, NULL);  /* the widest SIMD this CPU has */
	if (imb_get_errno(w->mb)) {
		/* A CPU without the SIMD ipsec-mb needs (e.g. qemu64). */
		free_mb_mgr(w->mb);
		w->mb = NULL;
	}
	return w->mb;
}

/* Hashes what waits in the manager, lanes full or not. */
static void mb_flush(struct worker *w)
{
	IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(w->mb)))
		mb_done(w, job);
}

static void slot_complete(struct worker *w, unsigned idx, struct slot *s)
{
	struct hash_result *r = &s->res;
	struct stat st;
	unsigned dlen = 0;

	if (fstat(s->fd, &st)) {
		slot_fail(w, idx, s, HASH_STEP_STAT, -errno);
		return;
	}
	hash_identity_of(&st, &r->after);
	if (!hash_identity_equal(&r->before, &r->after))
		r->changed = true;
	if (!s->size0 && r->bytes != r->before.size)
		r->changed = true;
	if (s->size0 && !s->eof)
		r->changed = true;      /* hit SIZE0_CAP: not the whole file */
	if (s->mb) {
		mb_submit(w, idx, s);
		return;
	}
	if (!EVP_DigestFinal_ex(s->md, r->digest, &dlen) || dlen != HASH_DIGEST_LEN) {
		slot_fail(w, idx, s, HASH_STEP_READ, -EIO);
		return;
	}
	slot_close(w, idx, s);
}

/* Hashes the chunks that are next in file order, then refills them. */
static void hash_ready_chunks(struct worker *w, unsigned idx, struct slot *s)
{
	for (;;) {
		struct chunk *ch = NULL;

		for (unsigned c = 0; c < 2; c++)
			if (s->ch[c].ready && s->ch[c].off == s->res.bytes)
				ch = &s->ch[c];
		if (!ch || s->failed)
			break;
		if (ch->filled && !s->mb && !EVP_DigestUpdate(s->md, s->buf + (size_t)(ch - s->ch) * CHUNK,
						    ch->filled)) {
			slot_fail(w, idx, s, HASH_STEP_READ, -EIO);
			return;
		}
		s->res.bytes += ch->filled;
		if (ch->filled < ch->len)
			s->eof = true;
		memset(ch, 0, sizeof(*ch));
	}
	if (s->failed)
		return;
	/* A chunk past EOF that found data means the file grew meanwhile. */
	for (unsigned c = 0; c < 2 && s->eof; c++) {
		if (s->ch[c].ready && s->ch[c].filled)
			s->res.changed = true;
		if (s->ch[c].ready)
			memset(&s->ch[c], 0, sizeof(s->ch[c]));
	}
	issue_reads(w, idx, s);
	if (!s->failed && !s->pending && !more_to_read(s))
		slot_complete(w, idx, s);
}

static void set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);     /* refused: the retry bound still ends it */
}

static void on_read(struct worker *w, unsigned idx, struct slot *s, unsigned c, int res)
{
	struct chunk *ch = &s->ch[c];

	ch->inflight = false;
	if (s->failed) {
		slot_fail(w, idx, s, HASH_STEP_READ, res < 0 ? res : 0);
		return;
	}
	if (res >= 0 && s->injected < w->e->o.test_read_eagain) {
		s->injected++;
		res = -EAGAIN;          /* what a filesystem without no-wait reads answers */
	}
	if (res == -EINTR || res == -EAGAIN) {
		/*
		 * The file was opened O_NONBLOCK for the sake of FIFOs.  io_uring
		 * then answers -EAGAIN at once, instead of waiting in a helper,
		 * for a file whose filesystem cannot read without blocking; this
		 * file is regular, so drop the flag.  Bounded: nothing spins.
		 */
		if (res == -EAGAIN)
			set_blocking(s->fd);
		if (++ch->retries > READ_RETRIES || issue_read(w, idx, s, c))
			slot_fail(w, idx, s, HASH_STEP_READ, res);
		return;
	}
	if (res < 0) {
		slot_fail(w, idx, s, HASH_STEP_READ, res);
		return;
	}
	ch->filled += (uint32_t)res;
	if (res > 0 && ch->filled < ch->len) {
		if (issue_read(w, idx, s, c))   /* short read: fetch the rest */
			slot_fail(w, idx, s, HASH_STEP_READ, -EBUSY);
		return;
	}
	ch->ready = true;
	hash_ready_chunks(w, idx, s);
}

static void on_open(struct worker *w, unsigned idx, struct slot *s, int res)
{
	struct stat st;

	if (res < 0) {
		slot_fail(w, idx, s, HASH_STEP_OPEN, res);
		return;
	}
	s->fd = res;
	if (fstat(s->fd, &st)) {
		slot_fail(w, idx, s, HASH_STEP_STAT, -errno);
		return;
	}
	hash_identity_of(&st, &s->res.before);
	s->res.before.fs_unverifiable = hash_fs_unverifiable(s->fd);
	if (!S_ISREG(st.st_mode)) {
		slot_fail(w, idx, s, HASH_STEP_TYPE, -EINVAL);
		return;
	}
	s->size0 = st.st_size == 0;
	s->mb = !s->size0 && (uint64_t)st.st_size <= MB_MAX && mb_manager(w);
	if (!s->mb && !EVP_DigestInit_ex2(s->md, w->e->sha256, NULL)) {
		slot_fail(w, idx, s, HASH_STEP_READ, -EIO);
		return;
	}
	if (w->e->o.hook)
		w->e->o.hook(w->e->o.hook_arg, s->res.path, HASH_STEP_READ);
	issue_reads(w, idx, s);
	if (!s->failed && !s->pending)
		hash_ready_chunks(w, idx, s);   /* nothing to read: empty file */
}

static void on_cqe(struct worker *w, struct io_uring_cqe *cqe)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	unsigned idx = (unsigned)(ud >> 8);
	enum op op = (enum op)((ud >> 1) & 3);
	struct slot *s;

	if (idx >= w->nslots)
		return;
	s = &w->slots[idx];
	s->pending--;
	switch (op) {
	case OP_OPEN:
		on_open(w, idx, s, cqe->res);
		break;
	case OP_READ:
		on_read(w, idx, s, (unsigned)(ud & 1), cqe->res);
		break;
	case OP_CLOSE:
		s->fd = -1;     /* a failed close still released the descriptor */
		slot_finish(w, s);
		break;
	}
}

static void slot_start(struct worker *w, unsigned idx, struct hash_result *req)
{
	struct slot *s = &w->slots[idx];
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct io_uring_sqe *sqe;

	if (w->e->o.no_follow)
		flags |= O_NOFOLLOW;
	s->busy = true;
	w->active++;
	s->fd = -1;
	s->pending = 0;
	s->failed = s->eof = s->size0 = s->mb = false;
	s->injected = 0;
	s->next_off = 0;
	memset(s->ch, 0, sizeof(s->ch));
	s->res = *req;
	if (w->e->o.hook)
		w->e->o.hook(w->e->o.hook_arg, s->res.path, HASH_STEP_OPEN);
	sqe = get_sqe(w);
	if (!sqe) {
		slot_fail(w, idx, s, HASH_STEP_OPEN, -EBUSY);
		return;
	}
	/* O_NONBLOCK: a FIFO or device must not block the ring before fstat refuses it. */
	io_uring_prep_openat(sqe, AT_FDCWD, s->res.path, flags, 0);
	io_uring_sqe_set_data64(sqe, user_data(idx, OP_OPEN, 0));
	s->pending++;
}

/* Takes queued requests into free slots; waits when the worker is idle.
 * false: time to exit. */
static bool refill(struct worker *w)
{
	struct hash_engine *e = w->e;
	bool run = true;

	flush_results(w);
	pthread_mutex_lock(&e->lock);
	for (;;) {
		struct hash_result req;

		/* Leave work to idle workers (two big files must go to two workers):
		 * a busy worker takes what they cannot, an idle one its share. */
		size_t quota = w->active ? (e->nreqs > e->idle ? e->nreqs - e->idle : 0)
					 : (e->nreqs + e->idle) / (e->idle + 1);

		for (unsigned i = 0; i < w->nslots && w->active < w->nslots && quota; i++) {
			if (w->slots[i].busy)
				continue;
			if (e->cancel)
				cancel_queued_locked(e, -ECANCELED);
			if (!pop_request_locked(e, &req))
				break;
			quota--;
			pthread_mutex_unlock(&e->lock);
			slot_start(w, i, &req);
			pthread_mutex_lock(&e->lock);
		}
		if (w->active)
			break;
		if (w->nout) {  /* requests that failed at once: hand them over first */
			pthread_mutex_unlock(&e->lock);
			flush_results(w);
			pthread_mutex_lock(&e->lock);
			continue;
		}
		if (e->closing && !e->nreqs) {
			run = false;
			break;
		}
		e->idle++;
		pthread_cond_broadcast(&e->start_cv);   /* engine_start waits for all to be idle */
		pthread_cond_wait(&e->work_cv, &e->lock);
		e->idle--;
	}
	pthread_mutex_unlock(&e->lock);
	return run;
}

static void reap(struct worker *w)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&w->ring, head, cqe) {
		on_cqe(w, cqe);
		n++;
	}
	io_uring_cq_advance(&w->ring, n);
}

/* The ring broke: every file of this worker gets an error result. */
static void abandon_slots(struct worker *w, int err)
{
	/* Drop the manager's files unhashed: they are abandoned like the rest. */
	while (w->mb && IMB_FLUSH_JOB(w->mb))
		;
	w->mb_queued = 0;
	for (unsigned i = 0; i < w->nslots; i++) {
		struct slot *s = &w->slots[i];

		if (!s->busy)
			continue;
		if (s->fd >= 0 && close(s->fd))
			fprintf(stderr, "kettle: hash engine: close: %s\n", strerror(errno));
		s->fd = -1;
		if (!s->failed) {
			s->res.step = HASH_STEP_CANCEL;
			s->res.error = err;
		}
		slot_finish(w, s);
	}
	flush_results(w);
}

static void lower_priority(void)
{
	struct sched_param sp = { 0 };
	pid_t tid = (pid_t)syscall(SYS_gettid);

	/* Best effort, each independently: the build keeps priority over hashing.
	 * Set before the ring is used, so its io-wq threads inherit them. */
	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp))
		fprintf(stderr, "kettle: hash engine: SCHED_IDLE refused\n");
	if (setpriority(PRIO_PROCESS, (id_t)tid, 19))
		fprintf(stderr, "kettle: hash engine: nice 19: %s\n", strerror(errno));
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, IOPRIO_IDLE))
		fprintf(stderr, "kettle: hash engine: idle I/O class: %s\n", strerror(errno));
}

static int ring_setup(struct worker *w)
{
	unsigned entries = w->nslots * 4;       /* <= 3 SQEs per file in flight */
	struct io_uring_params p = { .flags = IORING_SETUP_SINGLE_ISSUER |
					       IORING_SETUP_DEFER_TASKRUN |
					       IORING_SETUP_COOP_TASKRUN };
	struct iovec iov;
	int r = io_uring_queue_init_params(entries, &w->ring, &p);

	if (r == -EINVAL) {     /* kernel older than 6.1: plain ring */
		memset(&p, 0, sizeof(p));
		r = io_uring_queue_init_params(entries, &w->ring, &p);
	}
	if (r < 0)
		return r;
	w->ring_ok = true;
	iov.iov_base = w->region;
	iov.iov_len = w->region_len;
	/* Registered buffers skip per-read page pinning; without (RLIMIT_MEMLOCK)
	 * plain reads do the same work a little slower. */
	w->fixed_bufs = io_uring_register_buffers(&w->ring, &iov, 1) == 0;
	return 0;
}

/* Called with e->lock held: from here on the thread's clock may vanish. */
static void worker_exited_locked(struct worker *w)
{
	w->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	w->exited = true;
}

static void worker_started(struct worker *w, int err)
{
	struct hash_engine *e = w->e;

	pthread_mutex_lock(&e->lock);
	if (err)
		worker_exited_locked(w);
	w->error = err;
	w->started = true;
	e->started++;
	if (!err)
		e->live++;
	pthread_cond_broadcast(&e->start_cv);
	pthread_mutex_unlock(&e->lock);
}

static void worker_exit(struct worker *w, int err)
{
	struct hash_engine *e = w->e;

	pthread_mutex_lock(&e->lock);
	worker_exited_locked(w);
	if (err && !e->first_error)
		e->first_error = err;
	e->live--;
	if (!e->live)
		cancel_queued_locked(e, err ? err : -ECANCELED);
	pthread_mutex_unlock(&e->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int err;

	if (w->e->o.low_priority)
		lower_priority();
	err = ring_setup(w);
	worker_started(w, err);
	if (err)
		return NULL;
	while (refill(w)) {
		/* Nothing but files in the manager: no completion would ever come. */
		if (w->mb_queued && w->mb_queued == w->active) {
			mb_flush(w);
			continue;
		}
		err = io_uring_submit_and_wait(&w->ring, 1);
		if (err < 0 && err != -EINTR && err != -EAGAIN && err != -EBUSY) {
			abandon_slots(w, err);
			break;
		}
		err = 0;
		reap(w);
	}
	worker_exit(w, err);
	return NULL;
}

/* ---- setup and teardown ---- */

static unsigned slots_per_worker(unsigned workers)
{
	struct rlimit rl;
	rlim_t avail;

	/* Each file in flight holds a descriptor: stay well inside RLIMIT_NOFILE. */
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return SLOTS_MAX;
	avail = rl.rlim_cur > NOFILE_RESERVE * 2 ? rl.rlim_cur - NOFILE_RESERVE : rl.rlim_cur / 2;
	avail /= workers;
	return avail < 1 ? 1 : avail > SLOTS_MAX ? SLOTS_MAX : (unsigned)avail;
}

#define HUGE_PAGE (2u << 20)

/*
 * The buffers on 2 MiB pages where the kernel allows it: registering them
 * then pins a few huge pages instead of 1,024 small ones (measured: 10 ms of
 * start-up less on the 2-core VM, where every page fault is expensive).
 */
static uint8_t *huge_region(size_t len)
{
	size_t map_len = len + HUGE_PAGE;
	uint8_t *p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	end = start + len;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + map_len > end)
		munmap((void *)end, (uintptr_t)p + map_len - end);
	madvise((void *)start, len, MADV_HUGEPAGE);     /* a refusal only costs speed */
	return (uint8_t *)start;
}

static int worker_alloc(struct worker *w, struct hash_engine *e, unsigned nslots)
{
	w->e = e;
	w->nslots = nslots;
	w->slots = calloc(nslots, sizeof(*w->slots));
	w->out = calloc(nslots, sizeof(*w->out));
	if (!w->slots || !w->out)
		return -ENOMEM;
	w->region_len = (size_t)nslots * 2 * CHUNK;
	w->region = huge_region(w->region_len);
	if (!w->region)
		return -ENOMEM;
	for (unsigned i = 0; i < nslots; i++) {
		w->slots[i].buf = w->region + (size_t)i * 2 * CHUNK;
		w->slots[i].fd = -1;
		w->slots[i].md = EVP_MD_CTX_new();
		if (!w->slots[i].md)
			return -ENOMEM;
	}
	return 0;
}

static void worker_release(struct worker *w)
{
	if (w->ring_ok)
		io_uring_queue_exit(&w->ring);
	for (unsigned i = 0; w->slots && i < w->nslots; i++)
		EVP_MD_CTX_free(w->slots[i].md);
	free(w->slots);
	free(w->out);
	if (w->mb)
		free_mb_mgr(w->mb);
	if (w->region)
		munmap(w->region, w->region_len);
}

static void engine_release(struct hash_engine *e)
{
	for (unsigned i = 0; e->workers && i < e->nworkers; i++)
		worker_release(&e->workers[i]);
	free(e->workers);
	for (size_t i = 0; e->results && i < e->nresults; i++)
		free(e->results[(e->res_head + i) % e->cap].path);
	for (size_t i = 0; e->reqs && i < e->nreqs; i++)
		free(e->reqs[(e->req_head + i) % e->cap].path);
	free(e->reqs);
	free(e->results);
	EVP_MD_free(e->sha256);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->work_cv);
	pthread_cond_destroy(&e->result_cv);
	pthread_cond_destroy(&e->start_cv);
	free(e);
}

static int engine_alloc(struct hash_engine *e, const struct hash_engine_options *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nslots;

	e->o = *o;
	e->nworkers = o->workers ? o->workers : cpus > 0 ? (unsigned)cpus : 1;
	if (e->nworkers > HASH_WORKERS_MAX)
		e->nworkers = HASH_WORKERS_MAX;
	e->cap = o->queue_capacity ? o->queue_capacity : DEFAULT_QUEUE;
	if (e->cap > HASH_QUEUE_MAX)
		e->cap = HASH_QUEUE_MAX;
	e->reqs = calloc(e->cap, sizeof(*e->reqs));
	e->results = calloc(e->cap, sizeof(*e->results));
	e->workers = calloc(e->nworkers, sizeof(*e->workers));
	e->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);     /* once, not per file */
	if (!e->reqs || !e->results || !e->workers || !e->sha256)
		return -ENOMEM;
	nslots = slots_per_worker(e->nworkers);
	for (unsigned i = 0; i < e->nworkers; i++) {
		int r = worker_alloc(&e->workers[i], e, nslots);

		if (r)
			return r;
	}
	return 0;
}

/* Starts the threads and waits until each has its ring (or says why not). */
static int engine_start(struct hash_engine *e)
{
	int err = 0;

	for (unsigned i = 0; i < e->nworkers; i++) {
		int r = pthread_create(&e->workers[i].thread, NULL, worker_main, &e->workers[i]);

		if (r) {
			err = -r;       /* join only the threads that exist; free every worker */
			break;
		}
		e->nthreads++;
	}
	pthread_mutex_lock(&e->lock);
	while (e->started < e->nthreads)
		pthread_cond_wait(&e->start_cv, &e->lock);
	for (unsigned i = 0; i < e->nthreads && !err; i++)
		err = e->workers[i].error;
	/*
	 * Return only once every worker waits for work: a worker still starting
	 * is not counted idle, and the first one woken would take its share too
	 * (two big files hashed on one core).
	 */
	while (!err && e->idle < e->nworkers)
		pthread_cond_wait(&e->start_cv, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return err;
}

struct hash_engine *hash_engine_new(const struct hash_engine_options *o, char *err, size_t errlen)
{
	struct hash_engine_options none = { 0 };
	struct hash_engine *e = calloc(1, sizeof(*e));
	int r;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->work_cv, NULL);
	pthread_cond_init(&e->result_cv, NULL);
	pthread_cond_init(&e->start_cv, NULL);
	r = engine_alloc(e, o ? o : &none);
	if (r) {
		snprintf(err, errlen, "hash engine: %s", strerror(-r));
		engine_release(e);
		return NULL;
	}
	r = engine_start(e);
	if (r) {
		snprintf(err, errlen, "hash engine: io_uring: %s%s", strerror(-r),
			 r == -EPERM ? " (kernel.io_uring_disabled?)" : "");
		hash_engine_free(e);
		return NULL;
	}
	return e;
}

int hash_engine_submit(struct hash_engine *e, const char *path, uint64_t cookie)
{
	struct hash_result req = { .cookie = cookie };
	int r = 0;

	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&e->lock);
	if (e->closing)
		r = -EPIPE;
	else if (e->outstanding >= e->cap)
		r = -EAGAIN;
	else
		e->outstanding++;       /* reserve the place before copying outside the lock */
	pthread_mutex_unlock(&e->lock);
	if (r)
		return r;
	req.path = strdup(path);
	pthread_mutex_lock(&e->lock);
	if (!req.path) {
		e->outstanding--;
		r = -ENOMEM;
	} else {
		e->reqs[(e->req_head + e->nreqs) % e->cap] = req;
		e->nreqs++;
		if (!e->live)
			cancel_queued_locked(e, -ECANCELED);
		pthread_cond_signal(&e->work_cv);
	}
	pthread_mutex_unlock(&e->lock);
	return r;
}

size_t hash_engine_poll(struct hash_engine *e, struct hash_result *out, size_t max, int timeout_ms)
{
	struct timespec deadline;
	size_t n = 0;

	if (timeout_ms > 0)
		deadline = clock_deadline_ms(timeout_ms);
	pthread_mutex_lock(&e->lock);
	while (!e->nresults && e->outstanding && timeout_ms) {
		if (timeout_ms < 0)
			pthread_cond_wait(&e->result_cv, &e->lock);
		else if (pthread_cond_timedwait(&e->result_cv, &e->lock, &deadline) == ETIMEDOUT)
			break;
	}
	while (n < max && e->nresults) {
		out[n++] = e->results[e->res_head];
		e->res_head = (e->res_head + 1) % e->cap;
		e->nresults--;
		e->outstanding--;
	}
	pthread_mutex_unlock(&e->lock);
	return n;
}

void hash_engine_usage(struct hash_engine *e, struct hash_engine_usage *u)
{
	pthread_mutex_lock(&e->lock);
	u->cpu_ns = 0;
	u->bytes = e->bytes;
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];
		clockid_t clock;

		/* Not exited: the thread cannot leave worker_exit() while we hold the lock. */
		if (w->exited)
			u->cpu_ns += w->cpu_ns;
		else if (w->started && !pthread_getcpuclockid(w->thread, &clock))
			u->cpu_ns += clock_ns(clock);
	}
	pthread_mutex_unlock(&e->lock);
}

size_t hash_engine_outstanding(struct hash_engine *e)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->outstanding;
	pthread_mutex_unlock(&e->lock);
	return n;
}

int hash_engine_finish(struct hash_engine *e)
{
	int err;

	pthread_mutex_lock(&e->lock);
	e->closing = true;
	pthread_cond_broadcast(&e->work_cv);
	pthread_mutex_unlock(&e->lock);
	if (!e->joined) {
		for (unsigned i = 0; i < e->nthreads; i++)
			pthread_join(e->workers[i].thread, NULL);
		e->joined = true;
	}
	pthread_mutex_lock(&e->lock);
	err = e->first_error;
	pthread_mutex_unlock(&e->lock);
	return err;
}

void hash_engine_free(struct hash_engine *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->cancel = true;
	pthread_mutex_unlock(&e->lock);
	hash_engine_finish(e);
	engine_release(e);
}

/* ---- test hooks ---- */

static struct {
	long delay_ms;
	const char *unlink_open, *unlink_read;
} test_env;

static bool last_component_is(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return name && !strcmp(slash ? slash + 1 : path, name);
}

static void test_env_hook(void *arg, const char *path, enum hash_step step)
{
	(void)arg;
	if (step == HASH_STEP_OPEN && test_env.delay_ms > 0)
		nanosleep(&(struct timespec){ test_env.delay_ms / 1000,
					      (test_env.delay_ms % 1000) * 1000000l }, NULL);
	/* Exactly what another process deleting the file at this moment does. */
	if ((step == HASH_STEP_OPEN && last_component_is(path, test_env.unlink_open)) ||
	    (step == HASH_STEP_READ && last_component_is(path, test_env.unlink_read)))
		if (unlink(path))
			fprintf(stderr, "kettle: test hook: unlink %s: %s\n", path, strerror(errno));
}

void hash_engine_test_hooks(struct hash_engine_options *o)
{
	const char *delay = getenv("KETTLE_TEST_HASH_DELAY_MS");
	const char *eagain = getenv("KETTLE_TEST_HASH_READ_EAGAIN");

	test_env.delay_ms = delay ? atol(delay) : 0;
	test_env.unlink_open = getenv("KETTLE_TEST_HASH_UNLINK_BEFORE_OPEN");
	test_env.unlink_read = getenv("KETTLE_TEST_HASH_UNLINK_BEFORE_READ");
	if (getenv("KETTLE_TEST_HASH_NO_MULTIBUFFER"))
		o->no_multibuffer = true;
	if (eagain)
		o->test_read_eagain = (unsigned)strtoul(eagain, NULL, 10);
	if (test_env.delay_ms > 0 || test_env.unlink_open || test_env.unlink_read) {
		o->hook = test_env_hook;
		o->hook_arg = NULL;
	}
}
