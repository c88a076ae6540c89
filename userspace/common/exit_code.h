/* SPDX-License-Identifier: MIT */
/* Exit codes for kettle's own failures, as env(1) and timeout(1) use them; documented in README.md. */
#ifndef KETTLE_EXIT_CODE_H
#define KETTLE_EXIT_CODE_H

#define KETTLE_EXIT_OWN_ERROR   125
#define KETTLE_EXIT_CANNOT_EXEC 126
#define KETTLE_EXIT_NOT_FOUND   127

#endif
