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

/* Print architecture-specific end-of-run diagnostics (tap_diag). */
void arch_report(void);

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

/* Run entry(arg) in user mode on user stack `slot` (< UTHREAD_SLOTS,
 * uthread.h) for the current thread's task; returns once the task has
 * exited or was killed. */
void arch_uthread_enter(void (*entry)(uint64_t), uint64_t arg, unsigned int slot);

/* Make `cpu` run its scheduler soon (a reschedule IPI). */
void arch_send_resched(unsigned int cpu);

/* What the CPUs are called on TAP lines ("CPU", "hart"), and the skip
 * reason when no tick source can start. */
extern const char arch_cpu_noun[];
extern const char arch_no_tick_reason[];

/* --- IPIs (smp_call.c builds function calls and shootdowns on them) --- */

/* The kernel's IPI kinds; each has a fixed vector (smp_call.h). */
enum ipi_kind {
	IPI_KIND_RESCHED,
	IPI_KIND_CALL,
	IPI_KIND_TLB,
	IPI_KIND_TEST,
	NR_IPI_KINDS,
};

/* NULL if this CPU can send IPIs, else why not (a TAP skip reason). */
const char *arch_ipi_unavailable(void);

/* Send `kind` to `cpu` (which may be this CPU) and count it in the
 * sender's ipi_counters. 0 = sent, else the port's error code. */
long arch_ipi_send(unsigned int cpu, enum ipi_kind kind);

/* The same to every other online CPU, with one request where the
 * machine has one (an all-but-self shorthand, a hart mask). */
long arch_ipi_send_others(enum ipi_kind kind);

/* Raise any vector on `cpu` (a self-IPI if it is this CPU): the handler
 * irq_register()ed for it runs there in hard-IRQ context. Not counted
 * as one of the kinds. 0 = sent. */
long arch_ipi_send_vector(unsigned int cpu, unsigned int vector);

/* End of interrupt at this CPU's controller, called first by the
 * handlers of IPIs and of the tests' device-like interrupts (x86: LAPIC
 * EOI; RISC-V: nothing, taking the software interrupt acknowledged it). */
void arch_local_eoi(void);

/* Drop this CPU's TLB entry for va (the local half of a shootdown). */
void arch_tlb_flush_local(uintptr_t va);

/* Does arch_ipi_send() count a send whose vector is still pending at
 * the target as coalesced (RISC-V: the sender sees the pending bit)?
 * If not (x86: the LAPIC merges such IPIs unseen), sent and received
 * counts may differ by the merges. */
extern const bool arch_ipi_counts_coalesced;

/* --- Hooks for the common tests (tests_*.c) --- */

/* A vector the tests may take for a self-IPI whose handler runs what the
 * test chose (kept off the kernel's own and the device vectors). */
extern const unsigned int arch_test_hardirq_vector;

/* Raise `vector` on this CPU the way a device would (x86: an MSI through
 * irqvm's test device). 0 = raised; nonzero = no such path here (the
 * tests then use arch_ipi_send_vector()). Diagnostics name the two ways
 * arch_device_irq_name and arch_self_ipi_name. */
long arch_test_device_irq(unsigned int vector);
extern const char arch_device_irq_name[];
extern const char arch_self_ipi_name[];

/* Make the kernel page at va writable or read-only (this CPU's TLB may
 * keep the old translation: that is what the shootdown test is about). */
bool arch_test_page_set_writable(uintptr_t va, bool writable);

/* Write a byte to p; true if the write faulted (the fault resumes after
 * it through the exception table). */
bool arch_test_write_faults(volatile uint8_t *p);

/* --- Hooks for the common user-mode tests (common/tests_user.c) --- */

/* What the common user-mode signal handler (u_sig_handler,
 * common/user_progs.c) recorded of its last upcall, in u_sig_log
 * (user_progs.h): `code` is the exception vector or cause, `saved_pc` the
 * pc in the interrupted context, `marked_pc` the pc the fault program
 * named in its marker register (the port's uprog.h). */
struct usig_log {
	uint64_t count;
	uint64_t signo, code, error_code, addr, pc;
	uint64_t saved_pc, marked_pc;
};

/* The handler's only port-specific part: which fields of the saved user
 * context (struct user_regs, the port's uprog.h) are the pc and the
 * fault programs' marker and resume registers (x86 rip, r12, r13;
 * RISC-V pc, s2, s3). Records the pc as log->saved_pc and the marker as
 * log->marked_pc, then sets the pc to the resume register. Runs in user
 * mode, so the port puts it in .user_text (its user_progs.c). */
struct user_regs;
void arch_uregs_upcall(struct user_regs *regs, struct usig_log *log);

/* How the diagnostics name an exception's code ("vector", "scause") and
 * the saved user pc ("rip", "pc"). */
extern const char arch_exc_code_name[];
extern const char arch_user_pc_name[];

/* User-mode side (the port's user_progs.c, in user text and data, so
 * callable from common user programs): one system call, and the line
 * u_prog_syscalls writes (its length is part of the checks: 34). */
long arch_user_syscall(long nr, long a0, long a1, long a2);
extern char arch_user_hello[];
extern uint64_t arch_user_hello_len;

#endif /* GUEST_ARCH_H */
