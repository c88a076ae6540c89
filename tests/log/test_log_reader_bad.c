// SPDX-License-Identifier: MIT
/* The log reader on cut, damaged and hostile input: clear errors, never a crash. */
#include <inttypes.h>
#include <stdint.h>

#include <zstd.h>

#include "log/log_reader.h"
#include "log/log_writer.h"
#include "testlib.h"

static const char *const command[] = { "sh", "-c", "make" };

static const char *const env_vars[] = { "FOO=bar", "PATH=/usr/bin:/bin",
	"GITHUB_TOKEN=sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b" };
static const struct log_env sample_env = { .envc = 4, .flags = LOG_ENV_CUT_COUNT, .nvars = 3,
					   .vars = env_vars };

/* Version 3 with the environment recorded and no secret pattern: the header ends [1, []]. */
static struct log_header test_header(void)
{
	return (struct log_header){ .kettle_version = "0.1.0", .host = "h", .kernel_release = "6.1",
				    .boot_id = "b", .start_wall_ns = 1, .start_boot_ns = 1000,
				    .root_pid = 100, .command = command, .ncommand = 3,
				    .cwd = "/src", .env_mode = LOG_ENV_RECORDED };
}

/* Digests (each identity form) and exec identities, after the opens of sample_log. */
static void write_hash_records(struct log_writer *w, const struct log_event *open, size_t i)
{
	static const char *const needed[] = { "libc.so.6", "libm.so.6", "libz.so.1" };
	struct log_digest d = { .kind = LOG_DIGEST_INPUT, .path = open->open.path,
				.boot_ns = open->ts_ns + 100, .ino = open->open.ino };
	struct log_exec_ident x = { .path = "/usr/bin/cc", .kind = LOG_FILE_ELF_DYN, .elf_class = 64,
				    .elf_machine = 62, .build_id = "8f3c0a11", .interp = "/lib/ld.so",
				    .needed = needed, .nneeded = 3 };

	memset(d.sha256, (int)i, sizeof(d.sha256));
	if (i == 1) {                   /* unchanged: names the open's site */
		log_write_digest(w, &d);
		log_write_exec_ident(w, &x);
	} else if (i == 3) {            /* changed: an identity of its own */
		d.flags = LOG_DIGEST_CHANGED;
		d.size = 99;
		log_write_digest(w, &d);
	} else if (i == 2) {            /* what the kernel module measured: hashed, then failed without a path */
		struct log_kmod_exec k = { .ts_ns = open->ts_ns + 50, .tgid = 101, .tid = 101, .cgroup_id = 7,
					   .path = "/usr/bin/cc", .bytes_hashed = 4096, .dev = 8, .ino = 12,
					   .generation = 3, .size = 4096, .mtime_ns = 5, .ctime_ns = 6 };

		memset(k.sha256, 0xcc, sizeof(k.sha256));
		log_write_kmod_exec(w, &k);
		k = (struct log_kmod_exec){ .ts_ns = open->ts_ns + 60, .tgid = 102, .tid = 102,
					    .flags = LOG_KMOD_PATH_ERROR, .result = -5 };
		log_write_kmod_exec(w, &k);
	} else if (i == 4) {            /* not hashed, no identity */
		d.result = -2;
		d.ino = 0;
		d.kind = LOG_DIGEST_OUTPUT;
		log_write_digest(w, &d);
		x = (struct log_exec_ident){ .path = "/src/run.sh", .kind = LOG_FILE_SCRIPT,
					     .script_interp = "/bin/sh", .script_arg = "-e" };
		log_write_exec_ident(w, &x);
	}
}

/* Writes a small log with every record kind to a file and returns its bytes. */
static uint8_t *sample_log(size_t *len, size_t nopens, bool trailer)
{
	static const char *const argv[] = { "cc", "-c", "stdio_user.c" };
	static const char *const long1[] = { "sh", "-c", "set -e; echo '  CC  fs/ext4/inode.o'; "
					     "gcc -c -o fs/ext4/inode.o fs/ext4/inode.c" };
	static const char *const long2[] = { "sh", "-c", "set -e; echo '  CC  fs/ext4/namei.o'; "
					     "gcc -c -o fs/ext4/namei.o fs/ext4/namei.c" };
	struct log_header h = test_header();
	struct log_event e = { .type = LOG_EV_FORK, .ts_ns = 2000, .tgid = 100, .tid = 100,
			       .uid = 1, .gid = 1, .cgroup_id = 7, .mntns = 9 };
	struct log_trailer t = { .end_boot_ns = 99999, .exit_status = 0 };
	char path[] = "/tmp/kettle-bad-XXXXXX", err[256];
	struct log_writer *w;
	struct log_file f;
	uint8_t *buf = NULL;
	int fd = mkstemp(path);
	FILE *fp;

	if (fd < 0)
		return NULL;
	close(fd);
	w = log_writer_open(path, &h, err, sizeof(err));
	if (!w)
		return NULL;
	if (nopens >= 40)       /* the writer forgets its tables now and then: forget records, strings written again */
		log_writer_test_table_budget(w, 400);
	e.fork.child_tgid = 101;
	log_write_event(w, &e);
	e.type = LOG_EV_EXEC;
	e.tgid = e.tid = 101;
	e.exec = (typeof(e.exec)){ .exe = "/usr/bin/cc", .filename = "cc", .cwd = "/src",
				   .ppid = 100, .argc = 3, .nargv = 3, .argv = argv, .env = &sample_env };
	log_write_event(w, &e);
	if (nopens > 2) {       /* two long words, the second diffed against the first */
		e.exec.argv = long1;
		log_write_event(w, &e);
		e.exec.argv = long2;
		log_write_event(w, &e);
	}
	e.type = LOG_EV_OPEN;
	for (size_t i = 0; i < nopens; i++) {
		e.ts_ns += 1500;
		e.tid = i % 3 ? 101 : 102;
		e.uid = i == nopens / 2 ? 0 : 1;
		e.open = (typeof(e.open)){ .path = i % 2 ? "/usr/include/stdio.h" : "/src/missing.h",
					   .passed = i % 2 ? NULL : "missing.h", .result = i % 2 ? 3 : -2,
					   .call = 2, .ino = i % 2 ? 77 : 0 };
		log_write_event(w, &e);
		if (nopens > 2)
			write_hash_records(w, &e, i);
		if (i == nopens / 2)
			log_write_checkpoint(w, e.ts_ns, NULL);
	}
	e.type = LOG_EV_EXIT;
	e.exit.status = 0;
	log_write_event(w, &e);
	if (nopens > 2)
		t.hash = (struct log_hash_stats){ .queued = 5, .hashed = 2, .failed = 1, .changed = 1,
						  .queue_full = 2 };
	if (nopens > 2)
		log_write_kmod_stats(w, &(struct log_kmod_stats){ .measured = 2, .errors = 1, .received = 2,
								  .hashed_bytes = 4096 });
	if (trailer)
		log_write_trailer(w, &t);
	if (log_writer_close(w))
		return NULL;
	if (log_read_file(path, &f, err, sizeof(err)) == 0) {
		*len = f.file_bytes;
		log_file_free(&f);
		buf = malloc(*len);
		fp = fopen(path, "rb");
		if (!buf || !fp || fread(buf, 1, *len, fp) != *len) {
			free(buf);
			buf = NULL;
		}
		if (fp)
			fclose(fp);
	}
	unlink(path);
	return buf;
}

/* Reads a private copy of exactly LEN bytes, so that ASan sees any read past the end. */
static int read_copy(const uint8_t *buf, size_t len, struct log_file *f, char *err, size_t errlen)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		return -2;
	memcpy(copy, buf, len);
	r = log_read_buffer(copy, len, f, err, errlen);
	free(copy);
	return r;
}

static bool same_event(const struct log_event *a, const struct log_event *b)
{
	if (a->type != b->type || a->ts_ns != b->ts_ns || a->tgid != b->tgid || a->tid != b->tid ||
	    a->uid != b->uid)
		return false;
	if (a->type == LOG_EV_OPEN)
		return a->open.result == b->open.result && !strcmp(a->open.path, b->open.path);
	if (a->type == LOG_EV_EXEC)
		return a->exec.env && b->exec.env && a->exec.env->nvars == b->exec.env->nvars &&
		       !strcmp(a->exec.env->vars[2], b->exec.env->vars[2]);
	return true;
}

static int check_prefix(const struct log_file *full, const struct log_file *cut, size_t len)
{
	CHECK(cut->nevents <= full->nevents, "cut at %zu: %zu events", len, cut->nevents);
	for (size_t i = 0; i < cut->nevents; i++)
		CHECK(same_event(&full->events[i], &cut->events[i]), "cut at %zu: event %zu", len, i);
	CHECK(cut->valid_bytes <= len, "cut at %zu: valid_bytes %" PRIu64, len, cut->valid_bytes);
	CHECK(cut->ndigests <= full->ndigests && cut->nexec_idents <= full->nexec_idents,
	      "cut at %zu: %zu digests, %zu identities", len, cut->ndigests, cut->nexec_idents);
	for (size_t i = 0; i < cut->ndigests; i++)
		CHECK(!memcmp(&full->digests[i].sha256, &cut->digests[i].sha256, 32) &&
		      full->digests[i].size == cut->digests[i].size &&
		      !strcmp(full->digests[i].path, cut->digests[i].path), "cut at %zu: digest %zu",
		      len, i);
	CHECK(cut->nkmod_execs <= full->nkmod_execs, "cut at %zu: %zu kmod records", len, cut->nkmod_execs);
	for (size_t i = 0; i < cut->nkmod_execs; i++)
		CHECK(!memcmp(&full->kmod_execs[i].sha256, &cut->kmod_execs[i].sha256, 32) &&
		      full->kmod_execs[i].ts_ns == cut->kmod_execs[i].ts_ns &&
		      full->kmod_execs[i].result == cut->kmod_execs[i].result, "cut at %zu: kmod record %zu", len, i);
	CHECK(!cut->has_kmod_stats || cut->kmod_stats.measured == full->kmod_stats.measured,
	      "cut at %zu: kmod stats", len);
	for (size_t i = 0; i < cut->nexec_idents; i++)
		CHECK(full->exec_idents[i].nneeded == cut->exec_idents[i].nneeded &&
		      !strcmp(full->exec_idents[i].path, cut->exec_idents[i].path),
		      "cut at %zu: exec identity %zu", len, i);
	return TEST_PASS;
}

static int test_truncated_at_every_byte(void)
{
	size_t len = 0, header_end = 0;
	uint8_t *buf = sample_log(&len, 40, true);
	struct log_file full, cut;
	char err[256];

	CHECK(buf, "sample log");
	CHECK(log_read_buffer(buf, len, &full, err, sizeof(err)) == 0, "full: %s", err);
	CHECK(!full.truncated && full.ncheckpoints == 1, "full log complete");
	CHECK(full.ndigests == 3 && full.nexec_idents == 2 && full.trailer.hash.queue_full == 2 &&
	      full.nkmod_execs == 2 && full.has_kmod_stats && full.kmod_stats.errors == 1,
	      "hash records in the sample");
	for (size_t n = 0; n < len; n++) {
		int r = read_copy(buf, n, &cut, err, sizeof(err));

		if (r != 0) {
			CHECK(r == -1 && header_end == 0, "cut at %zu: %d (%s)", n, r, err);
			CHECK(err[0] && !strchr(err, '\n'), "cut at %zu: one-line error", n);
			continue;
		}
		if (!header_end)
			header_end = n;
		CHECK(cut.truncated, "cut at %zu: not flagged truncated", n);
		if (check_prefix(&full, &cut, n))
			return TEST_FAIL;
		log_file_free(&cut);
	}
	printf("# %zu cuts of a %zu-byte log; header complete at byte %zu\n", len, len, header_end);
	log_file_free(&full);
	free(buf);
	return TEST_PASS;
}

static int expect_error(const uint8_t *buf, size_t len, const char *needle)
{
	struct log_file f;
	char err[256] = "";
	int r = read_copy(buf, len, &f, err, sizeof(err));

	if (r == 0)
		log_file_free(&f);
	CHECK(r == -1, "accepted (expected \"%s\")", needle);
	CHECK(strstr(err, needle), "error \"%s\" lacks \"%s\"", err, needle);
	CHECK(strstr(err, "byte") || strstr(err, "empty"), "error \"%s\" has no offset", err);
	return TEST_PASS;
}

static int test_empty(void)
{
	return expect_error((const uint8_t *)"", 0, "empty file");
}

static int test_garbage(void)
{
	uint64_t s = 12345;
	uint8_t buf[4096];

	for (int round = 0; round < 5000; round++) {
		size_t n = 1 + (size_t)(s % sizeof(buf));
		struct log_file f;
		char err[256];

		for (size_t i = 0; i < n; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			buf[i] = (uint8_t)(s >> 56);
		}
		if (read_copy(buf, n, &f, err, sizeof(err)) == 0)
			log_file_free(&f);
	}
	return expect_error((const uint8_t *)"\xff\x00garbage", 9, "byte 0");
}

/* Garbage after a good header: anything may be said about it, but nothing may crash. */
static int test_garbage_after_header(void)
{
	size_t len = 0;
	uint8_t *good = sample_log(&len, 0, false);
	uint64_t s = 99;

	CHECK(good, "sample log");
	for (int round = 0; round < 5000; round++) {
		size_t tail = (size_t)(s % 300) + 1;
		uint8_t *buf = malloc(len + tail);
		struct log_file f;
		char err[256];

		CHECK(buf, "malloc");
		memcpy(buf, good, len);
		for (size_t i = 0; i < tail; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			/* small values, so that plausible records come up often */
			buf[len + i] = (uint8_t)(s >> 60 < 12 ? (s >> 40) % 0x20 + (s >> 63) * 0x80
							      : s >> 56);
		}
		if (log_read_buffer(buf, len + tail, &f, err, sizeof(err)) == 0)
			log_file_free(&f);
		free(buf);
	}
	free(good);
	return TEST_PASS;
}

/* A header-only log followed by RECORD. */
/* The length of GOOD's header record: the shortest prefix that reads. */
static size_t header_length(const uint8_t *good, size_t len)
{
	struct log_file f;
	char err[256];

	for (size_t k = 1; k <= len; k++) {
		if (log_read_buffer(good, k, &f, err, sizeof(err)) == 0) {
			k = f.valid_bytes;
			log_file_free(&f);
			return k;
		}
	}
	return len;
}

/* GOOD's header, then RECORD: expects NEEDLE.  Frees GOOD. */
static int header_of_plus(uint8_t *good, size_t len, const uint8_t *record, size_t n, const char *needle)
{
	uint8_t *buf;
	size_t hlen;
	int r;

	CHECK(good, "sample log");
	hlen = header_length(good, len);
	buf = malloc(hlen + n);
	CHECK(buf, "malloc");
	memcpy(buf, good, hlen);
	memcpy(buf + hlen, record, n);
	r = expect_error(buf, hlen + n, needle);
	free(buf);
	free(good);
	return r;
}

static int header_plus(const uint8_t *record, size_t n, const char *needle)
{
	size_t len = 0;
	uint8_t *good = sample_log(&len, 0, false);

	return header_of_plus(good, len, record, n, needle);
}

static int test_huge_array(void)
{
	static const uint8_t rec[] = { 0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0x05, 0x00 };

	return header_plus(rec, sizeof(rec), "4294967296 elements");
}

static int test_huge_string(void)
{
	static const uint8_t rec[] = { 0x82, 0x06, 0x7b, 0x10, 0, 0, 0, 0, 0, 0, 0, 'a', 'b' };

	return header_plus(rec, sizeof(rec), "exceeds the limit");
}

static int test_huge_argv(void)
{
	/* exec event whose argv claims 2^32 entries */
	static const uint8_t rec[] = { 0x8d, 0x02, 0x00, 0x00, 0xf6, 0x00, 0xf6, 0xf6, 0x00,
				       0x00, 0x00, 0xf4, 0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0xf6 };

	return header_plus(rec, sizeof(rec), "argv: array of 4294967296");
}

static int test_undefined_string(void)
{
	/* open site whose path is string 5 of none */
	static const uint8_t rec[] = { 0x87, 0x08, 0x05, 0x00, 0xf6, 0x02, 0x00, 0x00 };

	return header_plus(rec, sizeof(rec), "undefined string 5");
}

static int test_diff_out_of_base(void)
{
	/* "abc", then a diff against it copying 5 bytes from offset 1 */
	static const uint8_t rec[] = { 0x82, 0x06, 0x63, 'a', 'b', 'c',
				       0x83, 0x06, 0x00, 0x84, 0x60, 0x01, 0x05, 0x60 };

	return header_plus(rec, sizeof(rec), "string diff length");
}

static int test_undefined_site(void)
{
	static const uint8_t rec[] = { 0x85, 0x05, 0x00, 0x00, 0x03, 0x03 };

	return header_plus(rec, sizeof(rec), "undefined open site 3");
}

static int test_unknown_kind(void)
{
	static const uint8_t rec[] = { 0x81, 0x18, 0x63 };

	return header_plus(rec, sizeof(rec), "unknown record kind 99");
}

/* A string "/a" (string 0), then RECORD. */
static int after_string(const uint8_t *record, size_t n, const char *needle)
{
	uint8_t buf[256] = { 0x82, 0x06, 0x62, '/', 'a' };

	CHECK(n + 5 <= sizeof(buf), "record too long");
	memcpy(buf + 5, record, n);
	return header_plus(buf, n + 5, needle);
}

static int test_digest_bad_length(void)
{
	/* [11, 1, 0, 0, h'00', 0]: a one-byte SHA-256 */
	static const uint8_t rec[] = { 0x86, 0x0b, 0x01, 0x00, 0x00, 0x41, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "SHA-256 of 1 bytes");
}

static int test_digest_bad_outcome(void)
{
	/* [11, 1, 0, 0, 5, 0]: neither a digest nor a negative errno */
	static const uint8_t rec[] = { 0x86, 0x0b, 0x01, 0x00, 0x00, 0x05, 0x00 };

	return after_string(rec, sizeof(rec), "negative errno");
}

static int test_digest_undefined_string(void)
{
	static const uint8_t rec[] = { 0x86, 0x0b, 0x01, 0x05, 0x00, 0x21, 0x00 };

	return after_string(rec, sizeof(rec), "undefined string 5");
}

static int test_digest_null_path(void)
{
	static const uint8_t rec[] = { 0x86, 0x0b, 0x01, 0xf6, 0x00, 0x21, 0x00 };

	return after_string(rec, sizeof(rec), "digest path: null");
}

static int test_digest_undefined_site(void)
{
	/* [11, 1, 0, 0, -2, 0, 9]: identity of open site 9, of none */
	static const uint8_t rec[] = { 0x87, 0x0b, 0x01, 0x00, 0x00, 0x21, 0x00, 0x09 };

	return after_string(rec, sizeof(rec), "undefined open site 9");
}

static int test_digest_bad_kind(void)
{
	static const uint8_t rec[] = { 0x86, 0x0b, 0x04, 0x00, 0x00, 0x21, 0x00 };

	return after_string(rec, sizeof(rec), "digest kind");
}

static int test_digest_bad_shape(void)
{
	static const uint8_t rec[] = { 0x88, 0x0b, 0x01, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "digest record of 8 elements");
}

static int test_exec_ident_undefined_string(void)
{
	/* [12, 0, 0, 2, 64, 62, 9]: build id is string 9, of one */
	static const uint8_t rec[] = { 0x87, 0x0c, 0x00, 0x00, 0x02, 0x18, 0x40, 0x18, 0x3e, 0x09 };

	return after_string(rec, sizeof(rec), "build id: reference to undefined string 9");
}

static int test_exec_ident_oversized_needed(void)
{
	/* [12, 0, 0, 2, 64, 62, null, null, null, null, [4097 refs...]] */
	static const uint8_t rec[] = { 0x8b, 0x0c, 0x00, 0x00, 0x02, 0x18, 0x40, 0x18, 0x3e,
				       0xf6, 0xf6, 0xf6, 0xf6, 0x99, 0x10, 0x01, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "needed: array of 4097 elements");
}

static int test_exec_ident_huge_needed(void)
{
	static const uint8_t rec[] = { 0x8b, 0x0c, 0x00, 0x00, 0x02, 0x18, 0x40, 0x18, 0x3e,
				       0xf6, 0xf6, 0xf6, 0xf6, 0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0x00 };

	return after_string(rec, sizeof(rec), "needed: array of 4294967296 elements");
}

static int test_exec_ident_null_needed(void)
{
	static const uint8_t rec[] = { 0x8b, 0x0c, 0x00, 0x00, 0x02, 0x18, 0x40, 0x18, 0x3e,
				       0xf6, 0xf6, 0xf6, 0xf6, 0x82, 0x00, 0xf6 };

	return after_string(rec, sizeof(rec), "needed: null");
}

static int test_exec_ident_bad_shape(void)
{
	static const uint8_t rec[] = { 0x82, 0x0c, 0x00 };

	return after_string(rec, sizeof(rec), "exec identity record of 2 elements");
}

static int test_exec_ident_positive_result(void)
{
	static const uint8_t rec[] = { 0x83, 0x0c, 0x00, 0x01 };

	return after_string(rec, sizeof(rec), "exec identity result");
}

static int test_exec_ident_bad_kind(void)
{
	static const uint8_t rec[] = { 0x84, 0x0c, 0x00, 0x00, 0x07 };  /* one past LOG_FILE_KIND_LAST */

	return after_string(rec, sizeof(rec), "file kind");
}

/* The sample log with its format version byte set to VERSION, or NULL. */
static uint8_t *sample_of_version(uint8_t version, size_t *len)
{
	uint8_t *buf = sample_log(len, 2, true);
	/* [0, "kettle-log", 2, ...]: array head, kind, 1 + 10 bytes of magic, then the version */
	const size_t at = 1 + 1 + 1 + 10;

	if (buf && *len > at && buf[at] == LOG_FORMAT_VERSION) {
		buf[at] = version;
		return buf;
	}
	free(buf);
	return NULL;
}

/* The sample log with its format version byte set to VERSION; expects ERROR. */
static int version_error(uint8_t version, const char *error)
{
	size_t len = 0;
	uint8_t *buf = sample_of_version(version, &len);
	int r;

	CHECK(buf, "sample log with its version byte where expected");
	r = expect_error(buf, len, error);
	free(buf);
	return r;
}

static int test_newer_version(void)
{
	char want[128];

	snprintf(want, sizeof(want), "format version %d is newer than this kettle reads (1 to %d)",
		 LOG_FORMAT_VERSION + 1, LOG_FORMAT_VERSION);
	return version_error(LOG_FORMAT_VERSION + 1, want);
}

/* ---- forget records (version 6) ---- */

/* [20, 1, 0, 0] after string 0: the counts of records so far */
#define FORGET_AFTER_ONE_STRING 0x84, 0x14, 0x01, 0x00, 0x00

static int test_forget_counts_wrong(void)
{
	static const uint8_t rec[] = { 0x84, 0x14, 0x00, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "forget record counts 0 strings, 0 sites and 0 environments; the log has 1, 0 and 0");
}

static int test_forget_bad_length(void)
{
	static const uint8_t rec[] = { 0x83, 0x14, 0x01, 0x00 };

	return after_string(rec, sizeof(rec), "forget record of 3 elements");
}

/* A site naming string 0 after the forget record that put it out of reach. */
static int test_forgotten_string(void)
{
	static const uint8_t rec[] = { FORGET_AFTER_ONE_STRING, 0x87, 0x08, 0x00, 0x00, 0xf6, 0x02, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "site path: reference to string 0, forgotten before it (ids from 1)");
}

/* An open of site 0 after a forget record: [8, 0, 0, null, 2, 0, 0], [20, 1, 1, 0], [5, 0, 0, 0, 3] */
static int test_forgotten_site(void)
{
	static const uint8_t rec[] = { 0x87, 0x08, 0x00, 0x00, 0xf6, 0x02, 0x00, 0x00,
				       0x84, 0x14, 0x01, 0x01, 0x00, 0x85, 0x05, 0x00, 0x00, 0x00, 0x03 };

	return after_string(rec, sizeof(rec), "reference to open site 0, forgotten before it (ids from 1)");
}

/* A string diffed against a word written before the forget record. */
static int test_forgotten_diff_base(void)
{
	static const uint8_t rec[] = { FORGET_AFTER_ONE_STRING, 0x83, 0x06, 0x00, 0x81, 0x61, 'x' };

	return after_string(rec, sizeof(rec), "string prefix: reference to string 0, forgotten before it");
}

/* A version-5 log cannot hold a forget record. */
static int test_forget_in_v5_log(void)
{
	static const uint8_t rec[] = { 0x84, 0x14, 0x00, 0x00, 0x00 };
	size_t len = 0;
	uint8_t *buf = sample_of_version(5, &len);

	return header_of_plus(buf, len, rec, sizeof(rec), "record kind 20 in a version-5 log");
}

/* ---- environments (version 3) ---- */

static int test_env_undefined_string(void)
{
	static const uint8_t rec[] = { 0x84, 0x10, 0x01, 0x00, 0x81, 0x05 };    /* [16, 1, 0, [5]] */

	return after_string(rec, sizeof(rec), "undefined string 5");
}

static int test_env_null_var(void)
{
	static const uint8_t rec[] = { 0x84, 0x10, 0x01, 0x00, 0x81, 0xf6 };

	return after_string(rec, sizeof(rec), "env: null");
}

static int test_env_oversized(void)
{
	/* 4097 strings: one more than LOG_ENV_VARS_MAX */
	static const uint8_t rec[] = { 0x84, 0x10, 0x01, 0x00, 0x99, 0x10, 0x01, 0x00 };

	return after_string(rec, sizeof(rec), "env: array of 4097");
}

static int test_env_bad_flags(void)
{
	static const uint8_t rec[] = { 0x84, 0x10, 0x01, 0x08, 0x80 };

	return after_string(rec, sizeof(rec), "env flags: unknown bits 0x8");
}

static int test_env_bad_shape(void)
{
	static const uint8_t rec[] = { 0x83, 0x10, 0x01, 0x00 };

	return after_string(rec, sizeof(rec), "environment record of 3 elements");
}

static int test_env_garbage_envc(void)
{
	static const uint8_t rec[] = { 0x84, 0x10, 0x61, 'x', 0x00, 0x80 };

	return after_string(rec, sizeof(rec), "env envc");
}

/* An exec naming environment 3 when none was written. */
static int test_exec_undefined_env(void)
{
	static const uint8_t rec[] = { 0x8d, 0x02, 0x00, 0x00, 0xf6, 0x00, 0xf6, 0xf6, 0x00,
				       0x00, 0x00, 0xf4, 0x80, 0x03 };

	return header_plus(rec, sizeof(rec), "undefined environment 3");
}

static int test_exec_env_not_a_number(void)
{
	static const uint8_t rec[] = { 0x8d, 0x02, 0x00, 0x00, 0xf6, 0x00, 0xf6, 0xf6, 0x00,
				       0x00, 0x00, 0xf4, 0x80, 0x61, 'x' };

	return header_plus(rec, sizeof(rec), "exec env: expected an environment number");
}

/* A version-2 log (tests/data) cannot hold an environment record. */
static int test_env_in_v2_log(void)
{
	static const uint8_t rec[] = { 0x84, 0x10, 0x00, 0x00, 0x80 };
	FILE *fp = fopen("tests/data/log-v2-run.cbor", "rb");
	uint8_t *good = malloc(65536);
	size_t len;

	CHECK(fp && good, "open tests/data/log-v2-run.cbor");
	len = fread(good, 1, 65536, fp);
	fclose(fp);
	return header_of_plus(good, len, rec, sizeof(rec), "environment record in a version-2 log");
}

/* The header's env rule [mode, [patterns]] with a mode past LOG_ENV_RECORDED. */
static int test_env_rule_bad_mode(void)
{
	size_t len = 0;
	uint8_t *buf = sample_log(&len, 2, true);
	size_t hlen = buf ? header_length(buf, len) : 0;
	int r;

	/* test_header() ends the header with [1, []]: 0x82 0x01 0x80 */
	CHECK(buf && hlen > 3 && !memcmp(buf + hlen - 3, "\x82\x01\x80", 3), "env rule where expected");
	buf[hlen - 2] = 0x02;
	r = expect_error(buf, len, "env mode");
	free(buf);
	return r;
}

static int test_version_zero(void)
{
	return version_error(0, "unsupported format version 0");
}

static int test_not_a_log(void)
{
	static const uint8_t cbor[] = { 0x83, 0x00, 0x63, 'f', 'o', 'o', 0x01 };

	return expect_error(cbor, sizeof(cbor), "not a kettle log");
}

static int test_flipped_byte_before_checkpoint(void)
{
	size_t len = 0;
	uint8_t *buf = sample_log(&len, 20, true);
	uint8_t *p;
	int r;

	CHECK(buf, "sample log");
	p = memmem(buf, len, "stdio.h", 7);
	CHECK(p, "string in the log");
	p[0] = 'x';             /* still a valid record: only the digest can tell */
	r = expect_error(buf, len, "SHA-256 mismatch");
	free(buf);
	return r;
}

static int test_data_after_trailer(void)
{
	size_t len = 0;
	uint8_t *buf = sample_log(&len, 2, true);
	uint8_t *longer;
	int r;

	CHECK(buf, "sample log");
	longer = malloc(len + 1);
	CHECK(longer, "malloc");
	memcpy(longer, buf, len);
	longer[len] = 0x00;
	r = expect_error(longer, len + 1, "after the trailer");
	free(longer);
	free(buf);
	return r;
}

static int test_missing_file(void)
{
	struct log_file f;
	char err[256];

	CHECK(log_read_file("/nonexistent/kettle.log", &f, err, sizeof(err)) == -1, "missing");
	CHECK(strstr(err, "No such file"), "error: %s", err);
	return TEST_PASS;
}

/* KETTLE_LOG_EXAMPLE=FILE keeps the small log that docs/log-format.md walks through. */
static int test_example_for_docs(void)
{
	const char *out = getenv("KETTLE_LOG_EXAMPLE");
	size_t len = 0;
	uint8_t *buf = sample_log(&len, 2, true);
	FILE *fp;

	CHECK(buf, "sample log");
	if (out && *out) {
		fp = fopen(out, "wb");
		CHECK(fp, "%s: %s", out, strerror(errno));
		CHECK(fwrite(buf, 1, len, fp) == len && fclose(fp) == 0, "%s: write", out);
	}
	free(buf);
	return TEST_PASS;
}

/* KETTLE_FUZZ_SEEDS=DIR writes sample logs there: a seed corpus for tests/fuzz/fuzz_log_reader. */
static int test_fuzz_seeds(void)
{
	static const struct { size_t nopens; bool trailer; } shapes[] = {
		{ 0, false }, { 2, true }, { 6, true }, { 40, true } };
	const char *dir = getenv("KETTLE_FUZZ_SEEDS");

	if (!dir || !*dir)
		return TEST_PASS;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t len = 0;
		uint8_t *buf = sample_log(&len, shapes[i].nopens, shapes[i].trailer);
		char path[512];
		FILE *fp;

		CHECK(buf, "sample log");
		snprintf(path, sizeof(path), "%s/sample-%zu.cbor", dir, shapes[i].nopens);
		fp = fopen(path, "wb");
		CHECK(fp, "%s: %s", path, strerror(errno));
		CHECK(fwrite(buf, 1, len, fp) == len && fclose(fp) == 0, "%s: write", path);
		if (shapes[i].nopens == 40) {
			/* the same log as kettle run writes it by default: zstd */
			size_t cap = ZSTD_compressBound(len), n;
			uint8_t *z = malloc(cap);

			CHECK(z, "out of memory");
			n = ZSTD_compress(z, cap, buf, len, 1);
			CHECK(!ZSTD_isError(n), "compress");
			snprintf(path, sizeof(path), "%s/sample-%zu.zst", dir, shapes[i].nopens);
			fp = fopen(path, "wb");
			CHECK(fp && fwrite(z, 1, n, fp) == n && fclose(fp) == 0, "%s: write", path);
			free(z);
		}
		free(buf);
	}
	return TEST_PASS;
}

/* [17, dt, tgid, tid, uid, gid, cgroup, path, outcome, FLAGS, bytes, dev, ino, gen, size, mtime, ctime, i_version] */
static int kmod_exec_error(uint8_t path, uint8_t outcome, uint8_t flags, const char *needle)
{
	const uint8_t rec[] = { 0x92, 0x11, 0, 0, 0, 0, 0, 0, path, outcome, flags, 0, 0, 0, 0, 0, 0, 0, 0 };

	return after_string(rec, sizeof(rec), needle);
}

static int test_kmod_exec_bad_flags(void)
{
	return kmod_exec_error(0x00, 0x21, 0x10, "kmod exec flags: unknown bits 0x10");
}

static int test_kmod_exec_path_without_flag(void)
{
	/* a null path without KE_KMOD_PATH_ERROR, and a path with it */
	if (kmod_exec_error(0xf6, 0x21, 0x00, "the path and the path-error flag disagree"))
		return TEST_FAIL;
	return kmod_exec_error(0x00, 0x21, 0x04, "the path and the path-error flag disagree");
}

static int test_kmod_exec_undefined_string(void)
{
	return kmod_exec_error(0x05, 0x21, 0x00, "kmod exec path: reference to undefined string 5");
}

static int test_kmod_exec_bad_outcome(void)
{
	/* the outcome a positive number: neither a SHA-256 nor -errno */
	return kmod_exec_error(0x00, 0x01, 0x00, "expected a 32-byte SHA-256 or a negative errno");
}

static int test_kmod_exec_bad_shape(void)
{
	static const uint8_t rec[] = { 0x83, 0x11, 0x00, 0x00 };

	return after_string(rec, sizeof(rec), "kmod exec record of 3 elements");
}

static int test_kmod_exec_oversized_id(void)
{
	/* a tgid of 2^32: beyond a pid */
	static const uint8_t rec[] = { 0x92, 0x11, 0x00, 0x1b, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
				       0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	return after_string(rec, sizeof(rec), "kmod exec tgid: expected an unsigned integer up to 4294967295");
}

static int test_kmod_stats_twice(void)
{
	static const uint8_t rec[] = { 0x88, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x12, 0, 0, 0, 0, 0, 0, 0 };

	return header_plus(rec, sizeof(rec), "second kmod stats record");
}

static int test_kmod_stats_bad_shape(void)
{
	static const uint8_t rec[] = { 0x87, 0x12, 0, 0, 0, 0, 0, 0 };

	return header_plus(rec, sizeof(rec), "kmod stats record of 7 elements");
}

static int test_kmod_stats_garbage_counter(void)
{
	static const uint8_t rec[] = { 0x88, 0x12, 0, 0, 0, 0x20, 0, 0, 0 };

	return header_plus(rec, sizeof(rec), "kmod errors: expected an unsigned integer");
}

static const struct test tests[] = {
	{ "truncated_at_every_byte", test_truncated_at_every_byte },
	{ "empty", test_empty },
	{ "garbage", test_garbage },
	{ "garbage_after_header", test_garbage_after_header },
	{ "huge_array", test_huge_array },
	{ "huge_string", test_huge_string },
	{ "huge_argv", test_huge_argv },
	{ "undefined_string", test_undefined_string },
	{ "undefined_site", test_undefined_site },
	{ "diff_out_of_base", test_diff_out_of_base },
	{ "unknown_kind", test_unknown_kind },
	{ "digest_bad_length", test_digest_bad_length },
	{ "digest_bad_outcome", test_digest_bad_outcome },
	{ "digest_undefined_string", test_digest_undefined_string },
	{ "digest_null_path", test_digest_null_path },
	{ "digest_undefined_site", test_digest_undefined_site },
	{ "digest_bad_kind", test_digest_bad_kind },
	{ "digest_bad_shape", test_digest_bad_shape },
	{ "exec_ident_undefined_string", test_exec_ident_undefined_string },
	{ "exec_ident_oversized_needed", test_exec_ident_oversized_needed },
	{ "exec_ident_huge_needed", test_exec_ident_huge_needed },
	{ "exec_ident_null_needed", test_exec_ident_null_needed },
	{ "exec_ident_bad_shape", test_exec_ident_bad_shape },
	{ "exec_ident_positive_result", test_exec_ident_positive_result },
	{ "exec_ident_bad_kind", test_exec_ident_bad_kind },
	{ "kmod_exec_bad_flags", test_kmod_exec_bad_flags },
	{ "kmod_exec_path_without_flag", test_kmod_exec_path_without_flag },
	{ "kmod_exec_undefined_string", test_kmod_exec_undefined_string },
	{ "kmod_exec_bad_outcome", test_kmod_exec_bad_outcome },
	{ "kmod_exec_bad_shape", test_kmod_exec_bad_shape },
	{ "kmod_exec_oversized_id", test_kmod_exec_oversized_id },
	{ "kmod_stats_twice", test_kmod_stats_twice },
	{ "kmod_stats_bad_shape", test_kmod_stats_bad_shape },
	{ "kmod_stats_garbage_counter", test_kmod_stats_garbage_counter },
	{ "newer_version", test_newer_version },
	{ "forget_counts_wrong", test_forget_counts_wrong },
	{ "forget_bad_length", test_forget_bad_length },
	{ "forgotten_string", test_forgotten_string },
	{ "forgotten_site", test_forgotten_site },
	{ "forgotten_diff_base", test_forgotten_diff_base },
	{ "forget_in_v5_log", test_forget_in_v5_log },
	{ "env_undefined_string", test_env_undefined_string },
	{ "env_null_var", test_env_null_var },
	{ "env_oversized", test_env_oversized },
	{ "env_bad_flags", test_env_bad_flags },
	{ "env_bad_shape", test_env_bad_shape },
	{ "env_garbage_envc", test_env_garbage_envc },
	{ "exec_undefined_env", test_exec_undefined_env },
	{ "exec_env_not_a_number", test_exec_env_not_a_number },
	{ "env_in_v2_log", test_env_in_v2_log },
	{ "env_rule_bad_mode", test_env_rule_bad_mode },
	{ "version_zero", test_version_zero },
	{ "not_a_log", test_not_a_log },
	{ "flipped_byte_before_checkpoint", test_flipped_byte_before_checkpoint },
	{ "data_after_trailer", test_data_after_trailer },
	{ "missing_file", test_missing_file },
	{ "example_for_docs", test_example_for_docs },
	{ "fuzz_seeds", test_fuzz_seeds },
};

TEST_MAIN("log_reader_bad", tests)
