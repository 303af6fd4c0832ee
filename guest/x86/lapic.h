/* SPDX-License-Identifier: MIT */
/*
 * Local APIC driver (Intel SDM vol. 3, chapter 11): xAPIC registers as
 * 32-bit MMIO at IA32_APIC_BASE or x2APIC registers as MSRs, whichever mode
 * the CPU is in. Every function acts on the calling CPU's own LAPIC.
 *
 * The mode and MMIO base are read from IA32_APIC_BASE once and cached (on
 * the development hosts every rdmsr in ring 0 is an emulated exit); this
 * kernel never switches modes after boot, and all CPUs share one base.
 *
 * Host note (docs/guest.md, "Interrupt controllers"): the in-kernel LAPIC
 * of nested-PVM hosts behaves as if it EOIs at delivery, so ISR/PPR read 0
 * inside a handler there. Code that needs a real ISR must probe that
 * (lapic_isr_probe()) rather than assume it.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_SPURIOUS_VECTOR 0xffu

/* CPUID says there is an APIC and IA32_APIC_BASE has it globally enabled. */
bool lapic_present(void);
bool lapic_x2apic_mode(void);
uint32_t lapic_id(void);

/* Software-enable the APIC (SVR bit 8) with the spurious vector 0xff;
 * keeps the "suppress EOI broadcast" bit as it is. In xAPIC mode it also
 * selects the flat logical model with logical ID 1 << APIC ID (IDs 0-7),
 * as PC operating systems do, so logical destinations name CPUs. */
void lapic_enable(void);
/* The logical ID lapic_enable() gave this CPU (x2APIC: the read-only LDR). */
uint32_t lapic_logical_id(void);

/* End of interrupt for the highest-priority in-service vector. */
void lapic_eoi(void);

/* Version register: bits 7:0 version, 23:16 max LVT entry, bit 24 "EOI
 * broadcast suppression" supported (directed EOI). */
uint32_t lapic_version(void);
bool lapic_directed_eoi_supported(void);
/* SVR bit 12: a level-triggered EOI is not broadcast to the IOAPICs; the
 * OS EOIs the IOAPIC itself (its EOI register). Only meaningful if
 * lapic_directed_eoi_supported(). */
void lapic_set_suppress_eoi_broadcast(bool on);
bool lapic_suppress_eoi_broadcast(void);

bool lapic_isr_bit(unsigned int vector);
bool lapic_irr_bit(unsigned int vector);
bool lapic_tmr_bit(unsigned int vector);
uint32_t lapic_ppr(void);
uint32_t lapic_tpr(void);
void lapic_set_tpr(uint32_t tpr);

/* ICR delivery modes and destination shorthands (SDM 11.6.1). */
enum { LAPIC_DM_FIXED = 0, LAPIC_DM_NMI = 4, LAPIC_DM_INIT = 5, LAPIC_DM_STARTUP = 6 };
enum { LAPIC_DEST_NONE = 0, LAPIC_DEST_SELF = 1, LAPIC_DEST_ALL = 2, LAPIC_DEST_ALL_BUT_SELF = 3 };

/* Physical destination. Safe from interrupt handlers and on several CPUs
 * at once (the xAPIC's two-register ICR write is done with interrupts off). */
void lapic_send_ipi(uint32_t dest_apic_id, uint8_t vector, unsigned int delivery_mode);
void lapic_send_ipi_shorthand(unsigned int shorthand, uint8_t vector, unsigned int delivery_mode);
void lapic_send_nmi_self(void);

/* LAPIC timer, divide by 16. The count runs at the bus/core crystal clock
 * the hypervisor emulates; measure it against the TSC if it matters. */
void lapic_timer_oneshot(uint8_t vector, uint32_t initial_count);
void lapic_timer_periodic(uint8_t vector, uint32_t initial_count);
/* Masks the timer LVT and clears the count (and the TSC deadline). */
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);

/* CPUID.1:ECX[24]. Arm: LVT timer in TSC-deadline mode, then the deadline
 * MSR (0 disarms). */
bool lapic_tsc_deadline_supported(void);
void lapic_tsc_deadline_arm(uint8_t vector, uint64_t tsc);

/* Timer input clock after the divide-by-16, measured once against the
 * TSC (boot_info tsc_khz); 0 if the TSC frequency is unknown. */
uint64_t lapic_timer_hz(void);

/* Idle (sti; hlt) until done(ctx) is true or timeout_us passes; returns
 * done(ctx). The CPU is woken by the interrupts it waits for and by a
 * LAPIC timer watchdog on LAPIC_WAKE_VECTOR (re-armed every 500 us, so
 * events from other CPUs are seen too), used only while the timer is
 * otherwise idle (LVT masked) and the LAPIC software-enabled. Otherwise
 * the wait spins with interrupts on. done() runs with interrupts off when
 * halting, on when spinning. Returns with the caller's interrupt flag
 * restored and the watchdog stopped. Usable in handlers. */
#define LAPIC_WAKE_VECTOR 0xefu
bool lapic_idle_until(bool (*done)(void *ctx), void *ctx, uint32_t timeout_us);
/* Idle with interrupts enabled for about us microseconds (same wake-up
 * rules): lets pending interrupts in and shows that nothing else comes. */
void lapic_idle_us(uint32_t us);

/* Does this LAPIC keep a delivered vector in service until EOI? Sends one
 * self-IPI on LAPIC_PROBE_VECTOR (interrupts briefly enabled) and reads
 * the ISR bit inside its handler; the answer is cached. Hosts whose LAPIC
 * acts as if it EOIs at delivery (docs/guest.md) give LAPIC_ISR_CLEAR. */
#define LAPIC_PROBE_VECTOR 0xeeu
enum lapic_isr_behaviour {
	LAPIC_ISR_UNKNOWN,   /* no LAPIC, or the probe interrupt never came */
	LAPIC_ISR_HELD,      /* architectural: ISR set until EOI */
	LAPIC_ISR_CLEAR,     /* ISR already clear inside the handler */
};
enum lapic_isr_behaviour lapic_isr_probe(void);

/* LVT0 = ExtINT unmasked ("virtual wire": the 8259 reaches this CPU) or
 * masked. */
void lapic_set_lint0_extint(bool on);
uint32_t lapic_lvt0(void);

#endif /* X86_LAPIC_H */
