/* SPDX-License-Identifier: MIT */
/*
 * IPIs through SBI IPI: the common ipi checks (common/tests_ipi.c) with
 * their RISC-V wording and an IPI to every hart with hart_mask_base = -1.
 * x86's NMI IPI check is not built here: S-mode has no NMI to send.
 */
#include "arch.h"
#include "ipi.h"
#include "sbi.h"
#include "smp.h"
#include "tap.h"
#include "test.h"
#include "tests_ipi.h"

TEST_CASE(ipi, fixed_to_each_cpu, 920)
{
	ipi_check_to_each_cpu("an SBI IPI sent to each other hart arrives there as its software "
			      "interrupt, on the IPI's vector");
}

TEST_CASE(ipi, all_but_self, 921)
{
	ipi_check_all_but_self("one SBI IPI call with a mask of all other harts reaches each once "
			       "and not the sender");
}

TEST_CASE(ipi, self, 922)
{
	ipi_check_self("an SBI IPI to the sending hart itself arrives on the sender");
}

TEST_CASE(ipi, broadcast_all_harts, 928)
{
	const char *what = "an SBI IPI with hart_mask_base = -1 reaches every hart, the sender "
			   "included";
	unsigned long before[GUEST_MAX_CPUS];
	struct ktest_env env;
	long err;
	bool ok;

	if (!ipi_test_begin(&env, what, false))
		return;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		before[cpu] = ipi_counters[cpu].received[IPI_KIND_TEST];
	err = ipi_send_all(IPI_KIND_TEST);
	ok = tap_expect(!err, "send_ipi: %s", sbi_error_name(err));
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++)
		if (smp_cpu_online(cpu))
			ok = tap_expect(ipi_wait_counter(&ipi_counters[cpu].received[IPI_KIND_TEST],
							 before[cpu] + 1, IPI_TIMEOUT_US),
					"cpu %u got nothing", cpu);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, call_function_single, 924)
{
	ipi_check_call_function_single("smp_call_function_single runs the function on each "
				       "target hart and waits for it");
}

TEST_CASE(ipi, call_function_others, 925)
{
	ipi_check_call_function_others("smp_call_function on all other harts: each runs it once, "
				       "all complete");
}

TEST_CASE(ipi, tlb_shootdown, 926)
{
	ipi_check_tlb_shootdown("TLB shootdown: after a page is made read-only and the sfence.vma "
				"IPI is acknowledged, a write faults on every hart");
}

TEST_CASE(ipi, counters, 927)
{
	ipi_check_counters("per-hart IPI counters: every IPI sent was received (sends to a vector "
			   "already pending counted as coalesced)");
}
