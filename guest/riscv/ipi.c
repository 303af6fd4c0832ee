/* SPDX-License-Identifier: MIT */
/*
 * IPIs over SBI (ipi.h): the port's IPI hooks (arch.h). Function calls,
 * shootdown and counters are common (smp_call.c).
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

/* The common code's vectors for the kinds are the ones vectors.h
 * reserves. */
_Static_assert(RV_VEC_IPI_RESCHED == IPI_RESCHED_VECTOR && RV_VEC_IPI_CALL == IPI_CALL_VECTOR &&
		       RV_VEC_IPI_TLB == IPI_TLB_VECTOR && RV_VEC_IPI_TEST == IPI_TEST_VECTOR,
	       "IPI vectors");

const char arch_cpu_noun[] = "hart";
const char arch_self_ipi_name[] = "self-IPI (SBI IPI)";
const bool arch_ipi_counts_coalesced = true; /* post() sees the pending bit */

static const unsigned int kind_vector[NR_IPI_KINDS] = {
	[IPI_KIND_RESCHED] = RV_VEC_IPI_RESCHED,
	[IPI_KIND_CALL] = RV_VEC_IPI_CALL,
	[IPI_KIND_TLB] = RV_VEC_IPI_TLB,
	[IPI_KIND_TEST] = RV_VEC_IPI_TEST,
};

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
		__atomic_fetch_add(&my_counters()->send_errors, 1, __ATOMIC_RELAXED);
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

long arch_ipi_send_vector(unsigned int cpu, unsigned int vector)
{
	if (cpu >= GUEST_MAX_CPUS || cpu >= rv_machine.nr_harts || vector >= IRQ_MAX_VECTORS ||
	    vector == RV_VEC_SOFT)
		return SBI_ERR_INVALID_PARAM;
	post(cpu, vector);
	return checked(sbi_send_ipi(1, percpu[cpu].hartid));
}

long arch_ipi_send(unsigned int cpu, enum ipi_kind k)
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

long arch_ipi_send_others(enum ipi_kind k)
{
	unsigned long mask = post_many(k, false);

	return mask ? checked(sbi_send_ipi(mask, 0)) : SBI_SUCCESS;
}

long ipi_send_all(enum ipi_kind k)
{
	post_many(k, true);
	return checked(sbi_send_ipi(0, SBI_HART_MASK_ALL));
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

void arch_send_resched(unsigned int cpu)
{
	if (cpu == arch_cpu_id() || !smp_cpu_online(cpu))
		return;
	arch_ipi_send(cpu, IPI_KIND_RESCHED);
}

const char *arch_ipi_unavailable(void)
{
	return NULL; /* SBI IPI is required at boot */
}

void arch_local_eoi(void)
{
	/* soft_handler cleared sip.SSIP before serving the posted vectors */
}

void arch_tlb_flush_local(uintptr_t va)
{
	sfence_vma_addr(va);
}

void ipi_init(void)
{
	irq_register(RV_VEC_SOFT, soft_handler, NULL);
	irqstat_name_vector(RV_VEC_SOFT, "ssip");
	smp_call_init();
}
