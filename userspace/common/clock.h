/* SPDX-License-Identifier: MIT */
/* The one clock reader: any CLOCK_* in nanoseconds, for every stage. */
#ifndef KETTLE_CLOCK_H
#define KETTLE_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull

/*
 * CLOCK_ID in ns; 0 when the clock cannot be read (a thread's CPU clock
 * after the thread has gone), which callers treat as "no figure".
 */
uint64_t clock_ns(clockid_t clock_id);

/* The CLOCK_REALTIME time MS milliseconds from now: the deadline pthread_cond_timedwait takes. */
struct timespec clock_deadline_ms(int64_t ms);

#endif
