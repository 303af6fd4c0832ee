/* SPDX-License-Identifier: MIT */
/*
 * User-mode checks that read the same on every port (tests_user.h): exit
 * status, the system call results, signal upcalls and the ways a task
 * dies. Exceptions and entry paths that differ stay in the ports'
 * tests_user.c.
 */
#include "arch.h"
#include "boot.h"
#include "ktest.h"
#include "kstring.h"
#include "tap.h"
#include "task.h"
#include "test.h"
#include "tests_user.h"
#include "uapi.h"
#include "user_progs.h"

TEST_CASE(user, exit_status, 401)
{
	struct task t;
	int status = user_task_run(&t, "exit", u_prog_exit, 42);

	tap_ok(expect_exit(&t, 42, status), "SYS_EXIT(42) ends the task with status 42 (via %s)",
	       t.syscall_path ? t.syscall_path : "?");
}

void utest_syscalls(bool (*path_ok)(const struct task *t))
{
	struct task t;
	int status;
	const char *path;
	bool ran;

	memset(u_results, 0, sizeof(u_results));
	u_target = (uintptr_t)&boot_params; /* a kernel buffer for the EFAULT case */
	status = user_task_run(&t, "syscalls", u_prog_syscalls, 0);
	/* All six results on every path (UTEST_SYSCALLS_CHECKS): a task that did
	 * not run to its end fails the calls it did not get to make. */
	ran = tap_ok(expect_exit(&t, 0, status), "user task making system calls ran to SYS_EXIT");
	path = ran ? t.syscall_path : "a task that did not finish";
	tap_ok(ran && path_ok(&t) && u_results[0] == 34,
	       "syscall write via %s returns the length (%ld)", path, (long)u_results[0]);
	tap_ok(ran && path_ok(&t) &&
		       tap_expect(u_results[1] == (int64_t)t.pid, "pid %u", t.pid),
	       "syscall getpid via %s returns the task's pid (%ld)", path, (long)u_results[1]);
	tap_ok(ran && path_ok(&t) && u_results[2] == 0, "syscall yield via %s returns 0 (%ld)",
	       path, (long)u_results[2]);
	tap_ok(ran && path_ok(&t) && u_results[3] == -ENOSYS,
	       "unknown syscall number via %s returns -ENOSYS (%ld)", path, (long)u_results[3]);
	tap_ok(ran && path_ok(&t) && u_results[4] == -EFAULT,
	       "syscall write of a kernel buffer via %s returns -EFAULT (%ld)", path,
	       (long)u_results[4]);
}

bool utest_upcall(void (*prog)(uint64_t), int sig, unsigned long code, struct usig_log *log)
{
	struct task t;
	int status;
	bool ok;

	memset(&u_sig_log, 0, sizeof(u_sig_log));
	status = user_task_run(&t, "upcall", prog, (uintptr_t)u_sig_handler);
	*log = u_sig_log;
	ok = expect_exit(&t, 0, status);
	ok &= tap_expect(log->count == 1 && t.nr_signals == 1, "handler ran %lu times",
			 (unsigned long)log->count);
	if (!ok)
		return false;
	ok &= tap_expect(log->signo == (uint64_t)sig, "signal %lu, want %d",
			 (unsigned long)log->signo, sig);
	ok &= tap_expect(log->code == code, "%s %lu, want %lu", arch_exc_code_name,
			 (unsigned long)log->code, code);
	ok &= tap_expect(log->pc == log->marked_pc && log->saved_pc == log->pc,
			 "siginfo pc %#lx, saved %s %#lx, want %#lx", (unsigned long)log->pc,
			 arch_user_pc_name, (unsigned long)log->saved_pc,
			 (unsigned long)log->marked_pc);
	return ok;
}

bool utest_kill_without_handler(void (*prog)(uint64_t), const char *name)
{
	struct task t;
	int status;
	bool ok;

	user_task_run(&t, name, prog, 0);
	ok = expect_killed(&t, SIGILL) &&
	     tap_expect(t.exit_status == TASK_KILLED_STATUS(SIGILL), "status %d", t.exit_status);
	status = user_task_run(&t, "exit", u_prog_exit, 7);
	return ok && expect_exit(&t, 7, status);
}

bool utest_fault_in_handler(void (*prog)(uint64_t))
{
	struct task t;

	user_task_run(&t, "nested", prog, (uintptr_t)u_sig_handler_faults);
	return expect_killed(&t, SIGILL) &&
	       tap_expect(t.nr_signals == 1, "%u upcalls", t.nr_signals);
}

TEST_CASE(signal, forged_sigreturn, 606)
{
	struct task t;

	user_task_run(&t, "sigreturn", u_prog_sigreturn, 0);
	tap_ok(expect_killed(&t, SIGSEGV), "SYS_SIGRETURN outside a handler kills the task");
}
