/* SPDX-License-Identifier: MIT */
/*
 * Hands raw kernel records from the drain thread to the writer thread in
 * 1 MiB chunks, so the drain thread only copies bytes.  When the writer
 * falls MAX_BYTES behind, the drain thread waits: the kernel ring buffer
 * then absorbs the burst, and anything it cannot hold is counted there.
 */
#ifndef KETTLE_EVENT_QUEUE_H
#define KETTLE_EVENT_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define EVENT_CHUNK_BYTES (1u << 20)
/* Records are stored 8-byte aligned, so the consumer can read them in place. */
#define EVENT_RECORD_SPAN(len) (((len) + 7) & ~(size_t)7)

struct event_chunk {
	struct event_chunk *next;
	size_t used;
	_Alignas(8) unsigned char data[EVENT_CHUNK_BYTES];
};

struct event_queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct event_chunk *head, *tail;   /* published, oldest first */
	struct event_chunk *filling;       /* owned by the producer */
	size_t queued_bytes, max_bytes;
	bool closed;
};

int event_queue_init(struct event_queue *q, size_t max_bytes);
/* Producer: copies one record; 0 or -ENOMEM. */
int event_queue_push(struct event_queue *q, const void *rec, size_t len);
/* Producer: makes what was pushed visible to the consumer. */
void event_queue_publish(struct event_queue *q);
/* Producer: publishes and marks the end. */
void event_queue_close(struct event_queue *q);
/*
 * Consumer: the next chunk (caller frees it); NULL after TIMEOUT_MS (-1: no
 * limit) or once the queue is closed and empty (event_queue_finished says which).
 */
struct event_chunk *event_queue_pop(struct event_queue *q, int timeout_ms);
bool event_queue_finished(struct event_queue *q);
void event_queue_destroy(struct event_queue *q);

#endif
