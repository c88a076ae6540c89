// SPDX-License-Identifier: MIT
/* The native (x86-64) table of the sys_exit and sys_enter programs. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "collect/syscall_class.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452       /* Linux 6.6; the headers of Debian 12 predate it */
#endif

#define SET(table, nr, cls) do { if ((nr) >= 0 && (nr) < KE_SYSCALL_NR_MAX) (table)[(nr)] = (cls); } while (0)

struct recorded_call {
	int nr;
	uint8_t cls;
	bool net_or_files;      /* left out under KETTLE_TRACE_CORE_ONLY */
	const char *name;       /* its syscalls:sys_exit_NAME tracepoint */
};

#define CORE(name, cls)  { SYS_##name, cls, false, #name }
#define FOP(name, call)  { SYS_##name, KE_SYS_FOP + call, true, #name }
#define NET(name, call)  { SYS_##name, KE_SYS_NET + call, true, #name }

static const struct recorded_call recorded[] = {
	CORE(open, KE_SYS_OPEN), CORE(openat, KE_SYS_OPENAT), CORE(openat2, KE_SYS_OPENAT2),
	CORE(creat, KE_SYS_CREAT),
	CORE(execve, KE_SYS_EXECVE), CORE(execveat, KE_SYS_EXECVEAT),
	FOP(rename, KE_FOP_RENAME), FOP(renameat, KE_FOP_RENAMEAT), FOP(renameat2, KE_FOP_RENAMEAT2),
	FOP(unlink, KE_FOP_UNLINK), FOP(unlinkat, KE_FOP_UNLINKAT), FOP(rmdir, KE_FOP_RMDIR),
	FOP(mkdir, KE_FOP_MKDIR), FOP(mkdirat, KE_FOP_MKDIRAT), FOP(link, KE_FOP_LINK),
	FOP(linkat, KE_FOP_LINKAT), FOP(symlink, KE_FOP_SYMLINK), FOP(symlinkat, KE_FOP_SYMLINKAT),
	FOP(truncate, KE_FOP_TRUNCATE), FOP(ftruncate, KE_FOP_FTRUNCATE), FOP(chmod, KE_FOP_CHMOD),
	FOP(fchmod, KE_FOP_FCHMOD), FOP(fchmodat, KE_FOP_FCHMODAT), FOP(fchmodat2, KE_FOP_FCHMODAT2),
	FOP(utimensat, KE_FOP_UTIMENSAT),
	NET(socket, KE_NET_SOCKET), NET(connect, KE_NET_CONNECT), NET(bind, KE_NET_BIND),
	NET(listen, KE_NET_LISTEN), NET(accept, KE_NET_ACCEPT), NET(accept4, KE_NET_ACCEPT4),
	NET(sendto, KE_NET_SENDTO), NET(sendmsg, KE_NET_SENDMSG), NET(sendmmsg, KE_NET_SENDMMSG),
};

void syscall_class_native(uint8_t t[KE_SYSCALL_NR_MAX], bool net_and_files, bool (*has_tracepoint)(const char *name),
			  bool uring_traced)
{
	char tp[64];

	memset(t, 0, KE_SYSCALL_NR_MAX);
	for (size_t i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++) {
		const struct recorded_call *c = &recorded[i];

		snprintf(tp, sizeof(tp), "sys_exit_%s", c->name);
		if ((net_and_files || !c->net_or_files) && has_tracepoint(tp))
			SET(t, c->nr, c->cls);
	}
	/* a file the process holds without having opened it by name: recorded */
	SET(t, SYS_open_by_handle_at, KE_SYS_OPEN_BY_HANDLE);
	SET(t, SYS_pidfd_getfd, KE_SYS_PIDFD_GETFD);
	SET(t, SYS_recvmsg, KE_SYS_RECVMSG);
	SET(t, SYS_recvmmsg, KE_SYS_RECVMMSG);
	/* what Kettle cannot follow, or what can defeat it: notices */
	if (!uring_traced)
		SET(t, SYS_io_uring_setup, KE_NOTICE_IO_URING);
	SET(t, SYS_bpf, KE_NOTICE_BPF);
	SET(t, SYS_ptrace, KE_NOTICE_PTRACE);
	SET(t, SYS_process_vm_readv, KE_SYS_PROCESS_VM);
	SET(t, SYS_process_vm_writev, KE_SYS_PROCESS_VM);
	SET(t, SYS_setns, KE_NOTICE_NAMESPACE);
	SET(t, SYS_unshare, KE_SYS_CLONE);
	SET(t, SYS_clone, KE_SYS_CLONE);
	SET(t, SYS_clone3, KE_SYS_CLONE3);
	SET(t, SYS_mount, KE_NOTICE_MOUNT);
	SET(t, SYS_umount2, KE_NOTICE_MOUNT);
	SET(t, SYS_pivot_root, KE_NOTICE_MOUNT);
	SET(t, SYS_open_tree, KE_NOTICE_MOUNT);
	SET(t, SYS_move_mount, KE_NOTICE_MOUNT);
	SET(t, SYS_fsmount, KE_NOTICE_MOUNT);
	SET(t, SYS_mount_setattr, KE_NOTICE_MOUNT);
	SET(t, SYS_chroot, KE_NOTICE_CHROOT);
	SET(t, SYS_init_module, KE_NOTICE_MODULE);
	SET(t, SYS_finit_module, KE_NOTICE_MODULE);
	SET(t, SYS_delete_module, KE_NOTICE_MODULE);
	SET(t, SYS_kexec_load, KE_NOTICE_KEXEC);
	SET(t, SYS_kexec_file_load, KE_NOTICE_KEXEC);
	SET(t, SYS_msgrcv, KE_NOTICE_IPC);
	SET(t, SYS_shmat, KE_NOTICE_IPC);
	SET(t, SYS_mq_timedreceive, KE_NOTICE_IPC);
	SET(t, SYS_keyctl, KE_NOTICE_IPC);
	SET(t, SYS_request_key, KE_NOTICE_IPC);
	SET(t, SYS_iopl, KE_NOTICE_RAW_IO);
	SET(t, SYS_ioperm, KE_NOTICE_RAW_IO);
	SET(t, SYS_kill, KE_SYS_KILL);
	SET(t, SYS_pidfd_open, KE_SYS_KILL);
	SET(t, SYS_tkill, KE_SYS_TKILL);
	SET(t, SYS_tgkill, KE_SYS_TKILL);
}
