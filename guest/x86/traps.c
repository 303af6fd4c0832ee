/* SPDX-License-Identifier: MIT */
/*
 * Trap dispatch: exceptions, the system call gate, external interrupts.
 */
#include "irq.h"
#include "irqentry.h"
#include "kcpu.h"
#include "panic.h"
#include "sched.h"
#include "sections.h"
#include "percpu.h"
#include "trap.h"
#include "usermode.h"
#include "x86.h"

#define X86_DR6_INIT 0xffff0ff0ul /* DR6 with no condition bits set */

/* Keep what the exception looked like for the tests (trap.h). */
static void record(struct percpu *pc, const struct trap_frame *f)
{
	struct trap_record *r = &pc->last_trap;

	r->frame = *f;
	r->cr2 = read_cr2();
	r->dr6 = f->vector == X86_EXC_DB ? read_dr6() : 0;
	r->frame_addr = (uint64_t)f;
	pc->exc_count[f->vector]++;
	WRITE_ONCE(r->seq, r->seq + 1);
}

static void kernel_exception(struct percpu *pc, struct trap_frame *f)
{
	char what[80];
	uint64_t fixup;

	switch (f->vector) {
	case X86_EXC_DB:
		/* Single-step trap: stop stepping, resume after the instruction. */
		f->rflags &= ~X86_RFLAGS_TF;
		write_dr6(X86_DR6_INIT);
		return;
	case X86_EXC_BP:
		return; /* trap: RIP already points past int3 */
	case X86_EXC_DF:
		/* An abort: the saved state cannot be resumed. Only the #DF test
		 * arms a recovery point; it resumes on a known-good stack. */
		if (pc->df_resume_rip) {
			f->rip = pc->df_resume_rip;
			f->rsp = pc->df_resume_rsp;
			f->cs = X86_KERNEL_CS;
			f->ss = X86_KERNEL_DS;
			pc->df_resume_rip = 0;
			return;
		}
		break;
	case X86_EXC_MC:
		break;
	default:
		fixup = extable_lookup(f->rip);
		if (fixup) {
			f->rip = fixup;
			return;
		}
		break;
	}
	trap_describe(f, what, sizeof(what));
	panic_regs(f, "unexpected %s in kernel mode at %#lx", what, (unsigned long)f->rip);
}

static void exception(struct trap_frame *f)
{
	struct percpu *pc = this_cpu();

	/* Hosts that turn a ring-3 `int $0x80` into #UD (docs/guest.md):
	 * serve the call; it is not an exception the tests should see. */
	if (f->vector == X86_EXC_UD && trap_from_user(f) && syscall_int80_at(f)) {
		f->rip += 2;
		syscall_from_trap(f, SYSCALL_PATH_UD);
		return;
	}
	record(pc, f);
	if (f->vector == X86_EXC_NMI) {
		pc->nmi_count++;
		irq_count_nmi(X86_EXC_NMI);
		return;
	}
	if (trap_from_user(f) && f->vector != X86_EXC_DF && f->vector != X86_EXC_MC) {
		user_exception(f);
		return;
	}
	kernel_exception(pc, f);
}

unsigned long x86_halt_fixups;

/*
 * An interrupt (or NMI) taken at the hlt of x86_safe_halt instead of
 * waking it: return past the hlt, as if it had woken it. Hardware only
 * does this for an NMI in sti's shadow; the nested test host did it for
 * maskable interrupts too, and the CPU then halted for good.
 */
static void halt_fixup(struct trap_frame *f)
{
	if (f->rip == (uintptr_t)x86_safe_halt_hlt) {
		f->rip++; /* hlt is one byte, f4 */
		__atomic_fetch_add(&x86_halt_fixups, 1, __ATOMIC_RELAXED);
	}
}

/* Bytes a thread's kalloc'd stack must still have below a trap frame:
 * enough for the handler's C frames and one more nested entry. */
#define THREAD_STACK_MARGIN 1024u

/*
 * A trap frame in the bottom THREAD_STACK_MARGIN bytes of the current
 * thread's stack: those stacks are kalloc'd with no guard page, so a
 * nesting that runs away would next write over the allocation below (the
 * thread structures and whatever else) and the CPU would fault later
 * somewhere unrelated. Stop here with a message instead. Only frames
 * inside that stack are judged: the scheduler names the next thread
 * current a few instructions before it switches stacks, so a frame may
 * still sit on the previous thread's stack, which is another allocation.
 * The per-CPU stacks (in the image) have guard pages of their own.
 */
static void check_thread_stack(const struct trap_frame *f)
{
	const struct thread *t = this_kcpu()->current;
	uintptr_t at = (uintptr_t)f;

	if (!t || !t->stack)
		return;
	if (at >= (uintptr_t)t->stack && at < (uintptr_t)t->stack + THREAD_STACK_MARGIN)
		panic_regs(f, "trap stack overflow: vector %lu frame at %#lx, thread %s stack "
			   "from %#lx, hard-IRQ depth %u",
			   (unsigned long)f->vector, (unsigned long)at, t->name,
			   (unsigned long)(uintptr_t)t->stack, this_kcpu()->hardirq_depth);
}

/* Was the trap raised by an `int n` (cd nn) that ends at the saved RIP?
 * Only kernel and user text are looked at, which are always mapped. */
static bool int_n_at(const struct trap_frame *f)
{
	uintptr_t end = (uintptr_t)f->rip;
	const uint8_t *insn = (const uint8_t *)(end - 2);
	bool in_text = (end >= (uintptr_t)__kernel_start + 2 && end <= (uintptr_t)__text_end) ||
		       (end >= (uintptr_t)__user_text_start + 2 && end <= (uintptr_t)__user_text_end);

	return in_text && insn[0] == 0xcd && insn[1] == (uint8_t)f->vector;
}

/*
 * A maskable interrupt taken while the interrupted code had IF clear. No
 * CPU does that (SDM Vol. 3A 6.8.1, "Masking Maskable Hardware
 * Interrupts"), but the x86 test host does: QEMU's TCG emulation of SVM
 * delivers an interrupt that KVM injected with VMRUN's EVENTINJ, and
 * leaves its vector in the CPU's pending-exception slot; the next request
 * to leave the CPU loop then delivers the same vector again, usually at
 * the first instruction of its own entry stub (docs/testing.md, "Platform
 * deviations"). The handler would run twice for one interrupt: one event
 * counted twice, one EOI too many, an IPI's work done twice. So the second
 * delivery is dropped (trap_dispatch), counted, and reported (the check
 * host.interrupts_delivered_once, and arch_report); an `int n` run with
 * IF clear is not an interrupt and is dispatched.
 */
bool trap_is_second_delivery(const struct trap_frame *f)
{
	return f->vector >= X86_NR_EXCEPTIONS && f->vector != X86_SYSCALL_VECTOR &&
	       !(f->rflags & X86_RFLAGS_IF) && !int_n_at(f);
}

void trap_note_second_delivery(unsigned int vector, uint64_t rip)
{
	struct percpu *pc = this_cpu();

	pc->irq_redelivered++;
	pc->irq_redelivered_rip = rip;
	pc->irq_redelivered_vector = vector;
}

unsigned long trap_second_deliveries(void)
{
	unsigned long total = 0;

	for (unsigned int cpu = 0; cpu < X86_MAX_CPUS; cpu++)
		total += READ_ONCE(percpu[cpu].irq_redelivered);
	return total;
}

static bool drop_second_delivery(const struct trap_frame *f)
{
	if (!trap_is_second_delivery(f))
		return false;
	trap_note_second_delivery((unsigned int)f->vector, f->rip);
	return true;
}

void trap_dispatch(struct trap_frame *f)
{
	/* First: a second delivery may land anywhere, even where the
	 * stack check below would misjudge its frame. */
	if (drop_second_delivery(f))
		return;
	check_thread_stack(f);
	if (f->vector == X86_EXC_NMI || f->vector >= X86_NR_EXCEPTIONS)
		halt_fixup(f);
	if (f->vector < X86_NR_EXCEPTIONS)
		exception(f);
	else if (f->vector == X86_SYSCALL_VECTOR && trap_from_user(f))
		syscall_from_trap(f, SYSCALL_PATH_GATE);
	else /* counted, dispatched, softirqs and preemption on the way out */
		irq_handle((unsigned int)f->vector, trap_from_user(f));
}
