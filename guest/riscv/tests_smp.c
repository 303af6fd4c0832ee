/* SPDX-License-Identifier: MIT */
/*
 * Secondary harts: bring-up through SBI HSM, hart states, a hart stopping
 * itself and being started again or suspending and being woken, and SBI
 * RFENCE. IPIs are in tests_ipi.c.
 */
#include "arch.h"
#include "boot.h"
#include "hart.h"
#include "ipi.h"
#include "machine.h"
#include "percpu.h"
#include "sbi.h"
#include "smp.h"
#include "tap.h"
#include "test.h"
#include "testutil.h"

#define ONLINE_TIMEOUT_MS 2000u
#define IPI_TIMEOUT_US SMP_CALL_TIMEOUT_US
#define HSM_TIMEOUT_US 1000000u

TEST_CASE(smp, all_cpus_online, 700)
{
	unsigned int n = boot_params.nr_cpus;
	bool ok = smp_wait_online(n, ONLINE_TIMEOUT_MS);

	for (unsigned int cpu = 1; ok && cpu < n; cpu++) {
		const struct percpu *p = &percpu[cpu];

		ok = tap_expect(p->boots >= 1, "cpu %u never ran", cpu);
		ok = ok && tap_expect(p->boot_a0 == p->hartid && p->boot_a1 == hart_start_opaque(cpu),
				      "cpu %u started with a0 %#lx a1 %#lx, want %u and %#lx", cpu,
				      (unsigned long)p->boot_a0, (unsigned long)p->boot_a1, p->hartid,
				      (unsigned long)hart_start_opaque(cpu));
	}
	if (!ok) {
		for (unsigned int cpu = 1; cpu < n; cpu++)
			if (!smp_cpu_online(cpu)) {
				tap_reason("cpu %u missing, HSM hart_start said %s", cpu,
					   sbi_error_name(hart_start_status(cpu)));
				break;
			}
	}
	tap_ok(ok, "all %u hart(s) started by SBI HSM hart_start (a0 = hart id, a1 = opaque), "
		   "online with their own stvec, satp and tp (%u reported in)",
	       n, smp_online_count());
}

TEST_CASE(smp, hsm_status, 701)
{
	const char *what = "HSM hart_get_status: STARTED for every hart (SUSPENDED for one idle in "
			   "wfi, as KVM reports it); an unknown hart id is INVALID_PARAM; "
			   "hart_start of a running hart is ALREADY_AVAILABLE";
	unsigned int n = rv_machine.nr_harts;
	bool ok = true;
	long err;

	for (unsigned int cpu = 0; cpu < n; cpu++) {
		struct sbiret r = sbi_hart_get_status(percpu[cpu].hartid);

		/* KVM reports a vCPU blocked in wfi as SUSPENDED
		 * (kvm_sbi_hsm_vcpu_get_status): an idle hart may show it. */
		ok &= tap_expect(!r.error && (r.value == SBI_HSM_STARTED ||
					      (cpu && r.value == SBI_HSM_SUSPENDED)),
				 "hart %u: %s, state %ld", percpu[cpu].hartid,
				 sbi_error_name(r.error), r.value);
		if (!r.error && r.value == SBI_HSM_SUSPENDED)
			tap_diag("  hart %u idles in wfi: KVM reports it SUSPENDED",
				 percpu[cpu].hartid);
	}
	err = sbi_hart_get_status(64).error;
	ok &= tap_expect(err == SBI_ERR_INVALID_PARAM, "hart 64: %s", sbi_error_name(err));
	err = sbi_hart_start(percpu[0].hartid, 0x80000000ul, 0);
	ok &= tap_expect(err == SBI_ERR_ALREADY_AVAILABLE, "hart_start(self): %s",
			 sbi_error_name(err));
	tap_ok(ok, "%s", what);
}

TEST_CASE(smp, remote_fence, 704)
{
	const char *what = "SBI RFENCE remote_sfence_vma to the other harts succeeds";
	unsigned long mask = 0;
	long err;

	if (!ktest_need_two_cpus(what))
		return;
	for (unsigned int cpu = 1; cpu < rv_machine.nr_harts; cpu++)
		mask |= 1ul << percpu[cpu].hartid;
	err = sbi_remote_sfence_vma(mask, 0, (uintptr_t)&boot_params, 4096);
	tap_ok(tap_expect(!err, "remote_sfence_vma: %s", sbi_error_name(err)), "%s", what);
}

/* HSM_RUNNING: STARTED, or SUSPENDED as KVM reports a hart idle in wfi. */
#define HSM_RUNNING (-1l)

static bool wait_hsm_state(unsigned int cpu, long state)
{
	uint64_t start = arch_cycles(), limit = rv_us_to_cycles(HSM_TIMEOUT_US);

	while (arch_cycles() - start < limit) {
		struct sbiret r = sbi_hart_get_status(percpu[cpu].hartid);

		if (!r.error && (r.value == state ||
				 (state == HSM_RUNNING && (r.value == SBI_HSM_STARTED ||
							   r.value == SBI_HSM_SUSPENDED))))
			return true;
		arch_cpu_relax();
	}
	return false;
}

TEST_CASE(smp, hsm_stop_start, 702)
{
	const char *what = "a hart stops itself with HSM hart_stop (state STOPPED) and "
			   "hart_start brings it back at the entry point with a fresh a0/a1";
	unsigned int cpu = rv_machine.nr_harts - 1;
	struct percpu *p = &percpu[cpu];
	unsigned long before_ipi;
	unsigned int boots;
	struct ktest_env env;
	bool ok;
	long err;

	if (!ktest_need_two_cpus(what))
		return;
	ktest_begin(&env, false, what);
	boots = p->boots;
	hart_request_stop(cpu);
	ok = tap_expect(wait_hsm_state(cpu, SBI_HSM_STOPPED), "cpu %u never reached STOPPED", cpu);
	if (ok) {
		p->boot_a1 = 0;
		err = hart_restart(cpu);
		ok = tap_expect(!err, "hart_start: %s", sbi_error_name(err));
	}
	ok = ok && tap_expect(ipi_wait_counter((const volatile unsigned long *)&p->boots, boots + 1,
					       HSM_TIMEOUT_US) || p->boots == boots + 1,
			      "cpu %u did not come back", cpu);
	ok = ok && tap_expect(p->boot_a0 == p->hartid && p->boot_a1 == hart_start_opaque(cpu),
			      "restarted with a0 %#lx a1 %#lx", (unsigned long)p->boot_a0,
			      (unsigned long)p->boot_a1);
	ok = ok && tap_expect(wait_hsm_state(cpu, HSM_RUNNING), "state not STARTED again");
	if (ok) {
		before_ipi = ipi_counters[cpu].received[IPI_KIND_TEST];
		arch_ipi_send(cpu, IPI_KIND_TEST);
		ok = tap_expect(ipi_wait_counter(&ipi_counters[cpu].received[IPI_KIND_TEST],
						 before_ipi + 1, IPI_TIMEOUT_US),
				"no IPI handled after the restart");
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(smp, hsm_suspend, 703)
{
	const char *what = "a hart in retentive HSM hart_suspend is woken by an IPI and resumes "
			   "after the call";
	unsigned int cpu = rv_machine.nr_harts - 1;
	struct percpu *p = &percpu[cpu];
	unsigned long resumes = p->resumes, entered = p->suspends;
	struct ktest_env env;
	bool ok;

	if (!ktest_need_two_cpus(what))
		return;
	ktest_begin(&env, false, what);
	hart_request_suspend(cpu);
	/* KVM shows SUSPENDED for any hart blocked in wfi, so the state
	 * alone does not prove the call was made: the hart counts it. An
	 * IPI sent before the call is made still ends it, as it is pending. */
	ok = tap_expect(ipi_wait_counter(&p->suspends, entered + 1, HSM_TIMEOUT_US),
			"cpu %u never called hart_suspend", cpu);
	ok = ok && tap_expect(wait_hsm_state(cpu, SBI_HSM_SUSPENDED), "cpu %u not SUSPENDED", cpu);
	arch_ipi_send(cpu, IPI_KIND_TEST);
	ok = ok && tap_expect(ipi_wait_counter(&p->resumes, resumes + 1, HSM_TIMEOUT_US),
			      "cpu %u did not resume", cpu);
	ok = ok && tap_expect(wait_hsm_state(cpu, HSM_RUNNING), "state not STARTED again");
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}
