/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC driver (Intel 82093AA datasheet; version 0x20 adds the EOI
 * register of later chipsets). One IOAPIC at IRQVM_X86_IOAPIC_GPA; its
 * pins are the test device's lines, except ISA IRQ0 -> pin 2.
 *
 * Level-triggered EOIs: a level entry keeps Remote IRR set from delivery
 * until an EOI for its vector. Where the LAPIC offers "suppress EOI
 * broadcast" and the IOAPIC has the EOI register, ioapic_init() turns the
 * broadcast off on the calling CPU and ioapic_ack() EOIs the IOAPIC
 * directly after the LAPIC; this is exact on any host, while a broadcast
 * EOI may be reported too early by some hypervisors (docs/irqchip.md).
 * Every CPU that takes IOAPIC level interrupts must call
 * ioapic_cpu_init() (the boot CPU's is done by ioapic_init()).
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Redirection entry fields (datasheet 3.2.4). */
#define IOAPIC_DM_FIXED (0ull << 8)
#define IOAPIC_DM_LOWEST (1ull << 8)
#define IOAPIC_DM_NMI (4ull << 8)
#define IOAPIC_DM_EXTINT (7ull << 8)
#define IOAPIC_DEST_LOGICAL (1ull << 11)
#define IOAPIC_DELIVERY_STATUS (1ull << 12)
#define IOAPIC_ACTIVE_LOW (1ull << 13)
#define IOAPIC_REMOTE_IRR (1ull << 14)
#define IOAPIC_LEVEL (1ull << 15)
#define IOAPIC_MASKED (1ull << 16)
#define IOAPIC_DEST_SHIFT 56

bool ioapic_present(void);

/* Masks every pin and sets up directed EOI where available (above). */
void ioapic_init(void);
/* Per-CPU part: suppress the LAPIC's EOI broadcast if directed EOI is in
 * use. */
void ioapic_cpu_init(void);

uint32_t ioapic_id(void);
uint32_t ioapic_version(void);      /* bits 7:0 version, 23:16 max entry */
unsigned int ioapic_nr_pins(void);
bool ioapic_has_eoi_register(void); /* version >= 0x20 */
bool ioapic_directed_eoi(void);     /* ioapic_init() chose directed EOI */

uint64_t ioapic_read_entry(unsigned int pin);
/* Writes the high dword first, then the low one, with the entry masked in
 * between, so the entry is never live half-written. */
void ioapic_write_entry(unsigned int pin, uint64_t rte);
/* Fixed delivery of vector to a physical APIC ID, masked or not, with the
 * given IOAPIC_LEVEL / IOAPIC_ACTIVE_LOW / IOAPIC_DEST_LOGICAL / IOAPIC_DM_*
 * flags (a logical destination is the ID byte then). */
void ioapic_route(unsigned int pin, uint8_t vector, uint8_t dest, uint64_t flags);
void ioapic_set_masked(unsigned int pin, bool masked);
bool ioapic_remote_irr(unsigned int pin);

/* EOI register write (version 0x20): clears Remote IRR of the entries
 * with this vector. */
void ioapic_eoi(uint8_t vector);

/* End of a level- or edge-triggered IOAPIC interrupt from its handler:
 * LAPIC EOI, then the IOAPIC EOI register if directed EOI is in use. */
void ioapic_ack(uint8_t vector);

#endif /* X86_IOAPIC_H */
