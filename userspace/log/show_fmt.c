// SPDX-License-Identifier: MIT
/* Names of a log shown as shell words, JSON strings or HTML. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log/show_fmt.h"

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void show_escaped(FILE *out, const char *s)
{
	fputs("$'", out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\'' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('\'', out);
}

void show_word(FILE *out, const char *s)
{
	if (!s) {
		fputs("(null)", out);
		return;
	}
	if (*s && !s[strcspn(s, " \t\n'\"\\$`*?[]{}()<>|&;#~")] && !has_control(s)) {
		fputs(s, out);
		return;
	}
	if (has_control(s)) {
		show_escaped(out, s);
		return;
	}
	fputc('\'', out);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	}
	fputc('\'', out);
}

void show_argv(FILE *out, const char *const *argv, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', out);
		show_word(out, argv[i]);
	}
}

/* Length of the valid UTF-8 sequence at P (0 if invalid), per RFC 3629. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_t *show_json_argv(const char *const *argv, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, show_json_name(argv[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *show_json_env(const struct log_env *env)
{
	if (!env)
		return json_null();
	return json_pack("{s:I, s:b, s:o}", "envc", (json_int_t)env->envc, "truncated", env->flags != 0,
			 "vars", show_json_argv(env->vars, env->nvars));
}

json_t *show_json_name(const char *s)
{
	json_t *j;
	char *fixed, *o;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	fixed = malloc(strlen(s) * 3 + 1);
	if (!fixed)
		return NULL;
	o = fixed;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = utf8_len(p);

		if (k) {
			memcpy(o, p, k);
			o += k;
			p += k;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	j = json_string(fixed);
	free(fixed);
	return j;
}

json_t *show_json_u64(uint64_t v)
{
	char s[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(s, sizeof(s), "%" PRIu64, v);
	return json_string(s);
}

void show_seconds(FILE *out, int64_t ns)
{
	uint64_t d = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	fprintf(out, "%s%" PRIu64 ".%06" PRIu64, ns < 0 ? "-" : "", d / 1000000000u,
		d % 1000000000u / 1000u);
}

void show_json_write(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = utf8_len(p);

		if (!k) {
			fputs("\\ufffd", out);
			p++;
		} else if (k > 1) {
			fwrite(p, 1, k, out);
			p += k;
		} else if (*p == '"' || *p == '\\') {
			fputc('\\', out);
			fputc(*p++, out);
		} else if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '&') {
			fprintf(out, "\\u%04x", *p++);
		} else {
			fputc(*p++, out);
		}
	}
	fputc('"', out);
}

void show_html(FILE *out, const char *s)
{
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = utf8_len(p);

		if (!k) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		if (k == 1 && (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\''))
			fprintf(out, "&#%d;", *p);
		else if (k == 1 && (*p < 0x20 || *p == 0x7f) && *p != '\t')
			fputs("\xef\xbf\xbd", out);
		else
			fwrite(p, 1, k, out);
		p += k;
	}
}
