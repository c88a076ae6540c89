// SPDX-License-Identifier: MIT
/* kettle export --format cyclonedx: observed inputs, toolchain by ELF identity, outputs. */
#include "forensics/export_cyclonedx.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/report_data.h"
#include "common/hex.h"
#include "provenance/provenance.h"

static int put(json_t *obj, const char *key, json_t *val)
{
	return val ? json_object_set_new(obj, key, val) : -1;
}

/* S as a JSON string; FALLBACK when S is not UTF-8 (CycloneDX names and values are plain strings). */
static json_t *string_or(const char *s, const char *fallback)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_string(fallback);
}

static int property(json_t *props, const char *name, const char *value)
{
	return value ? json_array_append_new(props, json_pack("{s:s, s:o}", "name", name,
							       "value", string_or(value, "(not UTF-8)"))) : 0;
}

/* The ELF (or script) identity of an executed file as kettle:elf:* properties. */
static int elf_properties(const struct replay *r, const struct replay_file *f, json_t *props)
{
	const struct log_exec_ident *id;
	static const char *const kinds[] = { "other", "elf-exec", "elf-dyn", "elf-rel", "elf-core", "script",
					     "elf-pie" };
	char num[16];

	if (f->exec_ident == REPLAY_NONE)
		return 0;
	id = &r->log->exec_idents[f->exec_ident];
	if (id->result)
		return property(props, "kettle:elf:error", "unreadable");
	snprintf(num, sizeof(num), "%" PRIu32, id->elf_machine);
	if (property(props, "kettle:elf:kind", (unsigned)id->kind <= LOG_FILE_KIND_LAST ? kinds[id->kind] : "?") ||
	    (id->elf_class && property(props, "kettle:elf:machine", num)) ||
	    property(props, "kettle:elf:build-id", id->build_id) ||
	    property(props, "kettle:elf:interpreter", id->interp) ||
	    property(props, "kettle:elf:soname", id->soname) ||
	    property(props, "kettle:elf:runpath", id->runpath) ||
	    property(props, "kettle:script:interpreter", id->script_interp))
		return -1;
	for (uint32_t i = 0; i < id->nneeded; i++)
		if (property(props, "kettle:elf:needed", id->needed[i]))
			return -1;
	return 0;
}

/*
 * A file as a component: its path is the name, its digest the hash; an
 * executable of the toolchain is an application, everything else a file.
 */
static json_t *component(const struct replay *r, uint32_t file, const struct log_digest *d, const char *role)
{
	const struct replay_file *f = &r->files[file];
	bool tool = (f->flags & RF_EXECUTED) && !(f->flags & RF_WRITTEN);
	char ref[32], *uri = provenance_file_uri(f->path);
	json_t *c, *props = json_array();

	snprintf(ref, sizeof(ref), "file-%" PRIu32, file);
	c = json_pack("{s:s, s:s, s:o, s:s, s:[{s:s, s:o}]}", "type", tool ? "application" : "file",
		      "bom-ref", ref, "name", string_or(f->path, uri ? uri : "?"),
		      "scope", "required", "hashes", "alg", "SHA-256", "content", provenance_json_hex(d->sha256, 32));
	if (!c || !props || property(props, "kettle:role", role) || property(props, "kettle:uri", uri) ||
	    (tool && elf_properties(r, f, props)) || put(c, "properties", props)) {
		free(uri);
		json_decref(c);
		return NULL;
	}
	free(uri);
	return c;
}

/* A deterministic urn:uuid for the BOM: a UUID (version 8, RFC 9562) from the run's invocation id. */
static int serial_number(const char *id, char out[48])
{
	uint8_t d[STATEMENT_DIGEST_LEN];
	char h[33];

	if (sha256_bytes((const uint8_t *)id, strlen(id), d))
		return -1;
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x80);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	hex_encode(d, 16, h);
	snprintf(out, 48, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
	return 0;
}

/*
 * Inputs (sources, toolchain) and what the build wrote and left (outputs, and
 * intermediates that later steps read), in the log's order of files; the
 * build depends on the one and makes the other.
 */
static int components(const struct replay *r, json_t *list, json_t *inputs, json_t *outputs)
{
	for (uint32_t i = 0; i < r->nfiles; i++) {
		const struct replay_file *f = &r->files[i];
		const struct log_digest *d = NULL;
		const char *role = NULL;
		json_t *c;

		if (f->role == ROLE_SOURCE && (d = replay_digest_usable(r, f->input)))
			role = "input";
		else if (f->role == ROLE_EXECUTABLE && ((d = replay_digest_usable(r, f->exec)) ||
						       (d = replay_digest_usable(r, f->input))))
			role = "toolchain";
		else if ((f->role == ROLE_OUTPUT || f->role == ROLE_INTERMEDIATE) &&
			 (d = replay_digest_usable(r, f->output)))
			role = f->role == ROLE_OUTPUT ? "output" : "intermediate";
		if (!role)
			continue;
		c = component(r, i, d, role);
		if (!c || json_array_append(f->role == ROLE_SOURCE || f->role == ROLE_EXECUTABLE ? inputs : outputs,
					    json_object_get(c, "bom-ref")) ||
		    json_array_append_new(list, c))
			return -1;
	}
	return 0;
}

json_t *export_cyclonedx(const struct replay *r)
{
	const struct log_header *h = &r->log->header;
	json_t *list = json_array(), *inputs = json_array(), *outputs = json_array(), *deps;
	char serial[48], idbuf[256];
	const char *id = provenance_invocation_id(h, idbuf, sizeof(idbuf));

	if (!list || !inputs || !outputs || serial_number(id, serial) || components(r, list, inputs, outputs)) {
		json_decref(list);
		json_decref(inputs);
		json_decref(outputs);
		return NULL;
	}
	deps = json_pack("[{s:s, s:o}]", "ref", "build", "dependsOn", inputs);
	for (size_t i = 0; deps && i < json_array_size(outputs); i++)
		if (json_array_append_new(deps, json_pack("{s:O, s:[s]}", "ref", json_array_get(outputs, i),
							  "dependsOn", "build")))
			deps = (json_decref(deps), NULL);
	json_decref(outputs);
	return json_pack("{s:s, s:s, s:s, s:i, s:{s:o, s:[{s:s}], s:{s:[{s:s, s:s, s:o}]}, s:{s:s, s:s, s:o, s:[{s:s, s:o}]}},"
			 " s:o, s:o}",
			 "bomFormat", "CycloneDX", "specVersion", "1.6", "serialNumber", serial, "version", 1,
			 "metadata", "timestamp", provenance_json_time(h->start_wall_ns), "lifecycles", "phase", "build",
			 "tools", "components", "type", "application", "name", "kettle",
			 "version", string_or(h->kettle_version, "?"),
			 "component", "type", "application", "bom-ref", "build",
			 "name", string_or(h->ncommand ? h->command[0] : NULL, "build"),
			 "properties", "name", "kettle:invocation", "value", string_or(id, "?"),
			 "components", list, "dependencies", deps);
}
