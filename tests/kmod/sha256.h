/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) for the static guest programs, which have no libcrypto. */
#ifndef KETTLE_GUEST_SHA256_H
#define KETTLE_GUEST_SHA256_H
#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);

#endif
