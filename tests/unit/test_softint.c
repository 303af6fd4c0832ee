/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for VMM-side delivery of CPL0 int n / int3 / int1. A fake
 * guest RAM holds 4-level page tables (identity map of the low 4 MiB, the
 * first 2 MiB with 4K pages so single pages can be unmapped), a GDT, an IDT
 * and a 64-bit TSS.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/arch/x86/softint.h"

#define SI_RAM_SIZE	(4u << 20)
#define SI_PML4		0x1000ULL
#define SI_PDPT		0x2000ULL
#define SI_PD		0x3000ULL
#define SI_PT		0x4000ULL
#define SI_GDT		0x10000ULL
#define SI_IDT		0x11000ULL
#define SI_TSS		0x12000ULL
#define SI_STACK_TOP	0x20000ULL	/* current RSP */
#define SI_IST1_TOP	0x30000ULL
#define SI_IST2_TOP	0x2f008ULL	/* deliberately not 16-byte aligned */
#define SI_RIP		0x5000ULL
#define SI_HANDLER	0xffffffff80006000ULL

#define SI_KERNEL_CS	0x08
#define SI_KERNEL_DS	0x10
#define SI_CS32		0x18
#define SI_CS_ABSENT	0x20
#define SI_CS_DPL3	0x28
#define SI_CS_LD	0x30	/* L=1 and D=1: invalid */
#define SI_TR_SEL	0x40
#define SI_GDT_ENTRIES	8

#define SI_GATE_INT	0xe
#define SI_GATE_TRAP	0xf

#define SI_RFLAGS_BASE	0x2ULL
#define SI_RFLAGS_TF	(1ULL << 8)
#define SI_RFLAGS_IF	(1ULL << 9)
#define SI_RFLAGS_NT	(1ULL << 14)
#define SI_RFLAGS_RF	(1ULL << 16)
#define SI_RFLAGS_AC	(1ULL << 18)

static uint8_t *si_ram;
static struct guest_memory_ops si_mem;
static struct kvm_regs si_regs;
static struct kvm_sregs si_sregs;
static struct softint_outcome si_out;
static unsigned si_writes;	/* writes outside the paging structures */

static int si_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= SI_RAM_SIZE || len > SI_RAM_SIZE - gpa)
		return -1;
	memcpy(buf, si_ram + gpa, len);
	return 0;
}

static int si_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque;
	if (gpa >= SI_RAM_SIZE || len > SI_RAM_SIZE - gpa)
		return -1;
	memcpy(si_ram + gpa, buf, len);
	/* A/D updates during the walk are expected; count only data. */
	if (gpa < SI_PML4 || gpa >= SI_PT + 0x1000)
		si_writes++;
	return 0;
}

static uint64_t si_get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, si_ram + gpa, sizeof(v));
	return v;
}

static void si_put64(uint64_t gpa, uint64_t v)
{
	memcpy(si_ram + gpa, &v, sizeof(v));
}

/* Address of the 4K PTE that maps gva (gva below 2 MiB). */
static uint64_t si_pte(uint64_t gva)
{
	return SI_PT + (gva >> 12) * 8;
}

static void si_set_gate(unsigned vector, uint64_t offset, uint16_t selector,
			unsigned ist, unsigned type, unsigned dpl, bool present)
{
	uint8_t *g = si_ram + SI_IDT + vector * 16;

	memset(g, 0, 16);
	g[0] = (uint8_t)offset;
	g[1] = (uint8_t)(offset >> 8);
	g[2] = (uint8_t)selector;
	g[3] = (uint8_t)(selector >> 8);
	g[4] = (uint8_t)ist;
	g[5] = (uint8_t)(type | dpl << 5 | (present ? 0x80 : 0));
	g[6] = (uint8_t)(offset >> 16);
	g[7] = (uint8_t)(offset >> 24);
	for (int i = 0; i < 4; i++)
		g[8 + i] = (uint8_t)(offset >> (32 + 8 * i));
}

static void si_setup(void)
{
	si_ram = calloc(1, SI_RAM_SIZE);
	cr_assert_not_null(si_ram);
	si_writes = 0;
	si_mem = (struct guest_memory_ops){
		.read = si_read, .write = si_write, .opaque = NULL,
	};

	/* Identity map: 0-2 MiB with 4K pages, 2-4 MiB with one 2M page. */
	si_put64(SI_PML4, SI_PDPT | 0x3);
	si_put64(SI_PDPT, SI_PD | 0x3);
	si_put64(SI_PD, SI_PT | 0x3);
	si_put64(SI_PD + 8, 0x200000 | 0x83);
	for (uint64_t p = 0; p < 512; p++)
		si_put64(SI_PT + p * 8, (p << 12) | 0x3);

	si_put64(SI_GDT + SI_KERNEL_CS, 0x00af9a000000ffffULL);
	si_put64(SI_GDT + SI_KERNEL_DS, 0x00cf92000000ffffULL);
	si_put64(SI_GDT + SI_CS32, 0x00cf9a000000ffffULL);
	si_put64(SI_GDT + SI_CS_ABSENT, 0x00af1a000000ffffULL);
	si_put64(SI_GDT + SI_CS_DPL3, 0x00affa000000ffffULL);
	si_put64(SI_GDT + SI_CS_LD, 0x00ef9a000000ffffULL);

	si_put64(SI_TSS + 0x24, SI_IST1_TOP);
	si_put64(SI_TSS + 0x2c, SI_IST2_TOP);

	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, SI_GATE_INT, 0, true);
	si_set_gate(0x81, SI_HANDLER + 0x100, SI_KERNEL_CS, 0, SI_GATE_TRAP, 0,
		    true);
	si_set_gate(3, SI_HANDLER + 0x300, SI_KERNEL_CS, 0, SI_GATE_TRAP, 0,
		    true);
	si_set_gate(1, SI_HANDLER + 0x400, SI_KERNEL_CS, 0, SI_GATE_INT, 0,
		    true);

	memset(&si_regs, 0, sizeof(si_regs));
	si_regs.rip = SI_RIP;
	si_regs.rsp = SI_STACK_TOP;
	si_regs.rflags = SI_RFLAGS_BASE | SI_RFLAGS_IF;

	memset(&si_sregs, 0, sizeof(si_sregs));
	si_sregs.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
	si_sregs.cr3 = SI_PML4;
	si_sregs.cr4 = X86_CR4_PAE;
	si_sregs.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
	si_sregs.cs = (struct kvm_segment){
		.selector = SI_KERNEL_CS, .limit = 0xffffffff, .type = 0xb,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	si_sregs.ss = (struct kvm_segment){
		.selector = SI_KERNEL_DS, .limit = 0xffffffff, .type = 0x3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	si_sregs.tr = (struct kvm_segment){
		.selector = SI_TR_SEL, .base = SI_TSS, .limit = 0x67,
		.type = 0xb, .present = 1,
	};
	si_sregs.gdt.base = SI_GDT;
	si_sregs.gdt.limit = SI_GDT_ENTRIES * 8 - 1;
	si_sregs.idt.base = SI_IDT;
	si_sregs.idt.limit = 256 * 16 - 1;
	memset(&si_out, 0xa5, sizeof(si_out));
}

static void si_teardown(void)
{
	free(si_ram);
}

static void si_run(const uint8_t *insn, size_t len)
{
	x86_emulate_softint(&si_mem, &si_regs, &si_sregs, insn, len, &si_out);
}

static void si_int(unsigned vector)
{
	const uint8_t insn[2] = { 0xcd, (uint8_t)vector };

	si_run(insn, sizeof(insn));
}

static void si_assert_exception(unsigned vector, uint32_t error)
{
	cr_assert_eq(si_out.kind, SOFTINT_RAISE_EXCEPTION, "kind %d: %s",
		     si_out.kind, si_out.why);
	cr_assert_eq(si_out.exc_vector, vector, "vector %u: %s",
		     si_out.exc_vector, si_out.why);
	cr_assert(si_out.exc_has_error);
	cr_assert_eq(si_out.exc_error, error, "error %#x: %s", si_out.exc_error,
		     si_out.why);
	cr_assert_neq(si_out.why[0], '\0');
}

/* A faulted delivery must leave registers and the stack as they were. */
static void si_assert_state_untouched(void)
{
	cr_assert_eq(si_regs.rip, SI_RIP);
	cr_assert_eq(si_regs.rsp, SI_STACK_TOP);
	cr_assert_eq(si_sregs.cs.selector, SI_KERNEL_CS);
	cr_assert_eq(si_writes, 0);
}

TestSuite(softint, .init = si_setup, .fini = si_teardown);

Test(softint, int_n_through_interrupt_gate_clears_if)
{
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_out.vector, 0x80);
	cr_assert_eq(si_regs.rip, SI_HANDLER);
	cr_assert_eq(si_regs.rflags & SI_RFLAGS_IF, 0);
}

Test(softint, int_n_through_trap_gate_keeps_if)
{
	si_int(0x81);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rip, SI_HANDLER + 0x100);
	cr_assert(si_regs.rflags & SI_RFLAGS_IF);
}

Test(softint, frame_holds_next_rip_cs_rflags_rsp_ss_in_order)
{
	uint64_t base = SI_STACK_TOP - 40;

	si_regs.rflags |= SI_RFLAGS_TF;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rsp, base);
	cr_assert_eq(si_get64(base + 0), SI_RIP + 2);
	cr_assert_eq(si_get64(base + 8), SI_KERNEL_CS);
	cr_assert_eq(si_get64(base + 16),
		     SI_RFLAGS_BASE | SI_RFLAGS_IF | SI_RFLAGS_TF);
	cr_assert_eq(si_get64(base + 24), SI_STACK_TOP);
	cr_assert_eq(si_get64(base + 32), SI_KERNEL_DS);
	cr_assert_eq(si_get64(base + 40), 0, "wrote above the frame");
	cr_assert_eq(si_get64(base - 8), 0, "wrote below the frame");
}

Test(softint, int_n_next_rip_skips_two_bytes)
{
	si_regs.rip = 0x5ffe;
	si_int(0x81);
	cr_assert_eq(si_get64(si_regs.rsp), 0x6000);
}

Test(softint, int3_delivers_vector_3_with_one_byte_next_rip)
{
	const uint8_t insn[] = { 0xcc, 0x90, 0x90 };

	si_run(insn, sizeof(insn));
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_out.vector, 3);
	cr_assert_eq(si_regs.rip, SI_HANDLER + 0x300);
	cr_assert_eq(si_get64(si_regs.rsp), SI_RIP + 1);
}

Test(softint, int1_delivers_vector_1_with_one_byte_next_rip)
{
	const uint8_t insn[] = { 0xf1 };

	si_run(insn, sizeof(insn));
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_out.vector, 1);
	cr_assert_eq(si_regs.rip, SI_HANDLER + 0x400);
	cr_assert_eq(si_get64(si_regs.rsp), SI_RIP + 1);
	cr_assert_eq(si_regs.rflags & SI_RFLAGS_IF, 0);
}

Test(softint, int_n_3_is_two_bytes_long)
{
	si_int(3);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_get64(si_regs.rsp), SI_RIP + 2);
}

Test(softint, delivery_clears_tf_nt_rf_and_keeps_ac)
{
	si_regs.rflags |= SI_RFLAGS_TF | SI_RFLAGS_NT | SI_RFLAGS_RF |
			  SI_RFLAGS_AC;
	si_int(0x81);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rflags,
		     SI_RFLAGS_BASE | SI_RFLAGS_IF | SI_RFLAGS_AC);
	cr_assert_eq(si_get64(si_regs.rsp + 16),
		     SI_RFLAGS_BASE | SI_RFLAGS_IF | SI_RFLAGS_TF |
		     SI_RFLAGS_NT | SI_RFLAGS_RF | SI_RFLAGS_AC);
}

Test(softint, cs_is_loaded_from_gdt_descriptor_with_rpl0)
{
	si_set_gate(0x82, SI_HANDLER, SI_KERNEL_CS | 3, 0, SI_GATE_INT, 0,
		    true);
	si_sregs.cs.type = 0xa;
	si_int(0x82);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_sregs.cs.selector, SI_KERNEL_CS);
	cr_assert_eq(si_sregs.cs.base, 0);
	cr_assert_eq(si_sregs.cs.limit, 0xffffffff);
	cr_assert_eq(si_sregs.cs.type, 0xb);
	cr_assert_eq(si_sregs.cs.s, 1);
	cr_assert_eq(si_sregs.cs.dpl, 0);
	cr_assert_eq(si_sregs.cs.present, 1);
	cr_assert_eq(si_sregs.cs.l, 1);
	cr_assert_eq(si_sregs.cs.db, 0);
	cr_assert_eq(si_sregs.cs.g, 1);
	cr_assert_eq(si_sregs.cs.unusable, 0);
}

Test(softint, ss_is_left_unchanged)
{
	struct kvm_segment ss = si_sregs.ss;

	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(memcmp(&ss, &si_sregs.ss, sizeof(ss)), 0);
}

Test(softint, frame_is_aligned_down_to_16_bytes)
{
	si_regs.rsp = SI_STACK_TOP + 8;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rsp, SI_STACK_TOP - 40);
	cr_assert_eq(si_get64(si_regs.rsp + 24), SI_STACK_TOP + 8,
		     "saved RSP must be the unaligned original");
}

Test(softint, ist_gate_switches_to_tss_stack)
{
	si_set_gate(0x90, SI_HANDLER, SI_KERNEL_CS, 1, SI_GATE_INT, 0, true);
	si_int(0x90);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rsp, SI_IST1_TOP - 40);
	cr_assert_eq(si_get64(SI_IST1_TOP - 16), SI_STACK_TOP);
	cr_assert_eq(si_get64(SI_IST1_TOP - 8), SI_KERNEL_DS);
	cr_assert_eq(si_get64(SI_STACK_TOP - 40), 0, "old stack written");
}

Test(softint, ist_stack_is_aligned_down_to_16_bytes)
{
	si_set_gate(0x91, SI_HANDLER, SI_KERNEL_CS, 2, SI_GATE_TRAP, 0, true);
	si_int(0x91);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert_eq(si_regs.rsp, (SI_IST2_TOP & ~0xfULL) - 40);
}

Test(softint, ist_slot_beyond_tss_limit_raises_ts)
{
	si_set_gate(0x92, SI_HANDLER, SI_KERNEL_CS, 7, SI_GATE_INT, 0, true);
	si_sregs.tr.limit = 0x3f;	/* IST7 is at 0x54 */
	si_int(0x92);
	si_assert_exception(X86_EXC_TS, SI_TR_SEL);
	si_assert_state_untouched();
}

Test(softint, vector_beyond_idt_limit_raises_gp_with_idt_error_code)
{
	si_sregs.idt.limit = 0x80 * 16 + 14;	/* one byte short of 0x80 */
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x80 * 8 + 2);
	si_assert_state_untouched();
}

Test(softint, last_vector_exactly_at_idt_limit_is_delivered)
{
	si_set_gate(0xff, SI_HANDLER, SI_KERNEL_CS, 0, SI_GATE_INT, 0, true);
	si_sregs.idt.limit = 256 * 16 - 1;
	si_int(0xff);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
}

Test(softint, int1_fault_error_codes_carry_ext_bit)
{
	const uint8_t insn[] = { 0xf1 };

	si_sregs.idt.limit = 15;	/* only vector 0 */
	si_run(insn, sizeof(insn));
	si_assert_exception(X86_EXC_GP, 1 * 8 + 2 + 1);
}

Test(softint, call_gate_type_in_idt_raises_gp)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, 0xc, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x80 * 8 + 2);
	si_assert_state_untouched();
}

Test(softint, legacy_32bit_gate_type_raises_gp)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, 0x6, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x80 * 8 + 2);
}

Test(softint, gate_with_s_bit_set_raises_gp)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, 0x10 | SI_GATE_INT, 0,
		    true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x80 * 8 + 2);
}

Test(softint, dpl3_gate_is_usable_from_cpl0)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, SI_GATE_INT, 3, true);
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
}

Test(softint, not_present_gate_raises_np)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, SI_GATE_INT, 0, false);
	si_int(0x80);
	si_assert_exception(X86_EXC_NP, 0x80 * 8 + 2);
	si_assert_state_untouched();
}

Test(softint, type_check_comes_before_present_check)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_CS, 0, 0x5, 0, false);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x80 * 8 + 2);
}

Test(softint, null_cs_selector_raises_gp0)
{
	si_set_gate(0x80, SI_HANDLER, 0x0003, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0);
}

Test(softint, cs_selector_beyond_gdt_limit_raises_gp_selector)
{
	si_set_gate(0x80, SI_HANDLER, 0x48, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0x48);
}

Test(softint, data_segment_as_cs_raises_gp_selector)
{
	si_set_gate(0x80, SI_HANDLER, SI_KERNEL_DS, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, SI_KERNEL_DS);
}

Test(softint, compatibility_mode_cs_raises_gp_selector)
{
	si_set_gate(0x80, SI_HANDLER, SI_CS32, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, SI_CS32);
}

Test(softint, cs_with_l_and_d_set_raises_gp_selector)
{
	si_set_gate(0x80, SI_HANDLER, SI_CS_LD, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, SI_CS_LD);
}

Test(softint, dpl3_cs_from_cpl0_raises_gp_selector)
{
	si_set_gate(0x80, SI_HANDLER, SI_CS_DPL3, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, SI_CS_DPL3);
}

Test(softint, not_present_cs_raises_np_selector)
{
	si_set_gate(0x80, SI_HANDLER, SI_CS_ABSENT, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_NP, SI_CS_ABSENT);
	si_assert_state_untouched();
}

Test(softint, ldt_cs_selector_is_unsupported)
{
	si_set_gate(0x80, SI_HANDLER, 0x0c, 0, SI_GATE_INT, 0, true);
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_UNSUPPORTED);
	cr_assert_neq(si_out.why[0], '\0');
}

Test(softint, non_canonical_gate_offset_raises_gp0)
{
	si_set_gate(0x80, 0x0000800000000000ULL, SI_KERNEL_CS, 0, SI_GATE_INT,
		    0, true);
	si_int(0x80);
	si_assert_exception(X86_EXC_GP, 0);
	si_assert_state_untouched();
}

Test(softint, non_canonical_stack_raises_ss)
{
	si_regs.rsp = 0x0000800000000010ULL;
	si_int(0x80);
	si_assert_exception(X86_EXC_SS, 0);
	cr_assert_eq(si_writes, 0);
}

Test(softint, push_to_unmapped_stack_raises_pf_with_cr2)
{
	si_put64(si_pte(SI_STACK_TOP - 0x1000), 0);
	si_int(0x80);
	si_assert_exception(X86_EXC_PF, X86_PF_W);
	cr_assert_eq(si_out.cr2, SI_STACK_TOP - 8, "SS push faults first");
	si_assert_state_untouched();
	cr_assert_eq(si_get64(SI_STACK_TOP - 8), 0);
}

Test(softint, frame_straddling_a_page_writes_nothing_if_lower_page_faults)
{
	/* Frame 0x1ffe8..0x2000f: SS and RSP land on the upper page, the
	 * other three slots on the lower page, which is read-only. */
	si_regs.rsp = 0x20010;
	si_put64(si_pte(0x1f000), 0x1f000 | 0x1);
	si_int(0x80);
	si_assert_exception(X86_EXC_PF, X86_PF_P | X86_PF_W);
	cr_assert_eq(si_out.cr2, 0x1fff8, "highest push on the lower page");
	cr_assert_eq(si_writes, 0);
	cr_assert_eq(si_get64(0x20008), 0);
	cr_assert_eq(si_regs.rsp, 0x20010);
}

Test(softint, push_fault_sets_no_accessed_or_dirty_bits)
{
	uint64_t pte_upper = si_get64(si_pte(0x20000));

	si_regs.rsp = 0x20010;
	si_put64(si_pte(0x1f000), 0);
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_RAISE_EXCEPTION);
	cr_assert_eq(si_get64(si_pte(0x20000)), pte_upper);
}

Test(softint, idt_page_not_present_raises_pf_at_gate_address)
{
	si_put64(si_pte(SI_IDT), 0);
	si_int(0x80);
	si_assert_exception(X86_EXC_PF, 0);
	cr_assert_eq(si_out.cr2, SI_IDT + 0x80 * 16);
}

Test(softint, idt_outside_guest_ram_is_unsupported)
{
	/* Linear 6-8 MiB maps to physical memory the fake RAM lacks. */
	si_put64(SI_PD + 3 * 8, 0x7f000000ULL | 0x83);
	si_sregs.idt.base = 0x600000;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_UNSUPPORTED);
	cr_assert_neq(si_out.why[0], '\0');
	si_assert_state_untouched();
}

Test(softint, successful_push_sets_dirty_bit_on_stack_page)
{
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_DELIVERED, "%s", si_out.why);
	cr_assert(si_get64(si_pte(SI_STACK_TOP - 8)) & X86_PTE_D);
}

Test(softint, cpl3_is_unsupported)
{
	si_sregs.cs.selector = 0x2b;
	si_sregs.cs.dpl = 3;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_UNSUPPORTED);
	cr_assert_eq(si_out.vector, 0x80);
	cr_assert_neq(si_out.why[0], '\0');
	cr_assert_eq(si_regs.rip, SI_RIP);
	cr_assert_eq(si_sregs.cs.selector, 0x2b);
	cr_assert_eq(si_writes, 0);
}

Test(softint, compatibility_mode_code_is_unsupported)
{
	si_sregs.cs.l = 0;
	si_sregs.cs.db = 1;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_UNSUPPORTED);
	si_assert_state_untouched();
}

Test(softint, legacy_protected_mode_is_unsupported)
{
	si_sregs.efer = 0;
	si_sregs.cs.l = 0;
	si_int(0x80);
	cr_assert_eq(si_out.kind, SOFTINT_UNSUPPORTED);
}

Test(softint, other_opcodes_are_not_softint)
{
	static const uint8_t nop[] = { 0x90 };
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	static const uint8_t prefixed[] = { 0x66, 0xcd, 0x80 };
	static const uint8_t rex[] = { 0x48, 0xcc };
	static const uint8_t into[] = { 0xce };
	const uint8_t *cases[] = { nop, ud2, prefixed, rex, into };
	const size_t lens[] = { sizeof(nop), sizeof(ud2), sizeof(prefixed),
				sizeof(rex), sizeof(into) };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		si_run(cases[i], lens[i]);
		cr_assert_eq(si_out.kind, SOFTINT_NOT_SOFTINT, "case %zu", i);
		cr_assert_neq(si_out.why[0], '\0');
	}
	si_assert_state_untouched();
}

Test(softint, truncated_or_missing_bytes_are_not_softint)
{
	static const uint8_t cd_only[] = { 0xcd };

	si_run(cd_only, sizeof(cd_only));
	cr_assert_eq(si_out.kind, SOFTINT_NOT_SOFTINT);
	si_run(cd_only, 0);
	cr_assert_eq(si_out.kind, SOFTINT_NOT_SOFTINT);
	si_run(NULL, 0);
	cr_assert_eq(si_out.kind, SOFTINT_NOT_SOFTINT);
	si_assert_state_untouched();
}

Test(softint, insn_bytes_are_taken_from_emulation_failure_exit)
{
	struct kvm_run run;
	uint8_t buf[16];

	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run.emulation_failure.ndata = 3;
	run.emulation_failure.flags =
		KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run.emulation_failure.insn_size = 2;
	run.emulation_failure.insn_bytes[0] = 0xcd;
	run.emulation_failure.insn_bytes[1] = 0x80;
	/* The same bytes as seen through internal.data[]. */
	cr_assert_eq(run.internal.data[0],
		     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES);
	cr_assert_eq(run.internal.data[1] & 0xffffff, 0x80cd02);

	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 2);
	cr_assert_eq(buf[0], 0xcd);
	cr_assert_eq(buf[1], 0x80);
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, 1), 1);
}

Test(softint, exit_without_instruction_bytes_yields_none)
{
	struct kvm_run run;
	uint8_t buf[16];

	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run.emulation_failure.ndata = 3;
	run.emulation_failure.insn_size = 1;
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 0,
		     "flag not set");
	run.emulation_failure.flags =
		KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
	run.emulation_failure.ndata = 1;
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 0,
		     "ndata too small");
	run.emulation_failure.ndata = 3;
	run.emulation_failure.suberror = KVM_INTERNAL_ERROR_SIMUL_EX;
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 0,
		     "other suberror");
	run.emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run.exit_reason = KVM_EXIT_MMIO;
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 0,
		     "other exit");
	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.emulation_failure.insn_size = 200;
	cr_assert_eq(x86_softint_insn_from_exit(&run, buf, sizeof(buf)), 15,
		     "size capped at 15");
}
