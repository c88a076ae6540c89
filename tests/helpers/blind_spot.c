// SPDX-License-Identifier: MIT
/*
 * Does one thing a build could do to read, run or reach something past a
 * tracer, for tests/integration/test_blind_spots.c (docs/threat-model.md):
 *
 *   blind_spot io-uring PATH         open and read PATH through an io_uring
 *   blind_spot io-uring-sqpoll PATH  the same, submitted by the ring's SQPOLL thread
 *   blind_spot io-uring-async PATH   the same, run by io-wq workers (IOSQE_ASYNC)
 *   blind_spot io-uring-direct PATH  the same, opened into a fixed-file slot
 *   blind_spot io-uring-absent NAME  try to open NAME (relative, absent) through an io_uring: it must fail
 *   blind_spot io-uring-connect      a loopback listener, and an io_uring socket, connect and accept
 *   blind_spot io-uring-rename       create "a", rename it to "b" through an io_uring
 *   blind_spot io-uring-unlink       create "a", unlink it through an io_uring
 *   blind_spot io-uring-receive ADDR a ring with an empty fixed-file slot, named in ADDR ("pid fd"):
 *                                    wait for a file to arrive there, read it through the slot
 *   blind_spot io-uring-send ADDR PATH  (run outside the build) take the ring ADDR names with
 *                                    pidfd_getfd and put PATH into its slot with IORING_OP_MSG_RING
 *   blind_spot int80 PATH            open PATH with the 32-bit open (int 0x80)
 *   blind_spot memfd-exec            run /bin/true from a memfd
 *   blind_spot deleted-exec DIR      copy /bin/true into DIR, unlink it, run it by descriptor
 *   blind_spot recv-fd PATH          a child sends an open PATH over a unix socket
 *   blind_spot pidfd-getfd PID FD    take descriptor FD of process PID
 *   blind_spot by-handle PATH        open PATH by its file handle
 *   blind_spot vm-read PID ADDR      read 8 bytes at ADDR of process PID
 *   blind_spot vm-read-own           the same of its own second thread (by its thread id) and of a child
 *   blind_spot unshare               enter a new mount namespace
 *   blind_spot bpf                   create a BPF map
 *   blind_spot ptrace PID            attach to process PID and detach
 *   blind_spot ptrace-child          the same to a child of its own, then seize it (all inside the build)
 *   blind_spot ptrace-tracer         seize its nearest ancestor named kettle (the collector)
 *   blind_spot cgroup-move           write its own pid to the root cgroup's cgroup.procs
 *   blind_spot unix-client PATH      connect to the unix socket PATH, send a byte, read one back
 *   blind_spot unix-own PATH         serve PATH in a child and talk to it (all inside the build)
 *   blind_spot read PATH             open PATH and read a byte (PATH may be /proc/PID/fd/N)
 *   blind_spot open PATH             open PATH (non-blocking) and close it, reading nothing
 *   blind_spot packet-socket         an AF_PACKET socket (traffic below IP: no address to record)
 *   blind_spot raw-socket            an AF_INET SOCK_RAW ICMP socket
 *   blind_spot listen-any            a TCP socket that listens without bind (bound to every interface)
 *   blind_spot udp-unbound           a UDP datagram to a loopback port from a socket never bound (the
 *                                    kernel binds it to every interface: it could take answers from anywhere)
 *   blind_spot reads PATH N [READY]  open and close PATH N times (a stream of records); with READY,
 *                                    first wait (at most 60 s) until the file READY exists, and
 *                                    after, make READY.over and wait for READY.gone
 *   blind_spot thread-tid FILE N     a second thread writes its thread id to FILE (whole, by rename) and
 *                                    sleeps N seconds; the process waits for it
 *   blind_spot msgrcv ID             receive a message from System V message queue ID
 *   blind_spot signal-tracer         send SIGCONT to its nearest ancestor named kettle (the collector)
 *   blind_spot core-dump             a child takes SIGQUIT: the kernel dumps its core (core_pattern)
 *   blind_spot wait-signal FILE      write its pid to FILE, wait (30 s at most) for SIGUSR1 and print its value
 *   blind_spot signal-child          signal a child of its own (SIGUSR1, SIGTERM) and reap it: nothing from outside
 *   blind_spot timer-signals N       take N SIGALRMs from a POSIX timer of its own (as `timeout` does)
 *   blind_spot module-autoload       ask for a socket family only a module provides (AF_NETROM): where
 *                                    modules exist, the kernel runs modprobe for it
 *   blind_spot pty-own               open /dev/ptmx, then its /dev/pts/N by name, write a line into the
 *                                    master and read it from the slave; then a child that has the pty as
 *                                    its controlling terminal reads a line from /dev/tty (as expect does)
 *
 * Exit 0 when the thing was done, 77 when this machine cannot do it, 1 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#define SKIP 77

static int die(const char *what)
{
	fprintf(stderr, "blind_spot: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Submits the request prepared in RING and waits for it: its result, or -errno. */
static int uring_run(struct io_uring *ring)
{
	struct io_uring_cqe *cqe = NULL;
	int rc = io_uring_submit(ring), res;

	if (rc < 0)
		return rc;
	rc = io_uring_wait_cqe(ring, &cqe);
	if (rc)
		return rc;
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static struct io_uring_sqe *uring_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		fprintf(stderr, "blind_spot: no free io_uring entry\n");
		exit(1);
	}
	return sqe;
}

/* How the io_uring modes submit: inline, by the SQPOLL thread, by an io-wq worker, into a fixed-file slot. */
enum uring_way { URING_INLINE, URING_SQPOLL, URING_ASYNC, URING_DIRECT };

/* Opens PATH and reads from it, both through an io_uring used WAY. */
static int do_io_uring(const char *path, enum uring_way way)
{
	struct io_uring_params p = { .flags = way == URING_SQPOLL ? IORING_SETUP_SQPOLL : 0 };
	unsigned int sqe_flags = way == URING_ASYNC ? IOSQE_ASYNC : 0;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[64];
	int rc;

	rc = io_uring_queue_init_params(4, &ring, &p);
	if (rc)
		return errno = -rc, die("io_uring_queue_init");
	if (way == URING_DIRECT && (rc = io_uring_register_files_sparse(&ring, 1)))
		return errno = -rc, die("io_uring_register_files_sparse");
	sqe = uring_sqe(&ring);
	if (way == URING_DIRECT)
		io_uring_prep_openat_direct(sqe, AT_FDCWD, path, O_RDONLY, 0, 0);
	else
		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	io_uring_sqe_set_flags(sqe, sqe_flags);
	rc = uring_run(&ring);
	if (rc < 0)
		return errno = -rc, die("io_uring openat");
	sqe = uring_sqe(&ring);
	io_uring_prep_read(sqe, way == URING_DIRECT ? 0 : rc, buf, sizeof(buf), 0);
	io_uring_sqe_set_flags(sqe, sqe_flags | (way == URING_DIRECT ? IOSQE_FIXED_FILE : 0));
	rc = uring_run(&ring);
	if (rc <= 0)
		return errno = rc ? -rc : EIO, die("io_uring read");
	io_uring_queue_exit(&ring);
	return 0;
}

/* Sets up the ring io-uring-send fills, names it in ADDR, and reads the file that arrives. */
static int do_io_uring_receive(const char *addr)
{
	struct __kernel_timespec wait = { .tv_sec = 30 };
	struct io_uring_cqe *cqe = NULL;
	struct io_uring_sqe *sqe;
	char tmp[512], buf[64] = "";
	struct io_uring ring;
	FILE *f;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc)
		return errno = -rc, die("io_uring_queue_init");
	if ((rc = io_uring_register_files_sparse(&ring, 1)))
		return errno = -rc, die("io_uring_register_files_sparse");
	snprintf(tmp, sizeof(tmp), "%s.tmp", addr);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d %d\n", (int)getpid(), ring.ring_fd) < 0 || fclose(f) || rename(tmp, addr))
		return die(addr);
	rc = io_uring_wait_cqe_timeout(&ring, &cqe, &wait);
	if (rc)
		return errno = -rc, die("waiting for the message");
	io_uring_cqe_seen(&ring, cqe);
	sqe = uring_sqe(&ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf) - 1, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	rc = uring_run(&ring);
	if (rc <= 0)
		return errno = rc ? -rc : EIO, die("io_uring read of the file received");
	printf("received: %s", buf);
	io_uring_queue_exit(&ring);
	return 0;
}

/*
 * From outside the build: takes the ring ADDR names and puts PATH into its
 * fixed slot 0 from slot 0 of a ring of its own (liburing 2.3 has no
 * io_uring_prep_msg_ring_fd: the uapi fields are set here).
 */
static int do_io_uring_send(const char *addr, const char *path)
{
	int pid = 0, ring_fd = -1, pidfd, target, file, rc;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	FILE *f = NULL;

	for (int tries = 0; tries < 3000 && !f; tries++)
		if (!(f = fopen(addr, "r")))
			usleep(10000);
	if (!f || fscanf(f, "%d %d", &pid, &ring_fd) != 2)
		return die(addr);
	fclose(f);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return die("pidfd_open");
	target = syscall(SYS_pidfd_getfd, pidfd, ring_fd, 0);
	if (target < 0)
		return die("pidfd_getfd of the build's ring");
	file = open(path, O_RDONLY);
	if (file < 0)
		return die(path);
	if ((rc = io_uring_queue_init(4, &ring, 0)))
		return errno = -rc, die("io_uring_queue_init");
	if ((rc = io_uring_register_files(&ring, &file, 1)))
		return errno = -rc, die("io_uring_register_files");
	sqe = uring_sqe(&ring);
	io_uring_prep_msg_ring(sqe, target, 0, 0x6b65, 0);
	sqe->addr = IORING_MSG_SEND_FD;
	sqe->addr3 = 0;                 /* from our slot 0 */
	sqe->file_index = 1;            /* into its slot 0 (the field counts from 1) */
	rc = uring_run(&ring);
	if (rc < 0)
		return errno = -rc, die("IORING_OP_MSG_RING");
	io_uring_queue_exit(&ring);
	return 0;
}

/* Probes NAME through an io_uring open, which must fail with ENOENT (a build testing for a file). */
static int do_io_uring_absent(const char *name)
{
	struct io_uring ring;
	int rc = io_uring_queue_init(4, &ring, 0);

	if (rc)
		return errno = -rc, die("io_uring_queue_init");
	io_uring_prep_openat(uring_sqe(&ring), AT_FDCWD, name, O_RDONLY, 0);
	rc = uring_run(&ring);
	io_uring_queue_exit(&ring);
	if (rc != -ENOENT) {
		fprintf(stderr, "blind_spot: io_uring open of %s: %d, not -ENOENT\n", name, rc);
		return 1;
	}
	return 0;
}

/*
 * A loopback listener of its own (its port written to the file "port"), and
 * through an io_uring: a socket, a connect to the listener, an accept of it.
 */
static int do_io_uring_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct io_uring ring;
	FILE *f;
	int l, s, c, rc;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen))
		return die("loopback listener");
	f = fopen("port", "w");
	if (!f || fprintf(f, "%u\n", ntohs(a.sin_port)) < 0 || fclose(f))
		return die("port");
	rc = io_uring_queue_init(4, &ring, 0);
	if (rc)
		return errno = -rc, die("io_uring_queue_init");
	io_uring_prep_socket(uring_sqe(&ring), AF_INET, SOCK_STREAM, 0, 0);
	s = uring_run(&ring);
	if (s < 0)
		return errno = -s, die("io_uring socket");
	io_uring_prep_connect(uring_sqe(&ring), s, (struct sockaddr *)&a, sizeof(a));
	rc = uring_run(&ring);
	if (rc < 0)
		return errno = -rc, die("io_uring connect");
	io_uring_prep_accept(uring_sqe(&ring), l, NULL, NULL, 0);
	c = uring_run(&ring);
	if (c < 0)
		return errno = -c, die("io_uring accept");
	io_uring_queue_exit(&ring);
	close(c);
	close(s);
	return close(l);
}

/* Creates the file "a" in the cwd, then renames it to "b" (or unlinks it) through an io_uring. */
static int do_io_uring_tree(bool rename)
{
	struct io_uring ring;
	int fd = open("a", O_WRONLY | O_CREAT | O_TRUNC, 0644), rc;

	if (fd < 0 || close(fd))
		return die("a");
	rc = io_uring_queue_init(4, &ring, 0);
	if (rc)
		return errno = -rc, die("io_uring_queue_init");
	if (rename)
		io_uring_prep_renameat(uring_sqe(&ring), AT_FDCWD, "a", AT_FDCWD, "b", 0);
	else
		io_uring_prep_unlinkat(uring_sqe(&ring), AT_FDCWD, "a", 0);
	rc = uring_run(&ring);
	if (rc < 0)
		return errno = -rc, die(rename ? "io_uring renameat" : "io_uring unlinkat");
	io_uring_queue_exit(&ring);
	return 0;
}

/* The i386 open (number 5): its pointer argument must fit in 32 bits. */
static int int80_open(const char *path)
{
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long ret;

	if (low == MAP_FAILED)
		return die("mmap MAP_32BIT");
	snprintf(low, 4096, "%s", path);
	/* int 0x80 from 64-bit code zeroes r8-r11 */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(5L), "b"((long)(uintptr_t)low), "c"(0L), "d"(0L)
			 : "memory", "r8", "r9", "r10", "r11");
	if (ret == -ENOSYS)
		return SKIP;
	if (ret < 0)
		return errno = -ret, die("int 0x80 open");
	return close((int)ret) ? die("close") : 0;
}

/*
 * In a child: a kernel without IA32 emulation (ia32_emulation=0, or built
 * without it) answers int 0x80 with a general protection fault, and then
 * no 32-bit call can happen at all (SKIP).
 */
static int do_int80(const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		sigaction(SIGSEGV, &dfl, NULL);         /* a sanitizer's handler would make the fault an exit */
		_exit(int80_open(path));
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return die("fork");
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
		return SKIP;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int exec_fd(int fd)
{
	char *const argv[] = { "true", NULL }, *const envp[] = { NULL };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		_exit(126);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return die("fork");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (fprintf(stderr, "blind_spot: exec failed\n"), 1);
}

static int copy_true(int to)
{
	char buf[65536];
	int from = open("/bin/true", O_RDONLY);
	ssize_t n;

	if (from < 0)
		return die("/bin/true");
	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, n) != n)
			return die("write");
	close(from);
	return n < 0 ? die("read") : 0;
}

static int do_memfd_exec(void)
{
	int fd = memfd_create("kettle-test", MFD_CLOEXEC);

	if (fd < 0)
		return die("memfd_create");
	return copy_true(fd) ? 1 : exec_fd(fd);
}

static int do_deleted_exec(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/deleted-true", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || copy_true(fd))
		return die(path);
	close(fd);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 || unlink(path))
		return die(path);
	return exec_fd(fd);
}

static int do_recv_fd(const char *path)
{
	int sv[2], st;
	char byte = 'x', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	pid_t pid;
	int fd;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return die("socketpair");
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			_exit(1);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		_exit(sendmsg(sv[0], &m, 0) == 1 ? 0 : 1);
	}
	if (recvmsg(sv[1], &m, 0) != 1 || waitpid(pid, &st, 0) != pid)
		return die("recvmsg");
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return fprintf(stderr, "blind_spot: no descriptor received\n"), 1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return read(fd, &byte, 1) < 0 ? die("read") : 0;
}

static int do_pidfd_getfd(int pid, int target_fd)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0), fd;
	char byte;

	if (pidfd < 0)
		return die("pidfd_open");
	fd = syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
	if (fd < 0)
		return die("pidfd_getfd");
	return pread(fd, &byte, 1, 0) < 0 ? die("read") : 0;
}

static int do_by_handle(const char *path)
{
	struct file_handle *h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
	int mount_id, fd;
	char byte;

	if (!h)
		return die("malloc");
	h->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, h, &mount_id, 0))
		return errno == EOPNOTSUPP ? SKIP : die("name_to_handle_at");
	fd = open_by_handle_at(AT_FDCWD, h, O_RDONLY);      /* any fd on the same filesystem works */
	free(h);
	if (fd < 0)
		return die("open_by_handle_at");
	return read(fd, &byte, 1) < 0 ? die("read") : 0;
}

static int do_vm_read(int pid, unsigned long addr)
{
	char buf[8];
	struct iovec local = { buf, sizeof(buf) }, remote = { (void *)addr, sizeof(buf) };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(buf) ? 0 : die("process_vm_readv");
}

static char own_word[8] = "own";
static volatile int own_thread_tid;

static void *own_thread(void *arg)
{
	(void)arg;
	own_thread_tid = (int)syscall(SYS_gettid);
	sleep(2);
	return NULL;
}

/* Reads its own memory through a second thread's id, then a child's through its pid: the build's own. */
static int do_vm_read_own(void)
{
	pthread_t th;
	pid_t child;
	int st = 0, rc;

	if (pthread_create(&th, NULL, own_thread, NULL))
		return die("pthread_create");
	for (int i = 0; i < 1000 && !own_thread_tid; i++)
		usleep(1000);
	rc = own_thread_tid ? do_vm_read(own_thread_tid, (unsigned long)own_word) : die("thread id");
	pthread_join(th, NULL);
	if (rc)
		return rc;
	child = fork();
	if (child == 0) {
		sleep(2);
		_exit(0);
	}
	if (child < 0)
		return die("fork");
	rc = do_vm_read(child, (unsigned long)own_word);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	return rc;
}

static int do_bpf(void)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	return fd < 0 ? die("bpf") : close(fd);
}

static int do_ptrace(int pid)
{
	if (ptrace(PTRACE_ATTACH, pid, 0, 0))
		return die("PTRACE_ATTACH");
	waitpid(pid, NULL, __WALL);
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? die("PTRACE_DETACH") : 0;
}

static int do_cgroup_move(void)
{
	FILE *f = fopen("/sys/fs/cgroup/cgroup.procs", "w");

	if (!f)
		return errno == ENOENT ? SKIP : die("/sys/fs/cgroup/cgroup.procs");
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? die("moving to the root cgroup") : 0;
}

/* The parent of PID from /proc/PID/stat, and its command name into COMM; 0 when unknown. */
static int parent_of(int pid, char comm[32])
{
	char path[64], line[512], *close_paren;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	close_paren = strrchr(line, ')');
	if (!close_paren || sscanf(close_paren + 2, "%*c %d", &ppid) != 1)
		return 0;
	*close_paren = '\0';
	snprintf(comm, 32, "%s", strchr(line, '(') ? strchr(line, '(') + 1 : "");
	return ppid;
}

/* Attaches to a child of its own (as a test suite's debugger does), reads a word of it, detaches. */
static int do_ptrace_child(void)
{
	pid_t child = fork();
	int st = 0, rc;

	if (child == 0) {
		sleep(5);
		_exit(0);
	}
	if (child < 0)
		return die("fork");
	rc = do_ptrace(child);
	if (!rc && ptrace(PTRACE_SEIZE, child, 0, 0))
		rc = die("PTRACE_SEIZE");
	kill(child, SIGKILL);
	waitpid(child, &st, __WALL);
	return rc;
}

/* The pid of its nearest ancestor named kettle (the collector), or 0. */
static int kettle_ancestor(void)
{
	char comm[32];
	int pid = getpid();

	for (int depth = 0; depth < 16 && pid > 1; depth++) {
		int ppid = parent_of(pid, comm);

		if (depth > 0 && !strcmp(comm, "kettle"))
			return pid;
		pid = ppid;
	}
	fprintf(stderr, "blind_spot: no kettle among the ancestors\n");
	return 0;
}

/* Attaches to the collector without stopping it (PTRACE_SEIZE); its exit lets go. */
static int do_ptrace_tracer(void)
{
	int pid = kettle_ancestor();

	return !pid ? 1 : ptrace(PTRACE_SEIZE, pid, 0, 0) ? die("PTRACE_SEIZE") : 0;
}

static int do_signal_tracer(void)
{
	int pid = kettle_ancestor();

	return !pid ? 1 : kill(pid, SIGCONT) ? die("kill") : 0;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char byte = 'q';
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	for (int tries = 0; tries < 100; tries++) {
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			break;
		if (tries == 99)
			return die(path);
		usleep(10000);
	}
	if (write(fd, &byte, 1) != 1 || read(fd, &byte, 1) != 1)
		return die("unix socket exchange");
	return close(fd);
}

/* Serves one exchange on the unix socket PATH. */
static int unix_serve_once(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), c;
	char byte;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return die(path);
	c = accept(fd, NULL, NULL);
	if (c < 0 || read(c, &byte, 1) != 1 || write(c, &byte, 1) != 1)
		return die("serving");
	close(c);
	return close(fd);
}

static int do_unix_own(const char *path)
{
	pid_t pid = fork();
	int st, rc;

	if (pid == 0)
		_exit(unix_serve_once(path));
	rc = unix_connect(path);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return rc;
}

static volatile sig_atomic_t signal_value = -1;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	signal_value = si->si_value.sival_int;
}

static int do_wait_signal(const char *file)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	char tmp[512];
	FILE *f;

	if (sigaction(SIGUSR1, &sa, NULL))
		return die("sigaction");
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) || rename(tmp, file))
		return die(file);
	for (int i = 0; i < 3000 && signal_value < 0; i++)
		usleep(10000);
	if (signal_value < 0)
		return fprintf(stderr, "blind_spot: no SIGUSR1 came\n"), 1;
	printf("signal value %d\n", (int)signal_value);
	return 0;
}

static int do_signal_child(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		pause();
		_exit(0);
	}
	if (pid < 0)
		return die("fork");
	usleep(50000);
	if (kill(pid, SIGUSR1) || kill(pid, SIGTERM) || waitpid(pid, &st, 0) != pid)
		return die("kill or waitpid");
	return 0;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A timer's signals come from an interrupt: whoever runs then is no sender. */
static int do_timer_signals(int n)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec every = { .it_value.tv_nsec = 2000000, .it_interval.tv_nsec = 2000000 };
	timer_t t;

	signal(SIGALRM, on_alarm);
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) || timer_settime(t, 0, &every, NULL))
		return die("timer_create");
	while (alarms < n)
		pause();
	timer_delete(t);
	return 0;
}

static int do_core_dump(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		signal(SIGQUIT, SIG_DFL);
		raise(SIGQUIT);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return die("fork or waitpid");
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGQUIT)
		return fprintf(stderr, "blind_spot: the child did not die of SIGQUIT (status %#x)\n", st), 1;
	return 0;
}

/* Whether the file PATH appears within 60 s. */
static bool appears(const char *path)
{
	for (int waited = 0; waited < 6000; waited++) {
		if (!access(path, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * reads: N opens of PATH.  With READY, the stream starts once the file READY
 * exists (whoever watches it is ready, however slow its start), and when it
 * is over READY.over is made and READY.gone awaited (the watcher stopped).
 */
static int do_reads(const char *path, long n, const char *ready)
{
	char over[4096], gone[4096];
	int fd;

	if (ready && !appears(ready))
		return die(ready);
	for (long i = n; i > 0; i--) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return die(path);
		close(fd);
	}
	if (!ready)
		return 0;
	snprintf(over, sizeof(over), "%s.over", ready);
	snprintf(gone, sizeof(gone), "%s.gone", ready);
	fd = open(over, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return die(over);
	close(fd);
	return appears(gone) ? 0 : die(gone);
}

struct thread_tid {
	const char *file;
	int seconds;
	bool failed;
};

/* The second thread of thread-tid: its id in FILE (FILE.tmp renamed, so a reader sees it whole), then a sleep. */
static void *thread_tid_write(void *arg)
{
	struct thread_tid *t = arg;
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", t->file);
	f = fopen(tmp, "w");
	t->failed = !f || fprintf(f, "%d\n", (int)syscall(SYS_gettid)) < 0;
	if (f)
		t->failed |= fclose(f) != 0;
	t->failed = t->failed || rename(tmp, t->file);
	if (!t->failed)
		sleep(t->seconds);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	if (!strcmp(m, "io-uring") && argc == 3)
		return do_io_uring(argv[2], URING_INLINE);
	if (!strcmp(m, "io-uring-absent") && argc == 3)
		return do_io_uring_absent(argv[2]);
	if (!strcmp(m, "io-uring-sqpoll") && argc == 3)
		return do_io_uring(argv[2], URING_SQPOLL);
	if (!strcmp(m, "io-uring-async") && argc == 3)
		return do_io_uring(argv[2], URING_ASYNC);
	if (!strcmp(m, "io-uring-direct") && argc == 3)
		return do_io_uring(argv[2], URING_DIRECT);
	if (!strcmp(m, "io-uring-connect"))
		return do_io_uring_connect();
	if (!strcmp(m, "io-uring-rename"))
		return do_io_uring_tree(true);
	if (!strcmp(m, "io-uring-unlink"))
		return do_io_uring_tree(false);
	if (!strcmp(m, "core-dump"))
		return do_core_dump();
	if (!strcmp(m, "wait-signal") && argc == 3)
		return do_wait_signal(argv[2]);
	if (!strcmp(m, "signal-child"))
		return do_signal_child();
	if (!strcmp(m, "timer-signals") && argc == 3)
		return do_timer_signals(atoi(argv[2]));
	if (!strcmp(m, "io-uring-receive") && argc == 3)
		return do_io_uring_receive(argv[2]);
	if (!strcmp(m, "io-uring-send") && argc == 4)
		return do_io_uring_send(argv[2], argv[3]);
	if (!strcmp(m, "int80") && argc == 3)
		return do_int80(argv[2]);
	if (!strcmp(m, "memfd-exec"))
		return do_memfd_exec();
	if (!strcmp(m, "deleted-exec") && argc == 3)
		return do_deleted_exec(argv[2]);
	if (!strcmp(m, "recv-fd") && argc == 3)
		return do_recv_fd(argv[2]);
	if (!strcmp(m, "pidfd-getfd") && argc == 4)
		return do_pidfd_getfd(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(m, "by-handle") && argc == 3)
		return do_by_handle(argv[2]);
	if (!strcmp(m, "vm-read") && argc == 4)
		return do_vm_read(atoi(argv[2]), strtoul(argv[3], NULL, 0));
	if (!strcmp(m, "vm-read-own"))
		return do_vm_read_own();
	if (!strcmp(m, "unshare"))
		return unshare(CLONE_NEWNS) ? die("unshare") : 0;
	if (!strcmp(m, "bpf"))
		return do_bpf();
	if (!strcmp(m, "ptrace") && argc == 3)
		return do_ptrace(atoi(argv[2]));
	if (!strcmp(m, "ptrace-child"))
		return do_ptrace_child();
	if (!strcmp(m, "ptrace-tracer"))
		return do_ptrace_tracer();
	if (!strcmp(m, "cgroup-move"))
		return do_cgroup_move();
	if (!strcmp(m, "unix-client") && argc == 3)
		return unix_connect(argv[2]);
	if (!strcmp(m, "unix-own") && argc == 3)
		return do_unix_own(argv[2]);
	if (!strcmp(m, "serve-once") && argc == 3)
		return unix_serve_once(argv[2]);
	if (!strcmp(m, "open") && argc == 3) {
		int fd = open(argv[2], O_RDONLY | O_NONBLOCK);

		return fd < 0 ? die(argv[2]) : close(fd);
	}
	if (!strcmp(m, "udp-unbound")) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
					  .sin_port = htons(9) };
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0 || sendto(fd, "x", 1, 0, (struct sockaddr *)&in, sizeof(in)) != 1)
			return die("udp sendto");
		return close(fd);
	}
	if (!strcmp(m, "packet-socket") || !strcmp(m, "raw-socket") || !strcmp(m, "listen-any")) {
		int fd = !strcmp(m, "packet-socket") ? socket(AF_PACKET, SOCK_RAW, 0) :
			 !strcmp(m, "raw-socket") ? socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) : socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			return errno == EAFNOSUPPORT || errno == EPERM ? SKIP : die(m);
		if (!strcmp(m, "listen-any") && listen(fd, 1))
			return die("listen");
		return close(fd);
	}
	if (!strcmp(m, "module-autoload") && argc == 2) {
		int fd = socket(6 /* AF_NETROM */, SOCK_SEQPACKET, 0);

		/* the family is absent (EAFNOSUPPORT) once modprobe found nothing: asking was the point */
		return fd >= 0 ? close(fd) : 0;
	}
	if (!strcmp(m, "pty-own") && argc == 2) {
		char name[64], line[16] = "";
		int master = posix_openpt(O_RDWR | O_NOCTTY), slave;

		if (master < 0 || grantpt(master) || unlockpt(master) || ptsname_r(master, name, sizeof(name)))
			return die("posix_openpt");
		slave = open(name, O_RDWR | O_NOCTTY);
		if (slave < 0 || write(master, "hello\n", 6) != 6 || read(slave, line, sizeof(line) - 1) <= 0)
			return die(name);
		if (strncmp(line, "hello", 5))
			return 1;
		/* a program run on it, as expect runs one: the pty is its controlling terminal, /dev/tty */
		if (write(master, "again\n", 6) != 6)
			return die("write");
		pid_t child = fork();

		if (child == 0) {
			int tty;

			if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) || (tty = open("/dev/tty", O_RDONLY)) < 0 ||
			    read(tty, line, sizeof(line) - 1) <= 0)
				_exit(1);
			_exit(strncmp(line, "again", 5) ? 1 : 0);
		}
		int st;

		return child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if (!strcmp(m, "read") && argc == 3) {
		char byte;
		int fd = open(argv[2], O_RDONLY);

		return fd < 0 || read(fd, &byte, 1) < 0 ? die(argv[2]) : 0;
	}
	if (!strcmp(m, "msgrcv") && argc == 3) {
		struct { long type; char text[64]; } msg;

		return msgrcv(atoi(argv[2]), &msg, sizeof(msg.text), 0, IPC_NOWAIT) < 0 ? die("msgrcv") : 0;
	}
	if (!strcmp(m, "thread-tid") && argc == 4) {
		struct thread_tid t = { .file = argv[2], .seconds = atoi(argv[3]) };
		pthread_t th;

		if (pthread_create(&th, NULL, thread_tid_write, &t) || pthread_join(th, NULL))
			return die("pthread");
		return t.failed ? die(argv[2]) : 0;
	}
	if (!strcmp(m, "reads") && (argc == 4 || argc == 5))
		return do_reads(argv[2], atol(argv[3]), argc == 5 ? argv[4] : NULL);
	if (!strcmp(m, "signal-tracer"))
		return do_signal_tracer();
	fprintf(stderr, "blind_spot: usage: see the comment at the top of tests/helpers/blind_spot.c\n");
	return 2;
}
