/* SPDX-License-Identifier: MIT */
/*
 * IPIs over SBI (ipi.h). One call slot per target CPU; a sender owns the
 * slot (its lock) from filling it until the target reports completion.
 */
#include "arch.h"
#include "csr.h"
#include "ipi.h"
#include "irq.h"
#include "irqentry.h"
#include "irqstat.h"
#include "kcpu.h"
#include "machine.h"
#include "percpu.h"
#include "sbi.h"
#include "spinlock.h"
#include "vectors.h"

struct ipi_counters ipi_counters[GUEST_MAX_CPUS];

static const unsigned int kind_vector[NR_IPI_KINDS] = {
	[IPI_KIND_RESCHED] = RV_VEC_IPI_RESCHED,
	[IPI_KIND_CALL] = RV_VEC_IPI_CALL,
	[IPI_KIND_TLB] = RV_VEC_IPI_TLB,
	[IPI_KIND_TEST] = RV_VEC_IPI_TEST,
};

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

uint64_t rv_us_to_cycles(uint64_t us)
{
	uint64_t khz = arch_cycles_khz();

	/* Unknown rate: assume 10 MHz (QEMU's timebase); only a bound. */
	return (khz ? khz : 10000) * us / 1000;
}

static struct ipi_counters *my_counters(void)
{
	return &ipi_counters[arch_cpu_id()];
}

static long checked(long err)
{
	if (err)
		__atomic_fetch_add(&my_counters()->sbi_errors, 1, __ATOMIC_RELAXED);
	return err;
}

/* Set the vector's bit at `cpu`; true if it was not pending already. */
static bool post(unsigned int cpu, unsigned int vector)
{
	unsigned long bit = 1ul << (vector % 64);

	/* Release: what the handler will read is visible before the bit,
	 * and the bit before the SSIP the following ecall raises. */
	return !(__atomic_fetch_or(&percpu[cpu].ipi_vectors[(vector / 64) % 4], bit,
				   __ATOMIC_RELEASE) &
		 bit);
}

static void count(enum ipi_kind k, bool fresh)
{
	struct ipi_counters *c = my_counters();

	if (fresh)
		__atomic_fetch_add(&c->sent[k], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&c->coalesced[k], 1, __ATOMIC_RELAXED);
}

long ipi_send_vector(unsigned int cpu, unsigned int vector)
{
	if (cpu >= GUEST_MAX_CPUS || cpu >= rv_machine.nr_harts || vector >= IRQ_MAX_VECTORS ||
	    vector == RV_VEC_SOFT)
		return SBI_ERR_INVALID_PARAM;
	post(cpu, vector);
	return checked(sbi_send_ipi(1, percpu[cpu].hartid));
}

long ipi_send(unsigned int cpu, enum ipi_kind k)
{
	if (cpu >= GUEST_MAX_CPUS || cpu >= rv_machine.nr_harts)
		return SBI_ERR_INVALID_PARAM;
	count(k, post(cpu, kind_vector[k]));
	return checked(sbi_send_ipi(1, percpu[cpu].hartid));
}

/* hart_mask relative to base 0: this board's hart ids are 0..7. Posts the
 * vector to every CPU in the mask. */
static unsigned long post_many(enum ipi_kind k, bool self)
{
	unsigned long mask = 0;
	unsigned int me = arch_cpu_id();

	for (unsigned int cpu = 0; cpu < rv_machine.nr_harts; cpu++) {
		if ((cpu == me && !self) || !smp_cpu_online(cpu) || percpu[cpu].hartid >= 64)
			continue;
		count(k, post(cpu, kind_vector[k]));
		mask |= 1ul << percpu[cpu].hartid;
	}
	return mask;
}

long ipi_send_others(enum ipi_kind k)
{
	unsigned long mask = post_many(k, false);

	return mask ? checked(sbi_send_ipi(mask, 0)) : SBI_SUCCESS;
}

long ipi_send_all(enum ipi_kind k)
{
	post_many(k, true);
	return checked(sbi_send_ipi(0, SBI_HART_MASK_ALL));
}

static void count_received(enum ipi_kind k)
{
	my_counters()->received[k]++;
}

/* The software interrupt: acknowledge it, then serve every vector posted.
 * SSIP is cleared before the set is taken, so a vector posted after that
 * raises a new interrupt instead of being lost. */
static void soft_handler(unsigned int vector, void *ctx)
{
	struct percpu *pc = this_cpu();
	bool any = false;

	(void)vector;
	(void)ctx;
	csr_clear(sip, SIE_SSIE);
	for (unsigned int w = 0; w < 4; w++) {
		unsigned long bits = __atomic_exchange_n(&pc->ipi_vectors[w], 0, __ATOMIC_ACQUIRE);

		/* Nested in this interrupt: counted per vector, and the
		 * softirq and scheduler work runs once, on the way out of the
		 * outer one. */
		for (; bits; bits &= bits - 1) {
			irq_handle(w * 64 + (unsigned int)__builtin_ctzl(bits), false);
			any = true;
		}
	}
	if (!any)
		pc->ssip_bare++; /* sip.SSIP set directly (the tests do) */
}

static void resched_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	/* need_resched is already set by the waker; the interrupt exit path
	 * does the switch. */
	count_received(IPI_KIND_RESCHED);
}

static void call_handler(unsigned int vector, void *ctx)
{
	struct call_slot *s = &call_slots[arch_cpu_id()];

	(void)vector;
	(void)ctx;
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
	count_received(IPI_KIND_TLB);
	sfence_vma_addr(shootdown.va);
	__atomic_fetch_add(&shootdown.acks, 1, __ATOMIC_RELEASE);
}

static void test_handler(unsigned int vector, void *ctx)
{
	struct ipi_counters *c = &ipi_counters[arch_cpu_id()];

	(void)vector;
	(void)ctx;
	c->last_test_cpu = arch_cpu_id();
	__atomic_fetch_add(&c->received[IPI_KIND_TEST], 1, __ATOMIC_RELEASE);
}

void arch_send_resched(unsigned int cpu)
{
	if (cpu == arch_cpu_id() || !smp_cpu_online(cpu))
		return;
	ipi_send(cpu, IPI_KIND_RESCHED);
}

bool ipi_wait_counter(const volatile unsigned long *counter, unsigned long want,
		      uint32_t timeout_us)
{
	uint64_t start = arch_cycles(), limit = rv_us_to_cycles(timeout_us);

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

static void call_post(unsigned int cpu, void (*fn)(void *), void *arg)
{
	struct call_slot *s = &call_slots[cpu];

	spin_lock(&s->lock);
	s->arg = arg;
	s->done = false;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
	ipi_send(cpu, IPI_KIND_CALL);
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
	ok = wait_done(&call_slots[cpu], arch_cycles(), rv_us_to_cycles(timeout_us));
	call_release(cpu);
	return ok;
}

unsigned int smp_call_function_others(void (*fn)(void *), void *arg, uint32_t timeout_us)
{
	unsigned int me = arch_cpu_id(), done = 0;
	uint64_t start, limit = rv_us_to_cycles(timeout_us);
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
	sfence_vma_addr(va);
	if (others) {
		ipi_send_others(IPI_KIND_TLB);
		ipi_wait_counter(&shootdown.acks, others, timeout_us);
	}
	acks = __atomic_load_n(&shootdown.acks, __ATOMIC_ACQUIRE);
	spin_unlock(&shootdown.lock);
	return (unsigned int)acks;
}

void ipi_init(void)
{
	irq_register(RV_VEC_SOFT, soft_handler, NULL);
	irq_register(RV_VEC_IPI_RESCHED, resched_handler, NULL);
	irq_register(RV_VEC_IPI_CALL, call_handler, NULL);
	irq_register(RV_VEC_IPI_TLB, tlb_handler, NULL);
	irq_register(RV_VEC_IPI_TEST, test_handler, NULL);
	irqstat_name_vector(RV_VEC_SOFT, "ssip");
	irqstat_name_vector(RV_VEC_IPI_RESCHED, "ipi-resched");
	irqstat_name_vector(RV_VEC_IPI_CALL, "ipi-call");
	irqstat_name_vector(RV_VEC_IPI_TLB, "ipi-tlb");
	irqstat_name_vector(RV_VEC_IPI_TEST, "ipi-test");
}
