/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU current task and task termination.
 */
#include "arch.h"
#include "smp.h"
#include "task.h"
#include "uapi.h"

static struct task *current_tasks[GUEST_MAX_CPUS];

struct task *task_current(void)
{
	unsigned int cpu = arch_cpu_id();

	return cpu < GUEST_MAX_CPUS ? current_tasks[cpu] : NULL;
}

void task_set_current(struct task *t)
{
	unsigned int cpu = arch_cpu_id();

	if (cpu < GUEST_MAX_CPUS)
		current_tasks[cpu] = t;
}

void task_kill(struct task *t, int sig)
{
	t->killed_by = sig;
	t->exit_status = TASK_KILLED_STATUS(sig);
	arch_task_leave(t);
}
