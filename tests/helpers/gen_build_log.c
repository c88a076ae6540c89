// SPDX-License-Identifier: MIT
/*
 * Writes a synthetic build log of N events with the log writer, for
 * tools/bench/provenance: compilers forked and exec'd, each opening ~150 of
 * 5,000 headers through 4 include directories (ENOENT probes first), its
 * source, and its object file; one input digest per header and source, one
 * exec digest and identity for the compiler, one output digest per object.
 *   gen_build_log OUT N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_writer.h"

#define HEADERS 5000
#define INCDIRS 4

struct gen {
	struct log_writer *w;
	uint64_t ts, events, n;
	uint64_t rng;
	int bad;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return (uint32_t)(g->rng % n);
}

static void event(struct gen *g, struct log_event e)
{
	e.ts_ns = g->ts += 1000 + rnd(g, 20000);
	e.tid = e.tgid;
	if (log_write_event(g->w, &e))
		g->bad = 1;
	g->events++;
}

static void open_ev(struct gen *g, uint32_t pid, const char *path, uint64_t flags, int32_t result, uint64_t ino)
{
	struct log_event e = { .type = LOG_EV_OPEN, .tgid = pid };

	e.open = (typeof(e.open)){ .path = path, .result = result, .call = 2, .flags = flags };
	if (result >= 0) {
		e.open.dev = 0x803;
		e.open.ino = ino;
		e.open.size = 1000 + ino % 5000;
		e.open.mtime_ns = e.open.ctime_ns = 1600000000000000000ll;
	}
	event(g, e);
}

static void digest(struct gen *g, enum log_digest_kind kind, const char *path, uint64_t seed)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = g->ts + 5 };

	for (int i = 0; i < 32; i++)
		d.sha256[i] = (uint8_t)(seed >> (i % 8 * 8)) ^ (uint8_t)i;
	if (log_write_digest(g->w, &d))
		g->bad = 1;
}

static void unit(struct gen *g, uint32_t pid, unsigned u, bool *seen)
{
	static const char *const argv_fmt[] = { "cc", "-O2", "-Iinclude", "-c", NULL, "-o", NULL };
	char src[64], obj[64], path[96];
	const char *argv[7];
	struct log_event e = { .type = LOG_EV_FORK, .tgid = 1000 };

	snprintf(src, sizeof(src), "/bench/src/unit%u.c", u);
	snprintf(obj, sizeof(obj), "/bench/src/unit%u.o", u);
	memcpy(argv, argv_fmt, sizeof(argv));
	argv[4] = src;
	argv[6] = obj;
	e.fork.child_tgid = pid;
	event(g, e);
	e = (struct log_event){ .type = LOG_EV_EXEC, .tgid = pid };
	e.exec = (typeof(e.exec)){ .exe = "/usr/bin/cc", .filename = "cc", .cwd = "/bench/src", .ppid = 1000,
				   .argc = 7, .nargv = 7, .argv = argv };
	event(g, e);
	open_ev(g, pid, src, O_RDONLY, 3, 100000 + u);
	digest(g, LOG_DIGEST_INPUT, src, u);
	for (int i = 0; i < 150 && g->events < g->n; i++) {
		uint32_t h = rnd(g, HEADERS), dir = h % INCDIRS;

		for (uint32_t d = 0; d < dir; d++) {
			snprintf(path, sizeof(path), "/usr/include/d%u/h%u.h", d, h);
			open_ev(g, pid, path, O_RDONLY, -ENOENT, 0);
		}
		snprintf(path, sizeof(path), "/usr/include/d%u/h%u.h", dir, h);
		open_ev(g, pid, path, O_RDONLY, 4, h + 1);
		if (!seen[h]) {
			seen[h] = true;
			digest(g, LOG_DIGEST_INPUT, path, h);
		}
	}
	open_ev(g, pid, obj, O_WRONLY | O_CREAT | O_TRUNC, 5, 200000 + u);
	e = (struct log_event){ .type = LOG_EV_EXIT, .tgid = pid };
	event(g, e);
}

int main(int argc, char **argv)
{
	static const char *const cmd[] = { "make", "-j2" };
	struct log_header h = { .kettle_version = "bench", .host = "bench", .kernel_release = "6.1",
				.boot_id = "bench", .start_wall_ns = 1700000000000000000ull,
				.start_boot_ns = 1000000000ull, .root_pid = 1000, .command = cmd, .ncommand = 2,
				.cwd = "/bench/src" };
	struct log_exec_ident x = { .path = "/usr/bin/cc", .kind = LOG_FILE_ELF_PIE, .elf_class = 64,
				    .elf_machine = 62, .build_id = "0123456789abcdef" };
	struct log_trailer t = { 0 };
	struct gen g = { .rng = 0x9e3779b97f4a7c15ull };
	bool seen[HEADERS] = { 0 };
	char err[512], obj[64];
	unsigned units = 0;

	if (argc != 3 || (g.n = strtoull(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gen_build_log OUT NEVENTS\n");
		return 2;
	}
	g.ts = h.start_boot_ns;
	g.w = log_writer_open(argv[1], &h, err, sizeof(err));
	if (!g.w) {
		fprintf(stderr, "gen_build_log: %s\n", err);
		return 1;
	}
	while (g.events + 2 < g.n) {
		unit(&g, 2000 + units, units, seen);
		if (units++ == 0) {
			digest(&g, LOG_DIGEST_EXEC, "/usr/bin/cc", 42);
			if (log_write_exec_ident(g.w, &x))
				g.bad = 1;
		}
	}
	for (unsigned u = 0; u < units; u++) {
		snprintf(obj, sizeof(obj), "/bench/src/unit%u.o", u);
		digest(&g, LOG_DIGEST_OUTPUT, obj, 7 * u + 1);
	}
	t.end_boot_ns = g.ts + 1000;
	t.end_wall_ns = h.start_wall_ns + (g.ts - h.start_boot_ns);
	t.hash.queued = t.hash.hashed = units * 2 + 5001;
	if (log_write_trailer(g.w, &t) || log_writer_close(g.w) || g.bad) {
		fprintf(stderr, "gen_build_log: writing %s failed\n", argv[1]);
		return 1;
	}
	printf("%llu events, %u compile units\n", (unsigned long long)g.events, units);
	return 0;
}
