/* SPDX-License-Identifier: MIT */
/*
 * The network side of a build log: how an endpoint is written, and which
 * endpoints keep a build hermetic (loopback and unix sockets only).
 */
#ifndef KETTLE_NET_SUMMARY_H
#define KETTLE_NET_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/events.h"
#include "log/log_event.h"
#include "log/log_reader.h"

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
/*
 * Whether E is a connect or send that reached a named local endpoint (a unix
 * socket, a loopback port other than DNS's): a process of this machine
 * receives it, inside the build or not.
 */
bool net_reaches_local_peer(const struct log_event *e);

/* Header option that says the network programs were attached: without it, no net event proves nothing. */
#define LOG_OPTION_NET_TRACED "net.traced"

#define NET_PIDS_MAX 16         /* processes kept per endpoint */

/* One address the build used, with everything the log says about its use. */
struct net_endpoint {
	char *addr;             /* net_endpoint_format() */
	uint32_t family, sock_type;
	bool local;             /* net_endpoint_is_local() */
	uint64_t calls[LOG_NET_CALL_MAX];        /* how often each call named it */
	uint64_t count;         /* all calls that named it */
	uint64_t failed;        /* of which returned an error */
	int32_t first_result;   /* of the first call that named it (connect: 0, -EINPROGRESS, ...) */
	uint32_t first_call;
	uint32_t pids[NET_PIDS_MAX];    /* distinct, in the order they first used it */
	uint32_t npids;
	bool more_pids;
	const char *exe;        /* the program of the first process (NULL: unknown) */
	const char **dns_names; /* distinct names queried through it, in order */
	uint32_t ndns_names;
	uint64_t dns_undecodable;
};

enum net_verdict { NET_HERMETIC, NET_NOT_HERMETIC, NET_UNKNOWN };

struct net_summary {
	struct net_endpoint *endpoints; /* in the order first used */
	size_t n;
	uint64_t events;        /* net events */
	size_t outside;         /* endpoints that are not local */
	uint64_t dns_queries;   /* messages to port 53 */
	uint64_t dns_names;     /* distinct query names */
	uint64_t dns_undecodable;
	uint64_t raw_sockets;   /* packet, raw, vsock, XDP... sockets, and /dev/net/tun: paths around addresses */
	uint64_t open_binds;    /* sockets bound to every interface (0.0.0.0, ::): anyone could send to them */
	uint64_t multi_sends;   /* sendmmsg of several messages with their own addresses: only the first is known */
	enum net_verdict verdict;
	const char *reason;     /* one sentence: why that verdict */
	struct net_summary_store *store;        /* private */
};

/*
 * Every endpoint of F's net events, by whom and how often, the DNS names,
 * and the verdict:
 *   unknown       a version-1 log; the header lacks net.traced=true (the
 *                 programs were not attached); net events were lost;
 *   not hermetic  an event named an address that is not local, or the
 *                 build sent DNS queries (a local resolver forwards them), used
 *                 a packet, raw, vsock or XDP socket or a tun/tap device, or
 *                 bound a socket to every interface;
 *                 (unknown, too: a sendmmsg of several addressed messages)
 *   hermetic      otherwise: loopback and unix sockets only.
 * 0 or -ENOMEM.  Strings point into F, except addr; net_summary_free() after.
 */
int net_summary_build(const struct log_file *f, struct net_summary *s);
void net_summary_free(struct net_summary *s);
/* Whether net_summary_build() looks at open event E (F's other opens may be left out of its events). */
bool net_summary_uses_open(const struct log_event *e);
/* "hermetic", "not-hermetic", "unknown" */
const char *net_verdict_name(enum net_verdict v);

#endif
