/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines: a line (GSI, PLIC source...) delivered on one vector,
 * with up to IRQ_LINE_MAX_HANDLERS shared handlers that each say whether
 * the interrupt was theirs, and an interrupt-controller "chip" that can
 * mask, unmask and end (EOI) it.
 *
 * Screaming-line detection, like Linux's "nobody cared": if at least
 * IRQ_SCREAM_UNHANDLED of IRQ_SCREAM_WINDOW consecutive interrupts of a
 * line were claimed by no handler, the line is masked, marked disabled and
 * reported. Unhandled interrupts more than IRQ_SCREAM_RESET_MS apart do not
 * accumulate (an occasional stray is normal). Linux uses 99,900 of 100,000;
 * here every interrupt costs a few hundred microseconds of emulated ring-0
 * code, so the window is scaled down to detect a screaming line within a
 * few tenths of a second.
 */
#ifndef GUEST_IRQLINE_H
#define GUEST_IRQLINE_H

#include <stdbool.h>
#include <stdint.h>

#include "irqstat.h"

enum irqreturn {
	IRQ_NONE = 0,    /* not mine */
	IRQ_HANDLED = 1,
};

typedef enum irqreturn (*irq_line_handler_t)(void *ctx);

struct irq_line;

struct irq_line_chip {
	const char *name;
	void (*mask)(struct irq_line *l);
	void (*unmask)(struct irq_line *l);
	void (*eoi)(struct irq_line *l); /* end of interrupt, after the handlers */
};

#define IRQ_LINE_MAX_HANDLERS 4u
#define IRQ_SCREAM_WINDOW 100u
#define IRQ_SCREAM_UNHANDLED 99u
#define IRQ_SCREAM_RESET_MS 100u

struct irq_line {
	unsigned int line;
	unsigned int vector;
	bool level;
	const struct irq_line_chip *chip;
	void *chip_data;
	struct {
		irq_line_handler_t fn;
		void *ctx;
	} handlers[IRQ_LINE_MAX_HANDLERS];
	unsigned int nr_handlers;
	volatile bool disabled; /* by the screaming-line detector */
	bool masked;
	/* detector state */
	unsigned int window;
	unsigned int window_unhandled;
	uint64_t last_unhandled;
	/* counters */
	unsigned long irqs;
	unsigned long unhandled;
	unsigned long while_disabled; /* arrived after it was disabled */
	struct irq_source src;
};

/* Allocate a free vector in [first, last] and install handler(ctx) on it;
 * returns the vector, or -1 if all are taken. */
int irq_alloc_vector(unsigned int first, unsigned int last, irq_handler_t handler, void *ctx);

/* Claims `vector` (irq_register); false if taken. The line starts masked
 * if the chip can mask; call irq_line_unmask() once handlers are in. */
bool irq_line_setup(struct irq_line *l, const char *name, unsigned int line,
		    unsigned int vector, bool level, const struct irq_line_chip *chip,
		    void *chip_data);
void irq_line_teardown(struct irq_line *l);
bool irq_line_add_handler(struct irq_line *l, irq_line_handler_t fn, void *ctx);
void irq_line_mask(struct irq_line *l);
void irq_line_unmask(struct irq_line *l);
/* Clear the "nobody cared" state and unmask. */
void irq_line_reenable(struct irq_line *l);

#endif /* GUEST_IRQLINE_H */
