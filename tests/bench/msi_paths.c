/* SPDX-License-Identifier: MIT */
/*
 * make bench: the host-side cost of the two ways a userspace IOAPIC (or the
 * control socket) can hand KVM an MSI with a split irqchip:
 *   KVM_SIGNAL_MSI      one ioctl per message
 *   irqfd               a GSI routed to the MSI, bound to an eventfd; one write()
 * The target vCPU exists but does not run, so only the injection path is
 * timed (the LAPIC just latches the vector). Reported, never asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200000

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "msi_paths: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	if (ioctl(vm, KVM_ENABLE_CAP, &cap) < 0)
		die("KVM_CAP_SPLIT_IRQCHIP");
	if (ioctl(vm, KVM_CREATE_VCPU, 0) < 0)
		die("KVM_CREATE_VCPU");

	const uint32_t data = 0x40; /* fixed, edge, vector 0x40 */
	struct kvm_msi msi = { .address_lo = 0xfee00000u, .data = data };
	uint64_t t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		if (ioctl(vm, KVM_SIGNAL_MSI, &msi) < 0)
			die("KVM_SIGNAL_MSI");
	uint64_t signal_ns = now_ns() - t0;

	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} routes = { .r = { .nr = 1 },
		     .e = { { .gsi = 24, .type = KVM_IRQ_ROUTING_MSI,
			      .u.msi = { .address_lo = 0xfee00000u, .data = data } } } };
	if (ioctl(vm, KVM_SET_GSI_ROUTING, &routes) < 0)
		die("KVM_SET_GSI_ROUTING");
	int efd = eventfd(0, EFD_CLOEXEC);
	struct kvm_irqfd irqfd = { .fd = (uint32_t)efd, .gsi = 24 };
	if (efd < 0 || ioctl(vm, KVM_IRQFD, &irqfd) < 0)
		die("KVM_IRQFD");
	uint64_t one = 1;
	t0 = now_ns();
	for (int i = 0; i < ROUNDS; i++)
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			die("eventfd write");
	uint64_t irqfd_ns = now_ns() - t0;

	printf("bench: KVM_SIGNAL_MSI       %7.0f ns/message (%d messages)\n",
	       (double)signal_ns / ROUNDS, ROUNDS);
	printf("bench: irqfd eventfd write  %7.0f ns/message (%d messages)\n",
	       (double)irqfd_ns / ROUNDS, ROUNDS);
	close(efd);
	close(vm);
	close(kvm);
	return 0;
}
