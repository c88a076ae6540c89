/* SPDX-License-Identifier: MIT */
/*
 * How `kettle log show` and `kettle log files` print what the kernel module
 * measured at exec (kmod-exec records, docs/log-format.md "Kernel measurements").
 */
#ifndef KETTLE_KMOD_SHOW_H
#define KETTLE_KMOD_SHOW_H

#include <stdio.h>

#include <jansson.h>

#include "log/log_event.h"

/* "kernel-exec:HEX" or "kernel-exec:-ENAME", with " (cache hit)" / " (interpreter)". */
void kmod_show_digest(FILE *out, const struct log_kmod_exec *k);
/* The timeline's details of one record: path, digest, bytes hashed, identity. */
void kmod_show_details(FILE *out, const struct log_kmod_exec *k);
/* Every field of one record as JSON (kettle log show --json: "type": "kmod_exec"). */
json_t *kmod_show_json(const struct log_kmod_exec *k);
/* The digest part only, for kettle log files --json: {sha256, result, error, cache_hit, interp, boot_ns, pid}. */
json_t *kmod_show_json_digest(const struct log_kmod_exec *k);

#endif
