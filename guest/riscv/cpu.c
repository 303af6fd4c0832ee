/* SPDX-License-Identifier: MIT */
/*
 * Small architecture hooks: CPU index, time, interrupt state, per-CPU set-up.
 */
#include "arch.h"
#include "csr.h"
#include "machine.h"
#include "percpu.h"

struct percpu percpu[RV_MAX_CPUS];

void percpu_setup(unsigned int cpu, unsigned int hartid)
{
	struct percpu *p = &percpu[cpu];

	p->self = p;
	p->cpu = cpu;
	p->hartid = hartid;
	p->stacks = cpu_stack_block(cpu);
	p->trap_stack_top = (uint64_t)(uintptr_t)(p->stacks + RV_TRAP_STACK_TOP);
}

unsigned int arch_cpu_id(void)
{
	/* tp points at CPU 0's (zeroed) block from the first instruction. */
	return this_cpu()->cpu;
}

uint64_t arch_cycles(void)
{
	return rdtime();
}

uint64_t arch_cycles_khz(void)
{
	return rv_machine.timebase_hz / 1000;
}

void arch_cpu_relax(void)
{
	/* Zihintpause's pause (a fence hint: a no-op where unsupported),
	 * encoded so the assembler needs no extension flag. */
	__asm__ __volatile__(".4byte 0x0100000f" ::: "memory");
}

unsigned long arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
}

bool arch_irqs_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

void arch_wait_for_interrupt(void)
{
	/* wfi wakes for any interrupt pending in sip & sie whatever SIE says
	 * (privileged spec 3.3.3), so one that is already pending is not
	 * slept through; setting SIE then takes it. */
	__asm__ __volatile__("wfi\n\tcsrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}
