/* SPDX-License-Identifier: MIT */
/*
 * Minimal local APIC access (xAPIC MMIO or x2APIC MSRs, whichever mode
 * the CPU is in). The full driver (timer, IPIs, EOI) comes later.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

bool lapic_present(void);
uint32_t lapic_id(void);

/* Software-enable the APIC (SVR) with the spurious vector 0xff. */
void lapic_enable(void);

/* Send an NMI to this CPU through the ICR. */
void lapic_send_nmi_self(void);

#endif /* X86_LAPIC_H */
