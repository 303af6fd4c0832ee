/* SPDX-License-Identifier: MIT */
/*
 * Kernel side of user mode: running test tasks in U-mode, user-mode
 * exceptions and signal upcalls, the ecall system call entry.
 */
#ifndef RV_USERMODE_H
#define RV_USERMODE_H

#include <stdbool.h>
#include <stdint.h>

#include "task.h"
#include "trap.h"

/* How system calls enter the kernel (reported on the TAP lines). */
#define SYSCALL_PATH_ECALL "ecall"

/* Runs entry(arg) in U-mode on the user stack until the task exits or is
 * killed; returns its exit status (TASK_KILLED_STATUS(sig) if killed). */
int user_task_run(struct task *t, const char *name, void (*entry)(uint64_t), uint64_t arg);

/* A synchronous exception from U-mode: lazy FPU, signal upcall or kill. */
void user_exception(struct trap_frame *f);

/* Serve the ecall in f (a7 = number, a0-a2 = arguments); result in a0. */
void syscall_from_trap(struct trap_frame *f);

/* Times a task's first FP instruction trapped with sstatus.FS = Off. */
extern unsigned long rv_fpu_traps;

/* Kernel entry points (trap.S). */
uint64_t rv_user_enter(uint64_t *saved_sp, uint64_t pc, uint64_t sp, uint64_t arg);
__noreturn void rv_user_leave(uint64_t saved_sp, uint64_t value);

#endif /* RV_USERMODE_H */
