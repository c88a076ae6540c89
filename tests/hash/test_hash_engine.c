// SPDX-License-Identifier: MIT
/* Hash engine: digests agree with sha256sum, identities, refusals, races. */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/hex.h"
#include "hash/hash_engine.h"
#include "kettle_test.h"
#include "test_privs.h"

#define TIMEOUT_MS 30000

static char dir[256];

/* Writes LEN pseudo-random bytes (deterministic) to PATH. */
static int write_file(const char *path, size_t len)
{
	FILE *f = fopen(path, "w");
	uint32_t x = (uint32_t)len * 2654435761u + 1;

	if (!f)
		return -1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (fputc((int)(x & 0xff), f) == EOF)
			break;
	}
	return fclose(f);
}

/* sha256sum's hex digest of PATH. */
static int coreutils_hex(const char *path, char hex[65])
{
	char cmd[600];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	ok = fscanf(p, "%64s", hex) == 1;
	return pclose(p) == 0 && ok ? 0 : -1;
}

static struct hash_engine *engine(unsigned workers, unsigned cap,
				  void (*hook)(void *, const char *, enum hash_step))
{
	struct hash_engine_options o = { .workers = workers, .queue_capacity = cap,
					 .no_follow = true, .hook = hook };
	char err[256];
	struct hash_engine *e = hash_engine_new(&o, err, sizeof(err));

	if (!e)
		fprintf(stderr, "  %s\n", err);
	return e;
}

/* Hashes one path and returns its result (path freed). */
static int hash_one(struct hash_engine *e, const char *path, struct hash_result *r)
{
	int s = hash_engine_submit(e, path, 42);

	if (s) {
		fprintf(stderr, "  submit: %s\n", strerror(-s));
		return -1;
	}
	if (hash_engine_poll(e, r, 1, TIMEOUT_MS) != 1) {
		fprintf(stderr, "  no result for %s\n", path);
		return -1;
	}
	hash_result_clear(r);
	return r->cookie == 42 ? 0 : -1;
}

/* Each size around the multi-buffer limit and the chunk size, one file at a time. */
static int sizes_agree(bool no_multibuffer)
{
	static const size_t sizes[] = { 0, 1, 4096, 61440, 61441, 65535, 65536, 65537, 131072, 131073, 1000003 };
	struct hash_engine_options o = { .workers = 2, .no_follow = true,
					 .no_multibuffer = no_multibuffer };
	char err[256];
	struct hash_engine *e = hash_engine_new(&o, err, sizeof(err));

	CHECK(e, "engine: %s", err);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char path[300], want[65], got[65];
		struct hash_result r;

		snprintf(path, sizeof(path), "%s/f%zu", dir, sizes[i]);
		CHECK(write_file(path, sizes[i]) == 0, "write %s", path);
		CHECK(coreutils_hex(path, want) == 0, "sha256sum %s", path);
		CHECK(hash_one(e, path, &r) == 0, "hash");
		hex_encode(r.digest, sizeof(r.digest), got);
		CHECK(r.error == 0 && !r.changed, "size %zu: error %d changed %d", sizes[i], r.error,
		      r.changed);
		CHECK(r.bytes == sizes[i], "bytes %" PRIu64 " for %zu", r.bytes, sizes[i]);
		CHECK(!strcmp(got, want), "size %zu: %s != %s", sizes[i], got, want);
	}
	hash_engine_free(e);
	return TEST_PASS;
}

static int t_sizes_agree_with_sha256sum(void)
{
	return sizes_agree(false);
}

/* What a CPU without the SIMD intel-ipsec-mb needs gets: OpenSSL for small files too. */
static int t_sizes_agree_without_multibuffer(void)
{
	return sizes_agree(true);
}

/* Hashes PATH with reads answered -EAGAIN N times per file; the result in R. */
static int hash_with_eagain(const char *path, unsigned n, struct hash_result *r)
{
	struct hash_engine_options o = { .workers = 1, .test_read_eagain = n };
	char err[256];
	struct hash_engine *e = hash_engine_new(&o, err, sizeof(err));
	int rc;

	if (!e) {
		fprintf(stderr, "  engine: %s\n", err);
		return -1;
	}
	rc = hash_one(e, path, r);
	hash_engine_free(e);
	return rc;
}

/* A filesystem that answers -EAGAIN to a no-wait read: retried, and the digest is right. */
static int t_eagain_reads_are_retried(void)
{
	char path[300], want[65], got[65];
	struct hash_result r;

	snprintf(path, sizeof(path), "%s/eagain", dir);
	CHECK(write_file(path, 200000) == 0, "write");
	CHECK(coreutils_hex(path, want) == 0, "sha256sum");
	CHECK(hash_with_eagain(path, 3, &r) == 0, "hash");
	hex_encode(r.digest, sizeof(r.digest), got);
	CHECK(r.error == 0 && !r.changed && r.bytes == 200000, "error %d bytes %" PRIu64, r.error, r.bytes);
	CHECK(!strcmp(got, want), "%s != %s", got, want);
	return TEST_PASS;
}

/* A read that never stops saying -EAGAIN fails that file; the worker does not spin for ever. */
static int t_endless_eagain_fails_the_file(void)
{
	char path[300];
	struct hash_result r;

	snprintf(path, sizeof(path), "%s/eagain-forever", dir);
	CHECK(write_file(path, 5000) == 0, "write");
	CHECK(hash_with_eagain(path, 1000000, &r) == 0, "no result");
	CHECK(r.error == -EAGAIN && r.step == HASH_STEP_READ, "error %d step %d", r.error, r.step);
	return TEST_PASS;
}

/* The cost it reports: the bytes it read, and CPU time that grows with them. */
static int t_usage_counts_bytes_and_cpu(void)
{
	struct hash_engine *e = engine(1, 0, NULL);
	struct hash_engine_usage before, after;
	char path[300];
	struct hash_result r;

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/usage", dir);
	CHECK(write_file(path, 3 << 20) == 0, "write");
	hash_engine_usage(e, &before);
	CHECK(before.bytes == 0, "bytes %" PRIu64 " before any file", before.bytes);
	CHECK(hash_one(e, path, &r) == 0 && r.error == 0, "hash");
	CHECK(hash_one(e, path, &r) == 0 && r.error == 0, "hash again");
	hash_engine_usage(e, &after);
	CHECK(after.bytes == 2 * (3 << 20), "bytes %" PRIu64 ", want 2 x 3 MiB", after.bytes);
	CHECK(after.cpu_ns > before.cpu_ns, "cpu %" PRIu64 " ns, was %" PRIu64, after.cpu_ns, before.cpu_ns);
	CHECK(hash_engine_finish(e) == 0, "finish");
	hash_engine_usage(e, &before);  /* workers gone: their time is kept */
	CHECK(before.cpu_ns >= after.cpu_ns && before.bytes == after.bytes, "after finish: %" PRIu64 " ns",
	      before.cpu_ns);
	hash_engine_free(e);
	return TEST_PASS;
}

static int t_identity_is_fstat(void)
{
	char path[300];
	struct hash_result r;
	struct stat st;
	struct hash_engine *e = engine(1, 0, NULL);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/ident", dir);
	CHECK(write_file(path, 1234) == 0 && stat(path, &st) == 0, "file");
	CHECK(hash_one(e, path, &r) == 0, "hash");
	hash_engine_free(e);
	CHECK(r.before.dev == st.st_dev && major(r.before.dev) == major(st.st_dev), "dev");
	CHECK(r.before.ino == st.st_ino && r.before.size == 1234, "ino/size");
	CHECK(r.before.mtime_ns == st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, "mtime");
	CHECK(r.before.ctime_ns == st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec, "ctime");
	CHECK(!memcmp(&r.before, &r.after, sizeof(r.before)), "after == before");
	return TEST_PASS;
}

static int t_fifo_refused_without_blocking(void)
{
	char path[300], why[256];
	struct hash_result r;
	struct hash_engine *e = engine(1, 0, NULL);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0644) == 0, "mkfifo: %s", strerror(errno));
	alarm(20);      /* a blocking open would hang here: fail instead */
	CHECK(hash_one(e, path, &r) == 0, "hash");
	alarm(0);
	hash_engine_free(e);
	CHECK(r.step == HASH_STEP_TYPE && S_ISFIFO(r.before.mode), "step %d mode %o", r.step,
	      r.before.mode);
	hash_result_reason(&r, why, sizeof(why));
	CHECK(strstr(why, "FIFO"), "reason: %s", why);
	return TEST_PASS;
}

static int t_directory_and_device_refused(void)
{
	struct hash_result r;
	struct hash_engine *e = engine(1, 0, NULL);

	CHECK(e, "engine");
	CHECK(hash_one(e, dir, &r) == 0 && r.step == HASH_STEP_TYPE && S_ISDIR(r.before.mode),
	      "directory: step %d", r.step);
	CHECK(hash_one(e, "/dev/zero", &r) == 0 && r.step == HASH_STEP_TYPE &&
	      S_ISCHR(r.before.mode), "/dev/zero: step %d", r.step);
	hash_engine_free(e);
	return TEST_PASS;
}

static int t_symlink_refused_with_no_follow(void)
{
	char path[300];
	struct hash_result r;
	struct hash_engine *e = engine(1, 0, NULL);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK(symlink("/etc/hostname", path) == 0, "symlink");
	CHECK(hash_one(e, path, &r) == 0, "hash");
	hash_engine_free(e);
	CHECK(r.step == HASH_STEP_OPEN && r.error == -ELOOP, "step %d error %d", r.step, r.error);
	return TEST_PASS;
}

static void unlink_at_open(void *arg, const char *path, enum hash_step step)
{
	(void)arg;
	if (step == HASH_STEP_OPEN && strstr(path, "vanishing") && unlink(path))
		fprintf(stderr, "  unlink %s: %s\n", path, strerror(errno));
}

static int t_vanished_between_submit_and_open(void)
{
	char path[300];
	struct hash_result r;
	struct hash_engine *e = engine(1, 0, unlink_at_open);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/vanishing", dir);
	CHECK(write_file(path, 10) == 0, "file");
	CHECK(hash_one(e, path, &r) == 0, "hash");
	hash_engine_free(e);
	CHECK(r.step == HASH_STEP_OPEN && r.error == -ENOENT, "step %d error %d", r.step, r.error);
	return TEST_PASS;
}

static void append_before_read(void *arg, const char *path, enum hash_step step)
{
	(void)arg;
	if (step == HASH_STEP_READ && strstr(path, "changing")) {
		int fd = open(path, O_WRONLY | O_APPEND);

		if (fd < 0 || write(fd, "more", 4) != 4 || close(fd))
			fprintf(stderr, "  append %s failed\n", path);
	}
}

static int t_changed_while_hashed_is_flagged(void)
{
	char path[300], why[256];
	struct hash_result r;
	struct hash_engine *e = engine(1, 0, append_before_read);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/changing", dir);
	CHECK(write_file(path, 100000) == 0, "file");
	CHECK(hash_one(e, path, &r) == 0, "hash");
	hash_engine_free(e);
	CHECK(r.error == 0 && r.changed, "error %d changed %d", r.error, r.changed);
	CHECK(r.before.size == 100000 && r.after.size == 100004, "sizes %" PRIu64 " %" PRIu64,
	      r.before.size, r.after.size);
	CHECK(strstr(hash_result_reason(&r, why, sizeof(why)), "changed"), "reason %s", why);
	return TEST_PASS;
}

static int t_unreadable_file_fails_with_eacces(void)
{
	char path[300];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/secret", dir);
	CHECK(write_file(path, 10) == 0 && chmod(path, 0) == 0, "file");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct hash_result r;
		struct hash_engine *e;

		if (lose_dac_override())
			_exit(2);
		e = engine(1, 0, NULL);
		if (!e || hash_one(e, path, &r))
			_exit(3);
		hash_engine_free(e);
		_exit(r.step == HASH_STEP_OPEN && r.error == -EACCES ? 0 : 4);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child");
	CHECK(WEXITSTATUS(status) == 0, "child status %d (2 capset, 3 engine, 4 not EACCES)",
	      WEXITSTATUS(status));
	return TEST_PASS;
}

static int t_queue_full_is_eagain(void)
{
	char path[300];
	struct hash_result r[4];
	size_t got = 0;
	struct hash_engine *e = engine(1, 2, NULL);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/f1", dir);
	CHECK(hash_engine_submit(e, path, 1) == 0 && hash_engine_submit(e, path, 2) == 0, "submit");
	CHECK(hash_engine_submit(e, path, 3) == -EAGAIN, "third is refused");
	while (got < 2 && hash_engine_poll(e, &r[got], 1, TIMEOUT_MS) == 1)
		hash_result_clear(&r[got++]);
	CHECK(got == 2, "two results");
	CHECK(hash_engine_submit(e, path, 3) == 0, "room again");
	CHECK(hash_engine_finish(e) == 0, "finish");
	CHECK(hash_engine_submit(e, path, 4) == -EPIPE, "closed after finish");
	CHECK(hash_engine_poll(e, r, 4, TIMEOUT_MS) == 1 && r[0].cookie == 3, "last result");
	hash_result_clear(&r[0]);
	CHECK(hash_engine_outstanding(e) == 0, "nothing outstanding");
	hash_engine_free(e);
	return TEST_PASS;
}

/* Many files, several workers, small queue: each cookie comes back once, right. */
static int t_many_files_each_once(void)
{
	enum { N = 3000 };
	static char seen[N];
	struct hash_engine_options o = { .workers = 3, .queue_capacity = 64, .low_priority = true };
	char err[256], path[300];
	struct hash_engine *e = hash_engine_new(&o, err, sizeof(err));
	size_t done = 0, next = 0;

	CHECK(e, "%s", err);
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/m%d", dir, i);
		CHECK(write_file(path, (size_t)i * 7000) == 0, "file");
	}
	while (done < N) {
		struct hash_result r[16];
		size_t n;

		while (next < N) {
			snprintf(path, sizeof(path), "%s/m%zu", dir, next % 10);
			if (hash_engine_submit(e, path, next))
				break;
			next++;
		}
		n = hash_engine_poll(e, r, 16, TIMEOUT_MS);
		CHECK(n > 0, "progress");
		for (size_t i = 0; i < n; i++) {
			CHECK(r[i].cookie < N && !seen[r[i].cookie], "cookie %" PRIu64, r[i].cookie);
			seen[r[i].cookie] = 1;
			CHECK(r[i].error == 0 && r[i].bytes == (r[i].cookie % 10) * 7000, "result");
			CHECK(strstr(r[i].path, "/m"), "path");
			hash_result_clear(&r[i]);
		}
		done += n;
	}
	CHECK(hash_engine_finish(e) == 0, "finish");
	hash_engine_free(e);
	return TEST_PASS;
}

static int t_free_with_work_queued(void)
{
	char path[300];
	struct hash_engine *e = engine(1, 100, NULL);

	CHECK(e, "engine");
	snprintf(path, sizeof(path), "%s/f1000003", dir);
	for (int i = 0; i < 100; i++)
		CHECK(hash_engine_submit(e, path, (uint64_t)i) == 0, "submit");
	hash_engine_free(e);    /* ASan: nothing leaks, nothing hangs */
	return TEST_PASS;
}

static int t_setup(void)
{
	test_tmpdir(dir, sizeof(dir), "hash-engine");
	return access(dir, W_OK) ? TEST_FAIL : TEST_PASS;
}

static const struct test tests[] = {
	{ "setup", t_setup },
	{ "sizes_agree_with_sha256sum", t_sizes_agree_with_sha256sum },
	{ "sizes_agree_without_multibuffer", t_sizes_agree_without_multibuffer },
	{ "identity_is_fstat", t_identity_is_fstat },
	{ "fifo_refused_without_blocking", t_fifo_refused_without_blocking },
	{ "directory_and_device_refused", t_directory_and_device_refused },
	{ "symlink_refused_with_no_follow", t_symlink_refused_with_no_follow },
	{ "vanished_between_submit_and_open", t_vanished_between_submit_and_open },
	{ "changed_while_hashed_is_flagged", t_changed_while_hashed_is_flagged },
	{ "unreadable_file_fails_with_eacces", t_unreadable_file_fails_with_eacces },
	{ "queue_full_is_eagain", t_queue_full_is_eagain },
	{ "many_files_each_once", t_many_files_each_once },
	{ "usage_counts_bytes_and_cpu", t_usage_counts_bytes_and_cpu },
	{ "free_with_work_queued", t_free_with_work_queued },
	{ "eagain_reads_are_retried", t_eagain_reads_are_retried },
	{ "endless_eagain_fails_the_file", t_endless_eagain_fails_the_file },
};

TEST_MAIN("hash_engine", tests)
