// SPDX-License-Identifier: MIT
/*
 * The network verdict of a log (log/net_summary.c) on events made in memory:
 * what keeps a build from being hermetic besides an address off the machine,
 * and what is not a failure.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "log/net_summary.h"
#include "testlib.h"

#define MAX_EVENTS 8

struct mem_log {
	struct log_file f;
	struct log_event ev[MAX_EVENTS];
	struct log_option opt;
};

/* A version-4 log whose header says the network was traced, with no events yet. */
static void mem_log_init(struct mem_log *m)
{
	memset(m, 0, sizeof(*m));
	m->opt = (struct log_option){ LOG_OPTION_NET_TRACED, "true" };
	m->f.header.format_version = LOG_FORMAT_VERSION;
	m->f.header.options = &m->opt;
	m->f.header.noptions = 1;
	m->f.events = m->ev;
}

static struct log_event *net(struct mem_log *m, uint32_t call, uint32_t family, uint32_t type, int32_t result)
{
	struct log_event *e = &m->ev[m->f.nevents++];

	e->type = LOG_EV_NET;
	e->tgid = 7;
	e->net.call = call;
	e->net.family = family;
	e->net.sock_type = type;
	e->net.result = result;
	e->net.fd = call == LOG_NET_SOCKET ? -1 : 3;
	return e;
}

static struct log_event *loopback_connect(struct mem_log *m, int32_t result)
{
	struct log_event *e = net(m, LOG_NET_CONNECT, AF_INET, SOCK_STREAM, result);

	e->net.addr_source = LOG_ADDR_PEER;
	e->net.addr[0] = 127;
	e->net.addr[3] = 1;
	e->net.port = 8080;
	return e;
}

static enum net_verdict verdict_of(struct mem_log *m, struct net_summary *s)
{
	if (net_summary_build(&m->f, s))
		return (enum net_verdict)-1;
	return s->verdict;
}

static int nonblocking_connect_is_not_failed(void)
{
	struct mem_log m;
	struct net_summary s;

	mem_log_init(&m);
	loopback_connect(&m, -EINPROGRESS);
	loopback_connect(&m, -ECONNREFUSED);
	CHECK(verdict_of(&m, &s) == NET_HERMETIC, "loopback only is hermetic (%s)", s.reason);
	CHECK(s.n == 1 && s.endpoints[0].count == 2, "one endpoint, two calls");
	CHECK(s.endpoints[0].failed == 1, "only the refused connect failed (got %llu)",
	      (unsigned long long)s.endpoints[0].failed);
	net_summary_free(&s);
	return TEST_PASS;
}

static int packet_and_raw_sockets_are_not_hermetic(void)
{
	static const uint32_t fam[] = { AF_PACKET, AF_VSOCK, AF_XDP, AF_INET, AF_INET6 };
	static const uint32_t typ[] = { SOCK_RAW, SOCK_STREAM, SOCK_RAW, SOCK_RAW, SOCK_RAW };

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		struct mem_log m;
		struct net_summary s;

		mem_log_init(&m);
		net(&m, LOG_NET_SOCKET, fam[i], typ[i], 3);
		CHECK(verdict_of(&m, &s) == NET_NOT_HERMETIC, "family %u type %u: %s", fam[i], typ[i], s.reason);
		CHECK(s.raw_sockets == 1, "counted");
		net_summary_free(&s);
	}
	return TEST_PASS;
}

static int unix_and_tcp_sockets_stay_hermetic(void)
{
	struct mem_log m;
	struct net_summary s;

	mem_log_init(&m);
	net(&m, LOG_NET_SOCKET, AF_UNIX, SOCK_STREAM, 3);
	net(&m, LOG_NET_SOCKET, AF_INET, SOCK_STREAM, 4);
	net(&m, LOG_NET_SOCKET, AF_NETLINK, SOCK_RAW, 5);
	CHECK(verdict_of(&m, &s) == NET_HERMETIC, "%s", s.reason);
	net_summary_free(&s);
	return TEST_PASS;
}

static int tun_device_is_not_hermetic(void)
{
	struct mem_log m;
	struct net_summary s;
	struct log_event *e;

	mem_log_init(&m);
	e = &m.ev[m.f.nevents++];
	e->type = LOG_EV_OPEN;
	e->open.path = "/dev/net/tun";
	e->open.result = 3;
	CHECK(verdict_of(&m, &s) == NET_NOT_HERMETIC, "%s", s.reason);
	net_summary_free(&s);
	return TEST_PASS;
}

static int bind_to_every_interface_is_not_hermetic(void)
{
	struct mem_log m;
	struct net_summary s;
	struct log_event *e;

	mem_log_init(&m);
	e = net(&m, LOG_NET_BIND, AF_INET, SOCK_DGRAM, 0);
	e->net.addr_source = LOG_ADDR_USER;
	e->net.port = 9999;
	CHECK(verdict_of(&m, &s) == NET_NOT_HERMETIC && s.open_binds == 1, "0.0.0.0: %s", s.reason);
	net_summary_free(&s);

	mem_log_init(&m);
	e = net(&m, LOG_NET_BIND, AF_INET, SOCK_DGRAM, 0);
	e->net.addr_source = LOG_ADDR_USER;
	e->net.addr[0] = 127;
	e->net.addr[3] = 1;
	e->net.port = 9999;
	CHECK(verdict_of(&m, &s) == NET_HERMETIC, "127.0.0.1 stays local: %s", s.reason);
	net_summary_free(&s);
	return TEST_PASS;
}

static int sendmmsg_of_several_addressed_messages_is_unknown(void)
{
	struct mem_log m;
	struct net_summary s;
	struct log_event *e;

	mem_log_init(&m);
	e = net(&m, LOG_NET_SENDMMSG, AF_INET, SOCK_DGRAM, 2);
	e->net.addr_source = LOG_ADDR_USER;
	e->net.addr[0] = 127;
	e->net.addr[3] = 1;
	e->net.port = 7;
	CHECK(verdict_of(&m, &s) == NET_UNKNOWN, "the second message's address is not known: %s", s.reason);
	net_summary_free(&s);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "nonblocking_connect_is_not_failed", nonblocking_connect_is_not_failed },
	{ "packet_and_raw_sockets_are_not_hermetic", packet_and_raw_sockets_are_not_hermetic },
	{ "unix_and_tcp_sockets_stay_hermetic", unix_and_tcp_sockets_stay_hermetic },
	{ "tun_device_is_not_hermetic", tun_device_is_not_hermetic },
	{ "bind_to_every_interface_is_not_hermetic", bind_to_every_interface_is_not_hermetic },
	{ "sendmmsg_of_several_addressed_messages_is_unknown", sendmmsg_of_several_addressed_messages_is_unknown },
};

TEST_MAIN("net_summary", tests)
