// SPDX-License-Identifier: MIT
/* The chunked byte queue between the drain thread and the writer thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/event_queue.h"
#include "common/clock.h"

int event_queue_init(struct event_queue *q, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_bytes = max_bytes;
	if (pthread_mutex_init(&q->lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&q->changed, NULL)) {
		pthread_mutex_destroy(&q->lock);
		return -ENOMEM;
	}
	return 0;
}

void event_queue_publish(struct event_queue *q)
{
	struct event_chunk *c = q->filling;

	if (!c || !c->used)
		return;
	q->filling = NULL;
	pthread_mutex_lock(&q->lock);
	while (q->queued_bytes >= q->max_bytes && !q->closed)
		pthread_cond_wait(&q->changed, &q->lock);
	c->next = NULL;
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	q->queued_bytes += sizeof(*c);
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

int event_queue_push(struct event_queue *q, const void *rec, size_t len)
{
	size_t padded = EVENT_RECORD_SPAN(len);

	if (padded > EVENT_CHUNK_BYTES)
		return -E2BIG;
	if (q->filling && q->filling->used + padded > EVENT_CHUNK_BYTES)
		event_queue_publish(q);
	if (!q->filling) {
		q->filling = malloc(sizeof(*q->filling));
		if (!q->filling)
			return -ENOMEM;
		q->filling->used = 0;
	}
	memcpy(q->filling->data + q->filling->used, rec, len);
	q->filling->used += padded;
	return 0;
}

void event_queue_close(struct event_queue *q)
{
	event_queue_publish(q);
	free(q->filling);
	q->filling = NULL;
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

struct event_chunk *event_queue_pop(struct event_queue *q, int timeout_ms)
{
	struct event_chunk *c;
	struct timespec until;

	until = clock_deadline_ms(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->head && !q->closed) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->changed, &q->lock);
		else if (pthread_cond_timedwait(&q->changed, &q->lock, &until) == ETIMEDOUT)
			break;
	}
	c = q->head;
	if (c) {
		q->head = c->next;
		if (!q->head)
			q->tail = NULL;
		q->queued_bytes -= sizeof(*c);
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return c;
}

bool event_queue_finished(struct event_queue *q)
{
	bool done;

	pthread_mutex_lock(&q->lock);
	done = q->closed && !q->head;
	pthread_mutex_unlock(&q->lock);
	return done;
}

void event_queue_destroy(struct event_queue *q)
{
	struct event_chunk *c = q->head;

	while (c) {
		struct event_chunk *next = c->next;

		free(c);
		c = next;
	}
	free(q->filling);
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
}
