/* SPDX-License-Identifier: MIT */
/* The thread that empties the kernel ring buffer into the event queue and does nothing else. */
#ifndef KETTLE_DRAIN_H
#define KETTLE_DRAIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "collect/event_queue.h"

struct drain {
	pthread_t thread;
	struct ring_buffer *rb;
	struct event_queue *queue;
	int wake_fd;                    /* eventfd: drain_stop wakes the thread at once */
	int epoll_fd;                   /* the ring buffer's epoll fd and wake_fd */
	atomic_bool stop;
	atomic_uint_fast64_t records;   /* records taken from the ring buffer */
	/*
	 * Records too long to be the kernel side's: only a second reader of
	 * the ring (root, outside the build) makes them, by freeing space this
	 * thread still reads.  Skipped, and the record says it is incomplete.
	 */
	uint64_t malformed;
	int error;                      /* -errno if the thread gave up */
};

/* Starts the thread on the ring buffer map RINGBUF_FD. 0 or -errno. */
int drain_start(struct drain *d, int ringbuf_fd, struct event_queue *q);
/* Takes what is left in the ring buffer, closes the queue, joins. Returns d->error. */
int drain_stop(struct drain *d);

#endif
