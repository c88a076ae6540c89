/* SPDX-License-Identifier: MIT */
/*
 * Datagram daemons: a process outside the build that receives what the build
 * sends to a unix datagram socket or a loopback UDP port.  No accept tells
 * the kernel side who it is, so the collector asks sock_diag which sockets
 * are bound to the endpoint and /proc which processes hold them, at the
 * build's first send there, while the receiver still runs.
 */
#ifndef KETTLE_DGRAM_DAEMONS_H
#define KETTLE_DGRAM_DAEMONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log/log_event.h"

#define DGRAM_ENDPOINTS_MAX LOG_DAEMON_DGRAM_ENDPOINTS     /* endpoints looked up per build */
#define DGRAM_HOLDERS_MAX   4   /* processes named per endpoint */
#define DGRAM_NAME_MAX      110 /* a unix name as the log writes it ("@abstract" or a path) */

struct dgram_endpoint {
	uint32_t family;        /* AF_UNIX, AF_INET, AF_INET6 (a v4-mapped address is AF_INET) */
	uint16_t port;
	uint8_t addr[16];       /* AF_INET: 4 bytes, AF_INET6: 16, network order */
	char name[DGRAM_NAME_MAX];
};

#define DGRAM_BOUND_MAX 256     /* the build's own bound endpoints kept (the latest) */

/* The endpoints of one build already looked up, and those the build bound itself. */
struct dgram_daemons {
	struct dgram_endpoint seen[DGRAM_ENDPOINTS_MAX];
	size_t nseen;
	bool beyond;            /* an endpoint past DGRAM_ENDPOINTS_MAX was reported */
	struct dgram_endpoint bound[DGRAM_BOUND_MAX];   /* a ring: addr all zero is any address */
	size_t nbound;          /* all ever kept; the ring holds the last DGRAM_BOUND_MAX */
};

enum dgram_first {
	DGRAM_NOT_FIRST = 0,    /* an endpoint already looked up, or past the limit */
	DGRAM_FIRST,            /* the first datagram to this endpoint */
	DGRAM_BEYOND,           /* the first endpoint past the limit: reported, not looked up */
};

/*
 * Whether EV is a datagram to a local endpoint: a sendto/sendmsg/sendmmsg or
 * a connect of a SOCK_DGRAM socket, that succeeded, to a named unix socket
 * or a loopback port (DNS's excepted).  Fills OUT.
 */
bool dgram_endpoint_of(const struct log_event *ev, struct dgram_endpoint *out);
/*
 * Keeps the endpoint of EV if it is a datagram socket's bind record of the
 * build (explicit, or the kernel's implicit one): its receiver is the build's.
 */
void dgram_daemons_bound(struct dgram_daemons *d, const struct log_event *ev);
/*
 * Whether there is nothing left to do for EP: the build bound it, it was
 * looked up already, or the limit was passed and said.
 */
bool dgram_daemons_done(const struct dgram_daemons *d, const struct dgram_endpoint *ep);
/* Whether EP is new to this build: looked up (DGRAM_FIRST), past the limit (DGRAM_BEYOND, once), or neither. */
enum dgram_first dgram_daemons_note(struct dgram_daemons *d, const struct dgram_endpoint *ep);

/*
 * The processes holding a socket bound to EP in the collector's network
 * namespace, as seen from SENDER (a relative unix path is its cwd's).  At most
 * MAX in OUT; *MORE set when there were others.  The count, or -errno when
 * sock_diag or /proc cannot be read.
 */
int dgram_holders(const struct dgram_endpoint *ep, pid_t sender, pid_t *out, size_t max, bool *more);

#endif
