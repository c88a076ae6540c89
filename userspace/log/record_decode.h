/* SPDX-License-Identifier: MIT */
/*
 * Turns one raw kernel record (bpf/events.h) into a struct log_event:
 * reverses path components, joins a failed open's name with its base
 * directory, splits argv.  Strings live in the decoder until the next call.
 */
#ifndef KETTLE_RECORD_DECODE_H
#define KETTLE_RECORD_DECODE_H

#include <stddef.h>

#include "bpf/events.h"
#include "log/dns_parse.h"
#include "log/env_redact.h"
#include "log/log_event.h"

#include <stdbool.h>
#include <stdint.h>

#define DECODE_MAX_ARGS   (KE_ARGV_TOTAL_MAX / 2)
#define DECODE_ARGV_SLOTS 64    /* threads with a long argv on the way at once */

/* Pieces of one thread's long argv (or environment), gathered until its exec record comes. */
struct exec_pieces {
	uint32_t tid;           /* 0: slot free */
	uint32_t len;
	bool gap;               /* a piece is missing */
	uint64_t seq;           /* for evicting the oldest slot */
	char buf[];             /* KE_ARGV_TOTAL_MAX or KE_ENV_MAX bytes */
};

/* The slots of one kind of pieces. */
struct pieces_table {
	uint32_t size;          /* bytes of a slot's buf */
	struct exec_pieces *slot[DECODE_ARGV_SLOTS];
};

struct record_decoder {
	char path[2 * KE_PATH_MAX + KE_STR_MAX + 8];
	char cwd[KE_PATH_MAX + 8];
	char name[KE_STR_MAX + 8];
	/* the second path of a file operation, and a symlink's target */
	char path2[2 * KE_PATH_MAX + KE_STR_MAX + 8];
	char cwd2[KE_PATH_MAX + 8];
	char name2[KE_STR_MAX + 8];
	char target[KE_STR_MAX + 8];
	/* a net event's unix path ("@name" when abstract) and DNS names */
	char unix_path[KE_UNIX_PATH_MAX + 2];
	struct dns_query dns;
	const char *dns_names[DNS_QUESTIONS_MAX];
	char argv_buf[KE_ARGV_TOTAL_MAX + 1];
	const char *argv[DECODE_MAX_ARGS];
	struct pieces_table argv_pieces, env_pieces;
	uint64_t seq;
	/* the environment, secrets already hashed: what the event points to */
	const struct env_redact *redact;        /* set before the first call; NULL: the default rule */
	struct env_redact default_redact;
	char env_buf[KE_ENV_MAX + KE_ENV_VARS_MAX * (ENV_REDACT_VALUE_LEN + 1) + 1];
	const char *env_vars[KE_ENV_VARS_MAX];
	struct log_env env;
};

/* Sets up D (calloc'd or not); REDACT: the secret rule, NULL for the default one; kept, not copied. */
void record_decoder_init(struct record_decoder *d, const struct env_redact *redact);
/*
 * 0 with *EV filled; 1 for a record that only feeds a later one (no event);
 * -EINVAL for a record whose sizes do not add up (it is skipped and counted);
 * -ENOMEM.
 */
int record_decode(struct record_decoder *d, const void *rec, size_t len, struct log_event *ev);
/* Frees what the decoder allocated (not D itself). */
void record_decoder_release(struct record_decoder *d);

/* Joins BASE and NAME (NAME absolute: NAME alone) and removes ".", ".." and "//" lexically. */
void path_join_normalize(char *out, size_t outlen, const char *base, const char *name);

#endif
