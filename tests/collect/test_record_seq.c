// SPDX-License-Identifier: MIT
/* The per-CPU record numbers: what adds up, and what shows a record lost without a trace. */
#include <stdlib.h>

#include "collect/record_seq.h"
#include "testlib.h"

static struct record_seq *fresh(void)
{
	struct record_seq *s = malloc(sizeof(*s));

	if (s)
		record_seq_init(s);
	return s;
}

/* Records 0..N-1 of CPU, sent in order. */
static void send_range(struct record_seq *s, uint32_t cpu, uint64_t from, uint64_t to)
{
	for (uint64_t n = from; n < to; n++)
		record_seq_note(s, KE_SEQ(cpu, (uint32_t)n));
}

static int every_record_arrived_adds_up(void)
{
	struct record_seq *s = fresh();
	uint64_t numbered[2] = { 1000, 10 }, unsent[2] = { 0, 0 };

	CHECK(s, "memory");
	send_range(s, 0, 0, 1000);
	send_range(s, 1, 0, 10);
	CHECK(record_seq_unaccounted(s, numbered, unsent, 2) == 0, "nothing unaccounted");
	free(s);
	return TEST_PASS;
}

static int refused_records_are_accounted(void)
{
	struct record_seq *s = fresh();
	uint64_t numbered[1] = { 100 }, unsent[1] = { 30 };

	CHECK(s, "memory");
	send_range(s, 0, 0, 50);
	send_range(s, 0, 80, 100);      /* 50..79 refused by the ring buffer and counted */
	CHECK(record_seq_unaccounted(s, numbered, unsent, 1) == 0, "counted refusals add up");
	unsent[0] = 0;                  /* the same refusals with the counter reset */
	CHECK(record_seq_unaccounted(s, numbered, unsent, 1) == 30, "a reset counter leaves 30 unaccounted");
	free(s);
	return TEST_PASS;
}

static int records_out_of_order_and_across_a_wrap_add_up(void)
{
	struct record_seq *s = fresh();
	uint64_t start = KE_SEQ_NUM_MASK - 5, end = start + 20;
	uint64_t numbered[1] = { end }, unsent[1] = { start };

	CHECK(s, "memory");
	/* the first records of the session were refused; the rest cross the wrap, two swapped */
	for (uint64_t n = start; n < end; n++) {
		uint64_t sent = n == start + 3 ? n + 1 : n == start + 4 ? n - 1 : n;

		record_seq_note(s, KE_SEQ(0, (uint32_t)sent));
	}
	CHECK(record_seq_unaccounted(s, numbered, unsent, 1) == 0, "reordering and the wrap add up");
	free(s);
	return TEST_PASS;
}

static int a_number_set_back_is_unaccounted(void)
{
	struct record_seq *s = fresh();
	uint64_t numbered[1] = { 3000 }, unsent[1] = { 0 };

	CHECK(s, "memory");
	send_range(s, 0, 0, 3000);
	send_range(s, 0, 0, 100);       /* the counter was set back to 0: numbers repeat */
	numbered[0] = 100;
	CHECK(record_seq_unaccounted(s, numbered, unsent, 1) >= 100, "repeated numbers are unaccounted");
	free(s);
	return TEST_PASS;
}

static int records_taken_by_another_reader_are_unaccounted(void)
{
	struct record_seq *s = fresh();
	uint64_t numbered[2] = { 0, 500 }, unsent[2] = { 0, 0 };

	CHECK(s, "memory");
	send_range(s, 1, 0, 200);
	send_range(s, 1, 300, 500);     /* 100 records read by someone else */
	CHECK(record_seq_unaccounted(s, numbered, unsent, 2) == 100, "100 unaccounted");
	free(s);
	return TEST_PASS;
}

static int unnumbered_cpus_are_not_checked(void)
{
	struct record_seq *s = fresh();
	uint64_t numbered[1] = { 0 }, unsent[1] = { 0 };

	CHECK(s, "memory");
	record_seq_note(s, KE_SEQ(5000u, 7u));
	CHECK(KE_SEQ_CPU(KE_SEQ(5000u, 7u)) == KE_SEQ_CPU_UNNUMBERED, "CPUs past 1022 share the unnumbered slot");
	CHECK(record_seq_unaccounted(s, numbered, unsent, 1) == 0, "not counted");
	free(s);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "every_record_arrived_adds_up", every_record_arrived_adds_up },
	{ "refused_records_are_accounted", refused_records_are_accounted },
	{ "records_out_of_order_and_across_a_wrap_add_up", records_out_of_order_and_across_a_wrap_add_up },
	{ "a_number_set_back_is_unaccounted", a_number_set_back_is_unaccounted },
	{ "records_taken_by_another_reader_are_unaccounted", records_taken_by_another_reader_are_unaccounted },
	{ "unnumbered_cpus_are_not_checked", unnumbered_cpus_are_not_checked },
};

TEST_MAIN("record_seq", tests)
