/* SPDX-License-Identifier: MIT */
/*
 * User tasks: entering ring 3, user-mode exceptions, signal upcalls.
 *
 * A fault in a task with a registered handler becomes an upcall: the
 * kernel pushes a struct x86_sigframe (return address, siginfo, the
 * interrupted registers) on the user stack and iretq's to the handler with
 * (signo, &info, &regs). The handler returns into u_sigreturn_trampoline,
 * whose SYS_SIGRETURN restores the (possibly edited) registers. Without a
 * handler, or on a fault inside the handler, the task is killed and the
 * kernel carries on.
 */
#include "arch.h"
#include "kstring.h"
#include "panic.h"
#include "percpu.h"
#include "sections.h"
#include "uapi.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

#define USER_ADDR_LIMIT (1ull << 47) /* canonical lower half */
#define USER_STACK_SKIP 128          /* below the interrupted RSP */

struct x86_sigframe {
	uint64_t ret_addr; /* handler's return address: the trampoline */
	struct user_siginfo info;
	struct user_regs regs;
};

static unsigned int next_pid = 1;

int user_task_run(struct task *t, const char *name, void (*entry)(uint64_t), uint64_t arg)
{
	struct percpu *pc = this_cpu();

	memset(t, 0, sizeof(*t));
	t->pid = next_pid++;
	t->name = name;
	task_set_current(t);
	/* RSP as if the entry had been called: (rsp + 8) % 16 == 0. */
	x86_user_enter(&pc->user_kernel_rsp, (uint64_t)entry,
		       (uint64_t)user_stack_end - 8, arg);
	task_set_current(NULL);
	return t->exit_status;
}

void arch_task_leave(struct task *t)
{
	x86_user_leave(this_cpu()->user_kernel_rsp, (uint64_t)(int64_t)t->exit_status);
}

static int vector_signal(uint64_t vector)
{
	switch (vector) {
	case X86_EXC_DE:
	case X86_EXC_MF:
	case X86_EXC_XM:
		return SIGFPE;
	case X86_EXC_DB:
	case X86_EXC_BP:
		return SIGTRAP;
	case X86_EXC_UD:
		return SIGILL;
	case X86_EXC_NP:
	case X86_EXC_SS:
	case X86_EXC_AC:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

static void regs_from_frame(struct user_regs *r, const struct trap_frame *f)
{
	r->r15 = f->r15;
	r->r14 = f->r14;
	r->r13 = f->r13;
	r->r12 = f->r12;
	r->r11 = f->r11;
	r->r10 = f->r10;
	r->r9 = f->r9;
	r->r8 = f->r8;
	r->rbp = f->rbp;
	r->rdi = f->rdi;
	r->rsi = f->rsi;
	r->rdx = f->rdx;
	r->rcx = f->rcx;
	r->rbx = f->rbx;
	r->rax = f->rax;
	r->rip = f->rip;
	r->rflags = f->rflags;
	r->rsp = f->rsp;
}

static void regs_to_frame(struct trap_frame *f, const struct user_regs *r)
{
	f->r15 = r->r15;
	f->r14 = r->r14;
	f->r13 = r->r13;
	f->r12 = r->r12;
	f->r11 = r->r11;
	f->r10 = r->r10;
	f->r9 = r->r9;
	f->r8 = r->r8;
	f->rbp = r->rbp;
	f->rdi = r->rdi;
	f->rsi = r->rsi;
	f->rdx = r->rdx;
	f->rcx = r->rcx;
	f->rbx = r->rbx;
	f->rax = r->rax;
	f->rip = r->rip;
	f->rsp = r->rsp;
	/* Only the arithmetic flags, TF, DF and AC are the task's to set. */
	f->rflags = (f->rflags & ~X86_RFLAGS_USER_MASK) | (r->rflags & X86_RFLAGS_USER_MASK) |
		    X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	f->cs = X86_USER_CS;
	f->ss = X86_USER_DS;
}

static bool signal_deliver(struct task *t, struct trap_frame *f, int sig)
{
	uint64_t sp;
	struct x86_sigframe *sf;

	if (!t->sig_handler || t->sigframe)
		return false; /* no handler, or faulted inside the handler */
	sp = ALIGN_DOWN(f->rsp - USER_STACK_SKIP - sizeof(*sf), 16) - 8;
	if (f->rsp < USER_STACK_SKIP + sizeof(*sf) + 32 ||
	    !user_range_ok(sp, sizeof(*sf), true))
		return false;

	/* No SMAP here (CR4 is the VMM's PAE|PGE), so the kernel writes the
	 * range-checked user stack directly. */
	sf = (struct x86_sigframe *)sp;
	sf->ret_addr = (uint64_t)u_sigreturn_trampoline;
	sf->info.signo = (uint64_t)sig;
	sf->info.vector = f->vector;
	sf->info.error_code = f->error_code;
	sf->info.addr = f->vector == X86_EXC_PF ? this_cpu()->last_trap.cr2 : 0;
	sf->info.pc = f->rip;
	regs_from_frame(&sf->regs, f);

	t->sigframe = sp;
	t->nr_signals++;
	f->rip = t->sig_handler;
	f->rsp = sp; /* at the return address, as after a call */
	f->rdi = (uint64_t)sig;
	f->rsi = (uint64_t)&sf->info;
	f->rdx = (uint64_t)&sf->regs;
	f->rflags = X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	return true;
}

long arch_sigreturn(struct task *t, struct trap_frame *f)
{
	struct x86_sigframe *sf = (struct x86_sigframe *)t->sigframe;

	if (!user_range_ok(t->sigframe, sizeof(*sf), true))
		task_kill(t, SIGSEGV);
	/* A non-canonical RIP or RSP would make our iretq fault in ring 0. */
	if (sf->regs.rip >= USER_ADDR_LIMIT || sf->regs.rsp >= USER_ADDR_LIMIT)
		task_kill(t, SIGSEGV);
	regs_to_frame(f, &sf->regs);
	t->sigframe = 0;
	return (long)f->rax; /* the caller stores this in rax again */
}

void user_exception(struct trap_frame *f)
{
	struct task *t = task_current();
	int sig;

	if (!t)
		panic_regs(f, "user-mode exception without a current task");
	if (f->vector == X86_EXC_NM) {
		/* Lazy FPU switching: the task touched the FPU with CR0.TS set.
		 * One task at a time uses it here, so there is no state to swap:
		 * clear TS and restart the instruction. */
		clts();
		return;
	}
	sig = vector_signal(f->vector);
	if (signal_deliver(t, f, sig))
		return;
	task_kill(t, sig);
}
