/* SPDX-License-Identifier: MIT */
/*
 * U-mode: entering it, exceptions raised by user code, the ecall system
 * call path and signal upcalls. User programs are in user_progs.[cS].
 */
#include "boot.h"
#include "csr.h"
#include "kstring.h"
#include "machine.h"
#include "percpu.h"
#include "sbi.h"
#include "sections.h"
#include "tap.h"
#include "test.h"
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

TEST_CASE(user, exit_status, 401)
{
	struct task t;
	int status = user_task_run(&t, "exit", u_prog_exit, 42);

	tap_ok(expect_exit(&t, 42, status), "SYS_EXIT(42) ends the task with status 42 (via %s)",
	       t.syscall_path ? t.syscall_path : "?");
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

TEST_CASE(syscall, insn_probe, 500)
{
	tap_skip("x86 only: RISC-V has a single system call instruction, ecall",
		 "syscall/sysretq probe");
}

TEST_CASE(syscall, ecall, 501)
{
	struct task t;
	int status;
	const char *path;
	bool ok_path;

	memset(u_results, 0, sizeof(u_results));
	u_target = (uintptr_t)&boot_params; /* a kernel buffer for the EFAULT case */
	status = user_task_run(&t, "syscalls", u_prog_syscalls, 0);
	if (!tap_ok(expect_exit(&t, 0, status), "user task making system calls ran to SYS_EXIT"))
		return;
	ok_path = tap_expect(t.syscall_path && !t.syscall_path_mixed &&
				     !strcmp(t.syscall_path, SYSCALL_PATH_ECALL),
			     "entered via %s", t.syscall_path ? t.syscall_path : "?");
	path = t.syscall_path;
	tap_ok(ok_path && u_results[0] == 34, "syscall write via %s returns the length (%ld)", path,
	       (long)u_results[0]);
	tap_ok(ok_path && tap_expect(u_results[1] == (int64_t)t.pid, "pid %u", t.pid),
	       "syscall getpid via %s returns the task's pid (%ld)", path, (long)u_results[1]);
	tap_ok(ok_path && u_results[2] == 0, "syscall yield via %s returns 0 (%ld)", path,
	       (long)u_results[2]);
	tap_ok(ok_path && u_results[3] == -ENOSYS,
	       "unknown syscall number via %s returns -ENOSYS (%ld)", path, (long)u_results[3]);
	tap_ok(ok_path && u_results[4] == -EFAULT,
	       "syscall write of a kernel buffer via %s returns -EFAULT (%ld)", path,
	       (long)u_results[4]);
}

TEST_CASE(syscall, syscall_insn, 502)
{
	tap_skip("x86 only: RISC-V has a single system call instruction, ecall (syscall.ecall)",
		 "syscalls via a second system call instruction");
}

/* ------------------------------------------------------------------ */

/* Run a fault program with u_sig_handler registered: the handler must see
 * the fault once, resume the program past it, and sigreturn must restore
 * the registers (the program's canary check makes it exit 0). */
static bool user_upcall(void (*prog)(uint64_t), int sig, unsigned long code, struct task *t)
{
	int status;
	bool ok;

	memset(&u_sig_log, 0, sizeof(u_sig_log));
	status = user_task_run(t, "upcall", prog, (uintptr_t)u_sig_handler);
	ok = expect_exit(t, 0, status);
	ok &= tap_expect(u_sig_log.count == 1 && t->nr_signals == 1, "handler ran %lu times",
			 (unsigned long)u_sig_log.count);
	if (!ok)
		return false;
	ok &= tap_expect(u_sig_log.signo == (uint64_t)sig, "signal %lu, want %d",
			 (unsigned long)u_sig_log.signo, sig);
	ok &= tap_expect(u_sig_log.vector == code, "scause %lu, want %lu",
			 (unsigned long)u_sig_log.vector, code);
	ok &= tap_expect(u_sig_log.pc == u_sig_log.regs_s2 && u_sig_log.regs_pc == u_sig_log.pc,
			 "siginfo pc %#lx, saved pc %#lx, want %#lx", (unsigned long)u_sig_log.pc,
			 (unsigned long)u_sig_log.regs_pc, (unsigned long)u_sig_log.regs_s2);
	return ok;
}

TEST_CASE(signal, pf_upcall, 600)
{
	struct task t;
	bool ok;

	u_target = (uintptr_t)&boot_params;
	ok = user_upcall(u_prog_read, SIGSEGV, EXC_LOAD_PAGE_FAULT, &t);
	ok = ok && tap_expect(u_sig_log.addr == u_target, "addr %#lx",
			      (unsigned long)u_sig_log.addr);
	tap_ok(ok, "user load page fault -> SIGSEGV upcall with stval as the address, sigreturn "
		   "resumes");
}

TEST_CASE(signal, de_upcall, 601)
{
	tap_skip("RISC-V integer division by zero does not trap (exceptions.divide_error), so "
		 "there is no SIGFPE to deliver",
		 "user divide error -> SIGFPE upcall");
}

TEST_CASE(signal, ud_upcall, 602)
{
	struct task t;
	bool ok = user_upcall(u_prog_illegal, SIGILL, EXC_ILLEGAL_INSN, &t);

	ok = ok && tap_expect(u_sig_log.error_code == 0xc0001073 || !u_sig_log.error_code,
			      "error_code %#lx, want the instruction bits or 0",
			      (unsigned long)u_sig_log.error_code);
	tap_ok(ok, "user illegal instruction -> SIGILL upcall, handler skips it, sigreturn restores "
		   "registers");
}

TEST_CASE(signal, bp_upcall, 603)
{
	struct task t;

	tap_ok(user_upcall(u_prog_ebreak, SIGTRAP, EXC_BREAKPOINT, &t),
	       "user ebreak -> SIGTRAP upcall, siginfo pc AT the ebreak (x86: after int3)");
}

TEST_CASE(signal, kill_without_handler, 604)
{
	struct task t;
	int status;
	bool ok;

	user_task_run(&t, "illegal", u_prog_illegal, 0);
	ok = expect_killed(&t, SIGILL) &&
	     tap_expect(t.exit_status == TASK_KILLED_STATUS(SIGILL), "status %d", t.exit_status);
	status = user_task_run(&t, "exit", u_prog_exit, 7);
	ok = ok && expect_exit(&t, 7, status);
	tap_ok(ok, "user illegal instruction without a handler kills the task (status 132), the "
		   "kernel goes on");
}

TEST_CASE(signal, fault_in_handler, 605)
{
	struct task t;
	bool ok;

	user_task_run(&t, "nested", u_prog_illegal, (uintptr_t)u_sig_handler_faults);
	ok = expect_killed(&t, SIGILL) && tap_expect(t.nr_signals == 1, "%u upcalls", t.nr_signals);
	tap_ok(ok, "a fault inside the signal handler kills the task");
}

TEST_CASE(signal, forged_sigreturn, 606)
{
	struct task t;

	user_task_run(&t, "sigreturn", u_prog_sigreturn, 0);
	tap_ok(expect_killed(&t, SIGSEGV), "SYS_SIGRETURN outside a handler kills the task");
}
