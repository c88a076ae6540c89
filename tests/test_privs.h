/* SPDX-License-Identifier: MIT */
/* For tests that need a permission error while running as root. */
#ifndef KETTLE_TEST_PRIVS_H
#define KETTLE_TEST_PRIVS_H

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * As root, drops the capabilities that bypass file permissions (for good,
 * also over exec); unprivileged users need nothing.  Call it in a child.
 * 0 or -1.
 */
static inline int lose_dac_override(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (geteuid() != 0)
		return 0;
	if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) ||
	    prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) ||
	    syscall(SYS_capget, &h, d))
		return -1;
	for (int i = 0; i < 2; i++)
		d[i].effective = d[i].permitted = d[i].inheritable = 0;
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

#endif
