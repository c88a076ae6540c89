// SPDX-License-Identifier: MIT
/* autoconf + automake, generated at test time: autoreconf -i && ./configure && make under kettle run. */
#include "real_build.h"

static int autotools_configure_make_complete(void)
{
	static const char *const need[][2] = { { "autoreconf", "autoconf" }, { "automake", "automake" },
					       { "make", "make" }, { "gcc", "gcc" }, { NULL, NULL } };
	static const char *const outputs[] = { "hello", "main.o", "greet.o", "configure", "Makefile", NULL };
	struct rb rb;
	struct rb_result r;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "autotools", "hello") == 0, "cannot make the project copies");
	CHECK(rb_step(&rb, "autoreconf -i && ./configure && make", NULL, &r) == 0, "the build failed (%s)", rb.root);
	CHECK(rb_complete_as_expected(&rb, &r, outputs), "autotools: not complete with its outputs and full recall");
	rb_result_free(&r);
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "autotools_configure_make_complete", autotools_configure_make_complete },
};

TEST_MAIN("real_builds.autotools", tests)
