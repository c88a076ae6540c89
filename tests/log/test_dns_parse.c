// SPDX-License-Identifier: MIT
/* dns_parse: query names from well-formed queries; truncated, looping and oversized ones refused. */
#include "dns_query.h"
#include "log/dns_parse.h"
#include "testlib.h"

static struct dns_query q;
static char err[256];

static int test_simple_query(void)
{
	uint8_t buf[512];
	size_t n = dns_query_make(buf, "deb.debian.org");

	CHECK(dns_parse_query(buf, n, false, &q, err, sizeof(err)) == 0, "%s", err);
	CHECK(q.nnames == 1 && !strcmp(q.names[0], "deb.debian.org") && q.qtypes[0] == 1,
	      "%u names, %s", q.nnames, q.names[0]);
	return TEST_PASS;
}

static int test_tcp_length_prefix(void)
{
	uint8_t buf[514];
	size_t n = dns_query_make(buf + 2, "example.com");

	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	CHECK(dns_parse_query(buf, n + 2, true, &q, err, sizeof(err)) == 0, "%s", err);
	CHECK(q.nnames == 1 && !strcmp(q.names[0], "example.com"), "%s", q.names[0]);
	buf[1] = 5;             /* says 5 bytes: shorter than a header */
	CHECK(dns_parse_query(buf, n + 2, true, &q, err, sizeof(err)) == -1 &&
	      strstr(err, "length prefix"), "%s", err);
	return TEST_PASS;
}

static int test_odd_bytes_escaped(void)
{
	uint8_t buf[512];
	size_t n = dns_query_make(buf, "a b.c\\d");

	CHECK(dns_parse_query(buf, n, false, &q, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(q.names[0], "a\\032b.c\\092d"), "%s", q.names[0]);
	return TEST_PASS;
}

static int test_root_and_backward_pointer(void)
{
	/* two questions: the root, then a name that is a pointer to "x.example" in the first... */
	static const uint8_t msg[] = { 0, 1, 0x01, 0, 0, 2, 0, 0, 0, 0, 0, 0,
				       1, 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
				       3, 'w', 'w', 'w', 0xc0, 12, 0, 28, 0, 1 };

	CHECK(dns_parse_query(msg, sizeof(msg), false, &q, err, sizeof(err)) == 0, "%s", err);
	CHECK(q.nnames == 2 && !strcmp(q.names[0], "x.example") && !strcmp(q.names[1], "www.x.example") &&
	      q.qtypes[1] == 28, "%s / %s", q.names[0], q.names[1]);
	return TEST_PASS;
}

static int refused(const uint8_t *msg, size_t len, const char *why)
{
	err[0] = '\0';
	CHECK(dns_parse_query(msg, len, false, &q, err, sizeof(err)) == -1, "accepted");
	CHECK(strstr(err, why), "error '%s', want '%s'", err, why);
	return TEST_PASS;
}

static int test_truncated_everywhere(void)
{
	uint8_t buf[512];
	size_t n = dns_query_make(buf, "deb.debian.org");

	for (size_t cut = 0; cut < n; cut++) {
		err[0] = '\0';
		CHECK(dns_parse_query(buf, cut, false, &q, err, sizeof(err)) == -1 && err[0],
		      "cut at %zu accepted", cut);
	}
	return refused(buf, n - 1, "no type and class");
}

static int test_compression_loop(void)
{
	/* a pointer to itself, and two pointers to each other */
	static const uint8_t self[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t pair[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
					1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12, 0, 1, 0, 1 };

	if (refused(self, sizeof(self), "points forward"))
		return TEST_FAIL;
	return refused(pair, sizeof(pair), "points forward");
}

static int test_backward_loop_bounded(void)
{
	/* "x" then a pointer back to itself: backward every time, so only the jump limit stops it */
	static const uint8_t msg[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0xc0, 12, 0, 1, 0, 1 };

	return refused(msg, sizeof(msg), "compression pointers in one name");
}

static int test_oversize_label(void)
{
	uint8_t msg[12 + 1 + 64 + 1 + 4] = { 0, 1, 1, 0, 0, 1 };

	msg[12] = 64;           /* one past the label limit: the 0x40 bit is an extended label type */
	memset(msg + 13, 'a', 64);
	return refused(msg, sizeof(msg), "label type");
}

static int test_oversize_name(void)
{
	uint8_t buf[600];
	char name[330];
	size_t n;

	/* 5 labels of 63: 320 wire bytes, over 255 */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 320; i += 64)
		name[i] = '.';
	name[319] = '\0';
	n = dns_query_make(buf, name);
	return refused(buf, n, "longer than 255");
}

static int test_response_and_empty(void)
{
	uint8_t buf[512];
	size_t n = dns_query_make(buf, "example.com");

	buf[2] |= 0x80;
	if (refused(buf, n, "response"))
		return TEST_FAIL;
	buf[2] &= 0x7f;
	buf[5] = 0;             /* no question */
	if (refused(buf, n, "no question"))
		return TEST_FAIL;
	buf[4] = 1;             /* 256 questions */
	if (refused(buf, n, "questions"))
		return TEST_FAIL;
	return refused((const uint8_t *)"garbage", 7, "shorter than a header");
}

static const struct test tests[] = {
	{ "simple_query", test_simple_query },
	{ "tcp_length_prefix", test_tcp_length_prefix },
	{ "odd_bytes_escaped", test_odd_bytes_escaped },
	{ "root_and_backward_pointer", test_root_and_backward_pointer },
	{ "truncated_everywhere", test_truncated_everywhere },
	{ "compression_loop", test_compression_loop },
	{ "backward_loop_bounded", test_backward_loop_bounded },
	{ "oversize_label", test_oversize_label },
	{ "oversize_name", test_oversize_name },
	{ "response_and_empty", test_response_and_empty },
};

TEST_MAIN("dns_parse", tests)
