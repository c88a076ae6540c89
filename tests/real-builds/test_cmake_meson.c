// SPDX-License-Identifier: MIT
/* CMake + Ninja (clean, then incremental after touching one source) and Meson + Ninja under kettle run. */
#include "real_build.h"

static const char *const hello_out[] = { "out/hello", NULL };

/* Runs CMD as a step: complete, its outputs the subjects, full recall. */
static int complete_step(struct rb *rb, const char *cmd, const char *const outputs[])
{
	struct rb_result r;

	CHECK(rb_step(rb, cmd, NULL, &r) == 0, "the build `%s` failed (%s)", cmd, rb->root);
	CHECK(rb_complete_as_expected(rb, &r, outputs), "`%s`: not complete with its outputs and full recall", cmd);
	rb_result_free(&r);
	return TEST_PASS;
}

static int cmake_ninja_clean_and_incremental_complete(void)
{
	static const char *const need[][2] = { { "cmake", "cmake" }, { "ninja", "ninja-build" },
					       { "gcc", "gcc" }, { NULL, NULL } };
	static const char *const incremental_out[] = { "out/hello", "out/CMakeFiles/hello.dir/greet.c.o", NULL };
	struct rb rb;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "cmake", "hello") == 0, "cannot make the project copies");
	rc = complete_step(&rb, "cmake -G Ninja -S . -B out && ninja -C out", hello_out);
	if (rc)
		return rc;
	/* an incremental rebuild: ninja reads and rewrites .ninja_log and .ninja_deps */
	CHECK(rb_all(&rb, "sleep 1 && touch greet.c") == 0, "touch greet.c");
	rc = complete_step(&rb, "ninja -C out", incremental_out);
	if (rc)
		return rc;
	rb_cleanup(&rb);
	return TEST_PASS;
}

static int meson_ninja_complete(void)
{
	static const char *const need[][2] = { { "meson", "meson" }, { "ninja", "ninja-build" },
					       { "gcc", "gcc" }, { NULL, NULL } };
	struct rb rb;
	int rc = rb_need(need);

	if (rc)
		return rc;
	CHECK(rb_setup(&rb, "meson", "hello") == 0, "cannot make the project copies");
	/* CC set: meson would otherwise pick sccache or ccache up by itself (the cases of test_compiler_caches) */
	rc = complete_step(&rb, "CC=gcc meson setup out && ninja -C out", hello_out);
	if (rc)
		return rc;
	rb_cleanup(&rb);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "cmake_ninja_clean_and_incremental_complete", cmake_ninja_clean_and_incremental_complete },
	{ "meson_ninja_complete", meson_ninja_complete },
};

TEST_MAIN("real_builds.cmake_meson", tests)
