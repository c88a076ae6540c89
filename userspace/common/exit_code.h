/* SPDX-License-Identifier: MIT */
/* Exit codes for kettle's own failures, as env(1) and timeout(1) use them; documented in README.md. */
#ifndef KETTLE_EXIT_CODE_H
#define KETTLE_EXIT_CODE_H

/*
 * Kettle itself failed, a usage error of any command included (an unknown
 * option, a missing or extra argument, a bad value): one code, so a script
 * tells kettle's failures from a build's status (kettle run passes the
 * build's own through) the way it does for env(1) and timeout(1).
 */
#define KETTLE_EXIT_OWN_ERROR   125
#define KETTLE_EXIT_CANNOT_EXEC 126
#define KETTLE_EXIT_NOT_FOUND   127

#endif
