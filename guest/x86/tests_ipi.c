/* SPDX-License-Identifier: MIT */
/*
 * SMP and IPIs on x86: the common ipi checks (common/tests_ipi.c) with
 * their x86 names and wording, fixed-vector IPIs through the LAPIC, and
 * an NMI IPI.
 */
#include "arch.h"
#include "ipi.h"
#include "lapic.h"
#include "percpu.h"
#include "tap.h"
#include "test.h"
#include "tests_ipi.h"
#include "x86.h"

TEST_CASE(ipi, fixed_to_each_cpu, 920)
{
	ipi_check_to_each_cpu("a fixed IPI sent to each other CPU arrives there on its vector");
}

TEST_CASE(ipi, all_but_self, 921)
{
	ipi_check_all_but_self("an all-but-self IPI reaches every other CPU once and not the "
			       "sender");
}

TEST_CASE(ipi, self, 922)
{
	ipi_check_self("a self-IPI arrives on the sender");
}

TEST_CASE(ipi, nmi_to_other_cpu, 923)
{
	const char *what = "an NMI IPI reaches the other CPU's NMI handler";
	unsigned int target = arch_cpu_id() ? 0 : 1;
	struct ktest_env env;
	unsigned long before;
	bool ok;

	if (!ipi_test_begin(&env, what, true))
		return;
	before = READ_ONCE(percpu[target].nmi_count);
	lapic_send_ipi(cpu_apic_id(target), 0, LAPIC_DM_NMI);
	ok = tap_expect(ipi_wait_counter(&percpu[target].nmi_count, before + 1, IPI_TIMEOUT_US),
			"cpu %u saw no NMI", target);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, call_function_single, 924)
{
	ipi_check_call_function_single("smp_call_function_single runs the function on each "
				       "target CPU and waits for it");
}

TEST_CASE(ipi, call_function_others, 925)
{
	ipi_check_call_function_others("smp_call_function on all other CPUs: each runs it once, "
				       "all complete");
}

TEST_CASE(ipi, tlb_shootdown, 926)
{
	ipi_check_tlb_shootdown("TLB shootdown: after a page is made read-only and the broadcast "
				"is acknowledged, a write faults on every CPU");
}

TEST_CASE(ipi, counters, 927)
{
	ipi_check_counters("per-CPU IPI counters: every test, shootdown and call IPI sent was "
			   "received (reschedule IPIs: none invented, merges allowed)");
}
