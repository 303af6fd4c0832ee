/* SPDX-License-Identifier: MIT */
/*
 * The interrupt-line layer: the one way devices, the test device and the
 * control socket raise and lower interrupt lines. A line number is a GSI
 * in QEMU's PC numbering (0-15 are the ISA IRQs, 16-23 further IOAPIC pins;
 * RISC-V: PLIC source numbers). The layer remembers each line's level and
 * counts edges, and hands changes to the irqchip backend of the VM (x86
 * split: PIC + IOAPIC fan-out; x86 kernel: KVM_IRQ_LINE; RISC-V: PLIC),
 * which does the routing and its own locking.
 */
#ifndef IRQVM_IRQLINE_H
#define IRQVM_IRQLINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_LINES_MAX 128

struct irq_backend {
	const char *name;
	unsigned nr_lines;
	/* Level of line changed (or a pulse's rising/falling half). Called with
	 * the layer's lock held, so backends see changes in order. */
	void (*set_line)(void *opaque, unsigned line, bool level);
	void *opaque;
};

struct irq_line_stats {
	uint64_t raised;  /* low -> high transitions requested */
	uint64_t lowered; /* high -> low */
	uint64_t pulses;
};

struct irq_lines {
	pthread_mutex_t lock;
	struct irq_backend backend;
	bool level[IRQ_LINES_MAX];
	struct irq_line_stats stats[IRQ_LINES_MAX];
};

void irq_lines_init(struct irq_lines *lines);
void irq_lines_set_backend(struct irq_lines *lines, const struct irq_backend *backend);
void irq_lines_destroy(struct irq_lines *lines);

/* Both return 0, or -1 if the line does not exist in this VM. */
int irq_line_set(struct irq_lines *lines, unsigned line, bool level);
/* A rising edge for an edge-triggered input: high then low again. A line
 * that is held high is lowered and raised, so the edge is seen and the
 * holder's level is kept. */
int irq_line_pulse(struct irq_lines *lines, unsigned line);
bool irq_line_level(struct irq_lines *lines, unsigned line);
unsigned irq_lines_count(const struct irq_lines *lines);

#endif
