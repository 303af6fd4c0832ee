/* SPDX-License-Identifier: MIT */
/*
 * RISC-V exits the neutral core leaves to the architecture.
 *
 * SBI: KVM implements BASE, TIME, IPI, RFENCE, HSM, SRST (and PMU, STA)
 * itself; userspace sees only the legacy console calls, DBCN, and the
 * experimental/vendor extension ranges. Console calls go to the VM console
 * (devices/sbi_console.c); everything else is answered
 * SBI_ERR_NOT_SUPPORTED and counted.
 *
 * System events: SBI SRST (and the legacy shutdown) end in the kernel as
 * KVM_EXIT_SYSTEM_EVENT with the SRST reset_reason in data[0]. irqvm maps
 * a shutdown by reason:
 *   0 (no reason)                     -> guest power-off, exit status 5
 *   1 (system failure)                -> guest exit with status 1
 *   0xE0000000 + n, n < 256           -> guest exit with status n (irqvm's
 *                                        use of the SBI implementation-
 *                                        specific reason range)
 *   anything else                     -> guest exit with status 1
 * A reboot (cold or warm) stops the VM as a guest reset (status 5).
 */
#include "vmm/arch/riscv/riscv.h"

#include <string.h>

#include "devices/sbi_console.h"
#include "vmm/core/arch.h"
#include "vmm/core/log.h"

#define SRST_REASON_NONE 0u
#define SRST_REASON_SYSTEM_FAILURE 1u
#define SRST_REASON_IRQVM_STATUS 0xE0000000u /* + exit status 0..255 */

static void console_out(void *opaque, const uint8_t *buf, size_t len)
{
	struct vm *vm = opaque;
	FILE *out = vm->console;
	if (!out)
		return;
	fwrite(buf, 1, len, out);
	if (memchr(buf, '\n', len))
		fflush(out);
}

static const void *guest_mem(void *opaque, uint64_t gpa, uint64_t len)
{
	return vm_gpa_to_hva(opaque, gpa, len);
}

static enum vcpu_exit_action handle_sbi(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct riscv_vm *r = riscv_vm_of(vcpu->vm);
	const struct sbi_console_io io = { console_out, guest_mem, vcpu->vm };
	uint64_t args[6];
	struct sbi_ret ret;
	for (unsigned i = 0; i < 6; i++)
		args[i] = run->riscv_sbi.args[i];
	if (sbi_console_call(&io, run->riscv_sbi.extension_id, run->riscv_sbi.function_id, args,
			     &ret)) {
		atomic_fetch_add(&r->stats.sbi_console, 1);
	} else {
		ret = (struct sbi_ret){ SBI_ERR_NOT_SUPPORTED, 0 };
		atomic_fetch_add(&r->stats.sbi_unsupported, 1);
		log_debug("vCPU %u: SBI call ext 0x%lx fid %lu not supported", vcpu->index,
			  (unsigned long)run->riscv_sbi.extension_id,
			  (unsigned long)run->riscv_sbi.function_id);
	}
	/* KVM copies these into a0/a1 and steps over the ecall on the next
	 * KVM_RUN. */
	run->riscv_sbi.ret[0] = (unsigned long)ret.error;
	run->riscv_sbi.ret[1] = (unsigned long)ret.value;
	return VCPU_EXIT_CONTINUE;
}

static void stop_for_shutdown(struct vcpu *vcpu, uint64_t reason)
{
	struct vm *vm = vcpu->vm;
	if (reason == SRST_REASON_NONE) {
		log_info("vCPU %u: guest requested power-off", vcpu->index);
		vm_request_stop(vm, VM_STOP_GUEST_RESET, 0);
	} else if (reason >= SRST_REASON_IRQVM_STATUS && reason <= SRST_REASON_IRQVM_STATUS + 0xff) {
		int status = (int)(reason - SRST_REASON_IRQVM_STATUS);
		log_info("vCPU %u: guest powered off with status %d (SRST reason 0x%llx)",
			 vcpu->index, status, (unsigned long long)reason);
		vm_request_stop(vm, VM_STOP_GUEST_EXIT, status);
	} else {
		log_info("vCPU %u: guest powered off reporting %s (SRST reason 0x%llx)", vcpu->index,
			 reason == SRST_REASON_SYSTEM_FAILURE ? "a system failure" : "an unknown reason",
			 (unsigned long long)reason);
		vm_request_stop(vm, VM_STOP_GUEST_EXIT, IRQVM_EXIT_GUEST_FAIL);
	}
}

static enum vcpu_exit_action handle_system_event(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t reason = run->system_event.ndata > 0 ? run->system_event.data[0] : 0;
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		stop_for_shutdown(vcpu, reason);
		return VCPU_EXIT_STOP;
	case KVM_SYSTEM_EVENT_RESET:
		log_info("vCPU %u: guest requested reboot (SRST reason 0x%llx); irqvm does not "
			 "reboot guests", vcpu->index, (unsigned long long)reason);
		vm_request_stop(vcpu->vm, VM_STOP_GUEST_RESET, 0);
		return VCPU_EXIT_STOP;
	case KVM_SYSTEM_EVENT_CRASH:
		log_error("vCPU %u: guest reported a crash (system event)", vcpu->index);
		arch_vcpu_dump(vcpu, stderr);
		vm_request_stop(vcpu->vm, VM_STOP_GUEST_CRASH, 0);
		return VCPU_EXIT_STOP;
	default:
		log_error("vCPU %u: unexpected system event type %u", vcpu->index,
			  run->system_event.type);
		vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
		return VCPU_EXIT_STOP;
	}
}

/*
 * A CSR access KVM wants userspace to emulate (so far only the PMU counters
 * when the host has no SBI PMU). irqvm emulates no CSR: reads give 0 and
 * writes are dropped, which is what an absent counter looks like.
 */
static enum vcpu_exit_action handle_csr(struct vcpu *vcpu)
{
	struct riscv_vm *r = riscv_vm_of(vcpu->vm);
	if (atomic_fetch_add(&r->stats.csr_exits, 1) == 0)
		log_info("vCPU %u: guest accessed CSR 0x%lx, which irqvm reads as 0", vcpu->index,
			 (unsigned long)vcpu->run->riscv_csr.csr_num);
	vcpu->run->riscv_csr.ret_value = 0;
	return VCPU_EXIT_CONTINUE;
}

enum vcpu_exit_action arch_vcpu_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	switch (run->exit_reason) {
	case KVM_EXIT_RISCV_SBI:
		return handle_sbi(vcpu);
	case KVM_EXIT_RISCV_CSR:
		return handle_csr(vcpu);
	case KVM_EXIT_SYSTEM_EVENT:
		return handle_system_event(vcpu);
	case KVM_EXIT_INTERNAL_ERROR:
		log_error("vCPU %u: KVM internal error, suberror %u", vcpu->index,
			  run->internal.suberror);
		arch_vcpu_dump(vcpu, stderr);
		vm_request_stop(vcpu->vm, VM_STOP_GUEST_CRASH, 0);
		return VCPU_EXIT_STOP;
	default:
		log_error("vCPU %u: unexpected KVM exit reason %u", vcpu->index, run->exit_reason);
		arch_vcpu_dump(vcpu, stderr);
		vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
		return VCPU_EXIT_STOP;
	}
}
