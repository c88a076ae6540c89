// SPDX-License-Identifier: MIT
/*
 * A distributed build across machines (docs/distributed.md): the hello
 * project compiled by distcc on two local distccd workers (127.0.0.2 and
 * 127.0.0.3, each its own process tree and kettle run session), the client
 * build traced; tests/real-builds/distcc-tree runs it.  What a user checks
 * is kettle verify --tree: complete across honest workers, a job named when
 * a worker compiled with another compiler or sent another object, and a job
 * sent to an untraced worker left out of the tree (the client's record says
 * so by itself too).
 */
#include "real_build.h"

static const char *const distcc_need[][2] = { { "distcc", "distcc" }, { "distccd", "distcc" }, { "make", "make" },
					      { "gcc", "gcc" }, { "python3", "python3" },
					      { "ss", "iproute2" }, { NULL, NULL } };

/* The ports distcc-tree gave workers a and b in DIR; 0 or -1. */
static int read_ports(const char *dir, int *pa, int *pb)
{
	char path[400];
	FILE *p;
	int n;

	snprintf(path, sizeof(path), "%s/ports", dir);
	p = fopen(path, "r");
	if (!p)
		return -1;
	n = fscanf(p, "%d %d", pa, pb);
	fclose(p);
	return n == 2 ? 0 : -1;
}

/*
 * Runs distcc-tree in DIR (MODE, VARIANT or ""; PORTS "A B" of an earlier
 * run, or NULL) and reads the ports of workers a and b into PA, PB: 0, or
 * its exit status (-1: no ports).
 */
static int tree_build(const char *dir, const char *mode, const char *variant, const char *ports, int *pa, int *pb)
{
	char kettle[512];
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	rc = test_sh("%s%s%sKETTLE='%s' '%s/tests/real-builds/distcc-tree' '%s' %s %s >'%s.out' 2>&1",
		       ports ? "DISTCC_TREE_PORTS='" : "", ports ? ports : "", ports ? "' " : "", kettle,
		       KETTLE_SOURCE_DIR, dir, mode, variant, dir);
	return rc ? rc : read_ports(dir, pa, pb);
}

/* kettle verify --tree of CLIENT's bundle with the bundles and logs of WORKERS; its exit status, output in OUT. */
static int verify_tree(const char *client, const char *const workers[], const char *out)
{
	char cmd[3000], kettle[512];
	int n;

	test_path(kettle, sizeof(kettle), "", "kettle");
	n = snprintf(cmd, sizeof(cmd), "'%s' verify --tree --allow-sim '%s/c.bundle'", kettle, client);
	for (int i = 0; workers[i]; i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " '%s/w.bundle'", workers[i]);
	n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " --log '%s/c.cbor'", client);
	for (int i = 0; workers[i]; i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " --log '%s/w.cbor'", workers[i]);
	return test_sh("%s >'%s' 2>&1", cmd, out);
}

static void show(const char *path)
{
	test_sh("sed 's/^/    /' '%s' >&2", path);
}

/*
 * Whether verify --tree's output OUT has the line of job DIR/OBJECT sent to
 * 127.0.0.HOST:PORT with VERDICT (PASS or FAIL) and, after the endpoint, TAIL
 * (such as ": digests differ"); the output on stderr when it has not.
 */
static bool job_line(const char *out, const char *verdict, const char *dir, const char *object, int host, int port,
		     const char *tail)
{
	char line[600];
	bool found;

	snprintf(line, sizeof(line), "%s job      %s/%s via 127.0.0.%d:%d%s", verdict, dir, object, host, port, tail);
	found = file_holds(out, line);
	if (!found)
		show(out);
	return found;
}

/*
 * What a user can get wrong, on the tree in DIR: a bundle that is not one
 * and too few bundles are unusable input (125, one line); a log that is not
 * the attested one, or a worker's log given for another, is a failed check.
 */
static int bad_input_refused(const char *dir, const char *root)
{
	char kettle[512], out[320], err[320];
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(out, sizeof(out), "%s/bad.out", root);
	snprintf(err, sizeof(err), "%s/bad.err", root);
	CHECK(test_sh("head -c 100 /dev/urandom >'%s/junk.bundle'", root) == 0, "junk");
	rc = test_sh("cd '%s' && '%s' verify --tree --allow-sim '%s/junk.bundle' a/w.bundle b/w.bundle --log c.cbor "
		     ">'%s' 2>'%s'", dir, kettle, root, out, err);
	CHECK(rc == 125 && file_lines(err) == 1 && file_holds(err, "kettle verify: --tree: "),
	      "a junk bundle: exit %d, want 125 and one line", rc);
	rc = test_sh("cd '%s' && '%s' verify --tree c.bundle >'%s' 2>'%s'", dir, kettle, out, err);
	CHECK(rc == 125, "no worker bundle: exit %d, want 125", rc);
	/* a cut log is not the attested one; b given a's log has none */
	rc = test_sh("cd '%s' && head -c 1000 c.cbor >'%s/cut.cbor' && '%s' verify --tree --allow-sim c.bundle a/w.bundle "
		     "b/w.bundle --log '%s/cut.cbor' --log a/w.cbor >'%s' 2>'%s'", dir, root, kettle, root, out, err);
	CHECK(rc == 1 && file_holds(out, "FAIL log      c.bundle: no --log given has its statement's build-log digest") &&
	      file_holds(out, "FAIL log      b/w.bundle") && file_holds(out, "NOT complete across workers"),
	      "a cut client log and a missing worker log: exit %d, not the failed log checks", rc);
	return TEST_PASS;
}

/*
 * kettle provenance --worker-statement: the client's statement references
 * each worker's statement by digest; verify --tree accepts it with those
 * workers and names the job whose worker's statement is another one.
 */
static int worker_statements_referenced(const char *dir, const char *root, int pb)
{
	char kettle[512], out[320];
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(out, sizeof(out), "%s/ref.out", root);
	rc = test_sh("cd '%s' && '%s' provenance c.cbor -o c2.json --allow-incomplete --worker-statement a/w.json "
		     "--worker-statement b/w.json >'%s' 2>&1 && '%s' attest c2.json -o c2.bundle --tee sim >>'%s' 2>&1",
		     dir, kettle, out, kettle, out);
	CHECK(rc == 0, "provenance with --worker-statement: exit %d", rc);
	CHECK(test_sh("cd '%s' && python3 -c 'import json,sys,hashlib; d=json.load(open(\"c2.json\"))[\"predicate\"]"
		      "[\"buildDefinition\"][\"resolvedDependencies\"]; w=hashlib.sha256(open(\"b/w.json\",\"rb\")"
		      ".read()).hexdigest(); sys.exit(0 if any(x[\"uri\"].startswith(\"distcc://127.0.0.3:%d/\") and "
		      "x[\"digest\"][\"sha256\"]==w for x in d) else 1)'", dir, pb) == 0,
	      "the client's statement does not reference worker b's statement by its digest");
	rc = test_sh("cd '%s' && '%s' verify --tree --allow-sim c2.bundle a/w.bundle b/w.bundle --log c.cbor --log a/w.cbor "
		     "--log b/w.cbor >'%s' 2>&1", dir, kettle, out);
	CHECK(rc == 0 && file_holds(out, "(the statement the client references)"), "verify --tree: exit %d", rc);
	/* worker b's record made into another statement: not the one the client references */
	rc = test_sh("cd '%s' && '%s' provenance b/w.cbor -o b/w2.json --builder-id https://example.org/other >/dev/null "
		     "2>&1 && '%s' attest b/w2.json -o b/w2.bundle --tee sim >/dev/null 2>&1 && '%s' verify --tree "
		     "--allow-sim c2.bundle a/w.bundle b/w2.bundle --log c.cbor --log a/w.cbor --log b/w.cbor >'%s' 2>&1",
		     dir, kettle, kettle, kettle, out);
	if (rc != 1 || !file_holds(out, "greet.o via 127.0.0.3"))
		show(out);
	CHECK(rc == 1 && file_holds(out, "the client's provenance references worker statement"),
	      "another statement of worker b: exit %d, not the job named", rc);
	return TEST_PASS;
}

/* One run of distcc-tree in a test's scratch directory: its directories, verify's output, the workers' ports. */
struct tree_run {
	char root[256], dir[300], a[320], b[320], out[320];
	int pa, pb;
};

/*
 * Runs distcc-tree (every machine traced, VARIANT, PORTS or NULL) in
 * ROOT/RUN, ROOT being the scratch directory of test NAME (made at the
 * first run of T); 0, or the script's exit status.
 */
static int tree_run(struct tree_run *t, const char *name, const char *run, const char *variant, const char *ports)
{
	if (!t->root[0])
		test_tmpdir(t->root, sizeof(t->root), name);
	snprintf(t->dir, sizeof(t->dir), "%s/%s", t->root, run);
	snprintf(t->a, sizeof(t->a), "%s/a", t->dir);
	snprintf(t->b, sizeof(t->b), "%s/b", t->dir);
	snprintf(t->out, sizeof(t->out), "%s/verify.out", t->root);
	return tree_build(t->dir, "all", variant, ports, &t->pa, &t->pb);
}

static void tree_run_end(const struct tree_run *t)
{
	if (!getenv("KETTLE_KEEP_TEST_DIRS"))
		test_sh("rm -rf '%s'", t->root);
}

/* Honest workers, all traced: every job matched, the tree complete across workers. */
static int complete_across_workers(void)
{
	struct tree_run t = { 0 };
	const char *const workers[] = { t.a, t.b, NULL };
	char json[400];
	int rc = rb_need(distcc_need);

	if (rc)
		return rc;
	CHECK(tree_run(&t, "distcc-tree", "honest", "", NULL) == 0, "the distributed build failed (%s.out)", t.dir);
	rc = verify_tree(t.dir, workers, t.out);
	if (rc)
		show(t.out);
	CHECK(rc == 0, "verify --tree exited %d, want 0", rc);
	CHECK(file_holds(t.out, "complete across workers: 2 jobs, 2 workers"), "not complete across workers");
	CHECK(job_line(t.out, "PASS", t.dir, "main.o", 2, t.pa, ""), "main.o not matched to worker a");
	CHECK(job_line(t.out, "PASS", t.dir, "greet.o", 3, t.pb, ""), "greet.o not matched to worker b");
	/* the client's own provenance lists the jobs with the worker each went to */
	snprintf(json, sizeof(json), "%s/c.json", t.dir);
	CHECK(test_sh("grep -q '\"remoteJobs\"' '%s' && grep -q '127.0.0.3:%d' '%s'", json, t.pb, json) == 0,
	      "the client's provenance lists no remote jobs");
	CHECK(bad_input_refused(t.dir, t.root) == TEST_PASS, "bad input");
	CHECK(worker_statements_referenced(t.dir, t.root, t.pb) == TEST_PASS, "worker statements");
	tree_run_end(&t);
	return TEST_PASS;
}

/*
 * Worker b compiles through a wrapper (another compiler: the object differs
 * from gcc's).  Its own record says so, and verify --tree names greet.o's
 * job.  And worker b's bundle with the client of an honest run (same
 * ports): the object b sent is not the one that client got.
 */
static int other_compiler_or_object_named(void)
{
	struct tree_run honest = { 0 }, evil = { 0 };
	const char *const evil_tree[] = { evil.a, evil.b, NULL }, *const mixed[] = { honest.a, evil.b, NULL };
	char ports[64];
	int rc = rb_need(distcc_need);

	if (rc)
		return rc;
	CHECK(tree_run(&honest, "distcc-evil", "honest", "", NULL) == 0, "the honest build failed (%s.out)", honest.dir);
	snprintf(ports, sizeof(ports), "%d %d", honest.pa, honest.pb);
	memcpy(evil.root, honest.root, sizeof(evil.root));
	CHECK(tree_run(&evil, "distcc-evil", "evil", "evil", ports) == 0, "the wrapper's build failed (%s.out)", evil.dir);

	/* the evil run by itself: b's record shows the wrapper's shell as the compiler */
	rc = verify_tree(evil.dir, evil_tree, evil.out);
	CHECK(rc == 1, "verify --tree exited %d with a wrapper compiler on b, want 1", rc);
	CHECK(job_line(evil.out, "FAIL", evil.dir, "greet.o", 3, evil.pb, ": compilers differ"),
	      "greet.o's job not failed for its compiler");
	CHECK(file_holds(evil.out, "NOT complete across workers"), "no NOT complete verdict");

	/* the honest client with the evil b: b received the same source and sent another object */
	rc = verify_tree(honest.dir, mixed, honest.out);
	CHECK(rc == 1, "verify --tree exited %d with another worker's object, want 1", rc);
	CHECK(job_line(honest.out, "FAIL", honest.dir, "greet.o", 3, honest.pb, ": digests differ"),
	      "greet.o's job not failed for its object");
	CHECK(job_line(honest.out, "PASS", honest.dir, "main.o", 2, honest.pa, ""), "main.o's honest job not passed");
	tree_run_end(&honest);
	return TEST_PASS;
}

/* Worker b runs without kettle: the client's record names it, verify --tree names greet.o's job. */
static int untraced_worker_leaves_job_out(void)
{
	struct tree_run t = { 0 };
	const char *const workers[] = { t.a, NULL };
	char json[400];
	int rc = rb_need(distcc_need);

	if (rc)
		return rc;
	CHECK(tree_run(&t, "distcc-untraced", "run", "untraced-b", NULL) == 0, "the build failed (%s.out)", t.dir);
	/* the client's provenance alone: incomplete, a daemon reason naming the untraced worker */
	snprintf(json, sizeof(json), "%s/c.json", t.dir);
	CHECK(test_sh("python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[\"predicate\"][\"runDetails\"]"
		      "[\"byproducts\"][0][\"annotations\"][\"completeness\"]; sys.exit(0 if not c[\"complete\"] and "
		      "any(r[\"reason\"]==\"daemon\" and r.get(\"path\")==sys.argv[2] for r in c[\"reasons\"]) else 1)' "
		      "'%s' 127.0.0.3:%d", json, t.pb) == 0, "the client's provenance does not name the untraced worker");
	rc = verify_tree(t.dir, workers, t.out);
	CHECK(rc == 1, "verify --tree exited %d, want 1", rc);
	CHECK(job_line(t.out, "FAIL", t.dir, "greet.o", 3, t.pb, ": no attested worker"),
	      "greet.o's job not named as sent outside the tree");
	CHECK(job_line(t.out, "PASS", t.dir, "main.o", 2, t.pa, ""), "main.o's job on the traced worker not passed");
	tree_run_end(&t);
	return TEST_PASS;
}

/* Worker a's session is interrupted (SIGINT to its kettle run): its record is incomplete, the tree says so. */
static int interrupted_worker_record_refused(void)
{
	struct tree_run t = { 0 };
	const char *const workers[] = { t.a, t.b, NULL };
	int rc = rb_need(distcc_need);

	if (rc)
		return rc;
	CHECK(tree_run(&t, "distcc-interrupted", "run", "interrupted-a", NULL) == 0, "the build failed (%s.out)", t.dir);
	rc = verify_tree(t.dir, workers, t.out);
	if (rc != 1 || !file_holds(t.out, "FAIL worker   "))
		show(t.out);
	CHECK(rc == 1, "verify --tree exited %d, want 1", rc);
	CHECK(file_holds(t.out, "/a/w.bundle: its record is incomplete"), "worker a's incomplete record not named");
	CHECK(job_line(t.out, "FAIL", t.dir, "main.o", 2, t.pa, ": no attested worker"), "main.o's job not failed");
	CHECK(job_line(t.out, "PASS", t.dir, "greet.o", 3, t.pb, ""), "greet.o's job on worker b not passed");
	tree_run_end(&t);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "complete_across_workers", complete_across_workers },
	{ "other_compiler_or_object_named", other_compiler_or_object_named },
	{ "untraced_worker_leaves_job_out", untraced_worker_leaves_job_out },
	{ "interrupted_worker_record_refused", interrupted_worker_record_refused },
};

TEST_MAIN("real_builds.distributed", tests)
