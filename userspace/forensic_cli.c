// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "forensic_cli.h"
#include "show_fmt.h"

#define ERRLEN 512

static int open_log(const char *cmd, const char *log_path, bool keep_events, struct forensic_log *fl)
{
	char err[ERRLEN] = "";
	struct replay_stream *s;
	struct log_event_sink sink;

	memset(fl, 0, sizeof(*fl));
	s = keep_events ? NULL : replay_stream_new(&fl->model, &fl->log);
	if (s)
		sink = replay_stream_sink(s);
	if (!keep_events && !s) {
		fprintf(stderr, "kettle %s: %s: out of memory\n", cmd, log_path);
		return -1;
	}
	if (log_read_file_to(log_path, &fl->log, s ? &sink : NULL, err, sizeof(err))) {
		fprintf(stderr, "kettle %s: %s: %s\n", cmd, log_path, err);
		replay_stream_abort(s);
		return -1;
	}
	if (fl->log.truncated)
		fprintf(stderr, "kettle %s: %s: warning: the log is cut short (%" PRIu64 " of %" PRIu64
			" bytes readable, no trailer): the answers cover what it holds\n", cmd,
			log_path, fl->log.valid_bytes, fl->log.file_bytes);
	if (s ? replay_stream_finish(s, err, sizeof(err)) :
		replay_build(&fl->model, &fl->log, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "kettle %s: %s: %s\n", cmd, log_path, err);
	log_file_free(&fl->log);
	return -1;
}

int forensic_open(const char *cmd, const char *log_path, struct forensic_log *fl)
{
	return open_log(cmd, log_path, false, fl);
}

int forensic_open_with_events(const char *cmd, const char *log_path, struct forensic_log *fl)
{
	return open_log(cmd, log_path, true, fl);
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

const char *forensic_file_role(const struct replay *r, uint32_t file)
{
	return replay_role_name(r->files[file].role);
}

void forensic_print_file_facts(FILE *out, const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];
	const struct log_digest *d = replay_file_digest(r, file);
	char hex[65];

	if (d) {
		show_sha256_hex(d->sha256, hex);
		fprintf(out, " sha256:%.16s", hex);
	}
	if (f->exec_ident != REPLAY_NONE && r->log->exec_idents[f->exec_ident].build_id)
		fprintf(out, " build-id:%s", r->log->exec_idents[f->exec_ident].build_id);
}

void forensic_print_command(FILE *out, const struct replay *r, uint32_t proc, size_t limit)
{
	const struct replay_exec *e = replay_proc_exec(r, proc);
	const char *const *argv = e ? e->argv : r->log->header.command;
	uint32_t n = e ? e->nargv : (proc == r->root ? r->log->header.ncommand : 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	if (!n) {
		show_word(out, replay_proc_exe(r, proc));
		return;
	}
	mem = open_memstream(&buf, &len);
	if (!mem) {
		show_argv(out, argv, n);
		return;
	}
	/* words past the limit are not shown: stop formatting there (kernel build commands run to kilobytes) */
	for (uint32_t i = 0; i < n && len <= limit; i++) {
		if (i)
			fputc(' ', mem);
		show_word(mem, argv[i]);
		if (fflush(mem))
			break;
	}
	if (fclose(mem)) {
		free(buf);
		show_argv(out, argv, n);
		return;
	}
	if (len > limit)
		fprintf(out, "%.*s ...", (int)limit, buf);
	else
		fputs(buf, out);
	free(buf);
}

static json_t *argv_json(const char *const *argv, uint32_t n)
{
	json_t *a = json_array();

	for (uint32_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, show_json_name(argv[i])))
			json_decref(a), a = NULL;
	return a;
}

json_t *forensic_proc_json(const struct replay *r, uint32_t proc)
{
	const struct replay_proc *p = &r->procs[proc];
	const struct replay_exec *e = replay_proc_exec(r, proc);
	const char *const *argv = e ? e->argv : r->log->header.command;
	uint32_t n = e ? e->nargv : (proc == r->root ? r->log->header.ncommand : 0);

	return json_pack("{s:I, s:o, s:o, s:o, s:I, s:I, s:o}", "pid", (json_int_t)p->pid,
			 "exe", show_json_name(replay_proc_exe(r, proc)), "argv", argv_json(argv, n),
			 "cwd", show_json_name(e ? e->cwd : r->log->header.cwd),
			 "start_ns", (json_int_t)(int64_t)(p->start_ns - r->start_ns),
			 "end_ns", (json_int_t)(int64_t)(p->end_ns - r->start_ns),
			 "exit_status", p->exited ? json_integer(p->status) : json_null());
}

json_t *forensic_file_json(const struct replay *r, uint32_t file)
{
	const struct replay_file *f = &r->files[file];
	const struct log_digest *d = replay_file_digest(r, file);
	const char *build_id = f->exec_ident != REPLAY_NONE ?
			       r->log->exec_idents[f->exec_ident].build_id : NULL;
	char hex[65];

	if (d)
		show_sha256_hex(d->sha256, hex);
	return json_pack("{s:o, s:s, s:o, s:o}", "path", show_json_name(f->path),
			 "role", forensic_file_role(r, file),
			 "sha256", d ? json_string(hex) : json_null(),
			 "build_id", show_json_name(build_id));
}
