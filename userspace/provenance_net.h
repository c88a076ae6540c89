/* SPDX-License-Identifier: MIT */
/*
 * The network part of a provenance: what the build's socket calls reached,
 * from the log's net events, and the hermeticity verdict that follows
 * (docs/provenance.md, "Network summary and hermeticity").  Endpoints are
 * judged by net_summary.h.
 */
#ifndef KETTLE_PROVENANCE_NET_H
#define KETTLE_PROVENANCE_NET_H

#include <jansson.h>

#include "log_reader.h"

#define PROVENANCE_NET_LIST_MAX 100     /* endpoints and DNS names listed at most (all are counted) */
/* Header option the recording kettle sets to "true" when its network programs were attached. */
#define PROVENANCE_NET_TRACED_OPTION "net.traced"

/* {recorded, verdict, reason, events, lost, calls, remoteEndpoints, remoteEndpointCount, dnsNames, dnsNameCount}; NULL: no memory. */
json_t *provenance_network(const struct log_file *f);

#endif
