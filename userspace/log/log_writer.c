// SPDX-License-Identifier: MIT
/*
 * Writes the CBOR build log (docs/log-format.md, userspace/log_format.h).
 *
 * The event path does no allocation once the tables have grown: strings,
 * open sites and process attributes are looked up in open-addressing hash
 * tables, and records are encoded straight into a 1 MiB buffer that is
 * written out with write(2) when full, at checkpoints and at the end.
 *
 * Those tables grow with the distinct paths, not with the events, but a
 * monorepo's build names millions of paths: when they pass a budget
 * (TABLE_BUDGET) the writer forgets them all, between two records, and
 * interns from scratch.  A string, site or environment is numbered by its
 * record's place among its kind, so a path seen again is simply written
 * again under the next number.  A forget record (version 6) marks the place:
 * no record after it names an older number, so the reader may drop what it
 * keeps per number too.  Ids stay global; the arrays hold the current
 * generation, from str_first, site_first, env_first.
 *
 * With LOG_COMPRESSION_ZSTD the file is one zstd frame whose content is that
 * same CBOR sequence, byte for byte: the SHA-256 in checkpoints and the
 * trailer is of the CBOR, never of the compressed bytes.  Each write of the
 * buffer ends a zstd block (ZSTD_e_flush), so the file is at every moment
 * what a reader can decompress up to the last record written out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cbor.h>
#include <openssl/evp.h>
#include <zstd.h>

#include "common/file_bytes.h"
#include "common/grow.h"
#include "common/index_table.h"
#include "log/log_format.h"
#include "log/log_writer.h"

#define WBUF_SIZE   (1u << 20)
#define HEAD_MAX    9            /* longest CBOR item head */
#define ARENA_CHUNK (1u << 20)
#define ARRAY_FIRST 1024         /* first capacity of a growing array (grow_array doubles it) */
#define TABLE_BUDGET (64u << 20)  /* bytes of strings, sites and environments before they are forgotten */
#define DELTA_MIN_LEN   64      /* shorter words are not worth a diff */
#define DELTA_MIN_MATCH 8       /* a copy costs up to 7 bytes: shorter matches go as literals */
#define DELTA_BASES     16      /* recent long words considered as the base of a diff */
#define DELTA_TRIES     3       /* of which this many are diffed in full */
#define DELTA_GRAM_BITS 12
#define DELTA_GRAMS     (1u << DELTA_GRAM_BITS)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct str_entry {
	const char *s;
	uint32_t len;
};

/* Everything an open site interns; compared and hashed as bytes, so no padding holes. */
struct site_key {
	uint32_t path, passed, path_flags, call;
	uint32_t mode, pad;
	uint64_t flags, dev, ino;
	int64_t size, mtime_ns, ctime_ns;
};

/* A piece of a diffed string: LIT_LEN bytes of its own from LIT, then LEN bytes of the base at OFF. */
struct delta_op {
	uint32_t lit, lit_len, off, len;
};

struct attrs {
	uint32_t uid, gid;
	uint64_t cgroup_id;
	uint32_t mntns, pad;
};

struct attr_slot {
	uint32_t tid, used;
	struct attrs a;
};

/* An environment written as a [16, ...] record: the ids of its strings. */
struct env_entry {
	uint32_t envc, flags, nvars;
	uint32_t *ids;
};

struct log_writer {
	int fd;
	int error;              /* sticky (fail): once a record's bytes began to fail, the log is unusable */
	bool finished;          /* trailer written */
	uint8_t *buf;
	size_t len;             /* bytes in buf */
	size_t hashed;          /* bytes of buf already fed to sha */
	uint64_t flushed;       /* CBOR bytes given to the file (compressed or not) */
	ZSTD_CCtx *zc;          /* NULL: the CBOR goes to the file as it is */
	uint8_t *zbuf;          /* compressed output, ZSTD_CStreamOutSize() bytes */
	size_t zcap;
	EVP_MD_CTX *sha, *sha_copy;

	struct arena_chunk *arena;
	struct str_entry *strs;
	uint32_t nstrs;
	size_t capstrs;
	uint32_t strings_max;   /* LOG_STRINGS_MAX, lower in a test */
	struct index_table str_index;

	struct site_key *sites;
	uint32_t nsites;
	size_t capsites;
	struct index_table site_index;
	uint32_t *path_site;    /* string id -> latest site of that path, LOG_REF_NONE: none */
	size_t cap_path_site;

	struct attr_slot *attr_slots;
	uint32_t attr_mask, nattrs;
	struct attrs last_attrs;

	struct log_site_cache site_cache;

	uint32_t recent_long[DELTA_BASES];      /* the latest long words: bases for a diff */
	uint32_t nlong;
	struct delta_op *ops;
	size_t capops;
	uint32_t ops_tail;
	int32_t *gram_pos;      /* DELTA_GRAMS entries: where each 4-byte hash last occurs in the base */

	uint32_t *argv_ids;
	size_t cap_argv_ids;

	struct env_entry *envs;
	uint32_t nenvs;
	size_t capenvs;
	struct index_table env_index;   /* by env_hash */

	uint32_t str_first, site_first, env_first;     /* the ids of strs[0], sites[0], envs[0] */
	size_t table_bytes;     /* what the tables of this generation take, about */
	size_t table_budget;    /* TABLE_BUDGET, lower in a test */

	uint64_t prev_ts;
	uint32_t prev_tgid;
	uint64_t events;
	uint64_t by_type[LOG_EV_TYPE_MAX];
};

/* ---- output buffer ---- */

/*
 * Remembers the first error: from then on every put is a no-op and every
 * call returns it, so a record is written as a plain run of puts and
 * checked once, at its end.
 */
static int fail(struct log_writer *w, int err)
{
	if (!w->error)
		w->error = err;
	return err;
}

static int hash_pending(struct log_writer *w)
{
	if (w->len > w->hashed &&
	    EVP_DigestUpdate(w->sha, w->buf + w->hashed, w->len - w->hashed) != 1)
		return fail(w, -EIO);
	w->hashed = w->len;
	return 0;
}

static int write_out(struct log_writer *w, const void *p, size_t n)
{
	ssize_t done = file_write_all(w->fd, p, n);

	if (done < 0)
		return fail(w, (int)done);
	if ((size_t)done < n)   /* a write that wrote nothing */
		return fail(w, -EIO);
	return 0;
}

/*
 * Compresses the buffer and writes what zstd gives back, until zstd holds
 * nothing: MODE ZSTD_e_flush ends a block, ZSTD_e_end the frame.
 */
static int write_compressed(struct log_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { w->buf, w->len, 0 };
	size_t left;
	int r;

	do {
		ZSTD_outBuffer out = { w->zbuf, w->zcap, 0 };

		left = ZSTD_compressStream2(w->zc, &out, &in, mode);
		if (ZSTD_isError(left))
			return fail(w, -EIO);
		r = write_out(w, w->zbuf, out.pos);
		if (r)
			return r;
	} while (left || in.pos < in.size);
	return 0;
}

/* Writes the buffer out; END also ends the zstd frame (the log's last write). */
static int flush_as(struct log_writer *w, bool end)
{
	int r;

	if (w->error)
		return w->error;
	r = hash_pending(w);
	if (r)
		return r;
	if (w->zc && (w->len || end))
		r = write_compressed(w, end ? ZSTD_e_end : ZSTD_e_flush);
	else if (!w->zc)
		r = write_out(w, w->buf, w->len);
	if (r)
		return r;
	w->flushed += w->len;
	w->len = w->hashed = 0;
	return 0;
}

static int flush(struct log_writer *w)
{
	return flush_as(w, false);
}

static int reserve(struct log_writer *w, size_t n)
{
	if (w->error)
		return w->error;
	if (WBUF_SIZE - w->len < n)
		return flush(w);
	return 0;
}

/* N is what a cbor_encode_* function returned: 0 means it did not fit. */
static void advance(struct log_writer *w, size_t n)
{
	if (n == 0)
		fail(w, -ENOBUFS);
	w->len += n;
}

/* ---- CBOR items: a put cannot fail, its error is sticky (fail) ---- */

static void put_uint(struct log_writer *w, uint64_t v)
{
	if (!reserve(w, HEAD_MAX))
		advance(w, cbor_encode_uint(v, w->buf + w->len, WBUF_SIZE - w->len));
}

/* Writes the negative integer -1 - N. */
static void put_negint(struct log_writer *w, uint64_t n)
{
	if (!reserve(w, HEAD_MAX))
		advance(w, cbor_encode_negint(n, w->buf + w->len, WBUF_SIZE - w->len));
}

static void put_int(struct log_writer *w, int64_t v)
{
	if (v >= 0)
		put_uint(w, (uint64_t)v);
	else
		put_negint(w, (uint64_t)(-(v + 1)));
}

/* CUR - PREV modulo 2^64, as whichever of +d / -d is smaller: exact for any pair. */
static void put_delta64(struct log_writer *w, uint64_t cur, uint64_t prev)
{
	uint64_t up = cur - prev;

	if (up <= INT64_MAX)
		put_uint(w, up);
	else
		put_negint(w, prev - cur - 1);
}

static void put_delta32(struct log_writer *w, uint32_t cur, uint32_t prev)
{
	uint32_t up = cur - prev;

	if (up <= INT32_MAX)
		put_uint(w, up);
	else
		put_negint(w, (uint32_t)(prev - cur) - 1);
}

static void put_array(struct log_writer *w, size_t n)
{
	if (!reserve(w, HEAD_MAX))
		advance(w, cbor_encode_array_start(n, w->buf + w->len, WBUF_SIZE - w->len));
}

static void put_bool(struct log_writer *w, bool b)
{
	if (!reserve(w, 1))
		advance(w, cbor_encode_bool(b, w->buf + w->len, WBUF_SIZE - w->len));
}

static void put_null(struct log_writer *w)
{
	if (!reserve(w, 1))
		advance(w, cbor_encode_null(w->buf + w->len, WBUF_SIZE - w->len));
}

static void put_raw(struct log_writer *w, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n && !reserve(w, 1)) {
		size_t k = WBUF_SIZE - w->len < n ? WBUF_SIZE - w->len : n;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* Linux names are bytes, not text: what is not UTF-8 goes out as a byte string. */
static void put_string(struct log_writer *w, const char *s, size_t n)
{
	if (reserve(w, HEAD_MAX))
		return;
	if (utf8_valid((const uint8_t *)s, n))
		advance(w, cbor_encode_string_start(n, w->buf + w->len, WBUF_SIZE - w->len));
	else
		advance(w, cbor_encode_bytestring_start(n, w->buf + w->len, WBUF_SIZE - w->len));
	put_raw(w, s, n);
}

static void put_opt_string(struct log_writer *w, const char *s)
{
	if (!s)
		put_null(w);
	else if (strlen(s) > LOG_STR_MAX)
		fail(w, -E2BIG);
	else
		put_string(w, s, strlen(s));
}

static void put_bytes(struct log_writer *w, const uint8_t *p, size_t n)
{
	if (reserve(w, HEAD_MAX))
		return;
	advance(w, cbor_encode_bytestring_start(n, w->buf + w->len, WBUF_SIZE - w->len));
	put_raw(w, p, n);
}

static void put_ref(struct log_writer *w, uint32_t id)
{
	if (id == LOG_REF_NONE)
		put_null(w);
	else
		put_uint(w, id);
}

/* ---- index tables ---- */

static bool str_equal(const struct log_writer *w, uint32_t id, const char *s, size_t n)
{
	const struct str_entry *e = &w->strs[id - w->str_first];

	return e->len == n && !memcmp(e->s, s, n);
}

static uint32_t find_string(const struct log_writer *w, uint64_t hash, const char *s, size_t n)
{
	const struct index_table *t = &w->str_index;

	for (uint32_t i = index_table_probe(t, hash); t->slots[i].id1; i = index_table_next(t, i))
		if (index_table_same_hash(t, i, hash) && str_equal(w, t->slots[i].id1 - 1, s, n))
			return t->slots[i].id1 - 1;
	return LOG_REF_NONE;
}

static uint32_t find_site(const struct log_writer *w, uint64_t hash, const struct site_key *k)
{
	const struct index_table *t = &w->site_index;

	for (uint32_t i = index_table_probe(t, hash); t->slots[i].id1; i = index_table_next(t, i))
		if (index_table_same_hash(t, i, hash) && !memcmp(&w->sites[t->slots[i].id1 - 1 - w->site_first], k, sizeof(*k)))
			return t->slots[i].id1 - 1;
	return LOG_REF_NONE;
}

static char *arena_copy(struct log_writer *w, const char *s, size_t n)
{
	struct arena_chunk *c = w->arena;
	char *p;

	if (!c || c->size - c->used < n + 1) {
		size_t size = n + 1 > ARENA_CHUNK ? n + 1 : ARENA_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = w->arena;
		c->used = 0;
		c->size = size;
		w->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

/* ---- string table ---- */

static int add_string(struct log_writer *w, uint64_t hash, const char *s, size_t n, uint32_t *id)
{
	char *copy;
	int r;

	if (w->nstrs >= w->strings_max)
		return -E2BIG;
	r = grow_array((void **)&w->strs, &w->capstrs, w->nstrs - w->str_first + 1, sizeof(*w->strs), ARRAY_FIRST);
	if (r)
		return r;
	copy = arena_copy(w, s, n);
	if (!copy)
		return -ENOMEM;
	r = index_table_insert(&w->str_index, hash, w->nstrs);
	if (r)
		return r;
	w->strs[w->nstrs - w->str_first] = (struct str_entry){ copy, (uint32_t)n };
	w->table_bytes += n + 1 + sizeof(*w->strs) + 2 * sizeof(struct index_slot) + sizeof(*w->path_site);
	*id = w->nstrs++;
	return 0;
}

/* A string stored whole; a long one becomes the base of the next long one's diff. */
static int add_word(struct log_writer *w, uint64_t hash, const char *s, size_t n, uint32_t *id)
{
	int r = add_string(w, hash, s, n, id);

	if (!r && n >= DELTA_MIN_LEN)
		w->recent_long[w->nlong++ % DELTA_BASES] = *id;
	return r;
}

/* Where a path splits into an interned directory and a suffix "/name"; 0 for none. */
static size_t path_split(const char *s, size_t n)
{
	const char *slash = memrchr(s, '/', n);

	return slash ? (size_t)(slash - s) : 0;
}

/* ---- diffed strings ---- */

static uint32_t gram_hash(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (v * 2654435761u) >> (32 - DELTA_GRAM_BITS);
}

static size_t match_len(const char *a, size_t na, const char *b, size_t nb)
{
	size_t n = 0;

	while (n < na && n < nb && a[n] == b[n])
		n++;
	return n;
}

static void index_base(struct log_writer *w, const char *base, size_t nb)
{
	memset(w->gram_pos, 0xff, DELTA_GRAMS * sizeof(*w->gram_pos));
	for (size_t j = 0; j + 4 <= nb; j++)
		w->gram_pos[gram_hash(base + j)] = (int32_t)j;
}

/* The longer of two candidates: where the last copy ended, and where the next 4 bytes occur. */
static size_t best_match(const struct log_writer *w, const char *s, size_t n, const char *base,
			 size_t nb, size_t expect, size_t *off)
{
	size_t best = expect < nb ? match_len(s, n, base + expect, nb - expect) : 0;
	int32_t j = n >= 4 ? w->gram_pos[gram_hash(s)] : -1;

	*off = expect;
	if (j >= 0) {
		size_t l = match_len(s, n, base + j, nb - (size_t)j);

		if (l > best) {
			best = l;
			*off = (size_t)j;
		}
	}
	return best;
}

static size_t uint_size(uint64_t v)
{
	return v < 24 ? 1 : v < 256 ? 2 : v < 65536 ? 3 : v <= UINT32_MAX ? 5 : 9;
}

static size_t int_size(int64_t v)
{
	return uint_size(v < 0 ? (uint64_t)(-(v + 1)) : (uint64_t)v);
}

/*
 * Greedy LZ77 against BASE: the ops that rebuild S, and what they cost in
 * bytes.  Kbuild's "sh -c" commands are 4 KiB each and differ only in the
 * file names, so this turns each into a few dozen bytes.
 */
static int diff_string(struct log_writer *w, const char *s, size_t n, const char *base, size_t nb,
		       uint32_t *nops, size_t *cost)
{
	size_t i = 0, lit = 0, expect = 0, off;
	int r;

	*nops = 0;
	*cost = 0;
	index_base(w, base, nb);
	while (i + DELTA_MIN_MATCH <= n) {
		size_t len = best_match(w, s + i, n - i, base, nb, expect, &off);

		if (len < DELTA_MIN_MATCH) {
			i++;
			continue;
		}
		r = grow_array((void **)&w->ops, &w->capops, *nops + 1, sizeof(*w->ops), ARRAY_FIRST);
		if (r)
			return r;
		w->ops[(*nops)++] = (struct delta_op){ (uint32_t)lit, (uint32_t)(i - lit),
						       (uint32_t)off, (uint32_t)len };
		*cost += uint_size(i - lit) + (i - lit) + int_size((int64_t)off - (int64_t)expect) +
			 uint_size(len);
		i += len;
		lit = i;
		expect = off + len;
	}
	*cost += uint_size(n - lit) + (n - lit);
	w->ops_tail = (uint32_t)lit;
	return 0;
}

/* Offsets go relative to where the previous copy ended: mostly a small number. */
static void put_diff(struct log_writer *w, const char *s, size_t n, uint32_t nops)
{
	int64_t expect = 0;

	put_array(w, (size_t)nops * 3 + 1);
	for (uint32_t k = 0; k < nops; k++) {
		const struct delta_op *op = &w->ops[k];

		put_string(w, s + op->lit, op->lit_len);
		put_int(w, (int64_t)op->off - expect);
		put_uint(w, op->len);
		expect = (int64_t)op->off + op->len;
	}
	put_string(w, s + w->ops_tail, n - w->ops_tail);
}

/* The recent long word that S diffs against most cheaply, or LOG_REF_NONE. */
static int pick_base(struct log_writer *w, const char *s, size_t n, uint32_t *best, size_t *best_cost)
{
	uint32_t count = w->nlong < DELTA_BASES ? w->nlong : DELTA_BASES;
	uint32_t cand[DELTA_TRIES], ncand = 0, nops;
	size_t cand_prefix[DELTA_TRIES], cost;
	int r;

	/* a diff is costly: only the words sharing the longest beginnings with S are tried */
	for (uint32_t k = 0; k < count; k++) {
		uint32_t id = w->recent_long[(w->nlong - 1 - k) % DELTA_BASES];
		const struct str_entry *e = &w->strs[id - w->str_first];
		size_t pre = match_len(s, n, e->s, e->len), at = ncand;

		while (at > 0 && cand_prefix[at - 1] < pre)
			at--;
		if (at >= DELTA_TRIES)
			continue;
		if (ncand < DELTA_TRIES)
			ncand++;
		memmove(cand + at + 1, cand + at, (ncand - 1 - at) * sizeof(*cand));
		memmove(cand_prefix + at + 1, cand_prefix + at, (ncand - 1 - at) * sizeof(*cand_prefix));
		cand[at] = id;
		cand_prefix[at] = pre;
	}
	*best = LOG_REF_NONE;
	*best_cost = SIZE_MAX;
	for (uint32_t k = 0; k < ncand; k++) {
		r = diff_string(w, s, n, w->strs[cand[k] - w->str_first].s, w->strs[cand[k] - w->str_first].len,
				&nops, &cost);
		if (r)
			return r;
		cost += uint_size(cand[k]);
		if (cost < *best_cost) {
			*best_cost = cost;
			*best = cand[k];
		}
	}
	return 0;
}

/* Writes [6, base, [literal, (doffset, length, literal)*]] when that is clearly smaller. */
static int try_diff_record(struct log_writer *w, const char *s, size_t n, bool *done)
{
	const struct str_entry *base;
	uint32_t nops, id;
	size_t cost;
	int r;

	*done = false;
	if (n < DELTA_MIN_LEN)
		return 0;
	r = pick_base(w, s, n, &id, &cost);
	if (r || id == LOG_REF_NONE || cost + 2 >= n)
		return r;
	base = &w->strs[id - w->str_first];
	r = diff_string(w, s, n, base->s, base->len, &nops, &cost);     /* again, for its ops */
	if (r)
		return r;
	put_array(w, STR_NFIELDS_PREFIXED);
	put_uint(w, LOG_REC_STRING);
	put_uint(w, id);
	put_diff(w, s, n, nops);
	*done = true;
	return w->error;
}

/* Directory levels split off a path; deeper ones stay in one string (bounds the recursion). */
#define SPLIT_DEPTH_MAX 64

/*
 * Interns S[0..N) and returns its id, writing its string record first if it
 * is new.  A path is stored as a reference to its directory plus "/name", so
 * that the thousands of headers in one directory share the directory's bytes.
 * SPLITS is how many more directory levels may be split off.  A refusal
 * before the record (too long, no memory to diff) leaves the writer usable.
 */
static int intern(struct log_writer *w, const char *s, size_t n, unsigned splits, uint32_t *id)
{
	uint64_t hash = hash_bytes(s, n);
	size_t split = splits ? path_split(s, n) : 0;
	uint32_t prefix = LOG_REF_NONE;
	bool done = false;
	int r;

	if (n > LOG_STR_MAX)
		return -E2BIG;
	*id = find_string(w, hash, s, n);
	if (*id != LOG_REF_NONE)
		return 0;
	if (split)
		r = intern(w, s, split, splits - 1, &prefix);
	else
		r = try_diff_record(w, s, n, &done);
	if (r)
		return r;
	if (!done) {
		put_array(w, split ? STR_NFIELDS_PREFIXED : STR_NFIELDS_PLAIN);
		put_uint(w, LOG_REC_STRING);
		if (split)
			put_uint(w, prefix);
		put_string(w, s + split, n - split);
	}
	/* the reader has numbered the record: a string left out would give the next one its number */
	r = split ? add_string(w, hash, s, n, id) : add_word(w, hash, s, n, id);
	if (r)
		fail(w, r);
	return w->error;
}

static int intern_opt(struct log_writer *w, const char *s, bool is_path, uint32_t *id)
{
	if (!s) {
		*id = LOG_REF_NONE;
		return 0;
	}
	return intern(w, s, strlen(s), is_path ? SPLIT_DEPTH_MAX : 0, id);
}

/* ---- open sites ---- */

static bool stat_is_zero(const struct site_key *k)
{
	return !k->dev && !k->ino && !k->size && !k->mtime_ns && !k->ctime_ns;
}

/* A file's identity, as a site's stat part and a digest's identity both write it. */
static void put_identity(struct log_writer *w, uint64_t dev, uint64_t ino, int64_t size, int64_t mtime_ns,
			 int64_t ctime_ns)
{
	put_uint(w, dev);
	put_uint(w, ino);
	put_int(w, size);
	put_int(w, mtime_ns);
	put_int(w, ctime_ns);
}

static void write_site(struct log_writer *w, const struct site_key *k)
{
	bool full = !stat_is_zero(k);

	put_array(w, full ? SITE_NFIELDS : SITE_NFIELDS_NOSTAT);
	put_uint(w, LOG_REC_SITE);
	put_uint(w, k->path);
	put_uint(w, k->path_flags);
	put_ref(w, k->passed);
	put_uint(w, k->call);
	put_uint(w, k->flags);
	put_uint(w, k->mode);
	if (full)
		put_identity(w, k->dev, k->ino, k->size, k->mtime_ns, k->ctime_ns);
}

/* Makes path_site hold PATH; done before a site record is written, so that no record goes out unregistered. */
static int path_site_room(struct log_writer *w, uint32_t path)
{
	size_t old = w->cap_path_site;
	int r = grow_array((void **)&w->path_site, &w->cap_path_site, path - w->str_first + 1, sizeof(*w->path_site),
			   ARRAY_FIRST);

	if (!r && w->cap_path_site > old)
		memset(w->path_site + old, 0xff, (w->cap_path_site - old) * sizeof(*w->path_site));
	return r;
}

static int intern_site(struct log_writer *w, const struct log_event *ev, uint32_t *id)
{
	struct site_key k;
	uint64_t hash;
	int r;

	memset(&k, 0, sizeof(k));
	r = intern_opt(w, ev->open.path, true, &k.path);
	if (!r)
		r = intern_opt(w, ev->open.passed, true, &k.passed);
	if (r)
		return r;
	if (k.path == LOG_REF_NONE)
		return -EINVAL;
	k.path_flags = ev->open.path_flags;
	k.call = ev->open.call;
	k.mode = ev->open.mode;
	k.flags = ev->open.flags;
	k.dev = ev->open.dev;
	k.ino = ev->open.ino;
	k.size = ev->open.size;
	k.mtime_ns = ev->open.mtime_ns;
	k.ctime_ns = ev->open.ctime_ns;
	hash = hash_bytes(&k, sizeof(k));
	*id = find_site(w, hash, &k);
	if (*id != LOG_REF_NONE)
		return 0;
	if (w->nsites >= LOG_SITES_MAX)
		return -E2BIG;
	r = grow_array((void **)&w->sites, &w->capsites, w->nsites - w->site_first + 1, sizeof(*w->sites),
		       ARRAY_FIRST);
	if (!r)
		r = path_site_room(w, k.path);
	if (r)
		return r;
	write_site(w, &k);
	/* the reader has numbered the record: a failure from here on is sticky, as in intern */
	r = index_table_insert(&w->site_index, hash, w->nsites);
	if (r)
		fail(w, r);
	w->sites[w->nsites - w->site_first] = k;
	w->path_site[k.path - w->str_first] = w->nsites;
	w->table_bytes += sizeof(k) + 2 * sizeof(struct index_slot);
	*id = w->nsites++;
	return w->error;
}

/* ---- process attributes ---- */

static const struct attrs *attr_lookup(const struct log_writer *w, uint32_t tid)
{
	for (uint32_t i = log_attr_pos(tid, w->attr_mask); w->attr_slots[i].used; i = (i + 1) & w->attr_mask)
		if (w->attr_slots[i].tid == tid)
			return &w->attr_slots[i].a;
	return NULL;
}

static void attr_place(struct attr_slot *slots, uint32_t mask, uint32_t tid, const struct attrs *a)
{
	uint32_t i = log_attr_pos(tid, mask);

	while (slots[i].used && slots[i].tid != tid)
		i = (i + 1) & mask;
	slots[i].used = 1;
	slots[i].tid = tid;
	slots[i].a = *a;
}

static int attr_grow(struct log_writer *w)
{
	uint32_t cap = (w->attr_mask + 1) * 2;
	struct attr_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i <= w->attr_mask; i++)
		if (w->attr_slots[i].used)
			attr_place(s, cap - 1, w->attr_slots[i].tid, &w->attr_slots[i].a);
	free(w->attr_slots);
	w->attr_slots = s;
	w->attr_mask = cap - 1;
	return 0;
}

static int attr_store(struct log_writer *w, uint32_t tid, const struct attrs *a)
{
	if (!attr_lookup(w, tid)) {
		if ((w->nattrs + 1) * 2 > w->attr_mask + 1) {
			int r = attr_grow(w);

			if (r)
				return r;
		}
		w->nattrs++;
	}
	attr_place(w->attr_slots, w->attr_mask, tid, a);
	w->last_attrs = *a;
	return 0;
}

/* The rule the reader repeats: the tid's own, else its process's, else the last written. */
static const struct attrs *attr_resolve(const struct log_writer *w, uint32_t tgid, uint32_t tid)
{
	const struct attrs *a = attr_lookup(w, tid);

	if (!a)
		a = attr_lookup(w, tgid);
	return a ? a : &w->last_attrs;
}

static void ensure_attrs(struct log_writer *w, const struct log_event *ev)
{
	struct attrs a = { .uid = ev->uid, .gid = ev->gid, .cgroup_id = ev->cgroup_id,
			   .mntns = ev->mntns };
	int r;

	if (!memcmp(attr_resolve(w, ev->tgid, ev->tid), &a, sizeof(a)))
		return;
	put_array(w, ATTR_NFIELDS);
	put_uint(w, LOG_REC_ATTRS);
	put_uint(w, ev->tid);
	put_uint(w, a.uid);
	put_uint(w, a.gid);
	put_uint(w, a.cgroup_id);
	put_uint(w, a.mntns);
	/* the reader resolves with A from here on; a writer that did not could leave out a record it needs */
	r = attr_store(w, ev->tid, &a);
	if (r)
		fail(w, r);
}

/* ---- events ---- */

/* The array head and [kind, dt, dtgid]; NFIELDS counts every field but the optional tid. */
static void put_event_head(struct log_writer *w, const struct log_event *ev, size_t nfields)
{
	put_array(w, nfields + (ev->tid != ev->tgid));
	put_uint(w, log_event_record_kind(ev->type));
	put_delta64(w, ev->ts_ns, w->prev_ts);
	put_delta32(w, ev->tgid, w->prev_tgid);
	w->prev_ts = ev->ts_ns;
	w->prev_tgid = ev->tgid;
}

static void put_event_tail(struct log_writer *w, const struct log_event *ev)
{
	if (ev->tid != ev->tgid)
		put_delta32(w, ev->tid, ev->tgid);
}

static int write_fork(struct log_writer *w, const struct log_event *ev)
{
	ensure_attrs(w, ev);
	put_event_head(w, ev, FORK_NFIELDS);
	put_delta32(w, ev->fork.child_tgid, ev->tgid);
	return w->error;
}

static int write_exit(struct log_writer *w, const struct log_event *ev)
{
	ensure_attrs(w, ev);
	put_event_head(w, ev, EXIT_NFIELDS);
	put_int(w, ev->exit.status);
	return w->error;
}

/* Interns an argv-like list into w->argv_ids; NULL entries stay NULL. */
static int intern_list(struct log_writer *w, const char *const *v, uint32_t n, uint32_t max)
{
	int r;

	if (n > max || (n && !v))
		return -E2BIG;
	r = grow_array((void **)&w->argv_ids, &w->cap_argv_ids, n, sizeof(uint32_t), ARRAY_FIRST);
	for (uint32_t i = 0; !r && i < n; i++)
		r = intern_opt(w, v[i], false, &w->argv_ids[i]);
	return r;
}

static void put_ref_list(struct log_writer *w, uint32_t n)
{
	put_array(w, n);
	for (uint32_t i = 0; i < n; i++)
		put_ref(w, w->argv_ids[i]);
}

/* ---- environments ---- */

/* Over the strings' bytes: an exec whose environment was seen before costs no string lookup. */
static uint64_t env_hash(const struct log_env *e)
{
	uint64_t h = hash_bytes(e, 2 * sizeof(uint32_t));  /* envc, flags */

	for (uint32_t i = 0; i < e->nvars; i++)
		h = (h ^ hash_bytes(e->vars[i], strlen(e->vars[i]))) * 0x100000001b3ull;
	return h;
}

static bool env_equal(const struct log_writer *w, const struct env_entry *x, const struct log_env *e)
{
	if (x->envc != e->envc || x->flags != e->flags || x->nvars != e->nvars)
		return false;
	for (uint32_t i = 0; i < e->nvars; i++)
		if (!str_equal(w, x->ids[i], e->vars[i], strlen(e->vars[i])))
			return false;
	return true;
}

static void write_env(struct log_writer *w, const struct env_entry *x)
{
	put_array(w, ENV_NFIELDS);
	put_uint(w, LOG_REC_ENV);
	put_uint(w, x->envc);
	put_uint(w, x->flags);
	put_array(w, x->nvars);
	for (uint32_t i = 0; i < x->nvars; i++)
		put_uint(w, x->ids[i]);
}

/* The number of environment E (NULL: LOG_REF_NONE), writing its strings and record first when it is new. */
static int intern_env(struct log_writer *w, const struct log_env *e, uint32_t *id)
{
	const struct index_table *t = &w->env_index;
	struct env_entry x;
	uint64_t hash;
	int r;

	*id = LOG_REF_NONE;
	if (!e)
		return 0;
	if (e->nvars > LOG_ENV_VARS_MAX || (e->nvars && !e->vars) || (e->flags & ~(uint32_t)LOG_ENV_FLAGS_ALL))
		return -EINVAL;
	for (uint32_t i = 0; i < e->nvars; i++)
		if (!e->vars[i])
			return -EINVAL;
	hash = env_hash(e);
	for (uint32_t i = index_table_probe(t, hash); t->slots[i].id1; i = index_table_next(t, i))
		if (index_table_same_hash(t, i, hash) && env_equal(w, &w->envs[t->slots[i].id1 - 1 - w->env_first], e)) {
			*id = t->slots[i].id1 - 1;
			return 0;
		}
	if (w->nenvs >= LOG_ENVS_MAX)
		return -E2BIG;
	r = grow_array((void **)&w->envs, &w->capenvs, w->nenvs - w->env_first + 1, sizeof(*w->envs), ARRAY_FIRST);
	if (r)
		return r;
	x = (struct env_entry){ e->envc, e->flags, e->nvars, malloc((e->nvars ? e->nvars : 1) * sizeof(uint32_t)) };
	if (!x.ids)
		return -ENOMEM;
	for (uint32_t i = 0; !r && i < e->nvars; i++)
		r = intern_opt(w, e->vars[i], false, &x.ids[i]);
	if (r) {
		free(x.ids);
		return r;
	}
	write_env(w, &x);
	/* the reader has numbered the record: a failure from here on is sticky, as in intern */
	r = index_table_insert(&w->env_index, hash, w->nenvs);
	if (r)
		fail(w, r);
	w->envs[w->nenvs - w->env_first] = x;
	w->table_bytes += sizeof(x) + x.nvars * sizeof(*x.ids) + 2 * sizeof(struct index_slot);
	*id = w->nenvs++;
	return w->error;
}

static int write_exec(struct log_writer *w, const struct log_event *ev)
{
	uint32_t exe, filename, cwd, env;
	int r = intern_env(w, ev->exec.env, &env);

	if (!r)
		r = intern_opt(w, ev->exec.exe, true, &exe);
	if (!r)
		r = intern_opt(w, ev->exec.filename, true, &filename);
	if (!r)
		r = intern_opt(w, ev->exec.cwd, true, &cwd);
	if (!r)
		r = intern_list(w, ev->exec.argv, ev->exec.nargv, LOG_ARGV_MAX);
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, EXEC_NFIELDS);
	put_ref(w, exe);
	put_uint(w, ev->exec.exe_flags);
	put_ref(w, filename);
	put_ref(w, cwd);
	put_uint(w, ev->exec.cwd_flags);
	put_uint(w, ev->exec.ppid);
	put_uint(w, ev->exec.argc);
	put_bool(w, ev->exec.argv_truncated);
	put_ref_list(w, ev->exec.nargv);
	put_ref(w, env);
	return w->error;
}

static int write_proc_snapshot(struct log_writer *w, const struct log_event *ev)
{
	uint32_t exe, cwd;
	int r;

	if (ev->proc_snapshot.flags & ~(uint32_t)LOG_SNAP_FLAGS_ALL)
		return -EINVAL;
	r = intern_opt(w, ev->proc_snapshot.exe, true, &exe);
	if (!r)
		r = intern_opt(w, ev->proc_snapshot.cwd, true, &cwd);
	if (!r)
		r = intern_list(w, ev->proc_snapshot.argv, ev->proc_snapshot.nargv, LOG_ARGV_MAX);
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, SNAP_NFIELDS);
	put_uint(w, ev->proc_snapshot.ppid);
	put_ref(w, exe);
	put_uint(w, ev->proc_snapshot.exe_flags);
	put_ref(w, cwd);
	put_uint(w, ev->proc_snapshot.cwd_flags);
	put_uint(w, ev->proc_snapshot.argc);
	put_bool(w, ev->proc_snapshot.argv_truncated);
	put_ref_list(w, ev->proc_snapshot.nargv);
	put_uint(w, ev->proc_snapshot.start_boot_ns);
	put_uint(w, ev->proc_snapshot.flags);
	return w->error;
}

/* The address without its zero tail: 0, 4 or 16 bytes, so an IPv4 address costs 5. */
static size_t addr_len(const uint8_t addr[16])
{
	for (size_t i = 15; i >= 4; i--)
		if (addr[i])
			return 16;
	return addr[0] | addr[1] | addr[2] | addr[3] ? 4 : 0;
}

static int write_net(struct log_writer *w, const struct log_event *ev)
{
	uint32_t upath;
	int r;

	if (ev->net.dns > LOG_DNS_UNDECODABLE)
		return -EINVAL;
	r = intern_opt(w, ev->net.unix_path, true, &upath);
	if (!r)
		r = intern_list(w, ev->net.dns_names, ev->net.ndns_names, LOG_DNS_NAMES_MAX);
	for (uint32_t i = 0; !r && i < ev->net.ndns_names; i++)
		if (w->argv_ids[i] == LOG_REF_NONE)
			r = -EINVAL;    /* a NULL name means nothing */
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, NET_NFIELDS);
	put_uint(w, ev->net.call);
	put_int(w, ev->net.result);
	put_int(w, ev->net.fd);
	put_uint(w, ev->net.family);
	put_uint(w, ev->net.sock_type);
	put_uint(w, ev->net.protocol);
	put_uint(w, ev->net.flags);
	put_uint(w, ev->net.addr_source);
	put_uint(w, ev->net.port);
	put_bytes(w, ev->net.addr, addr_len(ev->net.addr));
	put_ref(w, upath);
	put_uint(w, ev->net.dns);
	put_ref_list(w, ev->net.ndns_names);
	return w->error;
}

static int write_file_op(struct log_writer *w, const struct log_event *ev)
{
	uint32_t path, path2, target;
	int r = intern_opt(w, ev->file_op.path, true, &path);

	if (!r)
		r = intern_opt(w, ev->file_op.path2, true, &path2);
	if (!r)
		r = intern_opt(w, ev->file_op.target, false, &target);
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, FOP_NFIELDS);
	put_uint(w, ev->file_op.call);
	put_int(w, ev->file_op.result);
	put_ref(w, path);
	put_uint(w, ev->file_op.path_flags);
	put_ref(w, path2);
	put_uint(w, ev->file_op.path2_flags);
	put_ref(w, target);
	put_uint(w, ev->file_op.flags);
	put_uint(w, ev->file_op.mode);
	put_int(w, ev->file_op.length);
	return w->error;
}

static int write_notice(struct log_writer *w, const struct log_event *ev)
{
	if (ev->notice.what == 0 || ev->notice.what >= LOG_NOTICE_WHAT_MAX)
		return -EINVAL;
	ensure_attrs(w, ev);
	put_event_head(w, ev, NOTICE_NFIELDS);
	put_uint(w, ev->notice.what);
	put_uint(w, ev->notice.nr);
	put_int(w, ev->notice.result);
	put_uint(w, ev->notice.arg0);
	put_uint(w, ev->notice.arg1);
	return w->error;
}

static int write_exec_failed(struct log_writer *w, const struct log_event *ev)
{
	uint32_t filename, path;
	int r = intern_opt(w, ev->exec_failed.filename, true, &filename);

	if (!r)
		r = intern_opt(w, ev->exec_failed.path, true, &path);
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, EXECF_NFIELDS);
	put_int(w, ev->exec_failed.err);
	put_ref(w, filename);
	put_ref(w, path);
	put_uint(w, ev->exec_failed.path_flags);
	put_uint(w, ev->exec_failed.ppid);
	return w->error;
}

static int write_open(struct log_writer *w, const struct log_event *ev)
{
	uint32_t site;
	int r = intern_site(w, ev, &site);

	/* the site cache moves with the opens the reader sees: a refused one is not among them */
	if (r)
		return r;
	ensure_attrs(w, ev);
	put_event_head(w, ev, OPEN_NFIELDS);
	put_delta32(w, site, log_site_base(&w->site_cache, ev->tgid) + 1);
	put_int(w, ev->open.result);
	log_site_seen(&w->site_cache, ev->tgid, site);
	return w->error;
}

/* ---- forgetting: a new generation of the tables (see the top of the file) ---- */

/*
 * Called only where a record begins, so that no id of the old generation
 * is held half-way through interning one.
 */
static int forget_tables(struct log_writer *w)
{
	/* tells the reader it may drop its per-id tables too */
	put_array(w, FORGET_NFIELDS);
	put_uint(w, LOG_REC_FORGET);
	put_uint(w, w->nstrs);
	put_uint(w, w->nsites);
	put_uint(w, w->nenvs);
	if (w->error)
		return w->error;
	while (w->arena) {
		struct arena_chunk *next = w->arena->next;

		free(w->arena);
		w->arena = next;
	}
	free(w->strs);
	w->strs = NULL;
	w->capstrs = 0;
	free(w->sites);
	w->sites = NULL;
	w->capsites = 0;
	free(w->path_site);
	w->path_site = NULL;
	w->cap_path_site = 0;
	for (uint32_t i = 0; i < w->nenvs - w->env_first; i++)
		free(w->envs[i].ids);
	free(w->envs);
	w->envs = NULL;
	w->capenvs = 0;
	index_table_free(&w->str_index);
	index_table_free(&w->site_index);
	index_table_free(&w->env_index);
	w->str_first = w->nstrs;
	w->site_first = w->nsites;
	w->env_first = w->nenvs;
	w->nlong = 0;           /* diff bases are strings of the old generation */
	w->table_bytes = 0;
	if (index_table_init(&w->str_index, 4096) || index_table_init(&w->site_index, 4096) ||
	    index_table_init(&w->env_index, 256))
		return fail(w, -ENOMEM);
	return 0;
}

static int tables_within_budget(struct log_writer *w)
{
	return w->table_bytes > w->table_budget ? forget_tables(w) : 0;
}

int log_write_event(struct log_writer *w, const struct log_event *ev)
{
	int r;

	if (w->error)
		return w->error;
	if (tables_within_budget(w))
		return w->error;
	if (w->finished)
		return -EINVAL;
	switch (ev->type) {
	case LOG_EV_FORK:
		r = write_fork(w, ev);
		break;
	case LOG_EV_EXIT:
		r = write_exit(w, ev);
		break;
	case LOG_EV_EXEC:
		r = write_exec(w, ev);
		break;
	case LOG_EV_EXEC_FAILED:
		r = write_exec_failed(w, ev);
		break;
	case LOG_EV_OPEN:
		r = write_open(w, ev);
		break;
	case LOG_EV_PROC_SNAPSHOT:
		r = write_proc_snapshot(w, ev);
		break;
	case LOG_EV_NET:
		r = write_net(w, ev);
		break;
	case LOG_EV_FILE_OP:
		r = write_file_op(w, ev);
		break;
	case LOG_EV_NOTICE:
		r = write_notice(w, ev);
		break;
	default:
		return -EINVAL;
	}
	if (r)
		return r;
	put_event_tail(w, ev);
	if (w->error)
		return w->error;
	w->events++;
	w->by_type[ev->type]++;
	return 0;
}

/* ---- what the hasher found ---- */

static bool identity_zero(const struct log_digest *d)
{
	return !d->dev && !d->ino && !d->size && !d->mtime_ns && !d->ctime_ns;
}

/* The latest open site of PATH when its stat part is D's identity (the usual unchanged input), else none. */
static uint32_t same_identity_site(const struct log_writer *w, uint32_t path, const struct log_digest *d)
{
	const struct site_key *k;

	uint32_t site;

	if (path < w->str_first || path - w->str_first >= w->cap_path_site ||
	    (site = w->path_site[path - w->str_first]) == LOG_REF_NONE)
		return LOG_REF_NONE;
	k = &w->sites[site - w->site_first];
	if (k->dev != d->dev || k->ino != d->ino || k->size != d->size ||
	    k->mtime_ns != d->mtime_ns || k->ctime_ns != d->ctime_ns)
		return LOG_REF_NONE;
	return site;
}

/* The SHA-256 for a RESULT of 0, else RESULT (-errno). */
static void put_outcome(struct log_writer *w, int32_t result, const uint8_t sha256[32])
{
	if (result)
		put_int(w, result);
	else
		put_bytes(w, sha256, 32);
}

/* [11, kind, path, dt, sha256 / -errno, flags, (site | dev, ino, size, mtime_ns, ctime_ns)?] */
int log_write_digest(struct log_writer *w, const struct log_digest *d)
{
	uint32_t path, site = LOG_REF_NONE;
	bool zero = identity_zero(d);
	int r;

	if (w->error)
		return w->error;
	if (tables_within_budget(w))
		return w->error;
	if (w->finished || !d->path || d->result > 0 || d->kind < LOG_DIGEST_INPUT ||
	    d->kind > LOG_DIGEST_OUTPUT)
		return -EINVAL;
	r = intern_opt(w, d->path, true, &path);
	if (r)
		return r;
	if (!zero)
		site = same_identity_site(w, path, d);
	put_array(w, zero ? DG_NFIELDS_NOID : site != LOG_REF_NONE ? DG_NFIELDS_SITE : DG_NFIELDS);
	put_uint(w, LOG_REC_DIGEST);
	put_uint(w, d->kind);
	put_uint(w, path);
	put_delta64(w, d->boot_ns, w->prev_ts);
	put_outcome(w, d->result, d->sha256);
	put_uint(w, d->flags);
	if (site != LOG_REF_NONE)
		put_uint(w, site);
	else if (!zero)
		put_identity(w, d->dev, d->ino, d->size, d->mtime_ns, d->ctime_ns);
	return w->error;
}

/* ---- what the kernel module measured ---- */

static void put_uints(struct log_writer *w, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_uint(w, v[i]);
}

/* [17, dt, tgid, tid, uid, gid, cgroup_id, path, sha256 / -errno, flags, bytes_hashed, dev, ino,
 *  generation, size, mtime_ns, ctime_ns, i_version] */
int log_write_kmod_exec(struct log_writer *w, const struct log_kmod_exec *k)
{
	uint32_t path;
	int r;

	if (w->error)
		return w->error;
	if (tables_within_budget(w))
		return w->error;
	if (w->finished || k->result > 0 || (k->flags & ~LOG_KMOD_FLAGS_ALL) ||
	    !k->path != !!(k->flags & LOG_KMOD_PATH_ERROR))
		return -EINVAL;
	r = intern_opt(w, k->path, true, &path);
	if (r)
		return r;
	put_array(w, KX_NFIELDS);
	put_uint(w, LOG_REC_KMOD_EXEC);
	put_delta64(w, k->ts_ns, w->prev_ts);
	put_uints(w, (const uint64_t[]){ k->tgid, k->tid, k->uid, k->gid, k->cgroup_id }, 5);
	put_ref(w, path);
	put_outcome(w, k->result, k->sha256);
	put_uints(w, (const uint64_t[]){ k->flags, k->bytes_hashed, k->dev, k->ino, k->generation }, 5);
	put_int(w, k->size);
	put_int(w, k->mtime_ns);
	put_int(w, k->ctime_ns);
	put_uint(w, k->i_version);
	return w->error;
}

int log_write_kmod_stats(struct log_writer *w, const struct log_kmod_stats *k)
{
	if (w->error)
		return w->error;
	if (w->finished)
		return -EINVAL;
	put_array(w, KS_NFIELDS);
	put_uint(w, LOG_REC_KMOD_STATS);
	put_uints(w, (const uint64_t[]){ k->measured, k->cache_hits, k->hashed_bytes, k->errors,
					 k->dropped, k->received, k->bad_records }, KS_NFIELDS - 1);
	return w->error;
}

/* String fields of an exec identity, interned; refs in w->argv_ids for the needed list. */
struct xi_refs {
	uint32_t path, build_id, interp, soname, runpath, script_interp, script_arg;
};

static int intern_exec_ident(struct log_writer *w, const struct log_exec_ident *e, struct xi_refs *x)
{
	int r = intern_opt(w, e->path, true, &x->path);

	if (!r)
		r = intern_opt(w, e->build_id, false, &x->build_id);
	if (!r)
		r = intern_opt(w, e->interp, true, &x->interp);
	if (!r)
		r = intern_opt(w, e->soname, false, &x->soname);
	if (!r)
		r = intern_opt(w, e->runpath, false, &x->runpath);
	if (!r)
		r = intern_opt(w, e->script_interp, true, &x->script_interp);
	if (!r)
		r = intern_opt(w, e->script_arg, false, &x->script_arg);
	if (!r)
		r = intern_list(w, e->needed, e->nneeded, LOG_NEEDED_MAX);
	for (uint32_t i = 0; !r && i < e->nneeded; i++)
		if (w->argv_ids[i] == LOG_REF_NONE)
			r = -EINVAL;    /* a NULL library name means nothing */
	return r;
}

/* The record's length: it ends after the last field that is not null / 0 / []. */
static size_t exec_ident_nfields(const struct log_exec_ident *e, const struct xi_refs *x)
{
	const bool present[XI_NFIELDS] = {
		[XI_FILE_KIND] = e->kind != LOG_FILE_OTHER, [XI_CLASS] = e->elf_class != 0,
		[XI_MACHINE] = e->elf_machine != 0, [XI_BUILD_ID] = x->build_id != LOG_REF_NONE,
		[XI_INTERP] = x->interp != LOG_REF_NONE, [XI_SONAME] = x->soname != LOG_REF_NONE,
		[XI_RUNPATH] = x->runpath != LOG_REF_NONE, [XI_NEEDED] = e->nneeded != 0,
		[XI_SCRIPT_INTERP] = x->script_interp != LOG_REF_NONE,
		[XI_SCRIPT_ARG] = x->script_arg != LOG_REF_NONE,
	};
	size_t n = XI_NFIELDS;

	while (n > XI_NFIELDS_MIN && !present[n - 1])
		n--;
	return n;
}

static void put_exec_ident_field(struct log_writer *w, const struct log_exec_ident *e,
				 const struct xi_refs *x, size_t field)
{
	switch (field) {
	case XI_FILE_KIND:
		put_uint(w, e->kind);
		break;
	case XI_CLASS:
		put_uint(w, e->elf_class);
		break;
	case XI_MACHINE:
		put_uint(w, e->elf_machine);
		break;
	case XI_BUILD_ID:
		put_ref(w, x->build_id);
		break;
	case XI_INTERP:
		put_ref(w, x->interp);
		break;
	case XI_SONAME:
		put_ref(w, x->soname);
		break;
	case XI_RUNPATH:
		put_ref(w, x->runpath);
		break;
	case XI_NEEDED:
		put_array(w, e->nneeded);
		for (uint32_t i = 0; i < e->nneeded; i++)
			put_uint(w, w->argv_ids[i]);
		break;
	case XI_SCRIPT_INTERP:
		put_ref(w, x->script_interp);
		break;
	default:
		put_ref(w, x->script_arg);
	}
}

int log_write_exec_ident(struct log_writer *w, const struct log_exec_ident *e)
{
	struct xi_refs x;
	size_t n;
	int r;

	if (w->error)
		return w->error;
	if (tables_within_budget(w))
		return w->error;
	if (w->finished || !e->path || e->result > 0 || (unsigned)e->kind > LOG_FILE_KIND_LAST ||
	    (e->nneeded && !e->needed))
		return -EINVAL;
	if (e->nneeded > LOG_NEEDED_MAX)
		return -E2BIG;
	r = intern_exec_ident(w, e, &x);
	if (r)
		return r;
	n = exec_ident_nfields(e, &x);
	put_array(w, n);
	put_uint(w, LOG_REC_EXEC_IDENT);
	put_uint(w, x.path);
	put_int(w, e->result);
	for (size_t i = XI_FILE_KIND; i < n; i++)
		put_exec_ident_field(w, e, &x, i);
	return w->error;
}

/* ---- header, checkpoints, trailer ---- */

static void put_string_array(struct log_writer *w, const char *const *v, uint32_t n)
{
	put_array(w, n);
	for (uint32_t i = 0; i < n; i++)
		put_opt_string(w, v[i]);
}

static void put_options(struct log_writer *w, const struct log_option *o, uint32_t n)
{
	put_array(w, (size_t)n * 2);
	for (uint32_t i = 0; i < n; i++) {
		put_opt_string(w, o[i].key);
		put_opt_string(w, o[i].value);
	}
}

static int write_header(struct log_writer *w, const struct log_header *h)
{
	if (h->ncommand > LOG_COMMAND_MAX || h->noptions > LOG_OPTIONS_MAX ||
	    h->nsecret_patterns > LOG_SECRET_PATTERNS_MAX || (h->ncommand && !h->command) ||
	    (h->noptions && !h->options) || (h->nsecret_patterns && !h->secret_patterns))
		return -E2BIG;
	if (h->env_mode != LOG_ENV_NOT_RECORDED && h->env_mode != LOG_ENV_RECORDED)
		return -EINVAL;
	put_array(w, HDR_NFIELDS);
	put_uint(w, LOG_REC_HEADER);
	put_string(w, LOG_MAGIC, strlen(LOG_MAGIC));
	put_uint(w, LOG_FORMAT_VERSION);
	put_opt_string(w, h->kettle_version);
	put_opt_string(w, h->host);
	put_opt_string(w, h->kernel_release);
	put_opt_string(w, h->boot_id);
	put_uint(w, h->start_wall_ns);
	put_uint(w, h->start_boot_ns);
	put_uint(w, h->root_pid);
	put_string_array(w, h->command, h->ncommand);
	put_opt_string(w, h->cwd);
	put_options(w, h->options, h->noptions);
	put_array(w, ENVR_NFIELDS);
	put_uint(w, h->env_mode);
	put_string_array(w, h->secret_patterns, h->nsecret_patterns);
	return w->error;
}

static void put_u64_array(struct log_writer *w, const uint64_t *v, size_t n)
{
	put_array(w, n);
	put_uints(w, v, n);
}

static void put_losses(struct log_writer *w, const struct log_losses *l)
{
	static const struct log_losses none;

	if (!l)
		l = &none;
	put_array(w, LOSS_NFIELDS);
	put_u64_array(w, l->ringbuf_drops, LOG_EV_TYPE_MAX);
	put_uint(w, l->path_truncations);
	put_uint(w, l->argv_truncations);
	put_uint(w, l->string_truncations);
	put_uint(w, l->pending_full);
	put_uint(w, l->tracked_full);
	put_uint(w, l->env_truncations);
	put_uint(w, l->records_unaccounted);
}

/* SHA-256 of every byte written so far, without ending the running digest; OUT goes unused after a failure. */
static void digest_so_far(struct log_writer *w, uint8_t out[32])
{
	unsigned int n = 0;

	if (hash_pending(w))
		return;
	if (EVP_MD_CTX_copy_ex(w->sha_copy, w->sha) != 1 ||
	    EVP_DigestFinal_ex(w->sha_copy, out, &n) != 1 || n != 32)
		fail(w, -EIO);
}

int log_write_checkpoint(struct log_writer *w, uint64_t boot_ns, const struct log_losses *losses)
{
	uint8_t sha[32];

	if (w->error)
		return w->error;
	if (w->finished)
		return -EINVAL;
	digest_so_far(w, sha);
	put_array(w, CP_NFIELDS);
	put_uint(w, LOG_REC_CHECKPOINT);
	put_uint(w, boot_ns);
	put_uint(w, w->events);
	put_losses(w, losses);
	put_bytes(w, sha, sizeof(sha));
	/* a checkpoint is a promise that the bytes before it are on disk */
	return flush(w);
}

static bool hash_stats_zero(const struct log_hash_stats *h)
{
	return !h->queued && !h->hashed && !h->failed && !h->changed && !h->queue_full;
}

static void put_hash_stats(struct log_writer *w, const struct log_hash_stats *h)
{
	put_array(w, HS_NFIELDS);
	put_uint(w, h->queued);
	put_uint(w, h->hashed);
	put_uint(w, h->failed);
	put_uint(w, h->changed);
	put_uint(w, h->queue_full);
}

int log_write_trailer(struct log_writer *w, const struct log_trailer *t)
{
	/* a run without hashing writes the trailer as before the hashing stage existed */
	bool hash = !hash_stats_zero(&t->hash);
	uint8_t sha[32];
	int r;

	if (w->error)
		return w->error;
	if (w->finished)
		return -EINVAL;
	digest_so_far(w, sha);
	put_array(w, hash ? TR_NFIELDS : TR_NFIELDS_NOHASH);
	put_uint(w, LOG_REC_TRAILER);
	put_uint(w, t->end_wall_ns);
	put_uint(w, t->end_boot_ns);
	put_int(w, t->exit_status);
	put_int(w, t->kettle_exit);
	put_u64_array(w, w->by_type, LOG_EV_TYPE_MAX);
	put_losses(w, &t->losses);
	put_bytes(w, sha, sizeof(sha));
	if (hash)
		put_hash_stats(w, &t->hash);
	r = flush_as(w, true);
	if (!r)
		w->finished = true;
	return r;
}

uint64_t log_writer_events(const struct log_writer *w)
{
	return w->events;
}

uint64_t log_writer_bytes(const struct log_writer *w)
{
	return w->flushed + w->len;
}

void log_writer_test_strings_max(struct log_writer *w, uint32_t max)
{
	w->strings_max = max;
}

void log_writer_test_table_budget(struct log_writer *w, size_t bytes)
{
	w->table_budget = bytes;
}

/* ---- life cycle ---- */

static void writer_free(struct log_writer *w)
{
	while (w->arena) {
		struct arena_chunk *next = w->arena->next;

		free(w->arena);
		w->arena = next;
	}
	EVP_MD_CTX_free(w->sha);
	EVP_MD_CTX_free(w->sha_copy);
	ZSTD_freeCCtx(w->zc);
	free(w->zbuf);
	free(w->buf);
	free(w->strs);
	index_table_free(&w->str_index);
	free(w->sites);
	index_table_free(&w->site_index);
	free(w->path_site);
	free(w->attr_slots);
	free(w->argv_ids);
	for (uint32_t i = 0; i < w->nenvs - w->env_first; i++)
		free(w->envs[i].ids);
	free(w->envs);
	index_table_free(&w->env_index);
	free(w->ops);
	free(w->gram_pos);
	free(w);
}

static int writer_init(struct log_writer *w, const struct log_header *h)
{
	w->fd = -1;
	w->buf = malloc(WBUF_SIZE);
	w->sha = EVP_MD_CTX_new();
	w->sha_copy = EVP_MD_CTX_new();
	w->attr_slots = calloc(1024, sizeof(*w->attr_slots));
	w->gram_pos = malloc(DELTA_GRAMS * sizeof(*w->gram_pos));
	w->attr_mask = 1023;
	if (!w->buf || !w->sha || !w->sha_copy || !w->attr_slots || !w->gram_pos ||
	    index_table_init(&w->str_index, 4096) || index_table_init(&w->site_index, 4096) ||
	    index_table_init(&w->env_index, 256))
		return -ENOMEM;
	if (EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1)
		return -EIO;
	w->site_cache.last = UINT32_MAX;
	w->strings_max = LOG_STRINGS_MAX;
	w->table_budget = TABLE_BUDGET;
	w->prev_ts = h->start_boot_ns;
	w->prev_tgid = h->root_pid;
	return 0;
}

static int compressor_init(struct log_writer *w, const struct log_writer_opts *o)
{
	int level = o->zstd_level ? o->zstd_level : LOG_ZSTD_LEVEL_DEFAULT;

	if (o->compression == LOG_COMPRESSION_NONE)
		return 0;
	if (o->compression != LOG_COMPRESSION_ZSTD || level < LOG_ZSTD_LEVEL_MIN || level > LOG_ZSTD_LEVEL_MAX)
		return -EINVAL;
	w->zcap = ZSTD_CStreamOutSize();
	w->zbuf = malloc(w->zcap);
	w->zc = ZSTD_createCCtx();
	if (!w->zbuf || !w->zc)
		return -ENOMEM;
	/* the reader refuses windows over 2^LOG_ZSTD_WINDOW_LOG_MAX: never let a level pick one */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->zc, ZSTD_c_windowLog, LOG_ZSTD_WINDOW_LOG)))
		return -EINVAL;
	return 0;
}

struct log_writer *log_writer_open_with(const char *path, const struct log_header *hdr,
					const struct log_writer_opts *o, char *err, size_t errlen)
{
	struct log_writer *w = calloc(1, sizeof(*w));
	int r;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = writer_init(w, hdr);
	if (!r)
		r = compressor_init(w, o);
	if (r) {
		snprintf(err, errlen, "cannot set up the log writer: %s", strerror(-r));
		writer_free(w);
		return NULL;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		writer_free(w);
		return NULL;
	}
	r = write_header(w, hdr);
	if (!r)
		r = flush(w);
	if (r) {
		snprintf(err, errlen, "%s: cannot write the log header: %s", path, strerror(-r));
		close(w->fd);
		writer_free(w);
		return NULL;
	}
	return w;
}

struct log_writer *log_writer_open(const char *path, const struct log_header *hdr,
				   char *err, size_t errlen)
{
	const struct log_writer_opts plain = { .compression = LOG_COMPRESSION_NONE };

	return log_writer_open_with(path, hdr, &plain, err, errlen);
}

int log_writer_close(struct log_writer *w)
{
	int r;

	if (!w)
		return 0;
	/* after the trailer the frame is ended and nothing is left; a log without one is ended here */
	r = w->finished ? w->error : flush_as(w, true);
	if (close(w->fd) < 0 && !r)
		r = -errno;
	writer_free(w);
	return r;
}
