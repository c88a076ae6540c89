/* SPDX-License-Identifier: MIT */
/*
 * The decoded event model: what the collector hands to the log writer and
 * what the log reader gives back.  Every field of every event is here in
 * full; how the log stores it compactly is the writer's business
 * (docs/log-format.md).  Strings are NUL-terminated; the reader's point into
 * its own string table and live as long as the struct log_file.
 */
#ifndef KETTLE_LOG_EVENT_H
#define KETTLE_LOG_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_FORMAT_VERSION 6
#define LOG_FORMAT_VERSION_MIN 1        /* the oldest version the reader still reads */

enum log_event_type {
	LOG_EV_FORK = 1,
	LOG_EV_EXEC = 2,
	LOG_EV_EXEC_FAILED = 3,
	LOG_EV_EXIT = 4,
	LOG_EV_OPEN = 5,
	LOG_EV_PROC_SNAPSHOT = 6,       /* a process that existed when an attach began (from /proc) */
	LOG_EV_NET = 7,                 /* a socket call */
	LOG_EV_FILE_OP = 8,             /* rename, unlink, mkdir, link, symlink, truncate, chmod, utimensat */
	LOG_EV_NOTICE = 9,              /* version 4: something Kettle cannot record in full (enum log_notice_what) */
	LOG_EV_TYPE_MAX
};

/*
 * Call numbers and address sources of the records: the same numbers as
 * bpf/events.h (record_decode.c asserts it), so that the stages above log/
 * read these and never the kernel ABI.
 */
enum log_open_call { LOG_CALL_OPEN = 1, LOG_CALL_OPENAT, LOG_CALL_OPENAT2, LOG_CALL_CREAT,
		    LOG_CALL_EXECVE, LOG_CALL_EXECVEAT,
		    /* version 4: a file got without a name (flags are the file's f_flags, no name as passed) */
		    LOG_CALL_OPEN_BY_HANDLE, LOG_CALL_PIDFD_GETFD, LOG_CALL_RECV_FD,
		    LOG_CALL_INHERITED,         /* open when kettle run started the build (from /proc) */
		    LOG_CALL_IO_URING_OPEN,     /* IORING_OP_OPENAT/OPENAT2: path and identity the file's, flags the request's */
};
enum log_net_call { LOG_NET_SOCKET = 1, LOG_NET_CONNECT, LOG_NET_BIND, LOG_NET_LISTEN, LOG_NET_ACCEPT,
		   LOG_NET_ACCEPT4, LOG_NET_SENDTO, LOG_NET_SENDMSG, LOG_NET_SENDMMSG, LOG_NET_CALL_MAX };
enum log_addr_source {
	LOG_ADDR_NONE = 0,       /* no address (socket(), nothing to read) */
	LOG_ADDR_USER = 1,       /* the sockaddr the caller passed, copied at syscall entry */
	LOG_ADDR_PEER = 2,       /* the kernel socket's peer (connected socket, accept) */
	LOG_ADDR_LOCAL = 3,      /* the kernel socket's own address (listen) */
};
enum log_fop_call { LOG_FOP_RENAME = 1, LOG_FOP_RENAMEAT, LOG_FOP_RENAMEAT2, LOG_FOP_UNLINK,
		   LOG_FOP_UNLINKAT, LOG_FOP_RMDIR, LOG_FOP_MKDIR, LOG_FOP_MKDIRAT, LOG_FOP_LINK,
		   LOG_FOP_LINKAT, LOG_FOP_SYMLINK, LOG_FOP_SYMLINKAT, LOG_FOP_TRUNCATE,
		   LOG_FOP_FTRUNCATE, LOG_FOP_CHMOD, LOG_FOP_FCHMOD, LOG_FOP_FCHMODAT,
		   LOG_FOP_FCHMODAT2, LOG_FOP_UTIMENSAT, LOG_FOP_CALL_MAX };

/* What a notice reports (docs/threat-model.md); the numbers of bpf/events.h. */
enum log_notice_what {
	LOG_NOTICE_COMPAT_CALL = 1, LOG_NOTICE_IO_URING, LOG_NOTICE_BPF, LOG_NOTICE_PTRACE,
	LOG_NOTICE_PROCESS_VM, LOG_NOTICE_NAMESPACE, LOG_NOTICE_MOUNT, LOG_NOTICE_CHROOT,
	LOG_NOTICE_MODULE, LOG_NOTICE_KEXEC, LOG_NOTICE_SIGNAL_TRACER, LOG_NOTICE_RAW_IO,
	LOG_NOTICE_EXEC_UNLINKED, LOG_NOTICE_FD_LOST,
	/* written by kettle run itself, never by the kernel */
	LOG_NOTICE_INTERRUPTED,         /* SIGINT/SIGTERM/SIGHUP ended the run: the build did not finish */
	LOG_NOTICE_LEFT_RUNNING,        /* an idle process the build left behind, not followed past the end */
	LOG_NOTICE_INHERITED_SOCKET,    /* the build started with a socket from outside it (arg0: the fd) */
	/* from the kernel again */
	LOG_NOTICE_DAEMON = 18,         /* a process outside the build accepted the build's connection, or
					 * holds the socket its datagrams went to: arg0 the client's pid
					 * (unix) or the IPv4 address reached (network order, version 5;
					 * else 0), arg1 LOG_DAEMON_* bits | family << 16 | loopback port */
	LOG_NOTICE_IO_URING_OP = 19,    /* an io_uring opcode whose effect is not recorded (arg0: the opcode) */
	/* kettle run's own */
	LOG_NOTICE_INHERITED_PIPE = 20, /* the build read a pipe it inherited from outside (arg0: the fd;
					 * arg1: LOG_PIPE_TERMINAL for a terminal) */
	/* from the kernel again */
	LOG_NOTICE_IPC = 21,            /* received from System V or POSIX IPC or a keyring (msgrcv, shmat, ...) */
	LOG_NOTICE_KERNEL_HELPER = 22,  /* its process is a program the kernel started while the build ran
					 * (core_pattern pipe, modprobe); arg0: the build's process whose core
					 * it was given, or 0 */
	LOG_NOTICE_SIGNAL_FROM_OUTSIDE = 23, /* its process, outside the build, signalled arg0 of the build
					      * (arg1: the signal; high 32 bits its si_code) */
	LOG_NOTICE_FIFO_FROM_OUTSIDE = 24,   /* a FIFO the build read has a writer outside it (arg0: the FIFO's
					      * inode number); nr LOG_FIFO_WRITER_IS_NOTICED: the notice's process
					      * is that writer; LOG_FIFO_READER_IS_NOTICED: it is the build's reader,
					      * arg1 the writer */
	LOG_NOTICE_OUTPUT_FROM_OUTSIDE = 25, /* its process, outside the build, opened for writing a file the
					      * build wrote, while the build ran (arg0: the inode number);
					      * nr LOG_OUTPUT_HELD_BEFORE: it is the build's writer, and process
					      * arg1, outside, held the file open for writing at its first write
					      * open (opened before the trace could see) */
	LOG_NOTICE_PROCESS_FROM_OUTSIDE = 26, /* its process, outside the build, reached into process arg0 of the
					       * build: ptrace attach (nr 101), process_vm_writev (311),
					       * pidfd_getfd (438), /proc/PID/mem opened for writing (0) */
	LOG_NOTICE_WHAT_MAX
};

/* Whose process a LOG_NOTICE_FIFO_FROM_OUTSIDE is (its nr). */
enum log_fifo_noticed {
	LOG_FIFO_WRITER_IS_NOTICED = 0,
	LOG_FIFO_READER_IS_NOTICED = 1,
};

/* A LOG_NOTICE_OUTPUT_FROM_OUTSIDE's nr: 0, the kernel side's (the outside writer's own open). */
#define LOG_OUTPUT_HELD_BEFORE 1        /* the collector's: the build's writer; arg1 held it from before */

/*
 * LOG_NOTICE_IO_URING's arg0 when nr is 0: why a ring's work is not seen.
 * With nr set (logs before the io_uring programs) it was io_uring_setup's, arg0 its entries.
 */
enum log_uring_unseen {
	LOG_URING_FOREIGN_RING = 1,     /* a request on a ring no process of the build set up */
	LOG_URING_FOREIGN_SQPOLL = 2,   /* the ring's SQPOLL thread is another process's (arg1: its tgid) */
	LOG_URING_OUTSIDE_SUBMITTER = 3,        /* the notice's process, outside the build, used a ring of the build */
};

#define LOG_PIPE_TERMINAL 1    /* inherited-pipe's arg1: the descriptor is a terminal (typed input) */
#define LOG_DAEMON_FOLLOWED (1ull << 32)        /* kettle run --follow-daemons traced it from then on */
/* A datagram daemon (version 5 logs of kettle with dgram_daemons): the collector's own notice */
#define LOG_DAEMON_DATAGRAM (1ull << 33)        /* the build sent datagrams to a socket the process holds */
#define LOG_DAEMON_NOT_FOUND (1ull << 34)       /* no process held it: tgid is the build's sender */
#define LOG_DAEMON_MORE_HOLDERS (1ull << 35)    /* more processes held it than were named */
#define LOG_DAEMON_NOT_LOOKED (1ull << 36)      /* past the endpoints looked up per build: tgid is the sender */
#define LOG_DAEMON_IO_URING (1ull << 37)        /* accepted through an io_uring, not accept(2) */
/* Datagram endpoints per build whose receivers kettle run looks for (LOG_DAEMON_NOT_LOOKED past them) */
#define LOG_DAEMON_DGRAM_ENDPOINTS 16

/* Event types of a version-1 log (fork .. open), and of versions 2 and 3 (.. file_op). */
#define LOG_EV_TYPE_MAX_V1 6
#define LOG_EV_TYPE_MAX_V3 9

/* Path flags, as in bpf/events.h */
#define LOG_PATH_TRUNCATED   0x1
#define LOG_PATH_UNREACHABLE 0x2
#define LOG_PATH_UNLINKED    0x4        /* version 4: the file had no name left (memfd, O_TMPFILE, deleted) */
#define LOG_PATH_BLOCK_DEVICE 0x8       /* version 5: the file is a block device */
#define LOG_PATH_NET_DEVICE 0x10        /* version 5: a network character device (tun/tap, vhost, ppp) */
#define LOG_PATH_MEM_DEVICE 0x20        /* version 5: mem, kmem or port, by device number */
#define LOG_PATH_TERMINAL 0x40          /* version 5: /dev/tty, the console, a virtual console or serial line */
#define LOG_PATH_STREAM 0x80            /* version 5: a pipe, FIFO or socket */
#define LOG_PATH_WRITERS_BEFORE 0x100   /* version 5: the build's first write open of the file found it open
					 * for writing already, by a file the build had not opened */

/* proc_snapshot.flags: what /proc could not tell (the field is then NULL / 0) */
#define LOG_SNAP_NO_EXE     0x1         /* /proc/PID/exe unreadable (kernel thread, permission, gone) */
#define LOG_SNAP_NO_CWD     0x2
#define LOG_SNAP_NO_ARGV    0x4         /* /proc/PID/cmdline unreadable or empty */
#define LOG_SNAP_NO_STAT    0x8         /* /proc/PID/stat unreadable: ppid, start time unknown */
#define LOG_SNAP_NO_STATUS  0x10        /* /proc/PID/status unreadable: uid, gid unknown */
#define LOG_SNAP_GONE       0x20        /* the process exited while it was being read */
#define LOG_SNAP_FLAGS_ALL  0x3f

/* log_env.flags: why an environment is not all there */
#define LOG_ENV_CUT_BYTES   0x1         /* more than KE_ENV_MAX bytes: the strings past it are missing */
#define LOG_ENV_CUT_COUNT   0x2         /* more than KE_ENV_VARS_MAX strings: the first ones are kept */
#define LOG_ENV_CUT_LOST    0x4         /* a piece was lost on the way (ring buffer full) */
#define LOG_ENV_FLAGS_ALL   0x7

/*
 * An exec's environment as recorded: "NAME=value" strings in the order the
 * process got them, a secret's value already replaced by "sha256:<hex>"
 * (the log header's env rule says which names).  Equal environments are
 * one object in the reader: pointers compare.
 */
struct log_env {
	uint32_t envc;                  /* the kernel's count (more than nvars when cut) */
	uint32_t flags;                 /* LOG_ENV_* */
	uint32_t nvars;
	const char *const *vars;
};

/* log_header.env_mode */
enum log_env_mode {
	LOG_ENV_NOT_RECORDED = 0,       /* kettle --env none, and every log before version 3 */
	LOG_ENV_RECORDED = 1,           /* values of names matching secret_patterns are SHA-256 hashed */
};

/* net.dns: what the first bytes of a message to port 53 said */
enum log_dns_status {
	LOG_DNS_NONE = 0,               /* not a message to port 53, or no payload read */
	LOG_DNS_NAMES = 1,              /* a DNS query: its names are in dns_names */
	LOG_DNS_UNDECODABLE = 2,        /* sent to port 53 but not a well-formed DNS query */
};

struct log_event {
	enum log_event_type type;
	uint64_t ts_ns;                 /* CLOCK_BOOTTIME */
	uint32_t tgid, tid;
	uint32_t uid, gid;
	uint64_t cgroup_id;
	uint32_t mntns;
	union {
		struct {
			uint32_t child_tgid;
		} fork;
		struct {
			const char *exe;        /* absolute path of the file executed */
			uint32_t exe_flags;
			const char *filename;   /* name as passed to exec */
			const char *cwd;
			uint32_t cwd_flags;
			uint32_t ppid;
			uint32_t argc;          /* the kernel's count */
			uint32_t nargv;         /* strings in argv[] (< argc when cut) */
			const char *const *argv;
			bool argv_truncated;
			const struct log_env *env;      /* NULL: not recorded */
		} exec;
		struct {
			int32_t err;            /* positive errno */
			const char *filename;   /* as passed */
			const char *path;       /* absolute intended path */
			uint32_t path_flags;
			uint32_t ppid;
		} exec_failed;
		struct {
			int32_t status;         /* wait(2) status */
		} exit;
		struct {
			const char *path;       /* absolute; for a failed open the intended path */
			uint32_t path_flags;
			const char *passed;     /* name as passed, NULL when equal to path */
			int32_t result;         /* fd or -errno */
			uint32_t call;          /* enum log_open_call */
			uint64_t flags;
			uint32_t mode;
			uint64_t dev;           /* st_dev form (makedev) */
			uint64_t ino;
			int64_t size;
			int64_t mtime_ns, ctime_ns;
			/*
			 * The reader's distinct open site + 1, 0 when not given: two
			 * opens of one read with the same site1 have the same path
			 * and identity, so a reader of millions of opens can key an
			 * array by it instead of hashing the path.
			 */
			uint32_t site1;
		} open;
		/* A process that was already running when an attach began, as /proc showed it. */
		struct {
			uint32_t ppid;
			const char *exe;        /* NULL when LOG_SNAP_NO_EXE */
			uint32_t exe_flags;     /* LOG_PATH_* */
			const char *cwd;        /* NULL when LOG_SNAP_NO_CWD */
			uint32_t cwd_flags;
			uint32_t argc;          /* strings /proc/PID/cmdline held */
			uint32_t nargv;         /* strings in argv[] (< argc when cut, as for exec) */
			const char *const *argv;
			bool argv_truncated;
			uint64_t start_boot_ns; /* CLOCK_BOOTTIME ns of its start (/proc/PID/stat starttime) */
			uint32_t flags;         /* LOG_SNAP_* */
		} proc_snapshot;
		struct {
			uint32_t call;          /* enum log_net_call */
			int32_t result;         /* fd, bytes or messages, 0, or -errno */
			int32_t fd;             /* the socket argument, -1 for socket() */
			uint32_t family;        /* of the address (socket(): its domain); 0: no address */
			uint32_t sock_type;     /* SOCK_*, 0 unknown */
			uint32_t protocol;
			uint32_t flags;         /* the call's flags (socket(): SOCK_NONBLOCK|SOCK_CLOEXEC) */
			uint32_t addr_source;   /* enum log_addr_source */
			uint16_t port;
			uint8_t addr[16];       /* AF_INET: first 4 bytes; AF_INET6: 16 (network order) */
			const char *unix_path;  /* AF_UNIX: the path, an abstract name as "@name"; else NULL */
			uint32_t dns;           /* enum log_dns_status */
			uint32_t ndns_names;
			const char *const *dns_names;
		} net;
		struct {
			uint32_t call;          /* enum log_fop_call */
			int32_t result;         /* 0 or -errno */
			const char *path;       /* absolute: the file acted on (rename, link: the old name) */
			uint32_t path_flags;
			const char *path2;      /* rename, link: the new name; else NULL */
			uint32_t path2_flags;
			const char *target;     /* symlink: its content as passed; else NULL */
			uint64_t flags;         /* AT_*, RENAME_* */
			uint32_t mode;          /* mkdir, chmod */
			int64_t length;         /* truncate */
		} file_op;
		struct {
			uint32_t what;          /* enum log_notice_what */
			uint32_t nr;            /* the system call's number (i386's for a compat call) */
			int64_t result;
			uint64_t arg0, arg1;    /* per what: bpf/events.h enum ke_notice_what */
		} notice;
	};
};

/* ---- what the hasher found (not events: they come from userspace) ---- */

enum log_digest_kind {
	LOG_DIGEST_INPUT = 1,           /* first opened for reading, hashed during the build */
	LOG_DIGEST_EXEC = 2,            /* an executed file */
	LOG_DIGEST_OUTPUT = 3,          /* created or written by the build, hashed at its end */
};

/* Digest flags */
#define LOG_DIGEST_CHANGED        0x1  /* identity at hash time differs from the one the kernel saw at open */
#define LOG_DIGEST_CHANGED_DURING 0x2  /* the file changed while it was being hashed */
#define LOG_DIGEST_FS_UNVERIFIABLE 0x4 /* version 4: on FUSE, NFS, CIFS, 9P...: hashed, but not provably what was read */
/* an output hashed through a descriptor Kettle held when the build deleted it: its content then, not at the end */
#define LOG_DIGEST_AT_DELETE      0x8

struct log_digest {
	enum log_digest_kind kind;
	const char *path;
	uint64_t boot_ns;               /* when hashing finished, CLOCK_BOOTTIME */
	int32_t result;                 /* 0, or -errno: not hashed */
	uint32_t flags;                 /* LOG_DIGEST_* */
	uint8_t sha256[32];             /* meaningful only when result == 0 */
	/* identity of the file at hash time (st_dev in makedev form) */
	uint64_t dev, ino;
	int64_t size, mtime_ns, ctime_ns;
};

enum log_file_kind {
	LOG_FILE_OTHER = 0,
	LOG_FILE_ELF_EXEC = 1,          /* ET_EXEC */
	LOG_FILE_ELF_DYN = 2,           /* ET_DYN: shared object (a PIE is LOG_FILE_ELF_PIE) */
	LOG_FILE_ELF_REL = 3,
	LOG_FILE_ELF_CORE = 4,
	LOG_FILE_SCRIPT = 5,            /* starts with #! */
	LOG_FILE_ELF_PIE = 6,           /* ET_DYN position-independent executable */
	LOG_FILE_KIND_LAST = LOG_FILE_ELF_PIE
};

/* What an executed file is (from its bytes, by elfutils). Strings may be NULL. */
struct log_exec_ident {
	const char *path;
	int32_t result;                 /* 0, or -errno when it could not be read */
	enum log_file_kind kind;
	uint32_t elf_class;             /* 32 or 64, 0 if not ELF */
	uint32_t elf_machine;           /* EM_* */
	const char *build_id;           /* lowercase hex */
	const char *interp;             /* PT_INTERP */
	const char *soname;
	const char *runpath;            /* DT_RUNPATH, else DT_RPATH */
	const char *const *needed;      /* DT_NEEDED, in order */
	uint32_t nneeded;
	const char *script_interp;      /* #! interpreter */
	const char *script_arg;         /* its optional argument */
};

/* ---- what the kernel module (kmod/, /dev/kettle) measured at exec (version 3) ---- */

/* log_kmod_exec.flags: KE_KMOD_* of bpf/events.h */
#define LOG_KMOD_CACHE_HIT    0x1       /* the module's digest cache answered: nothing was read */
#define LOG_KMOD_INTERP       0x2       /* an interpreter (#!, binfmt_misc) of the exec */
#define LOG_KMOD_PATH_ERROR   0x4       /* the kernel could not give the path: path is NULL */
#define LOG_KMOD_HAS_IVERSION 0x8       /* i_version is the filesystem's change counter */
#define LOG_KMOD_FLAGS_ALL    0xf

/*
 * One file the kernel was about to execute, hashed by the module in the exec
 * itself (before the program ran), as /dev/kettle reported it.
 */
struct log_kmod_exec {
	uint64_t ts_ns;                 /* CLOCK_BOOTTIME, the clock of the events */
	uint32_t tgid, tid, uid, gid;
	uint64_t cgroup_id;
	const char *path;               /* d_path() of the file; NULL with LOG_KMOD_PATH_ERROR */
	int32_t result;                 /* 0, or -errno reading / hashing it: sha256 is then zero */
	uint32_t flags;                 /* LOG_KMOD_* */
	uint8_t sha256[32];
	uint64_t bytes_hashed;          /* 0 on a cache hit */
	uint64_t dev;                   /* st_dev form (makedev) */
	uint64_t ino;
	uint32_t generation;
	int64_t size, mtime_ns, ctime_ns;
	uint64_t i_version;             /* 0 unless LOG_KMOD_HAS_IVERSION */
};

/* The module's counters over one session (differences of KETTLE_IOC_STATS), and the reader's own. */
struct log_kmod_stats {
	uint64_t measured;              /* records the module produced for the session */
	uint64_t cache_hits;
	uint64_t hashed_bytes;
	uint64_t errors;                /* records with an error */
	uint64_t dropped;               /* records the module could not queue: losses */
	uint64_t received;              /* records read from the device */
	uint64_t bad_records;           /* records read that failed validation (not logged) */
};

/* Everything the module's record misses, in one number. */
static inline uint64_t log_kmod_losses(const struct log_kmod_stats *k)
{
	return k->dropped + k->bad_records;
}

/* What the hasher did over the whole run. */
struct log_hash_stats {
	uint64_t queued;                /* files given to the hasher */
	uint64_t hashed;                /* digests produced */
	uint64_t failed;                /* could not be hashed (gone, unreadable, not regular) */
	uint64_t changed;               /* flagged LOG_DIGEST_CHANGED or _DURING */
	uint64_t queue_full;            /* not hashed because the queue was full */
};

/* What the kernel side could not deliver or had to cut. */
struct log_losses {
	uint64_t ringbuf_drops[LOG_EV_TYPE_MAX];   /* by event type */
	uint64_t path_truncations;
	uint64_t argv_truncations;
	uint64_t string_truncations;
	uint64_t pending_full;
	uint64_t tracked_full;
	uint64_t env_truncations;       /* environments cut or with a piece lost (version 3) */
	/*
	 * Records the kernel numbered that neither arrived nor were counted as
	 * lost, or numbers that went back: a loss without a trace (version 5).
	 */
	uint64_t records_unaccounted;
};

/* Everything the record misses or had to cut, in one number. */
static inline uint64_t log_losses_total(const struct log_losses *l)
{
	uint64_t sum = l->path_truncations + l->argv_truncations + l->string_truncations +
		       l->pending_full + l->tracked_full + l->env_truncations + l->records_unaccounted;

	for (int i = 0; i < LOG_EV_TYPE_MAX; i++)
		sum += l->ringbuf_drops[i];
	return sum;
}

struct log_option {
	const char *key;
	const char *value;
};

struct log_header {
	uint32_t format_version;        /* LOG_FORMAT_VERSION (set by the writer) */
	const char *kettle_version;
	const char *host;
	const char *kernel_release;
	const char *boot_id;
	uint64_t start_wall_ns;         /* CLOCK_REALTIME, ns since the epoch */
	uint64_t start_boot_ns;         /* CLOCK_BOOTTIME */
	uint32_t root_pid;
	const char *const *command;     /* argv of the traced command */
	uint32_t ncommand;
	const char *cwd;
	const struct log_option *options;
	uint32_t noptions;
	/* version 3: whether execs carry their environment, and which values were hashed */
	enum log_env_mode env_mode;
	const char *const *secret_patterns;     /* case-insensitive substrings of a name */
	uint32_t nsecret_patterns;
};

struct log_checkpoint {
	uint64_t boot_ns;
	uint64_t events;                /* events written before this checkpoint */
	struct log_losses losses;       /* as known at this point */
	uint8_t sha256[32];             /* of every log byte before this record */
	uint64_t offset;                /* byte offset of this record (reader only) */
};

/* The trailer's exit status of a session that started no build (kettle attach). */
#define LOG_EXIT_STATUS_NONE (-1)

struct log_trailer {
	uint64_t end_wall_ns;
	uint64_t end_boot_ns;
	int32_t exit_status;            /* wait(2) status of the root; LOG_EXIT_STATUS_NONE: none */
	int32_t kettle_exit;            /* what kettle run exited with */
	uint64_t events_by_type[LOG_EV_TYPE_MAX]; /* filled by the writer */
	struct log_losses losses;
	struct log_hash_stats hash;
};

#endif
