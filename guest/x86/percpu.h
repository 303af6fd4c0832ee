/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through the GS base. The kernel keeps GS pointing
 * at its struct percpu at all times, also while a user task runs (user
 * tasks do not use GS), so no swapgs is needed on kernel entry.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include <stdint.h>

#include "compiler.h"
#include "desc.h"
#include "layout.h"
#include "trap.h"

struct percpu {
	struct percpu *self;     /* PCPU_SELF: this_cpu() loads it */
	uint64_t trap_stack_top; /* PCPU_TRAP_STACK_TOP: syscall entry stack */
	uint64_t user_rsp;       /* PCPU_USER_RSP: syscall entry scratch */
	unsigned int cpu;
	unsigned int apic_id;
	uint8_t *stacks;         /* X86_CPU_STACKS_SIZE block */
	struct tss64 tss __aligned(16);

	struct trap_record last_trap;
	unsigned long exc_count[X86_NR_EXCEPTIONS];
	unsigned long nmi_count;

	/* Double-fault recovery armed by the #DF test: where to resume. */
	uint64_t df_resume_rip;
	uint64_t df_resume_rsp;

	/* Saved kernel stack pointer while a user task runs. */
	uint64_t user_kernel_rsp;

	/* Maskable interrupts delivered a second time by the host while the
	 * interrupted code had IF clear, and dropped (traps.c): how many, and
	 * the last one's vector and interrupted RIP. */
	unsigned long irq_redelivered;
	uint64_t irq_redelivered_rip;
	unsigned int irq_redelivered_vector;
};

STATIC_ASSERT(__builtin_offsetof(struct percpu, self) == PCPU_SELF, "PCPU_SELF");
STATIC_ASSERT(__builtin_offsetof(struct percpu, trap_stack_top) == PCPU_TRAP_STACK_TOP,
	      "PCPU_TRAP_STACK_TOP");
STATIC_ASSERT(__builtin_offsetof(struct percpu, user_rsp) == PCPU_USER_RSP, "PCPU_USER_RSP");

extern struct percpu percpu[X86_MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Stack block of a CPU (entry.S reserves them). */
extern uint8_t x86_cpu_stacks[];
static inline uint8_t *cpu_stack_block(unsigned int cpu)
{
	return x86_cpu_stacks + (unsigned long)cpu * X86_CPU_STACKS_SIZE;
}

/* Load GDT, TSS, IDT and GS base for this CPU. */
void percpu_init(unsigned int cpu, unsigned int apic_id);

#endif /* X86_PERCPU_H */
