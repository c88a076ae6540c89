/* SPDX-License-Identifier: MIT */
/* What the integration tests share: running kettle on a command and loading its log. */
#ifndef KETTLE_KETTLE_TEST_H
#define KETTLE_KETTLE_TEST_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/stat.h>
#include <zstd.h>

#include "log/log_format.h"   /* LOG_ZSTD_MAGIC */
#include "log/log_reader.h"
#include "testlib.h"

/* Runs a shell command made like printf; its exit status, or -1. */
__attribute__((format(printf, 1, 2)))
static inline int test_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Returns TEST_PASS when real BPF programs can be loaded here, or a skip with the reason. */
static inline int bpf_usable(void)
{
	if (geteuid() != 0)
		return test_skip("needs root to load BPF programs");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return test_skip("kernel has no BTF (/sys/kernel/btf/vmlinux)");
	return TEST_PASS;
}

static inline void test_path(char *buf, size_t len, const char *kind, const char *name)
{
	char *abs = realpath(test_build_dir(), NULL);

	snprintf(buf, len, "%s/%s/%s", abs ? abs : test_build_dir(), kind, name);
	free(abs);
}

/* A fresh scratch directory for one test. */
static inline void test_tmpdir(char *buf, size_t len, const char *name)
{
	char cmd[600];

	snprintf(buf, len, "/tmp/kettle-test-%d-%s", (int)getpid(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", buf, buf);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot make %s\n", buf);
}

/* A fresh directory for one test, and the path of the build log in it. */
static inline void test_workdir(const char *name, char dir[256], char log[300])
{
	test_tmpdir(dir, 256, name);
	snprintf(log, 300, "%s/build.cbor", dir);
}

/* Creates an empty file; 0 or -1. */
static inline int touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	return fd < 0 ? -1 : close(fd);
}

/*
 * Starts `kettle run --no-progress -o LOG OPTS... -- CMD...` in directory DIR
 * (NULL: this one); stdout goes to OUT_PATH when given, and stderr too when
 * ERR_TOO.  Returns the pid (the caller waits) or -1.
 */
static inline pid_t kettle_start_in(const char *dir, const char *log, const char *const opts[],
				    const char *const cmd[], const char *out_path, bool err_too)
{
	const char *argv[64];
	char kettle[512];
	int n = 0;
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	argv[n++] = kettle;
	argv[n++] = "run";
	argv[n++] = "--no-progress";
	argv[n++] = "-o";
	argv[n++] = log;
	for (int i = 0; opts && opts[i] && n < 40; i++)
		argv[n++] = opts[i];
	argv[n++] = "--";
	for (int i = 0; cmd[i] && n < 63; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		if (out_path) {
			int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || (err_too && dup2(fd, STDERR_FILENO) < 0))
				_exit(125);
		}
		if (dir && chdir(dir))
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(125);
	}
	return pid;
}

/* kettle_start_in() here, stderr left as it is. */
static inline pid_t kettle_start(const char *log, const char *const opts[], const char *const cmd[],
				 const char *out_path)
{
	return kettle_start_in(NULL, log, opts, cmd, out_path, false);
}

/* Runs `kettle ARGS...`; stdout and stderr land in the files OUT and ERR. Returns the exit code (-1: did not exit). */
static inline int kettle_cli(const char *const args[], const char *out, const char *err)
{
	const char *argv[64];
	char kettle[512];
	int status, n = 1;
	pid_t pid;

	test_path(kettle, sizeof(kettle), "", "kettle");
	argv[0] = kettle;
	for (int i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(125);
		execv(kettle, (char *const *)argv);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Lines in the file PATH (0 when it cannot be read). */
static inline size_t file_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Whether the first 4 KiB of the file PATH (a command's stdout or stderr) hold S; false when it cannot be read. */
static inline bool file_holds(const char *path, const char *s)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, s) != NULL;
}

/* Runs kettle to the end; returns its exit code (or 256 + signal). */
static inline int kettle_run(const char *log, const char *const opts[], const char *const cmd[],
			     const char *out_path)
{
	int status;
	pid_t pid = kettle_start(log, opts, cmd, out_path);

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

/*
 * The CBOR of the log at PATH (malloc'd, *LEN bytes), decompressed when kettle
 * wrote it with zstd (its default): what a test searching the log's bytes for
 * a value that must not be recorded has to search.  NULL when unreadable.
 */
static inline uint8_t *log_cbor_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t in[65536], *out = NULL;
	size_t cap = 0, n;
	ZSTD_DStream *z = NULL;
	bool first = true, ok = f != NULL;

	*len = 0;
	while (ok && (n = fread(in, 1, sizeof(in), f)) > 0) {
		ZSTD_inBuffer zin = { in, n, 0 };

		if (first && (z = n >= 4 && !memcmp(in, LOG_ZSTD_MAGIC, 4) ? ZSTD_createDStream() : NULL))
			ok = !ZSTD_isError(ZSTD_initDStream(z));
		first = false;
		while (ok && zin.pos < zin.size) {
			size_t want = z ? ZSTD_DStreamOutSize() : zin.size;
			uint8_t *bigger = *len + want > cap ? realloc(out, cap = 2 * (*len + want)) : out;

			ok = bigger != NULL;
			if (!ok)
				break;
			out = bigger;
			if (z) {
				ZSTD_outBuffer zout = { out + *len, want, 0 };

				ok = !ZSTD_isError(ZSTD_decompressStream(z, &zout, &zin));
				*len += zout.pos;
			} else {
				memcpy(out + *len, in, zin.size);
				*len += zin.size;
				zin.pos = zin.size;
			}
		}
	}
	if (f)
		fclose(f);
	ZSTD_freeDStream(z);
	if (!ok) {
		free(out);
		return NULL;
	}
	return out ? out : calloc(1, 1);
}

static inline int log_load(const char *log, struct log_file *f)
{
	char err[512];

	if (log_read_file(log, f, err, sizeof(err))) {
		fprintf(stderr, "  reading %s: %s\n", log, err);
		return -1;
	}
	return 0;
}

/* The first exec event whose exe is EXE (NULL: none). */
static inline const struct log_event *find_exec(const struct log_file *f, const char *exe)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXEC && !strcmp(f->events[i].exec.exe, exe))
			return &f->events[i];
	return NULL;
}

static inline size_t count_opens(const struct log_file *f, const char *path, uint32_t tgid)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];

		if (e->type == LOG_EV_OPEN && !strcmp(e->open.path, path) && (!tgid || e->tgid == tgid))
			n++;
	}
	return n;
}

static inline const struct log_event *find_open(const struct log_file *f, const char *path)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_OPEN && !strcmp(f->events[i].open.path, path))
			return &f->events[i];
	return NULL;
}

static inline const struct log_event *find_exit(const struct log_file *f, uint32_t tgid)
{
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXIT && f->events[i].tgid == tgid)
			return &f->events[i];
	return NULL;
}

#endif
