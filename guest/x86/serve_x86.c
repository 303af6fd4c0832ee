/* SPDX-License-Identifier: MIT */
/*
 * x86 part of serve mode (services.h): IOAPIC pins 1-23 to vectors
 * 0x40 + pin, active high, physical destination CPU 0, edge except pin 10
 * (level); pin 2 (the PIT's) and pin 11 stay masked, and IRQ 3 goes
 * through the 8259 instead (its pin masked, the master's input open,
 * ExtINT through LINT0): so the control socket's clients find every kind
 * of line, edge, level, PIC and masked. Three busy ring-3 tasks on CPU 0.
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
#define SERVE_PIC_IRQ 3u     /* through the 8259: vector 0x23, PIC EOI */
#define SERVE_LEVEL_PIN 10u  /* level-triggered, active high */
#define SERVE_MASKED_PIN 11u /* masked in the IOAPIC and the PIC */

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
	arch_serve_eoi(v);
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
	/* Edge pins and MSIs: the LAPIC EOI is all they need. The level pin
	 * also needs the IOAPIC's (its EOI register where ioapic_init() chose
	 * directed EOI, else the LAPIC's broadcast), or Remote IRR stays set.
	 * The PIC line has its own entry, which EOIs the 8259. */
	if (vector == SERVE_VECTOR_BASE + SERVE_LEVEL_PIN)
		ioapic_ack((uint8_t)vector);
	else
		lapic_eoi();
}

/* The PIC's own entry (pic.c) EOIs IRQ 3. A spurious IRQ7 (vector 0x27,
 * registered by nobody) takes the general path: counted as spurious, and
 * rightly not EOI'd; the slave is masked, so no IRQ15 comes. */
static void serve_pic_irq(unsigned int irq, void *ctx)
{
	(void)irq;
	(void)ctx;
}

const char *arch_serve_setup(void)
{
	unsigned int pins = ioapic_present() ? ioapic_nr_pins() : 0;
	bool pic = false;

	if (pic_present()) {
		pic_mask_all();
		pic = pins > SERVE_PIC_IRQ && pic_request_irq(SERVE_PIC_IRQ, serve_pic_irq, NULL, 0);
		if (pic)
			pic_unmask(SERVE_PIC_IRQ);
	}
	for (unsigned int pin = 1; pin < pins && pin < 24; pin++) {
		if (pin == 2 || pin == SERVE_MASKED_PIN || (pic && pin == SERVE_PIC_IRQ))
			continue;
		ioapic_route(pin, (uint8_t)(SERVE_VECTOR_BASE + pin), (uint8_t)cpu_apic_id(0),
			     pin == SERVE_LEVEL_PIN ? IOAPIC_LEVEL : 0);
	}
	busy_start(&serve_tasks, SERVE_TASKS, 0);
	x86_ring3_mirror(true);
	if (!pins)
		return "no IOAPIC; 3 ring-3 tasks on cpu 0";
	return pic ? "IOAPIC pins 1-23 -> vectors 0x41-0x57 (active high, cpu 0), edge but pin 10 "
		     "(level), pins 2 and 11 masked; IRQ 3 through the PIC (vector 0x23, its pin "
		     "masked); 3 ring-3 tasks on cpu 0"
		   : "IOAPIC pins 1-23 -> vectors 0x41-0x57 (active high, cpu 0), edge but pin 10 "
		     "(level), pins 2 and 11 masked; no PIC; 3 ring-3 tasks on cpu 0";
}
