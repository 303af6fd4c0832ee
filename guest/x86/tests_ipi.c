/* SPDX-License-Identifier: MIT */
/*
 * SMP and IPIs: fixed-vector IPIs to one CPU, to all but self and to self,
 * an NMI IPI, cross-CPU function calls with completion wait, a TLB
 * shootdown that really changes a mapping, and the per-CPU IPI counters.
 */
#include "arch.h"
#include "ipi.h"
#include "kstring.h"
#include "ktest.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "smp.h"
#include "tap.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

#define IPI_TIMEOUT_US 1000000u /* only reached on failure */

static bool need_two(const char *what)
{
	if (smp_online_count() >= 2)
		return true;
	tap_skip("needs 2 CPUs", "%s", what);
	return false;
}

static bool begin(struct ktest_env *env, const char *what, bool two_cpus)
{
	if (!lapic_present()) {
		tap_skip("no local APIC", "%s", what);
		return false;
	}
	if (two_cpus && !need_two(what))
		return false;
	return ktest_begin(env, false, what);
}

TEST_CASE(ipi, fixed_to_each_cpu, 920)
{
	const char *what = "a fixed IPI sent to each other CPU arrives there on its vector";
	unsigned int me = arch_cpu_id();
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what, true))
		return;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++) {
		struct ipi_counters *c = &ipi_counters[cpu];
		unsigned long before = c->received[IPI_KIND_TEST];

		if (cpu == me || !smp_cpu_online(cpu))
			continue;
		ipi_send_test(cpu);
		ok = tap_expect(ipi_wait_counter(&c->received[IPI_KIND_TEST], before + 1,
						 IPI_TIMEOUT_US),
				"cpu %u got nothing", cpu);
		ok = ok && tap_expect(c->last_test_cpu == cpu && c->last_test_vector == IPI_TEST_VECTOR,
				      "cpu %u: handler saw cpu %u, vector %#x", cpu, c->last_test_cpu,
				      c->last_test_vector);
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, all_but_self, 921)
{
	const char *what = "an all-but-self IPI reaches every other CPU once and not the sender";
	unsigned int me = arch_cpu_id();
	unsigned long before[GUEST_MAX_CPUS];
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what, true))
		return;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		before[cpu] = ipi_counters[cpu].received[IPI_KIND_TEST];
	ipi_send_test_all_but_self();
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++) {
		if (cpu == me || !smp_cpu_online(cpu))
			continue;
		ok = tap_expect(ipi_wait_counter(&ipi_counters[cpu].received[IPI_KIND_TEST],
						 before[cpu] + 1, IPI_TIMEOUT_US),
				"cpu %u got nothing", cpu);
	}
	lapic_idle_us(2000); /* anything for us would have arrived by now */
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++) {
		unsigned long got = ipi_counters[cpu].received[IPI_KIND_TEST] - before[cpu];

		if (smp_cpu_online(cpu))
			ok = tap_expect(got == (cpu == me ? 0u : 1u), "cpu %u got %lu", cpu, got);
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, self, 922)
{
	const char *what = "a self-IPI arrives on the sender";
	struct ipi_counters *c = &ipi_counters[arch_cpu_id()];
	unsigned long before = c->received[IPI_KIND_TEST];
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, false))
		return;
	ipi_send_test_self();
	ok = tap_expect(ipi_wait_counter(&c->received[IPI_KIND_TEST], before + 1, IPI_TIMEOUT_US),
			"nothing arrived");
	ok = ok && tap_expect(c->last_test_cpu == arch_cpu_id(), "handler on cpu %u",
			      c->last_test_cpu);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, nmi_to_other_cpu, 923)
{
	const char *what = "an NMI IPI reaches the other CPU's NMI handler";
	unsigned int target = arch_cpu_id() ? 0 : 1;
	struct ktest_env env;
	unsigned long before;
	bool ok;

	if (!begin(&env, what, true))
		return;
	before = READ_ONCE(percpu[target].nmi_count);
	lapic_send_ipi(cpu_apic_id(target), 0, LAPIC_DM_NMI);
	ok = tap_expect(ipi_wait_counter(&percpu[target].nmi_count, before + 1, IPI_TIMEOUT_US),
			"cpu %u saw no NMI", target);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

struct call_result {
	volatile unsigned int cpu;
	volatile bool in_irq;
	volatile unsigned int calls;
};

static struct call_result call_results[GUEST_MAX_CPUS];

static void call_probe(void *arg)
{
	struct call_result *r = &call_results[arch_cpu_id()];

	(void)arg;
	r->cpu = arch_cpu_id();
	r->in_irq = !arch_irqs_enabled();
	r->calls++;
}

TEST_CASE(ipi, call_function_single, 924)
{
	const char *what = "smp_call_function_single runs the function on each target CPU and "
			   "waits for it";
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what, true))
		return;
	memset(call_results, 0, sizeof(call_results));
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		ok = tap_expect(smp_call_function_single(cpu, call_probe, NULL, IPI_TIMEOUT_US),
				"cpu %u did not finish", cpu);
		/* Completion wait: the result is there when the call returns. */
		ok = ok && tap_expect(call_results[cpu].calls == 1 && call_results[cpu].cpu == cpu,
				      "cpu %u: %u calls, ran on %u", cpu, call_results[cpu].calls,
				      call_results[cpu].cpu);
		ok = ok && tap_expect(cpu == arch_cpu_id() || call_results[cpu].in_irq,
				      "cpu %u: not in interrupt context", cpu);
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, call_function_others, 925)
{
	const char *what = "smp_call_function on all other CPUs: each runs it once, all complete";
	unsigned int me = arch_cpu_id(), done;
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, true))
		return;
	memset(call_results, 0, sizeof(call_results));
	done = smp_call_function_others(call_probe, NULL, IPI_TIMEOUT_US);
	ok = tap_expect(done == smp_online_count() - 1, "%u of %u completed", done,
			smp_online_count() - 1);
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++)
		if (smp_cpu_online(cpu))
			ok = tap_expect(call_results[cpu].calls == (cpu == me ? 0u : 1u),
					"cpu %u ran it %u times", cpu, call_results[cpu].calls);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

/* ---- TLB shootdown ---- */

static uint8_t tlb_page[4096] __aligned(4096);
static volatile bool write_faulted[GUEST_MAX_CPUS];

/* Write the page; a #PF resumes after the write (exception table). */
static void probe_write(void *arg)
{
	volatile uint8_t *p = arg;
	int faulted;

	__asm__ __volatile__("movl $1, %0\n"
			     "1:\tmovb $0x5a, (%1)\n\t"
			     "movl $0, %0\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(faulted)
			     : "r"(p)
			     : "memory");
	write_faulted[arch_cpu_id()] = faulted;
}

static bool probe_all(bool want_fault)
{
	bool ok = true;

	memset((void *)write_faulted, 0xff, sizeof(write_faulted));
	probe_write(tlb_page);
	smp_call_function_others(probe_write, tlb_page, IPI_TIMEOUT_US);
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++)
		if (smp_cpu_online(cpu))
			ok = tap_expect(write_faulted[cpu] == want_fault,
					"cpu %u: write %s", cpu,
					write_faulted[cpu] ? "faulted" : "went through");
	return ok;
}

TEST_CASE(ipi, tlb_shootdown, 926)
{
	const char *what = "TLB shootdown: after a page is made read-only and the broadcast is "
			   "acknowledged, a write faults on every CPU";
	uintptr_t va = (uintptr_t)tlb_page;
	unsigned int acks, others = smp_online_count() - 1;
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, true))
		return;
	/* Every CPU writes the page first, so each may hold a writable
	 * translation in its TLB. */
	ok = probe_all(false);
	ok = ok && tap_expect(paging_set_flags(va, 0, PTE_W), "cannot change the mapping");
	acks = tlb_shootdown(va, IPI_TIMEOUT_US);
	ok = ok && tap_expect(acks == others, "%u of %u CPUs acknowledged", acks, others);
	ok = ok && probe_all(true);
	paging_set_flags(va, PTE_W, 0);
	tlb_shootdown(va, IPI_TIMEOUT_US);
	ok = ok && probe_all(false);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, counters, 927)
{
	const char *what = "per-CPU IPI counters: every test, shootdown and call IPI sent was "
			   "received (reschedule IPIs: none invented, merges allowed)";
	unsigned long sent[NR_IPI_KINDS] = { 0 }, received[NR_IPI_KINDS] = { 0 }, timeouts = 0;
	static const char *const names[NR_IPI_KINDS] = { "resched", "call", "tlb", "test" };
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what, false))
		return;
	lapic_idle_us(2000); /* let stragglers land */
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++) {
		const struct ipi_counters *c = &ipi_counters[cpu];

		if (!smp_cpu_online(cpu))
			continue;
		tap_diag("  cpu %u: sent resched %lu call %lu tlb %lu test %lu; received %lu %lu "
			 "%lu %lu; %lu calls timed out",
			 cpu, c->sent[0], c->sent[1], c->sent[2], c->sent[3], c->received[0],
			 c->received[1], c->received[2], c->received[3], c->call_timeouts);
		for (unsigned int k = 0; k < NR_IPI_KINDS; k++) {
			sent[k] += c->sent[k];
			received[k] += c->received[k];
		}
		timeouts += c->call_timeouts;
	}
	for (unsigned int k = 0; k < NR_IPI_KINDS && ok; k++) {
		/* Test and shootdown IPIs are each awaited: exact. A call the
		 * sender gave up on (its target vCPU was not run by the host in
		 * time) may still be pending when the next one is sent, and the
		 * LAPIC merges the two into one interrupt; reschedule IPIs are
		 * not awaited at all, so two wake-ups in a row may merge too. */
		unsigned long slack = k == IPI_KIND_CALL ? timeouts
				      : k == IPI_KIND_RESCHED && sent[k] ? sent[k] - 1
									 : 0;

		ok = tap_expect(received[k] <= sent[k] && received[k] + slack >= sent[k],
				"%s: %lu sent, %lu received (%lu calls timed out)", names[k], sent[k],
				received[k], timeouts);
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}
