// SPDX-License-Identifier: MIT
/* The network part of a provenance, from net_summary_build() (see provenance_net.h). */
#include <stdlib.h>
#include <string.h>

#include "log/net_summary.h"
#include "provenance/provenance_net.h"

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* V's N strings sorted and deduplicated, at most PROVENANCE_NET_LIST_MAX; strings that are not UTF-8 are left out. */
static json_t *sorted_list(const char **v, size_t n)
{
	json_t *a = json_array();

	if (n > 1)
		qsort(v, n, sizeof(*v), by_string);
	for (size_t i = 0; a && i < n && json_array_size(a) < PROVENANCE_NET_LIST_MAX; i++) {
		json_t *s;

		if (i && !strcmp(v[i], v[i - 1]))
			continue;
		s = json_string(v[i]);
		if (s && json_array_append_new(a, s))
			a = (json_decref(a), NULL);
	}
	return a;
}

/* Net events by call name, addressed or not (socket() names no address). */
static json_t *calls_by_name(const struct log_file *f)
{
	json_t *calls = json_object();

	for (size_t i = 0; calls && i < f->nevents; i++) {
		const char *name;
		json_t *n;

		if (f->events[i].type != LOG_EV_NET)
			continue;
		name = net_call_name(f->events[i].net.call);
		name = name ? name : "unknown";
		n = json_object_get(calls, name);
		if (n ? json_integer_set(n, json_integer_value(n) + 1) : json_object_set_new(calls, name, json_integer(1)))
			calls = (json_decref(calls), NULL);
	}
	return calls;
}

json_t *provenance_network(const struct log_file *f)
{
	struct net_summary s;
	const char **remote = NULL, **names = NULL;
	size_t nremote = 0, nnames = 0;
	json_t *out = NULL;

	if (net_summary_build(f, &s))
		goto done;
	for (size_t i = 0; i < s.n; i++)
		nnames += s.endpoints[i].ndns_names;     /* a name queried through two resolvers counts twice here */
	remote = malloc((s.n ? s.n : 1) * sizeof(*remote));
	names = malloc((nnames ? nnames : 1) * sizeof(*names));
	if (!remote || !names)
		goto done;
	nnames = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct net_endpoint *e = &s.endpoints[i];

		if (!e->local)
			remote[nremote++] = e->addr;
		for (uint32_t k = 0; k < e->ndns_names; k++)
			names[nnames++] = e->dns_names[k];
	}
	out = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:o, s:I, s:I}",
			"verdict", net_verdict_name(s.verdict), "reason", s.reason ? s.reason : "",
			"events", (json_int_t)s.events,
			"lost", (json_int_t)(f->has_trailer ? f->trailer.losses.ringbuf_drops[LOG_EV_NET] : 0),
			"calls", calls_by_name(f), "remoteEndpoints", sorted_list(remote, nremote),
			"remoteEndpointCount", (json_int_t)s.outside, "localEndpointCount", (json_int_t)(s.n - s.outside),
			"dnsNames", sorted_list(names, nnames), "dnsNameCount", (json_int_t)s.dns_names,
			"dnsUndecodable", (json_int_t)s.dns_undecodable);
done:
	free(remote);
	free(names);
	net_summary_free(&s);
	return out;
}
