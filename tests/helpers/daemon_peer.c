// SPDX-License-Identifier: MIT
/*
 * A daemon and its client, for the daemon tests.
 *   daemon_peer serve SPEC READYFILE [uring]   serves for ever; each request is a file name, and a
 *                                              child (cat) reads it; its bytes go back to the client
 *   daemon_peer ask SPEC NAME OUT              asks for NAME, writes the answer to OUT
 * SPEC: unix:PATH or tcp:PORT (127.0.0.1), a stream accepted for each request (with "uring": by
 * IORING_OP_ACCEPT); udp:PORT (127.0.0.1), udp6:PORT (::1), udpdual:PORT (the server on [::] dual-stack,
 * the client to 127.0.0.1) or unixdg:PATH|@NAME: one datagram each way.  A datagram server waits
 * DGRAM_SETTLE_US before it works: kettle run names a datagram receiver once the first datagram has
 * reached it, and follows it (--follow-daemons) only from then on.
 */
#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define DGRAM_SETTLE_US 500000

struct peer {
	struct sockaddr_storage ss;
	socklen_t len;
	int type;               /* SOCK_STREAM or SOCK_DGRAM */
};

static bool peer_unix(const char *path, struct peer *p)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&p->ss;
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(un->sun_path))
		return false;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, n);
	if (path[0] == '@') {   /* abstract: a leading NUL, no terminating one */
		un->sun_path[0] = '\0';
		p->len = offsetof(struct sockaddr_un, sun_path) + n;
	} else {
		p->len = sizeof(*un);
	}
	return true;
}

static void peer_in(struct peer *p, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&p->ss;

	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->len = sizeof(*in);
}

static void peer_in6(struct peer *p, uint16_t port, const struct in6_addr *a)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&p->ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr = *a;
	p->len = sizeof(*in6);
}

/* The address SERVER (or the client) uses for SPEC; false on a bad spec. */
static bool peer_addr(const char *spec, bool server, struct peer *p)
{
	const char *colon = strchr(spec, ':');
	uint16_t port = colon ? (uint16_t)atoi(colon + 1) : 0;

	memset(p, 0, sizeof(*p));
	p->type = SOCK_STREAM;
	if (!colon)
		return false;
	if (!strncmp(spec, "unix:", 5))
		return peer_unix(spec + 5, p);
	if (!strncmp(spec, "tcp:", 4)) {
		peer_in(p, port);
		return true;
	}
	p->type = SOCK_DGRAM;
	if (!strncmp(spec, "unixdg:", 7))
		return peer_unix(spec + 7, p);
	if (!strncmp(spec, "udp:", 4))
		peer_in(p, port);
	else if (!strncmp(spec, "udp6:", 5))
		peer_in6(p, port, &in6addr_loopback);
	else if (!strncmp(spec, "udpdual:", 8) && server)
		peer_in6(p, port, &in6addr_any);
	else if (!strncmp(spec, "udpdual:", 8))
		peer_in(p, port);
	else
		return false;
	return true;
}

static int ready_file(const char *ready)
{
	FILE *f = fopen(ready, "w");

	return !f || fclose(f) ? -1 : 0;
}

/* Runs cat NAME with its output to OUT_FD, in a child; the parent goes on. */
static void cat_child(const char *name, int out_fd)
{
	if (fork() == 0) {
		dup2(out_fd, 1);
		execlp("cat", "cat", name, (char *)NULL);
		_exit(127);
	}
}

/* One datagram in (a name), cat's output back in one datagram to where it came from. */
static void serve_dgram(int s)
{
	for (;;) {
		char name[512], buf[4096];
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(s, name, sizeof(name) - 1, 0, (struct sockaddr *)&from, &fromlen), got = 0, r;
		int pipefd[2];

		if (n <= 0)
			continue;
		name[n] = 0;
		usleep(DGRAM_SETTLE_US);
		if (pipe(pipefd))
			continue;
		cat_child(name, pipefd[1]);
		close(pipefd[1]);
		while (got < (ssize_t)sizeof(buf) && (r = read(pipefd[0], buf + got, sizeof(buf) - got)) > 0)
			got += r;
		close(pipefd[0]);
		sendto(s, buf, got, 0, (struct sockaddr *)&from, fromlen);
	}
}

/* ---- an accept through an io_uring (no liburing: the three system calls and the rings by hand) ---- */

struct uring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int uring_setup(struct uring *u)
{
	struct io_uring_params p = { 0 };
	void *sq, *cq;

	u->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (u->fd < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE, MAP_SHARED,
		  u->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
		  MAP_SHARED, u->fd, IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED,
		       u->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -1;
	u->sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	u->cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	u->cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Accepts one connection on S through the ring: the new descriptor, or -1. */
static int uring_accept(struct uring *u, int s)
{
	unsigned tail = *u->sq_tail, idx = tail & *u->sq_mask, head;
	struct io_uring_sqe *sqe = &u->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_ACCEPT;
	sqe->fd = s;
	u->sq_array[idx] = idx;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -1;
	head = *u->cq_head;
	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return -1;
	res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int serve(const char *spec, const char *ready, bool uring)
{
	struct peer p;
	struct uring u = { 0 };
	int one = 1, zero = 0, s = peer_addr(spec, true, &p) ? socket(p.ss.ss_family, p.type, 0) : -1;

	if (s < 0 || (uring && (p.type != SOCK_STREAM || uring_setup(&u))))
		return 2;
	if (p.ss.ss_family == AF_UNIX && ((struct sockaddr_un *)&p.ss)->sun_path[0])
		unlink(((struct sockaddr_un *)&p.ss)->sun_path);
	if (p.ss.ss_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&p.ss, p.len) || (p.type == SOCK_STREAM && listen(s, 8)))
		return 2;
	signal(SIGCHLD, SIG_IGN);
	if (ready_file(ready))
		return 2;
	if (p.type == SOCK_DGRAM) {
		serve_dgram(s);
		return 2;
	}
	for (;;) {
		char name[512];
		ssize_t n;
		int c = uring ? uring_accept(&u, s) : accept(s, NULL, NULL);

		if (c < 0)
			continue;
		n = read(c, name, sizeof(name) - 1);
		if (n > 0) {
			name[n] = 0;
			cat_child(name, c);
		}
		close(c);
	}
}

/*
 * Datagrams: the client binds an address of its own for the answer.  Next to
 * a path server, a path too: an abstract name would not reach a server in
 * another network namespace.  Next to an abstract one, an autobound name.
 */
static int ask_dgram(const struct peer *p, const char *name, FILE *f)
{
	const struct sockaddr_un *server = (const struct sockaddr_un *)&p->ss;
	struct sockaddr_un own = { .sun_family = AF_UNIX };
	socklen_t ownlen = sizeof(sa_family_t);
	char buf[4096];
	ssize_t n;
	int s = socket(p->ss.ss_family, SOCK_DGRAM, 0);

	if (s < 0)
		return 2;
	if (p->ss.ss_family == AF_UNIX && server->sun_path[0]) {
		if ((size_t)snprintf(own.sun_path, sizeof(own.sun_path), "%s.c%d", server->sun_path, (int)getpid()) >=
		    sizeof(own.sun_path))
			return 2;
		unlink(own.sun_path);
		ownlen = sizeof(own);
	}
	if (p->ss.ss_family == AF_UNIX && bind(s, (struct sockaddr *)&own, ownlen))
		return 2;
	if (sendto(s, name, strlen(name), 0, (const struct sockaddr *)&p->ss, p->len) != (ssize_t)strlen(name))
		return 2;
	n = recv(s, buf, sizeof(buf), 0);
	if (own.sun_path[0])
		unlink(own.sun_path);
	return n < 0 || fwrite(buf, 1, n, f) != (size_t)n ? 2 : 0;
}

static int ask(const char *spec, const char *name, const char *out)
{
	struct peer p;
	char buf[4096];
	ssize_t n;
	FILE *f;
	int s, rc = 0;

	if (!peer_addr(spec, false, &p))
		return 2;
	f = fopen(out, "w");
	if (!f)
		return 2;
	if (p.type == SOCK_DGRAM) {
		rc = ask_dgram(&p, name, f);
	} else {
		s = socket(p.ss.ss_family, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&p.ss, p.len) ||
		    write(s, name, strlen(name)) != (ssize_t)strlen(name))
			rc = 2;
		else
			shutdown(s, SHUT_WR);
		while (!rc && (n = read(s, buf, sizeof(buf))) > 0)
			if (fwrite(buf, 1, n, f) != (size_t)n)
				rc = 2;
	}
	return fclose(f) || rc ? 2 : 0;
}

int main(int argc, char **argv)
{
	if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "uring"))) && !strcmp(argv[1], "serve"))
		return serve(argv[2], argv[3], argc == 5);
	if (argc == 5 && !strcmp(argv[1], "ask"))
		return ask(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: daemon_peer serve SPEC READYFILE [uring] | ask SPEC NAME OUT\n");
	return 2;
}
