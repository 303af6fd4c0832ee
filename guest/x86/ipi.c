/* SPDX-License-Identifier: MIT */
/*
 * IPIs through the local APIC (ipi.h): fixed-vector IPIs by APIC ID, the
 * self and all-but-self shorthands, EOI. Function calls, shootdown and
 * counters are common (smp_call.c).
 */
#include "arch.h"
#include "lapic.h"
#include "smp.h"
#include "smp_x86.h"
#include "x86.h"
#include "ipi.h"

static const unsigned int kind_vector[NR_IPI_KINDS] = {
	[IPI_KIND_RESCHED] = IPI_RESCHED_VECTOR,
	[IPI_KIND_CALL] = IPI_CALL_VECTOR,
	[IPI_KIND_TLB] = IPI_TLB_VECTOR,
	[IPI_KIND_TEST] = IPI_TEST_VECTOR,
};

const char arch_cpu_noun[] = "CPU";
const char arch_self_ipi_name[] = "self-IPI";
/* The LAPIC merges a fixed IPI into one already pending, unseen. */
const bool arch_ipi_counts_coalesced = false;

uint32_t cpu_apic_id(unsigned int cpu)
{
	return cpu < GUEST_MAX_CPUS ? x86_boot_info.apic_ids[cpu] : 0;
}

static void count_sent(enum ipi_kind k, unsigned long n)
{
	__atomic_fetch_add(&ipi_counters[arch_cpu_id()].sent[k], n, __ATOMIC_RELAXED);
}

const char *arch_ipi_unavailable(void)
{
	return lapic_present() ? NULL : "no local APIC";
}

long arch_ipi_send_vector(unsigned int cpu, unsigned int vector)
{
	if (cpu == arch_cpu_id())
		lapic_send_ipi_shorthand(LAPIC_DEST_SELF, vector, LAPIC_DM_FIXED);
	else
		lapic_send_ipi(cpu_apic_id(cpu), vector, LAPIC_DM_FIXED);
	return 0;
}

long arch_ipi_send(unsigned int cpu, enum ipi_kind kind)
{
	count_sent(kind, 1);
	return arch_ipi_send_vector(cpu, kind_vector[kind]);
}

long arch_ipi_send_others(enum ipi_kind kind)
{
	count_sent(kind, smp_online_count() - 1);
	lapic_send_ipi_shorthand(LAPIC_DEST_ALL_BUT_SELF, kind_vector[kind], LAPIC_DM_FIXED);
	return 0;
}

void arch_local_eoi(void)
{
	lapic_eoi();
}

void arch_tlb_flush_local(uintptr_t va)
{
	invlpg(va);
}

void arch_send_resched(unsigned int cpu)
{
	if (cpu == arch_cpu_id() || !smp_cpu_online(cpu))
		return;
	arch_ipi_send(cpu, IPI_KIND_RESCHED);
}

void ipi_init(void)
{
	smp_call_init();
}
