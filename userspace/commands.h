/* SPDX-License-Identifier: MIT */
/* Subcommands of the kettle binary, dispatched by name from main.c. */
#ifndef KETTLE_COMMANDS_H
#define KETTLE_COMMANDS_H

/* Exit codes for kettle's own failures, as env(1) and timeout(1) use them. */
#define KETTLE_EXIT_OWN_ERROR   125
#define KETTLE_EXIT_CANNOT_EXEC 126
#define KETTLE_EXIT_NOT_FOUND   127

int cmd_run(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_provenance(int argc, char **argv);

#endif
