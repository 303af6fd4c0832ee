/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data and the per-CPU part of CPU set-up.
 */
#include "percpu.h"
#include "x86.h"

struct percpu percpu[X86_MAX_CPUS];

void percpu_init(unsigned int cpu, unsigned int apic_id)
{
	struct percpu *p = &percpu[cpu];
	uint8_t *s = cpu_stack_block(cpu);

	p->self = p;
	p->cpu = cpu;
	p->apic_id = apic_id;
	p->stacks = s;
	p->trap_stack_top = (uint64_t)(s + X86_TRAP_STACK_TOP);
	p->tss.rsp[0] = p->trap_stack_top;
	p->tss.ist[X86_IST_NMI - 1] = (uint64_t)(s + X86_IST_NMI_TOP);
	p->tss.ist[X86_IST_DF - 1] = (uint64_t)(s + X86_IST_DF_TOP);
	p->tss.ist[X86_IST_MC - 1] = (uint64_t)(s + X86_IST_MC_TOP);
	/* I/O bitmap offset past the limit: no bitmap, so user-mode port I/O
	 * faults (IOPL is 0). */
	p->tss.iomap_base = sizeof(struct tss64);

	desc_load(cpu, &p->tss);
	wrmsr(MSR_GS_BASE, (uint64_t)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
