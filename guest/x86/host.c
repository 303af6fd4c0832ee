/* SPDX-License-Identifier: MIT */
/*
 * Host probes. The one that matters most: does ring-0 code run natively or
 * through KVM's instruction emulator (nested "PVM" KVM)? A VMM may not say
 * (IRQVM_HOSTF_NESTED_PVM is optional), so the kernel measures: the same
 * two-instruction loop is timed with the TSC in ring 0 and in ring 3. On
 * VMX/SVM both run natively (ratio about 1); under the emulator a ring-0
 * instruction costs about a microsecond (ratio in the thousands).
 */
#include <irqvm/abi.h>

#include "host.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

#define CPL0_LOOPS 64u     /* ~130 emulated instructions at most */
#define CPL3_LOOPS 65536u
#define EMULATED_RATIO 20u /* far from both 1 and the thousands */

struct x86_host x86_host;

void host_probe_cpl0(void)
{
	uint64_t n = CPL0_LOOPS, t0, t1, cpl3_x1000;
	struct task t;

	t0 = rdtsc();
	__asm__ __volatile__("1: decq %0\n\tjnz 1b" : "+r"(n));
	t1 = rdtsc();
	x86_host.cpl0_loop_cycles = (t1 - t0) / CPL0_LOOPS;

	u_spin_cycles = 0;
	user_task_run(&t, "spin", u_prog_spin, CPL3_LOOPS);
	cpl3_x1000 = u_spin_cycles * 1000 / CPL3_LOOPS;
	x86_host.cpl3_loop_cycles_x1000 = cpl3_x1000;
	if (cpl3_x1000 < 1000)
		cpl3_x1000 = 1000; /* at least a cycle per turn */
	x86_host.cpl0_emulated = x86_host.cpl0_loop_cycles * 1000 > EMULATED_RATIO * cpl3_x1000;
}

bool host_quirky(void)
{
	return x86_host.cpl0_emulated || (x86_host.boot_flags & IRQVM_HOSTF_NESTED_PVM);
}

bool host_cpl0_int_ok(void)
{
	/* KVM's emulator has no int/int3/int1: unless the VMM says it delivers
	 * them itself, executing one in ring 0 ends the VM. */
	if (x86_host.boot_flags & IRQVM_HOSTF_CPL0_INT_EMULATED)
		return true;
	return !host_quirky();
}
