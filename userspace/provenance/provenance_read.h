/* SPDX-License-Identifier: MIT */
/*
 * A build log read for its provenance in one pass that keeps memory to the
 * build's paths and processes, not its events: the file accesses (opens,
 * renames, unlinks... the bulk of a build's events) are folded into the
 * per-path facts as they are read (log/log_files.h), and only the events the
 * rest of the statement looks at are kept: processes, exits, network calls,
 * notices, and the few opens that completeness, the network summary and the
 * remote jobs name.
 */
#ifndef KETTLE_PROVENANCE_READ_H
#define KETTLE_PROVENANCE_READ_H

#include "log/log_files.h"
#include "log/log_reader.h"

struct provenance_log {
	struct log_file log;    /* ->events: only the kept events, in log order; ->nevents counts them */
	struct files fs;        /* every event's file facts (first process of each path only) */
};

/* Reads PATH. 0, or -1 with a one-line ERR (the reader's, or "out of memory"). */
int provenance_log_read(const char *path, struct provenance_log *pl, char *err, size_t errlen);
void provenance_log_free(struct provenance_log *pl);

#endif
