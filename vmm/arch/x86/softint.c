/* SPDX-License-Identifier: MIT */
/*
 * VMM-side delivery of CPL0 int n / int3 / int1 in 64-bit mode. See
 * softint.h for why. The checks follow the order of the INT n pseudocode
 * (SDM vol 2, "INT n/INTO/INT3/INT1") for IA-32e mode, intra-privilege
 * case, which is the only case CPL0 can reach.
 *
 * Deviations from hardware, all harmless for a CPL0 kernel:
 * - The CS descriptor's accessed bit is set in the cached CS only; the GDT
 *   copy in memory is not written back (a kernel GDT normally has it set
 *   already, and writing it could fault on a read-only GDT mapping).
 * - LDT code selectors are not supported (SOFTINT_UNSUPPORTED).
 * - Shadow stacks (CET) and FRED are not modelled.
 */
#include "vmm/arch/x86/softint.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RFLAGS_TF	(1ULL << 8)
#define RFLAGS_IF	(1ULL << 9)
#define RFLAGS_NT	(1ULL << 14)
#define RFLAGS_RF	(1ULL << 16)
#define RFLAGS_VM	(1ULL << 17)
#define RFLAGS_AC	(1ULL << 18)

#define GATE_TYPE_INTERRUPT	0x0e	/* 64-bit interrupt gate, S=0 */
#define GATE_TYPE_TRAP		0x0f	/* 64-bit trap gate, S=0 */
#define IDT_ENTRY_SIZE		16	/* SDM vol 3, 6.14.1 */
#define GDT_ENTRY_SIZE		8	/* code descriptors stay 8 bytes */
#define TSS_IST1_OFFSET		0x24	/* 64-bit TSS, SDM vol 3, 8.7 */
#define FRAME_SLOTS		5	/* RIP, CS, RFLAGS, RSP, SS */

#define SELECTOR_RPL_MASK	0x3
#define SELECTOR_TI		0x4
#define SELECTOR_INDEX_MASK	0xfff8

enum softint_insn { INSN_INT_N, INSN_INT3, INSN_INT1 };

struct idt_gate {
	uint64_t offset;
	uint16_t selector;
	unsigned ist, type, dpl;
	bool present;
};

struct code_descriptor {
	uint32_t limit;		/* byte granular, G already applied */
	unsigned type, dpl;
	bool s, present, l, db, g, avl;
};

static void set_why(struct softint_outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_why(struct softint_outcome *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

static void raise_exc(struct softint_outcome *out, unsigned vector,
		      bool has_error, uint32_t error)
{
	out->kind = SOFTINT_RAISE_EXCEPTION;
	out->exc_vector = vector;
	out->exc_has_error = has_error;
	out->exc_error = has_error ? error : 0;
}

static const char *exc_name(unsigned vector)
{
	switch (vector) {
	case X86_EXC_TS: return "#TS";
	case X86_EXC_NP: return "#NP";
	case X86_EXC_SS: return "#SS";
	case X86_EXC_GP: return "#GP";
	case X86_EXC_PF: return "#PF";
	}
	return "#?";
}

/* Raise an exception with an error code and say why. */
static void raise_err(struct softint_outcome *out, unsigned vector,
		      uint32_t error, const char *reason)
{
	raise_exc(out, vector, true, error);
	set_why(out, "%s(%#x): %s", exc_name(vector), error, reason);
}

/*
 * Turn a failed linear access made during delivery into what the guest or
 * the VMM must see: #PF for paging faults, exc_noncanon for a non-canonical
 * address, and UNSUPPORTED when the address is not backed by RAM.
 */
static void fail_access(struct softint_outcome *out, enum walk_result res,
			const struct walk_fault *f, const char *what,
			unsigned exc_noncanon, uint32_t ext)
{
	switch (res) {
	case WALK_NOT_PRESENT:
	case WALK_PROTECTION:
	case WALK_RESERVED_BIT:
		raise_exc(out, X86_EXC_PF, true, f->pf_error_code);
		out->cr2 = f->fault_addr;
		set_why(out, "#PF(%#x) at %#" PRIx64 " (%s) while %s",
			f->pf_error_code, f->fault_addr,
			x86_walk_result_name(res), what);
		return;
	case WALK_NON_CANONICAL:
		raise_exc(out, exc_noncanon, true, ext);
		set_why(out, "%s(%#x): non-canonical address %#" PRIx64
			" while %s", exc_name(exc_noncanon), ext,
			f->fault_addr, what);
		return;
	case WALK_OK:
	case WALK_BAD_GPA:
	case WALK_UNSUPPORTED_MODE:
		break;
	}
	out->kind = SOFTINT_UNSUPPORTED;
	set_why(out, "%s while %s at %#" PRIx64, x86_walk_result_name(res),
		what, f->fault_addr);
}

static bool decode(const uint8_t *insn, size_t len, enum softint_insn *kind,
		   unsigned *vector, unsigned *insn_size)
{
	if (!insn || len == 0)
		return false;
	switch (insn[0]) {
	case 0xcd:
		if (len < 2)
			return false;
		*kind = INSN_INT_N;
		*vector = insn[1];
		*insn_size = 2;
		return true;
	case 0xcc:
		*kind = INSN_INT3;
		*vector = 3;
		*insn_size = 1;
		return true;
	case 0xf1:
		*kind = INSN_INT1;
		*vector = 1;
		*insn_size = 1;
		return true;
	}
	return false;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 64-bit IDT gate layout: SDM vol 3, figure 6-8. */
static void parse_gate(const uint8_t b[IDT_ENTRY_SIZE], struct idt_gate *g)
{
	g->offset = (uint64_t)b[0] | (uint64_t)b[1] << 8 |
		    (uint64_t)b[6] << 16 | (uint64_t)b[7] << 24 |
		    (le64(b + 8) & 0xffffffffULL) << 32;
	g->selector = (uint16_t)(b[2] | b[3] << 8);
	g->ist = b[4] & 0x7;
	g->type = b[5] & 0x1f;	/* type plus the S bit, which must be 0 */
	g->dpl = (b[5] >> 5) & 0x3;
	g->present = b[5] & 0x80;
}

/* Segment descriptor layout: SDM vol 3, figure 3-8 (base ignored in 64-bit). */
static void parse_code_descriptor(const uint8_t b[GDT_ENTRY_SIZE],
				  struct code_descriptor *d)
{
	uint32_t raw_limit = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
			     (uint32_t)(b[6] & 0x0f) << 16;

	d->type = b[5] & 0x0f;
	d->s = b[5] & 0x10;
	d->dpl = (b[5] >> 5) & 0x3;
	d->present = b[5] & 0x80;
	d->avl = b[6] & 0x10;
	d->l = b[6] & 0x20;
	d->db = b[6] & 0x40;
	d->g = b[6] & 0x80;
	d->limit = d->g ? (raw_limit << 12) | 0xfff : raw_limit;
}

/* Implicit supervisor access to IDT/GDT/TSS (SDM vol 3, 4.6: SMAP applies). */
static struct walk_request system_access(const struct kvm_sregs *sregs)
{
	return (struct walk_request){
		.cr0 = sregs->cr0, .cr3 = sregs->cr3,
		.cr4 = sregs->cr4, .efer = sregs->efer,
		.cpl = 0, .set_accessed = true, .ac = false,
	};
}

static const char *insn_name(enum softint_insn kind)
{
	switch (kind) {
	case INSN_INT_N: return "int n";
	case INSN_INT3:  return "int3";
	case INSN_INT1:  return "int1";
	}
	return "?";
}

/* Load and check the gate's code segment; false if out was filled in. */
static bool load_code_segment(const struct guest_memory_ops *mem,
			      const struct kvm_sregs *sregs, uint16_t selector,
			      unsigned cpl, uint32_t ext,
			      struct code_descriptor *cs,
			      struct softint_outcome *out)
{
	struct walk_request sys = system_access(sregs);
	uint32_t sel_err = (selector & ~SELECTOR_RPL_MASK) | ext;
	uint32_t offset = selector & SELECTOR_INDEX_MASK;
	uint8_t raw[GDT_ENTRY_SIZE];
	struct walk_fault f;
	enum walk_result res;

	if ((selector & ~SELECTOR_RPL_MASK) == 0) {
		raise_err(out, X86_EXC_GP, ext, "gate has a null CS selector");
		return false;
	}
	if (selector & SELECTOR_TI) {
		out->kind = SOFTINT_UNSUPPORTED;
		set_why(out, "gate CS selector %#x is in the LDT", selector);
		return false;
	}
	if (offset + GDT_ENTRY_SIZE - 1 > sregs->gdt.limit) {
		raise_err(out, X86_EXC_GP, sel_err,
			  "gate CS selector beyond GDT limit");
		return false;
	}
	res = x86_read_virt(mem, &sys, sregs->gdt.base + offset, raw,
			    sizeof(raw), &f);
	if (res != WALK_OK) {
		fail_access(out, res, &f, "reading the CS descriptor",
			    X86_EXC_GP, ext);
		return false;
	}
	parse_code_descriptor(raw, cs);

	/* Must be a code segment the current CPL may call (DPL <= CPL). */
	if (!cs->s || !(cs->type & 0x8) || cs->dpl > cpl) {
		raise_err(out, X86_EXC_GP, sel_err,
			  "gate CS is not a code segment with DPL <= CPL");
		return false;
	}
	if (!cs->present) {
		raise_err(out, X86_EXC_NP, sel_err, "gate CS is not present");
		return false;
	}
	/* IA-32e mode gates must target 64-bit code (L=1, D=0). */
	if (!cs->l || cs->db) {
		raise_err(out, X86_EXC_GP, sel_err,
			  "gate CS is not a 64-bit code segment");
		return false;
	}
	return true;
}

/* Pick the stack for the frame: IST slot or current RSP (no CPL change). */
static bool pick_stack(const struct guest_memory_ops *mem,
		       const struct kvm_sregs *sregs, const struct kvm_regs *regs,
		       unsigned ist, uint32_t ext, uint64_t *rsp,
		       struct softint_outcome *out)
{
	struct walk_request sys = system_access(sregs);
	uint32_t offset = TSS_IST1_OFFSET + 8 * (ist - 1);
	uint8_t raw[8];
	struct walk_fault f;
	enum walk_result res;

	if (ist == 0) {
		*rsp = regs->rsp;
		return true;
	}
	if (offset + 7 > sregs->tr.limit) {
		raise_err(out, X86_EXC_TS,
			  (sregs->tr.selector & ~SELECTOR_RPL_MASK) | ext,
			  "IST slot beyond the TSS limit");
		return false;
	}
	res = x86_read_virt(mem, &sys, sregs->tr.base + offset, raw,
			    sizeof(raw), &f);
	if (res != WALK_OK) {
		fail_access(out, res, &f, "reading the TSS IST slot",
			    X86_EXC_GP, ext);
		return false;
	}
	*rsp = le64(raw);
	return true;
}

/*
 * Check every 8-byte push before writing any, so a fault leaves memory as
 * it was. The CPU pushes SS first (highest address), so the slots are
 * checked top-down and CR2 names the first push that would fault. Slots
 * are 8-byte aligned and never straddle a page. A non-canonical slot is
 * #SS(EXT), as in the IA-32e branch of the INT n pseudocode.
 */
static bool check_frame_writable(const struct guest_memory_ops *mem,
				 const struct walk_request *stack,
				 uint64_t frame_base, uint32_t ext,
				 struct softint_outcome *out)
{
	struct walk_request probe = *stack;

	probe.set_accessed = false;
	for (int slot = FRAME_SLOTS - 1; slot >= 0; slot--) {
		struct walk_fault f = { .fault_addr = frame_base + 8 * slot };
		enum walk_result res = x86_translate(mem, &probe, f.fault_addr,
						     NULL, &f.pf_error_code);

		if (res != WALK_OK) {
			fail_access(out, res, &f, "pushing the interrupt frame",
				    X86_EXC_SS, ext);
			return false;
		}
	}
	return true;
}

void x86_emulate_softint(const struct guest_memory_ops *mem,
			 struct kvm_regs *regs, struct kvm_sregs *sregs,
			 const uint8_t *insn, size_t insn_len,
			 struct softint_outcome *out)
{
	enum softint_insn kind;
	unsigned vector, insn_size, cpl;
	uint32_t ext, idt_err;
	uint8_t raw_gate[IDT_ENTRY_SIZE];
	uint8_t frame[FRAME_SLOTS * 8];
	struct idt_gate gate;
	struct code_descriptor cs;
	struct walk_request sys = system_access(sregs);
	struct walk_request stack;
	struct walk_fault f;
	enum walk_result res;
	uint64_t next_rip, new_rsp, frame_base, rflags;

	memset(out, 0, sizeof(*out));
	if (!decode(insn, insn_len, &kind, &vector, &insn_size)) {
		out->kind = SOFTINT_NOT_SOFTINT;
		if (!insn || insn_len == 0)
			set_why(out, "no instruction bytes");
		else
			set_why(out, "opcode %#04x is not int n/int3/int1",
				insn[0]);
		return;
	}
	out->vector = vector;

	if (!(sregs->efer & X86_EFER_LMA) || !sregs->cs.l) {
		out->kind = SOFTINT_UNSUPPORTED;
		set_why(out, "%s %#x outside 64-bit mode (EFER.LMA=%d CS.L=%d)",
			insn_name(kind), vector,
			!!(sregs->efer & X86_EFER_LMA), sregs->cs.l);
		return;
	}
	/* In protected mode CPL is CS.RPL (SDM vol 3, 5.5). */
	cpl = sregs->cs.selector & SELECTOR_RPL_MASK;
	if (cpl != 0) {
		out->kind = SOFTINT_UNSUPPORTED;
		set_why(out, "%s %#x at CPL%u: only CPL0 is emulated",
			insn_name(kind), vector, cpl);
		return;
	}

	/* EXT (error code bit 0) is clear only for true software interrupts. */
	ext = kind == INSN_INT1 ? 1 : 0;
	idt_err = vector * 8 + 2 + ext;		/* IDT bit set, index = vector */
	next_rip = regs->rip + insn_size;

	if ((uint32_t)vector * IDT_ENTRY_SIZE + IDT_ENTRY_SIZE - 1 >
	    sregs->idt.limit) {
		raise_err(out, X86_EXC_GP, idt_err, "vector beyond IDT limit");
		return;
	}
	res = x86_read_virt(mem, &sys, sregs->idt.base + vector * IDT_ENTRY_SIZE,
			    raw_gate, sizeof(raw_gate), &f);
	if (res != WALK_OK) {
		fail_access(out, res, &f, "reading the IDT gate", X86_EXC_GP,
			    ext);
		return;
	}
	parse_gate(raw_gate, &gate);

	if (gate.type != GATE_TYPE_INTERRUPT && gate.type != GATE_TYPE_TRAP) {
		raise_err(out, X86_EXC_GP, idt_err,
			  "IDT entry is not a 64-bit interrupt or trap gate");
		return;
	}
	/* int1 skips the gate DPL check (SDM vol 2, INT1). */
	if (kind != INSN_INT1 && gate.dpl < cpl) {
		raise_err(out, X86_EXC_GP, idt_err, "gate DPL < CPL");
		return;
	}
	if (!gate.present) {
		raise_err(out, X86_EXC_NP, idt_err, "gate not present");
		return;
	}
	if (!load_code_segment(mem, sregs, gate.selector, cpl, ext, &cs, out))
		return;
	if (!pick_stack(mem, sregs, regs, gate.ist, ext, &new_rsp, out))
		return;
	if (!x86_is_canonical(&sys, gate.offset)) {
		raise_err(out, X86_EXC_GP, ext, "gate offset is not canonical");
		return;
	}

	/* 64-bit delivery aligns the stack to 16 bytes (SDM vol 3, 6.14.2). */
	frame_base = (new_rsp & ~0xfULL) - sizeof(frame);

	/* Lowest address first: RIP, CS, RFLAGS, RSP, SS. */
	put_le64(frame + 0, next_rip);
	put_le64(frame + 8, sregs->cs.selector);
	put_le64(frame + 16, regs->rflags);
	put_le64(frame + 24, regs->rsp);
	put_le64(frame + 32, sregs->ss.selector);

	/* Pushes are ordinary CPL0 data writes, so RFLAGS.AC counts for SMAP. */
	stack = sys;
	stack.ac = regs->rflags & RFLAGS_AC;
	stack.write = true;
	if (!check_frame_writable(mem, &stack, frame_base, ext, out))
		return;
	res = x86_write_virt(mem, &stack, frame_base, frame, sizeof(frame), &f);
	if (res != WALK_OK) {
		fail_access(out, res, &f, "pushing the interrupt frame",
			    X86_EXC_SS, ext);
		return;
	}

	rflags = regs->rflags & ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
	if (gate.type == GATE_TYPE_INTERRUPT)
		rflags &= ~RFLAGS_IF;
	regs->rflags = rflags;
	regs->rip = gate.offset;
	regs->rsp = frame_base;

	/* New CPL = CS.DPL = CPL = 0; SS is unchanged without a CPL change. */
	sregs->cs = (struct kvm_segment){
		.base = 0,
		.limit = cs.limit,
		.selector = gate.selector & ~SELECTOR_RPL_MASK,
		.type = (uint8_t)(cs.type | 0x1),	/* accessed */
		.present = 1,
		.dpl = (uint8_t)cs.dpl,
		.db = cs.db,
		.s = 1,
		.l = cs.l,
		.g = cs.g,
		.avl = cs.avl,
		.unusable = 0,
	};

	out->kind = SOFTINT_DELIVERED;
	set_why(out, "%s %#x -> %#x:%#" PRIx64 " via %s gate%s",
		insn_name(kind), vector, sregs->cs.selector, gate.offset,
		gate.type == GATE_TYPE_INTERRUPT ? "interrupt" : "trap",
		gate.ist ? " on IST stack" : "");
}

size_t x86_softint_insn_from_exit(const struct kvm_run *run, uint8_t *buf,
				  size_t cap)
{
	size_t n;

	if (run->exit_reason != KVM_EXIT_INTERNAL_ERROR ||
	    run->emulation_failure.suberror != KVM_INTERNAL_ERROR_EMULATION)
		return 0;
	/* flags word + 16 bytes of insn_size/insn_bytes = 3 u64 words. */
	if (run->emulation_failure.ndata < 3 ||
	    !(run->emulation_failure.flags &
	      KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
		return 0;
	n = run->emulation_failure.insn_size;
	if (n > sizeof(run->emulation_failure.insn_bytes))
		n = sizeof(run->emulation_failure.insn_bytes);
	if (n > cap)
		n = cap;
	memcpy(buf, run->emulation_failure.insn_bytes, n);
	return n;
}
