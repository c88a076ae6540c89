// SPDX-License-Identifier: MIT
/* What kettle attach reads from /proc: stat and cmdline parsing, and the scans, on this test's own processes. */
#include <signal.h>

#include "collect/proc_scan.h"
#include "testlib.h"

#define STAT_TAIL "S 42 7 7 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 200"

static int stat_name_with_parens_and_spaces(void)
{
	struct proc_stat st;

	CHECK(proc_parse_stat("77 (a) b) (c ) " STAT_TAIL "\n", &st) == 0, "rejected");
	CHECK(st.state == 'S' && st.ppid == 42 && st.start_ticks == 123456, "state %c ppid %d start %llu", st.state,
	      (int)st.ppid, (unsigned long long)st.start_ticks);
	return TEST_PASS;
}

static int stat_truncated_or_garbage_rejected(void)
{
	struct proc_stat st;
	const char *bad[] = {
		"", "77", "77 (name", "77 (name) S", "77 (name) S 42 7 7 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0",
		"77 (name) S x 7 7 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456", "\xff\xfe)", "77 (n) S -5 " STAT_TAIL,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(proc_parse_stat(bad[i], &st) == -EPROTO, "accepted bad stat #%zu '%s'", i, bad[i]);
	return TEST_PASS;
}

/* N bytes of S in a fresh buffer with room for one more. */
static char *bytes(const char *s, size_t n)
{
	char *b = malloc(n + 1);

	if (b)
		memcpy(b, s, n);
	return b;
}

static int argv_split_with_and_without_last_nul(void)
{
	char a[] = "sh\0-c\0echo hi\0", b[16] = "make\0-j\0004";
	char **argv;
	uint32_t argc;

	CHECK(proc_split_argv(bytes(a, sizeof(a) - 1), sizeof(a) - 1, &argv, &argc) == 0 && argc == 3, "argc %u", argc);
	CHECK(!strcmp(argv[0], "sh") && !strcmp(argv[1], "-c") && !strcmp(argv[2], "echo hi") && !argv[3], "argv");
	proc_argv_free(argv);
	/* rewritten or cut: no NUL at the end */
	CHECK(proc_split_argv(bytes(b, 9), 9, &argv, &argc) == 0 && argc == 3, "argc %u", argc);
	CHECK(!strcmp(argv[2], "4"), "last word '%s'", argv[2]);
	proc_argv_free(argv);
	{
		char *empty = bytes("", 0);

		CHECK(proc_split_argv(empty, 0, &argv, &argc) == -ENODATA && !argv, "empty accepted");
		free(empty);
	}
	return TEST_PASS;
}

static int own_info_as_proc_shows(void)
{
	struct proc_info pi;
	char cwd[4096], exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 0 && getcwd(cwd, sizeof(cwd)), "self");
	exe[n] = '\0';
	CHECK(proc_read_info(getpid(), &pi) == 0, "read");
	CHECK(!pi.no_stat && !pi.no_status && !pi.gone, "flags");
	CHECK(pi.stat.ppid == getppid() && pi.uid == getuid() && pi.gid == getgid(), "ids");
	CHECK(pi.exe && !strcmp(pi.exe, exe) && pi.cwd && !strcmp(pi.cwd, cwd), "exe %s cwd %s", pi.exe, pi.cwd);
	CHECK(pi.argc == 1 && pi.argv && strstr(pi.argv[0], "test_proc_scan"), "argv");
	CHECK(pi.mntns != 0, "no mount namespace");
	proc_info_free(&pi);
	return TEST_PASS;
}

static int missing_process_is_enoent(void)
{
	struct proc_stat st;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	CHECK(child > 0, "fork");
	waitpid(child, NULL, 0);
	CHECK(proc_read_stat(child, &st) == -ENOENT, "a reaped child still has a stat");
	CHECK(proc_read_stat(0, &st) == -ENOENT && proc_read_stat(-1, &st) == -ENOENT, "pid <= 0");
	return TEST_PASS;
}

/* A child and a grandchild are found by both ways of scanning; a zombie counts as exited. */
static int descendants_found_both_ways(void)
{
	int p[2];
	pid_t child, grandchild = 0;
	struct pid_list a = { 0 }, b = { 0 };
	struct proc_stat st;

	CHECK(pipe(p) == 0, "pipe");
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			pause();
			_exit(0);
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(child > 0 && read(p[0], &grandchild, sizeof(grandchild)) == sizeof(grandchild), "fork");
	CHECK(proc_descendants(getpid(), &a) == 0 && proc_descendants_by_ppid(getpid(), &b) == 0, "scan");
	pid_list_sort(&a);
	pid_list_sort(&b);
	kill(grandchild, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK(pid_list_has(&a, child) && pid_list_has(&a, grandchild), "proc_descendants missed one");
	CHECK(pid_list_has(&b, child) && pid_list_has(&b, grandchild), "ppid scan missed one");
	pid_list_free(&a);
	pid_list_free(&b);
	/* the grandchild, re-parented to init, is reaped there; a zombie child of ours: */
	child = fork();
	if (child == 0)
		_exit(0);
	usleep(100000);
	CHECK(proc_read_stat(child, &st) == 0 && proc_exited(&st), "a zombie is not reported exited");
	waitpid(child, NULL, 0);
	close(p[0]);
	close(p[1]);
	return TEST_PASS;
}

static const struct test tests[] = {
	{ "stat_name_with_parens_and_spaces", stat_name_with_parens_and_spaces },
	{ "stat_truncated_or_garbage_rejected", stat_truncated_or_garbage_rejected },
	{ "argv_split_with_and_without_last_nul", argv_split_with_and_without_last_nul },
	{ "own_info_as_proc_shows", own_info_as_proc_shows },
	{ "missing_process_is_enoent", missing_process_is_enoent },
	{ "descendants_found_both_ways", descendants_found_both_ways },
};

TEST_MAIN("proc_scan", tests)
