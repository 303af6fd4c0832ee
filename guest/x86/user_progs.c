/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs written in C: the system call hook of the common
 * u_prog_syscalls (common/user_progs.c) and the registers the common
 * signal handler reads (arch.h, arch_uregs_upcall).
 * Everything here runs in ring 3 (see uprog.h for the rules).
 */
#include "arch.h"
#include "uprog.h"
#include "user_progs.h"

uint64_t u_syscall_mode __user_data;
uint64_t u_target __user_data;
uint64_t u_spin_cycles __user_data;
int64_t u_results[8] __user_data;

char arch_user_hello[] __user_data = "# hello from ring 3 via SYS_WRITE\n";
uint64_t arch_user_hello_len __user_data = sizeof(arch_user_hello) - 1;

/* int $0x80, or the syscall instruction when the test chose it. */
long __user_text arch_user_syscall(long nr, long a0, long a1, long a2)
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

/* The fault programs (uprog.h) name the pc the handler must see in r12
 * and where it should resume in r13. */
void __user_text arch_uregs_upcall(struct user_regs *regs, struct usig_log *log)
{
	log->saved_pc = regs->rip;
	log->marked_pc = regs->r12;
	regs->rip = regs->r13;
}
