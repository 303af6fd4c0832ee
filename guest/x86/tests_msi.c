/* SPDX-License-Identifier: MIT */
/*
 * MSIs from the VMM's test device (IRQVM_TESTDEV_MSI_*): the guest
 * allocates vectors, asks for MSIs aimed at chosen CPUs and checks where
 * and on which vector each one arrived.
 */
#include "arch.h"
#include "ipi.h"
#include "irq.h"
#include "irqline.h"
#include "irqstat.h"
#include "kstring.h"
#include "ktest.h"
#include "lapic.h"
#include "smp.h"
#include "tap.h"
#include "test.h"
#include "testdev.h"

#define MSI_VEC_FIRST 0xb0u
#define MSI_VEC_LAST 0xbfu
#define MSI_TIMEOUT_US 1000000u /* hang guard: only reached on failure */
#define BURST 8u
#define SETTLE_US 5000u

struct msi_slot {
	int vector;
	volatile unsigned long count;
	volatile unsigned int cpu;
	volatile unsigned int seen_vector;
	volatile unsigned int order; /* arrival number */
};

static struct msi_slot slots[MSI_VEC_LAST - MSI_VEC_FIRST + 1];
static volatile unsigned int arrivals;

static void msi_handler(unsigned int vector, void *ctx)
{
	struct msi_slot *s = ctx;

	s->cpu = arch_cpu_id();
	s->seen_vector = vector;
	s->order = ++arrivals;
	s->count++;
	lapic_eoi();
}

static unsigned int alloc_slots(unsigned int n)
{
	unsigned int got = 0;

	memset(slots, 0, sizeof(slots));
	arrivals = 0;
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(slots); i++) {
		slots[i].vector = irq_alloc_vector(MSI_VEC_FIRST, MSI_VEC_LAST, msi_handler,
						   &slots[i]);
		if (slots[i].vector < 0)
			break;
		irqstat_name_vector((unsigned int)slots[i].vector, "msi-test");
		got++;
	}
	return got;
}

static void free_slots(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (slots[i].vector >= 0)
			irq_unregister((unsigned int)slots[i].vector);
}

static bool begin(struct ktest_env *env, const char *what)
{
	if (!testdev_present() || !lapic_present()) {
		tap_skip("no test device or local APIC", "%s", what);
		return false;
	}
	/* Whether the VMM can send MSIs shows at the first send (NO_MSI). */
	return ktest_begin(env, false, what);
}

/* Interrupts on for a while: anything still in flight lands. */
static void settle(void)
{
	uint64_t until = arch_cycles() + ktest_us_to_cycles(SETTLE_US);

	arch_irq_enable();
	while (arch_cycles() < until)
		arch_cpu_relax();
}

static int fire(unsigned int cpu, int vector)
{
	return testdev_msi(msi_address(cpu_apic_id(cpu)), msi_data((uint8_t)vector, false));
}

TEST_CASE(msi, one_vector_per_cpu, 930)
{
	const char *what = "an MSI aimed at each CPU arrives on that CPU with the allocated vector";
	unsigned int n = smp_online_count(), got;
	struct ktest_env env;
	bool ok = true;

	if (!begin(&env, what))
		return;
	got = alloc_slots(n);
	ok = tap_expect(got == n, "allocated %u of %u vectors", got, n);
	for (unsigned int cpu = 0, i = 0; ok && cpu < GUEST_MAX_CPUS; cpu++) {
		int r;

		if (!smp_cpu_online(cpu))
			continue;
		r = fire(cpu, slots[i].vector);
		if (r == -(int)IRQVM_TESTDEV_ERR_NO_MSI) {
			free_slots(got);
			ktest_end(&env);
			tap_skip("this irqchip mode cannot deliver MSIs", "%s", what);
			return;
		}
		ok = tap_expect(!r, "test device error %d", r);
		ok = ok && tap_expect(ipi_wait_counter(&slots[i].count, 1, MSI_TIMEOUT_US),
				      "MSI for cpu %u (vector %#x) never arrived", cpu, slots[i].vector);
		ok = ok && tap_expect(slots[i].cpu == cpu &&
					      slots[i].seen_vector == (unsigned int)slots[i].vector,
				      "vector %#x for cpu %u arrived on cpu %u as %#x", slots[i].vector,
				      cpu, slots[i].cpu, slots[i].seen_vector);
		i++;
	}
	settle();
	for (unsigned int i = 0; ok && i < got; i++)
		ok = tap_expect(slots[i].count == 1, "vector %#x arrived %lu times", slots[i].vector,
				slots[i].count);
	tap_diag("  %u CPU(s), vectors %#x-%#x", n, slots[0].vector, slots[got ? got - 1 : 0].vector);
	free_slots(got);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(msi, pending_highest_first, 931)
{
	const char *what = "8 MSIs sent while interrupts are off are all delivered, highest "
			   "vector first";
	struct ktest_env env;
	unsigned int got;
	bool ok = true;
	int r = 0;

	if (!begin(&env, what))
		return;
	got = alloc_slots(BURST);
	ok = tap_expect(got == BURST, "allocated %u of %u vectors", got, BURST);
	arch_irq_disable();
	for (unsigned int i = 0; ok && i < got && !r; i++)
		r = fire(arch_cpu_id(), slots[i].vector);
	arch_irq_enable(); /* the pending ones come in now */
	if (r == -(int)IRQVM_TESTDEV_ERR_NO_MSI) {
		free_slots(got);
		ktest_end(&env);
		tap_skip("this irqchip mode cannot deliver MSIs", "%s", what);
		return;
	}
	ok = ok && tap_expect(!r, "test device error %d", r);
	ok = ok && tap_expect(ipi_wait_counter(&slots[0].count, 1, MSI_TIMEOUT_US),
			      "nothing arrived");
	settle();
	for (unsigned int i = 0; ok && i < got; i++) {
		ok = tap_expect(slots[i].count == 1, "vector %#x: %lu arrivals", slots[i].vector,
				slots[i].count);
		/* Allocated in ascending order: the last one is the highest. */
		ok = ok && tap_expect(slots[i].order == got - i, "vector %#x arrived as number %u",
				      slots[i].vector, slots[i].order);
	}
	free_slots(got);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}

TEST_CASE(msi, same_vector_merges, 932)
{
	const char *what = "3 MSIs to one vector while it is pending merge into one interrupt "
			   "(the IRR holds one bit per vector)";
	struct ktest_env env;
	unsigned int got;
	bool ok;
	int r = 0;

	if (!begin(&env, what))
		return;
	got = alloc_slots(1);
	ok = tap_expect(got == 1, "no vector");
	arch_irq_disable();
	for (unsigned int i = 0; ok && i < 3 && !r; i++)
		r = fire(arch_cpu_id(), slots[0].vector);
	arch_irq_enable();
	if (r == -(int)IRQVM_TESTDEV_ERR_NO_MSI) {
		free_slots(got);
		ktest_end(&env);
		tap_skip("this irqchip mode cannot deliver MSIs", "%s", what);
		return;
	}
	ok = ok && tap_expect(!r, "test device error %d", r);
	ok = ok && tap_expect(ipi_wait_counter(&slots[0].count, 1, MSI_TIMEOUT_US),
			      "nothing arrived");
	settle();
	ok = ok && tap_expect(slots[0].count == 1, "%lu interrupts", slots[0].count);
	free_slots(got);
	ktest_end(&env);
	tap_ok(ok, "%s", what);
}
