/* SPDX-License-Identifier: MIT */
/*
 * The network side of a build log: how an endpoint is written, and which
 * endpoints keep a build hermetic (loopback and unix sockets only).
 */
#ifndef KETTLE_NET_SUMMARY_H
#define KETTLE_NET_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "log_event.h"

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

#endif
