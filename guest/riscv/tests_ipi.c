/* SPDX-License-Identifier: MIT */
/*
 * IPIs through SBI IPI, with the x86 ipi group's checks: an IPI to each
 * other hart, to all others with one call, to the sender itself, to every
 * hart with hart_mask_base = -1, cross-hart function calls with completion
 * wait, a TLB shootdown that really changes a mapping, and the per-hart
 * counters.
 */
#include "arch.h"
#include "csr.h"
#include "ipi.h"
#include "kstring.h"
#include "machine.h"
#include "paging.h"
#include "percpu.h"
#include "sbi.h"
#include "smp.h"
#include "tap.h"
#include "test.h"
#include "testutil.h"
#include "trap.h"

#define IPI_TIMEOUT_US 200000u

static bool begin(struct ktest_env *env, const char *what, bool two_cpus)
{
	if (two_cpus && smp_online_count() < 2) {
		tap_skip("needs 2 harts", "%s", what);
		return false;
	}
	return ktest_begin(env, false, what);
}

static bool sent_ok(long err)
{
	return tap_expect(!err, "send_ipi: %s", sbi_error_name(err));
}

TEST_CASE(ipi, fixed_to_each_cpu, 920)
{
	const char *what = "an SBI IPI sent to each other hart arrives there as its software "
			   "interrupt, on the IPI's vector";
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
		ok = sent_ok(ipi_send(cpu, IPI_KIND_TEST));
		ok = ok && tap_expect(ipi_wait_counter(&c->received[IPI_KIND_TEST], before + 1,
						       IPI_TIMEOUT_US),
				      "cpu %u got nothing", cpu);
		ok = ok && tap_expect(c->last_test_cpu == cpu, "cpu %u: handler ran on cpu %u", cpu,
				      c->last_test_cpu);
	}
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, all_but_self, 921)
{
	const char *what = "one SBI IPI call with a mask of all other harts reaches each once and "
			   "not the sender";
	unsigned int me = arch_cpu_id();
	unsigned long before[GUEST_MAX_CPUS];
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, true))
		return;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		before[cpu] = ipi_counters[cpu].received[IPI_KIND_TEST];
	ok = sent_ok(ipi_send_others(IPI_KIND_TEST));
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++) {
		if (cpu == me || !smp_cpu_online(cpu))
			continue;
		ok = tap_expect(ipi_wait_counter(&ipi_counters[cpu].received[IPI_KIND_TEST],
						 before[cpu] + 1, IPI_TIMEOUT_US),
				"cpu %u got nothing", cpu);
	}
	spin_us(2000); /* anything for us would have arrived by now */
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
	const char *what = "an SBI IPI to the sending hart itself arrives on the sender";
	struct ipi_counters *c = &ipi_counters[arch_cpu_id()];
	unsigned long before = c->received[IPI_KIND_TEST];
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, false))
		return;
	ok = sent_ok(ipi_send(arch_cpu_id(), IPI_KIND_TEST));
	ok = ok && tap_expect(ipi_wait_counter(&c->received[IPI_KIND_TEST], before + 1,
					       IPI_TIMEOUT_US),
			      "nothing arrived");
	ok = ok && tap_expect(c->last_test_cpu == arch_cpu_id(), "handler on cpu %u",
			      c->last_test_cpu);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, nmi_to_other_cpu, 923)
{
	tap_skip("x86 only: S-mode has no non-maskable interrupt to send", "an NMI IPI reaches the "
									  "other CPU");
}

TEST_CASE(ipi, broadcast_all_harts, 928)
{
	const char *what = "an SBI IPI with hart_mask_base = -1 reaches every hart, the sender "
			   "included";
	unsigned long before[GUEST_MAX_CPUS];
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, false))
		return;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		before[cpu] = ipi_counters[cpu].received[IPI_KIND_TEST];
	ok = sent_ok(ipi_send_all(IPI_KIND_TEST));
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS && ok; cpu++)
		if (smp_cpu_online(cpu))
			ok = tap_expect(ipi_wait_counter(&ipi_counters[cpu].received[IPI_KIND_TEST],
							 before[cpu] + 1, IPI_TIMEOUT_US),
					"cpu %u got nothing", cpu);
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
	const char *what = "smp_call_function_single runs the function on each target hart and "
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
	const char *what = "smp_call_function on all other harts: each runs it once, all complete";
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

/* Write the page; a store page fault resumes after the write (exception
 * table). */
static void probe_write(void *arg)
{
	volatile uint8_t *p = arg;
	long faulted;

	__asm__ __volatile__("li %0, 1\n"
			     "1:\tsb %0, 0(%1)\n\t"
			     "li %0, 0\n"
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
			ok = tap_expect(write_faulted[cpu] == want_fault, "cpu %u: write %s", cpu,
					write_faulted[cpu] ? "faulted" : "went through");
	return ok;
}

TEST_CASE(ipi, tlb_shootdown, 926)
{
	const char *what = "TLB shootdown: after a page is made read-only and the sfence.vma IPI "
			   "is acknowledged, a write faults on every hart";
	uintptr_t va = (uintptr_t)tlb_page;
	unsigned int acks, others = smp_online_count() - 1;
	struct ktest_env env;
	bool ok;

	if (!begin(&env, what, true))
		return;
	/* Every hart writes the page first, so each may hold a writable
	 * translation in its TLB. */
	ok = probe_all(false);
	ok = ok && tap_expect(paging_set_flags(va, 0, PTE_W), "cannot change the mapping");
	acks = tlb_shootdown(va, IPI_TIMEOUT_US);
	ok = ok && tap_expect(acks == others, "%u of %u harts acknowledged", acks, others);
	ok = ok && probe_all(true);
	paging_set_flags(va, PTE_W, 0);
	tlb_shootdown(va, IPI_TIMEOUT_US);
	ok = ok && probe_all(false);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(ipi, counters, 927)
{
	const char *what = "per-hart IPI counters: every IPI sent was received (sends to a vector "
			   "already pending counted as coalesced)";
	unsigned long sent[NR_IPI_KINDS] = { 0 }, received[NR_IPI_KINDS] = { 0 };
	static const char *const names[NR_IPI_KINDS] = { "resched", "call", "tlb", "test" };
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what, false))
		return;
	spin_us(2000); /* let stragglers land */
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++) {
		const struct ipi_counters *c = &ipi_counters[cpu];

		if (!smp_cpu_online(cpu))
			continue;
		tap_diag("  cpu %u: sent resched %lu call %lu tlb %lu test %lu (coalesced %lu %lu "
			 "%lu %lu); received %lu %lu %lu %lu; SBI errors %lu",
			 cpu, c->sent[0], c->sent[1], c->sent[2], c->sent[3], c->coalesced[0],
			 c->coalesced[1], c->coalesced[2], c->coalesced[3], c->received[0],
			 c->received[1], c->received[2], c->received[3], c->sbi_errors);
		ok &= tap_expect(!c->sbi_errors, "cpu %u: %lu send_ipi errors", cpu, c->sbi_errors);
		for (unsigned int k = 0; k < NR_IPI_KINDS; k++) {
			sent[k] += c->sent[k];
			received[k] += c->received[k];
		}
	}
	for (unsigned int k = 0; k < NR_IPI_KINDS && ok; k++)
		ok = tap_expect(sent[k] == received[k], "%s: %lu sent, %lu received", names[k],
				sent[k], received[k]);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}
