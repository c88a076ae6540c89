/* SPDX-License-Identifier: MIT */
/*
 * Reading a whole file of evidence (report, quote, certificate, bundle) into
 * memory with a size bound, so a huge or endless file (a FIFO, /dev/zero)
 * is refused with an error instead of exhausting memory.
 */
#ifndef KETTLE_FILE_BYTES_H
#define KETTLE_FILE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads PATH into a malloc'd buffer (*OUT, free() it; one extra NUL byte
 * follows the LEN bytes so text can be parsed in place). Returns 0, or -1
 * with a one-line ERR naming PATH when it cannot be read or holds more
 * than MAX bytes.
 */
int file_read_bounded(const char *path, size_t max, uint8_t **out, size_t *len,
		      char *err, size_t errlen);

#endif
