/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC access (ioapic.h). IOREGSEL/IOWIN is an index/data pair shared by
 * all CPUs, so every indirect access holds a lock with interrupts off.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "ioapic.h"
#include "lapic.h"
#include "smp_x86.h"
#include "spinlock.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_REDTBL(pin) (0x10u + 2u * (pin))

#define VERSION_WITH_EOI_REGISTER 0x20u

static spinlock_t ioapic_lock = SPINLOCK_INIT;
static bool directed_eoi;
static unsigned int nr_pins;

static volatile uint32_t *reg(uint32_t offset)
{
	return (volatile uint32_t *)(IRQVM_X86_IOAPIC_GPA + offset);
}

static uint32_t read_locked(uint32_t index)
{
	*reg(IOREGSEL) = index;
	return *reg(IOWIN);
}

static void write_locked(uint32_t index, uint32_t v)
{
	*reg(IOREGSEL) = index;
	*reg(IOWIN) = v;
}

static uint32_t ioapic_read(uint32_t index)
{
	unsigned long flags = arch_irq_save();
	uint32_t v;

	spin_lock(&ioapic_lock);
	v = read_locked(index);
	spin_unlock(&ioapic_lock);
	arch_irq_restore(flags);
	return v;
}

bool ioapic_present(void)
{
	return x86_boot_info.devices & IRQVM_DEV_IOAPIC;
}

uint32_t ioapic_id(void)
{
	return ioapic_read(REG_ID) >> 24 & 0xf;
}

uint32_t ioapic_version(void)
{
	return ioapic_read(REG_VERSION);
}

unsigned int ioapic_nr_pins(void)
{
	if (!nr_pins)
		nr_pins = (ioapic_version() >> 16 & 0xff) + 1;
	return nr_pins;
}

bool ioapic_has_eoi_register(void)
{
	return (ioapic_version() & 0xff) >= VERSION_WITH_EOI_REGISTER;
}

bool ioapic_directed_eoi(void)
{
	return directed_eoi;
}

uint64_t ioapic_read_entry(unsigned int pin)
{
	unsigned long flags;
	uint64_t lo, hi;

	if (pin >= ioapic_nr_pins())
		return IOAPIC_MASKED;
	flags = arch_irq_save();
	spin_lock(&ioapic_lock);
	lo = read_locked(REG_REDTBL(pin));
	hi = read_locked(REG_REDTBL(pin) + 1);
	spin_unlock(&ioapic_lock);
	arch_irq_restore(flags);
	return hi << 32 | lo;
}

void ioapic_write_entry(unsigned int pin, uint64_t rte)
{
	unsigned long flags;
	uint32_t lo_now;

	if (pin >= ioapic_nr_pins())
		return;
	flags = arch_irq_save();
	spin_lock(&ioapic_lock);
	lo_now = read_locked(REG_REDTBL(pin));
	if (!(lo_now & IOAPIC_MASKED))
		write_locked(REG_REDTBL(pin), lo_now | (uint32_t)IOAPIC_MASKED);
	write_locked(REG_REDTBL(pin) + 1, (uint32_t)(rte >> 32));
	write_locked(REG_REDTBL(pin), (uint32_t)rte);
	spin_unlock(&ioapic_lock);
	arch_irq_restore(flags);
}

void ioapic_route(unsigned int pin, uint8_t vector, uint8_t dest, uint64_t flags)
{
	ioapic_write_entry(pin, (uint64_t)dest << IOAPIC_DEST_SHIFT | vector | flags);
}

void ioapic_set_masked(unsigned int pin, bool masked)
{
	unsigned long flags;
	uint32_t lo;

	if (pin >= ioapic_nr_pins())
		return;
	flags = arch_irq_save();
	spin_lock(&ioapic_lock);
	lo = read_locked(REG_REDTBL(pin));
	lo = masked ? lo | (uint32_t)IOAPIC_MASKED : lo & ~(uint32_t)IOAPIC_MASKED;
	write_locked(REG_REDTBL(pin), lo);
	spin_unlock(&ioapic_lock);
	arch_irq_restore(flags);
}

bool ioapic_remote_irr(unsigned int pin)
{
	return ioapic_read_entry(pin) & IOAPIC_REMOTE_IRR;
}

void ioapic_eoi(uint8_t vector)
{
	/* A direct register, no IOREGSEL: needs no lock. */
	*reg(IOEOI) = vector;
}

void ioapic_ack(uint8_t vector)
{
	lapic_eoi();
	if (directed_eoi)
		ioapic_eoi(vector);
}

void ioapic_cpu_init(void)
{
	if (directed_eoi && lapic_directed_eoi_supported())
		lapic_set_suppress_eoi_broadcast(true);
}

void ioapic_init(void)
{
	if (!ioapic_present())
		return;
	for (unsigned int pin = 0; pin < ioapic_nr_pins(); pin++)
		ioapic_write_entry(pin, IOAPIC_MASKED);
	directed_eoi = lapic_present() && ioapic_has_eoi_register() &&
		       lapic_directed_eoi_supported();
	if (directed_eoi) {
		lapic_enable();
		ioapic_cpu_init();
	}
}
