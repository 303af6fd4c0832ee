/* SPDX-License-Identifier: MIT */
/*
 * Online-CPU bookkeeping. Each CPU sets its bit once it has loaded its own
 * descriptor tables and is ready to take interrupts.
 */
#include "arch.h"
#include "smp.h"

static unsigned long online_mask;

void smp_mark_online(unsigned int cpu)
{
	if (cpu < GUEST_MAX_CPUS)
		__atomic_fetch_or(&online_mask, 1ul << cpu, __ATOMIC_RELEASE);
}

bool smp_cpu_online(unsigned int cpu)
{
	return cpu < GUEST_MAX_CPUS &&
	       (__atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) & (1ul << cpu));
}

unsigned int smp_online_count(void)
{
	unsigned long m = __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
	unsigned int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

bool smp_wait_online(unsigned int count, unsigned int timeout_ms)
{
	uint64_t khz = arch_cycles_khz();
	uint64_t start = arch_cycles();
	/* Without a known frequency assume 1 GHz; the wait is only a bound. */
	uint64_t limit = (khz ? khz : 1000000) * timeout_ms;

	while (smp_online_count() < count) {
		if (arch_cycles() - start > limit)
			return false;
		arch_cpu_relax();
	}
	return true;
}
