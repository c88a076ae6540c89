// SPDX-License-Identifier: MIT
/* The drain thread: ring buffer to event queue, nothing else. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "collect/drain.h"

/* The kernel wakes us only when a backlog builds up; this bounds latency otherwise. */
#define DRAIN_POLL_MS 20

static int drain_take_record(void *ctx, void *data, size_t len)
{
	struct drain *d = ctx;
	int rc = event_queue_push(d->queue, data, len);

	if (rc == -E2BIG) {
		d->malformed++;
		return 0;
	}
	if (rc)
		return rc;
	atomic_fetch_add_explicit(&d->records, 1, memory_order_relaxed);
	return 0;
}

static void *drain_main(void *arg)
{
	struct drain *d = arg;
	struct epoll_event ev[2];
	int rc = 0;

	while (!atomic_load(&d->stop)) {
		/*
		 * The kernel side wakes this thread only once a large share of the
		 * ring is full (fewer wakeups on a busy build), so a quiet one would
		 * leave its records there until the end: the hasher must see a read
		 * within milliseconds, before the build can rewrite the file.  Hence
		 * a consume after every wait, timed out or not.
		 */
		if (epoll_wait(d->epoll_fd, ev, 2, DRAIN_POLL_MS) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		rc = ring_buffer__consume(d->rb);
		if (rc < 0 && rc != -EINTR)
			break;
		rc = 0;
		event_queue_publish(d->queue);
	}
	/* the build is over: what is left in the ring is taken to the last record */
	if (!rc)
		rc = ring_buffer__consume(d->rb);
	d->error = rc < 0 ? rc : 0;
	event_queue_close(d->queue);
	return NULL;
}

static int watch(int epoll_fd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static void drain_free(struct drain *d)
{
	ring_buffer__free(d->rb);
	d->rb = NULL;
	if (d->epoll_fd >= 0)
		close(d->epoll_fd);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	d->epoll_fd = d->wake_fd = -1;
}

int drain_start(struct drain *d, int ringbuf_fd, struct event_queue *q)
{
	int rc;

	d->queue = q;
	d->error = 0;
	atomic_store(&d->stop, false);
	atomic_store(&d->records, 0);
	d->malformed = 0;
	d->wake_fd = d->epoll_fd = -1;
	d->rb = ring_buffer__new(ringbuf_fd, drain_take_record, d, NULL);
	if (!d->rb)
		return -errno;
	d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->wake_fd < 0 || d->epoll_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = watch(d->epoll_fd, ring_buffer__epoll_fd(d->rb));
	if (!rc)
		rc = watch(d->epoll_fd, d->wake_fd);
	if (rc)
		goto fail;
	rc = -pthread_create(&d->thread, NULL, drain_main, d);
	if (rc)
		goto fail;
	return 0;
fail:
	drain_free(d);
	return rc;
}

int drain_stop(struct drain *d)
{
	uint64_t one = 1;

	atomic_store(&d->stop, true);
	if (write(d->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		/* nothing to undo: the thread sees stop after its wait, DRAIN_POLL_MS at most */
	}
	pthread_join(d->thread, NULL);
	drain_free(d);
	return d->error;
}
