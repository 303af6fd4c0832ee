/* SPDX-License-Identifier: MIT */
/*
 * The irqstat table (irqstat.h). The counters themselves are written by
 * irqentry.c and by drivers; this file registers sources and prints.
 */
#include "arch.h"
#include "irqstat.h"
#include "kcpu.h"
#include "kprintf.h"
#include "sched.h"
#include "softirq.h"
#include "spinlock.h"
#include "tap.h"

static spinlock_t sources_lock = SPINLOCK_INIT;
static struct irq_source *sources;
static const char *vector_names[IRQ_MAX_VECTORS];

void irqstat_source_register(struct irq_source *s)
{
	spin_lock(&sources_lock);
	if (!s->registered) {
		s->next = sources;
		sources = s;
		s->registered = true;
	}
	spin_unlock(&sources_lock);
}

void irqstat_name_vector(unsigned int vector, const char *name)
{
	if (vector < IRQ_MAX_VECTORS)
		vector_names[vector] = name;
}

unsigned long irqstat_irqs(unsigned int cpu, unsigned int vector)
{
	if (cpu >= GUEST_MAX_CPUS || vector >= IRQ_MAX_VECTORS)
		return 0;
	return READ_ONCE(irqstat[cpu].irqs[vector]);
}

unsigned long irqstat_irqs_all(unsigned int vector)
{
	unsigned long n = 0;

	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		n += irqstat_irqs(cpu, vector);
	return n;
}

uint64_t irqstat_cycles_all(unsigned int vector)
{
	uint64_t n = 0;

	if (vector >= IRQ_MAX_VECTORS)
		return 0;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		n += READ_ONCE(irqstat[cpu].cycles[vector]);
	return n;
}

uint64_t cycles_to_us(uint64_t cycles)
{
	uint64_t khz = arch_cycles_khz();

	return khz ? cycles * 1000 / khz : 0;
}

static void print_vectors(unsigned int nr_cpus)
{
	tap_note("irqstat: hard interrupts per vector and CPU (count/spurious, time in handler)");
	for (unsigned int v = 0; v < IRQ_MAX_VECTORS; v++) {
		char line[200];
		int len = 0;
		unsigned long total = 0;

		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
			total += irqstat[cpu].irqs[v];
		if (!total)
			continue;
		len += ksnprintf(line + len, sizeof(line) - (size_t)len, "  vec %#04x %-14s", v,
				 vector_names[v] ? vector_names[v] : "");
		for (unsigned int cpu = 0; cpu < nr_cpus && len < (int)sizeof(line); cpu++) {
			const struct irqstat_cpu *s = &irqstat[cpu];

			len += ksnprintf(line + len, sizeof(line) - (size_t)len,
					 " cpu%u %lu/%lu %luus", cpu, s->irqs[v], s->spurious[v],
					 (unsigned long)cycles_to_us(s->cycles[v]));
		}
		tap_note("%s", line);
	}
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		if (irqstat[cpu].nmis)
			tap_note("  NMI cpu%u %lu", cpu, irqstat[cpu].nmis);
}

static void print_softirqs(unsigned int nr_cpus)
{
	tap_note("irqstat: softirqs per CPU (raised/run, time)");
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		const struct softirq_stats *s = softirq_stats(cpu);
		char line[240];
		int len = ksnprintf(line, sizeof(line), "  cpu%u", cpu);

		for (unsigned int nr = 0; nr < NR_SOFTIRQS && len < (int)sizeof(line); nr++) {
			if (!s->raised[nr] && !s->runs[nr])
				continue;
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s %lu/%lu %luus",
					 softirq_name((enum softirq_nr)nr), s->raised[nr],
					 s->runs[nr], (unsigned long)cycles_to_us(s->cycles[nr]));
		}
		tap_note("%s", line);
		tap_note("  cpu%u passes: %lu on irq exit (%lu restarts), %lu in ksoftirqd; "
			 "%lu hand-offs to ksoftirqd, %lu irq exits deferred to it",
			 cpu, s->irq_exit_passes, s->restarts, s->thread_passes, s->handoffs,
			 s->deferred);
	}
}

static void print_sources(void)
{
	bool header = false;

	for (struct irq_source *s = sources; s; s = s->next) {
		if (!header) {
			tap_note("irqstat: event sources (device: events raised, handled = by own "
				 "interrupt + coalesced + polled, interrupts with nothing to do; "
				 "line: interrupts claimed as handled / unhandled)");
			header = true;
		}
		tap_note("  %-16s line %-3d vec %#04x raised %lu handled %lu coalesced %lu "
			 "polled %lu unhandled-irqs %lu",
			 s->name, s->line, s->vector, s->raised, s->handled, s->coalesced, s->polled,
			 s->unhandled);
	}
}

void irqstat_print(void)
{
	unsigned int nr_cpus = smp_online_count();

	if (nr_cpus > GUEST_MAX_CPUS)
		nr_cpus = GUEST_MAX_CPUS;
	print_vectors(nr_cpus);
	print_softirqs(nr_cpus);
	print_sources();
	tap_note("irqstat: %u threads, context switches:", sched_nr_threads());
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		tap_note("  cpu%u %lu", cpu, sched_switches(cpu));
}
