// SPDX-License-Identifier: MIT
/* The one clock reader. */
#include "common/clock.h"

uint64_t clock_ns(clockid_t clock_id)
{
	struct timespec ts;

	if (clock_gettime(clock_id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}
