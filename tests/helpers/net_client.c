// SPDX-License-Identifier: MIT
/*
 * Talks to itself over every kind of socket a build might use, on loopback
 * only: TCP over IPv4 and IPv6, UDP, DNS queries to port 53 (UDP, connected
 * UDP with sendmmsg, TCP, and a malformed one) inside a private network
 * namespace (with --dns), unix sockets by path and abstract name, and a
 * connect to a closed port.  With --outside it also starts a non-blocking
 * connect to 192.0.2.1:80 (TEST-NET-1: nothing answers).  Prints what it used, one
 * "what value" line each, for tests/integration/test_net.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns_query.h"

static int failed;

static void fail(const char *what)
{
	fprintf(stderr, "net_client: %s: %s\n", what, strerror(errno));
	failed = 1;
}

static unsigned port_of(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return ntohs(sa.sin6_port);     /* sin_port sits at the same offset */
}

/* A TCP listener on LOOPBACK (AF_INET or AF_INET6), a client connected to it, one accept and a send. */
static void tcp_pair(int family, const char *label)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int l = socket(family, SOCK_STREAM, 0), c, a;

	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 4)) {
		if (family == AF_INET6 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
			printf("%s none\n", label);     /* no IPv6 here */
			return;
		}
		fail("tcp listener");
		return;
	}
	((struct sockaddr_in *)&ss)->sin_port = htons(port_of(l));
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&ss, len))
		fail("tcp connect");
	a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0)
		fail("accept4");
	if (send(c, "hi", 2, 0) != 2)
		fail("send");
	printf("%s %u\n", label, port_of(l));
	close(a);
	close(c);
	close(l);
}

static void udp_send(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);

	/* the sender bound to loopback too: unbound, the kernel would bind it to every interface */
	if (r < 0 || s < 0 || bind(r, (struct sockaddr *)&in, sizeof(in)) || bind(s, (struct sockaddr *)&in, sizeof(in)))
		fail("udp socket");
	in.sin_port = htons(port_of(r));
	if (sendto(s, "x", 1, 0, (struct sockaddr *)&in, sizeof(in)) != 1)
		fail("udp sendto");
	printf("udp %u\n", port_of(r));
	close(r);
	close(s);
}

static void refused(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int p = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port;

	/* a port that was free a moment ago and has no listener */
	if (p < 0 || c < 0 || bind(p, (struct sockaddr *)&in, sizeof(in)))
		fail("refused socket");
	port = port_of(p);
	close(p);
	in.sin_port = htons(port);
	if (connect(c, (struct sockaddr *)&in, sizeof(in)) == 0 || errno != ECONNREFUSED)
		fail("connect to a closed port did not fail with ECONNREFUSED");
	printf("refused %u\n", port);
	close(c);
}

static void unix_pair(const struct sockaddr_un *sun, socklen_t len, const char *label, const char *name)
{
	int l = socket(AF_UNIX, SOCK_STREAM, 0), c = socket(AF_UNIX, SOCK_STREAM, 0), a;

	if (l < 0 || c < 0 || bind(l, (const struct sockaddr *)sun, len) || listen(l, 1) ||
	    connect(c, (const struct sockaddr *)sun, len))
		fail(label);
	a = accept(l, NULL, NULL);
	if (a < 0 || send(c, "u", 1, 0) != 1)
		fail("unix accept/send");
	printf("%s %s\n", label, name);
	close(a);
	close(c);
	close(l);
}

static void unix_sockets(const char *dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char name[64];

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	unix_pair(&sun, sizeof(sun), "unix", sun.sun_path);
	snprintf(name, sizeof(name), "kettle-test-%d", (int)getpid());
	memset(sun.sun_path, 0, sizeof(sun.sun_path));
	memcpy(sun.sun_path + 1, name, strlen(name));
	unix_pair(&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)), "abstract", name);
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) ? -1 : 0;
	ifr.ifr_flags |= IFF_UP;
	if (!rc)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* In a private network namespace (port 53 is free there): UDP, connected UDP + sendmmsg, TCP, garbage. */
static int dns_child(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(53),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	unsigned char q[512], tq[514];
	struct iovec iov;
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	size_t n;
	int srv, cli, conn, tl, tc, ta;

	if (unshare(CLONE_NEWNET) || lo_up())
		return 3;
	srv = socket(AF_INET, SOCK_DGRAM, 0);
	cli = socket(AF_INET, SOCK_DGRAM, 0);
	if (srv < 0 || cli < 0 || bind(srv, (struct sockaddr *)&in, sizeof(in)))
		return 4;
	n = dns_query_make(q, "udp.kettle.test");
	if (sendto(cli, q, n, 0, (struct sockaddr *)&in, sizeof(in)) != (ssize_t)n)
		return 5;
	if (sendto(cli, "\x01\x02garbage-not-dns", 18, 0, (struct sockaddr *)&in, sizeof(in)) != 18)
		return 5;
	conn = socket(AF_INET, SOCK_DGRAM, 0);
	n = dns_query_make(q, "mmsg.kettle.test");
	iov = (struct iovec){ q, n };
	if (conn < 0 || connect(conn, (struct sockaddr *)&in, sizeof(in)) || sendmmsg(conn, &mm, 1, 0) != 1)
		return 6;
	tl = socket(AF_INET, SOCK_STREAM, 0);
	tc = socket(AF_INET, SOCK_STREAM, 0);
	if (tl < 0 || tc < 0 || bind(tl, (struct sockaddr *)&in, sizeof(in)) || listen(tl, 1) ||
	    connect(tc, (struct sockaddr *)&in, sizeof(in)))
		return 7;
	ta = accept(tl, NULL, NULL);
	n = dns_query_make(tq + 2, "tcp.kettle.test");
	tq[0] = (unsigned char)(n >> 8);
	tq[1] = (unsigned char)n;
	if (ta < 0 || send(tc, tq, n + 2, 0) != (ssize_t)(n + 2))
		return 8;
	return 0;
}

static void dns(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(dns_child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = 0;
		fprintf(stderr, "net_client: dns child failed (status %d)\n", status);
		failed = 1;
		return;
	}
	printf("dns %d\n", (int)pid);
}

static void outside(void)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, "192.0.2.1", &in.sin_addr);
	if (c < 0 || (connect(c, (struct sockaddr *)&in, sizeof(in)) && errno != EINPROGRESS &&
		      errno != ENETUNREACH && errno != EHOSTUNREACH))
		fail("outside connect");
	printf("outside %d\n", errno);
	close(c);
}

int main(int argc, char **argv)
{
	bool with_dns = false, with_outside = false;

	for (int i = 2; i < argc; i++) {
		with_dns |= !strcmp(argv[i], "--dns");
		with_outside |= !strcmp(argv[i], "--outside");
	}
	if (argc < 2) {
		fprintf(stderr, "usage: net_client DIR [--dns] [--outside]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tcp_pair(AF_INET, "tcp4");
	tcp_pair(AF_INET6, "tcp6");
	udp_send();
	refused();
	unix_sockets(argv[1]);
	if (with_dns)
		dns();
	if (with_outside)
		outside();
	return failed;
}
