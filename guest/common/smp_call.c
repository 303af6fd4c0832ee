/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU function calls and TLB shootdown (smp_call.h). One call slot
 * per target CPU; a sender owns the slot (its lock) from filling it until
 * the target reports completion.
 */
#include "arch.h"
#include "irq.h"
#include "irqstat.h"
#include "kcpu.h"
#include "ktest.h"
#include "smp.h"
#include "smp_call.h"
#include "spinlock.h"

struct ipi_counters ipi_counters[GUEST_MAX_CPUS];

struct call_slot {
	spinlock_t lock;
	void (*fn)(void *);
	void *arg;
	volatile bool done;
} __aligned(64);

static struct call_slot call_slots[GUEST_MAX_CPUS];

static struct {
	spinlock_t lock;
	volatile uintptr_t va;
	volatile unsigned long acks;
} shootdown;

static void count_received(enum ipi_kind k)
{
	__atomic_fetch_add(&ipi_counters[arch_cpu_id()].received[k], 1, __ATOMIC_RELEASE);
}

static void resched_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	arch_local_eoi();
	/* need_resched is already set by the waker; the interrupt exit path
	 * does the switch. */
	count_received(IPI_KIND_RESCHED);
}

static void call_handler(unsigned int vector, void *ctx)
{
	struct call_slot *s = &call_slots[arch_cpu_id()];

	(void)vector;
	(void)ctx;
	arch_local_eoi();
	count_received(IPI_KIND_CALL);
	if (s->fn && !s->done) {
		s->fn(s->arg);
		__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
	}
}

static void tlb_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	arch_local_eoi();
	count_received(IPI_KIND_TLB);
	arch_tlb_flush_local(shootdown.va);
	__atomic_fetch_add(&shootdown.acks, 1, __ATOMIC_RELEASE);
}

static void test_handler(unsigned int vector, void *ctx)
{
	struct ipi_counters *c = &ipi_counters[arch_cpu_id()];

	(void)ctx;
	arch_local_eoi();
	c->last_test_vector = vector;
	c->last_test_cpu = arch_cpu_id();
	count_received(IPI_KIND_TEST); /* last: waiters then see the fields above */
}

bool ipi_wait_counter(const volatile unsigned long *counter, unsigned long want,
		      uint32_t timeout_us)
{
	uint64_t start = arch_cycles(), limit = ktest_us_to_cycles(timeout_us);

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want) {
		if (arch_cycles() - start > limit)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static bool wait_done(struct call_slot *s, uint64_t start, uint64_t limit)
{
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		if (arch_cycles() - start > limit)
			return false;
		arch_cpu_relax();
	}
	return true;
}

/* Fill a slot and send; the slot stays locked until released. */
static void call_post(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct call_slot *s = &call_slots[cpu];

	spin_lock(&s->lock);
	s->arg = arg;
	s->done = false;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	arch_ipi_send(cpu, IPI_KIND_CALL);
}

static void call_release(unsigned int cpu)
{
	struct call_slot *s = &call_slots[cpu];

	/* A late handler must not run a stale call: it checks fn and done. */
	__atomic_store_n(&s->fn, (void (*)(void *))0, __ATOMIC_RELEASE);
	spin_unlock(&s->lock);
}

static bool may_wait(void)
{
	return !in_interrupt() && arch_irqs_enabled();
}

bool smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *arg,
			      uint32_t timeout_us)
{
	bool ok;

	if (cpu == arch_cpu_id()) {
		unsigned long flags = arch_irq_save();

		fn(arg);
		arch_irq_restore(flags);
		return true;
	}
	if (cpu >= GUEST_MAX_CPUS || !smp_cpu_online(cpu) || !may_wait())
		return false;
	call_post(cpu, fn, arg);
	ok = wait_done(&call_slots[cpu], arch_cycles(), ktest_us_to_cycles(timeout_us));
	if (!ok)
		ipi_counters[arch_cpu_id()].call_timeouts++;
	call_release(cpu);
	return ok;
}

unsigned int smp_call_function_others(void (*fn)(void *), void *arg, uint32_t timeout_us)
{
	unsigned int me = arch_cpu_id(), done = 0;
	uint64_t start, limit = ktest_us_to_cycles(timeout_us);
	bool posted[GUEST_MAX_CPUS] = { false };

	if (!may_wait())
		return 0;
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++)
		if (cpu != me && smp_cpu_online(cpu)) {
			call_post(cpu, fn, arg);
			posted[cpu] = true;
		}
	start = arch_cycles();
	for (unsigned int cpu = 0; cpu < GUEST_MAX_CPUS; cpu++) {
		if (!posted[cpu])
			continue;
		if (wait_done(&call_slots[cpu], start, limit))
			done++;
		else
			ipi_counters[me].call_timeouts++;
		call_release(cpu);
	}
	return done;
}

unsigned int tlb_shootdown(uintptr_t va, uint32_t timeout_us)
{
	unsigned int others = smp_online_count() - 1;
	unsigned long acks;

	spin_lock(&shootdown.lock);
	shootdown.va = va;
	__atomic_store_n(&shootdown.acks, 0, __ATOMIC_RELEASE);
	arch_tlb_flush_local(va);
	if (others) {
		arch_ipi_send_others(IPI_KIND_TLB);
		ipi_wait_counter(&shootdown.acks, others, timeout_us);
	}
	acks = __atomic_load_n(&shootdown.acks, __ATOMIC_ACQUIRE);
	spin_unlock(&shootdown.lock);
	return (unsigned int)acks;
}

void smp_call_init(void)
{
	irq_register(IPI_RESCHED_VECTOR, resched_handler, NULL);
	irq_register(IPI_CALL_VECTOR, call_handler, NULL);
	irq_register(IPI_TLB_VECTOR, tlb_handler, NULL);
	irq_register(IPI_TEST_VECTOR, test_handler, NULL);
	irqstat_name_vector(IPI_RESCHED_VECTOR, "ipi-resched");
	irqstat_name_vector(IPI_CALL_VECTOR, "ipi-call");
	irqstat_name_vector(IPI_TLB_VECTOR, "ipi-tlb");
	irqstat_name_vector(IPI_TEST_VECTOR, "ipi-test");
}
