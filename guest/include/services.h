/* SPDX-License-Identifier: MIT */
/*
 * Kernel services beyond the boot essentials: threads and the scheduler,
 * softirqs, tasklets, work queues, timers, interrupt statistics, the
 * statistics page shared with the VMM, and the "serve" mode. kernel_main()
 * starts them after arch_setup() and reports on them at the end.
 */
#ifndef GUEST_SERVICES_H
#define GUEST_SERVICES_H

#include <stdbool.h>

#include "compiler.h"

/* Everything above, plus the port's part (arch_services_init). Waits
 * (bounded) for the secondary CPUs so each gets its run queue. */
void kernel_services_init(void);

/* The irqstat table as diagnostics. */
void kernel_services_report(void);

/* "serve" on the command line. */
bool serve_requested(void);

/* Serve mode (docs/guest.md, "Serve mode"): count every interrupt, keep
 * ring-3 tasks busy, idle until the VMM stops the guest. */
__noreturn void serve_main(void);

/* Port hooks. */
void arch_services_init(void);
/* Program the interrupt controllers and start the ring-3 tasks for serve
 * mode; returns a one-line description. */
const char *arch_serve_setup(void);
/* Vectors serve mode counts, and how to end one of them. */
void arch_serve_vectors(unsigned int *first, unsigned int *last);
void arch_serve_eoi(unsigned int vector);
/* Optional (serve.c has a weak no-op): give a counting-only vector a
 * cheaper entry path that counts (statistics page and irqstat) and ends
 * it like arch_serve_eoi(). */
void arch_serve_fast_path(unsigned int vector);

#endif /* GUEST_SERVICES_H */
