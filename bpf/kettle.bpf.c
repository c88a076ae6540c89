// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kettle's kernel side: tracepoint programs that follow a build's process
 * tree and report its execs, opens, forks and exits into one ring buffer.
 * Paths are resolved here from the kernel's own file objects (dentry and
 * mount walk), never from strings a process passed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define AT_FDCWD -100
#define SIGNAL_GROUP_EXIT 0x00000004
/* Multigrain timestamps keep a "queried" flag in bit 31 of i_ctime_nsec. */
#define NSEC_MASK ((1u << 30) - 1)

/* Set by the loader before load. */
const volatile __u32 kettle_abi = KETTLE_ABI_VERSION;
const volatile bool scope_cgroup;               /* cgroup subtree instead of the tgid map */
const volatile __u64 scope_cgroup_id;           /* that cgroup's kernfs id (its folder's inode number) */
const volatile __u64 wakeup_bytes = 256 * 1024; /* wake the reader once this much is queued */
const volatile bool capture_env = true;         /* false: kettle --env none */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024 * 1024);  /* resized by the loader */
} events SEC(".maps");

/*
 * Tracked processes: tgid -> 1. Seeded with the root, extended at fork.
 * Not preallocated, like the other plain hash maps here: 65,536 elements
 * made at every load cost start-up time that a build of a few hundred
 * processes never uses (an element is allocated at fork instead; a failed
 * one is counted as KE_STAT_TRACKED_FULL, as a full map is).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/* The cgroup whose subtree is in scope when scope_cgroup is set. */
struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} scope_cgrp SEC(".maps");

/*
 * A syscall's arguments, read at its exit from the registers the task
 * entered the kernel with: no entry program, no map update per syscall.
 */
struct call_args {
	__u64 name;             /* user pointer to the name as passed */
	__u64 flags;
	__s32 dfd;
	__u32 mode;
	__u32 call;             /* KE_CALL_* */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KE_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * Per-CPU scratch where a record is assembled before bpf_ringbuf_output
 * copies exactly its used length.  Blobs are appended at masked offsets so
 * the verifier can bound every write; SCRATCH_SLACK leaves room for one
 * maximal write past the mask.
 */
#define SCRATCH_MASK  (16384 - 1)
#define SCRATCH_SLACK 4096
#define SCRATCH_SIZE  (SCRATCH_MASK + 1 + SCRATCH_SLACK)

/*
 * Counters and the send below are subprograms, not inlined: the verifier
 * rewrites each map lookup in place, copying the whole program each time,
 * so a hundred inlined copies cost more load time than a call costs per event.
 */
static __noinline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

/*
 * Daemons the build asked for work (kettle run --follow-daemons): tgid -> 1.
 * Kept apart from `tracked` so that the end of the build does not wait for
 * them; their children join this map at fork.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

const volatile bool follow_daemons;     /* kettle run --follow-daemons */
/* Set once a daemon is followed: until then no process pays the second lookup. */
__u32 following;

static __always_inline bool followed_tgid(__u32 tgid)
{
	return following && bpf_map_lookup_elem(&followed, &tgid) != NULL;
}

static __always_inline bool in_scope(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (scope_cgroup) {
		if (bpf_current_task_under_cgroup(&scope_cgrp, 0) == 1)
			return true;
	} else if (bpf_map_lookup_elem(&tracked, &tgid)) {
		return true;
	}
	return followed_tgid(tgid);
}

static __always_inline void header_fill(struct ke_header *h, __u16 type)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();

	h->abi = KETTLE_ABI_VERSION;
	h->type = type;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->seq = 0;
}

/*
 * State of one path walk.  It lives in the per-CPU scratch map, not on the
 * stack, so the verifier sees the same unknown values on every bpf_loop
 * iteration and checks the step once instead of once per iteration.
 */
struct path_walk {
	__u64 dentry;
	__u64 vfsmnt;
	__u64 mnt;
	__u64 mnt_root;         /* the mount's root, read once per mount, not once per name */
	__u32 off;
	__u32 start;
	__u32 done;
	__u32 _pad;
};

/* State of sending a long argv or the environment in pieces; in the scratch map for the same reason. */
struct piece_send {
	__u64 start;            /* user address of the strings */
	__u32 total;            /* bytes to send */
	__u32 off;              /* bytes sent so far */
	__u32 type;             /* KE_EXEC_ARGV or KE_EXEC_ENV */
	__u32 loss_stat;        /* what a lost piece counts as */
};

struct scratch {
	struct path_walk walk;
	struct piece_send piece;
	__u8 buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* Sends the assembled record; a full ring buffer is counted, never silent. */
static __noinline void record_submit(void *rec, __u32 size, __u32 loss_stat)
{
	/*
	 * Woken by the ring's own fill, asked on every record: once a share of
	 * the ring waits, each record wakes the reader again until it drains.
	 * (Counting per CPU instead lost 4-6 times more records at a 64 KiB ring:
	 * tools/bench/README.md, open-storm.)
	 */
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	struct ke_header *h = rec;
	__u32 key = KE_STAT_NUMBERED;
	__u64 *numbered = bpf_map_lookup_elem(&stats, &key);

	h->size = size;
	if (numbered) {
		h->seq = KE_SEQ(bpf_get_smp_processor_id(), *numbered);
		*numbered += 1;
	}
	if (bpf_ringbuf_output(&events, rec, size & SCRATCH_MASK, flags)) {
		stat_inc(loss_stat);
		stat_inc(KE_STAT_UNSENT);
	}
}

/*
 * A dentry's parent and name pointer, with one read instead of two: they
 * are neighbours in struct dentry (d_parent, then d_name's hash_len and
 * name).  CO-RE gives the offsets at load; should a kernel move them apart
 * the two reads are made one by one (the branch is decided at load).
 */
#define DENTRY_LINK_OFF  bpf_core_field_offset(struct dentry, d_parent)
#define DENTRY_NAME_GAP  (bpf_core_field_offset(struct dentry, d_name.name) - DENTRY_LINK_OFF)

static __always_inline void dentry_link(struct dentry *dentry, struct dentry **parent, const unsigned char **name)
{
	__u64 link[4] = {};

	if (DENTRY_NAME_GAP % 8 || DENTRY_NAME_GAP >= sizeof(link)) {
		*parent = BPF_CORE_READ(dentry, d_parent);
		*name = BPF_CORE_READ(dentry, d_name.name);
		return;
	}
	bpf_probe_read_kernel(link, DENTRY_NAME_GAP + 8, (void *)dentry + DENTRY_LINK_OFF);
	*parent = (void *)link[0];
	*name = (void *)link[(DENTRY_NAME_GAP / 8) & 3];
}

/* One step up the tree: a name, or a crossing from a mount's root to its mountpoint. */
static long path_walk_step(__u64 i, void *ctx)
{
	struct scratch *s = scratch_get();
	struct path_walk *w;
	struct dentry *dentry, *parent;
	struct mount *mnt;
	const unsigned char *name;
	long n;

	if (!s)
		return 1;
	w = &s->walk;
	dentry = (void *)w->dentry;
	mnt = (void *)w->mnt;
	dentry_link(dentry, &parent, &name);
	if (dentry == (void *)w->mnt_root || dentry == parent) {
		struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

		if (mnt_parent == mnt || dentry != (void *)w->mnt_root) {
			w->done = 1;
			return 1;
		}
		w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (__u64)mnt_parent;
		w->vfsmnt = (__u64)&mnt_parent->mnt;
		w->mnt_root = (__u64)BPF_CORE_READ(mnt_parent, mnt.mnt_root);
		return 0;
	}
	n = bpf_probe_read_kernel_str(&s->buf[w->off & SCRATCH_MASK], KE_NAME_MAX, name);
	if (n <= 0 || w->off + n - w->start > KE_PATH_MAX)
		return 1;
	w->off += n;
	w->dentry = (__u64)parent;
	return 0;
}

/*
 * Appends PATH's components leaf first, each NUL-terminated, at *off.
 * Returns the blob length; *flags gets KE_PATH_TRUNCATED when the walk
 * did not reach the root of the mount tree.
 */
static __always_inline __u16 path_append(struct scratch *s, __u32 *off, const struct path *path,
					 __u16 *flags)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct path_walk *w = &s->walk;

	*flags = 0;
	if (!dentry || !vfsmnt) {
		*flags = KE_PATH_UNREACHABLE;
		return 0;
	}
	w->dentry = (__u64)dentry;
	w->vfsmnt = (__u64)vfsmnt;
	w->mnt = (__u64)container_of(vfsmnt, struct mount, mnt);
	w->mnt_root = (__u64)BPF_CORE_READ(vfsmnt, mnt_root);
	w->off = *off;
	w->start = *off;
	w->done = 0;
	bpf_loop(KE_PATH_DEPTH, path_walk_step, NULL, 0);
	if (!w->done) {
		*flags = KE_PATH_TRUNCATED;
		stat_inc(KE_STAT_TRUNC_PATH);
	}
	*off = w->off & SCRATCH_MASK;
	return (w->off - w->start) & SCRATCH_MASK;
}

/* Appends a user string (as passed to a syscall); returns its length without the NUL. */
static __always_inline __u16 user_str_append(struct scratch *s, __u32 *off, const void *ustr)
{
	long n;

	if (!ustr)
		return 0;
	n = bpf_probe_read_user_str(&s->buf[*off & SCRATCH_MASK], KE_STR_MAX, ustr);
	if (n <= 0)
		return 0;
	if (n == KE_STR_MAX)
		stat_inc(KE_STAT_TRUNC_STR);
	*off += n;
	return n;
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	bpf_core_read(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline __u32 parent_tgid(struct task_struct *task)
{
	return BPF_CORE_READ(task, real_parent, tgid);
}

/* Each (process, notice) once: a loop of int 0x80 calls must not flood the ring. */
struct notice_key {
	__u32 tgid;
	__u32 what;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct notice_key);
	__type(value, __u8);
} notice_sent SEC(".maps");

/* KEY tells apart notices of one WHAT that are each worth sending once (an io_uring opcode each). */
static __always_inline void notice_send_keyed(__u32 key, __u32 what, __u32 nr, long ret, __u64 arg0, __u64 arg1)
{
	struct notice_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .what = key };
	struct ke_notice *ev;
	struct scratch *s;
	__u8 one = 1;

	if (bpf_map_update_elem(&notice_sent, &k, &one, BPF_NOEXIST))
		return;
	s = scratch_get();
	if (!s)
		return;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_NOTICE);
	ev->what = what;
	ev->nr = nr;
	ev->ret = ret;
	ev->arg0 = arg0;
	ev->arg1 = arg1;
	record_submit(ev, sizeof(*ev), KE_NOTICE);
}

static __always_inline void notice_send(__u32 what, __u32 nr, long ret, __u64 arg0, __u64 arg1)
{
	notice_send_keyed(what, what, nr, ret, arg0, arg1);
}

/* ---- process tree ---------------------------------------------------- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct scratch *s;
	struct ke_fork *ev;
	__u8 one = 1;

	if (ptgid == ctgid)     /* a new thread: it belongs to its tgid */
		return 0;
	if (!in_scope())
		return 0;
	if (followed_tgid(ptgid)) {
		if (bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY))
			stat_inc(KE_STAT_TRACKED_FULL);
	} else if (!scope_cgroup && bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY)) {
		stat_inc(KE_STAT_TRACKED_FULL);
	}
	s = scratch_get();
	if (!s)
		return 0;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_FORK);
	ev->child_tgid = ctgid;
	ev->_pad = 0;
	record_submit(ev, sizeof(*ev), KE_FORK);
	return 0;
}

static __always_inline int exit_record(struct task_struct *task, bool group_dead)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct signal_struct *sig;
	struct scratch *s;
	struct ke_exit *ev;

	/* Only the last thread of the group ends the process. */
	if (!group_dead)
		return 0;
	if (!in_scope())
		return 0;
	s = scratch_get();
	if (!s)
		goto untrack;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_EXIT);
	sig = BPF_CORE_READ(task, signal);
	ev->status = (BPF_CORE_READ(sig, flags) & SIGNAL_GROUP_EXIT) ?
		BPF_CORE_READ(sig, group_exit_code) : BPF_CORE_READ(task, exit_code);
	ev->_pad = 0;
	record_submit(ev, sizeof(*ev), KE_EXIT);
untrack:
	/* After the submit: an empty map tells the collector every exit is queued. */
	if (!scope_cgroup)
		bpf_map_delete_elem(&tracked, &tgid);
	if (following)
		bpf_map_delete_elem(&followed, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task, bool group_dead)
{
	return exit_record(task, group_dead);
}

/*
 * Older kernels (6.1, Debian 12's and many CVM guests') pass the tracepoint
 * no group_dead; the loader picks this program there, probed from the
 * kernel's BTF (tracer.c).  do_exit() has already taken the thread off
 * signal->live: 0 means the last thread of the group is exiting.  Threads
 * that exit at the same moment as the last one may see 0 too: a rare second
 * exit record for the process (docs/tracer.md).
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit_task_only, struct task_struct *task)
{
	return exit_record(task, BPF_CORE_READ(task, signal, live.counter) == 0);
}

/* Sends the next piece of a long argv or of the environment as a KE_EXEC_ARGV / KE_EXEC_ENV record. */
static long piece_step(__u64 i, void *ctx)
{
	struct scratch *s = scratch_get();
	struct ke_exec_argv *rec;
	__u64 len;

	if (!s || s->piece.off >= s->piece.total)
		return 1;
	len = s->piece.total - s->piece.off;
	if (len > KE_ARGV_CHUNK)
		len = KE_ARGV_CHUNK;
	/* Keep clang from folding the bound away: the verifier must see it. */
	asm volatile("%0 &= 0x1fff" : "+r"(len));
	if (len == 0)
		return 1;
	rec = (void *)s->buf;
	header_fill(&rec->h, s->piece.type);
	rec->offset = s->piece.off;
	rec->len = len;
	if (bpf_probe_read_user(s->buf + sizeof(*rec), len, (void *)(s->piece.start + s->piece.off)))
		return 1;
	/* A lost piece cuts what it belongs to: counted as its truncation. */
	record_submit(rec, sizeof(*rec) + len, s->piece.loss_stat);
	s->piece.off += len;
	return 0;
}

/* Sends LEN bytes at user address START as TYPE pieces, ahead of the exec record; returns their number. */
static __always_inline __u16 pieces_send(struct scratch *s, __u64 start, __u32 len, __u32 type, __u32 loss_stat,
					 __u32 max_pieces)
{
	s->piece.start = start;
	s->piece.total = len;
	s->piece.off = 0;
	s->piece.type = type;
	s->piece.loss_stat = loss_stat;
	bpf_loop(max_pieces, piece_step, NULL, 0);
	return (len + KE_ARGV_CHUNK - 1) / KE_ARGV_CHUNK;
}

/*
 * The new image's environment strings (env_start..env_end, as execve copied
 * them), bounded by KE_ENV_MAX bytes; the count bound is applied by userspace,
 * which keeps whole strings only.  The pieces go first, as for a long argv.
 */
struct env_sent {
	__u32 envc, total;
	__u16 chunks, flags;
};

static __always_inline void env_send(struct scratch *s, struct task_struct *task, struct linux_binprm *bprm,
				     struct env_sent *ev)
{
	unsigned long start, end, len;
	__u16 flags = 0, chunks = 0;
	__u32 envc = BPF_CORE_READ(bprm, envc);

	ev->envc = envc;
	if (!capture_env) {
		ev->total = 0;
		ev->chunks = 0;
		ev->flags = KE_ENV_OFF;
		return;
	}
	start = BPF_CORE_READ(task, mm, env_start);
	end = BPF_CORE_READ(task, mm, env_end);
	len = end > start ? end - start : 0;
	if (len > KE_ENV_MAX) {
		len = KE_ENV_MAX;
		flags |= KE_ENV_CUT_BYTES;
	}
	if (envc > KE_ENV_VARS_MAX)
		flags |= KE_ENV_CUT_COUNT;
	if (flags)
		stat_inc(KE_STAT_TRUNC_ENV);
	if (len)
		chunks = pieces_send(s, start, len, KE_EXEC_ENV, KE_STAT_TRUNC_ENV, KE_ENV_MAX / KE_ARGV_CHUNK);
	ev->total = len;
	ev->chunks = chunks;
	ev->flags = flags;
}

/*
 * A process of the build that takes a signal whose default action dumps core
 * (SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU,
 * SIGXFSZ, SIGSYS): with a core_pattern pipe the kernel starts that pipe's
 * program outside the build and gives it the process's memory.  The program's
 * exec (below) names the last such process.
 */
#define SIG_COREDUMP_MASK ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | \
			   (1u << 11) | (1u << 24) | (1u << 25) | (1u << 31))
#define CORE_DUMP_RECENT_NS (30ull * 1000000000ull)
#define PF_KTHREAD_NR       0x00200000

struct core_dump {
	__u64 ts_ns;
	__u32 tgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct core_dump);
} core_dump_last SEC(".maps");

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct core_dump *d;
	__u32 key = 0;

	if (sig <= 0 || sig > 31 || !(SIG_COREDUMP_MASK & (1u << sig)) || BPF_CORE_READ(ka, sa.sa_handler))
		return 0;
	if (!in_scope())
		return 0;
	d = bpf_map_lookup_elem(&core_dump_last, &key);
	if (d) {
		d->ts_ns = bpf_ktime_get_boot_ns();
		d->tgid = bpf_get_current_pid_tgid() >> 32;
	}
	return 0;
}

/*
 * The kernel runs a user program only as a usermode helper, forked by a
 * kernel thread: a core_pattern pipe, modprobe, request-key upcalls.  One
 * that starts after a process of the build dumped core is taken for its core
 * handler, outside the build's tree.  Helpers nothing ties to the build (the
 * machine's own modprobe, another build's crash) are not its business.
 */
static __always_inline void kernel_helper_seen(struct task_struct *task)
{
	struct core_dump *d;
	__u32 key = 0;

	if (!(BPF_CORE_READ(task, real_parent, flags) & PF_KTHREAD_NR))
		return;
	d = bpf_map_lookup_elem(&core_dump_last, &key);
	if (!d || !d->tgid || bpf_ktime_get_boot_ns() - d->ts_ns >= CORE_DUMP_RECENT_NS)
		return;
	notice_send(KE_NOTICE_KERNEL_HELPER, 0, 0, d->tgid, 0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct scratch *s;
	struct ke_exec *ev;
	struct env_sent env;
	__u32 off = sizeof(*ev), chunks = 0;
	unsigned long arg_start, arg_end, len;
	bool cut = false, unlinked;
	const char *filename;
	struct path pwd;

	if (!in_scope()) {
		kernel_helper_seen(task);
		return 0;
	}
	s = scratch_get();
	if (!s)
		return 0;

	/* The new image's argv strings sit between arg_start and arg_end. */
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > KE_ARGV_TOTAL_MAX) {
		len = KE_ARGV_TOTAL_MAX;
		cut = true;
		stat_inc(KE_STAT_TRUNC_ARGV);
	}
	if (len > KE_ARGV_MAX)  /* pieces go first: the exec record below reuses the scratch buffer */
		chunks = pieces_send(s, arg_start, len, KE_EXEC_ARGV, KE_STAT_TRUNC_ARGV,
				     KE_ARGV_TOTAL_MAX / KE_ARGV_CHUNK);
	env_send(s, task, bprm, &env);

	ev = (void *)s->buf;
	header_fill(&ev->h, KE_EXEC);
	ev->ppid = parent_tgid(task);
	ev->old_tid = old_pid;
	ev->argc = BPF_CORE_READ(bprm, argc);
	ev->argv_truncated = cut;
	ev->argv_chunks = chunks;
	ev->argv_total = len;
	ev->envc = env.envc;
	ev->env_total = env.total;
	ev->env_chunks = env.chunks;
	ev->env_flags = env.flags;
	ev->_pad = 0;

	ev->exe_len = path_append(s, &off, &bprm->file->f_path, &ev->exe_flags);
	/* A memfd, an O_TMPFILE or a deleted file: its path names nothing the hasher could open. */
	unlinked = BPF_CORE_READ(bprm, file, f_inode, i_nlink) == 0;
	if (unlinked)
		ev->exe_flags |= KE_PATH_UNLINKED;
	pwd = BPF_CORE_READ(task, fs, pwd);
	ev->cwd_len = path_append(s, &off, &pwd, &ev->cwd_flags);

	filename = BPF_CORE_READ(bprm, filename);
	ev->filename_len = 0;
	if (filename) {
		long n = bpf_probe_read_kernel_str(&s->buf[off & SCRATCH_MASK], KE_EXEC_NAME_MAX,
						   filename);

		if (n > 0) {
			ev->filename_len = n;
			off += n;
		}
	}

	ev->argv_len = 0;
	if (!chunks && len > 0 &&
	    !bpf_probe_read_user(&s->buf[off & SCRATCH_MASK], len & (KE_ARGV_MAX - 1) ?: KE_ARGV_MAX,
				 (void *)arg_start)) {
		ev->argv_len = len;
		off += len;
	}
	record_submit(ev, off, KE_EXEC);
	if (unlinked)   /* after the submit: the notice reuses the scratch buffer */
		notice_send(KE_NOTICE_EXEC_UNLINKED, 0, 0, 0, 0);
	return 0;
}

/* ---- syscalls: reported at exit, arguments from the entry registers ------ */

/* -ERESTARTSYS .. -ERESTART_RESTARTBLOCK: the call is restarted, not finished. */
static __always_inline bool call_restarts(long ret)
{
	return ret <= -512 && ret >= -516;
}

/* The user registers of this syscall (x86-64: di, si, dx, r10, r8 are args 1-5). */
static __always_inline struct pt_regs *call_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* Base directory for a relative name: the cwd, or the directory dfd refers to. */
static __always_inline __u16 base_dir_append(struct scratch *s, __u32 *off, struct task_struct *task,
					     int dfd, __u16 *flags)
{
	struct path base;

	if (dfd == AT_FDCWD) {
		base = BPF_CORE_READ(task, fs, pwd);
	} else {
		struct file *f = fd_file(task, dfd);

		if (!f) {
			*flags = KE_PATH_UNREACHABLE;
			return 0;
		}
		base = BPF_CORE_READ(f, f_path);
	}
	return path_append(s, off, &base, flags);
}

/*
 * For a failed open or exec: the name as passed and, when it is relative,
 * the directory it was relative to, so userspace can rebuild the path.
 * Returns true when the name was relative.
 */
static __always_inline bool failed_name_append(struct scratch *s, __u32 *off, struct task_struct *task,
					       const struct call_args *p, __u16 *base_len, __u16 *base_flags,
					       __u16 *name_len)
{
	char first = 0;
	bool relative;

	*base_len = 0;
	*base_flags = 0;
	bpf_probe_read_user(&first, 1, (void *)p->name);
	relative = first != '/';
	if (relative)
		*base_len = base_dir_append(s, off, task, p->dfd, base_flags);
	*name_len = user_str_append(s, off, (const void *)p->name);
	return relative;
}

/* Before Linux 6.6/6.11 the inode's times were struct timespec64 fields (6.1: i_mtime, i_ctime). */
struct inode___timespec {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

/*
 * btrfs gives each subvolume (the top level too) a device number of its own,
 * and stat(2) reports that one, not the superblock's: btrfs_getattr() uses
 * BTRFS_I(inode)->root->anon_dev.  Without the same number here, every file
 * the build read on btrfs would look changed when the hasher fstat()s it.
 * Flavors, so that a kernel without btrfs (or with it as a module not
 * loaded) loads the program with this branch dead.
 */
#define BTRFS_SUPER_MAGIC_NR 0x9123683E
struct btrfs_root___kettle {
	dev_t anon_dev;
} __attribute__((preserve_access_index));
struct btrfs_inode___kettle {
	struct btrfs_root___kettle *root;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

static __always_inline __u32 inode_dev(struct inode *inode)
{
	__u32 dev = BPF_CORE_READ(inode, i_sb, s_dev);

	if (bpf_core_type_exists(struct btrfs_inode___kettle) &&
	    BPF_CORE_READ(inode, i_sb, s_magic) == BTRFS_SUPER_MAGIC_NR) {
		struct btrfs_inode___kettle *bi =
			(void *)inode - bpf_core_field_offset(struct btrfs_inode___kettle, vfs_inode);
		__u32 anon = BPF_CORE_READ(bi, root, anon_dev);

		if (anon)
			dev = anon;
	}
	return dev;
}

#define S_IFMT_NR   00170000
#define S_IFSOCK_NR 0140000
#define S_IFBLK_NR  0060000
#define S_IFCHR_NR  0020000
#define S_IFREG_NR  0100000
#define S_IFIFO_NR  0010000
/* the kernel's dev_t: major in the high 12 bits, minor in the low 20 */
#define KDEV(major, minor) (((__u32)(major) << 20) | (minor))

#define PTMX_NR            KDEV(5, 2)    /* /dev/ptmx and /dev/pts/ptmx */
#define PTY_SLAVE_MAJOR_NR 136           /* /dev/pts/N is 136:N */

/* Pseudo-terminals the build made: the index N of each /dev/pts/N its ptmx opens created. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} build_ptys SEC(".maps");

/* F is the build's open of ptmx: the pair it made is the build's (the master's index is the slave's). */
static __always_inline void pty_made(struct file *f)
{
	struct tty_file_private *priv = BPF_CORE_READ(f, private_data);
	__u32 index;
	__u8 one = 1;

	if (!priv)
		return;
	index = BPF_CORE_READ(priv, tty, index);
	bpf_map_update_elem(&build_ptys, &index, &one, BPF_ANY);
}

/* Whether F, an open terminal, is the slave of a pseudo-terminal pair the build made. */
static __always_inline bool pty_of_build(struct file *f)
{
	struct tty_file_private *priv = f ? BPF_CORE_READ(f, private_data) : NULL;
	struct tty_struct *tty = priv ? BPF_CORE_READ(priv, tty) : NULL;
	__u32 index;

	if (!tty || BPF_CORE_READ(tty, driver, major) != PTY_SLAVE_MAJOR_NR)
		return false;
	index = BPF_CORE_READ(tty, index);
	return bpf_map_lookup_elem(&build_ptys, &index) != NULL;
}

/*
 * What a device node gives is fixed by its number, not by where the node
 * lives: a build (as root) can mknod one anywhere.  F: the file opened, for
 * a ptmx the build opens.
 */
static __always_inline __u8 device_flags(struct inode *inode, struct file *f)
{
	__u32 mode = BPF_CORE_READ(inode, i_mode) & S_IFMT_NR, rdev;

	if (mode == S_IFBLK_NR)
		return KE_PATH_BLOCK_DEVICE;
	if (mode == S_IFIFO_NR || mode == S_IFSOCK_NR)
		return KE_PATH_STREAM;
	if (mode != S_IFCHR_NR)
		return 0;
	rdev = BPF_CORE_READ(inode, i_rdev);
	/* misc 200 tun/tap, 238 vhost-net, 241 vhost-vsock; 108:0 ppp */
	if (rdev == KDEV(10, 200) || rdev == KDEV(10, 238) || rdev == KDEV(10, 241) || rdev == KDEV(108, 0))
		return KE_PATH_NET_DEVICE;
	/* mem 1:1, kmem 1:2, port 1:4 */
	if (rdev == KDEV(1, 1) || rdev == KDEV(1, 2) || rdev == KDEV(1, 4))
		return KE_PATH_MEM_DEVICE;
	/*
	 * The controlling terminal /dev/tty 5:0, the console 5:1, virtual
	 * consoles and serial lines 4:*.
	 */
	if ((rdev >> 20) == 4 || rdev == KDEV(5, 1))
		return KE_PATH_TERMINAL;
	/* /dev/tty is the controlling terminal: a program that expect runs on the build's own pty opens its own */
	if (rdev == KDEV(5, 0))
		return pty_of_build(f) ? 0 : KE_PATH_TERMINAL;
	/*
	 * A pseudo-terminal is the build's own when the build opened the ptmx
	 * that made it (expect, dejagnu, script); any other /dev/pts/N is the
	 * terminal of someone outside (an ssh session, another shell).
	 */
	if (rdev == PTMX_NR) {
		pty_made(f);
	} else if ((rdev >> 20) == PTY_SLAVE_MAJOR_NR) {
		__u32 index = rdev & 0xfffff;

		if (!bpf_map_lookup_elem(&build_ptys, &index))
			return KE_PATH_TERMINAL;
	}
	return 0;
}

static __always_inline void inode_identity(struct ke_open *ev, struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct inode___timespec *old = (void *)inode;

	ev->path_flags |= device_flags(inode, f);
	ev->dev = inode_dev(inode);
	ev->ino = BPF_CORE_READ(inode, i_ino);
	ev->size = BPF_CORE_READ(inode, i_size);
	if (bpf_core_field_exists(inode->i_mtime_sec)) {
		ev->mtime_ns = BPF_CORE_READ(inode, i_mtime_sec) * 1000000000LL +
			       (BPF_CORE_READ(inode, i_mtime_nsec) & NSEC_MASK);
		ev->ctime_ns = BPF_CORE_READ(inode, i_ctime_sec) * 1000000000LL +
			       (BPF_CORE_READ(inode, i_ctime_nsec) & NSEC_MASK);
	} else {
		ev->mtime_ns = BPF_CORE_READ(old, i_mtime.tv_sec) * 1000000000LL + BPF_CORE_READ(old, i_mtime.tv_nsec);
		ev->ctime_ns = BPF_CORE_READ(old, i_ctime.tv_sec) * 1000000000LL + BPF_CORE_READ(old, i_ctime.tv_nsec);
	}
}

/*
 * FIFOs.  A FIFO the build opens by name carries whatever its writers write:
 * an input from outside when a writer is not of the build.  Each side notes
 * itself, then looks for the other (a full barrier between), so whichever
 * open comes second sees the first.  Writers that opened it before the trace
 * began are found by the collector in /proc (log_collect.c).
 */
#define FMODE_READ_NR  0x1
#define FMODE_WRITE_NR 0x2
#define O_ACCMODE_NR   00000003
#define O_RDONLY_NR    00000000
/* not a regular file's content: devices, pipes, FIFOs, sockets */
#define KE_PATH_DEVICE_MASK (KE_PATH_BLOCK_DEVICE | KE_PATH_NET_DEVICE | KE_PATH_MEM_DEVICE | KE_PATH_TERMINAL | \
			     KE_PATH_STREAM)

/*
 * A file while the trace runs.  A file deleted and another made at once can
 * get the same struct inode and the same number (ext4 and tmpfs reuse both
 * soon, and a build's temporaries come and go); the generation, drawn anew
 * for each file made, tells them apart.
 */
struct inode_key {
	__u64 inode;            /* struct inode * */
	__u64 ino;
	__u32 gen;              /* i_generation */
	__u32 _pad;
};

static __always_inline void inode_key_fill(struct inode_key *k, struct inode *inode)
{
	k->inode = (__u64)inode;
	k->ino = BPF_CORE_READ(inode, i_ino);
	k->gen = BPF_CORE_READ(inode, i_generation);
	k->_pad = 0;
}

/* FIFOs the build opened for reading (value: the reader's tgid) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct inode_key);
	__type(value, __u32);
} fifo_readers SEC(".maps");

/* FIFOs a process outside the build opened for writing while the trace ran (value: its tgid) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct inode_key);
	__type(value, __u32);
} fifo_writers SEC(".maps");

__u64 fifo_fence;

/*
 * Files the build opened for writing (value: its tgid).  A process outside
 * the build that opens one for writing while the build runs can put its own
 * bytes into what the build made, or will read back.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);     /* preallocated (LRU): the latest files written; an older one is forgotten */
	__type(key, struct inode_key);
	__type(value, __u32);
} build_writes SEC(".maps");

/*
 * The build opened F for writing: noted, for the outside writers' check.
 * Returns whether this is its first write open of the file and another
 * file already held it open for writing (i_writecount counts open files
 * and shared writable maps): a writer from before, which no open the trace
 * saw explains (see KE_PATH_WRITERS_BEFORE).
 */
static __always_inline bool build_write_note(struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct inode_key k;
	bool before;

	inode_key_fill(&k, inode);
	before = !bpf_map_lookup_elem(&build_writes, &k) && BPF_CORE_READ(inode, i_writecount.counter) > 1;
	bpf_map_update_elem(&build_writes, &k, &tgid, BPF_ANY);
	return before;
}

/* Fills K when F is a FIFO (or a pipe reopened by name) open with one of MODE's f_mode bits. */
static __always_inline bool fifo_open_key(struct file *f, __u32 mode, struct inode_key *k)
{
	struct inode *inode;

	if (!f || !(BPF_CORE_READ(f, f_mode) & mode))
		return false;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT_NR) != S_IFIFO_NR)
		return false;
	inode_key_fill(k, inode);
	return true;
}

/* The build opened FD: if it is a FIFO it reads, is a process outside writing it? */
static __always_inline void fifo_read_check(struct task_struct *task, long fd)
{
	struct inode_key k = {};
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, *writer;

	if (!fifo_open_key(fd_file(task, fd), FMODE_READ_NR, &k))
		return;
	bpf_map_update_elem(&fifo_readers, &k, &tgid, BPF_ANY);
	__sync_fetch_and_add(&fifo_fence, 1);
	writer = bpf_map_lookup_elem(&fifo_writers, &k);
	if (writer)
		notice_send(KE_NOTICE_FIFO_FROM_OUTSIDE, KE_FIFO_READER_IS_NOTICED, fd, k.ino, *writer);
}

/* An open's record.  P holds the call's arguments; OPEN_FLAGS starts the record's KE_OPEN_* flags. */
static __always_inline int open_exit(long ret, const struct call_args *p, __u16 open_flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct scratch *s;
	struct ke_open *ev;
	__u32 off = sizeof(struct ke_open);
	bool stream;

	if (call_restarts(ret) || !in_scope())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_OPEN);
	ev->ret = ret;
	ev->call = p->call;
	ev->flags = p->flags;
	ev->mode = p->mode;
	ev->dfd = p->dfd;
	ev->open_flags = open_flags;
	ev->dev = ev->ino = 0;
	ev->size = ev->mtime_ns = ev->ctime_ns = 0;
	ev->path_len = 0;
	ev->path_flags = 0;

	if (ret >= 0) {
		struct file *f = fd_file(task, ret);

		if (f) {
			struct path fp = BPF_CORE_READ(f, f_path);

			ev->path_len = path_append(s, &off, &fp, &ev->path_flags);
			inode_identity(ev, f);
			if ((p->flags & O_ACCMODE_NR) != O_RDONLY_NR && !(ev->path_flags & KE_PATH_DEVICE_MASK) &&
			    build_write_note(f))
				ev->path_flags |= KE_PATH_WRITERS_BEFORE;
		} else {
			ev->path_flags = KE_PATH_UNREACHABLE;
		}
		ev->name_len = user_str_append(s, &off, (const void *)p->name);
	} else if (failed_name_append(s, &off, task, p, &ev->path_len, &ev->path_flags, &ev->name_len)) {
		ev->open_flags |= KE_OPEN_BASE_DIR;
	}
	stream = ret >= 0 && (ev->path_flags & KE_PATH_STREAM);
	record_submit(ev, off, KE_OPEN);
	/* after the open's record: a notice reuses the scratch buffer */
	if (stream)
		fifo_read_check(task, ret);
	return 0;
}

/* exec: success is reported by sched_process_exec; only failures here. */
/* A failed exec; P holds the call's arguments (name, dfd, flags), native or 32-bit. */
static __always_inline int exec_exit(long ret, struct call_args *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct scratch *s;
	struct ke_exec_fail *ev;
	__u32 off = sizeof(struct ke_exec_fail);

	if (ret >= 0 || call_restarts(ret) || !in_scope())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_EXEC_FAIL);
	ev->err = -ret;
	ev->call = p->call;
	ev->ppid = parent_tgid(task);
	failed_name_append(s, &off, task, p, &ev->base_len, &ev->base_flags, &ev->name_len);
	record_submit(ev, off, KE_EXEC_FAIL);
	return 0;
}

/* ---- file-tree changes: reported at exit, arguments from the entry registers ---- */

/* The arguments of a file-tree call, as passed. */
struct fop_args {
	struct call_args one;   /* the path acted on: name + dfd */
	struct call_args two;   /* rename, link: the new name; two.name 0 otherwise */
	__u64 target;           /* symlink: what it points to */
	__u64 flags;
	__s64 length;
	__u32 mode;
	__s32 fd;               /* ftruncate, fchmod, utimensat(fd, NULL): the file is the fd's; else -1 */
};

static __always_inline void fop_args(__u32 call, struct fop_args *a)
{
	struct pt_regs *regs = call_regs();

	a->one.dfd = a->two.dfd = AT_FDCWD;
	a->one.name = a->two.name = a->target = 0;
	a->flags = 0;
	a->length = 0;
	a->mode = 0;
	a->fd = -1;
	switch (call) {
	case KE_FOP_RENAME:
	case KE_FOP_LINK:
		a->one.name = regs->di;
		a->two.name = regs->si;
		break;
	case KE_FOP_RENAMEAT:
	case KE_FOP_RENAMEAT2:
	case KE_FOP_LINKAT:
		a->one.dfd = regs->di;
		a->one.name = regs->si;
		a->two.dfd = regs->dx;
		a->two.name = regs->r10;
		if (call != KE_FOP_RENAMEAT)
			a->flags = regs->r8;
		break;
	case KE_FOP_UNLINK:
	case KE_FOP_RMDIR:
		a->one.name = regs->di;
		break;
	case KE_FOP_UNLINKAT:
		a->one.dfd = regs->di;
		a->one.name = regs->si;
		a->flags = regs->dx;
		break;
	case KE_FOP_MKDIR:
	case KE_FOP_CHMOD:
		a->one.name = regs->di;
		a->mode = regs->si;
		break;
	case KE_FOP_MKDIRAT:
	case KE_FOP_FCHMODAT:
		a->one.dfd = regs->di;
		a->one.name = regs->si;
		a->mode = regs->dx;
		break;
	case KE_FOP_FCHMODAT2:
		a->one.dfd = regs->di;
		a->one.name = regs->si;
		a->mode = regs->dx;
		a->flags = regs->r10;
		break;
	case KE_FOP_SYMLINK:
		a->target = regs->di;
		a->one.name = regs->si;
		break;
	case KE_FOP_SYMLINKAT:
		a->target = regs->di;
		a->one.dfd = regs->si;
		a->one.name = regs->dx;
		break;
	case KE_FOP_TRUNCATE:
		a->one.name = regs->di;
		a->length = regs->si;
		break;
	case KE_FOP_FTRUNCATE:
		a->fd = regs->di;
		a->length = regs->si;
		break;
	case KE_FOP_FCHMOD:
		a->fd = regs->di;
		a->mode = regs->si;
		break;
	default:                /* utimensat(dfd, name, times, flags); name NULL: dfd itself */
		a->one.dfd = regs->di;
		a->one.name = regs->si;
		a->flags = regs->r10;
		if (!a->one.name)
			a->fd = a->one.dfd;
		break;
	}
}

/* The path of the file FD refers to. */
static __always_inline __u16 fd_path_append(struct scratch *s, __u32 *off, struct task_struct *task,
					    int fd, __u16 *flags)
{
	struct file *f = fd_file(task, fd);
	struct path fp;

	if (!f) {
		*flags = KE_PATH_UNREACHABLE;
		return 0;
	}
	fp = BPF_CORE_READ(f, f_path);
	return path_append(s, off, &fp, flags);
}

/*
 * One record per call.  A name is sent with the directory it was relative
 * to (the cwd or dirfd, walked here), never resolved further: after an
 * unlink or a rename the name is gone, and the parent is what the call used.
 */
static __always_inline int fop_exit(long ret, __u32 call)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fop_args a;
	struct scratch *s;
	struct ke_file_op *ev;
	__u32 off = sizeof(struct ke_file_op);

	if (call_restarts(ret) || !in_scope())
		return 0;
	s = scratch_get();
	if (!s)
		return 0;
	fop_args(call, &a);
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_FILE_OP);
	ev->ret = ret;
	ev->call = call;
	ev->_pad = ev->_pad2 = 0;
	ev->flags = a.flags;
	ev->length = a.length;
	ev->mode = a.mode;
	ev->base_len = ev->base_flags = ev->name_len = 0;
	ev->base2_len = ev->base2_flags = ev->name2_len = 0;
	if (a.fd >= 0 || call == KE_FOP_FTRUNCATE || call == KE_FOP_FCHMOD)
		ev->base_len = fd_path_append(s, &off, task, a.fd, &ev->base_flags);
	else
		failed_name_append(s, &off, task, &a.one, &ev->base_len, &ev->base_flags, &ev->name_len);
	/*
	 * A record is at most SCRATCH_MASK bytes: when the first path took more
	 * than half of it (two names near PATH_MAX), the second is cut, flagged.
	 */
	if (a.two.name && off + KE_PATH_MAX + KE_STR_MAX <= SCRATCH_MASK) {
		failed_name_append(s, &off, task, &a.two, &ev->base2_len, &ev->base2_flags, &ev->name2_len);
	} else if (a.two.name) {
		ev->base2_flags = KE_PATH_TRUNCATED | KE_PATH_UNREACHABLE;
		stat_inc(KE_STAT_TRUNC_PATH);
	}
	ev->target_len = a.target ? user_str_append(s, &off, (const void *)a.target) : 0;
	record_submit(ev, off, KE_FILE_OP);
	return 0;
}

/* ---- sockets: the address copied at entry, recorded with the result at exit ---- */

#define AF_UNIX_NR  1
#define EINPROGRESS_NR 115
#define AF_INET_NR  2
#define AF_INET6_NR 10
#define SA_COPY_MAX 112         /* covers sockaddr_in6 (28) and sockaddr_un (110) */

/*
 * What a connect, bind or send passed, copied at syscall entry: at exit the
 * sockaddr is still in user memory, but another thread could have rewritten
 * it meanwhile, and the record must say where the call went.
 */
struct net_pending {
	__u8 sa[128];
	__u32 salen;            /* bytes copied into sa; 0: no address passed */
	__u32 _pad;
	__u64 buf;              /* send: the first buffer, for a message to port 53 */
	__u64 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);     /* tid */
	__type(value, struct net_pending);
} net_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct net_pending);
} net_pending_scratch SEC(".maps");

/* Copies the user sockaddr at UADDR (LEN bytes) into P. */
static __always_inline void sa_copy(struct net_pending *p, __u64 uaddr, __u64 len)
{
	p->salen = 0;
	if (!uaddr || len < 2)
		return;
	if (len > SA_COPY_MAX)
		len = SA_COPY_MAX;
	asm volatile("%0 &= 0x7f" : "+r"(len));
	if (len < 2)
		return;
	if (!bpf_probe_read_user(p->sa, len, (void *)uaddr))
		p->salen = len;
}

/* The msghdr of sendmsg, or of sendmmsg's first message: its address and first buffer. */
static __always_inline void msghdr_copy(struct net_pending *p, __u64 umsg)
{
	struct user_msghdr m = {};
	struct iovec iov = {};

	if (bpf_probe_read_user(&m, sizeof(m), (void *)umsg))
		return;
	sa_copy(p, (__u64)m.msg_name, m.msg_namelen);
	if (m.msg_iovlen && !bpf_probe_read_user(&iov, sizeof(iov), m.msg_iov)) {
		p->buf = (__u64)iov.iov_base;
		p->len = iov.iov_len;
	}
}

/* The socket behind F, or NULL when F is not a socket. */
static __always_inline struct sock *file_sock(struct file *f)
{
	struct socket *sock;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT_NR) != S_IFSOCK_NR)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

static __always_inline struct sock *fd_sock(struct task_struct *task, int fd)
{
	return file_sock(fd_file(task, fd));
}

/*
 * Sockets and loopback ports the build connects to, so that the server
 * process that accepts the connection is known to serve the build (a
 * daemon).  Marked at connect entry: the server's accept can complete
 * before the client's connect returns.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);     /* the client's struct sock (unix) */
	__type(value, __u8);
} build_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);     /* a loopback port the build connected to */
	__type(value, __u8);
} loopback_ports SEC(".maps");

static __always_inline bool sa_loopback(const __u8 *sa, __u32 len)
{
	__u16 family = *(const __u16 *)sa;

	if (family == AF_INET_NR && len >= 8)
		return sa[4] == 127;
	if (family == AF_INET6_NR && len >= 24) {
		const __u32 *a = (const __u32 *)(sa + 8);

		/* ::1, or ::ffff:127.x.y.z */
		return a[0] == 0 && a[1] == 0 &&
		       ((a[2] == 0 && a[3] == bpf_htonl(1)) || (a[2] == bpf_htonl(0xffff) && sa[20] == 127));
	}
	return false;
}

static __always_inline void connect_mark(struct net_pending *p, int fd)
{
	__u16 family = p->salen >= 2 ? *(const __u16 *)p->sa : 0;
	__u8 one = 1;

	if (family == AF_UNIX_NR) {
		__u64 key = (__u64)fd_sock((struct task_struct *)bpf_get_current_task(), fd);

		if (key)
			bpf_map_update_elem(&build_socks, &key, &one, BPF_ANY);
	} else if (sa_loopback(p->sa, p->salen)) {
		__u32 port = bpf_ntohs(*(const __u16 *)(p->sa + 2));

		bpf_map_update_elem(&loopback_ports, &port, &one, BPF_ANY);
	}
}

/* A0, A1, A2, A4, A5: the call's arguments counted from 0 (x86-64 entry registers di, si, dx, r8, r9). */
static __always_inline int net_enter(__u32 call, __u64 a0, __u64 a1, __u64 a2, __u64 a4, __u64 a5)
{
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct net_pending *p;

	if (!in_scope())
		return 0;
	p = bpf_map_lookup_elem(&net_pending_scratch, &zero);
	if (!p)
		return 0;
	p->buf = p->len = 0;
	switch (call) {
	case KE_NET_CONNECT:
		sa_copy(p, a1, a2);
		connect_mark(p, a0);
		break;
	case KE_NET_BIND:
		sa_copy(p, a1, a2);
		break;
	case KE_NET_SENDTO:
		sa_copy(p, a4, a5);
		p->buf = a1;
		p->len = a2;
		break;
	default:                /* sendmsg, sendmmsg: struct mmsghdr starts with its msghdr */
		p->salen = 0;
		msghdr_copy(p, a1);
		break;
	}
	if (bpf_map_update_elem(&net_pending, &tid, p, BPF_ANY))
		stat_inc(KE_STAT_PENDING_FULL);
	return 0;
}

/* Fills the address fields of EV from a sockaddr of LEN bytes (kernel copy); the unix path goes to *OFF. */
static __always_inline void sa_fill(struct scratch *s, __u32 *off, struct ke_net *ev, const __u8 *sa, __u32 len)
{
	__u16 family = *(const __u16 *)sa;

	ev->family = family;
	ev->addr_source = KE_ADDR_USER;
	if (family == AF_INET_NR && len >= 8) {
		ev->port = bpf_ntohs(*(const __u16 *)(sa + 2));
		__builtin_memcpy(ev->addr, sa + 4, 4);
	} else if (family == AF_INET6_NR && len >= 24) {
		ev->port = bpf_ntohs(*(const __u16 *)(sa + 2));
		__builtin_memcpy(ev->addr, sa + 8, 16);
	} else if (family == AF_UNIX_NR && len > 2) {
		__u32 n = len - 2;

		if (n > KE_UNIX_PATH_MAX)
			n = KE_UNIX_PATH_MAX;
		asm volatile("%0 &= 0x7f" : "+r"(n));
		if (n && !bpf_probe_read_kernel(&s->buf[*off & SCRATCH_MASK], n, sa + 2)) {
			ev->unix_len = n;
			*off += n;
		}
	}
}

/* A unix socket's bound name (its own, or its peer's). */
static __always_inline void unix_name_fill(struct scratch *s, __u32 *off, struct ke_net *ev, struct sock *sk)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	int len;
	__u32 n;

	if (!ua)
		return;
	len = BPF_CORE_READ(ua, len);
	if (len <= 2)
		return;
	n = len - 2;
	if (n > KE_UNIX_PATH_MAX)
		n = KE_UNIX_PATH_MAX;
	asm volatile("%0 &= 0x7f" : "+r"(n));
	if (n && !bpf_probe_read_kernel(&s->buf[*off & SCRATCH_MASK], n,
					(__u8 *)ua + bpf_core_field_offset(struct unix_address, name) + 2)) {
		ev->unix_len = n;
		*off += n;
	}
}

/* The kernel socket's peer (PEER) or own address: for a send without one, accept, listen. */
static __always_inline void sock_fill(struct scratch *s, __u32 *off, struct ke_net *ev, struct sock *sk, bool peer)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	ev->family = family;
	ev->addr_source = peer ? KE_ADDR_PEER : KE_ADDR_LOCAL;
	if (family == AF_INET_NR) {
		__u32 a = peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr) :
				 BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(ev->addr, &a, 4);
		ev->port = peer ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) :
				  BPF_CORE_READ(sk, __sk_common.skc_num);
	} else if (family == AF_INET6_NR) {
		if (peer)
			BPF_CORE_READ_INTO(&ev->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		else
			BPF_CORE_READ_INTO(&ev->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		ev->port = peer ? bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) :
				  BPF_CORE_READ(sk, __sk_common.skc_num);
	} else if (family == AF_UNIX_NR) {
		struct sock *other = peer ? BPF_CORE_READ((struct unix_sock *)sk, peer) : sk;

		if (other)
			unix_name_fill(s, off, ev, other);
	}
}

/* A message to port 53: its first bytes, for the query names (never any other payload). */
static __always_inline void dns_fill(struct scratch *s, __u32 *off, struct ke_net *ev, const struct net_pending *p,
				     long sent)
{
	__u64 len = p->len;

	if (ev->port != 53 || (ev->family != AF_INET_NR && ev->family != AF_INET6_NR) || sent <= 0 || !p->buf)
		return;
	if (len > KE_DNS_MAX)
		len = KE_DNS_MAX;
	asm volatile("%0 &= 0x3ff" : "+r"(len));
	if (len == 0 || len > KE_DNS_MAX)
		return;
	if (!bpf_probe_read_user(&s->buf[*off & SCRATCH_MASK], len, (void *)p->buf)) {
		ev->payload_len = len;
		*off += len;
	}
}

/*
 * Datagram sockets of the build whose own address is in the log (struct
 * sock *): bound by the build, or implicitly by the kernel at their first
 * send or connect.  A datagram server of the build answers its client at
 * that address: without it in the log the answer would seem to go to a
 * process outside the build.  LRU: a socket forgotten is reported again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} dgram_bound SEC(".maps");

#define SOCK_DGRAM_NR 2

/*
 * After a datagram socket's successful bind, or connect or send to a local
 * peer (net_ev_local_peer): the first time the socket is seen, a bind record (addr_source KE_ADDR_LOCAL, which an
 * explicit bind never has) with the address the kernel gave the socket,
 * unless the build's own bind record (BIND_SAID) already names it: a bind to
 * port 0 or a unix autobind does not.
 */
static __always_inline void dgram_implicit_bind(struct scratch *s, struct sock *sk, bool bind_said, int fd)
{
	__u64 key = (__u64)sk;
	__u32 off = sizeof(struct ke_net);
	struct ke_net *ev = (void *)s->buf;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&dgram_bound, &key))
		return;
	bpf_map_update_elem(&dgram_bound, &key, &one, BPF_ANY);
	if (bind_said)
		return;
	header_fill(&ev->h, KE_NET);
	__builtin_memset(&ev->ret, 0, sizeof(*ev) - sizeof(ev->h));
	ev->call = KE_NET_BIND;
	ev->fd = fd;
	ev->sock_type = SOCK_DGRAM_NR;
	ev->protocol = BPF_CORE_READ(sk, sk_protocol);
	sock_fill(s, &off, ev, sk, false);
	/* an unnamed unix socket (not autobound) has no address anyone can send to */
	if ((ev->family == AF_UNIX_NR && !ev->unix_len) ||
	    ((ev->family == AF_INET_NR || ev->family == AF_INET6_NR) && !ev->port))
		return;
	record_submit(ev, off, KE_NET);
}

/*
 * Whether the record's address is a local peer another process of this
 * machine receives at (a named unix socket, a loopback port but DNS's): the
 * sends whose sockets get an implicit bind record.
 */
static __always_inline bool net_ev_local_peer(const struct ke_net *ev)
{
	if (ev->family == AF_UNIX_NR)
		return ev->unix_len > 0;
	if (ev->port == 53)
		return false;
	if (ev->family == AF_INET_NR)
		return ev->addr[0] == 127;
	if (ev->family == AF_INET6_NR) {
		const __u32 *a = (const __u32 *)ev->addr;

		return a[0] == 0 && a[1] == 0 &&
		       ((a[2] == 0 && a[3] == bpf_htonl(1)) || (a[2] == bpf_htonl(0xffff) && ev->addr[12] == 127));
	}
	return false;
}

static __always_inline int net_exit(long ret, __u32 call)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), off = sizeof(struct ke_net);
	struct net_pending *p = NULL;
	struct pt_regs *regs;
	struct scratch *s;
	struct ke_net *ev;
	struct sock *sk = NULL;

	if (call == KE_NET_CONNECT || call == KE_NET_BIND || call >= KE_NET_SENDTO)
		p = bpf_map_lookup_elem(&net_pending, &tid);
	if (call_restarts(ret) || !in_scope())
		goto done;
	s = scratch_get();
	if (!s)
		goto done;
	regs = call_regs();
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_NET);
	__builtin_memset(&ev->ret, 0, sizeof(*ev) - sizeof(ev->h));
	ev->ret = ret;
	ev->call = call;
	ev->fd = call == KE_NET_SOCKET ? -1 : (int)regs->di;
	if (call == KE_NET_SOCKET) {
		ev->family = regs->di;
		ev->sock_type = regs->si & 0xf;
		ev->flags = regs->si & ~0xfu;
		ev->protocol = regs->dx;
		goto submit;
	}
	if (call == KE_NET_SENDTO || call == KE_NET_SENDMMSG || call == KE_NET_ACCEPT4)
		ev->flags = regs->r10;
	else if (call == KE_NET_SENDMSG)
		ev->flags = regs->dx;
	/* accept: the new socket; the others: the socket argument */
	sk = fd_sock(task, call == KE_NET_ACCEPT || call == KE_NET_ACCEPT4 ? ret : ev->fd);
	if (sk) {
		ev->sock_type = BPF_CORE_READ(sk, sk_type);
		ev->protocol = BPF_CORE_READ(sk, sk_protocol);
	}
	/*
	 * A connect that went through names its peer from the kernel's socket: the
	 * sockaddr copied at entry is what the caller passed, and another thread
	 * can rewrite it before the kernel reads it.
	 */
	if (call == KE_NET_CONNECT && sk && (ret == 0 || ret == -EINPROGRESS_NR))
		sock_fill(s, &off, ev, sk, true);
	else if (p && p->salen >= 2)
		sa_fill(s, &off, ev, p->sa, p->salen);
	else if (sk && (call != KE_NET_ACCEPT && call != KE_NET_ACCEPT4 ? true : ret >= 0) &&
		 call != KE_NET_CONNECT && call != KE_NET_BIND)
		sock_fill(s, &off, ev, sk, call != KE_NET_LISTEN);
	if (p)
		dns_fill(s, &off, ev, p, ret);
submit:
	record_submit(ev, off, KE_NET);
	if (call != KE_NET_SOCKET && sk && ev->sock_type == SOCK_DGRAM_NR && ret >= 0 &&
	    (call == KE_NET_BIND || ((call == KE_NET_CONNECT || call >= KE_NET_SENDTO) && net_ev_local_peer(ev))))
		dgram_implicit_bind(s, sk, call == KE_NET_BIND && (ev->family == AF_UNIX_NR ? ev->unix_len : ev->port),
				    ev->fd);
done:
	if (p)
		bpf_map_delete_elem(&net_pending, &tid);
	return 0;
}

/* ---- every other system call: one sys_exit program, dispatching by class ---- */

/*
 * Set by the loader before load (tracer.c): enum ke_notice_what or enum
 * ke_sys_class for each native and each 32-bit system call number, 0 for a
 * call this program leaves alone.  One program on sys_exit sees 32-bit calls
 * too, which the syscalls:* tracepoints never report on x86-64.
 */
const volatile __u8 native_class[KE_SYSCALL_NR_MAX];
const volatile __u8 compat_class[KE_SYSCALL_NR_MAX];
const volatile __u32 collector_tgid;

#define TS_COMPAT_NR   0x0002   /* thread_info.status: in a 32-bit system call */
#define CLONE_NEW_MASK (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | \
			0x10000000 | 0x20000000 | 0x40000000 | 0x00000080)
#define SOL_SOCKET_NR  1
#define SCM_RIGHTS_NR  1
#define RECV_FDS_MAX   4        /* descriptors of one message recorded; more are a KE_NOTICE_FD_LOST */

/*
 * A file the process got without naming it (by handle, from a pidfd, over a
 * socket, from an io_uring): its own path and identity.  A carries the call's
 * flags, mode and dfd when it has them; without, flags are the file's f_flags.
 */
static __always_inline void file_open_send(struct file *f, long ret, __u32 call, const struct call_args *a)
{
	__u32 off = sizeof(struct ke_open);
	struct scratch *s;
	struct ke_open *ev;

	s = scratch_get();
	if (!s)
		return;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_OPEN);
	ev->ret = ret;
	ev->call = call;
	ev->flags = 0;
	ev->mode = 0;
	ev->dfd = -1;
	ev->open_flags = 0;
	ev->dev = ev->ino = 0;
	ev->size = ev->mtime_ns = ev->ctime_ns = 0;
	ev->path_len = 0;
	ev->path_flags = KE_PATH_UNREACHABLE;
	ev->name_len = 0;
	if (f) {
		struct path fp = BPF_CORE_READ(f, f_path);

		ev->flags = BPF_CORE_READ(f, f_flags);
		ev->path_len = path_append(s, &off, &fp, &ev->path_flags);
		inode_identity(ev, f);
	}
	if (a) {
		ev->flags = a->flags;
		ev->mode = a->mode;
		ev->dfd = a->dfd;
	}
	record_submit(ev, off, KE_OPEN);
}

static __always_inline void fd_open_send(struct task_struct *task, int fd, __u32 call)
{
	file_open_send(fd_file(task, fd), fd, call, NULL);
}

/*
 * An open's arguments from the call's first four, A1-A4 (x86-64: di, si, dx,
 * r10; i386: bx, cx, dx, si, cut to 32 bits by the caller).
 */
static __always_inline void open_args(__u32 cls, __u64 a1, __u64 a2, __u64 a3, __u64 a4, struct call_args *a)
{
	struct open_how how = {};

	a->dfd = AT_FDCWD;
	a->name = cls == KE_SYS_OPEN || cls == KE_SYS_CREAT ? a1 : a2;
	switch (cls) {
	case KE_SYS_OPEN:
		a->call = KE_CALL_OPEN;
		a->flags = a2;
		a->mode = a3;
		break;
	case KE_SYS_OPENAT:
		a->call = KE_CALL_OPENAT;
		a->dfd = (__s32)a1;
		a->flags = a3;
		a->mode = a4;
		break;
	case KE_SYS_OPENAT2:
		a->call = KE_CALL_OPENAT2;
		a->dfd = (__s32)a1;
		bpf_probe_read_user(&how, sizeof(how), (void *)a3);
		a->flags = how.flags;
		a->mode = how.mode;
		break;
	default:        /* creat(p, m) is open(p, O_CREAT|O_WRONLY|O_TRUNC, m) */
		a->call = KE_CALL_CREAT;
		a->flags = 01 | 0100 | 01000;
		a->mode = a2;
		break;
	}
}

/*
 * recvmsg: each descriptor of the first SCM_RIGHTS message is recorded as an
 * open of its file.  The kernel has written back msg_controllen, so what is
 * read is what arrived; anything past what is read here is a notice, never
 * silent.
 */
static __always_inline void recvmsg_fds(struct task_struct *task, __u64 umsg, long ret)
{
	struct user_msghdr m = {};
	struct cmsghdr c = {};
	int fds[RECV_FDS_MAX] = {};
	__u64 n;

	if (bpf_probe_read_user(&m, sizeof(m), (void *)umsg) || !m.msg_control ||
	    m.msg_controllen < sizeof(c))
		return;
	if (bpf_probe_read_user(&c, sizeof(c), m.msg_control))
		goto lost;
	if (c.cmsg_level != SOL_SOCKET_NR || c.cmsg_type != SCM_RIGHTS_NR) {
		/* SCM_CREDENTIALS first: a second header could still carry descriptors */
		if (m.msg_controllen > ((c.cmsg_len + 7) & ~7ull))
			goto lost;
		return;
	}
	if (c.cmsg_len < sizeof(c))
		return;
	n = (c.cmsg_len - sizeof(c)) / sizeof(int);
	if (n > RECV_FDS_MAX || m.msg_controllen > ((c.cmsg_len + 7) & ~7ull))
		goto lost;
	if (bpf_probe_read_user(fds, sizeof(fds), (void *)m.msg_control + sizeof(c)) && n)
		goto lost;
	for (int i = 0; i < RECV_FDS_MAX; i++)
		if (i < n)
			fd_open_send(task, fds[i], KE_CALL_RECV_FD);
	return;
lost:
	notice_send(KE_NOTICE_FD_LOST, 0, ret, m.msg_controllen, 0);
}

/* recvmmsg: a message with control data is not taken apart here, only reported. */
static __always_inline void recvmmsg_fds(__u64 uvec, long ret)
{
	struct mmsghdr mm = {};

	for (int i = 0; i < 8; i++) {
		if (i >= ret)
			return;
		if (bpf_probe_read_user(&mm, sizeof(mm), (void *)(uvec + i * sizeof(mm))))
			break;
		if (mm.msg_hdr.msg_control && mm.msg_hdr.msg_controllen)
			break;
		if (i == 7 && ret > 8)
			break;
	}
	notice_send(KE_NOTICE_FD_LOST, 0, ret, 0, 0);
}

static __always_inline bool pid_tracked(__u32 pid)
{
	return !scope_cgroup && bpf_map_lookup_elem(&tracked, &pid) != NULL;
}

/*
 * A signal a process outside the build sends to one of the build is data
 * from outside (which signal, when, sigqueue's value).  Only signals a user
 * process sends count: the kernel's own (SEND_SIG_PRIV, SI_KERNEL, a child's
 * SIGCHLD, a fault: si_code >= 0 but SI_USER) are sent with no sender, and
 * from interrupt context `current` is whoever ran, so those are skipped.  The
 * notice comes from the sender (its process is the outside one).  With
 * --scope cgroup the target's scope is not known here: not checked.
 */
#define SI_USER_NR   0
#define SI_TKILL_NR  (-6)
#define SI_KERNEL_NR 0x80
/*
 * Stopping, ending or resuming the build (SIGHUP, SIGINT, SIGQUIT, SIGKILL,
 * SIGTERM, SIGCONT, SIGSTOP, SIGTSTP) with a plain kill: no data, only when,
 * as a clock gives; what the build does about it is recorded.  The same
 * signals sent with sigqueue carry a value and count.
 */
#define SIG_CONTROL_MASK ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 9) | (1u << 15) | (1u << 18) | \
			  (1u << 19) | (1u << 20))

/*
 * A process sends a signal only from a system call that sends one, and each
 * call gives its own si_code: kill and pidfd_send_signal SI_USER, tkill and
 * tgkill SI_TKILL, mq_timedsend SI_MESGQ, and any other negative code comes
 * from rt_(tg)sigqueueinfo or pidfd_send_signal with a siginfo.  A timer's
 * signal (timer_create: `timeout`, profilers; SI_TIMER) is generated in
 * interrupt context, where `current` is whoever the interrupt found running:
 * its saved registers name no call that could have sent that code.  Native
 * and i386 numbers.
 */
#define SI_MESGQ_NR (-3)

static __always_inline bool sent_by_current(int code)
{
	long nr = BPF_CORE_READ(call_regs(), orig_ax);

	if (bpf_get_current_task_btf()->thread_info.status & TS_COMPAT_NR) {
		if (code == SI_USER_NR)
			return nr == 37 || nr == 424;
		if (code == SI_TKILL_NR)
			return nr == 238 || nr == 270;
		if (code == SI_MESGQ_NR)
			return nr == 279 || nr == 418;
		return nr == 178 || nr == 335 || nr == 424;
	}
	if (code == SI_USER_NR)
		return nr == 62 || nr == 424;
	if (code == SI_TKILL_NR)
		return nr == 200 || nr == 234;
	if (code == SI_MESGQ_NR)
		return nr == 242;
	return nr == 129 || nr == 297 || nr == 424;
}

/*
 * Module autoload: a process of the build asked for something that only a
 * module provides (a socket family, a file system, a device, a crypto
 * algorithm), and the kernel runs modprobe, outside the build's tree, to
 * load it.  The tracepoint fires in the asking process.  Only where modules
 * exist: the loader leaves the program out where the kernel has no such
 * event (modules not built in).
 */
SEC("tp_btf/module_request")
int BPF_PROG(on_module_request, char *name, bool wait, unsigned long ip)
{
	if (in_scope())
		notice_send(KE_NOTICE_MODULE, 0, 0, wait, 0);
	return 0;
}

/*
 * Whether TASK (not the current one) is in the scope's cgroup subtree: its
 * cgroup or one of its ancestors is the scope's.  The walk up is bounded;
 * a build nested deeper than that under its scope is not found (and a
 * signal to it not flagged), which no cgroup manager comes near.
 */
#define CGROUP_WALK_MAX 32

static __always_inline bool task_in_scope_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);

	for (int i = 0; i < CGROUP_WALK_MAX && cg; i++) {
		struct cgroup_subsys_state *parent;

		if (BPF_CORE_READ(cg, kn, id) == scope_cgroup_id)
			return true;
		parent = BPF_CORE_READ(cg, self.parent);
		cg = parent ? BPF_CORE_READ(parent, cgroup) : NULL;
	}
	return false;
}

/* Whether TASK (of process TGID) is in the build: in the scope's cgroup, or its process tracked or followed. */
static __always_inline bool task_in_build(struct task_struct *task, __u32 tgid)
{
	return (scope_cgroup ? task_in_scope_cgroup(task) : pid_tracked(tgid)) || followed_tgid(tgid);
}

/* The task whose own pid PID is (a thread's, or a leader's), as pid_task(PID, PIDTYPE_PID); NULL once it is gone. */
static __always_inline struct task_struct *task_of_pid(struct pid *pid)
{
	struct hlist_node *first = pid ? BPF_CORE_READ(pid, tasks[0].first) : NULL;

	return first ? (void *)first - bpf_core_field_offset(struct task_struct, pid_links) : NULL;
}

/*
 * The task numbered NR in the caller's pid namespace, as find_task_by_vpid:
 * the namespace's idr is an xarray of 64 slots a level, and 6 levels cover
 * every 32-bit number.  NULL when there is none (or it is being made).
 */
#define XA_CHUNK_SHIFT_NR 6
#define XA_CHUNK_MASK_NR  63
#define MAX_PID_NS_LEVEL_NR 32

static __noinline struct task_struct *task_by_vpid(struct task_struct *caller, __u32 nr)
{
	struct pid *own = BPF_CORE_READ(caller, thread_pid);
	unsigned int level = own ? BPF_CORE_READ(own, level) : 0;
	struct pid_namespace *ns = NULL;
	unsigned long index, entry = 0;
	struct xa_node *node;
	struct pid *pid;
	unsigned char shift;

	if (!own || level > MAX_PID_NS_LEVEL_NR ||
	    bpf_probe_read_kernel(&ns, sizeof(ns), (void *)own + bpf_core_field_offset(struct pid, numbers) +
			       level * bpf_core_type_size(struct upid) + bpf_core_field_offset(struct upid, ns)) || !ns)
		return NULL;
	index = nr - BPF_CORE_READ(ns, idr.idr_base);
	entry = (unsigned long)BPF_CORE_READ(ns, idr.idr_rt.xa_head);
	/* a head that is no node holds index 0 alone */
	if ((entry & 3) != 2 || entry <= 4096)
		return index ? NULL : task_of_pid((void *)entry);
	for (int i = 0; i < 6 && (entry & 3) == 2 && entry > 4096; i++) {
		node = (void *)(entry - 2);
		shift = BPF_CORE_READ(node, shift);
		if (i == 0 && (index >> shift) > XA_CHUNK_MASK_NR)
			return NULL;
		if (bpf_probe_read_kernel(&entry, sizeof(entry), (void *)node + bpf_core_field_offset(struct xa_node, slots) +
					  ((index >> shift) & XA_CHUNK_MASK_NR) * sizeof(void *)))
			return NULL;
	}
	/* a struct pid is aligned; internal entries (a node still, a reserved slot) are not one */
	if (!entry || (entry & 3))
		return NULL;
	pid = (void *)entry;
	return task_of_pid(pid);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
	__u32 sender = bpf_get_current_pid_tgid() >> 32, target = BPF_CORE_READ(task, tgid);
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	int code;

	if (result != 0 || sender == target || sender == collector_tgid)
		return 0;
	if ((__u64)info <= 1)   /* SEND_SIG_NOINFO: kill() by current; SEND_SIG_PRIV: the kernel */
		code = (__u64)info == 0 ? SI_USER_NR : SI_KERNEL_NR;
	else
		code = BPF_CORE_READ(info, si_code);
	if (code > 0 || BPF_CORE_READ(cur, flags) & PF_KTHREAD_NR)
		return 0;
	if (!sent_by_current(code))
		return 0;
	if ((code == SI_USER_NR || code == SI_TKILL_NR) && sig > 0 && sig < 32 && (SIG_CONTROL_MASK & (1u << sig)))
		return 0;
	if (!task_in_build(task, target))
		return 0;
	if (in_scope())
		return 0;
	notice_send(KE_NOTICE_SIGNAL_FROM_OUTSIDE, 0, 0, target, (__u64)(__u32)code << 32 | (__u32)sig);
	return 0;
}

/*
 * The calls that had a syscalls:sys_exit_* program each before: one
 * program per call meant one perf-event tracepoint link per call, and
 * detaching such a link waits for a grace period (60 ms here, one after
 * the other), while a tp_btf link goes away at once.
 */
static __always_inline int native_exec_exit(long ret, __u32 call)
{
	struct call_args p = { .call = call, .dfd = AT_FDCWD };
	struct pt_regs *regs;

	if (ret >= 0)
		return 0;
	regs = call_regs();
	if (call == KE_CALL_EXECVEAT) {
		p.dfd = regs->di;
		p.name = regs->si;
		p.flags = regs->r8;
	} else {
		p.name = regs->di;
	}
	return exec_exit(ret, &p);
}

static __always_inline int recorded_call_exit(__u32 cls, long ret)
{
	if (cls >= KE_SYS_NET)
		return net_exit(ret, cls - KE_SYS_NET);
	if (cls >= KE_SYS_FOP)
		return fop_exit(ret, cls - KE_SYS_FOP);
	return native_exec_exit(ret, cls == KE_SYS_EXECVE ? KE_CALL_EXECVE : KE_CALL_EXECVEAT);
}

/*
 * An accept by a process outside the build, of a connection the build made:
 * that process is a daemon serving the build.  A unix connection is known
 * by the client's socket, a TCP one by the loopback port the build asked
 * for.  With --follow-daemons the daemon is traced from this accept on.
 * SK is the accepted socket, FD its descriptor (-1: a fixed-table slot), NR
 * the system call (0: an io_uring accept, FLAGS then says so).
 */
static __always_inline void daemon_check(struct sock *sk, __u32 nr, long fd, __u64 flags)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, client = 0, port = 0;
	__u16 family;
	__u8 one = 1;

	if (!sk)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == AF_UNIX_NR) {
		__u64 key = (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);

		if (!key || !bpf_map_lookup_elem(&build_socks, &key))
			return;
		client = BPF_CORE_READ(sk, sk_peer_pid, numbers[0].nr);
	} else if (family == AF_INET_NR || family == AF_INET6_NR) {
		port = BPF_CORE_READ(sk, __sk_common.skc_num);
		if (!bpf_map_lookup_elem(&loopback_ports, &port))
			return;
		/* which loopback address: two daemons may share a port on 127.0.0.2 and 127.0.0.3 */
		if (family == AF_INET_NR)
			client = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	} else {
		return;
	}
	if (follow_daemons) {
		if (bpf_map_update_elem(&followed, &tgid, &one, BPF_ANY))
			stat_inc(KE_STAT_TRACKED_FULL);
		else
			following = 1;
	}
	notice_send(KE_NOTICE_DAEMON, nr, fd, client,
		    flags | (follow_daemons ? KE_DAEMON_FOLLOWED : 0) | (__u64)family << 16 | port);
}

/*
 * A ptrace call of the build whose tracee is in the build too (a test suite's
 * debugger, LeakSanitizer stopping its own threads): what the tracer changes
 * there is the build's own doing, and what the tracee then does is recorded
 * like any of its calls (the sys_exit record comes before the tracer's exit
 * stop).  The tracee: the pid argument, looked up in the caller's pid
 * namespace (a thread counts as its process), or for PTRACE_TRACEME the
 * parent.  Kettle's collector is never in the build.
 */
#define PTRACE_TRACEME_NR 0

static __always_inline bool ptrace_within_build(struct task_struct *task, __u64 request, __u64 pid)
{
	struct task_struct *t = request == PTRACE_TRACEME_NR ? BPF_CORE_READ(task, real_parent) :
				task_by_vpid(task, pid);
	__u32 tgid = t ? BPF_CORE_READ(t, tgid) : 0;

	return tgid && tgid != collector_tgid && task_in_build(t, tgid);
}

/*
 * A process outside the build opened /proc/PID/mem of a process of the build
 * for writing (F, on procfs): it can write that process's memory.  The pid
 * is the proc inode's (the struct around the VFS inode): a thread's too, under
 * /proc/PID/task/TID/.
 */
#define PROC_SUPER_MAGIC_NR 0x9fa0

static __always_inline void proc_mem_check(struct file *f, struct inode *inode, long fd)
{
	struct proc_inode *pi = (void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
	const unsigned char *name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	struct task_struct *task;
	char base[4] = {};
	__u32 target;

	if (bpf_probe_read_kernel(base, sizeof(base), name) || base[0] != 'm' || base[1] != 'e' || base[2] != 'm' ||
	    base[3])
		return;
	task = task_of_pid(BPF_CORE_READ(pi, pid));
	target = task ? BPF_CORE_READ(task, tgid) : 0;
	if (target && task_in_build(task, target))
		notice_send(KE_NOTICE_PROCESS_FROM_OUTSIDE, 0, fd, target, 0);
}

/*
 * A process outside the build opened FD for writing: a FIFO the build reads
 * (fifo-from-outside), or a file the build wrote while it runs
 * (output-from-outside).
 */
static __always_inline void outside_write_check(struct task_struct *task, long fd)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, mode;
	struct file *f = fd_file(task, fd);
	struct inode_key k = {};
	struct inode *inode;

	if (tgid == collector_tgid || !f || !(BPF_CORE_READ(f, f_mode) & FMODE_WRITE_NR))
		return;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode)
		return;
	mode = BPF_CORE_READ(inode, i_mode) & S_IFMT_NR;
	inode_key_fill(&k, inode);
	if (mode == S_IFIFO_NR) {
		bpf_map_update_elem(&fifo_writers, &k, &tgid, BPF_ANY);
		__sync_fetch_and_add(&fifo_fence, 1);
		if (bpf_map_lookup_elem(&fifo_readers, &k))
			notice_send(KE_NOTICE_FIFO_FROM_OUTSIDE, KE_FIFO_WRITER_IS_NOTICED, fd, k.ino, 0);
	} else if (mode == S_IFREG_NR && bpf_map_lookup_elem(&build_writes, &k)) {
		notice_send(KE_NOTICE_OUTPUT_FROM_OUTSIDE, 0, fd, k.ino, 0);
	} else if (mode == S_IFREG_NR && BPF_CORE_READ(inode, i_sb, s_magic) == PROC_SUPER_MAGIC_NR) {
		proc_mem_check(f, inode, fd);
	}
}

/*
 * A process outside the build that reaches into one of the build's changes
 * it in ways no record shows: a ptrace attach (after which it can write the
 * tracee's memory and registers), a write of its memory, or a descriptor
 * taken from it (a write end the taker never opened).  The target: the
 * tracee just attached (the newest on the caller's ptraced list), the task
 * process_vm_writev's number names in the caller's pid namespace, the task
 * behind pidfd_getfd's pidfd; each may be a thread of the build.
 */
#define NR_PTRACE            101
#define NR_PROCESS_VM_WRITEV 311
#define NR_PIDFD_GETFD       438
#define PTRACE_ATTACH_NR     16
#define PTRACE_SEIZE_NR      0x4206
#define PIDFS_MAGIC_NR       0x50494446

static __always_inline void outside_reach_check(struct task_struct *task, __u64 nr, __u64 arg1, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, target;
	struct task_struct *reached = NULL;

	if (tgid == collector_tgid)     /* the caller passes successful calls only */
		return;
	if (nr == NR_PTRACE && (arg1 == PTRACE_ATTACH_NR || arg1 == PTRACE_SEIZE_NR)) {
		struct list_head *head = &task->ptraced, *first = BPF_CORE_READ(task, ptraced.next);

		if (!first || first == head)
			return;
		reached = (void *)first - bpf_core_field_offset(struct task_struct, ptrace_entry);
	} else if (nr == NR_PROCESS_VM_WRITEV) {
		reached = task_by_vpid(task, arg1);
	} else if (nr == NR_PIDFD_GETFD) {
		struct file *f = fd_file(task, arg1);
		struct inode *inode = f ? BPF_CORE_READ(f, f_inode) : NULL;
		struct pid *pid = NULL;

		/* the pidfd's pid: its pidfs inode's (6.9 on), or the anonymous file's (before) */
		if (inode && BPF_CORE_READ(inode, i_sb, s_magic) == PIDFS_MAGIC_NR)
			pid = BPF_CORE_READ(inode, i_private);
		else if (f)
			pid = BPF_CORE_READ(f, private_data);
		reached = task_of_pid(pid);
	} else {
		return;
	}
	/* a thread's id reaches its process: the target is the thread group */
	target = reached ? BPF_CORE_READ(reached, tgid) : 0;
	if (target && target != tgid && task_in_build(reached, target))
		notice_send(KE_NOTICE_PROCESS_FROM_OUTSIDE, nr, ret, target, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* every system call of the machine comes here: direct loads and one table lookup, then out */
	__u64 nr = regs->orig_ax, arg1, arg2;
	struct call_args a = {};
	bool compat;
	__u32 cls;

	if (nr >= KE_SYSCALL_NR_MAX)
		return 0;
	compat = task->thread_info.status & TS_COMPAT_NR;
	cls = compat ? compat_class[nr] : native_class[nr];
	if (!cls)
		return 0;
	if (cls >= KE_SYS_EXECVE) {     /* native only: the compat table never holds these */
		/* an accept by any process of the machine: is it a daemon serving the build? */
		if ((cls == KE_SYS_NET + KE_NET_ACCEPT || cls == KE_SYS_NET + KE_NET_ACCEPT4) && ret >= 0 &&
		    !in_scope()) {
			daemon_check(fd_sock(task, ret), nr, ret, 0);
			return 0;
		}
		return recorded_call_exit(cls, ret);
	}
	arg1 = compat ? BPF_CORE_READ(regs, bx) : BPF_CORE_READ(regs, di);
	arg2 = compat ? BPF_CORE_READ(regs, cx) : BPF_CORE_READ(regs, si);
	if ((cls < KE_SYS_OPEN || cls > KE_SYS_CREAT) && cls != KE_SYS_EXECVE_COMPAT && cls != KE_SYS_EXECVEAT_COMPAT) {
		/* a call that failed read, ran or reached nothing */
		if (ret < 0)
			return 0;
	}
	if (!in_scope()) {
		if (cls >= KE_SYS_OPEN && cls <= KE_SYS_CREAT && ret >= 0)
			outside_write_check(task, ret);
		else if (!compat && (cls == KE_NOTICE_PTRACE || cls == KE_SYS_PROCESS_VM || cls == KE_SYS_PIDFD_GETFD))
			outside_reach_check(task, nr, arg1, ret);
		return 0;
	}
	if (cls == KE_NOTICE_PTRACE && ptrace_within_build(task, compat ? (__u32)arg1 : arg1, compat ? (__u32)arg2 : arg2))
		return 0;
	if (cls < KE_NOTICE_WHAT_MAX) {
		notice_send(cls, nr, ret, compat ? (__u32)arg1 : arg1, compat ? (__u32)arg2 : arg2);
		return 0;
	}
	switch (cls) {
	case KE_SYS_OPEN ... KE_SYS_CREAT: {
		/* read once, as plain values: the verifier refuses one load serving both regs and the stack */
		__u64 a3 = BPF_CORE_READ(regs, dx), a4 = compat ? BPF_CORE_READ(regs, si) : BPF_CORE_READ(regs, r10);

		if (compat)
			open_args(cls, (__u32)arg1, (__u32)arg2, (__u32)a3, (__u32)a4, &a);
		else
			open_args(cls, arg1, arg2, a3, a4, &a);
		return open_exit(ret, &a, compat ? KE_OPEN_COMPAT : 0);
	}
	case KE_SYS_EXECVE_COMPAT:
		a.call = KE_CALL_EXECVE;
		a.dfd = AT_FDCWD;
		a.name = (__u32)arg1;
		return exec_exit(ret, &a);
	case KE_SYS_EXECVEAT_COMPAT:
		a.call = KE_CALL_EXECVEAT;
		a.dfd = (__s32)arg1;
		a.name = (__u32)arg2;
		a.flags = (__u32)BPF_CORE_READ(regs, di);
		return exec_exit(ret, &a);
	case KE_SYS_OPEN_BY_HANDLE:
		fd_open_send(task, ret, KE_CALL_OPEN_BY_HANDLE);
		break;
	case KE_SYS_PIDFD_GETFD:
		fd_open_send(task, ret, KE_CALL_PIDFD_GETFD);
		break;
	case KE_SYS_RECVMSG:
		recvmsg_fds(task, arg2, ret);
		break;
	case KE_SYS_RECVMMSG:
		recvmmsg_fds(arg2, ret);
		break;
	case KE_SYS_KILL:       /* kill(pid, sig), pidfd_open(pid, flags) */
		if ((arg1 == collector_tgid || (int)arg1 == -1) && (int)arg2 != 0)
			notice_send(KE_NOTICE_SIGNAL_TRACER, nr, ret, arg1, arg2);
		break;
	case KE_SYS_TKILL:      /* tgkill(tgid, tid, sig); tkill(tid, sig) */
		if (arg1 == collector_tgid)
			notice_send(KE_NOTICE_SIGNAL_TRACER, nr, ret, arg1, arg2);
		break;
	case KE_SYS_CLONE:      /* clone(flags, ...), unshare(flags) */
		if (arg1 & CLONE_NEW_MASK)
			notice_send(KE_NOTICE_NAMESPACE, nr, ret, arg1, 0);
		break;
	case KE_SYS_CLONE3: {
		__u64 flags = 0;

		bpf_probe_read_user(&flags, sizeof(flags), (void *)arg1);
		if (flags & CLONE_NEW_MASK)
			notice_send(KE_NOTICE_NAMESPACE, nr, ret, flags, 0);
		break;
	}
	case KE_SYS_PROCESS_VM: {
		/* the number is the caller's pid namespace's, and may be a thread's: what counts is its process */
		struct task_struct *t = task_by_vpid(task, arg1);

		if (!t || !task_in_build(t, BPF_CORE_READ(t, tgid)))
			notice_send(KE_NOTICE_PROCESS_VM, nr, ret, arg1, 0);
		break;
	}
	}
	return 0;
}

/*
 * connect, bind and the sends: what the caller passed, copied at entry for
 * net_exit.  Named on_net_* so that KETTLE_TRACE_CORE_ONLY leaves it out.
 * Every system call of the machine comes here too, so the fast path is one
 * table lookup by number, before anything else: the task is looked at only
 * for those five numbers, and a 32-bit call (its i386 number may be one of
 * them) is not copied (its exit is a notice).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(on_net_sys_enter, struct pt_regs *regs, long id)
{
	__u64 nr = id;
	__u32 call;

	if (nr >= KE_SYSCALL_NR_MAX)
		return 0;
	call = native_class[nr] - KE_SYS_NET;
	if (call != KE_NET_CONNECT && call != KE_NET_BIND && call != KE_NET_SENDTO && call != KE_NET_SENDMSG &&
	    call != KE_NET_SENDMMSG)
		return 0;
	if (bpf_get_current_task_btf()->thread_info.status & TS_COMPAT_NR)
		return 0;
	return net_enter(call, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx),
			 BPF_CORE_READ(regs, r8), BPF_CORE_READ(regs, r9));
}

/* ---- io_uring ---------------------------------------------------------- */

/*
 * Work submitted through an io_uring is done by the kernel for the process:
 * inline in io_uring_enter, in the ring's SQPOLL thread, or in an io-wq
 * worker.  Since 5.12 the last two are threads of the process that set the
 * ring up or submitted to it, so current's tgid is in scope exactly when
 * that process is.  io_uring_create remembers the rings the build made;
 * io_uring_submit_req (6.1: io_uring_submit_sqe) sees each request before it
 * runs and flags what cannot be recorded; io_uring_complete sees its result
 * and records it like the syscall twin.  Raw tracepoints, because the
 * prototypes differ between 6.1 and 6.18: the request is the same argument
 * in both, and everything else is read from it with CO-RE.
 */

/* Opcodes (uapi values, stable across kernels): those this section looks at. */
#define URING_OP_SENDMSG          9
#define URING_OP_RECVMSG          10
#define URING_OP_ACCEPT           13
#define URING_OP_CONNECT          16
#define URING_OP_OPENAT           18
#define URING_OP_SEND             26
#define URING_OP_OPENAT2          28
#define URING_OP_RENAMEAT         35
#define URING_OP_UNLINKAT         36
#define URING_OP_MKDIRAT          37
#define URING_OP_SYMLINKAT        38
#define URING_OP_LINKAT           39
#define URING_OP_MSG_RING         40
#define URING_OP_SOCKET           45
#define URING_OP_URING_CMD        46
#define URING_OP_SEND_ZC          47
#define URING_OP_SENDMSG_ZC       48
#define URING_OP_FIXED_FD_INSTALL 54
/* IORING_OP_PIPE (62) is the last opcode reviewed here: a newer one is flagged until it is */
#define URING_OPS_REVIEWED        63

#define IORING_SETUP_SQPOLL_NR     0x2
#define IORING_FILE_INDEX_ALLOC_NR 0xffffffffu
/* io_kiocb.flags bits, the same in 6.1 and 6.18 (their BTF); the low ones mirror IOSQE_* */
#define REQ_F_FIXED_FILE_NR        (1ull << 0)
#define REQ_F_CQE_SKIP_NR          (1ull << 6)
#define REQ_F_APOLL_MULTISHOT_NR   (1ull << 27)
/* The low bits of a fixed-file table entry are flags (FFS_NOWAIT, FFS_ISREG, 6.1's FFS_SCM). */
#define FFS_MASK_NR                (~7ull)
#define TCP_ESTABLISHED_NR         1
#define SOCK_STREAM_NR             1
#define SOCK_SEQPACKET_NR          5

/* What the submit program does with an opcode. */
enum uring_op_class {
	UOP_NOTHING = 0,        /* reads, writes, polls, closes descriptors already recorded */
	UOP_AT_COMPLETION,      /* recorded, or checked, with its result */
	UOP_FLAG,               /* its effect cannot be recorded: a notice naming it */
};

static __always_inline enum uring_op_class uring_op_class(__u8 op)
{
	switch (op) {
	case URING_OP_OPENAT:
	case URING_OP_OPENAT2:
	case URING_OP_SOCKET:
	case URING_OP_ACCEPT:
	case URING_OP_CONNECT:
	case URING_OP_SEND:
	case URING_OP_SENDMSG:
	case URING_OP_SEND_ZC:
	case URING_OP_SENDMSG_ZC:
	case URING_OP_RECVMSG:
		return UOP_AT_COMPLETION;
	case URING_OP_RENAMEAT:
	case URING_OP_UNLINKAT:
	case URING_OP_MKDIRAT:
	case URING_OP_SYMLINKAT:
	case URING_OP_LINKAT:
	case URING_OP_MSG_RING:         /* can hand a file to, or take one from, a ring of another process */
	case URING_OP_URING_CMD:        /* a driver's own command: anything */
	case URING_OP_FIXED_FD_INSTALL:
		return UOP_FLAG;
	}
	return op >= URING_OPS_REVIEWED ? UOP_FLAG : UOP_NOTHING;
}

/* Rings set up by a process of the build (struct io_ring_ctx *); LRU: a ring forgotten is flagged, never trusted. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} uring_rings SEC(".maps");

/*
 * Every io_uring request of the machine comes through these programs, the
 * hasher's of this very run first of all: the collector is out before any
 * map lookup.
 */
static __always_inline bool uring_in_scope(void)
{
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == collector_tgid)
		return false;
	return in_scope();
}

/* One notice per (process, opcode). */
static __always_inline void uring_op_flag(__u8 op, long ret)
{
	notice_send_keyed(KE_NOTICE_IO_URING_OP | (__u32)op << 8, KE_NOTICE_IO_URING_OP, 0, ret, op, 0);
}

/* The fixed-file table in 6.1: an array of tagged pointers, nr_user_files long. */
struct io_fixed_file___v61 {
	unsigned long file_ptr;
} __attribute__((preserve_access_index));
struct io_file_table___v61 {
	struct io_fixed_file___v61 *files;
} __attribute__((preserve_access_index));
struct io_ring_ctx___v61 {
	struct io_file_table___v61 file_table;
	unsigned int nr_user_files;
} __attribute__((preserve_access_index));

/* In 6.18: resource nodes, each holding a tagged pointer. */
struct io_rsrc_node___v618 {
	unsigned long file_ptr;
} __attribute__((preserve_access_index));
struct io_rsrc_data___v618 {
	unsigned int nr;
	struct io_rsrc_node___v618 **nodes;
} __attribute__((preserve_access_index));
struct io_file_table___v618 {
	struct io_rsrc_data___v618 data;
} __attribute__((preserve_access_index));
struct io_ring_ctx___v618 {
	struct io_file_table___v618 file_table;
} __attribute__((preserve_access_index));

/* The file in fixed-file slot SLOT of RING (a direct open, socket or accept put it there), or NULL. */
static __always_inline struct file *uring_fixed_file(void *ring, __u32 slot)
{
	unsigned long ptr = 0;

	if (bpf_core_field_exists(struct io_file_table___v618, data)) {
		struct io_ring_ctx___v618 *c = ring;
		struct io_rsrc_node___v618 *node = NULL;
		struct io_rsrc_node___v618 **nodes = BPF_CORE_READ(c, file_table.data.nodes);

		if (slot >= BPF_CORE_READ(c, file_table.data.nr) || !nodes)
			return NULL;
		bpf_core_read(&node, sizeof(node), &nodes[slot]);
		if (node)
			ptr = BPF_CORE_READ(node, file_ptr);
	} else if (bpf_core_field_exists(struct io_file_table___v61, files)) {
		struct io_ring_ctx___v61 *c = ring;
		struct io_fixed_file___v61 *files = BPF_CORE_READ(c, file_table.files);

		if (slot >= BPF_CORE_READ(c, nr_user_files) || !files)
			return NULL;
		bpf_core_read(&ptr, sizeof(ptr), &files[slot].file_ptr);
	}
	return (struct file *)(ptr & FFS_MASK_NR);
}

/*
 * The file a request that makes one (open, socket, accept) produced: RES is
 * a descriptor, or with FILE_SLOT set (a direct request) the file went into
 * the ring's fixed table: slot FILE_SLOT - 1, or RES when the kernel chose it.
 */
static __always_inline struct file *uring_new_file(struct task_struct *task, struct io_kiocb *req, __u32 file_slot,
						   long res)
{
	if (!file_slot)
		return fd_file(task, res);
	return uring_fixed_file(BPF_CORE_READ(req, ctx),
				file_slot == IORING_FILE_INDEX_ALLOC_NR ? (__u32)res : file_slot - 1);
}

/*
 * An open that succeeded: the file's own path and identity with the
 * request's flags, mode and dfd.  A failed one is not recorded: the kernel
 * has freed the name by the time the request completes.
 */
/*
 * The name of each io_uring open in flight: the kernel frees it before the
 * completion, and a failed open (an absent file probed) is known only by it.
 * Keyed by the request.
 */
struct uring_open_name {
	char name[KE_STR_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct uring_open_name);
} uring_open_names SEC(".maps");

/* At submission (the request is prepared: its name copied into the kernel). */
static __always_inline void uring_open_name_keep(struct io_kiocb *req)
{
	const char *name = BPF_CORE_READ((struct io_open *)req, filename, name);
	__u64 key = (__u64)req;
	struct scratch *s = scratch_get();

	if (!s || !name)
		return;
	if (bpf_probe_read_kernel_str(s->buf, KE_STR_MAX, name) <= 0)
		return;
	if (bpf_map_update_elem(&uring_open_names, &key, s->buf, BPF_ANY))
		stat_inc(KE_STAT_PENDING_FULL);
}

/* A failed io_uring open, like a failed openat: the name as passed and the directory it was relative to. */
static __always_inline void uring_open_failed(struct task_struct *task, struct io_kiocb *req, long res)
{
	struct io_open *o = (void *)req;
	__u64 key = (__u64)req;
	struct uring_open_name *kept = bpf_map_lookup_elem(&uring_open_names, &key);
	__u32 off = sizeof(struct ke_open);
	struct scratch *s;
	struct ke_open *ev;
	long n;

	if (!kept) {
		/* evicted by other opens in flight: a failed open not recorded is counted */
		stat_inc(KE_STAT_PENDING_FULL);
		return;
	}
	s = scratch_get();
	if (!s)
		goto out;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_OPEN);
	ev->ret = res;
	ev->call = KE_CALL_IO_URING_OPEN;
	ev->flags = BPF_CORE_READ(o, how.flags);
	ev->mode = BPF_CORE_READ(o, how.mode);
	ev->dfd = BPF_CORE_READ(o, dfd);
	ev->open_flags = 0;
	ev->dev = ev->ino = 0;
	ev->size = ev->mtime_ns = ev->ctime_ns = 0;
	ev->path_len = 0;
	ev->path_flags = 0;
	if (kept->name[0] != '/') {
		ev->path_len = base_dir_append(s, &off, task, ev->dfd, &ev->path_flags);
		ev->open_flags |= KE_OPEN_BASE_DIR;
	}
	n = bpf_probe_read_kernel_str(&s->buf[off & SCRATCH_MASK], KE_STR_MAX, kept->name);
	ev->name_len = n > 0 ? n : 0;
	off += ev->name_len;
	record_submit(ev, off, KE_OPEN);
out:
	bpf_map_delete_elem(&uring_open_names, &key);
}

static __always_inline void uring_open_done(struct task_struct *task, struct io_kiocb *req, long res)
{
	struct io_open *o = (void *)req;
	struct call_args a = { .call = KE_CALL_IO_URING_OPEN };
	__u64 key = (__u64)req;

	if (res < 0) {
		uring_open_failed(task, req, res);
		return;
	}
	bpf_map_delete_elem(&uring_open_names, &key);
	a.flags = BPF_CORE_READ(o, how.flags);
	a.mode = BPF_CORE_READ(o, how.mode);
	a.dfd = BPF_CORE_READ(o, dfd);
	file_open_send(uring_new_file(task, req, BPF_CORE_READ(o, file_slot), res), res, KE_CALL_IO_URING_OPEN, &a);
}

/*
 * socket, accept, connect: a net record like the syscall's.  Its fd is -1:
 * a request names its socket by a number the record does not keep (or by a
 * fixed-table slot).
 */
static __always_inline void uring_net_done(struct task_struct *task, struct io_kiocb *req, __u8 op, long res)
{
	__u32 off = sizeof(struct ke_net), zero = 0;
	struct net_pending *p;
	struct scratch *s;
	struct ke_net *ev;
	struct sock *sk = NULL;

	s = scratch_get();
	if (!s)
		return;
	ev = (void *)s->buf;
	header_fill(&ev->h, KE_NET);
	__builtin_memset(&ev->ret, 0, sizeof(*ev) - sizeof(ev->h));
	ev->ret = res;
	ev->fd = -1;
	if (op == URING_OP_SOCKET) {
		struct io_socket *so = (void *)req;
		__u32 type = BPF_CORE_READ(so, type);

		ev->call = KE_NET_SOCKET;
		ev->family = BPF_CORE_READ(so, domain);
		ev->sock_type = type & 0xf;
		ev->flags = type & ~0xfu;
		ev->protocol = BPF_CORE_READ(so, protocol);
		goto submit;
	}
	if (op == URING_OP_ACCEPT) {
		struct io_accept *ac = (void *)req;

		ev->call = KE_NET_ACCEPT4;
		ev->flags = BPF_CORE_READ(ac, flags);
		if (res >= 0)
			sk = file_sock(uring_new_file(task, req, BPF_CORE_READ(ac, file_slot), res));
	} else {
		ev->call = KE_NET_CONNECT;
		sk = file_sock(BPF_CORE_READ(req, file));
	}
	if (sk) {
		ev->sock_type = BPF_CORE_READ(sk, sk_type);
		ev->protocol = BPF_CORE_READ(sk, sk_protocol);
	}
	if (sk && res >= 0) {
		sock_fill(s, &off, ev, sk, true);
	} else if (op == URING_OP_CONNECT) {
		/* a connect that failed: the address as passed, still in the process's memory */
		struct io_connect *co = (void *)req;

		p = bpf_map_lookup_elem(&net_pending_scratch, &zero);
		if (p) {
			sa_copy(p, (__u64)BPF_CORE_READ(co, addr), BPF_CORE_READ(co, addr_len));
			if (p->salen >= 2)
				sa_fill(s, &off, ev, p->sa, p->salen);
		}
	}
submit:
	record_submit(ev, off, KE_NET);
}

/*
 * A send on a connected stream socket goes to the peer its connect recorded.
 * Any other (a datagram socket, which may name a destination per message)
 * is flagged: the destination is not recorded.
 */
static __always_inline void uring_send_done(struct io_kiocb *req, __u8 op, long res)
{
	struct sock *sk;
	__u16 type;

	if (res < 0)
		return;
	sk = file_sock(BPF_CORE_READ(req, file));
	if (sk) {
		type = BPF_CORE_READ(sk, sk_type);
		if ((type == SOCK_STREAM_NR || type == SOCK_SEQPACKET_NR) &&
		    BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_ESTABLISHED_NR)
			return;
	}
	uring_op_flag(op, res);
}

SEC("raw_tp/io_uring_create")
int BPF_PROG(on_uring_create, int fd, void *ring, __u32 sq_entries, __u32 cq_entries, __u32 flags)
{
	__u64 key = (__u64)ring;
	__u8 one = 1;

	if (!uring_in_scope())
		return 0;
	bpf_map_update_elem(&uring_rings, &key, &one, BPF_ANY);
	/*
	 * With IORING_SETUP_ATTACH_WQ the SQPOLL thread may be another process's,
	 * which runs this ring's requests where no program here attributes them.
	 */
	if (flags & IORING_SETUP_SQPOLL_NR) {
		__u32 owner = BPF_CORE_READ((struct io_ring_ctx *)ring, sq_data, task_tgid);

		if (owner && owner != (__u32)(bpf_get_current_pid_tgid() >> 32) && !pid_tracked(owner))
			notice_send(KE_NOTICE_IO_URING, 0, fd, KE_URING_FOREIGN_SQPOLL, owner);
	}
	return 0;
}

/*
 * A process outside the build that submits to a ring of the build (its
 * descriptor taken with pidfd_getfd, or the ring inherited the other way) or
 * sends a message into one (IORING_OP_MSG_RING: 96 bits of data, or a file put
 * into the ring's fixed table) hands the build what no event of the build
 * records.  The message's target is the file named by the request's fd, read
 * before the request runs: the kernel assigns req->file only at issue.
 */
static __always_inline void uring_outside_submit(struct io_kiocb *req)
{
	__u64 ring = (__u64)BPF_CORE_READ(req, ctx);

	if (BPF_CORE_READ(req, opcode) == URING_OP_MSG_RING) {
		int fd = BPF_CORE_READ(req, cqe.fd);
		struct file *target;

		if (BPF_CORE_READ_BITFIELD_PROBED(req, flags) & REQ_F_FIXED_FILE_NR)
			target = uring_fixed_file((void *)ring, fd);
		else
			target = fd_file((struct task_struct *)bpf_get_current_task(), fd);
		ring = (__u64)BPF_CORE_READ(target, private_data);
	}
	if (ring && bpf_map_lookup_elem(&uring_rings, &ring))
		notice_send(KE_NOTICE_IO_URING, 0, 0, KE_URING_OUTSIDE_SUBMITTER, 0);
}

static __always_inline int uring_submit(struct io_kiocb *req)
{
	__u64 ring, flags;
	enum uring_op_class cls;
	__u8 op;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == collector_tgid)
		return 0;
	if (!in_scope()) {
		uring_outside_submit(req);
		return 0;
	}
	/* a ring from outside the build (inherited, received) may hold files no event recorded */
	ring = (__u64)BPF_CORE_READ(req, ctx);
	if (!bpf_map_lookup_elem(&uring_rings, &ring))
		notice_send(KE_NOTICE_IO_URING, 0, 0, KE_URING_FOREIGN_RING, 0);
	op = BPF_CORE_READ(req, opcode);
	cls = uring_op_class(op);
	if (cls == UOP_NOTHING)
		return 0;
	if (cls == UOP_FLAG) {
		uring_op_flag(op, 0);
		return 0;
	}
	if (op == URING_OP_OPENAT || op == URING_OP_OPENAT2)
		uring_open_name_keep(req);
	/*
	 * What the completion program must see but will not: a success whose
	 * completion is skipped (IOSQE_CQE_SKIP_SUCCESS), or the results of a
	 * multishot accept or recvmsg after the first, posted with no request.
	 */
	flags = BPF_CORE_READ_BITFIELD_PROBED(req, flags);
	if ((flags & REQ_F_CQE_SKIP_NR) ||
	    ((flags & REQ_F_APOLL_MULTISHOT_NR) && (op == URING_OP_ACCEPT || op == URING_OP_RECVMSG)))
		uring_op_flag(op, 0);
	return 0;
}

/* The loader keeps the one of these two the kernel has (tracer.c). */
SEC("raw_tp/io_uring_submit_req")
int BPF_PROG(on_uring_submit_req, struct io_kiocb *req)
{
	return uring_submit(req);
}

SEC("raw_tp/io_uring_submit_sqe")
int BPF_PROG(on_uring_submit_sqe, struct io_kiocb *req)
{
	return uring_submit(req);
}

/*
 * An accept through an io_uring by a process outside the build: a daemon
 * when the connection is the build's, as for accept(2).  Its completion runs
 * in the daemon (inline, or a worker thread of it), so the new file is found
 * as the request made it.
 */
static __always_inline void uring_outside_accept(struct io_kiocb *req)
{
	struct task_struct *task;
	__u32 slot;
	long res;

	if ((__u32)(bpf_get_current_pid_tgid() >> 32) == collector_tgid ||
	    BPF_CORE_READ(req, opcode) != URING_OP_ACCEPT)
		return;
	res = BPF_CORE_READ(req, cqe.res);
	if (res < 0)
		return;
	task = (struct task_struct *)bpf_get_current_task();
	slot = BPF_CORE_READ((struct io_accept *)req, file_slot);
	daemon_check(file_sock(uring_new_file(task, req, slot, res)), 0, slot ? -1 : res, KE_DAEMON_IO_URING);
}

SEC("raw_tp/io_uring_complete")
int BPF_PROG(on_uring_complete, void *ring, struct io_kiocb *req)
{
	struct task_struct *task;
	long res;
	__u8 op;

	/* a completion posted without a request (multishot, MSG_RING) was flagged at submission */
	if (!req)
		return 0;
	if (!uring_in_scope()) {
		uring_outside_accept(req);
		return 0;
	}
	op = BPF_CORE_READ(req, opcode);
	if (uring_op_class(op) != UOP_AT_COMPLETION)
		return 0;
	res = BPF_CORE_READ(req, cqe.res);
	task = (struct task_struct *)bpf_get_current_task();
	switch (op) {
	case URING_OP_OPENAT:
	case URING_OP_OPENAT2:
		uring_open_done(task, req, res);
		break;
	case URING_OP_SOCKET:
	case URING_OP_ACCEPT:
	case URING_OP_CONNECT:
		uring_net_done(task, req, op, res);
		break;
	case URING_OP_RECVMSG:
		if (res >= 0)
			recvmsg_fds(task, (__u64)BPF_CORE_READ((struct io_sr_msg *)req, umsg), res);
		break;
	default:
		uring_send_done(req, op, res);
		break;
	}
	return 0;
}

/*
 * Run by the collector on itself at the start and at the end of kettle run
 * (collect/inherited_pipes.c): the pipes it holds are those the build
 * inherits, and a read by the build moves their reader position.  Nothing
 * runs it on the build's behalf, so it costs the build nothing.
 */
SEC("iter/task_file")
int pipe_states(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct ke_pipe_state st = {};
	struct pipe_inode_info *pipe;
	struct pipe_buffer *bufs;
	__u32 ring;

	if (!task || !file || task->tgid != collector_tgid)
		return 0;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT_NR) == S_IFCHR_NR) {
		__u32 major = BPF_CORE_READ(file, f_inode, i_rdev) >> 20;
		struct tty_file_private *priv;
		struct n_tty_data *ld;

		/* tty, ttyS (4), tty/console/ptmx (5), pts (136-143): their tty_struct is behind private_data */
		if (major != 4 && major != 5 && (major < 136 || major > 143))
			return 0;
		priv = BPF_CORE_READ(file, private_data);
		ld = (struct n_tty_data *)BPF_CORE_READ(priv, tty, disc_data);
		if (!ld)
			return 0;
		st.fd = ctx->fd;
		st.ino = BPF_CORE_READ(file, f_inode, i_ino);
		st.tail = (__u32)BPF_CORE_READ(ld, read_tail);
		st.kind = KE_PIPE_TERMINAL;
		bpf_seq_write(ctx->meta->seq, &st, sizeof(st));
		return 0;
	}
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT_NR) != S_IFIFO_NR)
		return 0;
	pipe = BPF_CORE_READ(file, f_inode, i_pipe);
	if (!pipe)
		return 0;
	st.fd = ctx->fd;
	st.ino = BPF_CORE_READ(file, f_inode, i_ino);
	st.tail = BPF_CORE_READ(pipe, tail);
	ring = BPF_CORE_READ(pipe, ring_size);
	bufs = BPF_CORE_READ(pipe, bufs);
	if (ring && bufs) {
		struct pipe_buffer *b = (void *)bufs + (__u64)(st.tail & (ring - 1)) * bpf_core_type_size(struct pipe_buffer);

		st.tail_offset = BPF_CORE_READ(b, offset);
	}
	bpf_seq_write(ctx->meta->seq, &st, sizeof(st));
	return 0;
}
