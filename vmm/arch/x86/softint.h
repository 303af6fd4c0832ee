/* SPDX-License-Identifier: MIT */
/*
 * Delivery of CPL0 `int n` (CD ib), `int3` (CC) and `int1`/ICEBP (F1) in
 * 64-bit mode, done by the VMM.
 *
 * Why: on nested "PVM" hosts KVM runs every CPL0 guest instruction through
 * its instruction emulator, which does not implement these three opcodes.
 * KVM_RUN then returns KVM_EXIT_INTERNAL_ERROR / KVM_INTERNAL_ERROR_EMULATION
 * with the instruction bytes; the VMM decodes them here and performs the
 * interrupt delivery of Intel SDM vol 3, 6.14 ("Exception and interrupt
 * handling in 64-bit mode") itself: IDT gate, CS descriptor, optional IST
 * stack switch, the 40-byte frame, RFLAGS/CS/RIP/RSP. On bare-metal VMX/SVM
 * hosts this path is never taken.
 *
 * Pure code: guest memory goes through guest_memory_ops (pagewalk.h); the
 * caller does KVM_GET/SET_REGS, KVM_GET/SET_SREGS and KVM_SET_VCPU_EVENTS.
 */
#ifndef IRQVM_X86_SOFTINT_H
#define IRQVM_X86_SOFTINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "vmm/arch/x86/pagewalk.h"

/* Exception vectors this module can ask the VMM to inject. */
#define X86_EXC_DB	1
#define X86_EXC_BP	3
#define X86_EXC_TS	10
#define X86_EXC_NP	11
#define X86_EXC_SS	12
#define X86_EXC_GP	13
#define X86_EXC_PF	14

enum softint_kind {
	/* regs/sregs/guest memory now hold the state after delivery. */
	SOFTINT_DELIVERED,
	/*
	 * Delivery faulted: inject exc_vector (with exc_error if
	 * exc_has_error; for #PF also set CR2 = cr2). regs and sregs are
	 * untouched, so RIP still points at the int instruction, which is
	 * where the CPU reports a fault during software-interrupt delivery.
	 */
	SOFTINT_RAISE_EXCEPTION,
	/* The bytes are not int n/int3/int1: some other emulation failure. */
	SOFTINT_NOT_SOFTINT,
	/* A softint this module does not emulate (CPL!=0, not 64-bit, LDT
	 * selector, IDT/stack not in RAM...): report `why` and stop. */
	SOFTINT_UNSUPPORTED,
};

struct softint_outcome {
	unsigned vector;	/* decoded vector (0 for NOT_SOFTINT) */
	enum softint_kind kind;
	unsigned exc_vector;
	bool exc_has_error;
	uint32_t exc_error;
	uint64_t cr2;
	char why[128];		/* human-readable reason / summary */
};

/*
 * Decode insn (insn_len bytes available; only the first one or two are
 * used) and, for int n / int3 / int1 at CPL0 in 64-bit mode, deliver the
 * interrupt. Prefixed forms and every other opcode give SOFTINT_NOT_SOFTINT.
 *
 * Error codes follow SDM vol 3, 6.13: bit 0 (EXT) is 0 for int n/int3 and
 * 1 for int1, which the SDM does not count as a software interrupt. So an
 * out-of-limit IDT entry gives #GP(vector*8+2) for int n and #GP(0xb) for
 * int1.
 */
void x86_emulate_softint(const struct guest_memory_ops *mem,
			 struct kvm_regs *regs, struct kvm_sregs *sregs,
			 const uint8_t *insn, size_t insn_len,
			 struct softint_outcome *out);

/*
 * Copy the instruction bytes of a KVM_EXIT_INTERNAL_ERROR exit with
 * suberror KVM_INTERNAL_ERROR_EMULATION into buf; returns how many (at most
 * 15 and at most cap), or 0 if the exit carries none.
 *
 * Layout relied on (linux/kvm.h, struct kvm_run.emulation_failure, ABI
 * since Linux 5.14): internal.data[0] = flags; if flags has
 * KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES, the next 16 bytes
 * (data[1..2]) are a u8 insn_size followed by insn_bytes[15]. ndata counts
 * the u64 words, so it must be >= 3 for the bytes to be valid.
 */
size_t x86_softint_insn_from_exit(const struct kvm_run *run, uint8_t *buf,
				  size_t cap);

#endif /* IRQVM_X86_SOFTINT_H */
