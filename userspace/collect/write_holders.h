/* SPDX-License-Identifier: MIT */
/*
 * Processes outside the build that hold a file open for writing, found in
 * /proc.  The kernel side sees a writer that opens a file while the trace
 * runs; one that opened it before (a daemon holding a FIFO with O_RDWR, a
 * process holding a file the build then writes) is found here, at the
 * build's first open of that FIFO for reading or of that file for writing.
 */
#ifndef KETTLE_WRITE_HOLDERS_H
#define KETTLE_WRITE_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INODE_SEEN_MAX    256   /* files looked up per build; past that each open is looked up again */
#define WRITE_HOLDERS_MAX 4     /* writers named per file */

/* The files of one build already looked up. */
struct inode_seen {
	uint64_t dev[INODE_SEEN_MAX], ino[INODE_SEEN_MAX];
	size_t n;
};

/* Bytes of a /proc/PID/fdinfo/FD file read at most: its first lines (pos, flags) are all that is used. */
#define FDINFO_TEXT_MAX  512

/*
 * The open flags in the text of a /proc/PID/fdinfo/FD file (NUL-terminated):
 * its "flags:" line, in octal.  0, or -EPROTO when there is no such line or
 * its number is not octal or does not fit.
 */
int fdinfo_parse_flags(const char *text, unsigned long *flags);
/* Whether the file DEV:INO was not looked up yet (it is noted as looked up now). */
bool inode_seen_first(struct inode_seen *s, uint64_t dev, uint64_t ino);
/*
 * The processes, other than those INSIDE says are the build's, that hold the
 * file DEV:INO (stat's numbers) open for writing (O_WRONLY or O_RDWR): up
 * to MAX in OUT.  Returns how many, or -errno when /proc cannot be read.
 */
int write_holders_find(uint64_t dev, uint64_t ino, bool (*inside)(void *arg, pid_t pid), void *arg, pid_t *out,
		      size_t max);

#endif
