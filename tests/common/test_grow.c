// SPDX-License-Identifier: MIT
/* common/grow.h: the capacity every stage's arrays grow by, and what a failed growth leaves. */
#include <stdbool.h>
#include <stdint.h>

#include "common/grow.h"
#include "testlib.h"

static int first_growth_takes_first_then_doubles(void)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	CHECK(grow_array((void **)&v, &cap, 1, sizeof(*v), 4) == 0 && v && cap == 4, "cap %zu", cap);
	v[3] = 7;
	CHECK(grow_array((void **)&v, &cap, 5, sizeof(*v), 4) == 0 && cap == 8 && v[3] == 7, "cap %zu", cap);
	CHECK(grow_array((void **)&v, &cap, 100, sizeof(*v), 4) == 0 && cap == 128 && v[3] == 7, "cap %zu", cap);
	free(v);
	return TEST_PASS;
}

static int room_enough_keeps_the_array(void)
{
	uint16_t *v = NULL, *old;
	size_t cap = 0;
	bool same;
	int r;

	CHECK(grow_array((void **)&v, &cap, 3, sizeof(*v), 16) == 0 && cap == 16, "cap %zu", cap);
	old = v;
	r = grow_array((void **)&v, &cap, 16, sizeof(*v), 16);
	same = v == old;
	free(v);
	CHECK(r == 0 && same && cap == 16, "rc %d cap %zu", r, cap);
	return TEST_PASS;
}

static int need_beyond_first_doubles_from_first(void)
{
	size_t cap = 0;
	char *buf = NULL;
	int r = grow_array((void **)&buf, &cap, 5000, 1, 4096);

	free(buf);
	CHECK(r == 0 && cap == 8192, "rc %d cap %zu", r, cap);
	return TEST_PASS;
}

static int overflow_is_enomem_and_keeps_the_array(void)
{
	uint64_t *v = NULL, *old;
	size_t cap = 0;
	bool same;
	int big, doubled;

	CHECK(grow_array((void **)&v, &cap, 2, sizeof(*v), 2) == 0 && cap == 2, "cap %zu", cap);
	old = v;
	big = grow_array((void **)&v, &cap, SIZE_MAX / 4, sizeof(*v), 2);
	doubled = grow_array((void **)&v, &cap, SIZE_MAX, 1, 2);
	same = v == old;
	free(v);
	CHECK(big == -ENOMEM && doubled == -ENOMEM, "past SIZE_MAX: %d, doubling past it: %d", big, doubled);
	CHECK(same && cap == 2, "the failed growth changed the array (cap %zu)", cap);
	return TEST_PASS;
}

static int id_memo_slots_start_unknown_and_keep_values(void)
{
	struct id_memo m = { 0 };
	uint32_t *a = id_memo_slot(&m, 1), *none = id_memo_slot(&m, 0);
	bool zero_first, kept = true, fresh_zero = true;

	CHECK(a && !none, "slot 1 %p, slot 0 %p (0 is no number)", (void *)a, (void *)none);
	zero_first = *a == 0;
	*a = 42;
	for (size_t id = 2; id <= 100000; id++) {
		uint32_t *s = id_memo_slot(&m, id);

		if (!s) {
			free(m.v);
			CHECK(0, "slot %zu: out of memory", id);
		}
		fresh_zero &= *s == 0;
		*s = (uint32_t)id;
	}
	for (size_t id = 2; id <= 100000; id++)
		kept &= *id_memo_slot(&m, id) == id;
	kept &= *id_memo_slot(&m, 1) == 42;
	free(m.v);
	CHECK(zero_first && fresh_zero, "a slot not asked before was not 0");
	CHECK(kept, "a value did not survive the memo's growth");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "first_growth_takes_first_then_doubles", first_growth_takes_first_then_doubles },
	{ "room_enough_keeps_the_array", room_enough_keeps_the_array },
	{ "need_beyond_first_doubles_from_first", need_beyond_first_doubles_from_first },
	{ "overflow_is_enomem_and_keeps_the_array", overflow_is_enomem_and_keeps_the_array },
	{ "id_memo_slots_start_unknown_and_keep_values", id_memo_slots_start_unknown_and_keep_values },
};

TEST_MAIN("grow", tests)
