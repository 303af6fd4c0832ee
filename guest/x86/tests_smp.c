/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPUs: all must report in after loading their own tables.
 */
#include "boot.h"
#include "kprintf.h"
#include "smp.h"
#include "smp_x86.h"
#include "tap.h"
#include "test.h"

#define AP_ONLINE_TIMEOUT_MS 2000

TEST_CASE(smp, all_cpus_online, 700)
{
	unsigned int n = boot_params.nr_cpus;
	bool ok = smp_wait_online(n, AP_ONLINE_TIMEOUT_MS);

	if (!ok) {
		for (unsigned int cpu = 1; cpu < n; cpu++)
			if (!smp_cpu_online(cpu)) {
				tap_reason("cpu %u missing, start request status %#x", cpu,
					   smp_start_status(cpu));
				break;
			}
	}
	tap_ok(ok, "all %u CPU(s) online with their own GDT/TSS/IDT (%u reported in)", n,
	       smp_online_count());
}
