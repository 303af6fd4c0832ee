/* SPDX-License-Identifier: MIT */
/*
 * 8259A PIC pair (pic.h). Command sequences that span two port accesses
 * (OCW3 then a read) run with interrupts off under a lock, so a handler
 * or another CPU cannot slip its own OCW3 in between.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "irq.h"
#include "lapic.h"
#include "pic.h"
#include "smp_x86.h"
#include "spinlock.h"
#include "x86.h"

#define MASTER_CMD IRQVM_PORT_PIC_MASTER
#define MASTER_DATA (IRQVM_PORT_PIC_MASTER + 1)
#define SLAVE_CMD IRQVM_PORT_PIC_SLAVE
#define SLAVE_DATA (IRQVM_PORT_PIC_SLAVE + 1)
#define ELCR_MASTER IRQVM_PORT_ELCR
#define ELCR_SLAVE (IRQVM_PORT_ELCR + 1)

/* "Initialization Command Words" */
#define ICW1_INIT 0x10
#define ICW1_IC4 0x01
#define ICW3_MASTER_SLAVE_ON_IR2 (1u << PIC_CASCADE_IRQ)
#define ICW3_SLAVE_ID 0x02
#define ICW4_8086 0x01
#define ICW4_AEOI 0x02
/* "Operation Command Words": OCW2 R/SL/EOI in bits 7-5, OCW3 has bit 3 set. */
#define OCW2_ROTATE_AEOI_CLEAR 0x00
#define OCW2_EOI 0x20
#define OCW2_SPECIFIC_EOI 0x60
#define OCW2_ROTATE_AEOI_SET 0x80
#define OCW2_ROTATE_EOI 0xa0
#define OCW2_SET_PRIORITY 0xc0
#define OCW3 0x08
#define OCW3_READ_IRR (OCW3 | 0x02)
#define OCW3_READ_ISR (OCW3 | 0x03)
#define OCW3_POLL (OCW3 | 0x04)
#define OCW3_SMM_SET (OCW3 | 0x60)
#define OCW3_SMM_CLEAR (OCW3 | 0x40)

struct pic_handler {
	pic_handler_t fn;
	void *ctx;
	unsigned int flags;
};

static spinlock_t pic_lock = SPINLOCK_INIT;
static uint16_t cached_mask = 0xffff;
static bool aeoi;
static struct pic_handler handlers[PIC_NR_IRQS];
static unsigned long spurious[2]; /* IRQ7, IRQ15 */

static unsigned long lock(void)
{
	unsigned long flags = arch_irq_save();

	spin_lock(&pic_lock);
	return flags;
}

static void unlock(unsigned long flags)
{
	spin_unlock(&pic_lock);
	arch_irq_restore(flags);
}

bool pic_present(void)
{
	return x86_boot_info.devices & IRQVM_DEV_PIC;
}

static void write_mask_locked(uint16_t mask)
{
	cached_mask = mask;
	outb(MASTER_DATA, (uint8_t)mask);
	outb(SLAVE_DATA, (uint8_t)(mask >> 8));
}

void pic_init(bool auto_eoi)
{
	uint8_t icw4 = ICW4_8086 | (auto_eoi ? ICW4_AEOI : 0);
	unsigned long flags;

	/* LVT0 can only be unmasked in a software-enabled LAPIC. */
	if (lapic_present()) {
		lapic_enable();
		lapic_set_lint0_extint(true);
	}
	flags = lock();
	outb(MASTER_CMD, ICW1_INIT | ICW1_IC4);
	outb(MASTER_DATA, PIC_VECTOR_BASE);
	outb(MASTER_DATA, ICW3_MASTER_SLAVE_ON_IR2);
	outb(MASTER_DATA, icw4);
	outb(SLAVE_CMD, ICW1_INIT | ICW1_IC4);
	outb(SLAVE_DATA, PIC_SLAVE_VECTOR_BASE);
	outb(SLAVE_DATA, ICW3_SLAVE_ID);
	outb(SLAVE_DATA, icw4);
	aeoi = auto_eoi;
	/* ICW1 unmasked everything; only the cascade input stays open. */
	write_mask_locked((uint16_t)~(1u << PIC_CASCADE_IRQ));
	unlock(flags);
}

bool pic_auto_eoi(void)
{
	return aeoi;
}

void pic_set_mask(uint16_t mask)
{
	unsigned long flags = lock();

	write_mask_locked(mask);
	unlock(flags);
}

uint16_t pic_get_mask(void)
{
	return READ_ONCE(cached_mask);
}

void pic_mask(unsigned int irq)
{
	unsigned long flags;

	if (irq >= PIC_NR_IRQS)
		return;
	flags = lock();
	write_mask_locked(cached_mask | (uint16_t)(1u << irq));
	unlock(flags);
}

void pic_unmask(unsigned int irq)
{
	unsigned long flags;
	uint16_t m;

	if (irq >= PIC_NR_IRQS)
		return;
	flags = lock();
	m = cached_mask & (uint16_t)~(1u << irq);
	if (irq >= 8)
		m &= (uint16_t)~(1u << PIC_CASCADE_IRQ); /* a slave IRQ needs the cascade */
	write_mask_locked(m);
	unlock(flags);
}

void pic_mask_all(void)
{
	pic_set_mask(0xffff);
}

static uint16_t read_both(uint8_t ocw3)
{
	unsigned long flags = lock();
	uint16_t v;

	outb(MASTER_CMD, ocw3);
	outb(SLAVE_CMD, ocw3);
	v = inb(MASTER_CMD) | (uint16_t)inb(SLAVE_CMD) << 8;
	unlock(flags);
	return v;
}

uint16_t pic_read_irr(void)
{
	return read_both(OCW3_READ_IRR);
}

uint16_t pic_read_isr(void)
{
	return read_both(OCW3_READ_ISR);
}

/* One chip's ISR bit for its level 7: is a 7/15 genuine? */
static bool level7_in_service(bool slave)
{
	uint16_t port = slave ? SLAVE_CMD : MASTER_CMD;
	unsigned long flags = lock();
	uint8_t isr;

	outb(port, OCW3_READ_ISR);
	isr = inb(port);
	unlock(flags);
	return isr & 0x80;
}

void pic_eoi(unsigned int irq)
{
	if (irq >= PIC_NR_IRQS)
		return;
	/* Slave first: the master's IR2 must stay in service until the slave
	 * level is done, or a lower master level could slip in between. */
	if (irq >= 8) {
		outb(SLAVE_CMD, OCW2_SPECIFIC_EOI | (irq & 7));
		outb(MASTER_CMD, OCW2_SPECIFIC_EOI | PIC_CASCADE_IRQ);
	} else {
		outb(MASTER_CMD, OCW2_SPECIFIC_EOI | irq);
	}
}

void pic_eoi_nonspecific(bool slave)
{
	outb(slave ? SLAVE_CMD : MASTER_CMD, OCW2_EOI);
}

void pic_set_lowest_priority(bool slave, unsigned int level)
{
	outb(slave ? SLAVE_CMD : MASTER_CMD, OCW2_SET_PRIORITY | (level & 7));
}

void pic_rotate_eoi_nonspecific(bool slave)
{
	outb(slave ? SLAVE_CMD : MASTER_CMD, OCW2_ROTATE_EOI);
}

void pic_set_rotate_in_aeoi(bool on)
{
	uint8_t cmd = on ? OCW2_ROTATE_AEOI_SET : OCW2_ROTATE_AEOI_CLEAR;

	outb(MASTER_CMD, cmd);
	outb(SLAVE_CMD, cmd);
}

void pic_set_special_mask(bool on)
{
	uint8_t cmd = on ? OCW3_SMM_SET : OCW3_SMM_CLEAR;

	outb(MASTER_CMD, cmd);
	outb(SLAVE_CMD, cmd);
}

void pic_set_elcr(uint16_t level_mask)
{
	outb(ELCR_MASTER, (uint8_t)level_mask);
	outb(ELCR_SLAVE, (uint8_t)(level_mask >> 8));
}

uint16_t pic_get_elcr(void)
{
	return inb(ELCR_MASTER) | (uint16_t)inb(ELCR_SLAVE) << 8;
}

uint8_t pic_poll(bool slave)
{
	uint16_t port = slave ? SLAVE_CMD : MASTER_CMD;
	unsigned long flags = lock();
	uint8_t v;

	outb(port, OCW3_POLL);
	v = inb(port);
	unlock(flags);
	return v;
}

/*
 * Every PIC vector enters here. A 7 or 15 whose ISR bit is clear was not
 * a real request ("Edge and Level Triggered Modes": the chip answers the
 * acknowledge with IR7 when the request vanished). It must not be EOI'd on
 * its own chip: a non-specific EOI would end some other level in service.
 * For IRQ15 the master did acknowledge IR2, so that one is EOI'd. In AEOI
 * mode the ISR is always clear and a spurious request cannot be told from a
 * real one; it is passed to the handler.
 */
static void pic_vector_entry(unsigned int vector, void *unused)
{
	unsigned int irq = vector - PIC_VECTOR_BASE;
	const struct pic_handler *h;

	(void)unused;
	if (irq >= PIC_NR_IRQS)
		return;
	if ((irq == 7 || irq == 15) && !aeoi && !level7_in_service(irq == 15)) {
		__atomic_fetch_add(&spurious[irq == 15], 1, __ATOMIC_RELAXED);
		if (irq == 15)
			outb(MASTER_CMD, OCW2_SPECIFIC_EOI | PIC_CASCADE_IRQ);
		return;
	}
	h = &handlers[irq];
	if (h->fn)
		h->fn(irq, h->ctx);
	if (!aeoi && !(h->flags & PIC_HANDLER_OWN_EOI))
		pic_eoi(irq);
}

bool pic_request_irq(unsigned int irq, pic_handler_t handler, void *ctx, unsigned int flags)
{
	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IRQ || !handler)
		return false;
	handlers[irq] = (struct pic_handler){ handler, ctx, flags };
	if (!irq_register(PIC_VECTOR_BASE + irq, pic_vector_entry, NULL)) {
		handlers[irq].fn = 0;
		return false;
	}
	return true;
}

void pic_free_irq(unsigned int irq)
{
	if (irq >= PIC_NR_IRQS || irq == PIC_CASCADE_IRQ)
		return;
	irq_unregister(PIC_VECTOR_BASE + irq);
	handlers[irq].fn = 0;
}

unsigned long pic_spurious_count(unsigned int irq)
{
	if (irq != 7 && irq != 15)
		return 0;
	return __atomic_load_n(&spurious[irq == 15], __ATOMIC_RELAXED);
}
