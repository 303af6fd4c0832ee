/* SPDX-License-Identifier: MIT */
/*
 * Kernel side of user mode: running test tasks in ring 3, user-mode
 * exceptions and signal upcalls, the system call entry paths.
 */
#ifndef X86_USERMODE_H
#define X86_USERMODE_H

#include <stdbool.h>
#include <stdint.h>

#include "task.h"
#include "trap.h"

/* How each system call entered the kernel (reported on the TAP lines). */
#define SYSCALL_PATH_GATE "int80-gate"
#define SYSCALL_PATH_UD "int80-#UD-fallback"
#define SYSCALL_PATH_INSN "syscall-insn"

/* Runs entry(arg) in ring 3 on the user stack until the task exits or is
 * killed; returns its exit status (TASK_KILLED_STATUS(sig) if killed). */
int user_task_run(struct task *t, const char *name, void (*entry)(uint64_t), uint64_t arg);

/* A fault or trap from ring 3: signal upcall, kill, or host-quirk path. */
void user_exception(struct trap_frame *f);

/* Is the instruction at the user RIP `int $0x80` (CD 80)? */
bool syscall_int80_at(const struct trap_frame *f);

/* Serve the system call in f (rax, rdi, rsi, rdx); result in f->rax. */
void syscall_from_trap(struct trap_frame *f, const char *path);

/* STAR/LSTAR/FMASK for the `syscall` instruction on this CPU. */
void syscall_msrs_init(void);

/* Boot probe of `syscall`/`sysretq` from a user task. */
enum syscall_insn_state {
	SYSCALL_INSN_UNTESTED,
	SYSCALL_INSN_WORKS,
	SYSCALL_INSN_STAYS_CPL3, /* reached LSTAR without leaving ring 3 */
	SYSCALL_INSN_SYSRET_FAULTS,
	SYSCALL_INSN_BROKEN, /* anything else */
};
enum syscall_insn_state syscall_insn_probe(void);
enum syscall_insn_state syscall_insn_state(void);
const char *syscall_insn_state_name(enum syscall_insn_state s);

/* Kernel entry points (user_entry.S). */
uint64_t x86_user_enter(uint64_t *saved_rsp, uint64_t rip, uint64_t rsp, uint64_t arg);
__noreturn void x86_user_leave(uint64_t saved_rsp, uint64_t value);

#endif /* X86_USERMODE_H */
