/* SPDX-License-Identifier: MIT */
/*
 * Which host is this, and which of its quirks did we find? Runs once per
 * VM, after the irqchip (and with it the EOI timing probe) exists and
 * before the boot info is written, so the guest gets the result.
 *
 * Host flags are set only from facts: IRQVM_HOSTF_NESTED_PVM when kvm_pvm
 * provides /dev/kvm, IRQVM_HOSTF_CPL0_INT_EMULATED when the CPL0 `int n`
 * probe saw KVM fail (x86_irqchip.c sets IRQVM_HOSTF_EOI_AT_INJECTION from
 * its probe). irqvm's delivery of CPL0 int n stays armed on every host, so
 * a probe that could not run costs a flag, never a guest.
 */
#include "vmm/arch/x86/x86.h"

#include <stdlib.h>

#include "vmm/core/log.h"

void x86_identify_host(struct vm *vm)
{
	struct x86_vm *x = vm->arch;
	struct host_facts f;
	/* IRQVM_SYSFS lets the vmm suite point irqvm at a made-up sysfs to
	 * check the module rules end to end; everyone else reads /sys. */
	const char *sysfs = getenv("IRQVM_SYSFS");
	x86_host_facts_read(sysfs && *sysfs ? sysfs : "/sys", &f);

	bool cannot = false;
	char why[256];
	if (x86_probe_cpl0_int(vm, &cannot, why, sizeof(why)) == 0) {
		x->paths.cpl0_int_fails = cannot ? HOST_PROBE_YES : HOST_PROBE_NO;
	} else {
		x->paths.cpl0_int_fails = HOST_PROBE_UNKNOWN;
		log_warn("CPL0 int n probe failed (%s); irqvm still delivers CPL0 int n if KVM "
			 "cannot", why);
	}
	f.cpl0_int_fails = x->paths.cpl0_int_fails;
	if (x->paths.eoi_probe_ran)
		f.eoi_at_injection = x->paths.eoi_at_injection ? HOST_PROBE_YES : HOST_PROBE_NO;

	host_platform_classify(&f, &x->host);
	x->paths.nested_pvm = x->host.platform == IRQVM_PLATFORM_NESTED_PVM;
	if (x->paths.nested_pvm)
		vm->host_flags |= IRQVM_HOSTF_NESTED_PVM;
	if (x->paths.cpl0_int_fails == HOST_PROBE_YES)
		vm->host_flags |= IRQVM_HOSTF_CPL0_INT_EMULATED;

	log_debug("host facts: CPUID hypervisor bit %d, signature \"%s\"; /dev/kvm module: %s",
		  f.hv_bit, x->host.signature, x->host.module_why);
	if (x->host.note[0])
		log_warn("host: %s: %s", x->host.name, x->host.note);
}
