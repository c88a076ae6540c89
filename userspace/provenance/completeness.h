/* SPDX-License-Identifier: MIT */
/*
 * Why a record cannot be called complete, as named reasons: what a tracked
 * process did that Kettle could not record in full or that can defeat the
 * tracer (the notices of the log, and opens of files that move processes out
 * of scope or reach other processes' memory).  docs/threat-model.md lists
 * every reason, how it is detected and the test that shows it.
 */
#ifndef KETTLE_COMPLETENESS_H
#define KETTLE_COMPLETENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log/log_reader.h"

/* Reasons kept in full; past this only their count grows. */
#define COMPLETENESS_REASONS_KEPT 64

/*
 * Appends to REASONS (a JSON array) one object per reason found in F's
 * events: {"reason": code, "pid": N, "exe": path|null, "path": path (when a
 * file is involved), "detail": text}.  Returns how many were found (also
 * those past COMPLETENESS_REASONS_KEPT), or -ENOMEM.
 */
long completeness_reasons(const struct log_file *f, json_t *reasons);

/*
 * Whether completeness_reasons() looks at open event EV: F's opens may be
 * left out of its events except these (the other event types are all needed).
 */
bool completeness_uses_open(const struct log_event *ev);

/* Appends one reason with REASON code, PATH (may be NULL) and DETAIL to REASONS, unless it is full; -ENOMEM. */
int completeness_reason_add(json_t *reasons, const char *reason, uint32_t pid, const char *exe,
			    const char *path, const char *detail);

/* One line for people: "REASON: DETAIL (PATH; pid N, EXE)" into OUT. */
void completeness_reason_line(const json_t *reason, char *out, size_t outlen);

#endif
