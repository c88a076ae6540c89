// SPDX-License-Identifier: MIT
/*
 * Records from /dev/kettle are outside input: kmod_record_check refuses a
 * truncated, oversized or garbage record, a wrong abi, type or size field, a
 * path_len out of bounds or disagreeing with its NUL or flags; a good record
 * becomes the log's kmod-exec with every field.  kettle run's handling of
 * the device (missing, not a character device, not the module's) is checked
 * here too; the real module is tested in qemu (test_kmod).
 */
#include <sys/sysmacros.h>

#include "collect/kmod_reader.h"
#include "kettle_test.h"
#include "testlib.h"

static struct ke_kmod_exec good_record(void)
{
	struct ke_kmod_exec r;

	memset(&r, 0, sizeof(r));
	r.h = (struct ke_header){ .abi = KETTLE_ABI_VERSION, .type = KE_KMOD_EXEC, .size = sizeof(r),
				  .ts_ns = 123456789, .tgid = 42, .tid = 43, .uid = 1000, .gid = 100,
				  .cgroup_id = 777 };
	r.flags = KE_KMOD_HAS_IVERSION;
	r.dev = (8u << 20) | 1;
	r.ino = 99;
	r.generation = 5;
	r.size = 4096;
	r.mtime_ns = 11;
	r.ctime_ns = 12;
	r.i_version = 13;
	r.bytes_hashed = 4096;
	memset(r.digest, 0x5a, sizeof(r.digest));
	strcpy(r.path, "/usr/bin/cc");
	r.path_len = strlen(r.path);
	return r;
}

/* The check refuses R (LEN bytes of it) with a reason containing NEEDLE. */
static int refused(const struct ke_kmod_exec *r, size_t len, const char *needle)
{
	char why[160] = "";

	CHECK(kmod_record_check(r, len, why, sizeof(why)) == -1, "accepted (expected: %s)", needle);
	CHECK(strstr(why, needle), "reason '%s', expected '%s'", why, needle);
	return TEST_PASS;
}

static int test_good_record_accepted(void)
{
	struct ke_kmod_exec r = good_record();
	char why[160] = "";

	CHECK(kmod_record_check(&r, sizeof(r), why, sizeof(why)) == 0, "refused: %s", why);
	r.flags = KE_KMOD_PATH_ERROR;
	r.path_len = 0;
	memset(r.path, 0, sizeof(r.path));
	r.err = -5;
	CHECK(kmod_record_check(&r, sizeof(r), why, sizeof(why)) == 0, "a failed record refused: %s", why);
	return TEST_PASS;
}

static int test_truncated(void)
{
	struct ke_kmod_exec r = good_record();

	if (refused(&r, sizeof(r) - 1, "record of 4255 bytes"))
		return TEST_FAIL;
	return refused(&r, sizeof(struct ke_header), "record of 48 bytes (expected 4256)");
}

static int test_oversized(void)
{
	static struct ke_kmod_exec two[2];

	two[0] = good_record();
	two[1] = good_record();
	if (refused(two, sizeof(two), "record of 8512 bytes"))
		return TEST_FAIL;
	two[0].h.size = sizeof(two);
	return refused(two, sizeof(two[0]), "size field 8512");
}

static int test_garbage(void)
{
	struct ke_kmod_exec r;

	memset(&r, 0xa5, sizeof(r));
	return refused(&r, sizeof(r), "abi");
}

static int test_wrong_abi_type(void)
{
	struct ke_kmod_exec r = good_record();

	r.h.abi = KETTLE_ABI_VERSION + 1;
	if (refused(&r, sizeof(r), "abi "))
		return TEST_FAIL;
	r = good_record();
	r.h.type = KE_EXEC;
	return refused(&r, sizeof(r), "type 2 (expected 32)");
}

static int test_path_len_bounds(void)
{
	struct ke_kmod_exec r = good_record();

	r.path_len = KE_KMOD_PATH_MAX;
	if (refused(&r, sizeof(r), "path_len 4096 beyond 4095"))
		return TEST_FAIL;
	r.path_len = UINT32_MAX;
	if (refused(&r, sizeof(r), "beyond"))
		return TEST_FAIL;
	r = good_record();
	r.path_len = 4;         /* the NUL is at 11 */
	if (refused(&r, sizeof(r), "path is not 4 bytes and a NUL"))
		return TEST_FAIL;
	r = good_record();
	memset(r.path, 'a', sizeof(r.path));    /* no NUL at all */
	r.path_len = KE_KMOD_PATH_MAX - 1;
	return refused(&r, sizeof(r), "path is not 4095 bytes and a NUL");
}

static int test_flags_and_err(void)
{
	struct ke_kmod_exec r = good_record();

	r.flags |= 0x100;
	if (refused(&r, sizeof(r), "unknown flags 0x100"))
		return TEST_FAIL;
	r = good_record();
	r.flags |= KE_KMOD_PATH_ERROR;
	if (refused(&r, sizeof(r), "with the path-error flag"))
		return TEST_FAIL;
	r = good_record();
	r.path_len = 0;
	r.path[0] = '\0';
	if (refused(&r, sizeof(r), "without the path-error flag"))
		return TEST_FAIL;
	r = good_record();
	r.err = 5;
	if (refused(&r, sizeof(r), "err 5"))
		return TEST_FAIL;
	r.err = -100000;
	return refused(&r, sizeof(r), "err -100000");
}

static int test_to_log(void)
{
	struct ke_kmod_exec r = good_record();
	struct log_kmod_exec k;

	kmod_record_to_log(&r, &k);
	CHECK(k.ts_ns == 123456789 && k.tgid == 42 && k.tid == 43 && k.uid == 1000 && k.gid == 100 &&
	      k.cgroup_id == 777, "header fields");
	CHECK(k.path == r.path && !strcmp(k.path, "/usr/bin/cc"), "path");
	CHECK(k.dev == makedev(8, 1), "dev %#llx in st_dev form", (unsigned long long)k.dev);
	CHECK(k.ino == 99 && k.generation == 5 && k.size == 4096 && k.mtime_ns == 11 && k.ctime_ns == 12 &&
	      k.i_version == 13 && k.bytes_hashed == 4096 && k.flags == KE_KMOD_HAS_IVERSION, "identity");
	CHECK(k.result == 0 && k.sha256[0] == 0x5a && k.sha256[31] == 0x5a, "digest");
	r.err = -4;
	r.flags = KE_KMOD_PATH_ERROR;
	r.path_len = 0;
	kmod_record_to_log(&r, &k);
	CHECK(k.result == -4 && !k.path && k.sha256[0] == 0, "a failed record: no path, no digest");
	return TEST_PASS;
}

/* kettle run refuses a device that is there but not the module's, and says what to do. */
static int run_with_device(const char *device, const char *needle)
{
	char kettle[512], cmd[1024], out[2048] = "";
	FILE *p;
	size_t n;
	int rc;

	test_path(kettle, sizeof(kettle), "", "kettle");
	snprintf(cmd, sizeof(cmd), "'%s' run --no-progress --kmod-device '%s' -o /dev/null -- true 2>&1", kettle,
		 device);
	p = popen(cmd, "r");
	CHECK(p, "popen");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 125, "kettle run exited %d: %s", rc, out);
	CHECK(strstr(out, needle) && strstr(out, "--no-kmod"), "message: %s", out);
	CHECK(!strchr(out, '\n') || strchr(out, '\n') == out + strlen(out) - 1, "one line: %s", out);
	return TEST_PASS;
}

static int test_run_refuses_bad_devices(void)
{
	if (run_with_device("/nonexistent/kettle", "/nonexistent/kettle: No such file"))
		return TEST_FAIL;
	if (run_with_device("/dev/null", "not the kettle kernel module's device"))
		return TEST_FAIL;
	return run_with_device("README.md", "not a character device");
}

static const struct test tests[] = {
	{ "good_record_accepted", test_good_record_accepted },
	{ "truncated", test_truncated },
	{ "oversized", test_oversized },
	{ "garbage", test_garbage },
	{ "wrong_abi_type", test_wrong_abi_type },
	{ "path_len_bounds", test_path_len_bounds },
	{ "flags_and_err", test_flags_and_err },
	{ "to_log", test_to_log },
	{ "run_refuses_bad_devices", test_run_refuses_bad_devices },
};

TEST_MAIN("kmod_reader", tests)
