// SPDX-License-Identifier: MIT
/*
 * pread_sha256: the plainest fast reader-hasher, as a peer for tools/bench/hash.
 * One thread per core takes the next file, reads it with pread(2) into one
 * 64 KiB buffer and feeds OpenSSL's SHA-256; no io_uring, no batching.  For
 * large files this is the read-path ceiling of the machine: what any hasher
 * that reads through the page cache can reach, next to `openssl speed`, which
 * reads nothing.
 *
 *   pread_sha256 [-j N] < NUL-separated paths     (find ... -print0)
 *
 * Prints sha256sum lines in input order; exits 1 if a file could not be read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define BUF (64u * 1024)
#define MAX_FILES (1u << 22)

static EVP_MD *sha256;  /* fetched once: an implicit fetch per file costs microseconds */

struct job {
	char **paths;
	unsigned char (*digests)[32];
	int *errors;
	size_t n;
	atomic_size_t next;
};

static int digest_file(const char *path, EVP_MD_CTX *md, unsigned char *buf, unsigned char out[32])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t off = 0;
	ssize_t r;

	if (fd < 0)
		return errno;
	if (!EVP_DigestInit_ex(md, sha256, NULL)) {
		close(fd);
		return EIO;
	}
	while ((r = pread(fd, buf, BUF, off)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)r);
		off += r;
	}
	close(fd);
	if (r < 0)
		return errno;
	return EVP_DigestFinal_ex(md, out, NULL) ? 0 : EIO;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	unsigned char *buf = aligned_alloc(4096, BUF);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t i;

	if (!buf || !md) {
		fprintf(stderr, "pread_sha256: out of memory\n");
		exit(2);
	}
	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		j->errors[i] = digest_file(j->paths[i], md, buf, j->digests[i]);
	EVP_MD_CTX_free(md);
	free(buf);
	return NULL;
}

static int read_paths(struct job *j)
{
	size_t cap = 1024;
	char *line = NULL;
	size_t len = 0;
	ssize_t r;

	j->paths = malloc(cap * sizeof(*j->paths));
	if (!j->paths)
		return -1;
	while ((r = getdelim(&line, &len, '\0', stdin)) > 0) {
		if (j->n == MAX_FILES) {
			fprintf(stderr, "pread_sha256: more than %u files\n", MAX_FILES);
			return -1;
		}
		if (j->n == cap) {
			char **p = realloc(j->paths, 2 * cap * sizeof(*p));

			if (!p)
				return -1;
			j->paths = p;
			cap *= 2;
		}
		j->paths[j->n] = strdup(line);
		if (!j->paths[j->n++])
			return -1;
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	struct job j = { 0 };
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t *tids;
	int status = 0;

	if (argc == 3 && !strcmp(argv[1], "-j"))
		threads = strtol(argv[2], NULL, 10);
	else if (argc != 1) {
		fprintf(stderr, "usage: pread_sha256 [-j N] < NUL-separated paths\n");
		return 2;
	}
	if (threads < 1 || threads > 256) {
		fprintf(stderr, "pread_sha256: -j: 1 to 256 threads\n");
		return 2;
	}
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!sha256) {
		fprintf(stderr, "pread_sha256: OpenSSL has no SHA256\n");
		return 2;
	}
	if (read_paths(&j)) {
		fprintf(stderr, "pread_sha256: cannot read the list of paths\n");
		return 2;
	}
	j.digests = calloc(j.n ? j.n : 1, sizeof(*j.digests));
	j.errors = calloc(j.n ? j.n : 1, sizeof(*j.errors));
	tids = calloc((size_t)threads, sizeof(*tids));
	if (!j.digests || !j.errors || !tids)
		return 2;
	for (long t = 0; t < threads; t++)
		if (pthread_create(&tids[t], NULL, worker, &j)) {
			fprintf(stderr, "pread_sha256: cannot start a thread\n");
			return 2;
		}
	for (long t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	for (size_t i = 0; i < j.n; i++) {
		if (j.errors[i]) {
			fprintf(stderr, "pread_sha256: %s: %s\n", j.paths[i], strerror(j.errors[i]));
			status = 1;
			continue;
		}
		for (int b = 0; b < 32; b++)
			printf("%02x", j.digests[i][b]);
		printf("  %s\n", j.paths[i]);
	}
	return status;
}
