/* SPDX-License-Identifier: MIT */
/* What the forensic commands (why, who, replay, diff, export, report) share on the command line. */
#ifndef KETTLE_FORENSIC_CLI_H
#define KETTLE_FORENSIC_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "replay.h"

/* A log read and replayed, for one command. */
struct forensic_log {
	struct log_file log;
	struct replay model;
};

/*
 * Reads LOG_PATH and builds its replay model as it reads: fl->log.events is
 * NULL (fl->log.nevents counts them).  Errors and the warning for a truncated
 * log go to stderr prefixed with "kettle CMD: LOG_PATH: ".  0 or -1.
 */
int forensic_open(const char *cmd, const char *log_path, struct forensic_log *fl);
/* The same, keeping fl->log.events too (replay finds a moment among them, report sums up the network). */
int forensic_open_with_events(const char *cmd, const char *log_path, struct forensic_log *fl);
void forensic_close(struct forensic_log *fl);

/* Whether ARG asks for help (-h, --help). */
int forensic_is_help(const char *arg);

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
