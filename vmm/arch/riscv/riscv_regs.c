/* SPDX-License-Identifier: MIT */
/* KVM_{GET,SET}_ONE_REG for RISC-V: register ids (api.rst 4.68, "RISC-V registers"). */
#include "vmm/arch/riscv/riscv.h"

#include <sys/ioctl.h>

uint64_t riscv_reg_id(uint64_t type, uint64_t index)
{
	/* Every register irqvm touches is XLEN (unsigned long) or u64 wide. */
	return KVM_REG_RISCV | KVM_REG_SIZE_U64 | type | index;
}

uint64_t riscv_core_reg(unsigned gpr)
{
	/* struct kvm_riscv_core starts with user_regs_struct: pc, then x1..x31. */
	return riscv_reg_id(KVM_REG_RISCV_CORE, gpr);
}

int riscv_get_reg(int vcpu_fd, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)value };
	return ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);
}

int riscv_set_reg(int vcpu_fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };
	return ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg);
}
