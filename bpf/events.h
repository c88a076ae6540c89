/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The one event ABI between the kernel side (bpf/, kmod/) and userspace.
 * Records are little-endian, fixed header first, then a type-specific fixed
 * part, then variable "blobs" in the order the fixed part lists their lengths.
 * A path blob holds the components leaf first, each NUL-terminated, because
 * the kernel walks dentries upwards; userspace reverses them.
 */
#ifndef KETTLE_EVENTS_H
#define KETTLE_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define KETTLE_ABI_VERSION 4     /* 2: struct ke_exec carries the environment; 3: KE_NOTICE, opens by fd; 4: ke_header.seq */

/* Bounds on what one event carries; beyond them the blob is cut and flagged. */
#define KE_PATH_MAX     4096    /* bytes of a resolved path blob */
#define KE_PATH_DEPTH   48      /* dentry/mount steps walked for one path */
#define KE_NAME_MAX     256     /* one path component, with its NUL */
#define KE_STR_MAX      4096    /* a string as passed by the caller */
#define KE_ARGV_MAX     4096    /* argv bytes carried in the exec record itself */
#define KE_ARGV_CHUNK   4096    /* longer argv: sent ahead in KE_EXEC_ARGV records */
#define KE_ARGV_TOTAL_MAX (256 * 1024)  /* argv bytes recorded at most */
#define KE_EXEC_NAME_MAX 2048   /* exec filename as passed (kernel copy) */
/*
 * The environment recorded at most.  A CI runner's environment is 100-200
 * variables and 5-10 KiB, a Kbuild compile step's about 60 and 8 KiB (the
 * exported KBUILD_* flags are the bulk): 32 KiB and 512 leave room for both.
 */
#define KE_ENV_MAX      (32 * 1024)   /* bytes */
#define KE_ENV_VARS_MAX 512           /* strings */

enum ke_type {
	KE_FORK = 1,            /* a tracked process created a process */
	KE_EXEC = 2,            /* successful exec */
	KE_EXEC_FAIL = 3,       /* execve/execveat returned an error */
	KE_EXIT = 4,            /* last thread of a tracked process exited */
	KE_OPEN = 5,            /* open/openat/openat2/creat returned */
	KE_PROC_SNAPSHOT = 6,   /* never sent by the kernel: a process found in /proc at attach */
	KE_NET = 7,             /* a socket call returned (struct ke_net) */
	KE_FILE_OP = 8,         /* a file-mutating call returned (struct ke_file_op) */
	KE_NOTICE = 9,          /* something the build did that Kettle cannot record in full (struct ke_notice) */
	KE_TYPE_MAX
};

/*
 * Auxiliary records, not events: a piece of a long argv, or of the
 * environment, sent by the exec program just before its KE_EXEC record,
 * from the same thread.  Both are a struct ke_exec_argv.
 */
#define KE_EXEC_ARGV 16
#define KE_EXEC_ENV  17

/* Per-CPU counters (array map "stats"), summed by userspace. */
enum ke_stat {
	/* 0..KE_TYPE_MAX-1: ringbuf reservation failures by event type */
	KE_STAT_TRUNC_PATH = KE_TYPE_MAX,  /* a path blob was cut short */
	KE_STAT_TRUNC_ARGV,     /* argv bytes cut short */
	KE_STAT_TRUNC_STR,      /* a string as passed was cut short */
	KE_STAT_PENDING_FULL,   /* a socket call's address could not be kept from entry to exit */
	KE_STAT_TRACKED_FULL,   /* a new process could not be tracked */
	KE_STAT_TRUNC_ENV,      /* an environment was cut (bytes or count), or a piece of it lost */
	KE_STAT_NUMBERED,       /* records numbered on this CPU: the next record's KE_SEQ_NUM */
	KE_STAT_UNSENT,         /* numbered records the ring buffer refused */
	KE_STAT_MAX
};

/* Flags of a path blob. */
#define KE_PATH_TRUNCATED  0x1  /* walk stopped early: leading components missing */
#define KE_PATH_UNREACHABLE 0x2 /* no file object: blob is empty */
#define KE_PATH_UNLINKED   0x4  /* the file has no name left (memfd, O_TMPFILE, deleted): the path names nothing */
#define KE_PATH_BLOCK_DEVICE 0x8 /* the file is a block device: a disk's bytes, wherever its node lives */
#define KE_PATH_NET_DEVICE 0x10 /* a character device that carries network traffic (tun/tap, vhost-net,
				 * vhost-vsock, ppp), wherever its node lives */
#define KE_PATH_MEM_DEVICE 0x20 /* the machine's or the kernel's memory or I/O ports (mem, kmem, port) */
#define KE_PATH_TERMINAL   0x40 /* a terminal (/dev/tty, the console, a virtual console or serial line) */
#define KE_PATH_STREAM     0x80 /* a pipe, FIFO or socket: bytes from whoever writes it, no file to hash */
#define KE_PATH_WRITERS_BEFORE 0x100 /* the build's first open of the file for writing found it open for
				      * writing already, by a file the build had not opened: the collector
				      * looks in /proc for who holds it */

/*
 * Which call an open came from.  The last three give a process a file it did
 * not open by name: the record carries the file's own path and identity, and
 * flags are the file's f_flags (how it is open), not the call's.
 */
enum ke_open_call { KE_CALL_OPEN = 1, KE_CALL_OPENAT, KE_CALL_OPENAT2, KE_CALL_CREAT,
		    KE_CALL_EXECVE, KE_CALL_EXECVEAT,
		    KE_CALL_OPEN_BY_HANDLE,     /* open_by_handle_at */
		    KE_CALL_PIDFD_GETFD,        /* a descriptor taken from another process */
		    KE_CALL_RECV_FD,            /* a descriptor received over a unix socket (SCM_RIGHTS) */
		    /* 10 is userspace's (a descriptor inherited at start: log/log_event.h) */
		    KE_CALL_IO_URING_OPEN = 11, /* IORING_OP_OPENAT/OPENAT2: flags, mode, dfd are the request's */
};

struct ke_header {
	__u16 abi;              /* KETTLE_ABI_VERSION */
	__u16 type;             /* enum ke_type */
	__u32 size;             /* bytes of the whole record */
	__u64 ts_ns;            /* CLOCK_BOOTTIME */
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	__u32 gid;
	__u64 cgroup_id;
	__u32 mntns;            /* mount namespace inode number */
	__u32 seq;              /* KE_SEQ(cpu, n): n-th record numbered on that CPU (0 from the kernel module) */
};

/*
 * Every record the programs send is numbered per CPU before it is offered to
 * the ring buffer, so a record that never arrives shows as a gap even when a
 * loss counter was reset, and a counter set back shows as a number repeated.
 * The number wraps: userspace follows it across wraps.
 */
#define KE_SEQ_NUM_BITS 22
#define KE_SEQ_NUM_MASK ((1u << KE_SEQ_NUM_BITS) - 1)
#define KE_SEQ_CPU_UNNUMBERED 1023u     /* CPUs from 1023 up share this: not checked */
#define KE_SEQ(cpu, n) (((cpu) < KE_SEQ_CPU_UNNUMBERED ? (cpu) : KE_SEQ_CPU_UNNUMBERED) << KE_SEQ_NUM_BITS | \
			((n) & KE_SEQ_NUM_MASK))
#define KE_SEQ_CPU(seq) ((seq) >> KE_SEQ_NUM_BITS)

struct ke_fork {
	struct ke_header h;     /* h.tgid is the parent */
	__u32 child_tgid;
	__u32 _pad;
};

struct ke_exit {
	struct ke_header h;
	__s32 status;           /* wait(2) status: exit code << 8, or signal */
	__u32 _pad;
};

/* ke_exec.env_flags */
#define KE_ENV_CUT_BYTES 0x1    /* more than KE_ENV_MAX bytes: the last string is cut */
#define KE_ENV_CUT_COUNT 0x2    /* envc > KE_ENV_VARS_MAX: userspace keeps the first ones */
#define KE_ENV_OFF       0x4    /* not captured (kettle --env none) */

/*
 * blobs: exe path, cwd path, filename as passed (kernel copy), argv.
 * argv longer than KE_ARGV_MAX comes in argv_chunks KE_EXEC_ARGV records
 * sent before this one (argv_len is then 0); argv_total is how many argv
 * bytes were sent either way.  The environment always comes ahead, in
 * env_chunks KE_EXEC_ENV records of env_total bytes in all.
 */
struct ke_exec {
	struct ke_header h;
	__u32 ppid;
	__u32 old_tid;          /* tid that called exec (a thread may exec) */
	__u32 argc;             /* from the kernel: to tell argv truncation */
	__u16 exe_len, exe_flags;
	__u16 cwd_len, cwd_flags;
	__u16 filename_len, argv_len;
	__u16 argv_truncated, argv_chunks;
	__u32 argv_total;
	__u32 envc;             /* from the kernel: to tell environment truncation */
	__u32 env_total;
	__u16 env_chunks, env_flags;    /* env_flags: KE_ENV_* */
	__u32 _pad;
};

struct ke_exec_argv {
	struct ke_header h;
	__u32 offset;           /* of this piece within argv (or the environment) */
	__u32 len;              /* bytes that follow */
};

/* blobs: filename as passed (user copy), base directory path (cwd or dirfd) */
struct ke_exec_fail {
	struct ke_header h;
	__s32 err;              /* positive errno */
	__u16 call;             /* KE_CALL_EXECVE / KE_CALL_EXECVEAT */
	__u16 name_len;
	__u16 base_len, base_flags;
	__u32 ppid;
};

/*
 * blobs: path, name as passed.  On success "path" is the opened file's own
 * path.  On failure it is the directory a relative name was resolved from
 * (cwd or dirfd) and KE_OPEN_BASE_DIR is set; userspace joins it with the name.
 */
#define KE_OPEN_BASE_DIR 0x1
#define KE_OPEN_COMPAT   0x2    /* a 32-bit call (int 0x80 or an ia32 program) */
struct ke_open {
	struct ke_header h;
	__s32 ret;              /* fd or -errno */
	__u32 call;             /* enum ke_open_call */
	__u64 flags;
	__u32 mode;
	__s32 dfd;
	__u64 dev;              /* kernel dev_t: major << 20 | minor */
	__u64 ino;
	__s64 size;
	__s64 mtime_ns;
	__s64 ctime_ns;
	__u16 path_len, path_flags;
	__u16 name_len, open_flags;  /* open_flags: KE_OPEN_* */
};

/* Which socket call a KE_NET record comes from. */
enum ke_net_call { KE_NET_SOCKET = 1, KE_NET_CONNECT, KE_NET_BIND, KE_NET_LISTEN, KE_NET_ACCEPT,
		   KE_NET_ACCEPT4, KE_NET_SENDTO, KE_NET_SENDMSG, KE_NET_SENDMMSG, KE_NET_CALL_MAX };

/* Where a KE_NET record's address came from. */
enum ke_addr_source {
	KE_ADDR_NONE = 0,       /* no address (socket(), nothing to read) */
	KE_ADDR_USER = 1,       /* the sockaddr the caller passed, copied at syscall entry */
	KE_ADDR_PEER = 2,       /* the kernel socket's peer (connected socket, accept) */
	KE_ADDR_LOCAL = 3,      /* the kernel socket's own address (listen) */
};

#define KE_DNS_MAX       512    /* bytes of a message to port 53 carried for its query names */
#define KE_UNIX_PATH_MAX 108    /* sizeof(sun_path) */

/*
 * blobs: unix path (sun_path bytes, unix_len of them; an abstract name
 * starts with a NUL), payload (the first payload_len bytes of a message to
 * port 53; never sent for any other port).
 * socket(): family / sock_type / protocol are the call's arguments and flags
 * the SOCK_NONBLOCK / SOCK_CLOEXEC bits of its type.  Otherwise family is
 * the address's, sock_type the kernel socket's, flags the call's flags.
 */
struct ke_net {
	struct ke_header h;
	__s32 ret;              /* fd, bytes or messages sent, 0, or -errno */
	__s32 fd;               /* the socket argument (-1 for socket()) */
	__u16 call;             /* enum ke_net_call */
	__u16 addr_source;      /* enum ke_addr_source */
	__u16 family;           /* AF_INET, AF_INET6, AF_UNIX, ...; 0 when none */
	__u16 sock_type;        /* SOCK_STREAM, SOCK_DGRAM, ...; 0 when unknown */
	__u32 protocol;
	__u32 flags;
	__u16 port;             /* host order */
	__u16 unix_len;
	__u16 payload_len;
	__u16 _pad;
	__u8 addr[16];          /* AF_INET: 4 bytes, AF_INET6: 16, network order */
};

/* Which call a KE_FILE_OP record comes from. */
enum ke_fop_call { KE_FOP_RENAME = 1, KE_FOP_RENAMEAT, KE_FOP_RENAMEAT2, KE_FOP_UNLINK,
		   KE_FOP_UNLINKAT, KE_FOP_RMDIR, KE_FOP_MKDIR, KE_FOP_MKDIRAT, KE_FOP_LINK,
		   KE_FOP_LINKAT, KE_FOP_SYMLINK, KE_FOP_SYMLINKAT, KE_FOP_TRUNCATE,
		   KE_FOP_FTRUNCATE, KE_FOP_CHMOD, KE_FOP_FCHMOD, KE_FOP_FCHMODAT,
		   KE_FOP_FCHMODAT2, KE_FOP_UTIMENSAT, KE_FOP_CALL_MAX };

/*
 * blobs: base, name, base2, name2, target.  A path is BASE joined with
 * NAME: BASE is the directory a relative NAME was resolved from (the cwd or
 * the dirfd's file; empty for an absolute NAME), or for a call on an fd the
 * fd's own file (NAME empty).  base2 / name2: the second path of rename and
 * link (the new name).  target: what a symlink points to, as passed.
 */
struct ke_file_op {
	struct ke_header h;
	__s32 ret;
	__u16 call;             /* enum ke_fop_call */
	__u16 _pad;
	__u64 flags;            /* AT_*, RENAME_* flags of the call */
	__s64 length;           /* truncate, ftruncate */
	__u32 mode;             /* mkdir, chmod */
	__u16 base_len, base_flags;
	__u16 name_len, base2_len;
	__u16 base2_flags, name2_len;
	__u16 target_len, _pad2;
};

/*
 * What a KE_NOTICE record reports: a call by a tracked process that can read,
 * run or reach something Kettle does not record, or that can defeat the
 * tracer (docs/threat-model.md).  A build that did any of them is not
 * complete.  The kernel sends each (process, what) once.
 */
enum ke_notice_what {
	KE_NOTICE_COMPAT_CALL = 1,  /* a 32-bit call Kettle records natively but not as compat: nr is i386's */
	KE_NOTICE_IO_URING,         /* a ring whose work is not seen (arg0: enum ke_uring_unseen) */
	KE_NOTICE_BPF,              /* bpf(): can load programs or change Kettle's maps */
	KE_NOTICE_PTRACE,           /* ptrace(): can change another process, or the tracer */
	KE_NOTICE_PROCESS_VM,       /* process_vm_readv/writev of a process Kettle does not track (arg0 = pid) */
	KE_NOTICE_NAMESPACE,        /* unshare, setns, or clone into a new namespace (arg0 = flags) */
	KE_NOTICE_MOUNT,            /* mount, umount, move_mount, fsmount, open_tree, pivot_root */
	KE_NOTICE_CHROOT,           /* chroot(): paths after it are relative to another root */
	KE_NOTICE_MODULE,           /* init_module, finit_module, delete_module; nr 0: a module autoload the
				     * build caused (module_request), arg0 = whether it waited */
	KE_NOTICE_KEXEC,            /* kexec_load, kexec_file_load */
	KE_NOTICE_SIGNAL_TRACER,    /* kill/tkill/tgkill of the collector, or of every process (arg0 = pid) */
	KE_NOTICE_RAW_IO,           /* iopl, ioperm: port I/O */
	KE_NOTICE_EXEC_UNLINKED,    /* executed a file with no name left (memfd, O_TMPFILE, deleted) */
	KE_NOTICE_FD_LOST,          /* a descriptor received or taken could not be recorded (arg0 = fd) */
	/* 15 to 17 are notices kettle run writes itself (the log's enum log_notice_what) */
	KE_NOTICE_DAEMON = 18,      /* sent by a process outside the build that accepted a connection
				     * the build made: arg0 = the client's pid (unix) or the IPv4 address it
				     * accepted on (network order; 0 for IPv6), arg1 = KE_DAEMON_* bits |
				     * family << 16 | the loopback port (TCP); nr is 0 for an io_uring
				     * accept.  The collector writes it too, for a datagram endpoint */
	KE_NOTICE_IO_URING_OP = 19, /* an io_uring opcode whose effect is not recorded (arg0 = opcode) */
	/* 20 is userspace's (a pipe from outside the build was read: log/log_event.h) */
	KE_NOTICE_INHERITED_PIPE = 20,
	KE_NOTICE_IPC = 21,         /* msgrcv, shmat, mq_timedreceive, keyctl, request_key: data from System V
				     * or POSIX IPC or a keyring, which any process with the rights can fill */
	KE_NOTICE_KERNEL_HELPER = 22,   /* sent by a program the kernel started (a usermode helper: a
					 * core_pattern pipe, modprobe) while the build ran: arg0 = the
					 * process of the build whose core it is being given, or 0 */
	KE_NOTICE_SIGNAL_FROM_OUTSIDE = 23, /* sent by a process outside the build that signalled a process of
					     * the build (kill, sigqueue, pidfd_send_signal): arg0 = that
					     * process, arg1 = the signal, with its si_code in the high 32 bits */
	KE_NOTICE_FIFO_FROM_OUTSIDE = 24,   /* a FIFO the build reads has a writer outside the build: nr
					     * KE_FIFO_WRITER_IS_NOTICED, the notice's process is that writer (it
					     * opened the FIFO for writing after the build opened it for reading);
					     * KE_FIFO_READER_IS_NOTICED, it is the build's reader and arg1 the
					     * writer.  arg0 = the FIFO's inode number */
	KE_NOTICE_OUTPUT_FROM_OUTSIDE = 25, /* sent by a process outside the build that opened for writing,
					     * while the build ran, a file the build had opened for writing:
					     * arg0 = its inode number */
	KE_NOTICE_PROCESS_FROM_OUTSIDE = 26, /* sent by a process outside the build that reached into a process
					      * of the build: attached to it with ptrace (nr 101), wrote its
					      * memory (process_vm_writev, nr 311) or took a descriptor of it
					      * (pidfd_getfd, nr 438), or opened its /proc/PID/mem for
					      * writing (nr 0): arg0 = that process */
	KE_NOTICE_WHAT_MAX
};

/* Whose process a KE_NOTICE_FIFO_FROM_OUTSIDE is (its nr). */
enum ke_fifo_noticed {
	KE_FIFO_WRITER_IS_NOTICED = 0,
	KE_FIFO_READER_IS_NOTICED = 1,
};

/*
 * Why a KE_NOTICE_IO_URING ring's work is not seen (its arg0).  Before the
 * io_uring programs existed, every io_uring_setup was this notice with arg0
 * its entries; the loader still makes it so on a kernel without them.
 */
enum ke_uring_unseen {
	KE_URING_FOREIGN_RING = 1,  /* a request on a ring no process of the build set up (inherited, received) */
	KE_URING_FOREIGN_SQPOLL,    /* the ring's SQPOLL thread is another process's (arg1 = its tgid) */
	KE_URING_OUTSIDE_SUBMITTER, /* a process outside the build (the notice's own) submitted to, or sent a message into, a ring of the build */
};

#define KE_DAEMON_FOLLOWED (1ull << 32)   /* --follow-daemons: traced from this accept on */
/* Bits the collector sets on the daemon notices it writes itself, for a datagram endpoint (no accept). */
#define KE_DAEMON_DATAGRAM     (1ull << 33)     /* the build sent datagrams to a socket this process holds */
#define KE_DAEMON_NOT_FOUND    (1ull << 34)     /* no process holds it (the notice's is the sender's) */
#define KE_DAEMON_MORE_HOLDERS (1ull << 35)     /* more processes hold it than were named */
#define KE_DAEMON_NOT_LOOKED   (1ull << 36)     /* past the endpoints looked up per build (the sender's) */
/* From the kernel: the daemon accepted through an io_uring (IORING_OP_ACCEPT), not a system call. */
#define KE_DAEMON_IO_URING     (1ull << 37)

struct ke_notice {
	struct ke_header h;
	__u32 what;             /* enum ke_notice_what */
	__u32 nr;               /* the system call's number (i386's for KE_NOTICE_COMPAT_CALL) */
	__s64 ret;
	__u64 arg0;
	__u64 arg1;
};

/*
 * How the sys_exit program treats a system call: the loader fills one table
 * for native (x86-64) and one for 32-bit numbers before load, so the kernel
 * side holds no syscall numbers.  Values below KE_NOTICE_WHAT_MAX report that
 * notice on success; the others need a look at the call first.
 */
#define KE_SYSCALL_NR_MAX 512
enum ke_sys_class {
	KE_SYS_OPEN = 0x40,         /* record as an open (open, openat, openat2, creat; native and compat) */
	KE_SYS_OPENAT,
	KE_SYS_OPENAT2,
	KE_SYS_CREAT,
	KE_SYS_OPEN_BY_HANDLE,      /* record the file it returned */
	KE_SYS_PIDFD_GETFD,
	KE_SYS_RECVMSG,             /* descriptors received: record each */
	KE_SYS_RECVMMSG,
	KE_SYS_KILL,                /* notice when it targets the collector or every process */
	KE_SYS_TKILL,               /* tkill, tgkill: by thread id */
	KE_SYS_CLONE,               /* notice when the flags ask for a new namespace */
	KE_SYS_CLONE3,
	KE_SYS_PROCESS_VM,          /* notice when the target is not tracked */
	KE_SYS_EXECVE_COMPAT,       /* 32-bit execve, execveat: a failure recorded like a native one */
	KE_SYS_EXECVEAT_COMPAT,     /* (a success is the exec event, whatever the caller's width) */
	/* native only, failures recorded too (the syscalls:sys_exit_* programs of before, folded in) */
	KE_SYS_EXECVE = 0x50,       /* a failed exec */
	KE_SYS_EXECVEAT,
	KE_SYS_FOP = 0x80,          /* + enum ke_fop_call: a file-tree change */
	KE_SYS_NET = 0xa0,          /* + enum ke_net_call: a socket call; connect, bind, send*: copied at entry too */
};

/*
 * What the iterator program pipe_states writes for each pipe, FIFO or
 * terminal the collector itself holds (they are what the build inherits):
 * how far its readers have got.  A pipe's reader moves tail or the tail
 * buffer's offset; a terminal's moves its line discipline's read_tail
 * (tail); a writer, or someone typing, moves neither.
 */
enum ke_pipe_kind { KE_PIPE = 0, KE_PIPE_TERMINAL = 1 };

struct ke_pipe_state {
	__u32 fd;
	__u32 tail;
	__u64 ino;
	__u32 tail_offset;
	__u32 kind;             /* enum ke_pipe_kind */
};

/* ==== kmod: records and ioctls of /dev/kettle (kmod/, docs/kmod.md) ==== */
/*
 * The kernel module measures each file the kernel is about to execute and
 * hands one fixed-size struct ke_kmod_exec per measurement to read() on
 * /dev/kettle.  h.type is KE_KMOD_EXEC, h.size is sizeof(struct ke_kmod_exec),
 * h.ts_ns is CLOCK_BOOTTIME like the BPF events, h.mntns is 0 (a module
 * cannot see the mount namespace number).  Not an event of the BPF ring.
 */
#define KE_KMOD_EXEC       32
#define KE_KMOD_DIGEST_LEN 32           /* SHA-256 */
#define KE_KMOD_PATH_MAX   4096         /* d_path result, NUL-terminated */

/* ke_kmod_exec.flags */
#define KE_KMOD_CACHE_HIT   0x1 /* digest from the cache: bytes_hashed is 0 */
#define KE_KMOD_INTERP      0x2 /* an interpreter (#! or binfmt_misc) of the exec */
#define KE_KMOD_PATH_ERROR  0x4 /* d_path failed: path is empty */
#define KE_KMOD_HAS_IVERSION 0x8 /* i_version is the filesystem's change counter */

struct ke_kmod_exec {
	struct ke_header h;
	__s32 err;              /* 0, or -errno reading/hashing: digest is zero */
	__u32 flags;            /* KE_KMOD_* */
	__u64 dev;              /* kernel dev_t: major << 20 | minor */
	__u64 ino;
	__u32 generation;
	__u32 _pad;
	__s64 size;
	__s64 mtime_ns;
	__s64 ctime_ns;
	__u64 i_version;        /* 0 unless KE_KMOD_HAS_IVERSION */
	__u64 bytes_hashed;     /* bytes read and hashed for this record */
	__u8 digest[KE_KMOD_DIGEST_LEN];
	__u32 path_len;         /* bytes of path before its NUL */
	__u32 _pad2;
	char path[KE_KMOD_PATH_MAX];
};

/* KETTLE_IOC_STATS result: counters since the module was loaded. */
struct ke_kmod_stats {
	__u64 measured;         /* records produced (hashed, cached or failed) */
	__u64 cache_hits;
	__u64 hashed_bytes;
	__u64 errors;           /* records with err != 0 */
	__u64 dropped;          /* records lost because the reader was slow */
	__u64 out_of_scope;     /* execs seen while a scope was set, not in it */
	__u64 scope_cgroup;     /* current scope, 0 = off */
	__u32 cache_entries;
	__u32 cache_capacity;
	__u32 queued;           /* records waiting to be read */
	__u32 queue_capacity;
};

#ifndef __VMLINUX_H__
#include <linux/ioctl.h>
#define KETTLE_IOC_MAGIC       'K'
/* Measure execs of processes in this cgroup v2 (by id) and its descendants. */
#define KETTLE_IOC_SET_SCOPE   _IOW(KETTLE_IOC_MAGIC, 1, __u64)
#define KETTLE_IOC_CLEAR_SCOPE _IO(KETTLE_IOC_MAGIC, 2)
#define KETTLE_IOC_STATS       _IOR(KETTLE_IOC_MAGIC, 3, struct ke_kmod_stats)
/* Forget every cached digest (benchmarks, tests). */
#define KETTLE_IOC_CACHE_CLEAR _IO(KETTLE_IOC_MAGIC, 4)
#endif
/* ==== end kmod ==== */

#endif
