/* SPDX-License-Identifier: MIT */
/*
 * The network side of a build log: how an endpoint is written, and which
 * endpoints keep a build hermetic (loopback and unix sockets only).
 */
#ifndef KETTLE_NET_SUMMARY_H
#define KETTLE_NET_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"
#include "log_event.h"
#include "log_reader.h"

/* "connect", "sendto", ...; NULL for an unknown call. */
const char *net_call_name(uint32_t call);
/* "inet", "inet6", "unix", "netlink", ...; NULL for an unknown family. */
const char *net_family_name(uint32_t family);
/*
 * The address of a net event: "127.0.0.1:80", "[::1]:53", "/run/x.sock",
 * "@abstract", or "" when it has none.  OUT gets at most LEN bytes.
 */
void net_endpoint_format(const struct log_event *e, char *out, size_t len);
/* Whether the event's address stays on this machine: loopback, unspecified, or a unix socket. */
bool net_endpoint_is_local(const struct log_event *e);

/* Bits of net_endpoint.calls: 1 << KE_NET_* */
#define NET_CALL_BIT(call) (1u << (call))
/* Calls that contact an endpoint (bind and listen only name the build's own). */
#define NET_CONTACT_CALLS (NET_CALL_BIT(KE_NET_CONNECT) | NET_CALL_BIT(KE_NET_ACCEPT) | \
			   NET_CALL_BIT(KE_NET_ACCEPT4) | NET_CALL_BIT(KE_NET_SENDTO) | \
			   NET_CALL_BIT(KE_NET_SENDMSG) | NET_CALL_BIT(KE_NET_SENDMMSG))
#define NET_PIDS_MAX 16         /* processes kept per endpoint */

/* One address the build used, with everything the log says about its use. */
struct net_endpoint {
	char *addr;             /* net_endpoint_format() */
	uint32_t family, sock_type;
	bool local;             /* net_endpoint_is_local() */
	uint32_t calls;         /* NET_CALL_BIT() of every call that named it */
	uint64_t count;         /* calls that named it */
	uint64_t failed;        /* of which returned an error */
	int32_t first_result;   /* of the first contacting call (connect: 0, -EINPROGRESS, ...) */
	uint32_t pids[NET_PIDS_MAX];    /* distinct, in the order they first used it */
	uint32_t npids;
	bool more_pids;
	const char *exe;        /* the program of the first process (NULL: unknown) */
	const char **dns_names; /* distinct names queried through it, in order */
	uint32_t ndns_names;
	uint64_t dns_undecodable;
};

struct net_summary {
	struct net_endpoint *endpoints; /* in the order first used */
	size_t n;
	bool hermetic;          /* no contacting call to an endpoint that is not local */
	size_t outside;         /* endpoints that are not local and were contacted */
	uint64_t dns_queries;   /* messages to port 53 */
	uint64_t dns_undecodable;
	uint64_t local_dns;     /* of which to a local resolver (it may forward them) */
	struct net_summary_store *store;        /* private */
};

/*
 * Every endpoint of F's net events, by whom and how often, the DNS names,
 * and the verdict: hermetic when no connect, accept or send reached an
 * address outside loopback and unix sockets.  0 or -ENOMEM.  Strings point
 * into F, except addr; free with net_summary_free().
 */
int net_summary_build(const struct log_file *f, struct net_summary *s);
void net_summary_free(struct net_summary *s);

#endif
