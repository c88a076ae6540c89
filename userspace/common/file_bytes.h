/* SPDX-License-Identifier: MIT */
/*
 * Whole files in and out: reading a file of evidence (report, quote,
 * certificate, bundle) into memory with a size bound, so a huge or endless
 * file (a FIFO, /dev/zero) is refused with an error instead of exhausting
 * memory; and writing all of a buffer, which one write(2) need not do.
 */
#ifndef KETTLE_FILE_BYTES_H
#define KETTLE_FILE_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads PATH into a malloc'd buffer (*OUT, free() it; one extra NUL byte
 * follows the LEN bytes so text can be parsed in place). Returns 0, or -1
 * with a one-line ERR naming PATH when it cannot be read or holds more
 * than MAX bytes.
 */
int file_read_bounded(const char *path, size_t max, uint8_t **out, size_t *len,
		      char *err, size_t errlen);

/*
 * Writes the N bytes at P (N <= SSIZE_MAX) to FD, again after EINTR and after
 * a partial write.  Returns N; fewer when a write wrote nothing, which sets
 * no errno (callers say "short write", not a stale errno); or -errno of the
 * write that failed.
 */
ssize_t file_write_all(int fd, const void *p, size_t n);

/*
 * Writes the N bytes at P as PATH: a new temporary file beside it (never
 * through a symlink) renamed into place.  0, or -1 with a one-line ERR.
 */
int file_write_new(const char *path, const void *p, size_t n, char *err, size_t errlen);

#endif
