/* SPDX-License-Identifier: MIT */
/*
 * RISC-V half of threads (sched.h, sched_rv.h): context switch glue and
 * per-thread trap stacks for U-mode threads.
 *
 * A user thread has two stacks: the kernel stack its kernel function runs
 * on (rv_user_enter() saves the kernel registers there while U-mode runs)
 * and a trap stack, which the per-CPU trap_stack_top points at while it is
 * current, so an interrupt that preempts its U-mode code leaves its trap
 * frame there and the thread can be switched out from the interrupt exit
 * path.
 */
#include "arch.h"
#include "kstring.h"
#include "percpu.h"
#include "sched_rv.h"
#include "uprog.h"
#include "usermode.h"

/* struct thread arch words. */
enum { ARCH_SP, ARCH_TRAP_TOP, ARCH_USER_KERNEL_SP };

void rv_switch_stacks(uint64_t *save_sp, uint64_t next_sp);
void rv_thread_start(void);

void arch_thread_init(struct thread *t, size_t stack_size)
{
	uint64_t *sp = (uint64_t *)(uintptr_t)(t->stack + stack_size);

	/* What rv_switch_stacks restores: ra, s0..s11 (CALLEE_FRAME). */
	sp -= CALLEE_FRAME / 8;
	memset(sp, 0, CALLEE_FRAME);
	sp[0] = (uint64_t)(uintptr_t)rv_thread_start; /* ra */
	sp[1] = (uint64_t)(uintptr_t)t;               /* s0: the thread */
	t->arch[ARCH_SP] = (uintptr_t)sp;
	/* User threads: the lower half is the trap stack. */
	t->arch[ARCH_TRAP_TOP] = (t->flags & THREAD_F_USER) ? (uintptr_t)(t->stack + stack_size / 2)
							    : 0;
	t->arch[ARCH_USER_KERNEL_SP] = 0;
}

void arch_switch_to(struct thread *prev, struct thread *next)
{
	struct percpu *pc = this_cpu();
	uint64_t trap_top = next->arch[ARCH_TRAP_TOP];

	if (!trap_top)
		trap_top = (uint64_t)(uintptr_t)(pc->stacks + RV_TRAP_STACK_TOP);
	prev->arch[ARCH_USER_KERNEL_SP] = pc->user_kernel_sp;
	pc->user_kernel_sp = next->arch[ARCH_USER_KERNEL_SP];
	pc->trap_stack_top = trap_top;
	rv_switch_stacks((uint64_t *)&prev->arch[ARCH_SP], next->arch[ARCH_SP]);
}

/* ---- U-mode threads ---- */

/* User stacks: the only user-writable kernel-image pages are .user_data. */
static uint8_t u_stacks[UTHREAD_SLOTS][4096] __user_data __aligned(4096);
void arch_uthread_enter(void (*entry)(uint64_t), uint64_t arg, unsigned int slot)
{
	rv_user_enter(&this_cpu()->user_kernel_sp, (uintptr_t)entry,
		      (uintptr_t)(u_stacks[slot] + sizeof(u_stacks[0])), arg);
	/* The exit came through a trap: interrupts are off here. */
	arch_irq_enable();
}
