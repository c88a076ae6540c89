// SPDX-License-Identifier: MIT
/*
 * The 32-bit (i386) table of the sys_exit program.  A file of its own:
 * asm/unistd_32.h defines the same __NR_ names as the native header with
 * other numbers.
 */
#include <string.h>

#include <asm/unistd_32.h>

#include "collect/syscall_class.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452      /* Linux 6.6; the headers of Debian 12 predate it */
#endif

void syscall_class_compat(uint8_t t[KE_SYSCALL_NR_MAX])
{
	/* Every 32-bit call that is an event or a notice when native, but read here only as a notice. */
	static const unsigned short noticed[] = {
		__NR_rename, __NR_renameat, __NR_renameat2, __NR_unlink, __NR_unlinkat, __NR_rmdir,
		__NR_mkdir, __NR_mkdirat, __NR_link, __NR_linkat, __NR_symlink, __NR_symlinkat,
		__NR_truncate, __NR_truncate64, __NR_ftruncate, __NR_ftruncate64, __NR_chmod, __NR_fchmod,
		__NR_fchmodat, __NR_fchmodat2, __NR_utimensat, __NR_utime, __NR_utimes, __NR_futimesat,
		__NR_socketcall, __NR_socket, __NR_connect, __NR_bind, __NR_listen, __NR_accept4,
		__NR_sendto, __NR_sendmsg, __NR_sendmmsg, __NR_recvmsg, __NR_recvmmsg,
		__NR_open_by_handle_at, __NR_pidfd_getfd, __NR_io_uring_setup, __NR_bpf, __NR_ptrace,
		__NR_process_vm_readv, __NR_process_vm_writev, __NR_setns, __NR_unshare, __NR_clone,
		__NR_clone3, __NR_mount, __NR_umount, __NR_umount2, __NR_pivot_root, __NR_open_tree,
		__NR_move_mount, __NR_fsmount, __NR_mount_setattr, __NR_chroot, __NR_init_module,
		__NR_finit_module, __NR_delete_module, __NR_kexec_load, __NR_iopl, __NR_ioperm, __NR_kill,
		__NR_pidfd_open, __NR_tkill, __NR_tgkill,
		__NR_ipc, __NR_msgrcv, __NR_shmat, __NR_mq_timedreceive, __NR_mq_timedreceive_time64, __NR_keyctl,
		__NR_request_key,
	};

	memset(t, 0, KE_SYSCALL_NR_MAX);
	for (size_t i = 0; i < sizeof(noticed) / sizeof(noticed[0]); i++)
		if (noticed[i] < KE_SYSCALL_NR_MAX)
			t[noticed[i]] = KE_NOTICE_COMPAT_CALL;
	t[__NR_open] = KE_SYS_OPEN;
	t[__NR_openat] = KE_SYS_OPENAT;
	t[__NR_openat2] = KE_SYS_OPENAT2;
	t[__NR_creat] = KE_SYS_CREAT;
	t[__NR_execve] = KE_SYS_EXECVE_COMPAT;
	t[__NR_execveat] = KE_SYS_EXECVEAT_COMPAT;
}
