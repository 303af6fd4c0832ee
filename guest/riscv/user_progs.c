/* SPDX-License-Identifier: MIT */
/*
 * User-mode programs written in C: the system call hook of the common
 * u_prog_syscalls (common/user_progs.c), the registers the common signal
 * handler reads (arch.h, arch_uregs_upcall) and the busy loop of the scheduler
 * tests. Everything here runs in U-mode (see uprog.h
 * for the rules).
 */
#include "arch.h"
#include "uprog.h"
#include "user_progs.h"
#include "uthread.h"

uint64_t u_target __user_data;
int64_t u_results[8] __user_data;
uint64_t u_value __user_data;
volatile uint64_t u_busy_count[UTHREAD_SLOTS] __user_data;
volatile uint64_t u_busy_stop __user_data;

char arch_user_hello[] __user_data = "# hello from U-mode via SYS_WRITE\n";
uint64_t arch_user_hello_len __user_data = sizeof(arch_user_hello) - 1;

/* ecall: a7 = number, a0-a2 = arguments, result in a0. */
long __user_text arch_user_syscall(long nr, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = nr;

	__asm__ __volatile__("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
	return r_a0;
}

/* The fault programs (uprog.h) name the pc the handler must see in s2
 * and where it should resume in s3. */
void __user_text arch_uregs_upcall(struct user_regs *regs, struct usig_log *log)
{
	log->saved_pc = regs->pc;
	log->marked_pc = regs->s2;
	regs->pc = regs->s3;
}

/* Never yields: counts until told to stop, then exits 0. */
void __user_text u_prog_busy(uint64_t slot)
{
	while (!u_busy_stop)
		u_busy_count[slot & (UTHREAD_SLOTS - 1)]++;
	arch_user_syscall(SYS_EXIT, 0, 0, 0);
	for (;;)
		;
}
