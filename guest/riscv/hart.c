/* SPDX-License-Identifier: MIT */
/*
 * Secondary hart bring-up, stop and suspend (hart.h).
 */
#include "arch.h"
#include "console_rv.h"
#include "csr.h"
#include "hart.h"
#include "ipi.h"
#include "machine.h"
#include "paging.h"
#include "percpu.h"
#include "sbi.h"
#include "smp.h"
#include "tap.h"
#include "timer.h"

STATIC_ASSERT(RV_MAX_CPUS == GUEST_MAX_CPUS, "CPU limits of the port and common code differ");

/* What rv_secondary_entry (entry.S) loads before it can run C. */
struct rv_start_args {
	uint64_t tp, sp, satp;
};

static struct rv_start_args start_args[RV_MAX_CPUS];
static long start_status[RV_MAX_CPUS];
static unsigned int nr_started;

void rv_secondary_entry(void);

long hart_restart(unsigned int cpu)
{
	struct rv_start_args *a = &start_args[cpu];

	if (cpu == 0 || cpu >= rv_machine.nr_harts || cpu >= RV_MAX_CPUS)
		return SBI_ERR_INVALID_PARAM;
	a->tp = (uintptr_t)&percpu[cpu];
	a->sp = (uintptr_t)(cpu_stack_block(cpu) + RV_KSTACK_TOP);
	a->satp = rv_kernel_satp;
	/* The hart starts with the MMU off: every address here is physical,
	 * which the identity map makes the same. */
	start_status[cpu] = sbi_hart_start(percpu[cpu].hartid, (uintptr_t)rv_secondary_entry,
					   (uintptr_t)a);
	return start_status[cpu];
}

void hart_start_secondaries(unsigned int nr_cpus)
{
	nr_started = nr_cpus;
	for (unsigned int cpu = 1; cpu < nr_cpus && cpu < RV_MAX_CPUS; cpu++) {
		percpu_setup(cpu, rv_machine.hartids[cpu]);
		if (!rv_machine.sbi_hsm) {
			start_status[cpu] = SBI_ERR_NOT_SUPPORTED;
			continue;
		}
		hart_restart(cpu);
	}
}

uintptr_t hart_start_opaque(unsigned int cpu)
{
	return cpu < RV_MAX_CPUS ? (uintptr_t)&start_args[cpu] : 0;
}

long hart_start_status(unsigned int cpu)
{
	return cpu < RV_MAX_CPUS ? start_status[cpu] : SBI_ERR_INVALID_PARAM;
}

void hart_request_stop(unsigned int cpu)
{
	WRITE_ONCE(percpu[cpu].stop_req, true);
	arch_ipi_send(cpu, IPI_KIND_TEST); /* wake its idle loop */
}

void hart_request_suspend(unsigned int cpu)
{
	WRITE_ONCE(percpu[cpu].suspend_req, true);
	arch_ipi_send(cpu, IPI_KIND_TEST);
}

void hart_describe(void)
{
	for (unsigned int cpu = 1; cpu < nr_started; cpu++)
		tap_diag("cpu %u: hart %u, HSM hart_start %s", cpu, percpu[cpu].hartid,
			 sbi_error_name(start_status[cpu]));
}

static void stop_self(struct percpu *pc)
{
	pc->stop_req = false;
	rv_timer_cancel();
	csr_write(sie, 0);
	rv_console_flush();
	/* Does not return on success: a later hart_start enters at
	 * rv_secondary_entry again. */
	pc->stop_error = sbi_hart_stop();
	csr_set(sie, SIE_SSIE | SIE_STIE);
}

static void suspend_self(struct percpu *pc)
{
	pc->suspend_req = false;
	__atomic_fetch_add(&pc->suspends, 1, __ATOMIC_RELEASE);
	/* Retentive suspend (SBI 9.4): returns like wfi once an interrupt
	 * is pending, with all state intact. */
	if (!sbi_hart_suspend(SBI_HSM_SUSPEND_RETENTIVE, 0, 0))
		__atomic_fetch_add(&pc->resumes, 1, __ATOMIC_RELEASE);
}

__noreturn void rv_secondary_main(uint64_t hartid, uint64_t args);
void rv_secondary_main(uint64_t hartid, uint64_t args)
{
	struct percpu *pc = this_cpu();

	csr_write(stvec, (uintptr_t)rv_trap_entry);
	csr_set(sstatus, SSTATUS_SUM);
	csr_clear(sstatus, SSTATUS_FS);
	pc->boot_a0 = hartid;
	pc->boot_a1 = args;
	rv_timer_cancel();
	csr_set(sie, SIE_SSIE | SIE_STIE);
	smp_mark_online(pc->cpu);
	__atomic_fetch_add(&pc->boots, 1, __ATOMIC_RELEASE);
	/* The idle loop (the scheduler adopts this context as the CPU's
	 * idle thread). Requests are checked with interrupts off, and wfi
	 * wakes for a pending interrupt regardless, so none is slept through. */
	for (;;) {
		arch_irq_disable();
		if (READ_ONCE(pc->stop_req))
			stop_self(pc);
		if (READ_ONCE(pc->suspend_req))
			suspend_self(pc);
		arch_wait_for_interrupt();
	}
}
