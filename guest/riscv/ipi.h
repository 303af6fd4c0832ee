/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts through SBI IPI. A hart has one software
 * interrupt (sip.SSIP) and no vectors, so vectors are multiplexed onto
 * it: the sender sets the vector's bit in the target's 256-bit pending
 * set, then asks SBI to raise SSIP there; the target clears SSIP, takes
 * the whole set and runs each vector's handler through the common
 * interrupt path (lowest vector first), so irqstat counts them
 * separately. The kernel's IPI kinds are vectors (vectors.h); tests post
 * vectors of their own to get a hard interrupt on demand.
 *
 * Function calls run in the target's hard-IRQ context (no sleeping). The
 * caller spins until they are done, so it must run with interrupts
 * enabled; from interrupt context the call is refused.
 */
#ifndef RV_IPI_H
#define RV_IPI_H

#include <stdbool.h>
#include <stdint.h>

#include "smp.h"

enum ipi_kind {
	IPI_KIND_RESCHED,
	IPI_KIND_CALL,
	IPI_KIND_TLB,
	IPI_KIND_TEST,
	NR_IPI_KINDS,
};

/* A send whose vector was already pending at the target is "coalesced"
 * (the target handles it once), so sent == received exactly. */
struct ipi_counters {
	unsigned long sent[NR_IPI_KINDS];      /* by this hart */
	unsigned long coalesced[NR_IPI_KINDS]; /* by this hart, already pending there */
	unsigned long received[NR_IPI_KINDS];  /* by this hart */
	unsigned int last_test_cpu;           /* IPI_TEST: arch_cpu_id() in the handler */
	unsigned long sbi_errors;             /* send_ipi calls SBI refused */
};

extern struct ipi_counters ipi_counters[GUEST_MAX_CPUS];

/* Register the software-interrupt demultiplexer and the kinds' vectors. */
void ipi_init(void);

/* Send one kind to one CPU (may be this one). Returns the SBI error. */
long ipi_send(unsigned int cpu, enum ipi_kind k);
/* Post any vector to a CPU (may be this one); its irq_register()ed
 * handler runs there in hard-IRQ context. Returns the SBI error. */
long ipi_send_vector(unsigned int cpu, unsigned int vector);
/* The same kind to every other online CPU with one SBI call. */
long ipi_send_others(enum ipi_kind k);
/* The same kind to every hart including this one, with hart_mask_base
 * = -1 ("all harts", SBI 3.1). */
long ipi_send_all(enum ipi_kind k);

/* Run fn(arg) on `cpu` (directly if it is this CPU) and wait up to
 * timeout_us for it to finish. false: refused (interrupt context, CPU not
 * online) or timed out. */
bool smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *arg,
			      uint32_t timeout_us);
/* The same on every other online CPU; returns how many completed. */
unsigned int smp_call_function_others(void (*fn)(void *), void *arg, uint32_t timeout_us);

/* Flush the TLB entry of `va` on every online hart: locally with
 * sfence.vma, elsewhere through one IPI whose handlers flush and
 * acknowledge. Returns the number of other harts that acknowledged. */
unsigned int tlb_shootdown(uintptr_t va, uint32_t timeout_us);

/* Spin until *counter reaches want or timeout_us passes. */
bool ipi_wait_counter(const volatile unsigned long *counter, unsigned long want,
		      uint32_t timeout_us);

/* Microseconds to time-CSR ticks (10 MHz assumed if the rate is unknown). */
uint64_t rv_us_to_cycles(uint64_t us);

#endif /* RV_IPI_H */
