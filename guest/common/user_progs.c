/* SPDX-License-Identifier: MIT */
/*
 * The user-mode program whose logic is the same on every port; it runs in
 * user mode, so it reaches the kernel only through arch_user_syscall().
 */
#include "arch.h"
#include "uapi.h"
#include "user_progs.h"

void __user_text u_prog_syscalls(uint64_t unused)
{
	(void)unused;
	u_results[0] = arch_user_syscall(SYS_WRITE, (long)arch_user_hello,
					 (long)arch_user_hello_len, 0);
	u_results[1] = arch_user_syscall(SYS_GETPID, 0, 0, 0);
	u_results[2] = arch_user_syscall(SYS_YIELD, 0, 0, 0);
	u_results[3] = arch_user_syscall(999, 0, 0, 0);
	/* u_target holds a kernel address: must be refused, not read. */
	u_results[4] = arch_user_syscall(SYS_WRITE, (long)u_target, 4, 0);
	arch_user_syscall(SYS_EXIT, 0, 0, 0);
}
