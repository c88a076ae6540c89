// SPDX-License-Identifier: MIT
/*
 * The smallest static program (no libc, a few KiB): the benchmark's "small
 * binary", so an exec's cost is the kernel's and the module's, not ld's.
 */
void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
	__builtin_unreachable();
}
