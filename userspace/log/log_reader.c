// SPDX-License-Identifier: MIT
/*
 * Reads the CBOR build log (docs/log-format.md).  Every byte is untrusted.
 *
 * Items come one at a time from libcbor's streaming tokenizer, which never
 * allocates; the record structure on top is parsed here against the exact
 * shapes of log_format.h.  Nothing is allocated from a declared length that
 * the remaining input could not back, and materialised strings are held to a
 * budget proportional to the file size.
 *
 * A log compressed with zstd (its first bytes are the frame magic) is
 * decompressed into the same window as it is read: the records see the CBOR,
 * offsets in errors are offsets in the CBOR, and a stream cut anywhere reads
 * up to the last record zstd could give back.  The decoder's window is capped
 * (LOG_ZSTD_WINDOW_LOG_MAX), nothing is allocated from a size the frame
 * declares, and CBOR that outgrows the compressed bytes past
 * LOG_ZSTD_EXPANSION is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>
#include <openssl/evp.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "common/grow.h"
#include "common/index_table.h"
#include "log/log_format.h"
#include "log/log_reader.h"

#define ARENA_CHUNK (1u << 20)
#define WINDOW_FIRST (4u << 20)   /* bytes of a file read at once; a record that does not fit grows it */
#define ARRAY_FIRST 256         /* first capacity of a growing array (grow_array doubles it) */

enum { RD_OK = 0, RD_TRUNC = 1, RD_ERR = -1 };

#define TRY(expr) do { int r_ = (expr); if (r_) return r_; } while (0)

enum tok_kind { T_UINT, T_NEGINT, T_TEXT, T_BYTES, T_ARRAY, T_BOOL, T_NULL, T_OTHER };

struct tok {
	enum tok_kind kind;
	uint64_t u;             /* value; -1 - u for T_NEGINT; element count for T_ARRAY */
	const uint8_t *p;       /* T_TEXT, T_BYTES */
	size_t n;
	bool b;
	const char *what;       /* T_OTHER: what it was, for the error */
};

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct rsite {
	const char *path, *passed;
	uint32_t path_flags, call, mode;
	uint64_t flags, dev, ino;
	int64_t size, mtime_ns, ctime_ns;
};

struct attrs {
	uint32_t uid, gid;
	uint64_t cgroup_id;
	uint32_t mntns;
};

struct attr_slot {
	uint32_t tid;
	bool used;
	struct attrs a;
};

struct log_reader_store {
	struct arena_chunk *arena;
	uint64_t str_bytes, str_budget;
	/*
	 * Per string id since the last forget record (str_first), its one
	 * copy: 8 bytes an id (the length is in the arena before the bytes,
	 * see store_string).  nstrs counts every string record: the next id.
	 */
	const char **strs;
	size_t nstrs, capstrs;
	uint32_t *str_lens;     /* a counting read's string table: lengths only, 4 bytes a string */
	size_t cap_str_lens;
	/*
	 * A writer past its table budget forgets and writes strings and sites
	 * again under new ids (docs/log-format.md): each id points to the one
	 * copy of its content, so memory grows with distinct strings and sites,
	 * not with how often they were written; and since version 6 a forget
	 * record says that the ids before it are never named again, so the
	 * per-id tables start again from it.
	 */
	const char **distinct;  /* every distinct string, once */
	size_t ndistinct, capdistinct;
	struct index_table str_index;   /* content hash -> its entry in distinct[] */
	char *join_buf;         /* LOG_STR_MAX bytes: a prefixed string made whole, to hash */
	struct rsite *sites;    /* distinct sites */
	size_t nusites, capsites;
	uint32_t *site_of;      /* per site id since site_first: its entry in sites[] */
	size_t nsites, cap_site_of;
	struct index_table site_index;  /* content hash -> sites[] entry */
	uint64_t str_first, site_first, env_first;      /* the ids of strs[0], site_of[0], envs[0] */
	struct attr_slot *attr_slots;
	uint32_t attr_mask, nattrs;
	struct attrs last_attrs;
	struct log_site_cache *site_cache;
	char *diff_buf;         /* LOG_STR_MAX bytes, allocated at the first diffed string */
	const struct log_env **envs;    /* environments by number since env_first (in the arena) */
	size_t nenvs, capenvs;
	size_t capevents, capcheckpoints, capdigests, capexec_idents, capkmod_execs;
};

/* Where a compressed log's bytes come from: the file, or a buffer read whole. */
struct zsrc {
	ZSTD_DCtx *dc;
	ZSTD_inBuffer in;       /* compressed bytes not yet given to dc */
	uint8_t *inbuf;         /* in's storage when reading the file */
	size_t incap;
	bool in_eof;
	uint64_t in_bytes;      /* compressed bytes given to dc */
	uint64_t out_bytes;     /* CBOR bytes dc gave back */
	bool pending;           /* dc filled the last output: it may hold more, even with no input left */
	EVP_MD_CTX *file_sha;   /* SHA-256 of the compressed bytes as they come: the file's digest */
};

struct rd {
	const uint8_t *buf;
	size_t len, pos;        /* offsets in buf, which starts at byte `base` of the log's CBOR */
	uint64_t base;
	int fd;                 /* the file read (with z: its compressed bytes), or -1 */
	bool windowed;          /* buf is `window`, refilled from fd or z; false: buf is the whole log */
	bool eof;
	struct zsrc *z;         /* NULL: the log is not compressed */
	uint8_t *window;
	size_t window_cap;
	size_t rec;             /* offset of the record being read */
	size_t tokpos;          /* offset of the last item read */
	char *err;
	size_t errlen;
	struct log_file *f;
	struct log_reader_store *st;
	const struct log_event_sink *sink;     /* NULL: events go to f->events */
	bool lean;              /* sink->counts_only */
	EVP_MD_CTX *sha, *sha_copy;
	size_t hashed;
	uint64_t prev_ts;
	uint32_t prev_tgid;
	uint64_t by_type[LOG_EV_TYPE_MAX];
	uint32_t ntypes;        /* entries of the by-type arrays: LOG_EV_TYPE_MAX; 6 in version 1, 9 in 2 and 3 */
	uint32_t version;       /* the header's format version */
	struct tok tok;
};

static int fail_at(struct rd *r, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(struct rd *r, size_t at, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s at byte %" PRIu64 "%s", what, r->base + at,
		 r->z ? " of the decompressed log" : "");
	return RD_ERR;
}

/* ---- tokenizer callbacks: each records the one item cbor_stream_decode saw ---- */

static void tok_uint(void *c, uint64_t v)
{
	*(struct tok *)c = (struct tok){ .kind = T_UINT, .u = v };
}

static void tok_negint(void *c, uint64_t v)
{
	*(struct tok *)c = (struct tok){ .kind = T_NEGINT, .u = v };
}

static void on_uint8(void *c, uint8_t v) { tok_uint(c, v); }
static void on_uint16(void *c, uint16_t v) { tok_uint(c, v); }
static void on_uint32(void *c, uint32_t v) { tok_uint(c, v); }
static void on_uint64(void *c, uint64_t v) { tok_uint(c, v); }
static void on_negint8(void *c, uint8_t v) { tok_negint(c, v); }
static void on_negint16(void *c, uint16_t v) { tok_negint(c, v); }
static void on_negint32(void *c, uint32_t v) { tok_negint(c, v); }
static void on_negint64(void *c, uint64_t v) { tok_negint(c, v); }

static void on_text(void *c, cbor_data p, size_t n)
{
	*(struct tok *)c = (struct tok){ .kind = T_TEXT, .p = p, .n = n };
}

static void on_bytes(void *c, cbor_data p, size_t n)
{
	*(struct tok *)c = (struct tok){ .kind = T_BYTES, .p = p, .n = n };
}

static void on_array(void *c, size_t n)
{
	*(struct tok *)c = (struct tok){ .kind = T_ARRAY, .u = n };
}

static void other(void *c, const char *what)
{
	*(struct tok *)c = (struct tok){ .kind = T_OTHER, .what = what };
}

static void on_map(void *c, size_t n) { (void)n; other(c, "map"); }
static void on_indef(void *c) { other(c, "indefinite-length item"); }
static void on_break(void *c) { other(c, "break"); }
static void on_tag(void *c, uint64_t v) { (void)v; other(c, "tag"); }
static void on_float(void *c, float v) { (void)v; other(c, "float"); }
static void on_double(void *c, double v) { (void)v; other(c, "float"); }
static void on_undefined(void *c) { other(c, "undefined"); }

static void on_null(void *c)
{
	*(struct tok *)c = (struct tok){ .kind = T_NULL };
}

static void on_bool(void *c, bool b)
{
	*(struct tok *)c = (struct tok){ .kind = T_BOOL, .b = b };
}

static const struct cbor_callbacks tok_callbacks = {
	.uint8 = on_uint8, .uint16 = on_uint16, .uint32 = on_uint32, .uint64 = on_uint64,
	.negint8 = on_negint8, .negint16 = on_negint16, .negint32 = on_negint32,
	.negint64 = on_negint64,
	.byte_string_start = on_indef, .byte_string = on_bytes,
	.string = on_text, .string_start = on_indef,
	.indef_array_start = on_indef, .array_start = on_array,
	.indef_map_start = on_indef, .map_start = on_map,
	.tag = on_tag,
	.float2 = on_float, .float4 = on_float, .float8 = on_double,
	.undefined = on_undefined, .null = on_null, .boolean = on_bool,
	.indef_break = on_break,
};

/* ---- items ---- */

/*
 * The length a string head at POS declares, when the string's bytes are not
 * all there: libcbor's "required" overflows for absurd lengths, so read it here.
 */
static bool declared_string_length(const struct rd *r, uint64_t *n)
{
	const uint8_t *p = r->buf + r->pos;
	size_t have = r->len - r->pos;
	unsigned major = p[0] >> 5, ai = p[0] & 0x1f, k;

	if (major != 2 && major != 3)
		return false;
	if (ai < 24) {
		*n = ai;
		return true;
	}
	if (ai > 27)
		return false;
	k = 1u << (ai - 24);
	if (have < 1 + k)
		return false;
	*n = 0;
	for (unsigned i = 1; i <= k; i++)
		*n = *n << 8 | p[i];
	return true;
}

/* Item readers are inlined into each record reader: calls per item were a third of reading a log. */
#define HOT static inline __attribute__((always_inline))

/*
 * Integers, strings, arrays, booleans and null whose bytes are all there are
 * decoded here, inline: this runs for every item of a million-event log, and
 * libcbor's callback dispatch costs several times the decoding itself.
 * Anything else (and anything cut short) goes to cbor_stream_decode, which
 * stays the one judge of unusual and malformed input.
 */
HOT bool next_common(struct rd *r)
{
	const uint8_t *p = r->buf + r->pos;
	size_t have = r->len - r->pos, head = 1;
	unsigned major = p[0] >> 5, ai = p[0] & 0x1f;
	uint64_t v = ai;

	if (ai >= 24) {
		if (ai > 27 || major == 7)
			return false;
		head += (size_t)1 << (ai - 24);
		if (have < head)
			return false;
		v = 0;
		for (size_t i = 1; i < head; i++)
			v = v << 8 | p[i];
	}
	switch (major) {
	case 0:
	case 1:
		r->tok.kind = major ? T_NEGINT : T_UINT;
		r->tok.u = v;
		break;
	case 2:
	case 3:
		if (v > have - head || v > LOG_STR_MAX)
			return false;
		r->tok.kind = major == 2 ? T_BYTES : T_TEXT;
		r->tok.p = p + head;
		r->tok.n = (size_t)v;
		head += (size_t)v;
		break;
	case 4:
		r->tok.kind = T_ARRAY;
		r->tok.u = v;
		break;
	case 7:
		if (ai == 20 || ai == 21) {
			r->tok.kind = T_BOOL;
			r->tok.b = ai == 21;
		} else if (ai == 22) {
			r->tok.kind = T_NULL;
		} else {
			return false;
		}
		break;
	default:
		return false;
	}
	r->pos += head;
	return true;
}

static __attribute__((noinline)) int next_unusual(struct rd *r)
{
	struct cbor_decoder_result res;
	uint64_t declared;

	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &tok_callbacks, &r->tok);
	if (res.status == CBOR_DECODER_NEDATA) {
		if (declared_string_length(r, &declared) && declared > LOG_STR_MAX)
			return fail_at(r, r->pos, "string of %" PRIu64 " bytes exceeds the limit of %u",
				       declared, LOG_STR_MAX);
		return RD_TRUNC;
	}
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return fail_at(r, r->pos, "malformed CBOR");
	r->pos += res.read;
	if (r->tok.kind == T_OTHER)
		return fail_at(r, r->tokpos, "unexpected CBOR %s", r->tok.what);
	if ((r->tok.kind == T_TEXT || r->tok.kind == T_BYTES) && r->tok.n > LOG_STR_MAX)
		return fail_at(r, r->tokpos, "string of %zu bytes exceeds the limit of %u",
			       r->tok.n, LOG_STR_MAX);
	return RD_OK;
}

HOT int next(struct rd *r)
{
	r->tokpos = r->pos;
	if (r->pos >= r->len)
		return RD_TRUNC;
	return next_common(r) ? RD_OK : next_unusual(r);
}

HOT int get_uint(struct rd *r, const char *what, uint64_t max, uint64_t *v)
{
	TRY(next(r));
	if (r->tok.kind != T_UINT || r->tok.u > max)
		return fail_at(r, r->tokpos, "%s: expected an unsigned integer up to %" PRIu64,
			       what, max);
	*v = r->tok.u;
	return RD_OK;
}

HOT int get_u32(struct rd *r, const char *what, uint32_t *v)
{
	uint64_t u = 0;

	TRY(get_uint(r, what, UINT32_MAX, &u));
	*v = (uint32_t)u;
	return RD_OK;
}

/* A signed integer in [MIN, MAX] (MIN < 0). */
HOT int get_int(struct rd *r, const char *what, int64_t min, int64_t max, int64_t *v)
{
	TRY(next(r));
	if (r->tok.kind == T_UINT && r->tok.u <= (uint64_t)max) {
		*v = (int64_t)r->tok.u;
		return RD_OK;
	}
	if (r->tok.kind == T_NEGINT && r->tok.u <= (uint64_t)(-(min + 1))) {
		*v = -1 - (int64_t)r->tok.u;
		return RD_OK;
	}
	return fail_at(r, r->tokpos, "%s: expected an integer in [%" PRId64 ", %" PRId64 "]",
		       what, min, max);
}

HOT int get_i32(struct rd *r, const char *what, int32_t *v)
{
	int64_t x = 0;

	TRY(get_int(r, what, INT32_MIN, INT32_MAX, &x));
	*v = (int32_t)x;
	return RD_OK;
}

/* PREV + delta modulo 2^64: the inverse of the writer's put_delta64. */
HOT int get_delta64(struct rd *r, const char *what, uint64_t prev, uint64_t *cur)
{
	TRY(next(r));
	if (r->tok.kind == T_UINT)
		*cur = prev + r->tok.u;
	else if (r->tok.kind == T_NEGINT)
		*cur = prev - r->tok.u - 1;
	else
		return fail_at(r, r->tokpos, "%s: expected an integer", what);
	return RD_OK;
}

HOT int get_delta32(struct rd *r, const char *what, uint32_t prev, uint32_t *cur)
{
	TRY(next(r));
	if (r->tok.kind == T_UINT && r->tok.u <= UINT32_MAX)
		*cur = prev + (uint32_t)r->tok.u;
	else if (r->tok.kind == T_NEGINT && r->tok.u < UINT32_MAX)
		*cur = prev - (uint32_t)r->tok.u - 1;
	else
		return fail_at(r, r->tokpos, "%s: expected a 32-bit difference", what);
	return RD_OK;
}

static int get_bool(struct rd *r, const char *what, bool *b)
{
	TRY(next(r));
	if (r->tok.kind != T_BOOL)
		return fail_at(r, r->tokpos, "%s: expected true or false", what);
	*b = r->tok.b;
	return RD_OK;
}

/* An array head of MIN..MAX elements, no more than the remaining bytes can hold. */
HOT int get_array(struct rd *r, const char *what, uint64_t min, uint64_t max, size_t *n)
{
	TRY(next(r));
	if (r->tok.kind != T_ARRAY)
		return fail_at(r, r->tokpos, "%s: expected an array", what);
	if (r->tok.u < min || r->tok.u > max)
		return fail_at(r, r->tokpos, "%s: array of %" PRIu64 " elements (expected %" PRIu64
			       "..%" PRIu64 ")", what, r->tok.u, min, max);
	/* every element takes a byte at least: more than that cannot follow, the file was cut */
	if (r->tok.u > r->len - r->pos)
		return RD_TRUNC;
	*n = (size_t)r->tok.u;
	return RD_OK;
}

/* A text or byte string with no NUL inside (it becomes a C string). */
static int get_string(struct rd *r, const char *what, const uint8_t **p, size_t *n)
{
	TRY(next(r));
	if (r->tok.kind != T_TEXT && r->tok.kind != T_BYTES)
		return fail_at(r, r->tokpos, "%s: expected a string", what);
	if (memchr(r->tok.p, 0, r->tok.n))
		return fail_at(r, r->tokpos, "%s: string contains a NUL byte", what);
	*p = r->tok.p;
	*n = r->tok.n;
	return RD_OK;
}

/* ---- storage ---- */

static void *arena_alloc(struct log_reader_store *st, size_t n)
{
	struct arena_chunk *c = st->arena;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->size - c->used < n) {
		/* small logs (and fuzz inputs) get small chunks; big ones 1 MiB */
		size_t size = c && c->size < ARENA_CHUNK ? c->size * 2 : c ? ARENA_CHUNK : 16384;

		if (size < n)
			size = n;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = st->arena;
		c->used = 0;
		c->size = size;
		st->arena = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static int out_of_memory(struct rd *r)
{
	return fail_at(r, r->tokpos, "out of memory");
}

/* Counts a string of N bytes against the string budget (the limit on what a log may make the reader hold). */
static int string_budget(struct rd *r, size_t n)
{
	struct log_reader_store *st = r->st;

	if (n > LOG_STR_MAX)
		return fail_at(r, r->rec, "string of %zu bytes exceeds the limit of %u", n, LOG_STR_MAX);
	/* a log read from a pipe, or grown since it was opened, has its budget grow with the bytes read */
	if (st->str_budget < (r->base + r->len) * LOG_STR_EXPANSION + LOG_STR_SLACK)
		st->str_budget = (r->base + r->len) * LOG_STR_EXPANSION + LOG_STR_SLACK;
	/* the bytes, the terminating NUL and the length before them (store_string) */
	if (st->str_bytes + n + 1 + sizeof(uint32_t) > st->str_budget)
		return fail_at(r, r->rec, "strings exceed %" PRIu64 " bytes (%ux the file size)",
			       st->str_budget, LOG_STR_EXPANSION);
	st->str_bytes += n + 1 + sizeof(uint32_t);
	return RD_OK;
}

/* The length of a string store_string made. */
static uint32_t stored_len(const char *s)
{
	uint32_t n;

	memcpy(&n, s - sizeof(n), sizeof(n));
	return n;
}

/*
 * Copies A + B into the arena as one C string, within the string budget,
 * its length (at most LOG_STR_MAX) in the 4 bytes before it.
 */
static int store_string(struct rd *r, const char *a, size_t na, const uint8_t *b, size_t nb,
			const char **out)
{
	uint32_t len = (uint32_t)(na + nb);
	char *s;

	TRY(string_budget(r, na + nb));
	s = arena_alloc(r->st, sizeof(len) + na + nb + 1);
	if (!s)
		return out_of_memory(r);
	memcpy(s, &len, sizeof(len));
	s += sizeof(len);
	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	s[na + nb] = '\0';
	*out = s;
	return RD_OK;
}

/* store_string's checks, for a string that is counted, not kept. */
static int count_string(struct rd *r, size_t n, const char **out)
{
	*out = NULL;
	return string_budget(r, n);
}

static int get_copied_string(struct rd *r, const char *what, const char **out)
{
	const uint8_t *p;
	size_t n = 0;

	TRY(next(r));
	if (r->tok.kind == T_NULL) {
		*out = NULL;
		return RD_OK;
	}
	r->pos = r->tokpos;     /* read it again as a string */
	TRY(get_string(r, what, &p, &n));
	return store_string(r, "", 0, p, n, out);
}

/*
 * Where the table of KIND ("string", "open site", "environment") holds ID:
 * ID - FIRST, or an error naming WHAT (NULL: nothing) for an id not written
 * yet or one a forget record put out of reach.
 */
static int id_at(struct rd *r, const char *what, const char *kind, uint64_t id, uint64_t count, uint64_t first,
		 uint64_t *at)
{
	if (id >= count)
		return fail_at(r, r->tokpos, "%s%sreference to undefined %s %" PRIu64, what ? what : "",
			       what ? ": " : "", kind, id);
	if (id < first)
		return fail_at(r, r->tokpos, "%s%sreference to %s %" PRIu64 ", forgotten before it (ids from %" PRIu64 ")",
			       what ? what : "", what ? ": " : "", kind, id, first);
	*at = id - first;
	return RD_OK;
}

static int string_at(struct rd *r, const char *what, uint64_t id, uint64_t *at)
{
	return id_at(r, what, "string", id, r->st->nstrs, r->st->str_first, at);
}

/* A string-table reference or null. */
static int get_ref(struct rd *r, const char *what, const char **s)
{
	uint64_t at;

	TRY(next(r));
	if (r->tok.kind == T_NULL) {
		*s = NULL;
		return RD_OK;
	}
	if (r->tok.kind != T_UINT)
		return fail_at(r, r->tokpos, "%s: expected a string reference", what);
	TRY(string_at(r, what, r->tok.u, &at));
	*s = r->lean ? "" : r->st->strs[at];
	return RD_OK;
}

/* ---- process attributes ---- */

static struct attr_slot *attr_slot(struct attr_slot *slots, uint32_t mask, uint32_t tid)
{
	uint32_t i = log_attr_pos(tid, mask);

	while (slots[i].used && slots[i].tid != tid)
		i = (i + 1) & mask;
	return &slots[i];
}

static const struct attrs *attr_resolve(const struct log_reader_store *st, uint32_t tgid,
					uint32_t tid)
{
	const struct attr_slot *s;

	if (!st->attr_slots)
		return &st->last_attrs;
	s = attr_slot(st->attr_slots, st->attr_mask, tid);
	if (!s->used)
		s = attr_slot(st->attr_slots, st->attr_mask, tgid);
	return s->used ? &s->a : &st->last_attrs;
}

static int attr_rehash(struct rd *r, uint32_t cap)
{
	struct log_reader_store *st = r->st;
	struct attr_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return out_of_memory(r);
	for (uint32_t i = 0; st->attr_slots && i <= st->attr_mask; i++)
		if (st->attr_slots[i].used)
			*attr_slot(s, cap - 1, st->attr_slots[i].tid) = st->attr_slots[i];
	free(st->attr_slots);
	st->attr_slots = s;
	st->attr_mask = cap - 1;
	return RD_OK;
}

static int attr_store(struct rd *r, uint32_t tid, const struct attrs *a)
{
	struct log_reader_store *st = r->st;
	struct attr_slot *s;

	if (!st->attr_slots)
		TRY(attr_rehash(r, 1024));
	s = attr_slot(st->attr_slots, st->attr_mask, tid);
	if (!s->used) {
		if ((st->nattrs + 1) * 2 > st->attr_mask + 1) {
			TRY(attr_rehash(r, (st->attr_mask + 1) * 2));
			s = attr_slot(st->attr_slots, st->attr_mask, tid);
		}
		st->nattrs++;
	}
	*s = (struct attr_slot){ .tid = tid, .used = true, .a = *a };
	st->last_attrs = *a;
	return RD_OK;
}

static int read_attrs(struct rd *r)
{
	struct attrs a;
	uint32_t tid;

	TRY(get_u32(r, "attributes tid", &tid));
	TRY(get_u32(r, "uid", &a.uid));
	TRY(get_u32(r, "gid", &a.gid));
	TRY(get_uint(r, "cgroup_id", UINT64_MAX, &a.cgroup_id));
	TRY(get_u32(r, "mntns", &a.mntns));
	return attr_store(r, tid, &a);
}

/* ---- table records ---- */

/* Appends N bytes to the diff buffer, within the string limit. */
static int diff_append(struct rd *r, size_t *len, const void *p, size_t n)
{
	if (n > LOG_STR_MAX - *len)
		return fail_at(r, r->tokpos, "string longer than the limit of %u", LOG_STR_MAX);
	if (!r->lean)
		memcpy(r->st->diff_buf + *len, p, n);
	*len += n;
	return RD_OK;
}

/*
 * [literal, (doffset, length, literal)*] against BASE: the string it rebuilds,
 * in diff_buf.  Each copy starts doffset bytes from where the previous one ended.
 */
static uint32_t str_len(const struct log_reader_store *st, bool lean, uint64_t at)
{
	return lean ? st->str_lens[at] : stored_len(st->strs[at]);
}

static int read_diff(struct rd *r, const char *base_s, uint32_t base_len, size_t *len)
{
	uint64_t items = r->tok.u, n = 0;
	int64_t off = 0, expect = 0;
	const uint8_t *p;
	size_t np;

	if (items % 3 != 1 || items > (uint64_t)LOG_STR_MAX * 3 + 1)
		return fail_at(r, r->tokpos, "string diff of %" PRIu64 " elements", items);
	if (items > r->len - r->pos)
		return RD_TRUNC;
	if (!r->lean && !r->st->diff_buf && !(r->st->diff_buf = malloc(LOG_STR_MAX)))
		return out_of_memory(r);
	*len = 0;
	for (uint64_t k = 0; k < items; k += 3) {
		TRY(get_string(r, "string diff literal", &p, &np));
		TRY(diff_append(r, len, p, np));
		if (k + 1 == items)
			break;
		TRY(get_int(r, "string diff offset", -(int64_t)base_len, base_len, &off));
		off += expect;
		if (off < 0 || off > base_len)
			return fail_at(r, r->tokpos, "string diff offset %" PRId64 " outside the base",
				       off);
		TRY(get_uint(r, "string diff length", base_len - (uint64_t)off, &n));
		TRY(diff_append(r, len, r->lean ? NULL : base_s + off, (size_t)n));
		expect = off + (int64_t)n;
	}
	return RD_OK;
}

/* [6, ref, suffix] (the string is ref's + suffix) or [6, ref, diff] (ref is the diff's base). */
static int read_prefixed(struct rd *r, const char **prefix, size_t *nprefix, const uint8_t **b,
			 size_t *nb)
{
	struct log_reader_store *st = r->st;
	uint64_t id = 0, at;

	TRY(get_uint(r, "string prefix", UINT64_MAX, &id));
	TRY(string_at(r, "string prefix", id, &at));
	TRY(next(r));
	if (r->tok.kind == T_ARRAY) {
		TRY(read_diff(r, r->lean ? NULL : st->strs[at], str_len(st, r->lean, at), nb));
		*b = (const uint8_t *)st->diff_buf;
		return RD_OK;
	}
	r->pos = r->tokpos;     /* not a diff: read it again as the suffix */
	*prefix = r->lean ? NULL : st->strs[at];
	*nprefix = str_len(st, r->lean, at);
	return get_string(r, "string", b, nb);
}

/*
 * store_string for string record number st->nstrs: a content read before
 * under another id (written again after the writer forgot its tables) is
 * not copied again; it counts against the budget all the same.
 */
static int intern_string(struct rd *r, const char *a, size_t na, const uint8_t *b, size_t nb, const char **out)
{
	struct log_reader_store *st = r->st;
	const struct index_table *x = &st->str_index;
	const char *p = (const char *)b;
	size_t n = na + nb;
	uint64_t h;

	if (n > LOG_STR_MAX)
		return string_budget(r, n);
	if (na) {
		if (!st->join_buf && !(st->join_buf = malloc(LOG_STR_MAX)))
			return out_of_memory(r);
		memcpy(st->join_buf, a, na);
		memcpy(st->join_buf + na, b, nb);
		p = st->join_buf;
	}
	h = hash_bytes(p, n);
	if (index_table_ready(&st->str_index, 1024))
		return out_of_memory(r);
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i)) {
		const char *seen = st->distinct[x->slots[i].id1 - 1];

		if (index_table_same_hash(x, i, h) && stored_len(seen) == n && !memcmp(seen, p, n)) {
			*out = seen;
			return string_budget(r, n);
		}
	}
	if (grow_array((void **)&st->distinct, &st->capdistinct, st->ndistinct + 1, sizeof(*st->distinct),
		       ARRAY_FIRST))
		return out_of_memory(r);
	TRY(store_string(r, "", 0, (const uint8_t *)p, n, out));
	if (index_table_insert(&st->str_index, h, (uint32_t)st->ndistinct))
		return out_of_memory(r);
	st->distinct[st->ndistinct++] = *out;
	return RD_OK;
}

static int read_string_record(struct rd *r, size_t n)
{
	struct log_reader_store *st = r->st;
	const char *prefix = "", *s = NULL;
	size_t nprefix = 0, nb = 0, at;
	const uint8_t *b = NULL;

	if (n != STR_NFIELDS_PLAIN && n != STR_NFIELDS_PREFIXED)
		return fail_at(r, r->rec, "string record of %zu elements", n);
	if (st->nstrs >= LOG_STRINGS_MAX)
		return fail_at(r, r->rec, "more than %u strings", LOG_STRINGS_MAX);
	if (n == STR_NFIELDS_PREFIXED)
		TRY(read_prefixed(r, &prefix, &nprefix, &b, &nb));
	else
		TRY(get_string(r, "string", &b, &nb));
	at = st->nstrs - st->str_first;
	if (r->lean) {
		if (grow_array((void **)&st->str_lens, &st->cap_str_lens, at + 1, sizeof(*st->str_lens), ARRAY_FIRST))
			return out_of_memory(r);
		TRY(count_string(r, nprefix + nb, &s));
		st->str_lens[at] = (uint32_t)(nprefix + nb);
		st->nstrs++;
		return RD_OK;
	}
	if (grow_array((void **)&st->strs, &st->capstrs, at + 1, sizeof(*st->strs), ARRAY_FIRST))
		return out_of_memory(r);
	TRY(intern_string(r, prefix, nprefix, b, nb, &s));
	st->strs[at] = s;
	st->nstrs++;
	return RD_OK;
}

static int read_site_stat(struct rd *r, struct rsite *s)
{
	TRY(get_uint(r, "dev", UINT64_MAX, &s->dev));
	TRY(get_uint(r, "ino", UINT64_MAX, &s->ino));
	TRY(get_int(r, "size", INT64_MIN, INT64_MAX, &s->size));
	TRY(get_int(r, "mtime_ns", INT64_MIN, INT64_MAX, &s->mtime_ns));
	return get_int(r, "ctime_ns", INT64_MIN, INT64_MAX, &s->ctime_ns);
}

static bool site_same(const struct rsite *a, const struct rsite *b)
{
	return a->path == b->path && a->passed == b->passed && a->path_flags == b->path_flags &&
	       a->call == b->call && a->mode == b->mode && a->flags == b->flags && a->dev == b->dev &&
	       a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* The entry of site S in the distinct sites (its strings are interned: equal paths are one pointer). */
static int intern_site(struct rd *r, const struct rsite *s, uint32_t *out)
{
	struct log_reader_store *st = r->st;
	const struct index_table *x = &st->site_index;
	const uint64_t key[] = { (uintptr_t)s->path, (uintptr_t)s->passed, s->path_flags, s->call, s->mode,
				 s->flags, s->dev, s->ino, (uint64_t)s->size, (uint64_t)s->mtime_ns,
				 (uint64_t)s->ctime_ns };
	uint64_t h = hash_bytes(key, sizeof(key));

	if (index_table_ready(&st->site_index, 1024))
		return out_of_memory(r);
	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i))
		if (index_table_same_hash(x, i, h) && site_same(&st->sites[x->slots[i].id1 - 1], s)) {
			*out = x->slots[i].id1 - 1;
			return RD_OK;
		}
	if (grow_array((void **)&st->sites, &st->capsites, st->nusites + 1, sizeof(*st->sites), ARRAY_FIRST) ||
	    index_table_insert(&st->site_index, h, (uint32_t)st->nusites))
		return out_of_memory(r);
	st->sites[st->nusites] = *s;
	*out = (uint32_t)st->nusites++;
	return RD_OK;
}

static int read_site(struct rd *r, size_t n)
{
	struct log_reader_store *st = r->st;
	struct rsite s = { 0 };

	if (n != SITE_NFIELDS && n != SITE_NFIELDS_NOSTAT)
		return fail_at(r, r->rec, "open-site record of %zu elements", n);
	if (st->nsites >= LOG_SITES_MAX)
		return fail_at(r, r->rec, "more than %u open sites", LOG_SITES_MAX);
	TRY(get_ref(r, "site path", &s.path));
	if (!s.path)
		return fail_at(r, r->tokpos, "site path: null");
	TRY(get_u32(r, "path_flags", &s.path_flags));
	TRY(get_ref(r, "passed", &s.passed));
	TRY(get_u32(r, "call", &s.call));
	TRY(get_uint(r, "flags", UINT64_MAX, &s.flags));
	TRY(get_u32(r, "mode", &s.mode));
	if (n == SITE_NFIELDS)
		TRY(read_site_stat(r, &s));
	if (r->lean) {
		st->nsites++;
		return RD_OK;
	}
	if (grow_array((void **)&st->site_of, &st->cap_site_of, st->nsites - st->site_first + 1, sizeof(*st->site_of),
		       ARRAY_FIRST))
		return out_of_memory(r);
	TRY(intern_site(r, &s, &st->site_of[st->nsites - st->site_first]));
	st->nsites++;
	return RD_OK;
}

/* ---- events ---- */

static int read_fork(struct rd *r, struct log_event *ev)
{
	return get_delta32(r, "fork child", ev->tgid, &ev->fork.child_tgid);
}

/* A list of string refs, at most MAX; with NONNULL a null entry is an error. */
static int read_ref_list(struct rd *r, const char *what, uint32_t max, bool nonnull,
			 const char *const **out, uint32_t *count)
{
	const char **v;
	size_t n = 0;

	TRY(get_array(r, what, 0, max, &n));
	if (r->lean) {
		const char *ref;

		for (size_t i = 0; i < n; i++) {
			TRY(get_ref(r, what, &ref));
			if (nonnull && !ref)
				return fail_at(r, r->tokpos, "%s: null", what);
		}
		*out = NULL;
		*count = (uint32_t)n;
		return RD_OK;
	}
	v = arena_alloc(r->st, (n ? n : 1) * sizeof(*v));
	if (!v)
		return out_of_memory(r);
	for (size_t i = 0; i < n; i++) {
		TRY(get_ref(r, what, &v[i]));
		if (nonnull && !v[i])
			return fail_at(r, r->tokpos, "%s: null", what);
	}
	*out = v;
	*count = (uint32_t)n;
	return RD_OK;
}

/* An exec's environment: null or the number of an environment record before it. */
static int read_env_ref(struct rd *r, struct log_event *ev)
{
	uint64_t at;

	TRY(next(r));
	if (r->tok.kind == T_NULL)
		return RD_OK;
	if (r->tok.kind != T_UINT)
		return fail_at(r, r->tokpos, "exec env: expected an environment number or null");
	TRY(id_at(r, "exec env", "environment", r->tok.u, r->st->nenvs, r->st->env_first, &at));
	ev->exec.env = r->st->envs[at];
	return RD_OK;
}

/* [16, envc, flags, [var-ref*]] */
static int read_env(struct rd *r, size_t n)
{
	struct log_reader_store *st = r->st;
	struct log_env *e;

	if (r->version < 3)
		return fail_at(r, r->rec, "environment record in a version-%u log", r->version);
	if (n != ENV_NFIELDS)
		return fail_at(r, r->rec, "environment record of %zu elements", n);
	if (st->nenvs >= LOG_ENVS_MAX)
		return fail_at(r, r->rec, "more than %u environments", LOG_ENVS_MAX);
	e = arena_alloc(st, sizeof(*e));
	if (!e)
		return out_of_memory(r);
	TRY(get_u32(r, "env envc", &e->envc));
	TRY(get_u32(r, "env flags", &e->flags));
	if (e->flags & ~(uint32_t)LOG_ENV_FLAGS_ALL)
		return fail_at(r, r->tokpos, "env flags: unknown bits 0x%x", e->flags & ~(uint32_t)LOG_ENV_FLAGS_ALL);
	TRY(read_ref_list(r, "env", LOG_ENV_VARS_MAX, true, &e->vars, &e->nvars));
	if (grow_array((void **)&st->envs, &st->capenvs, st->nenvs - st->env_first + 1, sizeof(*st->envs), ARRAY_FIRST))
		return out_of_memory(r);
	st->envs[st->nenvs++ - st->env_first] = e;
	return RD_OK;
}

static int read_argv(struct rd *r, struct log_event *ev)
{
	return read_ref_list(r, "argv", LOG_ARGV_MAX, false, &ev->exec.argv, &ev->exec.nargv);
}

static int read_exec(struct rd *r, struct log_event *ev)
{
	TRY(get_ref(r, "exe", &ev->exec.exe));
	TRY(get_u32(r, "exe_flags", &ev->exec.exe_flags));
	TRY(get_ref(r, "filename", &ev->exec.filename));
	TRY(get_ref(r, "cwd", &ev->exec.cwd));
	TRY(get_u32(r, "cwd_flags", &ev->exec.cwd_flags));
	TRY(get_u32(r, "ppid", &ev->exec.ppid));
	TRY(get_u32(r, "argc", &ev->exec.argc));
	TRY(get_bool(r, "argv_truncated", &ev->exec.argv_truncated));
	TRY(read_argv(r, ev));
	return r->version >= 3 ? read_env_ref(r, ev) : RD_OK;
}

static int read_exec_failed(struct rd *r, struct log_event *ev)
{
	TRY(get_i32(r, "err", &ev->exec_failed.err));
	TRY(get_ref(r, "filename", &ev->exec_failed.filename));
	TRY(get_ref(r, "path", &ev->exec_failed.path));
	TRY(get_u32(r, "path_flags", &ev->exec_failed.path_flags));
	return get_u32(r, "ppid", &ev->exec_failed.ppid);
}

static int read_exit(struct rd *r, struct log_event *ev)
{
	return get_i32(r, "exit status", &ev->exit.status);
}

static int read_open(struct rd *r, struct log_event *ev)
{
	struct log_site_cache *cache = r->st->site_cache;
	const struct rsite *s;
	uint32_t id = 0;
	uint64_t at;

	TRY(get_delta32(r, "open site", log_site_base(cache, ev->tgid) + 1, &id));
	TRY(id_at(r, NULL, "open site", id, r->st->nsites, r->st->site_first, &at));
	log_site_seen(cache, ev->tgid, id);
	if (r->lean)
		return get_i32(r, "open result", &ev->open.result);
	ev->open.site1 = r->st->site_of[at] + 1;
	s = &r->st->sites[r->st->site_of[at]];
	ev->open.path = s->path;
	ev->open.path_flags = s->path_flags;
	ev->open.passed = s->passed;
	ev->open.call = s->call;
	ev->open.flags = s->flags;
	ev->open.mode = s->mode;
	ev->open.dev = s->dev;
	ev->open.ino = s->ino;
	ev->open.size = s->size;
	ev->open.mtime_ns = s->mtime_ns;
	ev->open.ctime_ns = s->ctime_ns;
	return get_i32(r, "open result", &ev->open.result);
}

static int read_proc_snapshot(struct rd *r, struct log_event *ev)
{
	TRY(get_u32(r, "snapshot ppid", &ev->proc_snapshot.ppid));
	TRY(get_ref(r, "snapshot exe", &ev->proc_snapshot.exe));
	TRY(get_u32(r, "snapshot exe_flags", &ev->proc_snapshot.exe_flags));
	TRY(get_ref(r, "snapshot cwd", &ev->proc_snapshot.cwd));
	TRY(get_u32(r, "snapshot cwd_flags", &ev->proc_snapshot.cwd_flags));
	TRY(get_u32(r, "snapshot argc", &ev->proc_snapshot.argc));
	TRY(get_bool(r, "snapshot argv_truncated", &ev->proc_snapshot.argv_truncated));
	TRY(read_ref_list(r, "snapshot argv", LOG_ARGV_MAX, false, &ev->proc_snapshot.argv,
			  &ev->proc_snapshot.nargv));
	TRY(get_uint(r, "snapshot start_boot_ns", UINT64_MAX, &ev->proc_snapshot.start_boot_ns));
	TRY(get_u32(r, "snapshot flags", &ev->proc_snapshot.flags));
	if (ev->proc_snapshot.flags & ~(uint32_t)LOG_SNAP_FLAGS_ALL)
		return fail_at(r, r->tokpos, "snapshot flags: unknown bits 0x%x",
			       ev->proc_snapshot.flags & ~(uint32_t)LOG_SNAP_FLAGS_ALL);
	return RD_OK;
}

static int read_net_addr(struct rd *r, struct log_event *ev)
{
	TRY(next(r));
	if (r->tok.kind != T_BYTES || (r->tok.n != 0 && r->tok.n != 4 && r->tok.n != 16))
		return fail_at(r, r->tokpos, "net address: expected a byte string of 0, 4 or 16 bytes");
	memcpy(ev->net.addr, r->tok.p, r->tok.n);
	return RD_OK;
}

static int read_net(struct rd *r, struct log_event *ev)
{
	uint64_t port = 0;

	TRY(get_u32(r, "net call", &ev->net.call));
	TRY(get_i32(r, "net result", &ev->net.result));
	TRY(get_i32(r, "net fd", &ev->net.fd));
	TRY(get_u32(r, "net family", &ev->net.family));
	TRY(get_u32(r, "net sock_type", &ev->net.sock_type));
	TRY(get_u32(r, "net protocol", &ev->net.protocol));
	TRY(get_u32(r, "net flags", &ev->net.flags));
	TRY(get_u32(r, "net addr_source", &ev->net.addr_source));
	TRY(get_uint(r, "net port", UINT16_MAX, &port));
	ev->net.port = (uint16_t)port;
	TRY(read_net_addr(r, ev));
	TRY(get_ref(r, "net unix path", &ev->net.unix_path));
	TRY(get_u32(r, "net dns", &ev->net.dns));
	if (ev->net.dns > LOG_DNS_UNDECODABLE)
		return fail_at(r, r->tokpos, "net dns: unknown status %" PRIu32, ev->net.dns);
	return read_ref_list(r, "dns names", LOG_DNS_NAMES_MAX, true, &ev->net.dns_names,
			     &ev->net.ndns_names);
}

static int read_file_op(struct rd *r, struct log_event *ev)
{
	TRY(get_u32(r, "file_op call", &ev->file_op.call));
	TRY(get_i32(r, "file_op result", &ev->file_op.result));
	TRY(get_ref(r, "file_op path", &ev->file_op.path));
	TRY(get_u32(r, "file_op path_flags", &ev->file_op.path_flags));
	TRY(get_ref(r, "file_op path2", &ev->file_op.path2));
	TRY(get_u32(r, "file_op path2_flags", &ev->file_op.path2_flags));
	TRY(get_ref(r, "file_op target", &ev->file_op.target));
	TRY(get_uint(r, "file_op flags", UINT64_MAX, &ev->file_op.flags));
	TRY(get_u32(r, "file_op mode", &ev->file_op.mode));
	return get_int(r, "file_op length", INT64_MIN, INT64_MAX, &ev->file_op.length);
}

static int read_notice(struct rd *r, struct log_event *ev)
{
	TRY(get_u32(r, "notice what", &ev->notice.what));
	if (ev->notice.what == 0 || ev->notice.what >= LOG_NOTICE_WHAT_MAX)
		return fail_at(r, r->tokpos, "notice: unknown what %" PRIu32, ev->notice.what);
	TRY(get_u32(r, "notice nr", &ev->notice.nr));
	TRY(get_int(r, "notice result", INT64_MIN, INT64_MAX, &ev->notice.result));
	TRY(get_uint(r, "notice arg0", UINT64_MAX, &ev->notice.arg0));
	return get_uint(r, "notice arg1", UINT64_MAX, &ev->notice.arg1);
}

static const struct {
	size_t nfields;
	int (*read)(struct rd *r, struct log_event *ev);
} event_shapes[LOG_EV_TYPE_MAX] = {
	[LOG_EV_FORK] = { FORK_NFIELDS, read_fork },
	[LOG_EV_EXEC] = { EXEC_NFIELDS, read_exec },
	[LOG_EV_EXEC_FAILED] = { EXECF_NFIELDS, read_exec_failed },
	[LOG_EV_EXIT] = { EXIT_NFIELDS, read_exit },
	[LOG_EV_OPEN] = { OPEN_NFIELDS, read_open },
	[LOG_EV_PROC_SNAPSHOT] = { SNAP_NFIELDS, read_proc_snapshot },
	[LOG_EV_NET] = { NET_NFIELDS, read_net },
	[LOG_EV_FILE_OP] = { FOP_NFIELDS, read_file_op },
	[LOG_EV_NOTICE] = { NOTICE_NFIELDS, read_notice },
};

/*
 * Zeroes the member of the union that a reader of TYPE fills; read_event
 * assigns every common field.  Clearing the whole event was the largest cost
 * of reading an open record (a `rep stos` of 168 bytes per event).
 */
static void event_clear(struct log_event *ev, enum log_event_type type)
{
	switch (type) {
	case LOG_EV_FORK: memset(&ev->fork, 0, sizeof(ev->fork)); break;
	case LOG_EV_EXEC: memset(&ev->exec, 0, sizeof(ev->exec)); break;
	case LOG_EV_EXEC_FAILED: memset(&ev->exec_failed, 0, sizeof(ev->exec_failed)); break;
	case LOG_EV_EXIT: memset(&ev->exit, 0, sizeof(ev->exit)); break;
	case LOG_EV_OPEN: memset(&ev->open, 0, sizeof(ev->open)); break;
	case LOG_EV_PROC_SNAPSHOT: memset(&ev->proc_snapshot, 0, sizeof(ev->proc_snapshot)); break;
	case LOG_EV_NET: memset(&ev->net, 0, sizeof(ev->net)); break;
	case LOG_EV_FILE_OP: memset(&ev->file_op, 0, sizeof(ev->file_op)); break;
	case LOG_EV_NOTICE: memset(&ev->notice, 0, sizeof(ev->notice)); break;
	default: memset(ev, 0, sizeof(*ev)); break;
	}
	ev->type = type;
}

static int read_event(struct rd *r, enum log_event_type type, size_t n)
{
	struct log_file *f = r->f;
	struct log_event ev;
	const struct attrs *a;

	size_t nfields = type == LOG_EV_EXEC && r->version < 3 ? EXEC_NFIELDS_V2 : event_shapes[type].nfields;

	if (n != nfields && n != nfields + 1)
		return fail_at(r, r->rec, "event of type %d with %zu elements", type, n);
	event_clear(&ev, type);
	TRY(get_delta64(r, "timestamp", r->prev_ts, &ev.ts_ns));
	TRY(get_delta32(r, "tgid", r->prev_tgid, &ev.tgid));
	r->prev_ts = ev.ts_ns;
	r->prev_tgid = ev.tgid;
	TRY(event_shapes[type].read(r, &ev));
	ev.tid = ev.tgid;
	if (n > nfields)
		TRY(get_delta32(r, "tid", ev.tgid, &ev.tid));
	a = attr_resolve(r->st, ev.tgid, ev.tid);
	ev.uid = a->uid;
	ev.gid = a->gid;
	ev.cgroup_id = a->cgroup_id;
	ev.mntns = a->mntns;
	if (r->sink) {
		if (r->sink->fn(r->sink->arg, &ev, r->err, r->errlen))
			return RD_ERR;
		f->nevents++;
	} else {
		if (grow_array((void **)&f->events, &r->st->capevents, f->nevents + 1, sizeof(*f->events), ARRAY_FIRST))
			return out_of_memory(r);
		f->events[f->nevents++] = ev;
	}
	r->by_type[type]++;
	return RD_OK;
}

/* ---- what the hasher found ---- */

/* The file's identity at hash time: none, an open site's stat part, or five integers. */
static int read_digest_identity(struct rd *r, struct log_digest *d, size_t n)
{
	const struct rsite *s;
	uint32_t site = 0;
	uint64_t at;

	if (n == DG_NFIELDS_NOID)
		return RD_OK;
	if (n == DG_NFIELDS) {
		TRY(get_uint(r, "digest dev", UINT64_MAX, &d->dev));
		TRY(get_uint(r, "digest ino", UINT64_MAX, &d->ino));
		TRY(get_int(r, "digest size", INT64_MIN, INT64_MAX, &d->size));
		TRY(get_int(r, "digest mtime_ns", INT64_MIN, INT64_MAX, &d->mtime_ns));
		return get_int(r, "digest ctime_ns", INT64_MIN, INT64_MAX, &d->ctime_ns);
	}
	TRY(get_u32(r, "digest site", &site));
	TRY(id_at(r, "digest", "open site", site, r->st->nsites, r->st->site_first, &at));
	if (r->lean)
		return RD_OK;
	s = &r->st->sites[r->st->site_of[at]];
	d->dev = s->dev;
	d->ino = s->ino;
	d->size = s->size;
	d->mtime_ns = s->mtime_ns;
	d->ctime_ns = s->ctime_ns;
	return RD_OK;
}

/* A 32-byte SHA-256 (result 0) or the negative errno that kept the file from being hashed. */
static int read_digest_outcome(struct rd *r, struct log_digest *d)
{
	TRY(next(r));
	if (r->tok.kind == T_BYTES && r->tok.n == 32) {
		memcpy(d->sha256, r->tok.p, 32);
		d->result = 0;
		return RD_OK;
	}
	if (r->tok.kind == T_BYTES)
		return fail_at(r, r->tokpos, "digest: SHA-256 of %zu bytes (expected 32)", r->tok.n);
	if (r->tok.kind == T_NEGINT && r->tok.u <= INT32_MAX) {
		d->result = (int32_t)(-1 - (int64_t)r->tok.u);
		return RD_OK;
	}
	return fail_at(r, r->tokpos, "digest: expected a 32-byte SHA-256 or a negative errno");
}

static int read_digest(struct rd *r, size_t n)
{
	struct log_file *f = r->f;
	struct log_digest d = { 0 };
	uint64_t kind = 0;

	if (n != DG_NFIELDS_NOID && n != DG_NFIELDS_SITE && n != DG_NFIELDS)
		return fail_at(r, r->rec, "digest record of %zu elements", n);
	TRY(get_uint(r, "digest kind", LOG_DIGEST_OUTPUT, &kind));
	if (kind < LOG_DIGEST_INPUT)
		return fail_at(r, r->tokpos, "digest kind: 0 is undefined");
	d.kind = (enum log_digest_kind)kind;
	TRY(get_ref(r, "digest path", &d.path));
	if (!d.path)
		return fail_at(r, r->tokpos, "digest path: null");
	/* relative to the previous event, which it leaves as the origin of the next dt */
	TRY(get_delta64(r, "digest time", r->prev_ts, &d.boot_ns));
	TRY(read_digest_outcome(r, &d));
	TRY(get_u32(r, "digest flags", &d.flags));
	TRY(read_digest_identity(r, &d, n));
	if (d.result == 0)
		f->digest_tally.hashed++;
	else
		f->digest_tally.failed++;
	if (d.flags & (LOG_DIGEST_CHANGED | LOG_DIGEST_CHANGED_DURING))
		f->digest_tally.changed++;
	if (r->lean) {
		f->ndigests++;
		return RD_OK;
	}
	if (grow_array((void **)&f->digests, &r->st->capdigests, f->ndigests + 1, sizeof(*f->digests), ARRAY_FIRST))
		return out_of_memory(r);
	f->digests[f->ndigests++] = d;
	return RD_OK;
}

static int read_needed(struct rd *r, struct log_exec_ident *e)
{
	const char **v;
	size_t n = 0;

	TRY(get_array(r, "needed", 0, LOG_NEEDED_MAX, &n));
	v = arena_alloc(r->st, (n ? n : 1) * sizeof(*v));
	if (!v)
		return out_of_memory(r);
	for (size_t i = 0; i < n; i++) {
		TRY(get_ref(r, "needed", &v[i]));
		if (!v[i])
			return fail_at(r, r->tokpos, "needed: null");
	}
	e->needed = v;
	e->nneeded = (uint32_t)n;
	return RD_OK;
}

static int read_exec_ident_field(struct rd *r, struct log_exec_ident *e, size_t field)
{
	uint64_t kind = 0;

	switch (field) {
	case XI_FILE_KIND:
		TRY(get_uint(r, "file kind", LOG_FILE_KIND_LAST, &kind));
		e->kind = (enum log_file_kind)kind;
		return RD_OK;
	case XI_CLASS:
		return get_u32(r, "elf class", &e->elf_class);
	case XI_MACHINE:
		return get_u32(r, "elf machine", &e->elf_machine);
	case XI_BUILD_ID:
		return get_ref(r, "build id", &e->build_id);
	case XI_INTERP:
		return get_ref(r, "interp", &e->interp);
	case XI_SONAME:
		return get_ref(r, "soname", &e->soname);
	case XI_RUNPATH:
		return get_ref(r, "runpath", &e->runpath);
	case XI_NEEDED:
		return read_needed(r, e);
	case XI_SCRIPT_INTERP:
		return get_ref(r, "script interpreter", &e->script_interp);
	default:
		return get_ref(r, "script argument", &e->script_arg);
	}
}

/* Fields after the record's end are null / 0 / []: the zero-initialized struct. */
static int read_exec_ident(struct rd *r, size_t n)
{
	struct log_file *f = r->f;
	struct log_exec_ident e = { 0 };
	int64_t result = 0;

	if (n < XI_NFIELDS_MIN || n > XI_NFIELDS)
		return fail_at(r, r->rec, "exec identity record of %zu elements", n);
	TRY(get_ref(r, "exec identity path", &e.path));
	if (!e.path)
		return fail_at(r, r->tokpos, "exec identity path: null");
	TRY(get_int(r, "exec identity result", INT32_MIN, 0, &result));
	e.result = (int32_t)result;
	for (size_t i = XI_FILE_KIND; i < n; i++)
		TRY(read_exec_ident_field(r, &e, i));
	if (grow_array((void **)&f->exec_idents, &r->st->capexec_idents, f->nexec_idents + 1,
		       sizeof(*f->exec_idents), ARRAY_FIRST))
		return out_of_memory(r);
	f->exec_idents[f->nexec_idents++] = e;
	return RD_OK;
}

/* ---- what the kernel module measured (version 3) ---- */

static int get_u32s(struct rd *r, const char *const *what, uint32_t *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		TRY(get_u32(r, what[i], v[i]));
	return RD_OK;
}

static int read_kmod_exec(struct rd *r, size_t n)
{
	struct log_file *f = r->f;
	struct log_kmod_exec k = { 0 };
	struct log_digest outcome = { 0 };
	int64_t size = 0, mtime = 0, ctime = 0;

	if (n != KX_NFIELDS)
		return fail_at(r, r->rec, "kmod exec record of %zu elements", n);
	/* relative to the previous event, which it leaves as the origin of the next dt */
	TRY(get_delta64(r, "kmod exec time", r->prev_ts, &k.ts_ns));
	TRY(get_u32s(r, (const char *const[]){ "kmod exec tgid", "kmod exec tid", "kmod exec uid", "kmod exec gid" },
		     (uint32_t *const[]){ &k.tgid, &k.tid, &k.uid, &k.gid }, 4));
	TRY(get_uint(r, "kmod exec cgroup", UINT64_MAX, &k.cgroup_id));
	TRY(get_ref(r, "kmod exec path", &k.path));
	TRY(read_digest_outcome(r, &outcome));
	k.result = outcome.result;
	memcpy(k.sha256, outcome.sha256, sizeof(k.sha256));
	TRY(get_u32(r, "kmod exec flags", &k.flags));
	if (k.flags & ~LOG_KMOD_FLAGS_ALL)
		return fail_at(r, r->tokpos, "kmod exec flags: unknown bits 0x%x", k.flags & ~LOG_KMOD_FLAGS_ALL);
	if (!k.path != !!(k.flags & LOG_KMOD_PATH_ERROR))
		return fail_at(r, r->tokpos, "kmod exec: the path and the path-error flag disagree");
	TRY(get_uint(r, "kmod exec bytes hashed", UINT64_MAX, &k.bytes_hashed));
	TRY(get_uint(r, "kmod exec dev", UINT64_MAX, &k.dev));
	TRY(get_uint(r, "kmod exec ino", UINT64_MAX, &k.ino));
	TRY(get_u32(r, "kmod exec generation", &k.generation));
	TRY(get_int(r, "kmod exec size", INT64_MIN, INT64_MAX, &size));
	TRY(get_int(r, "kmod exec mtime_ns", INT64_MIN, INT64_MAX, &mtime));
	TRY(get_int(r, "kmod exec ctime_ns", INT64_MIN, INT64_MAX, &ctime));
	TRY(get_uint(r, "kmod exec i_version", UINT64_MAX, &k.i_version));
	k.size = size;
	k.mtime_ns = mtime;
	k.ctime_ns = ctime;
	if (grow_array((void **)&f->kmod_execs, &r->st->capkmod_execs, f->nkmod_execs + 1,
		       sizeof(*f->kmod_execs), ARRAY_FIRST))
		return out_of_memory(r);
	f->kmod_execs[f->nkmod_execs++] = k;
	return RD_OK;
}

static int read_kmod_stats(struct rd *r, size_t n)
{
	struct log_kmod_stats k = { 0 };

	if (n != KS_NFIELDS)
		return fail_at(r, r->rec, "kmod stats record of %zu elements", n);
	if (r->f->has_kmod_stats)
		return fail_at(r, r->rec, "second kmod stats record");
	TRY(get_uint(r, "kmod measured", UINT64_MAX, &k.measured));
	TRY(get_uint(r, "kmod cache hits", UINT64_MAX, &k.cache_hits));
	TRY(get_uint(r, "kmod hashed bytes", UINT64_MAX, &k.hashed_bytes));
	TRY(get_uint(r, "kmod errors", UINT64_MAX, &k.errors));
	TRY(get_uint(r, "kmod dropped", UINT64_MAX, &k.dropped));
	TRY(get_uint(r, "kmod received", UINT64_MAX, &k.received));
	TRY(get_uint(r, "kmod bad records", UINT64_MAX, &k.bad_records));
	r->f->kmod_stats = k;
	r->f->has_kmod_stats = true;
	return RD_OK;
}

/* ---- checkpoints and trailer ---- */

static int read_u64_array(struct rd *r, const char *what, uint64_t *v, size_t n)
{
	size_t got = 0;

	TRY(get_array(r, what, n, n, &got));
	for (size_t i = 0; i < n; i++)
		TRY(get_uint(r, what, UINT64_MAX, &v[i]));
	return RD_OK;
}

static int read_losses(struct rd *r, struct log_losses *l)
{
	size_t n = 0;

	size_t want = r->version >= 5 ? LOSS_NFIELDS : r->version >= 3 ? LOSS_NFIELDS_V4 : LOSS_NFIELDS_V2;

	TRY(get_array(r, "losses", want, want, &n));
	TRY(read_u64_array(r, "ringbuf_drops", l->ringbuf_drops, r->ntypes));
	TRY(get_uint(r, "path_truncations", UINT64_MAX, &l->path_truncations));
	TRY(get_uint(r, "argv_truncations", UINT64_MAX, &l->argv_truncations));
	TRY(get_uint(r, "string_truncations", UINT64_MAX, &l->string_truncations));
	TRY(get_uint(r, "pending_full", UINT64_MAX, &l->pending_full));
	TRY(get_uint(r, "tracked_full", UINT64_MAX, &l->tracked_full));
	if (n > LOSS_ENV)
		TRY(get_uint(r, "env_truncations", UINT64_MAX, &l->env_truncations));
	return n > LOSS_UNACCOUNTED ? get_uint(r, "records_unaccounted", UINT64_MAX, &l->records_unaccounted) : RD_OK;
}

/* SHA-256 of the bytes before the current record. */
static int digest_before_record(struct rd *r, uint8_t out[32])
{
	unsigned int n = 0;

	if (r->rec > r->hashed &&
	    EVP_DigestUpdate(r->sha, r->buf + r->hashed, r->rec - r->hashed) != 1)
		return fail_at(r, r->rec, "SHA-256 failed");
	r->hashed = r->rec;
	if (EVP_MD_CTX_copy_ex(r->sha_copy, r->sha) != 1 ||
	    EVP_DigestFinal_ex(r->sha_copy, out, &n) != 1 || n != 32)
		return fail_at(r, r->rec, "SHA-256 failed");
	return RD_OK;
}

static int check_sha(struct rd *r, const char *what)
{
	uint8_t want[32];
	const uint8_t *p;
	size_t n = 0;

	TRY(next(r));
	if (r->tok.kind != T_BYTES || r->tok.n != 32)
		return fail_at(r, r->tokpos, "%s: expected a 32-byte SHA-256", what);
	p = r->tok.p;
	TRY(digest_before_record(r, want));
	n = r->tok.n;
	if (memcmp(p, want, n))
		return fail_at(r, r->rec, "%s: SHA-256 mismatch, the log was altered before this point",
			       what);
	return RD_OK;
}

static int read_checkpoint(struct rd *r, size_t n)
{
	struct log_file *f = r->f;
	struct log_checkpoint cp = { .offset = r->base + r->rec };

	if (n != CP_NFIELDS)
		return fail_at(r, r->rec, "checkpoint of %zu elements", n);
	TRY(get_uint(r, "checkpoint time", UINT64_MAX, &cp.boot_ns));
	TRY(get_uint(r, "checkpoint events", UINT64_MAX, &cp.events));
	if (cp.events != f->nevents)
		return fail_at(r, r->tokpos, "checkpoint counts %" PRIu64 " events, the log holds %zu",
			       cp.events, f->nevents);
	TRY(read_losses(r, &cp.losses));
	TRY(check_sha(r, "checkpoint"));
	memcpy(cp.sha256, r->tok.p, 32);
	if (grow_array((void **)&f->checkpoints, &r->st->capcheckpoints, f->ncheckpoints + 1,
		       sizeof(*f->checkpoints), ARRAY_FIRST))
		return out_of_memory(r);
	f->checkpoints[f->ncheckpoints++] = cp;
	return RD_OK;
}

static int check_counts(struct rd *r, const struct log_trailer *t)
{
	for (uint32_t i = 0; i < r->ntypes; i++)
		if (t->events_by_type[i] != r->by_type[i])
			return fail_at(r, r->rec, "trailer counts %" PRIu64 " events of type %d, the log"
				       " holds %" PRIu64, t->events_by_type[i], i, r->by_type[i]);
	return RD_OK;
}

static int read_hash_stats(struct rd *r, struct log_hash_stats *h)
{
	size_t n = 0;

	TRY(get_array(r, "hash stats", HS_NFIELDS, HS_NFIELDS, &n));
	TRY(get_uint(r, "hash queued", UINT64_MAX, &h->queued));
	TRY(get_uint(r, "hash hashed", UINT64_MAX, &h->hashed));
	TRY(get_uint(r, "hash failed", UINT64_MAX, &h->failed));
	TRY(get_uint(r, "hash changed", UINT64_MAX, &h->changed));
	return get_uint(r, "hash queue_full", UINT64_MAX, &h->queue_full);
}

static int read_trailer(struct rd *r, size_t n)
{
	struct log_trailer t = { 0 };

	if (n != TR_NFIELDS && n != TR_NFIELDS_NOHASH)
		return fail_at(r, r->rec, "trailer of %zu elements", n);
	TRY(get_uint(r, "end_wall_ns", UINT64_MAX, &t.end_wall_ns));
	TRY(get_uint(r, "end_boot_ns", UINT64_MAX, &t.end_boot_ns));
	TRY(get_i32(r, "exit_status", &t.exit_status));
	TRY(get_i32(r, "kettle_exit", &t.kettle_exit));
	TRY(read_u64_array(r, "events_by_type", t.events_by_type, r->ntypes));
	TRY(read_losses(r, &t.losses));
	TRY(check_sha(r, "trailer"));
	if (n == TR_NFIELDS)
		TRY(read_hash_stats(r, &t.hash));
	TRY(check_counts(r, &t));
	r->f->trailer = t;
	r->f->has_trailer = true;
	return RD_OK;
}

/* ---- header ---- */

static int read_string_list(struct rd *r, const char *what, size_t max, const char ***out,
			    size_t *count)
{
	const char **v;
	size_t n = 0;

	TRY(get_array(r, what, 0, max, &n));
	v = arena_alloc(r->st, (n ? n : 1) * sizeof(*v));
	if (!v)
		return out_of_memory(r);
	for (size_t i = 0; i < n; i++)
		TRY(get_copied_string(r, what, &v[i]));
	*out = v;
	*count = n;
	return RD_OK;
}

static int read_options(struct rd *r, struct log_header *h)
{
	const char **kv;
	struct log_option *o;
	size_t n = 0;

	TRY(read_string_list(r, "options", (size_t)LOG_OPTIONS_MAX * 2, &kv, &n));
	if (n % 2)
		return fail_at(r, r->tokpos, "options: odd number of strings");
	o = arena_alloc(r->st, (n / 2 + 1) * sizeof(*o));
	if (!o)
		return out_of_memory(r);
	for (size_t i = 0; i < n / 2; i++)
		o[i] = (struct log_option){ kv[2 * i], kv[2 * i + 1] };
	h->options = o;
	h->noptions = (uint32_t)(n / 2);
	return RD_OK;
}

/* [env_mode, [secret_pattern*]] */
static int read_env_rule(struct rd *r, struct log_header *h)
{
	const char **patterns;
	size_t n, npatterns;
	uint64_t mode = 0;

	TRY(get_array(r, "env rule", ENVR_NFIELDS, ENVR_NFIELDS, &n));
	TRY(get_uint(r, "env mode", LOG_ENV_RECORDED, &mode));
	h->env_mode = (enum log_env_mode)mode;
	TRY(read_string_list(r, "secret patterns", LOG_SECRET_PATTERNS_MAX, &patterns, &npatterns));
	for (size_t i = 0; i < npatterns; i++)
		if (!patterns[i] || !patterns[i][0])
			return fail_at(r, r->tokpos, "secret patterns: null or empty pattern");
	h->secret_patterns = patterns;
	h->nsecret_patterns = (uint32_t)npatterns;
	return RD_OK;
}

static int check_magic(struct rd *r)
{
	const uint8_t *p;
	size_t n = 0;

	TRY(next(r));
	if (r->tok.kind != T_TEXT)
		return fail_at(r, r->tokpos, "not a kettle log (no \"%s\" header)", LOG_MAGIC);
	p = r->tok.p;
	n = r->tok.n;
	if (n != strlen(LOG_MAGIC) || memcmp(p, LOG_MAGIC, n))
		return fail_at(r, r->tokpos, "not a kettle log (no \"%s\" header)", LOG_MAGIC);
	return RD_OK;
}

static int read_header_body(struct rd *r, struct log_header *h)
{
	const char **command;
	size_t ncommand;

	TRY(get_copied_string(r, "kettle_version", &h->kettle_version));
	TRY(get_copied_string(r, "host", &h->host));
	TRY(get_copied_string(r, "kernel_release", &h->kernel_release));
	TRY(get_copied_string(r, "boot_id", &h->boot_id));
	TRY(get_uint(r, "start_wall_ns", UINT64_MAX, &h->start_wall_ns));
	TRY(get_uint(r, "start_boot_ns", UINT64_MAX, &h->start_boot_ns));
	TRY(get_u32(r, "root_pid", &h->root_pid));
	TRY(read_string_list(r, "command", LOG_COMMAND_MAX, &command, &ncommand));
	h->command = command;
	h->ncommand = (uint32_t)ncommand;
	TRY(get_copied_string(r, "cwd", &h->cwd));
	TRY(read_options(r, h));
	return r->version >= 3 ? read_env_rule(r, h) : RD_OK;
}

static int read_header(struct rd *r)
{
	struct log_header *h = &r->f->header;
	uint64_t kind, version = 0;
	size_t n = 0;

	/* judge the first byte alone: garbage should not read as "a header cut short" */
	if (r->buf[0] >> 5 != 4)
		return fail_at(r, 0, "not a kettle log (no header record)");
	TRY(next(r));
	if (r->tok.kind != T_ARRAY || r->tok.u < 3 || r->tok.u > 64)
		return fail_at(r, 0, "not a kettle log (no header record)");
	n = (size_t)r->tok.u;
	TRY(next(r));
	kind = r->tok.u;
	if (r->tok.kind != T_UINT || kind != LOG_REC_HEADER)
		return fail_at(r, 0, "not a kettle log (no header record)");
	TRY(check_magic(r));
	TRY(get_uint(r, "format version", UINT32_MAX, &version));
	if (version > LOG_FORMAT_VERSION)
		return fail_at(r, r->tokpos, "format version %" PRIu64 " is newer than this kettle reads"
			       " (%d to %d): a newer kettle wrote it", version, LOG_FORMAT_VERSION_MIN,
			       LOG_FORMAT_VERSION);
	if (version < LOG_FORMAT_VERSION_MIN)
		return fail_at(r, r->tokpos, "unsupported format version %" PRIu64 " (this kettle reads"
			       " %d to %d)", version, LOG_FORMAT_VERSION_MIN, LOG_FORMAT_VERSION);
	r->ntypes = version == 1 ? LOG_EV_TYPE_MAX_V1 : version <= 3 ? LOG_EV_TYPE_MAX_V3 : LOG_EV_TYPE_MAX;
	r->version = (uint32_t)version;
	if (n != (version >= 3 ? HDR_NFIELDS : HDR_NFIELDS_V2))
		return fail_at(r, 0, "header of %zu elements (expected %d)", n,
			       version >= 3 ? HDR_NFIELDS : HDR_NFIELDS_V2);
	h->format_version = (uint32_t)version;
	TRY(read_header_body(r, h));
	r->prev_ts = h->start_boot_ns;
	r->prev_tgid = h->root_pid;
	r->f->has_header = true;
	return RD_OK;
}

/* ---- the file, a window at a time ---- */

/*
 * Whether the CBOR item at P[0..N) is all there.  Also true when the item is
 * beyond what any record may hold (a string over LOG_STR_MAX, an array over
 * LOG_COMMAND_MAX entries, a map, a tag, an indefinite length): the parser
 * rejects those where they start, so a window never grows for them.  False:
 * more bytes are needed.
 */
static bool item_complete(const uint8_t *p, size_t n)
{
	uint64_t items = 1;
	size_t at = 0;

	while (items) {
		unsigned major, ai;
		uint64_t v;
		size_t head = 1;

		if (at >= n)
			return false;
		major = p[at] >> 5;
		ai = p[at] & 0x1f;
		v = ai;
		if (ai >= 28 || major == 5 || major == 6)
			return true;
		if (ai >= 24) {
			head += (size_t)1 << (ai - 24);
			if (n - at < head)
				return false;
			v = 0;
			for (size_t i = 1; i < head; i++)
				v = v << 8 | p[at + i];
		}
		at += head;
		items--;
		if (major == 2 || major == 3) {
			if (v > LOG_STR_MAX)
				return true;
			if (v > n - at)
				return false;
			at += (size_t)v;
		} else if (major == 4) {
			if (v > LOG_COMMAND_MAX)
				return true;
			items += v;
		}
	}
	return true;
}

/* ---- zstd ---- */

static int zstd_fail(struct rd *r, const char *what, size_t code)
{
	if (ZSTD_getErrorCode(code) == ZSTD_error_frameParameter_windowTooLarge)
		snprintf(r->err, r->errlen, "zstd frame at compressed byte %" PRIu64 " needs a window over "
			 "the limit of %u MiB: refused", r->z->in_bytes, 1u << (LOG_ZSTD_WINDOW_LOG_MAX - 20));
	else
		snprintf(r->err, r->errlen, "%s zstd stream at compressed byte %" PRIu64 ": %s", what,
			 r->z->in_bytes, ZSTD_getErrorName(code));
	return RD_ERR;
}

static int zstd_setup(struct rd *r, const uint8_t *p, size_t n)
{
	struct zsrc *z = calloc(1, sizeof(*z));
	size_t e;

	r->z = z;
	if (!z || !(z->dc = ZSTD_createDCtx()) || !(z->file_sha = EVP_MD_CTX_new())) {
		snprintf(r->err, r->errlen, "out of memory");
		return RD_ERR;
	}
	if (EVP_DigestInit_ex(z->file_sha, EVP_sha256(), NULL) != 1 || (n && EVP_DigestUpdate(z->file_sha, p, n) != 1)) {
		snprintf(r->err, r->errlen, "SHA-256 failed");
		return RD_ERR;
	}
	e = ZSTD_DCtx_setParameter(z->dc, ZSTD_d_windowLogMax, LOG_ZSTD_WINDOW_LOG_MAX);
	if (ZSTD_isError(e))
		return zstd_fail(r, "cannot set up the", e);
	z->in = (ZSTD_inBuffer){ p, n, 0 };
	z->in_eof = r->fd < 0;
	return RD_OK;
}

static void zstd_free(struct zsrc *z)
{
	if (z) {
		EVP_MD_CTX_free(z->file_sha);
		ZSTD_freeDCtx(z->dc);
		free(z->inbuf);
		free(z);
	}
}

/* Tops up Z's input from the file once it is used up; sets in_eof at the end. */
static int zstd_input(struct rd *r)
{
	struct zsrc *z = r->z;
	ssize_t k;

	if (z->in.pos < z->in.size || z->in_eof)
		return RD_OK;
	if (!z->inbuf) {
		z->incap = ZSTD_DStreamInSize();
		z->inbuf = malloc(z->incap);
		if (!z->inbuf)
			return out_of_memory(r);
	}
	do
		k = read(r->fd, z->inbuf, z->incap);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		snprintf(r->err, r->errlen, "cannot read: %s", strerror(errno));
		return RD_ERR;
	}
	if (k > 0 && EVP_DigestUpdate(z->file_sha, z->inbuf, (size_t)k) != 1) {
		snprintf(r->err, r->errlen, "SHA-256 failed");
		return RD_ERR;
	}
	z->in = (ZSTD_inBuffer){ z->inbuf, (size_t)k, 0 };
	z->in_eof = k == 0;
	return RD_OK;
}

/* Up to N bytes of CBOR into DST; *GOT 0 only at the end of the compressed bytes. */
static int zstd_read(struct rd *r, uint8_t *dst, size_t n, size_t *got)
{
	struct zsrc *z = r->z;
	ZSTD_outBuffer out = { dst, n, 0 };

	while (out.pos == 0) {
		size_t before, e;

		TRY(zstd_input(r));
		if (z->in.pos == z->in.size && z->in_eof && !z->pending)
			break;
		before = z->in.pos;
		e = ZSTD_decompressStream(z->dc, &out, &z->in);
		z->in_bytes += z->in.pos - before;
		if (ZSTD_isError(e))
			return zstd_fail(r, "invalid", e);
		z->pending = out.pos == out.size;
	}
	z->out_bytes += out.pos;
	if (z->out_bytes > LOG_ZSTD_SLACK && z->out_bytes / LOG_ZSTD_EXPANSION > z->in_bytes) {
		snprintf(r->err, r->errlen, "zstd stream expands %" PRIu64 " compressed bytes to more than %"
			 PRIu64 ", over %ux: refused as a decompression bomb", z->in_bytes, z->out_bytes,
			 LOG_ZSTD_EXPANSION);
		return RD_ERR;
	}
	*got = out.pos;
	return RD_OK;
}

/* Up to N more bytes of the log's CBOR into DST: 0 at its end. */
static int source_read(struct rd *r, uint8_t *dst, size_t n, size_t *got)
{
	ssize_t k;

	if (r->z)
		return zstd_read(r, dst, n, got);
	do
		k = read(r->fd, dst, n);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		snprintf(r->err, r->errlen, "cannot read: %s", strerror(errno));
		return RD_ERR;
	}
	*got = (size_t)k;
	return RD_OK;
}

/*
 * Makes the record at r->pos whole in the window, or finds the end of the
 * file: the bytes before it are hashed (for the checkpoints' SHA-256) and
 * dropped, the window refilled, and grown only for a record larger than it.
 * Memory stays at the largest record, not the file.
 */
static int window_fill(struct rd *r)
{
	while (r->windowed && !r->eof && !(r->pos < r->len && item_complete(r->buf + r->pos, r->len - r->pos))) {
		size_t k = 0;

		if (r->pos > r->hashed && EVP_DigestUpdate(r->sha, r->buf + r->hashed, r->pos - r->hashed) != 1)
			return fail_at(r, r->pos, "SHA-256 failed");
		memmove(r->window, r->window + r->pos, r->len - r->pos);
		r->base += r->pos;
		r->len -= r->pos;
		r->pos = r->rec = r->tokpos = r->hashed = 0;
		if (r->len == r->window_cap) {
			uint8_t *bigger = realloc(r->window, r->window_cap * 2);

			if (!bigger)
				return out_of_memory(r);
			r->window = bigger;
			r->window_cap *= 2;
		}
		r->buf = r->window;
		TRY(source_read(r, r->window + r->len, r->window_cap - r->len, &k));
		if (k == 0)
			r->eof = true;
		r->len += k;
	}
	return RD_OK;
}

/* ---- records ---- */

/*
 * [20, strings, sites, environments]: the writer forgot its tables here, and
 * no record after this one names an id below these counts, which must be
 * the records of each kind so far.  The per-id tables start again; the
 * distinct strings and sites stay, so content written again still maps to
 * its first copy.
 */
static int read_forget(struct rd *r, size_t n)
{
	struct log_reader_store *st = r->st;
	uint64_t strs = 0, sites = 0, envs = 0;

	if (n != FORGET_NFIELDS)
		return fail_at(r, r->rec, "forget record of %zu elements", n);
	TRY(get_uint(r, "forget strings", UINT64_MAX, &strs));
	TRY(get_uint(r, "forget sites", UINT64_MAX, &sites));
	TRY(get_uint(r, "forget environments", UINT64_MAX, &envs));
	if (strs != st->nstrs || sites != st->nsites || envs != st->nenvs)
		return fail_at(r, r->rec,
			       "forget record counts %" PRIu64 " strings, %" PRIu64 " sites and %" PRIu64
			       " environments; the log has %zu, %zu and %zu", strs, sites, envs, st->nstrs,
			       st->nsites, st->nenvs);
	st->str_first = st->nstrs;
	st->site_first = st->nsites;
	st->env_first = st->nenvs;
	return RD_OK;
}

static int read_record(struct rd *r)
{
	uint64_t kind = 0;
	size_t n = 0;

	TRY(get_array(r, "record", 1, 64, &n));
	TRY(get_uint(r, "record kind", UINT32_MAX, &kind));
	switch (kind) {
	case LOG_REC_FORK:
	case LOG_REC_EXEC:
	case LOG_REC_EXEC_FAILED:
	case LOG_REC_EXIT:
	case LOG_REC_OPEN:
		return read_event(r, (enum log_event_type)kind, n);
	case LOG_REC_PROC_SNAPSHOT:
	case LOG_REC_NET:
	case LOG_REC_FILE_OP:
		if (r->ntypes <= LOG_EV_TYPE_MAX_V1)
			return fail_at(r, r->rec, "record kind %" PRIu64 " in a version-1 log", kind);
		return read_event(r, (enum log_event_type)(kind - LOG_REC_PROC_SNAPSHOT +
							  LOG_EV_PROC_SNAPSHOT), n);
	case LOG_REC_STRING:
		return read_string_record(r, n);
	case LOG_REC_ATTRS:
		if (n != ATTR_NFIELDS)
			return fail_at(r, r->rec, "attributes record of %zu elements", n);
		return read_attrs(r);
	case LOG_REC_SITE:
		return read_site(r, n);
	case LOG_REC_CHECKPOINT:
		return read_checkpoint(r, n);
	case LOG_REC_TRAILER:
		return read_trailer(r, n);
	case LOG_REC_DIGEST:
		return read_digest(r, n);
	case LOG_REC_EXEC_IDENT:
		return read_exec_ident(r, n);
	case LOG_REC_ENV:
		return read_env(r, n);
	case LOG_REC_KMOD_EXEC:
	case LOG_REC_KMOD_STATS:
		if (r->version < 3)
			return fail_at(r, r->rec, "record kind %" PRIu64 " in a version-%" PRIu32 " log", kind,
				       r->version);
		return kind == LOG_REC_KMOD_EXEC ? read_kmod_exec(r, n) : read_kmod_stats(r, n);
	case LOG_REC_NOTICE:
		if (r->version < 4)
			return fail_at(r, r->rec, "record kind %" PRIu64 " in a version-%" PRIu32 " log", kind,
				       r->version);
		return read_event(r, LOG_EV_NOTICE, n);
	case LOG_REC_FORGET:
		if (r->version < 6)
			return fail_at(r, r->rec, "record kind %" PRIu64 " in a version-%" PRIu32 " log", kind,
				       r->version);
		return read_forget(r, n);
	case LOG_REC_HEADER:
		return fail_at(r, r->rec, "second header record");
	default:
		return fail_at(r, r->rec, "unknown record kind %" PRIu64, kind);
	}
}

/* ->sha256: the bytes hashed so far, then the window's up to the end of the last complete record. */
static int digest_valid_bytes(struct rd *r)
{
	r->rec = (size_t)(r->f->valid_bytes - r->base);
	return digest_before_record(r, r->f->sha256);
}

static int read_records(struct rd *r)
{
	struct log_file *f = r->f;
	int ret;

	for (;;) {
		TRY(window_fill(r));
		if (r->pos >= r->len)
			break;
		if (f->has_trailer)
			return fail_at(r, r->pos, "data after the trailer");
		r->rec = r->pos;
		ret = read_record(r);
		if (ret == RD_TRUNC) {
			f->truncated = true;
			return digest_valid_bytes(r);
		}
		if (ret)
			return ret;
		f->nrecords++;
		f->valid_bytes = r->base + r->pos;
	}
	if (!f->has_trailer)
		f->truncated = true;
	return digest_valid_bytes(r);
}

static int reader_setup(struct rd *r, uint64_t len)
{
	r->st = calloc(1, sizeof(*r->st));
	r->f->store = r->st;    /* log_file_free() releases whatever was set up */
	r->sha = EVP_MD_CTX_new();
	r->sha_copy = EVP_MD_CTX_new();
	if (r->st)
		r->st->site_cache = calloc(1, sizeof(*r->st->site_cache));
	if (!r->st || !r->st->site_cache || !r->sha || !r->sha_copy ||
	    EVP_DigestInit_ex(r->sha, EVP_sha256(), NULL) != 1) {
		snprintf(r->err, r->errlen, "out of memory");
		return RD_ERR;
	}
	r->st->site_cache->last = UINT32_MAX;
	r->st->str_budget = (uint64_t)len * LOG_STR_EXPANSION + LOG_STR_SLACK;
	return RD_OK;
}

static int parse(struct rd *r)
{
	int ret;

	TRY(reader_setup(r, r->f->file_bytes));
	TRY(window_fill(r));
	if (r->len == 0) {
		snprintf(r->err, r->errlen, "%s", r->z ? "the zstd stream ends before any of its CBOR (cut inside "
			 "its first block, or empty)" : "empty file");
		return RD_ERR;
	}
	ret = read_header(r);
	if (ret == RD_TRUNC)
		return fail_at(r, r->len, "file ends inside the header");
	if (ret)
		return ret;
	r->f->nrecords = 1;
	r->f->valid_bytes = r->base + r->pos;
	return read_records(r);
}

static bool zstd_magic(const uint8_t *p, size_t n)
{
	return n >= 4 && !memcmp(p, LOG_ZSTD_MAGIC, 4);
}

static int window_alloc(struct rd *r, size_t cap)
{
	r->window_cap = cap;
	r->window = malloc(r->window_cap);
	r->buf = r->window;
	r->windowed = true;
	if (!r->window) {
		snprintf(r->err, r->errlen, "out of memory");
		return RD_ERR;
	}
	return RD_OK;
}

/*
 * Reads what is left after the parse stopped (a log cut inside a record):
 * its size is every byte there, as far as the end, and a compressed file's
 * digest covers all of it.
 */
static int read_rest(struct rd *r)
{
	int ret = RD_OK;

	while (!ret && !r->eof) {
		size_t k = 0;

		ret = source_read(r, r->window, r->window_cap, &k);
		r->eof = k == 0;
		r->base += k;
	}
	return ret;
}

/* What a read that parsed leaves in F: its sizes and the file's digest, compressed and not. */
static int read_done(struct rd *r)
{
	unsigned int n = 0;

	r->f->content_bytes = r->base + r->len;
	if (!r->z) {
		r->f->file_bytes = r->f->content_bytes;
		memcpy(r->f->file_sha256, r->f->sha256, sizeof(r->f->file_sha256));
		return RD_OK;
	}
	r->f->compressed = true;
	r->f->file_bytes = r->z->in_bytes;
	if (EVP_DigestFinal_ex(r->z->file_sha, r->f->file_sha256, &n) != 1 || n != 32) {
		snprintf(r->err, r->errlen, "SHA-256 failed");
		return RD_ERR;
	}
	return RD_OK;
}

static int read_end(struct rd *r, int ret)
{
	zstd_free(r->z);
	free(r->window);
	EVP_MD_CTX_free(r->sha);
	EVP_MD_CTX_free(r->sha_copy);
	if (ret) {
		log_file_free(r->f);
		return -1;
	}
	return 0;
}

int log_read_buffer_to(const uint8_t *buf, size_t len, struct log_file *out,
		       const struct log_event_sink *sink, char *err, size_t errlen)
{
	struct rd r = { .buf = buf, .len = len, .fd = -1, .eof = true, .err = err, .errlen = errlen,
			.f = out, .sink = sink, .lean = sink && sink->counts_only };
	int ret = RD_OK;

	memset(out, 0, sizeof(*out));
	out->file_bytes = len;
	/* a compressed buffer is decompressed a window at a time, as a file is */
	if (zstd_magic(buf, len)) {
		r.len = 0;
		r.eof = false;
		/* a small buffer (a fuzz input) gets a small window: it grows for a record larger */
		ret = window_alloc(&r, len < WINDOW_FIRST / 4 ? (len < 16384 ? 65536 : len * 4) : WINDOW_FIRST);
		if (!ret)
			ret = zstd_setup(&r, buf, len);
	}
	if (!ret)
		ret = parse(&r);
	if (!ret && r.windowed)
		ret = read_rest(&r);
	if (!ret)
		ret = read_done(&r);
	return read_end(&r, ret);
}

int log_read_buffer(const uint8_t *buf, size_t len, struct log_file *out, char *err, size_t errlen)
{
	return log_read_buffer_to(buf, len, out, NULL, err, errlen);
}

/* Reads the file's first bytes into the window; a compressed file's go to the decompressor instead. */
static int read_start(struct rd *r)
{
	size_t k = 1;

	while (r->len < 4 && k > 0) {
		TRY(source_read(r, r->window + r->len, r->window_cap - r->len, &k));
		r->len += k;
	}
	r->eof = r->len == 0;
	if (!zstd_magic(r->window, r->len))
		return RD_OK;
	TRY(zstd_setup(r, NULL, 0));
	r->z->incap = r->window_cap;
	r->z->inbuf = r->window;
	r->z->in = (ZSTD_inBuffer){ r->window, r->len, 0 };
	if (EVP_DigestUpdate(r->z->file_sha, r->window, r->len) != 1) {
		snprintf(r->err, r->errlen, "SHA-256 failed");
		return RD_ERR;
	}
	/* the window becomes the decompressor's input buffer; the CBOR gets a new one */
	r->len = 0;
	r->eof = false;
	return window_alloc(r, WINDOW_FIRST);
}

int log_read_file_to(const char *path, struct log_file *out, const struct log_event_sink *sink,
		     char *err, size_t errlen)
{
	struct rd r = { .fd = -1, .err = err, .errlen = errlen, .f = out, .sink = sink,
			.lean = sink && sink->counts_only };
	struct stat st;
	int ret;

	memset(out, 0, sizeof(*out));
	r.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r.fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	/* the size when opened sets the string budget; a log still being written may grow past it */
	if (fstat(r.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		out->file_bytes = (uint64_t)st.st_size;
	ret = window_alloc(&r, WINDOW_FIRST);
	if (!ret)
		ret = read_start(&r);
	if (!ret)
		ret = parse(&r);
	if (!ret)
		ret = read_rest(&r);
	if (!ret)
		ret = read_done(&r);
	close(r.fd);
	return read_end(&r, ret);
}

int log_read_file(const char *path, struct log_file *out, char *err, size_t errlen)
{
	return log_read_file_to(path, out, NULL, err, errlen);
}

const char *log_header_option(const struct log_header *h, const char *key)
{
	for (uint32_t i = h->noptions; i-- > 0;)
		if (h->options[i].key && !strcmp(h->options[i].key, key))
			return h->options[i].value;
	return NULL;
}

void log_file_free(struct log_file *f)
{
	struct log_reader_store *st = f->store;

	if (st) {
		while (st->arena) {
			struct arena_chunk *next = st->arena->next;

			free(st->arena);
			st->arena = next;
		}
		free(st->strs);
		free(st->distinct);
		free(st->str_lens);
		free(st->sites);
		free(st->site_of);
		index_table_free(&st->site_index);
		index_table_free(&st->str_index);
		free(st->join_buf);
		free(st->attr_slots);
		free(st->site_cache);
		free(st->diff_buf);
		free(st->envs);
		free(st);
	}
	free(f->events);
	free(f->checkpoints);
	free(f->digests);
	free(f->exec_idents);
	free(f->kmod_execs);
	memset(f, 0, sizeof(*f));
}
