// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the build-log reader on arbitrary bytes, every record kind
 * included (digests, exec identities, environments, the kernel module's
 * records and stats).
 * The strings of what was read are walked, so ASan sees any pointer the reader
 * left dangling.  The same bytes read again by a counting reader (counts_only,
 * as `kettle log stats` reads) must give the same verdict, the same error and
 * the same counts: it checks as much while keeping less.  And the same bytes
 * compressed with zstd (as kettle run writes a log) must read to the same
 * verdict and counts, and cut anywhere in the compressed stream must read no
 * more than they do, so every input also drives the decompressing reader; an
 * input that is itself a zstd stream goes to it directly.  Seeds (the sample
 * logs hold every kind, one of them compressed): mkdir seeds &&
 * KETTLE_FUZZ_SEEDS=seeds build/tests/log/test_log_reader_bad, then
 * build-fuzz/fuzz_log_reader seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "log/log_format.h"
#include "log/log_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

size_t fuzz_log_reader_sink;    /* what the walk read, so it is not optimised away */

static int count_event(void *arg, const struct log_event *ev, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*(uint64_t *)arg += ev->ts_ns + ev->tgid;
	return 0;
}

/* The counting reader agrees with the full one on DATA: verdict, error, counts. */
static void counts_agree(const uint8_t *data, size_t size, int full_rc, const char *full_err,
			 const struct log_file *full)
{
	uint64_t sum = 0, full_sum = 0;
	struct log_event_sink sink = { count_event, &sum, .counts_only = true };
	struct log_file c;
	char err[256] = "";
	int rc = log_read_buffer_to(data, size, &c, &sink, err, sizeof(err));

	if (rc != full_rc || (rc && strcmp(err, full_err)))
		abort();
	if (rc)
		return;
	for (size_t i = 0; i < full->nevents; i++)
		full_sum += full->events[i].ts_ns + full->events[i].tgid;
	if (c.nevents != full->nevents || c.ndigests != full->ndigests || sum != full_sum ||
	    c.valid_bytes != full->valid_bytes || c.truncated != full->truncated ||
	    memcmp(&c.digest_tally, &full->digest_tally, sizeof(c.digest_tally)))
		abort();
	log_file_free(&c);
}

/* DATA compressed reads as DATA did (the error text may differ: its offsets are of the decompressed log). */
static void compressed_agrees(const uint8_t *data, size_t size, int full_rc, const struct log_file *full)
{
	static ZSTD_CCtx *zc;   /* one for the whole run: a context per input would be most of the time */
	size_t cap = ZSTD_compressBound(size), n;
	uint8_t *z = malloc(cap);
	struct log_file c;
	char err[256] = "";
	int rc;

	if (!zc)
		zc = ZSTD_createCCtx();
	if (!z || !zc)
		abort();
	n = ZSTD_compressCCtx(zc, z, cap, data, size, 1);
	if (ZSTD_isError(n))
		abort();
	rc = log_read_buffer(z, n, &c, err, sizeof(err));
	if (rc != full_rc)
		abort();
	if (!rc) {
		if (c.nevents != full->nevents || c.valid_bytes != full->valid_bytes ||
		    c.truncated != full->truncated || !c.compressed || c.content_bytes != size)
			abort();
		log_file_free(&c);
	}
	/* cut: whatever it reads, it reads no more */
	rc = log_read_buffer(z, n - n / 3, &c, err, sizeof(err));
	if (!rc) {
		if (!full_rc && c.nevents > full->nevents)
			abort();
		log_file_free(&c);
	}
	free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_file f;
	char err[256] = "";
	size_t sum = 0;
	int rc = log_read_buffer(data, size, &f, err, sizeof(err));

	counts_agree(data, size, rc, err, &f);
	if (size < 4 || memcmp(data, LOG_ZSTD_MAGIC, 4))
		compressed_agrees(data, size, rc, &f);
	if (rc)
		return 0;
	for (size_t i = 0; i < f.nkmod_execs; i++)
		sum += f.kmod_execs[i].path ? strlen(f.kmod_execs[i].path) : f.kmod_execs[i].sha256[0];
	for (size_t i = 0; i < f.ndigests; i++)
		sum += strlen(f.digests[i].path);
	for (size_t i = 0; i < f.nevents; i++) {
		const struct log_env *env = f.events[i].type == LOG_EV_EXEC ? f.events[i].exec.env : NULL;

		for (uint32_t k = 0; env && k < env->nvars; k++)
			sum += strlen(env->vars[k]) + env->envc + env->flags;
	}
	for (uint32_t i = 0; i < f.header.nsecret_patterns; i++)
		sum += strlen(f.header.secret_patterns[i]);
	fuzz_log_reader_sink += sum;
	log_file_free(&f);
	return 0;
}
