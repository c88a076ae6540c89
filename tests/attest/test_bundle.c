// SPDX-License-Identifier: MIT
/* The evidence bundle: round trip, and every kind of bad input gets a clear error. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cbor.h>

#include "attest/bundle.h"
#include "testlib.h"

/*
 * A regular file gives no way to make write(2) return 0, which sets no errno;
 * this test program's own write() does so while armed.
 */
static bool write_returns_zero;

ssize_t write(int fd, const void *buf, size_t n)
{
	if (write_returns_zero)
		return 0;
	return syscall(SYS_write, fd, buf, n);
}

static const uint8_t statement[] = "{\"_type\":\"https://in-toto.io/Statement/v1\"}";
static const uint8_t report[] = { 2, 0, 0, 0, 0xaa, 0xbb, 0xcc };
static const uint8_t cert[] = { 0x30, 0x03, 0x02, 0x01, 0x07 };

static void sample(struct bundle *b, bool nonce)
{
	char err[256];

	memset(b, 0, sizeof(*b));
	b->platform = PLATFORM_SEV_SNP;
	if (bundle_set_statement(b, statement, sizeof(statement) - 1, err, sizeof(err)) ||
	    bundle_set_report(b, report, sizeof(report), err, sizeof(err)) ||
	    bundle_add_cert(b, "vcek", cert, sizeof(cert), err, sizeof(err)) ||
	    bundle_add_cert(b, "ask", cert, sizeof(cert), err, sizeof(err)))
		fprintf(stderr, "sample: %s\n", err);
	if (nonce) {
		b->has_nonce = true;
		for (int i = 0; i < NONCE_LEN; i++)
			b->nonce[i] = (uint8_t)i;
	}
	bundle_stamp(b);
}

/* ---- hand-built CBOR maps for the bad cases ---- */

struct entry {
	const char *key;
	cbor_item_t *value;
};

static cbor_item_t *text(const char *s) { return cbor_build_string(s); }
static cbor_item_t *bytes(const void *p, size_t n) { return cbor_build_bytestring(p, n); }

static cbor_item_t *cert_item(const char *role)
{
	cbor_item_t *m = cbor_new_definite_map(2);

	cbor_map_add(m, (struct cbor_pair){ cbor_move(text("role")), cbor_move(text(role)) });
	cbor_map_add(m, (struct cbor_pair){ cbor_move(text("der")), cbor_move(bytes(cert, sizeof(cert))) });
	return m;
}

/* The standard entries, with SKIP left out and REPLACE's value swapped for WITH (owned). */
static size_t encode_map(uint8_t **out, const char *skip, const char *replace, cbor_item_t *with,
			 const char *extra_key)
{
	struct entry e[] = {
		{ "format", text(BUNDLE_FORMAT) },
		{ "version", cbor_build_uint8(1) },
		{ "platform", text("sev-snp") },
		{ "simulated", cbor_build_bool(false) },
		{ "statement", bytes(statement, sizeof(statement) - 1) },
		{ "report", bytes(report, sizeof(report)) },
		{ "certs", cbor_new_definite_array(1) },
		{ "created", text("2026-11-27T23:40:14Z") },
		{ "kettle_version", text("0.1.0") },
	};
	size_t n = sizeof(e) / sizeof(e[0]), len = 0, size = 0;
	cbor_item_t *m = cbor_new_definite_map(n + 1);

	cbor_array_push(e[6].value, cbor_move(cert_item("vcek")));
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *v = e[i].value;

		if (skip && !strcmp(e[i].key, skip)) {
			cbor_decref(&v);
			continue;
		}
		if (replace && !strcmp(e[i].key, replace)) {
			cbor_decref(&v);
			v = with;
		}
		cbor_map_add(m, (struct cbor_pair){ cbor_move(text(e[i].key)), cbor_move(v) });
	}
	if (extra_key)
		cbor_map_add(m, (struct cbor_pair){ cbor_move(text(extra_key)), cbor_move(with) });
	len = cbor_serialize_alloc(m, out, &size);
	cbor_decref(&m);
	return len;
}

/* Decodes BUF and expects failure with NEEDLE in the error. */
static int expect_error(const uint8_t *buf, size_t len, const char *needle)
{
	struct bundle b;
	char err[256] = "";

	if (bundle_decode(buf, len, &b, err, sizeof(err)) == 0) {
		bundle_free(&b);
		fprintf(stderr, "  decoded although it should fail with '%s'\n", needle);
		return TEST_FAIL;
	}
	if (!strstr(err, needle)) {
		fprintf(stderr, "  error '%s' does not say '%s'\n", err, needle);
		return TEST_FAIL;
	}
	return TEST_PASS;
}

static int map_error(const char *skip, const char *replace, cbor_item_t *with, const char *extra,
		     const char *needle)
{
	uint8_t *buf = NULL;
	size_t len = encode_map(&buf, skip, replace, with, extra);
	int r = len ? expect_error(buf, len, needle) : TEST_FAIL;

	free(buf);
	return r;
}

/* ---- tests ---- */

static int test_round_trip(void)
{
	struct bundle b, got;
	uint8_t *buf;
	size_t len;
	char err[256];

	sample(&b, true);
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) == 0, "%s", err);
	CHECK(bundle_decode(buf, len, &got, err, sizeof(err)) == 0, "%s", err);
	CHECK(got.version == BUNDLE_VERSION, "version %u", got.version);
	CHECK(got.platform == PLATFORM_SEV_SNP && !got.simulated, "platform %d", got.platform);
	CHECK(got.statement_len == b.statement_len &&
	      !memcmp(got.statement, b.statement, b.statement_len), "statement differs");
	CHECK(got.report_len == sizeof(report) && !memcmp(got.report, report, sizeof(report)),
	      "report differs");
	CHECK(got.ncerts == 2 && !strcmp(got.certs[0].role, "vcek") && !strcmp(got.certs[1].role, "ask"),
	      "certs %zu", got.ncerts);
	CHECK(got.certs[1].len == sizeof(cert) && !memcmp(got.certs[1].der, cert, sizeof(cert)),
	      "cert bytes differ");
	CHECK(got.has_nonce && !memcmp(got.nonce, b.nonce, NONCE_LEN), "nonce lost");
	CHECK(!strcmp(got.created, b.created) && strlen(got.created) == 20, "created '%s'", got.created);
	CHECK(!strcmp(got.kettle_version, KETTLE_VERSION), "kettle_version '%s'", got.kettle_version);
	CHECK(bundle_find_cert(&got, "ask") == &got.certs[1], "find ask");
	CHECK(bundle_find_cert(&got, "ark") == NULL, "found an ark that is not there");
	free(buf);
	bundle_free(&b);
	bundle_free(&got);
	return TEST_PASS;
}

static int test_no_nonce_is_absent(void)
{
	struct bundle b, got;
	uint8_t *buf;
	size_t len;
	char err[256];

	sample(&b, false);
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) == 0, "%s", err);
	CHECK(bundle_decode(buf, len, &got, err, sizeof(err)) == 0, "%s", err);
	CHECK(!got.has_nonce, "a nonce appeared");
	free(buf);
	bundle_free(&b);
	bundle_free(&got);
	return TEST_PASS;
}

static int test_simulated_round_trip(void)
{
	struct bundle b, got;
	char path[] = "/tmp/kettle-test-bundle-XXXXXX", err[256];
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp");
	close(fd);
	sample(&b, false);
	b.platform = PLATFORM_SIM_SEV_SNP;
	b.simulated = true;
	CHECK(bundle_write_file(&b, path, err, sizeof(err)) == 0, "%s", err);
	CHECK(bundle_read_file(path, &got, err, sizeof(err)) == 0, "%s", err);
	unlink(path);
	CHECK(got.platform == PLATFORM_SIM_SEV_SNP && got.simulated, "simulation not kept");
	bundle_free(&b);
	bundle_free(&got);
	return TEST_PASS;
}

static int test_zero_byte_write_is_a_short_write(void)
{
	struct bundle b;
	char dir[] = "/tmp/kettle-test-bundle-XXXXXX", path[64], tmp[96], err[256];
	int rc;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/bundle.cbor", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	sample(&b, false);
	errno = ENOTTY;         /* what an earlier, unrelated call may have left */
	write_returns_zero = true;
	rc = bundle_write_file(&b, path, err, sizeof(err));
	write_returns_zero = false;
	bundle_free(&b);
	CHECK(rc < 0, "a write of nothing counted as success");
	CHECK(strstr(err, "short write: 0 of ") && !strstr(err, strerror(ENOTTY)), "error: %s", err);
	CHECK(access(path, F_OK) < 0 && access(tmp, F_OK) < 0, "a file was left behind");
	CHECK(rmdir(dir) == 0, "cleanup");
	return TEST_PASS;
}

/* A symlink planted at the temporary name must not be followed. */
static int test_planted_symlink_not_followed(void)
{
	struct bundle b;
	char dir[] = "/tmp/kettle-test-bundle-XXXXXX", path[64], tmp[96], victim[96], err[256];
	struct stat st;
	int rc, fd;

	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/bundle.cbor", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0 && write(fd, "keep", 4) == 4 && close(fd) == 0, "victim");
	CHECK(symlink(victim, tmp) == 0, "symlink");
	sample(&b, false);
	rc = bundle_write_file(&b, path, err, sizeof(err));
	bundle_free(&b);
	CHECK(rc < 0, "wrote through a symlink");
	CHECK(strstr(err, tmp) && strstr(err, "cannot create"), "error: %s", err);
	CHECK(stat(victim, &st) == 0 && st.st_size == 4, "the symlink's target was changed");
	CHECK(access(path, F_OK) < 0, "a bundle appeared");
	CHECK(unlink(tmp) == 0 && unlink(victim) == 0 && rmdir(dir) == 0, "cleanup");
	return TEST_PASS;
}

static int test_encode_refuses_inconsistent_simulated(void)
{
	struct bundle b;
	uint8_t *buf = NULL;
	size_t len;
	char err[256];

	sample(&b, false);
	b.simulated = true;     /* but the platform is real sev-snp */
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) < 0, "encoded a lie");
	CHECK(strstr(err, "simulated"), "%s", err);
	bundle_free(&b);
	return TEST_PASS;
}

static int test_every_truncation_fails(void)
{
	struct bundle b, got;
	uint8_t *buf;
	size_t len;
	char err[256];

	sample(&b, true);
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) == 0, "%s", err);
	for (size_t cut = 0; cut < len; cut++) {
		int r = bundle_decode(buf, cut, &got, err, sizeof(err));

		CHECK(r < 0, "a bundle cut at %zu of %zu bytes was accepted", cut, len);
		CHECK(cut == 0 || strstr(err, "truncated") || strstr(err, "missing"),
		      "cut at %zu: %s", cut, err);
	}
	free(buf);
	bundle_free(&b);
	return TEST_PASS;
}

static int test_trailing_bytes(void)
{
	struct bundle b;
	uint8_t *buf, *longer;
	size_t len;
	char err[256];
	int r;

	sample(&b, false);
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) == 0, "%s", err);
	longer = realloc(buf, len + 1);
	CHECK(longer, "realloc");
	longer[len] = 0;
	r = expect_error(longer, len + 1, "1 bytes after the end");
	free(longer);
	bundle_free(&b);
	return r;
}

static int test_garbage(void)
{
	static const uint8_t text_file[] = "hello, this is not a bundle\n";
	static const uint8_t junk[] = { 0xbf, 0xff, 0xff };  /* indefinite map, then breaks */

	CHECK(expect_error(text_file, sizeof(text_file) - 1, "not a kettle evidence bundle") == TEST_PASS, "text");
	CHECK(expect_error(junk, sizeof(junk), "indefinite") == TEST_PASS, "indefinite map");
	CHECK(expect_error(junk, 0, "empty") == TEST_PASS, "empty");
	return TEST_PASS;
}

static int test_random_bytes_never_crash(void)
{
	uint8_t buf[512];
	struct bundle b;
	char err[256];
	unsigned seed = 12345;

	for (int round = 0; round < 2000; round++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf));

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (len)
			buf[0] = 0xa0 | (buf[0] & 0x0f);   /* a map head, to get past the first check */
		CHECK(bundle_decode(buf, len, &b, err, sizeof(err)) < 0, "random bytes accepted");
		CHECK(err[0], "no error message");
	}
	return TEST_PASS;
}

static int test_other_format(void)
{
	return map_error(NULL, "format", text("something-else"), NULL, "not a kettle evidence bundle");
}

static int test_unknown_version(void)
{
	return map_error(NULL, "version", cbor_build_uint8(3), NULL, "unsupported version 3");
}

/* The version says which report_data layout to check: a session key goes with version 2 only. */
static int test_signing_key_goes_with_version_2(void)
{
	static const uint8_t spki[91] = { 0x30 };
	struct bundle b, got;
	uint8_t *buf;
	size_t len;
	char err[256];

	CHECK(map_error(NULL, NULL, bytes(spki, sizeof(spki)), "signing_key",
			"unknown key 'signing_key' (version 1 has no such key)") == TEST_PASS, "v1 with a key");
	CHECK(map_error(NULL, "version", cbor_build_uint8(2), NULL,
			"missing key 'signing_key' (version 2 binds a session key)") == TEST_PASS, "v2 without a key");
	sample(&b, true);
	memcpy(b.signing_key, spki, sizeof(spki));
	b.signing_key_len = sizeof(spki);
	CHECK(bundle_encode(&b, &buf, &len, err, sizeof(err)) == 0, "%s", err);
	CHECK(bundle_decode(buf, len, &got, err, sizeof(err)) == 0, "%s", err);
	CHECK(got.version == BUNDLE_VERSION_KEYED && got.signing_key_len == sizeof(spki) &&
	      !memcmp(got.signing_key, spki, sizeof(spki)), "the key did not round-trip as version 2");
	free(buf);
	bundle_free(&got);
	bundle_free(&b);
	return TEST_PASS;
}

static int test_unknown_key(void)
{
	return map_error(NULL, NULL, cbor_build_uint8(7), "future_field", "unknown key 'future_field'");
}

static int test_missing_fields(void)
{
	static const char *const required[] = {
		"version", "platform", "simulated", "statement", "report", "certs",
		"created", "kettle_version",
	};

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "missing key '%s'", required[i]);
		CHECK(map_error(required[i], NULL, NULL, NULL, needle) == TEST_PASS, "%s", required[i]);
	}
	return map_error("format", NULL, NULL, NULL, "no 'format' key");
}

static int test_wrong_types(void)
{
	CHECK(map_error(NULL, "statement", text("not bytes"), NULL, "'statement' must be a byte string") == TEST_PASS, "statement");
	CHECK(map_error(NULL, "simulated", cbor_build_uint8(1), NULL, "'simulated' must be true or false") == TEST_PASS, "simulated");
	CHECK(map_error(NULL, "platform", text("sgx"), NULL, "unknown platform 'sgx'") == TEST_PASS, "platform");
	CHECK(map_error(NULL, "report", bytes("", 0), NULL, "empty report") == TEST_PASS, "report");
	return map_error(NULL, "certs", cbor_build_uint8(0), NULL, "'certs' must be an array");
}

static int test_simulated_must_match_platform(void)
{
	return map_error(NULL, "simulated", cbor_build_bool(true), NULL, "'simulated' is true but the platform is sev-snp");
}

static int test_short_nonce(void)
{
	return map_error(NULL, NULL, bytes("abc", 3), "nonce", "nonce of 3 bytes, expected 32");
}

static int test_oversized_report(void)
{
	size_t n = BUNDLE_REPORT_MAX + 1;
	uint8_t *big = calloc(1, n);
	int r;

	CHECK(big, "calloc");
	r = map_error(NULL, "report", bytes(big, n), NULL, "'report' of 65537 bytes exceeds the limit");
	free(big);
	return r;
}

static int test_too_many_certs(void)
{
	cbor_item_t *a = cbor_new_definite_array(BUNDLE_CERTS_MAX + 1);

	for (int i = 0; i <= BUNDLE_CERTS_MAX; i++)
		cbor_array_push(a, cbor_move(cert_item("ark")));
	return map_error(NULL, "certs", a, NULL, "more than the limit of 8");
}

static int test_oversized_file(void)
{
	char path[] = "/tmp/kettle-test-bundle-XXXXXX", err[256];
	struct bundle b;
	int fd = mkstemp(path), r;

	CHECK(fd >= 0, "mkstemp");
	CHECK(ftruncate(fd, (off_t)BUNDLE_FILE_MAX + 1) == 0, "ftruncate");
	close(fd);
	r = bundle_read_file(path, &b, err, sizeof(err));
	unlink(path);
	CHECK(r < 0, "a file over the limit was read");
	CHECK(strstr(err, "larger than"), "%s", err);
	return TEST_PASS;
}

static int test_missing_file(void)
{
	struct bundle b;
	char err[256];

	CHECK(bundle_read_file("/nonexistent/bundle.cbor", &b, err, sizeof(err)) < 0, "read nothing");
	CHECK(strstr(err, "/nonexistent/bundle.cbor: No such file"), "%s", err);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "round_trip", test_round_trip },
	{ "no_nonce_is_absent", test_no_nonce_is_absent },
	{ "simulated_round_trip", test_simulated_round_trip },
	{ "zero_byte_write_is_a_short_write", test_zero_byte_write_is_a_short_write },
	{ "planted_symlink_not_followed", test_planted_symlink_not_followed },
	{ "encode_refuses_inconsistent_simulated", test_encode_refuses_inconsistent_simulated },
	{ "every_truncation_fails", test_every_truncation_fails },
	{ "trailing_bytes", test_trailing_bytes },
	{ "garbage", test_garbage },
	{ "random_bytes_never_crash", test_random_bytes_never_crash },
	{ "other_format", test_other_format },
	{ "unknown_version", test_unknown_version },
	{ "signing_key_goes_with_version_2", test_signing_key_goes_with_version_2 },
	{ "unknown_key", test_unknown_key },
	{ "missing_fields", test_missing_fields },
	{ "wrong_types", test_wrong_types },
	{ "simulated_must_match_platform", test_simulated_must_match_platform },
	{ "short_nonce", test_short_nonce },
	{ "oversized_report", test_oversized_report },
	{ "too_many_certs", test_too_many_certs },
	{ "oversized_file", test_oversized_file },
	{ "missing_file", test_missing_file },
};

TEST_MAIN("bundle", tests)
