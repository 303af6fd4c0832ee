/* SPDX-License-Identifier: MIT */
/*
 * GDT, IDT and TSS set-up. One GDT is shared by all CPUs, with one TSS
 * descriptor per CPU (a TSS descriptor is marked busy when loaded, so CPUs
 * cannot share one).
 */
#include "desc.h"
#include "layout.h"
#include "trap.h"

/* Static apart from the TSS descriptors, which desc_load() fills per CPU.
 * Access bytes: P | DPL | S | type. Flags nibble: G | D/B | L. */
uint64_t x86_gdt[X86_GDT_ENTRIES] __aligned(16) = {
	[X86_KERNEL_CS >> 3] = 0x00af9a000000ffffull, /* 64-bit code, DPL 0 */
	[X86_KERNEL_DS >> 3] = 0x00cf92000000ffffull, /* data, DPL 0 */
	[X86_USER_CS32 >> 3] = 0x00cffa000000ffffull, /* 32-bit code, DPL 3 */
	[X86_USER_DS >> 3] = 0x00cff2000000ffffull,   /* data, DPL 3 */
	[X86_USER_CS >> 3] = 0x00affa000000ffffull,   /* 64-bit code, DPL 3 */
	[X86_NP_DS >> 3] = 0x00cf12000000ffffull,     /* data, DPL 0, NOT present */
};

struct idt_gate x86_idt[256] __aligned(16);

static uint8_t vector_ist(unsigned int v)
{
	/* NMI, #DF and #MC can arrive on a broken or unknown stack: give them
	 * stacks of their own (SDM 6.14.5). */
	switch (v) {
	case X86_EXC_NMI:
		return X86_IST_NMI;
	case X86_EXC_DF:
		return X86_IST_DF;
	case X86_EXC_MC:
		return X86_IST_MC;
	default:
		return 0;
	}
}

static bool vector_user_callable(unsigned int v)
{
	/* int3 and into from user mode, and the system call gate. */
	return v == X86_EXC_BP || v == X86_EXC_OF || v == X86_SYSCALL_VECTOR;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t addr = (uint64_t)(x86_vector_stubs + v * X86_VECTOR_STUB_SIZE);
		struct idt_gate *g = &x86_idt[v];

		g->offset_lo = (uint16_t)addr;
		g->selector = X86_KERNEL_CS;
		g->ist = vector_ist(v);
		g->type_attr = IDT_GATE_INTR | (vector_user_callable(v) ? IDT_GATE_DPL3 : 0);
		g->offset_mid = (uint16_t)(addr >> 16);
		g->offset_hi = (uint32_t)(addr >> 32);
		g->reserved = 0;
	}
}

void idt_set_present(unsigned int vector, int present)
{
	if (vector >= 256)
		return;
	if (present)
		x86_idt[vector].type_attr |= IDT_GATE_PRESENT;
	else
		x86_idt[vector].type_attr &= (uint8_t)~IDT_GATE_PRESENT;
}

static void set_tss_descriptor(unsigned int cpu, struct tss64 *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;
	unsigned int idx = X86_TSS_SEL(cpu) >> 3;

	/* 16-byte system descriptor, type 9 = available 64-bit TSS. */
	x86_gdt[idx] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	x86_gdt[idx + 1] = base >> 32;
}

void desc_load(unsigned int cpu, struct tss64 *tss)
{
	struct desc_ptr gdtr = { sizeof(uint64_t) * X86_GDT_ENTRIES - 1, (uint64_t)x86_gdt };
	struct desc_ptr idtr = { sizeof(x86_idt) - 1, (uint64_t)x86_idt };

	set_tss_descriptor(cpu, tss);
	__asm__ __volatile__("lgdt %0" : : "m"(gdtr) : "memory");
	/* Reload CS with a far return, then the data segments. FS/GS get the
	 * null selector; the GS base is set afterwards (loading GS clears it). */
	__asm__ __volatile__("pushq %[cs]\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %[ds], %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "xorl %%eax, %%eax\n\t"
			     "movl %%eax, %%fs\n\t"
			     "movl %%eax, %%gs\n\t"
			     :
			     : [cs] "i"(X86_KERNEL_CS), [ds] "i"(X86_KERNEL_DS)
			     : "rax", "memory");
	__asm__ __volatile__("ltr %w0" : : "r"(X86_TSS_SEL(cpu)) : "memory");
	__asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}
