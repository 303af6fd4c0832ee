/* SPDX-License-Identifier: MIT */
/*
 * Probe: when does KVM report the EOI of a level-triggered interrupt?
 *
 * With a split irqchip the userspace IOAPIC learns about EOIs through
 * KVM_EXIT_IOAPIC_EOI. On VMX/SVM hosts that exit comes when the guest
 * writes the local APIC's EOI register; on some nested hosts (PLATFORM.md:
 * "PVM") it comes when the interrupt is injected, before the handler ran.
 * Re-delivering a still-asserted level line on such an early "EOI" would
 * interrupt the handler with its own interrupt, so the IOAPIC must know.
 *
 * The probe runs a throw-away VM (split irqchip, one vCPU, started in long
 * mode with the same boot tables as real guests) whose tiny program enables
 * x2APIC, announces itself on port 0x80, takes one level-triggered MSI
 * whose handler reports entry (port 0x81), reads the ISR and reports it
 * (0x84), writes the EOI MSR and reports again (0x82). The order of those
 * exits and KVM_EXIT_IOAPIC_EOI tells which kind of host this is.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/log.h"

#define PROBE_RAM_SIZE 0x100000
#define PROBE_CODE 0x10000
#define PROBE_HANDLER 0x10100
#define PROBE_IDT_GPA 0x9000
#define PROBE_STACK 0x20000
#define PROBE_VECTOR 0x40
#define PROBE_MAX_EXITS 200

/* 64-bit program at PROBE_CODE, entered in long mode like irqvm guests. */
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
	0xf4,                               /* hlt: wait for the interrupt */
	0xe6, 0x83,                         /* out 0x83, al: done */
	0xf4,                               /* hlt */
};

/* Its interrupt handler at PROBE_HANDLER. */
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
	0x48, 0xcf,                         /* iretq */
};

struct probe {
	int vm_fd;
	struct vm mini; /* only ram[] is used, to reuse the boot-table writer */
	struct vcpu cpu;
	size_t run_size;
};

static int setup(struct vm *vm, struct probe *p, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	p->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (p->vm_fd < 0)
		goto fail_errno;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	if (ioctl(p->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		goto fail_errno;
	uint8_t *ram = mmap(NULL, PROBE_RAM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		goto fail_errno;
	p->mini.ram[0] = (struct guest_ram_region){ .gpa = 0, .size = PROBE_RAM_SIZE, .host = ram };
	p->mini.nr_ram = 1;
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = PROBE_RAM_SIZE,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		goto fail_errno;
	if (x86_write_boot_tables(&p->mini, err, errlen) < 0)
		return -1;
	memcpy(ram + PROBE_CODE, probe_main, sizeof(probe_main));
	memcpy(ram + PROBE_HANDLER, probe_handler, sizeof(probe_handler));
	/* 64-bit interrupt gate: offset 15:0, selector 0x08, P|DPL0|type 0xE, offset 31:16. */
	uint32_t gate[4] = {
		(PROBE_HANDLER & 0xffffu) | (0x08u << 16),
		(PROBE_HANDLER & 0xffff0000u) | 0x8e00u,
		0, 0,
	};
	memcpy(ram + PROBE_IDT_GPA + PROBE_VECTOR * 16, gate, sizeof(gate));

	p->cpu.fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0);
	if (p->cpu.fd < 0)
		goto fail_errno;
	if (ioctl(p->cpu.fd, KVM_SET_CPUID2, x->cpuid) < 0)
		goto fail_errno;
	p->run_size = (size_t)vm->vcpu_mmap_size;
	p->cpu.run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->cpu.fd, 0);
	if (p->cpu.run == MAP_FAILED) {
		p->cpu.run = NULL;
		goto fail_errno;
	}
	if (x86_set_long_mode(&p->cpu, PROBE_CODE, PROBE_STACK, 0, 0) < 0)
		goto fail_errno;
	struct kvm_sregs sregs;
	if (ioctl(p->cpu.fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail_errno;
	sregs.idt.base = PROBE_IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	if (ioctl(p->cpu.fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail_errno;
	return 0;
fail_errno:
	snprintf(err, errlen, "probe VM set-up: %s", strerror(errno));
	return -1;
}

static int send_level_msi(struct probe *p)
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
static int run_probe(struct probe *p, bool *at_injection, bool *isr_clear, char *err,
		     size_t errlen)
{
	int step_before_eoi = -1, step_eoi_exit = -1;
	for (int step = 0; step < PROBE_MAX_EXITS; step++) {
		if (ioctl(p->cpu.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "probe KVM_RUN: %s", strerror(errno));
			return -1;
		}
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
	struct probe p = { .vm_fd = -1, .cpu = { .fd = -1 } };
	int r = setup(vm, &p, err, errlen);
	if (r == 0)
		r = run_probe(&p, eoi_at_injection, isr_clear_in_handler, err, errlen);
	if (p.cpu.run)
		munmap(p.cpu.run, p.run_size);
	if (p.cpu.fd >= 0)
		close(p.cpu.fd);
	if (p.mini.ram[0].host)
		munmap(p.mini.ram[0].host, PROBE_RAM_SIZE);
	if (p.vm_fd >= 0)
		close(p.vm_fd);
	return r;
}
