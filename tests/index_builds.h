/* SPDX-License-Identifier: MIT */
/*
 * Small synthetic builds for the fleet index tests (tests/forensics/test_index*.c):
 * a log where make runs steps, each reading one file and writing another, with digests.
 */
#ifndef KETTLE_TEST_INDEX_BUILDS_H
#define KETTLE_TEST_INDEX_BUILDS_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "log/log_writer.h"
#include "testlib.h"

#define START_WALL 1767225600000000000ll        /* 2026-01-01T00:00:00Z */
#define HOUR_NS 3600000000000ll

struct step {
	const char *exe, *reads, *writes;
	int read_fill, write_fill;
};

/*
 * A build: make (pid 100) runs each step as a child that reads one file and
 * writes another; the log compressed as COMPRESSION says.
 */
static inline int write_build_as(const char *path, int64_t start_wall, const struct step *steps, int nsteps,
				 enum log_compression compression)
{
	const struct log_writer_opts o = { .compression = compression };
	static const char *const command[] = { "make", "all" };
	struct log_header h = { .kettle_version = "test", .host = "ci-1", .start_wall_ns = (uint64_t)start_wall,
				.start_boot_ns = 1000, .root_pid = 100, .command = command, .ncommand = 2,
				.cwd = "/src" };
	struct log_trailer t = { 0 };
	const char *argv[3] = { "make", "all", NULL };
	struct log_event e;
	struct log_writer *w;
	char err[256];
	uint64_t ts = 2000;
	int bad = 0;

	w = log_writer_open_with(path, &h, &o, err, sizeof(err));
	CHECK(w, "open: %s", err);
#define PUT(...) do { e = (struct log_event){ __VA_ARGS__ }; e.ts_ns = ts += 1000; e.tid = e.tgid; \
		      bad |= log_write_event(w, &e); } while (0)
	PUT(.type = LOG_EV_EXEC, .tgid = 100, .exec = { .exe = "/usr/bin/make", .cwd = "/src", .argv = argv,
							.nargv = 2, .argc = 2 });
	for (int i = 0; i < nsteps; i++) {
		uint32_t pid = 101 + (uint32_t)i;
		const char *sargv[2] = { steps[i].exe, steps[i].reads };
		struct log_digest d = { .kind = LOG_DIGEST_INPUT, .path = steps[i].reads, .boot_ns = ts };

		PUT(.type = LOG_EV_FORK, .tgid = 100, .fork.child_tgid = pid);
		PUT(.type = LOG_EV_EXEC, .tgid = pid, .exec = { .exe = steps[i].exe, .cwd = "/src", .argv = sargv,
								.nargv = 2, .argc = 2 });
		PUT(.type = LOG_EV_OPEN, .tgid = pid, .open = { .path = "/usr/lib/libc.so.6", .flags = O_RDONLY,
								.result = 3, .call = 2 });
		PUT(.type = LOG_EV_OPEN, .tgid = pid, .open = { .path = steps[i].reads, .flags = O_RDONLY,
								.result = 4, .call = 2 });
		PUT(.type = LOG_EV_OPEN, .tgid = pid, .open = { .path = steps[i].writes,
								.flags = O_WRONLY | O_CREAT | O_TRUNC,
								.result = 5, .call = 2 });
		PUT(.type = LOG_EV_EXIT, .tgid = pid);
		memset(d.sha256, steps[i].read_fill, 32);
		bad |= log_write_digest(w, &d);
		d = (struct log_digest){ .kind = LOG_DIGEST_EXEC, .path = steps[i].exe, .boot_ns = ts };
		memset(d.sha256, 0xee, 32);
		bad |= log_write_digest(w, &d);
		d = (struct log_digest){ .kind = LOG_DIGEST_INPUT, .path = "/usr/lib/libc.so.6", .boot_ns = ts };
		memset(d.sha256, 0xcc, 32);
		bad |= log_write_digest(w, &d);
		d = (struct log_digest){ .kind = LOG_DIGEST_OUTPUT, .path = steps[i].writes, .boot_ns = ts };
		memset(d.sha256, steps[i].write_fill, 32);
		bad |= log_write_digest(w, &d);
	}
	PUT(.type = LOG_EV_EXIT, .tgid = 100);
#undef PUT
	t.end_boot_ns = ts + 1000;
	t.end_wall_ns = (uint64_t)start_wall + ts;
	CHECK(!bad, "writing the events");
	CHECK(log_write_trailer(w, &t) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	return TEST_PASS;
}

/* write_build_as, uncompressed: tests alter its bytes. */
static inline int write_build(const char *path, int64_t start_wall, const struct step *steps, int nsteps)
{
	return write_build_as(path, start_wall, steps, nsteps, LOG_COMPRESSION_NONE);
}

#endif
