/* SPDX-License-Identifier: MIT */
/*
 * PIT channel 0 (pit.h). The control word and the two count bytes form
 * one sequence, so it runs with interrupts off.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "pit.h"
#include "smp_x86.h"
#include "x86.h"

#define PIT_CH0 IRQVM_PORT_PIT
#define PIT_CONTROL (IRQVM_PORT_PIT + 3)

/* Control word: SC1-SC0 = 00 (channel 0), RW = 11 (LSB then MSB),
 * M2-M0 = mode, BCD = 0. */
#define CW_CH0_LOHI 0x30u
#define CW_MODE(m) ((uint8_t)((m) << 1))
#define CW_CH0_LATCH 0x00u
/* Read-back: SC = 11, COUNT# = 0 and STATUS# = 0 (latch both), CNT0. */
#define CW_READ_BACK_CH0 0xc2u

bool pit_present(void)
{
	return x86_boot_info.devices & IRQVM_DEV_PIT;
}

static void program(unsigned int mode, uint16_t count)
{
	unsigned long flags = arch_irq_save();

	outb(PIT_CONTROL, CW_CH0_LOHI | CW_MODE(mode));
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
	arch_irq_restore(flags);
}

void pit_periodic(uint16_t divisor)
{
	program(2, divisor);
}

void pit_oneshot(uint16_t count)
{
	program(0, count);
}

void pit_stop(void)
{
	program(5, 0xffff);
}

uint16_t pit_read_count(void)
{
	unsigned long flags = arch_irq_save();
	uint16_t v;

	outb(PIT_CONTROL, CW_CH0_LATCH);
	v = inb(PIT_CH0);
	v |= (uint16_t)inb(PIT_CH0) << 8;
	arch_irq_restore(flags);
	return v;
}

uint16_t pit_read_back(uint8_t *status)
{
	unsigned long flags = arch_irq_save();
	uint16_t v;

	outb(PIT_CONTROL, CW_READ_BACK_CH0);
	*status = inb(PIT_CH0); /* a latched status is read before the count */
	v = inb(PIT_CH0);
	v |= (uint16_t)inb(PIT_CH0) << 8;
	arch_irq_restore(flags);
	return v;
}
