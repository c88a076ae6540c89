// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "events.h"
#include "net_summary.h"

static const char *const call_names[KE_NET_CALL_MAX] = {
	[KE_NET_SOCKET] = "socket", [KE_NET_CONNECT] = "connect", [KE_NET_BIND] = "bind",
	[KE_NET_LISTEN] = "listen", [KE_NET_ACCEPT] = "accept", [KE_NET_ACCEPT4] = "accept4",
	[KE_NET_SENDTO] = "sendto", [KE_NET_SENDMSG] = "sendmsg", [KE_NET_SENDMMSG] = "sendmmsg",
};

const char *net_call_name(uint32_t call)
{
	return call < KE_NET_CALL_MAX ? call_names[call] : NULL;
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
	if (e->net.addr_source == KE_ADDR_NONE)
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
