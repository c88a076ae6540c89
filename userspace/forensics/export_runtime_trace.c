// SPDX-License-Identifier: MIT
/* kettle export --format runtime-trace: the replay model as an in-toto runtime-trace v0.1 statement. */
#include "forensics/export_runtime_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provenance/provenance.h"

/* Boot-clock NS of the log as wall-clock ns (the header's start pairs the two clocks). */
static uint64_t export_wall_ns(const struct replay *r, uint64_t boot_ns)
{
	const struct log_header *h = &r->log->header;

	return h->start_wall_ns + (boot_ns > h->start_boot_ns ? boot_ns - h->start_boot_ns : 0);
}

/* Adds VAL under KEY; a NULL VAL (out of memory) makes the whole document fail. */
static int put(json_t *obj, const char *key, json_t *val)
{
	return val ? json_object_set_new(obj, key, val) : -1;
}

static json_t *argv_json(const struct replay_exec *e)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && e && i < e->nargv; i++)
		if (json_array_append_new(a, provenance_json_text(e->argv[i])))
			return json_decref(a), NULL;
	return a;
}

static json_t *process_json(const struct replay *r, uint32_t p)
{
	const struct replay_proc *pr = &r->procs[p];
	const struct replay_exec *e = replay_proc_exec(r, p);
	json_t *o = json_object();

	if (!o || put(o, "pid", json_integer(pr->pid)) ||
	    put(o, "parentPid", json_integer(pr->parent == REPLAY_NONE ? 0 : r->procs[pr->parent].pid)) ||
	    put(o, "processBinary", provenance_json_text(replay_proc_exe(r, p))) ||
	    put(o, "arguments", argv_json(e)) || put(o, "cwd", provenance_json_text(e ? e->cwd : NULL)) ||
	    put(o, "execs", json_boolean(pr->own_exec)) ||
	    put(o, "startedOn", provenance_json_time(export_wall_ns(r, pr->start_ns))) ||
	    put(o, "finishedOn", provenance_json_time(export_wall_ns(r, pr->end_ns))) ||
	    (pr->exited && put(o, "exitStatus", json_integer(pr->status))))
		return json_decref(o), NULL;
	return o;
}

/* "10.0.0.1:443" -> ip, port; "[::1]:53" -> ::1, 53; a unix socket path stays a name. */
static int endpoint_address(json_t *o, const char *name)
{
	const char *colon = strrchr(name, ':');
	char ip[64];
	long port;

	if (name[0] == '/' || name[0] == '@' || !colon || colon == name)
		return put(o, "unixSocket", provenance_json_text(name));
	port = strtol(colon + 1, NULL, 10);
	if (name[0] == '[' && colon[-1] == ']')
		snprintf(ip, sizeof(ip), "%.*s", (int)(colon - name - 2), name + 1);
	else
		snprintf(ip, sizeof(ip), "%.*s", (int)(colon - name), name);
	if (put(o, "ip", json_string(ip)))
		return -1;
	return port > 0 && port < 65536 ? put(o, "port", json_integer(port)) : 0;
}

static json_t *network_json(const struct replay *r, uint32_t ep)
{
	const struct replay_endpoint *e = &r->endpoints[ep];
	json_t *o = json_object();

	if (!o || endpoint_address(o, e->name) || put(o, "endpoint", provenance_json_text(e->name)) ||
	    put(o, "local", json_boolean(e->local)) || put(o, "calls", json_integer(e->calls)) ||
	    put(o, "firstSeenOn", provenance_json_time(export_wall_ns(r, e->first_ns))) ||
	    (e->first_proc != REPLAY_NONE &&
	     put(o, "invokingProcess", json_pack("{s:i, s:o}", "pid", (json_int_t)r->procs[e->first_proc].pid,
						 "processBinary", provenance_json_text(replay_proc_exe(r, e->first_proc))))))
		return json_decref(o), NULL;
	return o;
}

/* The distinct access kinds of a file, in the order they first happened. */
static json_t *access_kinds(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];
	bool seen[RA_KIND_MAX] = { false };
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < f->naccess; i++) {
		uint8_t k = r->accesses[r->by_file[f->access_first + i]].kind;

		if (k < RA_KIND_MAX && !seen[k]) {
			seen[k] = true;
			if (json_array_append_new(a, json_string(replay_access_name(k))))
				return json_decref(a), NULL;
		}
	}
	return a;
}

/* One ResourceDescriptor per digest the file has (input, exec, output), or one without a digest. */
static int file_access(const struct replay *r, uint32_t file, json_t *list)
{
	const struct replay_file *f = &r->files[file];
	const uint32_t idx[] = { f->input, f->exec, f->output };
	static const char *const kind[] = { "input", "exec", "output" };
	bool any = false;

	for (int k = 0; k <= 3; k++) {
		const struct log_digest *d = k < 3 ? replay_digest_usable(r, idx[k]) : NULL;
		char *uri;
		json_t *rd;

		if (k < 3 && !d)
			continue;
		if (k == 3 && any)
			break;
		uri = provenance_file_uri(f->path);
		rd = json_pack("{s:s?, s:{s:s, s:o, s:o}}", "uri", uri, "annotations", "role",
			       replay_role_name(f->role), "accesses", access_kinds(r, file),
			       "path", provenance_json_text(f->path));
		free(uri);
		if (!rd || (d && (put(rd, "digest", json_pack("{s:o}", "sha256", provenance_json_hex(d->sha256, 32))) ||
				  put(json_object_get(rd, "annotations"), "digestOf", json_string(kind[k])))) ||
		    json_array_append_new(list, rd))
			return -1;
		any = true;
	}
	return 0;
}

static json_t *monitor_log(const struct replay *r)
{
	json_t *procs = json_array(), *net = json_array(), *files = json_array();

	for (uint32_t p = 0; procs && p < r->nprocs; p++)
		if (json_array_append_new(procs, process_json(r, p)))
			procs = (json_decref(procs), NULL);
	for (uint32_t e = 0; net && e < r->nendpoints; e++)
		if (json_array_append_new(net, network_json(r, e)))
			net = (json_decref(net), NULL);
	for (uint32_t f = 0; files && f < r->nfiles; f++)
		if (file_access(r, f, files))
			files = (json_decref(files), NULL);
	if (!procs || !net || !files) {
		json_decref(procs);
		json_decref(net);
		json_decref(files);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o}", "process", procs, "network", net, "fileAccess", files);
}

/* What the build wrote and left (outputs and intermediates, with their digest) are the statement's subjects. */
static json_t *subjects(const struct replay *r)
{
	json_t *s = json_array();

	for (uint32_t i = 0; s && i < r->nfiles; i++) {
		const struct log_digest *d = replay_digest_usable(r, r->files[i].output);

		if ((r->files[i].role != ROLE_OUTPUT && r->files[i].role != ROLE_INTERMEDIATE) || !d)
			continue;
		if (json_array_append_new(s, json_pack("{s:o, s:{s:o}}", "name", provenance_json_text(r->files[i].path),
						       "digest", "sha256", provenance_json_hex(d->sha256, 32))))
			s = (json_decref(s), NULL);
	}
	return s;
}

json_t *export_runtime_trace(const struct replay *r)
{
	const struct log_header *h = &r->log->header;
	char idbuf[256], host[128];
	const char *id = provenance_invocation_id(h, idbuf, sizeof(idbuf));
	json_t *policy;

	/* the host is the machine's boot (a UUID): a pid or a time names a run only on it */
	snprintf(host, sizeof(host), "urn:uuid:%s", h->boot_id && strlen(h->boot_id) == 36 ? h->boot_id
		 : "00000000-0000-0000-0000-000000000000");
	policy = json_pack("{s:o, s:i, s:o, s:o}", "kettleVersion", provenance_json_text(h->kettle_version),
			   "logFormatVersion", (json_int_t)h->format_version,
			   "kernelRelease", provenance_json_text(h->kernel_release),
			   "hostname", provenance_json_text(h->host));
	return json_pack("{s:s, s:o, s:s, s:{s:{s:s, s:o}, s:{s:s, s:s, s:o}, s:o, s:{s:o, s:o}}}",
			 "_type", "https://in-toto.io/Statement/v1", "subject", subjects(r),
			 "predicateType", RUNTIME_TRACE_PREDICATE, "predicate",
			 "monitor", "type", RUNTIME_TRACE_MONITOR, "tracePolicy", policy,
			 "monitoredProcess", "hostID", host, "type", PROVENANCE_BUILD_TYPE,
			 "event", provenance_json_text(id),
			 "monitorLog", monitor_log(r),
			 "metadata", "buildStartedOn", provenance_json_time(h->start_wall_ns),
			 "buildFinishedOn", provenance_json_time(r->log->has_trailer ? r->log->trailer.end_wall_ns
									    : export_wall_ns(r, r->end_ns)));
}
