/* SPDX-License-Identifier: MIT */
/*
 * Reading a whole file of outside bytes into memory, never more than a
 * limit.  Works for regular files, pipes and configfs/sysfs attributes
 * (whose st_size says nothing about their content).
 */
#ifndef KETTLE_ATTEST_FILE_READ_H
#define KETTLE_ATTEST_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads PATH into a malloc'd buffer (*OUT, with a NUL after the last byte
 * so text can be parsed in place) of *LEN bytes.  Returns 0, or -1 with a
 * one-line ERR that names PATH: cannot open, read error, or more than MAX
 * bytes ("larger than the limit of MAX bytes").
 */
int file_read_bounded(const char *path, size_t max, uint8_t **out, size_t *len,
		      char *err, size_t errlen);

/* The same for an open descriptor; NAME is used in errors. */
int fd_read_bounded(int fd, const char *name, size_t max, uint8_t **out, size_t *len,
		    char *err, size_t errlen);

#endif
