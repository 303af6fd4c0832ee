/* SPDX-License-Identifier: MIT */
/*
 * A VM that /init of the x86-64 test host creates and holds until power-off,
 * never run (docs/test-hosts.md, "Host faults").
 *
 * When the first VM of a host kernel is created, and one second after the
 * last one is gone, KVM flips static keys (its local-APIC "disabled" keys
 * among them) and enables or disables virtualization on every CPU. The
 * kernel patches its own code to flip a static key, through temporary
 * breakpoints on every CPU. Under QEMU's TCG with one thread per CPU that
 * patching is where the emulated host hung (both CPUs at the breakpoint
 * entry), and irqvm's suites create and destroy hundreds of VMs. With one VM
 * always there, with an in-kernel local APIC that the guest never enables,
 * those counts never return to zero and nothing is patched per VM.
 */
#include "keep_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "say.h"

int keep_vm_open(void)
{
	int kvm, vm, vcpu;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		say("keep-vm: /dev/kvm: %s", strerror(errno));
		return -1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		say("keep-vm: KVM_CREATE_VM: %s", strerror(errno));
		close(kvm);
		return -1;
	}
	fcntl(vm, F_SETFD, FD_CLOEXEC);
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		say("keep-vm: KVM_CREATE_IRQCHIP: %s", strerror(errno));
		close(vm);
		close(kvm);
		return -1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		say("keep-vm: KVM_CREATE_VCPU: %s", strerror(errno));
		close(vm);
		close(kvm);
		return -1;
	}
	fcntl(vcpu, F_SETFD, FD_CLOEXEC);
	/* kvm, vm and vcpu stay open: the VM lives as long as /init. */
	return 0;
}
