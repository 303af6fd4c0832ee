/* SPDX-License-Identifier: MIT */
/*
 * x86 part of serve mode (services.h): IOAPIC pins 1-23 except 2 to
 * vectors 0x40 + pin, edge, active high, unmasked, physical destination
 * CPU 0; the 8259 PICs masked; three busy ring-3 tasks on CPU 0.
 *
 * Vectors that only count get IDT gates to serve_entry.S's short path;
 * the kernel's own vectors (tick, IPIs) keep the general one.
 */
#include "desc.h"
#include "gstats.h"
#include "irq.h"
#include "irqstat.h"
#include "ioapic.h"
#include "ipi.h"
#include "lapic.h"
#include "pic.h"
#include "percpu.h"
#include "sched_x86.h"
#include "services.h"
#include "trap.h"
#include "x86.h"

#define SERVE_VECTOR_BASE 0x40u
#define SERVE_FIRST_VECTOR 0x30u
#define SERVE_LAST_VECTOR 0xfeu
#define SERVE_TASKS 3u

static struct busy_set serve_tasks;

extern const uint8_t serve_stubs[];
#define SERVE_STUB_SIZE 16

/* Called by serve_fast_common with interrupts off. */
void serve_fast_irq(uint64_t vector, uint64_t tsc, uint64_t rflags);
void serve_fast_irq(uint64_t vector, uint64_t tsc, uint64_t rflags)
{
	struct percpu *pc = this_cpu();
	unsigned int cpu = pc->cpu;
	unsigned int v = (unsigned int)vector & (IRQ_MAX_VECTORS - 1);

	/* The interrupted code had IF clear: a second delivery by the host
	 * (traps.c, trap_is_second_delivery); nothing in serve mode runs
	 * `int n` on these vectors. Dropped and counted, not counted twice. */
	if (!(rflags & X86_RFLAGS_IF)) {
		trap_note_second_delivery(v, 0); /* the fast path does not pass RIP */
		return;
	}
	gstats_irq(cpu, v, tsc);
	irqstat[cpu].irqs[v]++;
	lapic_eoi();
}

/* Point vector v's gate at its serve stub (type, selector, IST unchanged). */
static void use_fast_gate(unsigned int v)
{
	uint64_t addr = (uint64_t)(serve_stubs + v * SERVE_STUB_SIZE);
	struct idt_gate *g = &x86_idt[v];

	g->offset_lo = (uint16_t)addr;
	g->offset_mid = (uint16_t)(addr >> 16);
	g->offset_hi = (uint32_t)(addr >> 32);
}

void arch_serve_fast_path(unsigned int vector)
{
	use_fast_gate(vector);
}

void arch_serve_vectors(unsigned int *first, unsigned int *last)
{
	*first = SERVE_FIRST_VECTOR;
	*last = SERVE_LAST_VECTOR;
}

void arch_serve_eoi(unsigned int vector)
{
	(void)vector;
	/* Edge IOAPIC pins and MSIs: the LAPIC EOI is all they need. */
	lapic_eoi();
}

const char *arch_serve_setup(void)
{
	unsigned int pins = ioapic_present() ? ioapic_nr_pins() : 0;

	if (pic_present())
		pic_mask_all();
	for (unsigned int pin = 1; pin < pins && pin < 24; pin++)
		if (pin != 2)
			ioapic_route(pin, (uint8_t)(SERVE_VECTOR_BASE + pin), (uint8_t)cpu_apic_id(0),
				     0);
	busy_start(&serve_tasks, SERVE_TASKS, 0);
	x86_ring3_mirror(true);
	return pins ? "IOAPIC pins 1-23 except 2 -> vectors 0x41-0x57 (edge, active high, cpu 0), "
		      "PIC masked, 3 ring-3 tasks on cpu 0"
		    : "no IOAPIC; 3 ring-3 tasks on cpu 0";
}
