/* SPDX-License-Identifier: MIT */
/*
 * The architecture-neutral interrupt path. The port's trap code calls
 * irq_handle() for every external interrupt (not for exceptions or NMIs);
 * it keeps the per-CPU interrupt nesting depth, counts and times the
 * interrupt (irqstat.h, and the guest statistics page when one is
 * registered), runs the handler registered with irq_register(), and on
 * the way out of the outermost interrupt runs pending softirqs (with
 * interrupts enabled) and lets the scheduler switch threads.
 */
#ifndef GUEST_IRQENTRY_H
#define GUEST_IRQENTRY_H

#include <stdbool.h>

/* Called with interrupts disabled; returns with interrupts disabled. */
void irq_handle(unsigned int vector, bool from_user);

/* NMIs go through the port's exception path; this only counts them. */
void irq_count_nmi(unsigned int vector);

#endif /* GUEST_IRQENTRY_H */
