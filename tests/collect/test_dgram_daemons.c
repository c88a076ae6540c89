// SPDX-License-Identifier: MIT
/*
 * Who holds the socket a datagram goes to: the test process binds UDP and
 * unix datagram sockets and dgram_holders must name it (sock_diag and /proc;
 * no BPF), and nobody for an endpoint no socket is bound to.  Which sends
 * count as a build's first datagram to an endpoint, and the limit per build.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "collect/dgram_daemons.h"
#include "kettle_test.h"
#include "testlib.h"

/* A UDP socket of FAMILY bound to ADDR (a v4 or v6 literal) on an ephemeral port; its port in *PORT. */
static int udp_bound(int family, const char *addr, bool v6only, uint16_t *port)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), opt = v6only;

	if (s < 0)
		return -1;
	if (family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &opt, sizeof(opt));
	if (family == AF_INET ? inet_pton(AF_INET, addr, &sa4.sin_addr) != 1 ||
				bind(s, (struct sockaddr *)&sa4, sizeof(sa4)) :
				inet_pton(AF_INET6, addr, &sa6.sin6_addr) != 1 ||
				bind(s, (struct sockaddr *)&sa6, sizeof(sa6))) {
		close(s);
		return -1;
	}
	getsockname(s, (struct sockaddr *)&got, &len);
	*port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	return s;
}

static struct dgram_endpoint ep_v4(uint16_t port)
{
	struct dgram_endpoint ep = { .family = AF_INET, .port = port, .addr = { 127, 0, 0, 1 } };

	return ep;
}

/* Whether dgram_holders names this process, and only it, for EP. */
static bool names_me(const struct dgram_endpoint *ep)
{
	pid_t holders[DGRAM_HOLDERS_MAX];
	bool more;
	int n = dgram_holders(ep, getpid(), holders, DGRAM_HOLDERS_MAX, &more);

	return n == 1 && holders[0] == getpid() && !more;
}

static int udp_v4_holder_is_found(void)
{
	uint16_t port;
	int s = udp_bound(AF_INET, "127.0.0.1", false, &port);
	struct dgram_endpoint ep = ep_v4(port);

	CHECK(s >= 0, "a UDP socket on 127.0.0.1");
	CHECK(names_me(&ep), "the process holding 127.0.0.1:%u is named", port);
	ep.addr[3] = 2;         /* 127.0.0.2 reaches no socket bound to 127.0.0.1 */
	CHECK(!names_me(&ep), "a socket bound to another loopback address is not the receiver");
	close(s);
	return TEST_PASS;
}

static int udp_v6_and_dual_stack_holders_are_found(void)
{
	uint16_t port;
	int s = udp_bound(AF_INET6, "::1", true, &port);
	struct dgram_endpoint ep = { .family = AF_INET6, .port = port };

	if (s < 0)
		return TEST_SKIP;       /* no IPv6 loopback */
	ep.addr[15] = 1;
	CHECK(names_me(&ep), "the process holding [::1]:%u is named", port);
	close(s);
	s = udp_bound(AF_INET6, "::", false, &port);
	CHECK(s >= 0, "a dual-stack UDP socket on [::]");
	ep = ep_v4(port);
	CHECK(names_me(&ep), "a datagram to 127.0.0.1:%u reaches the dual-stack socket's holder", port);
	close(s);
	s = udp_bound(AF_INET6, "::", true, &port);
	CHECK(s >= 0, "a v6-only UDP socket on [::]");
	ep = ep_v4(port);
	CHECK(!names_me(&ep), "a v6-only socket does not receive 127.0.0.1:%u", port);
	close(s);
	return TEST_PASS;
}

static int unix_path_and_abstract_holders_are_found(void)
{
	char dir[256], log[300];
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct dgram_endpoint ep = { .family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), a = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	socklen_t alen;

	test_workdir("dgram-holders", dir, log);
	CHECK(strlen(dir) + sizeof("/d.sock") <= sizeof(un.sun_path), "%s is short enough for a socket", dir);
	memcpy(un.sun_path, dir, strlen(dir));
	strcat(un.sun_path, "/d.sock");
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&un, sizeof(un)) == 0, "a unix datagram socket bound to a path");
	snprintf(ep.name, sizeof(ep.name), "%s", un.sun_path);
	CHECK(names_me(&ep), "the process holding %s is named", ep.name);
	CHECK(chdir(dir) == 0, "chdir");
	snprintf(ep.name, sizeof(ep.name), "d.sock");
	CHECK(names_me(&ep), "a relative name is the sender's cwd's");
	snprintf(un.sun_path, sizeof(un.sun_path), "@kettle-dgram-test-%d", (int)getpid());
	snprintf(ep.name, sizeof(ep.name), "%s", un.sun_path);
	un.sun_path[0] = '\0';
	alen = offsetof(struct sockaddr_un, sun_path) + strlen(ep.name);
	CHECK(a >= 0 && bind(a, (struct sockaddr *)&un, alen) == 0, "a unix datagram socket bound to an abstract name");
	CHECK(names_me(&ep), "the process holding %s is named", ep.name);
	ep.name[1] = 'X';
	CHECK(!names_me(&ep), "another abstract name is nobody's");
	close(s);
	close(a);
	return TEST_PASS;
}

static int an_endpoint_nobody_holds_has_no_holder(void)
{
	pid_t holders[DGRAM_HOLDERS_MAX];
	uint16_t port;
	bool more;
	int s = udp_bound(AF_INET, "127.0.0.1", false, &port);
	struct dgram_endpoint ep = ep_v4(port);

	CHECK(s >= 0, "a UDP socket");
	close(s);               /* the port is free again */
	CHECK(dgram_holders(&ep, getpid(), holders, DGRAM_HOLDERS_MAX, &more) == 0, "nobody holds 127.0.0.1:%u", port);
	return TEST_PASS;
}

static struct log_event sent(uint32_t family, uint32_t sock_type, uint16_t port, const char *unix_path)
{
	struct log_event ev = { .type = LOG_EV_NET, .tgid = 10 };

	ev.net.call = LOG_NET_SENDTO;
	ev.net.result = 5;
	ev.net.family = family;
	ev.net.sock_type = sock_type;
	ev.net.addr_source = LOG_ADDR_USER;
	ev.net.port = port;
	ev.net.unix_path = unix_path;
	if (family == AF_INET)
		memcpy(ev.net.addr, (uint8_t[]){ 127, 0, 0, 1 }, 4);
	return ev;
}

/* dgram_endpoint_of on EV, then dgram_daemons_note: DGRAM_NOT_FIRST when it is no datagram to a local endpoint. */
static enum dgram_first first(struct dgram_daemons *d, const struct log_event *ev, struct dgram_endpoint *ep)
{
	return dgram_endpoint_of(ev, ep) ? dgram_daemons_note(d, ep) : DGRAM_NOT_FIRST;
}

static int only_the_first_datagram_to_a_local_endpoint_counts(void)
{
	struct dgram_daemons d = { 0 };
	struct dgram_endpoint ep;
	struct log_event udp = sent(AF_INET, SOCK_DGRAM, 4000, NULL), tcp = sent(AF_INET, SOCK_STREAM, 4000, NULL);
	struct log_event dns = sent(AF_INET, SOCK_DGRAM, 53, NULL), un = sent(AF_UNIX, SOCK_DGRAM, 0, "@x");
	struct log_event far = sent(AF_INET, SOCK_DGRAM, 4000, NULL), failed = udp;

	far.net.addr[0] = 192;
	failed.net.result = -ECONNREFUSED;
	CHECK(!dgram_endpoint_of(&tcp, &ep), "a stream socket's send is not a datagram");
	CHECK(!dgram_endpoint_of(&dns, &ep), "DNS is left to the network verdict");
	CHECK(!dgram_endpoint_of(&far, &ep), "a datagram off the machine has no local receiver");
	CHECK(!dgram_endpoint_of(&failed, &ep), "a send that failed reached nobody");
	CHECK(first(&d, &udp, &ep) == DGRAM_FIRST && ep.port == 4000, "the first UDP datagram counts");
	CHECK(first(&d, &udp, &ep) == DGRAM_NOT_FIRST, "the second to the same endpoint does not");
	CHECK(first(&d, &un, &ep) == DGRAM_FIRST && !strcmp(ep.name, "@x"), "a unix name counts");
	for (int port = 1; port < DGRAM_ENDPOINTS_MAX - 1; port++) {
		udp.net.port = (uint16_t)(5000 + port);
		CHECK(first(&d, &udp, &ep) == DGRAM_FIRST, "endpoint %d is looked up", port);
	}
	udp.net.port = 6000;
	CHECK(first(&d, &udp, &ep) == DGRAM_BEYOND, "the first one past the limit is reported");
	udp.net.port = 6001;
	CHECK(first(&d, &udp, &ep) == DGRAM_NOT_FIRST, "once");
	return TEST_PASS;
}

/* An endpoint the build bound (explicitly, or the kernel's implicit bind) is its own: never looked up. */
static int endpoints_the_build_bound_are_its_own(void)
{
	struct dgram_daemons d = { 0 };
	struct dgram_endpoint ep;
	struct log_event any = sent(AF_INET, SOCK_DGRAM, 4100, NULL), un = sent(AF_UNIX, SOCK_DGRAM, 0, "@00a1f");
	struct log_event to = sent(AF_INET, SOCK_DGRAM, 4100, NULL), to_un = un, stream = any;

	any.net.call = un.net.call = stream.net.call = LOG_NET_BIND;
	any.net.result = un.net.result = stream.net.result = 0;
	any.net.addr_source = un.net.addr_source = LOG_ADDR_LOCAL;
	memset(any.net.addr, 0, sizeof(any.net.addr));     /* 0.0.0.0:4100, as an implicit bind has it */
	stream.net.sock_type = SOCK_STREAM;
	stream.net.port = 4200;
	dgram_daemons_bound(&d, &stream);
	dgram_daemons_bound(&d, &any);
	dgram_daemons_bound(&d, &un);
	CHECK(first(&d, &to, &ep) == DGRAM_NOT_FIRST, "127.0.0.1:4100 reaches the build's 0.0.0.0:4100");
	CHECK(first(&d, &to_un, &ep) == DGRAM_NOT_FIRST, "@00a1f is the build's autobound name");
	to.net.port = 4200;
	CHECK(first(&d, &to, &ep) == DGRAM_FIRST, "a stream socket's bind is no datagram receiver");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "udp_v4_holder_is_found", udp_v4_holder_is_found },
	{ "udp_v6_and_dual_stack_holders_are_found", udp_v6_and_dual_stack_holders_are_found },
	{ "unix_path_and_abstract_holders_are_found", unix_path_and_abstract_holders_are_found },
	{ "an_endpoint_nobody_holds_has_no_holder", an_endpoint_nobody_holds_has_no_holder },
	{ "only_the_first_datagram_to_a_local_endpoint_counts", only_the_first_datagram_to_a_local_endpoint_counts },
	{ "endpoints_the_build_bound_are_its_own", endpoints_the_build_bound_are_its_own },
};

TEST_MAIN("dgram_daemons", tests)
