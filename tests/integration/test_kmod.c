// SPDX-License-Identifier: MIT
/*
 * The kernel module (kmod/) in Debian's 6.1 kernel under qemu: tools/kmod-test
 * boots the guest, whose program (tests/kmod/guest_kmod.c) prints one line
 * "KMOD-TEST name PASS|FAIL detail" per check.  Each check here asserts one
 * of those lines, so a missing line fails as surely as a FAIL line.
 * "checkpatch" is the host's: scripts/checkpatch.pl on kmod/.
 */
#include "testlib.h"

static char output[1 << 16];
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
	CHECK(strstr(output, "KMOD-TEST-DONE\n"), "the guest did not finish: status %d",
	      harness_status);
	CHECK(!strstr(output, " FAIL "), "a guest check failed:\n%s", output);
	CHECK(harness_status == 0, "tools/kmod-test exited %d", harness_status);
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
	T(guest_finished),
#undef T
};

TEST_MAIN("test_kmod", tests)
