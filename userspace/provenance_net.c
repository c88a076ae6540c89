// SPDX-License-Identifier: MIT
/* Network summary and hermeticity verdict of a build log (see provenance_net.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net_summary.h"
#include "provenance_net.h"

/* Adds KEY to the set SET (an object used as a set, value = times seen). */
static int set_add(json_t *set, const char *key)
{
	json_t *n = json_object_get(set, key);

	if (n)
		return json_integer_set(n, json_integer_value(n) + 1);
	return json_object_set_new(set, key, json_integer(1));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The set's keys, sorted, at most PROVENANCE_NET_LIST_MAX; invalid UTF-8 keys were never added. */
static json_t *sorted_keys(json_t *set)
{
	size_t n = json_object_size(set), k = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	json_t *a = json_array(), *v;
	const char *key;

	if (!keys || !a) {
		free(keys);
		json_decref(a);
		return NULL;
	}
	json_object_foreach(set, key, v)
		keys[k++] = key;
	qsort(keys, k, sizeof(*keys), by_string);
	for (size_t i = 0; i < k && i < PROVENANCE_NET_LIST_MAX; i++)
		if (json_array_append_new(a, json_string(keys[i])))
			a = (json_decref(a), NULL);
	free(keys);
	return a;
}

/* Whether the recording kettle had its network programs attached (header option PROVENANCE_NET_TRACED_OPTION). */
static bool net_traced(const struct log_header *h)
{
	bool on = false;

	for (uint32_t i = 0; i < h->noptions; i++)
		if (h->options[i].key && !strcmp(h->options[i].key, PROVENANCE_NET_TRACED_OPTION))
			on = h->options[i].value && !strcmp(h->options[i].value, "true");
	return on;
}

static const char *verdict(const struct log_file *f, size_t remote, size_t names, const char **reason)
{
	if (f->header.format_version < 2) {
		*reason = "log format 1 records no network calls";
		return "unknown";
	}
	if (remote) {
		*reason = "the build addressed endpoints off this machine";
		return "not-hermetic";
	}
	if (names) {
		*reason = "the build sent DNS queries (a local resolver forwards them)";
		return "not-hermetic";
	}
	/* No remote address seen proves nothing unless the socket calls were being watched. */
	if (!net_traced(&f->header)) {
		*reason = "the log does not say that network calls were traced (header option " PROVENANCE_NET_TRACED_OPTION ")";
		return "unknown";
	}
	if (f->has_trailer && f->trailer.losses.ringbuf_drops[LOG_EV_NET]) {
		*reason = "network events were lost";
		return "unknown";
	}
	*reason = "every address the build used stays on this machine (loopback, unix sockets)";
	return "hermetic";
}

json_t *provenance_network(const struct log_file *f)
{
	json_t *calls = json_object(), *remote = json_object(), *names = json_object(), *out = NULL;
	const char *reason;
	uint64_t events = 0;
	int bad = !calls || !remote || !names;

	for (size_t i = 0; !bad && i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];
		const char *call;
		char ep[300];

		if (e->type != LOG_EV_NET)
			continue;
		events++;
		call = net_call_name(e->net.call);
		bad |= set_add(calls, call ? call : "unknown");
		net_endpoint_format(e, ep, sizeof(ep));
		if (ep[0] && !net_endpoint_is_local(e))
			bad |= set_add(remote, ep);     /* an IP endpoint: ASCII */
		for (uint32_t k = 0; e->net.dns == LOG_DNS_NAMES && k < e->net.ndns_names; k++) {
			json_t *ok = json_string(e->net.dns_names[k]);        /* UTF-8 only: a name is ASCII */

			if (ok)
				bad |= set_add(names, e->net.dns_names[k]);
			json_decref(ok);
		}
	}
	if (!bad) {
		const char *v = verdict(f, json_object_size(remote), json_object_size(names), &reason);

		out = json_pack("{s:b, s:s, s:s, s:I, s:I, s:O, s:o, s:I, s:o, s:I}",
				"recorded", f->header.format_version >= 2 && net_traced(&f->header), "verdict", v, "reason", reason,
				"events", (json_int_t)events,
				"lost", (json_int_t)(f->has_trailer ? f->trailer.losses.ringbuf_drops[LOG_EV_NET] : 0),
				"calls", calls, "remoteEndpoints", sorted_keys(remote),
				"remoteEndpointCount", (json_int_t)json_object_size(remote),
				"dnsNames", sorted_keys(names), "dnsNameCount", (json_int_t)json_object_size(names));
	}
	json_decref(calls);
	json_decref(remote);
	json_decref(names);
	return out;
}
