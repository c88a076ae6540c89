// SPDX-License-Identifier: MIT
/* The network facts of a log: endpoints, and whether the build was hermetic. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/events.h"
#include "common/grow.h"
#include "common/index_table.h"
#include "log/net_summary.h"
#include "log/proc_exe.h"

static const char *const call_names[LOG_NET_CALL_MAX] = {
	[LOG_NET_SOCKET] = "socket", [LOG_NET_CONNECT] = "connect", [LOG_NET_BIND] = "bind",
	[LOG_NET_LISTEN] = "listen", [LOG_NET_ACCEPT] = "accept", [LOG_NET_ACCEPT4] = "accept4",
	[LOG_NET_SENDTO] = "sendto", [LOG_NET_SENDMSG] = "sendmsg", [LOG_NET_SENDMMSG] = "sendmmsg",
};

const char *net_call_name(uint32_t call)
{
	return call < LOG_NET_CALL_MAX ? call_names[call] : NULL;
}

const char *net_family_name(uint32_t family)
{
	switch (family) {
	case AF_UNIX: return "unix";
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_NETLINK: return "netlink";
	case AF_PACKET: return "packet";
	case AF_VSOCK: return "vsock";
	default: return NULL;
	}
}

void net_endpoint_format(const struct log_event *e, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (len == 0)
		return;
	out[0] = '\0';
	if (e->net.addr_source == LOG_ADDR_NONE)
		return;
	switch (e->net.family) {
	case AF_INET:
		inet_ntop(AF_INET, e->net.addr, ip, sizeof(ip));
		snprintf(out, len, "%s:%u", ip, e->net.port);
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, e->net.addr, ip, sizeof(ip));
		snprintf(out, len, "[%s]:%u", ip, e->net.port);
		break;
	case AF_UNIX:
		snprintf(out, len, "%s", e->net.unix_path ? e->net.unix_path : "(unnamed)");
		break;
	default:
		break;
	}
}

static bool v4_local(const uint8_t *a)
{
	return a[0] == 127 || (!a[0] && !a[1] && !a[2] && !a[3]);
}

bool net_endpoint_is_local(const struct log_event *e)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	const uint8_t *a = e->net.addr;

	switch (e->net.family) {
	case AF_UNIX:
	case AF_NETLINK:        /* the kernel of this machine */
		return true;
	case AF_INET:
		return v4_local(a);
	case AF_INET6:
		if (!memcmp(a, v4mapped, sizeof(v4mapped)))
			return v4_local(a + 12);
		/* ::1 and :: */
		return !memcmp(a, zero, 15) && (a[15] == 1 || a[15] == 0);
	default:
		return false;
	}
}

bool net_reaches_local_peer(const struct log_event *e)
{
	bool sent = e->net.call == LOG_NET_SENDTO || e->net.call == LOG_NET_SENDMSG || e->net.call == LOG_NET_SENDMMSG;

	if (e->type != LOG_EV_NET || (e->net.call != LOG_NET_CONNECT && !sent))
		return false;
	if (e->net.result < 0 && !(e->net.call == LOG_NET_CONNECT && e->net.result == -EINPROGRESS))
		return false;
	if (e->net.addr_source == LOG_ADDR_NONE || !net_endpoint_is_local(e))
		return false;
	if (e->net.family == AF_UNIX)
		return e->net.unix_path && e->net.unix_path[0];       /* unnamed: a socketpair of the build's own */
	/* DNS to a local stub resolver is the network verdict's business (kettle log net) */
	return (e->net.family == AF_INET || e->net.family == AF_INET6) && e->net.port != 53;
}

/* ---- the summary ---- */

struct net_summary_store {
	size_t cap;
	struct index_table by_key;      /* hash of (addr, family, sock_type) -> endpoint */
	struct proc_exe_map procs;
};

static uint64_t key_hash(const char *addr, uint32_t family, uint32_t sock_type)
{
	uint64_t h = hash_bytes(addr, strlen(addr));

	return h ^ hash_bytes(&family, sizeof(family)) * 31 ^ hash_bytes(&sock_type, sizeof(sock_type)) * 131;
}

static struct net_endpoint *endpoint_get(struct net_summary *s, const char *addr, const struct log_event *e)
{
	struct net_summary_store *st = s->store;
	uint64_t h = key_hash(addr, e->net.family, e->net.sock_type);
	const struct index_table *x = &st->by_key;
	struct net_endpoint *ep;

	for (uint32_t i = index_table_probe(x, h); x->slots[i].id1; i = index_table_next(x, i)) {
		ep = &s->endpoints[x->slots[i].id1 - 1];
		if (index_table_same_hash(x, i, h) && ep->family == e->net.family &&
		    ep->sock_type == e->net.sock_type && !strcmp(ep->addr, addr))
			return ep;
	}
	if (s->n >= UINT32_MAX - 1 ||
	    grow_array((void **)&s->endpoints, &st->cap, s->n + 1, sizeof(*s->endpoints), 64))
		return NULL;
	ep = &s->endpoints[s->n];
	memset(ep, 0, sizeof(*ep));
	ep->addr = strdup(addr);
	if (!ep->addr || index_table_insert(&st->by_key, h, (uint32_t)s->n)) {
		free(ep->addr);
		return NULL;
	}
	ep->family = e->net.family;
	ep->sock_type = e->net.sock_type;
	ep->local = net_endpoint_is_local(e);
	s->n++;
	return ep;
}

static void pid_note(struct net_endpoint *ep, uint32_t pid, const char *exe)
{
	for (uint32_t i = 0; i < ep->npids; i++)
		if (ep->pids[i] == pid)
			return;
	if (ep->npids == 0)
		ep->exe = exe;
	if (ep->npids < NET_PIDS_MAX)
		ep->pids[ep->npids++] = pid;
	else
		ep->more_pids = true;
}

static int dns_note(struct net_endpoint *ep, const struct log_event *e)
{
	for (uint32_t k = 0; k < e->net.ndns_names; k++) {
		bool seen = false;
		const char **v;

		for (uint32_t i = 0; i < ep->ndns_names && !seen; i++)
			seen = !strcmp(ep->dns_names[i], e->net.dns_names[k]);
		if (seen)
			continue;
		v = realloc(ep->dns_names, (ep->ndns_names + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ep->dns_names = v;
		v[ep->ndns_names++] = e->net.dns_names[k];
	}
	return 0;
}

static bool net_traced(const struct log_header *h)
{
	const char *v = log_header_option(h, LOG_OPTION_NET_TRACED);

	return v && !strcmp(v, "true");
}

static uint64_t net_losses(const struct log_file *f)
{
	if (f->has_trailer)
		return f->trailer.losses.ringbuf_drops[LOG_EV_NET] + f->trailer.losses.pending_full;
	if (f->ncheckpoints)
		return f->checkpoints[f->ncheckpoints - 1].losses.ringbuf_drops[LOG_EV_NET] +
		       f->checkpoints[f->ncheckpoints - 1].losses.pending_full;
	return 0;
}

/* Distinct query names over all endpoints (names repeat across a resolver's endpoints). */
static uint64_t count_names(const struct net_summary *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		for (uint32_t k = 0; k < s->endpoints[i].ndns_names; k++) {
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				for (uint32_t m = 0; m < s->endpoints[j].ndns_names && !seen; m++)
					seen = !strcmp(s->endpoints[j].dns_names[m], s->endpoints[i].dns_names[k]);
			n += !seen;
		}
	return n;
}

/*
 * The rules of the provenance's network byproduct (docs/provenance.md), in its
 * order; an address not kept from syscall entry to exit counts as a loss too.
 */
static void decide(const struct log_file *f, struct net_summary *s)
{
	if (f->header.format_version < 2) {
		s->verdict = NET_UNKNOWN;
		s->reason = "log format 1 records no network calls";
	} else if (s->outside) {
		s->verdict = NET_NOT_HERMETIC;
		s->reason = "the build addressed endpoints off this machine";
	} else if (s->dns_names) {
		s->verdict = NET_NOT_HERMETIC;
		s->reason = "the build sent DNS queries (a local resolver forwards them)";
	} else if (s->raw_sockets) {
		s->verdict = NET_NOT_HERMETIC;
		s->reason = "the build used a packet, raw, vsock or XDP socket or a tun/tap device: traffic without addresses";
	} else if (s->open_binds) {
		s->verdict = NET_NOT_HERMETIC;
		s->reason = "the build bound a socket to every interface: it could receive from off this machine";
	} else if (s->multi_sends) {
		s->verdict = NET_UNKNOWN;
		s->reason = "a sendmmsg sent several messages, and only the first one's address is recorded";
	} else if (!net_traced(&f->header)) {
		s->verdict = NET_UNKNOWN;
		s->reason = "the log does not say that network calls were traced (header option "
			    LOG_OPTION_NET_TRACED ")";
	} else if (net_losses(f)) {
		s->verdict = NET_UNKNOWN;
		s->reason = "network events were lost";
	} else {
		s->verdict = NET_HERMETIC;
		s->reason = "every address the build used stays on this machine (loopback, unix sockets)";
	}
}

const char *net_verdict_name(enum net_verdict v)
{
	return v == NET_HERMETIC ? "hermetic" : v == NET_NOT_HERMETIC ? "not-hermetic" : "unknown";
}

/* A socket whose traffic has no address to judge: it reaches past the IP layer or another machine directly. */
static bool raw_socket(const struct log_event *e)
{
	uint32_t f = e->net.family, t = e->net.sock_type;

	if (e->net.call != LOG_NET_SOCKET || e->net.result < 0)
		return false;
	if (f == AF_UNIX || f == AF_NETLINK)
		return false;
	if (f == AF_INET || f == AF_INET6)
		return t == SOCK_RAW || t == SOCK_PACKET;
	return true;    /* AF_PACKET, AF_VSOCK, AF_XDP, AF_BLUETOOTH, AF_CAN, ... */
}

static bool unspecified(const struct log_event *e)
{
	static const uint8_t zero[16];

	return (e->net.family == AF_INET && !memcmp(e->net.addr, zero, 4)) ||
	       (e->net.family == AF_INET6 && !memcmp(e->net.addr, zero, 16));
}

/* A network device opened: the device number says it (a node made anywhere); older logs have only the path. */
bool net_summary_uses_open(const struct log_event *e)
{
	return e->open.result >= 0 &&
	       ((e->open.path_flags & LOG_PATH_NET_DEVICE) ||
		(e->open.path && (!strcmp(e->open.path, "/dev/net/tun") || !strcmp(e->open.path, "/dev/vhost-net") ||
				  !strncmp(e->open.path, "/dev/tap", 8))));
}

static void note_paths_around_addresses(struct net_summary *s, const struct log_event *e)
{
	if (e->type == LOG_EV_OPEN && net_summary_uses_open(e))
		s->raw_sockets++;
	if (e->type != LOG_EV_NET)
		return;
	s->raw_sockets += raw_socket(e);
	/*
	 * On every interface: an explicit bind, a listen() on a socket never bound,
	 * or the kernel's implicit bind at an unconnected datagram (a bind record
	 * with the socket's own address): each can receive from off this machine.
	 */
	s->open_binds += (e->net.call == LOG_NET_BIND || e->net.call == LOG_NET_LISTEN) && e->net.result == 0 &&
			 unspecified(e);
	s->multi_sends += e->net.call == LOG_NET_SENDMMSG && e->net.result > 1 && e->net.addr_source == LOG_ADDR_USER;
}

static int summary_event(struct net_summary *s, const struct log_event *e)
{
	char addr[INET6_ADDRSTRLEN + 160];
	struct net_endpoint *ep;

	note_paths_around_addresses(s, e);
	if (e->type != LOG_EV_NET)
		return proc_exe_event(&s->store->procs, e);
	s->events++;
	net_endpoint_format(e, addr, sizeof(addr));
	if (!addr[0] || e->net.call >= LOG_NET_CALL_MAX)
		return 0;       /* socket(), or nothing known about the address */
	ep = endpoint_get(s, addr, e);
	if (!ep)
		return -ENOMEM;
	if (!ep->count) {
		ep->first_result = e->net.result;
		ep->first_call = e->net.call;
	}
	ep->calls[e->net.call]++;
	ep->count++;
	/* a non-blocking connect under way is not a failure */
	ep->failed += e->net.result < 0 && !(e->net.call == LOG_NET_CONNECT && e->net.result == -EINPROGRESS);
	pid_note(ep, e->tgid, proc_exe_get(&s->store->procs, e->tgid));
	if (e->net.dns != LOG_DNS_NONE)
		s->dns_queries++;
	if (e->net.dns == LOG_DNS_UNDECODABLE) {
		ep->dns_undecodable++;
		s->dns_undecodable++;
	}
	return dns_note(ep, e);
}

int net_summary_build(const struct log_file *f, struct net_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->store = calloc(1, sizeof(*s->store));
	if (!s->store || index_table_init(&s->store->by_key, 256))
		return -ENOMEM;
	for (size_t i = 0; i < f->nevents; i++)
		if (summary_event(s, &f->events[i]))
			return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		s->outside += !s->endpoints[i].local;
	s->dns_names = count_names(s);
	decide(f, s);
	return 0;
}

void net_summary_free(struct net_summary *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->endpoints[i].addr);
		free(s->endpoints[i].dns_names);
	}
	free(s->endpoints);
	if (s->store) {
		index_table_free(&s->store->by_key);
		proc_exe_free(&s->store->procs);
		free(s->store);
	}
	memset(s, 0, sizeof(*s));
}
