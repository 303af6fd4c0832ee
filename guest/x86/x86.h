/* SPDX-License-Identifier: MIT */
/*
 * x86-64 instruction wrappers and architectural constants.
 *
 * Note for this project's hosts: at CPL0 every instruction below runs in
 * KVM's instruction emulator on nested "PVM" KVM (docs/guest.md), so they
 * are used sparingly; none of them is one the emulator lacks.
 */
#ifndef X86_X86_H
#define X86_X86_H

#include <stdint.h>

#include "compiler.h"

#define X86_CR0_PE (1ul << 0)
#define X86_CR0_MP (1ul << 1)
#define X86_CR0_EM (1ul << 2)
#define X86_CR0_TS (1ul << 3)
#define X86_CR0_NE (1ul << 5)
#define X86_CR0_WP (1ul << 16)
#define X86_CR0_AM (1ul << 18)
#define X86_CR0_PG (1ul << 31)

#define X86_CR4_PAE (1ul << 5)
#define X86_CR4_PGE (1ul << 7)

#define X86_RFLAGS_CF (1ul << 0)
#define X86_RFLAGS_FIXED (1ul << 1)
#define X86_RFLAGS_TF (1ul << 8)
#define X86_RFLAGS_IF (1ul << 9)
#define X86_RFLAGS_DF (1ul << 10)
#define X86_RFLAGS_IOPL (3ul << 12)
#define X86_RFLAGS_NT (1ul << 14)
#define X86_RFLAGS_RF (1ul << 16)
#define X86_RFLAGS_AC (1ul << 18)
/* Flags a user task may change through sigreturn. */
#define X86_RFLAGS_USER_MASK 0x40dd5ul /* CF PF AF ZF SF TF DF OF AC */

#define X86_DR6_BS (1ul << 14)

#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_APIC_BASE 0x1bu
#define EFER_SCE (1ul << 0)
#define EFER_NXE (1ul << 11)
#define APIC_BASE_EXTD (1ul << 10)
#define APIC_BASE_EN (1ul << 11)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			     : "memory");
}

#define DEFINE_CR_ACCESSORS(n)                                                    \
	static inline uint64_t read_cr##n(void)                                   \
	{                                                                         \
		uint64_t v;                                                       \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));             \
		return v;                                                         \
	}                                                                         \
	static inline void write_cr##n(uint64_t v)                                \
	{                                                                         \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory");    \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t read_dr6(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void write_dr6(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%dr6" : : "r"(v));
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void invlpg(uintptr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void clts(void)
{
	__asm__ __volatile__("clts");
}

/*
 * "sti; hlt" that cannot sleep through a wake-up (safe_halt.S): returns
 * with interrupts enabled after the interrupt that woke it. The entry code
 * moves an interrupt taken at x86_safe_halt_hlt past the hlt and counts it
 * in x86_halt_fixups (traps.c).
 */
void x86_safe_halt(void);
extern const char x86_safe_halt_hlt[];
extern unsigned long x86_halt_fixups;

#endif /* X86_X86_H */
