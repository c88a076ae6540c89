// SPDX-License-Identifier: MIT
/*
 * Reads an evidence bundle (docs/evidence-bundle.md).  Every byte is
 * untrusted.  Items come one at a time from libcbor's streaming decoder,
 * which points into the buffer and never allocates; a field is copied only
 * after its bytes are all there and within its limit.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "attest/bundle.h"
#include "common/file_bytes.h"

#define NEST_MAX   8    /* depth of an unknown value that is skipped */
#define MAP_MAX    32   /* entries of the top-level map */

enum tok_kind { T_UINT, T_TEXT, T_BYTES, T_BOOL, T_MAP, T_ARRAY, T_OTHER };

struct tok {
	enum tok_kind kind;
	uint64_t u;             /* T_UINT value; T_MAP / T_ARRAY entry count */
	const uint8_t *p;       /* T_TEXT, T_BYTES */
	size_t n;
	bool b;
	const char *what;       /* T_OTHER: what it was, for the error */
};

struct rd {
	const uint8_t *buf;
	size_t len, pos, at;    /* AT: offset of the last item */
	struct tok tok;
	char *err;
	size_t errlen;
};

static void set_tok(void *c, struct tok t) { *(struct tok *)c = t; }
static void on_u8(void *c, uint8_t v) { set_tok(c, (struct tok){ .kind = T_UINT, .u = v }); }
static void on_u16(void *c, uint16_t v) { set_tok(c, (struct tok){ .kind = T_UINT, .u = v }); }
static void on_u32(void *c, uint32_t v) { set_tok(c, (struct tok){ .kind = T_UINT, .u = v }); }
static void on_u64(void *c, uint64_t v) { set_tok(c, (struct tok){ .kind = T_UINT, .u = v }); }
static void on_text(void *c, cbor_data p, size_t n) { set_tok(c, (struct tok){ .kind = T_TEXT, .p = p, .n = n }); }
static void on_bytes(void *c, cbor_data p, size_t n) { set_tok(c, (struct tok){ .kind = T_BYTES, .p = p, .n = n }); }
static void on_bool(void *c, bool b) { set_tok(c, (struct tok){ .kind = T_BOOL, .b = b }); }
static void on_map(void *c, size_t n) { set_tok(c, (struct tok){ .kind = T_MAP, .u = n }); }
static void on_array(void *c, size_t n) { set_tok(c, (struct tok){ .kind = T_ARRAY, .u = n }); }
static void on_other(void *c, const char *what) { set_tok(c, (struct tok){ .kind = T_OTHER, .what = what }); }
static void on_neg8(void *c, uint8_t v) { (void)v; on_other(c, "negative integer"); }
static void on_neg16(void *c, uint16_t v) { (void)v; on_other(c, "negative integer"); }
static void on_neg32(void *c, uint32_t v) { (void)v; on_other(c, "negative integer"); }
static void on_neg64(void *c, uint64_t v) { (void)v; on_other(c, "negative integer"); }
static void on_indef(void *c) { on_other(c, "indefinite-length item"); }
static void on_tag(void *c, uint64_t v) { (void)v; on_other(c, "tag"); }
static void on_f4(void *c, float v) { (void)v; on_other(c, "float"); }
static void on_f8(void *c, double v) { (void)v; on_other(c, "float"); }
static void on_null(void *c) { on_other(c, "null"); }

static const struct cbor_callbacks callbacks = {
	.uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
	.negint8 = on_neg8, .negint16 = on_neg16, .negint32 = on_neg32, .negint64 = on_neg64,
	.string = on_text, .byte_string = on_bytes, .string_start = on_indef,
	.byte_string_start = on_indef, .array_start = on_array, .indef_array_start = on_indef,
	.map_start = on_map, .indef_map_start = on_indef, .tag = on_tag,
	.float2 = on_f4, .float4 = on_f4, .float8 = on_f8, .undefined = on_null,
	.null = on_null, .boolean = on_bool, .indef_break = on_indef,
};

static int fail(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct rd *r, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "evidence bundle: %s at byte %zu", what, r->at);
	return -1;
}

static int next(struct rd *r)
{
	struct cbor_decoder_result res;

	r->at = r->pos;
	if (r->pos >= r->len)
		return fail(r, "truncated: file ends");
	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &callbacks, &r->tok);
	if (res.status == CBOR_DECODER_NEDATA)
		return fail(r, "truncated: item needs more bytes than the file has");
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return fail(r, "malformed CBOR");
	r->pos += res.read;
	if (r->tok.kind == T_OTHER)
		return fail(r, "unexpected CBOR %s", r->tok.what);
	return 0;
}

/* Skips one item of any shape (an unknown key's value), nested at most NEST_MAX deep. */
static int skip(struct rd *r, int depth)
{
	uint64_t n;

	if (depth > NEST_MAX)
		return fail(r, "nested deeper than %d", NEST_MAX);
	if (next(r))
		return -1;
	if (r->tok.kind != T_MAP && r->tok.kind != T_ARRAY)
		return 0;
	n = r->tok.kind == T_MAP ? 2 * r->tok.u : r->tok.u;
	if (n > r->len - r->pos)
		return fail(r, "truncated: %" PRIu64 " items declared, fewer bytes left", n);
	for (uint64_t i = 0; i < n; i++)
		if (skip(r, depth + 1))
			return -1;
	return 0;
}

static int get(struct rd *r, enum tok_kind kind, const char *key)
{
	static const char *const names[] = {
		[T_UINT] = "an unsigned integer", [T_TEXT] = "a text string",
		[T_BYTES] = "a byte string", [T_BOOL] = "true or false",
		[T_MAP] = "a map", [T_ARRAY] = "an array",
	};

	if (next(r))
		return -1;
	if (r->tok.kind != kind)
		return fail(r, "'%s' must be %s", key, names[kind]);
	return 0;
}

static int get_bytes(struct rd *r, const char *key, size_t max, uint8_t **field, size_t *flen)
{
	if (get(r, T_BYTES, key))
		return -1;
	if (r->tok.n > max)
		return fail(r, "'%s' of %zu bytes exceeds the limit of %zu", key, r->tok.n, max);
	*field = malloc(r->tok.n ? r->tok.n : 1);
	if (!*field)
		return fail(r, "out of memory");
	memcpy(*field, r->tok.p, r->tok.n);
	*flen = r->tok.n;
	return 0;
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Text into a fixed field: printable ASCII, shorter than MAX. */
static int get_text(struct rd *r, const char *key, char *out, size_t max)
{
	if (get(r, T_TEXT, key))
		return -1;
	if (r->tok.n >= max || !printable(r->tok.p, r->tok.n))
		return fail(r, "'%s' must be printable ASCII shorter than %zu bytes", key, max);
	memcpy(out, r->tok.p, r->tok.n);
	out[r->tok.n] = '\0';
	return 0;
}

static int get_cert_fields(struct rd *r, struct bundle_cert *c)
{
	bool have_role = false;

	if (get(r, T_MAP, "certs[]"))
		return -1;
	if (r->tok.u != 2)
		return fail(r, "a certificate must be a map of exactly 'role' and 'der'");
	for (int i = 0; i < 2; i++) {
		if (get(r, T_TEXT, "certificate key"))
			return -1;
		if (r->tok.n == 4 && !memcmp(r->tok.p, "role", 4) && !have_role) {
			if (get_text(r, "role", c->role, sizeof(c->role)))
				return -1;
			if (!c->role[0])
				return fail(r, "empty certificate role");
			have_role = true;
		} else if (r->tok.n == 3 && !memcmp(r->tok.p, "der", 3) && !c->der) {
			if (get_bytes(r, "der", BUNDLE_CERT_MAX, &c->der, &c->len))
				return -1;
			if (!c->len)
				return fail(r, "empty certificate");
		} else {
			return fail(r, "a certificate must be a map of exactly 'role' and 'der'");
		}
	}
	return 0;
}

static int get_cert(struct rd *r, struct bundle *b)
{
	struct bundle_cert *c = &b->certs[b->ncerts];

	if (get_cert_fields(r, c)) {
		/* not counted in ncerts, so bundle_free would not free it */
		free(c->der);
		memset(c, 0, sizeof(*c));
		return -1;
	}
	b->ncerts++;
	return 0;
}

static int get_certs(struct rd *r, struct bundle *b)
{
	uint64_t n;

	if (get(r, T_ARRAY, "certs"))
		return -1;
	n = r->tok.u;
	if (n > BUNDLE_CERTS_MAX)
		return fail(r, "%" PRIu64 " certificates, more than the limit of %d", n, BUNDLE_CERTS_MAX);
	for (uint64_t i = 0; i < n; i++)
		if (get_cert(r, b))
			return -1;
	return 0;
}

enum key {
	K_FORMAT, K_VERSION, K_PLATFORM, K_SIMULATED, K_STATEMENT, K_REPORT, K_CERTS,
	K_NONCE, K_CREATED, K_KETTLE_VERSION, K_SIGNING_KEY, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"format", "version", "platform", "simulated", "statement", "report", "certs",
	"nonce", "created", "kettle_version", "signing_key",
};

static int get_value(struct rd *r, enum key k, struct bundle *b)
{
	char text[BUNDLE_TEXT_MAX];
	uint8_t *nonce = NULL;
	size_t nlen = 0;

	switch (k) {
	case K_FORMAT:
		if (get(r, T_TEXT, "format"))
			return -1;
		if (r->tok.n != strlen(BUNDLE_FORMAT) || memcmp(r->tok.p, BUNDLE_FORMAT, r->tok.n))
			return fail(r, "not a kettle evidence bundle (format is not '%s')", BUNDLE_FORMAT);
		return 0;
	case K_VERSION:
		if (get(r, T_UINT, "version"))
			return -1;
		if (r->tok.u != BUNDLE_VERSION && r->tok.u != BUNDLE_VERSION_KEYED)
			return fail(r, "unsupported version %" PRIu64 " (this kettle reads versions %d and %d)",
				    r->tok.u, BUNDLE_VERSION, BUNDLE_VERSION_KEYED);
		b->version = (uint32_t)r->tok.u;
		return 0;
	case K_PLATFORM:
		if (get_text(r, "platform", text, sizeof(text)))
			return -1;
		b->platform = bundle_platform_from_name(text, strlen(text));
		if (b->platform == PLATFORM_NONE)
			return fail(r, "unknown platform '%s' (expected sev-snp, tdx or sim-sev-snp)", text);
		return 0;
	case K_SIMULATED:
		if (get(r, T_BOOL, "simulated"))
			return -1;
		b->simulated = r->tok.b;
		return 0;
	case K_STATEMENT:
		return get_bytes(r, "statement", BUNDLE_STATEMENT_MAX, &b->statement, &b->statement_len);
	case K_REPORT:
		if (get_bytes(r, "report", BUNDLE_REPORT_MAX, &b->report, &b->report_len))
			return -1;
		return b->report_len ? 0 : fail(r, "empty report");
	case K_CERTS:
		return get_certs(r, b);
	case K_NONCE:
		if (get_bytes(r, "nonce", NONCE_LEN, &nonce, &nlen))
			return -1;
		memcpy(b->nonce, nonce, nlen);
		free(nonce);
		if (nlen != NONCE_LEN)
			return fail(r, "nonce of %zu bytes, expected %d", nlen, NONCE_LEN);
		b->has_nonce = true;
		return 0;
	case K_SIGNING_KEY:
		if (get(r, T_BYTES, "signing_key"))
			return -1;
		if (r->tok.n == 0 || r->tok.n > BUNDLE_KEY_MAX)
			return fail(r, "'signing_key' of %zu bytes (a P-256 SubjectPublicKeyInfo is 91)", r->tok.n);
		memcpy(b->signing_key, r->tok.p, r->tok.n);
		b->signing_key_len = r->tok.n;
		return 0;
	case K_CREATED:
		return get_text(r, "created", b->created, sizeof(b->created));
	case K_KETTLE_VERSION:
		return get_text(r, "kettle_version", b->kettle_version, sizeof(b->kettle_version));
	case K_COUNT:
		break;
	}
	return fail(r, "internal error: key %d", (int)k);
}

static int parse(struct rd *r, struct bundle *b)
{
	bool seen[K_COUNT] = { false };
	char unknown[40] = "";
	uint64_t n;

	if (r->len == 0)
		return fail(r, "empty file");
	if (r->buf[0] >> 5 != 5)
		return fail(r, "not a kettle evidence bundle (does not start with a CBOR map)");
	if (get(r, T_MAP, "bundle"))
		return -1;
	n = r->tok.u;
	if (n > MAP_MAX)
		return fail(r, "map of %" PRIu64 " entries, more than the limit of %d", n, MAP_MAX);
	for (uint64_t i = 0; i < n; i++) {
		int k;

		if (get(r, T_TEXT, "key"))
			return -1;
		for (k = 0; k < K_COUNT; k++)
			if (r->tok.n == strlen(key_names[k]) && !memcmp(r->tok.p, key_names[k], r->tok.n))
				break;
		if (k == K_COUNT) {
			/* Remembered, not failed at once: a wrong version explains it better. */
			if (!unknown[0])
				snprintf(unknown, sizeof(unknown), "%.*s", (int)(r->tok.n < 32 ? r->tok.n : 32),
					 printable(r->tok.p, r->tok.n) ? (const char *)r->tok.p : "?");
			if (skip(r, 0))
				return -1;
			continue;
		}
		if (seen[k])
			return fail(r, "key '%s' appears twice", key_names[k]);
		seen[k] = true;
		if (get_value(r, (enum key)k, b))
			return -1;
	}
	r->at = r->pos;
	if (r->pos != r->len)
		return fail(r, "%zu bytes after the end of the bundle", r->len - r->pos);
	if (!seen[K_FORMAT])
		return fail(r, "not a kettle evidence bundle (no 'format' key)");
	if (!seen[K_VERSION])
		return fail(r, "missing key 'version'");
	if (unknown[0])
		return fail(r, "unknown key '%s' (version %u has no such key)", unknown, b->version);
	/* the version says which report_data layout binds the statement: key and version go together */
	if (seen[K_SIGNING_KEY] != (b->version == BUNDLE_VERSION_KEYED))
		return fail(r, seen[K_SIGNING_KEY] ? "unknown key 'signing_key' (version %u has no such key)"
						   : "missing key 'signing_key' (version %u binds a session key)",
			    b->version);
	for (int k = 0; k < K_COUNT; k++)
		if (!seen[k] && k != K_NONCE && k != K_SIGNING_KEY)
			return fail(r, "missing key '%s'", key_names[k]);
	if (b->simulated != (b->platform == PLATFORM_SIM_SEV_SNP))
		return fail(r, "'simulated' is %s but the platform is %s",
			    b->simulated ? "true" : "false", bundle_platform_name(b->platform));
	return 0;
}

int bundle_decode(const uint8_t *buf, size_t len, struct bundle *b, char *err, size_t errlen)
{
	struct rd r = { .buf = buf, .len = len, .err = err, .errlen = errlen };

	memset(b, 0, sizeof(*b));
	if (len > BUNDLE_FILE_MAX) {
		snprintf(err, errlen, "evidence bundle: %zu bytes, larger than the limit of %u",
			 len, BUNDLE_FILE_MAX);
		return -1;
	}
	if (parse(&r, b)) {
		bundle_free(b);
		return -1;
	}
	return 0;
}

int bundle_read_file(const char *path, struct bundle *b, char *err, size_t errlen)
{
	char why[256];
	uint8_t *buf;
	size_t len;
	int ret;

	memset(b, 0, sizeof(*b));
	if (file_read_bounded(path, BUNDLE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	ret = bundle_decode(buf, len, b, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, why);
	free(buf);
	return ret;
}
