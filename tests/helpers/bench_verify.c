// SPDX-License-Identifier: MIT
/*
 * For tools/bench/verify:
 *   bench_verify make OUT PLATFORM REPORT [CERTFILE...]   a bundle around a vector's report
 *   bench_verify time BUNDLE RUNS NOW [allow-sim [SIGSTORE_BUNDLE]]
 *                                                         read + verify RUNS times in-process; with a
 *                                                         Sigstore bundle, the whole chain: report,
 *                                                         key binding, envelope signature, statement
 *   bench_verify envelope BUNDLE DSSE RUNS                parse + verify the DSSE envelope alone with the
 *                                                         key BUNDLE binds (the in-toto figure's scope)
 * `time` prints "WALL_MEDIAN WALL_MIN CPU_MEDIAN passed|failed" (milliseconds) for
 * read + parse + verify of the bundle; CPU time is this thread's, so it stays
 * meaningful on a loaded machine where wall time mostly measures waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "attest/bundle.h"
#include "attest/bundle_verify.h"
#include "attest/session_key.h"
#include "attest/x509.h"
#include "common/file_bytes.h"
#include "provenance/envelope_verify.h"
#include "provenance/sigstore_bundle.h"

static int make(int argc, char **argv)
{
	struct bundle b = { 0 };
	struct x509_list l = { 0 };
	static const char statement[] = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[]}";
	uint8_t *buf;
	size_t len;
	char err[512];

	b.platform = bundle_platform_from_name(argv[3], strlen(argv[3]));
	if (b.platform == PLATFORM_NONE || file_read_bounded(argv[4], 1 << 20, &buf, &len, err, sizeof(err)))
		return fprintf(stderr, "bench_verify make: bad platform or %s\n", argv[4]), 2;
	if (bundle_set_report(&b, buf, len, err, sizeof(err)) ||
	    bundle_set_statement(&b, (const uint8_t *)statement, sizeof(statement) - 1, err, sizeof(err)))
		return fprintf(stderr, "bench_verify make: %s\n", err), 2;
	free(buf);
	for (int i = 5; i < argc; i++)
		if (x509_list_add_file(&l, argv[i], err, sizeof(err)) < 0)
			return fprintf(stderr, "bench_verify make: %s\n", err), 2;
	for (size_t i = 0; i < l.n; i++) {
		unsigned char *der = NULL;
		int n = i2d_X509(l.certs[i], &der);

		if (n <= 0 || bundle_add_cert(&b, i == 0 ? "vcek" : "chain", der, (size_t)n, err, sizeof(err)))
			return fprintf(stderr, "bench_verify make: certificate %zu: %s\n", i, err), 2;
		OPENSSL_free(der);
	}
	bundle_stamp(&b);
	if (bundle_write_file(&b, argv[2], err, sizeof(err)))
		return fprintf(stderr, "bench_verify make: %s\n", err), 2;
	x509_list_free(&l);
	bundle_free(&b);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The Sigstore bundle at PATH read, parsed and checked against B's bound key; 0, or -1 with ERR. */
static int signed_chain(const char *path, const struct bundle *b, struct check_list *l, char *err, size_t errlen)
{
	char hint[SIGSTORE_HINT_MAX + 1], why[256];
	struct dsse_envelope e;
	uint8_t *buf;
	size_t len;
	int r;

	if (file_read_bounded(path, DSSE_FILE_MAX, &buf, &len, err, errlen))
		return -1;
	r = sigstore_bundle_decode(buf, len, &e, hint, why, sizeof(why));
	free(buf);
	if (r)
		return snprintf(err, errlen, "%s: %s", path, why), -1;
	envelope_verify(b, &e, hint, l);
	dsse_envelope_free(&e);
	return 0;
}

static int timed(int argc, char **argv)
{
	int runs = atoi(argv[3]);
	struct bundle_verify_opts o = { .now = (time_t)strtoll(argv[4], NULL, 10),
					.allow_sim = argc > 5 && !strcmp(argv[5], "allow-sim") };
	double *ms, *cpu;
	bool passed = false;

	if (runs < 1 || !(ms = calloc((size_t)runs, sizeof(*ms))) || !(cpu = calloc((size_t)runs, sizeof(*cpu))))
		return 2;
	for (int i = 0; i < runs; i++) {
		struct timespec a, z, ca, cz;
		struct check_list l = { 0 };
		struct bundle b;
		char err[512];

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (bundle_read_file(argv[2], &b, err, sizeof(err)))
			return fprintf(stderr, "bench_verify: %s\n", err), 2;
		passed = bundle_verify(&b, &o, &l, NULL);
		if (argc > 6 && signed_chain(argv[6], &b, &l, err, sizeof(err)))
			return fprintf(stderr, "bench_verify: %s\n", err), 2;
		passed = check_all_passed(&l);
		bundle_free(&b);
		clock_gettime(CLOCK_MONOTONIC, &z);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cz);
		ms[i] = (z.tv_sec - a.tv_sec) * 1e3 + (z.tv_nsec - a.tv_nsec) / 1e6;
		cpu[i] = (cz.tv_sec - ca.tv_sec) * 1e3 + (cz.tv_nsec - ca.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	printf("%.3f %.3f %.3f %s\n", ms[runs / 2], ms[0], cpu[runs / 2], passed ? "passed" : "failed");
	free(ms);
	free(cpu);
	return 0;
}

/* The envelope alone, as the Python figure measures it: parse and verify, the key already loaded. */
static int envelope_only(char **argv)
{
	int runs = atoi(argv[4]);
	struct bundle b;
	uint8_t *buf;
	size_t len;
	char err[512];
	EVP_PKEY *key;
	double *cpu;
	bool ok = true;

	if (runs < 1 || bundle_read_file(argv[2], &b, err, sizeof(err)) ||
	    file_read_bounded(argv[3], DSSE_FILE_MAX, &buf, &len, err, sizeof(err)))
		return fprintf(stderr, "bench_verify envelope: %s\n", err), 2;
	key = session_key_from_spki(b.signing_key, b.signing_key_len, err, sizeof(err));
	cpu = calloc((size_t)runs, sizeof(*cpu));
	if (!key || !cpu)
		return fprintf(stderr, "bench_verify envelope: %s\n", key ? "out of memory" : err), 2;
	for (int i = 0; i < runs; i++) {
		struct timespec ca, cz;
		struct dsse_envelope e;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
		ok &= dsse_decode(buf, len, &e, err, sizeof(err)) == 0 && dsse_verify(&e, key, NULL, err, sizeof(err)) == 0;
		dsse_envelope_free(&e);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cz);
		cpu[i] = (cz.tv_sec - ca.tv_sec) * 1e3 + (cz.tv_nsec - ca.tv_nsec) / 1e6;
	}
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	printf("%.3f %s\n", cpu[runs / 2], ok ? "passed" : "failed");
	free(cpu);
	free(buf);
	EVP_PKEY_free(key);
	bundle_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "envelope"))
		return envelope_only(argv);
	if (argc >= 5 && !strcmp(argv[1], "make"))
		return make(argc, argv);
	if (argc >= 5 && !strcmp(argv[1], "time"))
		return timed(argc, argv);
	fprintf(stderr, "usage: bench_verify make OUT PLATFORM REPORT [CERTS...] | "
		"time BUNDLE RUNS NOW [allow-sim [SIGSTORE_BUNDLE]] | envelope BUNDLE DSSE RUNS\n");
	return 2;
}
