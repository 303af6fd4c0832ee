/* SPDX-License-Identifier: MIT */
/*
 * User tasks and the architecture-neutral half of the system call layer.
 * The architecture enters and leaves user mode and builds signal frames;
 * this layer owns the syscall table and the per-task bookkeeping.
 */
#ifndef GUEST_TASK_H
#define GUEST_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

struct trap_frame;

struct task {
	unsigned int pid;
	const char *name;
	uintptr_t sig_handler; /* user address, 0 = none (faults kill) */
	uintptr_t sigframe;    /* active signal frame, 0 outside a handler */
	unsigned int nr_syscalls;
	unsigned int nr_signals;
	const char *syscall_path;  /* how the first system call entered */
	bool syscall_path_mixed;   /* later calls entered another way */
	int exit_status;
	int killed_by; /* 0, or the signal that killed the task */
};

struct syscall_args {
	unsigned long nr;
	unsigned long arg[3];
	struct trap_frame *frame; /* for SYS_SIGRETURN */
	const char *path;         /* entry path, for the TAP lines */
};

/* Task currently running in user mode on this CPU, or NULL. */
struct task *task_current(void);
void task_set_current(struct task *t);

/* The system call table. Returns the value for the user's result register;
 * SYS_EXIT and fatal errors do not return. */
long syscall_dispatch(const struct syscall_args *args);

/* Kill the current task with a signal (no handler or an unrecoverable
 * fault): back to the kernel code that ran it. */
__noreturn void task_kill(struct task *t, int sig);

/* Architecture hooks. */
__noreturn void arch_task_leave(struct task *t);
long arch_sigreturn(struct task *t, struct trap_frame *frame);

#endif /* GUEST_TASK_H */
