/* SPDX-License-Identifier: MIT */
/*
 * The user-mode code whose logic is the same on every port: the system
 * call program and the signal handler. It runs in user mode, so it
 * reaches the kernel only through arch_user_syscall() and the port's
 * register hook (arch_uregs_upcall), all in .user_text.
 */
#include "arch.h"
#include "uapi.h"
#include "user_progs.h"

struct usig_log u_sig_log __user_data;

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

void __user_text u_sig_handler(int signo, struct user_siginfo *info, struct user_regs *regs)
{
	u_sig_log.count++;
	u_sig_log.signo = (uint64_t)signo;
	u_sig_log.code = info->vector;
	u_sig_log.error_code = info->error_code;
	u_sig_log.addr = info->addr;
	u_sig_log.pc = info->pc;
	arch_uregs_upcall(regs, &u_sig_log);
}
