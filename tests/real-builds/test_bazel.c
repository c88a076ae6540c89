// SPDX-License-Identifier: MIT
/*
 * Bazel (Debian's bazel-bootstrap), offline: the project's WORKSPACE points
 * @rules_cc and @rules_java at small local stand-ins (bazel/ in the fixture),
 * .bazelrc runs the actions unsandboxed.  (a) --batch: subject
 * bazel-bin/hello; bazel still runs its linux-sandbox once at start to see
 * whether sandboxing works, and that probe enters namespaces and mounts: the
 * verdict is incomplete by those reasons, from linux-sandbox, and no other.
 * (b) a server started before kettle run: a daemon reason (its loopback port).
 */
#include "real_build.h"

static const char *const need[][2] = { { "bazel", "bazel-bootstrap" }, { "gcc", "gcc" }, { NULL, NULL } };
static const char *const subject[] = { "--subject", "bazel-bin/hello", NULL };
static const char *const outputs[] = { "bazel-bin/hello", NULL };
static const char *const copy_subject[] = { "--subject", "hello.copy", NULL };
static const char *const copy_out[] = { "hello.copy", NULL };
#define BAZEL "bazel --output_user_root=$PWD/.bazel-root"

static void bazel_shutdown(const struct rb *rb)
{
	test_sh("for d in '%s' '%s' '%s'; do [ -d $d/.bazel-root ] && (cd $d && " BAZEL " shutdown) >/dev/null 2>&1; done",
		rb->k, rb->s, rb->u);
}

/* Whether R's reasons are all namespace or mount, by bazel's linux-sandbox (its probe), and there is one. */
static bool only_sandbox_probe(const struct rb_result *r)
{
	json_t *reasons = json_object_get(r->completeness, "reasons"), *x;
	bool ok = !r->complete && json_array_size(reasons) > 0;
	size_t i;

	json_array_foreach(reasons, i, x) {
		const char *code = json_string_value(json_object_get(x, "reason"));
		const char *exe = json_string_value(json_object_get(x, "exe"));

		ok &= code && (!strcmp(code, "namespace") || !strcmp(code, "mount")) && exe &&
		      strstr(exe, "/bazel/linux-sandbox");
	}
	if (!ok)
		rb_print_reasons(r);
	return ok;
}

static int bazel_batch_sandbox_probe_only(void)
{
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "bazel-batch", "hello") == 0, "cannot make the project copies");
	rc = rb_step(&rb, BAZEL " --batch build //:hello", subject, &r);
	bazel_shutdown(&rb);
	CHECK(rc == 0, "the build failed (%s)", rb.root);
	CHECK(rb_subjects_are(&rb, &r, outputs), "bazel-bin/hello is not the subject");
	CHECK(only_sandbox_probe(&r), "bazel --batch: not incomplete by linux-sandbox's probe alone");
	CHECK(rb_recall_full(&r), "recall against strace below 100%%");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static int bazel_server_before_daemon(void)
{
	static const char *const loopback[] = { "127.0.0.1:", "[::1]:", NULL };
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "bazel-server", "hello") == 0, "cannot make the project copies");
	/*
	 * The client's gRPC threads ask glibc for the CPU count (which reads this
	 * file) in some runs only: in 1 of 4 kettle runs (7 December) the thread
	 * that did so in the others went from its clone3 straight to its sendmsg,
	 * with 0 records lost or unaccounted, and so did strace's runs in 2 CI runs.
	 */
	rb.timing_dependent = (const char *const[]){ "/sys/devices/system/cpu/online", NULL };
	CHECK(rb_all(&rb, BAZEL " info >/dev/null") == 0, "bazel info (starting the server) failed");
	/*
	 * The server writes bazel-bin/hello, not the build: the build's own output
	 * is the copy it makes (with none, kettle run writes no provenance at all).
	 */
	rc = rb_step(&rb, BAZEL " build //:hello && cp bazel-bin/hello hello.copy", copy_subject, &r);
	bazel_shutdown(&rb);
	CHECK(rc == 0, "the build failed (%s)", rb.root);
	CHECK(rb_daemon_as_expected(&rb, &r, copy_out, loopback), "bazel server started before: not the daemon verdict");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "bazel_batch_sandbox_probe_only", bazel_batch_sandbox_probe_only },
	{ "bazel_server_before_daemon", bazel_server_before_daemon },
};

TEST_MAIN("real_builds.bazel", tests)
