/* SPDX-License-Identifier: MIT */
/*
 * User tasks: entering U-mode, user-mode exceptions, signal upcalls, the
 * ecall system call entry.
 *
 * A fault in a task with a registered handler becomes an upcall: the
 * kernel puts a struct rv_sigframe (siginfo and the interrupted registers)
 * on the user stack and returns to the handler with a0-a2 = (signo, &info,
 * &regs) and ra = u_sigreturn_trampoline, whose SYS_SIGRETURN restores the
 * (possibly edited) registers. Without a handler, or on a fault inside the
 * handler, the task is killed and the kernel carries on.
 */
#include "arch.h"
#include "csr.h"
#include "kstring.h"
#include "machine.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "sections.h"
#include "uapi.h"
#include "uprog.h"
#include "usermode.h"

#define USER_STACK_SKIP 128 /* below the interrupted sp */

struct rv_sigframe {
	struct user_siginfo info;
	struct user_regs regs;
};

STATIC_ASSERT(__builtin_offsetof(struct user_regs, t6) == __builtin_offsetof(struct trap_frame, t6),
	      "user_regs and trap_frame share the register layout");

unsigned long rv_fpu_traps;
static unsigned int next_pid = 1;

int user_task_run(struct task *t, const char *name, void (*entry)(uint64_t), uint64_t arg)
{
	unsigned long flags = arch_irq_save();

	memset(t, 0, sizeof(*t));
	t->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	t->name = name;
	task_set_current(t);
	rv_user_enter(&this_cpu()->user_kernel_sp, (uintptr_t)entry, (uintptr_t)user_stack_end,
		      arg);
	/* The kernel has no FP state to keep: off again for the next task. */
	csr_clear(sstatus, SSTATUS_FS);
	task_set_current(NULL);
	arch_irq_restore(flags);
	return t->exit_status;
}

void arch_task_leave(struct task *t)
{
	rv_user_leave(this_cpu()->user_kernel_sp, (uint64_t)(int64_t)t->exit_status);
}

static int exception_signal(unsigned long code)
{
	switch (code) {
	case EXC_ILLEGAL_INSN:
		return SIGILL;
	case EXC_BREAKPOINT:
		return SIGTRAP;
	case EXC_INSN_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		return SIGBUS;
	default:
		return SIGSEGV; /* page and access faults, anything else */
	}
}

/* Does the instruction that raised illegal-instruction use the FP unit?
 * Opcodes LOAD-FP, STORE-FP, the fused multiply-adds and OP-FP, the FP
 * CSRs fflags/frm/fcsr, and the compressed FP loads/stores (ISA manual,
 * opcode map and RVC tables). */
static bool insn_is_fp(const struct trap_frame *f)
{
	uint32_t insn = (uint32_t)f->stval;
	unsigned int op;

	if (!insn) {
		if (!user_range_ok(f->sepc, 2, false))
			return false;
		insn = *(const uint16_t *)(uintptr_t)f->sepc;
		if ((insn & 3) == 3) {
			if (!user_range_ok(f->sepc, 4, false))
				return false;
			insn |= (uint32_t)*(const uint16_t *)(uintptr_t)(f->sepc + 2) << 16;
		}
	}
	if ((insn & 3) != 3) {
		unsigned int funct3 = (insn >> 13) & 7, quadrant = insn & 3;

		return (quadrant == 0 || quadrant == 2) && (funct3 == 1 || funct3 == 5);
	}
	op = insn & 0x7f;
	if (op == 0x07 || op == 0x27 || op == 0x43 || op == 0x47 || op == 0x4b || op == 0x4f ||
	    op == 0x53)
		return true;
	return op == 0x73 && ((insn >> 12) & 7) && (insn >> 20) >= 1 && (insn >> 20) <= 3;
}

static void regs_from_frame(struct user_regs *r, const struct trap_frame *f)
{
	memcpy(r, f, __builtin_offsetof(struct user_regs, pc));
	r->pc = f->sepc;
}

static void regs_to_frame(struct trap_frame *f, const struct user_regs *r)
{
	memcpy(f, r, __builtin_offsetof(struct user_regs, pc));
	f->sepc = r->pc;
	/* Back to U-mode with interrupts on, whatever the frame said. */
	f->sstatus = (f->sstatus & ~SSTATUS_SPP) | SSTATUS_SPIE;
}

static bool signal_deliver(struct task *t, struct trap_frame *f, int sig)
{
	const struct exc_info *e = &rv_exceptions[trap_code(f) % RV_NR_EXCEPTIONS];
	struct rv_sigframe *sf;
	uint64_t sp;

	if (!t->sig_handler || t->sigframe)
		return false; /* no handler, or faulted inside the handler */
	if (f->sp < USER_STACK_SKIP + sizeof(*sf) + 32)
		return false;
	sp = ALIGN_DOWN(f->sp - USER_STACK_SKIP - sizeof(*sf), 16);
	if (!user_range_ok(sp, sizeof(*sf), true))
		return false;

	/* sstatus.SUM is set: the kernel writes the range-checked user
	 * stack directly. */
	sf = (struct rv_sigframe *)(uintptr_t)sp;
	sf->info.signo = (uint64_t)sig;
	sf->info.vector = f->scause;
	sf->info.addr = e->stval_addr ? f->stval : 0;
	sf->info.error_code = e->stval_addr ? 0 : f->stval;
	sf->info.pc = f->sepc;
	regs_from_frame(&sf->regs, f);

	t->sigframe = sp;
	t->nr_signals++;
	f->sepc = t->sig_handler;
	f->sp = sp;
	f->a0 = (uint64_t)sig;
	f->a1 = (uint64_t)(uintptr_t)&sf->info;
	f->a2 = (uint64_t)(uintptr_t)&sf->regs;
	f->ra = (uint64_t)(uintptr_t)u_sigreturn_trampoline;
	return true;
}

long arch_sigreturn(struct task *t, struct trap_frame *f)
{
	struct rv_sigframe *sf = (struct rv_sigframe *)(uintptr_t)t->sigframe;

	if (!user_range_ok(t->sigframe, sizeof(*sf), true))
		task_kill(t, SIGSEGV);
	/* Only user addresses: anything else would fault on the way back
	 * in U-mode anyway, but need not be reached at all. */
	if (sf->regs.pc >= SV39_USER_TOP || sf->regs.sp >= SV39_USER_TOP)
		task_kill(t, SIGSEGV);
	regs_to_frame(f, &sf->regs);
	t->sigframe = 0;
	return (long)f->a0; /* the caller stores this in a0 again */
}

void user_exception(struct trap_frame *f)
{
	struct task *t = task_current();
	unsigned long code = trap_code(f);
	int sig;

	if (!t)
		panic_regs(f, "user-mode exception without a current task");
	if (code == EXC_ILLEGAL_INSN && (f->sstatus & SSTATUS_FS) == SSTATUS_FS_OFF &&
	    rv_machine.has_f && insn_is_fp(f)) {
		/* Lazy FPU: one task at a time uses it, so there is no state
		 * to swap; turn the unit on and restart the instruction. */
		f->sstatus |= SSTATUS_FS_INITIAL;
		rv_fpu_traps++;
		return;
	}
	sig = exception_signal(code);
	if (signal_deliver(t, f, sig))
		return;
	task_kill(t, sig);
}

void syscall_from_trap(struct trap_frame *f)
{
	struct syscall_args a = {
		.nr = f->a7,
		.arg = { f->a0, f->a1, f->a2 },
		.frame = f,
		.path = SYSCALL_PATH_ECALL,
	};

	/* sepc is at the ecall (always 4 bytes): return after it. */
	f->sepc += 4;
	f->a0 = (uint64_t)syscall_dispatch(&a);
}
