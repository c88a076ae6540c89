/* SPDX-License-Identifier: MIT */
/*
 * The query names of a DNS message (RFC 1035): the first bytes a build sent
 * to port 53.  The bytes come from the build, so every length, count and
 * compression pointer is checked; a message that is not a well-formed query
 * is "undecodable", never a crash.
 */
#ifndef KETTLE_DNS_PARSE_H
#define KETTLE_DNS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_QUESTIONS_MAX 16    /* questions read from one message (real resolvers send 1) */
#define DNS_LABEL_MAX     63    /* RFC 1035 2.3.4 */
#define DNS_WIRE_NAME_MAX 255   /* octets of a name on the wire, length bytes included */
#define DNS_JUMPS_MAX     16    /* compression pointers followed for one name */
/* A name as text: labels joined by '.', bytes other than [A-Za-z0-9_-] as \DDD. */
#define DNS_TEXT_MAX      (DNS_WIRE_NAME_MAX * 4 + 1)

struct dns_query {
	uint32_t nnames;
	char names[DNS_QUESTIONS_MAX][DNS_TEXT_MAX];
	uint16_t qtypes[DNS_QUESTIONS_MAX];
};

/*
 * Parses MSG[0..LEN) as a DNS query; TCP: the message starts with its
 * 2-byte length (RFC 1035 4.2.2).  0 with Q filled; -1 with a one-line
 * reason in ERR when it is not a well-formed query (a response, no
 * question, a cut or oversized name, a compression loop ...).
 */
int dns_parse_query(const uint8_t *msg, size_t len, bool tcp, struct dns_query *q,
		    char *err, size_t errlen);

#endif
