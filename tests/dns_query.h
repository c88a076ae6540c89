/* SPDX-License-Identifier: MIT */
/* A DNS query as a resolver sends it, for the DNS tests (tests/log/test_dns_parse.c, tests/helpers/net_client.c). */
#ifndef KETTLE_TEST_DNS_QUERY_H
#define KETTLE_TEST_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A query for NAME (dotted, labels under 64 bytes), type A, into BUF (room for 12 + strlen + 6); its length. */
static inline size_t dns_query_make(uint8_t *buf, const char *name)
{
	static const uint8_t header[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t n = sizeof(header);

	memcpy(buf, header, n);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, name, l);
		n += l;
		name += l + (dot != NULL);
	}
	buf[n++] = 0;
	memcpy(buf + n, "\x00\x01\x00\x01", 4);
	return n + 4;
}

#endif
