// SPDX-License-Identifier: MIT
/*
 * npm install of a local tarball, offline: npm pack of a tiny package, then
 * npm install ../greet/kettle-greet-1.0.0.tgz --offline in another folder,
 * under kettle run.  npm reads package.json and package-lock.json and
 * rewrites them: the build's own files, outputs (subjects), never a reason.
 */
#include "real_build.h"

static int npm_install_local_tarball_complete(void)
{
	static const char *const need[][2] = { { "npm", "npm" }, { "node", "nodejs" }, { NULL, NULL } };
	static const char *const outputs[] = { "app/package-lock.json",
					       "app/node_modules/kettle-greet/index.js", NULL };
	/* npm's cache and logs in the copy: nothing of the user's home is read or written */
	static const char *const env = "export npm_config_cache=$PWD/.npm-cache npm_config_update_notifier=false "
				       "npm_config_audit=false npm_config_fund=false";
	char build[400], pack[300];
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "npm", "npm") == 0, "cannot make the project copies");
	/*
	 * node asks glibc for the CPU count (which reads this file) in 2 of 8
	 * runs; with strace inside kettle run, both saw it in the same runs.
	 */
	rb.timing_dependent = (const char *const[]){ "/sys/devices/system/cpu/online", NULL };
	snprintf(pack, sizeof(pack), "%s && cd greet && npm pack --offline >/dev/null", env);
	CHECK(rb_all(&rb, pack) == 0, "npm pack failed");
	/* a first install makes package-lock.json; the traced one reads it and writes it again */
	snprintf(build, sizeof(build), "%s && cd app && npm install --offline ../greet/kettle-greet-1.0.0.tgz", env);
	CHECK(rb_all(&rb, build) == 0, "the first npm install failed");
	CHECK(rb_all(&rb, "rm -rf app/node_modules") == 0, "rm node_modules");
	CHECK(rb_step(&rb, build, NULL, &r) == 0, "the build failed (%s)", rb.root);
	CHECK(rb_complete_as_expected(&rb, &r, outputs), "npm install: not complete with its outputs and full recall");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "npm_install_local_tarball_complete", npm_install_local_tarball_complete },
};

TEST_MAIN("real_builds.npm", tests)
