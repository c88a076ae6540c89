/* SPDX-License-Identifier: MIT */
/*
 * How the kernel's sys_exit (and sys_enter) programs treat each system call
 * (bpf/events.h, enum ke_notice_what and enum ke_sys_class): the numbers
 * live here, in userspace, so the BPF side holds none and a 32-bit call is
 * classified by the i386 table, not mistaken for the native call of the
 * same number.
 */
#ifndef KETTLE_SYSCALL_CLASS_H
#define KETTLE_SYSCALL_CLASS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/events.h"

/*
 * Fills TABLE (KE_SYSCALL_NR_MAX entries) for native x86-64 calls.  The
 * recorded calls (opens, failed execs, and with NET_AND_FILES the
 * file-tree and socket calls) are in it only when HAS_TRACEPOINT says the
 * kernel has their syscalls:sys_exit_NAME tracepoint: a call it lacks
 * (fchmodat2 before 6.6) returns -ENOSYS and must not be recorded.
 * URING_TRACED: the io_uring programs are attached, so a ring's work is
 * recorded or flagged request by request, and setting one up is no notice.
 */
void syscall_class_native(uint8_t table[KE_SYSCALL_NR_MAX], bool net_and_files,
			  bool (*has_tracepoint)(const char *name), bool uring_traced);

/*
 * Fills TABLE for 32-bit (i386) calls: the opens are recorded like native
 * ones; every other call that Kettle records natively, or that is a notice
 * natively, is KE_NOTICE_COMPAT_CALL (its 32-bit arguments are not decoded).
 */
void syscall_class_compat(uint8_t table[KE_SYSCALL_NR_MAX]);

#endif
