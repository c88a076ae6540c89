// SPDX-License-Identifier: MIT
/*
 * Runs inside the qemu guest (tools/kmod-test), as root, from /init:
 *   guest_kmod <kettle.ko> <program>
 * Loads the module, measures execs in a cgroup v2 scope and prints one
 * machine-readable line per check, then a last line:
 *   KMOD-TEST <name> PASS|FAIL <detail>
 *   KMOD-TEST-DONE
 * tests/integration/test_kmod.c asserts on every line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "common/hex.h"
#include "events.h"
#include "sha256.h"

#define DEV "/dev/kettle"
#define CG "/sys/fs/cgroup"
#define MAX_RECS 64

static const char *module_path, *true_path;
static struct ke_kmod_exec recs[MAX_RECS];
static int nrecs;

static void report(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("KMOD-TEST %s %s ", name, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int load_module(const char *params)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "kettle", O_NONBLOCK) ? -errno : 0;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) || !(buf = malloc(st.st_size + 1))) {
		fprintf(stderr, "guest_kmod: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "guest_kmod: short read of %s\n", path);
		exit(1);
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Writes the program's bytes plus `pad` bytes of `fill`: distinct contents. */
static void write_program(const char *path, char fill, size_t pad)
{
	size_t len;
	unsigned char *buf = read_all(true_path, &len);
	unsigned char *out = malloc(len + pad);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	if (!out || fd < 0) {
		fprintf(stderr, "guest_kmod: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	memcpy(out, buf, len);
	memset(out + len, fill, pad);
	if (write(fd, out, len + pad) != (ssize_t)(len + pad) || close(fd)) {
		fprintf(stderr, "guest_kmod: short write of %s\n", path);
		exit(1);
	}
	free(buf);
	free(out);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd)) {
		fprintf(stderr, "guest_kmod: cannot write %s\n", path);
		exit(1);
	}
}

static void sha_of_file(const char *path, uint8_t out[32], size_t *len)
{
	unsigned char *buf = read_all(path, len);

	sha256(buf, *len, out);
	free(buf);
}

/* fork + exec path (or execveat of fd when fd >= 0); returns the wait status, pid */
static int run_in(const char *path, int exec_fd, const char *cgroup_dir, pid_t *pid_out)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };
		char *envp[] = { NULL };

		if (cgroup_dir) {
			char procs[256], me[32];
			int fd;

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup_dir);
			snprintf(me, sizeof(me), "%d", getpid());
			fd = open(procs, O_WRONLY);
			if (fd < 0 || write(fd, me, strlen(me)) < 0)
				_exit(120);
			close(fd);
		}
		if (exec_fd >= 0)
			syscall(SYS_execveat, exec_fd, "", argv, envp, AT_EMPTY_PATH);
		else
			execve(path, argv, envp);
		_exit(127);
	}
	if (pid_out)
		*pid_out = pid;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int run(const char *path, pid_t *pid)
{
	return run_in(path, -1, NULL, pid);
}

/* Reads every queued record into recs[] (non-blocking device). */
static int drain(int dev)
{
	ssize_t n;

	nrecs = 0;
	for (;;) {
		n = read(dev, &recs[nrecs], (MAX_RECS - nrecs) * sizeof(recs[0]));
		if (n < 0)
			return errno == EAGAIN ? nrecs : -errno;
		if (n % sizeof(recs[0]))
			return -EPROTO;
		nrecs += n / sizeof(recs[0]);
		if (nrecs == MAX_RECS)
			return nrecs;
	}
}

static struct ke_kmod_exec *find(const char *path, int nth)
{
	for (int i = 0; i < nrecs; i++)
		if (!strcmp(recs[i].path, path) && nth-- == 0)
			return &recs[i];
	return NULL;
}

static struct ke_kmod_stats stats(int dev)
{
	struct ke_kmod_stats st;

	if (ioctl(dev, KETTLE_IOC_STATS, &st)) {
		fprintf(stderr, "guest_kmod: KETTLE_IOC_STATS: %s\n", strerror(errno));
		memset(&st, 0xff, sizeof(st));
	}
	return st;
}

/*
 * Checks one record against the file's bytes: a well-formed record, the
 * expected pid, no error and the userspace SHA-256 of the same bytes.
 */
static bool record_matches(const char *name, const struct ke_kmod_exec *r,
			   const uint8_t *want, size_t size, pid_t pid, bool cached)
{
	char got_hex[65], want_hex[65];

	if (!r) {
		report(name, false, "no record");
		return false;
	}
	hex_encode(r->digest, sizeof(r->digest), got_hex);
	hex_encode(want, 32, want_hex);
	if (r->h.type != KE_KMOD_EXEC || r->h.size != sizeof(*r) || r->err ||
	    (pid && r->h.tgid != (uint32_t)pid) || (uint64_t)r->size != size ||
	    memcmp(r->digest, want, 32) ||
	    !!(r->flags & KE_KMOD_CACHE_HIT) != cached ||
	    r->bytes_hashed != (cached ? 0 : size)) {
		report(name, false, "path=%s type=%u err=%d tgid=%u/%d size=%lld/%zu flags=%#x hashed=%llu digest=%s want=%s",
		       r->path, r->h.type, r->err, r->h.tgid, (int)pid, (long long)r->size, size,
		       r->flags, (unsigned long long)r->bytes_hashed, got_hex, want_hex);
		return false;
	}
	report(name, true, "path=%s sha256=%s size=%zu%s", r->path, got_hex, size,
	       cached ? " cache-hit" : "");
	return true;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static uint64_t cgroup_id_of(const char *dir)
{
	struct stat st;

	/* A cgroup v2 id is its kernfs inode number. */
	return stat(dir, &st) ? 0 : st.st_ino;
}

static void move_self(const char *dir)
{
	char procs[256];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	write_text(procs, "0", 0644);
}

/* Root without CAP_SYS_ADMIN in its effective set may not open the device. */
static int open_without_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int fd;

	if (syscall(SYS_capget, &hdr, data))
		return 2;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &hdr, data))
		return 2;
	fd = open(DEV, O_RDONLY);
	return fd < 0 && errno == EPERM ? 0 : 1;
}

static void test_open_rules(void)
{
	pid_t pid = fork();
	int status = -1, fd, fd2;

	if (pid == 0)
		_exit(open_without_cap_sys_admin());
	waitpid(pid, &status, 0);
	report("open_needs_cap_sys_admin", WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 0 without CAP_SYS_ADMIN: %s",
	       status == 0 ? "EPERM" : "not refused");

	fd = open(DEV, O_RDONLY);
	fd2 = open(DEV, O_RDONLY);
	report("open_exclusive", fd >= 0 && fd2 < 0 && errno == EBUSY,
	       "first fd=%d second=%d", fd, fd2);
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
}

static void test_scope_required(int dev)
{
	int status;
	struct ke_kmod_stats st;

	status = run("/t/bin", NULL);
	st = stats(dev);
	report("off_without_scope", status == 0 && drain(dev) == 0 && st.measured == 0 &&
	       st.scope_cgroup == 0, "status=%d measured=%llu", status,
	       (unsigned long long)st.measured);
}

static void test_set_scope(int dev, uint64_t in_id)
{
	uint64_t bogus = ~0ULL - 7;
	int bad = ioctl(dev, KETTLE_IOC_SET_SCOPE, &bogus);
	int bad_errno = errno;
	int ok = ioctl(dev, KETTLE_IOC_SET_SCOPE, &in_id);

	report("scope_rejects_unknown_cgroup", bad < 0 && bad_errno == ENOENT,
	       "ret=%d errno=%d", bad, bad_errno);
	report("scope_set", ok == 0 && stats(dev).scope_cgroup == in_id, "cgroup id %llu",
	       (unsigned long long)in_id);
}

static void test_binary_and_cache(int dev, uint64_t in_id)
{
	uint8_t want[32];
	size_t size;
	pid_t pid1, pid2;
	struct pollfd pfd = { .fd = dev, .events = POLLIN };
	int s1, s2, ready_before, ready_after;
	uint64_t t0, t1;
	struct ke_kmod_stats st0 = stats(dev), st;

	sha_of_file("/t/bin", want, &size);
	t0 = boottime_ns();
	s1 = run("/t/bin", &pid1);
	t1 = boottime_ns();
	ready_before = poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN);
	drain(dev);
	ready_after = poll(&pfd, 1, 0);
	report("poll", ready_before && ready_after == 0,
	       "ready with a record=%d, after draining=%d", ready_before, ready_after);
	report("exec_succeeds", s1 == 0, "status=%d", s1);
	record_matches("binary", find("/t/bin", 0), want, size, pid1, false);
	report("record_header", nrecs == 1 && recs[0].h.cgroup_id == in_id &&
	       recs[0].h.ts_ns >= t0 && recs[0].h.ts_ns <= t1 && recs[0].h.abi == KETTLE_ABI_VERSION &&
	       recs[0].path_len == strlen("/t/bin") && !(recs[0].flags & KE_KMOD_INTERP),
	       "records=%d cgroup=%llu CLOCK_BOOTTIME %llu within [%llu, %llu]", nrecs,
	       nrecs ? (unsigned long long)recs[0].h.cgroup_id : 0ULL,
	       nrecs ? (unsigned long long)recs[0].h.ts_ns : 0ULL,
	       (unsigned long long)t0, (unsigned long long)t1);

	s2 = run("/t/bin", &pid2);
	drain(dev);
	st = stats(dev);
	if (s2 == 0)
		record_matches("cache_hit", find("/t/bin", 0), want, size, pid2, true);
	else
		report("cache_hit", false, "exec status %d", s2);
	report("cache_counters", st.cache_hits == st0.cache_hits + 1 && st.cache_entries >= 1 &&
	       st.cache_capacity > 0 && st.measured == st0.measured + 2 &&
	       st.hashed_bytes == st0.hashed_bytes + size,
	       "hits=%llu entries=%u/%u measured=%llu hashed=%llu",
	       (unsigned long long)st.cache_hits, st.cache_entries, st.cache_capacity,
	       (unsigned long long)st.measured, (unsigned long long)st.hashed_bytes);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A blocking read sleeps until an exec queues a record (10 s at most). */
static void test_blocking_read(int dev)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct timespec later = { 0, 200 * 1000 * 1000 };
	int flags = fcntl(dev, F_GETFL), status = -1;
	uint64_t t0, t1;
	ssize_t n;
	pid_t pid;

	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/t/bin", NULL }, *envp[] = { NULL };

		nanosleep(&later, NULL);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	fcntl(dev, F_SETFL, flags & ~O_NONBLOCK);
	alarm(10);
	t0 = boottime_ns();
	n = read(dev, recs, sizeof(recs));
	t1 = boottime_ns();
	alarm(0);
	fcntl(dev, F_SETFL, flags);
	waitpid(pid, &status, 0);
	report("blocking_read_waits", n == (ssize_t)sizeof(recs[0]) && recs[0].h.tgid == (uint32_t)pid &&
	       t1 - t0 >= 150 * 1000 * 1000ULL && status == 0,
	       "read=%zd after %llu ms", n, (unsigned long long)((t1 - t0) / 1000000));
}

static void test_script(int dev)
{
	uint8_t want_script[32], want_interp[32];
	size_t script_size, interp_size;
	struct ke_kmod_exec *interp;
	pid_t pid;
	int status;

	write_program("/t/interp", 'I', 16);
	write_text("/t/script", "#!/t/interp\n# run by /t/interp\n", 0755);
	sha_of_file("/t/interp", want_interp, &interp_size);
	sha_of_file("/t/script", want_script, &script_size);
	status = run("/t/script", &pid);
	drain(dev);
	report("script_exec_succeeds", status == 0, "status=%d", status);
	record_matches("script", find("/t/script", 0), want_script, script_size, pid, false);
	interp = find("/t/interp", 0);
	if (record_matches("script_interpreter", interp, want_interp, interp_size, pid, false))
		report("script_interpreter_flagged", interp->flags & KE_KMOD_INTERP,
		       "flags=%#x", interp->flags);
}

static void test_overwritten(int dev)
{
	uint8_t want_a[32], want_b[32];
	size_t size_a, size_b;
	pid_t pid_a, pid_b;
	int sa, sb;
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	write_program("/t/ow", 'A', 4096);
	sha_of_file("/t/ow", want_a, &size_a);
	sa = run("/t/ow", &pid_a);
	/*
	 * Past one timestamp tick: on a filesystem without i_version a
	 * same-size rewrite within one tick keeps the same identity
	 * (docs/kmod.md, limits).
	 */
	nanosleep(&tick, NULL);
	write_program("/t/ow", 'B', 4096);
	sha_of_file("/t/ow", want_b, &size_b);
	sb = run("/t/ow", &pid_b);
	drain(dev);
	report("overwritten_exec_succeeds", sa == 0 && sb == 0, "status %d %d", sa, sb);
	record_matches("overwritten_first", find("/t/ow", 0), want_a, size_a, pid_a, false);
	record_matches("overwritten_second", find("/t/ow", 1), want_b, size_b, pid_b, false);
}

static void test_deleted(int dev)
{
	uint8_t want[32], want2[32];
	size_t size, size2;
	pid_t pid, pid2;
	int status, status2, fd;
	bool gone;

	write_program("/t/del", 'D', 100);
	sha_of_file("/t/del", want, &size);
	status = run("/t/del", &pid);
	gone = unlink("/t/del") == 0;
	drain(dev);
	report("deleted_after_run_exec", status == 0 && gone, "status=%d unlinked=%d", status, gone);
	record_matches("deleted_after_run", find("/t/del", 0), want, size, pid, false);

	/* Executed through a descriptor after its last name is gone. */
	write_program("/t/del2", 'E', 100);
	sha_of_file("/t/del2", want2, &size2);
	fd = open("/t/del2", O_RDONLY | O_CLOEXEC);
	gone = fd >= 0 && unlink("/t/del2") == 0;
	status2 = run_in("/t/del2", fd, NULL, &pid2);
	close(fd);
	drain(dev);
	report("deleted_before_exec_exec", status2 == 0 && gone, "status=%d unlinked=%d",
	       status2, gone);
	record_matches("deleted_before_exec", find("/t/del2 (deleted)", 0), want2, size2,
		       pid2, false);
}

static void test_large(int dev)
{
	uint8_t want[32];
	size_t size;
	pid_t pid;
	int status;

	/* Several of the module's 64 KiB read chunks, with an odd tail. */
	write_program("/t/large", 'L', 3 * 1024 * 1024 + 12345);
	sha_of_file("/t/large", want, &size);
	status = run("/t/large", &pid);
	drain(dev);
	report("large_exec_succeeds", status == 0, "status=%d", status);
	record_matches("large", find("/t/large", 0), want, size, pid, false);
}

/* Starts /t/killed, kills it after wait_ms; the wait status. */
static int exec_and_kill(long wait_ms)
{
	struct timespec wait = { wait_ms / 1000, (wait_ms % 1000) * 1000 * 1000 };
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "/t/killed", NULL }, *envp[] = { NULL };

		execve(argv[0], argv, envp);
		_exit(127);
	}
	nanosleep(&wait, NULL);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

/*
 * A measurement that cannot finish gives a record that says so: the exec'ing
 * task is killed while the module reads a 32 MiB file, the module stops at
 * the next chunk and records -EINTR.  The kill must land while the file is
 * being hashed: too early there is no record, too late a complete one, so
 * the delay adapts over a few attempts.
 */
static void test_interrupted(int dev)
{
	struct ke_kmod_stats st0, st;
	struct ke_kmod_exec *r = NULL;
	static const uint8_t zero[32];
	long wait_ms = 150;
	int attempt, status = -1;

	write_program("/t/killed", 'K', 32u << 20);
	for (attempt = 1; attempt <= 6; attempt++) {
		ioctl(dev, KETTLE_IOC_CACHE_CLEAR);
		st0 = stats(dev);
		status = exec_and_kill(wait_ms);
		drain(dev);
		st = stats(dev);
		r = find("/t/killed", 0);
		if (r && r->err)
			break;
		wait_ms = r ? wait_ms / 3 + 1 : wait_ms * 2;
	}
	report("read_error_recorded", r && r->err == -EINTR && r->bytes_hashed < (uint64_t)r->size &&
	       !memcmp(r->digest, zero, 32) && !(r->flags & KE_KMOD_CACHE_HIT) &&
	       st.errors == st0.errors + 1 && WIFSIGNALED(status),
	       "err=%d hashed=%llu of %lld errors=%llu (kill after %ld ms, attempt %d)",
	       r ? r->err : 0, r ? (unsigned long long)r->bytes_hashed : 0ULL,
	       r ? (long long)r->size : 0LL, (unsigned long long)st.errors, wait_ms, attempt);
	unlink("/t/killed");
}

static void test_scope_boundaries(int dev)
{
	struct ke_kmod_stats st0 = stats(dev), st;
	uint8_t want[32];
	size_t size;
	pid_t pid;
	int out, sub;

	write_program("/t/outbin", 'O', 10);
	out = run_in("/t/outbin", -1, CG "/kettle-out", NULL);
	drain(dev);
	st = stats(dev);
	report("outside_scope_not_measured", out == 0 && !find("/t/outbin", 0) &&
	       st.measured == st0.measured && st.out_of_scope > st0.out_of_scope,
	       "status=%d records=%d out_of_scope=%llu", out, nrecs,
	       (unsigned long long)st.out_of_scope);

	write_program("/t/subbin", 'S', 10);
	sha_of_file("/t/subbin", want, &size);
	sub = run_in("/t/subbin", -1, CG "/kettle-in/sub", &pid);
	drain(dev);
	if (sub == 0)
		record_matches("descendant_cgroup_measured", find("/t/subbin", 0), want, size,
			       pid, false);
	else
		report("descendant_cgroup_measured", false, "status=%d", sub);
}

static void test_scope_cleared(int dev)
{
	int status, got, cleared = ioctl(dev, KETTLE_IOC_CLEAR_SCOPE);

	status = run("/t/bin", NULL);
	got = drain(dev);
	report("scope_cleared", cleared == 0 && status == 0 && got == 0 &&
	       stats(dev).scope_cgroup == 0, "records=%d", got);
}

/* A small queue that nobody reads: records beyond it are counted. */
static void test_dropped(uint64_t in_id)
{
	struct ke_kmod_stats st;
	int dev, i, got, failed = 0, loaded = load_module("queue_records=4");

	dev = open(DEV, O_RDONLY | O_NONBLOCK);
	if (loaded || dev < 0 || ioctl(dev, KETTLE_IOC_SET_SCOPE, &in_id)) {
		report("reload", false, "load=%d open=%d", loaded, dev);
		return;
	}
	report("reload", true, "queue_records=4");
	for (i = 0; i < 7; i++)
		failed += run("/t/bin", NULL) != 0;
	st = stats(dev);
	got = drain(dev);
	report("dropped_counted", !failed && st.dropped == 3 && st.queued == 4 &&
	       st.queue_capacity == 4 && st.measured == 7 && got == 4,
	       "measured=%llu queued=%u dropped=%llu read=%d", (unsigned long long)st.measured,
	       st.queued, (unsigned long long)st.dropped, got);
	close(dev);
}

/*
 * Execs keep running and succeeding while the module is unloaded under
 * them: the child signals after its first exec, then goes on.
 */
static void test_unload_during_execs(void)
{
	int pipefd[2], status = -1, busy = 0, unloaded = -1;
	char c;
	pid_t pid;

	if (pipe(pipefd))
		return report("unload_during_execs", false, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		int bad = run("/t/bin", NULL) != 0;

		if (write(pipefd[1], "x", 1) != 1)
			_exit(3);
		for (int i = 0; i < 40; i++)
			bad += run("/t/bin", NULL) != 0;
		_exit(bad ? 1 : 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		c = 0;
	while (busy < 100000 && (unloaded = unload_module()) == -EAGAIN)
		busy++;
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	report("unload_during_execs", c == 'x' && unloaded == 0 && status == 0 &&
	       access(DEV, F_OK) != 0, "unload=%d after %d busy tries, execs status=%#x",
	       unloaded, busy, status);
}

static void test_kernel_log(void)
{
	char buf[1 << 16];
	bool bad;
	int n;

	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	if (n < 0) {
		report("kernel_log_clean", false, "klogctl: %s", strerror(errno));
		return;
	}
	buf[n] = '\0';
	bad = strstr(buf, "BUG") || strstr(buf, "WARNING") || strstr(buf, "Oops") ||
	      strstr(buf, "general protection");
	if (bad)
		fprintf(stdout, "KMOD-DMESG %s\n", buf);
	report("kernel_log_clean", !bad, "no BUG/WARNING/Oops in dmesg");
}

int main(int argc, char **argv)
{
	uint64_t in_id;
	int dev, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: guest_kmod <kettle.ko> <program>\n");
		return 2;
	}
	module_path = argv[1];
	true_path = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mkdir(CG "/kettle-in", 0755) || mkdir(CG "/kettle-in/sub", 0755) ||
	    mkdir(CG "/kettle-out", 0755)) {
		fprintf(stderr, "guest_kmod: cannot create cgroups: %s\n", strerror(errno));
		return 1;
	}
	in_id = cgroup_id_of(CG "/kettle-in");
	write_program("/t/bin", 'X', 0);

	ret = load_module("");
	report("load", ret == 0 && access(DEV, F_OK) == 0, "finit_module=%d", ret);
	if (ret)
		goto done;
	test_open_rules();
	dev = open(DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (dev < 0) {
		report("open", false, "%s", strerror(errno));
		goto done;
	}
	test_scope_required(dev);
	move_self(CG "/kettle-in");
	test_set_scope(dev, in_id);
	test_binary_and_cache(dev, in_id);
	test_blocking_read(dev);
	test_script(dev);
	test_overwritten(dev);
	test_deleted(dev);
	test_large(dev);
	test_interrupted(dev);
	test_scope_boundaries(dev);
	test_scope_cleared(dev);

	ret = unload_module();
	report("unload_refused_while_open", ret == -EBUSY || ret == -EAGAIN, "ret=%d", ret);
	close(dev);
	ret = unload_module();
	report("unload", ret == 0 && access(DEV, F_OK) != 0, "ret=%d", ret);
	if (ret == 0) {
		test_dropped(in_id);
		test_unload_during_execs();
	}
	test_kernel_log();
done:
	printf("KMOD-TEST-DONE\n");
	fflush(stdout);
	return 0;
}
