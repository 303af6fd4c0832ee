/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts through the local APIC: the reschedule IPI,
 * cross-CPU function calls with completion wait (smp_call_function), a
 * TLB-shootdown broadcast, and a plain test vector; per-CPU counters of
 * what was sent and received.
 *
 * Function calls run in the target's hard-IRQ context (no sleeping). The
 * caller spins until they are done, so it must be a thread with interrupts
 * enabled (two CPUs calling each other with interrupts off would wait
 * forever); from interrupt context the call is refused.
 */
#ifndef X86_IPI_H
#define X86_IPI_H

#include <stdbool.h>
#include <stdint.h>

#include "smp.h"

/* Fixed vectors of the kernel's own interrupts (highest priority class,
 * above every device vector). 0xfe-0xff: tick and LAPIC spurious. */
#define TICK_VECTOR 0xfdu
#define IPI_RESCHED_VECTOR 0xfcu
#define IPI_CALL_VECTOR 0xfbu
#define IPI_TLB_VECTOR 0xfau
#define IPI_TEST_VECTOR 0xf9u

enum ipi_kind {
	IPI_KIND_RESCHED,
	IPI_KIND_CALL,
	IPI_KIND_TLB,
	IPI_KIND_TEST,
	NR_IPI_KINDS,
};

struct ipi_counters {
	unsigned long sent[NR_IPI_KINDS];     /* by this CPU */
	unsigned long received[NR_IPI_KINDS]; /* by this CPU */
	unsigned long call_timeouts;          /* calls this CPU gave up waiting for */
	unsigned int last_test_vector;        /* IPI_TEST: vector seen */
	unsigned int last_test_cpu;           /* IPI_TEST: arch_cpu_id() in handler */
};

extern struct ipi_counters ipi_counters[GUEST_MAX_CPUS];

void ipi_init(void);
uint32_t cpu_apic_id(unsigned int cpu);

/* Run fn(arg) on `cpu` (directly if it is this CPU) and wait up to
 * timeout_us for it to finish. false: refused (interrupt context, CPU not
 * online) or timed out. */
bool smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *arg,
			      uint32_t timeout_us);
/* The same on every other online CPU; returns how many completed. */
unsigned int smp_call_function_others(void (*fn)(void *), void *arg, uint32_t timeout_us);

/* Invalidate the TLB entry of `va` on every online CPU: locally with
 * invlpg, elsewhere through one all-but-self IPI whose handlers invlpg and
 * acknowledge. Returns the number of CPUs that acknowledged (others). */
unsigned int tlb_shootdown(uintptr_t va, uint32_t timeout_us);

/* Test IPIs: fixed IPI_TEST_VECTOR to one CPU, or all-but-self, or self. */
void ipi_send_test(unsigned int cpu);
void ipi_send_test_all_but_self(void);
void ipi_send_test_self(void);

/* Spin (pause) until *counter reaches want or timeout_us passes. */
bool ipi_wait_counter(const volatile unsigned long *counter, unsigned long want,
		      uint32_t timeout_us);

#endif /* X86_IPI_H */
