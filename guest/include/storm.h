/* SPDX-License-Identifier: MIT */
/*
 * Interrupt-storm defences for a device whose pending work is an event
 * counter. The device model (the test device's storm generator) counts the
 * events it raised; the driver remembers how many it has processed, so
 * "pending" = counter - seen, whatever the interrupts did: edges merged in
 * the interrupt controller, edges dropped while the line was masked, or an
 * interrupt that arrives before the counter moved. Every event is
 * therefore processed exactly once, either by an interrupt of its own, or
 * coalesced into another event's interrupt, or by polling; at the end
 * handled == raised (the device's count) exactly.
 *
 * Defences (one at a time per device):
 *  - STORM_NONE      read the counter once per interrupt;
 *  - STORM_COALESCE  re-read until nothing new arrived (bounded rounds):
 *                    everything pending and what arrives meanwhile;
 *  - STORM_DALLY     after the work, keep polling for a short bounded
 *                    time to catch the next event without an interrupt;
 *  - STORM_HOLDOFF   if the previous interrupt was less than the hold-off
 *                    interval ago, mask the source after handling and
 *                    unmask (collecting what arrived) on the next tick: a
 *                    rate limit that never delays the first event after an
 *                    idle period;
 *  - STORM_NAPI      when two interrupts come closer than a threshold,
 *                    mask and poll from the POLL softirq with a budget per
 *                    poll; unmask when a poll finds nothing (idle).
 */
#ifndef GUEST_STORM_H
#define GUEST_STORM_H

#include <stdbool.h>
#include <stdint.h>

#include "irqstat.h"
#include "ktimer.h"

enum storm_defence {
	STORM_NONE = 0,
	STORM_COALESCE,
	STORM_DALLY,
	STORM_HOLDOFF,
	STORM_NAPI,
	NR_STORM_DEFENCES,
};

struct storm_dev_ops {
	uint32_t (*read_events)(void *ctx); /* monotonic event counter (mod 2^32) */
	void (*mask)(void *ctx);            /* stop the device interrupting */
	void (*unmask)(void *ctx);
};

struct storm_dev {
	const char *name;
	const struct storm_dev_ops *ops;
	void *ctx;
	enum storm_defence defence;
	unsigned int cpu; /* where its interrupts and polls run */

	/* tunables (storm_dev_init sets defaults) */
	unsigned int coalesce_rounds;    /* extra counter reads per interrupt */
	uint64_t dally_cycles;           /* polling window after the work */
	uint64_t holdoff_cycles;         /* minimum interrupt spacing */
	uint64_t napi_threshold_cycles;  /* closer interrupts switch to polling */
	unsigned int napi_budget;        /* events per poll */

	/* A/B comparison within one storm (tests; coalescing and dallying
	 * only, which keep no state between interrupts): on even ticks the
	 * handler acts as STORM_NONE, on odd ticks with the defence. */
	bool interleave;
	unsigned long ab_irqs[2];   /* [0] ticks without, [1] ticks with the defence */
	unsigned long ab_events[2]; /* events taken by those interrupts */
	unsigned long ab_reads[2];  /* counter reads made by those interrupts */

	/* state */
	uint32_t seen;
	bool masked;
	bool polling;
	bool any_irq;
	uint64_t last_irq;
	struct ktimer holdoff_timer;
	struct storm_dev *poll_next;

	/* counters */
	struct irq_source src;      /* handled, coalesced, polled, unhandled */
	unsigned long irqs;         /* handler invocations */
	unsigned long reads;        /* counter reads */
	unsigned long holdoffs;     /* times masked by the hold-off */
	unsigned long dally_catches;/* events caught while dallying */
	unsigned long coalesce_catches; /* events caught by coalescing re-reads */
	unsigned long masked_irqs;  /* interrupts that came with the source masked */
	/* Interrupts per tick (jiffy): the most in any one tick. A rate in
	 * the tick's own clock, which the hold-off's unmask also runs on. */
	unsigned long max_tick_irqs;
	unsigned long tick_irqs;
	uint64_t tick_jiffies;
	unsigned long poll_entries; /* switches to polling mode */
	unsigned long polls;        /* poll runs */
	unsigned long budget_exhausted;
};

const char *storm_defence_name(enum storm_defence d);

void storm_dev_init(struct storm_dev *d, const char *name, const struct storm_dev_ops *ops,
		    void *ctx, unsigned int cpu);
/* Switch defence (device quiet, interrupts of the device not running). */
void storm_dev_set_defence(struct storm_dev *d, enum storm_defence def);
/* Restart the accounting from the device's current counter. */
void storm_dev_reset(struct storm_dev *d, uint32_t counter_now);
/* The device's counter restarts at counter_now; the totals go on. */
void storm_dev_rebase(struct storm_dev *d, uint32_t counter_now);

/* The device's hard-IRQ handler (call it from the line/vector handler). */
void storm_dev_irq(struct storm_dev *d);

/* After the device went quiet (thread context): leave polling / hold-off,
 * unmask, collect what is left; `raised` is the device's own total. */
void storm_dev_finish(struct storm_dev *d, unsigned long raised);

void storm_init(void);

#endif /* GUEST_STORM_H */
