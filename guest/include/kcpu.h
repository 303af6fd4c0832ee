/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU execution context shared by the deferred-work and scheduler code:
 * how deeply this CPU is nested in hard interrupts, whether it is running
 * softirqs, and which softirqs are pending. Kept in one small structure per
 * CPU (indexed by arch_cpu_id()) because every interrupt touches it and
 * each emulated ring-0 instruction costs about a microsecond here.
 */
#ifndef GUEST_KCPU_H
#define GUEST_KCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "compiler.h"
#include "smp.h"

struct thread;

struct kcpu {
	unsigned int hardirq_depth;    /* nested hard-IRQ handlers running */
	unsigned int softirq_active;   /* softirq handlers running (irq exit or ksoftirqd) */
	unsigned long softirq_pending; /* bit n: softirq n raised on this CPU */
	bool need_resched;             /* pick another thread at the next chance */
	struct thread *current;        /* thread running on this CPU */
} __aligned(64);

extern struct kcpu kcpu[GUEST_MAX_CPUS];

static inline struct kcpu *this_kcpu(void)
{
	return &kcpu[arch_cpu_id()];
}

static inline bool in_hardirq(void)
{
	return READ_ONCE(this_kcpu()->hardirq_depth) != 0;
}

static inline bool in_softirq(void)
{
	return READ_ONCE(this_kcpu()->softirq_active) != 0;
}

/* Hard IRQ or softirq: no sleeping, no blocking locks. */
static inline bool in_interrupt(void)
{
	struct kcpu *c = this_kcpu();

	return READ_ONCE(c->hardirq_depth) || READ_ONCE(c->softirq_active);
}

#endif /* GUEST_KCPU_H */
