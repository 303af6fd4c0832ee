/* SPDX-License-Identifier: MIT */
/*
 * kvm-usable: does this machine offer a /dev/kvm that irqvm can run x86
 * guests on? ci/x86-run asks it to choose between running the x86 suites
 * directly and running them inside the x86 test host (docs/test-hosts.md).
 *
 * Prints one line, "usable: ..." or "unusable: <reason>", and exits 0 or 1.
 * It goes as far as irqvm's own start-up does before loading a guest: open
 * the device, agree on the API version, create a VM with the split irqchip
 * irqvm uses by default, create a vCPU and map its run area. Existence of
 * the node alone proves nothing (a machine can have a kvm module loaded and
 * no device, or a device that refuses VMs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

static int unusable(const char *what, int err)
{
	printf("unusable: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	return 1;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/kvm";
	struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	int kvm, vm, vcpu, version;
	long run_size;
	void *run;

	kvm = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return unusable(errno == ENOENT ? "no /dev/kvm on this machine" : "cannot open /dev/kvm",
				errno == ENOENT ? 0 : errno);
	version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return unusable("/dev/kvm speaks another KVM API version", 0);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return unusable("KVM_CREATE_VM failed", errno);
	if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) <= 0 ||
	    ioctl(vm, KVM_ENABLE_CAP, &split) < 0)
		return unusable("no split irqchip (KVM_CAP_SPLIT_IRQCHIP)", errno);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return unusable("KVM_CREATE_VCPU failed", errno);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		return unusable("KVM_GET_VCPU_MMAP_SIZE failed", errno);
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return unusable("cannot map the vCPU run area", errno);
	printf("usable: %s (API %d, split irqchip, a vCPU created)\n", dev, version);
	return 0;
}
