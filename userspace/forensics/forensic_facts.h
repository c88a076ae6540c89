/* SPDX-License-Identifier: MIT */
/* Facts of one process or file of a replayed build, as text and JSON, shared by the forensic views and the HTML report. */
#ifndef KETTLE_FORENSIC_FACTS_H
#define KETTLE_FORENSIC_FACTS_H

#include <stdio.h>

#include <jansson.h>

#include "forensics/replay.h"

/* Text label of a file's role in the build: source, output, intermediate, temporary, executable. */
const char *forensic_file_role(const struct replay *r, uint32_t file);
/* Prints " sha256:<16 hex>" or " build-id:<hex>" facts of FILE, nothing when there are none. */
void forensic_print_file_facts(FILE *out, const struct replay *r, uint32_t file);
/* Prints the argv of a process's exec, cut at LIMIT bytes with " ..." (the full words are in --json). */
void forensic_print_command(FILE *out, const struct replay *r, uint32_t proc, size_t limit);
/* A process as JSON: {pid, exe, argv, cwd, start_ns, end_ns, exit}. */
json_t *forensic_proc_json(const struct replay *r, uint32_t proc);
/* A file as JSON: {path, role, sha256, build_id}. */
json_t *forensic_file_json(const struct replay *r, uint32_t file);

#endif
