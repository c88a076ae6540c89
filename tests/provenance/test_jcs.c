// SPDX-License-Identifier: MIT
/* RFC 8785 canonical JSON: the RFC's own examples, escapes, ordering, refusals, and an independent check. */
#include <stdint.h>

#include <jansson.h>

#include "provenance/jcs.h"
#include "python_jcs.h"
#include "testlib.h"

/* The canonical text of V, or NULL (the error goes to stderr). The caller frees. */
static char *canon(const json_t *v, size_t *len)
{
	char err[600];
	size_t n;
	char *s = jcs_dump(v, len ? len : &n, err, sizeof(err));

	if (!s)
		fprintf(stderr, "  jcs_dump: %s\n", err);
	return s;
}

static int expect(json_t *v, const char *want)
{
	size_t len;
	char *got = canon(v, &len);
	int ok = got && len == strlen(want) && !memcmp(got, want, len);

	if (!ok)
		fprintf(stderr, "  got  %s\n  want %s\n", got ? got : "(null)", want);
	free(got);
	json_decref(v);
	return ok;
}

/* RFC 8785 section 3.2.3: property sorting by UTF-16 code units. */
static int test_rfc8785_sorting(void)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "\u20ac", "Euro Sign", "\r", "Carriage Return",
			      "\ufb33", "Hebrew Letter Dalet With Dagesh", "1", "One",
			      "\U0001f600", "Emoji: Grinning Face", "\xc2\x80", "Control",
			      "\u00f6", "Latin Small Letter O With Diaeresis");

	CHECK(expect(v, "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
		     "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
		     "\"\U0001f600\":\"Emoji: Grinning Face\","
		     "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"), "RFC 8785 3.2.3");
	return TEST_PASS;
}

/* RFC 8785 section 3.2.2, without its real numbers (Kettle refuses reals). */
static int test_rfc8785_string_and_literals(void)
{
	json_t *v = json_loads("{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\","
			       " \"literals\": [null, true, false]}", 0, NULL);

	CHECK(v, "parse");
	CHECK(expect(v, "{\"literals\":[null,true,false],\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"),
	      "RFC 8785 3.2.2");
	return TEST_PASS;
}

/* Every control character: the seven short forms, the rest lowercase \u00xx; DEL and '/' raw. */
static int test_control_characters(void)
{
	char in[0x22], want[0x20 * 6 + 16], *p = want;
	json_t *v;

	for (int c = 1; c < 0x20; c++)
		in[c - 1] = (char)c;
	in[0x1f] = 0x7f;
	in[0x20] = '/';
	v = json_stringn(in, 0x21);
	for (int c = 1; c < 0x20; c++) {
		const char *s = c == '\b' ? "\\b" : c == '\t' ? "\\t" : c == '\n' ? "\\n" :
				c == '\f' ? "\\f" : c == '\r' ? "\\r" : NULL;

		p += s ? sprintf(p, "%s", s) : sprintf(p, "\\u%04x", c);
	}
	CHECK(v, "string");
	{
		char full[sizeof(want) + 8];

		snprintf(full, sizeof(full), "\"%s\x7f/\"", want);
		CHECK(expect(v, full), "control characters");
	}
	return TEST_PASS;
}

/* A NUL inside a string or key (jansson allows them with a length) is \u0000. */
static int test_nul_escaped(void)
{
	json_t *v = json_object();

	CHECK(v && !json_object_setn_new(v, "a\0b", 3, json_stringn("x\0", 2)), "build");
	CHECK(expect(v, "{\"a\\u0000b\":\"x\\u0000\"}"), "NUL");
	return TEST_PASS;
}

/* UTF-16 order puts U+E000..U+FFFF after every character above U+FFFF; code point order would not. */
static int test_utf16_order_above_bmp(void)
{
	json_t *v = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "\uffff", 1, "\U0010ffff", 2,
			      "\ue000", 3, "\ud7ff", 4, "\U00010000", 5, "", 6);

	CHECK(expect(v, "{\"\":6,\"\ud7ff\":4,\"\U00010000\":5,\"\U0010ffff\":2,\"\ue000\":3,\"\uffff\":1}"),
	      "UTF-16 order");
	CHECK(jcs_key_cmp("a", 1, "ab", 2) < 0 && jcs_key_cmp("ab", 2, "a", 1) > 0, "prefix first");
	CHECK(jcs_key_cmp("\xff", 1, "\xfe", 1) > 0 && jcs_key_cmp("\xff", 1, "\xff", 1) == 0,
	      "invalid UTF-8 compares without looping");
	return TEST_PASS;
}

static int test_nested_and_empty(void)
{
	json_t *v = json_loads("{\"b\": {}, \"a\": [], \"c\": [{\"z\": [1, -2, 0]}], \"d\": \"\"}", 0, NULL);

	CHECK(expect(v, "{\"a\":[],\"b\":{},\"c\":[{\"z\":[1,-2,0]}],\"d\":\"\"}"), "nested");
	return TEST_PASS;
}

static int test_safe_integers(void)
{
	json_t *v = json_pack("[I, I]", (json_int_t)JCS_MAX_SAFE_INT, (json_int_t)-JCS_MAX_SAFE_INT);

	CHECK(expect(v, "[9007199254740991,-9007199254740991]"), "2^53-1");
	return TEST_PASS;
}

static int refused(json_t *v, const char *words, const char *where)
{
	char err[600] = "";
	size_t len;
	char *s = jcs_dump(v, &len, err, sizeof(err));

	json_decref(v);
	if (s) {
		fprintf(stderr, "  accepted: %s\n", s);
		free(s);
		return 0;
	}
	if (!strstr(err, words) || !strstr(err, where)) {
		fprintf(stderr, "  error \"%s\" lacks \"%s\" or \"%s\"\n", err, words, where);
		return 0;
	}
	return 1;
}

static int test_real_refused(void)
{
	CHECK(refused(json_pack("{s:[i, f]}", "n", 1, 1.5), "real number", "at '/n/1'"), "real");
	return TEST_PASS;
}

static int test_unsafe_integer_refused(void)
{
	CHECK(refused(json_pack("{s:I}", "a/b~", (json_int_t)JCS_MAX_SAFE_INT + 1), "beyond 2^53-1", "at '/a~1b~0'"),
	      "2^53");
	CHECK(refused(json_pack("[I]", (json_int_t)INT64_MIN), "beyond 2^53-1", "at '/0'"), "INT64_MIN");
	return TEST_PASS;
}

static int test_invalid_utf8_refused(void)
{
	static const char *const bad[] = { "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
					   "\x80", "ok\xff" };
	json_t *o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(refused(json_stringn_nocheck(bad[i], strlen(bad[i])), "invalid UTF-8", "at ''"), "string %zu", i);
	o = json_object();
	CHECK(o && !json_object_set_new_nocheck(o, "k\xff", json_null()), "build");
	CHECK(refused(o, "invalid UTF-8 in an object key", "at '/k\xff'"), "key");
	return TEST_PASS;
}

static int test_depth_limit(void)
{
	json_t *v = json_array(), *inner = v;

	for (int i = 0; i < JCS_MAX_DEPTH + 1; i++) {
		json_t *a = json_array();

		json_array_append_new(inner, a);
		inner = a;
	}
	CHECK(refused(v, "nested deeper than", "at '/0/0/0"), "depth");
	return TEST_PASS;
}

/* A 1 MiB string and a 100,000-word array come out whole. */
static int test_long_values(void)
{
	size_t n = 1 << 20, len;
	char *big = malloc(n + 1);
	json_t *argv = json_array(), *v;
	char *s;

	CHECK(big && argv, "alloc");
	memset(big, 'x', n);
	big[n - 1] = '\n';
	big[n] = '\0';
	for (int i = 0; i < 100000; i++)
		json_array_append_new(argv, json_string("-Dword"));
	v = json_pack("{s:s, s:o}", "big", big, "argv", argv);
	s = canon(v, &len);
	CHECK(s, "dump");
	/* {"argv":[ + 100,000 x "-Dword" and commas + ],"big": + the string (its \n is 2 bytes) + } */
	CHECK(len == 9 + 100000 * 8 + 99999 + 1 + 7 + (n + 1) + 2 + 1, "length %zu", len);
	CHECK(!memcmp(s, "{\"argv\":[\"-Dword\",", 18) && !memcmp(s + len - 5, "x\\n\"}", 5), "ends");
	free(s);
	free(big);
	json_decref(v);
	return TEST_PASS;
}

/* ---- an independent canonicalizer (Python's json module plus UTF-16 key order) ---- */

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static size_t put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80)
		return p[0] = (char)cp, 1;
	if (cp < 0x800)
		return p[0] = (char)(0xc0 | cp >> 6), p[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000)
		return p[0] = (char)(0xe0 | cp >> 12), p[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
		       p[2] = (char)(0x80 | (cp & 0x3f)), 3;
	return p[0] = (char)(0xf0 | cp >> 18), p[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
	       p[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), p[3] = (char)(0x80 | (cp & 0x3f)), 4;
}

/* A random string over the interesting ranges: controls, ASCII, Latin-1, BMP edges, astral. */
static json_t *random_string(void)
{
	static const uint32_t pick[][2] = { { 0, 0x20 }, { 0x20, 0x80 }, { 0x80, 0x100 },
					    { 0xd000, 0xd800 }, { 0xe000, 0x10000 }, { 0x10000, 0x110000 } };
	char buf[64 * 4];
	size_t len = 0, n = rnd(12);

	for (size_t i = 0; i < n; i++) {
		const uint32_t *r = pick[rnd(6)];

		len += put_utf8(buf + len, r[0] + rnd(r[1] - r[0]));
	}
	return json_stringn(buf, len);
}

static json_t *random_value(int depth)
{
	switch (depth > 3 ? rnd(4) : rnd(6)) {
	case 0: return json_integer((json_int_t)rnd(2000000000) * (rnd(2) ? 4503599 : -1));
	case 1: return random_string();
	case 2: return rnd(3) == 0 ? json_null() : json_boolean(rnd(2));
	case 3: return json_integer(rnd(10));
	case 4: {
		json_t *a = json_array();

		for (uint32_t i = rnd(5); i; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();

		for (uint32_t i = rnd(7); i; i--) {
			json_t *k = random_string();

			json_object_setn_new(o, json_string_value(k), json_string_length(k),
					     random_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	}
}

static int test_independent_recanonicalization(void)
{
	char in[] = "/tmp/kettle-jcs-in-XXXXXX";
	int failures = 0, fd;

	if (!python_available())
		return test_skip("python3 not found");
	fd = mkstemp(in);
	CHECK(fd >= 0 && close(fd) == 0, "mkstemp");
	for (int round = 0; round < 40; round++) {
		json_t *v = json_object();
		size_t len, plen = 0;
		char *ours, *py;
		FILE *f;

		for (int i = 0; i < 12; i++) {
			json_t *k = random_string();

			json_object_setn_new(v, json_string_value(k), json_string_length(k), random_value(0));
			json_decref(k);
		}
		ours = canon(v, &len);
		json_decref(v);
		CHECK(ours, "dump");
		f = fopen(in, "w");
		CHECK(f && fwrite(ours, 1, len, f) == len && !fclose(f), "write");
		py = python_jcs("canon", in, &plen);
		CHECK(py, "python failed on %s", ours);
		if (plen != len || memcmp(py, ours, len)) {
			fprintf(stderr, "  round %d differs:\n  ours   %s\n  python %s\n", round, ours, py);
			failures++;
		}
		free(py);
		free(ours);
	}
	unlink(in);
	CHECK(failures == 0, "%d rounds differ", failures);
	return TEST_PASS;
}

/* Elements given as canonical bytes land in their hole, as if they had been in the document. */
static int test_items_in_their_hole(void)
{
	json_t *whole = json_pack("{s:[{s:i, s:s}, [], {}], s:[i], s:s}", "list", "b", 2, "a", "x", "other", 1, "z", "y");
	json_t *holed = json_pack("{s:[], s:[i], s:s}", "list", "other", 1, "z", "y");
	static const char *const bytes[] = { "{\"a\":\"x\",\"b\":2}", "[]", "{}" };
	static const size_t lens[] = { 15, 2, 2 };
	struct jcs_items items = { .hole = json_object_get(holed, "list"), .bytes = bytes, .lens = lens, .n = 3 };
	struct jcs_items none = { .hole = json_object_get(holed, "list"), .bytes = bytes, .lens = lens, .n = 0 };
	char err[256];
	size_t la = 0, lb = 0, lc = 0;
	char *a = jcs_dump(whole, &la, err, sizeof(err));
	char *b = jcs_dump_items(holed, &items, &lb, err, sizeof(err));
	char *c = jcs_dump_items(holed, &none, &lc, err, sizeof(err));
	int ok = a && b && c && la == lb && !memcmp(a, b, la) &&
		 !strcmp(c, "{\"list\":[],\"other\":[1],\"z\":\"y\"}");

	free(a);
	free(b);
	free(c);
	json_decref(whole);
	json_decref(holed);
	CHECK(ok, "the items were not written as the array's elements");
	return TEST_PASS;
}

/*
 * Two holes, as a statement has (subject, resolvedDependencies): each gets
 * its own items, and AT says where each one's elements start, so that a
 * writer in parts (the document cut at the offsets, the items between)
 * gives the same bytes as the whole document.
 */
static int test_two_holes_and_their_offsets(void)
{
	json_t *whole = json_pack("{s:{s:[s, s]}, s:i, s:[i, i]}", "p", "deps", "d1", "d2", "q", 7, "subject", 1, 2);
	json_t *holed = json_pack("{s:{s:[]}, s:i, s:[]}", "p", "deps", "q", 7, "subject");
	static const char *const dbytes[] = { "\"d1\"", "\"d2\"" }, *const sbytes[] = { "1", "2" };
	static const size_t dlens[] = { 4, 4 }, slens[] = { 1, 1 };
	size_t deps_at = 0, subj_at = 0, la = 0, lb = 0, le = 0;
	struct jcs_items subj = { .hole = json_object_get(holed, "subject"), .bytes = sbytes, .lens = slens, .n = 2 };
	struct jcs_items deps = { .hole = json_object_get(json_object_get(holed, "p"), "deps"), .bytes = dbytes,
				  .lens = dlens, .n = 2, .next = &subj };
	struct jcs_items subj_empty = { .hole = subj.hole, .at = &subj_at };
	struct jcs_items deps_empty = { .hole = deps.hole, .at = &deps_at, .next = &subj_empty };
	char err[256], parts[128];
	char *a = jcs_dump(whole, &la, err, sizeof(err));
	char *b = jcs_dump_items(holed, &deps, &lb, err, sizeof(err));
	char *e = jcs_dump_items(holed, &deps_empty, &le, err, sizeof(err));
	int ok = a && b && e && la == lb && !memcmp(a, b, la) && deps_at < subj_at && subj_at < le;

	if (ok) {
		snprintf(parts, sizeof(parts), "%.*s\"d1\",\"d2\"%.*s1,2%s", (int)deps_at, e, (int)(subj_at - deps_at),
			 e + deps_at, e + subj_at);
		ok = strlen(parts) == la && !memcmp(parts, a, la);
	}
	free(a);
	free(b);
	free(e);
	json_decref(whole);
	json_decref(holed);
	CHECK(ok, "two holes: the items or their offsets do not give the whole document");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "rfc8785_sorting", test_rfc8785_sorting },
	{ "rfc8785_string_and_literals", test_rfc8785_string_and_literals },
	{ "control_characters", test_control_characters },
	{ "nul_escaped", test_nul_escaped },
	{ "utf16_order_above_bmp", test_utf16_order_above_bmp },
	{ "nested_and_empty", test_nested_and_empty },
	{ "safe_integers", test_safe_integers },
	{ "real_refused", test_real_refused },
	{ "unsafe_integer_refused", test_unsafe_integer_refused },
	{ "invalid_utf8_refused", test_invalid_utf8_refused },
	{ "depth_limit", test_depth_limit },
	{ "long_values", test_long_values },
	{ "independent_recanonicalization", test_independent_recanonicalization },
	{ "items_in_their_hole", test_items_in_their_hole },
	{ "two_holes_and_their_offsets", test_two_holes_and_their_offsets },
};

TEST_MAIN("jcs", tests)
