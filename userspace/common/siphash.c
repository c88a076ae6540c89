// SPDX-License-Identifier: MIT
/* SipHash-2-4, 128-bit output: two compression rounds a word, four to finish. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "common/siphash.h"

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void sip_absorb(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

static uint64_t sip_squeeze(struct sip_state *s)
{
	for (int i = 0; i < 4; i++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

void siphash128(const struct siphash_key *key, const void *p, size_t n, uint64_t out[2])
{
	struct sip_state s = {
		0x736f6d6570736575ull ^ key->k0, 0x646f72616e646f6dull ^ key->k1 ^ 0xee,
		0x6c7967656e657261ull ^ key->k0, 0x7465646279746573ull ^ key->k1,
	};
	const uint8_t *b = p;
	uint64_t m, last = (uint64_t)n << 56;
	size_t tail = n & 7;

	for (size_t i = 0; i + 8 <= n; i += 8) {
		memcpy(&m, b + i, 8);
		sip_absorb(&s, le64toh(m));
	}
	for (size_t i = 0; i < tail; i++)
		last |= (uint64_t)b[n - tail + i] << (8 * i);
	sip_absorb(&s, last);
	s.v2 ^= 0xee;
	out[0] = sip_squeeze(&s);
	s.v1 ^= 0xdd;
	out[1] = sip_squeeze(&s);
}

int siphash_key_random(struct siphash_key *key)
{
	uint8_t b[16];
	ssize_t got = getrandom(b, sizeof(b), 0);

	if (got != (ssize_t)sizeof(b))
		return got < 0 ? -errno : -EIO;
	memcpy(&key->k0, b, 8);
	memcpy(&key->k1, b + 8, 8);
	key->k0 = le64toh(key->k0);
	key->k1 = le64toh(key->k1);
	return 0;
}
