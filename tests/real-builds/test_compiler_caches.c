// SPDX-License-Identifier: MIT
/*
 * Compiler caches and distributed compilers under kettle run: ccache (cold
 * and warm cache), sccache with its server started by the build or before
 * it, distcc with a distccd on loopback started before the build.
 */
#include "real_build.h"

static const char *const hello_out[] = { "hello", "main.o", "greet.o", NULL };
static const char *const link_out[] = { "hello", NULL };

/* Gives each copy a port of its own in the file .port (a daemon of each copy runs at the same time). */
static int ports(struct rb *rb, int *kport)
{
	int pk = rb_free_port(), ps = rb_free_port(), pu = rb_free_port();

	if (!pk || !ps || !pu || pk == ps)
		return -1;
	*kport = pk;
	if (test_sh("echo %d >'%s/.port' && echo %d >'%s/.port'", pk, rb->k, ps, rb->s) != 0)
		return -1;
	return rb->bench && test_sh("echo %d >'%s/.port'", pu, rb->u) != 0 ? -1 : 0;
}

/* Whether R is incomplete only by input-changed reasons on files under k/.ccache/. */
static bool warm_reasons_are_cache_files(const struct rb_result *r, const struct rb *rb)
{
	json_t *reasons = json_object_get(r->completeness, "reasons"), *x;
	char cache[400];
	size_t i;
	bool ok = !r->complete && json_array_size(reasons) > 0;

	snprintf(cache, sizeof(cache), "%s/.ccache/", rb->k);
	json_array_foreach(reasons, i, x) {
		const char *code = json_string_value(json_object_get(x, "reason"));
		const char *path = json_string_value(json_object_get(x, "path"));

		ok &= code && !strcmp(code, "input-changed") && path && !strncmp(path, cache, strlen(cache));
	}
	if (!ok)
		rb_print_reasons(r);
	return ok;
}

static int ccache_cold_complete_warm_verdict(void)
{
	static const char *const need[][2] = { { "ccache", "ccache" }, { "make", "make" }, { "gcc", "gcc" },
					       { NULL, NULL } };
	static const char *const build = "CCACHE_DIR=$PWD/.ccache make -f cc.mk CC='ccache gcc'";
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "ccache", "hello") == 0, "cannot make the project copies");
	CHECK(rb_step(&rb, build, NULL, &r) == 0, "the cold build failed (%s)", rb.root);
	CHECK(rb_complete_as_expected(&rb, &r, hello_out), "cold cache: not complete with its outputs and full recall");
	rb_result_free(&r);
	/* warm: the same build again from the cache (ccache reads its files, then sets their times) */
	CHECK(rb_all(&rb, "rm -f hello main.o greet.o") == 0, "clean");
	CHECK(rb_step(&rb, build, NULL, &r) == 0, "the warm build failed (%s)", rb.root);
	CHECK(rb_subjects_are(&rb, &r, hello_out), "warm cache: the outputs are not the subjects");
	CHECK(rb_recall_full(&r), "warm cache: recall against strace below 100%%");
	/*
	 * ccache sets the times of the cache files it read (its LRU clock), so the
	 * hasher finds them changed since the read: the digest is not proof of what
	 * was read, and the verdict says so for those files, and only them.
	 */
	CHECK(warm_reasons_are_cache_files(&r, &rb), "warm cache: not the verdict expected");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const char *const sccache_need[][2] = { { "sccache", "sccache" }, { "make", "make" }, { "gcc", "gcc" },
					       { NULL, NULL } };

/* Stops the sccache server of each copy (on the port in its .port) that is still running. */
static void sccache_stop(const struct rb *rb)
{
	test_sh("for d in '%s' '%s' '%s'; do [ -f $d/.port ] && (cd $d && SCCACHE_SERVER_PORT=$(cat .port) "
		"sccache --stop-server) >/dev/null 2>&1; done", rb->k, rb->s, rb->u);
}

/* Whether the log F shows the compiler proper (cc1) executed. */
static bool ran_cc1(const struct log_file *f)
{
	for (size_t i = 0; i < f->nevents; i++) {
		const char *exe = f->events[i].type == LOG_EV_EXEC ? f->events[i].exec.exe : NULL;

		if (exe && strlen(exe) > 4 && !strcmp(exe + strlen(exe) - 4, "/cc1"))
			return true;
	}
	return false;
}

/* The build starts sccache's server itself: the server is part of the build, its compiles are recorded. */
static int sccache_server_inside_recorded(void)
{
	static const char *const build = "export SCCACHE_DIR=$PWD/.sccache SCCACHE_SERVER_PORT=$(cat .port) "
					 "SCCACHE_IDLE_TIMEOUT=3 && make -f cc.mk CC='sccache gcc'";
	struct rb rb;
	struct rb_result r;
	struct log_file f = { 0 };
	char main_c[400];
	int rc = rb_need(sccache_need), kport;

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "sccache-in", "hello") == 0, "cannot make the project copies");
	CHECK(ports(&rb, &kport) == 0, "no free port");
	rc = rb_step(&rb, build, NULL, &r);
	/* the server stops after 3 idle seconds; a stop in each copy ends one that did not */
	sccache_stop(&rb);
	CHECK(rc == 0, "the build failed (%s)", rb.root);
	CHECK(rb_complete_as_expected(&rb, &r, hello_out), "server started by the build: not complete, or outputs, recall");
	/* the compile work is in the record: the compiler proper read main.c */
	CHECK(log_load(r.log, &f) == 0, "log unreadable");
	snprintf(main_c, sizeof(main_c), "%s/main.c", rb.k);
	CHECK(find_open(&f, main_c), "no open of %s in the log", main_c);
	CHECK(ran_cc1(&f), "the compiler proper (cc1) is not in the log");
	log_file_free(&f);
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

/* sccache's server started before kettle run: its work is a daemon's, the verdict names it. */
static int sccache_server_before_daemon(void)
{
	static const char *const env = "export SCCACHE_DIR=$PWD/.sccache SCCACHE_SERVER_PORT=$(cat .port) "
				       "SCCACHE_IDLE_TIMEOUT=0";
	char build[300], start[300], peer[64];
	const char *const peers[] = { peer, NULL };
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(sccache_need), kport;

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "sccache-out", "hello") == 0, "cannot make the project copies");
	CHECK(ports(&rb, &kport) == 0, "no free port");
	snprintf(start, sizeof(start), "%s && sccache --start-server", env);
	snprintf(build, sizeof(build), "%s && make -f cc.mk CC='sccache gcc'", env);
	CHECK(rb_all(&rb, start) == 0, "sccache --start-server failed");
	rc = rb_step(&rb, build, NULL, &r);
	sccache_stop(&rb);
	CHECK(rc == 0, "the build failed (%s)", rb.root);
	/* the objects are the server's work (not the build's): only the link is surely the build's */
	snprintf(peer, sizeof(peer), "127.0.0.1:%d", kport);
	CHECK(rb_daemon_as_expected(&rb, &r, link_out, peers), "sccache server started before: not the daemon verdict");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

/* distcc sends the compiles to a distccd on loopback started before the build: a daemon reason. */
static int distcc_loopback_daemon(void)
{
	static const char *const need[][2] = { { "distcc", "distcc" }, { "distccd", "distcc" }, { "make", "make" },
					       { "gcc", "gcc" }, { NULL, NULL } };
	static const char *const start = "distccd --daemon --allow 127.0.0.1 --listen 127.0.0.1 --port $(cat .port) "
					 "--pid-file $PWD/distccd.pid --log-file $PWD/distccd.log && "
					 "for i in 1 2 3 4 5 6 7 8 9 10; do [ -s distccd.pid ] && break; sleep 0.2; done";
	static const char *const build = "export DISTCC_HOSTS=127.0.0.1:$(cat .port)/2 DISTCC_DIR=$PWD/.distcc "
					 "DISTCC_FALLBACK=0 && mkdir -p .distcc && make -f cc.mk CC='distcc gcc'";
	char peer[64];
	const char *const peers[] = { peer, NULL };
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need), kport;

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "distcc", "hello") == 0, "cannot make the project copies");
	CHECK(test_sh("chmod 0777 '%s' '%s' '%s' 2>/dev/null; chmod 0755 '%s'", rb.k, rb.s, rb.u, rb.root) >= 0,
	      "chmod");
	CHECK(ports(&rb, &kport) == 0, "no free port");
	CHECK(rb_all(&rb, start) == 0, "distccd did not start");
	rc = rb_step(&rb, build, NULL, &r);
	test_sh("for d in '%s' '%s' '%s'; do [ -s $d/distccd.pid ] && kill $(cat $d/distccd.pid); done 2>/dev/null",
		rb.k, rb.s, rb.u);
	CHECK(rc == 0, "the build failed (%s)", rb.root);
	snprintf(peer, sizeof(peer), "127.0.0.1:%d", kport);
	CHECK(rb_daemon_as_expected(&rb, &r, hello_out, peers), "distccd started before: not the daemon verdict");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "ccache_cold_complete_warm_cache_files_changed", ccache_cold_complete_warm_verdict },
	{ "sccache_server_inside_recorded", sccache_server_inside_recorded },
	{ "sccache_server_before_daemon", sccache_server_before_daemon },
	{ "distcc_loopback_daemon", distcc_loopback_daemon },
};

TEST_MAIN("real_builds.compiler_caches", tests)
