/* SPDX-License-Identifier: MIT */
/*
 * Local APIC register access (Intel SDM vol. 3, chapter 11): xAPIC
 * registers are 32-bit MMIO at IA32_APIC_BASE, x2APIC registers are MSRs
 * 0x800 + offset / 16. The ICR is one 64-bit MSR in x2APIC mode (dest in
 * bits 63:32) but two MMIO registers in xAPIC mode (dest in ICR_HI 31:24,
 * and the write to ICR_LO sends).
 */
#include "lapic.h"
#include "x86.h"

#define LAPIC_ID 0x20
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define SVR_ENABLE 0x100
#define SPURIOUS_VECTOR 0xff
#define ICR_DM_NMI (4u << 8)
#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))

static bool x2apic(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
}

static volatile uint32_t *mmio(uint32_t reg)
{
	return (volatile uint32_t *)((rdmsr(MSR_APIC_BASE) & ~0xfffull) + reg);
}

static uint32_t lapic_read(uint32_t reg)
{
	return x2apic() ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : *mmio(reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic())
		wrmsr(X2APIC_MSR(reg), v);
	else
		*mmio(reg) = v;
}

bool lapic_present(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return (d & (1u << 9)) && (rdmsr(MSR_APIC_BASE) & APIC_BASE_EN);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return x2apic() ? id : id >> 24;
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
}

void lapic_send_nmi_self(void)
{
	uint32_t id = lapic_id();

	if (x2apic()) {
		wrmsr(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)id << 32) | ICR_DM_NMI);
	} else {
		lapic_write(LAPIC_ICR_HI, id << 24);
		lapic_write(LAPIC_ICR_LO, ICR_DM_NMI);
	}
}
