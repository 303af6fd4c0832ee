/* SPDX-License-Identifier: MIT */
/*
 * System call entry paths on x86-64:
 *   - `int $0x80` through a DPL-3 interrupt gate (works everywhere the CPU
 *     follows the SDM);
 *   - the same instruction arriving as #UD with RIP at the instruction, as
 *     nested "PVM" KVM delivers every ring-3 `int n` except int3: the #UD
 *     handler recognises CD 80 and serves the call (traps.c);
 *   - `syscall`/`sysretq`, offered only when the boot probe shows that the
 *     instruction really enters ring 0.
 */
#include "arch.h"
#include "percpu.h"
#include "sections.h"
#include "uapi.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

static enum syscall_insn_state insn_state;

void syscall_msrs_init(void)
{
	/* SYSRET loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8. */
	wrmsr(MSR_STAR, ((uint64_t)X86_USER_CS32 << 48) | ((uint64_t)X86_KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)x86_syscall_entry);
	wrmsr(MSR_FMASK, X86_RFLAGS_TF | X86_RFLAGS_IF | X86_RFLAGS_DF | X86_RFLAGS_IOPL |
				 X86_RFLAGS_NT | X86_RFLAGS_AC);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

bool syscall_int80_at(const struct trap_frame *f)
{
	const uint8_t *p = (const uint8_t *)f->rip;

	return user_range_ok(f->rip, 2, false) && p[0] == 0xcd &&
	       p[1] == X86_SYSCALL_VECTOR;
}

void syscall_from_trap(struct trap_frame *f, const char *path)
{
	struct syscall_args a = {
		.nr = f->rax,
		.arg = { f->rdi, f->rsi, f->rdx },
		.frame = f,
		.path = path,
	};

	f->rax = (uint64_t)syscall_dispatch(&a);
}

/* Called by x86_syscall_entry; a non-zero result asks for an iretq return
 * (sysretq cannot restore RCX and R11, which sigreturn must). */
int x86_syscall_insn_dispatch(struct trap_frame *f);
int x86_syscall_insn_dispatch(struct trap_frame *f)
{
	bool full_restore = f->rax == SYS_SIGRETURN;

	syscall_from_trap(f, SYSCALL_PATH_INSN);
	return full_restore;
}

/* sysretq raised #GP in ring 0 (user_entry.S): never use the path again. */
__noreturn void x86_sysret_fault(void);
void x86_sysret_fault(void)
{
	insn_state = SYSCALL_INSN_SYSRET_FAULTS;
	task_kill(task_current(), SIGSEGV);
}

enum syscall_insn_state syscall_insn_probe(void)
{
	struct task t;
	const struct trap_record *r = &this_cpu()->last_trap;
	unsigned long seq = r->seq;
	int status = user_task_run(&t, "syscall-probe", u_prog_syscall_probe, 0);

	if (insn_state == SYSCALL_INSN_SYSRET_FAULTS)
		return insn_state;
	if (!t.killed_by && status == (int)t.pid)
		insn_state = SYSCALL_INSN_WORKS;
	else if (t.killed_by && r->seq == seq + 1 && r->frame.vector == X86_EXC_PF &&
		 r->frame.rip == (uint64_t)x86_syscall_entry && trap_from_user(&r->frame))
		insn_state = SYSCALL_INSN_STAYS_CPL3;
	else
		insn_state = SYSCALL_INSN_BROKEN;
	return insn_state;
}

enum syscall_insn_state syscall_insn_state(void)
{
	return insn_state;
}

const char *syscall_insn_state_name(enum syscall_insn_state s)
{
	switch (s) {
	case SYSCALL_INSN_WORKS:
		return "enters ring 0, sysretq returns";
	case SYSCALL_INSN_STAYS_CPL3:
		return "reaches LSTAR still in ring 3 (#PF fetching a supervisor page)";
	case SYSCALL_INSN_SYSRET_FAULTS:
		return "sysretq faults in ring 0";
	case SYSCALL_INSN_BROKEN:
		return "unexpected behaviour";
	default:
		return "not probed";
	}
}
