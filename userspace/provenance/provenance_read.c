// SPDX-License-Identifier: MIT
/* A log read for its provenance, file accesses folded as they come (see provenance_read.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "log/net_summary.h"
#include "provenance/completeness.h"
#include "provenance/provenance_read.h"
#include "provenance/remote_jobs.h"

/* Whether a part of the statement other than the file facts reads EV. */
static bool statement_reads(const struct log_event *ev)
{
	switch (ev->type) {
	case LOG_EV_FILE_OP:
	case LOG_EV_EXEC_FAILED:
		return false;
	case LOG_EV_OPEN:
		return completeness_uses_open(ev) || net_summary_uses_open(ev) || remote_jobs_uses_open(ev);
	default:
		return true;
	}
}

/* What the read gathers beside the reader's log_file F. */
struct fold {
	const struct log_file *f;
	struct files fs;
	struct log_event *events;
	size_t n, cap;
};

static int fold_event(void *arg, const struct log_event *ev, char *err, size_t errlen)
{
	struct fold *fd = arg;
	bool keep = statement_reads(ev);

	if (files_event(&fd->fs, ev, fd->f->header.start_wall_ns) ||
	    (keep && grow_array((void **)&fd->events, &fd->cap, fd->n + 1, sizeof(*fd->events), 256))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (keep)
		fd->events[fd->n++] = *ev;      /* its strings live as long as the log_file */
	return 0;
}

int provenance_log_read(const char *path, struct provenance_log *pl, char *err, size_t errlen)
{
	struct fold fd = { .f = &pl->log, .fs.first_pid_only = true };
	struct log_event_sink sink = { fold_event, &fd, false };

	memset(pl, 0, sizeof(*pl));
	if (log_read_file_to(path, &pl->log, &sink, err, errlen)) {
		free(fd.events);
		files_free(&fd.fs);
		return -1;
	}
	/* the reader counted every event and kept none: ->events becomes the kept ones, the log_file owns them */
	pl->log.events = fd.events;
	pl->log.nevents = fd.n;
	pl->fs = fd.fs;
	if (files_finish(&pl->fs, &pl->log)) {
		provenance_log_free(pl);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void provenance_log_free(struct provenance_log *pl)
{
	files_free(&pl->fs);
	log_file_free(&pl->log);
	memset(pl, 0, sizeof(*pl));
}
