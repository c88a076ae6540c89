// SPDX-License-Identifier: MIT
/*
 * The remote jobs of a log (provenance/remote_jobs), from logs written with
 * the writer API (no BPF, no distcc): a distcc client's jobs and a distccd
 * worker's, each with the digests that tie them, and what a job lacks.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>

#include "bpf/events.h"
#include "kettle_test.h"
#include "log/log_writer.h"
#include "provenance/remote_jobs.h"

/* A log being written: its writer and the clock of its events. */
struct jlog {
	struct log_writer *w;
	uint64_t ts;
	int failed;
};

static void put(struct jlog *l, struct log_event e)
{
	e.ts_ns = l->ts += 1000;
	e.tid = e.tgid;
	l->failed |= log_write_event(l->w, &e) != 0;
}

static void exec_of(struct jlog *l, uint32_t pid, uint32_t ppid, const char *exe)
{
	static const char *const argv[] = { "prog" };

	put(l, (struct log_event){ .type = LOG_EV_EXEC, .tgid = pid, .exec = { .exe = exe, .filename = exe,
		.cwd = "/src", .ppid = ppid, .argc = 1, .nargv = 1, .argv = argv } });
}

static void opened(struct jlog *l, uint32_t pid, const char *path, uint64_t flags)
{
	put(l, (struct log_event){ .type = LOG_EV_OPEN, .tgid = pid, .open = { .path = path, .result = 3, .call = 2,
		.flags = flags, .dev = 0x803, .ino = 7 } });
}

static void net(struct jlog *l, uint32_t pid, uint32_t call, const char *addr, uint16_t port, int32_t result)
{
	struct log_event e = { .type = LOG_EV_NET, .tgid = pid };

	e.net = (typeof(e.net)){ .call = call, .result = result, .fd = 3, .family = AF_INET, .sock_type = SOCK_STREAM,
				 .addr_source = call == KE_NET_CONNECT ? KE_ADDR_USER : KE_ADDR_PEER, .port = port };
	inet_pton(AF_INET, addr, e.net.addr);
	put(l, e);
}

/* A digest of PATH of KIND: every byte FILL, or RESULT (< 0) for none. */
static void digest(struct jlog *l, enum log_digest_kind kind, const char *path, uint32_t flags, uint8_t fill,
		   int32_t result)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = l->ts + 10, .result = result, .flags = flags };

	memset(d.sha256, result ? 0 : fill, sizeof(d.sha256));
	l->failed |= log_write_digest(l->w, &d) != 0;
}

static int jlog_open(struct jlog *l, const char *name, char path[300])
{
	static const char *const command[] = { "make" };
	struct log_header h = { .kettle_version = "test", .host = "h", .kernel_release = "k", .boot_id = "b",
				.command = command, .ncommand = 1, .cwd = "/src" };
	char dir[256], err[256];

	test_workdir(name, dir, path);
	memset(l, 0, sizeof(*l));
	l->ts = 1000000000ull;
	l->w = log_writer_open(path, &h, err, sizeof(err));
	return l->w ? 0 : -1;
}

static int jlog_close(struct jlog *l, const char *path, struct log_file *f)
{
	struct log_trailer t = { 0 };

	if (l->failed || log_write_trailer(l->w, &t) || log_writer_close(l->w))
		return -1;
	return log_load(path, f);
}

static bool all(const uint8_t sha[32], uint8_t fill)
{
	for (int i = 0; i < 32; i++)
		if (sha[i] != fill)
			return false;
	return true;
}

/*
 * distcc (pid 200) runs the preprocessor (201), connects to 127.0.0.2:3632,
 * sends /tmp/distcc_1.i (deleted: its at-delete digest) and writes main.o;
 * another program's TCP connect (300) is no job.
 */
static int client_job_with_digests(void)
{
	struct jlog l;
	struct log_file f = { 0 };
	struct remote_jobs j;
	char path[300];

	CHECK(jlog_open(&l, "jobs-client", path) == 0, "log");
	exec_of(&l, 200, 1, "/usr/bin/distcc");
	exec_of(&l, 201, 200, "/usr/bin/gcc-12");
	opened(&l, 200, "/tmp/distcc_1.i", O_RDWR | O_CREAT | O_EXCL);
	net(&l, 200, KE_NET_CONNECT, "127.0.0.2", 3632, -EINPROGRESS);
	put(&l, (struct log_event){ .type = LOG_EV_FILE_OP, .tgid = 200,
				    .file_op = { .call = KE_FOP_UNLINK, .path = "/tmp/distcc_1.i" } });
	digest(&l, LOG_DIGEST_OUTPUT, "/tmp/distcc_1.i", LOG_DIGEST_AT_DELETE, 0x11, 0);
	opened(&l, 200, "/src/main.o", O_WRONLY | O_CREAT | O_TRUNC);
	exec_of(&l, 300, 1, "/usr/bin/curl");
	net(&l, 300, KE_NET_CONNECT, "127.0.0.1", 8080, 0);
	digest(&l, LOG_DIGEST_EXEC, "/usr/bin/gcc-12", 0, 0x33, 0);
	digest(&l, LOG_DIGEST_OUTPUT, "/src/main.o", 0, 0x22, 0);
	CHECK(jlog_close(&l, path, &f) == 0, "write and read the log");
	CHECK(remote_jobs_client(&f, &j) == 0, "remote_jobs_client");
	CHECK(j.n == 1, "%zu jobs, want distcc's one", j.n);
	CHECK(!strcmp(j.v[0].peer, "127.0.0.2:3632"), "peer %s", j.v[0].peer);
	CHECK(j.v[0].has_source && all(j.v[0].source_sha256, 0x11), "the source's digest is not the at-delete one");
	CHECK(j.v[0].has_object && all(j.v[0].object_sha256, 0x22), "the object's digest is not main.o's");
	CHECK(j.v[0].compiler && !strcmp(j.v[0].compiler, "/usr/bin/gcc-12") && all(j.v[0].compiler_sha256, 0x33),
	      "the preprocessor is not the compiler of the job");
	CHECK(!remote_job_missing(&j.v[0]), "a complete job said to lack %s", remote_job_missing(&j.v[0]));
	remote_jobs_free(&j);
	log_file_free(&f);
	return TEST_PASS;
}

/*
 * distccd (pid 400) listens at 127.0.0.2:3632 and serves two connections
 * one after the other, reusing a temporary's name: each job gets the digest
 * its own deletion left; the second, whose object was not hashed and which
 * ran no compiler, says what it lacks.
 */
static int worker_jobs_split_by_accept(void)
{
	struct jlog l;
	struct log_file f = { 0 };
	struct remote_jobs j;
	char path[300];

	CHECK(jlog_open(&l, "jobs-worker", path) == 0, "log");
	exec_of(&l, 400, 1, "/usr/bin/distccd");
	net(&l, 400, KE_NET_BIND, "127.0.0.2", 3632, 0);
	net(&l, 400, KE_NET_LISTEN, "127.0.0.2", 3632, 0);
	net(&l, 400, KE_NET_ACCEPT, "127.0.0.1", 50000, 4);
	opened(&l, 400, "/tmp/distccd_x.i", O_WRONLY | O_CREAT);
	exec_of(&l, 401, 400, "/usr/bin/gcc-12");
	opened(&l, 400, "/tmp/distccd_x.o", O_RDONLY);
	digest(&l, LOG_DIGEST_OUTPUT, "/tmp/distccd_x.i", LOG_DIGEST_AT_DELETE, 0x11, 0);
	digest(&l, LOG_DIGEST_OUTPUT, "/tmp/distccd_x.o", LOG_DIGEST_AT_DELETE, 0x22, 0);
	net(&l, 400, KE_NET_ACCEPT, "127.0.0.1", 50001, 4);
	opened(&l, 400, "/tmp/distccd_x.i", O_WRONLY | O_CREAT);
	digest(&l, LOG_DIGEST_OUTPUT, "/tmp/distccd_x.i", LOG_DIGEST_AT_DELETE, 0x55, 0);
	opened(&l, 400, "/tmp/distccd_y.o", O_RDONLY);
	digest(&l, LOG_DIGEST_OUTPUT, "/tmp/distccd_y.o", 0, 0, -ENOENT);
	digest(&l, LOG_DIGEST_EXEC, "/usr/bin/gcc-12", 0, 0x33, 0);
	CHECK(jlog_close(&l, path, &f) == 0, "write and read the log");
	CHECK(remote_jobs_worker(&f, &j) == 0, "remote_jobs_worker");
	CHECK(!strcmp(j.listen, "127.0.0.2:3632"), "listen '%s'", j.listen);
	CHECK(j.n == 2, "%zu jobs, want 2", j.n);
	CHECK(!strcmp(j.v[0].peer, "127.0.0.1:50000") && !strcmp(j.v[1].peer, "127.0.0.1:50001"), "peers");
	CHECK(all(j.v[0].source_sha256, 0x11) && all(j.v[1].source_sha256, 0x55),
	      "a reused temporary's name: each job does not have its own digest");
	CHECK(j.v[0].has_object && all(j.v[0].object_sha256, 0x22) && j.v[0].has_compiler, "first job");
	CHECK(!remote_job_missing(&j.v[0]), "the first job said to lack %s", remote_job_missing(&j.v[0]));
	CHECK(!j.v[1].has_object && remote_job_missing(&j.v[1]) &&
	      !strcmp(remote_job_missing(&j.v[1]), "no digest of the object"), "the second job's lack not named");
	remote_jobs_free(&j);
	log_file_free(&f);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "client_job_with_digests", client_job_with_digests },
	{ "worker_jobs_split_by_accept", worker_jobs_split_by_accept },
};

TEST_MAIN("remote_jobs", tests)
