/* SPDX-License-Identifier: MIT */
/*
 * 8259A PIC pair driver (Intel 8259A datasheet; PC/AT wiring: master at
 * 0x20/0x21, slave at 0xa0/0xa1 on master IR2, ELCR at 0x4d0/0x4d1).
 * IRQs are numbered 0-15 as on a PC (8-15 on the slave).
 *
 * The PIC reaches the boot CPU through its LAPIC's LINT0 in ExtINT mode
 * ("virtual wire"); pic_init() programs that. The same ISA lines also
 * reach IOAPIC pins: a line must be masked in one of them while the other
 * is used for it.
 *
 * Interrupts arrive on vectors PIC_VECTOR_BASE + irq. pic_request_irq()
 * installs a handler behind a wrapper that rejects spurious IRQ7/IRQ15
 * (the ISR bit of the level is clear: the request went away before the
 * acknowledge cycle; no EOI is sent to that chip, but the master's IR2 is
 * EOI'd for a spurious IRQ15, since the master did acknowledge the
 * cascade) and sends the EOI after the handler unless the handler takes
 * care of it (PIC_HANDLER_OWN_EOI) or the PIC is in AEOI mode.
 */
#ifndef X86_PIC_H
#define X86_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_VECTOR_BASE 0x20u
#define PIC_SLAVE_VECTOR_BASE 0x28u
#define PIC_NR_IRQS 16u
#define PIC_CASCADE_IRQ 2u

bool pic_present(void);

/* ICW1-ICW4 on both chips: vectors 0x20-0x2f, cascade on IR2, 8086 mode,
 * optionally automatic EOI; all lines masked, IR2 on the master unmasked
 * (the cascade); normal priority, no special mask mode. Also sets LVT0 of
 * the calling CPU's LAPIC to ExtINT (the boot CPU is the PIC's target). */
void pic_init(bool auto_eoi);
bool pic_auto_eoi(void);

/* OCW1. Bit n of a 16-bit mask = IRQ n. pic_mask_all() masks everything
 * (the cascade too). */
void pic_mask(unsigned int irq);
void pic_unmask(unsigned int irq);
void pic_set_mask(uint16_t mask);
uint16_t pic_get_mask(void);
void pic_mask_all(void);

/* OCW3 register reads: 16-bit IRR / ISR of both chips. */
uint16_t pic_read_irr(void);
uint16_t pic_read_isr(void);

/* OCW2 EOIs. pic_eoi() is the specific EOI for irq (both chips for a
 * slave IRQ); pic_eoi_nonspecific() EOIs the highest in-service level of
 * one chip. */
void pic_eoi(unsigned int irq);
void pic_eoi_nonspecific(bool slave);

/* OCW2 rotation: set the lowest-priority level of a chip (specific
 * rotation, "set priority"); rotate on non-specific EOI; rotate in AEOI. */
void pic_set_lowest_priority(bool slave, unsigned int level);
void pic_rotate_eoi_nonspecific(bool slave);
void pic_set_rotate_in_aeoi(bool on);

/* OCW3 special mask mode on both chips. */
void pic_set_special_mask(bool on);

/* ELCR: bit n = IRQ n level-triggered (0, 1, 2, 8, 13 cannot be). */
void pic_set_elcr(uint16_t level_mask);
uint16_t pic_get_elcr(void);

/* OCW3 poll: returns the level with bit 7 set, or 0 with bit 7 clear if
 * nothing is pending (acts as an acknowledge on that chip). */
uint8_t pic_poll(bool slave);

typedef void (*pic_handler_t)(unsigned int irq, void *ctx);
#define PIC_HANDLER_OWN_EOI (1u << 0) /* the handler sends its EOI itself */

/* Install / remove a handler for irq (0-15, not 2). false if the vector is
 * taken or irq is invalid. */
bool pic_request_irq(unsigned int irq, pic_handler_t handler, void *ctx, unsigned int flags);
void pic_free_irq(unsigned int irq);

/* Spurious IRQ7 / IRQ15 rejected by the wrapper so far. */
unsigned long pic_spurious_count(unsigned int irq);

#endif /* X86_PIC_H */
