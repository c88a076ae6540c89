/* SPDX-License-Identifier: MIT */
/*
 * The kernel module's side of kettle run (docs/kmod.md): opens /dev/kettle,
 * sets the module's scope to the build's cgroup, reads its records in a
 * thread that does nothing else, checks each one like any outside input,
 * and hands them to the writer thread, which logs them as kmod-exec
 * records.  At the end it reads the module's counters for the session.
 */
#ifndef KETTLE_KMOD_READER_H
#define KETTLE_KMOD_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"
#include "log/log_event.h"
#include "log/log_writer.h"

#define KMOD_DEVICE_DEFAULT "/dev/kettle"
#define KMOD_DEVICE_ENV     "KETTLE_KMOD_DEVICE"   /* overrides the default path */

struct kmod_reader;

/*
 * Opens DEVICE (NULL: $KETTLE_KMOD_DEVICE, else /dev/kettle) for kettle run.
 * 1 and *OUT set: the module is there and ours; 0: no such device (only when
 * the path was not named explicitly, EXPLICIT false); -1 with ERR filled: it
 * exists but cannot be used (busy, not a character device, not the module's).
 */
int kmod_reader_open(const char *device, bool explicit_device, struct kmod_reader **out, char *err,
		     size_t errlen);
/* The device path in use. */
const char *kmod_reader_device(const struct kmod_reader *k);
/* Measure execs in the cgroup CGROUP_ID and below (KETTLE_IOC_SET_SCOPE). 0, or -1 with ERR. */
int kmod_reader_set_scope(struct kmod_reader *k, uint64_t cgroup_id, char *err, size_t errlen);
/* Starts the reading thread. 0 or -errno. */
int kmod_reader_start(struct kmod_reader *k);
/* Writer thread: logs the records read so far. 0 or -errno of the log. */
int kmod_reader_write_ready(struct kmod_reader *k, struct log_writer *w);
/* Reads what the device still holds, then ends the thread (the build is over). */
void kmod_reader_stop(struct kmod_reader *k);
/*
 * After kmod_reader_stop: the module's counters over the session and the
 * reader's own; clears the scope.  0, or -1 with ERR filled (the counters
 * could not be read: OUT holds the reader's own).
 */
int kmod_reader_finish(struct kmod_reader *k, struct log_kmod_stats *out, char *err, size_t errlen);
/* Closes the device (the module clears the scope of a closed device too) and frees K. */
void kmod_reader_close(struct kmod_reader *k);

/*
 * Checks one record read from the device: LEN, abi, type, size, path_len,
 * the path's NUL, flags, err.  0, or -1 with WHY filled.
 */
int kmod_record_check(const void *rec, size_t len, char *why, size_t whylen);
/* The log's form of a checked record; OUT->path points into REC. */
void kmod_record_to_log(const struct ke_kmod_exec *rec, struct log_kmod_exec *out);

#endif
