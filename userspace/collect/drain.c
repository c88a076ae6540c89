// SPDX-License-Identifier: MIT
/* The drain thread: ring buffer to event queue, nothing else. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "collect/drain.h"

/* The kernel wakes us only when a backlog builds up; this bounds latency otherwise. */
#define DRAIN_POLL_MS 20

static int drain_take_record(void *ctx, void *data, size_t len)
{
	struct drain *d = ctx;
	int rc = event_queue_push(d->queue, data, len);

	if (rc)
		return rc;
	atomic_fetch_add_explicit(&d->records, 1, memory_order_relaxed);
	return 0;
}

static void *drain_main(void *arg)
{
	struct drain *d = arg;
	int rc = 0;

	while (!atomic_load(&d->stop)) {
		rc = ring_buffer__poll(d->rb, DRAIN_POLL_MS);
		/*
		 * The kernel side wakes this thread only once a large share of the
		 * ring is full (fewer wakeups on a busy build), so a quiet one would
		 * leave its records there until the end: the hasher must see a read
		 * within milliseconds, before the build can rewrite the file.
		 */
		if (rc == 0)
			rc = ring_buffer__consume(d->rb);
		if (rc < 0 && rc != -EINTR)
			break;
		rc = 0;
		event_queue_publish(d->queue);
	}
	if (!rc)
		rc = ring_buffer__consume(d->rb);
	d->error = rc < 0 ? rc : 0;
	event_queue_close(d->queue);
	return NULL;
}

int drain_start(struct drain *d, int ringbuf_fd, struct event_queue *q)
{
	int rc;

	d->queue = q;
	d->error = 0;
	atomic_store(&d->stop, false);
	atomic_store(&d->records, 0);
	d->rb = ring_buffer__new(ringbuf_fd, drain_take_record, d, NULL);
	if (!d->rb)
		return -errno;
	rc = pthread_create(&d->thread, NULL, drain_main, d);
	if (rc) {
		ring_buffer__free(d->rb);
		return -rc;
	}
	return 0;
}

int drain_stop(struct drain *d)
{
	atomic_store(&d->stop, true);
	pthread_join(d->thread, NULL);
	ring_buffer__free(d->rb);
	return d->error;
}
