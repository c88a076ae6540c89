/* SPDX-License-Identifier: MIT */
/* Checking a log's digests: found by path and kind, equal to what sha256sum says of the file. */
#ifndef KETTLE_DIGEST_CHECK_H
#define KETTLE_DIGEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "log/log_reader.h"

/* SHA-256 of a file's content now; 0 or -1. */
static inline int sha256_of(const char *path, uint8_t out[32])
{
	unsigned char buf[65536];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t got;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	if (!f)
		ok = 0;
	while (ok && f && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(ctx, buf, got) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 32;
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* The first digest of KIND for PATH in the log (NULL: none). */
static inline const struct log_digest *find_digest(const struct log_file *f, const char *path,
						   enum log_digest_kind kind)
{
	for (size_t i = 0; i < f->ndigests; i++)
		if (f->digests[i].kind == kind && !strcmp(f->digests[i].path, path))
			return &f->digests[i];
	return NULL;
}

/* Whether D is a clean digest of PATH's content as it is now. */
static inline bool digest_is_content(const struct log_digest *d, const char *path)
{
	uint8_t want[32];

	return d && d->result == 0 && !d->flags && sha256_of(path, want) == 0 && !memcmp(want, d->sha256, 32);
}

/* Creates PATH holding DATA; 0 or -1. */
static inline int write_text(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(data, f);
	return fclose(f);
}

#endif
