/* SPDX-License-Identifier: MIT */
/*
 * Writes the CBOR build log (docs/log-format.md). Single-threaded: the collector's writer thread owns it.
 *
 * A write refused before its record's first byte (a bad argument, a string
 * over LOG_STR_MAX) returns -errno and leaves the writer usable.  A failure
 * after that byte is sticky: the call and every later one return it
 * (log_writer_close too), and the file keeps only what was flushed before,
 * which a reader sees as a truncated log.
 */
#ifndef KETTLE_LOG_WRITER_H
#define KETTLE_LOG_WRITER_H

#include "log/log_event.h"

struct log_writer;

enum log_compression {
	LOG_COMPRESSION_NONE,   /* the file is the CBOR sequence */
	LOG_COMPRESSION_ZSTD,   /* the file is one zstd frame of it (docs/log-format.md, "Compression") */
};

/* zstd's level 1..3 (LOG_ZSTD_LEVEL_MIN..MAX): measured in tools/bench/README.md ("log compression"). */
#define LOG_ZSTD_LEVEL_MIN     1
#define LOG_ZSTD_LEVEL_MAX     3
#define LOG_ZSTD_LEVEL_DEFAULT 1
/* The writer's zstd window at every level: 2 MiB, within the reader's LOG_ZSTD_WINDOW_LOG_MAX. */
#define LOG_ZSTD_WINDOW_LOG    21

struct log_writer_opts {
	enum log_compression compression;
	int zstd_level;         /* 0: LOG_ZSTD_LEVEL_DEFAULT */
};

/* Creates (truncates) PATH and writes the header. NULL with ERR filled on failure. */
struct log_writer *log_writer_open_with(const char *path, const struct log_header *hdr,
					const struct log_writer_opts *o, char *err, size_t errlen);
/* log_writer_open_with, uncompressed: tests and tools that read the CBOR's bytes themselves. */
struct log_writer *log_writer_open(const char *path, const struct log_header *hdr,
				   char *err, size_t errlen);
/* Interns the event's strings and writes the event. 0 or -errno. */
int log_write_event(struct log_writer *w, const struct log_event *ev);
/*
 * Writes what the hasher found about one file, interleaved with the events (in
 * the order hashing finished).  0 or -errno: -EINVAL for a NULL path, an
 * unknown kind or a positive result.
 */
int log_write_digest(struct log_writer *w, const struct log_digest *d);
/* Writes the identity of an executed file. 0 or -errno (-E2BIG beyond LOG_NEEDED_MAX needed entries). */
int log_write_exec_ident(struct log_writer *w, const struct log_exec_ident *e);
/*
 * Writes what the kernel module measured at one exec (version 3), not an
 * event.  0 or -errno: -EINVAL for a positive result, unknown flags, or a
 * NULL path without LOG_KMOD_PATH_ERROR (or a path with it).
 */
int log_write_kmod_exec(struct log_writer *w, const struct log_kmod_exec *k);
/* Writes the module's counters for the session: once, before the trailer. */
int log_write_kmod_stats(struct log_writer *w, const struct log_kmod_stats *k);
/* Writes a checkpoint: counts, LOSSES as known now, running SHA-256 of the bytes so far. */
int log_write_checkpoint(struct log_writer *w, uint64_t boot_ns, const struct log_losses *losses);
/* Writes the trailer (events_by_type is filled in by the writer; t->hash is written when not all zero) and flushes. */
int log_write_trailer(struct log_writer *w, const struct log_trailer *t);
/* Events written so far. */
uint64_t log_writer_events(const struct log_writer *w);
/* CBOR bytes written so far (before compression). */
uint64_t log_writer_bytes(const struct log_writer *w);
/*
 * For tests: the string table holds at most MAX strings from now on (0: it
 * is full), so that a small log reaches the limit that LOG_STRINGS_MAX puts
 * 2^30 strings away.
 */
void log_writer_test_strings_max(struct log_writer *w, uint32_t max);
/*
 * For tests: the string, site and environment tables are forgotten (a
 * forget record, and paths written again when seen again) once they take
 * BYTES, not the 64 MiB of TABLE_BUDGET, so that a small log goes through
 * many generations.
 */
void log_writer_test_table_budget(struct log_writer *w, size_t bytes);
/* Flushes and closes; 0 or -errno (a failed flush is an error: data would be lost). */
int log_writer_close(struct log_writer *w);

#endif
