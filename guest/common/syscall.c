/* SPDX-License-Identifier: MIT */
/*
 * The system call table. Entry paths (x86 int 0x80 gate, its #UD fallback,
 * the syscall instruction; RISC-V ecall) all end in syscall_dispatch().
 */
#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "panic.h"
#include "sections.h"
#include "task.h"
#include "uapi.h"

#define SYS_WRITE_MAX 4096u /* bounds the time spent at CPL0 per call */

typedef long (*syscall_fn)(struct task *t, const struct syscall_args *a);

static long sys_write(struct task *t, const struct syscall_args *a)
{
	uintptr_t buf = a->arg[0];
	size_t len = a->arg[1];

	(void)t;
	if (len > SYS_WRITE_MAX)
		return -EINVAL;
	if (len && !user_range_ok(buf, len, false))
		return -EFAULT;
	console_write((const char *)buf, len);
	return (long)len;
}

static long sys_getpid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->pid;
}

static long sys_yield(struct task *t, const struct syscall_args *a)
{
	/* One task per CPU for now: nothing to switch to. The scheduler will
	 * hook in here. */
	(void)t;
	(void)a;
	return 0;
}

static long sys_exit(struct task *t, const struct syscall_args *a)
{
	t->exit_status = (int)a->arg[0];
	arch_task_leave(t);
}

static long sys_sigaction(struct task *t, const struct syscall_args *a)
{
	uintptr_t handler = a->arg[0], old = t->sig_handler;

	if (handler && !user_range_ok(handler, 1, false))
		return -EFAULT;
	t->sig_handler = handler;
	return (long)old;
}

static long sys_sigreturn(struct task *t, const struct syscall_args *a)
{
	if (!t->sigframe)
		task_kill(t, SIGSEGV); /* not inside a handler: forged call */
	return arch_sigreturn(t, a->frame);
}

static const syscall_fn syscall_table[NR_SYSCALLS] = {
	[SYS_WRITE] = sys_write,
	[SYS_GETPID] = sys_getpid,
	[SYS_YIELD] = sys_yield,
	[SYS_EXIT] = sys_exit,
	[SYS_SIGACTION] = sys_sigaction,
	[SYS_SIGRETURN] = sys_sigreturn,
};

long syscall_dispatch(const struct syscall_args *a)
{
	struct task *t = task_current();

	if (!t)
		panic("system call %lu without a current task", a->nr);
	t->nr_syscalls++;
	if (!t->syscall_path)
		t->syscall_path = a->path;
	else if (strcmp(t->syscall_path, a->path))
		t->syscall_path_mixed = true;
	if (a->nr >= NR_SYSCALLS || !syscall_table[a->nr])
		return -ENOSYS;
	return syscall_table[a->nr](t, a);
}
