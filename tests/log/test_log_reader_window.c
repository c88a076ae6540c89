// SPDX-License-Identifier: MIT
/*
 * A log file is read a window at a time (a few MiB, not the whole file): the
 * same log read from its file and from one buffer gives the same events,
 * checkpoints (SHA-256 across windows), SHA-256 of its valid bytes, offsets and errors -- whole, cut at
 * and around window edges, damaged after a window edge, and with a header
 * bigger than the first window.  And a counting read (counts_only, as `kettle
 * log stats` reads) agrees with a full one, error for error, on every cut and
 * on damaged bytes of the sample logs.
 */
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "common/file_bytes.h"
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "testlib.h"

#define NEVENTS 400000          /* ~5 MiB of log: more than the first window (4 MiB) */
#define WINDOW (4u << 20)

static char tmp_path[256];

static const char *temp_log(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/kettle-win-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return NULL;
	close(fd);
	return tmp_path;
}

static const char *const command[] = { "make", "-j8", "all" };

/* NCOMMAND > 3: a header of NCOMMAND words, to outgrow the first window. */
static int write_log(const char *path, uint32_t ncommand)
{
	struct log_header h = { .kettle_version = "t", .host = "h", .kernel_release = "6.1", .boot_id = "b",
				.start_wall_ns = 1, .start_boot_ns = 1000, .root_pid = 100, .command = command,
				.ncommand = 3, .cwd = "/src" };
	const char **big = NULL;
	struct log_losses losses = { 0 };
	struct log_trailer t = { 0 };
	struct log_writer *w;
	char err[256], p[64];
	int r = 0;

	if (ncommand > 3) {
		big = calloc(ncommand, sizeof(*big));
		if (!big)
			return -1;
		for (uint32_t i = 0; i < ncommand; i++)
			big[i] = "a-header-word-of-a-very-long-command-line";
		h.command = big;
		h.ncommand = ncommand;
	}
	w = log_writer_open(path, &h, err, sizeof(err));
	free(big);
	if (!w)
		return -1;
	for (uint32_t i = 0; i < NEVENTS && !r; i++) {
		struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = 2000 + i * 1000ull, .tgid = 100 + i % 7 };

		e.tid = e.tgid;
		snprintf(p, sizeof(p), "/src/dir%03u/file%06u.c", i % 997, i % 50021);
		e.open.path = p;
		e.open.result = 3;
		e.open.call = 2;
		e.open.ino = i % 50021 + 1;
		r = log_write_event(w, &e);
		if (!r && i % 50000 == 49999)
			r = log_write_checkpoint(w, e.ts_ns, &losses);
	}
	t.end_boot_ns = 2000 + NEVENTS * 1000ull;
	if (!r)
		r = log_write_trailer(w, &t);
	return log_writer_close(w) || r ? -1 : 0;
}

/* The whole file, however large: the tests write it themselves. */
static int slurp(const char *path, uint8_t **buf, size_t *len)
{
	return file_read_bounded(path, (size_t)1 << 32, buf, len, NULL, 0);
}

/* FNV-1a over what a reader of events sees: time, process, path, result. */
static uint64_t events_hash(const struct log_file *f)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];
		uint64_t v[3] = { e->ts_ns, e->tgid, (uint64_t)(int64_t)e->open.result };
		const char *s = e->type == LOG_EV_OPEN && e->open.path ? e->open.path : "";

		for (size_t k = 0; k < sizeof(v); k++)
			h = (h ^ ((const uint8_t *)v)[k]) * 1099511628211ull;
		for (; *s; s++)
			h = (h ^ (uint8_t)*s) * 1099511628211ull;
	}
	return h;
}

/* The file PATH holding BUF[0..LEN) read both ways: the same answer, or the same error. */
static int same_both_ways(const char *path, const uint8_t *buf, size_t len, const char *what)
{
	struct log_file a, b;
	char ea[256] = "", eb[256] = "";
	FILE *out = fopen(path, "wb");
	uint8_t want[32];
	unsigned int nwant = 0;
	int ra, rb;

	CHECK(out && fwrite(buf, 1, len, out) == len && fclose(out) == 0, "%s: write the copy", what);
	ra = log_read_file(path, &a, ea, sizeof(ea));
	rb = log_read_buffer(buf, len, &b, eb, sizeof(eb));
	CHECK(ra == rb, "%s: file read %d (%s), buffer read %d (%s)", what, ra, ea, rb, eb);
	if (ra) {
		CHECK(!strcmp(ea, eb), "%s: errors differ: file '%s', buffer '%s'", what, ea, eb);
		return TEST_PASS;
	}
	CHECK(a.nevents == b.nevents && a.nrecords == b.nrecords, "%s: %zu/%" PRIu64 " events/records from the file, "
	      "%zu/%" PRIu64 " from the buffer", what, a.nevents, a.nrecords, b.nevents, b.nrecords);
	CHECK(a.valid_bytes == b.valid_bytes && a.file_bytes == b.file_bytes && a.file_bytes == len,
	      "%s: valid %" PRIu64 "/%" PRIu64 ", size %" PRIu64 "/%" PRIu64, what, a.valid_bytes, b.valid_bytes,
	      a.file_bytes, b.file_bytes);
	CHECK(a.truncated == b.truncated && a.has_trailer == b.has_trailer, "%s: truncated, trailer", what);
	CHECK(a.ncheckpoints == b.ncheckpoints, "%s: %zu checkpoints, %zu", what, a.ncheckpoints, b.ncheckpoints);
	for (size_t i = 0; i < a.ncheckpoints; i++)
		CHECK(a.checkpoints[i].offset == b.checkpoints[i].offset &&
		      !memcmp(a.checkpoints[i].sha256, b.checkpoints[i].sha256, 32), "%s: checkpoint %zu", what, i);
	CHECK(a.header.ncommand == b.header.ncommand, "%s: header command", what);
	CHECK(EVP_Digest(buf, (size_t)a.valid_bytes, want, &nwant, EVP_sha256(), NULL) == 1 && nwant == 32 &&
	      !memcmp(a.sha256, want, 32) && !memcmp(b.sha256, want, 32),
	      "%s: the SHA-256 of the %" PRIu64 " valid bytes", what, a.valid_bytes);
	CHECK(events_hash(&a) == events_hash(&b), "%s: events differ", what);
	log_file_free(&a);
	log_file_free(&b);
	return TEST_PASS;
}

static int test_whole_cut_and_damaged(void)
{
	const char *path = temp_log();
	char copy[300];
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = TEST_PASS;
	const size_t cuts[] = { WINDOW - 1, WINDOW, WINDOW + 1, WINDOW + 7, 2 * WINDOW / 3 };

	CHECK(path, "mkstemp");
	CHECK(write_log(path, 3) == 0 && slurp(path, &buf, &len) == 0, "write the log");
	unlink(path);
	CHECK(len > WINDOW + 64, "the log (%zu bytes) is more than one window", len);
	snprintf(copy, sizeof(copy), "%s.copy", path);
	r = same_both_ways(copy, buf, len, "whole");
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]) && r == TEST_PASS; i++) {
		char what[64];

		snprintf(what, sizeof(what), "cut at %zu", cuts[i]);
		r = same_both_ways(copy, buf, cuts[i], what);
	}
	if (r == TEST_PASS) {
		/* a byte changed after the first window: a checkpoint beyond it must notice */
		buf[WINDOW + 100] ^= 0x01;
		r = same_both_ways(copy, buf, len, "damaged");
	}
	if (r == TEST_PASS) {
		struct log_file f;
		char err[256];

		CHECK(log_read_file(copy, &f, err, sizeof(err)) != 0 && strstr(err, "at byte"),
		      "the damaged log fails with an offset: %s", err);
	}
	unlink(copy);
	free(buf);
	return r;
}

/* A header of 200k words (~8 MiB of strings) does not fit the first window: it grows. */
static int test_header_bigger_than_window(void)
{
	const char *path = temp_log();
	char copy[300];
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	CHECK(path, "mkstemp");
	CHECK(write_log(path, 200000) == 0 && slurp(path, &buf, &len) == 0, "write the log");
	unlink(path);
	CHECK(len > WINDOW * 2, "the header outgrows the window (%zu bytes)", len);
	snprintf(copy, sizeof(copy), "%s.copy", path);
	r = same_both_ways(copy, buf, len, "big header");
	if (r == TEST_PASS)
		r = same_both_ways(copy, buf, WINDOW + 3, "big header cut inside");
	unlink(copy);
	free(buf);
	return r;
}

static int count_event(void *arg, const struct log_event *ev, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*(uint64_t *)arg += ev->ts_ns * 31 + ev->tgid + ev->type;
	return 0;
}

static int counts_agree(const uint8_t *buf, size_t len, const char *what)
{
	uint64_t sum = 0, full_sum = 0;
	struct log_event_sink sink = { count_event, &sum, .counts_only = true };
	struct log_file a, b;
	char ea[256] = "", eb[256] = "";
	int ra = log_read_buffer(buf, len, &a, ea, sizeof(ea));
	int rb = log_read_buffer_to(buf, len, &b, &sink, eb, sizeof(eb));

	CHECK(ra == rb && !strcmp(ea, eb), "%s: full read %d '%s', counting read %d '%s'", what, ra, ea, rb, eb);
	if (ra)
		return TEST_PASS;
	for (size_t i = 0; i < a.nevents; i++)
		full_sum += a.events[i].ts_ns * 31 + a.events[i].tgid + a.events[i].type;
	CHECK(a.nevents == b.nevents && sum == full_sum, "%s: events", what);
	CHECK(a.ndigests == b.ndigests && !b.digests &&
	      !memcmp(&a.digest_tally, &b.digest_tally, sizeof(a.digest_tally)), "%s: digests", what);
	CHECK(a.valid_bytes == b.valid_bytes && a.truncated == b.truncated && a.nrecords == b.nrecords &&
	      a.ncheckpoints == b.ncheckpoints && a.has_trailer == b.has_trailer, "%s: shape", what);
	log_file_free(&a);
	log_file_free(&b);
	return TEST_PASS;
}

static int test_counting_read_agrees(void)
{
	static const char *const samples[] = { "log-v1-example.cbor", "log-v1-run.cbor", "log-v2-run.cbor" };
	uint64_t hashed = 0;

	for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		char path[512], what[600];
		uint8_t *buf = NULL;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/tests/data/%s", KETTLE_SOURCE_DIR, samples[k]);
		CHECK(slurp(path, &buf, &len) == 0, "read %s", path);
		for (size_t cut = 0; cut <= len; cut += 3) {
			snprintf(what, sizeof(what), "%s cut at %zu", samples[k], cut);
			if (counts_agree(buf, cut, what) != TEST_PASS)
				return TEST_FAIL;
		}
		for (size_t at = 0; at < len; at += 11) {
			buf[at] ^= 0x5a;
			snprintf(what, sizeof(what), "%s damaged at %zu", samples[k], at);
			if (counts_agree(buf, len, what) != TEST_PASS)
				return TEST_FAIL;
			buf[at] ^= 0x5a;
		}
		{
			struct log_file f;
			char err[256];

			CHECK(log_read_buffer(buf, len, &f, err, sizeof(err)) == 0, "%s: %s", samples[k], err);
			hashed += f.digest_tally.hashed;
			log_file_free(&f);
		}
		free(buf);
	}
	CHECK(hashed > 0, "the samples hold digests, so the tally is tested");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "counting_read_agrees_with_a_full_read", test_counting_read_agrees },
	{ "whole_cut_and_damaged_read_as_from_one_buffer", test_whole_cut_and_damaged },
	{ "header_bigger_than_the_window", test_header_bigger_than_window },
};

TEST_MAIN("log_reader_window", tests)
