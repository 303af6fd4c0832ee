/* SPDX-License-Identifier: MIT */
/*
 * CPU bookkeeping shared by all ports: which CPUs have reported in.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_MAX_CPUS 8u

/* Called once by each CPU when it is fully set up. */
void smp_mark_online(unsigned int cpu);
bool smp_cpu_online(unsigned int cpu);
unsigned int smp_online_count(void);

/* Wait until `count` CPUs are online or `timeout_ms` passes. */
bool smp_wait_online(unsigned int count, unsigned int timeout_ms);

#endif /* GUEST_SMP_H */
