// SPDX-License-Identifier: MIT
/* Facts of one process or file of a replayed build, as text and JSON. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "forensics/forensic_facts.h"
#include "log/show_fmt.h"

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
		hex_encode(d->sha256, sizeof(d->sha256), hex);
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
		hex_encode(d->sha256, sizeof(d->sha256), hex);
	return json_pack("{s:o, s:s, s:o, s:o}", "path", show_json_name(f->path),
			 "role", forensic_file_role(r, file),
			 "sha256", d ? json_string(hex) : json_null(),
			 "build_id", show_json_name(build_id));
}
