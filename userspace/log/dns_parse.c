// SPDX-License-Identifier: MIT
/* Query names of a DNS message the build sent, bounds-checked. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log/dns_parse.h"

#define DNS_HEADER 12

static int bad(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends one label to OUT as text; OUT has room for DNS_TEXT_MAX bytes. */
static void label_text(char *out, size_t *pos, const uint8_t *label, size_t n)
{
	if (*pos)
		out[(*pos)++] = '.';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = label[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			out[(*pos)++] = (char)c;
		else
			*pos += (size_t)snprintf(out + *pos, 5, "\\%03u", c);
	}
}

/*
 * The name at *AT in MSG[0..LEN): as text in OUT, *AT moved past it (past
 * the first pointer when it was compressed).  A pointer must go backwards,
 * to before the label that holds it, and at most DNS_JUMPS_MAX are
 * followed: a loop cannot last.
 */
static int name_parse(const uint8_t *msg, size_t len, size_t *at, char *out, char *err, size_t errlen)
{
	size_t pos = *at, text = 0, wire = 0, end = 0;
	unsigned jumps = 0;

	for (;;) {
		uint8_t n;

		if (pos >= len)
			return bad(err, errlen, "name at byte %zu is cut off", *at);
		n = msg[pos];
		if ((n & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return bad(err, errlen, "compression pointer at byte %zu is cut off", pos);
			target = (size_t)(be16(msg + pos) & 0x3fff);
			if (target >= pos)
				return bad(err, errlen, "compression pointer at byte %zu points forward", pos);
			if (++jumps > DNS_JUMPS_MAX)
				return bad(err, errlen, "more than %d compression pointers in one name", DNS_JUMPS_MAX);
			if (!end)
				end = pos + 2;
			pos = target;
			continue;
		}
		if (n & 0xc0)
			return bad(err, errlen, "label type 0x%02x at byte %zu", n & 0xc0, pos);
		wire += 1u + n;
		if (wire > DNS_WIRE_NAME_MAX)
			return bad(err, errlen, "name longer than %d bytes", DNS_WIRE_NAME_MAX);
		if (n == 0)
			break;
		if (pos + 1 + n > len)
			return bad(err, errlen, "label at byte %zu is cut off", pos);
		label_text(out, &text, msg + pos + 1, n);
		pos += 1u + n;
	}
	if (text == 0)
		out[text++] = '.';      /* the root */
	out[text] = '\0';
	*at = end ? end : pos + 1;
	return 0;
}

int dns_parse_query(const uint8_t *msg, size_t len, bool tcp, struct dns_query *q,
		    char *err, size_t errlen)
{
	size_t at = DNS_HEADER;
	unsigned qdcount;

	q->nnames = 0;
	if (tcp) {
		if (len < 2)
			return bad(err, errlen, "TCP message of %zu bytes has no length prefix", len);
		if (be16(msg) < DNS_HEADER)
			return bad(err, errlen, "TCP length prefix %u is shorter than a header", be16(msg));
		msg += 2;
		len -= 2;
		if (len > be16(msg - 2))
			len = be16(msg - 2);
	}
	if (len < DNS_HEADER)
		return bad(err, errlen, "message of %zu bytes is shorter than a header", len);
	if (msg[2] & 0x80)
		return bad(err, errlen, "a response, not a query");
	if ((msg[2] >> 3 & 0xf) != 0)
		return bad(err, errlen, "opcode %u is not a standard query", msg[2] >> 3 & 0xf);
	qdcount = be16(msg + 4);
	if (qdcount == 0)
		return bad(err, errlen, "no question");
	if (qdcount > DNS_QUESTIONS_MAX)
		return bad(err, errlen, "%u questions (at most %d read)", qdcount, DNS_QUESTIONS_MAX);
	for (unsigned i = 0; i < qdcount; i++) {
		if (name_parse(msg, len, &at, q->names[i], err, errlen))
			return -1;
		if (at + 4 > len)
			return bad(err, errlen, "question %u has no type and class", i + 1);
		q->qtypes[i] = be16(msg + at);
		at += 4;
		q->nnames = i + 1;
	}
	return 0;
}
