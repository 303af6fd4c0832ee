/* SPDX-License-Identifier: MIT */
/*
 * Threads and the round-robin scheduler (sched.h).
 *
 * Locking: each CPU's run queue has a spinlock taken with interrupts off;
 * it protects the queue, the thread states of that CPU's threads and the
 * CPU's `current`. Threads never migrate, so only a CPU itself dequeues
 * from its queue; other CPUs only enqueue (wake-ups) and then send a
 * reschedule IPI.
 */
#include "arch.h"
#include "kalloc.h"
#include "kcpu.h"
#include "kprintf.h"
#include "kstring.h"
#include "panic.h"
#include "sched.h"
#include "smp.h"
#include "spinlock.h"
#include "tap.h"
#include "task.h"

struct runq {
	spinlock_t lock;
	struct thread *head, *tail;
	struct thread *idle;
	struct thread boot; /* the context the CPU was running at sched_init */
	unsigned long switches;
};

static struct runq runqs[GUEST_MAX_CPUS];
static bool ready;
static unsigned int nr_threads;
static unsigned int next_id;

/* Attempts to block where it is not allowed, and the first few call sites. */
static unsigned long atomic_block_attempts;
#define MAX_REPORTED_SITES 8u
static const char *reported_sites[MAX_REPORTED_SITES];
static spinlock_t report_lock = SPINLOCK_INIT;

static void idle_main(void *arg)
{
	(void)arg;
	/* Preemptible anywhere (THREAD_F_IDLE): the interrupt that makes
	 * something runnable switches away on its way out. */
	for (;;)
		arch_wait_for_interrupt();
}

static void enqueue_locked(struct runq *rq, struct thread *t)
{
	t->run_next = NULL;
	t->on_rq = true;
	if (rq->tail)
		rq->tail->run_next = t;
	else
		rq->head = t;
	rq->tail = t;
}

static struct thread *dequeue_locked(struct runq *rq)
{
	struct thread *t = rq->head;

	if (t) {
		rq->head = t->run_next;
		if (!rq->head)
			rq->tail = NULL;
		t->run_next = NULL;
		t->on_rq = false;
	}
	return t;
}

/* Does t, now runnable on its CPU, deserve the CPU before `cur` uses up
 * its slice? Kernel threads go ahead of user threads and of idle. */
static bool preempts(const struct thread *t, const struct thread *cur)
{
	if (!cur || (cur->flags & THREAD_F_IDLE))
		return true;
	return (cur->flags & THREAD_F_USER) && !(t->flags & THREAD_F_USER);
}

/* t became runnable: queue it and poke its CPU. */
static void make_runnable(struct thread *t)
{
	struct runq *rq = &runqs[t->cpu];
	struct kcpu *c = &kcpu[t->cpu];
	bool kick = false;
	unsigned long flags = arch_irq_save();

	spin_lock(&rq->lock);
	if (t->state == THREAD_BLOCKED)
		t->state = THREAD_RUNNABLE;
	if (t->state == THREAD_RUNNABLE && !t->on_rq && c->current != t) {
		enqueue_locked(rq, t);
		if (preempts(t, c->current)) {
			c->need_resched = true;
			kick = true;
		}
	}
	spin_unlock(&rq->lock);
	if (kick && t->cpu != arch_cpu_id())
		arch_send_resched(t->cpu);
	arch_irq_restore(flags);
}

bool thread_asleep(struct thread *t)
{
	struct runq *rq = &runqs[t->cpu];
	unsigned long flags = arch_irq_save();
	bool asleep;

	spin_lock(&rq->lock);
	asleep = t->state == THREAD_BLOCKED && kcpu[t->cpu].current != t;
	spin_unlock(&rq->lock);
	arch_irq_restore(flags);
	return asleep;
}

void thread_wake(struct thread *t)
{
	if (t && READ_ONCE(t->state) == THREAD_BLOCKED)
		make_runnable(t);
}

static struct thread *create(const char *name, unsigned int cpu, void (*fn)(void *), void *arg,
			     unsigned int flags);

void sched_init(unsigned int nr_cpus)
{
	static const char *const idle_names[GUEST_MAX_CPUS] = {
		"idle/0", "idle/1", "idle/2", "idle/3", "idle/4", "idle/5", "idle/6", "idle/7",
	};

	for (unsigned int cpu = 0; cpu < nr_cpus && cpu < GUEST_MAX_CPUS; cpu++) {
		struct runq *rq = &runqs[cpu];
		struct thread *b = &rq->boot;

		if (!smp_cpu_online(cpu))
			continue;
		b->name = cpu ? idle_names[cpu] : "main";
		b->id = next_id++;
		b->cpu = cpu;
		b->flags = THREAD_F_BOOT | (cpu ? THREAD_F_IDLE : 0);
		b->state = THREAD_RUNNABLE;
		b->slice = SCHED_SLICE_TICKS;
		wait_queue_init(&b->exit_wq);
		nr_threads++;
		/* Secondary CPUs sit in their `sti; hlt` loop: that context is
		 * their idle thread, saved on the first switch away from it. */
		rq->idle = cpu ? b : NULL;
		__atomic_store_n(&kcpu[cpu].current, b, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	runqs[0].idle = create(idle_names[0], 0, idle_main, NULL, THREAD_F_IDLE);
	if (!runqs[0].idle)
		panic("cannot create the idle thread");
}

bool sched_ready(void)
{
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

static struct thread *create(const char *name, unsigned int cpu, void (*fn)(void *), void *arg,
			     unsigned int flags)
{
	struct thread *t;
	size_t stack = (flags & THREAD_F_USER) ? 2 * THREAD_STACK_SIZE : THREAD_STACK_SIZE;

	if (!sched_ready() || cpu >= GUEST_MAX_CPUS || !smp_cpu_online(cpu) ||
	    !runqs[cpu].boot.name)
		return NULL;
	t = kalloc(sizeof(*t), 64);
	if (!t)
		return NULL;
	t->stack = kalloc(stack, 4096);
	if (!t->stack)
		return NULL;
	t->name = name;
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	t->cpu = cpu;
	t->flags = flags;
	t->fn = fn;
	t->arg = arg;
	t->slice = SCHED_SLICE_TICKS;
	t->state = THREAD_BLOCKED;
	wait_queue_init(&t->exit_wq);
	arch_thread_init(t, stack);
	__atomic_fetch_add(&nr_threads, 1, __ATOMIC_RELAXED);
	if (flags & THREAD_F_IDLE)
		t->state = THREAD_RUNNABLE; /* picked only when nothing else is */
	else
		make_runnable(t);
	return t;
}

struct thread *thread_create(const char *name, unsigned int cpu, void (*fn)(void *), void *arg)
{
	return create(name, cpu, fn, arg, 0);
}

struct thread *thread_create_user(const char *name, unsigned int cpu, void (*fn)(void *),
				  void *arg)
{
	return create(name, cpu, fn, arg, THREAD_F_USER);
}

struct thread *thread_current(void)
{
	return sched_ready() ? this_kcpu()->current : NULL;
}

void schedule(void)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();
	struct runq *rq = &runqs[cpu];
	struct kcpu *c = &kcpu[cpu];
	struct thread *prev, *next;

	spin_lock(&rq->lock);
	prev = c->current;
	c->need_resched = false;
	if (prev->state == THREAD_RUNNABLE && !(prev->flags & THREAD_F_IDLE) && !prev->on_rq)
		enqueue_locked(rq, prev);
	next = dequeue_locked(rq);
	if (!next)
		next = rq->idle ? rq->idle : prev;
	if (next != prev) {
		c->current = next;
		next->switches++;
		next->slice = SCHED_SLICE_TICKS;
		rq->switches++;
	}
	spin_unlock(&rq->lock);
	if (next != prev) {
		/* A boot thread may be running an old-style user task too:
		 * the current task travels with the thread. */
		prev->task = task_current();
		task_set_current(next->task);
		arch_switch_to(prev, next);
	}
	arch_irq_restore(flags);
}

void sched_set_blocked(void)
{
	/* Sequentially consistent: the store must be visible before the
	 * caller reads its wait condition (a store-load order on x86). */
	__atomic_store_n(&this_kcpu()->current->state, THREAD_BLOCKED, __ATOMIC_SEQ_CST);
}

void sched_set_running(void)
{
	__atomic_store_n(&this_kcpu()->current->state, THREAD_RUNNABLE, __ATOMIC_SEQ_CST);
}

void sched_yield(void)
{
	struct runq *rq;

	if (!sched_ready() || in_interrupt())
		return;
	rq = &runqs[arch_cpu_id()];
	if (READ_ONCE(rq->head))
		schedule();
}

void cond_resched(void)
{
	if (sched_ready() && !in_interrupt() && READ_ONCE(this_kcpu()->need_resched))
		schedule();
}

void thread_exit(void)
{
	struct thread *t = thread_current();

	if (!t || (t->flags & (THREAD_F_BOOT | THREAD_F_IDLE)))
		panic("thread_exit from a boot or idle context");
	__atomic_store_n(&t->state, THREAD_DEAD, __ATOMIC_SEQ_CST);
	wake_up(&t->exit_wq);
	schedule();
	panic("dead thread %s ran again", t->name);
}

bool thread_join(struct thread *t, unsigned long timeout_ticks)
{
	if (!t)
		return false;
	return wait_event_timeout(&t->exit_wq, READ_ONCE(t->state) == THREAD_DEAD,
				  timeout_ticks) == WAIT_OK;
}

void sched_thread_entry(struct thread *t)
{
	arch_irq_enable();
	t->fn(t->arg);
	thread_exit();
}

static const char *context_name(void)
{
	if (!sched_ready())
		return "early boot";
	if (in_hardirq())
		return "hard-IRQ";
	if (in_softirq())
		return "softirq";
	return "interrupts-disabled";
}

bool sched_may_block(const char *what)
{
	bool first = true;
	unsigned long flags;
	const char *ctx;

	if (sched_ready() && !in_interrupt() && arch_irqs_enabled())
		return true;
	ctx = context_name();
	__atomic_fetch_add(&atomic_block_attempts, 1, __ATOMIC_RELAXED);
	flags = arch_irq_save();
	spin_lock(&report_lock);
	for (unsigned int i = 0; i < MAX_REPORTED_SITES; i++) {
		if (reported_sites[i] == what) {
			first = false;
			break;
		}
		if (!reported_sites[i]) {
			reported_sites[i] = what;
			break;
		}
	}
	spin_unlock(&report_lock);
	arch_irq_restore(flags);
	if (first)
		tap_note("BUG: %s would sleep in %s context on cpu %u; refused (-EDEADLK)", what,
			 ctx, arch_cpu_id());
	return false;
}

unsigned long sched_atomic_block_attempts(void)
{
	return __atomic_load_n(&atomic_block_attempts, __ATOMIC_RELAXED);
}

void sched_tick(void)
{
	struct kcpu *c = this_kcpu();
	struct thread *cur = c->current;

	if (!cur)
		return;
	cur->ticks++;
	if (cur->slice)
		cur->slice--;
	if (!cur->slice && READ_ONCE(runqs[cur->cpu].head))
		c->need_resched = true;
}

void sched_irq_exit(bool from_user)
{
	struct kcpu *c = this_kcpu();

	/* The kernel is not preemptible: switch only away from user mode or
	 * from the idle loop, which hold no kernel state. */
	if (c->need_resched && c->current && !c->hardirq_depth && !c->softirq_active &&
	    (from_user || (c->current->flags & THREAD_F_IDLE)))
		schedule();
}

unsigned long sched_switches(unsigned int cpu)
{
	return cpu < GUEST_MAX_CPUS ? READ_ONCE(runqs[cpu].switches) : 0;
}

unsigned int sched_nr_threads(void)
{
	return READ_ONCE(nr_threads);
}
