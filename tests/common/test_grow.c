// SPDX-License-Identifier: MIT
/* common/grow.h: the capacity every stage's arrays grow by, and what a failed growth leaves. */
#include <stdint.h>

#include "common/grow.h"
#include "testlib.h"

static int first_growth_takes_first_then_doubles(void)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	CHECK(grow_array((void **)&v, &cap, 1, sizeof(*v), 4) == 0 && v && cap == 4, "cap %zu", cap);
	v[3] = 7;
	CHECK(grow_array((void **)&v, &cap, 4, sizeof(*v), 4) == 0 && cap == 4, "room enough, yet cap %zu", cap);
	CHECK(grow_array((void **)&v, &cap, 5, sizeof(*v), 4) == 0 && cap == 8 && v[3] == 7, "cap %zu", cap);
	CHECK(grow_array((void **)&v, &cap, 100, sizeof(*v), 4) == 0 && cap == 128 && v[3] == 7, "cap %zu", cap);
	free(v);
	return TEST_PASS;
}

static int need_beyond_first_doubles_from_first(void)
{
	char *v = NULL;
	size_t cap = 0;

	CHECK(grow_array((void **)&v, &cap, 5000, 1, 4096) == 0 && cap == 8192, "cap %zu", cap);
	free(v);
	return TEST_PASS;
}

static int overflow_is_enomem_and_keeps_the_array(void)
{
	uint64_t *v = NULL, *old;
	size_t cap = 0;

	CHECK(grow_array((void **)&v, &cap, 2, sizeof(*v), 2) == 0 && cap == 2, "cap %zu", cap);
	old = v;
	CHECK(grow_array((void **)&v, &cap, SIZE_MAX / 4, sizeof(*v), 2) == -ENOMEM, "a size past SIZE_MAX");
	CHECK(grow_array((void **)&v, &cap, SIZE_MAX, 1, 2) == -ENOMEM, "doubling past SIZE_MAX");
	CHECK(v == old && cap == 2, "the failed growth changed the array (cap %zu)", cap);
	free(v);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "first_growth_takes_first_then_doubles", first_growth_takes_first_then_doubles },
	{ "need_beyond_first_doubles_from_first", need_beyond_first_doubles_from_first },
	{ "overflow_is_enomem_and_keeps_the_array", overflow_is_enomem_and_keeps_the_array },
};

TEST_MAIN("grow", tests)
