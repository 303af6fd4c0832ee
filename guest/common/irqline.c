/* SPDX-License-Identifier: MIT */
/*
 * Interrupt lines with shared handlers and the screaming-line detector
 * (irqline.h).
 */
#include "arch.h"
#include "irq.h"
#include "irqline.h"
#include "kstring.h"
#include "tap.h"

#define SCREAM_RESET_CYCLES() (arch_cycles_khz() * IRQ_SCREAM_RESET_MS)

static void line_eoi(struct irq_line *l)
{
	if (l->chip && l->chip->eoi)
		l->chip->eoi(l);
}

void irq_line_mask(struct irq_line *l)
{
	if (l->chip && l->chip->mask)
		l->chip->mask(l);
	l->masked = true;
}

void irq_line_unmask(struct irq_line *l)
{
	if (l->disabled)
		return;
	l->masked = false;
	if (l->chip && l->chip->unmask)
		l->chip->unmask(l);
}

/* "nobody cared": mask the line for good and say so. */
static void line_disable_screaming(struct irq_line *l)
{
	l->disabled = true;
	irq_line_mask(l);
	tap_note("irq line %u (vector %#x): nobody cared (%u of the last %u interrupts "
		 "unhandled); disabling it",
		 l->line, l->vector, l->window_unhandled, IRQ_SCREAM_WINDOW);
}

static void note_result(struct irq_line *l, bool handled)
{
	if (!handled) {
		uint64_t now = arch_cycles();

		l->unhandled++;
		l->src.unhandled++;
		/* Strays far apart are noise, not a stuck line. */
		if (l->last_unhandled && now - l->last_unhandled > SCREAM_RESET_CYCLES())
			l->window = l->window_unhandled = 0;
		l->last_unhandled = now;
		l->window_unhandled++;
	}
	if (++l->window < IRQ_SCREAM_WINDOW)
		return;
	if (l->window_unhandled >= IRQ_SCREAM_UNHANDLED)
		line_disable_screaming(l);
	l->window = l->window_unhandled = 0;
}

static void line_dispatch(unsigned int vector, void *ctx)
{
	struct irq_line *l = ctx;
	bool handled = false;

	(void)vector;
	l->irqs++;
	if (l->disabled) {
		/* Already masked; one in flight may still arrive. */
		l->while_disabled++;
		line_eoi(l);
		return;
	}
	for (unsigned int i = 0; i < l->nr_handlers; i++)
		if (l->handlers[i].fn(l->handlers[i].ctx) == IRQ_HANDLED)
			handled = true;
	if (handled)
		l->src.handled++; /* interrupts some handler claimed */
	note_result(l, handled);
	line_eoi(l);
}

int irq_alloc_vector(unsigned int first, unsigned int last, irq_handler_t handler, void *ctx)
{
	/* irq_register() refuses a taken vector, which makes it the test. */
	for (unsigned int v = first; v <= last && v < IRQ_MAX_VECTORS; v++)
		if (irq_register(v, handler, ctx))
			return (int)v;
	return -1;
}

bool irq_line_setup(struct irq_line *l, const char *name, unsigned int line,
		    unsigned int vector, bool level, const struct irq_line_chip *chip,
		    void *chip_data)
{
	memset(l, 0, sizeof(*l));
	l->line = line;
	l->vector = vector;
	l->level = level;
	l->chip = chip;
	l->chip_data = chip_data;
	l->src.name = name;
	l->src.line = (int)line;
	l->src.vector = vector;
	irq_line_mask(l);
	if (!irq_register(vector, line_dispatch, l))
		return false;
	irqstat_name_vector(vector, name);
	irqstat_source_register(&l->src);
	return true;
}

void irq_line_teardown(struct irq_line *l)
{
	irq_line_mask(l);
	irq_unregister(l->vector);
}

bool irq_line_add_handler(struct irq_line *l, irq_line_handler_t fn, void *ctx)
{
	if (l->nr_handlers >= IRQ_LINE_MAX_HANDLERS)
		return false;
	l->handlers[l->nr_handlers].ctx = ctx;
	l->handlers[l->nr_handlers].fn = fn;
	l->nr_handlers++;
	return true;
}

void irq_line_reenable(struct irq_line *l)
{
	l->disabled = false;
	l->window = l->window_unhandled = 0;
	l->last_unhandled = 0;
	irq_line_unmask(l);
}
