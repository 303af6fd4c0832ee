/* SPDX-License-Identifier: MIT */
/*
 * Secondary harts: started with SBI HSM hart_start, each sets up its own
 * trap vector, page tables and per-CPU pointer, reports in and idles in
 * wfi. On request a hart stops itself (HSM hart_stop) or suspends
 * (retentive HSM hart_suspend) from its idle loop, outside interrupt
 * context.
 */
#ifndef RV_HART_H
#define RV_HART_H

#include <stdbool.h>
#include <stdint.h>

/* Start CPUs 1..nr_cpus-1 (boot hart, after paging_init). */
void hart_start_secondaries(unsigned int nr_cpus);

/* SBI error of the last hart_start for a CPU (0 = started). */
long hart_start_status(unsigned int cpu);

/* The opaque argument (a1) a CPU was started with. */
uintptr_t hart_start_opaque(unsigned int cpu);

/* Start a CPU that stopped itself again; returns the SBI error. */
long hart_restart(unsigned int cpu);

/* Ask a CPU to stop / suspend itself (it acts when next idle). */
void hart_request_stop(unsigned int cpu);
void hart_request_suspend(unsigned int cpu);

void hart_describe(void);

#endif /* RV_HART_H */
