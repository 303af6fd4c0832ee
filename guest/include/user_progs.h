/* SPDX-License-Identifier: MIT */
/*
 * The user-mode programs and data every port provides (its uprog.h
 * declares them with the rest of its programs) that the common user-mode
 * tests use, and the common program u_prog_syscalls (common/user_progs.c).
 * Like every user program they live in .user_text/.user_data, the only
 * kernel-image pages user mode can reach.
 */
#ifndef GUEST_USER_PROGS_H
#define GUEST_USER_PROGS_H

#include <stdint.h>

#include "compiler.h"

#ifndef __user_text
#define __user_text __section(".user_text") __noinline __used
#define __user_data __section(".user_data")
#endif

struct user_siginfo;
struct user_regs; /* the port's saved user context */

struct usig_log; /* arch.h */

extern struct usig_log u_sig_log; /* what u_sig_handler saw (in .user_data) */
extern uint64_t u_target;    /* an address the programs use (a kernel buffer here) */
extern int64_t u_results[8]; /* u_prog_syscalls' return values */

void u_prog_exit(uint64_t status);
void u_prog_sigreturn(uint64_t unused);

/* write(arch_user_hello), getpid, yield, an unknown number, write(u_target)
 * into u_results[0..4], then exit 0. */
void u_prog_syscalls(uint64_t unused);

/* Records the upcall in u_sig_log and resumes where the fault program
 * asked (its resume register). */
void u_sig_handler(int signo, struct user_siginfo *info, struct user_regs *regs);
void u_sig_handler_faults(int signo, struct user_siginfo *info, struct user_regs *regs);

#endif /* GUEST_USER_PROGS_H */
