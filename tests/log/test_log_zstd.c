// SPDX-License-Identifier: MIT
/*
 * A log written with zstd compression (kettle run's default): the file is
 * one zstd frame of exactly the CBOR an uncompressed writer writes, it reads
 * back to the same events, checkpoints and trailer, and it is smaller.  Cut
 * at any byte it reads up to its last record zstd gives back and says it was
 * cut; a damaged frame, a frame asking for a huge window and CBOR that
 * expands far beyond its compressed bytes are refused with one line, never
 * read into unbounded memory.
 */
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>
#include <zstd.h>

#include "log/log_format.h"
#include "common/file_bytes.h"
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "testlib.h"

#define NEVENTS    30000
#define CP_EVERY   5000         /* events between checkpoints: each ends a zstd block */

static char tmp_dir[256];

static const char *scratch(const char *name)
{
	static char path[512];

	if (!tmp_dir[0]) {
		const char *d = getenv("TMPDIR");

		snprintf(tmp_dir, sizeof(tmp_dir), "%s/kettle-zstd-XXXXXX", d && *d ? d : "/tmp");
		if (!mkdtemp(tmp_dir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	return path;
}

static const char *const command[] = { "make", "-j2" };

/* A build's worth of opens, execs and checkpoints; the same bytes for every COMPRESSION. */
static int write_log(const char *path, enum log_compression compression, int level)
{
	const struct log_header h = { .kettle_version = "t", .host = "h", .kernel_release = "6.1", .boot_id = "b",
				      .start_wall_ns = 1, .start_boot_ns = 1000, .root_pid = 100,
				      .command = command, .ncommand = 2, .cwd = "/src" };
	const struct log_writer_opts o = { .compression = compression, .zstd_level = level };
	const char *argv[] = { "cc", "-c", "-O2", "-Iinclude" };
	struct log_losses losses = { 0 };
	struct log_trailer t = { .exit_status = 0 };
	struct log_writer *w;
	char err[256], p[96];
	int r = 0;

	w = log_writer_open_with(path, &h, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	for (uint32_t i = 0; i < NEVENTS && !r; i++) {
		struct log_event e = { .ts_ns = 2000 + i * 1700ull, .tgid = 100 + i % 13 };

		e.tid = e.tgid;
		if (i % 500 == 0) {
			snprintf(p, sizeof(p), "src/file%05u.c", i);
			argv[3] = p;
			e.type = LOG_EV_EXEC;
			e.exec.exe = "/usr/bin/cc";
			e.exec.filename = "cc";
			e.exec.cwd = "/src";
			e.exec.argv = argv;
			e.exec.argc = e.exec.nargv = 4;
		} else {
			snprintf(p, sizeof(p), "/usr/include/dir%02u/header%04u.h", i % 17, i % 2003);
			e.type = LOG_EV_OPEN;
			e.open.path = p;
			e.open.result = i % 3 ? 3 : -2;
			e.open.call = 2;
			e.open.ino = i % 2003 + 1;
		}
		r = log_write_event(w, &e);
		if (!r && i % CP_EVERY == CP_EVERY - 1)
			r = log_write_checkpoint(w, e.ts_ns, &losses);
	}
	t.end_boot_ns = 2000 + NEVENTS * 1700ull;
	if (!r)
		r = log_write_trailer(w, &t);
	return log_writer_close(w) || r ? -1 : 0;
}

/* The whole file, however large: the tests write it themselves. */
static int slurp(const char *path, uint8_t **buf, size_t *len)
{
	return file_read_bounded(path, (size_t)1 << 32, buf, len, NULL, 0);
}

static int spill(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* FNV-1a over what a reader of events sees. */
static uint64_t events_hash(const struct log_file *f)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < f->nevents; i++) {
		const struct log_event *e = &f->events[i];
		uint64_t v[3] = { e->ts_ns, e->tgid, e->type };
		const char *s = e->type == LOG_EV_OPEN ? e->open.path : e->exec.argv[3];

		for (size_t k = 0; k < sizeof(v); k++)
			h = (h ^ ((const uint8_t *)v)[k]) * 1099511628211ull;
		for (; s && *s; s++)
			h = (h ^ (uint8_t)*s) * 1099511628211ull;
	}
	return h;
}

static int test_compressed_reads_as_the_plain_log(void)
{
	char plain[512], packed[512];
	uint8_t *a = NULL, *b = NULL, *back = NULL;
	size_t na = 0, nb = 0;
	unsigned long long content;
	struct log_file fa, fb;
	char err[256];

	snprintf(plain, sizeof(plain), "%s", scratch("plain.cbor"));
	snprintf(packed, sizeof(packed), "%s", scratch("packed.cbor"));
	CHECK(write_log(plain, LOG_COMPRESSION_NONE, 0) == 0, "write the plain log");
	CHECK(write_log(packed, LOG_COMPRESSION_ZSTD, 0) == 0, "write the compressed log");
	CHECK(slurp(plain, &a, &na) == 0 && slurp(packed, &b, &nb) == 0, "read both files");
	CHECK(nb >= 4 && !memcmp(b, LOG_ZSTD_MAGIC, 4), "the compressed file starts with the zstd magic");
	CHECK(nb * 3 < na * 2, "compressed %zu bytes, plain %zu: not a third smaller", nb, na);
	/* one frame, and its content is the uncompressed writer's bytes exactly */
	CHECK(ZSTD_findFrameCompressedSize(b, nb) == nb, "the file is one whole zstd frame");
	content = ZSTD_getFrameContentSize(b, nb);
	back = malloc(na + 1);
	CHECK(back && ZSTD_decompress(back, na + 1, b, nb) == na && !memcmp(back, a, na),
	      "the frame's content is not the plain log's bytes (content size %llu)", content);
	free(back);

	CHECK(log_read_file(plain, &fa, err, sizeof(err)) == 0, "plain: %s", err);
	CHECK(log_read_file(packed, &fb, err, sizeof(err)) == 0, "compressed: %s", err);
	CHECK(!fa.compressed && fb.compressed, "compressed flags %d %d", fa.compressed, fb.compressed);
	CHECK(fa.nevents == NEVENTS && fb.nevents == NEVENTS && events_hash(&fa) == events_hash(&fb),
	      "events: %zu plain, %zu compressed", fa.nevents, fb.nevents);
	CHECK(fb.has_trailer && !fb.truncated && fb.ncheckpoints == NEVENTS / CP_EVERY &&
	      fb.ncheckpoints == fa.ncheckpoints, "trailer, %zu checkpoints", fb.ncheckpoints);
	for (size_t i = 0; i < fa.ncheckpoints; i++)
		CHECK(!memcmp(fa.checkpoints[i].sha256, fb.checkpoints[i].sha256, 32), "checkpoint %zu", i);
	CHECK(fb.file_bytes == nb && fb.content_bytes == na && fb.valid_bytes == na &&
	      fa.file_bytes == na && fa.content_bytes == na,
	      "sizes: compressed file %" PRIu64 " (of %zu), CBOR %" PRIu64 "/%" PRIu64 " (of %zu)",
	      fb.file_bytes, nb, fb.content_bytes, fb.valid_bytes, na);
	log_file_free(&fa);
	log_file_free(&fb);
	/* the same bytes from memory (kettle provenance reads the log whole) */
	CHECK(log_read_buffer(b, nb, &fb, err, sizeof(err)) == 0 && fb.nevents == NEVENTS && fb.compressed &&
	      fb.file_bytes == nb && fb.content_bytes == na, "read from a buffer: %s", err);
	log_file_free(&fb);
	free(a);
	free(b);
	unlink(plain);
	unlink(packed);
	return TEST_PASS;
}

/* Every level kettle allows writes a log that reads back; a level outside them is refused before writing. */
static int test_levels(void)
{
	const char *path = scratch("level.cbor");
	struct log_file f;
	char err[256];

	for (int level = LOG_ZSTD_LEVEL_MIN; level <= LOG_ZSTD_LEVEL_MAX; level++) {
		CHECK(write_log(path, LOG_COMPRESSION_ZSTD, level) == 0, "level %d", level);
		CHECK(log_read_file(path, &f, err, sizeof(err)) == 0 && f.nevents == NEVENTS && f.has_trailer,
		      "level %d: %s", level, err);
		log_file_free(&f);
	}
	{
		const struct log_header h = { .kettle_version = "t", .command = command, .ncommand = 2 };
		const struct log_writer_opts o = { .compression = LOG_COMPRESSION_ZSTD, .zstd_level = 19 };

		CHECK(!log_writer_open_with(path, &h, &o, err, sizeof(err)) && strstr(err, "Invalid argument"),
		      "level 19 is refused: %s", err);
	}
	unlink(path);
	return TEST_PASS;
}

/*
 * The compressed log cut at a byte: it reads (or, cut inside the first block,
 * fails with one line), says it was cut, never holds more events than a
 * longer cut, and from the file as from a buffer.
 */
static int check_cut(const char *path, const uint8_t *buf, size_t cut, size_t *prev_events)
{
	struct log_file a, b;
	char ea[256] = "", eb[256] = "";
	int ra, rb;

	CHECK(spill(path, buf, cut) == 0, "write the cut copy");
	ra = log_read_file(path, &a, ea, sizeof(ea));
	rb = log_read_buffer(buf, cut, &b, eb, sizeof(eb));
	CHECK(ra == rb && !strcmp(ea, eb), "cut at %zu: file %d '%s', buffer %d '%s'", cut, ra, ea, rb, eb);
	if (ra) {
		/* cut inside the magic, the file is not recognisably zstd: read as CBOR, it is not a log */
		CHECK((cut < 4 || strstr(ea, "zstd")) && !strchr(ea, '\n'), "cut at %zu: the error is not about zstd: %s",
		      cut, ea);
		CHECK(*prev_events == 0, "cut at %zu fails after a shorter cut read %zu events", cut, *prev_events);
		return TEST_PASS;
	}
	CHECK(a.truncated && !a.has_trailer && a.compressed, "cut at %zu: not reported as cut", cut);
	CHECK(a.valid_bytes <= a.content_bytes && a.file_bytes == cut, "cut at %zu: sizes %" PRIu64 " %" PRIu64
	      " %" PRIu64, cut, a.valid_bytes, a.content_bytes, a.file_bytes);
	CHECK(a.nevents == b.nevents && a.nevents >= *prev_events, "cut at %zu: %zu events (file), %zu (buffer), "
	      "%zu at a shorter cut", cut, a.nevents, b.nevents, *prev_events);
	*prev_events = a.nevents;
	log_file_free(&a);
	log_file_free(&b);
	return TEST_PASS;
}

static int test_cut_reads_to_the_last_block(void)
{
	char packed[512], cutp[512];
	uint8_t *b = NULL;
	size_t nb = 0, prev = 0, step;
	struct log_file f;
	char err[256];

	snprintf(packed, sizeof(packed), "%s", scratch("cut-src.cbor"));
	snprintf(cutp, sizeof(cutp), "%s", scratch("cut.cbor"));
	CHECK(write_log(packed, LOG_COMPRESSION_ZSTD, 0) == 0 && slurp(packed, &b, &nb) == 0, "write the log");
	step = nb / 80 + 1;
	for (size_t cut = 1; cut < nb; cut += step)
		if (check_cut(cutp, b, cut, &prev) != TEST_PASS)
			return TEST_FAIL;
	/* one byte short: every checkpoint's block is whole, only the trailer's is not */
	CHECK(check_cut(cutp, b, nb - 1, &prev) == TEST_PASS, "one byte short");
	CHECK(log_read_file(cutp, &f, err, sizeof(err)) == 0, "%s", err);
	CHECK(f.ncheckpoints == NEVENTS / CP_EVERY && f.nevents == NEVENTS, "one byte short: %zu checkpoints, "
	      "%zu events (the last checkpoint follows the last event)", f.ncheckpoints, f.nevents);
	log_file_free(&f);
	free(b);
	unlink(packed);
	unlink(cutp);
	return TEST_PASS;
}

/*
 * A log that compresses a hundredfold, as one zstd block bigger than the
 * reader's window (a small buffer gets a small one): zstd gives the block
 * back over several reads, and the reader asks until zstd has nothing left
 * (it may hold output after taking the last compressed byte).
 */
static int test_small_window_gets_every_block(void)
{
	const char *path = scratch("dense.cbor");
	const struct log_header h = { .kettle_version = "t", .command = command, .ncommand = 2,
				      .start_boot_ns = 1000, .root_pid = 100 };
	struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = 1000, .tgid = 100, .tid = 100 };
	struct log_trailer t = { .end_boot_ns = 1000 };
	struct log_writer *w;
	struct log_file a, b;
	uint8_t *plain = NULL, *z = NULL;
	size_t len = 0, cap, nz;
	char err[256] = "";

	e.open.path = "/usr/include/stdio.h";
	e.open.result = 3;
	e.open.call = 2;
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "%s", err);
	for (uint32_t i = 0; i < 16000; i++)
		CHECK(log_write_event(w, &e) == 0, "open %u", i);
	CHECK(log_write_trailer(w, &t) == 0 && log_writer_close(w) == 0, "trailer");
	CHECK(slurp(path, &plain, &len) == 0 && len > 80000 && len < 120000, "a CBOR of %zu bytes: one block", len);
	cap = ZSTD_compressBound(len);
	z = malloc(cap);
	CHECK(z, "memory");
	nz = ZSTD_compress(z, cap, plain, len, 1);
	CHECK(!ZSTD_isError(nz) && nz < 16384, "compressed to %zu bytes", nz);
	CHECK(log_read_buffer(plain, len, &a, err, sizeof(err)) == 0, "plain: %s", err);
	CHECK(log_read_buffer(z, nz, &b, err, sizeof(err)) == 0, "compressed: %s", err);
	CHECK(b.nevents == a.nevents && b.has_trailer && !b.truncated && b.content_bytes == len,
	      "plain %zu events, compressed %zu (trailer %d, %" PRIu64 " CBOR bytes of %zu)", a.nevents, b.nevents,
	      b.has_trailer, b.content_bytes, len);
	log_file_free(&a);
	log_file_free(&b);
	free(plain);
	free(z);
	unlink(path);
	return TEST_PASS;
}

/* kettle interrupted before its trailer still closes the frame: the log is whole zstd, a CBOR cut short. */
static int test_closed_without_trailer(void)
{
	const char *path = scratch("no-trailer.cbor");
	const struct log_header h = { .kettle_version = "t", .command = command, .ncommand = 2,
				      .start_boot_ns = 1000, .root_pid = 100 };
	const struct log_writer_opts o = { .compression = LOG_COMPRESSION_ZSTD };
	struct log_event e = { .type = LOG_EV_FORK, .ts_ns = 2000, .tgid = 100, .tid = 100 };
	struct log_writer *w;
	struct log_file f;
	uint8_t *b = NULL;
	size_t nb = 0;
	char err[256] = "";

	w = log_writer_open_with(path, &h, &o, err, sizeof(err));
	CHECK(w, "%s", err);
	for (uint32_t i = 0; i < 100; i++) {
		e.fork.child_tgid = 200 + i;
		CHECK(log_write_event(w, &e) == 0, "fork %u", i);
	}
	CHECK(log_writer_close(w) == 0, "close");
	CHECK(slurp(path, &b, &nb) == 0 && ZSTD_findFrameCompressedSize(b, nb) == nb, "one whole frame");
	free(b);
	CHECK(log_read_file(path, &f, err, sizeof(err)) == 0, "%s", err);
	CHECK(f.nevents == 100 && f.truncated && !f.has_trailer && f.valid_bytes == f.content_bytes,
	      "%zu events, truncated %d, trailer %d", f.nevents, f.truncated, f.has_trailer);
	log_file_free(&f);
	unlink(path);
	return TEST_PASS;
}

static int read_fails_with(const uint8_t *buf, size_t len, const char *needle)
{
	const char *path = scratch("bad.cbor");
	struct log_file f;
	char err[256] = "";

	CHECK(spill(path, buf, len) == 0, "write the file");
	CHECK(log_read_file(path, &f, err, sizeof(err)) == -1, "a bad stream of %zu bytes was read", len);
	CHECK(strstr(err, needle) && !strchr(err, '\n'), "the error '%s' does not say '%s'", err, needle);
	CHECK(log_read_buffer(buf, len, &f, err, sizeof(err)) == -1 && strstr(err, needle),
	      "from a buffer: '%s'", err);
	unlink(path);
	return TEST_PASS;
}

static int test_garbage_frame(void)
{
	uint8_t buf[256];

	memcpy(buf, LOG_ZSTD_MAGIC, 4);
	for (size_t i = 4; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	return read_fails_with(buf, sizeof(buf), "invalid zstd stream");
}

/*
 * Frames that ask for memory: a window of 2 GiB, a single segment (window =
 * content) of 2^62 bytes.  Refused from the header, nothing allocated.
 */
static int test_huge_window_refused(void)
{
	/* frame header descriptor 0: window descriptor follows; exponent 21 = window 2^31 */
	const uint8_t window[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00 };
	/* descriptor 0xe0: single segment, 8-byte content size 2^62 */
	const uint8_t content[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x01, 0x00, 0x00 };

	if (read_fails_with(window, sizeof(window), "window over the limit") != TEST_PASS)
		return TEST_FAIL;
	return read_fails_with(content, sizeof(content), "window over the limit");
}

static int count_event(void *arg, const struct log_event *ev, char *err, size_t errlen)
{
	(void)ev;
	(void)err;
	(void)errlen;
	++*(uint64_t *)arg;
	return 0;
}

/*
 * Valid CBOR that compresses a thousandfold: a log header and then the same
 * open record again and again, past LOG_ZSTD_SLACK bytes.  The reader stops
 * at LOG_ZSTD_EXPANSION times the compressed bytes with one line.
 */
static int test_decompression_bomb_refused(void)
{
	const char *path = scratch("bomb-src.cbor");
	const struct log_header h = { .kettle_version = "t", .host = "h", .kernel_release = "6.1", .boot_id = "b",
				      .start_wall_ns = 1, .start_boot_ns = 1000, .root_pid = 100,
				      .command = command, .ncommand = 2, .cwd = "/src" };
	struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = 1000, .tgid = 100, .tid = 100 };
	uint64_t mark[4] = { 0 };
	struct log_writer *w;
	uint8_t *plain = NULL, *chunk, *out;
	size_t nplain = 0, nrec, nchunk, cap, outlen = 0;
	ZSTD_CCtx *zc;
	uint64_t counted = 0;
	struct log_event_sink sink = { count_event, &counted, .counts_only = true };
	struct log_file f;
	char err[256] = "";
	int rc;

	e.open.path = "/usr/include/stdio.h";
	e.open.result = 3;
	e.open.call = 2;
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "%s", err);
	for (int i = 0; i < 4; i++) {
		CHECK(log_write_event(w, &e) == 0, "event %d", i);
		mark[i] = log_writer_bytes(w);
	}
	CHECK(log_writer_close(w) == 0 && slurp(path, &plain, &nplain) == 0 && nplain == mark[3], "the log");
	/* events 3 and 4 are the same bytes: the same open, 0 ns and 0 pids later */
	nrec = mark[3] - mark[2];
	CHECK(nrec == mark[2] - mark[1] && !memcmp(plain + mark[2], plain + mark[1], nrec), "a repeatable record");
	nchunk = (1u << 20) / nrec * nrec;
	chunk = malloc(nchunk);
	cap = 1u << 20;
	out = malloc(cap);
	zc = ZSTD_createCCtx();
	CHECK(chunk && out && zc, "memory");
	for (size_t i = 0; i < nchunk; i += nrec)
		memcpy(chunk + i, plain + mark[2], nrec);
	/* the log, then 3 x LOG_ZSTD_SLACK of the record: a few KiB compressed */
	for (size_t total = 0, i = 0; total < 3ull * LOG_ZSTD_SLACK; i++) {
		ZSTD_inBuffer in = i ? (ZSTD_inBuffer){ chunk, nchunk, 0 } : (ZSTD_inBuffer){ plain, nplain, 0 };
		size_t left;

		total += in.size;
		do {
			ZSTD_outBuffer o = { out + outlen, cap - outlen, 0 };

			left = ZSTD_compressStream2(zc, &o, &in, total >= 3ull * LOG_ZSTD_SLACK ? ZSTD_e_end :
						    ZSTD_e_continue);
			CHECK(!ZSTD_isError(left), "compress");
			outlen += o.pos;
			CHECK(outlen < cap, "the bomb fits 1 MiB");
		} while (in.pos < in.size || (total >= 3ull * LOG_ZSTD_SLACK && left));
	}
	ZSTD_freeCCtx(zc);
	free(chunk);
	free(plain);
	CHECK(outlen * LOG_ZSTD_EXPANSION < 3ull * LOG_ZSTD_SLACK, "a bomb: %zu compressed bytes", outlen);
	CHECK(spill(path, out, outlen) == 0, "write the bomb");
	rc = log_read_file_to(path, &f, &sink, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "decompression bomb") && !strchr(err, '\n'), "the bomb read: %d '%s'", rc,
	      err);
	rc = log_read_buffer_to(out, outlen, &f, &sink, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "decompression bomb"), "from a buffer: %d '%s'", rc, err);
	free(out);
	unlink(path);
	return TEST_PASS;
}

/* Uncompressed logs (every log before compression, tests/data) read as ever: nothing changes for them. */
static int test_plain_sample_unchanged(void)
{
	char path[512];
	struct log_file f;
	char err[256];

	snprintf(path, sizeof(path), "%s/tests/data/log-v2-run.cbor", KETTLE_SOURCE_DIR);
	CHECK(log_read_file(path, &f, err, sizeof(err)) == 0, "%s", err);
	CHECK(!f.compressed && f.content_bytes == f.file_bytes && f.valid_bytes == f.file_bytes && f.has_trailer,
	      "sizes %" PRIu64 " %" PRIu64 " %" PRIu64, f.file_bytes, f.content_bytes, f.valid_bytes);
	log_file_free(&f);
	return TEST_PASS;
}

static int test_cleanup(void)
{
	if (tmp_dir[0])
		rmdir(tmp_dir);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "compressed_log_is_the_plain_cbor_in_one_frame", test_compressed_reads_as_the_plain_log },
	{ "every_allowed_level_reads_back", test_levels },
	{ "cut_anywhere_reads_to_the_last_whole_block", test_cut_reads_to_the_last_block },
	{ "closed_without_trailer_is_a_whole_frame", test_closed_without_trailer },
	{ "small_window_gets_every_block", test_small_window_gets_every_block },
	{ "garbage_frame_is_one_line_error", test_garbage_frame },
	{ "huge_window_or_content_refused", test_huge_window_refused },
	{ "decompression_bomb_refused", test_decompression_bomb_refused },
	{ "plain_sample_reads_unchanged", test_plain_sample_unchanged },
	{ "cleanup", test_cleanup },
};

TEST_MAIN("log_zstd", tests)
