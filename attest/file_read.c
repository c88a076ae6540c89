// SPDX-License-Identifier: MIT
#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_CHUNK 8192u

int fd_read_bounded(int fd, const char *name, size_t max, uint8_t **out, size_t *len,
		    char *err, size_t errlen)
{
	struct stat st;
	size_t cap = FIRST_CHUNK, n = 0;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > max) {
			snprintf(err, errlen, "%s: %lld bytes, larger than the limit of %zu bytes",
				 name, (long long)st.st_size, max);
			return -1;
		}
		if ((size_t)st.st_size + 1 > cap)
			cap = (size_t)st.st_size + 1;
	}
	if (cap > max + 1)
		cap = max + 1;
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			uint8_t *nb;

			if (ncap == cap) {
				/* Full at max bytes: one more byte means the file is too large. */
				uint8_t probe;

				r = read(fd, &probe, 1);
				if (r < 0 && errno == EINTR)
					continue;
				if (r == 0)
					break;
				free(buf);
				if (r < 0)
					snprintf(err, errlen, "%s: read: %s", name, strerror(errno));
				else
					snprintf(err, errlen, "%s: larger than the limit of %zu bytes",
						 name, max);
				return -1;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				snprintf(err, errlen, "%s: out of memory", name);
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: read: %s", name, strerror(errno));
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int file_read_bounded(const char *path, size_t max, uint8_t **out, size_t *len,
		      char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	*out = NULL;
	*len = 0;
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	r = fd_read_bounded(fd, path, max, out, len, err, errlen);
	close(fd);
	return r;
}
