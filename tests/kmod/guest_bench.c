// SPDX-License-Identifier: MIT
/*
 * Exec benchmark inside the qemu guest (tools/kmod-test --bench, run by
 * tools/bench/kmod):  guest_bench <kettle.ko> <tiny program> [execs]
 * Times execs of a small static binary and of the same binary padded to
 * 20 MiB: without the module ("unloaded"), with it scoped to our cgroup and
 * a warm cache ("scoped_warm"), with it loaded but the execs outside the
 * scope ("out_of_scope"), and with the cache cleared before every exec
 * ("scoped_cold": the first-exec cost).  The warm figures are taken in
 * ROUNDS rounds, the module unloaded and loaded again between them, so a
 * slow phase of the (shared, emulated) host hits every mode alike.
 * Because the host's load swings exec times by more than the module costs,
 * "paired" then alternates, exec by exec, scoped and scope cleared (the
 * handler's off path: one atomic read) and reports the median of the
 * differences of neighbouring execs, which the swings mostly cancel out of.
 *   KMOD-BENCH <mode> <binary> round=R execs=N ns_per_exec=X
 *   KMOD-BENCH-STATS measured=.. cache_hits=.. hashed_bytes=.. dropped=..
 * then KMOD-TEST-DONE.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "events.h"

#define LARGE_PAD (20u << 20)
#define COLD_EXECS 20
#define ROUNDS 20

static const char *module_path;
static int dev = -1;
static volatile int reader_stop;

static void die(const char *what)
{
	printf("KMOD-BENCH-ERROR %s: %s\n", what, strerror(errno));
	printf("KMOD-TEST-DONE\n");
	fflush(stdout);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void write_padded(const char *src, const char *dst, size_t pad)
{
	static char buf[1 << 16];
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	if (in < 0 || out < 0)
		die("open program");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			die("write program");
	memset(buf, 0x5a, sizeof(buf));
	for (size_t done = 0; done < pad; done += sizeof(buf))
		if (write(out, buf, sizeof(buf)) != sizeof(buf))
			die("write padding");
	close(in);
	if (close(out))
		die("close program");
}

static void exec_once(const char *path)
{
	char *argv[] = { (char *)path, NULL }, *envp[] = { NULL };
	pid_t pid = vfork();
	int status;

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
		die("exec");
}

/* ns per exec over n execs; clear_cache: forget every digest before each. */
static double time_execs(const char *path, int n, int clear_cache)
{
	uint64_t total = 0, t0;

	for (int i = 0; i < n; i++) {
		if (clear_cache && ioctl(dev, KETTLE_IOC_CACHE_CLEAR))
			die("KETTLE_IOC_CACHE_CLEAR");
		t0 = now_ns();
		exec_once(path);
		total += now_ns() - t0;
	}
	return (double)total / n;
}

static void bench(const char *mode, const char *name, const char *path, int round, int n,
		  int cold)
{
	printf("KMOD-BENCH %s %s round=%d execs=%d ns_per_exec=%.0f\n", mode, name, round, n,
	       time_execs(path, n, cold));
	fflush(stdout);
}

/*
 * The collector's part: empty the queue every 20 ms, as kettle run's drain
 * thread does with the BPF ring (no wake-up per exec).
 */
static void *drain(void *arg)
{
	static struct ke_kmod_exec recs[64];
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	(void)arg;
	while (!reader_stop) {
		while (read(dev, recs, sizeof(recs)) > 0)
			;
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* n pairs of execs: scoped, then with the scope cleared; medians. */
static void bench_paired(const char *name, const char *path, uint64_t scope, int n)
{
	int64_t *on = calloc(n, sizeof(*on)), *off = calloc(n, sizeof(*off));
	int64_t *diff = calloc(n, sizeof(*diff));
	uint64_t t0;

	if (!on || !off || !diff)
		die("calloc");
	for (int i = 0; i < n; i++) {
		if (ioctl(dev, KETTLE_IOC_SET_SCOPE, &scope))
			die("KETTLE_IOC_SET_SCOPE");
		t0 = now_ns();
		exec_once(path);
		on[i] = now_ns() - t0;
		if (ioctl(dev, KETTLE_IOC_CLEAR_SCOPE))
			die("KETTLE_IOC_CLEAR_SCOPE");
		t0 = now_ns();
		exec_once(path);
		off[i] = now_ns() - t0;
		diff[i] = on[i] - off[i];
	}
	printf("KMOD-BENCH-PAIRED %s pairs=%d median_scoped_ns=%lld median_off_ns=%lld median_diff_ns=%lld\n",
	       name, n, (long long)median(on, n), (long long)median(off, n),
	       (long long)median(diff, n));
	fflush(stdout);
	free(on);
	free(off);
	free(diff);
}

static pthread_t reader;

static void module_load(void)
{
	int fd = open(module_path, O_RDONLY);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		die("finit_module");
	close(fd);
	dev = open("/dev/kettle", O_RDONLY | O_NONBLOCK);
	if (dev < 0)
		die("open /dev/kettle");
	reader_stop = 0;
	if (pthread_create(&reader, NULL, drain, NULL))
		die("pthread_create");
}

static void module_unload(void)
{
	reader_stop = 1;
	pthread_join(reader, NULL);
	close(dev);
	if (syscall(SYS_delete_module, "kettle", O_NONBLOCK))
		die("delete_module");
}

static uint64_t set_scope(const char *cgroup_dir)
{
	struct stat st;

	if (stat(cgroup_dir, &st) || ioctl(dev, KETTLE_IOC_SET_SCOPE, &st.st_ino))
		die("KETTLE_IOC_SET_SCOPE");
	return st.st_ino;
}

static void print_size(const char *name, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		die("stat program");
	printf("KMOD-BENCH-SIZE %s bytes=%lld\n", name, (long long)st.st_size);
}

int main(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 10000;
	struct ke_kmod_stats st;
	uint64_t scope = 0;
	int fd;

	if (argc < 3 || n <= 0) {
		fprintf(stderr, "usage: guest_bench <kettle.ko> <program> [execs]\n");
		return 2;
	}
	module_path = argv[1];
	write_padded(argv[2], "/t/small", 0);
	write_padded(argv[2], "/t/large", LARGE_PAD);
	if (mkdir("/sys/fs/cgroup/bench", 0755) || mkdir("/sys/fs/cgroup/other", 0755))
		die("mkdir cgroup");
	fd = open("/sys/fs/cgroup/bench/cgroup.procs", O_WRONLY);
	if (fd < 0 || write(fd, "0", 1) != 1 || close(fd))
		die("join cgroup");
	print_size("small", "/t/small");
	print_size("large", "/t/large");

	exec_once("/t/small");	/* page cache warm for everyone */
	exec_once("/t/large");
	for (int r = 0; r < ROUNDS; r++) {
		int m = n / ROUNDS;

		bench("unloaded", "small", "/t/small", r, m, 0);
		bench("unloaded", "large", "/t/large", r, m, 0);
		module_load();
		set_scope("/sys/fs/cgroup/other");
		bench("out_of_scope", "small", "/t/small", r, m, 0);
		scope = set_scope("/sys/fs/cgroup/bench");
		exec_once("/t/small");	/* hashed once: the cache is warm */
		exec_once("/t/large");
		bench("scoped_warm", "small", "/t/small", r, m, 0);
		bench("scoped_warm", "large", "/t/large", r, m, 0);
		if (r < ROUNDS - 1)
			module_unload();
	}
	bench("scoped_cold", "small", "/t/small", 0, COLD_EXECS, 1);
	bench("scoped_cold", "large", "/t/large", 0, COLD_EXECS, 1);
	exec_once("/t/small");	/* warm again */
	exec_once("/t/large");
	bench_paired("small", "/t/small", scope, n / 2);
	bench_paired("large", "/t/large", scope, n / 2);
	set_scope("/sys/fs/cgroup/bench");
	if (ioctl(dev, KETTLE_IOC_STATS, &st))
		die("KETTLE_IOC_STATS");
	printf("KMOD-BENCH-STATS measured=%llu cache_hits=%llu hashed_bytes=%llu dropped=%llu errors=%llu out_of_scope=%llu\n",
	       (unsigned long long)st.measured, (unsigned long long)st.cache_hits,
	       (unsigned long long)st.hashed_bytes, (unsigned long long)st.dropped,
	       (unsigned long long)st.errors, (unsigned long long)st.out_of_scope);
	module_unload();
	printf("KMOD-TEST-DONE\n");
	fflush(stdout);
	return 0;
}
