/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts through the local APIC: the port's IPI hooks
 * (arch.h) for the common function calls, TLB shootdown and counters
 * (smp_call.h), and the CPU index -> APIC ID map.
 */
#ifndef X86_IPI_H
#define X86_IPI_H

#include <stdint.h>

#include "smp_call.h"

/* The tick's fixed vector (0xfe-0xff: LAPIC spurious). */
#define TICK_VECTOR 0xfdu

void ipi_init(void);
uint32_t cpu_apic_id(unsigned int cpu);

#endif /* X86_IPI_H */
