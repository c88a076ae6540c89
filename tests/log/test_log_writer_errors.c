// SPDX-License-Identifier: MIT
/*
 * Log writer failures.  One that comes after a record's first byte is
 * sticky: every later call returns it and the log on disk ends before it,
 * so no record read back names a string by a number the writer did not
 * mean.  One found before the first byte leaves the writer usable.
 */
#include "log/log_format.h"     /* LOG_STR_MAX, LOG_STRINGS_MAX */
#include "log/log_reader.h"
#include "log/log_writer.h"
#include "testlib.h"

#define KMOD_PATH "/usr/bin/ld"

static char tmp_path[256];

static const char *t_temp_log(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/kettle-wr-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return NULL;
	close(fd);
	return tmp_path;
}

static struct log_header t_header(void)
{
	static const char *const command[] = { "make" };

	return (struct log_header){ .kettle_version = "test", .start_boot_ns = 1000, .root_pid = 100,
				    .command = command, .ncommand = 1, .cwd = "/src" };
}

/* Long enough to be diffed against the next word like it (DELTA_MIN_LEN). */
#define LONG_WORD(c) "-DCONFIG_ONE=1 -DCONFIG_TWO=2 -DCONFIG_THREE=3 -DCONFIG_FOUR=4 " \
		     "-DCONFIG_FIVE=5 -DCONFIG_SIX=6 -DCONFIG_SEVEN=7 -DUNIT=" c

static const char *const first_argv[] = { "cc", "-c", "a.c", LONG_WORD("a") };

static struct log_event t_exec(uint64_t ts, const char *const *argv, uint32_t nargv)
{
	struct log_event e = { .type = LOG_EV_EXEC, .ts_ns = ts, .tgid = 101, .tid = 101 };

	e.exec = (typeof(e.exec)){ .exe = "/bin/cc", .filename = "/bin/cc", .cwd = "/src",
				   .ppid = 100, .argc = nargv, .nargv = nargv, .argv = argv };
	return e;
}

static bool t_same_exec(const struct log_event *a, const struct log_event *b)
{
	if (a->type != b->type || a->ts_ns != b->ts_ns || a->tgid != b->tgid ||
	    strcmp(a->exec.exe, b->exec.exe) || a->exec.nargv != b->exec.nargv)
		return false;
	for (uint32_t i = 0; i < a->exec.nargv; i++)
		if (strcmp(a->exec.argv[i], b->exec.argv[i]))
			return false;
	return true;
}

/*
 * An exec, a checkpoint, then REFUSED while the string table is full; then,
 * with room again (as when memory comes back after an -ENOMEM), a kmod exec
 * of a new path, an event of known strings, the trailer.  Only what came
 * before REFUSED may be in the log, and as it was written.
 */
static int t_refusal(const struct log_event *refused)
{
	const struct log_event first = t_exec(2000, first_argv, 4), again = t_exec(4000, first_argv, 4);
	const struct log_kmod_exec k = { .ts_ns = 3500, .tgid = 101, .tid = 101, .path = KMOD_PATH };
	struct log_header h = t_header();
	const char *path = t_temp_log();
	int r_refused, r_kmod, r_again, r_trailer, r_close, r;
	struct log_writer *w;
	struct log_file f;
	char err[256];

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	CHECK(log_write_event(w, &first) == 0, "first exec");
	CHECK(log_write_checkpoint(w, 2500, NULL) == 0, "checkpoint");
	log_writer_test_strings_max(w, 0);
	r_refused = log_write_event(w, refused);
	log_writer_test_strings_max(w, LOG_STRINGS_MAX);
	r_kmod = log_write_kmod_exec(w, &k);
	r_again = log_write_event(w, &again);
	r_trailer = log_write_trailer(w, &(struct log_trailer){ .end_boot_ns = 5000 });
	r_close = log_writer_close(w);

	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	for (size_t i = 0; i < f.nkmod_execs; i++)
		CHECK(f.kmod_execs[i].path && !strcmp(f.kmod_execs[i].path, KMOD_PATH),
		      "kmod exec %zu: path %s, written as " KMOD_PATH, i, f.kmod_execs[i].path);
	CHECK(f.nevents >= 1 && t_same_exec(&first, &f.events[0]), "the first exec reads as written");
	for (size_t i = 1; i < f.nevents; i++)
		CHECK(t_same_exec(&again, &f.events[i]), "event %zu reads as written", i);
	CHECK(f.nevents == 1 && f.nkmod_execs == 0 && !f.has_trailer && f.truncated,
	      "the log ends at the checkpoint: %zu events, %zu kmod execs, trailer %d", f.nevents,
	      f.nkmod_execs, f.has_trailer);
	log_file_free(&f);
	CHECK(r_refused == -E2BIG, "the refused record: %d", r_refused);
	CHECK(r_kmod == -E2BIG && r_again == -E2BIG && r_trailer == -E2BIG,
	      "the writer stopped: kmod exec %d, event %d, trailer %d", r_kmod, r_again, r_trailer);
	CHECK(r_close == -E2BIG, "close reports it: %d", r_close);
	return TEST_PASS;
}

static int test_word_refused_after_its_record(void)
{
	static const char *const argv[] = { "cc", "-c", "b.c" };
	const struct log_event e = t_exec(3000, argv, 3);

	return t_refusal(&e);
}

static int test_path_refused_after_its_record(void)
{
	struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = 3000, .tgid = 101, .tid = 101 };

	e.open = (typeof(e.open)){ .path = "/src/b.c", .result = 3 };
	return t_refusal(&e);
}

static int test_diffed_word_refused_after_its_record(void)
{
	static const char *const argv[] = { "cc", "-c", "a.c", LONG_WORD("b") };
	const struct log_event e = t_exec(3000, argv, 4);

	return t_refusal(&e);
}

/* Before the first byte: the string is too long for the format, and nothing was written. */
static int test_string_too_long_keeps_the_writer(void)
{
	const struct log_event first = t_exec(2000, first_argv, 4), again = t_exec(4000, first_argv, 4);
	struct log_header h = t_header();
	const char *path = t_temp_log();
	char *huge = malloc(LOG_STR_MAX + 2), err[256];
	const char *argv[] = { "cc", huge };
	struct log_event e = t_exec(3000, argv, 2);
	struct log_writer *w;
	struct log_file f;
	int r;

	CHECK(path && huge, "setup");
	memset(huge, 'x', LOG_STR_MAX + 1);
	huge[LOG_STR_MAX + 1] = '\0';
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	CHECK(log_write_event(w, &first) == 0, "first exec");
	CHECK(log_write_event(w, &e) == -E2BIG, "a string over LOG_STR_MAX");
	CHECK(log_write_event(w, &again) == 0, "the writer goes on");
	CHECK(log_write_trailer(w, &(struct log_trailer){ .end_boot_ns = 5000 }) == 0, "trailer");
	CHECK(log_writer_close(w) == 0, "close");
	free(huge);
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	CHECK(f.has_trailer && f.nevents == 2 && t_same_exec(&first, &f.events[0]) &&
	      t_same_exec(&again, &f.events[1]), "both execs, as written");
	log_file_free(&f);
	return TEST_PASS;
}

static struct log_event t_open(uint64_t ts, uint32_t tgid, const char *path)
{
	struct log_event e = { .type = LOG_EV_OPEN, .ts_ns = ts, .tgid = tgid, .tid = tgid };

	e.open = (typeof(e.open)){ .path = path, .result = 3 };
	return e;
}

/* An open is written as a step from its process's previous one: a refused open is no step. */
static int test_refused_open_keeps_the_sites(void)
{
	const struct log_event ev[] = {
		t_open(2000, 10, "/x/a"), t_open(2100, 20, "/x/b"), t_open(2200, 10, "/x/a"),
		t_open(2300, 20, NULL), t_open(2400, 20, "/x/b"), t_open(2500, 10, "/x/a"),
	};
	struct log_header h = t_header();
	const char *path = t_temp_log();
	struct log_writer *w;
	struct log_file f;
	char err[256];
	size_t n = 0;
	int r;

	CHECK(path, "mkstemp");
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "open: %s", err);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		CHECK(log_write_event(w, &ev[i]) == (ev[i].open.path ? 0 : -EINVAL), "open %zu", i);
	CHECK(log_writer_close(w) == 0, "close");
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "read: %s", err);
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (!ev[i].open.path)
			continue;
		CHECK(n < f.nevents && f.events[n].tgid == ev[i].tgid && f.events[n].open.path &&
		      !strcmp(f.events[n].open.path, ev[i].open.path), "open %zu reads as written", i);
		n++;
	}
	CHECK(n == f.nevents, "%zu events, wrote %zu", f.nevents, n);
	log_file_free(&f);
	return TEST_PASS;
}

/* The header is the writer's first record: a string too long for it leaves no log. */
static int test_header_string_too_long(void)
{
	struct log_header h = t_header();
	const char *path = t_temp_log();
	char *huge = malloc(LOG_STR_MAX + 2), err[256];
	struct log_option opt[] = { { "scope", "tree" }, { "note", huge }, { "start", "run" } };
	struct log_writer *w;
	struct log_file f;
	int r;

	CHECK(path && huge, "setup");
	memset(huge, 'x', LOG_STR_MAX + 1);
	huge[LOG_STR_MAX + 1] = '\0';
	h.options = opt;
	h.noptions = 3;
	w = log_writer_open(path, &h, err, sizeof(err));
	free(huge);
	CHECK(!w, "opened with an option value over LOG_STR_MAX");
	CHECK(strstr(err, strerror(E2BIG)), "error: %s", err);
	r = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	if (r == 0)
		log_file_free(&f);
	CHECK(r != 0, "no header on disk");
	return TEST_PASS;
}

/* A compressed log's bytes go out through zstd: a write that fails there is the writer's error too. */
static int test_compressed_write_failure(void)
{
	const struct log_header h = t_header();
	const struct log_writer_opts o = { .compression = LOG_COMPRESSION_ZSTD };
	char err[256] = "";
	struct log_writer *w = log_writer_open_with("/dev/full", &h, &o, err, sizeof(err));

	if (w)
		log_writer_close(w);
	CHECK(!w && strstr(err, strerror(ENOSPC)), "a compressed log opened on /dev/full: %s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "word_refused_after_its_record", test_word_refused_after_its_record },
	{ "path_refused_after_its_record", test_path_refused_after_its_record },
	{ "diffed_word_refused_after_its_record", test_diffed_word_refused_after_its_record },
	{ "string_too_long_keeps_the_writer", test_string_too_long_keeps_the_writer },
	{ "refused_open_keeps_the_sites", test_refused_open_keeps_the_sites },
	{ "header_string_too_long", test_header_string_too_long },
	{ "compressed_write_failure", test_compressed_write_failure },
};

TEST_MAIN("log_writer_errors", tests)
