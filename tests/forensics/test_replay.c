// SPDX-License-Identifier: MIT
/* The replay model, lineage and build diff on small logs built in memory. */
#include <fcntl.h>
#include <sys/socket.h>

#include "bpf/events.h"

#include "forensics/build_diff.h"
#include "forensics/lineage.h"
#include "forensics/lineage_store.h"
#include "forensics/replay.h"
#include "log/log_writer.h"
#include "testlib.h"

#define MAXEV 256

struct synth {
	struct log_event ev[MAXEV];
	size_t n;
	struct log_digest dg[64];
	size_t nd;
	uint64_t ts;
	const char *argv[MAXEV][4];
	struct log_file f;
};

static void add(struct synth *s, struct log_event e)
{
	e.ts_ns = s->ts += 1000;
	e.tid = e.tgid;
	s->ev[s->n++] = e;
}

static void fork_(struct synth *s, uint32_t parent, uint32_t child)
{
	add(s, (struct log_event){ .type = LOG_EV_FORK, .tgid = parent, .fork.child_tgid = child });
}

static void exec_(struct synth *s, uint32_t pid, const char *exe, const char *a1, const char *a2)
{
	const char **argv = s->argv[s->n];
	struct log_event e = { .type = LOG_EV_EXEC, .tgid = pid };

	argv[0] = strrchr(exe, '/') + 1;
	argv[1] = a1;
	argv[2] = a2;
	e.exec.exe = exe;
	e.exec.cwd = "/src";
	e.exec.argv = argv;
	e.exec.nargv = e.exec.argc = a2 ? 3 : a1 ? 2 : 1;
	add(s, e);
}

static void open_(struct synth *s, uint32_t pid, const char *path, uint64_t flags, int32_t result)
{
	struct log_event e = { .type = LOG_EV_OPEN, .tgid = pid };

	e.open.path = path;
	e.open.flags = flags;
	e.open.result = result;
	e.open.call = 2;
	add(s, e);
}

static void exit_(struct synth *s, uint32_t pid)
{
	add(s, (struct log_event){ .type = LOG_EV_EXIT, .tgid = pid });
}

static void digest(struct synth *s, enum log_digest_kind kind, const char *path, int fill, int32_t result)
{
	struct log_digest *d = &s->dg[s->nd++];

	*d = (struct log_digest){ .kind = kind, .path = path, .result = result, .boot_ns = s->ts };
	memset(d->sha256, fill, sizeof(d->sha256));
}

static const char *const command[] = { "make" };

static const struct log_file *finish(struct synth *s)
{
	s->f = (struct log_file){ .has_header = true, .events = s->ev, .nevents = s->n,
				  .digests = s->dg, .ndigests = s->nd, .has_trailer = true };
	s->f.header = (struct log_header){ .format_version = LOG_FORMAT_VERSION, .start_boot_ns = 0,
					   .root_pid = 100, .command = command, .ncommand = 1,
					   .cwd = "/src" };
	s->f.trailer.end_boot_ns = s->ts + 1000;
	return &s->f;
}

/*
 * make (100) -> cc (101) reads main.c, greet.h, a probe; writes /tmp/ccTMP.s
 *            -> as (102) reads the .s, writes main.o
 *            -> ld (103) reads main.o, writes app
 * HDR is the greet.h digest fill; TMP the temp name; OBJ/APP the output fills.
 */
static const struct log_file *small_build(struct synth *s, int hdr, const char *tmp, int obj, int app)
{
	memset(s, 0, sizeof(*s));
	exec_(s, 100, "/usr/bin/make", NULL, NULL);
	fork_(s, 100, 101);
	exec_(s, 101, "/usr/lib/cc1", "main.c", tmp);
	open_(s, 101, tmp, O_WRONLY | O_CREAT | O_TRUNC, 3);      /* output opened before the reads */
	open_(s, 101, "/src/main.c", O_RDONLY, 4);
	open_(s, 101, "/src/include/greet.h", O_RDONLY, -ENOENT);
	open_(s, 101, "/src/greet.h", O_RDONLY, 5);
	open_(s, 101, "/src", O_RDONLY | O_DIRECTORY, 6);
	digest(s, LOG_DIGEST_INPUT, "/src/main.c", 1, 0);
	digest(s, LOG_DIGEST_INPUT, "/src/greet.h", hdr, 0);
	exit_(s, 101);
	fork_(s, 100, 102);
	exec_(s, 102, "/usr/bin/as", "-o", "main.o");
	open_(s, 102, tmp, O_RDONLY, 3);
	open_(s, 102, "/src/main.o", O_WRONLY | O_CREAT | O_TRUNC, 4);
	exit_(s, 102);
	fork_(s, 100, 103);
	exec_(s, 103, "/usr/bin/ld", "-o", "app");
	open_(s, 103, "/src/main.o", O_RDONLY, 3);
	open_(s, 103, "/src/app", O_RDWR | O_CREAT | O_TRUNC, 4);
	exit_(s, 103);
	exit_(s, 100);
	digest(s, LOG_DIGEST_EXEC, "/usr/lib/cc1", 9, 0);
	digest(s, LOG_DIGEST_OUTPUT, tmp, 0, -ENOENT);
	digest(s, LOG_DIGEST_OUTPUT, "/src/main.o", obj, 0);
	digest(s, LOG_DIGEST_OUTPUT, "/src/app", app, 0);
	return finish(s);
}

static struct synth sa, sb;

static uint32_t file_of(const struct replay *r, const char *path)
{
	return replay_file_find(r, path);
}

static int test_processes_and_exec_chain(void)
{
	struct replay r;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(r.nprocs == 4, "%u processes", r.nprocs);
	CHECK(r.procs[r.root].pid == 100 && r.procs[r.root].parent == REPLAY_NONE, "root");
	CHECK(r.procs[1].pid == 101 && r.procs[1].parent == r.root, "child 101 under the root");
	CHECK(!strcmp(replay_proc_name(&r, 1), "cc1"), "101 runs %s", replay_proc_name(&r, 1));
	CHECK(r.procs[r.root].first_child == 1 && r.procs[1].next_sibling == 2 &&
	      r.procs[2].next_sibling == 3, "children in fork order");
	CHECK(r.procs[1].exited && r.procs[1].end_ns < r.procs[2].start_ns, "101 exits before 102 starts");
	CHECK(replay_proc_running_at(&r, 1, r.procs[1].start_ns + 1) &&
	      !replay_proc_running_at(&r, 1, r.procs[2].start_ns), "running_at");
	replay_free(&r);
	return TEST_PASS;
}

static int test_pid_reuse_is_a_new_instance(void)
{
	struct replay r;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	sa.n--;                                 /* drop make's exit: reuse 101 */
	fork_(&sa, 100, 101);
	exec_(&sa, 101, "/bin/true", NULL, NULL);
	exit_(&sa, 101);
	finish(&sa);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(r.nprocs == 5, "%u processes: a reused pid is a second instance", r.nprocs);
	CHECK(r.procs[4].pid == 101 && !strcmp(replay_proc_name(&r, 4), "true"), "new instance");
	CHECK(!strcmp(replay_proc_name(&r, 1), "cc1"), "the old instance keeps its program");
	replay_free(&r);
	return TEST_PASS;
}

static int test_file_roles(void)
{
	struct replay r;
	char err[256];
	uint32_t probe, tmp, dir;

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	tmp = file_of(&r, "/tmp/ccAAAAAA.s");
	probe = file_of(&r, "/src/include/greet.h");
	dir = file_of(&r, "/src");
	CHECK(tmp != REPLAY_NONE && (r.files[tmp].flags & RF_TEMP), "the deleted .s is temporary");
	CHECK(probe != REPLAY_NONE && r.files[probe].flags == RF_ABSENT, "the probe is only absent");
	CHECK(dir == REPLAY_NONE, "a directory open is not a read");
	CHECK(r.files[file_of(&r, "/src/main.o")].flags == (RF_READ | RF_WRITTEN), "main.o flags");
	CHECK(r.files[file_of(&r, "/src/app")].flags & RF_WRITTEN, "app written");
	CHECK(!(r.files[file_of(&r, "/src/app")].flags & RF_READ), "an O_RDWR|O_TRUNC open reads nothing");
	CHECK(replay_file_digest(&r, file_of(&r, "/src/greet.h"))->sha256[0] == 2, "input digest");
	CHECK(!replay_file_digest(&r, tmp), "a failed digest is not a digest");
	replay_free(&r);
	return TEST_PASS;
}

static bool lineage_has(const struct replay *r, const struct lineage *l, const char *path)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (l->items[i].kind == LI_FILE && !strcmp(r->files[l->items[i].id].path, path))
			return true;
	return false;
}

static int test_lineage_reaches_header_through_temporaries(void)
{
	struct replay r;
	struct lineage l;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(!lineage_walk(&r, file_of(&r, "/src/app"), LINEAGE_DEPTH_DEFAULT, &l), "walk");
	CHECK(lineage_has(&r, &l, "/src/main.o") && lineage_has(&r, &l, "/tmp/ccAAAAAA.s"),
	      "intermediates");
	CHECK(lineage_has(&r, &l, "/src/greet.h") && lineage_has(&r, &l, "/src/main.c"),
	      "the sources, read after the output was opened");
	CHECK(lineage_has(&r, &l, "/usr/lib/cc1"), "the compiler executable");
	CHECK(!lineage_has(&r, &l, "/src/include/greet.h"), "a failed probe is no input");
	CHECK(l.nwriters == 3, "%u writers", l.nwriters);
	CHECK(l.nsources == 2, "%u sources", l.nsources);
	lineage_free(&l);
	replay_free(&r);
	return TEST_PASS;
}

static int test_lineage_cycle_and_depth_limit(void)
{
	static const char *const chain[] = { "/w/f0", "/w/f1", "/w/f2", "/w/f3", "/w/f4", "/w/f5" };
	struct replay r;
	struct lineage l;
	char err[256];
	bool cut = false, repeat = false;

	memset(&sa, 0, sizeof(sa));
	/* process 200+i reads f(i) and writes f(i+1); 210 reads f5 and writes f0: a cycle */
	for (uint32_t i = 0; i < 5; i++) {
		fork_(&sa, 100, 200 + i);
		open_(&sa, 200 + i, chain[i], O_RDONLY, 3);
		open_(&sa, 200 + i, chain[i + 1], O_WRONLY | O_CREAT, 4);
	}
	fork_(&sa, 100, 210);
	open_(&sa, 210, chain[5], O_RDONLY, 3);
	open_(&sa, 210, chain[0], O_WRONLY | O_CREAT, 4);
	finish(&sa);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(!lineage_walk(&r, file_of(&r, chain[5]), LINEAGE_DEPTH_DEFAULT, &l), "walk");
	for (uint32_t i = 0; i < l.n; i++)
		repeat |= l.items[i].repeat;
	CHECK(repeat && l.n == 13, "the cycle ends at the repeated file (%u items)", l.n);
	lineage_free(&l);
	CHECK(!lineage_walk(&r, file_of(&r, chain[5]), 2, &l), "walk");
	for (uint32_t i = 0; i < l.n; i++)
		cut |= l.items[i].cut;
	CHECK(cut && l.n < 13, "the depth limit cuts (%u items)", l.n);
	lineage_free(&l);
	replay_free(&r);
	return TEST_PASS;
}

static int test_resolve_paths(void)
{
	struct replay r;
	char err[512];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(replay_file_resolve(&r, "/src/app", err, sizeof(err)) == file_of(&r, "/src/app"), "exact");
	CHECK(replay_file_resolve(&r, "./main.o", err, sizeof(err)) == file_of(&r, "/src/main.o"),
	      "relative to the build directory");
	CHECK(replay_file_resolve(&r, "ccAAAAAA.s", err, sizeof(err)) == file_of(&r, "/tmp/ccAAAAAA.s"),
	      "a unique tail");
	CHECK(replay_file_resolve(&r, "greet.h", err, sizeof(err)) == file_of(&r, "/src/greet.h"),
	      "the build directory's file before tails");
	CHECK(replay_file_resolve(&r, "nothere.c", err, sizeof(err)) == REPLAY_NONE &&
	      strstr(err, "not a path this build touched"), "never seen: %s", err);
	replay_free(&r);
	sa.f.header.cwd = "/elsewhere";
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(replay_file_resolve(&r, "greet.h", err, sizeof(err)) == REPLAY_NONE &&
	      strstr(err, "matches 2 paths") && strstr(err, "/src/include/greet.h"), "ambiguous: %s", err);
	replay_free(&r);
	return TEST_PASS;
}

static int test_diff_ranks_the_changed_header_first(void)
{
	struct replay ra, rb;
	struct build_diff d;
	char err[256];
	const struct diff_causes *c;

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	small_build(&sb, 7, "/tmp/ccBBBBBB.s", 5, 6);
	CHECK(!replay_build(&ra, &sa.f, err, sizeof(err)) && !replay_build(&rb, &sb.f, err, sizeof(err)),
	      "%s", err);
	CHECK(!build_diff_run(&d, &ra, &rb), "diff");
	CHECK(d.ncommands == 0 && d.commands_matched == 4, "commands match despite temp names (%u, %u)",
	      d.ncommands, d.commands_matched);
	CHECK(d.ninputs == 1 && !strcmp(d.files[d.inputs[0]].key, "./greet.h"), "the header is the cause");
	CHECK(d.files[d.inputs[0]].reaches == 2, "it reaches both outputs");
	CHECK(d.noutputs == 2 && !strcmp(d.files[d.outputs[0]].key, "./main.o") &&
	      !strcmp(d.files[d.outputs[1]].key, "./app"), "the object, then the binary");
	c = &d.file_causes[d.files[d.outputs[1]].b];
	CHECK(c->n == 1 && c->id[0] == d.inputs[0], "app because of the header");
	CHECK(build_diff_step(&rb, 1) == 1, "a child of make is its own step");
	CHECK(build_diff_any(&d), "differs");
	build_diff_free(&d);
	replay_free(&ra);
	replay_free(&rb);
	return TEST_PASS;
}

static int test_diff_unexplained_and_identical(void)
{
	struct replay ra, rb;
	struct build_diff d;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	small_build(&sb, 2, "/tmp/ccBBBBBB.s", 3, 4);
	CHECK(!replay_build(&ra, &sa.f, err, sizeof(err)) && !replay_build(&rb, &sb.f, err, sizeof(err)),
	      "%s", err);
	CHECK(!build_diff_run(&d, &ra, &rb), "diff");
	CHECK(!build_diff_any(&d) && d.same_outputs == 2, "same build: no difference (%u same outputs)",
	      d.same_outputs);
	build_diff_free(&d);
	replay_free(&rb);
	small_build(&sb, 2, "/tmp/ccBBBBBB.s", 3, 8);   /* app differs, nothing explains it */
	CHECK(!replay_build(&rb, &sb.f, err, sizeof(err)), "%s", err);
	CHECK(!build_diff_run(&d, &ra, &rb), "diff");
	CHECK(d.ninputs == 0 && d.noutputs == 1 && d.file_causes[d.files[d.outputs[0]].b].n == 0,
	      "an unexplained output");
	build_diff_free(&d);
	replay_free(&ra);
	replay_free(&rb);
	return TEST_PASS;
}

static void net_(struct synth *s, uint32_t pid, uint8_t a0, uint8_t a3, uint16_t port)
{
	struct log_event e = { .type = LOG_EV_NET, .tgid = pid };

	e.net.call = KE_NET_CONNECT;
	e.net.family = AF_INET;
	e.net.addr_source = KE_ADDR_USER;
	e.net.addr[0] = a0;
	e.net.addr[3] = a3;
	e.net.port = port;
	add(s, e);
}

static void rename_(struct synth *s, uint32_t pid, const char *from, const char *to)
{
	struct log_event e = { .type = LOG_EV_FILE_OP, .tgid = pid };

	e.file_op.call = KE_FOP_RENAMEAT2;
	e.file_op.path = from;
	e.file_op.path2 = to;
	add(s, e);
}

/* Each build's make reads its own /proc/<pid>/cgroup: the same file, not a difference. */
static int test_diff_proc_pid_paths_are_the_same_file(void)
{
	struct replay ra, rb;
	struct build_diff d;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	small_build(&sb, 2, "/tmp/ccAAAAAA.s", 3, 4);
	sa.ev[sa.n - 1] = (struct log_event){ .type = LOG_EV_OPEN, .tgid = 100, .ts_ns = sa.ts,
					      .open = { .path = "/proc/100/cgroup", .result = 3, .call = 2 } };
	sb.ev[sb.n - 1] = (struct log_event){ .type = LOG_EV_OPEN, .tgid = 100, .ts_ns = sb.ts,
					      .open = { .path = "/proc/4242/cgroup", .result = 3, .call = 2 } };
	CHECK(!replay_build(&ra, &sa.f, err, sizeof(err)) && !replay_build(&rb, &sb.f, err, sizeof(err)),
	      "%s", err);
	CHECK(!build_diff_run(&d, &ra, &rb), "diff");
	CHECK(!build_diff_any(&d), "/proc/100/cgroup and /proc/4242/cgroup are one file in a diff");
	build_diff_free(&d);
	replay_free(&ra);
	replay_free(&rb);
	return TEST_PASS;
}

static int test_rename_joins_the_lineage(void)
{
	struct replay r;
	struct lineage l;
	char err[256];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	sa.n--;
	fork_(&sa, 100, 104);
	exec_(&sa, 104, "/bin/mv", "app", "app.final");
	rename_(&sa, 104, "/src/app", "/src/app.final");
	exit_(&sa, 104);
	exit_(&sa, 100);
	finish(&sa);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	CHECK(r.files[file_of(&r, "/src/app")].role == ROLE_TEMPORARY, "renamed away: gone at the end");
	CHECK(r.files[file_of(&r, "/src/app.final")].role == ROLE_OUTPUT, "renamed onto: an output");
	CHECK(!lineage_walk(&r, file_of(&r, "/src/app.final"), LINEAGE_DEPTH_DEFAULT, &l), "walk");
	CHECK(lineage_has(&r, &l, "/src/app") && lineage_has(&r, &l, "/src/greet.h"),
	      "the lineage goes through the rename down to the header");
	lineage_free(&l);
	replay_free(&r);
	return TEST_PASS;
}

static int test_network_endpoints(void)
{
	struct replay ra, rb;
	struct lineage l;
	struct build_diff d;
	char err[256];
	bool net = false;

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	small_build(&sb, 2, "/tmp/ccBBBBBB.s", 3, 4);
	sb.n -= 2;              /* before ld's exit and make's: ld fetches something */
	net_(&sb, 103, 10, 7, 443);
	net_(&sb, 103, 127, 1, 8080);
	net_(&sb, 103, 10, 7, 443);
	exit_(&sb, 103);
	exit_(&sb, 100);
	finish(&sb);
	CHECK(!replay_build(&ra, &sa.f, err, sizeof(err)) && !replay_build(&rb, &sb.f, err, sizeof(err)),
	      "%s", err);
	CHECK(rb.nendpoints == 2 && rb.nnets == 3, "%u endpoints, %u calls", rb.nendpoints, rb.nnets);
	CHECK(!strcmp(rb.endpoints[0].name, "10.0.0.7:443") && !rb.endpoints[0].local &&
	      rb.endpoints[0].calls == 2, "remote endpoint %s", rb.endpoints[0].name);
	CHECK(!strcmp(rb.endpoints[1].name, "127.0.0.1:8080") && rb.endpoints[1].local, "local endpoint");
	CHECK(!lineage_walk(&rb, file_of(&rb, "/src/app"), LINEAGE_DEPTH_DEFAULT, &l), "walk");
	for (uint32_t i = 0; i < l.n; i++)
		net |= l.items[i].kind == LI_NET && l.items[i].id == 0;
	CHECK(net && l.nendpoints == 2, "the linker's fetch is in the binary's lineage");
	lineage_free(&l);
	CHECK(!build_diff_run(&d, &ra, &rb), "diff");
	CHECK(d.nnet_added == 2 && d.nnet_removed == 0 && build_diff_any(&d), "new contacts found");
	build_diff_free(&d);
	replay_free(&ra);
	replay_free(&rb);
	return TEST_PASS;
}

static int test_attach_snapshot_is_a_process(void)
{
	static const char *const argv[] = { "make", "-j4" };
	struct log_event e = { .type = LOG_EV_PROC_SNAPSHOT, .tgid = 50 };
	struct replay r;
	char err[256];
	uint32_t p;

	memset(&sa, 0, sizeof(sa));
	sa.ts = 5000;
	e.proc_snapshot.ppid = 1;
	e.proc_snapshot.exe = "/usr/bin/make";
	e.proc_snapshot.argv = argv;
	e.proc_snapshot.nargv = e.proc_snapshot.argc = 2;
	e.proc_snapshot.start_boot_ns = 100;
	add(&sa, e);
	fork_(&sa, 50, 51);
	exec_(&sa, 51, "/usr/bin/cc", "-c", "x.c");
	finish(&sa);
	CHECK(!replay_build(&r, &sa.f, err, sizeof(err)), "%s", err);
	p = r.procs[r.nprocs - 1].pid == 51 ? r.procs[r.nprocs - 1].parent : REPLAY_NONE;
	CHECK(p != REPLAY_NONE && r.procs[p].pid == 50, "the child hangs under the snapshot");
	CHECK(!strcmp(replay_proc_name(&r, p), "make") && replay_proc_exec(&r, p)->snapshot &&
	      replay_proc_exec(&r, p)->nargv == 2, "the snapshot's program and argv");
	CHECK(r.procs[p].start_ns == 100, "started when /proc said");
	replay_free(&r);
	return TEST_PASS;
}

static int keep_streamed(void *arg, const struct lineage_item *it)
{
	struct lineage *l = arg;

	if (l->n == l->cap)
		return -1;
	l->items[l->n++] = *it;
	return 0;
}

/*
 * Every file's lineage (to the default depth and to 2) from the model that
 * keeps each access equals the one from the hooked model and its store, item
 * for item; and the files' roles are the same.  0 or -1 with WHY.
 */
static int streamed_equals_full(const struct log_file *f, char *why, size_t whylen)
{
	struct lineage_store *st = lineage_store_new();
	struct replay_access_hook hook;
	struct replay full, lean;
	struct replay_stream *s;
	struct log_event_sink sink;
	struct lineage a, b, kept;
	char err[256];
	int rc = -1;

	if (!st || replay_build(&full, f, err, sizeof(err))) {
		snprintf(why, whylen, "setup");
		lineage_store_free(st);
		return -1;
	}
	hook = lineage_store_hook(st);
	s = replay_stream_new_hooked(&lean, f, &hook);
	sink = replay_stream_sink(s);
	for (size_t i = 0; s && i < f->nevents; i++)
		if (sink.fn(sink.arg, &f->events[i], err, sizeof(err)))
			goto out_abort;
	if (replay_stream_finish(s, err, sizeof(err)) || lineage_store_finish(st)) {
		snprintf(why, whylen, "the hooked model or store failed");
		replay_free(&full);
		lineage_store_free(st);
		return -1;
	}
	snprintf(why, whylen, "same");
	if (lean.naccesses || lean.nfiles != full.nfiles || lean.nprocs != full.nprocs) {
		snprintf(why, whylen, "%u accesses kept, %u/%u files", lean.naccesses, lean.nfiles, full.nfiles);
		goto out;
	}
	rc = 0;
	for (uint32_t file = 0; !rc && file < full.nfiles; file++) {
		if (full.files[file].role != lean.files[file].role) {
			snprintf(why, whylen, "%s: role %u, streamed %u", full.files[file].path,
				 full.files[file].role, lean.files[file].role);
			rc = -1;
		}
		for (uint32_t depth = 2; !rc && depth <= LINEAGE_DEPTH_DEFAULT; depth += LINEAGE_DEPTH_DEFAULT - 2) {
			if (lineage_walk(&full, file, depth, &a)) {
				rc = -1;
				break;
			}
			kept = (struct lineage){ .items = calloc((size_t)a.n + 1, sizeof(*kept.items)),
						 .cap = (size_t)a.n + 1 };
			if (!kept.items || lineage_walk_each(&lean, st, file, depth, keep_streamed, &kept, &b) ||
			    kept.n != a.n || memcmp(a.items, kept.items, (size_t)a.n * sizeof(*a.items)) ||
			    a.nsources != b.nsources || a.nexecutables != b.nexecutables ||
			    a.nwriters != b.nwriters || a.nintermediate != b.nintermediate ||
			    a.nendpoints != b.nendpoints) {
				snprintf(why, whylen, "%s (depth %u): %u items, streamed %u",
					 full.files[file].path, depth, a.n, kept.n);
				rc = -1;
			}
			free(kept.items);
			lineage_free(&a);
		}
	}
out:
	replay_free(&lean);
	replay_free(&full);
	lineage_store_free(st);
	return rc;
out_abort:
	replay_stream_abort(s);
	replay_free(&full);
	lineage_store_free(st);
	snprintf(why, whylen, "the hooked model failed: %s", err);
	return -1;
}

static int test_streamed_lineage_is_the_kept_one(void)
{
	static const char *const chain[] = { "/w/f0", "/w/f1", "/w/f2" };
	char why[512];

	small_build(&sa, 2, "/tmp/ccAAAAAA.s", 3, 4);
	CHECK(!streamed_equals_full(&sa.f, why, sizeof(why)), "a small build: %s", why);
	/* a rename; a process running past its recorded exit; one that executes a file it also reads */
	sa.n--;
	fork_(&sa, 100, 104);
	exec_(&sa, 104, "/bin/mv", "app", "app.final");
	rename_(&sa, 104, "/src/app", "/src/app.final");
	exit_(&sa, 104);
	open_(&sa, 104, "/src/late.h", O_RDONLY, 3);
	open_(&sa, 104, "/src/main.o", O_RDONLY, 3);
	open_(&sa, 104, "/src/app.final", O_WRONLY, 4);
	fork_(&sa, 100, 105);
	exec_(&sa, 105, "/src/app.final", NULL, NULL);
	open_(&sa, 105, "/src/app.final", O_RDONLY, 3);
	open_(&sa, 105, "/src/app.final", O_RDWR, 3);
	open_(&sa, 105, "/src/greet.h", O_RDONLY, 3);
	open_(&sa, 105, "/src/stamp", O_WRONLY | O_CREAT, 3);
	exit_(&sa, 100);
	finish(&sa);
	CHECK(!streamed_equals_full(&sa.f, why, sizeof(why)), "rename, late reads: %s", why);
	/* a cycle, and a writer never seen to exit */
	memset(&sa, 0, sizeof(sa));
	for (uint32_t i = 0; i < 2; i++) {
		fork_(&sa, 100, 200 + i);
		open_(&sa, 200 + i, chain[i], O_RDONLY, 3);
		open_(&sa, 200 + i, chain[i + 1], O_WRONLY | O_CREAT, 4);
		exit_(&sa, 200 + i);
	}
	fork_(&sa, 100, 210);
	open_(&sa, 210, chain[2], O_RDONLY, 3);
	open_(&sa, 210, chain[0], O_WRONLY | O_CREAT, 4);
	open_(&sa, 210, chain[1], O_RDONLY, 3);
	finish(&sa);
	CHECK(!streamed_equals_full(&sa.f, why, sizeof(why)), "a cycle: %s", why);
	small_build(&sb, 2, "/tmp/ccBBBBBB.s", 3, 4);
	sb.n -= 2;
	net_(&sb, 103, 10, 7, 443);
	exit_(&sb, 103);
	exit_(&sb, 100);
	finish(&sb);
	CHECK(!streamed_equals_full(&sb.f, why, sizeof(why)), "a fetch: %s", why);
	return TEST_PASS;
}

/* Two models of the same events are the same: files (path, flags, role, writers) and accesses. */
static int same_model(const struct replay *a, const struct replay *b, char *why, size_t whylen)
{
	if (a->nfiles != b->nfiles || a->naccesses != b->naccesses || a->nprocs != b->nprocs) {
		snprintf(why, whylen, "%u/%u files, %u/%u accesses, %u/%u processes", a->nfiles, b->nfiles,
			 a->naccesses, b->naccesses, a->nprocs, b->nprocs);
		return -1;
	}
	for (uint32_t i = 0; i < a->nfiles; i++) {
		const struct replay_file *x = &a->files[i], *y = &b->files[i];

		if (strcmp(x->path, y->path) || x->flags != y->flags || x->role != y->role ||
		    x->first_writer != y->first_writer || x->last_writer != y->last_writer ||
		    x->read_by_other != y->read_by_other) {
			snprintf(why, whylen, "file %u: %s / %s differ", i, x->path, y->path);
			return -1;
		}
	}
	for (uint32_t i = 0; i < a->naccesses; i++) {
		const struct replay_access *x = &a->accesses[i], *y = &b->accesses[i];

		if (x->file != y->file || x->proc != y->proc || x->kind != y->kind || x->other != y->other ||
		    x->ts_ns != y->ts_ns) {
			snprintf(why, whylen, "access %u differs", i);
			return -1;
		}
	}
	return 0;
}

/*
 * A model built from a log as read (each open carries its site number, so
 * the model finds the file by an array) is the model built by path alone.
 * The log is written by the real writer with a small table budget, so that
 * sites and paths are forgotten and written again; one path is opened with
 * two identities (two sites, one file).
 */
static int test_site_numbers_give_the_same_model(void)
{
	static const char *const paths[] = { "/src/a.c", "/src/b.h", "/src/out.o", "/src/none.h", "/usr/include/stdio.h" };
	struct log_header h = { .kettle_version = "0.1.0-test", .host = "builder", .kernel_release = "6.1.0-test",
				.boot_id = "0b1d2c3e-4f50-6172-8394-a5b6c7d8e9f0", .start_wall_ns = 1700000000000000000ull,
				.start_boot_ns = 1000, .root_pid = 100, .command = command, .ncommand = 1, .cwd = "/src" };
	char path[] = "/tmp/kettle-test-sites-XXXXXX", err[256], why[256] = "";
	struct log_event *plain = NULL;
	struct log_file f = { 0 };
	struct replay by_site, by_path;
	struct log_writer *w;
	uint32_t stdio_sites[2] = { 0, 0 }, with_site = 0;
	size_t nevents;
	int fd = mkstemp(path), rc;

	CHECK(fd >= 0, "mkstemp");
	close(fd);
	memset(&sa, 0, sizeof(sa));
	exec_(&sa, 100, "/usr/bin/make", NULL, NULL);
	for (uint32_t unit = 0; unit < 24; unit++) {        /* 8 events a unit: within MAXEV */
		uint32_t pid = 101 + unit;

		fork_(&sa, 100, pid);
		exec_(&sa, pid, "/usr/lib/cc1", "a.c", NULL);
		for (size_t k = 0; k < 5; k++) {
			size_t p = (unit + k) % 5;
			uint64_t flags = p == 2 ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY;

			open_(&sa, pid, paths[p], flags, p == 3 ? -ENOENT : 3);
			if (p == 4)     /* stdio.h replaced half-way: another identity, another site */
				sa.ev[sa.n - 1].open.ino = unit < 12 ? 11 : 12;
		}
		exit_(&sa, pid);
	}
	exit_(&sa, 100);
	w = log_writer_open(path, &h, err, sizeof(err));
	CHECK(w, "writer: %s", err);
	log_writer_test_table_budget(w, 600);   /* forgets every few records */
	for (size_t i = 0; i < sa.n; i++)
		if (log_write_event(w, &sa.ev[i])) {
			log_writer_close(w);
			unlink(path);
			CHECK(0, "event %zu not written", i);
		}
	rc = log_writer_close(w);
	CHECK(rc == 0, "close");
	rc = log_read_file(path, &f, err, sizeof(err));
	unlink(path);
	CHECK(rc == 0, "read: %s", err);
	plain = calloc(f.nevents, sizeof(*plain));
	for (size_t i = 0; plain && i < f.nevents; i++) {
		plain[i] = f.events[i];
		if (f.events[i].type != LOG_EV_OPEN || !f.events[i].open.site1)
			continue;
		with_site++;
		plain[i].open.site1 = 0;
		if (!strcmp(f.events[i].open.path, paths[4]))
			stdio_sites[f.events[i].open.ino == 12] = f.events[i].open.site1;
	}
	rc = !plain || replay_build(&by_site, &f, err, sizeof(err));
	if (!rc) {
		struct log_event *read = f.events;

		f.events = plain;
		rc = replay_build(&by_path, &f, err, sizeof(err));
		f.events = read;
		if (!rc) {
			rc = same_model(&by_site, &by_path, why, sizeof(why));
			replay_free(&by_path);
		}
		replay_free(&by_site);
	}
	nevents = f.nevents;
	free(plain);
	log_file_free(&f);
	CHECK(with_site == 120 && nevents == sa.n, "%u of 120 opens carry a site number (%zu of %zu events read)",
	      with_site, nevents, sa.n);
	CHECK(stdio_sites[0] && stdio_sites[1] && stdio_sites[0] != stdio_sites[1],
	      "stdio.h's two identities: sites %u and %u", stdio_sites[0], stdio_sites[1]);
	CHECK(rc == 0, "the models differ: %s%s", why, err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "streamed_lineage_is_the_kept_one", test_streamed_lineage_is_the_kept_one },
	{ "site_numbers_give_the_same_model", test_site_numbers_give_the_same_model },
	{ "diff_proc_pid_paths_are_the_same_file", test_diff_proc_pid_paths_are_the_same_file },
	{ "rename_joins_the_lineage", test_rename_joins_the_lineage },
	{ "network_endpoints", test_network_endpoints },
	{ "attach_snapshot_is_a_process", test_attach_snapshot_is_a_process },
	{ "processes_and_exec_chain", test_processes_and_exec_chain },
	{ "pid_reuse_is_a_new_instance", test_pid_reuse_is_a_new_instance },
	{ "file_roles", test_file_roles },
	{ "lineage_reaches_header_through_temporaries", test_lineage_reaches_header_through_temporaries },
	{ "lineage_cycle_and_depth_limit", test_lineage_cycle_and_depth_limit },
	{ "resolve_paths", test_resolve_paths },
	{ "diff_ranks_the_changed_header_first", test_diff_ranks_the_changed_header_first },
	{ "diff_unexplained_and_identical", test_diff_unexplained_and_identical },
};

TEST_MAIN("replay", tests)
