/* SPDX-License-Identifier: MIT */
/*
 * Start-up and end-of-run reporting of the kernel services (services.h).
 */
#include "arch.h"
#include "boot.h"
#include "gstats.h"
#include "irqstat.h"
#include "kalloc.h"
#include "ktimer.h"
#include "sched.h"
#include "services.h"
#include "smp.h"
#include "softirq.h"
#include "storm.h"
#include "tap.h"
#include "tasklet.h"
#include "workqueue.h"

/* Secondary CPUs normally report in within milliseconds of the start. */
#define AP_WAIT_MS 2000u

void kernel_services_init(void)
{
	unsigned int n = boot_params.nr_cpus;

	smp_wait_online(n, AP_WAIT_MS);
	/* Vectors first: creating threads on other CPUs sends IPIs. */
	arch_services_init();
	sched_init(n);
	timers_init();
	tasklets_init();
	storm_init();
	softirq_init();
	workqueues_init();
	if (gstats_init(n))
		tap_diag("guest statistics page registered with the VMM (%u CPU blocks, "
			 "%u samples each)",
			 n, GSTATS_RING_ENTRIES);
	else
		tap_diag("guest statistics page: not registered (the VMM does not offer it)");
	tap_diag("kernel services: %u threads on %u CPU(s), %lu KiB allocated",
		 sched_nr_threads(), smp_online_count(), (unsigned long)(kalloc_used() >> 10));
}

void kernel_services_report(void)
{
	if (!tap_quiet()) {
		irqstat_print();
		arch_report();
	}
}
