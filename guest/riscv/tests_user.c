/* SPDX-License-Identifier: MIT */
/*
 * U-mode: entering it, exceptions raised by user code, the ecall system
 * call path and signal upcalls: the RISC-V side of them (the checks every
 * port shares are in common/tests_user.c). User programs are in
 * user_progs.[cS].
 */
#include "arch.h"
#include "boot.h"
#include "csr.h"
#include "kstring.h"
#include "machine.h"
#include "percpu.h"
#include "sbi.h"
#include "sections.h"
#include "tap.h"
#include "test.h"
#include "tests_user.h"
#include "testutil.h"
#include "uapi.h"
#include "uprog.h"
#include "usermode.h"

TEST_CASE(user, enter_ring3, 400)
{
	const struct ecall_record *e = &this_cpu()->last_ecall;
	unsigned long before = e->count;
	struct task t;
	int status = user_task_run(&t, "umode", u_prog_exit, 3);
	bool ok = expect_exit(&t, 3, status);

	ok = ok && tap_expect(e->count == before + 1, "%lu ecalls seen", e->count - before);
	ok = ok && tap_expect(e->scause == EXC_ECALL_U, "scause %lu, want 8 (ecall from U-mode)",
			      (unsigned long)e->scause);
	ok = ok && tap_expect(!(e->sstatus & SSTATUS_SPP), "sstatus.SPP = 1 (from S-mode)");
	ok = ok && tap_expect(e->sepc >= (uintptr_t)__user_text_start &&
				      e->sepc < (uintptr_t)__user_text_end,
			      "ecall at %#lx, outside the user text", (unsigned long)e->sepc);
	tap_ok(ok, "sret into U-mode: the task's ecall arrives as scause 8 (from U-mode) with "
		   "sstatus.SPP = 0");
}

/*
 * Exceptions raised in U-mode, without a signal handler: the task is
 * killed and the recorded frame must show the exception at the
 * instruction the program named in s2, entered on the trap stack.
 */
static bool user_fault(void (*prog)(uint64_t), unsigned long code, int sig)
{
	struct percpu *pc = this_cpu();
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	user_task_run(&t, "fault", prog, 0);
	ok = expect_trap(seq, code, r->frame.s2);
	if (ok)
		ok = tap_expect(trap_from_user(&r->frame), "sstatus.SPP = 1: not from U-mode");
	if (ok)
		ok = tap_expect(r->frame_addr + sizeof(struct trap_frame) == pc->trap_stack_top,
				"frame at %#lx, not at the top of the trap stack",
				(unsigned long)r->frame_addr);
	if (ok)
		ok = expect_killed(&t, sig);
	diag_last_trap();
	return ok;
}

TEST_CASE(exceptions, breakpoint_ring3, 303)
{
	tap_ok(user_fault(u_prog_ebreak, EXC_BREAKPOINT, SIGTRAP),
	       "ebreak in U-mode: breakpoint, sepc at the ebreak, trap stack used, task gets "
	       "SIGTRAP");
}

TEST_CASE(exceptions, gp_privileged_ring3, 306)
{
	tap_ok(user_fault(u_prog_sret, EXC_ILLEGAL_INSN, SIGILL),
	       "sret in U-mode: illegal instruction at it, task killed (SIGILL; x86: #GP)");
}

TEST_CASE(exceptions, csr_privileged_ring3, 327)
{
	const char *what = "supervisor CSR read (csrr sstatus) in U-mode: illegal instruction, "
			   "SIGILL";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	u_value = 0;
	user_task_run(&t, "csr", u_prog_csr, 0);
	if (r->seq == seq && !t.killed_by && rv_machine.sbi_impl == SBI_IMPL_KVM) {
		/* The hart raises a virtual-instruction exception for this in
		 * VU-mode (H extension, 9.6.1); KVM decodes the CSR access and
		 * hands it to the VMM as a CSR exit (irqvm answers 0) instead
		 * of reflecting illegal instruction to the guest. */
		tap_skip("this host's KVM passes VU-mode supervisor CSR accesses to the VMM (the "
			 "task read sstatus as 0) instead of raising illegal instruction",
			 "%s", what);
		tap_diag("  the task read %#lx", (unsigned long)u_value);
		return;
	}
	ok = expect_trap(seq, EXC_ILLEGAL_INSN, r->frame.s2) && expect_killed(&t, SIGILL);
	diag_last_trap();
	tap_ok(ok, "%s", what);
}

static bool user_pf(void (*prog)(uint64_t), unsigned long code, uint64_t target)
{
	u_target = target;
	return user_fault(prog, code, SIGSEGV) && expect_stval(target);
}

TEST_CASE(exceptions, pf_user_supervisor, 313)
{
	tap_ok(user_pf(u_prog_read, EXC_LOAD_PAGE_FAULT, (uintptr_t)&boot_params),
	       "U-mode load from a supervisor page: load page fault, stval = address, task "
	       "killed");
}

TEST_CASE(exceptions, pf_user_nx, 314)
{
	tap_ok(user_pf(u_prog_jump, EXC_INSN_PAGE_FAULT, (uintptr_t)&u_results[0]),
	       "U-mode jump into a non-executable user page: instruction page fault, sepc = "
	       "stval = target");
}

TEST_CASE(exceptions, pf_user_write_protect, 328)
{
	tap_ok(user_pf(u_prog_write, EXC_STORE_PAGE_FAULT, (uintptr_t)u_prog_exit),
	       "U-mode store into its read-only text: store/AMO page fault, stval = address");
}

TEST_CASE(exceptions, nm_lazy_fpu, 315)
{
	const char *what = "FP instruction in U-mode with sstatus.FS = Off: illegal instruction "
			   "at it, kernel turns FS on, the instruction restarts (lazy FPU)";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq(), traps = rv_fpu_traps;
	struct task t;
	int status;
	bool ok;

	if (!rv_machine.has_f) {
		tap_skip("the harts have no F extension", "%s", what);
		return;
	}
	u_value = 0;
	status = user_task_run(&t, "fpu", u_prog_fpu, 0);
	ok = expect_trap(seq, EXC_ILLEGAL_INSN, r->frame.s2) && expect_exit(&t, 0, status);
	ok = ok && tap_expect(rv_fpu_traps == traps + 1, "%lu FPU enables",
			      rv_fpu_traps - traps);
	ok = ok && tap_expect(u_value == 0x3f800000, "the FP round trip gave %#lx",
			      (unsigned long)u_value);
	ok = ok && tap_expect((csr_read(sstatus) & SSTATUS_FS) == SSTATUS_FS_OFF,
			      "FS left on in the kernel");
	diag_last_trap();
	tap_ok(ok, "%s", what);
}

TEST_CASE(exceptions, alignment_check, 316)
{
	const char *what = "misaligned load in U-mode: load address misaligned at it, SIGBUS";
	const struct trap_record *r = last_trap();
	unsigned long seq = trap_seq();
	struct task t;
	bool ok;

	user_task_run(&t, "misaligned", u_prog_misaligned, 0);
	if (r->seq == seq && !t.killed_by) {
		tap_skip("this platform completed the misaligned load without a trap (QEMU handles "
			 "them itself; the ISA allows it)",
			 "%s", what);
		return;
	}
	ok = expect_trap(seq, EXC_LOAD_MISALIGNED, r->frame.s2) && expect_killed(&t, SIGBUS);
	diag_last_trap();
	tap_ok(ok, "%s", what);
}

/* ------------------------------------------------------------------ */

/* Every call entered through ecall. */
static bool ecall_path_ok(const struct task *t)
{
	return tap_expect(t->syscall_path && !t->syscall_path_mixed &&
				  !strcmp(t->syscall_path, SYSCALL_PATH_ECALL),
			  "entered via %s", t->syscall_path ? t->syscall_path : "?");
}

TEST_CASE_CHECKS(syscall, ecall, 501, UTEST_SYSCALLS_CHECKS)
{
	utest_syscalls(ecall_path_ok);
}

/* ------------------------------------------------------------------ */

TEST_CASE(signal, pf_upcall, 600)
{
	struct usig_log log;
	bool ok;

	u_target = (uintptr_t)&boot_params;
	ok = utest_upcall(u_prog_read, SIGSEGV, EXC_LOAD_PAGE_FAULT, &log);
	ok = ok && tap_expect(log.addr == u_target, "addr %#lx", (unsigned long)log.addr);
	tap_ok(ok, "user load page fault -> SIGSEGV upcall with stval as the address, sigreturn "
		   "resumes");
}

TEST_CASE(signal, ud_upcall, 602)
{
	struct usig_log log;
	bool ok = utest_upcall(u_prog_illegal, SIGILL, EXC_ILLEGAL_INSN, &log);

	ok = ok && tap_expect(log.error_code == 0xc0001073 || !log.error_code,
			      "error_code %#lx, want the instruction bits or 0",
			      (unsigned long)log.error_code);
	tap_ok(ok, "user illegal instruction -> SIGILL upcall, handler skips it, sigreturn restores "
		   "registers");
}

TEST_CASE(signal, bp_upcall, 603)
{
	struct usig_log log;

	tap_ok(utest_upcall(u_prog_ebreak, SIGTRAP, EXC_BREAKPOINT, &log),
	       "user ebreak -> SIGTRAP upcall, siginfo pc AT the ebreak (x86: after int3)");
}

TEST_CASE(signal, kill_without_handler, 604)
{
	tap_ok(utest_kill_without_handler(u_prog_illegal, "illegal"),
	       "user illegal instruction without a handler kills the task (status 132), the "
	       "kernel goes on");
}

TEST_CASE(signal, fault_in_handler, 605)
{
	tap_ok(utest_fault_in_handler(u_prog_illegal),
	       "a fault inside the signal handler kills the task");
}
