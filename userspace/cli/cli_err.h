/* SPDX-License-Identifier: MIT */
/* The one printer of kettle's stderr lines: errors, warnings and notes of a command. */
#ifndef KETTLE_CLI_ERR_H
#define KETTLE_CLI_ERR_H

/*
 * Writes "kettle CMD: MESSAGE\n" to stderr ("kettle: MESSAGE\n" when CMD is
 * NULL), CMD being the words after "kettle" ("attach", "log show").  FMT
 * and what follows are printf's; FMT ends without the newline.  Tests and
 * scripts grep these lines: their text is part of the interface.
 */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
