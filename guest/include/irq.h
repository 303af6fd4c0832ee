/* SPDX-License-Identifier: MIT */
/*
 * External interrupt handlers, keyed by the architecture's vector number
 * (IDT vector on x86, external interrupt id on RISC-V). The architecture's
 * trap code calls irq_dispatch(); drivers (PIC, IOAPIC, timers, MSI
 * devices) register handlers. Deferred work, when added, is raised from
 * these handlers and run on the way out of the trap.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdbool.h>

#define IRQ_MAX_VECTORS 256u

/* Hard-IRQ handlers nested deeper than this stop the kernel with a panic
 * (irqentry.c). The deepest nesting a test makes on purpose is 2 (a higher
 * priority inside a handler that re-enabled interrupts); 8 nested entries
 * still fit the smallest trap stack (8 KiB) with room to print the panic. */
#define IRQ_MAX_NESTING 8u

typedef void (*irq_handler_t)(unsigned int vector, void *ctx);

/* Returns false if the vector is out of range or already taken. */
bool irq_register(unsigned int vector, irq_handler_t handler, void *ctx);
void irq_unregister(unsigned int vector);

/* Runs the handler; returns false (and counts the vector as spurious) if
 * none is registered. */
bool irq_dispatch(unsigned int vector);

unsigned long irq_count(unsigned int vector);
unsigned long irq_spurious_count(void);

#endif /* GUEST_IRQ_H */
