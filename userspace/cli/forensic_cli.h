/* SPDX-License-Identifier: MIT */
/* Opening a log for the forensic commands (why, who, replay, diff, export, report): read, replay, say what went wrong. */
#ifndef KETTLE_FORENSIC_CLI_H
#define KETTLE_FORENSIC_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "forensics/replay.h"

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
/* The same, with the accesses handed to HOOK instead of kept (replay_stream_new_hooked). */
int forensic_open_hooked(const char *cmd, const char *log_path, const struct replay_access_hook *hook,
			 struct forensic_log *fl);
/* The same, keeping fl->log.events too (replay finds a moment among them, report sums up the network). */
int forensic_open_with_events(const char *cmd, const char *log_path, struct forensic_log *fl);
void forensic_close(struct forensic_log *fl);

/* Whether ARG asks for help (-h, --help). */
int forensic_is_help(const char *arg);

#endif
