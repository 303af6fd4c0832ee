/* SPDX-License-Identifier: MIT */
/*
 * Softirqs: a fixed table of bottom-half handlers with a per-CPU pending
 * mask. raise_softirq() is called from hard-IRQ handlers; the pending
 * handlers run on the way out of the outermost interrupt, with interrupts
 * enabled, lowest number first. A pass that leaves work pending (a handler
 * raised itself again, or interrupts raised more) is restarted at most
 * SOFTIRQ_MAX_RESTART times or for SOFTIRQ_MAX_CYCLES; whatever is left is
 * handed to the CPU's ksoftirqd thread, which runs it like any other
 * thread, so a flood of bottom-half work cannot starve user tasks. While
 * ksoftirqd has work, interrupt exits leave softirqs to it.
 */
#ifndef GUEST_SOFTIRQ_H
#define GUEST_SOFTIRQ_H

#include <stdbool.h>
#include <stdint.h>

enum softirq_nr {
	SOFTIRQ_HI = 0,      /* high-priority tasklets */
	SOFTIRQ_TIMER = 1,   /* kernel timers */
	SOFTIRQ_POLL = 2,    /* NAPI-like device polling */
	SOFTIRQ_TASKLET = 3, /* ordinary tasklets */
	SOFTIRQ_TEST0 = 4,   /* free for tests */
	SOFTIRQ_TEST1 = 5,
	NR_SOFTIRQS = 6,
};

#define SOFTIRQ_MAX_RESTART 10u

typedef void (*softirq_fn)(void);

void softirq_init(void);
/* Install a handler (boot or test set-up, not while raised). */
void softirq_register(enum softirq_nr nr, softirq_fn fn, const char *name);
const char *softirq_name(enum softirq_nr nr);

/* Mark nr pending on this CPU (any context; cheap). */
void raise_softirq(enum softirq_nr nr);

/* Interrupt exit path (irqentry.c): run pending softirqs unless nested,
 * already in a softirq, or ksoftirqd has taken over. Interrupts are
 * disabled on entry and on return. */
void softirq_irq_exit(void);

/* Counters per CPU. */
struct softirq_stats {
	unsigned long raised[NR_SOFTIRQS];
	unsigned long runs[NR_SOFTIRQS];
	uint64_t cycles[NR_SOFTIRQS];
	unsigned long irq_exit_passes;  /* passes run on interrupt exit */
	unsigned long restarts;         /* extra passes because work was left */
	unsigned long handoffs;         /* times the limit woke ksoftirqd */
	unsigned long deferred;         /* irq exits that left work to ksoftirqd */
	unsigned long thread_passes;    /* passes run by ksoftirqd */
};
const struct softirq_stats *softirq_stats(unsigned int cpu);

#endif /* GUEST_SOFTIRQ_H */
