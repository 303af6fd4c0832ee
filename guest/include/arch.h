/* SPDX-License-Identifier: MIT */
/*
 * The hooks every architecture port supplies to guest/common. Common code
 * includes only this header (and its own) for anything machine-specific, so
 * the RISC-V port can reuse guest/common unchanged.
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

struct boot_params;
struct trap_frame; /* the architecture's saved register state */

/* Name printed in the banner, e.g. "x86_64". */
extern const char arch_name[];

/* Bring the machine up far enough to run tests: console, descriptor
 * tables, page tables, secondary CPUs. Fills *bp from the boot protocol.
 * Called by kernel_main() right after "TAP version 13" is printed, so any
 * failure here can still be reported as a TAP bail-out. */
void arch_setup(struct boot_params *bp);

/* Print architecture-specific boot diagnostics (tap_diag), after the
 * command line is known so "quiet" applies. */
void arch_describe(void);

/* Write one byte to the console device (blocking, polled). */
void arch_console_putc(char c);

/* Leave the VM with a status (0 = all checks passed); never returns. */
__noreturn void arch_exit(int status);

/* Stop this CPU for good (interrupts off). */
__noreturn void arch_halt(void);

/* Print a register dump as TAP diagnostics. frame may be NULL: then dump
 * what the current context can see (control registers, stack pointer). */
void arch_dump_regs(const struct trap_frame *frame);

/* Index of the executing CPU (0 = boot CPU). */
unsigned int arch_cpu_id(void);

/* A free-running cycle counter (TSC on x86, the time CSR on RISC-V) and its
 * frequency in kHz (0 if unknown). */
uint64_t arch_cycles(void);
uint64_t arch_cycles_khz(void);

/* Spin-wait hint (pause / nop). */
void arch_cpu_relax(void);

/* Disable local interrupts and return the previous state for restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Is [addr, addr+len) ordinary user memory the kernel may read (and write,
 * when write is set) on a user task's behalf? */
bool arch_user_range_ok(uintptr_t addr, size_t len, bool write);

/* --- Threads, interrupt state and IPIs (sched.c, softirq.c, ...) --- */

struct thread;

bool arch_irqs_enabled(void);
void arch_irq_enable(void);
void arch_irq_disable(void);

/* Enable interrupts and wait for one in a single step (x86 `sti; hlt`),
 * so an interrupt that is already pending is not slept through. Returns
 * with interrupts enabled. */
void arch_wait_for_interrupt(void);

/* Prepare a new thread's saved context (t->stack, stack_size bytes) so
 * that the first switch to it runs sched_thread_entry(t) with interrupts
 * disabled. */
void arch_thread_init(struct thread *t, size_t stack_size);

/* Save the running context in prev and resume next (interrupts off). */
void arch_switch_to(struct thread *prev, struct thread *next);

/* Make `cpu` run its scheduler soon (a reschedule IPI). */
void arch_send_resched(unsigned int cpu);

#endif /* GUEST_ARCH_H */
