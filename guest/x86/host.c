/* SPDX-License-Identifier: MIT */
/*
 * The host as the VMM identified it (host.h), plus one diagnostic: the same
 * two-instruction loop timed with the TSC in ring 0 and in ring 3. On the
 * nested PVM KVM ring 0 is emulated (thousands of times slower); under QEMU
 * TCG ring 0 and ring 3 also run at very different speeds although nothing
 * is emulated by KVM, so the ratio is printed and never used to decide.
 */
#include <irqvm/abi.h>

#include "host.h"
#include "kprintf.h"
#include "tap.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

#define CPL0_LOOPS 64u
#define CPL3_LOOPS 65536u

struct x86_host x86_host;

void host_probe_cpl0(void)
{
	uint64_t n = CPL0_LOOPS, t0, t1;
	struct task t;

	t0 = rdtsc();
	__asm__ __volatile__("1: decq %0\n\tjnz 1b" : "+r"(n));
	t1 = rdtsc();
	x86_host.cpl0_loop_cycles = (t1 - t0) / CPL0_LOOPS;

	u_spin_cycles = 0;
	user_task_run(&t, "spin", u_prog_spin, CPL3_LOOPS);
	x86_host.cpl3_loop_cycles_x1000 = u_spin_cycles * 1000 / CPL3_LOOPS;
}

bool host_pvm(void)
{
	return (x86_host.boot_flags & IRQVM_HOSTF_NESTED_PVM) ||
	       x86_host.platform == IRQVM_PLATFORM_NESTED_PVM;
}

bool host_platform_is(uint32_t platform)
{
	return x86_host.platform == platform;
}

static const char *module_name(void)
{
	switch (x86_host.kvm_module) {
	case IRQVM_KVM_MODULE_AMD:
		return "kvm_amd";
	case IRQVM_KVM_MODULE_INTEL:
		return "kvm_intel";
	case IRQVM_KVM_MODULE_PVM:
		return "kvm_pvm";
	default:
		return "unknown module";
	}
}

const char *host_platform_name(void)
{
	static char name[80];
	const char *kind;

	switch (x86_host.platform) {
	case IRQVM_PLATFORM_BARE_METAL:
		kind = "bare-metal KVM";
		break;
	case IRQVM_PLATFORM_NESTED_KVM:
		kind = "nested KVM under KVM";
		break;
	case IRQVM_PLATFORM_NESTED_TCG:
		kind = "nested KVM under QEMU TCG";
		break;
	case IRQVM_PLATFORM_NESTED_HYPERV:
		kind = "nested KVM under Hyper-V";
		break;
	case IRQVM_PLATFORM_NESTED_VMWARE:
		kind = "nested KVM under VMware";
		break;
	case IRQVM_PLATFORM_NESTED_OTHER:
		kind = "nested KVM under another hypervisor";
		break;
	case IRQVM_PLATFORM_NESTED_PVM:
		return "nested PVM KVM";
	default:
		return "unknown host (the VMM did not say)";
	}
	ksnprintf(name, sizeof(name), "%s (%s)", kind, module_name());
	return name;
}

void host_todo(const char *reason, const char *name)
{
	char why[200];

	ksnprintf(why, sizeof(why), "%s: %s", host_platform_name(), reason);
	tap_todo(why, "%s", name);
}
