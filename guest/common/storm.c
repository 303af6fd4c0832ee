/* SPDX-License-Identifier: MIT */
/*
 * Interrupt-storm defences for event-counter devices (storm.h).
 *
 * Concurrency: a device's interrupts, its hold-off/poll timer and its poll
 * softirq all run on the same CPU (the device's `cpu`, which must be the
 * boot CPU because timers run there). Counter reads outside the hard-IRQ
 * handler are done with interrupts off, so a read and the update of `seen`
 * can never be split by the handler.
 */
#include "arch.h"
#include "kcpu.h"
#include "ktimer.h"
#include "panic.h"
#include "smp.h"
#include "softirq.h"
#include "storm.h"

/* Defaults, in emulated-CPU time (a ring-0 instruction costs ~1 us here,
 * a counter read ~20 us). */
#define COALESCE_ROUNDS 16u
#define DALLY_US 400u
#define NAPI_THRESHOLD_US 2000u
#define NAPI_BUDGET 64u
#define NAPI_IDLE_TICKS 1u

static struct storm_dev *poll_list[GUEST_MAX_CPUS];

const char *storm_defence_name(enum storm_defence d)
{
	switch (d) {
	case STORM_NONE:
		return "none";
	case STORM_COALESCE:
		return "coalescing";
	case STORM_DALLY:
		return "dallying";
	case STORM_HOLDOFF:
		return "holdoff";
	case STORM_NAPI:
		return "polling-mode";
	default:
		return "?";
	}
}

static uint32_t read_new(struct storm_dev *d, uint32_t limit)
{
	uint32_t now = d->ops->read_events(d->ctx);
	uint32_t n = now - d->seen;

	d->reads++;
	if (n > limit)
		n = limit;
	d->seen += n;
	return n;
}

/* Outside the hard-IRQ handler: interrupts off around read and update. */
static uint32_t read_new_irqsafe(struct storm_dev *d, uint32_t limit)
{
	unsigned long flags = arch_irq_save();
	uint32_t n = read_new(d, limit);

	arch_irq_restore(flags);
	return n;
}

static void account_polled(struct storm_dev *d, uint32_t n)
{
	d->src.handled += n;
	d->src.polled += n;
}

static void poll_list_add(struct storm_dev *d)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();

	d->poll_next = poll_list[cpu];
	poll_list[cpu] = d;
	raise_softirq(SOFTIRQ_POLL);
	arch_irq_restore(flags);
}

static void poll_list_remove(struct storm_dev *d)
{
	unsigned long flags = arch_irq_save();

	for (struct storm_dev **pp = &poll_list[d->cpu]; *pp; pp = &(*pp)->poll_next) {
		if (*pp == d) {
			*pp = d->poll_next;
			break;
		}
	}
	d->poll_next = NULL;
	arch_irq_restore(flags);
}

/* Back to interrupt mode: unmask, then collect what arrived while masked
 * (those edges were dropped, the counter still has them). */
static void leave_masked(struct storm_dev *d)
{
	d->masked = false;
	d->ops->unmask(d->ctx);
	account_polled(d, read_new_irqsafe(d, UINT32_MAX));
}

/* Hold-off expiry and NAPI re-poll share the device's timer. */
static void timer_fn(struct ktimer *t)
{
	struct storm_dev *d = t->data;

	if (d->defence == STORM_HOLDOFF) {
		if (d->masked) {
			account_polled(d, read_new_irqsafe(d, UINT32_MAX));
			leave_masked(d);
		}
	} else if (d->polling) {
		poll_list_add(d);
	}
}

static void poll_action(void)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();
	struct storm_dev *d = poll_list[cpu];

	poll_list[cpu] = NULL;
	arch_irq_restore(flags);
	while (d) {
		struct storm_dev *next = d->poll_next;
		uint32_t n;

		d->poll_next = NULL;
		d->polls++;
		n = read_new_irqsafe(d, d->napi_budget);
		account_polled(d, n);
		if (n) {
			d->last_irq = arch_cycles(); /* last sign of activity */
		}
		if (n == d->napi_budget) {
			/* More is waiting: poll again in the next pass. */
			d->budget_exhausted++;
			poll_list_add(d);
		} else if (!n && arch_cycles() - d->last_irq > NAPI_IDLE_TICKS * cycles_per_tick()) {
			/* Idle: back to interrupts. */
			d->polling = false;
			leave_masked(d);
		} else {
			/* Caught up: look again next tick (the counter keeps
			 * whatever arrives meanwhile). */
			ktimer_add(&d->holdoff_timer, jiffies_now() + 1);
		}
		d = next;
	}
}

void storm_dev_init(struct storm_dev *d, const char *name, const struct storm_dev_ops *ops,
		    void *ctx, unsigned int cpu)
{
	uint64_t khz = arch_cycles_khz();

	if (cpu != 0)
		panic("storm device %s: must be serviced on cpu 0 (timers run there)", name);
	d->name = name;
	d->ops = ops;
	d->ctx = ctx;
	d->cpu = cpu;
	d->defence = STORM_NONE;
	d->coalesce_rounds = COALESCE_ROUNDS;
	d->dally_cycles = khz * DALLY_US / 1000;
	d->holdoff_cycles = cycles_per_tick();
	d->napi_threshold_cycles = khz * NAPI_THRESHOLD_US / 1000;
	d->napi_budget = NAPI_BUDGET;
	d->src.name = name;
	d->src.line = -1;
	ktimer_init(&d->holdoff_timer, timer_fn, d);
	irqstat_source_register(&d->src);
}

void storm_dev_set_defence(struct storm_dev *d, enum storm_defence def)
{
	d->defence = def < NR_STORM_DEFENCES ? def : STORM_NONE;
}

void storm_dev_reset(struct storm_dev *d, uint32_t counter_now)
{
	unsigned long flags = arch_irq_save();

	d->seen = counter_now;
	d->any_irq = false;
	d->irqs = d->reads = d->holdoffs = d->dally_catches = 0;
	d->poll_entries = d->polls = d->budget_exhausted = 0;
	d->coalesce_catches = d->masked_irqs = d->max_tick_irqs = d->tick_irqs = 0;
	d->tick_jiffies = jiffies_now();
	d->ab_irqs[0] = d->ab_irqs[1] = d->ab_events[0] = d->ab_events[1] = 0;
	d->ab_reads[0] = d->ab_reads[1] = 0;
	d->src.raised = d->src.handled = d->src.coalesced = 0;
	d->src.polled = d->src.unhandled = 0;
	arch_irq_restore(flags);
}

void storm_dev_rebase(struct storm_dev *d, uint32_t counter_now)
{
	unsigned long flags = arch_irq_save();

	d->seen = counter_now;
	arch_irq_restore(flags);
}

void storm_dev_irq(struct storm_dev *d)
{
	uint64_t now = arch_cycles();
	uint64_t since = d->any_irq ? now - d->last_irq : UINT64_MAX;
	enum storm_defence def = d->defence;
	unsigned int phase = 1;
	unsigned long reads0 = d->reads;
	uint32_t n, more = 0;

	if (d->interleave && !(jiffies_now() & 1)) {
		def = STORM_NONE;
		phase = 0;
	}
	d->irqs++;
	d->ab_irqs[phase]++;
	d->any_irq = true;
	d->last_irq = now;
	if (jiffies_now() != d->tick_jiffies) {
		d->tick_jiffies = jiffies_now();
		d->tick_irqs = 0;
	}
	if (++d->tick_irqs > d->max_tick_irqs)
		d->max_tick_irqs = d->tick_irqs;
	if (d->masked) {
		/* Delivered before the mask took effect; polling owns it. */
		d->src.unhandled++;
		d->masked_irqs++;
		return;
	}
	n = read_new(d, UINT32_MAX);
	if (n) {
		d->src.handled += n;
		d->src.coalesced += n - 1;
	} else {
		d->src.unhandled++; /* its event was taken by an earlier pass */
	}

	switch (def) {
	case STORM_COALESCE:
		for (unsigned int r = 0; r < d->coalesce_rounds; r++) {
			uint32_t m = read_new(d, UINT32_MAX);

			if (!m)
				break;
			more += m;
		}
		d->coalesce_catches += more;
		break;
	case STORM_DALLY: {
		uint64_t until = arch_cycles() + d->dally_cycles;

		/* At least one look, even if this vCPU was stalled past the
		 * window before the first: "dallied" is then a fact, not luck. */
		do
			more += read_new(d, UINT32_MAX);
		while (arch_cycles() < until);
		d->dally_catches += more;
		break;
	}
	case STORM_HOLDOFF:
		/* Only a second interrupt within the interval is held off: the
		 * first one after a quiet period was handled above at once. */
		if (since < d->holdoff_cycles) {
			d->masked = true;
			d->ops->mask(d->ctx);
			d->holdoffs++;
			ktimer_add(&d->holdoff_timer, jiffies_now() + 1);
		}
		break;
	case STORM_NAPI:
		if (since < d->napi_threshold_cycles) {
			d->masked = true;
			d->polling = true;
			d->ops->mask(d->ctx);
			d->poll_entries++;
			poll_list_add(d);
		}
		break;
	default:
		break;
	}
	d->src.handled += more;
	d->src.coalesced += more;
	d->ab_events[phase] += n + more;
	d->ab_reads[phase] += d->reads - reads0;
}

void storm_dev_finish(struct storm_dev *d, unsigned long raised)
{
	ktimer_del(&d->holdoff_timer);
	poll_list_remove(d);
	d->polling = false;
	if (d->masked)
		leave_masked(d);
	account_polled(d, read_new_irqsafe(d, UINT32_MAX));
	d->src.raised = raised;
}

void storm_init(void)
{
	softirq_register(SOFTIRQ_POLL, poll_action, "POLL");
}
