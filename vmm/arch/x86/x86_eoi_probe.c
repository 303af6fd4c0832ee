/* SPDX-License-Identifier: MIT */
/*
 * Probe: when does KVM report the EOI of a level-triggered interrupt?
 *
 * With a split irqchip the userspace IOAPIC learns about EOIs through
 * KVM_EXIT_IOAPIC_EOI. On VMX/SVM hosts that exit comes when the guest
 * writes the local APIC's EOI register; on some nested hosts (the "PVM"
 * KVM, kvm_pvm) it comes when the interrupt is injected, before the handler ran.
 * Re-delivering a still-asserted level line on such an early "EOI" would
 * interrupt the handler with its own interrupt, so the IOAPIC must know.
 *
 * The probe runs a throw-away VM (x86_probe_vm.c, with a split irqchip)
 * whose tiny program enables x2APIC, announces itself on port 0x80, takes one level-triggered MSI
 * whose handler reports entry (port 0x81), reads the ISR and reports it
 * (0x84), writes the EOI MSR and reports again (0x82). The order of those
 * exits and KVM_EXIT_IOAPIC_EOI tells which kind of host this is.
 *
 * The handler ends the probe itself (0x83) rather than returning to the
 * "sti; hlt": a host that takes the interrupt at the hlt instead of waking
 * it (the nested QEMU TCG host does, now and then) would otherwise leave
 * the probe halted for good, and irqvm hung before it had a timeout.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/log.h"

#define PROBE_VECTOR 0x40
#define PROBE_MAX_EXITS 200

/* 64-bit program at X86_PROBE_CODE, entered in long mode like irqvm guests. */
static const uint8_t probe_main[] = {
	0xb9, 0x1b, 0x00, 0x00, 0x00,       /* mov ecx, 0x1b (IA32_APIC_BASE) */
	0x0f, 0x32,                         /* rdmsr */
	0x0d, 0x00, 0x0c, 0x00, 0x00,       /* or eax, 0xc00 (enable + x2APIC) */
	0x0f, 0x30,                         /* wrmsr */
	0xb9, 0x0f, 0x08, 0x00, 0x00,       /* mov ecx, 0x80f (x2APIC SVR) */
	0xb8, 0xff, 0x01, 0x00, 0x00,       /* mov eax, 0x1ff (APIC on, spurious 0xff) */
	0x31, 0xd2,                         /* xor edx, edx */
	0x0f, 0x30,                         /* wrmsr */
	0xe6, 0x80,                         /* out 0x80, al: ready */
	0xfb,                               /* sti */
	0xf4,                               /* 1: hlt: wait for the interrupt */
	0xeb, 0xfd,                         /* jmp 1b */
};

/* Its interrupt handler at X86_PROBE_HANDLER. */
static const uint8_t probe_handler[] = {
	0xe6, 0x81,                         /* out 0x81, al: handler entered */
	0xb9, 0x12, 0x08, 0x00, 0x00,       /* mov ecx, 0x812 (x2APIC ISR, vectors 64-95) */
	0x0f, 0x32,                         /* rdmsr */
	0xe7, 0x84,                         /* out 0x84, eax: ISR before EOI */
	0xb9, 0x0b, 0x08, 0x00, 0x00,       /* mov ecx, 0x80b (x2APIC EOI) */
	0x31, 0xc0,                         /* xor eax, eax */
	0x31, 0xd2,                         /* xor edx, edx */
	0x0f, 0x30,                         /* wrmsr: EOI */
	0xe6, 0x82,                         /* out 0x82, al: EOI written */
	0xe6, 0x83,                         /* out 0x83, al: done */
	0xfa,                               /* cli */
	0xf4,                               /* hlt: the probe ends at 0x83 */
};

static int send_level_msi(struct x86_probe_vm *p)
{
	const uint32_t data = PROBE_VECTOR | (1u << 14) | (1u << 15); /* assert, level */
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} routes = {
		.r = { .nr = 1 },
		.e = { { .gsi = 0, .type = KVM_IRQ_ROUTING_MSI,
			 .u.msi = { .address_lo = 0xfee00000u, .data = data } } },
	};
	/* The route is what makes KVM treat the vector as an IOAPIC level one. */
	if (ioctl(p->vm_fd, KVM_SET_GSI_ROUTING, &routes) < 0)
		return -1;
	struct kvm_msi msi = { .address_lo = 0xfee00000u, .data = data };
	return ioctl(p->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 ? -1 : 0;
}

/*
 * KVM raises the EOI exit on the vCPU's next entry after it saw the EOI, so
 * the order of exits is: normal host 0x81, 0x84 (ISR bit set), EOI exit,
 * 0x82; "EOI at injection" host 0x81, EOI exit, 0x84 (ISR bit clear), 0x82.
 */
static int run_probe(struct x86_probe_vm *p, bool *at_injection, bool *isr_clear, char *err,
		     size_t errlen)
{
	int step_before_eoi = -1, step_eoi_exit = -1;
	for (int step = 0; step < PROBE_MAX_EXITS; step++) {
		if (x86_probe_vm_run(p, err, errlen) < 0)
			return -1;
		struct kvm_run *run = p->cpu.run;
		log_debug("eoi probe: step %d: exit reason %u", step, run->exit_reason);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT)
				break;
			switch (run->io.port) {
			case 0x80:
				if (send_level_msi(p) < 0) {
					snprintf(err, errlen, "probe MSI: %s", strerror(errno));
					return -1;
				}
				break;
			case 0x84: {
				uint32_t isr;
				memcpy(&isr, (uint8_t *)run + run->io.data_offset, sizeof(isr));
				*isr_clear = !(isr & (1u << (PROBE_VECTOR % 32)));
				step_before_eoi = step;
				break;
			}
			case 0x83:
				if (step_before_eoi < 0 || step_eoi_exit < 0) {
					snprintf(err, errlen, "probe: no %s seen",
						 step_before_eoi < 0 ? "interrupt" : "EOI exit");
					return -1;
				}
				*at_injection = step_eoi_exit < step_before_eoi;
				return 0;
			}
			break;
		case KVM_EXIT_IOAPIC_EOI:
			if (step_eoi_exit < 0)
				step_eoi_exit = step;
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
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

int x86_probe_eoi_timing(struct vm *vm, bool *eoi_at_injection, bool *isr_clear_in_handler,
			 char *err, size_t errlen)
{
	static const struct x86_probe_program prog = {
		.main = probe_main, .main_len = sizeof(probe_main),
		.handler = probe_handler, .handler_len = sizeof(probe_handler),
		.vector = PROBE_VECTOR, .split_irqchip = true,
	};
	struct x86_probe_vm p;
	int r = x86_probe_vm_create(vm, &prog, &p, err, errlen);
	if (r == 0)
		r = run_probe(&p, eoi_at_injection, isr_clear_in_handler, err, errlen);
	x86_probe_vm_destroy(&p);
	return r;
}
