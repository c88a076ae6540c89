/* SPDX-License-Identifier: MIT */
/*
 * The writer thread of kettle run: takes raw kernel records from the event
 * queue, decodes them, writes the log, writes periodic checkpoints, and
 * feeds the hash plan (whose digests it writes as they finish).
 */
#ifndef KETTLE_LOG_COLLECT_H
#define KETTLE_LOG_COLLECT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "collect/dgram_daemons.h"
#include "collect/write_holders.h"
#include "collect/event_queue.h"
#include "collect/kmod_reader.h"
#include "collect/record_seq.h"
#include "collect/tracer.h"
#include "hash/hash_plan.h"
#include "log/env_redact.h"
#include "log/log_writer.h"

struct log_collect {
	pthread_t thread;
	/* set before log_collect_start */
	struct event_queue *queue;
	struct log_writer *log;
	struct tracer *tracer;
	struct hash_plan *plan;         /* NULL: no hashing */
	const struct env_redact *redact;        /* which environment values are hashed */
	bool follow_daemons;            /* follow a datagram daemon too (kettle run --follow-daemons) */
	struct kmod_reader *_Atomic kmod;       /* the kernel module's records to log too; NULL: none */
	/* the writer thread's own */
	struct dgram_daemons dgram;     /* datagram endpoints of the build whose receivers were looked up */
	struct inode_seen fifos;         /* FIFOs the build read whose writers were looked up */
	/* read by the main thread while running */
	atomic_uint_fast64_t events;
	atomic_uint_fast64_t processes;
	/* valid after log_collect_join */
	uint64_t bad_records;           /* kernel records that did not decode */
	struct record_seq seq;          /* the numbers of the records taken */
	struct log_hash_stats hash;
	struct hash_engine_usage hash_usage;
	int error;                      /* first write or hashing error, -errno */
};

/* Starts the thread. 0 or -errno. */
int log_collect_start(struct log_collect *c);
/* Waits until the queue is closed and drained and the hashing finished. */
void log_collect_join(struct log_collect *c);

#endif
