// SPDX-License-Identifier: MIT
/* Who receives the build's datagrams: sock_diag for the socket, /proc for its holders. */
#include <dirent.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "collect/dgram_daemons.h"
#include "log/net_summary.h"

/* Sockets bound to one endpoint: a port may have a v4 and a v6 socket, or a SO_REUSEPORT group. */
#define DGRAM_INODES_MAX 8
/* A dump larger than this (in replies read) is cut: the first sockets are enough to name a daemon. */
#define DGRAM_DUMP_READS_MAX 4096

struct dgram_inodes {
	uint32_t ino[DGRAM_INODES_MAX];
	size_t n;
	bool more;
};

static void dgram_inode_add(struct dgram_inodes *in, uint32_t ino)
{
	for (size_t i = 0; i < in->n; i++)
		if (in->ino[i] == ino)
			return;
	if (in->n < DGRAM_INODES_MAX)
		in->ino[in->n++] = ino;
	else
		in->more = true;
}

static bool dgram_same(const struct dgram_endpoint *a, const struct dgram_endpoint *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr)) &&
	       !strcmp(a->name, b->name);
}

bool dgram_endpoint_of(const struct log_event *ev, struct dgram_endpoint *ep)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!net_reaches_local_peer(ev) || ev->net.sock_type != SOCK_DGRAM)
		return false;
	memset(ep, 0, sizeof(*ep));
	ep->family = ev->net.family;
	ep->port = ev->net.port;
	if (ev->net.family == AF_UNIX) {
		if (strlen(ev->net.unix_path) >= sizeof(ep->name))
			return false;
		strcpy(ep->name, ev->net.unix_path);
	} else if (ev->net.family == AF_INET6 && !memcmp(ev->net.addr, v4mapped, sizeof(v4mapped))) {
		ep->family = AF_INET;   /* a v6 socket's datagram to ::ffff:127.0.0.1 reaches the v4 port */
		memcpy(ep->addr, ev->net.addr + 12, 4);
	} else {
		memcpy(ep->addr, ev->net.addr, ev->net.family == AF_INET ? 4 : 16);
	}
	return true;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

void dgram_daemons_bound(struct dgram_daemons *d, const struct log_event *ev)
{
	struct dgram_endpoint *ep = &d->bound[d->nbound % DGRAM_BOUND_MAX];

	if (ev->type != LOG_EV_NET || ev->net.call != LOG_NET_BIND || ev->net.result != 0 ||
	    ev->net.sock_type != SOCK_DGRAM)
		return;
	memset(ep, 0, sizeof(*ep));
	ep->family = ev->net.family;
	ep->port = ev->net.port;
	if (ev->net.family == AF_UNIX) {
		if (!ev->net.unix_path || !ev->net.unix_path[0] || strlen(ev->net.unix_path) >= sizeof(ep->name))
			return;
		strcpy(ep->name, ev->net.unix_path);
	} else if (ev->net.family == AF_INET || ev->net.family == AF_INET6) {
		memcpy(ep->addr, ev->net.addr, ev->net.family == AF_INET ? 4 : 16);
	} else {
		return;
	}
	d->nbound++;
}

/* A datagram to EP reaches the build's own socket bound to B (an unspecified address: any of its family). */
static bool dgram_bound_to(const struct dgram_endpoint *b, const struct dgram_endpoint *ep)
{
	if (b->family == AF_UNIX || ep->family == AF_UNIX)
		return b->family == ep->family && !strcmp(b->name, ep->name);
	if (b->port != ep->port)
		return false;
	if (all_zero(b->addr, sizeof(b->addr)))
		return b->family == ep->family || b->family == AF_INET6;  /* [::] is dual-stack by default */
	return b->family == ep->family && !memcmp(b->addr, ep->addr, sizeof(b->addr));
}

bool dgram_daemons_done(const struct dgram_daemons *d, const struct dgram_endpoint *ep)
{
	size_t nb = d->nbound < DGRAM_BOUND_MAX ? d->nbound : DGRAM_BOUND_MAX;

	for (size_t i = 0; i < nb; i++)
		if (dgram_bound_to(&d->bound[i], ep))
			return true;
	for (size_t i = 0; i < d->nseen; i++)
		if (dgram_same(&d->seen[i], ep))
			return true;
	return d->beyond;
}

enum dgram_first dgram_daemons_note(struct dgram_daemons *d, const struct dgram_endpoint *ep)
{
	if (dgram_daemons_done(d, ep))
		return DGRAM_NOT_FIRST;
	if (d->nseen < DGRAM_ENDPOINTS_MAX) {
		d->seen[d->nseen++] = *ep;
		return DGRAM_FIRST;
	}
	d->beyond = true;
	return DGRAM_BEYOND;
}

/* ---- sock_diag ---- */

/* Sends REQ (a dump request of LEN bytes) and hands each reply to ON_MSG. 0 or -errno. */
static int diag_dump(void *req, size_t len, void (*on_msg)(const struct nlmsghdr *, void *), void *arg)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr h;
		uint8_t body[64];
	} msg = { .h = { .nlmsg_len = NLMSG_LENGTH(len), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 } };
	/* aligned for struct nlmsghdr, which the replies are read as */
	union {
		struct nlmsghdr h;
		char bytes[32768];
	} buf;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG), rc = 0;

	if (fd < 0)
		return -errno;
	memcpy(msg.body, req, len);
	if (sendto(fd, &msg, msg.h.nlmsg_len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0) {
		rc = -errno;
		goto out;
	}
	for (int reads = 0; reads < DGRAM_DUMP_READS_MAX; reads++) {
		ssize_t n = recv(fd, buf.bytes, sizeof(buf.bytes), 0);

		if (n < 0) {
			rc = -errno;
			goto out;
		}
		for (const struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ? e->error : -EPROTO;
				goto out;
			}
			on_msg(h, arg);
		}
		if (n == 0)
			break;
	}
out:
	close(fd);
	return rc;
}

struct unix_match {
	const struct dgram_endpoint *ep;
	bool by_file;           /* the path's socket file was found: match by its identity */
	dev_t dev;
	ino_t ino;
	struct dgram_inodes *found;
};

/* A unix name from the kernel (abstract: a leading NUL) against the log's form ("@name", inner NULs '@'). */
static bool unix_name_is(const char *name, size_t len, const char *logged)
{
	if (len == 0 || strlen(logged) != len - (name[len - 1] == '\0' && name[0] != '\0'))
		return false;
	for (size_t i = 0; i < strlen(logged); i++)
		if ((name[i] ? name[i] : '@') != logged[i])
			return false;
	return true;
}

static void unix_msg(const struct nlmsghdr *h, void *arg)
{
	struct unix_match *m = arg;
	const struct unix_diag_msg *u = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*u));
	bool hit = false;

	if (len < 0 || u->udiag_type != SOCK_DGRAM)
		return;
	for (const struct rtattr *a = (const void *)(u + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == UNIX_DIAG_VFS && m->by_file && RTA_PAYLOAD(a) >= sizeof(struct unix_diag_vfs)) {
			const struct unix_diag_vfs *v = RTA_DATA(a);

			/* the kernel's dev_t: major << 20 | minor */
			hit |= v->udiag_vfs_ino == m->ino &&
			       makedev(v->udiag_vfs_dev >> 20, v->udiag_vfs_dev & 0xfffff) == m->dev;
		} else if (a->rta_type == UNIX_DIAG_NAME && !m->by_file) {
			hit |= unix_name_is(RTA_DATA(a), RTA_PAYLOAD(a), m->ep->name);
		}
	}
	if (hit)
		dgram_inode_add(m->found, u->udiag_ino);
}

/* A path socket is known by its file (a relative name is the sender's cwd's); an abstract one by name. */
static int unix_sockets(const struct dgram_endpoint *ep, pid_t sender, struct dgram_inodes *found)
{
	struct unix_diag_req req = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
				     .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS };
	struct unix_match m = { .ep = ep, .found = found };
	char path[DGRAM_NAME_MAX + 64];
	struct stat st;

	if (ep->name[0] != '@') {
		if (ep->name[0] == '/')
			snprintf(path, sizeof(path), "%s", ep->name);
		else
			snprintf(path, sizeof(path), "/proc/%d/cwd/%s", (int)sender, ep->name);
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
			m.by_file = true;
			m.dev = st.st_dev;
			m.ino = st.st_ino;
		}
	}
	return diag_dump(&req, sizeof(req), unix_msg, &m);
}

struct inet_match {
	const struct dgram_endpoint *ep;
	struct dgram_inodes *found;
};

/*
 * Whether a UDP socket bound to SRC (of FAMILY) gets datagrams sent to EP: the
 * same address or the unspecified one; a v4 endpoint also reaches a dual-stack
 * v6 socket bound to :: or to ::ffff:ADDR.
 */
static bool inet_receives(const struct dgram_endpoint *ep, uint8_t family, const uint32_t *src, bool v6only)
{
	if (ep->family == AF_INET && family == AF_INET)
		return src[0] == 0 || !memcmp(src, ep->addr, 4);
	if (ep->family == AF_INET6)
		return family == AF_INET6 && (all_zero(src, 16) || !memcmp(src, ep->addr, 16));
	if (family != AF_INET6 || v6only)
		return false;
	return all_zero(src, 16) ||
	       (src[0] == 0 && src[1] == 0 && src[2] == htonl(0xffff) && !memcmp(&src[3], ep->addr, 4));
}

static void inet_msg(const struct nlmsghdr *h, void *arg)
{
	struct inet_match *m = arg;
	const struct inet_diag_msg *d = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*d));
	bool v6only = false;

	if (len < 0 || ntohs(d->id.idiag_sport) != m->ep->port)
		return;
	for (const struct rtattr *a = (const void *)(d + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1)
			v6only = *(const uint8_t *)RTA_DATA(a);
	if (inet_receives(m->ep, d->idiag_family, d->id.idiag_src, v6only))
		dgram_inode_add(m->found, d->idiag_inode);
}

static int udp_sockets(const struct dgram_endpoint *ep, struct dgram_inodes *found)
{
	struct inet_match m = { .ep = ep, .found = found };
	struct inet_diag_req_v2 req = { .sdiag_protocol = IPPROTO_UDP, .idiag_states = ~0u };
	int rc = 0;

	if (ep->family == AF_INET) {
		req.sdiag_family = AF_INET;
		rc = diag_dump(&req, sizeof(req), inet_msg, &m);
	}
	if (!rc) {
		req.sdiag_family = AF_INET6;
		rc = diag_dump(&req, sizeof(req), inet_msg, &m);
		/* a kernel without IPv6 has no v6 socket to hold the port */
		if (rc == -ENOENT || rc == -EAFNOSUPPORT)
			rc = 0;
	}
	return rc;
}

/* ---- /proc ---- */

static bool fd_holds(int dirfd, const char *fd, const struct dgram_inodes *in)
{
	char link[64];
	unsigned long ino;
	ssize_t n = readlinkat(dirfd, fd, link, sizeof(link) - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	if (sscanf(link, "socket:[%lu]", &ino) != 1)
		return false;
	for (size_t i = 0; i < in->n; i++)
		if (in->ino[i] == ino)
			return true;
	return false;
}

/* Whether process PID holds one of IN's sockets (a process gone meanwhile holds none). */
static bool pid_holds(pid_t pid, const struct dgram_inodes *in)
{
	char path[64];
	struct dirent *e;
	bool held = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!held && (e = readdir(d)))
		held = e->d_name[0] != '.' && fd_holds(dirfd(d), e->d_name, in);
	closedir(d);
	return held;
}

int dgram_holders(const struct dgram_endpoint *ep, pid_t sender, pid_t *out, size_t max, bool *more)
{
	struct dgram_inodes in = { 0 };
	struct dirent *e;
	size_t n = 0;
	int rc = ep->family == AF_UNIX ? unix_sockets(ep, sender, &in) : udp_sockets(ep, &in);
	DIR *proc;

	*more = false;
	if (rc || in.n == 0)
		return rc;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((e = readdir(proc))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || !pid_holds((pid_t)pid, &in))
			continue;
		if (n < max) {
			out[n++] = (pid_t)pid;
		} else {
			*more = true;
			break;
		}
	}
	closedir(proc);
	*more |= in.more;
	return (int)n;
}
