/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU function calls, TLB shootdown and the per-CPU IPI counters,
 * built on the port's IPI hooks (arch.h: arch_ipi_send and friends).
 *
 * Function calls run in the target's hard-IRQ context (no sleeping). The
 * caller spins until they are done, so it must run with interrupts
 * enabled (two CPUs calling each other with interrupts off would wait
 * forever); from interrupt context the call is refused.
 */
#ifndef GUEST_SMP_CALL_H
#define GUEST_SMP_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "smp.h"

/* The vectors of the IPI kinds: the top of the table, above every device
 * vector, on both ports (x86: highest LAPIC priority class; RISC-V: the
 * software interrupt's demultiplexed vectors). 0xfd is the tick. */
#define IPI_RESCHED_VECTOR 0xfcu
#define IPI_CALL_VECTOR 0xfbu
#define IPI_TLB_VECTOR 0xfau
#define IPI_TEST_VECTOR 0xf9u

struct ipi_counters {
	unsigned long sent[NR_IPI_KINDS];      /* by this CPU */
	unsigned long coalesced[NR_IPI_KINDS]; /* by this CPU, already pending there
					        * (only where the port can tell) */
	unsigned long received[NR_IPI_KINDS];  /* by this CPU */
	unsigned long call_timeouts;           /* calls this CPU gave up waiting for */
	unsigned long send_errors;             /* sends the machine refused */
	unsigned int last_test_vector;         /* IPI_TEST: vector seen */
	unsigned int last_test_cpu;            /* IPI_TEST: arch_cpu_id() in the handler */
};

extern struct ipi_counters ipi_counters[GUEST_MAX_CPUS];

/* Register the handlers of the four IPI kinds (the port calls it from
 * its IPI set-up). */
void smp_call_init(void);

/*
 * How long a cross-CPU call may take before the caller gives up: a hang
 * guard, reached only when the other CPU really does not answer. It is
 * long because the other vCPU is a host thread that a loaded host, or an
 * emulated one two levels down (4 vCPUs on 2 emulated CPUs on 2 shared
 * cores), can leave unscheduled for far longer than the microseconds the
 * call needs; a short bound there is a timing assertion, not a check.
 */
#define SMP_CALL_TIMEOUT_US 10000000u

/* Run fn(arg) on `cpu` (directly if it is this CPU) and wait up to
 * timeout_us for it to finish. false: refused (interrupt context, CPU not
 * online) or timed out. */
bool smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *arg,
			      uint32_t timeout_us);
/* The same on every other online CPU; returns how many completed. */
unsigned int smp_call_function_others(void (*fn)(void *), void *arg, uint32_t timeout_us);

/* Invalidate the TLB entry of `va` on every online CPU: locally, and
 * elsewhere through one IPI whose handlers flush and acknowledge.
 * Returns the number of other CPUs that acknowledged. */
unsigned int tlb_shootdown(uintptr_t va, uint32_t timeout_us);

/* Spin until *counter reaches want or timeout_us passes. */
bool ipi_wait_counter(const volatile unsigned long *counter, unsigned long want,
		      uint32_t timeout_us);

#endif /* GUEST_SMP_CALL_H */
