/* SPDX-License-Identifier: MIT */
/*
 * KVM_EXIT_INTERNAL_ERROR handling. On hosts whose KVM runs CPL0 guest code
 * in its instruction emulator (the nested "PVM" KVM, kvm_pvm), `int n`, `int3` and
 * `int1` are missing from the emulator and arrive here as emulation
 * failures; irqvm delivers them itself (softint.c) and counts them. Every
 * other emulation failure is reported with RIP and instruction bytes.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/arch/x86/pagewalk.h"
#include "vmm/arch/x86/softint.h"
#include "vmm/core/arch.h"
#include "vmm/core/log.h"

static int mem_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	return vm_read_gpa(opaque, gpa, buf, len);
}

static int mem_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	return vm_write_gpa(opaque, gpa, buf, len);
}

/* When KVM did not include the bytes, fetch them at CS:RIP ourselves. */
static size_t fetch_insn(struct vcpu *vcpu, const struct guest_memory_ops *mem,
			 const struct kvm_regs *regs, const struct kvm_sregs *sregs,
			 uint8_t *buf, size_t cap)
{
	struct walk_request req = {
		.cr0 = sregs->cr0, .cr3 = sregs->cr3, .cr4 = sregs->cr4, .efer = sregs->efer,
		.cpl = sregs->cs.dpl, .fetch = true,
	};
	(void)vcpu;
	for (size_t len = cap; len > 0; len--) /* shorter if the tail crosses into a hole */
		if (x86_read_virt(mem, &req, sregs->cs.base + regs->rip, buf, len, NULL) == WALK_OK)
			return len;
	return 0;
}

static void report_failure(struct vcpu *vcpu, const char *why, const uint8_t *insn, size_t n,
			   uint64_t rip)
{
	char bytes[3 * 16 + 1] = "";
	for (size_t i = 0; i < n && i < 15; i++)
		snprintf(bytes + 3 * i, sizeof(bytes) - 3 * i, "%02x ", insn[i]);
	log_error("vCPU %u: KVM could not emulate the instruction at rip=0x%llx [%s]: %s",
		  vcpu->index, (unsigned long long)rip, n ? bytes : "bytes unavailable", why);
	arch_vcpu_dump(vcpu, stderr);
	vm_request_stop(vcpu->vm, VM_STOP_GUEST_CRASH, 0);
}

static enum vcpu_exit_action inject_exception(struct vcpu *vcpu, struct kvm_sregs *sregs,
					      const struct softint_outcome *o)
{
	if (o->exc_vector == X86_EXC_PF) {
		sregs->cr2 = o->cr2;
		if (ioctl(vcpu->fd, KVM_SET_SREGS, sregs) < 0)
			goto fail;
	}
	struct kvm_vcpu_events ev;
	if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		goto fail;
	ev.exception.injected = 1;
	ev.exception.nr = (uint8_t)o->exc_vector;
	ev.exception.has_error_code = o->exc_has_error;
	ev.exception.error_code = o->exc_error;
	ev.flags = 0;
	if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		goto fail;
	return VCPU_EXIT_CONTINUE;
fail:
	log_error("vCPU %u: cannot inject exception %u: %s", vcpu->index, o->exc_vector,
		  strerror(errno));
	vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
	return VCPU_EXIT_STOP;
}

enum vcpu_exit_action x86_handle_internal_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	if (run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION) {
		char why[96];
		snprintf(why, sizeof(why), "KVM internal error, suberror %u", run->internal.suberror);
		log_error("vCPU %u: %s", vcpu->index, why);
		arch_vcpu_dump(vcpu, stderr);
		vm_request_stop(vcpu->vm, VM_STOP_GUEST_CRASH, 0);
		return VCPU_EXIT_STOP;
	}
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0) {
		log_error("vCPU %u: reading registers: %s", vcpu->index, strerror(errno));
		vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
		return VCPU_EXIT_STOP;
	}
	const struct guest_memory_ops mem = { .read = mem_read, .write = mem_write,
					      .opaque = vcpu->vm };
	uint8_t insn[15];
	size_t n = x86_softint_insn_from_exit(run, insn, sizeof(insn));
	if (n == 0)
		n = fetch_insn(vcpu, &mem, &regs, &sregs, insn, sizeof(insn));

	struct softint_outcome o;
	x86_emulate_softint(&mem, &regs, &sregs, insn, n, &o);
	switch (o.kind) {
	case SOFTINT_DELIVERED:
		if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0 ||
		    ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0) {
			log_error("vCPU %u: writing registers: %s", vcpu->index, strerror(errno));
			vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
			return VCPU_EXIT_STOP;
		}
		vcpu_count(&vcpu->stats.arch[X86_CNT_SOFTINT_EMULATED]);
		return VCPU_EXIT_CONTINUE;
	case SOFTINT_RAISE_EXCEPTION:
		vcpu_count(&vcpu->stats.arch[X86_CNT_SOFTINT_EMULATED]);
		return inject_exception(vcpu, &sregs, &o);
	case SOFTINT_NOT_SOFTINT:
		report_failure(vcpu, "not an instruction irqvm emulates", insn, n, regs.rip);
		return VCPU_EXIT_STOP;
	case SOFTINT_UNSUPPORTED:
		report_failure(vcpu, o.why, insn, n, regs.rip);
		return VCPU_EXIT_STOP;
	}
	return VCPU_EXIT_STOP;
}
