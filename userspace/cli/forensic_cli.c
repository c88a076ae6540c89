// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_err.h"
#include "cli/forensic_cli.h"

#define ERRLEN 512

static int open_log(const char *cmd, const char *log_path, bool keep_events,
		    const struct replay_access_hook *hook, struct forensic_log *fl)
{
	char err[ERRLEN] = "";
	struct replay_stream *s;
	struct log_event_sink sink;

	memset(fl, 0, sizeof(*fl));
	s = keep_events ? NULL : hook ? replay_stream_new_hooked(&fl->model, &fl->log, hook) :
	    replay_stream_new(&fl->model, &fl->log);
	if (s)
		sink = replay_stream_sink(s);
	if (!keep_events && !s) {
		cli_err(cmd, "%s: out of memory", log_path);
		return -1;
	}
	if (log_read_file_to(log_path, &fl->log, s ? &sink : NULL, err, sizeof(err))) {
		cli_err(cmd, "%s: %s", log_path, err);
		replay_stream_abort(s);
		return -1;
	}
	if (fl->log.truncated)
		cli_err(cmd, "%s: warning: the log is cut short (%" PRIu64 " of %" PRIu64
			" bytes readable, no trailer): the answers cover what it holds", log_path,
			fl->log.valid_bytes, fl->log.content_bytes);
	if (s ? replay_stream_finish(s, err, sizeof(err)) :
		replay_build(&fl->model, &fl->log, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	cli_err(cmd, "%s: %s", log_path, err);
	log_file_free(&fl->log);
	return -1;
}

int forensic_open(const char *cmd, const char *log_path, struct forensic_log *fl)
{
	return open_log(cmd, log_path, false, NULL, fl);
}

int forensic_open_hooked(const char *cmd, const char *log_path, const struct replay_access_hook *hook,
			 struct forensic_log *fl)
{
	return open_log(cmd, log_path, false, hook, fl);
}

int forensic_open_with_events(const char *cmd, const char *log_path, struct forensic_log *fl)
{
	return open_log(cmd, log_path, true, NULL, fl);
}

void forensic_close(struct forensic_log *fl)
{
	replay_free(&fl->model);
	log_file_free(&fl->log);
}

int forensic_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}
