/* SPDX-License-Identifier: MIT */
/*
 * x86-64 boot: boot-info parsing (include/irqvm/abi.h), CPU set-up and the
 * small architecture hooks common code needs.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "boot.h"
#include "desc.h"
#include "host.h"
#include "ioapic.h"
#include "kstring.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "pic.h"
#include "sections.h"
#include "smp.h"
#include "smp_x86.h"
#include "trap.h"
#include "tap.h"
#include "uart.h"
#include "usermode.h"
#include "x86.h"

const char arch_name[] = "x86_64";

static uint64_t boot_info_gpa;
struct irqvm_boot_info x86_boot_info; /* validated copy */
static char cmdline_buf[IRQVM_X86_CMDLINE_MAX + 1];
static bool percpu_ready;

#define BOOT_INFO_MIN_SIZE __builtin_offsetof(struct irqvm_boot_info, devices)

__noreturn void x86_boot_main(uint64_t boot_info);
void x86_boot_main(uint64_t boot_info)
{
	uart_init();
	boot_info_gpa = boot_info;
	kernel_main();
}

static void parse_boot_info(struct boot_params *bp)
{
	const struct irqvm_boot_info *bi = (const struct irqvm_boot_info *)boot_info_gpa;
	struct irqvm_boot_info *c = &x86_boot_info;
	size_t n;

	/* The VMM's page tables map [0, 4 GiB), so any such address is
	 * readable here (page 0 excepted: a NULL pointer is a VMM bug). */
	if (boot_info_gpa < 4096 || boot_info_gpa >= (4ull << 30) - sizeof(*bi))
		panic("boot info pointer %#lx is not usable", (unsigned long)boot_info_gpa);
	if (bi->magic != IRQVM_BOOT_MAGIC)
		panic("boot info at %#lx: magic %#x, want %#x", (unsigned long)boot_info_gpa,
		      bi->magic, IRQVM_BOOT_MAGIC);
	if (bi->version != IRQVM_BOOT_VERSION)
		panic("boot info version %u, this kernel speaks %u", bi->version,
		      IRQVM_BOOT_VERSION);
	if (bi->size < BOOT_INFO_MIN_SIZE)
		panic("boot info size %u, need at least %zu", bi->size,
		      (size_t)BOOT_INFO_MIN_SIZE);
	/* A shorter structure (older VMM) leaves the newer fields zero. */
	n = bi->size < sizeof(*c) ? bi->size : sizeof(*c);
	memcpy(c, bi, n);

	bp->mem_size = c->mem_size;
	bp->nr_mem_regions = c->nr_mem_regions;
	if (bp->nr_mem_regions > IRQVM_MAX_MEM_REGIONS)
		bp->nr_mem_regions = IRQVM_MAX_MEM_REGIONS;
	for (unsigned int i = 0; i < bp->nr_mem_regions; i++) {
		bp->mem[i].base = c->mem[i].base;
		bp->mem[i].size = c->mem[i].size;
	}
	if (!bp->nr_mem_regions)
		panic("boot info has no memory regions");
	bp->nr_cpus = c->nr_cpus ? c->nr_cpus : 1;
	if (bp->nr_cpus > X86_MAX_CPUS)
		bp->nr_cpus = X86_MAX_CPUS;

	if (c->cmdline_gpa && c->cmdline_len && c->cmdline_gpa < (4ull << 30)) {
		size_t len = c->cmdline_len < IRQVM_X86_CMDLINE_MAX ? c->cmdline_len
								    : IRQVM_X86_CMDLINE_MAX;

		memcpy(cmdline_buf, (const void *)c->cmdline_gpa, len);
		cmdline_buf[len] = '\0';
	}
	bp->cmdline = cmdline_buf;
	bp->kernel_start = (uint64_t)__kernel_start;
	bp->kernel_end = (uint64_t)__kernel_end;
}

void arch_setup(struct boot_params *bp)
{
	parse_boot_info(bp);
	x86_host.boot_flags = x86_boot_info.host_flags;
	x86_host.platform = x86_boot_info.platform; /* 0 from a VMM that predates it */
	x86_host.kvm_module = x86_boot_info.kvm_module;

	/* Our page tables use NX; the boot protocol sets EFER.NXE, but a
	 * missing bit would make every NX entry a reserved-bit fault. */
	if (!(rdmsr(MSR_EFER) & EFER_NXE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

	idt_init();
	percpu_init(0, x86_boot_info.apic_ids[0]);
	percpu_ready = true;
	paging_init(bp);
	syscall_msrs_init();
	if ((x86_boot_info.devices & IRQVM_DEV_PIC) ||
	    x86_boot_info.irqchip == IRQVM_IRQCHIP_SPLIT ||
	    x86_boot_info.irqchip == IRQVM_IRQCHIP_KERNEL)
		pic_init(false); /* vectors 0x20-0x2f, every line masked */
	ioapic_init();           /* every pin masked; directed EOI if offered */
	smp_mark_online(0);

	host_probe_cpl0();
	syscall_insn_probe();
	smp_start_aps(bp->nr_cpus);
}

static const char *irqchip_name(uint32_t mode)
{
	switch (mode) {
	case IRQVM_IRQCHIP_SPLIT:
		return "split (userspace PIC/IOAPIC, in-kernel LAPIC)";
	case IRQVM_IRQCHIP_KERNEL:
		return "in-kernel";
	default:
		return "unknown";
	}
}

void arch_describe(void)
{
	const struct irqvm_boot_info *c = &x86_boot_info;
	uint32_t f = c->host_flags;

	tap_diag("boot info: version %u, %u bytes at %#lx", c->version, c->size,
		 (unsigned long)boot_info_gpa);
	tap_diag("irqchip: %s; devices %#x; TSC %lu kHz", irqchip_name(c->irqchip), c->devices,
		 (unsigned long)c->tsc_khz);
	tap_diag("host flags %#x:%s%s%s", f, (f & IRQVM_HOSTF_NESTED_PVM) ? " nested-PVM" : "",
		 (f & IRQVM_HOSTF_CPL0_INT_EMULATED) ? " VMM-emulates-CPL0-int" : "",
		 (f & IRQVM_HOSTF_EOI_AT_INJECTION) ? " EOI-at-injection" : "");
	tap_diag("host: %s", host_platform_name());
	/* Printed, never used: the ratio misfires under QEMU TCG (host.c). */
	tap_diag("timing (diagnostic only): ring-0 loop %lu cycles/turn, ring-3 %lu.%03lu",
		 (unsigned long)x86_host.cpl0_loop_cycles,
		 (unsigned long)(x86_host.cpl3_loop_cycles_x1000 / 1000),
		 (unsigned long)(x86_host.cpl3_loop_cycles_x1000 % 1000));
	tap_diag("probe: syscall instruction %s",
		 syscall_insn_state_name(syscall_insn_state()));
	smp_describe();
}

unsigned int arch_cpu_id(void)
{
	/* Before the boot CPU's GS base is set there is only CPU 0. */
	return percpu_ready ? this_cpu()->cpu : 0;
}

uint64_t arch_cycles(void)
{
	return rdtsc();
}

uint64_t arch_cycles_khz(void)
{
	return x86_boot_info.tsc_khz;
}

void arch_cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
	return flags & X86_RFLAGS_IF;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ __volatile__("sti" ::: "memory");
}

void arch_report(void)
{
	unsigned long second = trap_second_deliveries();

	/* Host deviations worked around, so they are said, not hidden. */
	if (second)
		tap_diag("interrupts: %lu delivered a second time by the host with IF clear, "
			 "dropped (docs/testing.md, \"Platform deviations\")", second);
	if (x86_halt_fixups)
		tap_diag("idle: %lu interrupt(s) taken at the hlt of \"sti; hlt\" instead of "
			 "waking it (the sti shadow was not honoured): resumed past the hlt",
			 x86_halt_fixups);
}
