/* SPDX-License-Identifier: MIT */
/*
 * Decoding KVM_GET_LAPIC's register page (the xAPIC MMIO layout, SDM vol. 3,
 * table 11-1) for the interrupt-state dump. Pure: bytes in, JSON out.
 */
#ifndef IRQVM_ARCH_X86_LAPIC_DUMP_H
#define IRQVM_ARCH_X86_LAPIC_DUMP_H

#include <jansson.h>
#include <linux/kvm.h>
#include <stdint.h>

/* Register offsets in struct kvm_lapic_state.regs. */
#define LAPIC_REG_ID 0x20
#define LAPIC_REG_VERSION 0x30
#define LAPIC_REG_TPR 0x80
#define LAPIC_REG_APR 0x90
#define LAPIC_REG_PPR 0xa0
#define LAPIC_REG_LDR 0xd0
#define LAPIC_REG_DFR 0xe0
#define LAPIC_REG_SVR 0xf0
#define LAPIC_REG_ISR 0x100
#define LAPIC_REG_TMR 0x180
#define LAPIC_REG_IRR 0x200
#define LAPIC_REG_ESR 0x280
#define LAPIC_REG_LVT_CMCI 0x2f0
#define LAPIC_REG_ICR_LO 0x300
#define LAPIC_REG_ICR_HI 0x310
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_LVT_THERMAL 0x330
#define LAPIC_REG_LVT_PERF 0x340
#define LAPIC_REG_LVT_LINT0 0x350
#define LAPIC_REG_LVT_LINT1 0x360
#define LAPIC_REG_LVT_ERROR 0x370
#define LAPIC_REG_TIMER_INITIAL 0x380
#define LAPIC_REG_TIMER_CURRENT 0x390
#define LAPIC_REG_TIMER_DIVIDE 0x3e0

#define LAPIC_BASE_MSR_ENABLE (1ull << 11)
#define LAPIC_BASE_MSR_X2APIC (1ull << 10)

uint32_t x86_lapic_reg(const struct kvm_lapic_state *s, unsigned offset);
/* The 256-bit set at offset (ISR, TMR, IRR: eight registers 16 bytes apart). */
void x86_lapic_vector_set(const struct kvm_lapic_state *s, unsigned offset, uint32_t words[8]);
/* The timer's divide configuration register as the divisor (1..128). */
unsigned x86_lapic_timer_divisor(uint32_t divide_config);
/* The whole local APIC; apic_base is the IA32_APIC_BASE MSR (KVM_GET_SREGS). */
json_t *x86_lapic_json(const struct kvm_lapic_state *s, uint64_t apic_base);

#endif
