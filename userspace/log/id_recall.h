/* SPDX-License-Identifier: MIT */
/*
 * What the log writer still knows of the strings and open sites it has
 * forgotten: for each, a keyed 128-bit fingerprint of its bytes and the id
 * the log gave it, 16 bytes where the string or site with its index took
 * about a hundred.  A path the build opens again after the writer forgot it
 * is named by its old id instead of written again, so that a monorepo's log,
 * and every reader of it, holds each path once and not once per forgetting.
 *
 * The fingerprint stands in for the bytes, so two different paths must never
 * share one: it is SipHash-2-4 under a key drawn at random for each log and
 * never written anywhere, so a build cannot choose names that collide.  96
 * of its bits are kept and compared; the twenty-odd that pick the slot are
 * shared by neighbours, so a lookup meets a stranger's fingerprint that
 * agrees with probability about 2^-75 a comparison: under 2^-45 over the
 * hundred million lookups of a monorepo's build.
 */
#ifndef KETTLE_ID_RECALL_H
#define KETTLE_ID_RECALL_H

#include <stddef.h>
#include <stdint.h>

#include "common/siphash.h"

enum recall_kind {
	RECALL_STRING,
	RECALL_SITE,
	RECALL_KINDS,
};

struct recall_fp {
	uint64_t h[2];
};

struct recall_slot {
	uint64_t check;         /* h[0]: its low bits also pick the slot */
	uint32_t check_hi;      /* h[1] >> 32 */
	uint32_t id1;           /* id + 1; 0 = empty */
};

struct id_recall {
	struct recall_slot *slots;
	uint32_t mask, count;
	size_t max_bytes;       /* the slots never take more */
	struct siphash_key key[RECALL_KINDS];   /* one a kind: a string's id never answers for a site */
};

/* Empty, with fresh keys, growing up to MAX_BYTES of slots. 0, -ENOMEM or getrandom's -errno. */
int id_recall_init(struct id_recall *r, size_t max_bytes);
void id_recall_free(struct id_recall *r);
/* Forgets every entry; the keys stay. */
void id_recall_clear(struct id_recall *r);

void id_recall_fingerprint(const struct id_recall *r, enum recall_kind kind, const void *p, size_t n,
			   struct recall_fp *fp);
/* The id remembered under FP, or UINT32_MAX. */
uint32_t id_recall_find(const struct id_recall *r, const struct recall_fp *fp);
/* Remembers ID under FP (not there yet). 0, -ENOSPC past max_bytes, -ENOMEM. */
int id_recall_add(struct id_recall *r, const struct recall_fp *fp, uint32_t id);
size_t id_recall_bytes(const struct id_recall *r);

#endif
