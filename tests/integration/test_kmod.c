// SPDX-License-Identifier: MIT
/*
 * The kernel module (kmod/) in Debian's 6.1 kernel under qemu: tools/kmod-test
 * boots the guest, whose program (tests/kmod/guest_kmod.c) prints one line
 * "KMOD-TEST name PASS|FAIL detail" per check.  Each check here asserts one
 * of those lines, so a missing line fails as surely as a FAIL line.
 * "checkpatch" is the host's: scripts/checkpatch.pl on kmod/.
 *
 * Then the real `kettle run` in the guest with the module loaded
 * (tests/kmod/guest_run.sh): a build step runs a program and rewrites it,
 * runs another and deletes it.  The guest sends back the build log and the
 * provenance; the checks below read them here, and compare the kernel's
 * digests with SHA-256 of the very bytes the guest ran (the programs
 * tools/kmod-test put in the initramfs).
 */
#include <jansson.h>
#include <openssl/evp.h>

#include "collect/kmod_reader.h"
#include "common/hex.h"
#include "kettle_test.h"
#include "log/log_reader.h"
#include "testlib.h"

static char output[4 << 20];
static int harness_status = -1;

/* Boots the guest once for all checks; the status of tools/kmod-test. */
static int run_guest(void)
{
	FILE *p;
	size_t n;

	if (harness_status != -1)
		return harness_status;
	p = popen("tools/kmod-test", "r");
	if (!p) {
		fprintf(stderr, "  cannot run tools/kmod-test: %s\n", strerror(errno));
		return harness_status = 1;
	}
	n = fread(output, 1, sizeof(output) - 1, p);
	output[n] = '\0';
	harness_status = pclose(p);
	harness_status = WIFEXITED(harness_status) ? WEXITSTATUS(harness_status) : 1;
	return harness_status;
}

/* TEST_PASS when the guest printed "KMOD-TEST <name> PASS ...". */
static int guest_check(const char *name)
{
	char want[128];
	const char *line;
	size_t len;

	if (run_guest() == 77)
		return test_skip("qemu not installed");
	len = (size_t)snprintf(want, sizeof(want), "KMOD-TEST %s ", name);
	for (line = output; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, want, len))
			continue;
		CHECK(!strncmp(line + len, "PASS", 4), "guest: %.*s", (int)strcspn(line, "\n"), line);
		return TEST_PASS;
	}
	CHECK(0, "the guest printed no result for %s (tools/kmod-test status %d)", name,
	      harness_status);
	return TEST_FAIL;
}

static int guest_finished(void)
{
	if (run_guest() == 77)
		return test_skip("qemu not installed");
	CHECK(strstr(output, "KMOD-TEST-DONE\n") && strstr(output, "KMOD-RUN-DONE\n"),
	      "the guest did not finish: status %d", harness_status);
	CHECK(!strstr(output, " FAIL "), "a guest check failed:\n%s", output);
	CHECK(harness_status == 0, "tools/kmod-test exited %d", harness_status);
	return TEST_PASS;
}

/* ---- kettle run in the guest ---- */

/* The value of "KMOD-RUN NAME VALUE", or NULL. */
static const char *run_fact(const char *name, char *val, size_t len)
{
	char want[128];
	const char *line;
	size_t n = (size_t)snprintf(want, sizeof(want), "KMOD-RUN %s ", name);

	for (line = output; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, want, n))
			continue;
		snprintf(val, len, "%.*s", (int)strcspn(line + n, "\n"), line + n);
		return val;
	}
	return NULL;
}

/* The file NAME the guest sent (base64 between KMOD-RUN-FILE lines), decoded to PATH. */
static int guest_file(const char *name, const char *path)
{
	char head[128];
	const char *p, *end;
	FILE *out;
	size_t hl = (size_t)snprintf(head, sizeof(head), "KMOD-RUN-FILE %s\n", name);

	p = strstr(output, head);
	CHECK(p, "the guest sent no %s", name);
	end = strstr(p, "KMOD-RUN-FILE-END\n");
	CHECK(end, "the guest's %s is cut", name);
	out = fopen(path, "wb");
	CHECK(out, "%s: %s", path, strerror(errno));
	for (p += hl; p < end; p = strchr(p, '\n') + 1) {
		unsigned char bin[128];
		size_t n = strcspn(p, "\n");
		int m;

		CHECK(!strncmp(p, "KMOD-B64 ", 9) && n - 9 <= 4 * (sizeof(bin) / 3), "not a base64 line");
		m = EVP_DecodeBlock(bin, (const unsigned char *)p + 9, (int)(n - 9));
		CHECK(m >= 0, "bad base64");
		/* EVP_DecodeBlock counts the padding as zero bytes */
		m -= (n > 9 && p[n - 1] == '=') + (n > 10 && p[n - 2] == '=');
		CHECK(fwrite(bin, 1, (size_t)m, out) == (size_t)m, "write");
	}
	CHECK(fclose(out) == 0, "close %s", path);
	return TEST_PASS;
}

/* Hex SHA-256 of a program tools/kmod-test put in the guest. */
static int program_sha256(const char *name, char hex[65])
{
	char path[512];
	unsigned char buf[1 << 16], md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f;
	size_t n;

	test_path(path, sizeof(path), "kmod-test/root", name);
	f = fopen(path, "rb");
	CHECK(f && c && EVP_DigestInit_ex(c, EVP_sha256(), NULL), "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		EVP_DigestUpdate(c, buf, n);
	fclose(f);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	hex_encode(md, sizeof(md), hex);
	return TEST_PASS;
}

static int run_ready(void)
{
	int st = run_guest();

	if (st == 77)
		return test_skip("qemu not installed");
	return TEST_PASS;
}

static int kettle_run_succeeds(void)
{
	char v[64];

	if (run_ready())
		return TEST_SKIP;
	CHECK(run_fact("module_loaded", v, sizeof(v)) && !strcmp(v, "yes"), "module in the guest: %s",
	      run_fact("module_loaded", v, sizeof(v)) ?: "no line");
	CHECK(run_fact("run_status", v, sizeof(v)) && !strcmp(v, "0"), "kettle run exited %s (its stderr: KMOD-RUN-STDERR lines)\n%s",
	      run_fact("run_status", v, sizeof(v)) ?: "(no line)", output);
	return TEST_PASS;
}

/*
 * The io_uring programs load on 6.1 (its io_uring_submit_sqe) and record there what they record here,
 * a daemon accepting the build's connection through an io_uring included.
 */
static int io_uring_is_recorded_on_6_1(void)
{
	char v[64];

	if (run_ready())
		return TEST_SKIP;
	CHECK(run_fact("uring_status", v, sizeof(v)) && !strcmp(v, "0"), "kettle run of the io_uring helper: %s\n%s",
	      run_fact("uring_status", v, sizeof(v)) ?: "(no line)", output);
	CHECK(run_fact("uring_opens", v, sizeof(v)) && !strcmp(v, "2"), "io_uring opens in the guest's log: %s",
	      run_fact("uring_opens", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("uring_op_notices", v, sizeof(v)) && !strcmp(v, "1"), "io-uring-op notices: %s",
	      run_fact("uring_op_notices", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("uring_daemon_status", v, sizeof(v)) && !strcmp(v, "0"), "kettle run asking the io_uring"
	      " daemon: %s", run_fact("uring_daemon_status", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("uring_daemon_named", v, sizeof(v)) && !strcmp(v, "1"), "the daemon accepting through an"
	      " io_uring is named on 6.1: %s", run_fact("uring_daemon_named", v, sizeof(v)) ?: "(no line)");
	return TEST_PASS;
}

/*
 * Module autoload (class 7): a build that asks for a socket family only a
 * module provides makes the kernel run modprobe outside its tree.  This
 * host's kernel has no modules; Debian's 6.1 does: the asking process is
 * named by a kernel-module notice (call 0) and the provenance is incomplete.
 */
static int module_autoload_is_flagged_on_6_1(void)
{
	char v[64];

	if (run_ready())
		return TEST_SKIP;
	CHECK(run_fact("modreq_status", v, sizeof(v)) && !strcmp(v, "125"),
	      "kettle run of a build that makes the kernel load a module: %s (incomplete: exit 125)\n%s",
	      run_fact("modreq_status", v, sizeof(v)) ?: "(no line)", output);
	CHECK(run_fact("modreq_notices", v, sizeof(v)) && !strcmp(v, "1"), "kernel-module notices of the autoload: %s",
	      run_fact("modreq_notices", v, sizeof(v)) ?: "(no line)");
	return TEST_PASS;
}

/*
 * Class 5 of docs/threat-model.md where 32-bit code runs (this host's kernel
 * refuses it): an int 0x80 open from a 64-bit program and an ia32 program's
 * open, failed exec and exec are in the log like native ones, its input is a
 * dependency, and the provenance is complete.
 */
static int compat_calls_are_recorded_on_6_1(void)
{
	char v[64];

	if (run_ready())
		return TEST_SKIP;
	CHECK(run_fact("ia32_status", v, sizeof(v)) && !strcmp(v, "0"),
	      "kettle run of the 32-bit programs: %s (complete: exit 0)\n%s",
	      run_fact("ia32_status", v, sizeof(v)) ?: "(no line)", output);
	CHECK(run_fact("int80_opens", v, sizeof(v)) && strcmp(v, "0"), "the int 0x80 open is in kettle log files: %s",
	      run_fact("int80_opens", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("ia32_opens", v, sizeof(v)) && strcmp(v, "0"), "the ia32 program's open is in kettle log files: %s",
	      run_fact("ia32_opens", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("ia32_execs", v, sizeof(v)) && !strcmp(v, "2"), "execs of guest_ia32 and, by it, guest_true: %s",
	      run_fact("ia32_execs", v, sizeof(v)) ?: "(no line)");
	CHECK(run_fact("ia32_exec_failed", v, sizeof(v)) && !strcmp(v, "1"), "the ia32 program's failed exec: %s",
	      run_fact("ia32_exec_failed", v, sizeof(v)) ?: "(no line)");
	CHECK(!strstr(output, "compat-syscall"), "no compat-syscall reason: every 32-bit call was recorded");
	CHECK(run_fact("ia32_dependency", v, sizeof(v)) && strcmp(v, "0"),
	      "the ia32 program's input is a resolved dependency: %s", run_fact("ia32_dependency", v, sizeof(v)) ?: "(no line)");
	return TEST_PASS;
}

static int kettle_run_refuses_busy_device(void)
{
	char v[64];

	if (run_ready())
		return TEST_SKIP;
	CHECK(run_fact("busy_status", v, sizeof(v)) && !strcmp(v, "125"), "kettle run with the device held: %s",
	      run_fact("busy_status", v, sizeof(v)) ?: "(no line)");
	CHECK(strstr(output, "KMOD-RUN-STDERR kettle run: /dev/kettle: busy:") && strstr(output, "--no-kmod"),
	      "no loud message about the busy device");
	return TEST_PASS;
}

/* The guest's log, read here. */
static int load_guest_log(struct log_file *f)
{
	char path[512];

	test_path(path, sizeof(path), "kmod-test", "guest-run.cbor");
	if (guest_file("log", path))
		return TEST_FAIL;
	CHECK(log_load(path, f) == 0, "the guest's log does not read");
	return TEST_PASS;
}

static const struct log_kmod_exec *kmod_record(const struct log_file *f, const char *path)
{
	for (size_t i = 0; i < f->nkmod_execs; i++)
		if (f->kmod_execs[i].path && !strcmp(f->kmod_execs[i].path, path))
			return &f->kmod_execs[i];
	return NULL;
}

static int kernel_digest_is(const struct log_file *f, const char *path, const char *program)
{
	const struct log_kmod_exec *k = kmod_record(f, path);
	char want[65], got[65];

	CHECK(k, "no kernel measurement of %s in the log", path);
	if (program_sha256(program, want))
		return TEST_FAIL;
	hex_encode(k->sha256, sizeof(k->sha256), got);
	CHECK(k->result == 0 && !strcmp(got, want), "%s: kernel digest %s, the bytes that ran %s", path, got, want);
	CHECK(k->size > 0 && k->bytes_hashed == (uint64_t)k->size && !(k->flags & LOG_KMOD_CACHE_HIT),
	      "%s: hashed %llu of %lld bytes", path, (unsigned long long)k->bytes_hashed, (long long)k->size);
	/* measured in the exec, before the exec event (the point of no return) */
	for (size_t i = 0; i < f->nevents; i++)
		if (f->events[i].type == LOG_EV_EXEC && f->events[i].tgid == k->tgid)
			CHECK(k->ts_ns <= f->events[i].ts_ns, "%s: measured after its exec event", path);
	return TEST_PASS;
}

static int log_has_kernel_digests(void)
{
	struct log_file f;
	const char *kmod = NULL;
	int r;

	if (run_ready())
		return TEST_SKIP;
	if (load_guest_log(&f))
		return TEST_FAIL;
	kmod = log_header_option(&f.header, "kmod");
	r = kmod && !strcmp(kmod, "used") ? TEST_PASS : TEST_FAIL;
	if (r)
		fprintf(stderr, "  header option kmod: %s\n", kmod ? kmod : "(none)");
	if (!r)
		r = kernel_digest_is(&f, "/t/run/gen", "guest_true");      /* rewritten after it ran */
	if (!r)
		r = kernel_digest_is(&f, "/t/run/del", "guest_true_b");    /* deleted after it ran */
	log_file_free(&f);
	return r;
}

static int log_has_kmod_stats(void)
{
	struct log_file f;
	const struct log_kmod_stats *k = &f.kmod_stats;

	if (run_ready())
		return TEST_SKIP;
	if (load_guest_log(&f))
		return TEST_FAIL;
	CHECK(f.has_kmod_stats, "no kmod-stats record");
	CHECK(k->measured >= 3 && k->measured == k->received && k->received == f.nkmod_execs,
	      "measured %llu, read %llu, logged %zu", (unsigned long long)k->measured,
	      (unsigned long long)k->received, f.nkmod_execs);
	CHECK(!k->dropped && !k->bad_records && !k->errors, "dropped %llu, bad %llu, errors %llu",
	      (unsigned long long)k->dropped, (unsigned long long)k->bad_records, (unsigned long long)k->errors);
	log_file_free(&f);
	return TEST_PASS;
}

/* The provenance's dependency PATH: the kernel's digest, marked measured at exec. */
static int dependency_is_kernel_measured(json_t *deps, const char *path, const char *program)
{
	char uri[256], want[65];
	json_t *d, *dep = NULL;
	size_t i;

	snprintf(uri, sizeof(uri), "file://%s", path);
	json_array_foreach(deps, i, d)
		if (!strcmp(json_string_value(json_object_get(d, "uri")) ?: "", uri))
			dep = d;
	CHECK(dep, "no dependency %s", uri);
	if (program_sha256(program, want))
		return TEST_FAIL;
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(dep, "digest"), "sha256")) ?: "", want),
	      "%s: digest is not the SHA-256 of the bytes that ran (%s)", path, want);
	d = json_object_get(dep, "annotations");
	CHECK(!strcmp(json_string_value(json_object_get(d, "measuredAt")) ?: "", "kernel-exec"),
	      "%s: not marked measuredAt kernel-exec", path);
	/* when userspace hashed it after the rewrite, the statement says the two differ */
	if (json_object_get(d, "changedAfterExec"))
		CHECK(strcmp(json_string_value(json_object_get(d, "userspaceSha256")) ?: want, want),
		      "%s: changedAfterExec without a different userspace digest", path);
	return TEST_PASS;
}

static int provenance_marks_kernel_digests(void)
{
	char path[512];
	json_t *st, *deps, *km;
	int r;

	if (run_ready())
		return TEST_SKIP;
	test_path(path, sizeof(path), "kmod-test", "guest-prov.json");
	if (guest_file("provenance", path))
		return TEST_FAIL;
	st = json_load_file(path, 0, NULL);
	CHECK(st, "the guest's provenance is not JSON");
	deps = json_object_get(json_object_get(json_object_get(st, "predicate"), "buildDefinition"),
			       "resolvedDependencies");
	r = dependency_is_kernel_measured(deps, "/t/run/gen", "guest_true");
	if (!r)
		r = dependency_is_kernel_measured(deps, "/t/run/del", "guest_true_b");
	km = json_object_get(json_object_get(json_object_get(json_array_get(json_object_get(json_object_get(
		json_object_get(st, "predicate"), "runDetails"), "byproducts"), 0), "annotations"),
		"completeness"), "kernelModule");
	if (!r && !json_is_true(json_object_get(km, "used"))) {
		fprintf(stderr, "  completeness.kernelModule.used is not true\n");
		r = TEST_FAIL;
	}
	json_decref(st);
	return r;
}

/* ---- without the module (this machine cannot load it): nothing changes, and the log says so ---- */

static int host_run_without_module(void)
{
	static const char *const cmd[] = { "/bin/true", NULL };
	static const char *const none[] = { NULL };
	char dir[256], log[300];
	const char *kmod = NULL;
	struct log_file f;
	int rc;

	if (bpf_usable())
		return TEST_SKIP;
	if (!access("/dev/kettle", F_OK))
		return test_skip("/dev/kettle exists on this machine");
	unsetenv(KMOD_DEVICE_ENV);
	test_workdir("kmod-absent", dir, log);
	rc = kettle_run(log, none, cmd, NULL);
	CHECK(rc == 0, "kettle run exited %d", rc);
	CHECK(log_load(log, &f) == 0, "read %s", log);
	kmod = log_header_option(&f.header, "kmod");
	CHECK(kmod && !strcmp(kmod, "absent"), "header option kmod: %s", kmod ? kmod : "(none)");
	CHECK(!f.nkmod_execs && !f.has_kmod_stats, "kernel module records without a module");
	log_file_free(&f);
	return TEST_PASS;
}

#define GUEST(name) static int name(void) { return guest_check(#name); }
GUEST(checkpatch)
GUEST(load)
GUEST(open_needs_cap_sys_admin)
GUEST(open_exclusive)
GUEST(off_without_scope)
GUEST(scope_rejects_unknown_cgroup)
GUEST(scope_set)
GUEST(poll)
GUEST(exec_succeeds)
GUEST(binary)
GUEST(record_header)
GUEST(cache_hit)
GUEST(cache_counters)
GUEST(blocking_read_waits)
GUEST(script_exec_succeeds)
GUEST(script)
GUEST(script_interpreter)
GUEST(script_interpreter_flagged)
GUEST(overwritten_exec_succeeds)
GUEST(overwritten_first)
GUEST(overwritten_second)
GUEST(deleted_after_run_exec)
GUEST(deleted_after_run)
GUEST(deleted_before_exec_exec)
GUEST(deleted_before_exec)
GUEST(large_exec_succeeds)
GUEST(large)
GUEST(read_error_recorded)
GUEST(outside_scope_not_measured)
GUEST(descendant_cgroup_measured)
GUEST(scope_cleared)
GUEST(unload_refused_while_open)
GUEST(unload)
GUEST(reload)
GUEST(dropped_counted)
GUEST(unload_during_execs)
GUEST(kernel_log_clean)

static const struct test tests[] = {
#define T(name) { #name, name }
	T(checkpatch), T(load), T(open_needs_cap_sys_admin), T(open_exclusive), T(off_without_scope),
	T(scope_rejects_unknown_cgroup), T(scope_set), T(poll), T(exec_succeeds), T(binary),
	T(record_header), T(cache_hit), T(cache_counters), T(blocking_read_waits), T(script_exec_succeeds), T(script),
	T(script_interpreter), T(script_interpreter_flagged), T(overwritten_exec_succeeds),
	T(overwritten_first), T(overwritten_second), T(deleted_after_run_exec),
	T(deleted_after_run), T(deleted_before_exec_exec), T(deleted_before_exec),
	T(large_exec_succeeds), T(large), T(read_error_recorded), T(outside_scope_not_measured),
	T(descendant_cgroup_measured), T(scope_cleared), T(unload_refused_while_open), T(unload),
	T(reload), T(dropped_counted), T(unload_during_execs), T(kernel_log_clean),
	T(guest_finished), T(kettle_run_succeeds), T(kettle_run_refuses_busy_device), T(io_uring_is_recorded_on_6_1),
	T(module_autoload_is_flagged_on_6_1), T(compat_calls_are_recorded_on_6_1),
	T(log_has_kernel_digests), T(log_has_kmod_stats), T(provenance_marks_kernel_digests),
	T(host_run_without_module),
#undef T
};

TEST_MAIN("test_kmod", tests)
