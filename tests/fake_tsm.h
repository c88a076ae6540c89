/* SPDX-License-Identifier: MIT */
/*
 * A plain directory that behaves like configfs-tsm's report root for one
 * request, for tests.  configfs creates an entry's attribute files at mkdir;
 * a plain directory cannot, so the fixture pre-populates the entry the code
 * will make (kettle-<pid> of the requesting process): mkdir then finds it
 * (EEXIST, which the code accepts as a shared entry).  `generation` is a FIFO
 * fed by a child process with the values the kernel would show, so the
 * code's before/after generation check runs exactly as on configfs.
 */
#ifndef KETTLE_FAKE_TSM_H
#define KETTLE_FAKE_TSM_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fake_tsm {
	char root[512];
	char entry[600];
	pid_t feeder;           /* writes the generation values; 0 when none */
};

static inline int fake_write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1200];
	int fd;
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	w = n ? write(fd, p, n) : 0;
	return close(fd) == 0 && w == (ssize_t)n ? 0 : -1;
}

static inline int fake_copy_file(const char *from, const char *dir, const char *name)
{
	char buf[65536];
	FILE *f = fopen(from, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return fake_write_file(dir, name, buf, n);
}

/*
 * Makes ROOT with the entry kettle-<PID>: PROVIDER, OUTBLOB_FILE's bytes,
 * AUXBLOB_FILE's bytes (NULL: no auxblob attribute), an empty inblob, and a
 * generation FIFO that will yield GENS[0..NGENS-1] to successive readers.
 */
static inline int fake_tsm_make(struct fake_tsm *t, const char *root, pid_t pid, const char *provider,
				const char *outblob_file, const char *auxblob_file,
				const uint64_t *gens, size_t ngens)
{
	char cmd[1400], fifo[700], line[32];

	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "%s", root);
	snprintf(t->entry, sizeof(t->entry), "%s/kettle-%d", root, (int)pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root, t->entry);
	if (system(cmd) != 0)
		return -1;
	snprintf(line, sizeof(line), "%s\n", provider);
	if (fake_write_file(t->entry, "provider", line, strlen(line)) ||
	    fake_write_file(t->entry, "inblob", "", 0) ||
	    fake_copy_file(outblob_file, t->entry, "outblob") ||
	    (auxblob_file && fake_copy_file(auxblob_file, t->entry, "auxblob")))
		return -1;
	snprintf(fifo, sizeof(fifo), "%s/generation", t->entry);
	if (mkfifo(fifo, 0644))
		return -1;
	t->feeder = fork();
	if (t->feeder < 0)
		return -1;
	if (t->feeder == 0) {
		char next[720];

		snprintf(next, sizeof(next), "%s.next", fifo);
		for (size_t i = 0; i < ngens; i++) {
			int fd = open(fifo, O_WRONLY), n;

			if (fd < 0)
				_exit(1);
			/*
			 * A reader has this FIFO open: put the next value's FIFO at the
			 * path before answering, so a quick re-open can never find this
			 * one again (after the last value, a file that is not a number).
			 */
			if (i + 1 < ngens ? mkfifo(next, 0644) : fake_write_file(t->entry, "generation.next", "no more\n", 8))
				_exit(1);
			if (rename(next, fifo))
				_exit(1);
			n = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)gens[i]);
			if (write(fd, line, (size_t)n) != n)
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	return 0;
}

/* Stops the feeder (it may still wait for a reader) and removes the directory. */
static inline void fake_tsm_destroy(struct fake_tsm *t)
{
	char cmd[600];

	if (t->feeder > 0) {
		kill(t->feeder, SIGKILL);
		waitpid(t->feeder, NULL, 0);
		t->feeder = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", t->root);
}

#endif
