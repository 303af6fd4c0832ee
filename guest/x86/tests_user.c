/* SPDX-License-Identifier: MIT */
/*
 * Ring 3: entering user mode, exceptions raised by user code, the system
 * call paths and signal upcalls: the x86 side of them (the checks every
 * port shares are in common/tests_user.c). User programs are in
 * user_progs.[cS].
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "boot.h"
#include "host.h"
#include "kstring.h"
#include "percpu.h"
#include "sections.h"
#include "tap.h"
#include "test.h"
#include "tests_user.h"
#include "testutil.h"
#include "uapi.h"
#include "uprog.h"
#include "usermode.h"
#include "x86.h"

TEST_CASE(user, enter_ring3, 400)
{
	struct task t;
	int status = user_task_run(&t, "cpl", u_prog_cpl, 0);

	tap_ok(expect_exit(&t, 3, status), "iretq into ring 3: the task sees CPL 3 in CS");
}

/*
 * Exceptions raised in ring 3, without a signal handler: the task is killed
 * and the recorded frame must show the exception at the instruction the
 * program named in r12, delivered on the TSS.rsp0 stack.
 */
static bool user_fault(void (*prog)(uint64_t), unsigned int vector, int sig)
{
	struct percpu *pc = this_cpu();
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	user_task_run(&t, "fault", prog, 0);
	ok = expect_trap(seq, vector, r->frame.r12);
	if (ok)
		ok = tap_expect(trap_from_user(&r->frame), "frame CS %#lx is not ring 3",
				(unsigned long)r->frame.cs);
	if (ok)
		ok = tap_expect(r->frame_addr + sizeof(struct trap_frame) == pc->trap_stack_top,
				"frame at %#lx, not at the top of the TSS.rsp0 stack",
				(unsigned long)r->frame_addr);
	if (ok)
		ok = expect_killed(&t, sig);
	diag_last_trap();
	return ok;
}

TEST_CASE(exceptions, breakpoint_ring3, 303)
{
	tap_ok(user_fault(u_prog_int3, X86_EXC_BP, SIGTRAP),
	       "#BP int3 in ring 3: trap, saved RIP after int3, stack switched to TSS.rsp0");
}

TEST_CASE(exceptions, gp_privileged_ring3, 306)
{
	bool ok = user_fault(u_prog_hlt, X86_EXC_GP, SIGSEGV) && expect_error_code(0);

	tap_ok(ok, "#GP(0) hlt in ring 3: fault at the instruction, task killed (SIGSEGV)");
}

TEST_CASE(exceptions, gp_gate_dpl, 307)
{
	const char *name = "#GP(0x40a) int $0x81 in ring 3 through a DPL-0 gate";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	user_task_run(&t, "int81", u_prog_int81, 0);
	if (host_pvm() && r->seq == seq + 1 && r->frame.vector == X86_EXC_UD &&
	    r->frame.rip == r->frame.r12) {
		tap_skip("this host turns every ring-3 int n except int3 into #UD at the "
			 "instruction (nested PVM)", "%s", name);
		return;
	}
	/* Error code: IDT vector index << 3 | IDT bit (SDM 6.13). */
	ok = expect_trap(seq, X86_EXC_GP, r->frame.r12) &&
	     expect_error_code((0x81u << 3) | 2u) && expect_killed(&t, SIGSEGV);
	diag_last_trap();
	if (!ok && host_platform_is(IRQVM_PLATFORM_NESTED_TCG) && r->seq == seq + 1 &&
	    r->frame.vector == X86_EXC_GP && r->frame.rip == r->frame.r12 &&
	    r->frame.error_code == ((0x81u << 4) | 2u) && t.killed_by == SIGSEGV) {
		host_todo(TCG_GP_GATE_ERRCODE, name);
		return;
	}
	tap_ok(ok, "%s", name);
}

static bool user_pf(void (*prog)(uint64_t), uint64_t target, uint64_t err)
{
	const struct trap_record *r = last_trap();
	bool ok;

	u_target = target;
	ok = user_fault(prog, X86_EXC_PF, SIGSEGV) && expect_error_code(err);
	if (ok)
		ok = tap_expect(r->cr2 == target, "CR2 %#lx, want %#lx", (unsigned long)r->cr2,
				(unsigned long)target);
	return ok;
}

TEST_CASE(exceptions, pf_user_supervisor, 313)
{
	tap_ok(user_pf(u_prog_read, (uint64_t)&boot_params, PF_P | PF_U),
	       "#PF ring-3 read of a supervisor page: error P=1 W=0 U=1, CR2 = address");
}

TEST_CASE(exceptions, pf_user_nx, 314)
{
	tap_ok(user_pf(u_prog_jump, (uint64_t)&u_results[0], PF_P | PF_U | PF_I),
	       "#PF ring-3 jump into a no-execute page: error P=1 U=1 I=1, RIP = CR2");
}

TEST_CASE(exceptions, nm_lazy_fpu, 315)
{
	const char *name = "#NM x87 in ring 3 with CR0.TS: fault, TS cleared, instruction restarted";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	int status;
	bool ok;

	/* x87 is only ever run in ring 3: ring-0 x87 is one of the things the
	 * KVM emulator on nested-PVM hosts cannot do. */
	write_cr0(read_cr0() | X86_CR0_TS);
	status = user_task_run(&t, "x87", u_prog_x87, 0);
	if (read_cr0() & X86_CR0_TS) {
		write_cr0(read_cr0() & ~X86_CR0_TS);
		if (host_pvm() && r->seq == seq && !t.killed_by) {
			tap_skip("host ran x87 in ring 3 without raising #NM despite CR0.TS", "%s",
				 name);
			return;
		}
	}
	ok = expect_trap(seq, X86_EXC_NM, r->frame.r12) && expect_exit(&t, 0, status);
	diag_last_trap();
	tap_ok(ok, "%s", name);
}

TEST_CASE(exceptions, alignment_check, 316)
{
	const char *name = "#AC(0) misaligned load in ring 3 with CR0.AM and EFLAGS.AC: fault, SIGBUS";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	write_cr0(read_cr0() | X86_CR0_AM);
	user_task_run(&t, "misaligned", u_prog_misaligned, 0);
	write_cr0(read_cr0() & ~X86_CR0_AM);
	if (host_pvm() && r->seq == seq && !t.killed_by) {
		tap_skip("host ignored CR0.AM/EFLAGS.AC for the ring-3 access", "%s", name);
		return;
	}
	if (host_platform_is(IRQVM_PLATFORM_NESTED_TCG) && r->seq == seq && !t.killed_by) {
		host_todo(TCG_NO_AC, name);
		return;
	}
	ok = expect_trap(seq, X86_EXC_AC, r->frame.r12) && expect_error_code(0) &&
	     expect_killed(&t, SIGBUS);
	diag_last_trap();
	tap_ok(ok, "%s", name);
}

/* ------------------------------------------------------------------ */

TEST_CASE(syscall, insn_probe, 500)
{
	enum syscall_insn_state s = syscall_insn_state();
	bool ok = s == SYSCALL_INSN_WORKS || (s == SYSCALL_INSN_STAYS_CPL3 && host_pvm());

	tap_expect(ok, "unexpected on this host");
	tap_ok(ok, "syscall/sysretq probe: %s%s", syscall_insn_state_name(s),
	       s == SYSCALL_INSN_WORKS ? "" : ", path not offered");
}

static const char *expected_int80_path(void)
{
	return host_pvm() ? NULL : SYSCALL_PATH_GATE; /* NULL: either */
}

static bool expect_path(const struct task *t, const char *want)
{
	if (!tap_expect(t->syscall_path && !t->syscall_path_mixed, "calls took different paths"))
		return false;
	return tap_expect(!want || !strcmp(t->syscall_path, want), "entered via %s, want %s",
			  t->syscall_path, want);
}

/* Every call the int $0x80 way (either way on a quirky host). */
static bool int80_path_ok(const struct task *t)
{
	return expect_path(t, expected_int80_path());
}

TEST_CASE_CHECKS(syscall, int80, 501, UTEST_SYSCALLS_CHECKS)
{
	u_syscall_mode = U_SYSCALL_INT80;
	utest_syscalls(int80_path_ok);
}

TEST_CASE(syscall, syscall_insn, 502)
{
	struct task t;
	int status;
	bool ok;

	if (syscall_insn_state() != SYSCALL_INSN_WORKS) {
		tap_skip("the boot probe found `syscall` unusable here",
			 "syscalls write/getpid/yield/ENOSYS/EFAULT via syscall-insn");
		return;
	}
	memset(u_results, 0, sizeof(u_results));
	u_syscall_mode = U_SYSCALL_INSN;
	u_target = (uint64_t)&boot_params;
	status = user_task_run(&t, "syscalls", u_prog_syscalls, 0);
	u_syscall_mode = U_SYSCALL_INT80;
	ok = expect_exit(&t, 0, status) && expect_path(&t, SYSCALL_PATH_INSN);
	ok &= tap_expect(u_results[0] == 34 && u_results[1] == (int64_t)t.pid &&
				 u_results[2] == 0 && u_results[3] == -ENOSYS &&
				 u_results[4] == -EFAULT,
			 "results %ld %ld %ld %ld %ld", (long)u_results[0], (long)u_results[1],
			 (long)u_results[2], (long)u_results[3], (long)u_results[4]);
	tap_ok(ok, "syscalls write/getpid/yield/ENOSYS/EFAULT via %s", SYSCALL_PATH_INSN);
}

/* ------------------------------------------------------------------ */

TEST_CASE(signal, pf_upcall, 600)
{
	struct usig_log log;
	bool ok;

	u_target = (uint64_t)&boot_params;
	ok = utest_upcall(u_prog_read, SIGSEGV, X86_EXC_PF, &log);
	ok = ok && tap_expect(log.addr == u_target && log.error_code == (PF_P | PF_U),
			      "addr %#lx error %#lx", (unsigned long)log.addr,
			      (unsigned long)log.error_code);
	tap_ok(ok, "user #PF -> SIGSEGV upcall with address and error code, sigreturn resumes");
}

TEST_CASE(signal, de_upcall, 601)
{
	struct usig_log log;

	tap_ok(utest_upcall(u_prog_div0, SIGFPE, X86_EXC_DE, &log),
	       "user #DE -> SIGFPE upcall, handler skips the div, sigreturn restores registers");
}

TEST_CASE(signal, ud_upcall, 602)
{
	struct usig_log log;

	tap_ok(utest_upcall(u_prog_ud2, SIGILL, X86_EXC_UD, &log),
	       "user #UD -> SIGILL upcall, handler skips ud2, sigreturn restores registers");
}

TEST_CASE(signal, bp_upcall, 603)
{
	struct usig_log log;

	tap_ok(utest_upcall(u_prog_int3, SIGTRAP, X86_EXC_BP, &log),
	       "user #BP -> SIGTRAP upcall, siginfo pc after int3 (trap)");
}

TEST_CASE(signal, kill_without_handler, 604)
{
	tap_ok(utest_kill_without_handler(u_prog_ud2, "ud2"),
	       "user #UD without a handler kills the task (status 132), the kernel goes on");
}

TEST_CASE(signal, fault_in_handler, 605)
{
	tap_ok(utest_fault_in_handler(u_prog_ud2), "a fault inside the signal handler kills the task");
}
