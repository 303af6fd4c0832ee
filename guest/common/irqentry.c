/* SPDX-License-Identifier: MIT */
/*
 * The architecture-neutral interrupt path (irqentry.h): nesting depth,
 * accounting, dispatch, and the softirq / scheduler work on the way out.
 *
 * Every instruction here runs on every interrupt, and ring-0 code is
 * emulated at about a microsecond per instruction on the development
 * hosts, so the path is kept straight: one cycle-counter read on entry and
 * one on exit, array-indexed counters, no locks.
 */
#include "arch.h"
#include "gstats.h"
#include "irq.h"
#include "irqentry.h"
#include "irqstat.h"
#include "kcpu.h"
#include "panic.h"
#include "sched.h"
#include "softirq.h"

struct kcpu kcpu[GUEST_MAX_CPUS];
struct irqstat_cpu irqstat[GUEST_MAX_CPUS];

void irq_handle(unsigned int vector, bool from_user)
{
	unsigned int cpu = arch_cpu_id();
	struct kcpu *c = &kcpu[cpu];
	struct irqstat_cpu *st = &irqstat[cpu];
	uint64_t t0 = arch_cycles();

	vector &= IRQ_MAX_VECTORS - 1;
	gstats_irq(cpu, vector, t0);
	/* Handlers nest only when one re-enables interrupts, and then only
	 * for a higher priority class (16 on x86 LAPICs, fewer elsewhere):
	 * deeper means interrupts arrive that the CPU should have held back.
	 * Say so before the stack runs out and corrupts what lies below. */
	if (++c->hardirq_depth > IRQ_MAX_NESTING)
		panic("hard-IRQ handlers nested %u deep at vector %#x: interrupts delivered while "
		      "they should have been held back", c->hardirq_depth, vector);
	st->irqs[vector]++;
	if (!irq_dispatch(vector)) {
		st->spurious[vector]++;
		gstats_add_spurious();
	}
	st->cycles[vector] += arch_cycles() - t0;
	if (--c->hardirq_depth)
		return;
	/* Nested in a softirq that interrupts enabled: that softirq pass is
	 * still running on this stack, so neither run softirqs nor switch. */
	if (c->softirq_active)
		return;
	if (c->softirq_pending)
		softirq_irq_exit();
	if (c->need_resched)
		sched_irq_exit(from_user);
}

void irq_count_nmi(unsigned int vector)
{
	unsigned int cpu = arch_cpu_id();

	irqstat[cpu].nmis++;
	gstats_irq(cpu, vector & (IRQ_MAX_VECTORS - 1), arch_cycles());
}
