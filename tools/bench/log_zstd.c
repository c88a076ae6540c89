// SPDX-License-Identifier: MIT
/*
 * What zstd makes of an uncompressed build log, written as kettle run's
 * writer writes it (log/log_writer.c with LOG_COMPRESSION_ZSTD): one frame,
 * a block ended (ZSTD_e_flush) at every checkpoint and every 1 MiB buffer,
 * the same window.  For each level it prints the compressed bytes, bytes per
 * event and the CPU time compression took: the cost the collector's writer
 * thread pays.  With OUT it also keeps the level-N stream (kettle reads it).
 *
 *   log_zstd LOG.cbor [--level N] [-o OUT]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "common/file_bytes.h"
#include "log/log_reader.h"
#include "log/log_writer.h"

#define WBUF (1u << 20)         /* log_writer.c's WBUF_SIZE */

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compresses LOG[0..LEN) ending a block at each of the NCUT offsets CUT and every WBUF bytes. */
static size_t compress(const uint8_t *log, size_t len, const uint64_t *cut, size_t ncut, int level, FILE *out,
		       double *cpu)
{
	ZSTD_CCtx *zc = ZSTD_createCCtx();
	size_t cap = ZSTD_CStreamOutSize(), total = 0, pos = 0, k = 0;
	uint8_t *buf = malloc(cap);
	double t0 = cpu_s();

	if (!zc || !buf || ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(zc, ZSTD_c_windowLog, LOG_ZSTD_WINDOW_LOG)))
		exit(1);
	while (pos < len) {
		size_t end = pos + WBUF < len ? pos + WBUF : len, left;
		bool last;

		while (k < ncut && cut[k] <= pos)
			k++;
		if (k < ncut && cut[k] < end)
			end = (size_t)cut[k];
		last = end == len;
		ZSTD_inBuffer in = { log + pos, end - pos, 0 };
		do {
			ZSTD_outBuffer o = { buf, cap, 0 };

			left = ZSTD_compressStream2(zc, &o, &in, last ? ZSTD_e_end : ZSTD_e_flush);
			if (ZSTD_isError(left))
				exit(1);
			total += o.pos;
			if (out && fwrite(buf, 1, o.pos, out) != o.pos)
				exit(1);
		} while (left || in.pos < in.size);
		pos = end;
	}
	*cpu = cpu_s() - t0;
	ZSTD_freeCCtx(zc);
	free(buf);
	return total;
}

int main(int argc, char **argv)
{
	const char *out_path = NULL;
	int only = 0;
	struct log_file f;
	uint8_t *log = NULL;
	size_t len = 0;
	uint64_t *cut;
	char err[256];

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--level"))
			only = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-o"))
			out_path = argv[i + 1];
	}
	if (argc < 2 || only < 0 || only > LOG_ZSTD_LEVEL_MAX || (out_path && !only)) {
		fprintf(stderr, "usage: log_zstd LOG.cbor [--level 1..%d [-o OUT]]\n", LOG_ZSTD_LEVEL_MAX);
		return 2;
	}
	if (log_read_file(argv[1], &f, err, sizeof(err)) ||
	    file_read_bounded(argv[1], (size_t)16 << 30, &log, &len, err, sizeof(err))) {
		fprintf(stderr, "log_zstd: %s: %s\n", argv[1], err);
		return 1;
	}
	if (f.compressed) {
		fprintf(stderr, "log_zstd: %s is compressed already\n", argv[1]);
		return 1;
	}
	cut = calloc(f.ncheckpoints + 1, sizeof(*cut));
	if (!cut)
		return 1;
	for (size_t i = 0; i < f.ncheckpoints; i++)
		cut[i] = f.checkpoints[i].offset;
	printf("%s: %zu events, %zu checkpoints, %zu bytes, %.2f bytes/event uncompressed\n", argv[1], f.nevents,
	       f.ncheckpoints, len, (double)len / (double)f.nevents);
	for (int level = only ? only : LOG_ZSTD_LEVEL_MIN; level <= (only ? only : LOG_ZSTD_LEVEL_MAX); level++) {
		FILE *out = out_path ? fopen(out_path, "wb") : NULL;
		double cpu;
		size_t z;

		if (out_path && !out)
			return 1;
		z = compress(log, len, cut, f.ncheckpoints, level, out, &cpu);
		if (out && fclose(out))
			return 1;
		printf("zstd level %d: %zu bytes, %.2f bytes/event, %.1f%% of the CBOR, %.3f s CPU (%.0f MB/s)\n",
		       level, z, (double)z / (double)f.nevents, 100.0 * (double)z / (double)len, cpu,
		       (double)len / 1e6 / cpu);
	}
	log_file_free(&f);
	free(log);
	free(cut);
	return 0;
}
