/* SPDX-License-Identifier: MIT */
/*
 * Trap dispatch: interrupts to the common interrupt path, system calls,
 * exceptions from U-mode (signals) and S-mode (exception table, or panic).
 */
#include "csr.h"
#include "irqentry.h"
#include "panic.h"
#include "percpu.h"
#include "trap.h"
#include "usermode.h"
#include "vectors.h"

/* Keep what the exception looked like for the tests (trap.h). */
static void record(struct percpu *pc, const struct trap_frame *f)
{
	struct trap_record *r = &pc->last_trap;
	unsigned long code = trap_code(f);

	r->frame = *f;
	r->frame_addr = (uint64_t)(uintptr_t)f;
	if (code < RV_NR_EXCEPTIONS)
		pc->exc_count[code]++;
	WRITE_ONCE(r->seq, r->seq + 1);
}

static void kernel_exception(struct trap_frame *f)
{
	char what[96];
	uint64_t fixup;

	/* A breakpoint leaves sepc at the ebreak (unlike x86's int3, a
	 * trap): step over it and go on. */
	if (trap_code(f) == EXC_BREAKPOINT) {
		f->sepc += insn_length_at(f->sepc);
		return;
	}
	fixup = extable_lookup(f->sepc);
	if (fixup) {
		f->sepc = fixup;
		return;
	}
	trap_describe(f, what, sizeof(what));
	panic_regs(f, "unexpected %s in S-mode at %#lx, stval %#lx", what, (unsigned long)f->sepc,
		   (unsigned long)f->stval);
}

static void exception(struct percpu *pc, struct trap_frame *f)
{
	if (trap_from_user(f) && trap_code(f) == EXC_ECALL_U) {
		struct ecall_record *e = &pc->last_ecall;

		e->sepc = f->sepc;
		e->sstatus = f->sstatus;
		e->scause = f->scause;
		e->count++;
		syscall_from_trap(f);
		return;
	}
	record(pc, f);
	if (trap_from_user(f))
		user_exception(f);
	else
		kernel_exception(f);
}

static void interrupt(struct percpu *pc, struct trap_frame *f)
{
	unsigned long code = trap_code(f);
	bool user = trap_from_user(f);
	struct irq_record *r = &pc->last_irq;

	pc->irq_count[code < RV_IRQ_CAUSES ? code : 0]++;
	r->code = code;
	r->sepc = f->sepc;
	r->slot = f->slot;
	r->from_user = user;
	WRITE_ONCE(r->seq, r->seq + 1);
	switch (code) {
	case IRQ_S_SOFT:
		irq_handle(RV_VEC_SOFT, user);
		break;
	case IRQ_S_TIMER:
		irq_handle(RV_VEC_TIMER, user);
		break;
	default:
		/* External interrupts wait for a PLIC driver, and nothing else
		 * is enabled: mask the cause so it cannot storm, count it. */
		if (code < 64)
			csr_clear(sie, 1ul << code);
		irq_handle(RV_VEC_EXTERNAL, user);
		break;
	}
}

void rv_trap_dispatch(struct trap_frame *f)
{
	struct percpu *pc = this_cpu();

	if (trap_is_interrupt(f))
		interrupt(pc, f);
	else
		exception(pc, f);
}
