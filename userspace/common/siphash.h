/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4 with its 128-bit output (Aumasson and Bernstein, "SipHash: a
 * fast short-input PRF", 2012): a keyed function whose outputs an attacker
 * who does not know the key cannot make collide.  Kettle uses it where a
 * fingerprint stands in for bytes it no longer keeps.
 */
#ifndef KETTLE_SIPHASH_H
#define KETTLE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;        /* the key's bytes 0..7 and 8..15, read little-endian */
};

/* OUT[0] and OUT[1]: the output's bytes 0..7 and 8..15, read little-endian. */
void siphash128(const struct siphash_key *key, const void *p, size_t n, uint64_t out[2]);

/* A key from getrandom(2). 0 or -errno. */
int siphash_key_random(struct siphash_key *key);

#endif
