// SPDX-License-Identifier: MIT
/*
 * Provenance from logs written with the writer API (no BPF): what becomes a
 * subject or a dependency and with which annotations, bytes that are not
 * UTF-8, completeness, the Merkle root against an independent computation,
 * and the command's refusals and exit codes.
 */
#include <inttypes.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/socket.h>

#include "bpf/events.h"

#include "common/hex.h"
#include "kettle_test.h"
#include "log/log_writer.h"
#include "provenance/provenance.h"
#include "provenance_check.h"
#include "python_jcs.h"

#define START_WALL 1700000000000000000ull       /* 2023-11-14T22:13:20Z */
#define START_BOOT 1000000000ull

static const char *const command[] = { "cc", "-o", "out.o", "bad\xff-arg", "tab\there" };

struct wlog {
	struct log_writer *w;
	uint64_t ts;
	int bad;
};

static void event(struct wlog *s, struct log_event e)
{
	e.ts_ns = s->ts += 1000;
	e.tid = e.tgid;
	if (log_write_event(s->w, &e))
		s->bad = 1;
}

static void open_ev(struct wlog *s, uint32_t pid, const char *path, uint64_t flags, int32_t result)
{
	struct log_event e = { .type = LOG_EV_OPEN, .tgid = pid };

	e.open = (typeof(e.open)){ .path = path, .result = result, .call = 2, .flags = flags,
				   .mode = flags & O_CREAT ? 0644 : 0 };
	if (result >= 0)
		e.open = (typeof(e.open)){ .path = path, .result = result, .call = 2, .flags = flags,
					   .mode = e.open.mode, .dev = 0x803, .ino = 1000 + strlen(path),
					   .ctime_ns = START_WALL - 1, .mtime_ns = START_WALL - 1 };
	event(s, e);
}

static void digest(struct wlog *s, enum log_digest_kind kind, const char *path, int32_t result, uint32_t flags,
		   uint8_t fill)
{
	struct log_digest d = { .kind = kind, .path = path, .boot_ns = s->ts + 10, .result = result, .flags = flags };

	memset(d.sha256, fill, sizeof(d.sha256));
	if (log_write_digest(s->w, &d))
		s->bad = 1;
}

struct shape {
	bool git;               /* header options git.* and invocation_id */
	bool no_trailer;
	uint64_t path_truncations;
	int net;                /* 0: none; 1: local only; 2: and a remote connect and a DNS query */
	bool net_traced;        /* header option net.traced=true */
	bool mid_build;         /* header option complete=false, as kettle attach writes */
	uint64_t net_lost;
	bool intermediates;     /* cc writes and runs /src/conftest, truncates and rewrites /src/seen.txt after reading it */
	uint32_t notice;        /* a notice of this kind from pid 101 (0: none) */
	uint32_t notice_nr;     /* its system call (0 without notice_arg0: 425, io_uring_setup) */
	uint64_t notice_arg0;
	int64_t notice_result;
	bool own_server;        /* pid 101 binds /run/x.sock itself before the local connects */
	/* pid 101 sends datagrams to 127.0.0.1:5140 and /run/log.sock; 1: the collector named pid 555 holding
	 * the UDP port, 2: it found no holder of either, 3: as 2, but the build bound both itself */
	int dgram;
	bool retimed;           /* pid 102 reads /src/cache.bin, then sets its times (ccache): its digest is flagged changed */
	uint16_t device_node;   /* pid 101 opens /tmp/node, a device node with these path flags (LOG_PATH_*_DEVICE) */
	bool empty;             /* no event at all (another reader of the ring took them): 5 records unaccounted */
};

static void net_ev(struct wlog *s, uint32_t call, int family, const char *addr, uint16_t port, const char *unix_path,
		   const char *dns_name)
{
	struct log_event e = { .type = LOG_EV_NET, .tgid = 101 };
	static const char *names[1];

	e.net = (typeof(e.net)){ .call = call, .result = 0, .fd = 3, .family = family, .sock_type = SOCK_STREAM,
				 .addr_source = KE_ADDR_USER, .port = port, .unix_path = unix_path };
	if (addr)
		inet_pton(family, addr, e.net.addr);
	if (dns_name) {
		names[0] = dns_name;
		e.net.dns = LOG_DNS_NAMES;
		e.net.dns_names = names;
		e.net.ndns_names = 1;
	}
	event(s, e);
}

static void net_events(struct wlog *s, int net)
{
	if (net >= 1) {
		net_ev(s, KE_NET_CONNECT, AF_INET, "127.0.0.1", 8080, NULL, NULL);
		net_ev(s, KE_NET_CONNECT, AF_INET6, "::1", 80, NULL, NULL);
		net_ev(s, KE_NET_CONNECT, AF_UNIX, NULL, 0, "/run/x.sock", NULL);
	}
	if (net >= 2) {
		net_ev(s, KE_NET_CONNECT, AF_INET, "93.184.216.34", 443, NULL, NULL);
		net_ev(s, KE_NET_SENDTO, AF_INET, "127.0.0.53", 53, NULL, "example.com");
	}
}

static void dgram_ev(struct wlog *s, uint32_t call, int family, const char *addr, uint16_t port, const char *unix_path)
{
	struct log_event e = { .type = LOG_EV_NET, .tgid = 101 };

	e.net = (typeof(e.net)){ .call = call, .result = call == KE_NET_BIND ? 0 : 5, .fd = 4, .family = family,
				 .sock_type = SOCK_DGRAM,
				 .addr_source = KE_ADDR_USER, .port = port, .unix_path = unix_path };
	if (addr)
		inet_pton(family, addr, e.net.addr);
	event(s, e);
}

/* The collector's daemon notice for a datagram endpoint (shape.dgram), from PID. */
static void dgram_notice(struct wlog *s, uint32_t pid, uint64_t arg0, uint64_t arg1)
{
	struct log_event e = { .type = LOG_EV_NOTICE, .tgid = pid, .tid = pid };

	e.notice.what = LOG_NOTICE_DAEMON;
	e.notice.arg0 = arg0;
	e.notice.arg1 = LOG_DAEMON_DATAGRAM | arg1;
	event(s, e);
}

static void dgram_events(struct wlog *s, int dgram)
{
	uint32_t lo;

	if (!dgram)
		return;
	inet_pton(AF_INET, "127.0.0.1", &lo);
	if (dgram == 3) {
		dgram_ev(s, KE_NET_BIND, AF_INET, "127.0.0.1", 5140, NULL);
		dgram_ev(s, KE_NET_BIND, AF_UNIX, NULL, 0, "/run/log.sock");
	}
	dgram_ev(s, KE_NET_SENDTO, AF_INET, "127.0.0.1", 5140, NULL);
	if (dgram == 1)
		dgram_notice(s, 555, lo, (uint64_t)AF_INET << 16 | 5140);
	else
		dgram_notice(s, 101, lo, LOG_DAEMON_NOT_FOUND | (uint64_t)AF_INET << 16 | 5140);
	dgram_ev(s, KE_NET_SENDTO, AF_UNIX, NULL, 0, "/run/log.sock");
	if (dgram != 1)
		dgram_notice(s, 101, 101, LOG_DAEMON_NOT_FOUND | (uint64_t)AF_UNIX << 16);
}

/*
 * The build: cc (pid 101, build-id abcd) reads /src/in.c, /src/changed.h (changed
 * before hashing), /src/nohash.h (no digest), /proc/self/maps, lists /src with
 * O_DIRECTORY, reads /src/caf\xe9.c, writes /src/out.o and /src/bin\xfe.out,
 * and a temporary /tmp/t.s that it deletes.
 */
static int write_log(const char *path, const struct shape *sh)
{
	struct log_option opts[8] = {
		{ "scope", "process-tree" }, { "odd\xffkey", "v\xfe" },
		{ "invocation_id", "6f1c1d9e-7b43-4c1e-9a57-0d2c7c0f7e11" },
		{ "git.url", "git@example.com:org/repo.git" },
		{ "git.commit", "0123456789abcdef0123456789abcdef01234567" },
		{ "git.tree", "89abcdef0123456789abcdef0123456789abcdef" }, { "git.dirty", "true" },
	};
	struct log_header h = { .kettle_version = "0.1.0", .host = "h", .kernel_release = "6.1",
				.boot_id = "b", .start_wall_ns = START_WALL, .start_boot_ns = START_BOOT,
				.root_pid = 100, .command = command, .ncommand = 5, .cwd = "/src",
				.options = opts, .noptions = sh->git ? 7 : 2 };
	struct log_trailer t = { .end_wall_ns = START_WALL + 2500000000ull, .end_boot_ns = START_BOOT + 2500000000ull,
				 .hash = { .queued = 8, .hashed = 6, .changed = 1 } };
	struct log_exec_ident x = { .path = "/usr/bin/cc", .kind = LOG_FILE_ELF_PIE, .elf_class = 64,
				    .elf_machine = 62, .build_id = "abcd" };
	struct log_event ev = { .type = LOG_EV_FORK, .tgid = 100 };
	char err[512];
	struct wlog s = { .ts = START_BOOT };

	if (sh->net_traced)
		opts[h.noptions++] = (struct log_option){ "net.traced", "true" };
	if (sh->mid_build)
		opts[h.noptions++] = (struct log_option){ "complete", "false" };
	s.w = log_writer_open(path, &h, err, sizeof(err));
	if (!s.w) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	if (sh->empty) {
		t.losses.records_unaccounted = 5;
		goto end;
	}
	ev.fork.child_tgid = 101;
	event(&s, ev);
	ev = (struct log_event){ .type = LOG_EV_EXEC, .tgid = 101 };
	ev.exec = (typeof(ev.exec)){ .exe = "/usr/bin/cc", .filename = "cc", .cwd = "/src", .ppid = 100 };
	event(&s, ev);
	digest(&s, LOG_DIGEST_EXEC, "/usr/bin/cc", 0, 0, 0xcc);
	if (log_write_exec_ident(s.w, &x))
		s.bad = 1;
	open_ev(&s, 101, "/src/in.c", O_RDONLY, 3);
	digest(&s, LOG_DIGEST_INPUT, "/src/in.c", 0, 0, 0xaa);
	open_ev(&s, 101, "/src/changed.h", O_RDONLY, 3);
	digest(&s, LOG_DIGEST_INPUT, "/src/changed.h", 0, LOG_DIGEST_CHANGED, 0xbb);
	open_ev(&s, 101, "/src/nohash.h", O_RDONLY, 3);
	open_ev(&s, 101, "/proc/self/maps", O_RDONLY, 3);
	open_ev(&s, 101, "/src", O_RDONLY | O_DIRECTORY, 3);
	open_ev(&s, 101, "/src/caf\xe9.c", O_RDONLY, 3);
	digest(&s, LOG_DIGEST_INPUT, "/src/caf\xe9.c", 0, 0, 0xce);
	open_ev(&s, 101, "/tmp/t.s", O_WRONLY | O_CREAT | O_TRUNC, 4);
	open_ev(&s, 101, "/tmp/t.s", O_RDONLY, 4);
	open_ev(&s, 101, "/src/out.o", O_WRONLY | O_CREAT | O_TRUNC, 4);
	open_ev(&s, 101, "/src/bin\xfe.out", O_WRONLY | O_CREAT | O_TRUNC, 5);
	if (sh->intermediates) {
		open_ev(&s, 101, "/src/conftest", O_WRONLY | O_CREAT | O_TRUNC, 6);
		ev = (struct log_event){ .type = LOG_EV_EXEC, .tgid = 101 };
		ev.exec = (typeof(ev.exec)){ .exe = "/src/conftest", .filename = "./conftest", .cwd = "/src",
					     .ppid = 100 };
		event(&s, ev);
		/* rewritten and run again before the hasher got to it: no matter, it is the build's own */
		digest(&s, LOG_DIGEST_EXEC, "/src/conftest", 0, LOG_DIGEST_CHANGED, 0xc7);
		open_ev(&s, 101, "/src/seen.txt", O_RDONLY, 7);
		digest(&s, LOG_DIGEST_INPUT, "/src/seen.txt", 0, 0, 0x5e);
		open_ev(&s, 101, "/src/seen.txt", O_WRONLY | O_TRUNC, 7);
	}
	if (sh->retimed) {
		open_ev(&s, 102, "/src/cache.bin", O_RDONLY, 8);
		digest(&s, LOG_DIGEST_INPUT, "/src/cache.bin", 0, LOG_DIGEST_CHANGED, 0xca);
		ev = (struct log_event){ .type = LOG_EV_FILE_OP, .tgid = 102 };
		ev.file_op.call = LOG_FOP_UTIMENSAT;
		ev.file_op.path = "/src/cache.bin";
		event(&s, ev);
	}
	if (sh->device_node) {
		ev = (struct log_event){ .type = LOG_EV_OPEN, .tgid = 101 };
		ev.open = (typeof(ev.open)){ .path = "/tmp/node", .path_flags = sh->device_node, .result = 9, .call = 2,
					     .flags = O_RDONLY, .dev = 0x803, .ino = 77 };
		event(&s, ev);
	}
	if (sh->notice) {
		ev = (struct log_event){ .type = LOG_EV_NOTICE, .tgid = 101 };
		ev.notice.what = sh->notice;
		ev.notice.nr = sh->notice_nr || sh->notice_arg0 ? sh->notice_nr : 425;
		ev.notice.arg0 = sh->notice_arg0;
		ev.notice.result = sh->notice_result;
		event(&s, ev);
	}
	if (sh->own_server)
		net_ev(&s, KE_NET_BIND, AF_UNIX, NULL, 0, "/run/x.sock", NULL);
	net_events(&s, sh->net);
	dgram_events(&s, sh->dgram);
	ev = (struct log_event){ .type = LOG_EV_EXIT, .tgid = 101 };
	event(&s, ev);
	digest(&s, LOG_DIGEST_OUTPUT, "/tmp/t.s", -ENOENT, 0, 0);
	digest(&s, LOG_DIGEST_OUTPUT, "/src/out.o", 0, 0, 0x0b);
	digest(&s, LOG_DIGEST_OUTPUT, "/src/bin\xfe.out", 0, 0, 0xfe);
	t.losses.path_truncations = sh->path_truncations;
	t.losses.ringbuf_drops[LOG_EV_NET] = sh->net_lost;
end:
	if (!sh->no_trailer && log_write_trailer(s.w, &t))
		s.bad = 1;
	if (log_writer_close(s.w) || s.bad)
		return -1;
	return 0;
}

/* Canonical bytes pass the required-field rules. */
static bool canonical_and_valid(json_t *st)
{
	char err[256];
	size_t len;
	char *bytes = jcs_dump(st, &len, err, sizeof(err));
	bool ok = bytes && statement_bytes_valid(bytes, len, NULL);

	if (!bytes)
		fprintf(stderr, "  jcs: %s\n", err);
	free(bytes);
	return ok;
}

/* The statement of a fresh log of shape SH, converted with O; NULL after saying why. */
static json_t *statement(const char *name, const struct shape *sh, const struct provenance_options *o,
			 struct provenance_facts *x)
{
	char dir[256], log[300], err[512];
	struct log_file f;
	uint8_t zero[32] = { 0 };
	json_t *st = NULL;

	test_workdir(name, dir, log);
	if (write_log(log, sh) || log_load(log, &f))
		return NULL;
	st = provenance_statement(&f, zero, o, x, err, sizeof(err));
	if (!st)
		fprintf(stderr, "  provenance_statement: %s\n", err);
	log_file_free(&f);
	if (st && !canonical_and_valid(st))
		st = (json_decref(st), NULL);   /* every statement a test makes obeys the rules */
	return st;
}

static json_t *deps_of(json_t *st)
{
	return json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
}

static json_t *dep(json_t *st, const char *uri)
{
	size_t i;
	json_t *d;

	json_array_foreach(deps_of(st), i, d)
		if (!strcmp(json_string_value(json_object_get(d, "uri")), uri))
			return d;
	return NULL;
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
	return json_string_value(json_object_get(b ? json_object_get(o, a) : o, b ? b : a));
}

static int test_subjects_are_outputs_under_cwd(void)
{
	const struct shape sh = { .git = true };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-subj", &sh, &o, &x), *s;

	CHECK(st && canonical_and_valid(st), "statement");
	s = json_object_get(st, "subject");
	CHECK(json_array_size(s) == 2 && x.subjects == 2, "%zu subjects", json_array_size(s));
	/* sorted by name: "bin%FE.out" < "out.o" */
	CHECK(!strcmp(str_at(json_array_get(s, 0), "name", NULL), "bin%FE.out"), "percent-encoded name");
	CHECK(!strcmp(str_at(json_array_get(s, 0), "annotations", "nameEncoding"), "percent-encoded"), "said so");
	CHECK(!strcmp(str_at(json_array_get(s, 0), "uri", NULL), "file:///src/bin%FE.out"), "uri");
	CHECK(!strcmp(str_at(json_array_get(s, 1), "name", NULL), "out.o"), "out.o");
	CHECK(!strcmp(str_at(json_array_get(s, 1), "digest", "sha256"),
		      "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), "out.o digest");
	json_decref(st);
	return TEST_PASS;
}

static int test_dependencies_and_annotations(void)
{
	const struct shape sh = { .git = true };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-deps", &sh, &o, &x), *d;

	CHECK(st, "statement");
	d = dep(st, "file:///src/in.c");
	CHECK(d && !strcmp(str_at(d, "digest", "sha256"),
			   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "in.c");
	CHECK(json_integer_value(json_object_get(json_object_get(json_object_get(d, "annotations"), "firstProcess"),
						 "pid")) == 101, "first process");
	d = dep(st, "file:///src/changed.h");
	CHECK(d && !json_object_get(d, "digest") &&
	      json_is_true(json_object_get(json_object_get(d, "annotations"), "changed")), "changed.h");
	d = dep(st, "file:///src/nohash.h");
	CHECK(d && !json_object_get(d, "digest") && str_at(d, "annotations", "notHashed"), "nohash.h");
	d = dep(st, "file:///usr/bin/cc");
	CHECK(d && json_is_true(json_object_get(json_object_get(d, "annotations"), "executed")) &&
	      !strcmp(str_at(d, "annotations", "elfBuildId"), "abcd"), "cc");
	CHECK(dep(st, "file:///src/caf%E9.c"), "non-UTF-8 path percent-encoded");
	CHECK(!dep(st, "file:///proc/self/maps") && x.excluded == 1, "/proc excluded (%zu)", x.excluded);
	CHECK(!dep(st, "file:///src"), "a directory listed");
	CHECK(!dep(st, "file:///tmp/t.s"), "the build's own temporary file listed");
	CHECK(!dep(st, "file:///src/out.o"), "an output listed");
	d = dep(st, "git+ssh://git@example.com/org/repo.git");
	CHECK(d && !strcmp(str_at(d, "digest", "gitCommit"), "0123456789abcdef0123456789abcdef01234567") &&
	      json_is_true(json_object_get(json_object_get(d, "annotations"), "dirty")), "git source");
	CHECK(json_array_size(deps_of(st)) == 6 && x.dependencies == 6, "%zu dependencies",
	      json_array_size(deps_of(st)));
	json_decref(st);
	return TEST_PASS;
}

static int test_parameters_and_run_details(void)
{
	const struct shape sh = { .git = true };
	const struct provenance_options o = { .builder_id = "https://example.com/ci" };
	struct provenance_facts x;
	json_t *st = statement("prov-params", &sh, &o, &x), *pred, *ext, *cmd, *md;

	CHECK(st, "statement");
	pred = json_object_get(st, "predicate");
	ext = json_object_get(json_object_get(pred, "buildDefinition"), "externalParameters");
	cmd = json_object_get(ext, "command");
	CHECK(json_array_size(cmd) == 5 && !strcmp(json_string_value(json_array_get(cmd, 4)), "tab\there"), "argv");
	CHECK(!strcmp(str_at(json_array_get(cmd, 3), "percentEncoded", NULL), "bad%FF-arg"), "non-UTF-8 argv word");
	CHECK(!strcmp(str_at(ext, "workingDirectory", NULL), "/src"), "cwd");
	CHECK(!strcmp(str_at(ext, "source", "repository"), "git@example.com:org/repo.git"), "source");
	CHECK(!strcmp(str_at(json_object_get(pred, "buildDefinition"), "internalParameters", "scope"),
		      "process-tree"), "scope");
	CHECK(!strcmp(str_at(json_object_get(json_object_get(json_object_get(pred, "buildDefinition"),
							     "internalParameters"), "options"), "odd%FFkey",
			     "percentEncoded"), "v%FE"), "an option that is not UTF-8");
	md = json_object_get(json_object_get(pred, "runDetails"), "metadata");
	CHECK(!strcmp(str_at(md, "invocationId", NULL), "6f1c1d9e-7b43-4c1e-9a57-0d2c7c0f7e11"), "invocation id");
	CHECK(!strcmp(str_at(md, "startedOn", NULL), "2023-11-14T22:13:20Z"), "startedOn %s", str_at(md, "startedOn", NULL));
	CHECK(!strcmp(str_at(md, "finishedOn", NULL), "2023-11-14T22:13:22Z"), "finishedOn");
	CHECK(!strcmp(str_at(json_object_get(pred, "runDetails"), "builder", "id"), "https://example.com/ci"), "builder");
	json_decref(st);
	return TEST_PASS;
}

static int test_invocation_id_without_header_option(void)
{
	const struct shape sh = { 0 };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-noinv", &sh, &o, &x);

	CHECK(st && canonical_and_valid(st), "statement");
	CHECK(!strcmp(str_at(json_object_get(json_object_get(st, "predicate"), "runDetails"), "metadata",
			     "invocationId"), "b/1000000000/100"), "derived id");
	CHECK(!json_object_get(json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
					       "externalParameters"), "source"), "no source without git options");
	json_decref(st);
	return TEST_PASS;
}

static json_t *completeness_of(json_t *st)
{
	json_t *bp = json_object_get(json_object_get(json_object_get(st, "predicate"), "runDetails"), "byproducts");

	return json_object_get(json_object_get(json_array_get(bp, 0), "annotations"), "completeness");
}

static int test_changed_and_unhashed_make_it_incomplete(void)
{
	const struct shape sh = { 0 };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-incomplete", &sh, &o, &x), *c;

	CHECK(st, "statement");
	c = completeness_of(st);
	CHECK(!x.complete && json_is_false(json_object_get(c, "complete")), "claims complete");
	CHECK(json_integer_value(json_object_get(c, "filesChanged")) == 1 && x.changed == 1, "changed");
	CHECK(json_integer_value(json_object_get(c, "filesUnhashed")) == 1 && x.unhashed == 1, "unhashed");
	json_decref(st);
	return TEST_PASS;
}

static int test_exclude_glob(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { 0 };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-exclude", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!dep(st, "file:///src/changed.h") && !dep(st, "file:///src/nohash.h") && dep(st, "file:///src/in.c"),
	      "--exclude");
	CHECK(x.excluded == 3 && x.complete, "excluded %zu, complete %d", x.excluded, x.complete);
	json_decref(st);
	return TEST_PASS;
}

static int test_losses_make_it_incomplete(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .path_truncations = 2 };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-losses", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && x.losses == 2, "losses");
	CHECK(json_integer_value(json_object_get(completeness_of(st), "pathTruncations")) == 2, "said");
	json_decref(st);
	return TEST_PASS;
}

/* A log with no event at all (a second reader of the ring took every record): a clear refusal, no crash. */
static int test_empty_record_is_refused(void)
{
	const struct shape sh = { .empty = true };
	const struct provenance_options o = { 0 };
	struct provenance_facts x = { 0 };
	char dir[256], log[300], err[512];
	uint8_t zero[32] = { 0 };
	struct log_file f;
	json_t *st;

	test_workdir("prov-empty", dir, log);
	CHECK(write_log(log, &sh) == 0 && log_load(log, &f) == 0, "the empty log is written and loads");
	st = provenance_statement(&f, zero, &o, &x, err, sizeof(err));
	log_file_free(&f);
	/* nothing the build wrote is known: no statement, and the error says why (kettle run: exit 125) */
	CHECK(!st && strstr(err, "no subject"), "no statement, for want of a subject (%s)", err);
	json_decref(st);
	return TEST_PASS;
}

static int test_attach_record_is_incomplete(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .mid_build = true };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-attach", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && x.mid_build, "a record begun mid-build claims completeness");
	CHECK(json_is_true(json_object_get(completeness_of(st), "beganMidBuild")) &&
	      json_is_false(json_object_get(completeness_of(st), "complete")), "said");
	json_decref(st);
	return TEST_PASS;
}

/* Whether the statement's completeness names REASON (for PATH, when given). */
static bool names_reason(json_t *st, const char *reason, const char *path)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(completeness_of(st), "reasons"), i, r)
		if (!strcmp(str_at(r, "reason", NULL) ?: "", reason) &&
		    (!path || !strcmp(str_at(r, "path", NULL) ?: "", path)))
			return true;
	return false;
}

static int test_intermediates_are_not_dependencies(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .intermediates = true };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-intermediate", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!dep(st, "file:///src/conftest"), "conftest, made and run by the build, is not a dependency");
	CHECK(dep(st, "file:///src/seen.txt"), "seen.txt, read before the build rewrote it, stays a dependency");
	CHECK(x.intermediates == 1, "one intermediate (got %zu)", x.intermediates);
	CHECK(json_integer_value(json_object_get(completeness_of(st), "intermediates")) == 1, "said");
	CHECK(x.complete, "the build's own program rewritten does not make it incomplete");
	json_decref(st);
	return TEST_PASS;
}

/* An input re-timed after its read (ccache's cache files) is named with the process that did it. */
static int test_changed_input_names_who_changed_it(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .retimed = true };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-retimed", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && x.nreasons == 1, "incomplete, one reason (got %" PRIu64 ")", x.nreasons);
	CHECK(names_reason(st, "input-changed", "/src/cache.bin"), "input-changed names the file");
	CHECK(strstr(x.reason_lines[0], "set its times") && strstr(x.reason_lines[0], "pid 102"),
	      "the line names the process and what it did: %s", x.reason_lines[0]);
	json_decref(st);
	return TEST_PASS;
}

/* A device node is judged by its number (the path flags), not by where it lives. */
static int test_device_node_anywhere_is_a_reason(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	const struct { uint16_t flags; const char *reason; } nodes[] = {
		{ LOG_PATH_MEM_DEVICE, "kernel-memory" }, { LOG_PATH_BLOCK_DEVICE, "block-device" },
		{ LOG_PATH_TERMINAL, "terminal" },
	};

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		const struct shape sh = { .device_node = nodes[i].flags };
		struct provenance_facts x;
		json_t *st = statement("prov-devnode", &sh, &o, &x);

		CHECK(st, "statement");
		CHECK(!x.complete && names_reason(st, nodes[i].reason, "/tmp/node"), "/tmp/node named %s", nodes[i].reason);
		json_decref(st);
	}
	return TEST_PASS;
}

static int test_notice_names_its_reason(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .notice = LOG_NOTICE_IO_URING };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-notice", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && x.nreasons == 1, "incomplete, one reason (got %" PRIu64 ")", x.nreasons);
	CHECK(names_reason(st, "io-uring", NULL), "named io-uring");
	CHECK(strstr(x.reason_lines[0], "io-uring") && strstr(x.reason_lines[0], "/usr/bin/cc"),
	      "the first line names the reason and the program: %s", x.reason_lines[0]);
	json_decref(st);
	return TEST_PASS;
}

/* The first reason's line of a statement with only notice WHAT (nr NR, arg0 ARG0): it must name REASON and hold TEXT. */
static int notice_line(const char *name, uint32_t what, uint32_t nr, uint64_t arg0, const char *reason, const char *text)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .notice = what, .notice_nr = nr, .notice_arg0 = arg0 };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement(name, &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && x.nreasons == 1, "incomplete, one reason (got %" PRIu64 ")", x.nreasons);
	CHECK(names_reason(st, reason, NULL), "named %s", reason);
	CHECK(strstr(x.reason_lines[0], text), "the line says %s: %s", text, x.reason_lines[0]);
	json_decref(st);
	return TEST_PASS;
}

/* clone3's child side reads its flags from memory the parent may have reused: only the parent's side counts */
static int test_clone3_child_side_is_no_namespace(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape child = { .notice = LOG_NOTICE_NAMESPACE, .notice_nr = 435, .notice_result = 0 };
	const struct shape parent = { .notice = LOG_NOTICE_NAMESPACE, .notice_nr = 435, .notice_result = 4321 };
	const struct shape unshare = { .notice = LOG_NOTICE_NAMESPACE, .notice_nr = 272, .notice_result = 0 };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-clone3-child", &child, &o, &x);

	CHECK(st, "statement");
	CHECK(x.complete && !names_reason(st, "namespace", NULL), "clone3's child side is no namespace reason");
	json_decref(st);
	st = statement("prov-clone3-parent", &parent, &o, &x);
	CHECK(st, "statement");
	CHECK(!x.complete && names_reason(st, "namespace", NULL), "clone3's parent side is one");
	json_decref(st);
	st = statement("prov-unshare", &unshare, &o, &x);
	CHECK(st, "statement");
	CHECK(!x.complete && names_reason(st, "namespace", NULL), "unshare (result 0) is one");
	json_decref(st);
	return TEST_PASS;
}

/* An io_uring request Kettle cannot record names its opcode; an unknown one its number. */
static int test_io_uring_op_names_the_opcode(void)
{
	int rc = notice_line("prov-uring-op", LOG_NOTICE_IO_URING_OP, 0, 35, "io-uring-op", "renameat (opcode 35)");

	if (rc != TEST_PASS)
		return rc;
	return notice_line("prov-uring-op-new", LOG_NOTICE_IO_URING_OP, 0, 200, "io-uring-op", "(unknown) (opcode 200)");
}

/* io-uring from the io_uring programs says which ring (arg0); from an older log, the setup itself. */
static int test_io_uring_ring_reasons(void)
{
	int rc = notice_line("prov-uring-foreign", LOG_NOTICE_IO_URING, 0, LOG_URING_FOREIGN_RING, "io-uring",
			     "no process of the build set up");

	if (rc == TEST_PASS)
		rc = notice_line("prov-uring-sqpoll", LOG_NOTICE_IO_URING, 0, LOG_URING_FOREIGN_SQPOLL, "io-uring",
				 "SQPOLL thread");
	if (rc == TEST_PASS)
		rc = notice_line("prov-uring-setup", LOG_NOTICE_IO_URING, 425, 8, "io-uring", "set up an io_uring");
	return rc;
}

static int test_local_peer_outside_the_build_is_a_reason(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape sh = { .net = 1 }, own = { .net = 1, .own_server = true };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_t *st = statement("prov-daemon", &sh, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete, "a daemon outside the build served it");
	CHECK(names_reason(st, "daemon", "/run/x.sock") && names_reason(st, "daemon", "127.0.0.1:8080") &&
	      names_reason(st, "daemon", "[::1]:80"), "each local peer named");
	json_decref(st);
	st = statement("prov-own-server", &own, &o, &x);
	CHECK(st, "statement");
	CHECK(!names_reason(st, "daemon", "/run/x.sock"), "a socket the build bound itself is no daemon");
	CHECK(names_reason(st, "daemon", "127.0.0.1:8080"), "the others still are");
	json_decref(st);
	return TEST_PASS;
}

/* The detail of the REASON naming PATH, or "". */
static const char *reason_detail(json_t *st, const char *reason, const char *path, json_int_t *pid)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(completeness_of(st), "reasons"), i, r)
		if (!strcmp(str_at(r, "reason", NULL) ?: "", reason) && !strcmp(str_at(r, "path", NULL) ?: "", path)) {
			*pid = json_integer_value(json_object_get(r, "pid"));
			return str_at(r, "detail", NULL) ?: "";
		}
	return "";
}

/* A datagram daemon the collector named is the reason, with its pid; one it did not find is said so. */
static int test_datagram_daemons(void)
{
	const char *const ex[] = { "/src/*.h" };
	const struct shape named = { .dgram = 1 }, unfound = { .dgram = 2 }, own = { .dgram = 3 };
	const struct provenance_options o = { .excludes = ex, .nexcludes = 1 };
	struct provenance_facts x;
	json_int_t pid = 0;
	json_t *st = statement("prov-dgram-named", &named, &o, &x);

	CHECK(st, "statement");
	CHECK(!x.complete && strstr(reason_detail(st, "daemon", "127.0.0.1:5140", &pid), "datagrams to loopback UDP"
				    " port 5140") && pid == 555, "the UDP receiver is named (pid %lld)", (long long)pid);
	CHECK(strstr(reason_detail(st, "daemon", "/run/log.sock", &pid), "talked to /run/log.sock") && pid == 101,
	      "an endpoint the collector said nothing of keeps the plain reason");
	json_decref(st);
	st = statement("prov-dgram-unfound", &unfound, &o, &x);
	CHECK(st, "statement");
	CHECK(!x.complete && strstr(reason_detail(st, "daemon", "127.0.0.1:5140", &pid), "did not find") && pid == 101,
	      "no UDP receiver found: said, with the sender");
	CHECK(strstr(reason_detail(st, "daemon", "/run/log.sock", &pid), "did not find"), "no unix receiver found: said");
	CHECK(x.nreasons == 2, "one reason per endpoint (got %" PRIu64 ")", x.nreasons);
	json_decref(st);
	st = statement("prov-dgram-own", &own, &o, &x);
	CHECK(st, "statement");
	CHECK(x.complete && !names_reason(st, "daemon", NULL), "endpoints the build bound itself: complete");
	json_decref(st);
	return TEST_PASS;
}

static int declared_error(const char *pattern, const char *words)
{
	const char *const subj[] = { pattern };
	const struct shape sh = { 0 };
	const struct provenance_options o = { .subjects = subj, .nsubjects = 1 };
	char dir[256], log[300], err[512] = "";
	struct provenance_facts x;
	struct log_file f;
	uint8_t zero[32] = { 0 };
	json_t *st;

	test_workdir("prov-declared", dir, log);
	if (write_log(log, &sh) || log_load(log, &f))
		return 0;
	st = provenance_statement(&f, zero, &o, &x, err, sizeof(err));
	log_file_free(&f);
	if (st) {
		json_decref(st);
		fprintf(stderr, "  --subject %s accepted\n", pattern);
		return 0;
	}
	if (!strstr(err, words) || !strstr(err, pattern)) {
		fprintf(stderr, "  error \"%s\" lacks \"%s\" or the pattern\n", err, words);
		return 0;
	}
	return 1;
}

static int test_declared_subjects(void)
{
	const char *const subj[] = { "./out.o", "/src/bin*" };
	const struct shape sh = { 0 };
	const struct provenance_options o = { .subjects = subj, .nsubjects = 2 };
	struct provenance_facts x;
	json_t *st = statement("prov-declared-ok", &sh, &o, &x);

	CHECK(st && json_array_size(json_object_get(st, "subject")) == 2, "path and glob");
	json_decref(st);
	CHECK(declared_error("in.c", "no output digest"), "an input");
	CHECK(declared_error("missing.o", "no output digest"), "unknown");
	CHECK(declared_error("*.zip", "matches no file"), "glob");
	CHECK(declared_error("/tmp/t.s", "not hashed"), "deleted output");
	return TEST_PASS;
}

static json_t *network_of(json_t *st)
{
	json_t *bp = json_object_get(json_object_get(json_object_get(st, "predicate"), "runDetails"), "byproducts");

	return json_object_get(json_object_get(json_array_get(bp, 0), "annotations"), "network");
}

static int test_network_remote_is_not_hermetic(void)
{
	const struct shape sh = { .net = 2 };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-net", &sh, &o, &x), *n;

	CHECK(st && canonical_and_valid(st), "statement");
	n = network_of(st);
	CHECK(!strcmp(str_at(n, "verdict", NULL), "not-hermetic"), "verdict %s", str_at(n, "verdict", NULL));
	CHECK(json_integer_value(json_object_get(n, "events")) == 5, "events");
	CHECK(json_integer_value(json_object_get(json_object_get(n, "calls"), "connect")) == 4 &&
	      json_integer_value(json_object_get(json_object_get(n, "calls"), "sendto")) == 1, "calls");
	CHECK(json_array_size(json_object_get(n, "remoteEndpoints")) == 1 &&
	      !strcmp(json_string_value(json_array_get(json_object_get(n, "remoteEndpoints"), 0)), "93.184.216.34:443"),
	      "remote endpoints");
	CHECK(!strcmp(json_string_value(json_array_get(json_object_get(n, "dnsNames"), 0)), "example.com"), "dns");
	json_decref(st);
	return TEST_PASS;
}

static int test_network_local_only_is_hermetic(void)
{
	const struct shape sh = { .net = 1, .net_traced = true };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-net-local", &sh, &o, &x), *n;

	CHECK(st, "statement");
	n = network_of(st);
	CHECK(!strcmp(str_at(n, "verdict", NULL), "hermetic"), "verdict %s", str_at(n, "verdict", NULL));
	CHECK(json_integer_value(json_object_get(n, "remoteEndpointCount")) == 0 &&
	      json_integer_value(json_object_get(n, "localEndpointCount")) == 3, "endpoints");
	json_decref(st);
	return TEST_PASS;
}

static int test_network_lost_is_unknown(void)
{
	const struct shape sh = { .net = 1, .net_lost = 3, .net_traced = true };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-net-lost", &sh, &o, &x), *n;

	CHECK(st, "statement");
	n = network_of(st);
	CHECK(!strcmp(str_at(n, "verdict", NULL), "unknown") && json_integer_value(json_object_get(n, "lost")) == 3,
	      "verdict %s", str_at(n, "verdict", NULL));
	CHECK(!x.complete, "lost events but complete");
	json_decref(st);
	return TEST_PASS;
}

/* Seeing no remote address proves nothing when the log does not say the socket calls were watched. */
static int test_network_untraced_is_unknown(void)
{
	const struct shape sh = { .net = 1 };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;
	json_t *st = statement("prov-net-untraced", &sh, &o, &x), *n;

	CHECK(st, "statement");
	n = network_of(st);
	CHECK(!strcmp(str_at(n, "verdict", NULL), "unknown") && strstr(str_at(n, "reason", NULL), "net.traced"),
	      "verdict %s", str_at(n, "verdict", NULL));
	json_decref(st);
	return TEST_PASS;
}

/* The rules checker itself: each break of a rule is caught. */
static int test_rules_checker_catches_breaks(void)
{
	static const char *const breaks[] = { "uppercase subject digest", "no subject", "startedOn without Z",
					      "empty externalParameters", "wrong predicateType", "non-ASCII uri" };
	const struct shape sh = { 0 };
	const struct provenance_options o = { 0 };
	struct provenance_facts x;

	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		json_t *st = statement("prov-rules", &sh, &o, &x), *pred, *bd;

		CHECK(st && statement_valid(st), "the unbroken statement");
		pred = json_object_get(st, "predicate");
		bd = json_object_get(pred, "buildDefinition");
		switch (i) {
		case 0: json_object_set_new(json_object_get(json_array_get(json_object_get(st, "subject"), 0), "digest"),
					    "sha256", json_string("0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B"));
			break;
		case 1: json_array_clear(json_object_get(st, "subject")); break;
		case 2: json_object_set_new(json_object_get(json_object_get(pred, "runDetails"), "metadata"), "startedOn",
					    json_string("2023-11-14T22:13:20")); break;
		case 3: json_object_set_new(bd, "externalParameters", json_object()); break;
		case 4: json_object_set_new(st, "predicateType", json_string("https://slsa.dev/provenance/v0.2")); break;
		case 5: json_object_set_new(json_array_get(json_object_get(bd, "resolvedDependencies"), 0), "uri",
					    json_string("file:///caf\xc3\xa9")); break;
		}
		CHECK(!statement_valid(st), "%s not caught", breaks[i]);
		json_decref(st);
	}
	return TEST_PASS;
}

static int test_merkle_worked_example(void)
{
	json_t *deps = json_loads("[{\"uri\":\"file:///src/empty.c\",\"digest\":{\"sha256\":"
				  "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}},"
				  "{\"uri\":\"file:///src/empty.h\",\"digest\":{\"sha256\":"
				  "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}},"
				  "{\"uri\":\"git+https://example.com/r.git\",\"digest\":{\"gitCommit\":"
				  "\"0123456789abcdef0123456789abcdef01234567\"}}]", 0, NULL);
	uint8_t root[32];
	char err[256], hexroot[65];

	CHECK(deps && provenance_merkle_root(deps, root, err, sizeof(err)) == 0, "%s", err);
	hex_encode(root, sizeof(root), hexroot);
	/* docs/provenance.md's worked example */
	CHECK(!strcmp(hexroot, "cd9d07deec99c9724fdc0ec68acdef27547506379f59662eec8482a3d5656766"), "root %s", hexroot);
	json_decref(deps);
	return TEST_PASS;
}

/* Roots of 0..17 entries (balanced and not) equal Python's hashlib over its own canonical form. */
static int test_merkle_independent(void)
{
	char in[] = "/tmp/kettle-merkle-XXXXXX", err[256], hexroot[65];
	int fd;

	if (!python_available())
		return test_skip("python3 not found");
	fd = mkstemp(in);
	CHECK(fd >= 0 && close(fd) == 0, "mkstemp");
	for (int n = 0; n <= 17; n++) {
		json_t *deps = json_array();
		uint8_t root[32];
		size_t len;
		char *py;

		for (int i = 0; i < n; i++) {
			char uri[64];

			snprintf(uri, sizeof(uri), "file:///src/f\xc3\xa9%02d.c", i);
			json_array_append_new(deps, json_pack("{s:s, s:{s:i}, s:{s:b}}", "uri", uri, "digest", "n", i,
							      "annotations", "executed", i % 2));
		}
		CHECK(json_dump_file(deps, in, JSON_INDENT(2)) == 0, "write");
		CHECK(provenance_merkle_root(deps, root, err, sizeof(err)) == 0, "%s", err);
		json_decref(deps);
		hex_encode(root, sizeof(root), hexroot);
		py = python_jcs("merkle", in, &len);
		CHECK(py, "python");
		CHECK(!strcmp(py, hexroot), "%d leaves: ours %s, python %s", n, hexroot, py);
		free(py);
	}
	unlink(in);
	return TEST_PASS;
}

/* The whole statement, with its odd argv and paths, re-canonicalized by Python: the same bytes. */
static int test_statement_independently_canonical(void)
{
	const struct shape sh = { .git = true };
	const struct provenance_options o = { 0 };
	char in[] = "/tmp/kettle-stmt-XXXXXX", err[256];
	struct provenance_facts x;
	json_t *st = statement("prov-python", &sh, &o, &x);
	size_t len, plen;
	char *bytes, *py;
	int fd;
	FILE *f;

	if (!python_available()) {
		json_decref(st);
		return test_skip("python3 not found");
	}
	CHECK(st, "statement");
	bytes = jcs_dump(st, &len, err, sizeof(err));
	json_decref(st);
	CHECK(bytes, "%s", err);
	fd = mkstemp(in);
	CHECK(fd >= 0 && (f = fdopen(fd, "w")) && fwrite(bytes, 1, len, f) == len && !fclose(f), "write");
	py = python_jcs("canon", in, &plen);
	unlink(in);
	CHECK(py && plen == len && !memcmp(py, bytes, len), "python's bytes differ");
	free(py);
	free(bytes);
	return TEST_PASS;
}

static int test_file_uri_percent_encoding(void)
{
	char *u = provenance_file_uri("/a b/%/\xc3\xa9\xff/g++-12:x@y~z");

	CHECK(u && !strcmp(u, "file:///a%20b/%25/%C3%A9%FF/g++-12:x@y~z"), "%s", u ? u : "(null)");
	free(u);
	return TEST_PASS;
}

static int test_no_trailer_refused(void)
{
	const struct shape sh = { .no_trailer = true };
	char dir[256], log[300], err[512] = "";
	struct provenance_facts x;
	const struct provenance_options o = { 0 };
	struct log_file f;
	uint8_t zero[32] = { 0 };
	json_t *st;

	test_workdir("prov-notrailer", dir, log);
	CHECK(write_log(log, &sh) == 0 && log_load(log, &f) == 0, "log");
	st = provenance_statement(&f, zero, &o, &x, err, sizeof(err));
	log_file_free(&f);
	CHECK(!st && strstr(err, "no trailer"), "accepted: %s", err);
	CHECK(provenance_write(log, "/dev/null", &o, &x, err, sizeof(err)) == -1 && strstr(err, "without a trailer") &&
	      strstr(err, "valid bytes"), "write: %s", err);
	return TEST_PASS;
}

/* ---- the command ---- */

static int kettle(const char *const args[], const char *err_path)
{
	const char *argv[16];
	char bin[512];
	int n = 0, status;
	pid_t pid;

	test_path(bin, sizeof(bin), "", "kettle");
	argv[n++] = bin;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644), o = open("/dev/null", O_WRONLY);

		if (e < 0 || o < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(125);
		execv(bin, (char *const *)argv);
		_exit(125);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static bool file_says(const char *path, const char *text)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	if (!strstr(buf, text))
		fprintf(stderr, "  %s lacks \"%s\": %s\n", path, text, buf);
	return strstr(buf, text) != NULL;
}

static int test_command_exit_codes(void)
{
	const struct shape sh = { 0 };
	char dir[256], log[300], err[320], out[320];

	test_workdir("prov-cmd", dir, log);
	snprintf(err, sizeof(err), "%s/err", dir);
	snprintf(out, sizeof(out), "%s/st.json", dir);
	CHECK(write_log(log, &sh) == 0, "log");
	CHECK(kettle((const char *[]){ "provenance", log, "-o", out, NULL }, err) == 1, "incomplete is not exit 1");
	CHECK(file_says(err, "incomplete"), "says why");
	CHECK(access(out, F_OK) == 0, "the incomplete statement was not written");
	CHECK(kettle((const char *[]){ "provenance", log, "-o", out, "--allow-incomplete", NULL }, err) == 0, "allowed");
	CHECK(kettle((const char *[]){ "provenance", log, "--builder-id", "not a uri", NULL }, err) == 125, "builder id");
	CHECK(file_says(err, "not a URI"), "builder id message");
	CHECK(kettle((const char *[]){ "provenance", NULL }, err) == 125 && file_says(err, "no LOG"), "no log");
	CHECK(kettle((const char *[]){ "provenance", log, "--json-summary", NULL }, err) == 125, "summary without -o");
	CHECK(kettle((const char *[]){ "provenance", "--help", NULL }, err) == 0, "--help");
	return TEST_PASS;
}

static int test_newer_format_version_refused(void)
{
	const struct shape sh = { 0 };
	char dir[256], log[300], err[320], want[100];
	unsigned char b[16];
	int fd;

	test_workdir("prov-version", dir, log);
	snprintf(err, sizeof(err), "%s/err", dir);
	CHECK(write_log(log, &sh) == 0, "log");
	/* [0, "kettle-log", 1, ...]: array head, kind, 11 bytes of magic, then the version */
	fd = open(log, O_RDWR);
	CHECK(fd >= 0 && pread(fd, b, sizeof(b), 0) == sizeof(b) && b[13] == LOG_FORMAT_VERSION, "version byte");
	b[13] = LOG_FORMAT_VERSION + 1;
	CHECK(pwrite(fd, b + 13, 1, 13) == 1 && close(fd) == 0, "patch");
	CHECK(kettle((const char *[]){ "provenance", log, NULL }, err) == 125, "exit");
	snprintf(want, sizeof(want), "format version %d is newer than this kettle reads", LOG_FORMAT_VERSION + 1);
	CHECK(file_says(err, want) && file_says(err, "a newer kettle wrote it"), "message");
	return TEST_PASS;
}

static int test_garbage_log_refused(void)
{
	char dir[256], log[300], err[320];
	FILE *f;

	test_workdir("prov-garbage", dir, log);
	snprintf(err, sizeof(err), "%s/err", dir);
	f = fopen(log, "w");
	CHECK(f && fputs("{\"not\": \"a log\"}\n", f) >= 0 && !fclose(f), "write");
	CHECK(kettle((const char *[]){ "provenance", log, NULL }, err) == 125, "exit");
	CHECK(file_says(err, "not a kettle log"), "message");
	CHECK(kettle((const char *[]){ "provenance", "/nonexistent/log", NULL }, err) == 125 &&
	      file_says(err, "/nonexistent/log: cannot open"), "missing file");
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "subjects_are_outputs_under_cwd", test_subjects_are_outputs_under_cwd },
	{ "dependencies_and_annotations", test_dependencies_and_annotations },
	{ "parameters_and_run_details", test_parameters_and_run_details },
	{ "invocation_id_without_header_option", test_invocation_id_without_header_option },
	{ "changed_and_unhashed_make_it_incomplete", test_changed_and_unhashed_make_it_incomplete },
	{ "exclude_glob", test_exclude_glob },
	{ "losses_make_it_incomplete", test_losses_make_it_incomplete },
	{ "empty_record_is_refused", test_empty_record_is_refused },
	{ "attach_record_is_incomplete", test_attach_record_is_incomplete },
	{ "intermediates_are_not_dependencies", test_intermediates_are_not_dependencies },
	{ "notice_names_its_reason", test_notice_names_its_reason },
	{ "device_node_anywhere_is_a_reason", test_device_node_anywhere_is_a_reason },
	{ "io_uring_op_names_the_opcode", test_io_uring_op_names_the_opcode },
	{ "io_uring_ring_reasons", test_io_uring_ring_reasons },
	{ "clone3_child_side_is_no_namespace", test_clone3_child_side_is_no_namespace },
	{ "changed_input_names_who_changed_it", test_changed_input_names_who_changed_it },
	{ "local_peer_outside_the_build_is_a_reason", test_local_peer_outside_the_build_is_a_reason },
	{ "datagram_daemons", test_datagram_daemons },
	{ "declared_subjects", test_declared_subjects },
	{ "network_remote_is_not_hermetic", test_network_remote_is_not_hermetic },
	{ "network_local_only_is_hermetic", test_network_local_only_is_hermetic },
	{ "network_lost_is_unknown", test_network_lost_is_unknown },
	{ "network_untraced_is_unknown", test_network_untraced_is_unknown },
	{ "rules_checker_catches_breaks", test_rules_checker_catches_breaks },
	{ "merkle_worked_example", test_merkle_worked_example },
	{ "merkle_independent", test_merkle_independent },
	{ "statement_independently_canonical", test_statement_independently_canonical },
	{ "file_uri_percent_encoding", test_file_uri_percent_encoding },
	{ "no_trailer_refused", test_no_trailer_refused },
	{ "command_exit_codes", test_command_exit_codes },
	{ "newer_format_version_refused", test_newer_format_version_refused },
	{ "garbage_log_refused", test_garbage_log_refused },
};

TEST_MAIN("provenance_unit", tests)
