/* SPDX-License-Identifier: MIT */
/* x86-64 vCPUs: CPUID, boot registers, AP start, exits, register dumps. */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/arch.h"
#include "vmm/core/log.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)

/* KVM_SET_CPUID2 is mandatory here (seen on the development hosts: without
 * it the guest's EFER writes fault); give each vCPU the supported set with its own APIC ID. */
static int set_cpuid(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct x86_vm *x = vcpu->vm->arch;
	size_t bytes = sizeof(*x->cpuid) + x->cpuid->nent * sizeof(x->cpuid->entries[0]);
	struct kvm_cpuid2 *c = malloc(bytes);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(c, x->cpuid, bytes);
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffffu) | (vcpu->index << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->index; /* x2APIC ID */
			break;
		default:
			break;
		}
	}
	int r = ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0) {
		snprintf(err, errlen, "KVM_SET_CPUID2 on vCPU %u: %s", vcpu->index, strerror(errno));
		return -1;
	}
	return 0;
}

int arch_vcpu_init(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct vm *vm = vcpu->vm;
	struct x86_vm *x = vm->arch;
	if (set_cpuid(vcpu, err, errlen) < 0)
		return -1;
	if (vcpu->index != 0)
		return 0; /* APs wait for INIT/SIPI or a platform CPU_START */

	int khz = ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0);
	x->tsc_khz = khz > 0 ? (uint64_t)khz : 0;
	if (x86_write_boot_info(vm, &x->kernel, err, errlen) < 0)
		return -1;
	if (x86_set_long_mode(vcpu, x->kernel.entry, IRQVM_X86_BOOT_STACK_TOP - 8,
			      IRQVM_X86_BOOTINFO_GPA, 0) < 0) {
		snprintf(err, errlen, "setting the boot registers of vCPU 0: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int arch_vcpu_start(struct vcpu *vcpu)
{
	struct vcpu_start s;
	pthread_mutex_lock(&vcpu->lock);
	s = vcpu->start;
	pthread_mutex_unlock(&vcpu->lock);
	if (x86_set_long_mode(vcpu, s.pc, s.sp, s.arg, vcpu->index) < 0) {
		log_error("vCPU %u: cannot set start registers: %s", vcpu->index, strerror(errno));
		return -1;
	}
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0) {
		log_error("vCPU %u: KVM_SET_MP_STATE(RUNNABLE): %s", vcpu->index, strerror(errno));
		return -1;
	}
	log_debug("vCPU %u started at 0x%llx", vcpu->index, (unsigned long long)s.pc);
	return 0;
}

void arch_cpu_relax(void)
{
	__builtin_ia32_pause();
}

int arch_vcpu_inject_nmi(struct vcpu *vcpu, char *err, size_t errlen)
{
	if (ioctl(vcpu->fd, KVM_NMI, 0) < 0) {
		snprintf(err, errlen, "KVM_NMI: %s", strerror(errno));
		return -1;
	}
	return 0;
}

unsigned arch_vcpu_counters(const struct vcpu *vcpu, struct arch_vcpu_counter *out, unsigned max)
{
	const struct vcpu_stats *st = &vcpu->stats;
	const struct arch_vcpu_counter c[] = {
		{ "port I/O", vcpu_counter(&st->pio_exits), false, true },
		{ "MMIO", vcpu_counter(&st->mmio_exits), false, true },
		{ "interrupt window", vcpu_counter(&st->arch[X86_CNT_IRQ_WINDOW_EXITS]), false, true },
		{ "IOAPIC EOI", vcpu_counter(&st->arch[X86_CNT_EOI_EXITS]), false, true },
		{ "ignored for suppress-EOI-broadcast",
		  vcpu_counter(&st->arch[X86_CNT_EOI_EXITS_SUPPRESSED]), true, true },
		{ "ExtINT injections", vcpu_counter(&st->arch[X86_CNT_EXTINT_INJECTIONS]), true, false },
		{ "CPL0 int n delivered by irqvm", vcpu_counter(&st->arch[X86_CNT_SOFTINT_EMULATED]),
		  true, false },
	};
	unsigned n = 0;
	for (; n < max && n < sizeof(c) / sizeof(c[0]); n++)
		out[n] = c[n];
	return n;
}

void arch_vcpu_pre_run(struct vcpu *vcpu)
{
	struct x86_vm *x = vcpu->vm->arch;
	if (x->split && vcpu->index == 0)
		x86_irqchip_pre_run(vcpu);
}

enum vcpu_exit_action arch_vcpu_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	switch (run->exit_reason) {
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		vcpu_count(&vcpu->stats.arch[X86_CNT_IRQ_WINDOW_EXITS]);
		return VCPU_EXIT_CONTINUE; /* pre_run injects now that the window is open */
	case KVM_EXIT_IOAPIC_EOI:
		vcpu_count(&vcpu->stats.arch[X86_CNT_EOI_EXITS]);
		x86_irqchip_eoi_exit(vcpu, run->eoi.vector);
		return VCPU_EXIT_CONTINUE;
	case KVM_EXIT_INTERNAL_ERROR:
		return x86_handle_internal_error(vcpu);
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC, which irqvm never uses. */
		log_error("vCPU %u: unexpected HLT exit", vcpu->index);
		vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
		return VCPU_EXIT_STOP;
	default:
		log_error("vCPU %u: unexpected KVM exit reason %u", vcpu->index, run->exit_reason);
		arch_vcpu_dump(vcpu, stderr);
		vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
		return VCPU_EXIT_STOP;
	}
}

static void dump_segment(FILE *out, const char *name, const struct kvm_segment *s)
{
	fprintf(out, "  %-3s sel=%04x base=%016llx limit=%08x type=%x dpl=%u p=%u l=%u db=%u\n",
		name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->dpl,
		s->present, s->l, s->db);
}

void arch_vcpu_dump(struct vcpu *vcpu, FILE *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(out, "  (registers of vCPU %u unavailable: %s)\n", vcpu->index,
			strerror(errno));
		return;
	}
	/* The host is part of a crash report: a guest crash on an emulated host can
	 * be the emulator's (docs/test-hosts.md), and the test suites read it here. */
	fprintf(out, "host: %s\n", ((struct x86_vm *)vcpu->vm->arch)->host.name);
	fprintf(out, "vCPU %u registers:\n", vcpu->index);
	fprintf(out, "  rip=%016llx rsp=%016llx rflags=%016llx\n", (unsigned long long)r.rip,
		(unsigned long long)r.rsp, (unsigned long long)r.rflags);
	fprintf(out, "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n",
		(unsigned long long)r.rax, (unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx);
	fprintf(out, "  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n",
		(unsigned long long)r.rsi, (unsigned long long)r.rdi, (unsigned long long)r.rbp,
		(unsigned long long)r.r8);
	fprintf(out, "  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n",
		(unsigned long long)r.r9, (unsigned long long)r.r10, (unsigned long long)r.r11,
		(unsigned long long)r.r12);
	fprintf(out, "  r13=%016llx r14=%016llx r15=%016llx\n", (unsigned long long)r.r13,
		(unsigned long long)r.r14, (unsigned long long)r.r15);
	fprintf(out, "  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx\n",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		(unsigned long long)s.cr4, (unsigned long long)s.efer);
	dump_segment(out, "cs", &s.cs);
	dump_segment(out, "ss", &s.ss);
	dump_segment(out, "tr", &s.tr);
	fprintf(out, "  gdt=%016llx/%x idt=%016llx/%x\n", (unsigned long long)s.gdt.base,
		s.gdt.limit, (unsigned long long)s.idt.base, s.idt.limit);
}

void arch_vcpu_destroy(struct vcpu *vcpu)
{
	(void)vcpu;
}
