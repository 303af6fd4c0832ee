/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through tp. The kernel keeps tp pointing at its
 * struct percpu; while a user task runs, sscratch holds that pointer
 * instead (and is 0 in the kernel), which is how the entry code tells
 * where a trap came from and recovers tp whatever the task did with it.
 */
#ifndef RV_PERCPU_H
#define RV_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "layout.h"
#include "trap.h"

#define RV_CONSOLE_LINE 256
#define RV_IRQ_CAUSES 16

struct percpu {
	struct percpu *self;     /* PCPU_SELF */
	uint64_t trap_stack_top; /* PCPU_TRAP_STACK_TOP: entries from U-mode */
	uint64_t scratch_sp;     /* PCPU_SCRATCH_SP: the entry code's spill slots */
	uint64_t scratch_t0;     /* PCPU_SCRATCH_T0 */
	uint64_t scratch_t1;     /* PCPU_SCRATCH_T1 */
	uint64_t user_kernel_sp; /* kernel sp saved while a user task runs */
	unsigned int cpu;
	unsigned int hartid;
	uint8_t *stacks;         /* RV_CPU_STACKS_SIZE block */

	/* Console line buffer (console.c). */
	char con_buf[RV_CONSOLE_LINE];
	unsigned int con_len;

	/* Exceptions and interrupts seen. */
	struct trap_record last_trap;
	unsigned long exc_count[RV_NR_EXCEPTIONS];
	unsigned long irq_count[RV_IRQ_CAUSES];
	struct irq_record last_irq;
	struct ecall_record last_ecall;
	unsigned long ssip_bare; /* software interrupts with no IPI kind pending */

	/* Timer (timer.c). */
	uint64_t tick_period;   /* time-CSR ticks; 0 = no periodic tick */
	uint64_t next_tick;
	void (*timer_hook)(void); /* a test owns the timer */
	unsigned long timer_irqs;

	/* IPIs (ipi.c): vectors posted to this hart, one bit each. */
	unsigned long ipi_vectors[4];

	/* Bring-up (hart.c). */
	volatile unsigned int boots;   /* times this hart entered the kernel */
	volatile bool stop_req;        /* asked to stop itself through HSM */
	volatile bool suspend_req;     /* asked to suspend itself (retentive) */
	volatile unsigned long suspends; /* hart_suspend calls made */
	volatile unsigned long resumes;  /* ... that returned */
	volatile long stop_error;      /* hart_stop returned (it should not) */
	uint64_t boot_a0, boot_a1;     /* registers it started with */
} __aligned(64);

STATIC_ASSERT(__builtin_offsetof(struct percpu, self) == PCPU_SELF, "PCPU_SELF");
STATIC_ASSERT(__builtin_offsetof(struct percpu, trap_stack_top) == PCPU_TRAP_STACK_TOP,
	      "PCPU_TRAP_STACK_TOP");
STATIC_ASSERT(__builtin_offsetof(struct percpu, scratch_sp) == PCPU_SCRATCH_SP, "PCPU_SCRATCH_SP");
STATIC_ASSERT(__builtin_offsetof(struct percpu, scratch_t0) == PCPU_SCRATCH_T0, "PCPU_SCRATCH_T0");
STATIC_ASSERT(__builtin_offsetof(struct percpu, scratch_t1) == PCPU_SCRATCH_T1, "PCPU_SCRATCH_T1");

extern struct percpu percpu[RV_MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("mv %0, tp" : "=r"(p));
	return p;
}

/* Stack block of a CPU (entry.S reserves them). */
extern uint8_t rv_cpu_stacks[];
static inline uint8_t *cpu_stack_block(unsigned int cpu)
{
	return rv_cpu_stacks + (unsigned long)cpu * RV_CPU_STACKS_SIZE;
}

/* Fill in a CPU's percpu block (before it runs). */
void percpu_setup(unsigned int cpu, unsigned int hartid);

#endif /* RV_PERCPU_H */
