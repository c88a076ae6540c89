// SPDX-License-Identifier: MIT
/* Loading and attaching the BPF programs, and their maps. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/events.h"
#include "collect/cgroup_scope.h"
#include "collect/core_btf.h"
#include "collect/proc_scan.h"
#include "collect/syscall_class.h"
#include "collect/tracer.h"
#include "kettle.skel.h"

#define TRACEFS_MAGIC_NR 0x74726163

struct tracer {
	struct kettle_bpf *skel;
	struct core_btf core;   /* the cached kernel BTF copy for CO-RE */
	bool core_copy_used;    /* ... and the programs were loaded with it */
	int ncpus;
	int cgroup_fd;          /* the scope's cgroup (the caller's descriptor), -1: tree scope */
};

/* Which syscalls this kernel has is read from tracefs; mount it where it is missing. */
static int tracefs_ensure(char *err, size_t errlen)
{
	struct statfs st;

	if (statfs("/sys/kernel/tracing", &st) == 0 && st.f_type == TRACEFS_MAGIC_NR)
		return 0;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		return 0;
	if (statfs("/sys/kernel/debug/tracing", &st) == 0 && st.f_type == TRACEFS_MAGIC_NR)
		return 0;
	snprintf(err, errlen, "tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s",
		 strerror(errno));
	return -1;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	if (getenv("KETTLE_DEBUG_BPF"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/*
 * KETTLE_TRACE_CORE_ONLY=1 leaves out the network and file-tree programs
 * (on_net_*, on_fop_*) and their calls in the sys_exit table: only process,
 * exec and open events.  For measuring what those programs cost
 * (tools/bench/tracer-overhead --modes kettle_core).
 */
static void core_only(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (!strncmp(name, "on_net_", 7) || !strncmp(name, "on_fop_", 7))
			bpf_program__set_autoload(prog, false);
	}
}

/* Whether tracefs lists the trace event GROUP/NAME, i.e. the kernel has it. */
static bool has_trace_event(const char *group, const char *name)
{
	static const char *const roots[] = { "/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events" };
	char path[256];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", roots[i], group, name);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* Whether the kernel has this syscalls/ tracepoint (NAME: sys_exit_CALL), i.e. the call. */
static bool has_syscall_tracepoint(const char *name)
{
	return has_trace_event("syscalls", name);
}

/* Whether the sched_process_exit trace event's format has a group_dead field. */
static bool exit_format_has_group_dead(void)
{
	static const char *const paths[] = { "/sys/kernel/tracing/events/sched/sched_process_exit/format",
					     "/sys/kernel/debug/tracing/events/sched/sched_process_exit/format" };
	char line[256];
	bool yes = false;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "r");

		if (!f)
			continue;
		while (!yes && fgets(line, sizeof(line), f))
			yes = strstr(line, "field:bool group_dead;") != NULL;
		fclose(f);
		break;
	}
	return yes;
}

/*
 * sched_process_exit passes group_dead on newer kernels (6.18: yes, 6.1: no).
 * A group_dead field in the trace event's format says yes, and reading the
 * format takes well under a millisecond, where parsing the kernel's BTF
 * takes 0.1 s (and libbpf parses it again at load); a wrong yes would fail
 * the load loudly, never load a wrong program.  Without the field, the BTF
 * decides: its btf_trace_sched_process_exit prototype is
 * (void *, struct task_struct *[, bool]).  Without an answer, the program
 * that needs no group_dead, which loads everywhere.
 */
static bool exit_passes_group_dead(void)
{
	struct btf *btf;
	const struct btf_type *t = NULL;
	bool yes;
	int id;

	if (exit_format_has_group_dead())
		return true;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	if (id > 0)
		t = btf__type_by_id(btf, id);
	if (t)
		t = btf__type_by_id(btf, t->type);     /* pointer */
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);     /* function prototype */
	yes = t && btf_is_func_proto(t) && btf_vlen(t) >= 3;
	btf__free(btf);
	return yes;
}

/*
 * The io_uring programs: the submit tracepoint is io_uring_submit_req since
 * 6.0 (6.1 still calls it io_uring_submit_sqe); the request is the first
 * argument of either.  A raw tracepoint with fewer arguments than its
 * program reads fails the attach loudly.  Returns whether they will be
 * attached; when not (a kernel without io_uring or without these
 * tracepoints), none is loaded and setting up a ring stays a notice.
 */
static bool pick_uring_programs(struct tracer *t)
{
	bool req = has_trace_event("io_uring", "io_uring_submit_req");
	bool sqe = !req && has_trace_event("io_uring", "io_uring_submit_sqe");
	bool all = (req || sqe) && has_trace_event("io_uring", "io_uring_complete") &&
		   has_trace_event("io_uring", "io_uring_create");

	bpf_program__set_autoload(t->skel->progs.on_uring_submit_req, all && req);
	bpf_program__set_autoload(t->skel->progs.on_uring_submit_sqe, all && sqe);
	bpf_program__set_autoload(t->skel->progs.on_uring_complete, all);
	bpf_program__set_autoload(t->skel->progs.on_uring_create, all);
	return all;
}

bool tracer_traces_net_and_files(void)
{
	const char *v = getenv("KETTLE_TRACE_CORE_ONLY");

	return !v || !strcmp(v, "0") || !v[0];
}

/* Opens the object, with the cached BTF copy when BTF_PATH is set, and configures it as OPT says. */
static int open_configured(struct tracer *t, const struct tracer_options *opt, const char *btf_path, char *err,
			   size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf_path);
	bool uring;
	int rc;

	t->skel = kettle_bpf__open_opts(&oo);
	if (!t->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (!tracer_traces_net_and_files())
		core_only(t->skel->obj);
	/* module autoload: an event only where the kernel can load modules */
	if (!has_trace_event("module", "module_request"))
		bpf_program__set_autoload(t->skel->progs.on_module_request, false);
	if (exit_passes_group_dead())
		bpf_program__set_autoload(t->skel->progs.on_exit_task_only, false);
	else
		bpf_program__set_autoload(t->skel->progs.on_exit, false);
	uring = pick_uring_programs(t);
	/* run on demand by tracer_pipe_states, never attached to an event */
	bpf_program__set_autoattach(t->skel->progs.pipe_states, false);
	t->skel->rodata->scope_cgroup = opt->cgroup_fd >= 0;
	if (opt->cgroup_fd >= 0) {
		struct stat st;

		/* a cgroup v2 folder's inode number is its kernfs id, which the signal check compares */
		if (fstat(opt->cgroup_fd, &st)) {
			snprintf(err, errlen, "cannot stat the scope's cgroup: %s", strerror(errno));
			return -1;
		}
		t->skel->rodata->scope_cgroup_id = st.st_ino;
	}
	t->skel->rodata->wakeup_bytes = opt->ringbuf_bytes / 8;
	t->skel->rodata->capture_env = !opt->env_off;
	t->skel->rodata->collector_tgid = getpid();
	t->skel->rodata->follow_daemons = opt->follow_daemons;
	syscall_class_native((uint8_t *)t->skel->rodata->native_class, tracer_traces_net_and_files(),
			     has_syscall_tracepoint, uring);
	syscall_class_compat((uint8_t *)t->skel->rodata->compat_class);
	rc = bpf_map__set_max_entries(t->skel->maps.events, opt->ringbuf_bytes);
	if (rc) {
		snprintf(err, errlen, "ring buffer size %zu rejected: %s", opt->ringbuf_bytes, strerror(-rc));
		return -1;
	}
	return 0;
}

/*
 * Opens, configures and loads the programs: with the cached copy of the
 * kernel's BTF (collect/core_btf.h) when there is one and what it relocates
 * matches the full BTF's, else with the full BTF, after which the copy is
 * made for the next run.
 */
static int load_programs(struct tracer *t, const struct tracer_options *opt, char *err, size_t errlen)
{
	size_t elf_len = 0;
	const void *elf = kettle_bpf__elf_bytes(&elf_len);
	bool have_cache = core_btf_lookup(&t->core, elf, elf_len) == 0;
	int rc;

	if (have_cache && t->core.cached) {
		t->core_copy_used = open_configured(t, opt, t->core.btf, err, errlen) == 0 &&
				    kettle_bpf__load(t->skel) == 0 && core_btf_matches(&t->core, t->skel->obj);
		if (t->core_copy_used)
			return 0;
		/* not what the full BTF gives (or unusable): never trusted again */
		kettle_bpf__destroy(t->skel);
		t->skel = NULL;
		core_btf_drop(&t->core);
	}
	if (open_configured(t, opt, NULL, err, errlen))
		return -1;
	rc = kettle_bpf__load(t->skel);
	if (rc) {
		snprintf(err, errlen, "loading the BPF programs failed: %s (run as root on a kernel with BTF; KETTLE_DEBUG_BPF=1 shows the verifier log)",
			 strerror(-rc));
		return -1;
	}
	if (have_cache)
		core_btf_make(&t->core, t->skel->obj, elf, elf_len);   /* a faster next start, or nothing */
	return 0;
}

struct tracer *tracer_open(const struct tracer_options *opt, char *err, size_t errlen)
{
	struct tracer *t;
	int rc;

	libbpf_set_print(silent_print);
	if (tracefs_ensure(err, errlen))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cgroup_fd = opt->cgroup_fd;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		snprintf(err, errlen, "cannot count CPUs: %s", strerror(-t->ncpus));
		goto fail;
	}
	rc = load_programs(t, opt, err, errlen);
	if (rc)
		goto fail;
	if (opt->cgroup_fd >= 0) {
		__u32 zero = 0;

		if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.scope_cgrp), &zero, &opt->cgroup_fd, BPF_ANY)) {
			snprintf(err, errlen, "setting the cgroup scope failed: %s", strerror(errno));
			goto fail;
		}
	}
	/* configuration, like the rodata libbpf froze at load: no process can change it afterwards */
	if (bpf_map_freeze(bpf_map__fd(t->skel->maps.scope_cgrp))) {
		snprintf(err, errlen, "freezing the cgroup scope failed: %s", strerror(errno));
		goto fail;
	}
	rc = kettle_bpf__attach(t->skel);
	if (rc) {
		snprintf(err, errlen, "attaching the tracepoints failed: %s", strerror(-rc));
		goto fail;
	}
	return t;
fail:
	tracer_close(t);
	return NULL;
}

static int track(struct tracer *t, pid_t pid, __u64 flags)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.tracked), &key, &one, flags))
		return -errno;
	return 0;
}

int tracer_track(struct tracer *t, pid_t pid)
{
	return track(t, pid, BPF_ANY);
}

int tracer_track_new(struct tracer *t, pid_t pid)
{
	return track(t, pid, BPF_NOEXIST);
}

int tracer_untrack(struct tracer *t, pid_t pid)
{
	__u32 key = pid;

	if (bpf_map_delete_elem(bpf_map__fd(t->skel->maps.tracked), &key) && errno != ENOENT)
		return -errno;
	return 0;
}

int tracer_follow(struct tracer *t, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.followed), &key, &one, BPF_ANY))
		return -errno;
	__atomic_store_n(&t->skel->bss->following, 1, __ATOMIC_RELEASE);
	return 0;
}

bool tracer_is_tracked(struct tracer *t, pid_t pid)
{
	__u32 key = pid;
	__u8 v;

	return bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.tracked), &key, &v) == 0;
}

bool tracer_is_followed(struct tracer *t, pid_t pid)
{
	__u32 key = pid;
	__u8 v;

	return bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.followed), &key, &v) == 0;
}

bool tracer_in_scope(struct tracer *t, pid_t pid)
{
	return t->cgroup_fd >= 0 ? cgroup_fd_holds(t->cgroup_fd, pid) : tracer_is_tracked(t, pid);
}

long tracer_tracked_count(struct tracer *t)
{
	int fd = bpf_map__fd(t->skel->maps.tracked);
	__u32 key, next;
	long n = 0;
	__u32 *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		n++;
		key = next;
		prev = &key;
	}
	return errno == ENOENT ? n : -1;
}

int tracer_tracked_pids(struct tracer *t, struct pid_list *out)
{
	int fd = bpf_map__fd(t->skel->maps.tracked);
	__u32 key, next, *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (pid_list_add(out, (pid_t)next))
			return -ENOMEM;
		key = next;
		prev = &key;
	}
	return errno == ENOENT ? 0 : -errno;
}

int tracer_read_losses(struct tracer *t, struct log_losses *out)
{
	int fd = bpf_map__fd(t->skel->maps.stats);
	__u64 vals[t->ncpus];
	__u64 sum[KE_STAT_MAX] = { 0 };

	for (__u32 k = 0; k < KE_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			return -errno;
		for (int c = 0; c < t->ncpus; c++)
			sum[k] += vals[c];
	}
	memset(out, 0, sizeof(*out));
	for (int k = 1; k < KE_TYPE_MAX && k < LOG_EV_TYPE_MAX; k++)
		out->ringbuf_drops[k] = sum[k];
	out->path_truncations = sum[KE_STAT_TRUNC_PATH];
	out->argv_truncations = sum[KE_STAT_TRUNC_ARGV];
	out->string_truncations = sum[KE_STAT_TRUNC_STR];
	out->pending_full = sum[KE_STAT_PENDING_FULL];
	out->tracked_full = sum[KE_STAT_TRACKED_FULL];
	out->env_truncations = sum[KE_STAT_TRUNC_ENV];
	return 0;
}

int tracer_read_numbering(struct tracer *t, uint64_t *numbered, uint64_t *unsent)
{
	int fd = bpf_map__fd(t->skel->maps.stats);
	__u32 keys[2] = { KE_STAT_NUMBERED, KE_STAT_UNSENT };
	uint64_t *outs[2] = { numbered, unsent };
	__u64 vals[t->ncpus];

	for (int k = 0; k < 2; k++) {
		if (bpf_map_lookup_elem(fd, &keys[k], vals))
			return -errno;
		for (int c = 0; c < t->ncpus; c++)
			outs[k][c] = vals[c];
	}
	return 0;
}

int tracer_pipe_states(struct tracer *t, struct ke_pipe_state *out, size_t max)
{
	struct bpf_link *link = bpf_program__attach_iter(t->skel->progs.pipe_states, NULL);
	size_t n = 0, got = 0;
	int fd, rc = 0;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		rc = -errno;
		bpf_link__destroy(link);
		return rc;
	}
	/* one record per read at most: a short count is only ever a whole number of records */
	for (;;) {
		struct ke_pipe_state st;
		ssize_t r = read(fd, &st, sizeof(st));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		if (r != sizeof(st)) {
			rc = -EIO;
			break;
		}
		got++;
		if (n < max)
			out[n++] = st;
	}
	close(fd);
	bpf_link__destroy(link);
	if (!rc && got > max)
		rc = -E2BIG;
	return rc ? rc : (int)n;
}

int tracer_ncpus(const struct tracer *t)
{
	return t->ncpus;
}

void tracer_detach(struct tracer *t)
{
	if (t)
		kettle_bpf__detach(t->skel);
}

int tracer_ringbuf_fd(struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

bool tracer_core_copy_used(const struct tracer *t)
{
	return t->core_copy_used;
}

void tracer_close(struct tracer *t)
{
	if (!t)
		return;
	kettle_bpf__destroy(t->skel);
	core_btf_finish(&t->core);
	free(t);
}
