/* SPDX-License-Identifier: MIT */
/*
 * FIFO writers outside the build.  The kernel side sees a writer that opens
 * a FIFO while the trace runs; one that opened it before (a daemon holding
 * it with O_RDWR) is found here, in /proc, at the build's first open of that
 * FIFO for reading.
 */
#ifndef KETTLE_FIFO_WRITERS_H
#define KETTLE_FIFO_WRITERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FIFO_SEEN_MAX    256    /* FIFOs looked up per build; past that each open is looked up again */
#define FIFO_WRITERS_MAX 4      /* writers named per FIFO */

/* The FIFOs of one build already looked up. */
struct fifo_seen {
	uint64_t dev[FIFO_SEEN_MAX], ino[FIFO_SEEN_MAX];
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
/* Whether the FIFO DEV:INO was not looked up yet (it is noted as looked up now). */
bool fifo_seen_first(struct fifo_seen *s, uint64_t dev, uint64_t ino);
/*
 * The processes, other than those INSIDE says are the build's, that hold the
 * FIFO DEV:INO (stat's numbers) open for writing (O_WRONLY or O_RDWR): up
 * to MAX in OUT.  Returns how many, or -errno when /proc cannot be read.
 */
int fifo_writers_find(uint64_t dev, uint64_t ino, bool (*inside)(void *arg, pid_t pid), void *arg, pid_t *out,
		      size_t max);

#endif
