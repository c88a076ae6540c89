// SPDX-License-Identifier: MIT
/* The native (x86-64) table of the sys_exit program. */
#include <string.h>
#include <sys/syscall.h>

#include "collect/syscall_class.h"

#define SET(table, nr, cls) do { if ((nr) >= 0 && (nr) < KE_SYSCALL_NR_MAX) (table)[(nr)] = (cls); } while (0)

void syscall_class_native(uint8_t t[KE_SYSCALL_NR_MAX], bool uring_traced)
{
	memset(t, 0, KE_SYSCALL_NR_MAX);
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
	SET(t, SYS_iopl, KE_NOTICE_RAW_IO);
	SET(t, SYS_ioperm, KE_NOTICE_RAW_IO);
	SET(t, SYS_kill, KE_SYS_KILL);
	SET(t, SYS_pidfd_open, KE_SYS_KILL);
	SET(t, SYS_tkill, KE_SYS_TKILL);
	SET(t, SYS_tgkill, KE_SYS_TKILL);
}
