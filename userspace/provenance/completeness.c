// SPDX-License-Identifier: MIT
/* The named reasons a record is not complete. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/grow.h"
#include "log/log_filter.h"
#include "log/net_summary.h"
#include "log/proc_exe.h"
#include "provenance/completeness.h"

/* What each notice means for the record; the reason's name is log_notice_name(). */
static const char *const notice_details[LOG_NOTICE_WHAT_MAX] = {
	[LOG_NOTICE_COMPAT_CALL] = "a 32-bit system call (i386 number %" PRIu32 ") that Kettle records only as a 64-bit call",
	/* logs before the io_uring programs: every io_uring_setup (arg0: its entries) */
	[LOG_NOTICE_IO_URING] = "set up an io_uring: what its ring opens, reads or connects to is not recorded",
	[LOG_NOTICE_BPF] = "called bpf(): it could load programs or change the tracer's maps",
	[LOG_NOTICE_PTRACE] = "called ptrace(): it could change another process, or the tracer",
	[LOG_NOTICE_PROCESS_VM] = "read or wrote the memory of process %" PRIu64 ", which is not part of the build",
	[LOG_NOTICE_NAMESPACE] = "entered a new namespace (flags %#" PRIx64 "): its paths and peers are not the host's",
	[LOG_NOTICE_MOUNT] = "changed the mount table: a path can then name other bytes than the hasher reads",
	[LOG_NOTICE_CHROOT] = "changed its root directory: its paths are not the host's",
	[LOG_NOTICE_MODULE] = "loaded or removed a kernel module",
	[LOG_NOTICE_KEXEC] = "loaded a kernel to boot",
	[LOG_NOTICE_SIGNAL_TRACER] = "sent a signal to Kettle's collector (or to every process)",
	[LOG_NOTICE_RAW_IO] = "asked for port I/O (iopl, ioperm)",
	[LOG_NOTICE_EXEC_UNLINKED] = "executed a file with no name (memfd, O_TMPFILE or deleted): its bytes cannot be hashed by path",
	[LOG_NOTICE_FD_LOST] = "received file descriptors over a socket that Kettle could not record",
	[LOG_NOTICE_INTERRUPTED] = "kettle run was interrupted (signal %" PRIu64 "): the build did not finish",
	[LOG_NOTICE_INHERITED_SOCKET] = "started with a socket from outside the build (descriptor %" PRIu64 "): what came through it is not recorded",
	[LOG_NOTICE_INHERITED_PIPE] = "read a pipe from outside the build (descriptor %" PRIu64 "): what came through it"
				      " is not recorded; give the build a file (< FILE) instead",
	[LOG_NOTICE_IPC] = "took data from System V or POSIX IPC or a keyring (system call %" PRIu32 "), which a process"
			   " outside the build can fill: what came through it is not recorded",
	[LOG_NOTICE_IO_URING_OP] = "submitted the io_uring request %s (opcode %" PRIu64 "): what it changed or reached is not recorded",
	[LOG_NOTICE_KERNEL_HELPER] = "the kernel ran this program while the build ran (a usermode helper: a core_pattern"
				     " pipe, modprobe), outside the build's tree: what it did is not recorded",
	[LOG_NOTICE_SIGNAL_FROM_OUTSIDE] = "sent signal %" PRIu64 " (si_code %" PRId32 ") to process %" PRIu64 " of the build"
					   " from outside it: which signal, when, and the value it carried are input the"
					   " record cannot vouch for",
	[LOG_NOTICE_FIFO_FROM_OUTSIDE] = "a process outside the build wrote into a FIFO the build read (inode %" PRIu64
					 "): what came through it is not recorded",
	[LOG_NOTICE_OUTPUT_FROM_OUTSIDE] = "opened for writing, from outside the build and while it ran, a file the build"
					   " wrote (inode %" PRIu64 "): what the build made, or read back, may hold its bytes",
	[LOG_NOTICE_PROCESS_FROM_OUTSIDE] = "reached from outside the build into process %" PRIu64 " of it (%s): what it"
					    " changed there (memory, registers, the files behind a descriptor) is not recorded",
	[LOG_NOTICE_DAEMON] = "a process started outside the build served it (%s): what it did for the build is not"
			      " recorded; start it inside kettle run, stop it before the build, or use --follow-daemons",
};

/* A followed daemon did its work under the trace, but it brought its past with it. */
#define DAEMON_FOLLOWED_DETAIL "followed from the build's first request (%s, --follow-daemons); it started before" \
	" the build, so its state from before (caches, files it read earlier) is an input Kettle could not see"

/* How a daemon was reached, from its notice: "a unix socket connection from pid N", "a connection to loopback port P", ... */
static void daemon_via(const struct log_event *ev, char *out, size_t outlen)
{
	uint32_t port = ev->notice.arg1 & 0xffff, family = (ev->notice.arg1 >> 16) & 0xffff;
	const char *uring = ev->notice.arg1 & LOG_DAEMON_IO_URING ? ", accepted through an io_uring" : "";

	if (ev->notice.arg1 & LOG_DAEMON_DATAGRAM && family == AF_UNIX)
		snprintf(out, outlen, "datagrams to a unix socket it holds, from pid %" PRIu64, ev->notice.arg0);
	else if (ev->notice.arg1 & LOG_DAEMON_DATAGRAM)
		snprintf(out, outlen, "datagrams to loopback UDP port %" PRIu32 ", whose socket it holds", port);
	else if (family == AF_UNIX)
		snprintf(out, outlen, "a unix socket connection from pid %" PRIu64 "%s", ev->notice.arg0, uring);
	else
		snprintf(out, outlen, "a connection to loopback port %" PRIu32 "%s", port, uring);
}

int completeness_reason_add(json_t *reasons, const char *reason, uint32_t pid, const char *exe,
			    const char *path, const char *detail)
{
	json_t *o;

	if (json_array_size(reasons) >= COMPLETENESS_REASONS_KEPT)
		return 0;
	o = json_pack("{s:s, s:I, s:s?, s:s}", "reason", reason, "pid", (json_int_t)pid, "exe", exe,
		      "detail", detail);
	if (!o || (path && json_object_set_new(o, "path", json_string(path))) || json_array_append_new(reasons, o)) {
		json_decref(o);
		return -ENOMEM;
	}
	return 0;
}

void completeness_reason_line(const json_t *r, char *out, size_t outlen)
{
	const char *path = json_string_value(json_object_get(r, "path"));
	const char *exe = json_string_value(json_object_get(r, "exe"));
	json_int_t pid = json_integer_value(json_object_get(r, "pid"));
	char who[64] = "";

	if (pid)
		snprintf(who, sizeof(who), "pid %" JSON_INTEGER_FORMAT, pid);
	snprintf(out, outlen, "%s: %s%s%s%s%s%s%s%s",
		 json_string_value(json_object_get(r, "reason")), json_string_value(json_object_get(r, "detail")),
		 path || pid || exe ? " (" : "", path ? path : "", path && (pid || exe) ? "; " : "", who,
		 pid && exe ? ", " : "", exe ? exe : "", path || pid || exe ? ")" : "");
}

static bool has_prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* /proc/N/mem or /proc/N/task/T/mem: N, else 0. */
static uint32_t proc_mem_pid(const char *p)
{
	unsigned int pid;
	int n = 0;

	if (!has_prefix(p, "/proc/") || strcmp(base_name(p), "mem"))
		return 0;
	if (sscanf(p, "/proc/%u/%n", &pid, &n) != 1 || n == 0)
		return 0;
	return pid;
}

/*
 * Files whose open by a build is itself the reason: they move processes out
 * of Kettle's scope, reach memory Kettle does not see, or change what the
 * kernel runs for the build.  NULL when PATH is none of them.
 */
static const char *open_reason(const struct log_event *ev, const char **detail)
{
	const char *p = ev->open.path;
	bool writes = (ev->open.flags & O_ACCMODE) != O_RDONLY;
	uint32_t pid;

	if (!p || ev->open.result < 0)
		return NULL;
	/* a disk's bytes: too many to hash, and the file systems on it change them under the build */
	if (ev->open.path_flags & LOG_PATH_BLOCK_DEVICE) {
		*detail = writes ? "opened a block device for writing" : "opened a block device: its bytes are an input Kettle cannot hash";
		return "block-device";
	}
	if (writes && has_prefix(p, "/sys/fs/cgroup/") &&
	    (!strcmp(base_name(p), "cgroup.procs") || !strcmp(base_name(p), "cgroup.threads"))) {
		*detail = "opened a cgroup's process list for writing: a process moved there leaves Kettle's scope";
		return "cgroup-move";
	}
	pid = proc_mem_pid(p);
	if (pid && pid != ev->tgid) {
		*detail = "opened another process's memory";
		return "process-memory";
	}
	/* an inherited terminal is watched by kettle run (inherited-pipe); one opened by name is this */
	if ((ev->open.path_flags & LOG_PATH_TERMINAL) && (ev->open.flags & O_ACCMODE) != O_WRONLY) {
		*detail = "opened a terminal for reading: what is typed into it comes from outside the build";
		return "terminal";
	}
	if ((ev->open.path_flags & LOG_PATH_MEM_DEVICE) || !strcmp(p, "/dev/mem") || !strcmp(p, "/dev/kmem") ||
	    !strcmp(p, "/dev/port") || !strcmp(p, "/proc/kcore")) {
		*detail = "opened the kernel's or the machine's memory";
		return "kernel-memory";
	}
	if (writes && has_prefix(p, "/proc/sys/")) {
		*detail = "wrote a kernel setting (such as core_pattern, whose helper runs outside the build)";
		return "kernel-setting";
	}
	if ((ev->open.call == LOG_CALL_OPEN_BY_HANDLE || ev->open.call == LOG_CALL_PIDFD_GETFD ||
	     ev->open.call == LOG_CALL_RECV_FD || ev->open.call == LOG_CALL_IO_URING_OPEN) &&
	    (ev->open.path_flags & (LOG_PATH_UNREACHABLE | LOG_PATH_UNLINKED))) {
		*detail = "got a file (by handle, from another process, over a socket, or into an io_uring's fixed table) whose file has no path to hash";
		return "fd-unidentified";
	}
	return NULL;
}

/* PATH: what the reason names besides the process (a daemon's endpoint), or NULL. */
static int notice_reason(const struct log_event *ev, const char *exe, const char *path, json_t *reasons)
{
	char detail[512];
	uint32_t what = ev->notice.what;

	if (!log_notice_name(what) || !notice_details[what])
		return completeness_reason_add(reasons, "unknown-notice", ev->tgid, exe, NULL,
					       "a notice this kettle does not know");
	switch (what) {
	case LOG_NOTICE_COMPAT_CALL:
	case LOG_NOTICE_IPC:
		snprintf(detail, sizeof(detail), notice_details[what], ev->notice.nr);
		break;
	case LOG_NOTICE_PROCESS_VM:
	case LOG_NOTICE_NAMESPACE:
	case LOG_NOTICE_INTERRUPTED:
	case LOG_NOTICE_INHERITED_SOCKET:
		snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg0);
		break;
	case LOG_NOTICE_INHERITED_PIPE:
		if (ev->notice.arg1 == LOG_PIPE_TERMINAL)
			snprintf(detail, sizeof(detail), "read the terminal it inherited (descriptor %" PRIu64 "): what was"
				 " typed into it came from outside the build and is not recorded", ev->notice.arg0);
		else
			snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg0);
		break;
	case LOG_NOTICE_KERNEL_HELPER:
		if (ev->notice.arg0)
			snprintf(detail, sizeof(detail), "the kernel ran this program, outside the build's tree, and gave it"
				 " the memory of process %" PRIu64 " of the build (a core dump to a core_pattern pipe):"
				 " what it did is not recorded", ev->notice.arg0);
		else
			snprintf(detail, sizeof(detail), "%s", notice_details[what]);
		break;
	case LOG_NOTICE_SIGNAL_FROM_OUTSIDE:
		snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg1 & 0xffffffffu,
			 (int32_t)(ev->notice.arg1 >> 32), ev->notice.arg0);
		break;
	case LOG_NOTICE_MODULE:
		if (ev->notice.nr == 0)
			snprintf(detail, sizeof(detail), "made the kernel load a module (module autoload: modprobe runs"
				 " outside the build's tree, and what the module does is not recorded)");
		else
			snprintf(detail, sizeof(detail), "%s", notice_details[what]);
		break;
	case LOG_NOTICE_PROCESS_FROM_OUTSIDE:
		snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg0,
			 ev->notice.nr == 101 ? "ptrace attach" : ev->notice.nr == 311 ? "process_vm_writev" :
			 ev->notice.nr == 438 ? "pidfd_getfd" : ev->notice.nr == 0 ? "its /proc/PID/mem opened for writing" :
			 "a system call");
		break;
	case LOG_NOTICE_OUTPUT_FROM_OUTSIDE:
		if (ev->notice.nr == LOG_OUTPUT_HELD_BEFORE)
			snprintf(detail, sizeof(detail), "wrote a file (inode %" PRIu64 ") that process %" PRIu64 ", outside"
				 " the build, held open for writing: what the build made, or read back, may hold its bytes",
				 ev->notice.arg0, ev->notice.arg1);
		else
			snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg0);
		break;
	case LOG_NOTICE_FIFO_FROM_OUTSIDE:
		if (ev->notice.nr == LOG_FIFO_READER_IS_NOTICED)
			snprintf(detail, sizeof(detail), "read a FIFO (inode %" PRIu64 ") that process %" PRIu64
				 ", outside the build, held open for writing: what came through it is not recorded",
				 ev->notice.arg0, ev->notice.arg1);
		else
			snprintf(detail, sizeof(detail), notice_details[what], ev->notice.arg0);
		break;
	case LOG_NOTICE_IO_URING_OP:
		snprintf(detail, sizeof(detail), notice_details[what],
			 log_uring_op_name(ev->notice.arg0) ?: "(unknown)", ev->notice.arg0);
		break;
	case LOG_NOTICE_IO_URING:
		if (ev->notice.nr == 0 && ev->notice.arg0 == LOG_URING_FOREIGN_RING)
			snprintf(detail, sizeof(detail), "used an io_uring no process of the build set up (inherited or"
				 " received): files in its fixed table are not recorded");
		else if (ev->notice.nr == 0 && ev->notice.arg0 == LOG_URING_FOREIGN_SQPOLL)
			snprintf(detail, sizeof(detail), "set up an io_uring whose requests run in the SQPOLL thread of"
				 " process %" PRIu64 ", outside the build: they are not recorded", ev->notice.arg1);
		else if (ev->notice.nr == 0 && ev->notice.arg0 == LOG_URING_OUTSIDE_SUBMITTER)
			snprintf(detail, sizeof(detail), "a process outside the build submitted to, or sent a message"
				 " into, an io_uring of the build: the data or file it put there is not recorded");
		else
			snprintf(detail, sizeof(detail), "%s", notice_details[what]);
		break;
	case LOG_NOTICE_DAEMON: {
		char via[128];

		daemon_via(ev, via, sizeof(via));
		if (ev->notice.arg1 & LOG_DAEMON_FOLLOWED) {
			snprintf(detail, sizeof(detail), DAEMON_FOLLOWED_DETAIL, via);
			return completeness_reason_add(reasons, "daemon-state", ev->tgid, exe, path, detail);
		}
		snprintf(detail, sizeof(detail), notice_details[what], via);
		if (ev->notice.arg1 & LOG_DAEMON_MORE_HOLDERS)
			strncat(detail, "; more processes hold that socket than the log names", sizeof(detail) - strlen(detail) - 1);
		break;
	}
	default:
		snprintf(detail, sizeof(detail), "%s", notice_details[what]);
	}
	return completeness_reason_add(reasons, log_notice_name(what), ev->tgid, exe, path, detail);
}

/*
 * What processes of the build served themselves: unix names and ports they
 * bound.  A local connection to anything else reaches a process Kettle did
 * not follow (a daemon started before the build: a compiler cache, a build
 * server), whose work for the build is not in the record.
 */
struct served {
	char **unix_names;
	size_t nunix, capunix;
	uint16_t *ports;
	size_t nports, capports;
	/* daemons the kernel named (their own notice is the reason): their clients and ports */
	uint32_t *daemon_clients;
	size_t nclients, capclients;
	uint64_t *daemon_ports;         /* IPv4 address (0: any) << 16 | port */
	size_t ndports, capdports;
	uint32_t *daemons;              /* the daemons themselves: their own local traffic is with the build */
	size_t ndaemons, capdaemons;
	/* datagram endpoints whose receiver the collector did not find, by sender */
	struct unfound_dgram {
		uint32_t sender;
		uint32_t family;
		uint16_t port;
	} *unfound;
	size_t nunfound, capunfound;
	bool dgram_beyond;              /* the collector stopped looking for datagram receivers */
	/* the build's connects to local endpoints: a daemon's reason names the one it served */
	struct local_peer {
		uint32_t tgid;
		uint16_t port;          /* 0: a unix socket */
		uint32_t addr4;         /* the IPv4 address connected to (network order), 0: another family */
		bool dgram;             /* a datagram socket's connect or send */
		char *endpoint;
	} *peers;
	size_t npeers, cappeers;
};

static int local_peer_add(struct served *sv, const struct log_event *ev)
{
	char endpoint[300];

	if (sv->npeers >= COMPLETENESS_REASONS_KEPT)
		return 0;       /* the first ones are enough to name the daemons of the reasons kept */
	if (grow_array((void **)&sv->peers, &sv->cappeers, sv->npeers + 1, sizeof(*sv->peers), 16))
		return -ENOMEM;
	net_endpoint_format(ev, endpoint, sizeof(endpoint));
	sv->peers[sv->npeers] = (struct local_peer){ .tgid = ev->tgid,
		.port = ev->net.family == AF_UNIX ? 0 : ev->net.port, .dgram = ev->net.sock_type == SOCK_DGRAM,
		.endpoint = strdup(endpoint) };
	if (ev->net.family == AF_INET)
		memcpy(&sv->peers[sv->npeers].addr4, ev->net.addr, 4);
	if (!sv->peers[sv->npeers].endpoint)
		return -ENOMEM;
	sv->npeers++;
	return 0;
}

/* The endpoint through which the build reached the daemon of notice EV, or NULL. */
static const char *daemon_endpoint(const struct served *sv, const struct log_event *ev)
{
	uint32_t family = (ev->notice.arg1 >> 16) & 0xffff, port = ev->notice.arg1 & 0xffff;
	bool dgram = ev->notice.arg1 & LOG_DAEMON_DATAGRAM;

	for (size_t i = 0; i < sv->npeers; i++) {
		const struct local_peer *p = &sv->peers[i];

		if (p->dgram != dgram)
			continue;       /* an accept serves a stream connection; a datagram endpoint has none */

		/* an IPv4 daemon says where it accepted (version 5); older logs name the port alone */
		if (family == AF_UNIX ? !p->port && p->tgid == ev->notice.arg0 :
		    p->port && p->port == port && (!ev->notice.arg0 || p->addr4 == (uint32_t)ev->notice.arg0))
			return p->endpoint;
	}
	return NULL;
}

/*
 * The collector's word on a datagram endpoint whose receiver it did not name:
 * no reason of its own (the build may serve that endpoint itself, its
 * receiver gone by then), but the detail of the endpoint's `daemon` reason.
 */
static int dgram_unnamed_add(struct served *sv, const struct log_event *ev)
{
	if (ev->notice.arg1 & LOG_DAEMON_NOT_LOOKED) {
		sv->dgram_beyond = true;
		return 0;
	}
	if (grow_array((void **)&sv->unfound, &sv->capunfound, sv->nunfound + 1, sizeof(*sv->unfound), 16))
		return -ENOMEM;
	sv->unfound[sv->nunfound++] = (struct unfound_dgram){ .sender = ev->tgid,
		.family = (ev->notice.arg1 >> 16) & 0xffff, .port = ev->notice.arg1 & 0xffff };
	return 0;
}

static int daemon_add(struct served *sv, const struct log_event *ev)
{
	uint32_t family = (ev->notice.arg1 >> 16) & 0xffff;

	if (ev->notice.arg1 & (LOG_DAEMON_NOT_FOUND | LOG_DAEMON_NOT_LOOKED))
		return dgram_unnamed_add(sv, ev);
	if (grow_array((void **)&sv->daemons, &sv->capdaemons, sv->ndaemons + 1, sizeof(*sv->daemons), 16))
		return -ENOMEM;
	sv->daemons[sv->ndaemons++] = ev->tgid;
	if (family == AF_UNIX) {
		if (grow_array((void **)&sv->daemon_clients, &sv->capclients, sv->nclients + 1,
			       sizeof(*sv->daemon_clients), 16))
			return -ENOMEM;
		sv->daemon_clients[sv->nclients++] = (uint32_t)ev->notice.arg0;
	} else {
		if (grow_array((void **)&sv->daemon_ports, &sv->capdports, sv->ndports + 1,
			       sizeof(*sv->daemon_ports), 16))
			return -ENOMEM;
		sv->daemon_ports[sv->ndports++] = (ev->notice.arg0 & 0xffffffff) << 16 | (ev->notice.arg1 & 0xffff);
	}
	return 0;
}

/* Whether the collector looked for the receiver of EV's datagrams and found none. */
static bool dgram_unfound(const struct served *sv, const struct log_event *ev)
{
	for (size_t i = 0; i < sv->nunfound; i++) {
		const struct unfound_dgram *u = &sv->unfound[i];

		/* a v4-mapped destination was looked up as IPv4: the port tells */
		if (u->sender == ev->tgid && (u->family == AF_UNIX) == (ev->net.family == AF_UNIX) &&
		    (u->family == AF_UNIX || u->port == ev->net.port))
			return true;
	}
	return false;
}

/* A local peer whose daemon the kernel already named, or a named daemon's own traffic. */
static bool daemon_named(const struct served *sv, const struct log_event *ev)
{
	for (size_t i = 0; i < sv->ndaemons; i++)
		if (sv->daemons[i] == ev->tgid)
			return true;
	if (ev->net.family == AF_UNIX) {
		for (size_t i = 0; i < sv->nclients; i++)
			if (sv->daemon_clients[i] == ev->tgid)
				return true;
		return false;
	}
	for (size_t i = 0; i < sv->ndports; i++) {
		uint32_t addr4 = 0;

		if (ev->net.family == AF_INET)
			memcpy(&addr4, ev->net.addr, 4);
		if ((sv->daemon_ports[i] & 0xffff) == ev->net.port &&
		    (!(sv->daemon_ports[i] >> 16) || (sv->daemon_ports[i] >> 16) == addr4))
			return true;
	}
	return false;
}

static int served_add(struct served *sv, const struct log_event *ev)
{
	if (ev->net.family == AF_UNIX && ev->net.unix_path) {
		if (grow_array((void **)&sv->unix_names, &sv->capunix, sv->nunix + 1, sizeof(*sv->unix_names), 16))
			return -ENOMEM;
		sv->unix_names[sv->nunix++] = (char *)ev->net.unix_path;   /* the log's string */
	} else if (ev->net.family == AF_INET || ev->net.family == AF_INET6) {
		if (grow_array((void **)&sv->ports, &sv->capports, sv->nports + 1, sizeof(*sv->ports), 16))
			return -ENOMEM;
		sv->ports[sv->nports++] = ev->net.port;
	}
	return 0;
}

static bool served_has(const struct served *sv, const struct log_event *ev)
{
	if (ev->net.family == AF_UNIX) {
		for (size_t i = 0; i < sv->nunix; i++)
			if (!strcmp(sv->unix_names[i], ev->net.unix_path))
				return true;
		return false;
	}
	for (size_t i = 0; i < sv->nports; i++)
		if (sv->ports[i] == ev->net.port)
			return true;
	return false;
}

static int peer_reason(const struct served *sv, const struct log_event *ev, const char *exe, json_t *reasons,
		       char **seen, size_t *nseen)
{
	char endpoint[300], detail[700];

	net_endpoint_format(ev, endpoint, sizeof(endpoint));
	for (size_t i = 0; i < *nseen; i++)
		if (!strcmp(seen[i], endpoint))
			return 1;       /* named once per endpoint */
	if (*nseen < COMPLETENESS_REASONS_KEPT) {
		seen[*nseen] = strdup(endpoint);
		if (!seen[*nseen])
			return -ENOMEM;
		(*nseen)++;
	}
	if (ev->net.sock_type == SOCK_DGRAM && dgram_unfound(sv, ev))
		snprintf(detail, sizeof(detail), "sent datagrams to %s, received by a process outside the build that"
			 " Kettle did not find (no process of its network namespace held the socket when the build"
			 " first sent there: it had exited, or it is in another network namespace): what that process"
			 " did for the build is not recorded", endpoint);
	else if (ev->net.sock_type == SOCK_DGRAM && sv->dgram_beyond)
		snprintf(detail, sizeof(detail), "sent datagrams to %s, served by a process outside the build that"
			 " is not named: Kettle looks for the receivers of the first %d datagram endpoints of a run,"
			 " and this came later; what that process did for the build is not recorded", endpoint,
			 LOG_DAEMON_DGRAM_ENDPOINTS);
	else
		snprintf(detail, sizeof(detail), "talked to %s, served by a process outside the build (a daemon"
			 " started before it?): what that process did for the build is not recorded", endpoint);
	return completeness_reason_add(reasons, "daemon", ev->tgid, exe, endpoint, detail);
}

/*
 * clone3() as the new process or thread returns from it (result 0): its flags
 * were read from the caller's struct clone_args, which the child sees only
 * after the parent may have reused that memory (a thread's stack), so they
 * can be any bytes (a pointer read as CLONE_NEW* bits).  The parent's own
 * return (result: the child's id) reports the same call with the struct
 * intact, so the child's notice adds nothing and is left out.
 */
#define CLONE3_NR 435   /* the same number on x86-64 and i386 */
/*
 * An open of /proc/N/... where N is no process of the build (a build's own
 * /proc/self resolves to its pid): another process's command line,
 * environment or name is data from outside.  /proc/N/mem is process-memory.
 * A pipe or socket reopened through /proc/N/fd/M resolves to the pipe (no
 * path: pipefs's root, "/"): the name as passed says whose it was.
 */
static const char *proc_name(const struct log_event *ev)
{
	if (ev->open.result < 0)
		return NULL;
	if (ev->open.path && has_prefix(ev->open.path, "/proc/"))
		return ev->open.path;
	if ((ev->open.path_flags & LOG_PATH_STREAM) && ev->open.passed && has_prefix(ev->open.passed, "/proc/"))
		return ev->open.passed;
	return NULL;
}

static bool opened_proc_file(const struct log_event *ev)
{
	return proc_name(ev) != NULL;
}

static bool reads_outside_process(const struct proc_exe_map *exes, const struct log_event *ev)
{
	const char *name = proc_name(ev);
	unsigned int pid;
	int n = 0;

	if (!name || sscanf(name, "/proc/%u%n", &pid, &n) != 1 || (name[n] != '/' && name[n]))
		return false;
	return pid != ev->tgid && !proc_exe_get(exes, pid) && !proc_mem_pid(name);
}

static bool clone3_child_side(const struct log_event *ev)
{
	return ev->notice.what == LOG_NOTICE_NAMESPACE && ev->notice.nr == CLONE3_NR && ev->notice.result == 0;
}

bool completeness_uses_open(const struct log_event *ev)
{
	const char *detail;

	return open_reason(ev, &detail) || opened_proc_file(ev);
}

long completeness_reasons(const struct log_file *f, json_t *reasons)
{
	struct proc_exe_map exes = { 0 };
	struct served sv = { 0 };
	char *seen[COMPLETENESS_REASONS_KEPT];
	size_t nseen = 0;
	long found = 0;
	int rc = 0;

	for (size_t i = 0; i < f->nevents && !rc; i++) {
		const struct log_event *ev = &f->events[i];

		if (ev->type == LOG_EV_NET && ev->net.result == 0 &&
		    (ev->net.call == LOG_NET_BIND || ev->net.call == LOG_NET_LISTEN))
			rc = served_add(&sv, ev);
		else if (ev->type == LOG_EV_NOTICE && ev->notice.what == LOG_NOTICE_DAEMON)
			rc = daemon_add(&sv, ev);
		else if (ev->type == LOG_EV_NET && net_reaches_local_peer(ev))
			rc = local_peer_add(&sv, ev);
		/* a daemon's snapshot follows its notice: its program is known before the notice is named */
		else if (ev->type == LOG_EV_PROC_SNAPSHOT && proc_exe_event(&exes, ev))
			rc = -ENOMEM;
	}
	for (size_t i = 0; i < f->nevents && !rc; i++) {
		const struct log_event *ev = &f->events[i];
		const char *detail = NULL, *code = NULL;

		if (proc_exe_event(&exes, ev)) {
			rc = -ENOMEM;
			break;
		}
		/* an idle process left running is named in the log; what it did for the build is recorded */
		if (ev->type == LOG_EV_NOTICE && ev->notice.what == LOG_NOTICE_LEFT_RUNNING)
			continue;
		if (ev->type == LOG_EV_NOTICE && clone3_child_side(ev))
			continue;
		/* the collector found no datagram receiver to name: the endpoint's own reason says so, if it has one */
		if (ev->type == LOG_EV_NOTICE && ev->notice.what == LOG_NOTICE_DAEMON &&
		    (ev->notice.arg1 & (LOG_DAEMON_NOT_FOUND | LOG_DAEMON_NOT_LOOKED)))
			continue;
		if (ev->type == LOG_EV_NOTICE) {
			rc = notice_reason(ev, proc_exe_get(&exes, ev->tgid),
					   ev->notice.what == LOG_NOTICE_DAEMON ? daemon_endpoint(&sv, ev) : NULL, reasons);
			found++;
		} else if (ev->type == LOG_EV_OPEN && (code = open_reason(ev, &detail))) {
			rc = completeness_reason_add(reasons, code, ev->tgid, proc_exe_get(&exes, ev->tgid),
						     ev->open.path, detail);
			found++;
		} else if (ev->type == LOG_EV_OPEN && reads_outside_process(&exes, ev)) {
			bool stream = ev->open.path_flags & LOG_PATH_STREAM;

			rc = completeness_reason_add(reasons, "process-info", ev->tgid, proc_exe_get(&exes, ev->tgid),
						     proc_name(ev), stream ?
						     "opened a pipe or socket of a process outside the build through /proc:"
						     " what came through it is not recorded" :
						     "read a /proc file of a process outside the build: what"
						     " it shows (command line, environment, name) came from outside");
			found++;
		} else if (ev->type == LOG_EV_NET && net_reaches_local_peer(ev) && !served_has(&sv, ev) &&
			   !daemon_named(&sv, ev)) {
			rc = peer_reason(&sv, ev, proc_exe_get(&exes, ev->tgid), reasons, seen, &nseen);
			if (rc == 0)
				found++;
			rc = rc < 0 ? rc : 0;
		}
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(sv.unix_names);
	free(sv.ports);
	free(sv.daemon_clients);
	free(sv.daemon_ports);
	free(sv.daemons);
	free(sv.unfound);
	for (size_t i = 0; i < sv.npeers; i++)
		free(sv.peers[i].endpoint);
	free(sv.peers);
	proc_exe_free(&exes);
	return rc ? rc : found;
}
