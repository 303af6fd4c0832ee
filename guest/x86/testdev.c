/* SPDX-License-Identifier: MIT */
/*
 * Test device access (testdev.h). Line ports take byte writes; the
 * extension block takes 32-bit accesses and reports the outcome of the
 * last operation in STATUS, which is device-wide: the lock keeps another
 * CPU's (or a handler's) operation from landing between an operation and
 * its status read.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "smp_x86.h"
#include "spinlock.h"
#include "testdev.h"
#include "x86.h"

static spinlock_t testdev_lock = SPINLOCK_INIT;

static uint32_t ext_read(unsigned int reg)
{
	return inl(IRQVM_PORT_TESTDEV_EXT + reg);
}

static void ext_write(unsigned int reg, uint32_t v)
{
	outl(IRQVM_PORT_TESTDEV_EXT + reg, v);
}

static unsigned long lock(void)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&testdev_lock);
	return flags;
}

static void unlock(unsigned long flags)
{
	spin_unlock(&testdev_lock);
	arch_irq_restore(flags);
}

static int status_result(void)
{
	return -(int)ext_read(IRQVM_TESTDEV_STATUS);
}

bool testdev_present(void)
{
	return x86_boot_info.devices & IRQVM_DEV_TESTDEV;
}

int testdev_set_line(unsigned int line, bool level)
{
	unsigned long flags;
	int r;

	if (line >= IRQVM_TESTDEV_NR_LINES)
		return -(int)IRQVM_TESTDEV_ERR_BAD_LINE; /* no port for it */
	flags = lock();
	outb((uint16_t)(IRQVM_PORT_TESTDEV_IRQ + line), level);
	r = status_result();
	unlock(flags);
	return r;
}

int testdev_pulse(unsigned int line)
{
	unsigned long flags = lock();
	int r;

	ext_write(IRQVM_TESTDEV_PULSE, line);
	r = status_result();
	unlock(flags);
	return r;
}

static void latch_msi(uint64_t address, uint32_t data)
{
	ext_write(IRQVM_TESTDEV_MSI_ADDR_LO, (uint32_t)address);
	ext_write(IRQVM_TESTDEV_MSI_ADDR_HI, (uint32_t)(address >> 32));
	ext_write(IRQVM_TESTDEV_MSI_DATA, data);
}

void testdev_msi_latch(uint64_t address, uint32_t data)
{
	unsigned long flags = lock();

	latch_msi(address, data);
	unlock(flags);
}

int testdev_msi(uint64_t address, uint32_t data)
{
	unsigned long flags = lock();
	int r;

	latch_msi(address, data);
	ext_write(IRQVM_TESTDEV_MSI_FIRE, 1);
	r = status_result();
	unlock(flags);
	return r;
}

int testdev_storm_start(unsigned int kind, unsigned int arg, uint32_t count, uint32_t period_ns)
{
	unsigned long flags = lock();
	int r;

	ext_write(IRQVM_TESTDEV_STORM_KIND, kind);
	ext_write(IRQVM_TESTDEV_STORM_ARG, arg);
	ext_write(IRQVM_TESTDEV_STORM_COUNT, count);
	ext_write(IRQVM_TESTDEV_STORM_PERIOD, period_ns);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	r = status_result();
	unlock(flags);
	return r;
}

void testdev_storm_stop(void)
{
	unsigned long flags = lock();

	ext_write(IRQVM_TESTDEV_STORM_CTRL, 0);
	unlock(flags);
}

bool testdev_storm_running(void)
{
	return ext_read(IRQVM_TESTDEV_STORM_CTRL) == 1;
}

uint32_t testdev_storm_sent(void)
{
	return ext_read(IRQVM_TESTDEV_STORM_SENT);
}
