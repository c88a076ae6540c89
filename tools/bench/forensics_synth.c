// SPDX-License-Identifier: MIT
/*
 * Writes a synthetic build log shaped like a kernel build, with the real log
 * writer: make runs UNITS compile steps (sh -c "gcc ..." -> gcc -> cc1 and as),
 * each cc1 reads its source and ~300 of HEADERS headers with ENOENT probes
 * through include directories, writes a temporary .s that as turns into an
 * object; a final ld reads every object and writes vmlinux.  Digests for
 * every input, executable and output, as kettle run records them.
 *
 *   forensics_synth OUT.cbor [--changed-header N] [--units N] [--seed S] [--headers N] [--writer-budget MIB]
 *
 * --writer-budget MIB: the log writer's table budget (its default is what
 * kettle run uses; a bigger one shows the log a writer that never forgets
 * would write).
 *
 * --headers N sets the pool of headers (default 5000); tools/bench/scale
 * grows it with the units, as a monorepo's distinct paths grow with its size.
 *
 * --seed S (tools/bench/index: many builds of one tree) starts the build S
 * hours later, changes every tenth source and so every object and vmlinux:
 * another log, sharing its headers, programs and most sources with the others.
 * --changed-header N gives header N another digest, and every object whose
 * compile read it (and vmlinux) another digest too: the second log of a diff.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_writer.h"

#define HEADERS_DEFAULT 5000
#define COMMON 120              /* headers every unit includes */
#define PER_UNIT 180            /* more, picked at random */
#define INCDIRS 3
/* inode numbers, one range per kind of file, wide enough for a million units or headers */
#define INO_HEADER 10000000ull
#define INO_SRC 20000000ull
#define INO_OBJ 30000000ull
#define INO_TMP 40000000ull
#define INO_VMLINUX 50000000ull

static struct log_writer *w;
static uint64_t now = 1000000000ull;
static uint32_t next_pid = 2000;
static long nheaders = HEADERS_DEFAULT;
static char (*headers)[80];
static const char *const incdirs[INCDIRS] = { "/src/linux/arch/x86/include",
					      "/src/linux/include/uapi", "/src/linux/include" };

static void die(const char *what, int err)
{
	fprintf(stderr, "forensics_synth: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void put(struct log_event *e, uint32_t tgid)
{
	int r;

	now += 1500 + (uint64_t)(rand() % 2000);
	e->ts_ns = now;
	e->tgid = e->tid = tgid;
	r = log_write_event(w, e);
	if (r)
		die("event", r);
}

static uint32_t fork_child(uint32_t parent)
{
	struct log_event e = { .type = LOG_EV_FORK, .fork.child_tgid = next_pid++ };

	put(&e, parent);
	return e.fork.child_tgid;
}

static void exec_(uint32_t pid, uint32_t ppid, const char *exe, const char *const *argv, uint32_t n)
{
	struct log_event e = { .type = LOG_EV_EXEC };

	e.exec.exe = exe;
	e.exec.filename = argv[0];
	e.exec.cwd = "/src/linux";
	e.exec.ppid = ppid;
	e.exec.argc = e.exec.nargv = n;
	e.exec.argv = argv;
	put(&e, pid);
}

static void open_(uint32_t pid, const char *path, uint64_t flags, int32_t result, uint64_t ino)
{
	struct log_event e = { .type = LOG_EV_OPEN };

	e.open.path = path;
	e.open.flags = flags;
	e.open.result = result;
	e.open.call = 2;
	if (result >= 0) {
		e.open.dev = 0x803;
		e.open.ino = ino;
		e.open.size = 4096;
		e.open.mtime_ns = e.open.ctime_ns = 1600000000000000000ll;
	}
	put(&e, pid);
}

static void exit_(uint32_t pid)
{
	struct log_event e = { .type = LOG_EV_EXIT };

	put(&e, pid);
}

static void digest(enum log_digest_kind kind, const char *path, uint32_t a, uint32_t b, int32_t result)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = now, .result = result };
	int r;

	for (int i = 0; i < 32; i += 8) {
		memcpy(d.sha256 + i, &a, 4);
		memcpy(d.sha256 + i + 4, &b, 4);
	}
	r = log_write_digest(w, &d);
	if (r)
		die("digest", r);
}

static void exec_digest(const char *path, uint32_t seed)
{
	struct log_exec_ident x = { .path = path, .kind = LOG_FILE_ELF_PIE, .elf_class = 64,
				    .elf_machine = 62, .build_id = "4178c06f7ed4d0729fd9fa20d167096eb12df370" };
	int r;

	digest(LOG_DIGEST_EXEC, path, seed, 77, 0);
	r = log_write_exec_ident(w, &x);
	if (r)
		die("exec ident", r);
}

int main(int argc, char **argv)
{
	struct log_header h = { .root_pid = 1000, .start_boot_ns = now, .cwd = "/src/linux",
				.start_wall_ns = 1764000000000000000ull, .host = "synthetic",
				.kernel_release = "6.1.0", .kettle_version = "bench" };
	static const char *const cmd[] = { "make", "-j2", "vmlinux" };
	struct log_losses losses = { 0 };
	struct log_trailer t = { 0 };
	bool *header_digested, *unit_changed;
	long changed = -1, units = 2400, seed = 0, budget_mib = 0;
	struct log_writer_opts wo = { .compression = LOG_COMPRESSION_NONE };
	bool bad = false;
	char err[256], src[64], obj[64], tmp[64], shcmd[2048], cc1_out[64];
	int r;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--changed-header"))
			changed = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--units"))
			units = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--headers"))
			nheaders = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--writer-budget"))
			budget_mib = strtol(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--log-compression") && !strcmp(argv[i + 1], "zstd"))
			wo.compression = LOG_COMPRESSION_ZSTD;  /* as kettle run writes; none by default here */
		else if (!strcmp(argv[i], "--log-compression"))
			bad |= strcmp(argv[i + 1], "none") != 0;
		else if (!strcmp(argv[i], "--zstd-level"))
			wo.zstd_level = (int)strtol(argv[i + 1], NULL, 10);
	}
	if (argc < 2 || bad || units < 1 || units > 999999 || nheaders <= COMMON || nheaders > 9999999 ||
	    budget_mib < 0 || budget_mib > 1 << 20 || seed < 0 || seed > 1000000) {
		fprintf(stderr, "usage: forensics_synth OUT.cbor [--changed-header N] [--units N] [--seed S] [--headers N]"
			" [--writer-budget MIB] [--log-compression none|zstd] [--zstd-level 1..3]\n");
		return 2;
	}
	unit_changed = calloc((size_t)units, sizeof(bool));
	header_digested = calloc((size_t)nheaders, sizeof(bool));
	headers = calloc((size_t)nheaders, sizeof(*headers));
	if (!unit_changed || !header_digested || !headers)
		return 1;
	for (long i = 0; i < nheaders; i++)
		snprintf(headers[i], sizeof(headers[i]), "%s/linux/sub%02ld/hdr%04ld.h",
			 incdirs[2], i % 50, i);
	h.command = cmd;
	h.ncommand = 3;
	h.start_wall_ns += (uint64_t)seed * 3600 * 1000000000ull;
	w = log_writer_open_with(argv[1], &h, &wo, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "forensics_synth: %s\n", err);
		return 1;
	}
	if (budget_mib)
		log_writer_test_table_budget(w, (size_t)budget_mib << 20);
	{
		static const char *const make_argv[] = { "make", "-j2", "vmlinux" };

		exec_(1000, 999, "/usr/bin/make", make_argv, 3);
		exec_digest("/usr/bin/make", 1);
	}
	srand(42);
	for (long u = 0; u < units; u++) {
		uint32_t sh, gcc, cc1, as;
		const char *sh_argv[3] = { "sh", "-c", shcmd };
		const char *gcc_argv[6] = { "gcc", "-c", "-o", obj, src, "-O2" };
		const char *cc1_argv[5] = { "cc1", src, "-o", cc1_out, "-quiet" };
		const char *as_argv[4] = { "as", "-o", obj, tmp };

		snprintf(src, sizeof(src), "/src/linux/dir%02ld/unit%05ld.c", u % 40, u);
		snprintf(obj, sizeof(obj), "/src/linux/dir%02ld/unit%05ld.o", u % 40, u);
		snprintf(tmp, sizeof(tmp), "/tmp/cc%06ld.s", u);
		snprintf(cc1_out, sizeof(cc1_out), "%s", tmp);
		snprintf(shcmd, sizeof(shcmd), "gcc -Wp,-MMD,dir%02ld/.unit%05ld.o.d -nostdinc "
			 "-I./arch/x86/include -I./arch/x86/include/generated -I./include "
			 "-I./arch/x86/include/uapi -I./include/uapi -include ./include/linux/compiler-version.h "
			 "-include ./include/linux/kconfig.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall -Wundef "
			 "-Werror=strict-prototypes -Wno-trigraphs -fno-strict-aliasing -fno-common -fshort-wchar "
			 "-fno-PIE -Werror=implicit-function-declaration -Werror=implicit-int -Werror=return-type "
			 "-Wno-format-security -std=gnu11 -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -m64 "
			 "-falign-jumps=1 -falign-loops=1 -mno-80387 -mno-fp-ret-in-387 -mpreferred-stack-boundary=3 "
			 "-mskip-rax-setup -mtune=generic -mno-red-zone -mcmodel=kernel -O2 -c -o %s %s",
			 u % 40, u, obj, src);
		sh = fork_child(1000);
		exec_(sh, 1000, "/usr/bin/dash", sh_argv, 3);
		gcc = fork_child(sh);
		exec_(gcc, sh, "/usr/bin/gcc-12", gcc_argv, 6);
		open_(gcc, tmp, O_WRONLY | O_CREAT | O_EXCL, 3, INO_TMP + (uint64_t)u);
		cc1 = fork_child(gcc);
		exec_(cc1, gcc, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", cc1_argv, 5);
		open_(cc1, tmp, O_WRONLY | O_TRUNC, 3, INO_TMP + (uint64_t)u);
		open_(cc1, src, O_RDONLY, 4, INO_SRC + (uint64_t)u);
		digest(LOG_DIGEST_INPUT, src, (uint32_t)u, 5 + (u % 10 == 0 ? (uint32_t)seed : 0), 0);
		for (int k = 0; k < COMMON + PER_UNIT; k++) {
			long hdr = k < COMMON ? k : COMMON + rand() % (nheaders - COMMON);
			char probe[160];

			/* a probe through the first include directory, as gcc's search does */
			snprintf(probe, sizeof(probe), "%s/linux/sub%02ld/hdr%04ld.h", incdirs[k % 2],
				 hdr % 50, hdr);
			if (k % 3 == 0)
				open_(cc1, probe, O_RDONLY, -ENOENT, 0);
			open_(cc1, headers[hdr], O_RDONLY, 5, INO_HEADER + (uint64_t)hdr);
			if (hdr == changed)
				unit_changed[u] = true;
			if (!header_digested[hdr]) {
				header_digested[hdr] = true;
				digest(LOG_DIGEST_INPUT, headers[hdr], (uint32_t)hdr,
				       hdr == changed ? 99 : 7, 0);
			}
		}
		exit_(cc1);
		as = fork_child(gcc);
		exec_(as, gcc, "/usr/bin/x86_64-linux-gnu-as", as_argv, 4);
		open_(as, tmp, O_RDONLY, 3, INO_TMP + (uint64_t)u);
		open_(as, obj, O_WRONLY | O_CREAT | O_TRUNC, 4, INO_OBJ + (uint64_t)u);
		exit_(as);
		exit_(gcc);
		exit_(sh);
		if (u % 10000 == 0 && (r = log_write_checkpoint(w, now, &losses)))
			die("checkpoint", r);
	}
	{
		uint32_t ld = fork_child(1000);
		static const char *const ld_argv[] = { "ld", "-m", "elf_x86_64", "-o", "vmlinux" };
		bool any = false;

		exec_(ld, 1000, "/usr/bin/ld.bfd", ld_argv, 5);
		for (long u = 0; u < units; u++) {
			snprintf(obj, sizeof(obj), "/src/linux/dir%02ld/unit%05ld.o", u % 40, u);
			open_(ld, obj, O_RDONLY, 3, INO_OBJ + (uint64_t)u);
		}
		open_(ld, "/src/linux/vmlinux", O_WRONLY | O_CREAT | O_TRUNC, 4, INO_VMLINUX);
		exit_(ld);
		exit_(1000);
		exec_digest("/usr/bin/dash", 2);
		exec_digest("/usr/bin/gcc-12", 3);
		exec_digest("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", 4);
		exec_digest("/usr/bin/x86_64-linux-gnu-as", 5);
		exec_digest("/usr/bin/ld.bfd", 6);
		for (long u = 0; u < units; u++) {
			snprintf(obj, sizeof(obj), "/src/linux/dir%02ld/unit%05ld.o", u % 40, u);
			snprintf(tmp, sizeof(tmp), "/tmp/cc%06ld.s", u);
			digest(LOG_DIGEST_OUTPUT, obj, (uint32_t)u,
			       (unit_changed[u] ? 98 : 11) + (u % 10 == 0 ? (uint32_t)seed * 1000 : 0), 0);
			digest(LOG_DIGEST_OUTPUT, tmp, 0, 0, -ENOENT);
			any |= unit_changed[u];
		}
		digest(LOG_DIGEST_OUTPUT, "/src/linux/vmlinux", 1, (any ? 97 : 12) + (uint32_t)seed * 1000, 0);
	}
	t.end_boot_ns = now + 1000;
	t.end_wall_ns = h.start_wall_ns + (now - h.start_boot_ns);
	if ((r = log_write_trailer(w, &t)) || (r = log_writer_close(w)))
		die("trailer", r);
	free(unit_changed);
	free(header_digested);
	free(headers);
	return 0;
}
