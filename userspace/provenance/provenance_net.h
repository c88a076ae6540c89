/* SPDX-License-Identifier: MIT */
/*
 * The network part of a provenance: net_summary_build()'s endpoints, DNS
 * names and hermeticity verdict, as the annotation of the build-log
 * byproduct (docs/provenance.md, "Network summary and hermeticity").
 */
#ifndef KETTLE_PROVENANCE_NET_H
#define KETTLE_PROVENANCE_NET_H

#include <jansson.h>

#include "log/log_reader.h"

#define PROVENANCE_NET_LIST_MAX 100     /* endpoints and DNS names listed at most (all are counted) */

/*
 * {verdict, reason, events, lost, calls, remoteEndpoints, remoteEndpointCount,
 *  localEndpointCount, dnsNames, dnsNameCount, dnsUndecodable}; NULL: no memory.
 */
json_t *provenance_network(const struct log_file *f);

#endif
