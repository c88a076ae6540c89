// SPDX-License-Identifier: MIT
/* common/pid_set.h: each pid counts once, whatever its value and however many there are. */
#include <stdint.h>

#include "common/pid_set.h"
#include "testlib.h"

/* A million pids (more than the first table holds), each added twice: a million new ones. */
static int each_pid_is_new_once(void)
{
	struct pid_set s = { 0 };
	uint32_t fresh = 0;
	bool added;

	for (int round = 0; round < 2; round++)
		for (uint32_t i = 0; i < 1000000; i++) {
			/* spread over the whole range, 0 and the largest included */
			uint32_t pid = i * 4294u;

			CHECK(!pid_set_add(&s, pid, &added), "out of memory at %u", i);
			fresh += added;
		}
	CHECK(fresh == 1000000, "%u new pids, expected 1000000", fresh);
	pid_set_free(&s);
	return TEST_PASS;
}

static int zero_and_the_largest_pid_are_pids(void)
{
	struct pid_set s = { 0 };
	bool a, b, c, d;

	CHECK(!pid_set_add(&s, 0, &a) && !pid_set_add(&s, UINT32_MAX, &b) &&
	      !pid_set_add(&s, 0, &c) && !pid_set_add(&s, UINT32_MAX, &d), "add");
	CHECK(a && b && !c && !d, "0: %d then %d, UINT32_MAX: %d then %d", a, c, b, d);
	pid_set_free(&s);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "each_pid_is_new_once", each_pid_is_new_once },
	{ "zero_and_the_largest_pid_are_pids", zero_and_the_largest_pid_are_pids },
};

TEST_MAIN("pid_set", tests)
