/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU numbers the BPF programs put in every record (ke_header.seq),
 * tallied as records arrive and checked against the kernel's own counts at
 * the end: every numbered record must have arrived or been counted as refused
 * by the ring buffer.  What does not add up is a record lost without a trace
 * (a counter reset, another reader of the ring buffer, a number set back).
 */
#ifndef KETTLE_RECORD_SEQ_H
#define KETTLE_RECORD_SEQ_H

#include <stdint.h>

#include "bpf/events.h"

struct record_seq {
	struct {
		uint64_t next;          /* one past the highest number seen, unwrapped */
		uint64_t received;
		uint64_t set_back;      /* records numbered well below one already seen */
	} cpu[KE_SEQ_CPU_UNNUMBERED];
};

void record_seq_init(struct record_seq *s);
void record_seq_note(struct record_seq *s, uint32_t seq);
/*
 * Records that do not add up, given what the kernel numbered and what its
 * ring buffer refused on each of NCPUS CPUs.
 */
uint64_t record_seq_unaccounted(const struct record_seq *s, const uint64_t *numbered, const uint64_t *unsent,
				int ncpus);

#endif
