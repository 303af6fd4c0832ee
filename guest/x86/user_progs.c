/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs written in C: system calls and the signal handler.
 * Everything here runs in ring 3 (see uprog.h for the rules).
 */
#include "uprog.h"

struct u_sig_log u_sig_log __user_data;
uint64_t u_syscall_mode __user_data;
uint64_t u_target __user_data;
uint64_t u_spin_cycles __user_data;
int64_t u_results[8] __user_data;

static char u_hello[] __user_data = "# hello from ring 3 via SYS_WRITE\n";

static __always_inline long u_syscall(long nr, long a0, long a1, long a2)
{
	long ret;

	if (u_syscall_mode == U_SYSCALL_INSN)
		__asm__ __volatile__("syscall"
				     : "=a"(ret)
				     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
				     : "rcx", "r11", "memory");
	else
		__asm__ __volatile__("int $0x80"
				     : "=a"(ret)
				     : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
				     : "memory");
	return ret;
}

void __user_text u_prog_syscalls(uint64_t unused)
{
	(void)unused;
	u_results[0] = u_syscall(SYS_WRITE, (long)u_hello, sizeof(u_hello) - 1, 0);
	u_results[1] = u_syscall(SYS_GETPID, 0, 0, 0);
	u_results[2] = u_syscall(SYS_YIELD, 0, 0, 0);
	u_results[3] = u_syscall(999, 0, 0, 0);
	/* u_target holds a kernel address: must be refused, not read. */
	u_results[4] = u_syscall(SYS_WRITE, (long)u_target, 4, 0);
	u_syscall(SYS_EXIT, 0, 0, 0);
}

/* Records what it was given and resumes where the program asked (r13). */
void __user_text u_sig_handler(int signo, struct user_siginfo *info, struct user_regs *regs)
{
	u_sig_log.count++;
	u_sig_log.signo = (uint64_t)signo;
	u_sig_log.vector = info->vector;
	u_sig_log.error_code = info->error_code;
	u_sig_log.addr = info->addr;
	u_sig_log.pc = info->pc;
	u_sig_log.regs_rip = regs->rip;
	u_sig_log.regs_r12 = regs->r12;
	regs->rip = regs->r13;
}
