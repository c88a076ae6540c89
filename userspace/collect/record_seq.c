// SPDX-License-Identifier: MIT
#include <string.h>

#include "collect/record_seq.h"

/*
 * Two programs on one CPU can be preempted between numbering a record and
 * handing it to the ring buffer, so records may arrive a little out of
 * order; a number far below the highest seen is a counter set back.
 */
#define SEQ_REORDER_MAX 1024

void record_seq_init(struct record_seq *s)
{
	memset(s, 0, sizeof(*s));
}

/* The distance from the expected number to SEQ, as a signed KE_SEQ_NUM_BITS-bit value. */
static int64_t seq_delta(uint64_t next, uint32_t seq)
{
	uint32_t d = ((seq & KE_SEQ_NUM_MASK) - (uint32_t)next) & KE_SEQ_NUM_MASK;

	return d & (1u << (KE_SEQ_NUM_BITS - 1)) ? (int64_t)d - (1 << KE_SEQ_NUM_BITS) : (int64_t)d;
}

void record_seq_note(struct record_seq *s, uint32_t seq)
{
	uint32_t cpu = KE_SEQ_CPU(seq);
	int64_t d;

	if (cpu >= KE_SEQ_CPU_UNNUMBERED)
		return;
	/* the first number seen starts the count: records before it may have been refused */
	d = s->cpu[cpu].received ? seq_delta(s->cpu[cpu].next, seq) : (int64_t)(seq & KE_SEQ_NUM_MASK);
	if (d >= 0)
		s->cpu[cpu].next += (uint64_t)d + 1;
	else if (d < -SEQ_REORDER_MAX)
		s->cpu[cpu].set_back++;
	s->cpu[cpu].received++;
}

uint64_t record_seq_unaccounted(const struct record_seq *s, const uint64_t *numbered, const uint64_t *unsent,
				int ncpus)
{
	uint64_t off = 0;

	for (int c = 0; c < (int)KE_SEQ_CPU_UNNUMBERED; c++) {
		uint64_t issued = c < ncpus ? numbered[c] : 0;
		uint64_t accounted = s->cpu[c].received + (c < ncpus ? unsent[c] : 0);

		off += issued > accounted ? issued - accounted : accounted - issued;
		off += s->cpu[c].set_back;
	}
	return off;
}
