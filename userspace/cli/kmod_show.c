// SPDX-License-Identifier: MIT
/* How log show and log files print the kernel module's exec measurements. */
#include <inttypes.h>
#include <string.h>

#include "cli/kmod_show.h"
#include "common/hex.h"
#include "log/show_fmt.h"

static void show_result(FILE *out, const struct log_kmod_exec *k)
{
	char h[65];
	const char *name = k->result ? strerrorname_np(-k->result) : NULL;

	if (!k->result) {
		hex_encode(k->sha256, sizeof(k->sha256), h);
		fputs(h, out);
	} else if (name) {
		fprintf(out, "-%s", name);
	} else {
		fprintf(out, "%" PRId32, k->result);
	}
}

void kmod_show_digest(FILE *out, const struct log_kmod_exec *k)
{
	fputs("kernel-exec:", out);
	show_result(out, k);
	if (k->flags & LOG_KMOD_CACHE_HIT)
		fputs(" (cache hit)", out);
	if (k->flags & LOG_KMOD_INTERP)
		fputs(" (interpreter)", out);
}

void kmod_show_details(FILE *out, const struct log_kmod_exec *k)
{
	if (k->path)
		show_word(out, k->path);
	else
		fputs("(no path)", out);
	fputs(" sha256 ", out);
	show_result(out, k);
	if (k->flags & LOG_KMOD_CACHE_HIT)
		fputs(" (cache hit)", out);
	else
		fprintf(out, " (%" PRIu64 " bytes hashed)", k->bytes_hashed);
	if (k->flags & LOG_KMOD_INTERP)
		fputs(" interpreter", out);
	fprintf(out, " size %" PRId64 " ino %" PRIu64, k->size, k->ino);
}

static json_t *json_result(const struct log_kmod_exec *k)
{
	char h[65];
	const char *name = k->result ? strerrorname_np(-k->result) : NULL;

	hex_encode(k->sha256, sizeof(k->sha256), h);
	return json_pack("{s:o, s:i, s:o}", "sha256", k->result ? json_null() : json_string(h),
			 "result", k->result, "error", name ? json_string(name) : json_null());
}

json_t *kmod_show_json_digest(const struct log_kmod_exec *k)
{
	json_t *o = json_result(k);

	if (o && json_object_update_new(o, json_pack("{s:b, s:b, s:o, s:I}",
			"cache_hit", (k->flags & LOG_KMOD_CACHE_HIT) != 0, "interp", (k->flags & LOG_KMOD_INTERP) != 0,
			"boot_ns", show_json_u64(k->ts_ns), "pid", (json_int_t)k->tgid))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *kmod_show_json(const struct log_kmod_exec *k)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:o}", "type", "kmod_exec",
			      "ts_ns", show_json_u64(k->ts_ns), "tgid", (json_int_t)k->tgid, "tid", (json_int_t)k->tid,
			      "uid", (json_int_t)k->uid, "gid", (json_int_t)k->gid,
			      "cgroup_id", show_json_u64(k->cgroup_id), "path", show_json_name(k->path));

	if (o && json_object_update_new(o, json_result(k)))
		goto fail;
	if (o && json_object_update_new(o, json_pack("{s:I, s:b, s:b, s:b, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
			"flags", (json_int_t)k->flags, "cache_hit", (k->flags & LOG_KMOD_CACHE_HIT) != 0,
			"interp", (k->flags & LOG_KMOD_INTERP) != 0,
			"has_i_version", (k->flags & LOG_KMOD_HAS_IVERSION) != 0,
			"bytes_hashed", show_json_u64(k->bytes_hashed), "dev", show_json_u64(k->dev),
			"ino", show_json_u64(k->ino), "generation", (json_int_t)k->generation,
			"size", json_integer(k->size), "mtime_ns", json_integer(k->mtime_ns),
			"ctime_ns", json_integer(k->ctime_ns), "i_version", show_json_u64(k->i_version))))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
