/* SPDX-License-Identifier: MIT */
/*
 * Application processor bring-up. The VMM starts each AP in the boot
 * CPU's long-mode state at x86_ap_entry (entry.S) with the stack we chose;
 * the AP loads our page tables, descriptor tables and per-CPU data,
 * reports in and idles with `sti; hlt` (on hosts that emulate ring-0 code,
 * spinning would cost ~1 us per instruction and delay interrupts).
 */
#include "arch.h"
#include "ioapic.h"
#include "lapic.h"
#include "percpu.h"
#include "platform.h"
#include "smp.h"
#include "smp_x86.h"
#include "tap.h"
#include "usermode.h"
#include "x86.h"

STATIC_ASSERT(X86_MAX_CPUS == GUEST_MAX_CPUS && X86_MAX_CPUS == IRQVM_MAX_VCPUS,
	      "CPU limits of the guest and the VMM differ");

void x86_ap_entry(void);

static uint32_t start_status[X86_MAX_CPUS];
static unsigned int nr_started;

void smp_start_aps(unsigned int nr_cpus)
{
	bool have_device = (x86_boot_info.devices & IRQVM_DEV_PLATFORM) && platform_present();

	nr_started = nr_cpus;
	for (unsigned int cpu = 1; cpu < nr_cpus && cpu < X86_MAX_CPUS; cpu++) {
		uint64_t args[4] = {
			cpu,
			(uint64_t)x86_ap_entry,
			(uint64_t)(cpu_stack_block(cpu) + X86_KSTACK_TOP),
			cpu,
		};

		start_status[cpu] = have_device ? platform_command(IRQVM_PLAT_CMD_CPU_START, args,
								    4, NULL)
						: SMP_START_NO_DEVICE;
	}
}

uint32_t smp_start_status(unsigned int cpu)
{
	if (cpu == 0 || cpu >= nr_started)
		return cpu == 0 ? IRQVM_PLAT_STATUS_OK : SMP_START_NOT_TRIED;
	return start_status[cpu];
}

static const char *status_name(uint32_t s)
{
	switch (s) {
	case IRQVM_PLAT_STATUS_OK:
		return "ok";
	case IRQVM_PLAT_STATUS_EINVAL:
		return "EINVAL";
	case IRQVM_PLAT_STATUS_EBUSY:
		return "EBUSY";
	case SMP_START_NO_DEVICE:
		return "no platform device";
	case SMP_START_NOT_TRIED:
		return "not tried";
	default:
		return "unknown status";
	}
}

void smp_describe(void)
{
	for (unsigned int cpu = 1; cpu < nr_started; cpu++)
		tap_diag("cpu %u: start request %s (%#x)", cpu, status_name(start_status[cpu]),
			 start_status[cpu]);
}

__noreturn void x86_ap_main(uint64_t cpu);
void x86_ap_main(uint64_t cpu)
{
	if (cpu == 0 || cpu >= X86_MAX_CPUS)
		arch_halt(); /* not a CPU we asked for */
	percpu_init((unsigned int)cpu, x86_boot_info.apic_ids[cpu]);
	syscall_msrs_init();
	lapic_enable();    /* a software-disabled LAPIC drops fixed interrupts */
	ioapic_cpu_init(); /* suppress EOI broadcast like the boot CPU */
	smp_mark_online((unsigned int)cpu);
	for (;;)
		x86_safe_halt();
}
