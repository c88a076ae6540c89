// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>

#include "collect/inherited_pipes.h"

/* Whether the build gets FD readable: kettle's own descriptor, open for reading and kept across exec. */
static bool inherited_read_end(int fd)
{
	int fdflags = fcntl(fd, F_GETFD), flags = fcntl(fd, F_GETFL);

	return fdflags >= 0 && flags >= 0 && !(fdflags & FD_CLOEXEC) && (flags & O_ACCMODE) != O_WRONLY;
}

int inherited_pipes_start(struct inherited_pipes *p, struct tracer *t)
{
	struct ke_pipe_state all[INHERITED_PIPES_MAX];
	int n = tracer_pipe_states(t, all, INHERITED_PIPES_MAX);

	p->n = 0;
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (inherited_read_end((int)all[i].fd))
			p->at_start[p->n++] = all[i];
	return 0;
}

int inherited_pipes_read(const struct inherited_pipes *p, struct tracer *t, struct ke_pipe_state *read, size_t max)
{
	struct ke_pipe_state now[INHERITED_PIPES_MAX];
	int n;
	size_t nread = 0;

	if (!p->n)
		return 0;
	n = tracer_pipe_states(t, now, INHERITED_PIPES_MAX);
	if (n < 0)
		return n;
	for (size_t i = 0; i < p->n; i++) {
		const struct ke_pipe_state *a = &p->at_start[i];

		for (int j = 0; j < n; j++) {
			const struct ke_pipe_state *b = &now[j];

			if (b->fd != a->fd || b->ino != a->ino)
				continue;
			if ((b->tail != a->tail || b->tail_offset != a->tail_offset) && nread < max)
				read[nread++] = *a;
			break;
		}
	}
	return (int)nread;
}
