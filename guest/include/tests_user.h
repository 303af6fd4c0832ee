/* SPDX-License-Identifier: MIT */
/*
 * User-mode checks whose logic every port shares (common/tests_user.c).
 * The port's tests_user.c registers the test cases whose names, programs
 * or TAP text differ and calls these for the common part.
 */
#ifndef GUEST_TESTS_USER_H
#define GUEST_TESTS_USER_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct usig_log; /* arch.h */

/* The port's usermode.c: run entry(arg) as user task t on this CPU until
 * it exits or is killed; returns its exit status. */
int user_task_run(struct task *t, const char *name, void (*entry)(uint64_t), uint64_t arg);

/* Run u_prog_syscalls (u_target = a kernel buffer for the EFAULT case)
 * and report "ran to SYS_EXIT" and one line per result. path_ok() checks
 * how the calls entered the kernel (tap_expect()) before every line, so
 * each line carries its own reason. */
void utest_syscalls(bool (*path_ok)(const struct task *t));
/* The results utest_syscalls() reports, on every path. */
#define UTEST_SYSCALLS_CHECKS 6

/* Run fault program prog with u_sig_handler registered: the handler must
 * see the fault (sig, exception code) once at the pc the program marked,
 * resume the program past it, and sigreturn must restore the registers
 * (the program's canary check makes it exit 0). *log is what it saw. */
bool utest_upcall(void (*prog)(uint64_t), int sig, unsigned long code, struct usig_log *log);

/* prog raises an illegal instruction: without a handler it kills the
 * task (status 128 + SIGILL) and a next task still runs; with a handler
 * that faults itself, the task dies after one upcall. */
bool utest_kill_without_handler(void (*prog)(uint64_t), const char *name);
bool utest_fault_in_handler(void (*prog)(uint64_t));

#endif /* GUEST_TESTS_USER_H */
