/* SPDX-License-Identifier: MIT */
/*
 * x86_safe_halt: "sti; hlt" in one place, so that the interrupt entry can
 * recognise its hlt (traps.c).
 *
 * sti holds interrupts off for one more instruction, so an interrupt that
 * is already pending wakes the hlt instead of being taken before it (SDM
 * vol. 2B, STI: "interrupts are enabled after the next instruction"). A
 * host can still break that: an NMI is not held off by the shadow, and in
 * the nested test host (KVM on QEMU's emulated SVM) a maskable interrupt
 * was seen taken at the hlt itself. Returning from it would then halt with
 * nothing left to wake the CPU. The entry code moves such an interrupt's
 * return address past the hlt and counts it, which is what the hardware
 * would have done had the interrupt woken the hlt.
 */
	.text
	.globl	x86_safe_halt
	.type	x86_safe_halt, @function
x86_safe_halt:
	sti
	.globl	x86_safe_halt_hlt
x86_safe_halt_hlt:
	hlt
	ret
	.size	x86_safe_halt, . - x86_safe_halt

/*
 * x86_iret_into_safe_halt: for the check in tests_idle.c. Enters
 * x86_safe_halt at its hlt through iretq with IF set, so an interrupt
 * already pending is taken with the hlt as its return address: exactly
 * what the nested host did (iretq, unlike sti, holds nothing off). The
 * hlt's ret then returns to our caller.
 */
	.globl	x86_iret_into_safe_halt
	.type	x86_iret_into_safe_halt, @function
x86_iret_into_safe_halt:
	mov	%rsp, %rax		/* our return address, for the hlt's ret */
	mov	%ss, %ecx
	push	%rcx			/* SS */
	push	%rax			/* RSP */
	pushfq
	orq	$0x200, (%rsp)		/* RFLAGS with IF */
	mov	%cs, %ecx
	push	%rcx			/* CS */
	lea	x86_safe_halt_hlt(%rip), %rcx
	push	%rcx			/* RIP: the hlt */
	iretq
	.size	x86_iret_into_safe_halt, . - x86_iret_into_safe_halt
