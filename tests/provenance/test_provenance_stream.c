// SPDX-License-Identifier: MIT
/*
 * kettle provenance folds a log's file accesses while it reads it and keeps
 * only the events the rest of the statement reads (provenance_read.c).  Its
 * statement must be byte for byte the one made from the whole log in memory
 * (log_read_file, then provenance_statement with the file's SHA-256 taken
 * apart): for the logs in tests/data and for seeded random builds that use
 * every kind of event, with the writer's tables forgotten often or never.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "bpf/events.h"
#include "common/file_bytes.h"
#include "kettle_test.h"
#include "log/log_writer.h"
#include "provenance/jcs.h"
#include "provenance/provenance.h"

#define START_WALL 1700000000000000000ull
#define START_BOOT 1000000000ull
#define STREAM_FILE_MAX (64u << 20)

/* The file's bytes and their SHA-256, read apart from the log reader. */
static int file_sha256(const char *path, uint8_t out[32])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char err[256];
	unsigned int n = 0;
	int ok;

	if (file_read_bounded(path, STREAM_FILE_MAX, &buf, &len, err, sizeof(err))) {
		fprintf(stderr, "  %s: %s\n", path, err);
		return -1;
	}
	ok = EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32;
	free(buf);
	return ok ? 0 : -1;
}

/* The canonical statement of LOG read whole (malloc'd, *LEN bytes), or NULL with ERR. */
static char *whole_statement(const char *log, const struct provenance_options *o, struct provenance_facts *x,
			     size_t *len, char *err, size_t errlen)
{
	struct log_file f;
	uint8_t sha[32];
	json_t *st;
	char *bytes;

	if (file_sha256(log, sha) || log_read_file(log, &f, err, errlen))
		return NULL;
	st = provenance_statement(&f, sha, o, x, err, errlen);
	log_file_free(&f);
	bytes = st ? jcs_dump(st, len, err, errlen) : NULL;
	json_decref(st);
	return bytes;
}

/*
 * Both ways agree on LOG with options O: the same bytes and the same facts,
 * or both refuse.  1 when they made a statement, 0 when both refused, -1
 * when they disagree (said on stderr).
 */
static int same_statement(const char *log, const struct provenance_options *o)
{
	struct provenance_facts xw, xs;
	char out[400], err_w[512] = "", err_s[512] = "";
	size_t len = 0;
	char *whole = whole_statement(log, o, &xw, &len, err_w, sizeof(err_w));
	int streamed;
	uint8_t *got = NULL, sha[32];
	char sha_hex[65] = "";
	size_t ngot = 0;
	int r = -1;

	snprintf(out, sizeof(out), "%s.statement.json", log);
	streamed = provenance_write(log, out, o, &xs, err_s, sizeof(err_s));
	if (!whole || streamed) {
		/* the streamed error is prefixed with the log's path */
		if (!whole && streamed && strstr(err_s, err_w))
			r = 0;
		else
			fprintf(stderr, "  %s: whole: %s; streamed: %s\n", log, whole ? "ok" : err_w,
				streamed ? err_s : "ok");
		goto out;
	}
	if (file_read_bounded(out, STREAM_FILE_MAX, &got, &ngot, err_s, sizeof(err_s))) {
		fprintf(stderr, "  %s: %s\n", out, err_s);
		goto out;
	}
	/* sha256 is set by provenance_write only: the digest of the bytes it wrote, taken as they went out */
	if (file_sha256(out, sha) == 0)
		for (size_t i = 0; i < 32; i++)
			snprintf(sha_hex + 2 * i, 3, "%02x", sha[i]);
	memcpy(xw.sha256, xs.sha256, sizeof(xw.sha256));
	if (strcmp(xs.sha256, sha_hex))
		fprintf(stderr, "  %s: sha256 %s is not the statement file's (%s)\n", log, xs.sha256, sha_hex);
	else if (ngot != len || memcmp(got, whole, len))
		fprintf(stderr, "  %s: the streamed statement (%zu bytes) differs from the whole log's (%zu)\n", log,
			ngot, len);
	else if (memcmp(&xw, &xs, sizeof(xw)))
		fprintf(stderr, "  %s: the facts differ\n", log);
	else
		r = 1;
out:
	free(got);
	free(whole);
	return r;
}

static int t_golden_logs_give_the_same_statement(void)
{
	static const char *const logs[] = { "log-v1-example.cbor", "log-v1-run.cbor", "log-v2-run.cbor" };
	static const char *const subjects[] = { "*" };
	struct provenance_options all = { 0 }, glob = { .subjects = subjects, .nsubjects = 1 };
	char dir[256], log[300], src[600], cmd[1300];
	int made = 0, r;

	test_workdir("stream-golden", dir, log);
	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		snprintf(src, sizeof(src), "%s/tests/data/%s", KETTLE_SOURCE_DIR, logs[i]);
		snprintf(log, sizeof(log), "%s/%s", dir, logs[i]);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, log);
		CHECK(system(cmd) == 0, "cannot copy %s", src);
		r = same_statement(log, &all);
		CHECK(r >= 0, "%s", logs[i]);
		made += r;
		r = same_statement(log, &glob);
		CHECK(r >= 0, "%s with --subject '*'", logs[i]);
		made += r;
	}
	CHECK(made >= 2, "only %d statements made: the comparison needs some", made);
	return TEST_PASS;
}

/* ---- a random build ---- */

struct rbuild {
	struct log_writer *w;
	uint64_t ts;
	uint32_t seed;
	int bad;
	bool local_only;        /* no remote endpoint, no DNS: a tun device alone makes it not hermetic */
	char paths[64][48];
	uint32_t pids[24];
	uint32_t npids;
};

static uint32_t rnd(struct rbuild *b, uint32_t n)
{
	b->seed = b->seed * 1103515245u + 12345u;
	return (b->seed >> 8) % n;
}

static void put(struct rbuild *b, struct log_event e)
{
	e.ts_ns = b->ts += 1000 + rnd(b, 1000);
	e.tid = e.tgid;
	if (log_write_event(b->w, &e))
		b->bad = 1;
}

static const char *rpath(struct rbuild *b)
{
	return b->paths[rnd(b, 64)];
}

static uint32_t rpid(struct rbuild *b)
{
	return b->pids[rnd(b, b->npids)];
}

static void r_digest(struct rbuild *b, const char *path)
{
	static const uint32_t flags[] = { 0, 0, 0, LOG_DIGEST_CHANGED, LOG_DIGEST_CHANGED_DURING,
					  LOG_DIGEST_FS_UNVERIFIABLE, LOG_DIGEST_AT_DELETE };
	struct log_digest d = { .kind = 1 + rnd(b, 3), .path = path, .boot_ns = b->ts + 5,
				.flags = flags[rnd(b, 7)], .dev = 0x803, .ino = rnd(b, 50),
				.ctime_ns = (int64_t)(START_WALL + rnd(b, 4) * 1000000000ull) };

	d.result = rnd(b, 8) ? 0 : rnd(b, 2) ? -ENOENT : -EISDIR;
	memset(d.sha256, (int)rnd(b, 4), sizeof(d.sha256));
	if (log_write_digest(b->w, &d))
		b->bad = 1;
}

static void r_process(struct rbuild *b)
{
	static const char *const exes[] = { "/usr/bin/cc", "/usr/bin/distcc", "/bin/sh", "/src/conftest" };
	static const char *const argv[] = { "cc", "-c", "x.c" };
	struct log_event e = { .type = LOG_EV_FORK, .tgid = rpid(b) };
	uint32_t child = 200 + b->npids;

	e.fork.child_tgid = child;
	put(b, e);
	if (b->npids < 24)
		b->pids[b->npids++] = child;
	e = (struct log_event){ .type = LOG_EV_EXEC, .tgid = child };
	e.exec = (typeof(e.exec)){ .exe = exes[rnd(b, 4)], .filename = "x", .cwd = "/src", .ppid = 100,
				   .argc = 3, .nargv = 3, .argv = argv };
	put(b, e);
	if (rnd(b, 2))
		r_digest(b, e.exec.exe);
}

static void r_open(struct rbuild *b)
{
	static const uint64_t flags[] = { O_RDONLY, O_RDONLY, O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_RDWR,
					  O_RDONLY | O_DIRECTORY, O_WRONLY | O_CREAT | O_EXCL, O_PATH };
	static const int32_t results[] = { 3, 3, 3, 3, -ENOENT, -ENOTDIR, -EACCES };
	struct log_event e = { .type = LOG_EV_OPEN, .tgid = rpid(b) };

	e.open = (typeof(e.open)){ .path = rpath(b), .result = results[rnd(b, 7)], .call = 2,
				   .flags = flags[rnd(b, 8)], .dev = 0x803, .ino = rnd(b, 50),
				   .ctime_ns = (int64_t)(START_WALL - 1 + rnd(b, 2) * 2) };
	if (!rnd(b, 40))
		e.open.path_flags = LOG_PATH_BLOCK_DEVICE;
	put(b, e);
	if (e.open.result >= 0 && rnd(b, 3))
		r_digest(b, e.open.path);
}

static void r_file_op(struct rbuild *b)
{
	static const uint32_t calls[] = { LOG_FOP_RENAME, LOG_FOP_UNLINK, LOG_FOP_RMDIR, LOG_FOP_MKDIR,
					  LOG_FOP_TRUNCATE, LOG_FOP_CHMOD, LOG_FOP_UTIMENSAT, LOG_FOP_SYMLINK };
	struct log_event e = { .type = LOG_EV_FILE_OP, .tgid = rpid(b) };

	e.file_op.call = calls[rnd(b, 8)];
	e.file_op.path = rpath(b);
	e.file_op.result = rnd(b, 6) ? 0 : -ENOENT;
	if (e.file_op.call == LOG_FOP_RENAME)
		e.file_op.path2 = rpath(b);
	put(b, e);
}

static void r_net(struct rbuild *b)
{
	static const char *const names[] = { "example.com" };
	static const uint32_t calls[] = { KE_NET_CONNECT, KE_NET_CONNECT, KE_NET_BIND, KE_NET_LISTEN,
					  KE_NET_ACCEPT, KE_NET_SENDTO };
	struct log_event e = { .type = LOG_EV_NET, .tgid = rpid(b) };
	uint32_t where = b->local_only ? 1 + rnd(b, 2) : rnd(b, 4);

	e.net = (typeof(e.net)){ .call = calls[rnd(b, 6)], .fd = 3, .family = AF_INET, .sock_type = SOCK_STREAM,
				 .addr_source = KE_ADDR_USER, .port = where == 3 ? 53 : 3632 };
	inet_pton(AF_INET, where == 0 ? "93.184.216.34" : where == 3 ? "127.0.0.53" : "127.0.0.1", e.net.addr);
	if (where == 2) {
		e.net.family = AF_UNIX;
		e.net.unix_path = "/run/daemon.sock";
	}
	if (where == 3) {
		e.net.call = KE_NET_SENDTO;
		e.net.dns = LOG_DNS_NAMES;
		e.net.dns_names = names;
		e.net.ndns_names = 1;
	}
	put(b, e);
}

static void r_notice(struct rbuild *b)
{
	struct log_event e = { .type = LOG_EV_NOTICE, .tgid = rpid(b) };

	e.notice.what = 1 + rnd(b, LOG_NOTICE_IPC);
	e.notice.nr = 425;
	e.notice.arg0 = rnd(b, 3);
	put(b, e);
}

/* A build of STEPS random events; writer tables forgotten past BUDGET bytes (0: never). */
static int write_random(const char *path, uint32_t seed, int steps, size_t budget)
{
	static const char *const special[] = { "/proc/self/maps", "/proc/1/environ", "/proc/77/mem", "/dev/net/tun",
					       "/sys/fs/cgroup/x/cgroup.procs", "/proc/sys/kernel/core_pattern",
					       "/src/job.i", "/src/job.o", "/dev/mem" };
	static const char *const command[] = { "make", "-j" };
	struct log_option opts[] = { { "net.traced", "true" }, { "scope", "process-tree" } };
	struct log_header h = { .kettle_version = "0.1.0", .host = "h", .kernel_release = "6.1", .boot_id = "b",
				.start_wall_ns = START_WALL, .start_boot_ns = START_BOOT, .root_pid = 100,
				.command = command, .ncommand = 2, .cwd = "/src", .options = opts, .noptions = 2 };
	struct log_trailer t = { .end_wall_ns = START_WALL + 3000000000ull, .end_boot_ns = START_BOOT + 3000000000ull,
				 .hash = { .queued = 10, .hashed = 9 } };
	struct rbuild b = { .ts = START_BOOT, .seed = seed, .local_only = seed % 3 == 0, .pids = { 100 }, .npids = 1 };
	struct log_event e = { .type = LOG_EV_EXEC, .tgid = 100 };
	char err[512];

	for (int i = 0; i < 64; i++) {
		if (i < 9)
			snprintf(b.paths[i], sizeof(b.paths[i]), "%s", special[i]);
		else
			snprintf(b.paths[i], sizeof(b.paths[i]), i < 40 ? "/src/f%d.c" : "/usr/include/h%d.h", i);
	}
	b.w = log_writer_open(path, &h, err, sizeof(err));
	if (!b.w) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	if (budget)
		log_writer_test_table_budget(b.w, budget);
	e.exec = (typeof(e.exec)){ .exe = "/usr/bin/make", .filename = "make", .cwd = "/src", .argc = 2, .nargv = 2,
				   .argv = command };
	put(&b, e);
	for (int i = 0; i < steps; i++) {
		uint32_t k = rnd(&b, 100);

		if (k < 6)
			r_process(&b);
		else if (k < 70)
			r_open(&b);
		else if (k < 82)
			r_file_op(&b);
		else if (k < 92)
			r_net(&b);
		else if (k < 94)
			r_notice(&b);
		else
			put(&b, (struct log_event){ .type = LOG_EV_EXIT, .tgid = rpid(&b) });
	}
	for (int i = 0; i < 64; i += 3)
		r_digest(&b, b.paths[i]);
	if (log_write_trailer(b.w, &t))
		b.bad = 1;
	if (log_writer_close(b.w) || b.bad) {
		fprintf(stderr, "  writing %s failed\n", path);
		return -1;
	}
	return 0;
}

static int t_random_builds_give_the_same_statement(void)
{
	static const char *const excludes[] = { "/usr/include/h4*" };
	struct provenance_options all = { 0 };
	struct provenance_options some = { .excludes = excludes, .nexcludes = 1, .builder_id = "https://example.com/b" };
	char dir[256], log[300];
	int made = 0, r;

	test_workdir("stream-random", dir, log);
	for (uint32_t seed = 1; seed <= 40; seed++) {
		CHECK(write_random(log, seed, 600, seed % 2 ? 2048 : 0) == 0, "seed %" PRIu32, seed);
		r = same_statement(log, &all);
		CHECK(r >= 0, "seed %" PRIu32, seed);
		made += r;
		r = same_statement(log, &some);
		CHECK(r >= 0, "seed %" PRIu32 " with --exclude", seed);
		made += r;
	}
	CHECK(made >= 60, "only %d of 80 statements made: the comparison needs them", made);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "golden_logs_give_the_same_statement", t_golden_logs_give_the_same_statement },
	{ "random_builds_give_the_same_statement", t_random_builds_give_the_same_statement },
};

TEST_MAIN("provenance_stream", tests)
