/* SPDX-License-Identifier: MIT */
/*
 * Probe: can this KVM run `int n` at CPL0?
 *
 * On VMX/SVM hosts the CPU executes a software interrupt itself. On the
 * nested "PVM" KVM (kvm_pvm) every CPL0 instruction goes through KVM's
 * instruction emulator, which lacks int n/int3/int1: KVM stops the vCPU with
 * KVM_EXIT_INTERNAL_ERROR, suberror KVM_INTERNAL_ERROR_EMULATION, RIP at the
 * instruction. irqvm then delivers it itself (x86_softint_exit.c) on every
 * host, so this probe does not switch any path on or off; it finds the fact
 * that IRQVM_HOSTF_CPL0_INT_EMULATED reports to the guest and `-v` prints.
 *
 * The throw-away VM (x86_probe_vm.c, no irqchip: a software interrupt needs
 * no APIC) runs `int $0x41` through a DPL-0 interrupt gate whose handler
 * reports on port 0x81 and returns; the program then reports on 0x83.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/log.h"

#define PROBE_VECTOR 0x41
#define PROBE_MAX_EXITS 50

static const uint8_t probe_main[] = {
	0xcd, PROBE_VECTOR, /* int $0x41 (at X86_PROBE_CODE) */
	0xe6, 0x83,         /* out 0x83, al: back from the handler */
	0xf4,               /* hlt */
};

static const uint8_t probe_handler[] = {
	0xe6, 0x81, /* out 0x81, al: handler entered */
	0x48, 0xcf, /* iretq */
};

static int run_probe(struct x86_probe_vm *p, bool *fails, char *err, size_t errlen)
{
	bool entered = false;
	for (int step = 0; step < PROBE_MAX_EXITS; step++) {
		if (x86_probe_vm_run(p, err, errlen) < 0)
			return -1;
		struct kvm_run *run = p->cpu.run;
		log_debug("int probe: step %d: exit reason %u", step, run->exit_reason);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x81) {
				entered = true;
			} else if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == 0x83) {
				if (!entered) {
					snprintf(err, errlen, "probe: int $0x%x returned without "
						 "entering its handler", PROBE_VECTOR);
					return -1;
				}
				*fails = false;
				return 0;
			}
			break;
		case KVM_EXIT_INTERNAL_ERROR: {
			struct kvm_regs regs;
			if (run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION) {
				snprintf(err, errlen, "probe: KVM internal error, suberror %u",
					 run->internal.suberror);
				return -1;
			}
			if (ioctl(p->cpu.fd, KVM_GET_REGS, &regs) < 0) {
				snprintf(err, errlen, "probe KVM_GET_REGS: %s", strerror(errno));
				return -1;
			}
			/* The fact is "KVM gave up on exactly the int instruction";
			 * an emulation failure anywhere else is not that quirk. */
			if (entered || regs.rip != X86_PROBE_CODE) {
				snprintf(err, errlen, "probe: emulation failure at rip 0x%llx, "
					 "not at the int instruction",
					 (unsigned long long)regs.rip);
				return -1;
			}
			*fails = true;
			return 0;
		}
		case KVM_EXIT_INTR:
			break;
		default:
			snprintf(err, errlen, "probe: unexpected exit reason %u", run->exit_reason);
			return -1;
		}
	}
	snprintf(err, errlen, "probe did not finish in %d exits", PROBE_MAX_EXITS);
	return -1;
}

int x86_probe_cpl0_int(struct vm *vm, bool *kvm_cannot, char *err, size_t errlen)
{
	static const struct x86_probe_program prog = {
		.main = probe_main, .main_len = sizeof(probe_main),
		.handler = probe_handler, .handler_len = sizeof(probe_handler),
		.vector = PROBE_VECTOR, .split_irqchip = false,
	};
	struct x86_probe_vm p;
	int r = x86_probe_vm_create(vm, &prog, &p, err, errlen);
	if (r == 0)
		r = run_probe(&p, kvm_cannot, err, errlen);
	x86_probe_vm_destroy(&p);
	return r;
}
