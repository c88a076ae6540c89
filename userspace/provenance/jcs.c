// SPDX-License-Identifier: MIT
/* RFC 8785 canonical JSON from jansson values (see jcs.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "provenance/jcs.h"

struct out {
	char *buf;
	size_t len, cap;
	const struct jcs_items *items;  /* each written in place of its hole, NULL: none */
	char ptr[512];          /* JSON pointer of the value being written, for errors */
	size_t ptrlen;
	char *err;
	size_t errlen;
};

static int fail(struct out *o, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(o->err, o->errlen, "%s at '%.*s'", what, (int)o->ptrlen, o->ptr);
	return -1;
}

static int put(struct out *o, const void *p, size_t n)
{
	if (n > SIZE_MAX - o->len)
		return fail(o, "output too large");
	if (grow_array((void **)&o->buf, &o->cap, o->len + n, 1, 4096))
		return fail(o, "out of memory");
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int putc_(struct out *o, char c)
{
	return put(o, &c, 1);
}

/*
 * One code point of valid UTF-8 at S[*I] (advancing *I), or -1 for an
 * ill-formed sequence: overlong forms, surrogates and values past U+10FFFF
 * are refused (RFC 3629).
 */
static int32_t utf8_next(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	uint32_t cp, min;
	size_t len;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return -1;
	if (n - *i < len)
		return -1;
	for (size_t k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[*i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += len;
	return (int32_t)cp;
}

int jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		int32_t ca = utf8_next(ua, alen, &i), cb = utf8_next(ub, blen, &j);

		if (ca < 0 || cb < 0) {         /* not UTF-8: byte order, never a loop */
			int c = memcmp(a, b, alen < blen ? alen : blen);

			return c ? c : (alen > blen) - (alen < blen);
		}
		if (ca == cb)
			continue;
		/*
		 * Code point order is UTF-16 order except between a character above
		 * U+FFFF (a surrogate pair, 0xD800..0xDBFF first) and one from
		 * U+E000..U+FFFF, which UTF-16 puts after the pair.
		 */
		if ((ca >= 0x10000) != (cb >= 0x10000)) {
			int32_t bmp = ca >= 0x10000 ? cb : ca;
			int bmp_first = bmp < 0xd800;

			return (ca < 0x10000) == bmp_first ? -1 : 1;
		}
		return ca < cb ? -1 : 1;
	}
	return (i < alen) - (j < blen);
}

static int put_string(struct out *o, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	if (putc_(o, '"'))
		return -1;
	while (i < n) {
		size_t at = i;
		int32_t cp = utf8_next(u, n, &i);
		char esc[8];

		if (cp < 0)
			return fail(o, "invalid UTF-8 at byte %zu of a string", at);
		if (cp >= 0x20 && cp != '"' && cp != '\\')
			continue;
		if (put(o, s + run, at - run))
			return -1;
		run = i;
		switch (cp) {
		case '"': strcpy(esc, "\\\""); break;
		case '\\': strcpy(esc, "\\\\"); break;
		case '\b': strcpy(esc, "\\b"); break;
		case '\f': strcpy(esc, "\\f"); break;
		case '\n': strcpy(esc, "\\n"); break;
		case '\r': strcpy(esc, "\\r"); break;
		case '\t': strcpy(esc, "\\t"); break;
		default: snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp); break;
		}
		if (put(o, esc, strlen(esc)))
			return -1;
	}
	if (put(o, s + run, n - run))
		return -1;
	return putc_(o, '"');
}

/* Appends "/SEG" (with RFC 6901's ~0 ~1) to the error pointer; returns the length to restore. */
static size_t ptr_push(struct out *o, const char *seg, size_t n)
{
	size_t saved = o->ptrlen;
	size_t room = sizeof(o->ptr) - 1;

	if (o->ptrlen < room)
		o->ptr[o->ptrlen++] = '/';
	for (size_t k = 0; k < n && o->ptrlen + 2 <= room; k++) {
		if (seg[k] == '~' || seg[k] == '/') {
			o->ptr[o->ptrlen++] = '~';
			o->ptr[o->ptrlen++] = seg[k] == '~' ? '0' : '1';
		} else {
			o->ptr[o->ptrlen++] = seg[k];
		}
	}
	return saved;
}

struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static int by_key(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return jcs_key_cmp(x->key, x->len, y->key, y->len);
}

static int put_value(struct out *o, const json_t *v, int depth);

static int put_object(struct out *o, const json_t *v, int depth)
{
	size_t n = json_object_size(v), k = 0;
	struct member *m = malloc((n ? n : 1) * sizeof(*m));
	const char *key;
	size_t klen;
	json_t *val;
	int r = 0;

	if (!m)
		return fail(o, "out of memory");
	json_object_keylen_foreach((json_t *)v, key, klen, val) {
		size_t i = 0;

		while (i < klen && utf8_next((const unsigned char *)key, klen, &i) >= 0)
			;
		if (i < klen) {
			ptr_push(o, key, klen);
			free(m);
			return fail(o, "invalid UTF-8 in an object key");
		}
		m[k++] = (struct member){ key, klen, val };
	}
	qsort(m, k, sizeof(*m), by_key);
	r = putc_(o, '{');
	for (size_t i = 0; !r && i < k; i++) {
		size_t saved;

		if ((i && putc_(o, ',')) || put_string(o, m[i].key, m[i].len) || putc_(o, ':')) {
			r = -1;
			break;
		}
		saved = ptr_push(o, m[i].key, m[i].len);
		r = put_value(o, m[i].value, depth + 1);
		if (!r)
			o->ptrlen = saved;
	}
	free(m);
	return r ? r : putc_(o, '}');
}

/* ITEMS, each canonical already, as the array they stand for. */
static int put_items(struct out *o, const struct jcs_items *items)
{
	if (putc_(o, '['))
		return -1;
	if (items->at)
		*items->at = o->len;
	for (size_t i = 0; i < items->n; i++)
		if ((i && putc_(o, ',')) || put(o, items->bytes[i], items->lens[i]))
			return -1;
	return putc_(o, ']');
}

static int put_array(struct out *o, const json_t *v, int depth)
{
	for (const struct jcs_items *it = o->items; it; it = it->next)
		if (v == it->hole)
			return put_items(o, it);
	if (putc_(o, '['))
		return -1;
	for (size_t i = 0; i < json_array_size(v); i++) {
		char idx[24];
		size_t saved = ptr_push(o, idx, (size_t)snprintf(idx, sizeof(idx), "%zu", i));

		if ((i && putc_(o, ',')) || put_value(o, json_array_get(v, i), depth + 1))
			return -1;
		o->ptrlen = saved;
	}
	return putc_(o, ']');
}

static int put_value(struct out *o, const json_t *v, int depth)
{
	char num[24];

	if (depth > JCS_MAX_DEPTH)
		return fail(o, "nested deeper than %d", JCS_MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return put_object(o, v, depth);
	case JSON_ARRAY:
		return put_array(o, v, depth);
	case JSON_STRING:
		return put_string(o, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		json_int_t n = json_integer_value(v);

		if (n > JCS_MAX_SAFE_INT || n < -JCS_MAX_SAFE_INT)
			return fail(o, "integer %" JSON_INTEGER_FORMAT " is beyond 2^53-1 (not exact as a double)", n);
		return put(o, num, (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, n));
	}
	case JSON_REAL:
		return fail(o, "a real number (only integers are allowed)");
	case JSON_TRUE:
		return put(o, "true", 4);
	case JSON_FALSE:
		return put(o, "false", 5);
	case JSON_NULL:
		return put(o, "null", 4);
	}
	return fail(o, "unknown JSON type");
}

char *jcs_dump(const json_t *v, size_t *len, char *err, size_t errlen)
{
	return jcs_dump_items(v, NULL, len, err, errlen);
}

char *jcs_dump_items(const json_t *v, const struct jcs_items *items, size_t *len, char *err, size_t errlen)
{
	struct out o = { .items = items, .err = err, .errlen = errlen };

	if (!v) {
		snprintf(err, errlen, "no value");
		return NULL;
	}
	if (put_value(&o, v, 0) || putc_(&o, '\0')) {
		free(o.buf);
		return NULL;
	}
	*len = o.len - 1;
	return o.buf;
}
