/* SPDX-License-Identifier: MIT */
/*
 * Segment descriptors, the TSS and the IDT.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include <stdint.h>

#include "compiler.h"

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

STATIC_ASSERT(sizeof(struct tss64) == 104, "TSS size");

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

#define IDT_GATE_INTR 0x8e    /* present, DPL 0, 64-bit interrupt gate */
#define IDT_GATE_DPL3 0x60
#define IDT_GATE_PRESENT 0x80

extern uint64_t x86_gdt[];
extern struct idt_gate x86_idt[256];

/* Fill the shared IDT (boot CPU, once). */
void idt_init(void);

/* Per-CPU: install this CPU's TSS descriptor and load GDTR, segments, TR
 * and IDTR. */
void desc_load(unsigned int cpu, struct tss64 *tss);

/* Gate manipulation for tests (e.g. clearing P to provoke #DF). */
void idt_set_present(unsigned int vector, int present);

static inline void sgdt(struct desc_ptr *p)
{
	__asm__ __volatile__("sgdt %0" : "=m"(*p));
}

static inline void sidt(struct desc_ptr *p)
{
	__asm__ __volatile__("sidt %0" : "=m"(*p));
}

static inline uint16_t str(void)
{
	uint16_t sel;

	__asm__ __volatile__("str %0" : "=r"(sel));
	return sel;
}

#endif /* X86_DESC_H */
