/* SPDX-License-Identifier: MIT */
/*
 * Interrupt statistics, kept per CPU and vector by the interrupt path
 * (entries, spurious entries with no handler, cycles in hard-IRQ context)
 * and per event source by drivers (events raised by the device, events
 * handled, how many of those were coalesced into another event's
 * interrupt, interrupts the driver found nothing to do for). Printed as an
 * `irqstat` table at the end of the run.
 */
#ifndef GUEST_IRQSTAT_H
#define GUEST_IRQSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "irq.h"
#include "smp.h"

struct irqstat_cpu {
	unsigned long irqs[IRQ_MAX_VECTORS];
	unsigned long spurious[IRQ_MAX_VECTORS];
	uint64_t cycles[IRQ_MAX_VECTORS];
	unsigned long nmis;
};

extern struct irqstat_cpu irqstat[GUEST_MAX_CPUS];

/* A driver's event source. */
struct irq_source {
	struct irq_source *next;
	const char *name;
	unsigned int vector; /* 0 if none / varies */
	int line;            /* interrupt line (GSI), -1 if none */
	unsigned long raised;    /* events the device produced (as far as known) */
	unsigned long handled;   /* events the driver processed */
	unsigned long coalesced; /* of those, processed without an interrupt of their own */
	unsigned long unhandled; /* interrupts with nothing to do */
	unsigned long polled;    /* of handled, processed by polling */
	bool registered;
};

void irqstat_source_register(struct irq_source *s);

/* A name for a vector in the table ("timer", "ipi-call", ...). */
void irqstat_name_vector(unsigned int vector, const char *name);

unsigned long irqstat_irqs(unsigned int cpu, unsigned int vector);
unsigned long irqstat_irqs_all(unsigned int vector); /* all CPUs */
uint64_t irqstat_cycles_all(unsigned int vector);

/* cycles -> microseconds with the port's cycle rate (0 if unknown). */
uint64_t cycles_to_us(uint64_t cycles);

/* The table, as TAP diagnostics (printed even in quiet mode). */
void irqstat_print(void);

#endif /* GUEST_IRQSTAT_H */
